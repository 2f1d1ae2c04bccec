"""Where a 1,000-plant setup's time goes: the farm's own code, Home Assistant, the loop.

Usage: .venv/bin/python benchmarks/setup_split.py [--runs N] [--interval-ms MS]
       [--after-unload]

Sets up the farm of `farm_setup.py` (20 racks, 10 tanks, 1,000 plants) and
its floor integration alternately, each in a fresh core, and samples the
event loop's thread from a second thread meanwhile. Each sample is put down
to the innermost frame: the integration's own code, Home Assistant, asyncio's
loop, or another library (the registries' slugify, regular expressions). The
With `--after-unload` each core sets up, unloads and the setup sampled is
the one after (the registries kept, as at every restart). The thread switch interval is shortened so that samples are not taken only where
the loop's thread lets go of the GIL. A garbage collection holds the GIL
throughout, so it is timed from the collector's callbacks instead, and the
samples share out the rest.

A comparison of shares, not a timing: sampling slows the setups a little,
and the setup times printed are those of the sampled runs. The figures that
count are `farm_setup.py`'s.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
import gc
import logging
from pathlib import Path
import sys
import threading
import time
from types import FrameType
from typing import Any, Final

from farm_setup import (
    FLOOR_DOMAIN,
    FULL,
    ZONE,
    Counts,
    FarmLayout,
    build_layout,
    config_with_floor,
    entity_counts,
    load_library,
    new_entry,
    prepare,
    run_setup,
    running_hass,
    timed_setup,
)
from homeassistant import runner
from homeassistant.config_entries import ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform

# Where a sample's innermost frame is, by a part of its file's path.
PLACES: Final = (
    ("the integration's own code", ("/vertical_farm/", f"/{FLOOR_DOMAIN}/")),
    ("Home Assistant", ("/homeassistant/",)),
    ("asyncio's loop", ("/asyncio/", "/selectors.py")),
)
OTHER: Final = "other libraries"


@dataclass
class Sampler:
    """Samples one thread's innermost frame while `active`."""

    thread_id: int
    interval_s: float
    active: bool = False
    counts: Counter[str] = field(default_factory=Counter)
    own: Counter[str] = field(default_factory=Counter)  # the integration's functions
    collecting_s: float = 0.0  # garbage collection while active
    _collection_started: float = 0.0

    def watch(self, phase: str, _info: Mapping[str, Any]) -> None:
        """Time the collections while active (a gc callback)."""
        if phase == "start":
            self._collection_started = time.perf_counter()
        elif self.active:
            self.collecting_s += time.perf_counter() - self._collection_started

    def run(self) -> None:
        """Sample until the process ends (a daemon thread)."""
        while True:
            time.sleep(self.interval_s)
            if not self.active:
                continue
            frame = sys._current_frames().get(self.thread_id)  # noqa: SLF001
            if frame is not None:
                self._note(frame)

    def _note(self, frame: FrameType) -> None:
        path = frame.f_code.co_filename
        place = next(
            (name for name, parts in PLACES if any(part in path for part in parts)),
            OTHER,
        )
        self.counts[place] += 1
        if place == PLACES[0][0]:
            self.own[f"{Path(path).name}:{frame.f_code.co_name}"] += 1


async def sampled_setups(
    config_dir: Path,
    layout: FarmLayout,
    counts: Counts,
    runs: int,
    interval_s: float,
    *,
    after_unload: bool,
) -> dict[str, tuple[float, Sampler]]:
    """Alternate sampled setups of farm and floor; mean setup time and samples."""
    results: dict[str, tuple[float, Sampler]] = {}
    for which in ("farm", "floor"):
        sampler = Sampler(threading.get_ident(), interval_s)
        gc.callbacks.append(sampler.watch)
        threading.Thread(target=sampler.run, daemon=True).start()
        results[which] = (0.0, sampler)
    for repeat in range(runs):
        for which in ("farm", "floor") if repeat % 2 == 0 else ("floor", "farm"):
            total_s, sampler = results[which]
            async with running_hass(config_dir) as hass:
                entry = new_entry(which, layout, counts)
                await prepare(hass, layout, entry.domain)
                entry.add_to_hass(hass)  # type: ignore[attr-defined]
                if after_unload:
                    await timed_setup(hass, entry)
                    if not await hass.config_entries.async_unload(entry.entry_id):
                        raise RuntimeError(f"{which} did not unload")
                    await hass.async_block_till_done()
                sampler.active = True
                try:
                    result = await timed_setup(hass, entry)
                finally:
                    sampler.active = False
            results[which] = (total_s + result.wall_s / runs, sampler)
    for _total_s, sampler in results.values():
        gc.callbacks.remove(sampler.watch)
    return results


async def run(args: argparse.Namespace, config_dir: Path) -> None:
    """Warm up, then sample and print the shares."""
    runner.configure_event_loop(asyncio.get_running_loop())
    library = load_library()
    layout = build_layout(FULL, library, datetime.now(ZONE).date())
    counts: Counts = {}

    async def count(hass: HomeAssistant, entry: ConfigEntry) -> None:
        counts.update(entity_counts(hass, entry))

    # First setups of each, unsampled: imports and caches; the floor copies counts.
    await run_setup(config_dir, "farm", layout, {}, after=count)
    await run_setup(config_dir, "floor", layout, counts)
    sys.setswitchinterval(args.interval_ms / 1e3 / 2)
    results = await sampled_setups(
        config_dir,
        layout,
        counts,
        args.runs,
        args.interval_ms / 1e3,
        after_unload=args.after_unload,
    )
    again = " after an unload" if args.after_unload else ""
    print(
        f"\nWhere a setup{again} of {FULL.label} goes ({args.runs} sampled setups each, "
        f"a sample every {args.interval_ms} ms):"
    )
    for which, (setup_s, sampler) in results.items():
        total = sum(sampler.counts.values()) or 1
        collecting_s = sampler.collecting_s / args.runs
        print(f"{which}: {setup_s:.2f} s a setup, {total:,} samples")
        print(f"          {collecting_s:5.2f} s  garbage collection (timed)")
        for place, _parts in (*PLACES, (OTHER, ())):
            share = sampler.counts[place] / total
            print(f"  {share:6.1%}  {share * (setup_s - collecting_s):5.2f} s  {place}")
    own = results["farm"][1].own
    total = sum(results["farm"][1].counts.values()) or 1
    print("\nThe farm's own code, its busiest functions (share of the samples):")
    for name, samples in own.most_common(args.top):
        print(f"  {samples / total:6.1%}  {name}")


def main() -> None:
    """Parse the arguments and run."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="sampled setups of each")
    parser.add_argument(
        "--interval-ms", type=float, default=0.5, help="time between samples"
    )
    parser.add_argument("--top", type=int, default=15, help="own functions listed")
    parser.add_argument(
        "--after-unload",
        action="store_true",
        help="sample the setup after an unload, registries kept",
    )
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY = 100_000
    with config_with_floor("setup-split-") as config_dir:
        asyncio.run(run(args, config_dir))


if __name__ == "__main__":
    main()
