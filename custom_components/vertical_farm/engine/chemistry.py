"""Tank chemistry: EC ceilings, water blends and CalMag, pH levels and drift, runoff, fill levels.

Units: EC in mS/cm, calcium and magnesium in mg/L (or mg per ml of product),
alkalinity in ppm (mg/L) as CaCO3, volumes in litres, pH drift in pH units
per day. Reference figures (ceilings, margins, CalMag targets) come from the
library (`WaterChemistry`) and are passed in.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
import math

from .errors import FarmError
from .nutrients import PhAdjustment, PhDirection, ro_share
from .profiles import Fertilizer, Phase, System
from .tanks import TargetRange

_SECONDS_PER_DAY = 86_400.0
# 1 mS/cm of a nutrient solution is about 640 mg/L of dissolved salts (the
# usual conversion; real solutions fall between 0.5 and 0.7).
SALT_G_PER_L_PER_MS_CM = 0.64
# Runoff share a grower aims for with coco, rockwool or pots: enough to carry
# surplus salts out, not so much that feed is wasted.
RUNOFF_MIN_PERCENT = 10.0
RUNOFF_MAX_PERCENT = 30.0
# Runoff EC more than this far (% of the input EC) above the input: salts build
# up in the root zone; as far below: the plants take up more than they are fed.
RUNOFF_EC_PERCENT = 20.0
# Runoff pH this far from the input pH: the root zone is moving away from the feed.
RUNOFF_PH_CHANGE = 0.5
# Level and volume sensors on one tank may disagree by this share of its volume
# (about two level sensors' jitter) before the mismatch is shown.
LEVEL_TOLERANCE_FRACTION = 0.05


# --- EC ceiling -----------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class EcCeiling:
    """The highest EC a tank may be mixed to, and the phase that sets it."""

    ec: float  # mS/cm
    phase: Phase
    system: System


def ec_ceiling(
    system: System,
    phases: Iterable[Phase],
    ceilings: Mapping[System, Mapping[Phase, float]],
) -> EcCeiling | None:
    """Return the lowest ceiling among the phases of the plants on a tank.

    The most tender plant rules: seedlings and a fruiting tomato on one tank
    are held to the seedling ceiling. None without plants or ceiling data.
    """
    table = ceilings.get(system, {})
    found = [(table[phase], phase) for phase in set(phases) if phase in table]
    if not found:
        return None
    ec, phase = min(found, key=lambda item: (item[0], str(item[1])))
    return EcCeiling(ec=ec, phase=phase, system=system)


def above_ceiling(ec: float, ceiling: EcCeiling | None) -> bool:
    """Return True when `ec` is above the ceiling (exactly at it is not)."""
    return ceiling is not None and ec > ceiling.ec + 1e-9


def tender_plants(
    ec: float,
    system: System,
    phases: Mapping[str, Phase],
    ceilings: Mapping[System, Mapping[Phase, float]],
) -> list[str]:
    """Return the plants (keys of `phases`, sorted) whose phase stands less than `ec`."""
    table = ceilings.get(system, {})
    return sorted(
        plant
        for plant, phase in phases.items()
        if phase in table and ec > table[phase] + 1e-9
    )


def check_ec_ceiling(target_ec: float, ceiling: EcCeiling | None) -> None:
    """Refuse a target EC above the ceiling (exactly at it is allowed).

    Raises:
        FarmError: `ec_above_ceiling` (params `target_ec`, `ceiling`, `phase`,
            `system`).
    """
    if ceiling is not None and above_ceiling(target_ec, ceiling):
        raise FarmError(
            "ec_above_ceiling",
            target_ec=target_ec,
            ceiling=ceiling.ec,
            phase=str(ceiling.phase),
            system=str(ceiling.system),
        )


# --- Water blend and CalMag ---------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class WaterBlend:
    """An RO/tap blend for a batch and what it carries."""

    ro_share: float  # 0-1
    ro_l: float
    tap_l: float
    alkalinity_ppm: float  # as CaCO3
    calcium_mg_l: float
    magnesium_mg_l: float


def water_blend(
    base_ec: float,
    *,
    ro_ec: float,
    tap_ec: float,
    volume_l: float,
    tap_alkalinity_ppm: float,
    tap_calcium_mg_l: float,
    tap_magnesium_mg_l: float,
) -> WaterBlend:
    """Return the RO/tap blend whose EC is `base_ec`, and its alkalinity, Ca and Mg.

    RO water carries next to no alkalinity, calcium or magnesium, so the
    blend has the tap water's share of each.

    Raises:
        FarmError: as `nutrients.ro_share` (`blend_out_of_range`, `invalid_ec`).
    """
    share = ro_share(base_ec, ro_ec=ro_ec, tap_ec=tap_ec)
    tap = 1 - share
    return WaterBlend(
        ro_share=share,
        ro_l=share * volume_l,
        tap_l=tap * volume_l,
        alkalinity_ppm=tap * tap_alkalinity_ppm,
        calcium_mg_l=tap * tap_calcium_mg_l,
        magnesium_mg_l=tap * tap_magnesium_mg_l,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class CalMagDose:
    """How much CalMag tops a water up to what the base nutrients expect."""

    ml_per_l: float
    calcium_mg_l: float  # in the water once dosed
    magnesium_mg_l: float
    capped: bool  # the recipe dose (or the product's cap) held it back


def calmag_dose(
    product: Fertilizer,
    *,
    calcium_mg_l: float,
    magnesium_mg_l: float,
    target_calcium_mg_l: float,
    target_magnesium_mg_l: float,
    max_ml_per_l: float,
) -> CalMagDose:
    """Return the CalMag dose that brings the water's Ca and Mg up to the targets.

    dose = max(Ca short / Ca per ml, Mg short / Mg per ml), at most
    `max_ml_per_l` (the recipe dose or the product's cap): RO water gets the
    full top-up, soft water less, hard water none. A product without a
    declared calcium or magnesium content tops up by what it has.

    Raises:
        FarmError: `calmag_content_unknown` (param `fertilizer`) for a product
            with neither content; `invalid_mineral` for a negative amount.
    """
    for value in (calcium_mg_l, magnesium_mg_l):
        if not math.isfinite(value) or value < 0:
            raise FarmError("invalid_mineral", value=value)
    calcium = product.calcium_mg_per_ml or 0.0
    magnesium = product.magnesium_mg_per_ml or 0.0
    if calcium <= 0 and magnesium <= 0:
        raise FarmError("calmag_content_unknown", fertilizer=product.key)
    wanted = max(
        max(0.0, target_calcium_mg_l - calcium_mg_l) / calcium if calcium > 0 else 0.0,
        max(0.0, target_magnesium_mg_l - magnesium_mg_l) / magnesium
        if magnesium > 0
        else 0.0,
    )
    dose = min(wanted, max_ml_per_l)
    return CalMagDose(
        ml_per_l=dose,
        calcium_mg_l=calcium_mg_l + dose * calcium,
        magnesium_mg_l=magnesium_mg_l + dose * magnesium,
        capped=wanted > max_ml_per_l,
    )


def ph_reserve_ec(adjustment: PhAdjustment, adjuster: Fertilizer) -> float:
    """Return the EC (mS/cm) a pH adjustment adds: its meq/L x the adjuster's EC per meq."""
    if adjustment.direction is PhDirection.NONE:
        return 0.0
    return adjustment.meq_per_l * adjuster.ec_per_meq


# --- pH levels and drift --------------------------------------------------------------


class PhLevel(StrEnum):
    """How far a pH is from the plants' band."""

    OK = "ok"
    WARNING = "warning"  # outside the band
    CRITICAL = "critical"  # beyond the band by more than the system's margin


def ph_level(ph: float, band: TargetRange, critical_margin: float) -> PhLevel:
    """Return ok inside the band, warning outside it, critical beyond the margin.

    Exactly at the band's edge is ok; exactly the margin beyond it is a warning.
    """
    if band.contains(ph):
        return PhLevel.OK
    beyond = band.low - ph if ph < band.low else ph - band.high
    return PhLevel.CRITICAL if beyond > critical_margin + 1e-9 else PhLevel.WARNING


def ph_drift_per_day(
    samples: Sequence[tuple[datetime, float]], *, min_hours: float = 12.0
) -> float | None:
    """Return the pH trend in pH units per day: the least-squares slope of the samples.

    A slope rather than last minus first, so one noisy reading moves it
    little. None with fewer than two samples or when they span less than
    `min_hours` (the first hours after a fill show the probe settling).
    """
    if len(samples) < 2:
        return None
    first = samples[0][0]
    days = [(at - first).total_seconds() / _SECONDS_PER_DAY for at, _ in samples]
    if (days[-1] - days[0]) * 24 < min_hours:
        return None
    mean_day = math.fsum(days) / len(days)
    mean_ph = math.fsum(value for _, value in samples) / len(samples)
    # samples span at least min_hours, so the spread is positive
    spread = math.fsum((day - mean_day) ** 2 for day in days)
    return (
        math.fsum(
            (day - mean_day) * (value - mean_ph)
            for day, (_, value) in zip(days, samples, strict=True)
        )
        / spread
    )


# --- Runoff -------------------------------------------------------------------------


class RunoffFinding(StrEnum):
    """What a runoff measurement says; the first that applies is the verdict."""

    SALT_BUILD_UP = "salt_build_up"
    UNDERFED = "underfed"
    PH_RISING = "ph_rising"
    PH_FALLING = "ph_falling"
    RUNOFF_LOW = "runoff_low"
    RUNOFF_HIGH = "runoff_high"
    OK = "ok"


@dataclass(frozen=True, kw_only=True, slots=True)
class RunoffAnalysis:
    """A watering's input against its runoff."""

    runoff_percent: float  # runoff volume / input volume x 100
    ec_change_percent: float  # (runoff EC - input EC) / input EC x 100
    ph_change: float  # runoff pH - input pH
    salt_in_g: float  # dissolved salts fed, from EC x 0.64 g/L per mS/cm
    salt_out_g: float  # dissolved salts that ran off
    salt_retained_g: float  # fed minus ran off: taken up or left in the medium
    findings: tuple[RunoffFinding, ...]  # most important first
    verdict: RunoffFinding


def analyze_runoff(
    *,
    input_ec: float,
    input_ph: float,
    input_volume_l: float,
    runoff_ec: float,
    runoff_ph: float,
    runoff_volume_l: float,
) -> RunoffAnalysis:
    """Return what a watering's runoff says about the root zone.

    Salt build-up: runoff EC more than 20 % above the input; underfed: more
    than 20 % below; pH rising or falling: runoff pH more than 0.5 from the
    input; runoff low or high: below 10 % or above 30 % of the input volume.
    The verdict is the first finding in that order, else `ok`.

    Raises:
        FarmError: `invalid_volume` unless both volumes are positive;
            `runoff_above_input` when more ran off than went in; `invalid_ec`
            unless the input EC is positive and the runoff EC not negative;
            `invalid_ph` outside 0-14.
    """
    for volume in (input_volume_l, runoff_volume_l):
        if not math.isfinite(volume) or volume <= 0:
            raise FarmError("invalid_volume", volume_l=volume)
    if runoff_volume_l > input_volume_l:
        raise FarmError(
            "runoff_above_input",
            runoff_volume_l=runoff_volume_l,
            input_volume_l=input_volume_l,
        )
    if not math.isfinite(input_ec) or input_ec <= 0:
        raise FarmError("invalid_ec", field="input_ec", value=input_ec)
    if not math.isfinite(runoff_ec) or runoff_ec < 0:
        raise FarmError("invalid_ec", field="runoff_ec", value=runoff_ec)
    for ph in (input_ph, runoff_ph):
        if not math.isfinite(ph) or not 0 <= ph <= 14:
            raise FarmError("invalid_ph", ph=ph)
    share = runoff_volume_l / input_volume_l * 100
    ec_change = (runoff_ec - input_ec) / input_ec * 100
    ph_change = runoff_ph - input_ph
    salt_in = input_ec * SALT_G_PER_L_PER_MS_CM * input_volume_l
    salt_out = runoff_ec * SALT_G_PER_L_PER_MS_CM * runoff_volume_l
    found = {
        RunoffFinding.SALT_BUILD_UP: ec_change > RUNOFF_EC_PERCENT + 1e-9,
        RunoffFinding.UNDERFED: ec_change < -RUNOFF_EC_PERCENT - 1e-9,
        RunoffFinding.PH_RISING: ph_change > RUNOFF_PH_CHANGE + 1e-9,
        RunoffFinding.PH_FALLING: ph_change < -RUNOFF_PH_CHANGE - 1e-9,
        RunoffFinding.RUNOFF_LOW: share < RUNOFF_MIN_PERCENT - 1e-9,
        RunoffFinding.RUNOFF_HIGH: share > RUNOFF_MAX_PERCENT + 1e-9,
    }
    findings = tuple(finding for finding, active in found.items() if active)
    return RunoffAnalysis(
        runoff_percent=share,
        ec_change_percent=ec_change,
        ph_change=ph_change,
        salt_in_g=salt_in,
        salt_out_g=salt_out,
        salt_retained_g=salt_in - salt_out,
        findings=findings,
        verdict=findings[0] if findings else RunoffFinding.OK,
    )


# --- Fill level ---------------------------------------------------------------------


def level_percent(litres: float, volume_l: float) -> float:
    """Return a fill level in litres as % of the tank.

    Raises:
        FarmError: `invalid_volume` unless the tank volume is positive.
    """
    if not math.isfinite(volume_l) or volume_l <= 0:
        raise FarmError("invalid_volume", volume_l=volume_l)
    return litres / volume_l * 100


@dataclass(frozen=True, kw_only=True, slots=True)
class LevelCheck:
    """A level sensor and a volume sensor on one tank, compared."""

    level_l: float
    volume_reading_l: float
    difference_l: float  # volume reading minus level, litres
    tolerance_l: float
    consistent: bool


def level_consistency(
    *,
    level_l: float,
    volume_reading_l: float,
    volume_l: float,
    tolerance_fraction: float = LEVEL_TOLERANCE_FRACTION,
) -> LevelCheck:
    """Return whether a level and a volume reading agree within 5 % of the tank.

    Exactly the tolerance apart still agrees.
    """
    difference = volume_reading_l - level_l
    tolerance = tolerance_fraction * volume_l
    return LevelCheck(
        level_l=level_l,
        volume_reading_l=volume_reading_l,
        difference_l=difference,
        tolerance_l=tolerance,
        consistent=abs(difference) <= tolerance + 1e-9,
    )
