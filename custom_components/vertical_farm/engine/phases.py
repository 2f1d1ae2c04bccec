"""Growth phases: transitions, days in phase, growing degree days and expected dates.

Units: temperatures in degrees Celsius, growing degree days (GDD) in
degree-days Celsius, durations in whole days. Dates are the farm's local
calendar dates; datetimes must be timezone-aware.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from enum import StrEnum
from functools import cache
import math

from .errors import FarmError
from .profiles import Phase, PhaseProfile, Species

type Reading = tuple[datetime, float]
"""A timestamped sensor value: (aware datetime, value in the sensor's unit)."""

# Sums of float GDD and day fractions are compared after rounding this far, so
# 0.1 + 0.2 reaching a 0.3 threshold counts as reached.
_PRECISION = 9


class TransitionReason(StrEnum):
    """Why a phase change is allowed or refused (refusals double as error codes)."""

    OK = "ok"  # forward move, skipping ahead allowed
    FORCED = "forced"  # backward move the grower insisted on
    CYCLE_RESTART = "cycle_restart"  # perennial going from its last phase to its first
    REALIGNED = "realigned"  # plant was in a phase its species does not have
    TRANSITION_BACKWARD = "transition_backward"
    ALREADY_IN_PHASE = "already_in_phase"
    PHASE_NOT_IN_SEQUENCE = "phase_not_in_sequence"


@dataclass(frozen=True, kw_only=True, slots=True)
class Transition:
    """The verdict on moving a plant from one phase to another."""

    from_phase: Phase
    to_phase: Phase
    allowed: bool
    reason: TransitionReason
    cycle: int  # the plant's cycle number after the move (1 = first cycle)


class EstimateMethod(StrEnum):
    """What an expected date was worked out from."""

    GDD = "gdd"
    DAYS = "days"


@dataclass(frozen=True, kw_only=True, slots=True)
class PhaseEnd:
    """When the current phase is expected to end."""

    on: date
    method: EstimateMethod
    reached: bool  # the phase's GDD or day requirement is already met


class AdvanceReason(StrEnum):
    """Why a plant should or should not move to its next phase now."""

    GDD_REACHED = "gdd_reached"
    DAYS_REACHED = "days_reached"
    GDD_PENDING = "gdd_pending"
    DAYS_PENDING = "days_pending"
    LAST_PHASE = "last_phase"  # annual in its final phase: nothing to advance to
    COLD_SPELL = "cold_spell"  # a run of cold days sends a perennial to rest


@dataclass(frozen=True, kw_only=True, slots=True)
class AdvanceDecision:
    """Whether a plant should advance to its next phase now."""

    advance: bool
    to_phase: Phase | None
    reason: AdvanceReason
    restarts_cycle: bool  # a perennial going back to the start of its sequence


@dataclass(frozen=True, kw_only=True, slots=True)
class DayGDD:
    """One local day of temperature readings and the GDD it contributed."""

    on: date
    t_min_c: float
    t_max_c: float
    readings: int  # 1 means min = max = that single reading
    gdd: float


@dataclass(frozen=True, kw_only=True, slots=True)
class GDDSummary:
    """Accumulated GDD over a run of days."""

    total: float
    days: tuple[DayGDD, ...]  # days that had readings, oldest first
    missing_days: tuple[date, ...]  # days in the span with no reading: they add nothing


def phase_profile(species: Species, phase: Phase) -> PhaseProfile:
    """Return the species' profile for a phase.

    Raises:
        FarmError: `phase_not_in_sequence` when the species skips that phase.
    """
    return species.phases[_position(species, phase)]


def _position(species: Species, phase: Phase) -> int:
    """Where a phase comes in the species' sequence, refusing a skipped phase."""
    index = species.position(phase)
    if index is None:
        raise FarmError(
            "phase_not_in_sequence",
            species=species.key,
            phase=phase.value,
            to_phase=phase.value,
        )
    return index


def _following(species: Species, index: int) -> Phase | None:
    """The phase after the one at `index`: next in line, the first again, or none."""
    sequence = species.sequence
    if index + 1 < len(sequence):
        return sequence[index + 1]
    if species.perennial and len(sequence) > 1:
        return sequence[0]
    return None


def transition(
    species: Species,
    from_phase: Phase,
    to_phase: Phase,
    *,
    cycle: int = 1,
    force: bool = False,
) -> Transition:
    """Judge a phase change, for showing what is allowed (a refusal is a result).

    Forward moves (skipping phases too) are allowed; backward moves only with
    `force`; a perennial may restart from its last phase to its first, which
    starts cycle `cycle + 1`. Moving to the current phase or to a phase the
    species does not have is refused even when forced. A plant whose current
    phase is not in its species' sequence (its species was changed) may move
    to any phase of the sequence (`realigned`).

    Raises:
        FarmError: `invalid_cycle` for a cycle number below 1.
    """
    if cycle < 1:
        raise FarmError("invalid_cycle", cycle=cycle)
    sequence = species.sequence

    def verdict(
        reason: TransitionReason, *, allowed: bool, new_cycle: int = cycle
    ) -> Transition:
        return Transition(
            from_phase=from_phase,
            to_phase=to_phase,
            allowed=allowed,
            reason=reason,
            cycle=new_cycle,
        )

    if to_phase not in sequence:
        return verdict(TransitionReason.PHASE_NOT_IN_SEQUENCE, allowed=False)
    if to_phase == from_phase:
        return verdict(TransitionReason.ALREADY_IN_PHASE, allowed=False)
    if from_phase not in sequence:
        # e.g. the plant's species was changed: any phase of the new sequence is a fresh start
        return verdict(TransitionReason.REALIGNED, allowed=True)
    start = sequence.index(from_phase)
    end = sequence.index(to_phase)
    if end > start:
        return verdict(TransitionReason.OK, allowed=True)
    if species.perennial and start == len(sequence) - 1 and end == 0:
        return verdict(
            TransitionReason.CYCLE_RESTART, allowed=True, new_cycle=cycle + 1
        )
    if force:
        return verdict(TransitionReason.FORCED, allowed=True)
    return verdict(TransitionReason.TRANSITION_BACKWARD, allowed=False)


def permitted_transition(
    species: Species,
    from_phase: Phase,
    to_phase: Phase,
    *,
    cycle: int = 1,
    force: bool = False,
) -> Transition:
    """Return the transition if it is allowed, for enforcing a phase change.

    Raises:
        FarmError: with the refusal reason as code (`transition_backward`,
            `already_in_phase`, `phase_not_in_sequence`) and params `species`,
            `from_phase`, `to_phase`.
    """
    result = transition(species, from_phase, to_phase, cycle=cycle, force=force)
    if not result.allowed:
        raise FarmError(
            result.reason.value,
            species=species.key,
            from_phase=from_phase.value,
            to_phase=to_phase.value,
        )
    return result


def next_phase(species: Species, current: Phase) -> Phase | None:
    """Return the phase after `current`, or None when an annual is in its last phase.

    A perennial's last phase is followed by its first (a new cycle).

    Raises:
        FarmError: `phase_not_in_sequence` when the species skips `current`.
    """
    return _following(species, _position(species, current))


def days_in_phase(started_on: date, today: date) -> int:
    """Return whole days since the phase started (0 on the first day, never negative)."""
    return max(0, (today - started_on).days)


def daily_gdd(t_max_c: float, t_min_c: float, base_temp_c: float) -> float:
    """Return one day's GDD: max(0, (Tmax + Tmin) / 2 - Tbase), in degree-days C.

    The simple averaging method (McMaster and Wilhelm, 1997), without an upper
    cutoff; the order of the two extremes does not matter.
    """
    return max(0.0, (t_max_c + t_min_c) / 2 - base_temp_c)


def accumulated_gdd(
    readings: Iterable[Reading],
    base_temp_c: float,
    *,
    tz: tzinfo | None = None,
    start_on: date | None = None,
    end_on: date | None = None,
) -> GDDSummary:
    """Return the GDD accumulated from timestamped air temperatures (degrees C).

    Readings are grouped into days by their local date in `tz`, or by the date
    of each aware datetime as given when `tz` is None; order does not matter.
    Each day's minimum and maximum give its GDD (a day with a single reading
    uses it as both). Days between `start_on` (default: first day with a
    reading) and `end_on` (default: last such day), both inclusive, that have
    no reading contribute nothing and are listed in `missing_days`. Readings
    outside that window and non-finite values (an unavailable sensor) are
    ignored. Pass `end_on` = yesterday to leave out a day still in progress.

    Raises:
        FarmError: `naive_datetime` for a reading without a timezone.
    """
    extremes: dict[date, list[float]] = {}
    lowest = start_on if start_on is not None else date.min
    highest = end_on if end_on is not None else date.max
    isfinite = math.isfinite
    # one pass with plain comparisons: this runs over a year of readings per rack
    for at, value in readings:
        if at.utcoffset() is None:
            raise FarmError("naive_datetime", at=at.isoformat())
        if not isfinite(value):
            continue
        on = (at.astimezone(tz) if tz is not None else at).date()
        if on < lowest or on > highest:
            continue
        day = extremes.get(on)
        if day is None:
            extremes[on] = [value, value, 1.0]
            continue
        if value < day[0]:
            day[0] = value
        elif value > day[1]:
            day[1] = value
        day[2] += 1.0
    days = tuple(
        DayGDD(
            on=on,
            t_min_c=low,
            t_max_c=high,
            readings=int(count),
            gdd=daily_gdd(high, low, base_temp_c),
        )
        for on, (low, high, count) in sorted(extremes.items())
    )
    first = start_on if start_on is not None else (days[0].on if days else None)
    last = end_on if end_on is not None else (days[-1].on if days else None)
    missing: list[date] = []
    if first is not None and last is not None:
        on = first
        while on <= last:
            if on not in extremes:
                missing.append(on)
            on += timedelta(days=1)
    return GDDSummary(
        total=math.fsum(day.gdd for day in days),
        days=days,
        missing_days=tuple(missing),
    )


def gdd_from_days(
    days: Iterable[DayGDD],
    base_temp_c: float,
    *,
    start_on: date | None = None,
    end_on: date | None = None,
) -> float:
    """Return the GDD over stored days for another base temperature, in degree-days C.

    Lets a rack keep one set of daily extremes (from `accumulated_gdd`) and
    give each species on it its own GDD since its phase started, without
    going back to the raw readings. `start_on` and `end_on` are inclusive.
    """
    lowest = start_on if start_on is not None else date.min
    highest = end_on if end_on is not None else date.max
    # daily_gdd written out: this runs over a year of days for every plant group
    return math.fsum(
        [
            max(0.0, (day.t_max_c + day.t_min_c) / 2 - base_temp_c)
            for day in days
            if lowest <= day.on <= highest
        ]
    )


class GddLedger:
    """A rack's closed days with running GDD totals, for GDD between two dates.

    `gdd_from_days` walks every stored day for each plant; a rack keeps one
    ledger instead, adds each day as it closes (`add`), and reads the GDD of
    any span for any base temperature with two look-ups (`gdd`). The totals
    per base temperature are kept exactly, as whole multiples of a power of
    two, so a result equals `gdd_from_days` over the same days to the last
    bit. A base temperature's totals are built on its first look-up and kept
    current by `add`.
    """

    __slots__ = ("_days", "_ons", "_totals")

    def __init__(self, days: Iterable[DayGDD] = ()) -> None:
        """Start from stored days, in any order.

        Raises:
            FarmError: as `add`, for a day with a non-finite extreme.
        """
        self._days: list[DayGDD] = []
        self._ons: list[date] = []
        self._totals: dict[float, _RunningGdd] = {}
        for day in sorted(days, key=lambda item: item.on):
            self.add(day)

    def __len__(self) -> int:
        """The number of days held."""
        return len(self._days)

    @property
    def days(self) -> tuple[DayGDD, ...]:
        """The days held, oldest first."""
        return tuple(self._days)

    def add(self, day: DayGDD) -> None:
        """Add a closed day: the same date as the latest day or later.

        Two records of one date both count, as they would in `gdd_from_days`.

        Raises:
            FarmError: `invalid_temperature` for a non-finite extreme,
                `days_out_of_order` for a date before the latest day's.
        """
        if not (math.isfinite(day.t_min_c) and math.isfinite(day.t_max_c)):
            raise FarmError("invalid_temperature", on=day.on.isoformat())
        if self._ons and day.on < self._ons[-1]:
            raise FarmError(
                "days_out_of_order",
                on=day.on.isoformat(),
                latest=self._ons[-1].isoformat(),
            )
        self._days.append(day)
        self._ons.append(day.on)
        for totals in self._totals.values():
            totals.add(day)

    def gdd(
        self,
        base_temp_c: float,
        *,
        start_on: date | None = None,
        end_on: date | None = None,
    ) -> float:
        """Return the GDD from `start_on` to `end_on` (inclusive), in degree-days C.

        Equal to `gdd_from_days(ledger.days, base_temp_c, start_on=...,
        end_on=...)`; open ends take every day on that side.

        Raises:
            FarmError: `invalid_temperature` for a non-finite base temperature.
        """
        totals = self._totals.get(base_temp_c)
        if totals is None:
            if not math.isfinite(base_temp_c):
                raise FarmError("invalid_temperature", base_temp_c=base_temp_c)
            totals = self._totals[base_temp_c] = _RunningGdd(base_temp_c, self._days)
        first = 0 if start_on is None else bisect_left(self._ons, start_on)
        last = len(self._ons) if end_on is None else bisect_right(self._ons, end_on)
        return totals.between(first, last)


_FLOAT_BITS = 1000  # integers this long convert to float without overflow


class _RunningGdd:
    """Exact running GDD totals of a ledger's days for one base temperature.

    Each day's GDD (a float, so a whole multiple of a power of two) is held as
    an integer count of 2**-scale degree-days; a total of a span is then an
    exact integer difference, and `float()` of it rounds once, correctly, as
    `math.fsum` does.
    """

    __slots__ = ("_base_temp_c", "_prefix", "_scale")

    def __init__(self, base_temp_c: float, days: Iterable[DayGDD]) -> None:
        self._base_temp_c = base_temp_c
        self._scale = 0  # totals are in units of 2**-scale degree-days
        self._prefix = [0]  # _prefix[i]: the GDD of the first i days
        for day in days:
            self.add(day)

    def add(self, day: DayGDD) -> None:
        """Extend the totals by one day (the same arithmetic as gdd_from_days)."""
        value = max(0.0, (day.t_max_c + day.t_min_c) / 2 - self._base_temp_c)
        numerator, denominator = value.as_integer_ratio()
        bits = denominator.bit_length() - 1  # the denominator is a power of two
        if bits > self._scale:
            # a finer day than any before: restate the totals in finer units
            shift = bits - self._scale
            self._prefix = [total << shift for total in self._prefix]
            self._scale = bits
        self._prefix.append(self._prefix[-1] + (numerator << (self._scale - bits)))

    def between(self, first: int, last: int) -> float:
        """The GDD of days first .. last - 1, correctly rounded."""
        if last <= first:
            return 0.0
        total = self._prefix[last] - self._prefix[first]
        if total.bit_length() <= _FLOAT_BITS:
            # float() of an integer rounds correctly; scaling by 2**-scale is exact
            return math.ldexp(float(total), -self._scale)
        # a day of tiny (subnormal) GDD made the units too fine for float():
        # integer division rounds correctly too, only slower
        return total / (1 << self._scale)


def _remaining_days(
    profile: PhaseProfile,
    *,
    elapsed_days: int,
    gdd_so_far: float | None,
    expected_daily_gdd: float | None,
) -> tuple[float, EstimateMethod, bool]:
    """Return (days left, method, requirement met) for one phase, unrounded."""
    if profile.gdd > 0 and gdd_so_far is not None:
        # phases ahead start from 0 GDD, which rounding leaves as it is (and it is slow)
        so_far = round(gdd_so_far, _PRECISION) if gdd_so_far else gdd_so_far
        missing_gdd = profile.gdd - so_far
        if missing_gdd <= 0:
            return 0.0, EstimateMethod.GDD, True
        if expected_daily_gdd is not None and expected_daily_gdd > 0:
            return missing_gdd / expected_daily_gdd, EstimateMethod.GDD, False
        # too cold to project by warmth: use the typical days, but GDD is not met so not today
        return max(1.0, float(profile.days - elapsed_days)), EstimateMethod.DAYS, False
    left = profile.days - elapsed_days
    return max(0.0, float(left)), EstimateMethod.DAYS, left <= 0


def _whole_days(days: float) -> timedelta:
    """Round a projected number of days up to whole calendar days."""
    whole = math.ceil(days)
    # Rounding to _PRECISION places moves a value by under 1e-9, so it only
    # matters just above a whole number: skip the (slow) rounding elsewhere.
    if whole - days < 1 - 1e-6:
        return timedelta(days=whole)
    return timedelta(days=math.ceil(round(days, _PRECISION)))


def expected_phase_end(
    species: Species,
    phase: Phase,
    *,
    started_on: date,
    today: date,
    gdd_so_far: float | None = None,
    expected_daily_gdd: float | None = None,
) -> PhaseEnd:
    """Return the date the current phase is expected to end.

    By GDD when the phase has a GDD requirement and a sensor supplies
    `gdd_so_far` (degree-days since the phase started): the missing GDD divided
    by `expected_daily_gdd` (e.g. the mean of recent days), rounded up to whole
    days. Otherwise by days: `started_on` plus the phase's typical days. A met
    requirement gives today with `reached` set. With GDD still short but no
    warmth to project from (`expected_daily_gdd` None or 0), the typical days
    are used, and never less than one more day.

    Raises:
        FarmError: `phase_not_in_sequence` when the species skips `phase`.
    """
    left, method, reached = _remaining_days(
        phase_profile(species, phase),
        elapsed_days=days_in_phase(started_on, today),
        gdd_so_far=gdd_so_far,
        expected_daily_gdd=expected_daily_gdd,
    )
    return PhaseEnd(on=today + _whole_days(left), method=method, reached=reached)


def advance_decision(
    species: Species,
    current: Phase,
    *,
    started_on: date,
    today: date,
    gdd_so_far: float | None = None,
) -> AdvanceDecision:
    """Decide whether a plant should move to its next phase now.

    With a GDD requirement and a sensor (`gdd_so_far`, degree-days since the
    phase started) the plant advances once the GDD is reached; otherwise once
    it has spent the phase's typical days in it.

    Raises:
        FarmError: `phase_not_in_sequence` when the species skips `current`.
    """
    index = _position(species, current)
    profile = species.phases[index]
    following = _following(species, index)
    if following is None:
        return _decision(False, None, AdvanceReason.LAST_PHASE, False)
    if profile.gdd > 0 and gdd_so_far is not None:
        advance = round(gdd_so_far, _PRECISION) >= profile.gdd
        reason = AdvanceReason.GDD_REACHED if advance else AdvanceReason.GDD_PENDING
    else:
        advance = days_in_phase(started_on, today) >= profile.days
        reason = AdvanceReason.DAYS_REACHED if advance else AdvanceReason.DAYS_PENDING
    return _decision(advance, following, reason, following == species.sequence[0])


@cache
def _decision(
    advance: bool, to_phase: Phase | None, reason: AdvanceReason, restarts_cycle: bool
) -> AdvanceDecision:
    """One shared decision per outcome: there are only a few dozen of them."""
    return AdvanceDecision(
        advance=advance,
        to_phase=to_phase,
        reason=reason,
        restarts_cycle=restarts_cycle,
    )


def expected_harvest(
    species: Species,
    current: Phase,
    *,
    started_on: date,
    today: date,
    gdd_so_far: float | None = None,
    expected_daily_gdd: float | None = None,
) -> date | None:
    """Return the date the `harvest` phase is expected to start.

    The rest of the current phase (as in `expected_phase_end`) plus the whole
    of every phase before harvest (by GDD at `expected_daily_gdd` when given
    and the phase has a GDD requirement, else by typical days), rounded up
    once at the end. A plant in harvest gives the day that phase started; a
    perennial past harvest looks ahead to the next cycle's harvest. None when
    the sequence has no harvest phase or an annual is past it.

    Raises:
        FarmError: `phase_not_in_sequence` when the species skips `current`.
    """
    index = _position(species, current)
    profile = species.phases[index]
    harvest_index = species.position(Phase.HARVEST)
    if harvest_index is None:
        return None
    if index == harvest_index:
        return started_on
    sequence = species.sequence
    if index < harvest_index:
        ahead = sequence[index + 1 : harvest_index]
    elif species.perennial:
        ahead = sequence[index + 1 :] + sequence[:harvest_index]
    else:
        return None
    left, _, _ = _remaining_days(
        profile,
        elapsed_days=days_in_phase(started_on, today),
        gdd_so_far=gdd_so_far,
        expected_daily_gdd=expected_daily_gdd,
    )
    # a phase not yet started has no GDD; 0.0 only when a sensor is there to project from
    fresh_gdd = 0.0 if expected_daily_gdd is not None else None
    for phase in ahead:
        days, _, _ = _remaining_days(
            phase_profile(species, phase),
            elapsed_days=0,
            gdd_so_far=fresh_gdd,
            expected_daily_gdd=expected_daily_gdd,
        )
        left += days
    return today + _whole_days(left)
