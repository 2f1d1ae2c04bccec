"""Tank alerts with hysteresis: when an excursion starts, and when it has ended.

An alert of a kind fires once when its excursion starts (past the start
bound) and is not fired again until the excursion has ended (back inside the
end bound, which lies a margin inside the start bound), so a reading that
hovers at a bound does not fire again and again.

Units: EC in mS/cm (deviation in % of target), temperatures in degrees
Celsius, volumes in litres.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from .tanks import (
    LEVEL_LOW_FRACTION,
    WATER_MAX_C,
    WATER_MIN_C,
    Deviation,
    DeviationDirection,
    DeviationLevel,
)

# An alert starts where the tank shows the problem (its EC deviation past the
# warning level, its level low) and ends a margin inside that bound.
EC_ALERT_END = 15.0  # % from target (the warning level is 20 %)
LEVEL_ALERT_END = 0.25  # fraction of the volume (low is under 0.2)
WATER_TEMP_MARGIN = 0.5  # C inside the limits before a temperature alert ends
PH_MARGIN = 0.1  # pH inside the range before a pH alert ends


class AlertKind(StrEnum):
    """The kinds of `vertical_farm_tank_alert`."""

    EC_LOW = "ec_low"
    EC_HIGH = "ec_high"
    PH_LOW = "ph_low"
    PH_HIGH = "ph_high"
    LEVEL_LOW = "level_low"
    TEMPERATURE = "temperature"
    PROBE_STALE = "probe_stale"


@dataclass(frozen=True, kw_only=True, slots=True)
class AlertCheck:
    """One kind of excursion as the readings stand now."""

    kind: AlertKind
    starts: bool  # past the start bound: an alert begins if none is active
    continues: bool  # past the end bound: an active alert goes on
    value: float | None = None
    target: float | None = None
    # pH only: "range" (outside the band), "critical" (beyond the margin) or "drift"
    reason: str | None = None
    drift_per_day: float | None = None

    @property
    def key(self) -> str:
        """What the alert's state is kept under: one per kind and reason."""
        if self.reason is None:
            return self.kind  # a StrEnum: the kind's own text
        return f"{self.kind}_{self.reason}"


@dataclass(frozen=True, kw_only=True, slots=True)
class TankReadings:
    """What a tank's alerts are judged from (usable readings only)."""

    ec_deviation: Deviation | None = None
    ec: float | None = None
    target_ec: float | None = None
    ph: float | None = None
    ph_low: float | None = None  # the plants' pH range
    ph_high: float | None = None
    target_ph: float | None = None
    level_l: float | None = None
    volume_l: float = 0.0
    water_c: float | None = None
    stale: bool = False
    # pH beyond the band by more than this is critical (None: not judged)
    ph_critical_margin: float | None = None
    ph_drift_per_day: float | None = None  # None: not enough readings
    ph_drift_alert: float = 0.5  # pH units per day that start a drift alert
    ph_drift_end: float = 0.4  # and below which it ends


def _wanted(
    kinds: Collection[AlertKind] | None,
    kind: AlertKind,
    other: AlertKind | None = None,
) -> bool:
    """Whether a kind (with its other side: low and high go together) is checked."""
    return kinds is None or kind in kinds or (other is not None and other in kinds)


def tank_alert_checks(
    readings: TankReadings, kinds: Collection[AlertKind] | None = None
) -> list[AlertCheck]:
    """Every excursion a tank can be in, judged from its readings.

    Kinds whose inputs are missing are left out (an active alert of such a
    kind stays as it is until its input is back), and so are kinds not in
    `kinds` when it is given (their inputs are known not to have changed).
    """
    checks: list[AlertCheck] = []
    deviation = readings.ec_deviation
    if deviation is not None and _wanted(kinds, AlertKind.EC_LOW, AlertKind.EC_HIGH):
        size = abs(deviation.percent)
        # the deviation's own level: exactly 20 % (or float noise of it) is ok
        beyond = deviation.level is not DeviationLevel.OK
        for kind, direction in (
            (AlertKind.EC_LOW, DeviationDirection.LOW),
            (AlertKind.EC_HIGH, DeviationDirection.HIGH),
        ):
            side = deviation.direction is direction
            checks.append(
                AlertCheck(
                    kind=kind,
                    starts=side and beyond,
                    continues=side and size > EC_ALERT_END,
                    value=readings.ec,
                    target=readings.target_ec,
                )
            )
    ph = readings.ph
    if (
        ph is not None
        and readings.ph_low is not None
        and readings.ph_high is not None
        and _wanted(kinds, AlertKind.PH_LOW, AlertKind.PH_HIGH)
    ):
        checks.append(
            AlertCheck(
                kind=AlertKind.PH_LOW,
                starts=ph < readings.ph_low,
                continues=ph < readings.ph_low + PH_MARGIN,
                value=ph,
                target=readings.target_ph,
            )
        )
        checks.append(
            AlertCheck(
                kind=AlertKind.PH_HIGH,
                starts=ph > readings.ph_high,
                continues=ph > readings.ph_high - PH_MARGIN,
                value=ph,
                target=readings.target_ph,
            )
        )
        checks.extend(_ph_extremes(readings, ph, readings.ph_low, readings.ph_high))
    level = readings.level_l
    if (
        level is not None
        and readings.volume_l > 0
        and _wanted(kinds, AlertKind.LEVEL_LOW)
    ):
        checks.append(
            AlertCheck(
                kind=AlertKind.LEVEL_LOW,
                starts=level < LEVEL_LOW_FRACTION * readings.volume_l,
                continues=level < LEVEL_ALERT_END * readings.volume_l,
                value=level,
            )
        )
    water = readings.water_c
    if water is not None and _wanted(kinds, AlertKind.TEMPERATURE):
        checks.append(
            AlertCheck(
                kind=AlertKind.TEMPERATURE,
                starts=not WATER_MIN_C <= water <= WATER_MAX_C,
                continues=not (
                    WATER_MIN_C + WATER_TEMP_MARGIN
                    <= water
                    <= WATER_MAX_C - WATER_TEMP_MARGIN
                ),
                value=water,
            )
        )
    if _wanted(kinds, AlertKind.PROBE_STALE):
        checks.append(
            AlertCheck(
                kind=AlertKind.PROBE_STALE,
                starts=readings.stale,
                continues=readings.stale,
            )
        )
    return checks


def _ph_extremes(
    readings: TankReadings, ph: float, low: float, high: float
) -> list[AlertCheck]:
    """A critical pH (beyond the band by more than the margin) and a fast drift.

    Each is its own alert of kind `ph_low` / `ph_high`, so a pH that goes
    from a warning to critical alerts again, and a drift alerts before the
    pH leaves the band.
    """
    checks: list[AlertCheck] = []
    margin = readings.ph_critical_margin
    if margin is not None:
        for kind, beyond in (
            (AlertKind.PH_LOW, low - ph),
            (AlertKind.PH_HIGH, ph - high),
        ):
            checks.append(
                AlertCheck(
                    kind=kind,
                    starts=beyond > margin,
                    continues=beyond > margin - PH_MARGIN,
                    value=ph,
                    target=readings.target_ph,
                    reason="critical",
                )
            )
    drift = readings.ph_drift_per_day
    if drift is not None:
        for kind, rate in ((AlertKind.PH_LOW, -drift), (AlertKind.PH_HIGH, drift)):
            checks.append(
                AlertCheck(
                    kind=kind,
                    starts=rate > readings.ph_drift_alert,
                    continues=rate > readings.ph_drift_end,
                    value=ph,
                    target=readings.target_ph,
                    reason="drift",
                    drift_per_day=drift,
                )
            )
    return checks


def step_alerts(
    active: Mapping[str, bool], checks: Iterable[AlertCheck]
) -> tuple[dict[str, bool], list[AlertCheck]]:
    """The alerts active after these checks, and the ones that start now."""
    after = dict(active)
    started: list[AlertCheck] = []
    for check in checks:
        key = check.key
        if after.get(key):
            if not check.continues:
                after[key] = False
        elif check.starts:
            after[key] = True
            started.append(check)
    return after, started
