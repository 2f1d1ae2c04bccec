"""The tank chemistry a mix plan adds: water blend, CalMag, pH adjustment, top-up, ceiling.

`mix_nutrients` (services.py) calls `plan_mix` with what the caller gave and
the live farm's defaults (tap water, the tank's targets, level and EC probe);
the engines do the maths (engine/nutrients.py, engine/chemistry.py). Every
figure in the answer is rounded as `figures.py` says.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

from .engine import chemistry, nutrients
from .engine.errors import FarmError
from .engine.profiles import Fertilizer, FertilizerKind, Phase, TankType
from .farm import Farm
from .figures import (
    EC_DIGITS,
    LITRES_DIGITS,
    ML_DIGITS,
    ML_PER_L_DIGITS,
    PERCENT_DIGITS,
    PH_DIGITS,
    rounded,
)

# The pH adjusters a mix uses when neither the call nor the recipe names one.
DEFAULT_PH_DOWN = "ph_down_phosphoric"
DEFAULT_PH_UP = "ph_up_potassium"


@dataclass(frozen=True, kw_only=True, slots=True)
class MixRequest:
    """What a `mix_nutrients` call asks for, defaults filled in."""

    tank_id: str
    lines: tuple[nutrients.RecipeLine, ...]
    target_ec: float
    base_ec: float
    volume_l: float
    start_ph: float | None  # None: the farm's tap water
    target_ph: float | None  # None: the tank's target
    alkalinity_ppm: float | None  # None: the farm's
    ph_adjuster: str | None  # library key; None: the recipe's or the default
    level_l: float | None  # None: the level sensor
    current_ec: float | None  # None: the EC probe
    calcium_mg_l: float | None  # tap water; None: not known
    magnesium_mg_l: float | None


def tank_phases(farm: Farm, tank_id: str) -> dict[str, Phase]:
    """The phases of the plants a tank feeds now, by plant id."""
    return {
        plant.id: state.phase
        for plant in farm.config.plants_on_tank(tank_id)
        if (state := farm.views.phase_state(plant.id)) is not None
    }


def _check_conflict_ceiling(
    farm: Farm,
    request: MixRequest,
    phases: Mapping[str, Phase],
    ceiling: chemistry.EcCeiling | None,
) -> None:
    """Refuse a target EC that burns the tender plants of a tank in conflict.

    A tank whose plants want EC ranges that do not meet keeps the window most
    of them want as its target (`tanks.tank_targets`). When that target is
    above the ceiling of its most tender plants (`chemistry.ec_ceiling`), the
    two rules cannot both hold: no mix above the ceiling is planned, and the
    refusal says the plants conflict, names the ones that would burn, and the
    way out (move them to another tank, or give a target EC at most the
    ceiling). Checked before the products: no recipe makes such a mix right.

    Raises:
        FarmError: `ec_conflict_above_ceiling`.
    """
    targets = farm.views.tank(request.tank_id).targets
    if (
        ceiling is None
        or not targets.ec_conflict
        or targets.ec is None
        or targets.ec_target is None
        or not chemistry.above_ceiling(targets.ec_target, ceiling)
        or not chemistry.above_ceiling(request.target_ec, ceiling)
    ):
        return
    plants = farm.config.plants
    burned = chemistry.tender_plants(
        request.target_ec,
        ceiling.system,
        phases,
        farm.library.water.ec_ceilings,
    )
    raise FarmError(
        "ec_conflict_above_ceiling",
        tank=farm.config.tanks[request.tank_id].name,
        ec_low=rounded(targets.ec.low, EC_DIGITS),
        ec_high=rounded(targets.ec.high, EC_DIGITS),
        tank_target_ec=rounded(targets.ec_target, EC_DIGITS),
        target_ec=rounded(request.target_ec, EC_DIGITS),
        plants=", ".join(sorted(plants[plant_id].name for plant_id in burned)),
        phase=str(ceiling.phase),
        system=str(ceiling.system),
        ceiling=rounded(ceiling.ec, EC_DIGITS),
    )


def _blend(farm: Farm, request: MixRequest) -> chemistry.WaterBlend | None:
    """The RO/tap blend whose EC is the base EC, when the farm has an RO unit."""
    settings = farm.settings
    water = farm.library.water
    if settings.ro_ec is None:
        return None
    try:
        return chemistry.water_blend(
            request.base_ec,
            ro_ec=settings.ro_ec,
            tap_ec=settings.tap_ec,
            volume_l=request.volume_l,
            tap_alkalinity_ppm=request.alkalinity_ppm
            if request.alkalinity_ppm is not None
            else settings.alkalinity,
            tap_calcium_mg_l=request.calcium_mg_l
            if request.calcium_mg_l is not None
            else water.tap_calcium_mg_l,
            tap_magnesium_mg_l=request.magnesium_mg_l
            if request.magnesium_mg_l is not None
            else water.tap_magnesium_mg_l,
        )
    except FarmError:
        return None  # a base EC no blend of these waters gives: the caller's own water


def _calmag(
    farm: Farm,
    request: MixRequest,
    blend: chemistry.WaterBlend | None,
) -> tuple[tuple[nutrients.RecipeLine, ...], dict[str, Any] | None]:
    """The recipe with its CalMag dosed for the water's own calcium and magnesium.

    Applies when the water is known: an RO share in the blend, the tap
    water's Ca or Mg given, or a CalMag without a recipe dose (then the tap
    water is assumed moderately hard, as the library says). The recipe dose,
    if any, is the most it doses.
    """
    water = farm.library.water
    given = request.calcium_mg_l is not None or request.magnesium_mg_l is not None
    lines = list(request.lines)
    for index, line in enumerate(lines):
        product = line.fertilizer
        known = product.calcium_mg_per_ml or product.magnesium_mg_per_ml
        if product.kind is not FertilizerKind.CALMAG or not known:
            continue
        blended = blend is not None and blend.ro_share > 0
        if not (given or blended or line.ml_per_l is None):
            continue
        if blend is not None:
            calcium, magnesium = blend.calcium_mg_l, blend.magnesium_mg_l
        else:
            calcium = (
                request.calcium_mg_l
                if request.calcium_mg_l is not None
                else water.tap_calcium_mg_l
            )
            magnesium = (
                request.magnesium_mg_l
                if request.magnesium_mg_l is not None
                else water.tap_magnesium_mg_l
            )
        dose = chemistry.calmag_dose(
            product,
            calcium_mg_l=calcium,
            magnesium_mg_l=magnesium,
            target_calcium_mg_l=water.calmag_calcium_mg_l,
            target_magnesium_mg_l=water.calmag_magnesium_mg_l,
            max_ml_per_l=line.ml_per_l
            if line.ml_per_l is not None
            else product.max_ml_per_l,
        )
        lines[index] = replace(line, ml_per_l=dose.ml_per_l)
        return tuple(lines), {
            "fertilizer": product.key,
            "ml_per_l": rounded(dose.ml_per_l, ML_PER_L_DIGITS),
            "water_calcium_mg_l": rounded(calcium, 1),
            "water_magnesium_mg_l": rounded(magnesium, 1),
            "calcium_mg_l": rounded(dose.calcium_mg_l, 1),
            "magnesium_mg_l": rounded(dose.magnesium_mg_l, 1),
            "target_calcium_mg_l": water.calmag_calcium_mg_l,
            "target_magnesium_mg_l": water.calmag_magnesium_mg_l,
            "tap_assumed": not given,
        }
    return request.lines, None


def _adjuster(farm: Farm, request: MixRequest, kind: FertilizerKind) -> Fertilizer:
    """The pH adjuster to dose: the one named, the recipe's, or the default.

    Raises:
        FarmError: `unknown_fertilizer`; `not_a_ph_adjuster` (param
            `fertilizer`) for a product that is no pH adjuster of known strength.
    """
    library = farm.library.fertilizers
    if request.ph_adjuster is not None:
        named = library.get(request.ph_adjuster)
        if named is None:
            raise FarmError("unknown_fertilizer", fertilizer=request.ph_adjuster)
        if named.kind is not kind or not named.strength_meq_per_ml:
            raise FarmError("not_a_ph_adjuster", fertilizer=named.key, kind=str(kind))
        return named
    for line in request.lines:
        if line.fertilizer.kind is kind and line.fertilizer.strength_meq_per_ml:
            return line.fertilizer
    return library[DEFAULT_PH_DOWN if kind is FertilizerKind.PH_DOWN else DEFAULT_PH_UP]


def _ph(
    farm: Farm,
    request: MixRequest,
    blend: chemistry.WaterBlend | None,
    target_ph: float | None,
) -> tuple[dict[str, Any] | None, float]:
    """The pH adjustment of the fresh water, and the EC it adds (the reserve).

    Raises:
        FarmError: as `_adjuster`; `ph_out_of_model_range` for a pH the caller gave.
    """
    settings = farm.settings
    if target_ph is None:
        return None, 0.0
    start = request.start_ph if request.start_ph is not None else settings.tap_ph
    if blend is not None:
        alkalinity = blend.alkalinity_ppm
    elif request.alkalinity_ppm is not None:
        alkalinity = request.alkalinity_ppm
    else:
        alkalinity = settings.alkalinity
    kind = FertilizerKind.PH_DOWN if target_ph < start else FertilizerKind.PH_UP
    adjuster = _adjuster(farm, request, kind)
    try:
        adjustment = nutrients.ph_adjustment(
            start,
            target_ph,
            alkalinity_ppm=alkalinity,
            strength_meq_per_ml=adjuster.strength_meq_per_ml or 0.0,
            volume_l=request.volume_l,
        )
    except FarmError:
        if request.start_ph is not None or request.target_ph is not None:
            raise
        return None, 0.0  # the farm's tap pH is outside the model: no estimate
    reserve = chemistry.ph_reserve_ec(adjustment, adjuster)
    direction = adjustment.direction
    return {
        "direction": str(direction),
        "fertilizer": None if direction is nutrients.PhDirection.NONE else adjuster.key,
        "from_ph": rounded(start, PH_DIGITS),
        "to_ph": rounded(target_ph, PH_DIGITS),
        "alkalinity": rounded(alkalinity, 1),
        "meq_per_l": rounded(adjustment.meq_per_l, 3),
        "ml_per_l": rounded(adjustment.ml_per_l, ML_PER_L_DIGITS),
        "ml_total": rounded(adjustment.ml_total, ML_DIGITS),
        "ec_reserve": rounded(reserve, 3),
    }, reserve


def _steps(plan: nutrients.MixPlan, volume_l: float) -> list[dict[str, Any]]:
    names = {dose.fertilizer.key: dose.fertilizer.name for dose in plan.doses}
    return [
        {
            "order": step.order,
            "fertilizer": step.fertilizer,
            "name": names[step.fertilizer],
            "ml_per_l": rounded(step.ml_per_l, ML_PER_L_DIGITS),
            "ml_total": rounded(step.ml_total, ML_DIGITS),
        }
        for step in nutrients.mixing_steps(plan.doses, volume_l)
    ]


def _top_up(
    farm: Farm,
    request: MixRequest,
    lines: Sequence[nutrients.RecipeLine],
    reserve_ec: float,
) -> dict[str, Any] | None:
    """How to bring the tank from its level and EC now back to full at the target.

    None while the level or the EC is unknown. The steps: for a top-up, the
    added water pre-mixed to the EC it must have; for a full tank, the base
    parts dosed in place; none when only water may go in (diluting).
    """
    view = farm.views.tank(request.tank_id)
    level_l = request.level_l if request.level_l is not None else view.level_l
    current_ec = request.current_ec if request.current_ec is not None else view.ec
    if level_l is None or current_ec is None:
        return None
    volume_l = farm.config.tanks[request.tank_id].volume_l
    plan = nutrients.top_up_plan(
        volume_l=volume_l,
        level_l=level_l,
        current_ec=current_ec,
        target_ec=request.target_ec,
        base_ec=request.base_ec,
    )
    steps: list[dict[str, Any]] = []
    reachable = True
    try:
        if plan.reason in (nutrients.TopUpReason.FILL, nutrients.TopUpReason.TOP_UP):
            if plan.add_ec > request.base_ec + reserve_ec + 1e-9:
                mix = nutrients.mix_plan(
                    lines,
                    target_ec=plan.add_ec,
                    base_ec=request.base_ec,
                    volume_l=plan.add_l,
                    reserve_ec=reserve_ec,
                )
                steps = _steps(mix, plan.add_l)
        elif plan.reason is nutrients.TopUpReason.FULL and plan.ec_rise > 1e-9:
            # the silicate and CalMag are in already: only what carries the EC
            base_parts = [
                line
                for line in lines
                if line.fertilizer.kind not in nutrients.FIXED_DOSE_KINDS
                and line.fertilizer.ec_per_ml > 0
            ]
            mix = nutrients.mix_plan(
                base_parts,
                target_ec=request.target_ec,
                base_ec=plan.ec_after_water,
                volume_l=volume_l,
            )
            steps = _steps(mix, volume_l)
    except FarmError:
        reachable = False  # the products cannot make this correction within their caps
    return {
        "reason": str(plan.reason),
        "level_l": rounded(min(level_l, volume_l), LITRES_DIGITS),
        "level_percent": rounded(
            chemistry.level_percent(min(level_l, volume_l), volume_l), PERCENT_DIGITS
        ),
        "current_ec": rounded(current_ec, EC_DIGITS),
        "add_l": rounded(plan.add_l, LITRES_DIGITS),
        "drain_l": rounded(plan.drain_l, LITRES_DIGITS),
        "add_ec": rounded(plan.add_ec, EC_DIGITS),
        "ec_after_water": rounded(plan.ec_after_water, EC_DIGITS),
        "ec_rise": rounded(plan.ec_rise, EC_DIGITS),
        "reachable": reachable,
        "steps": steps,
    }


def plan_mix(farm: Farm, request: MixRequest) -> dict[str, Any]:
    """The mix plan's answer: steps, expected EC and warnings, with the tank chemistry.

    Raises:
        FarmError: as `_check_conflict_ceiling`, first; as `_ph`; as
            `nutrients.mix_plan`; `ec_above_ceiling` for a target the most
            tender plant on the tank would not stand.
    """
    tank = farm.config.tanks[request.tank_id]
    view = farm.views.tank(request.tank_id)
    phases = tank_phases(farm, request.tank_id)
    ceiling = chemistry.ec_ceiling(
        tank.system, phases.values(), farm.library.water.ec_ceilings
    )
    _check_conflict_ceiling(farm, request, phases, ceiling)
    blend = _blend(farm, request)
    lines, calmag = _calmag(farm, request, blend)
    target_ph = request.target_ph if request.target_ph is not None else view.target_ph
    ph, reserve = _ph(farm, request, blend, target_ph)
    plan = nutrients.mix_plan(
        lines,
        target_ec=request.target_ec,
        base_ec=request.base_ec,
        volume_l=request.volume_l,
        recirculating=tank.tank_type in (TankType.RECIRCULATION, TankType.NUTRIENT),
        ec_conflict=view.targets.ec_conflict,
        reserve_ec=reserve,
    )
    chemistry.check_ec_ceiling(request.target_ec, ceiling)
    return {
        "steps": _steps(plan, request.volume_l),
        "expected_ec": rounded(plan.expected_ec, EC_DIGITS),
        "warnings": [
            {
                "code": str(warning.code),
                "fertilizer": warning.fertilizer,
                "other": warning.other,
            }
            for warning in plan.warnings
        ],
        "ec_ceiling": None
        if ceiling is None
        else {"ec": ceiling.ec, "phase": str(ceiling.phase)},
        "water": None
        if blend is None
        else {
            "ro_share": rounded(blend.ro_share, 3),
            "ro_l": rounded(blend.ro_l, LITRES_DIGITS),
            "tap_l": rounded(blend.tap_l, LITRES_DIGITS),
            "alkalinity": rounded(blend.alkalinity_ppm, 1),
        },
        "calmag": calmag,
        "ph_adjustment": ph,
        "top_up": _top_up(farm, request, lines, reserve),
    }


def runoff_answer(analysis: chemistry.RunoffAnalysis) -> Mapping[str, Any]:
    """A runoff analysis as plain JSON values."""
    return {
        "runoff_percent": rounded(analysis.runoff_percent, PERCENT_DIGITS),
        "ec_change_percent": rounded(analysis.ec_change_percent, PERCENT_DIGITS),
        "ph_change": rounded(analysis.ph_change, PH_DIGITS),
        "salt_in_g": rounded(analysis.salt_in_g, 1),
        "salt_out_g": rounded(analysis.salt_out_g, 1),
        "salt_retained_g": rounded(analysis.salt_retained_g, 1),
        "salt_build_up": chemistry.RunoffFinding.SALT_BUILD_UP in analysis.findings,
        "findings": [str(finding) for finding in analysis.findings],
        "verdict": str(analysis.verdict),
    }
