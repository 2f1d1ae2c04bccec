"""Watering: when the next watering is due and how much each plant gets.

Units: volumes in litres (rounded to 0.001 L, 1 ml, for display), intervals
in days, dates are the farm's local calendar dates. Weekdays are numbered as
`date.weekday()`: 0 = Monday .. 6 = Sunday.
"""

from __future__ import annotations

from collections.abc import Set as AbstractSet
from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum
import math

from .errors import FarmError
from .phases import phase_profile
from .profiles import Phase, Species, System, TankType


class WateringMode(StrEnum):
    """How a watering schedule repeats."""

    WEEKDAYS = "weekdays"  # on fixed days of the week, e.g. Monday and Thursday
    EVERY_N_DAYS = "every_n_days"  # a fixed number of days after the last watering


@dataclass(frozen=True, kw_only=True, slots=True)
class WateringSchedule:
    """A plant's or rack's watering rhythm."""

    mode: WateringMode
    weekdays: frozenset[int] = frozenset()  # WEEKDAYS mode: 0 = Monday .. 6 = Sunday
    interval_days: int = 0  # EVERY_N_DAYS mode: at least 1


class WateringReason(StrEnum):
    """Why a plant does or does not get watered by hand."""

    OK = "ok"
    RECIRCULATING = "recirculating"  # fed by a recirculating tank: nothing to water
    HYDROPONIC = "hydroponic"  # roots sit in the solution: nothing to water
    NO_CONTAINER = "no_container"  # needs water, but no container size to size it from


@dataclass(frozen=True, kw_only=True, slots=True)
class WateringVolume:
    """How much a plant gets per watering."""

    needed: bool
    reason: WateringReason
    volume_l: float | None  # per plant per watering
    total_l: float | None  # for the whole record (volume x quantity)
    suggested_interval_days: float | None  # a starting rhythm for this growing medium


# Water use relative to vegetative growth, shaped like the FAO-56 crop
# coefficient curve: low while establishing, highest in flower and fruit,
# easing off as fruit ripens (which also concentrates flavour).
PHASE_WATER_FACTORS: dict[Phase, float] = {
    Phase.GERMINATION: 0.3,
    Phase.SEEDLING: 0.5,
    Phase.VEGETATIVE: 1.0,
    Phase.FLOWERING: 1.15,
    Phase.FRUITING: 1.25,
    Phase.RIPENING: 0.9,
    Phase.HARVEST: 0.8,
    Phase.DORMANCY: 0.3,
}
# Share of the container volume given per watering in vegetative growth: soil
# is watered thoroughly until a little drains (about 15 %); coco holds less
# and is fed in small frequent doses (about 10 %) so it never dries out.
SYSTEM_VOLUME_FRACTIONS: dict[System, float] = {System.SOIL: 0.15, System.COCO: 0.10}
# How often that amount goes in: coco daily, soil when the top has dried, about every 3 days.
SYSTEM_INTERVAL_DAYS: dict[System, float] = {System.SOIL: 3.0, System.COCO: 1.0}
# More than this share of the pot per watering just drains straight through.
MAX_VOLUME_FRACTION = 0.30


# The answers that do not depend on the plant, made once: they are immutable.
_RECIRCULATING = WateringVolume(
    needed=False,
    reason=WateringReason.RECIRCULATING,
    volume_l=0.0,
    total_l=0.0,
    suggested_interval_days=None,
)
_HYDROPONIC = WateringVolume(
    needed=False,
    reason=WateringReason.HYDROPONIC,
    volume_l=0.0,
    total_l=0.0,
    suggested_interval_days=None,
)
_NO_CONTAINER = {
    system: WateringVolume(
        needed=True,
        reason=WateringReason.NO_CONTAINER,
        volume_l=None,
        total_l=None,
        suggested_interval_days=interval,
    )
    for system, interval in SYSTEM_INTERVAL_DAYS.items()
}


def _validate(schedule: WateringSchedule) -> None:
    """Refuse a schedule that can never fall due."""
    if schedule.mode is WateringMode.WEEKDAYS:
        if not schedule.weekdays:
            raise FarmError("no_watering_days")
        for weekday in schedule.weekdays:
            if not 0 <= weekday <= 6:
                raise FarmError("invalid_weekday", weekday=weekday)
    elif schedule.interval_days < 1:
        raise FarmError("invalid_interval", interval_days=schedule.interval_days)


def _next_weekday(weekdays: AbstractSet[int], start: date) -> date:
    """Return the first date on or after `start` that falls on one of `weekdays`."""
    return start + timedelta(
        days=min((weekday - start.weekday()) % 7 for weekday in weekdays)
    )


def next_watering(
    schedule: WateringSchedule,
    *,
    last_watered_on: date | None,
    today: date,
) -> date:
    """Return the date the next watering is due (in the past when overdue).

    Weekday mode: the first scheduled weekday after the last watering (never
    watered: the first scheduled weekday from today). Every-N-days mode: the
    last watering plus N days (never watered: today).

    Raises:
        FarmError: `no_watering_days` for a weekday schedule without days;
            `invalid_weekday` for a day outside 0-6; `invalid_interval` for an
            interval under 1 day.
    """
    _validate(schedule)
    if schedule.mode is WateringMode.WEEKDAYS:
        start = (
            today if last_watered_on is None else last_watered_on + timedelta(days=1)
        )
        return _next_weekday(schedule.weekdays, start)
    if last_watered_on is None:
        return today
    return last_watered_on + timedelta(days=schedule.interval_days)


def watering_volume(
    species: Species,
    phase: Phase,
    *,
    system: System,
    container_l: float | None,
    quantity: int = 1,
    tank_type: TankType | None = None,
) -> WateringVolume:
    """Return how much water each plant gets per watering, or why it needs none.

    Plants on a recirculating tank or in a hydroponic system need no watering.
    Otherwise per plant: container litres x the medium's share (soil 15 %,
    coco 10 %) x the phase factor (seedling 0.5 .. fruiting 1.25 of
    vegetative) x the species' water_factor, at most 30 % of the container.
    `tank_type` is the tank feeding the plant, None for a hand-watered pot.

    Raises:
        FarmError: `phase_not_in_sequence` when the species skips `phase`;
            `invalid_container` for a container of 0 litres or less;
            `invalid_quantity` for a quantity under 1.
    """
    phase_profile(species, phase)
    if quantity < 1:
        raise FarmError("invalid_quantity", quantity=quantity)
    if tank_type is TankType.RECIRCULATION:
        return _RECIRCULATING
    if system is System.HYDRO:
        return _HYDROPONIC
    if container_l is None:
        return _NO_CONTAINER[system]
    if container_l <= 0:
        raise FarmError("invalid_container", container_l=container_l)
    share = (
        SYSTEM_VOLUME_FRACTIONS[system]
        * PHASE_WATER_FACTORS[phase]
        * species.water_factor
    )
    volume = container_l * min(share, MAX_VOLUME_FRACTION)
    return WateringVolume(
        needed=True,
        reason=WateringReason.OK,
        volume_l=round(volume, 3),
        total_l=round(volume * quantity, 3),
        suggested_interval_days=SYSTEM_INTERVAL_DAYS[system],
    )


def winter_schedule(
    schedule: WateringSchedule, winter_factor: float
) -> WateringSchedule:
    """The schedule in winter: every-N-days stretches by the winter factor.

    N x factor rounded half up, at least 1 day: every 3 days x 1.5 = 4.5 ->
    every 5 days. Weekday schedules keep their days (the volume shrinks).

    Raises:
        FarmError: `invalid_winter_factor` for a factor of 0 or less.
    """
    if not winter_factor > 0:
        raise FarmError("invalid_winter_factor", winter_factor=winter_factor)
    if schedule.mode is WateringMode.WEEKDAYS:
        return schedule
    days = max(1, math.floor(schedule.interval_days * winter_factor + 0.5))
    return WateringSchedule(mode=schedule.mode, interval_days=days)


def winter_volume(
    volume: WateringVolume, mode: WateringMode, winter_factor: float
) -> WateringVolume:
    """The volume in winter: weekday schedules give less on the same days.

    Per plant and in total divided by the winter factor: 0.3 L / 1.5 = 0.2 L.
    Every-N-days schedules keep the volume (their interval stretches instead).

    Raises:
        FarmError: `invalid_winter_factor` for a factor of 0 or less.
    """
    if not winter_factor > 0:
        raise FarmError("invalid_winter_factor", winter_factor=winter_factor)
    if mode is not WateringMode.WEEKDAYS or volume.volume_l is None:
        return volume
    total = volume.total_l
    return replace(
        volume,
        volume_l=round(volume.volume_l / winter_factor, 3),
        total_l=None if total is None else round(total / winter_factor, 3),
    )


def schedule_interval_days(schedule: WateringSchedule) -> float:
    """The mean days between waterings: N, or 7 / the number of weekdays."""
    if schedule.mode is WateringMode.WEEKDAYS:
        return round(7 / len(schedule.weekdays), 1) if schedule.weekdays else 7.0
    return float(schedule.interval_days)


@dataclass(frozen=True, kw_only=True, slots=True)
class WateringPlan:
    """A plant's planned watering: when next, how much, how often."""

    schedule: WateringSchedule  # as in force today (stretched in winter)
    next_on: date
    planned_on: date  # by the schedule or a follow-up, before any snooze
    interval_days: float  # mean days between waterings
    volume: WateringVolume  # per plant and in total (reduced in winter)
    winter: bool


def watering_plan(
    schedule: WateringSchedule,
    volume: WateringVolume,
    *,
    last_watered_on: date | None,
    today: date,
    winter: bool = False,
    winter_factor: float = 1.0,
    snoozed_until: date | None = None,
    follow_up_on: date | None = None,
) -> WateringPlan:
    """When and how much a plant with a watering plan is watered next.

    In winter the schedule and volume follow `winter_schedule` and
    `winter_volume`. A follow-up before the planned day brings it forward
    there; a snooze that ends after it moves it there.
    Example: every 3 days, last watered 1 Dec, in winter at factor 1.5: every
    5 days, next on 6 Dec.

    Raises:
        FarmError: as `next_watering`; `invalid_winter_factor`.
    """
    factor = winter_factor if winter else 1.0
    in_force = winter_schedule(schedule, factor)
    planned_on = next_watering(in_force, last_watered_on=last_watered_on, today=today)
    if follow_up_on is not None and follow_up_on < planned_on:
        planned_on = follow_up_on
    next_on = planned_on
    if snoozed_until is not None and snoozed_until > next_on:
        next_on = snoozed_until
    return WateringPlan(
        schedule=in_force,
        next_on=next_on,
        planned_on=planned_on,
        interval_days=schedule_interval_days(in_force),
        volume=winter_volume(volume, schedule.mode, factor),
        winter=winter,
    )
