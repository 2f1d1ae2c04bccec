"""Seasons: days until a GDD target, cold days, dormancy and vernalisation.

A cold day is a day whose mean air temperature, (Tmax + Tmin) / 2, is below
the species' base temperature: a day that adds no growing degree days. A run
of cold days sends a perennial that rests into dormancy; every cold day also
counts towards the chilling (vernalisation) some crops need before they flower.
Days are the rack's closed days (`phases.DayGDD`), oldest first.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
import math

from .errors import FarmError
from .phases import DayGDD
from .profiles import Phase, Species

# A week of cold days in a row: a cold snap of a night or two is no winter.
DORMANCY_COLD_DAYS = 7
# The GDD pace is the mean of the latest week of closed days.
PACE_DAYS = 7


@dataclass(frozen=True, kw_only=True, slots=True)
class ColdSpell:
    """What the cold has done to a plant so far."""

    cold_days: int  # cold days counted since the count started
    cold_run_days: int  # cold days in a row up to the latest closed day
    vernalisation_days: int  # cold days the species needs to flower; 0 = none
    vernalised: bool  # the need is met (always True without one)
    dormancy_due: bool  # a resting perennial, not yet dormant, after a cold run
    keeps_resting: bool  # dormant and the cold run goes on: no waking yet


def is_cold_day(day: DayGDD, base_temp_c: float) -> bool:
    """Tell whether a day's mean temperature stayed below the base temperature."""
    return (day.t_max_c + day.t_min_c) / 2 < base_temp_c


def cold_spell(
    species: Species,
    phase: Phase,
    days: Sequence[DayGDD],
    *,
    since: date,
    today: date,
    run_days: int = DORMANCY_COLD_DAYS,
) -> ColdSpell:
    """Count a plant's cold days and decide whether it should go dormant.

    Cold days on or after `since` count towards vernalisation. The run is the
    cold days in a row ending yesterday or today; a warm day or a day without
    readings ends it (so does a sensor that stopped reporting). A perennial
    whose sequence has a dormancy phase is due to rest after `run_days` cold
    days in a row (it is not sent again while dormant). Example: basil base 10 C, days with means 8, 9, 12, 7 C: three
    cold days, a run of one.

    Raises:
        FarmError: `invalid_cold_run` for a run under one day.
    """
    if run_days < 1:
        raise FarmError("invalid_cold_run", run_days=run_days)
    base = species.base_temp_c
    counted = [day for day in days if day.on >= since]
    cold = sum(1 for day in counted if is_cold_day(day, base))
    run = 0
    # The run must reach yesterday: old days of a silent sensor say nothing of now.
    expected = today.toordinal() - (0 if counted and counted[-1].on >= today else 1)
    for day in reversed(counted):
        if not is_cold_day(day, base) or day.on.toordinal() != expected:
            break
        run += 1
        expected -= 1
    needed = species.vernalisation_days
    rests = species.perennial and Phase.DORMANCY in species.sequence
    return ColdSpell(
        cold_days=cold,
        cold_run_days=run,
        vernalisation_days=needed,
        vernalised=cold >= needed,
        dormancy_due=rests and phase is not Phase.DORMANCY and run >= run_days,
        keeps_resting=phase is Phase.DORMANCY and run >= run_days,
    )


def recent_daily_gdd(
    days: Iterable[DayGDD], base_temp_c: float, *, count: int = PACE_DAYS
) -> float | None:
    """The mean GDD of the latest `count` closed days; None without any day.

    Example: base 10 C, days with means 20, 22 and 15 C: (10 + 12 + 5) / 3 = 9.
    """
    latest = list(days)[-count:]
    if not latest:
        return None
    return math.fsum(
        max(0.0, (day.t_max_c + day.t_min_c) / 2 - base_temp_c) for day in latest
    ) / len(latest)


def days_until_gdd(
    target_gdd: float, gdd_so_far: float, daily_gdd: float | None
) -> int | None:
    """Whole days until a GDD target is reached at the given daily pace.

    0 once reached; rounded up (180 GDD of 273 at 10 a day: 93 / 10 -> 10
    days); None when there is no warmth to project from (no pace, or 0).
    """
    missing = target_gdd - gdd_so_far
    if missing <= 0:
        return 0
    if daily_gdd is None or daily_gdd <= 0:
        return None
    return math.ceil(round(missing / daily_gdd, 9))
