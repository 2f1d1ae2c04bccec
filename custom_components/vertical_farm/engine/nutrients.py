"""Nutrient solution maths: recipe scaling, mixing order, EC and pH corrections.

Units: EC in mS/cm, doses in ml of product per litre of water (ml/L), volumes
in litres, alkalinity in ppm (mg/L) as CaCO3, acid or base strength in meq per
ml of product. Functions compute unrounded; the mixing steps and the plan are
what a grower reads, so they carry rounded figures (ml/L to 2 decimals, ml to
1 decimal, EC to 2 decimals).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
import math

from .errors import FarmError
from .profiles import DEFAULT_MAX_ML_PER_L, Fertilizer, FertilizerKind

# Silicate into plain water first (it precipitates with calcium and raises pH),
# CalMag before the base parts, boosters after, pH adjustment always last.
_KIND_RANK: dict[FertilizerKind, int] = {
    FertilizerKind.SILICATE: 0,
    FertilizerKind.CALMAG: 1,
    FertilizerKind.BASE: 2,
    FertilizerKind.ADDITIVE: 3,
    FertilizerKind.PH_DOWN: 4,
    FertilizerKind.PH_UP: 4,
}
_PH_KINDS = frozenset({FertilizerKind.PH_DOWN, FertilizerKind.PH_UP})
# Products that carry no EC target of their own: with a recipe dose they keep
# it (silicate for the stems, CalMag for the water) and the base parts share
# what EC is left; without one they share the EC like any other product.
FIXED_DOSE_KINDS = frozenset({FertilizerKind.SILICATE, FertilizerKind.CALMAG})

# Tolerance for float sums of EC contributions (far below any probe's resolution).
_EC_TOLERANCE = 1e-9

# EC25 linear compensation: 2 %/C is the usual probe convention for nutrient solutions.
EC_TEMPERATURE_COEFFICIENT = 0.02

# 1 meq/L of alkalinity is 50.04 mg/L as CaCO3 (half its molar mass, 100.09 g/mol).
_PPM_CACO3_PER_MEQ = 50.04
# First dissociation constant of carbonic acid at 25 C (CO2 + H2O <-> HCO3- + H+).
_CARBONIC_PKA1 = 6.35
# Below pH 4 no bicarbonate is left; above 9 carbonate (CO3 2-) takes over: outside the model.
_PH_MODEL_MIN = 4.0
_PH_MODEL_MAX = 9.0
# A grower's own product without a cap may be scaled to this many times its
# recipe dose: makers' doses are for a typical strength, and a stronger
# solution or a weaker product needs more of it.
OWN_PRODUCT_RECIPE_FACTOR = 2.0
# A pH difference smaller than this is inside a hobby probe's accuracy: nothing to dose.
_PH_TOLERANCE = 0.05


@dataclass(frozen=True, kw_only=True, slots=True)
class RecipeLine:
    """A product in a mix and the maker's dose for it."""

    fertilizer: Fertilizer
    ml_per_l: float | None = None  # recipe dose; None = no recipe, share the EC


@dataclass(frozen=True, kw_only=True, slots=True)
class Dose:
    """How much of one product goes into each litre, unrounded."""

    fertilizer: Fertilizer
    ml_per_l: float
    capped: bool = False  # limited to the product's max_ml_per_l

    @property
    def ec_ms_cm(self) -> float:
        """EC this dose adds, in mS/cm."""
        return self.ml_per_l * self.fertilizer.ec_per_ml


@dataclass(frozen=True, kw_only=True, slots=True)
class MixStep:
    """One step of mixing a tank, in the order to carry it out."""

    order: int  # 1 = first
    fertilizer: str  # fertilizer key
    ml_per_l: float  # rounded to 2 decimals
    ml_total: float  # for the whole volume, rounded to 1 decimal


class MixWarningCode(StrEnum):
    """Machine-readable mixing warnings."""

    SILICATE_NOT_FIRST = "silicate_not_first"
    CALMAG_AFTER_SULFATE = "calmag_after_sulfate"
    PH_ADJUSTER_NOT_LAST = "ph_adjuster_not_last"
    ACID_ALKALINE_TOGETHER = "acid_alkaline_together"
    NOT_TANK_SAFE = "not_tank_safe"
    DOSE_CAPPED = "dose_capped"
    # the plants on the tank want EC ranges that do not meet: the mix serves only some
    TANK_EC_CONFLICT = "tank_ec_conflict"


@dataclass(frozen=True, kw_only=True, slots=True)
class MixWarning:
    """Something unsafe or noteworthy about a mix."""

    code: MixWarningCode
    fertilizer: str | None  # the product the warning is about; None: about the tank
    other: str | None = None  # the product it clashes with, when there is one


@dataclass(frozen=True, kw_only=True, slots=True)
class MixPlan:
    """A ready-to-follow mix: steps in safe order, expected EC and warnings."""

    steps: tuple[MixStep, ...]
    expected_ec: float  # mS/cm, rounded to 2 decimals
    warnings: tuple[MixWarning, ...]
    doses: tuple[Dose, ...]  # unrounded, in the order given


class TopUpReason(StrEnum):
    """What kind of correction a top-up is."""

    FILL = "fill"  # tank empty: mix a fresh batch
    TOP_UP = "top_up"  # add water, then nutrient, to reach volume and target EC
    DILUTE = "dilute"  # too strong even after topping up: plain water only, drain first
    FULL = "full"  # at volume and not too strong: dose in place (ec_rise may be 0)


@dataclass(frozen=True, kw_only=True, slots=True)
class TopUp:
    """How to bring a tank back to full volume at the target EC."""

    reason: TopUpReason
    add_l: float  # litres from the current level up to the tank volume
    add_ec: float  # EC the added liquid must have if pre-mixed (base EC when diluting)
    ec_after_water: float  # tank EC once brought to volume with plain water only
    ec_rise: (
        float  # EC the nutrient dose must then add to the full tank (0 when diluting)
    )
    drain_l: (
        float  # diluting: drain this first, refill with add_l + drain_l plain water
    )


class PhDirection(StrEnum):
    """Which way the pH has to move."""

    DOWN = "down"
    UP = "up"
    NONE = "none"


@dataclass(frozen=True, kw_only=True, slots=True)
class PhAdjustment:
    """An estimated pH correction dose."""

    direction: PhDirection
    meq_per_l: float  # acid (down) or base (up) needed, meq per litre of solution
    ml_per_l: float  # product per litre of solution
    ml_total: float | None  # for the given volume, None when no volume was given


def _check_ec(name: str, value: float) -> None:
    """Refuse a negative or non-finite EC."""
    if not math.isfinite(value) or value < 0:
        raise FarmError("invalid_ec", field=name, value=value)


def _check_volume(volume_l: float) -> None:
    """Refuse a volume that is not a positive number of litres."""
    if not math.isfinite(volume_l) or volume_l <= 0:
        raise FarmError("invalid_volume", volume_l=volume_l)


def resolve_recipe(
    items: Iterable[tuple[str, float | None]],
    fertilizers: Mapping[str, Fertilizer],
) -> tuple[RecipeLine, ...]:
    """Return recipe lines for (fertilizer key, ml/L or None) pairs.

    Raises:
        FarmError: `unknown_fertilizer` (param `fertilizer`) for a key that is
            not in `fertilizers`.
    """
    lines: list[RecipeLine] = []
    for key, ml_per_l in items:
        fertilizer = fertilizers.get(key)
        if fertilizer is None:
            raise FarmError("unknown_fertilizer", fertilizer=key)
        lines.append(RecipeLine(fertilizer=fertilizer, ml_per_l=ml_per_l))
    return tuple(lines)


def own_product_cap(
    recipe_ml_per_l: float | None, max_ml_per_l: float | None = None
) -> float:
    """Return the most of a grower's own product a mix may dose, in ml/L.

    The cap the grower gives (`max_ml_per_l`) holds as given. Without one it
    is the larger of the default cap (5 ml/L) and twice the recipe dose
    (`OWN_PRODUCT_RECIPE_FACTOR`): a product dosed 4 ml/L in its recipe may go
    up to 8 ml/L, so a mix the grower's own numbers allow is not refused.
    """
    if max_ml_per_l is not None:
        return max_ml_per_l
    return max(
        DEFAULT_MAX_ML_PER_L, OWN_PRODUCT_RECIPE_FACTOR * (recipe_ml_per_l or 0.0)
    )


def available_ec(target_ec: float, base_ec: float) -> float:
    """Return the EC the nutrients must add: target minus base water EC, mS/cm.

    Raises:
        FarmError: `ec_target_not_above_base` (params `target_ec`, `base_ec`)
            when the target is not above the base water; `invalid_ec` for a
            negative EC.
    """
    _check_ec("target_ec", target_ec)
    _check_ec("base_ec", base_ec)
    if target_ec <= base_ec:
        raise FarmError(
            "ec_target_not_above_base", target_ec=target_ec, base_ec=base_ec
        )
    return target_ec - base_ec


def scale_recipe(
    lines: Sequence[RecipeLine],
    *,
    target_ec: float,
    base_ec: float,
    reserve_ec: float = 0.0,
) -> tuple[Dose, ...]:
    """Return the dose of each product so the mix reaches `target_ec` (mS/cm).

    Silicate and CalMag with a recipe dose keep it (capped) and their EC is
    taken off the available EC first, as is `reserve_ec` (what the pH
    adjustment will add). The other EC-contributing products (ec_per_ml > 0) share the rest in
    proportion to their recipe contributions (ml/L x ec_per_ml), or equally when
    none of them has a recipe dose (a dose of 0 counts as none). A product that would exceed its
    `max_ml_per_l` is held at it and the others take over the rest of the EC
    (water-filling, at most one round per product). Products without EC
    contribution keep their recipe dose (0 without one), capped the same way.
    Doses come back in the order given.

    Raises:
        FarmError: `ec_target_not_above_base` (params `target_ec`, `base_ec`)
            when the target is not above the base; `ec_unreachable` (params
            `target_ec`, `base_ec`, `max_ec`) when the products cannot reach
            it within their caps; `additives_exceed_target` (params
            `target_ec`, `ec`) when the fixed doses and the reserve alone pass
            the target; `recipe_incomplete` (param `fertilizer`) when
            some EC-contributing products have a dose and others do not;
            `invalid_dose` for a negative dose; `duplicate_fertilizer` when a
            product is listed twice.
    """
    seen: set[str] = set()
    for line in lines:
        key = line.fertilizer.key
        if key in seen:
            raise FarmError("duplicate_fertilizer", fertilizer=key)
        seen.add(key)
        if line.ml_per_l is not None and (
            not math.isfinite(line.ml_per_l) or line.ml_per_l < 0
        ):
            raise FarmError("invalid_dose", fertilizer=key, ml_per_l=line.ml_per_l)
    needed = available_ec(target_ec, base_ec)
    doses: dict[int, Dose] = {}
    for index, line in enumerate(lines):
        fertilizer = line.fertilizer
        if fertilizer.kind in FIXED_DOSE_KINDS and line.ml_per_l is not None:
            doses[index] = Dose(
                fertilizer=fertilizer,
                ml_per_l=min(line.ml_per_l, fertilizer.max_ml_per_l),
                capped=line.ml_per_l > fertilizer.max_ml_per_l,
            )
    taken = math.fsum(dose.ec_ms_cm for dose in doses.values()) + reserve_ec
    if taken > needed + _EC_TOLERANCE:
        raise FarmError(
            "additives_exceed_target",
            target_ec=target_ec,
            ec=round(base_ec + taken, 2),
        )
    needed = max(0.0, needed - taken)
    contributors = [
        index
        for index, line in enumerate(lines)
        if line.fertilizer.ec_per_ml > 0 and index not in doses
    ]
    ceiling = math.fsum(
        max(0.0, lines[index].fertilizer.max_ml_per_l)
        * lines[index].fertilizer.ec_per_ml
        for index in contributors
    )
    if needed > ceiling + _EC_TOLERANCE:
        raise FarmError(
            "ec_unreachable",
            target_ec=target_ec,
            base_ec=base_ec,
            max_ec=round(base_ec + taken + ceiling, 2),
        )
    dosed = [index for index in contributors if lines[index].ml_per_l]
    if dosed and len(dosed) < len(contributors):
        missing = next(index for index in contributors if index not in dosed)
        raise FarmError("recipe_incomplete", fertilizer=lines[missing].fertilizer.key)
    # each contributor's EC share before scaling: its recipe contribution, or one equal part
    weights = {
        index: (lines[index].ml_per_l or 0.0) * lines[index].fertilizer.ec_per_ml
        if dosed
        else 1.0
        for index in contributors
    }
    free = list(contributors)
    remaining = needed
    scale = 0.0
    while free:
        scale = remaining / math.fsum(weights[index] for index in free)
        over = [
            index
            for index in free
            if scale * weights[index] / lines[index].fertilizer.ec_per_ml
            > lines[index].fertilizer.max_ml_per_l
        ]
        if not over:
            break
        for index in over:
            fertilizer = lines[index].fertilizer
            doses[index] = Dose(
                fertilizer=fertilizer, ml_per_l=fertilizer.max_ml_per_l, capped=True
            )
            remaining -= fertilizer.max_ml_per_l * fertilizer.ec_per_ml
            free.remove(index)
    for index in free:
        fertilizer = lines[index].fertilizer
        doses[index] = Dose(
            fertilizer=fertilizer,
            ml_per_l=scale * weights[index] / fertilizer.ec_per_ml,
        )
    result: list[Dose] = []
    for index, line in enumerate(lines):
        dose = doses.get(index)
        if dose is None:
            fertilizer = line.fertilizer
            wanted = line.ml_per_l or 0.0
            dose = Dose(
                fertilizer=fertilizer,
                ml_per_l=min(wanted, fertilizer.max_ml_per_l),
                capped=wanted > fertilizer.max_ml_per_l,
            )
        result.append(dose)
    return tuple(result)


def expected_ec(doses: Iterable[Dose], base_ec: float) -> float:
    """Return the EC of the finished mix: base water EC plus every dose's share, mS/cm."""
    return base_ec + math.fsum(dose.ec_ms_cm for dose in doses)


def mixing_steps(doses: Sequence[Dose], volume_l: float) -> tuple[MixStep, ...]:
    """Return the mixing steps for `volume_l` litres in safe mixing order.

    Order: silicate, CalMag, base parts, additives, pH adjusters; within a kind
    by `mixing_priority` (lower first), then as given.

    Raises:
        FarmError: `invalid_volume` unless the volume is a positive number of litres.
    """
    _check_volume(volume_l)
    ordered = sorted(
        range(len(doses)),
        key=lambda index: (
            _KIND_RANK[doses[index].fertilizer.kind],
            doses[index].fertilizer.mixing_priority,
            index,
        ),
    )
    return tuple(
        MixStep(
            order=order,
            fertilizer=doses[index].fertilizer.key,
            ml_per_l=round(doses[index].ml_per_l, 2),
            ml_total=round(doses[index].ml_per_l * volume_l, 1),
        )
        for order, index in enumerate(ordered, start=1)
    )


def mixing_warnings(
    sequence: Sequence[Fertilizer], *, recirculating: bool = False
) -> tuple[MixWarning, ...]:
    """Return the warnings for products added in the order given.

    Flags: a silicate after any other product (it must go into plain water);
    a CalMag after a sulfate-bearing product (calcium sulfate, gypsum,
    precipitates); a pH adjuster followed by anything else (the pH is set
    last, on the finished mix); an acidic and an alkaline concentrate in the
    same mix (they neutralise each other and can foam or precipitate), where
    a pH adjuster only clashes with the opposite adjuster, since countering
    the mix's pH is its job (silicate first, pH down last is the standard
    order); and, for a recirculating tank, products not safe to leave in it.
    """
    warnings: list[MixWarning] = []
    # the first product after each position that is not a pH adjuster
    later_non_ph: list[str | None] = [None] * len(sequence)
    following: str | None = None
    for index in range(len(sequence) - 1, -1, -1):
        later_non_ph[index] = following
        if sequence[index].kind not in _PH_KINDS:
            following = sequence[index].key
    first_other: str | None = None
    first_sulfate: str | None = None
    for index, fertilizer in enumerate(sequence):
        if fertilizer.kind is FertilizerKind.SILICATE and first_other is not None:
            warnings.append(
                MixWarning(
                    code=MixWarningCode.SILICATE_NOT_FIRST,
                    fertilizer=fertilizer.key,
                    other=first_other,
                )
            )
        if fertilizer.kind is FertilizerKind.CALMAG and first_sulfate is not None:
            warnings.append(
                MixWarning(
                    code=MixWarningCode.CALMAG_AFTER_SULFATE,
                    fertilizer=fertilizer.key,
                    other=first_sulfate,
                )
            )
        if fertilizer.kind in _PH_KINDS and later_non_ph[index] is not None:
            warnings.append(
                MixWarning(
                    code=MixWarningCode.PH_ADJUSTER_NOT_LAST,
                    fertilizer=fertilizer.key,
                    other=later_non_ph[index],
                )
            )
        if recirculating and not fertilizer.tank_safe:
            warnings.append(
                MixWarning(code=MixWarningCode.NOT_TANK_SAFE, fertilizer=fertilizer.key)
            )
        if fertilizer.kind is not FertilizerKind.SILICATE and first_other is None:
            first_other = fertilizer.key
        if fertilizer.contains_sulfate and first_sulfate is None:
            first_sulfate = fertilizer.key
    # pH adjusters exist to counter the mix, so they only clash with each other
    products = [item for item in sequence if item.kind not in _PH_KINDS]
    acidic = next(
        (item for item in products if item.acidic and not item.alkaline), None
    )
    alkaline = next(
        (item for item in products if item.alkaline and not item.acidic), None
    )
    if acidic is not None and alkaline is not None:
        warnings.append(
            MixWarning(
                code=MixWarningCode.ACID_ALKALINE_TOGETHER,
                fertilizer=acidic.key,
                other=alkaline.key,
            )
        )
    down = next(
        (item for item in sequence if item.kind is FertilizerKind.PH_DOWN), None
    )
    up = next((item for item in sequence if item.kind is FertilizerKind.PH_UP), None)
    if down is not None and up is not None:
        warnings.append(
            MixWarning(
                code=MixWarningCode.ACID_ALKALINE_TOGETHER,
                fertilizer=down.key,
                other=up.key,
            )
        )
    return tuple(warnings)


def mix_plan(
    lines: Sequence[RecipeLine],
    *,
    target_ec: float,
    base_ec: float,
    volume_l: float,
    recirculating: bool = False,
    ec_conflict: bool = False,
    reserve_ec: float = 0.0,
) -> MixPlan:
    """Return the full mix for a tank: scaled doses, safe steps, expected EC, warnings.

    Warnings judge the order the products were given in (so a grower learns
    what was unsafe about it) and add `dose_capped` for each product held at
    its maximum dose; the steps themselves are always in safe order. With
    `ec_conflict` (the plants on the tank want EC ranges that do not meet,
    so no EC suits them all) a `tank_ec_conflict` warning comes first.
    `reserve_ec` is the EC the pH adjustment will add: the doses leave room
    for it and the expected EC counts it.

    Raises:
        FarmError: as `scale_recipe` and `mixing_steps`.
    """
    doses = scale_recipe(
        lines, target_ec=target_ec, base_ec=base_ec, reserve_ec=reserve_ec
    )
    steps = mixing_steps(doses, volume_l)
    warnings = mixing_warnings(
        [line.fertilizer for line in lines], recirculating=recirculating
    )
    capped = tuple(
        MixWarning(code=MixWarningCode.DOSE_CAPPED, fertilizer=dose.fertilizer.key)
        for dose in doses
        if dose.capped
    )
    conflict = (
        (MixWarning(code=MixWarningCode.TANK_EC_CONFLICT, fertilizer=None),)
        if ec_conflict
        else ()
    )
    return MixPlan(
        steps=steps,
        expected_ec=round(expected_ec(doses, base_ec) + reserve_ec, 2),
        warnings=conflict + warnings + capped,
        doses=doses,
    )


def ec_at_25(
    ec_ms_cm: float,
    temperature_c: float,
    *,
    coefficient: float = EC_TEMPERATURE_COEFFICIENT,
) -> float:
    """Return an EC reading compensated to 25 C: EC / (1 + coefficient (T - 25)).

    Linear compensation at 2 %/C by default, the usual probe convention; valid
    for liquid water up to 50 C.

    Raises:
        FarmError: `invalid_ec` for a negative reading; `temperature_out_of_range`
            outside 0-50 C.
    """
    _check_ec("ec_ms_cm", ec_ms_cm)
    if not 0 <= temperature_c <= 50:
        raise FarmError("temperature_out_of_range", temperature_c=temperature_c)
    return ec_ms_cm / (1 + coefficient * (temperature_c - 25))


def ro_share(target_ec: float, *, ro_ec: float, tap_ec: float) -> float:
    """Return the share (0-1) of RO water in an RO/tap blend with EC `target_ec`.

    EC mixes linearly by volume: target = s ro_ec + (1 - s) tap_ec, so
    s = (tap_ec - target) / (tap_ec - ro_ec). Equal waters give 0 (all tap).

    Raises:
        FarmError: `blend_out_of_range` (params `target_ec`, `ro_ec`, `tap_ec`)
            when the target is outside [ro_ec, tap_ec]; `invalid_ec`.
    """
    _check_ec("target_ec", target_ec)
    _check_ec("ro_ec", ro_ec)
    _check_ec("tap_ec", tap_ec)
    # A target on a bound but for rounding (one water alone) is that water.
    low, high = min(ro_ec, tap_ec), max(ro_ec, tap_ec)
    if not low - _EC_TOLERANCE <= target_ec <= high + _EC_TOLERANCE:
        raise FarmError(
            "blend_out_of_range", target_ec=target_ec, ro_ec=ro_ec, tap_ec=tap_ec
        )
    if tap_ec == ro_ec:
        return 0.0
    return min(1.0, max(0.0, (tap_ec - target_ec) / (tap_ec - ro_ec)))


def top_up_plan(
    *,
    volume_l: float,
    level_l: float,
    current_ec: float,
    target_ec: float,
    base_ec: float,
) -> TopUp:
    """Return how to bring a tank back to `volume_l` litres at `target_ec`.

    EC mixes linearly by volume. Topping up with plain water (EC `base_ec`)
    alone would give ec_after_water = (level current_ec + added base_ec) /
    volume. If that is at or below the target, the nutrient dose must add
    `ec_rise` = target - ec_after_water to the full tank (equivalently, the
    added liquid must be pre-mixed to `add_ec`). If it is above the target
    (which needs current EC above target), only plain water may go in: drain
    `drain_l` = level - volume (target - base) / (current - base) litres
    first, then refilling with plain water lands exactly on the target;
    skipping the drain leaves the tank at `ec_after_water`. A level above the
    volume (sensor overshoot) counts as full.

    Raises:
        FarmError: `ec_target_not_above_base` when the target is below the
            base water;
            `invalid_volume`; `invalid_level` for a negative level; `invalid_ec`.
    """
    _check_volume(volume_l)
    for name, value in (
        ("current_ec", current_ec),
        ("target_ec", target_ec),
        ("base_ec", base_ec),
    ):
        _check_ec(name, value)
    if not math.isfinite(level_l) or level_l < 0:
        raise FarmError("invalid_level", level_l=level_l)
    if target_ec < base_ec:
        raise FarmError(
            "ec_target_not_above_base", target_ec=target_ec, base_ec=base_ec
        )
    level = min(level_l, volume_l)
    if level == 0:
        return TopUp(
            reason=TopUpReason.FILL,
            drain_l=0.0,
            add_l=volume_l,
            add_ec=target_ec,
            ec_after_water=base_ec,
            ec_rise=target_ec - base_ec,
        )
    add = volume_l - level
    after_water = (level * current_ec + add * base_ec) / volume_l
    if after_water > target_ec + _EC_TOLERANCE:
        # current_ec > target >= base here, so this divides safely and keep < level
        keep = volume_l * (target_ec - base_ec) / (current_ec - base_ec)
        return TopUp(
            reason=TopUpReason.DILUTE,
            drain_l=level - keep,
            add_l=add,
            add_ec=base_ec,
            ec_after_water=after_water,
            ec_rise=0.0,
        )
    return TopUp(
        reason=TopUpReason.TOP_UP if add > 0 else TopUpReason.FULL,
        drain_l=0.0,
        add_l=add,
        add_ec=(target_ec * volume_l - level * current_ec) / add
        if add > 0
        else target_ec,
        ec_after_water=after_water,
        ec_rise=max(0.0, target_ec - after_water),
    )


def _bicarbonate_fraction(ph: float) -> float:
    """Share of dissolved inorganic carbon present as bicarbonate at this pH."""
    return 1 / (1 + 10 ** (_CARBONIC_PKA1 - ph))


def ph_adjustment(
    current_ph: float,
    target_ph: float,
    *,
    alkalinity_ppm: float,
    strength_meq_per_ml: float,
    volume_l: float | None = None,
) -> PhAdjustment:
    """Return an estimate of the pH down (or up) dose to move current_ph to target_ph.

    Model: the water's buffer is its carbonate alkalinity (ppm as CaCO3,
    / 50.04 = meq/L), treated as a closed bicarbonate/carbonic acid system
    (pKa 6.35). The alkalinity fixes the dissolved carbon at the current pH;
    acid converts bicarbonate to carbonic acid (base the reverse), so the
    meq/L needed is carbon x the change in bicarbonate share between the two
    pH values, plus the change in free H+ and OH- (at most 0.1 meq/L within
    the model's pH 4-9). Dividing by the product strength (meq per ml: about 3
    for a 25 % phosphoric acid pH down, about 15 for 85 %) gives ml/L.
    Phosphate and other buffers in a finished nutrient mix, carbonate above pH
    8.3 and CO2 escaping from an aerated tank are ignored, so treat the result
    as a starting dose: add part, stir, measure again.

    Raises:
        FarmError: `ph_out_of_model_range` (params `ph`, `min_ph`, `max_ph`)
            for a pH outside 4-9, where carbonate alkalinity is not the buffer
            any more; `invalid_alkalinity` for a negative alkalinity;
            `invalid_strength` unless the strength is positive; `invalid_volume`.
    """
    for value in (current_ph, target_ph):
        if not _PH_MODEL_MIN <= value <= _PH_MODEL_MAX:
            raise FarmError(
                "ph_out_of_model_range",
                ph=value,
                min_ph=_PH_MODEL_MIN,
                max_ph=_PH_MODEL_MAX,
            )
    if not math.isfinite(alkalinity_ppm) or alkalinity_ppm < 0:
        raise FarmError("invalid_alkalinity", alkalinity_ppm=alkalinity_ppm)
    if not math.isfinite(strength_meq_per_ml) or strength_meq_per_ml <= 0:
        raise FarmError("invalid_strength", strength_meq_per_ml=strength_meq_per_ml)
    if volume_l is not None:
        _check_volume(volume_l)
    if abs(target_ph - current_ph) < _PH_TOLERANCE:
        return PhAdjustment(
            direction=PhDirection.NONE,
            meq_per_l=0.0,
            ml_per_l=0.0,
            ml_total=0.0 if volume_l is not None else None,
        )
    start = _bicarbonate_fraction(current_ph)
    carbon_meq = alkalinity_ppm / _PPM_CACO3_PER_MEQ / start
    buffer_meq = carbon_meq * abs(start - _bicarbonate_fraction(target_ph))
    # free H+ and OH- in mol/L, x 1000 for meq/L
    free_meq = 1000 * (
        abs(10**-current_ph - 10**-target_ph)
        + abs(10 ** (current_ph - 14) - 10 ** (target_ph - 14))
    )
    meq = buffer_meq + free_meq
    ml_per_l = meq / strength_meq_per_ml
    return PhAdjustment(
        direction=PhDirection.DOWN if target_ph < current_ph else PhDirection.UP,
        meq_per_l=meq,
        ml_per_l=ml_per_l,
        ml_total=ml_per_l * volume_l if volume_l is not None else None,
    )
