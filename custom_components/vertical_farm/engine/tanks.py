"""Tank upkeep: targets, deviations, drift, water temperature, age, maintenance, water use, probes.

Units: EC in mS/cm, temperatures in degrees Celsius, volumes in litres,
durations in days unless the name says otherwise. Datetimes are
timezone-aware; readings are (aware datetime, value) pairs in any order.
"""

from __future__ import annotations

from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
import math
from typing import Any

from .errors import FarmError
from .phases import Reading
from .profiles import PhaseProfile, System, TankType

# Deviation levels, in % of target: exactly 20 % is still ok.
WARNING_PERCENT = 20.0
ALARM_PERCENT = 30.0
LEVEL_LOW_FRACTION = 0.2  # below a fifth of the tank's volume it is low
# Percentages are compared after rounding this far, so float noise cannot turn 20 % into a warning.
_PRECISION = 9

# Soil buffers the root zone, so the feed is run about 0.5 pH higher than in
# soilless culture (5.5-6.5 hydro/coco vs 6.0-7.0 soil, the usual grower convention).
SOIL_PH_OFFSET = 0.5
# When plants on one tank want pH windows that do not meet and as many plants
# want each, the window nearest this wins: around pH 6 (6.5 on soil) most
# nutrients stay available, iron and manganese included.
PREFERRED_PH = 6.0
# A plain-water reservoir: tap water rarely leaves this band; drifting out means
# algae (pH up) or contamination.
RESERVOIR_PH = (5.5, 8.0)
# Plain water should stay within this much of the base water EC (mS/cm);
# more means contamination or salts concentrating as it evaporates.
RESERVOIR_EC_MARGIN = 0.2

# Below 16 C roots take up less and growth slows; above 24 C dissolved oxygen
# falls (saturation about 9.9 mg/L at 16 C, 8.4 at 24 C) and Pythium root rot
# thrives. The usual hydroponic band.
WATER_MIN_C = 16.0
WATER_MAX_C = 24.0

# A mineral solution lasts 10 days at 20 C and half as long for each 10 C
# warmer (microbial growth and nutrient uptake imbalance roughly double per 10 C, Q10 = 2).
SOLUTION_LIFE_DAYS_AT_20C = 10.0

_SECONDS_PER_DAY = 86_400.0


class TargetReason(StrEnum):
    """What a tank's targets are based on."""

    OK = "ok"
    STOCK = "stock"  # concentrate: no targets
    NO_PLANTS = "no_plants"  # feeds nothing yet: no targets
    NO_OVERLAP = (
        "no_overlap"  # ranges do not all overlap: targets serve the most plants
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class TargetRange:
    """An inclusive band of acceptable values."""

    low: float
    high: float

    @property
    def midpoint(self) -> float:
        """The middle of the band, used as the set point."""
        return (self.low + self.high) / 2

    def contains(self, value: float) -> bool:
        """Return True when the value is inside the band (edges included)."""
        return self.low <= value <= self.high


@dataclass(frozen=True, kw_only=True, slots=True)
class TankTargets:
    """EC and pH targets of a tank; None where the tank has none.

    In a conflict the band and set point serve the most plants (see
    `tank_targets`) and the conflict flag stays set.
    """

    ec: TargetRange | None
    ph: TargetRange | None
    ec_target: float | None  # mS/cm set point
    ph_target: float | None
    reason: TargetReason
    ec_conflict: bool = False  # the plants' EC ranges do not all overlap
    ph_conflict: bool = False  # the plants' pH ranges do not all overlap


class DeviationLevel(StrEnum):
    """How far a reading is from its target."""

    OK = "ok"
    WARNING = "warning"  # more than 20 % off
    ALARM = "alarm"  # more than 30 % off


class DeviationDirection(StrEnum):
    """Which side of the target a reading is on."""

    LOW = "low"
    HIGH = "high"
    ON_TARGET = "on_target"


@dataclass(frozen=True, kw_only=True, slots=True)
class Deviation:
    """A reading compared with its target."""

    percent: float  # signed: (value - target) / target x 100
    level: DeviationLevel
    direction: DeviationDirection


class WaterTemperature(StrEnum):
    """Water temperature verdict."""

    OK = "ok"
    TOO_COLD = "too_cold"
    TOO_WARM = "too_warm"


@dataclass(frozen=True, kw_only=True, slots=True)
class SolutionAge:
    """How much of a solution's useful life is used up."""

    age_days: float  # calendar days since the fill
    used_fraction: float  # 1.0 = life used up; may exceed 1
    days_left: float  # at the latest water temperature, never negative
    due_at: datetime  # when the life runs out at the latest temperature
    due: bool
    assumed_temperature: bool  # no reading: the default temperature was used


class MaintenanceKind(StrEnum):
    """Recurring tank chores."""

    CHANGE_WATER = "change_water"
    CLEAN_TANK = "clean_tank"
    CALIBRATE_PROBES = "calibrate_probes"


# Hobby hydroponics practice: fresh solution every 2 weeks, scrub the tank
# every 4, calibrate EC and pH probes monthly.
DEFAULT_MAINTENANCE_INTERVAL_DAYS: dict[MaintenanceKind, float] = {
    MaintenanceKind.CHANGE_WATER: 14.0,
    MaintenanceKind.CLEAN_TANK: 28.0,
    MaintenanceKind.CALIBRATE_PROBES: 30.0,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class MaintenanceTask:
    """A chore with its interval and when it was last done."""

    kind: MaintenanceKind
    interval_days: float  # 0 or less = not scheduled
    last_done: datetime | None  # None = never done


@dataclass(frozen=True, kw_only=True, slots=True)
class MaintenanceDue:
    """When a chore is next due."""

    kind: MaintenanceKind
    due_at: datetime | None  # None = never done, so due now
    due: bool
    overdue_days: float  # 0 unless past due


class BalanceReason(StrEnum):
    """Why a water balance has or lacks figures."""

    OK = "ok"
    NOT_ENOUGH_DATA = "not_enough_data"
    NO_USE = "no_use"  # level steady: never empties


@dataclass(frozen=True, kw_only=True, slots=True)
class WaterBalance:
    """Water use worked out from a level history."""

    use_l_per_day: float | None
    days_until_empty: float | None  # never negative; None without use or data
    level_l: float | None  # latest level in litres
    refills: int  # rises counted as refills, not as negative use
    reason: BalanceReason


class LevelUnit(StrEnum):
    """Unit a level sensor reports in."""

    LITRES = "l"
    PERCENT = "percent"


class ProbeKind(StrEnum):
    """What a probe measures."""

    EC = "ec"
    PH = "ph"
    TEMPERATURE = "temperature"
    LEVEL = "level"


class ProbeReason(StrEnum):
    """Whether a probe's latest value may drive an action, and why not."""

    OK = "ok"
    NO_READING = "no_reading"
    STALE = "stale"
    OUT_OF_RANGE = "out_of_range"
    SUDDEN_JUMP = "sudden_jump"


# Physically possible values: EC of even a strong nutrient solution stays
# under 10 mS/cm, pH is 0-14, liquid water in a tank 0-50 C, levels are not negative.
PLAUSIBLE_RANGES: dict[ProbeKind, TargetRange] = {
    ProbeKind.EC: TargetRange(low=0.0, high=10.0),
    ProbeKind.PH: TargetRange(low=0.0, high=14.0),
    ProbeKind.TEMPERATURE: TargetRange(low=0.0, high=50.0),
    ProbeKind.LEVEL: TargetRange(low=0.0, high=math.inf),
}
# Largest believable change between consecutive readings; a tank's mass of
# water cannot swing further between two reports. Levels jump on refills: not checked.
MAX_JUMPS: dict[ProbeKind, float | None] = {
    ProbeKind.EC: 1.0,
    ProbeKind.PH: 1.0,
    ProbeKind.TEMPERATURE: 5.0,
    ProbeKind.LEVEL: None,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class ProbeStatus:
    """A probe's latest value and whether it may be acted on."""

    usable: bool
    reason: ProbeReason
    value: float | None


def _busiest_window(
    windows: Counter[tuple[float, float]],
    tie_key: Callable[[TargetRange], tuple[float, ...]],
) -> tuple[TargetRange | None, int]:
    """Return the band where the most windows meet, and how many meet there.

    `windows` counts plant records by the (low, high) window they want. The
    band with the most plants always starts at some window's low: from there
    it runs to the lowest high among the windows holding that point. Bands
    with as many plants are disjoint; `tie_key` picks one (smallest first).
    When every window meets, the band is their common overlap. None (0
    plants) only without a window whose low is at most its high.
    """
    bands: list[tuple[int, TargetRange]] = []
    for start in {low for low, _ in windows}:
        holding = [
            (high, count)
            for (low, high), count in windows.items()
            if low <= start <= high
        ]
        if holding:
            served = sum(count for _, count in holding)
            band = TargetRange(low=start, high=min(high for high, _ in holding))
            bands.append((served, band))
    if not bands:
        return None, 0
    served, band = min(bands, key=lambda item: (-item[0], tie_key(item[1])))
    return band, served


def _lowest_first(band: TargetRange) -> tuple[float, ...]:
    return (band.low,)


def _nearest_to(value: float) -> Callable[[TargetRange], tuple[float, ...]]:
    def key(band: TargetRange) -> tuple[float, ...]:
        return (abs(band.midpoint - value), band.low)

    return key


def tank_targets(
    tank_type: TankType,
    profiles: Iterable[PhaseProfile],
    *,
    system: System = System.HYDRO,
    base_ec: float = 0.0,
) -> TankTargets:
    """Return a tank's EC and pH targets from the plants it feeds.

    `profiles` are the current phase profiles of those plants, one per plant
    record. Nutrient, recirculation and irrigation tanks use the overlap of
    the plants' ranges (set point = middle of the band); for soil the pH band
    moves up by 0.5. A reservoir of plain water has a pH band and an EC band
    up to 0.2 mS/cm above `base_ec` (set point: the base water). A stock
    concentrate has no targets.

    When the ranges do not all overlap, that quantity is flagged as a
    conflict and its band is the one where the most plant records' ranges
    meet (the overlap of the largest group that agrees), so the tank keeps a
    target and its deviation and problem checks keep working. Every record
    counts once, whatever its quantity: a tray of 24 seedlings is one crop and
    would otherwise outvote a few large plants. Ties go, for EC, to the lowest
    band (underfeeding harms more slowly than salt stress) and, for pH, to the
    band whose middle is nearest pH 6.0 (6.5 on soil), then the lower.

    The EC target says what most plants want and is not capped by what the
    most tender plant stands (`chemistry.ec_ceiling`): deviation and problem
    measure against it, and a mix above that ceiling is refused as a conflict
    (move the tender plants, or mix to a lower target by hand).
    """
    if tank_type is TankType.STOCK:
        return TankTargets(
            ec=None, ph=None, ec_target=None, ph_target=None, reason=TargetReason.STOCK
        )
    if tank_type is TankType.RESERVOIR:
        water_ph = TargetRange(low=RESERVOIR_PH[0], high=RESERVOIR_PH[1])
        return TankTargets(
            ec=TargetRange(low=0.0, high=base_ec + RESERVOIR_EC_MARGIN),
            ph=water_ph,
            ec_target=base_ec,
            ph_target=water_ph.midpoint,
            reason=TargetReason.OK,
        )
    needs = list(profiles)
    if not needs:
        return TankTargets(
            ec=None,
            ph=None,
            ec_target=None,
            ph_target=None,
            reason=TargetReason.NO_PLANTS,
        )
    offset = SOIL_PH_OFFSET if system is System.SOIL else 0.0
    ec, ec_served = _busiest_window(
        Counter((item.ec_min, item.ec_max) for item in needs), _lowest_first
    )
    ph, ph_served = _busiest_window(
        Counter((item.ph_min + offset, item.ph_max + offset) for item in needs),
        _nearest_to(PREFERRED_PH + offset),
    )
    ec_conflict = ec_served < len(needs)
    ph_conflict = ph_served < len(needs)
    return TankTargets(
        ec=ec,
        ph=ph,
        ec_target=ec.midpoint if ec is not None else None,
        ph_target=ph.midpoint if ph is not None else None,
        reason=TargetReason.NO_OVERLAP
        if ec_conflict or ph_conflict
        else TargetReason.OK,
        ec_conflict=ec_conflict,
        ph_conflict=ph_conflict,
    )


def deviation(value: float, target: float) -> Deviation:
    """Return how far `value` is from `target`, in % of the target, and its level.

    Level: `alarm` above 30 %, `warning` above 20 %, else `ok` (exactly 20 %
    and exactly 30 % fall in the lower level).

    Raises:
        FarmError: `invalid_target` unless the target is positive.
    """
    if not math.isfinite(target) or target <= 0:
        raise FarmError("invalid_target", target=target)
    percent = (value - target) / target * 100
    size = round(abs(percent), _PRECISION)
    if size > ALARM_PERCENT:
        level = DeviationLevel.ALARM
    elif size > WARNING_PERCENT:
        level = DeviationLevel.WARNING
    else:
        level = DeviationLevel.OK
    if size == 0:
        direction = DeviationDirection.ON_TARGET
    else:
        direction = DeviationDirection.HIGH if percent > 0 else DeviationDirection.LOW
    return Deviation(percent=percent, level=level, direction=direction)


def water_temperature(
    temperature_c: float,
    *,
    min_c: float = WATER_MIN_C,
    max_c: float = WATER_MAX_C,
) -> WaterTemperature:
    """Return whether hydroponic water is too cold (below 16 C), too warm (above 24 C) or ok.

    Too warm: less dissolved oxygen and more Pythium; too cold: slow uptake.
    The limits themselves are ok.
    """
    if temperature_c < min_c:
        return WaterTemperature.TOO_COLD
    if temperature_c > max_c:
        return WaterTemperature.TOO_WARM
    return WaterTemperature.OK


def solution_life_days(
    temperature_c: float, life_days_at_20c: float = SOLUTION_LIFE_DAYS_AT_20C
) -> float:
    """Return how long a solution lasts at a steady temperature, in days.

    L x 2 ** (-(T - 20) / 10) with L its life at 20 C (10 days for a mineral
    solution): 10 days at 20 C, 5 at 30 C, 20 at 10 C.
    """
    return life_days_at_20c * 2 ** (-(temperature_c - 20) / 10)


def recipe_life_days(lives: Iterable[float | None]) -> float:
    """Return the life at 20 C of a solution of these products, in days.

    The shortest-lived product rules (an organic feed spoils the whole
    tank); products without a life of their own are mineral (10 days).
    """
    return min(
        (life for life in lives if life is not None),
        default=SOLUTION_LIFE_DAYS_AT_20C,
    )


def _utc(at: datetime) -> datetime:
    """The same instant in UTC: aware datetimes in one zone compare fastest."""
    return at if at.tzinfo is UTC or at.utcoffset() is None else at.astimezone(UTC)


def solution_age(
    *,
    filled_at: datetime,
    now: datetime,
    temperatures: Iterable[Reading] = (),
    default_temperature_c: float = 20.0,
    life_days_at_20c: float = SOLUTION_LIFE_DAYS_AT_20C,
) -> SolutionAge:
    """Return how much of a solution's life is used, integrating over its temperatures.

    Each water temperature reading (degrees C) holds until the next one; the
    time from the fill to the first reading after it uses the last reading
    before the fill, or else that first reading. Every stretch uses up
    (its days / solution_life_days(T)) of the life; summing them, rather than
    applying the life at the mean temperature, counts warm spells fully
    (the life curve is convex, so a mean would understate them). Days left
    assume the latest temperature holds. Without readings,
    `default_temperature_c` is used and flagged. Readings after `now` and
    non-finite values are ignored.

    `SolutionAgeAccumulator` gives the same figures from readings added as
    they arrive.
    """
    # One zone for every comparison: mixed zones make each one several times slower.
    now_utc = _utc(now)
    filled_utc = _utc(filled_at)
    used = 0.0
    cursor = filled_utc
    temperature: float | None = None
    # Probes report to 0.1 or 0.01 C: a few hundred distinct values over weeks.
    life_days: dict[float, float] = {}
    isfinite = math.isfinite
    # In UTC: local times of one zone sort and subtract by the wall clock.
    for at, value in sorted(
        (_utc(at), value)
        for at, value in temperatures
        if at <= now_utc and isfinite(value)
    ):
        if at <= filled_utc:
            temperature = value
            continue
        if temperature is None:
            temperature = value
        life = life_days.get(temperature)
        if life is None:
            life = life_days[temperature] = solution_life_days(
                temperature, life_days_at_20c
            )
        used += (at - cursor).total_seconds() / _SECONDS_PER_DAY / life
        cursor = at
        temperature = value
    return _solution_age(
        filled_at=filled_utc,
        now=now,
        used=used,
        counted_to=cursor,
        temperature_c=temperature,
        default_temperature_c=default_temperature_c,
        life_days_at_20c=life_days_at_20c,
    )


def _solution_age(
    *,
    filled_at: datetime,
    now: datetime,
    used: float,
    counted_to: datetime,
    temperature_c: float | None,
    default_temperature_c: float,
    life_days_at_20c: float = SOLUTION_LIFE_DAYS_AT_20C,
) -> SolutionAge:
    """The age at `now` from the life used up to `counted_to` and the temperature since."""
    latest = default_temperature_c if temperature_c is None else temperature_c
    # Real time in UTC: local times of one zone subtract by the wall clock,
    # an hour off across a clock change. `due_at` is given in now's zone.
    now_utc = _utc(now)
    counted_to = _utc(counted_to)
    if now_utc > counted_to:
        used += (
            (now_utc - counted_to).total_seconds()
            / _SECONDS_PER_DAY
            / solution_life_days(latest, life_days_at_20c)
        )
    days_left = max(0.0, (1 - used) * solution_life_days(latest, life_days_at_20c))
    return SolutionAge(
        age_days=max(
            0.0, (now_utc - _utc(filled_at)).total_seconds() / _SECONDS_PER_DAY
        ),
        used_fraction=used,
        days_left=days_left,
        due_at=(now_utc + timedelta(days=days_left)).astimezone(now.tzinfo),
        due=round(used, _PRECISION) >= 1,
        assumed_temperature=temperature_c is None,
    )


class SolutionAgeAccumulator:
    """A solution's used-up life, added to as water temperatures arrive.

    `solution_age` integrates every reading since the fill whenever it is
    asked; the live farm instead adds each reading as it arrives (the stretch
    since the reading before it, at that reading's temperature), and
    `age(now)` adds only the stretch since the latest reading. The figures
    equal `solution_age` over the same readings.

    After a fill, start a new accumulator and add the latest reading from
    before the fill: its temperature covers the time until the next reading.
    """

    __slots__ = (
        "_counted_to",
        "_default_temperature_c",
        "_filled_at",
        "_latest_at",
        "_temperature_c",
        "_used",
    )

    def __init__(
        self, *, filled_at: datetime, default_temperature_c: float = 20.0
    ) -> None:
        """Start counting at the fill; `default_temperature_c` as in `solution_age`."""
        self._filled_at = _utc(filled_at)
        self._default_temperature_c = default_temperature_c
        self._used = 0.0
        self._counted_to = self._filled_at  # the life used before this is counted
        self._temperature_c: float | None = None  # holds from _counted_to on
        self._latest_at: datetime | None = None

    @property
    def filled_at(self) -> datetime:
        """When the tank was filled (UTC)."""
        return self._filled_at

    @property
    def used_fraction(self) -> float:
        """The life used up to the latest reading (1.0 = used up)."""
        return self._used

    def add(self, at: datetime, temperature_c: float) -> None:
        """Add the next water temperature reading (degrees C), later than the last.

        Non-finite values (an unavailable probe) are ignored.

        Raises:
            FarmError: `readings_out_of_order` for a reading no later than the
                latest one.
        """
        if not math.isfinite(temperature_c):
            return
        at = _utc(at)
        if self._latest_at is not None and at <= self._latest_at:
            raise FarmError("readings_out_of_order", at=at.isoformat())
        self._latest_at = at
        if at > self._filled_at:
            if self._temperature_c is None:
                # the first reading after the fill covers back to the fill
                self._temperature_c = temperature_c
            self._used += (
                (at - self._counted_to).total_seconds()
                / _SECONDS_PER_DAY
                / solution_life_days(self._temperature_c)
            )
            self._counted_to = at
        self._temperature_c = temperature_c

    def age(
        self, now: datetime, life_days_at_20c: float = SOLUTION_LIFE_DAYS_AT_20C
    ) -> SolutionAge:
        """How much of the life is used at `now`, the latest temperature holding since.

        The accumulator counts in 10-day lives; a solution whose life at 20 C
        is `life_days_at_20c` has used 10 / that as much again.

        Raises:
            FarmError: `reading_after_now` when a reading added is later than `now`.
        """
        if self._latest_at is not None and self._latest_at > now:
            raise FarmError(
                "reading_after_now",
                at=self._latest_at.isoformat(),
                now=now.isoformat(),
            )
        return _solution_age(
            filled_at=self._filled_at,
            now=now,
            used=self._used
            if life_days_at_20c == SOLUTION_LIFE_DAYS_AT_20C
            else self._used * (SOLUTION_LIFE_DAYS_AT_20C / life_days_at_20c),
            counted_to=self._counted_to,
            temperature_c=self._temperature_c,
            default_temperature_c=self._default_temperature_c,
            life_days_at_20c=life_days_at_20c,
        )

    def to_state(self) -> dict[str, Any]:
        """What `from_state` needs to go on after a restart (plain JSON values)."""
        return {
            "filled_at": self._filled_at.isoformat(),
            "used": self._used,
            "counted_to": self._counted_to.isoformat(),
            "temperature_c": self._temperature_c,
            "latest_at": None
            if self._latest_at is None
            else self._latest_at.isoformat(),
        }

    @classmethod
    def from_state(
        cls, state: Mapping[str, Any], *, default_temperature_c: float = 20.0
    ) -> SolutionAgeAccumulator:
        """An accumulator going on from what `to_state` gave."""
        accumulator = cls(
            filled_at=datetime.fromisoformat(state["filled_at"]),
            default_temperature_c=default_temperature_c,
        )
        accumulator._used = float(state["used"])
        accumulator._counted_to = _utc(datetime.fromisoformat(state["counted_to"]))
        accumulator._temperature_c = state.get("temperature_c")
        latest = state.get("latest_at")
        accumulator._latest_at = (
            None if latest is None else _utc(datetime.fromisoformat(latest))
        )
        return accumulator


def maintenance_due(
    tasks: Iterable[MaintenanceTask], now: datetime
) -> tuple[MaintenanceDue, ...]:
    """Return when each scheduled chore is due, soonest first.

    A chore never done is due now (listed first); one with an interval of 0
    days or less is not scheduled and left out. A chore is due from
    last_done + interval onwards.
    """
    result: list[MaintenanceDue] = []
    for task in tasks:
        if task.interval_days <= 0:
            continue
        if task.last_done is None:
            result.append(
                MaintenanceDue(kind=task.kind, due_at=None, due=True, overdue_days=0.0)
            )
            continue
        due_at = task.last_done + timedelta(days=task.interval_days)
        late_s = (now - due_at).total_seconds()
        result.append(
            MaintenanceDue(
                kind=task.kind,
                due_at=due_at,
                due=late_s >= 0,
                overdue_days=max(0.0, late_s / _SECONDS_PER_DAY),
            )
        )
    # never-done chores sort before any date
    result.sort(key=lambda item: (item.due_at is not None, item.due_at or now))
    return tuple(result)


def water_balance(
    readings: Iterable[Reading],
    *,
    now: datetime,
    volume_l: float,
    unit: LevelUnit = LevelUnit.LITRES,
    noise_l: float | None = None,
    window_days: float = 7.0,
    min_hours: float = 12.0,
    reserve_l: float = 0.0,
) -> WaterBalance:
    """Return water use per day and days until empty from a level history.

    Readings (litres, or % of `volume_l`) within `window_days` before `now`
    are taken in time order against a reference level: a fall of at least
    `noise_l` (default 2 % of the volume, about a level sensor's jitter) counts
    as use and moves the reference; a rise of at least `noise_l` is a refill
    (not negative use): it moves the reference and the time since the reading
    before it is left out, as the use in it is unknown; smaller moves count for
    nothing. Use per day = use / counted days; gaps without a refill count
    normally, since the level difference across them is real. Days until empty
    = (latest level - `reserve_l`) / use per day, never negative. With fewer
    than `min_hours` of counted time there is no figure (`not_enough_data`);
    with no use, `no_use`.

    `LevelLog` gives the same figures from readings added as they arrive.

    Raises:
        FarmError: `invalid_volume` unless the volume is positive.
    """
    _check_volume(volume_l)
    scale = volume_l / 100 if unit is LevelUnit.PERCENT else 1.0
    now_utc = _utc(now)
    oldest = now_utc - timedelta(days=window_days)
    isfinite = math.isfinite
    points = sorted(
        (at, value * scale)
        for at, value in readings
        if oldest <= at <= now_utc and isfinite(value)
    )
    if not points:
        return _balance_of(None, used_l=0.0, counted_s=0.0, refills=0)
    reference = points[0][1]
    previous_at = points[0][0]
    used_l = 0.0
    counted_s = 0.0
    refills = 0
    threshold_l = noise_l if noise_l is not None else 0.02 * volume_l
    # The same walk as LevelLog.balance, over datetimes here.
    for at, level in points[1:]:
        step_s = (at - previous_at).total_seconds()
        previous_at = at
        if level >= reference + threshold_l:
            refills += 1
            reference = level
            continue
        counted_s += step_s
        if level <= reference - threshold_l:
            used_l += reference - level
            reference = level
    return _balance_of(
        points[-1][1],
        used_l=used_l,
        counted_s=counted_s,
        refills=refills,
        min_hours=min_hours,
        reserve_l=reserve_l,
    )


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_US_PER_SECOND = 1_000_000


def _microseconds(at: datetime) -> int:
    """Microseconds since the Unix epoch: exact, unlike a float timestamp."""
    return (at - _EPOCH) // _MICROSECOND


def _check_volume(volume_l: float) -> None:
    """Refuse a tank volume that is not a positive number of litres."""
    if not math.isfinite(volume_l) or volume_l <= 0:
        raise FarmError("invalid_volume", volume_l=volume_l)


def _balance_of(
    level_l: float | None,
    *,
    used_l: float,
    counted_s: float,
    refills: int,
    min_hours: float = 12.0,
    reserve_l: float = 0.0,
) -> WaterBalance:
    """The water balance from the walk over the levels (see `water_balance`)."""
    if level_l is None or counted_s < min_hours * 3600:
        return WaterBalance(
            use_l_per_day=None,
            days_until_empty=None,
            level_l=level_l,
            refills=refills,
            reason=BalanceReason.NOT_ENOUGH_DATA,
        )
    use_per_day = used_l / (counted_s / _SECONDS_PER_DAY)
    if use_per_day <= 0:
        return WaterBalance(
            use_l_per_day=0.0,
            days_until_empty=None,
            level_l=level_l,
            refills=refills,
            reason=BalanceReason.NO_USE,
        )
    return WaterBalance(
        use_l_per_day=use_per_day,
        days_until_empty=max(0.0, (level_l - reserve_l) / use_per_day),
        level_l=level_l,
        refills=refills,
        reason=BalanceReason.OK,
    )


class LevelLog:
    """A tank's recent level readings in time order, for its water balance.

    `water_balance` filters, converts and sorts the whole history whenever it
    is asked; the live farm instead adds each level reading as it arrives,
    and `balance(now)` works on readings already in order (a level history
    slides with `now`, so the balance itself is worked out anew each time).
    Readings more than `window_days` older than the latest one can never
    count again and are dropped. The figures equal `water_balance` over the
    same readings with the same volume, unit and window.
    """

    __slots__ = ("_gaps_s", "_levels_l", "_scale", "_stamps_us", "_volume_l", "_window")

    def __init__(
        self,
        *,
        volume_l: float,
        unit: LevelUnit = LevelUnit.LITRES,
        window_days: float = 7.0,
    ) -> None:
        """Start an empty log for a tank of `volume_l` litres.

        Raises:
            FarmError: `invalid_volume` unless the volume is positive.
        """
        _check_volume(volume_l)
        self._volume_l = volume_l
        self._scale = volume_l / 100 if unit is LevelUnit.PERCENT else 1.0
        self._window = timedelta(days=window_days)
        self._stamps_us: list[int] = []
        self._levels_l: list[float] = []
        # seconds since the reading before (0 for the first one held)
        self._gaps_s: list[float] = []

    def __len__(self) -> int:
        """The number of readings held."""
        return len(self._levels_l)

    @property
    def level_l(self) -> float | None:
        """The latest level in litres, if any."""
        return self._levels_l[-1] if self._levels_l else None

    def add(self, at: datetime, value: float) -> None:
        """Add the next level reading (in the log's unit), later than the last.

        Non-finite values (an unavailable sensor) are ignored.

        Raises:
            FarmError: `readings_out_of_order` for a reading no later than the
                latest one.
        """
        if not math.isfinite(value):
            return
        stamp_us = _microseconds(at)
        stamps = self._stamps_us
        if stamps and stamp_us <= stamps[-1]:
            raise FarmError("readings_out_of_order", at=at.isoformat())
        # timedelta.total_seconds() of the gap, without making the timedelta
        self._gaps_s.append((stamp_us - stamps[-1]) / _US_PER_SECOND if stamps else 0.0)
        stamps.append(stamp_us)
        self._levels_l.append(value * self._scale)
        # what lies a whole window before this reading never counts again
        expired = bisect_left(
            stamps, _microseconds(_utc(at) - self._window), hi=len(stamps) - 1
        )
        if expired:
            del stamps[:expired]
            del self._levels_l[:expired]
            del self._gaps_s[:expired]

    def balance(
        self,
        now: datetime,
        *,
        noise_l: float | None = None,
        min_hours: float = 12.0,
        reserve_l: float = 0.0,
    ) -> WaterBalance:
        """The water balance at `now`, as `water_balance` gives it.

        Raises:
            FarmError: `reading_after_now` when a reading added is later than `now`.
        """
        now_us = _microseconds(now)
        stamps = self._stamps_us
        if stamps and stamps[-1] > now_us:
            raise FarmError(
                "reading_after_now",
                at=(_EPOCH + stamps[-1] * _MICROSECOND).isoformat(),
                now=now.isoformat(),
            )
        first = bisect_left(stamps, _microseconds(_utc(now) - self._window))
        levels = self._levels_l
        if first == len(levels):
            return _balance_of(None, used_l=0.0, counted_s=0.0, refills=0)
        reference = levels[first]
        used_l = 0.0
        counted_s = 0.0
        refills = 0
        threshold_l = noise_l if noise_l is not None else 0.02 * self._volume_l
        # The same walk as water_balance, over gaps worked out as readings arrived.
        for step_s, level in zip(
            self._gaps_s[first + 1 :], levels[first + 1 :], strict=True
        ):
            if level >= reference + threshold_l:
                refills += 1
                reference = level
                continue
            counted_s += step_s
            if level <= reference - threshold_l:
                used_l += reference - level
                reference = level
        return _balance_of(
            levels[-1],
            used_l=used_l,
            counted_s=counted_s,
            refills=refills,
            min_hours=min_hours,
            reserve_l=reserve_l,
        )


def probe_status(
    kind: ProbeKind,
    latest: Reading | None,
    *,
    now: datetime,
    previous: Reading | None = None,
    max_age: timedelta = timedelta(hours=1),
    plausible: TargetRange | None = None,
    max_jump: float | None = None,
) -> ProbeStatus:
    """Return whether a probe's latest reading may drive an action.

    Checked in order: a reading exists; it is not older than `max_age`
    (exactly `max_age` is still fresh); it is finite and within `plausible`
    (default by kind: EC 0-10 mS/cm, pH 0-14, water 0-50 C, level >= 0); it
    differs from the `previous` reading by no more than `max_jump` (default by
    kind: EC 1.0 mS/cm, pH 1.0, 5 C; levels unchecked). A real step change,
    such as a fresh fill, is held back for one reading only: the next one
    agrees with it. Pass no `previous` right after a logged fill or dose.
    """
    if latest is None:
        return ProbeStatus(usable=False, reason=ProbeReason.NO_READING, value=None)
    at, value = latest
    if now - at > max_age:
        return ProbeStatus(usable=False, reason=ProbeReason.STALE, value=value)
    band = plausible if plausible is not None else PLAUSIBLE_RANGES[kind]
    if not math.isfinite(value) or not band.contains(value):
        return ProbeStatus(usable=False, reason=ProbeReason.OUT_OF_RANGE, value=value)
    jump = max_jump if max_jump is not None else MAX_JUMPS[kind]
    if previous is not None and jump is not None and abs(value - previous[1]) > jump:
        return ProbeStatus(usable=False, reason=ProbeReason.SUDDEN_JUMP, value=value)
    return ProbeStatus(usable=True, reason=ProbeReason.OK, value=value)
