"""Racks whose lights run fixed hours, and the hours of light crops accept."""

from __future__ import annotations

import random
from typing import Any

import aiohttp
import pytest

from vertical_farm_planner.planning.exact import solve_exact
from vertical_farm_planner.planning.instances import tiny_request, with_fixed_light
from vertical_farm_planner.planning.report import plan_result
from vertical_farm_planner.planning.solver import solve

from .checks import assert_matches_schema, assert_plan_keeps_constraints
from .conftest import RunningPlanner
from .test_planning import (
    assert_refused,
    bad,
    crop,
    farm,
    openapi,
    post_plan,
    problem_of,
)


def rack(rack_id: str, **overrides: Any) -> dict[str, Any]:
    """Return a rack of one shelf of four sites on no tank."""
    return {"id": rack_id, "shelves": 1, "sites_per_shelf": 4, **overrides}


def two_racks(short_hours: float | None) -> dict[str, Any]:
    """Return a farm of a long-day crop, a short-day one and two small racks.

    The lettuce (16 h) wants more than one rack can grow; the chrysanthemum
    (10 h) wants little. ``short_hours`` fixes the light of rack ``short``.
    """
    return farm(
        horizon_weeks=8,
        racks=[rack("long"), rack("short", photoperiod_h=short_hours)],
        tanks=[],
        crops=[
            crop("lettuce", weekly_demand=4),
            crop("chrysanthemum", photoperiod_h=10, weekly_demand=1),
        ],
    )


def racks_of(plan: dict[str, Any], crop_id: str) -> set[str]:
    """Return the racks a plan sows ``crop_id`` on."""
    return {s["rack"] for s in plan["sowings"] if s["crop"] == crop_id}


async def test_a_fixed_rack_takes_only_crops_that_accept_its_hours(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    # Without fixed hours the lettuce takes both racks: it wants the room.
    free = await post_plan(session, planner, two_racks(None))
    assert racks_of(free, "lettuce") == {"long", "short"}

    body = two_racks(10.0)
    plan = await post_plan(session, planner, body)
    assert_plan_keeps_constraints(body, plan)
    assert_matches_schema(
        plan, {"$ref": "#/components/schemas/Plan"}, await openapi(session, planner)
    )
    assert racks_of(plan, "lettuce") == {"long"}
    assert racks_of(plan, "chrysanthemum") == {"short"}
    assert plan["racks"][1]["photoperiod_h"] == 10.0
    # The lettuce it cannot grow names the short rack's light as the reason.
    refused = {
        row["constraint"]
        for row in plan["rejections"]
        if row["crop"] == "lettuce" and row["rack"] == "short"
    }
    assert refused == {"rack_photoperiod"}
    assert plan["unmet"], "one rack cannot grow all the lettuce"


async def test_a_crop_goes_where_its_window_allows(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    # Basil needs 16 h but takes up to 18 h; the 18 h rack and the 17 h one
    # suit it, the 15 h one does not.
    body = farm(
        horizon_weeks=6,
        racks=[
            rack("r15", photoperiod_h=15),
            rack("r17", photoperiod_h=17),
            rack("r18", photoperiod_h=18),
        ],
        tanks=[],
        crops=[crop("basil", photoperiod_range_h=[16, 18], weekly_demand=12)],
    )
    plan = await post_plan(session, planner, body)
    assert_plan_keeps_constraints(body, plan)
    assert racks_of(plan, "basil") == {"r17", "r18"}
    assert {
        row["rack"]
        for row in plan["rejections"]
        if row["constraint"] == "rack_photoperiod"
    } == {"r15"}


async def test_crops_with_overlapping_windows_share_a_light(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    # One rack whose light follows its crops: 14-16 h and 16-18 h share 16 h,
    # 12-13 h shares nothing with either.
    body = farm(
        horizon_weeks=4,
        racks=[rack("only", shelves=2)],
        tanks=[],
        crops=[
            crop("lettuce", photoperiod_h=14, photoperiod_range_h=[14, 16]),
            crop("basil", photoperiod_h=16, photoperiod_range_h=[16, 18]),
            crop("tomato", photoperiod_h=12, photoperiod_range_h=[12, 13]),
        ],
    )
    plan = await post_plan(session, planner, body)
    assert_plan_keeps_constraints(body, plan)
    assert racks_of(plan, "lettuce") == racks_of(plan, "basil") == {"only"}
    assert racks_of(plan, "tomato") == set()
    assert {
        row["constraint"]
        for row in plan["rejections"]
        if row["crop"] == "tomato" and row["sow_week"] >= 0
    } == {"rack_photoperiod"}


async def test_a_light_group_runs_its_fixed_rack_hours(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    # Rack b has no hours of its own, but shares rack a's 12 h light.
    body = farm(
        horizon_weeks=6,
        racks=[
            rack("a", light_group="circuit", photoperiod_h=12),
            rack("b", light_group="circuit"),
            rack("c"),
        ],
        tanks=[],
        crops=[crop("lettuce", weekly_demand=8)],
    )
    plan = await post_plan(session, planner, body)
    assert_plan_keeps_constraints(body, plan)
    assert racks_of(plan, "lettuce") == {"c"}
    assert {
        (row["rack"], row["constraint"])
        for row in plan["rejections"]
        if row["rack"] in ("a", "b")
    } == {("a", "rack_photoperiod"), ("b", "rack_photoperiod")}


@pytest.mark.parametrize("hours", [None, 0, 0.0, 12.5, 24])
async def test_rack_hours_accepted(
    planner: RunningPlanner, session: aiohttp.ClientSession, hours: Any
) -> None:
    body = bad("racks.0.photoperiod_h", hours)
    plan = await post_plan(session, planner, body)
    assert plan["racks"][0]["photoperiod_h"] == hours


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (bad("racks.0.photoperiod_h", -0.5), "racks.0.photoperiod_h"),
        (bad("racks.0.photoperiod_h", 24.5), "racks.0.photoperiod_h"),
        (bad("racks.0.photoperiod_h", "12"), "racks.0.photoperiod_h"),
        (bad("racks.0.photoperiod_h", True), "racks.0.photoperiod_h"),
        (bad("racks.0.photoperiod_h", [12]), "racks.0.photoperiod_h"),
        (bad("crops.0.photoperiod_range_h", [18, 14]), "crops.0.photoperiod_range_h"),
        (bad("crops.0.photoperiod_range_h", [14, 25]), "crops.0.photoperiod_range_h"),
        (bad("crops.0.photoperiod_range_h", [14]), "crops.0.photoperiod_range_h"),
        (bad("crops.0.photoperiod_range_h", "14-16"), "crops.0.photoperiod_range_h"),
        # The crop's own need (16 h) is outside what it says it accepts.
        (bad("crops.0.photoperiod_range_h", [10, 14]), "crops.0.photoperiod_range_h"),
        # One light cannot run two day lengths.
        (
            farm(
                racks=[
                    rack("a", light_group="circuit", photoperiod_h=12),
                    rack("b", light_group="circuit"),
                    rack("c", light_group="circuit", photoperiod_h=14),
                ],
                tanks=[],
            ),
            "racks.2.photoperiod_h",
        ),
    ],
)
async def test_bad_hours_are_refused_and_nothing_stored(
    planner: RunningPlanner,
    session: aiohttp.ClientSession,
    body: dict[str, Any],
    field: str,
) -> None:
    await assert_refused(session, planner, body, field)


@pytest.mark.parametrize("seed", range(20))
def test_production_is_near_the_optimum_with_fixed_racks(seed: int) -> None:
    rng = random.Random(seed)  # noqa: S311 - a test farm, not a secret
    request = with_fixed_light(tiny_request(rng), rng)
    problem, checked = problem_of(request)
    exact = solve_exact(problem)
    produced, stats = solve(problem, seed=seed, time_limit_s=None)
    assert_plan_keeps_constraints(
        request, plan_result(exact, checked, checked["start"])
    )
    assert_plan_keeps_constraints(
        request, plan_result(produced, checked, checked["start"], stats)
    )
    assert produced.met <= exact.met <= stats.upper_bound
    assert produced.met >= 0.95 * exact.met, (produced.met, exact.met)
