"""Turn a solved schedule into the plan the API answers with."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from .model import week_start
from .schedule import Constraint, Schedule
from .solver import SolveStats

MAX_REJECTIONS: Final = 500


def plan_result(
    schedule: Schedule,
    request: Mapping[str, Any],
    start: date,
    stats: SolveStats | None = None,
) -> dict[str, Any]:
    """Return the plan body (without id and creation time) of a schedule."""
    problem = schedule.problem
    horizon = problem.horizon_weeks
    crops = problem.crops
    shelves = problem.shelves

    sowings = [
        {
            "week": planting.week,
            "sow_on": week_start(start, planting.week).isoformat(),
            "crop": crops[planting.crop].id,
            "quantity": planting.quantity,
            "rack": shelves[planting.shelf].rack_id,
            "shelf": shelves[planting.shelf].number,
            "harvest_week": planting.week + crops[planting.crop].grow_weeks,
            "harvest_on": week_start(
                start, planting.week + crops[planting.crop].grow_weeks
            ).isoformat(),
        }
        for planting in schedule.sowings.values()
    ]
    sowings.sort(key=lambda row: (row["week"], row["rack"], row["shelf"], row["crop"]))

    harvest: list[dict[str, Any]] = []
    unmet: list[dict[str, Any]] = []
    total_demand = 0
    for crop in crops:
        for week in range(horizon):
            demand = problem.demand(crop.index, week)
            expected = schedule.supply[crop.index][week]
            total_demand += demand
            if not demand and not expected:
                continue
            row = {
                "week": week,
                "week_start": week_start(start, week).isoformat(),
                "crop": crop.id,
                "expected": expected,
                "demand": demand,
            }
            harvest.append(row)
            if expected < demand:
                unmet.append({**row, "shortfall": demand - expected})
    harvest.sort(key=lambda row: (row["week"], row["crop"]))
    unmet.sort(key=lambda row: (row["week"], row["crop"]))

    shelf_use = []
    used_total = 0
    sites_total = 0
    for shelf in shelves:
        used = schedule.used[shelf.index]
        used_total += sum(min(value, shelf.sites) for value in used)
        sites_total += shelf.sites * horizon
        shelf_use.append(
            {
                "rack": shelf.rack_id,
                "shelf": shelf.number,
                "sites": shelf.sites,
                "used": list(used),
                "crops": [
                    sorted(crops[crop].id for crop in week)
                    for week in schedule.shelf_crops[shelf.index]
                ],
                "use": round(
                    _share(
                        sum(min(value, shelf.sites) for value in used),
                        shelf.sites * horizon,
                    ),
                    4,
                ),
            }
        )

    rejections, truncated = _rejections(schedule)
    expected_total = sum(sum(weeks) for weeks in schedule.supply)
    return {
        "start": start.isoformat(),
        "horizon_weeks": horizon,
        "score": float(schedule.met),
        "sowings": sowings,
        "harvest": harvest,
        "unmet": unmet,
        "shelf_use": shelf_use,
        "rejections": rejections,
        "rejections_truncated": truncated,
        "totals": {
            "demand": total_demand,
            "expected": expected_total,
            "met": schedule.met,
            "shortfall": total_demand - schedule.met,
            "shelf_use": round(_share(used_total, sites_total), 4),
        },
        "racks": list(request["racks"]),
        "tanks": list(request["tanks"]),
        "crops": [
            {"id": crop.id, "name": crop.name, "grow_weeks": crop.grow_weeks}
            for crop in crops
        ],
        "search": {
            "complete": True if stats is None else stats.complete,
            "greedy_score": None if stats is None else stats.construction_score,
            "improvement_rounds": 0 if stats is None else stats.iterations,
            "upper_bound": None if stats is None else stats.upper_bound,
        },
    }


def _rejections(schedule: Schedule) -> tuple[list[dict[str, Any]], bool]:
    """Return, per shortfall, each shelf that refuses it and why (capped)."""
    problem = schedule.problem
    rows: list[dict[str, Any]] = []
    for crop, week, _ in schedule.shortfalls():
        sow_week = week - problem.crops[crop].grow_weeks
        base = {
            "crop": problem.crops[crop].id,
            "sow_week": sow_week,
            "harvest_week": week,
        }
        if sow_week < 0:
            rows.append(
                {
                    **base,
                    "rack": None,
                    "shelf": None,
                    "constraint": Constraint.NOT_ENOUGH_TIME.value,
                }
            )
            continue
        for shelf in problem.shelves:
            _, constraint = schedule.room(crop, shelf.index, sow_week)
            if constraint is not None:
                rows.append(
                    {
                        **base,
                        "rack": shelf.rack_id,
                        "shelf": shelf.number,
                        "constraint": constraint.value,
                    }
                )
        if len(rows) > MAX_REJECTIONS:
            return rows[:MAX_REJECTIONS], True
    return rows, False


def _share(part: float, whole: float) -> float:
    """Return ``part / whole``, 0 for an empty whole."""
    return part / whole if whole else 0.0
