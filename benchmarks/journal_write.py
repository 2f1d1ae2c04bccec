"""Time a journal write as the journal grows, in a real Home Assistant.

Usage: .venv/bin/python benchmarks/journal_write.py [--writes N]

Every record the grower makes (a watering, a feeding, a harvest) is written
to disk before the action returns, and the farm's derived state is written
at most every 10 s while readings come in. Both write the farm's whole
store: Home Assistant serializes it in the event loop, then writes the file
in the executor. This script starts a test core the way
benchmarks/farm_setup.py does, fills a farm store's journal to each size
(one watering record a plant a day for a year is 365 records a plant), and
times N single-record writes at each size: the wall clock of the write, and
the longest event-loop block meanwhile (the loop probe of farm_setup.py,
garbage collection shown apart).

Prints each size's figures against SPEC section 10's bar for the event loop
(no block over 10 ms), with PASS or OVER. It asserts nothing and exits 0.
"""

from __future__ import annotations

import argparse
import asyncio
from datetime import timedelta
import logging
from pathlib import Path
import statistics
import sys
import tempfile
from time import perf_counter

from homeassistant.util import dt as dt_util

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from farm_setup import LOOP_BLOCK_GOAL_MS, LoopProbe, running_hass

from custom_components.vertical_farm.store import FarmStore, RecordKind

SIZES = (1_000, 10_000, 100_000)
BATCH = 5_000  # records added per untimed write while filling
PLANTS = 1_000


async def measure(config_dir: Path, writes: int) -> None:
    """Fill a store to each size and time single writes at it."""
    async with running_hass(config_dir) as hass:
        store = FarmStore(hass, "journal-benchmark")
        await store.async_load()
        start = dt_util.utcnow() - timedelta(days=365)
        plants = [f"plant{index:04d}" for index in range(PLANTS)]
        for size in SIZES:
            while len(store.journal) < size:
                count = min(BATCH, size - len(store.journal))
                base = len(store.journal)
                await store.async_record_many(
                    (
                        RecordKind.WATERED,
                        plants[(base + index) % PLANTS],
                        start + timedelta(minutes=base + index),
                        {"volume_l": 0.5},
                    )
                    for index in range(count)
                )
            await hass.async_block_till_done()
            times_ms: list[float] = []
            async with LoopProbe() as probe:
                for index in range(writes):
                    started = perf_counter()
                    await store.async_record(
                        RecordKind.WATERED,
                        plants[index % PLANTS],
                        dt_util.utcnow(),
                        {"volume_l": 0.5},
                    )
                    times_ms.append((perf_counter() - started) * 1e3)
            block = probe.longest
            longest_ms = max(block.wall_s, block.besides_s) * 1e3
            verdict = "PASS" if longest_ms <= LOOP_BLOCK_GOAL_MS else "OVER"
            print(
                f"{verdict}  journal of {len(store.journal):,} records: a write "
                f"takes median {statistics.median(times_ms):.1f} ms (wall, "
                f"with the file written in the executor); longest loop block "
                f"{block.wall_s * 1e3:.1f} ms (garbage collection "
                f"{block.collecting_s * 1e3:.1f} ms of it; without collections "
                f"{block.besides_s * 1e3:.1f} ms)  [goal <= "
                f"{LOOP_BLOCK_GOAL_MS:.0f} ms]",
                flush=True,
            )


def main() -> None:
    """Run the measurement and print the figures."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--writes", type=int, default=20, help="writes timed a size")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="journal-write-") as temp:
        asyncio.run(measure(Path(temp), args.writes))


if __name__ == "__main__":
    main()
