"""Irrigation cycles: when a rack's pump runs.

The pump runs `on_min` minutes every `on_min + off_min` minutes. With a grow
light the cycles start at lights-on and run only while the lights are on
(plants drink while they transpire); without one they start at local midnight
and run around the clock. Durations in minutes, instants aware datetimes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta, tzinfo

from .errors import FarmError
from .lighting import is_light_on, next_light_change

MAX_LOOKAHEAD_DAYS = 3  # how far to look for the next cycle before giving up


@dataclass(frozen=True, kw_only=True, slots=True)
class PumpCycle:
    """One run of the pump."""

    start: datetime
    end: datetime

    def running(self, at: datetime) -> bool:
        """Whether the pump should be on at this instant."""
        return self.start <= at < self.end


def _window_start(
    at: datetime, lights_on: time | None, photoperiod_h: float | None, zone: tzinfo
) -> tuple[datetime, datetime | None]:
    """The start of the window `at` falls in (or the next one) and its end."""
    local = at.astimezone(zone)
    if lights_on is None or photoperiod_h is None:
        midnight = datetime.combine(local.date(), time(0), zone)
        return midnight, None
    if is_light_on(at, lights_on, photoperiod_h, zone):
        # Step back to this window's start: the last change before now was "on".
        start = datetime.combine(local.date(), lights_on, zone)
        if start > at:
            start -= timedelta(days=1)
        end = next_light_change(at, lights_on, photoperiod_h, zone)
        return start, end
    next_on = next_light_change(at, lights_on, photoperiod_h, zone)
    if next_on is None:  # a 0 h photoperiod: never lit, so never watered by schedule
        return at + timedelta(days=MAX_LOOKAHEAD_DAYS), at
    return next_on, next_light_change(next_on, lights_on, photoperiod_h, zone)


def pump_cycle(
    at: datetime,
    *,
    on_min: int,
    off_min: int,
    zone: tzinfo,
    lights_on: time | None = None,
    photoperiod_h: float | None = None,
) -> PumpCycle | None:
    """The cycle running at `at`, or the next one to start; None if none is coming.

    Runs are counted in real minutes from the window's opening, so they keep
    their rhythm through a clock change; the cycle is given in `zone`.

    Raises:
        FarmError: `invalid_pump_minutes` when on_min < 1 or off_min < 0;
            `naive_datetime` for a naive `at`.
    """
    if on_min < 1 or off_min < 0:
        raise FarmError("invalid_pump_minutes", on_min=on_min, off_min=off_min)
    if at.utcoffset() is None:
        raise FarmError("naive_datetime", field="at")
    period = timedelta(minutes=on_min + off_min)
    run = timedelta(minutes=on_min)
    # Real time throughout: compared in one zone, wall times ignore a repeated hour.
    at = at.astimezone(UTC)
    start, end = _window_start(at, lights_on, photoperiod_h, zone)
    opened = start.astimezone(UTC)
    if end is not None and end.astimezone(UTC) <= opened:
        return None
    # the next local midnight (or lights-on) by the wall clock
    limit = (end if end is not None else start + timedelta(days=1)).astimezone(UTC)
    # Whole periods elapsed since the window opened, then this or the next run:
    # real minutes, so the cycles keep their rhythm through a clock change.
    elapsed = max(at - opened, timedelta(0))
    cycle_start = opened + (elapsed // period) * period
    if cycle_start + run <= at:
        cycle_start += period
    if cycle_start >= limit:
        # No run left in this window: the next window opens with one.
        start, end = _window_start(limit, lights_on, photoperiod_h, zone)
        cycle_start = start.astimezone(UTC)
        limit = (end if end is not None else start + timedelta(days=1)).astimezone(UTC)
    return PumpCycle(
        start=cycle_start.astimezone(zone),
        end=min(cycle_start + run, limit).astimezone(zone),
    )
