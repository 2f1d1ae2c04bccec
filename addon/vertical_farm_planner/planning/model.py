"""The planning problem: racks, shelves, crops and demand as plain data."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
import math
from typing import Any

from ..schemas import refuse

# Absorbs binary rounding when a rack's hours come from its on and off times.
_HOURS_SLACK = 1e-9


@dataclass(frozen=True, kw_only=True, slots=True)
class Crop:
    """A crop as the planner sees it."""

    index: int
    id: str
    name: str
    grow_weeks: int
    sites_per_plant: int
    ec_range: tuple[float, float]
    ph_range: tuple[float, float]
    photoperiod_h: float
    # Hours of light a day the crop accepts; [photoperiod_h] * 2 unless given.
    photoperiod_range_h: tuple[float, float]
    weekly_demand: int


@dataclass(frozen=True, kw_only=True, slots=True)
class Shelf:
    """One shelf of one rack."""

    index: int
    rack_id: str
    number: int  # 1-based, as the integration numbers shelves
    sites: int
    group: int  # light group: racks that share one photoperiod
    tank: int  # -1 when the rack draws from no tank


@dataclass(frozen=True, kw_only=True, slots=True)
class Planting:
    """Plants of one crop sown on one shelf in one week."""

    crop: int
    shelf: int
    week: int  # may be negative for plantings sown before the plan starts
    quantity: int
    # Last week it holds its sites, when the farm knows it; else its crop's weeks.
    until_week: int | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Problem:
    """Everything a solver needs, indexed for speed."""

    horizon_weeks: int
    crops: tuple[Crop, ...]
    shelves: tuple[Shelf, ...]
    group_count: int
    tank_count: int
    # Per light group: the hours of a fixed rack's lights, or None when the
    # group's photoperiod follows its crops.
    group_photoperiod_h: tuple[float | None, ...]
    existing: tuple[Planting, ...]
    # compatible[a][b]: crops a and b may share a shelf / a light group / a tank.
    shelf_compatible: tuple[tuple[bool, ...], ...]
    light_compatible: tuple[tuple[bool, ...], ...]
    tank_compatible: tuple[tuple[bool, ...], ...]
    # light_fits[crop][group]: the crop accepts the group's fixed photoperiod
    # (always True for a group without one).
    light_fits: tuple[tuple[bool, ...], ...]

    def demand(self, crop: int, week: int) -> int:
        """Return the plants of ``crop`` wanted at harvest in ``week``."""
        return self.crops[crop].weekly_demand

    def held_weeks(self, planting: Planting) -> range:
        """Return the plan weeks ``planting`` holds its sites.

        Through its ``until_week`` if it has one, else its crop's growing weeks.
        """
        if planting.until_week is None:
            end = planting.week + self.crops[planting.crop].grow_weeks
        else:
            end = planting.until_week + 1
        return range(max(planting.week, 0), min(end, self.horizon_weeks))


def _overlap(first: tuple[float, float], second: tuple[float, float]) -> bool:
    """Return whether two closed ranges share a value."""
    return max(first[0], second[0]) <= min(first[1], second[1])


def build_problem(request: Mapping[str, Any], start: date) -> Problem:
    """Return the problem a checked succession request describes.

    Raises:
        PlannerError: ``invalid_request`` for duplicate ids, unknown racks or
            crops (antagonists included) or shelf lists that do not match the
            shelf count.
    """
    racks: Sequence[Mapping[str, Any]] = request["racks"]
    crops_in: Sequence[Mapping[str, Any]] = request["crops"]
    _unique(racks, "racks")
    _unique(request["tanks"], "tanks")
    _unique(crops_in, "crops")

    crop_index = {crop["id"]: index for index, crop in enumerate(crops_in)}
    crops = tuple(
        Crop(
            index=index,
            id=crop["id"],
            name=crop.get("name", crop["id"]),
            # A sowing holds its sites for at least one week.
            grow_weeks=max(1, math.ceil(sum(crop["phase_days"].values()) / 7)),
            sites_per_plant=crop["sites_per_plant"],
            ec_range=crop["ec_range"],
            ph_range=crop["ph_range"],
            photoperiod_h=crop["photoperiod_h"],
            photoperiod_range_h=_photoperiod_range(crop, index),
            weekly_demand=crop["weekly_demand"],
        )
        for index, crop in enumerate(crops_in)
    )
    antagonists: set[tuple[int, int]] = set()
    for index, crop in enumerate(crops_in):
        for position, other in enumerate(crop["antagonists"]):
            # Refused, not skipped: a misspelt id would drop a hard constraint.
            if other not in crop_index:
                raise refuse(
                    f"crops.{index}.antagonists.{position}", "not one of the crops"
                )
            antagonists.add((index, crop_index[other]))
            antagonists.add((crop_index[other], index))

    groups: dict[str, int] = {}
    group_hours: dict[int, tuple[float, int]] = {}  # fixed hours, first rack
    tanks: dict[str, int] = {}
    shelves: list[Shelf] = []
    rack_shelves: dict[str, int] = {}
    for position, rack in enumerate(racks):
        count = rack["shelves"]
        sites = rack["sites_per_shelf"]
        if isinstance(sites, list):
            if len(sites) != count:
                raise refuse(
                    f"racks.{position}.sites_per_shelf",
                    f"expected {count} numbers, one per shelf",
                )
            per_shelf = sites
        else:
            per_shelf = [sites] * count
        group_key = rack["light_group"] or f"rack:{rack['id']}"
        group = groups.setdefault(group_key, len(groups))
        _fix_group_hours(group_hours, group, rack, position)
        tank = (
            -1 if rack["tank"] is None else tanks.setdefault(rack["tank"], len(tanks))
        )
        rack_shelves[rack["id"]] = count
        first = len(shelves)
        shelves.extend(
            Shelf(
                index=first + number,
                rack_id=rack["id"],
                number=number + 1,
                sites=per_shelf[number],
                group=group,
                tank=tank,
            )
            for number in range(count)
        )
    shelf_index = {(shelf.rack_id, shelf.number): shelf.index for shelf in shelves}

    existing: list[Planting] = []
    for position, planting in enumerate(request["existing"]):
        field = f"existing.{position}"
        if planting["crop"] not in crop_index:
            raise refuse(f"{field}.crop", "not one of the crops")
        if planting["rack"] not in rack_shelves:
            raise refuse(f"{field}.rack", "not one of the racks")
        if planting["shelf"] > rack_shelves[planting["rack"]]:
            raise refuse(f"{field}.shelf", "the rack has fewer shelves")
        until = planting.get("until")
        if until is not None and until < planting["sown"]:
            raise refuse(f"{field}.until", "before sown")
        existing.append(
            Planting(
                crop=crop_index[planting["crop"]],
                shelf=shelf_index[planting["rack"], planting["shelf"]],
                week=(planting["sown"] - start).days // 7,
                quantity=planting["quantity"],
                until_week=None if until is None else (until - start).days // 7,
            )
        )

    group_photoperiod_h = tuple(
        group_hours[group][0] if group in group_hours else None
        for group in range(len(groups))
    )
    return Problem(
        horizon_weeks=request["horizon_weeks"],
        crops=crops,
        shelves=tuple(shelves),
        group_count=len(groups),
        tank_count=len(tanks),
        group_photoperiod_h=group_photoperiod_h,
        existing=tuple(existing),
        shelf_compatible=tuple(
            tuple((a.index, b.index) not in antagonists for b in crops) for a in crops
        ),
        # Crops share a light that follows them when one photoperiod suits
        # both; windows that overlap in pairs all share a point.
        light_compatible=tuple(
            tuple(_overlap(a.photoperiod_range_h, b.photoperiod_range_h) for b in crops)
            for a in crops
        ),
        tank_compatible=tuple(
            tuple(
                _overlap(a.ec_range, b.ec_range) and _overlap(a.ph_range, b.ph_range)
                for b in crops
            )
            for a in crops
        ),
        light_fits=tuple(
            tuple(
                hours is None
                or crop.photoperiod_range_h[0] - _HOURS_SLACK
                <= hours
                <= crop.photoperiod_range_h[1] + _HOURS_SLACK
                for hours in group_photoperiod_h
            )
            for crop in crops
        ),
    )


def _photoperiod_range(crop: Mapping[str, Any], position: int) -> tuple[float, float]:
    """Return the hours of light a crop accepts, refused if it misses its own."""
    hours: float = crop["photoperiod_h"]
    low, high = crop.get("photoperiod_range_h", (hours, hours))
    if not low <= hours <= high:
        raise refuse(
            f"crops.{position}.photoperiod_range_h", "must include photoperiod_h"
        )
    return (low, high)


def _fix_group_hours(
    group_hours: dict[int, tuple[float, int]],
    group: int,
    rack: Mapping[str, Any],
    position: int,
) -> None:
    """Note a fixed rack's hours for its light group; one light has one day length."""
    hours = rack["photoperiod_h"]
    if hours is None:
        return
    first = group_hours.setdefault(group, (hours, position))
    if abs(first[0] - hours) > _HOURS_SLACK:
        raise refuse(
            f"racks.{position}.photoperiod_h",
            f"differs from racks.{first[1]}.photoperiod_h on the same light group",
        )


def _unique(items: Sequence[Mapping[str, Any]], field: str) -> None:
    """Refuse a list whose items repeat an id."""
    seen: set[str] = set()
    for position, item in enumerate(items):
        if item["id"] in seen:
            raise refuse(f"{field}.{position}.id", "this id is already used")
        seen.add(item["id"])


def week_start(start: date, week: int) -> date:
    """Return the first day of ``week``."""
    return start + timedelta(weeks=week)
