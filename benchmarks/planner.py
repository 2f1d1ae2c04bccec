"""Time and quality of the succession planner (SPEC section 10).

Usage: .venv/bin/python benchmarks/planner.py [--seeds N] [--tiny N] [--small N]

1. Speed: a 26-week plan for 20 racks x 8 shelves (24 sites each, light
   circuits shared in pairs, 5 tanks) and 30 random crops, as the API runs
   it (checking the request, building the problem, greedy construction plus
   the improvement search, the answer), for several seeded farms; and once
   over real HTTP to a planner on a free loopback port (JSON, the plan
   stored in SQLite). Goal: under 2 s.
   Then the largest plan the API takes (100 racks x 12 shelves, 200 crops,
   104 weeks, about 7 MB of JSON) over real HTTP, with a task on the
   planner's event loop sleeping 1 ms at a time: the longest the loop was
   held (health checks and journal writes wait that long), for reading.
2. Quality: on random tiny farms (1-2 racks of 1-2 shelves, 2-3 crops, 4-6
   weeks) and small ones (2-3 racks, 3-4 crops, 5-7 weeks), the production
   plan's score against the exact optimum from the branch-and-bound solver
   (farms whose search exceeds its node limit are skipped and counted).
   Goal: within 5 % of the optimum on every farm; prints the worst and mean
   ratio, and the greedy construction's alone for comparison.

It measures; it asserts nothing.
"""

from __future__ import annotations

import argparse
import asyncio
import copy
from pathlib import Path
import random
from statistics import mean, median
import sys
import tempfile
import time
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "addon"))

import aiohttp  # noqa: E402
from aiohttp import web  # noqa: E402

from vertical_farm_planner.app import create_app  # noqa: E402
from vertical_farm_planner.config import PlannerConfig  # noqa: E402
from vertical_farm_planner.planning.exact import (  # noqa: E402
    SearchTooLargeError,
    solve_exact,
)
from vertical_farm_planner.planning.instances import (  # noqa: E402
    farm_request,
    largest_request,
    tiny_request,
)
from vertical_farm_planner.planning.model import build_problem  # noqa: E402
from vertical_farm_planner.planning.report import plan_result  # noqa: E402
from vertical_farm_planner.planning.schedule import Schedule  # noqa: E402
from vertical_farm_planner.planning.solver import construct, solve  # noqa: E402
from vertical_farm_planner.schemas import SUCCESSION_REQUEST, validate  # noqa: E402

GOAL_S = 2.0
GOAL_RATIO = 0.95
TOKEN = "benchmark-token-0123456789"  # noqa: S105 - a throwaway local planner


def plan_in_process(request: dict[str, Any]) -> tuple[float, dict[str, Any], Any]:
    """Run the API's planning steps; return seconds, the plan and solver stats."""
    started = time.perf_counter()
    checked = validate(SUCCESSION_REQUEST, copy.deepcopy(request))
    problem = build_problem(checked, checked["start"])
    schedule, stats = solve(problem)
    result = plan_result(schedule, checked, checked["start"])
    return time.perf_counter() - started, result, stats


async def plan_over_http(
    request: dict[str, Any], *, probe: bool = False
) -> tuple[float, int, float]:
    """Post the request to a real planner on a free port.

    Returns seconds, the status and, with `probe`, the longest the event loop
    was held meanwhile (how late a 1 ms sleep on it woke), else 0.
    """
    with tempfile.TemporaryDirectory() as folder:
        config = PlannerConfig(
            host="127.0.0.1",
            port=0,
            database_path=Path(folder) / "planner.db",
            token=TOKEN,
        )
        runner = web.AppRunner(create_app(config))
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = runner.addresses[0][1]
        longest = 0.0

        async def watch() -> None:
            nonlocal longest
            while True:
                asleep = time.perf_counter()
                await asyncio.sleep(0.001)
                longest = max(longest, time.perf_counter() - asleep - 0.001)

        watcher = asyncio.create_task(watch()) if probe else None
        try:
            async with aiohttp.ClientSession() as session:
                started = time.perf_counter()
                async with session.post(
                    f"http://127.0.0.1:{port}/api/v1/plans/succession",
                    json=request,
                    headers={"Authorization": f"Bearer {TOKEN}"},
                ) as response:
                    await response.read()
                    return time.perf_counter() - started, response.status, longest
        finally:
            if watcher is not None:
                watcher.cancel()
            await runner.cleanup()


def speed(seeds: int) -> None:
    """Print the time of farm-sized plans."""
    print("== Speed: 20 racks x 8 shelves x 26 weeks x 30 crops")
    times = []
    for seed in range(seeds):
        request = farm_request(random.Random(seed))
        seconds, result, stats = plan_in_process(request)
        times.append(seconds)
        print(
            f"  farm {seed}: {seconds:.2f} s, score {stats.score} "
            f"(greedy {stats.construction_score}, +"
            f"{100 * (stats.score - stats.construction_score) / max(stats.construction_score, 1):.1f} %), "
            f"bound {stats.upper_bound}, {stats.iterations} improvement rounds, "
            f"{len(result['sowings'])} sowings, shelf use {result['totals']['shelf_use']:.0%}"
        )
    worst = max(times)
    print(
        f"  in process: median {median(times):.2f} s, worst {worst:.2f} s, "
        f"goal < {GOAL_S:.1f} s: {'PASS' if worst < GOAL_S else 'OVER'}"
    )
    seconds, status, _ = asyncio.run(plan_over_http(farm_request(random.Random(0))))
    print(
        f"  over HTTP (stored in SQLite): {seconds:.2f} s (status {status}), "
        f"goal < {GOAL_S:.1f} s: {'PASS' if seconds < GOAL_S and status == 200 else 'OVER'}"
    )
    seconds, status, longest = asyncio.run(
        plan_over_http(largest_request(), probe=True)
    )
    print(
        f"  the largest plan (1,200 shelves, 104 weeks) over HTTP: {seconds:.2f} s "
        f"(status {status}); the planner's event loop held at most "
        f"{longest * 1000:.0f} ms meanwhile (goal none, for reading)"
    )


def quality(instances: int, *, small: bool, node_limit: int) -> None:
    """Print production and greedy scores against the exact optimum."""
    if instances <= 0:
        return
    size = (
        "small farms (2-3 racks, 3-4 crops, 5-7 weeks)"
        if small
        else "tiny farms (1-2 racks, 2-3 crops, 4-6 weeks)"
    )
    print(f"== Quality: {instances} {size} against the exact optimum")
    ratios: list[float] = []
    greedy_ratios: list[float] = []
    worst_seed = -1
    skipped = 0
    exact_seconds = 0.0
    solve_seconds = 0.0
    for seed in range(instances):
        request = tiny_request(random.Random(seed), small=small)
        checked = validate(SUCCESSION_REQUEST, request)
        problem = build_problem(checked, checked["start"])
        started = time.perf_counter()
        try:
            exact = solve_exact(problem, node_limit=node_limit)
        except SearchTooLargeError:
            skipped += 1
            continue
        exact_seconds += time.perf_counter() - started
        if exact.met == 0:
            skipped += 1
            continue
        started = time.perf_counter()
        produced, _ = solve(problem, seed=seed, time_limit_s=None)
        solve_seconds += time.perf_counter() - started
        greedy = Schedule(problem)
        construct(greedy)
        ratio = produced.met / exact.met
        if not ratios or ratio < min(ratios):
            worst_seed = seed
        ratios.append(ratio)
        greedy_ratios.append(greedy.met / exact.met)
    worst = min(ratios)
    print(
        f"  production: worst {worst:.3f} (farm {worst_seed}), mean {mean(ratios):.4f}, "
        f"optimal on {sum(r == 1 for r in ratios)} of {len(ratios)}; "
        f"goal >= {GOAL_RATIO:.2f} on every farm: {'PASS' if worst >= GOAL_RATIO else 'OVER'}"
    )
    print(
        f"  greedy construction alone: worst {min(greedy_ratios):.3f}, "
        f"mean {mean(greedy_ratios):.4f}"
    )
    print(
        f"  ({skipped} farms without demand to meet or too large skipped; "
        f"exact {exact_seconds:.1f} s, production {solve_seconds:.1f} s in total)"
    )


def main() -> None:
    """Run both measurements."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--seeds", type=int, default=3, help="farm-sized plans to time")
    parser.add_argument(
        "--tiny", type=int, default=200, help="tiny farms to compare with the optimum"
    )
    parser.add_argument(
        "--small", type=int, default=40, help="small farms to compare with the optimum"
    )
    arguments = parser.parse_args()
    speed(arguments.seeds)
    quality(arguments.tiny, small=False, node_limit=2_000_000)
    quality(arguments.small, small=True, node_limit=1_000_000)


if __name__ == "__main__":
    main()
