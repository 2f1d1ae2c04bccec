"""A real planner process killed with SIGKILL while batches arrive loses nothing it acknowledged."""

from __future__ import annotations

import asyncio
import contextlib
import os
from pathlib import Path
import signal
import sqlite3
import sys
from typing import Any

import aiohttp

from .conftest import auth, free_port
from .test_main import ADDON_DIR, planner_environment


async def start(tmp_path: Path, port: int) -> asyncio.subprocess.Process:
    """Start `python -m vertical_farm_planner` and wait until it answers."""
    environment = {
        key: value for key, value in os.environ.items() if key != "SUPERVISOR_TOKEN"
    }
    environment.update(planner_environment(tmp_path, port))
    environment["PLANNER_LOG_LEVEL"] = "warning"
    environment["PYTHONPATH"] = str(ADDON_DIR)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vertical_farm_planner",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.DEVNULL,
        stderr=asyncio.subprocess.DEVNULL,
    )
    async with aiohttp.ClientSession() as session:
        for _ in range(400):
            with contextlib.suppress(aiohttp.ClientConnectionError):
                async with session.get(
                    f"http://127.0.0.1:{port}/api/v1/health"
                ) as response:
                    if response.status == 200:
                        return process
            await asyncio.sleep(0.05)
    process.kill()
    await process.wait()
    raise AssertionError("the planner did not start")


def batch(client: int, number: int) -> dict[str, Any]:
    """Return batch ``number`` of ``client``: ten new records."""
    return {
        "farm_id": "farm_1",
        "records": [
            {
                "id": f"c{client}-b{number}-r{index}",
                "at": "2026-12-05T10:00:00+00:00",
                "kind": "watered",
                "subject": "plant_1",
                "data": {"volume_l": 0.5},
            }
            for index in range(10)
        ],
    }


async def test_sigkill_while_shipping_loses_no_acknowledged_record(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/api/v1/journal"
    process = await start(tmp_path, port)
    acknowledged: set[str] = set()
    sent: list[dict[str, Any]] = []
    killed = asyncio.Event()
    enough = asyncio.Event()

    async def ship(client: int) -> None:
        number = 0
        while not killed.is_set():
            body = batch(client, number)
            number += 1
            sent.append(body)
            try:
                async with session.post(url, json=body, headers=auth()) as response:
                    if response.status == 200:
                        acknowledged.update((await response.json())["accepted"])
                        if len(acknowledged) >= 400:
                            enough.set()
            except aiohttp.ClientError:
                await asyncio.sleep(0.01)

    try:
        shippers = [asyncio.create_task(ship(client)) for client in range(8)]
        # Kill mid-stream, once a good number of batches are in.
        await asyncio.wait_for(enough.wait(), timeout=60)
        process.send_signal(signal.SIGKILL)
        await process.wait()
        await asyncio.sleep(0.2)
        killed.set()
        await asyncio.gather(*shippers)
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
    assert process.returncode == -signal.SIGKILL

    # sqlite3's context manager only commits; closing() closes the file too.
    with contextlib.closing(sqlite3.connect(tmp_path / "planner.db")) as connection:
        stored = {row[0] for row in connection.execute("SELECT event_id FROM journal")}
    assert acknowledged <= stored

    # After a restart, the integration re-sends everything not acknowledged;
    # re-sending what was acknowledged too must change nothing.
    process = await start(tmp_path, port)
    try:
        for body in sent:
            async with session.post(url, json=body, headers=auth()) as response:
                assert response.status == 200
                answer = await response.json()
            assert answer["accepted"] == [record["id"] for record in body["records"]]
        count = 0
        cursor = None
        while True:
            params = {"limit": "1000", **({"cursor": cursor} if cursor else {})}
            async with session.get(url, params=params, headers=auth()) as response:
                page = await response.json()
            count += len(page["records"])
            cursor = page["next_cursor"]
            if cursor is None:
                break
        assert count == 10 * len(sent)
    finally:
        process.terminate()
        await process.wait()
    assert process.returncode == 0
