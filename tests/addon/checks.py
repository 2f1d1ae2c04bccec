"""Independent checks of the planner's answers (they share no code with it).

`assert_matches_schema` validates JSON against the OpenAPI document's
component schemas (the subset of JSON Schema the document uses);
`assert_plan_keeps_constraints` recomputes a plan's shelves, light groups and
tanks from the request and the answer alone.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
import math
import re
from typing import Any


def assert_matches_schema(
    value: Any, schema: dict[str, Any], document: dict[str, Any], path: str = "$"
) -> None:
    """Assert ``value`` satisfies ``schema`` (resolving ``$ref`` in ``document``)."""
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/components/schemas/")
        assert_matches_schema(
            value, document["components"]["schemas"][name], document, path
        )
        return
    if "anyOf" in schema or "oneOf" in schema:
        options = schema.get("anyOf") or schema["oneOf"]
        matches = 0
        for option in options:
            try:
                assert_matches_schema(value, option, document, path)
            except AssertionError:
                continue
            matches += 1
        assert matches >= 1, f"{path}: {value!r} matches none of {options}"
        if "oneOf" in schema:
            assert matches == 1, f"{path}: {value!r} matches several of {options}"
        return
    kind = schema.get("type")
    checks = {
        "object": lambda v: isinstance(v, dict),
        "array": lambda v: isinstance(v, list),
        "string": lambda v: isinstance(v, str),
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    if kind is not None:
        assert checks[kind](value), f"{path}: {value!r} is not {kind}"
    if "enum" in schema:
        assert value in schema["enum"], f"{path}: {value!r} not in {schema['enum']}"
    if "minimum" in schema:
        assert value >= schema["minimum"], f"{path}: {value!r} below minimum"
    if "maximum" in schema:
        assert value <= schema["maximum"], f"{path}: {value!r} above maximum"
    if "pattern" in schema:
        assert re.search(schema["pattern"], value), f"{path}: {value!r} pattern"
    if schema.get("format") == "date":
        date.fromisoformat(value)
    if kind == "object":
        properties = schema.get("properties", {})
        for key in schema.get("required", ()):
            assert key in value, f"{path}: missing {key}"
        for key, item in value.items():
            if key in properties:
                assert_matches_schema(item, properties[key], document, f"{path}.{key}")
            elif schema.get("additionalProperties") is False:
                raise AssertionError(f"{path}: unexpected {key}")
            elif isinstance(schema.get("additionalProperties"), dict):
                assert_matches_schema(
                    item, schema["additionalProperties"], document, f"{path}.{key}"
                )
    if kind == "array":
        assert len(value) >= schema.get("minItems", 0), f"{path}: too few items"
        assert len(value) <= schema.get("maxItems", math.inf), f"{path}: too many"
        for position, item in enumerate(value):
            assert_matches_schema(
                item, schema["items"], document, f"{path}[{position}]"
            )


def grow_weeks(crop: dict[str, Any]) -> int:
    """Return the weeks a sowing of ``crop`` holds its sites."""
    return max(1, math.ceil(sum(crop["phase_days"].values()) / 7))


def assert_plan_keeps_constraints(
    request: dict[str, Any], plan: dict[str, Any]
) -> None:
    """Assert no new sowing breaks a hard constraint, and the totals add up."""
    horizon = request["horizon_weeks"]
    crops = {crop["id"]: crop for crop in request["crops"]}
    racks = {rack["id"]: rack for rack in request["racks"]}
    start = date.fromisoformat(plan["start"])

    def capacity(rack_id: str, shelf: int) -> int:
        sites = racks[rack_id]["sites_per_shelf"]
        return sites[shelf - 1] if isinstance(sites, list) else sites

    def group(rack_id: str) -> str:
        return racks[rack_id].get("light_group") or f"rack:{rack_id}"

    # A light group with a fixed-hours rack runs those hours.
    fixed_hours: dict[str, float] = {
        group(rack_id): rack["photoperiod_h"]
        for rack_id, rack in racks.items()
        if rack.get("photoperiod_h") is not None
    }

    def accepts(crop_id: str) -> list[float]:
        crop = crops[crop_id]
        return crop.get("photoperiod_range_h") or [crop["photoperiod_h"]] * 2

    def week_of(on: str) -> int:
        return (date.fromisoformat(on) - start).days // 7

    # (rack, shelf, crop, sow week, quantity, last week held or None, new?)
    plantings = [
        (s["rack"], s["shelf"], s["crop"], s["week"], s["quantity"], None, True)
        for s in plan["sowings"]
    ] + [
        (
            e["rack"],
            e["shelf"],
            e["crop"],
            week_of(e["sown"]),
            e["quantity"],
            week_of(e["until"]) if "until" in e else None,
            False,
        )
        for e in request.get("existing", [])
    ]
    sites_used: dict[tuple[str, int, int], int] = defaultdict(int)
    on_shelf: dict[tuple[str, int, int], list[tuple[str, bool]]] = defaultdict(list)
    on_group: dict[tuple[str, int], list[tuple[str, bool]]] = defaultdict(list)
    on_tank: dict[tuple[str, int], list[tuple[str, bool]]] = defaultdict(list)
    supply: dict[tuple[str, int], int] = defaultdict(int)
    for rack, shelf, crop_id, week, quantity, until, new in plantings:
        crop = crops[crop_id]
        weeks = grow_weeks(crop)
        if new:
            assert quantity >= 1
            assert week >= 0, "sown before the plan starts"
            assert week + weeks < horizon, "harvest outside the horizon"
            assert 1 <= shelf <= racks[rack]["shelves"]
        if 0 <= week + weeks < horizon:
            supply[crop_id, week + weeks] += quantity
        end = week + weeks if until is None else until + 1
        for held in range(max(week, 0), min(end, horizon)):
            sites_used[rack, shelf, held] += quantity * crop.get("sites_per_plant", 1)
            on_shelf[rack, shelf, held].append((crop_id, new))
            on_group[group(rack), held].append((crop_id, new))
            if racks[rack].get("tank"):
                on_tank[racks[rack]["tank"], held].append((crop_id, new))

    def overlap(a: list[float], b: list[float]) -> bool:
        return max(a[0], b[0]) <= min(a[1], b[1])

    def antagonists(a: str, b: str) -> bool:
        return b in crops[a].get("antagonists", []) or a in crops[b].get(
            "antagonists", []
        )

    for (rack, shelf, week), present in on_shelf.items():
        if any(new for _, new in present):
            assert sites_used[rack, shelf, week] <= capacity(rack, shelf), (
                f"shelf {rack}/{shelf} over capacity in week {week}"
            )
        for crop_id, new in present:
            if new:
                for other, _ in present:
                    assert not antagonists(crop_id, other), (
                        f"antagonists {crop_id}, {other} on {rack}/{shelf} week {week}"
                    )
    for (light, week), present in on_group.items():
        for crop_id, new in present:
            if not new:
                continue
            if light in fixed_hours:
                low, high = accepts(crop_id)
                assert low - 1e-9 <= fixed_hours[light] <= high + 1e-9, (
                    f"{crop_id} under the fixed hours of {light} week {week}"
                )
                continue
            # Windows that overlap in pairs share one photoperiod.
            for other, _ in present:
                assert overlap(accepts(crop_id), accepts(other)), (
                    f"two photoperiods in light group {light} week {week}"
                )
    for (tank, week), present in on_tank.items():
        for crop_id, new in present:
            if new:
                for other, _ in present:
                    a, b = crops[crop_id], crops[other]
                    assert overlap(a["ec_range"], b["ec_range"]), (
                        f"EC windows apart on {tank} week {week}"
                    )
                    assert overlap(a["ph_range"], b["ph_range"]), (
                        f"pH windows apart on {tank} week {week}"
                    )

    met = 0
    demand_total = 0
    for crop_id, crop in crops.items():
        for week in range(horizon):
            demand = crop.get("weekly_demand", 0)
            demand_total += demand
            met += min(demand, supply[crop_id, week])
    harvest = {(row["crop"], row["week"]): row for row in plan["harvest"]}
    for (crop_id, week), expected in supply.items():
        if expected and 0 <= week < horizon:
            assert harvest[crop_id, week]["expected"] == expected
    assert plan["score"] == met
    assert plan["totals"]["met"] == met
    assert plan["totals"]["demand"] == demand_total
    shortfalls = {(row["crop"], row["week"]): row["shortfall"] for row in plan["unmet"]}
    for crop_id, crop in crops.items():
        for week in range(horizon):
            missing = crop.get("weekly_demand", 0) - supply[crop_id, week]
            assert shortfalls.get((crop_id, week), 0) == max(0, missing)
