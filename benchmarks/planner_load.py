"""Journal ingest under load: many clients posting batches to a real planner.

Usage: .venv/bin/python benchmarks/planner_load.py [--clients 50] [--seconds 30]
       [--batch 20]

Starts `python -m vertical_farm_planner` as its own process on a free
loopback port with a fresh SQLite file, then runs `--clients` concurrent
clients that each post journal batches of `--batch` new records, back to
back, for `--seconds`. Then, with the clients still posting, the planner is
killed with SIGKILL (no chance to flush anything), and the database file is
read directly: every record the planner acknowledged must be in it.

Prints requests per second, records per second, latency percentiles, the
errors while the planner ran (goal 0) and the acknowledged records missing
from the database after the kill (goal 0), each with PASS or OVER. It
measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
from dataclasses import dataclass, field
import os
from pathlib import Path
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

import aiohttp

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "load-test-token-0123456789abcdef"  # noqa: S105 - a throwaway local planner


@dataclass
class Tally:
    """What the clients saw."""

    latencies_s: list[float] = field(default_factory=list)
    acknowledged: set[str] = field(default_factory=set)
    errors: int = 0
    errors_after_kill: int = 0
    killed: bool = False


def free_port() -> int:
    """Return a free TCP port on 127.0.0.1 (never Home Assistant's 8123)."""
    while True:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
        if port != 8123:
            return port


def start_planner(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """Start the planner process."""
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT / "addon"),
        "PLANNER_PORT": str(port),
        "PLANNER_HOST": "127.0.0.1",
        "PLANNER_DB": str(folder / "planner.db"),
        "PLANNER_TOKEN": TOKEN,
        "PLANNER_LOG_LEVEL": "warning",
        # No options file: settings come from the environment only.
        "PLANNER_OPTIONS_FILE": str(folder / "no-options.json"),
    }
    env.pop("SUPERVISOR_TOKEN", None)
    return subprocess.Popen(
        [sys.executable, "-m", "vertical_farm_planner"], env=env, cwd=folder
    )


async def wait_healthy(session: aiohttp.ClientSession, base: str) -> None:
    """Wait until the planner answers its health check."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            async with session.get(f"{base}/api/v1/health") as response:
                if response.status == 200:
                    return
        except aiohttp.ClientError:
            pass
        await asyncio.sleep(0.1)
    raise SystemExit("the planner did not start")


async def client(
    number: int,
    session: aiohttp.ClientSession,
    *,
    base: str,
    batch: int,
    stop: asyncio.Event,
    tally: Tally,
) -> None:
    """Post batches of new records until told to stop."""
    sequence = 0
    headers = {"Authorization": f"Bearer {TOKEN}"}
    while not stop.is_set():
        ids = [f"c{number}-{sequence + offset}" for offset in range(batch)]
        sequence += batch
        body = {
            "farm_id": "load_farm",
            "records": [
                {
                    "id": event_id,
                    "at": "2026-12-05T12:00:00+00:00",
                    "kind": "tank_level",
                    "subject": f"tank_{number % 10}",
                    "data": {"level_l": 40.5},
                }
                for event_id in ids
            ],
        }
        started = time.perf_counter()
        try:
            async with session.post(
                f"{base}/api/v1/journal", json=body, headers=headers
            ) as response:
                answer = await response.json()
                ok = response.status == 200 and answer.get("accepted") == ids
        except aiohttp.ClientError, TimeoutError, ValueError:
            ok = False
        if ok:
            tally.latencies_s.append(time.perf_counter() - started)
            tally.acknowledged.update(ids)
        elif tally.killed:
            tally.errors_after_kill += 1
            await asyncio.sleep(0.05)
        else:
            tally.errors += 1


def percentile(values: list[float], share: float) -> float:
    """Return the value below which ``share`` of the sorted values lie."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


async def run(clients: int, seconds: float, batch: int) -> None:
    """Run the load, kill the planner, and check the database."""
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        process = start_planner(folder, port)
        tally = Tally()
        try:
            connector = aiohttp.TCPConnector(limit=clients)
            timeout = aiohttp.ClientTimeout(total=30)
            async with aiohttp.ClientSession(
                connector=connector, timeout=timeout
            ) as session:
                await wait_healthy(session, base)
                stop = asyncio.Event()
                tasks = [
                    asyncio.create_task(
                        client(
                            n, session, base=base, batch=batch, stop=stop, tally=tally
                        )
                    )
                    for n in range(clients)
                ]
                started = time.perf_counter()
                await asyncio.sleep(seconds)
                elapsed = time.perf_counter() - started
                requests = len(tally.latencies_s)
                errors = tally.errors
                # Kill mid-flight: nothing acknowledged may be lost.
                tally.killed = True
                process.send_signal(signal.SIGKILL)
                process.wait()
                await asyncio.sleep(0.5)
                stop.set()
                await asyncio.gather(*tasks)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()

        with contextlib.closing(sqlite3.connect(folder / "planner.db")) as connection:
            stored = {
                row[0] for row in connection.execute("SELECT event_id FROM journal")
            }
        lost = len(tally.acknowledged - stored)

    latencies = tally.latencies_s[:requests]
    print(f"== Journal ingest: {clients} clients, batches of {batch}, {elapsed:.1f} s")
    print(
        f"  requests: {requests} ({requests / elapsed:.0f}/s), records {requests * batch / elapsed:.0f}/s"
    )
    print(
        f"  latency: p50 {1000 * percentile(latencies, 0.5):.1f} ms, "
        f"p99 {1000 * percentile(latencies, 0.99):.1f} ms, "
        f"max {1000 * max(latencies):.1f} ms"
    )
    print(
        f"  errors while running: {errors}, goal 0: {'PASS' if errors == 0 else 'OVER'}"
    )
    print(
        f"  acknowledged records: {len(tally.acknowledged)}, stored after SIGKILL: "
        f"{len(stored)}, lost: {lost}, goal 0: {'PASS' if lost == 0 else 'OVER'}"
    )
    print(f"  (requests refused after the kill, expected: {tally.errors_after_kill})")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--batch", type=int, default=20)
    arguments = parser.parse_args()
    asyncio.run(run(arguments.clients, arguments.seconds, arguments.batch))


if __name__ == "__main__":
    main()
