"""Lighting: the photoperiod of a shared light, on/off windows, DLI, lux to PPFD.

Units: photoperiods in hours, PPFD in umol/m2/s, DLI in mol/m2/day,
illuminance in lux. Every instant is an aware datetime; schedules are laid out
in the time zone the caller passes (a `zoneinfo.ZoneInfo` in practice).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import lru_cache
from itertools import pairwise
from types import MappingProxyType

from .errors import FarmError
from .profiles import Phase, PhaseProfile, Species

DAY_H = 24.0
# Needs within 2 h of the longest share a light: most crops tolerate a couple of
# extra hours, while 12 h short-day flowering under 16 h lettuce light does not.
DEFAULT_TOLERANCE_H = 2.0
# Longest span between PPFD readings still bridged by interpolation: covers a
# 5-minute sensor that missed two samples, not a sensor that went quiet.
DEFAULT_MAX_GAP = timedelta(minutes=15)
_FLOAT_SLACK = 1e-9  # absorbs binary rounding when comparing hour differences
_UMOL_PER_MOL = 1e6


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantInPhase:
    """A plant record in its current phase (what lighting and compatibility need)."""

    plant_id: str
    species: Species
    phase: Phase
    # Looked up once here: every tank and light pass asks for it.
    _profile: PhaseProfile | None = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Look up the phase's profile (a phase the species skips gives None)."""
        object.__setattr__(self, "_profile", self.species.phase(self.phase))

    @property
    def profile(self) -> PhaseProfile:
        """The species' profile for the current phase.

        Raises:
            FarmError: `phase_not_in_species` when the species skips that phase.
        """
        profile = self._profile
        if profile is None:
            raise FarmError(
                "phase_not_in_species",
                species=self.species.key,
                phase=str(self.phase),
            )
        return profile


class PhotoperiodReason(StrEnum):
    """Why a light got the photoperiod it got."""

    OK = "ok"  # every plant is within tolerance of the chosen photoperiod
    CONFLICT = "conflict"  # some plants get more light than they tolerate
    NO_PLANTS = "no_plants"  # nothing under the light: keep it off


@dataclass(frozen=True, kw_only=True, slots=True)
class PhotoperiodConflict:
    """A plant that would get too much light under the chosen photoperiod."""

    plant_id: str
    need_h: float  # hours of light the plant's phase asks for
    excess_h: float  # hours beyond its need it would get, rounded to 0.01


@dataclass(frozen=True, kw_only=True, slots=True)
class PhotoperiodPlan:
    """The photoperiod one light runs, and who is unhappy with it."""

    photoperiod_h: float
    reason: PhotoperiodReason
    conflicts: tuple[PhotoperiodConflict, ...] = ()

    @property
    def compatible(self) -> bool:
        """True when no plant under the light conflicts."""
        return not self.conflicts


class LightSource(StrEnum):
    """Kinds of light a lux reading can come from."""

    SUNLIGHT = "sunlight"
    LED_WHITE = "led_white"  # white LEDs, 3000-4000 K
    LED_FULL_SPECTRUM = "led_full_spectrum"  # horticultural white+red LEDs
    HPS = "hps"  # high-pressure sodium
    FLUORESCENT = "fluorescent"  # cool white tubes
    METAL_HALIDE = "metal_halide"


# umol/m2/s per lux. Sunlight, fluorescent, HPS and metal halide: Thimijan and
# Heins (HortScience 1983), as tabulated by quantum-sensor makers; LEDs: middle
# of the ranges published from measured LED spectra (white 0.014-0.015,
# full-spectrum 0.015-0.016).
PPFD_PER_LUX: Mapping[LightSource, float] = MappingProxyType(
    {
        LightSource.SUNLIGHT: 0.0185,
        LightSource.LED_WHITE: 0.0145,
        LightSource.LED_FULL_SPECTRUM: 0.0155,
        LightSource.HPS: 0.0122,
        LightSource.FLUORESCENT: 0.0135,
        LightSource.METAL_HALIDE: 0.0141,
    }
)


@dataclass(frozen=True, kw_only=True, slots=True)
class LightWindow:
    """A daily lights-on window as wall-clock times."""

    lights_on: time
    lights_off: time  # nominal: lights_on + photoperiod on the wall clock
    photoperiod_h: float
    crosses_midnight: bool  # lights_off falls on the next calendar day


@dataclass(frozen=True, kw_only=True, slots=True)
class PpfdReading:
    """One PPFD sample at canopy level."""

    at: datetime  # aware
    ppfd: float  # umol/m2/s


class DliQuality(StrEnum):
    """How much of the day a measured DLI covers."""

    COMPLETE = "complete"
    PARTIAL = "partial"  # some spans had no readings close enough together
    NO_DATA = "no_data"


@dataclass(frozen=True, kw_only=True, slots=True)
class DliMeasurement:
    """A DLI integrated from readings, with what was and was not measured."""

    dli: float  # mol/m2 over the measured spans only, rounded to 0.01
    measured: timedelta  # time covered by usable pairs of readings
    unknown: timedelta  # time in the window with no usable readings
    reason: DliQuality


def _check_photoperiod(photoperiod_h: float) -> None:
    """Refuse photoperiods outside 0-24 h (NaN included)."""
    if not 0 <= photoperiod_h <= DAY_H:
        raise FarmError("invalid_photoperiod", photoperiod_h=photoperiod_h)


def _check_aware(at: datetime, name: str) -> None:
    """Refuse naive datetimes: they would silently use the host's clock zone."""
    if at.utcoffset() is None:
        raise FarmError("naive_datetime", field=name)


def photoperiod_for_needs(
    needs_h: Mapping[str, float], *, tolerance_h: float = DEFAULT_TOLERANCE_H
) -> PhotoperiodPlan:
    """Choose one photoperiod for plants sharing a light.

    The longest need rules (short days under a long light are the lesser harm
    for most crops than starving the long-day ones). A plant whose need is more
    than `tolerance_h` hours shorter than the chosen photoperiod conflicts: that
    catches short-day flowering (about 12 h) sharing 16 h light, without a
    short-day flag in the library, and a dark germination (0 h) under a lit
    shelf.

    Args:
        needs_h: Hours of light per day each plant wants, by plant id.
        tolerance_h: Extra hours a plant accepts before it conflicts; a spread
            of exactly `tolerance_h` is still compatible.

    Returns:
        The chosen photoperiod (0 with no plants) and the conflicting plants,
        longest excess first.

    Raises:
        FarmError: `invalid_photoperiod` for a need outside 0-24 h,
            `invalid_tolerance` for a negative tolerance.
    """
    if not tolerance_h >= 0:
        raise FarmError("invalid_tolerance", tolerance_h=tolerance_h)
    if not needs_h:
        return PhotoperiodPlan(photoperiod_h=0.0, reason=PhotoperiodReason.NO_PLANTS)
    # Plants in one phase of one species share a need: check each value once.
    for need in dict.fromkeys(needs_h.values()):
        _check_photoperiod(need)
    chosen = max(needs_h.values())
    conflicts = sorted(
        (
            PhotoperiodConflict(
                plant_id=plant_id, need_h=need, excess_h=round(chosen - need, 2)
            )
            for plant_id, need in needs_h.items()
            if chosen - need > tolerance_h + _FLOAT_SLACK
        ),
        key=lambda conflict: (-conflict.excess_h, conflict.plant_id),
    )
    return PhotoperiodPlan(
        photoperiod_h=chosen,
        reason=PhotoperiodReason.CONFLICT if conflicts else PhotoperiodReason.OK,
        conflicts=tuple(conflicts),
    )


def shelf_photoperiod(
    plants: Iterable[PlantInPhase], *, tolerance_h: float = DEFAULT_TOLERANCE_H
) -> PhotoperiodPlan:
    """Choose the photoperiod for the plants under one light from their phases.

    Each plant needs its current phase's `photoperiod_h`; the rule is the one of
    `photoperiod_for_needs`.

    Raises:
        FarmError: `phase_not_in_species` when a plant's phase is not in its
            species, plus the errors of `photoperiod_for_needs`.
    """
    # Profiles are looked up once per (species, phase), not once per plant.
    need_by_kind: dict[tuple[str, Phase], float] = {}
    needs_h: dict[str, float] = {}
    for plant in plants:
        kind = (plant.species.key, plant.phase)
        need = need_by_kind.get(kind)
        if need is None:
            need = need_by_kind[kind] = plant.profile.photoperiod_h
        needs_h[plant.plant_id] = need
    return photoperiod_for_needs(needs_h, tolerance_h=tolerance_h)


def light_window(lights_on: time, photoperiod_h: float) -> LightWindow:
    """Lay out the daily window for a lights-on time and a photoperiod.

    Example: on at 18:00 for 16 h is off at 10:00, crossing midnight.

    Raises:
        FarmError: `invalid_photoperiod` outside 0-24 h.
    """
    _check_photoperiod(photoperiod_h)
    wall_on = lights_on.replace(tzinfo=None, fold=0)
    start = datetime.combine(date(2000, 1, 1), wall_on)
    end = start + timedelta(hours=photoperiod_h)
    return LightWindow(
        lights_on=wall_on,
        lights_off=end.time(),
        photoperiod_h=photoperiod_h,
        crosses_midnight=end.date() > start.date(),
    )


# A light's schedule asks for the same few days over and over (each change,
# each pump cycle): a rack's lights-on instants are worked out once.
@lru_cache(maxsize=1024)
def _lights_on_instant(day: date, wall_on: time, zone: tzinfo) -> datetime:
    """The UTC instant of a naive lights-on wall time on one local day."""
    return datetime.combine(day, wall_on, tzinfo=zone).astimezone(UTC)


def _lit_periods(
    at: datetime, lights_on: time, photoperiod_h: float, zone: tzinfo
) -> list[tuple[datetime, datetime]]:
    """Lit periods (UTC, half-open) from two local days before `at` to two after.

    Overlapping or touching periods are merged, so each boundary is a real
    change of state.
    """
    duration = timedelta(hours=photoperiod_h)
    local_day = at.astimezone(zone).date()
    # fold=0: a time skipped by spring-forward lands just after the gap, and a
    # time repeated by fall-back means its first occurrence.
    wall_on = lights_on.replace(tzinfo=None, fold=0)
    periods: list[tuple[datetime, datetime]] = []
    for offset in range(-2, 3):
        start = _lights_on_instant(local_day + timedelta(days=offset), wall_on, zone)
        # Elapsed time, not wall time: plants count hours of light, not clock readings.
        end = start + duration
        if periods and start <= periods[-1][1]:
            periods[-1] = (periods[-1][0], end)
        else:
            periods.append((start, end))
    return periods


def is_light_on(
    at: datetime, lights_on: time, photoperiod_h: float, zone: tzinfo
) -> bool:
    """Tell whether the light is on at an instant.

    The light switches on at `lights_on` local wall time in `zone` each day and
    stays on for `photoperiod_h` elapsed hours. On DST days the plants still get
    exactly the photoperiod, so the off time moves by the clock change (on
    18:00 for 16 h is off at 09:00 or 11:00 local that morning). A lights-on
    time skipped by spring-forward switches on just after the gap (02:30 becomes
    03:30); one repeated by fall-back switches on at its first occurrence. The
    window is half-open: on at the on instant, off at the off instant.

    Raises:
        FarmError: `invalid_photoperiod`, or `naive_datetime` for a naive `at`.
    """
    _check_photoperiod(photoperiod_h)
    _check_aware(at, "at")
    if photoperiod_h <= 0:
        return False
    if photoperiod_h >= DAY_H:
        return True
    return any(
        start <= at < end
        for start, end in _lit_periods(at, lights_on, photoperiod_h, zone)
    )


def next_light_change(
    after: datetime, lights_on: time, photoperiod_h: float, zone: tzinfo
) -> datetime | None:
    """The first instant strictly after `after` when the light switches on or off.

    Same schedule and DST rules as `is_light_on`. The result is in `zone`.

    Returns:
        The instant, or None for 0 h and 24 h photoperiods (the light never
        changes).

    Raises:
        FarmError: `invalid_photoperiod`, or `naive_datetime` for a naive `after`.
    """
    _check_photoperiod(photoperiod_h)
    _check_aware(after, "after")
    if photoperiod_h <= 0 or photoperiod_h >= DAY_H:
        return None
    boundaries = (
        boundary
        for period in _lit_periods(after, lights_on, photoperiod_h, zone)
        for boundary in period
        if boundary > after
    )
    # Periods come in time order, so the first boundary past `after` is the next change.
    return next(boundaries).astimezone(zone)


def _ppfd_samples(
    readings: Sequence[PpfdReading], first: int, last: int
) -> Iterator[tuple[float, float]]:
    """Yield (POSIX timestamp, PPFD) for readings[first:last], checking each."""
    for index in range(first, last):
        yield _ppfd_sample(readings[index])


def _ppfd_sample(reading: PpfdReading) -> tuple[float, float]:
    """(POSIX timestamp, PPFD) of one reading, refusing naive or negative ones."""
    # tzinfo, not utcoffset(): the cheap check, run once per reading.
    if reading.at.tzinfo is None:
        raise FarmError("naive_datetime", field="at")
    if not reading.ppfd >= 0:
        raise FarmError("negative_ppfd", ppfd=reading.ppfd)
    return reading.at.timestamp(), reading.ppfd


def _check_window(start: datetime, end: datetime, max_gap: timedelta) -> float:
    """Refuse a naive, empty or backward window or a non-positive gap; return the gap in s."""
    _check_aware(start, "start")
    _check_aware(end, "end")
    if end.timestamp() <= start.timestamp():
        raise FarmError("invalid_window", start=start.isoformat(), end=end.isoformat())
    gap_s = max_gap.total_seconds()
    if gap_s <= 0:
        raise FarmError("invalid_gap", max_gap_s=gap_s)
    return gap_s


def _pair_light(
    before: tuple[float, float],
    after: tuple[float, float],
    window: tuple[float, float],
    gap_s: float,
) -> tuple[float, float]:
    """Light (umol/m2) and seconds one pair of samples adds inside a window.

    The pair is joined by the trapezoidal rule and cut at the window's edges
    by linear interpolation; a pair further apart than `gap_s`, or at one
    instant, or outside the window adds nothing. Samples are (POSIX
    timestamp, PPFD), `before` no later than `after`.
    """
    t0, p0 = before
    t1, p1 = after
    span = t1 - t0
    if span == 0 or span > gap_s:
        return 0.0, 0.0
    low = max(t0, window[0])
    high = min(t1, window[1])
    if high <= low:
        return 0.0, 0.0
    slope = (p1 - p0) / span
    ppfd_low = p0 + slope * (low - t0)
    ppfd_high = p0 + slope * (high - t0)
    return (ppfd_low + ppfd_high) / 2 * (high - low), high - low


def _dli_measurement(
    light_umol: float, measured_s: float, window_s: float
) -> DliMeasurement:
    """The DLI of the light measured in a window, and how much of it is unknown."""
    unknown_s = max(0.0, window_s - measured_s)
    if measured_s == 0:
        reason = DliQuality.NO_DATA
    elif unknown_s > 1e-6:
        reason = DliQuality.PARTIAL
    else:
        reason = DliQuality.COMPLETE
        unknown_s = 0.0
    return DliMeasurement(
        dli=round(light_umol / _UMOL_PER_MOL, 2),
        measured=timedelta(seconds=measured_s),
        unknown=timedelta(seconds=unknown_s),
        reason=reason,
    )


def dli_from_readings(
    readings: Sequence[PpfdReading],
    *,
    start: datetime,
    end: datetime,
    max_gap: timedelta = DEFAULT_MAX_GAP,
) -> DliMeasurement:
    """Integrate PPFD readings over a window (normally one day) into a DLI.

    Consecutive readings no more than `max_gap` apart are joined by the
    trapezoidal rule; longer gaps are unknown time, never interpolated across.
    Pairs that straddle `start` or `end` are cut at the boundary with a linear
    interpolation. The result is the light received during the measured time
    only, in mol/m2, and says how much of the window is unknown.

    Args:
        readings: Samples in time order (as a recorder returns them); only those
            within `max_gap` of the window are read, found by bisection.
        start: Window start (aware).
        end: Window end (aware), after `start`.
        max_gap: Longest span between two readings that is still bridged.

    Raises:
        FarmError: `naive_datetime`, `invalid_window` when `end` is not after
            `start`, `invalid_gap` for a non-positive `max_gap`,
            `readings_out_of_order` or `negative_ppfd` for a bad reading.
    """
    gap_s = _check_window(start, end, max_gap)
    window = (start.timestamp(), end.timestamp())

    def stamp(reading: PpfdReading) -> float:
        return reading.at.timestamp()

    # Timestamps, not wall times: they stay monotonic through DST changes.
    first = bisect_left(readings, window[0] - gap_s, key=stamp)
    last = bisect_right(readings, window[1] + gap_s, key=stamp)
    light_umol = 0.0
    measured_s = 0.0
    for before, after in pairwise(_ppfd_samples(readings, first, last)):
        if after[0] < before[0]:
            raise FarmError(
                "readings_out_of_order",
                at=datetime.fromtimestamp(after[0], UTC).isoformat(),
            )
        light, seconds = _pair_light(before, after, window, gap_s)
        light_umol += light
        measured_s += seconds
    return _dli_measurement(light_umol, measured_s, window[1] - window[0])


class DliAccumulator:
    """The DLI of one window (normally a local day), built up reading by reading.

    `dli_from_readings` integrates a whole day of readings whenever it is
    asked; the live farm instead adds each reading as it arrives (one
    trapezoid with the reading before it), and reading the DLI is then a
    division. `measurement(until)` equals `dli_from_readings` over the same
    readings for the window from `start` to `until`.

    For the next day, start a new accumulator and add the latest reading of
    the old one first, so the pair across midnight is cut at midnight.
    """

    __slots__ = (
        "_end",
        "_gap_s",
        "_latest",
        "_light_umol",
        "_measured_s",
        "_previous",
        "_start",
        "_window",
    )

    def __init__(
        self,
        *,
        start: datetime,
        end: datetime,
        max_gap: timedelta = DEFAULT_MAX_GAP,
    ) -> None:
        """Open a window; `max_gap` as in `dli_from_readings`.

        Raises:
            FarmError: `naive_datetime`, `invalid_window` when `end` is not
                after `start`, `invalid_gap` for a non-positive `max_gap`.
        """
        self._gap_s = _check_window(start, end, max_gap)
        self._start = start
        self._end = end
        self._window = (start.timestamp(), end.timestamp())
        self._light_umol = 0.0
        self._measured_s = 0.0
        self._previous: tuple[float, float] | None = None
        self._latest: PpfdReading | None = None

    @property
    def start(self) -> datetime:
        """When the window opens."""
        return self._start

    @property
    def end(self) -> datetime:
        """When the window closes."""
        return self._end

    @property
    def latest(self) -> PpfdReading | None:
        """The latest reading added, if any."""
        return self._latest

    def add(self, reading: PpfdReading) -> None:
        """Add the next reading: not earlier than the one before it.

        Readings outside the window are fine: they bound the pairs that cross
        its edges.

        Raises:
            FarmError: `naive_datetime`, `negative_ppfd`, or
                `readings_out_of_order` for a reading before the latest one.
        """
        sample = _ppfd_sample(reading)
        previous = self._previous
        if previous is not None:
            if sample[0] < previous[0]:
                raise FarmError("readings_out_of_order", at=reading.at.isoformat())
            light, seconds = _pair_light(previous, sample, self._window, self._gap_s)
            self._light_umol += light
            self._measured_s += seconds
        self._previous = sample
        self._latest = reading

    def measurement(self, until: datetime | None = None) -> DliMeasurement:
        """The DLI from `start` to `until` (default and at most `end`) so far.

        Equals `dli_from_readings` over the readings added, for the window
        from `start` to the earlier of `until` and `end`.

        Raises:
            FarmError: `naive_datetime` for a naive `until`; `invalid_window`
                when `until` is not after `start`, or falls before `end` and
                before the latest reading (whose light is already counted).
        """
        start_s, end_s = self._window
        if until is not None:
            _check_aware(until, "until")
            until_s = until.timestamp()
            latest_s = self._previous[0] if self._previous is not None else start_s
            # before the end, light after `until` would already be in the sums
            if until_s <= start_s or (until_s < end_s and latest_s > until_s):
                raise FarmError(
                    "invalid_window",
                    start=self._start.isoformat(),
                    end=until.isoformat(),
                )
            end_s = min(until_s, end_s)
        return _dli_measurement(self._light_umol, self._measured_s, end_s - start_s)


def ppfd_from_lux(lux: float, source: LightSource) -> float:
    """Estimate PPFD (umol/m2/s) from an illuminance reading in lux.

    A lux meter weighs light by the human eye, so the factor depends on the
    light's spectrum (`PPFD_PER_LUX`); the result is rounded to 0.1.

    Raises:
        FarmError: `negative_lux`.
    """
    if not lux >= 0:
        raise FarmError("negative_lux", lux=lux)
    return round(lux * PPFD_PER_LUX[source], 1)
