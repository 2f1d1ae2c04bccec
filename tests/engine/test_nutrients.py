"""Tests of recipe scaling, mixing order, EC compensation, blends, top-ups and pH doses."""

from __future__ import annotations

import math

from hypothesis import assume, example, given, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.nutrients import (
    Dose,
    MixWarning,
    MixWarningCode,
    PhDirection,
    RecipeLine,
    TopUpReason,
    available_ec,
    ec_at_25,
    expected_ec,
    mix_plan,
    mixing_steps,
    mixing_warnings,
    own_product_cap,
    ph_adjustment,
    resolve_recipe,
    ro_share,
    scale_recipe,
    top_up_plan,
)
from custom_components.vertical_farm.engine.profiles import Fertilizer, FertilizerKind
from tests.engine.factories_a import fertilizer

SILICATE = fertilizer(
    "silica",
    kind=FertilizerKind.SILICATE,
    ec_per_ml=0.05,
    mixing_priority=10,
    alkaline=True,
)
CALMAG = fertilizer(
    "calmag",
    kind=FertilizerKind.CALMAG,
    ec_per_ml=0.2,
    mixing_priority=20,
    contains_calcium=True,
)
PART_A = fertilizer("part_a", ec_per_ml=0.15, mixing_priority=30, contains_calcium=True)
PART_B = fertilizer("part_b", ec_per_ml=0.15, mixing_priority=31, contains_sulfate=True)
BOOSTER = fertilizer(
    "booster",
    kind=FertilizerKind.ADDITIVE,
    ec_per_ml=0.0,
    mixing_priority=40,
    tank_safe=False,
)
PH_DOWN = fertilizer(
    "ph_down",
    kind=FertilizerKind.PH_DOWN,
    ec_per_ml=0.0,
    mixing_priority=90,
    acidic=True,
)
PH_UP = fertilizer(
    "ph_up", kind=FertilizerKind.PH_UP, ec_per_ml=0.0, mixing_priority=91, alkaline=True
)
LIBRARY = {
    item.key: item for item in (SILICATE, CALMAG, PART_A, PART_B, BOOSTER, PH_DOWN)
}


def line(item: Fertilizer, ml_per_l: float | None = None) -> RecipeLine:
    return RecipeLine(fertilizer=item, ml_per_l=ml_per_l)


def doses_by_key(doses: tuple[Dose, ...]) -> dict[str, float]:
    return {dose.fertilizer.key: dose.ml_per_l for dose in doses}


# --- available EC and recipe resolution ----------------------------------------


def test_available_ec_is_target_minus_base() -> None:
    assert available_ec(1.8, 0.4) == pytest.approx(1.8 - 0.4)


@pytest.mark.parametrize("target", [0.4, 0.3])
def test_available_ec_refuses_a_target_not_above_base(target: float) -> None:
    with pytest.raises(FarmError) as caught:
        available_ec(target, 0.4)
    assert caught.value.code == "ec_target_not_above_base"
    assert caught.value.params == {"target_ec": target, "base_ec": 0.4}


@pytest.mark.parametrize(("target", "base"), [(-1.0, 0.4), (1.0, math.nan)])
def test_available_ec_refuses_an_invalid_ec(target: float, base: float) -> None:
    with pytest.raises(FarmError) as caught:
        available_ec(target, base)
    assert caught.value.code == "invalid_ec"


def test_resolve_recipe_looks_up_keys() -> None:
    lines = resolve_recipe([("part_a", 2.0), ("ph_down", None)], LIBRARY)
    assert lines == (line(PART_A, 2.0), line(PH_DOWN))


def test_resolve_recipe_refuses_an_unknown_key() -> None:
    with pytest.raises(FarmError) as caught:
        resolve_recipe([("part_a", 2.0), ("moon_juice", 1.0)], LIBRARY)
    assert caught.value.code == "unknown_fertilizer"
    assert caught.value.params == {"fertilizer": "moon_juice"}


# --- recipe scaling --------------------------------------------------------------


def test_recipe_is_scaled_to_the_available_ec() -> None:
    lines = [
        line(PART_A, 2.0),
        line(PART_B, 2.0),
        line(CALMAG, 1.0),
        line(BOOSTER, 1.0),
        line(PH_DOWN),
    ]
    doses = scale_recipe(lines, target_ec=1.6, base_ec=0.4)
    # CalMag keeps its 1 ml/L (0.2 mS/cm); the base parts' recipe EC
    # 2 x 0.15 + 2 x 0.15 = 0.6 scales to the rest, 1.6 - 0.4 - 0.2 = 1.0: x 5/3
    assert doses_by_key(doses) == pytest.approx(
        {
            "part_a": 10 / 3,
            "part_b": 10 / 3,
            "calmag": 1.0,
            "booster": 1.0,
            "ph_down": 0.0,
        }
    )
    assert not any(dose.capped for dose in doses)
    assert expected_ec(doses, 0.4) == pytest.approx(1.6)
    assert [dose.fertilizer.key for dose in doses] == [
        "part_a",
        "part_b",
        "calmag",
        "booster",
        "ph_down",
    ]


def test_without_a_recipe_the_ec_is_shared_equally() -> None:
    doses = scale_recipe(
        [line(PART_A), line(PART_B), line(CALMAG)], target_ec=1.6, base_ec=0.4
    )
    # 1.2 / 3 = 0.4 each: 0.4 / 0.15 and 0.4 / 0.2 ml/L
    assert doses_by_key(doses) == pytest.approx(
        {"part_a": 0.4 / 0.15, "part_b": 0.4 / 0.15, "calmag": 0.4 / 0.2}
    )
    assert [dose.ec_ms_cm for dose in doses] == pytest.approx([0.4, 0.4, 0.4])


def test_a_capped_product_hands_its_share_to_the_others() -> None:
    calmag = fertilizer(
        "calmag", kind=FertilizerKind.CALMAG, ec_per_ml=0.2, max_ml_per_l=1.0
    )
    doses = scale_recipe(
        [line(PART_A), line(PART_B), line(calmag)], target_ec=1.6, base_ec=0.4
    )
    # equal share 0.4 would need 2 ml/L of CalMag: held at 1 ml/L (0.2 mS/cm);
    # the other 1.0 mS/cm goes 0.5 / 0.5 to the base parts: 0.5 / 0.15 ml/L each
    assert doses_by_key(doses) == pytest.approx(
        {"part_a": 0.5 / 0.15, "part_b": 0.5 / 0.15, "calmag": 1.0}
    )
    assert [dose.capped for dose in doses] == [False, False, True]
    assert expected_ec(doses, 0.4) == pytest.approx(1.6)


def test_caps_cascade_over_several_rounds() -> None:
    calmag = fertilizer(
        "calmag", kind=FertilizerKind.CALMAG, ec_per_ml=0.2, max_ml_per_l=1.0
    )
    part_a = fertilizer("part_a", ec_per_ml=0.15, max_ml_per_l=3.0)
    doses = scale_recipe(
        [line(part_a), line(PART_B), line(calmag)], target_ec=1.6, base_ec=0.4
    )
    # round 1: CalMag capped at 1 ml/L (0.2); round 2: 1.0 / 2 = 0.5 would need
    # 3.33 ml/L of part A, over its 3: held at 3 (0.45); part B takes 1.2 - 0.2 - 0.45
    assert doses_by_key(doses) == pytest.approx(
        {"part_a": 3.0, "part_b": (1.2 - 0.2 - 0.45) / 0.15, "calmag": 1.0}
    )
    assert [dose.capped for dose in doses] == [True, False, True]


def test_target_exactly_at_every_cap_is_reachable() -> None:
    part_a = fertilizer("part_a", ec_per_ml=0.15, max_ml_per_l=2.0)
    part_b = fertilizer("part_b", ec_per_ml=0.15, max_ml_per_l=2.0)
    # most it can give: 2 x 0.15 + 2 x 0.15 = 0.6 over base 0.4
    doses = scale_recipe(
        [line(part_a, 1.0), line(part_b, 3.0)], target_ec=1.0, base_ec=0.4
    )
    assert doses_by_key(doses) == pytest.approx({"part_a": 2.0, "part_b": 2.0})
    assert expected_ec(doses, 0.4) == pytest.approx(1.0)


def test_target_a_float_hair_above_every_cap_holds_all_at_their_caps() -> None:
    part_a = fertilizer("part_a", ec_per_ml=0.1, max_ml_per_l=2.0)
    part_b = fertilizer("part_b", ec_per_ml=0.1, max_ml_per_l=2.0)
    # caps give 2 x 0.1 + 2 x 0.1 = 0.4; 0.4 + 5e-10 is float noise, not a refusal
    doses = scale_recipe(
        [line(part_a), line(part_b)], target_ec=0.4 + 5e-10, base_ec=0.0
    )
    assert doses_by_key(doses) == {"part_a": 2.0, "part_b": 2.0}
    assert all(dose.capped for dose in doses)


def test_target_beyond_the_caps_is_refused_with_the_reachable_ec() -> None:
    part_a = fertilizer("part_a", ec_per_ml=0.15, max_ml_per_l=1.0)
    part_b = fertilizer("part_b", ec_per_ml=0.15, max_ml_per_l=1.0)
    with pytest.raises(FarmError) as caught:
        scale_recipe([line(part_a, 1.0), line(part_b, 1.0)], target_ec=1.6, base_ec=0.4)
    assert caught.value.code == "ec_unreachable"
    # 0.4 + 1 x 0.15 + 1 x 0.15 = 0.7
    assert caught.value.params == {"target_ec": 1.6, "base_ec": 0.4, "max_ec": 0.7}


def test_no_ec_contributing_product_cannot_reach_any_target() -> None:
    with pytest.raises(FarmError) as caught:
        scale_recipe(
            [line(PH_DOWN, 0.5), line(BOOSTER, 1.0)], target_ec=1.2, base_ec=0.4
        )
    assert caught.value.code == "ec_unreachable"
    assert caught.value.params["max_ec"] == 0.4


def test_target_not_above_base_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        scale_recipe([line(PART_A, 2.0)], target_ec=0.3, base_ec=0.4)
    assert caught.value.code == "ec_target_not_above_base"


def test_partial_recipe_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        scale_recipe([line(PART_A, 2.0), line(PART_B)], target_ec=1.6, base_ec=0.4)
    assert caught.value.code == "recipe_incomplete"
    assert caught.value.params == {"fertilizer": "part_b"}


def test_negative_dose_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        scale_recipe([line(PART_A, -1.0)], target_ec=1.6, base_ec=0.4)
    assert caught.value.code == "invalid_dose"
    assert caught.value.params == {"fertilizer": "part_a", "ml_per_l": -1.0}


def test_duplicate_product_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        scale_recipe([line(PART_A, 1.0), line(PART_A, 2.0)], target_ec=1.6, base_ec=0.4)
    assert caught.value.code == "duplicate_fertilizer"
    assert caught.value.params == {"fertilizer": "part_a"}


def test_non_ec_product_keeps_its_dose_but_not_beyond_its_cap() -> None:
    booster = fertilizer(
        "booster", kind=FertilizerKind.ADDITIVE, ec_per_ml=0.0, max_ml_per_l=2.0
    )
    doses = scale_recipe(
        [line(PART_A, 1.0), line(booster, 3.0)], target_ec=1.0, base_ec=0.4
    )
    # part A: 0.6 / 0.15 = 4 ml/L; booster held at its 2 ml/L
    assert doses_by_key(doses) == pytest.approx({"part_a": 4.0, "booster": 2.0})
    assert [dose.capped for dose in doses] == [False, True]


products = st.builds(
    lambda index, ec, cap, dose: (
        fertilizer(f"product_{index}", ec_per_ml=ec, max_ml_per_l=cap),
        dose,
    ),
    st.integers(),
    st.floats(min_value=0.01, max_value=0.5),
    st.floats(min_value=0.5, max_value=10.0),
    st.floats(min_value=0.1, max_value=5.0),
)


@given(
    st.lists(products, min_size=1, max_size=6, unique_by=lambda item: item[0].key),
    st.booleans(),
    st.floats(min_value=0.0, max_value=0.8),
    st.floats(min_value=0.05, max_value=4.0),
)
def test_scaled_doses_hit_the_target_within_caps(
    items: list[tuple[Fertilizer, float]], with_recipe: bool, base: float, rise: float
) -> None:
    lines = [line(item, dose if with_recipe else None) for item, dose in items]
    ceiling = sum(item.max_ml_per_l * item.ec_per_ml for item, _ in items)
    assume(rise <= ceiling * (1 - 1e-6))
    doses = scale_recipe(lines, target_ec=base + rise, base_ec=base)
    assert expected_ec(doses, base) == pytest.approx(base + rise)
    for dose in doses:
        assert 0 <= dose.ml_per_l <= dose.fertilizer.max_ml_per_l * (1 + 1e-9)
    free = [dose for dose in doses if not dose.capped]
    if with_recipe:
        # uncapped products keep the recipe's proportions
        recipe = dict(items)
        ratios = [dose.ml_per_l / recipe[dose.fertilizer] for dose in free]
    else:
        # uncapped products add the same EC each
        ratios = [dose.ec_ms_cm for dose in free]
    if ratios:
        assert ratios == pytest.approx([ratios[0]] * len(ratios))


# --- mixing steps and warnings ---------------------------------------------------


def test_steps_follow_the_safe_mixing_order() -> None:
    doses = scale_recipe(
        [
            line(PH_DOWN, 0.2),
            line(BOOSTER, 1.0),
            line(PART_B, 2.0),
            line(PART_A, 2.0),
            line(CALMAG, 1.0),
            line(SILICATE, 0.5),
        ],
        target_ec=1.6,
        base_ec=0.4,
    )
    steps = mixing_steps(doses, 20.0)
    assert [step.fertilizer for step in steps] == [
        "silica",
        "calmag",
        "part_a",
        "part_b",
        "booster",
        "ph_down",
    ]
    assert [step.order for step in steps] == [1, 2, 3, 4, 5, 6]


def test_kind_decides_the_order_before_priority() -> None:
    late_silicate = fertilizer(
        "late_silica", kind=FertilizerKind.SILICATE, ec_per_ml=0.05, mixing_priority=99
    )
    steps = mixing_steps(
        [
            Dose(fertilizer=PART_A, ml_per_l=1.0),
            Dose(fertilizer=late_silicate, ml_per_l=0.5),
        ],
        10.0,
    )
    assert [step.fertilizer for step in steps] == ["late_silica", "part_a"]


def test_equal_priority_keeps_the_given_order() -> None:
    first = fertilizer("grow", mixing_priority=30)
    second = fertilizer("bloom", mixing_priority=30)
    steps = mixing_steps(
        [Dose(fertilizer=first, ml_per_l=1.0), Dose(fertilizer=second, ml_per_l=1.0)],
        10.0,
    )
    assert [step.fertilizer for step in steps] == ["grow", "bloom"]


def test_steps_round_for_reading() -> None:
    steps = mixing_steps([Dose(fertilizer=PART_A, ml_per_l=0.4 / 0.15)], 50.0)
    # 2.6667 ml/L -> 2.67; x 50 L = 133.33 ml -> 133.3
    assert (steps[0].ml_per_l, steps[0].ml_total) == (2.67, 133.3)


@pytest.mark.parametrize("volume", [0.0, -5.0, math.inf])
def test_steps_refuse_an_invalid_volume(volume: float) -> None:
    with pytest.raises(FarmError) as caught:
        mixing_steps([Dose(fertilizer=PART_A, ml_per_l=1.0)], volume)
    assert caught.value.code == "invalid_volume"


def test_safe_order_has_no_warnings() -> None:
    assert mixing_warnings([SILICATE, CALMAG, PART_A, PART_B, BOOSTER, PH_DOWN]) == ()


def test_silicate_after_another_product_is_flagged() -> None:
    assert mixing_warnings([SILICATE, CALMAG, SILICATE]) == (
        MixWarning(
            code=MixWarningCode.SILICATE_NOT_FIRST, fertilizer="silica", other="calmag"
        ),
    )


def test_two_silicates_first_are_fine() -> None:
    other_silicate = fertilizer("silica_2", kind=FertilizerKind.SILICATE)
    assert mixing_warnings([SILICATE, other_silicate, PART_A]) == ()


def test_calmag_after_a_sulfate_part_is_flagged() -> None:
    assert mixing_warnings([PART_A, PART_B, CALMAG]) == (
        MixWarning(
            code=MixWarningCode.CALMAG_AFTER_SULFATE,
            fertilizer="calmag",
            other="part_b",
        ),
    )


def test_ph_adjuster_not_last_is_flagged_with_what_follows() -> None:
    ph_down = fertilizer("ph_down", kind=FertilizerKind.PH_DOWN, ec_per_ml=0.0)
    assert mixing_warnings([PART_A, ph_down, PART_B, BOOSTER]) == (
        MixWarning(
            code=MixWarningCode.PH_ADJUSTER_NOT_LAST,
            fertilizer="ph_down",
            other="part_b",
        ),
    )


def test_several_ph_adjusters_at_the_end_are_fine() -> None:
    nitric = fertilizer("ph_down_nitric", kind=FertilizerKind.PH_DOWN, ec_per_ml=0.0)
    phosphoric = fertilizer(
        "ph_down_phosphoric", kind=FertilizerKind.PH_DOWN, ec_per_ml=0.0
    )
    assert mixing_warnings([PART_A, nitric, phosphoric]) == ()


def test_ph_down_and_ph_up_together_are_flagged() -> None:
    assert mixing_warnings([PART_A, PH_DOWN, PH_UP]) == (
        MixWarning(
            code=MixWarningCode.ACID_ALKALINE_TOGETHER,
            fertilizer="ph_down",
            other="ph_up",
        ),
    )


def test_acidic_and_alkaline_concentrates_together_are_flagged() -> None:
    acidic_booster = fertilizer(
        "bloom_boost", kind=FertilizerKind.ADDITIVE, acidic=True
    )
    assert mixing_warnings([SILICATE, PART_A, acidic_booster]) == (
        MixWarning(
            code=MixWarningCode.ACID_ALKALINE_TOGETHER,
            fertilizer="bloom_boost",
            other="silica",
        ),
    )


def test_ph_adjusters_do_not_clash_with_the_products_they_correct() -> None:
    acidic_booster = fertilizer(
        "bloom_boost", kind=FertilizerKind.ADDITIVE, acidic=True
    )
    assert mixing_warnings([SILICATE, PART_A, PH_DOWN]) == ()
    assert mixing_warnings([PART_A, acidic_booster, PH_UP]) == ()


def test_a_product_flagged_both_acidic_and_alkaline_does_not_pair_with_itself() -> None:
    odd = fertilizer("odd", acidic=True, alkaline=True)
    assert mixing_warnings([odd, PART_A]) == ()


def test_products_unsafe_in_a_recirculating_tank_are_flagged_only_there() -> None:
    assert mixing_warnings([PART_A, BOOSTER]) == ()
    assert mixing_warnings([PART_A, BOOSTER], recirculating=True) == (
        MixWarning(code=MixWarningCode.NOT_TANK_SAFE, fertilizer="booster"),
    )


def test_mix_plan_puts_it_all_together() -> None:
    calmag = fertilizer(
        "calmag",
        kind=FertilizerKind.CALMAG,
        ec_per_ml=0.2,
        mixing_priority=20,
        max_ml_per_l=1.0,
    )
    plan = mix_plan(
        [line(PART_B), line(PART_A), line(calmag), line(PH_DOWN, 0.1)],
        target_ec=1.6,
        base_ec=0.4,
        volume_l=40.0,
    )
    # CalMag capped at 1 ml/L (0.2); base parts 0.5 mS/cm each: 3.333 ml/L, 133.3 ml
    assert [(step.fertilizer, step.ml_per_l, step.ml_total) for step in plan.steps] == [
        ("calmag", 1.0, 40.0),
        ("part_a", 3.33, 133.3),
        ("part_b", 3.33, 133.3),
        ("ph_down", 0.1, 4.0),
    ]
    assert plan.expected_ec == 1.6
    # the grower's order put CalMag after the sulfate part
    assert plan.warnings == (
        MixWarning(
            code=MixWarningCode.CALMAG_AFTER_SULFATE,
            fertilizer="calmag",
            other="part_b",
        ),
        MixWarning(code=MixWarningCode.DOSE_CAPPED, fertilizer="calmag"),
    )
    assert len(plan.doses) == 4


def test_mix_plan_on_a_tank_whose_plants_conflict_warns_first() -> None:
    plan = mix_plan(
        [line(PART_A, 2.0), line(PART_B, 2.0)],
        target_ec=1.0,
        base_ec=0.4,
        volume_l=10.0,
        ec_conflict=True,
    )
    # the mix itself is unchanged: 0.6 mS/cm shared, 2 ml/L of each part
    assert [(step.fertilizer, step.ml_per_l) for step in plan.steps] == [
        ("part_a", 2.0),
        ("part_b", 2.0),
    ]
    assert plan.warnings == (
        MixWarning(code=MixWarningCode.TANK_EC_CONFLICT, fertilizer=None),
    )


@pytest.mark.parametrize(
    ("recipe_ml_per_l", "max_ml_per_l", "cap"),
    [
        (4.0, None, 8.0),  # twice the recipe dose: 2 x 4
        (1.0, None, 5.0),  # never below the default cap of 5 ml/L
        (2.5, None, 5.0),  # 2 x 2.5 = 5: the same either way
        (None, None, 5.0),  # no recipe dose: the default cap
        (0.0, None, 5.0),
        (4.0, 6.0, 6.0),  # the grower's own cap wins, above...
        (4.0, 3.0, 3.0),  # ...or below the recipe dose
        (None, 12.0, 12.0),
    ],
)
def test_own_product_cap(
    recipe_ml_per_l: float | None, max_ml_per_l: float | None, cap: float
) -> None:
    assert own_product_cap(recipe_ml_per_l, max_ml_per_l) == cap


def test_own_product_at_its_recipe_dose_may_be_scaled_up() -> None:
    # 0.1 mS/cm per ml/L, recipe 4 ml/L: 1.0 - 0.4 = 0.6 mS/cm needs 6 ml/L,
    # above the default 5 ml/L but within 2 x 4 = 8
    brew = fertilizer("brew", ec_per_ml=0.1, max_ml_per_l=own_product_cap(4.0))
    doses = scale_recipe([line(brew, 4.0)], target_ec=1.0, base_ec=0.4)
    assert doses[0].ml_per_l == pytest.approx(6.0)
    assert not doses[0].capped
    # 1.4 needs 10 ml/L: beyond 8 ml/L, so at most 0.4 + 8 x 0.1 = 1.2
    with pytest.raises(FarmError) as err:
        scale_recipe([line(brew, 4.0)], target_ec=1.4, base_ec=0.4)
    assert err.value.code == "ec_unreachable"
    assert err.value.params["max_ec"] == 1.2


# --- EC compensation and blends --------------------------------------------------


def test_ec_at_25_worked_examples() -> None:
    # 1.5 at 20 C: 1.5 / (1 + 0.02 x (20 - 25)) = 1.5 / 0.9
    assert ec_at_25(1.5, 20.0) == pytest.approx(1.5 / 0.9)
    # 1.5 at 30 C: 1.5 / 1.1
    assert ec_at_25(1.5, 30.0) == pytest.approx(1.5 / 1.1)
    assert ec_at_25(1.5, 25.0) == 1.5
    # a 1.9 %/C probe: 1.5 / (1 + 0.019 x -5)
    assert ec_at_25(1.5, 20.0, coefficient=0.019) == pytest.approx(1.5 / 0.905)


@pytest.mark.parametrize("temperature", [-0.1, 50.1])
def test_ec_at_25_refuses_temperatures_outside_liquid_water(temperature: float) -> None:
    with pytest.raises(FarmError) as caught:
        ec_at_25(1.5, temperature)
    assert caught.value.code == "temperature_out_of_range"
    assert caught.value.params == {"temperature_c": temperature}


def test_ec_at_25_refuses_a_negative_reading() -> None:
    with pytest.raises(FarmError) as caught:
        ec_at_25(-0.1, 20.0)
    assert caught.value.code == "invalid_ec"


@given(st.floats(min_value=0, max_value=10), st.floats(min_value=0, max_value=50))
def test_ec_at_25_undoes_the_probe_drift(ec25: float, temperature: float) -> None:
    raw = ec25 * (1 + 0.02 * (temperature - 25))
    assert ec_at_25(raw, temperature) == pytest.approx(ec25)


def test_ro_share_worked_example() -> None:
    # tap 0.8, RO 0.0, target 0.3: (0.8 - 0.3) / (0.8 - 0.0) = 0.625
    assert ro_share(0.3, ro_ec=0.0, tap_ec=0.8) == pytest.approx(0.625)


def test_ro_share_at_the_ends() -> None:
    assert ro_share(0.8, ro_ec=0.02, tap_ec=0.8) == 0.0
    assert ro_share(0.02, ro_ec=0.02, tap_ec=0.8) == 1.0
    assert ro_share(0.5, ro_ec=0.5, tap_ec=0.5) == 0.0


@pytest.mark.parametrize("target", [0.01, 0.81])
def test_ro_share_refuses_a_target_outside_the_waters(target: float) -> None:
    with pytest.raises(FarmError) as caught:
        ro_share(target, ro_ec=0.02, tap_ec=0.8)
    assert caught.value.code == "blend_out_of_range"
    assert caught.value.params == {"target_ec": target, "ro_ec": 0.02, "tap_ec": 0.8}


@given(
    st.floats(min_value=0, max_value=0.2),
    st.floats(min_value=0.3, max_value=2.0),
    st.floats(min_value=0, max_value=1),
)
@example(ro=0.07654870209305059, tap=0.85, position=1.0)  # tap + 1e-16: all tap
def test_ro_share_blends_to_the_target(ro: float, tap: float, position: float) -> None:
    target = ro + position * (tap - ro)
    share = ro_share(target, ro_ec=ro, tap_ec=tap)
    assert 0 <= share <= 1
    assert share * ro + (1 - share) * tap == pytest.approx(target)


# --- top-up ----------------------------------------------------------------------


def test_top_up_adds_water_then_nutrient() -> None:
    plan = top_up_plan(
        volume_l=100, level_l=60, current_ec=1.8, target_ec=1.6, base_ec=0.4
    )
    assert plan.reason is TopUpReason.TOP_UP
    assert plan.add_l == 40
    # plain water only: (60 x 1.8 + 40 x 0.4) / 100 = 1.24, so 0.36 to add
    assert plan.ec_after_water == pytest.approx(1.24)
    assert plan.ec_rise == pytest.approx(0.36)
    # or pre-mix the 40 L at (1.6 x 100 - 60 x 1.8) / 40 = 1.3
    assert plan.add_ec == pytest.approx(1.3)
    assert plan.drain_l == 0


def test_too_strong_tank_is_diluted_after_draining() -> None:
    plan = top_up_plan(
        volume_l=100, level_l=90, current_ec=2.0, target_ec=1.6, base_ec=0.4
    )
    assert plan.reason is TopUpReason.DILUTE
    # just topping up: (90 x 2.0 + 10 x 0.4) / 100 = 1.84, still too strong
    assert plan.ec_after_water == pytest.approx(1.84)
    # keep 100 x (1.6 - 0.4) / (2.0 - 0.4) = 75 L: drain 15, then 25 L of water
    assert plan.drain_l == pytest.approx(15.0)
    assert plan.add_l == 10
    assert plan.add_ec == 0.4
    assert plan.ec_rise == 0
    assert pytest.approx(1.6) == (75 * 2.0 + 25 * 0.4) / 100


def test_tank_above_target_but_low_needs_nutrient_not_dilution() -> None:
    # EC 2.0 is above 1.6, but half the tank of 0.4 water brings it to 1.2
    plan = top_up_plan(
        volume_l=100, level_l=50, current_ec=2.0, target_ec=1.6, base_ec=0.4
    )
    assert plan.reason is TopUpReason.TOP_UP
    assert plan.ec_after_water == pytest.approx((50 * 2.0 + 50 * 0.4) / 100)
    assert plan.ec_rise == pytest.approx(1.6 - 1.2)


def test_empty_tank_is_a_fresh_fill() -> None:
    plan = top_up_plan(
        volume_l=80, level_l=0, current_ec=0.0, target_ec=1.6, base_ec=0.4
    )
    assert plan.reason is TopUpReason.FILL
    assert (plan.add_l, plan.add_ec, plan.ec_after_water) == (80, 1.6, 0.4)
    assert plan.ec_rise == pytest.approx(1.2)
    assert plan.drain_l == 0


def test_full_tank_at_target_needs_nothing() -> None:
    plan = top_up_plan(
        volume_l=80, level_l=80, current_ec=1.6, target_ec=1.6, base_ec=0.4
    )
    assert plan.reason is TopUpReason.FULL
    assert (plan.add_l, plan.ec_rise, plan.drain_l) == (0, 0, 0)


def test_full_weak_tank_is_dosed_in_place() -> None:
    # a sensor overshoot above the volume counts as full
    plan = top_up_plan(
        volume_l=80, level_l=82, current_ec=1.2, target_ec=1.6, base_ec=0.4
    )
    assert plan.reason is TopUpReason.FULL
    assert plan.add_l == 0
    assert plan.ec_rise == pytest.approx(0.4)
    assert plan.add_ec == 1.6


def test_full_strong_tank_is_drained_and_refilled() -> None:
    plan = top_up_plan(
        volume_l=100, level_l=100, current_ec=2.0, target_ec=1.6, base_ec=0.4
    )
    assert plan.reason is TopUpReason.DILUTE
    # keep 100 x 1.2 / 1.6 = 75 L
    assert plan.drain_l == pytest.approx(25.0)
    assert plan.add_l == 0


def test_top_up_refuses_a_target_below_the_water() -> None:
    with pytest.raises(FarmError) as caught:
        top_up_plan(
            volume_l=100, level_l=50, current_ec=1.0, target_ec=0.3, base_ec=0.4
        )
    assert caught.value.code == "ec_target_not_above_base"


@pytest.mark.parametrize(
    ("volume", "level", "code"),
    [
        (0.0, 0.0, "invalid_volume"),
        (100.0, -1.0, "invalid_level"),
        (100.0, math.nan, "invalid_level"),
    ],
)
def test_top_up_refuses_invalid_amounts(volume: float, level: float, code: str) -> None:
    with pytest.raises(FarmError) as caught:
        top_up_plan(
            volume_l=volume, level_l=level, current_ec=1.0, target_ec=1.6, base_ec=0.4
        )
    assert caught.value.code == code


def test_top_up_refuses_a_negative_ec() -> None:
    with pytest.raises(FarmError) as caught:
        top_up_plan(
            volume_l=100, level_l=50, current_ec=-1.0, target_ec=1.6, base_ec=0.4
        )
    assert caught.value.code == "invalid_ec"
    assert caught.value.params == {"field": "current_ec", "value": -1.0}


@given(
    st.floats(min_value=1, max_value=500),
    st.floats(min_value=0, max_value=1.2),
    st.floats(min_value=0, max_value=4),
    st.floats(min_value=0, max_value=0.8),
    st.floats(min_value=0, max_value=3),
)
def test_following_the_top_up_lands_on_target(
    volume: float, fill: float, current: float, base: float, rise: float
) -> None:
    target = base + rise
    plan = top_up_plan(
        volume_l=volume,
        level_l=volume * fill,
        current_ec=current,
        target_ec=target,
        base_ec=base,
    )
    level = min(volume * fill, volume)
    assert plan.add_l == pytest.approx(volume - level)
    assert plan.drain_l >= 0
    assert plan.ec_rise >= 0
    # drain, refill with plain water, then dose the rise
    kept = level - plan.drain_l
    final = (kept * current + (volume - kept) * base) / volume + plan.ec_rise
    assert final == pytest.approx(target, abs=1e-6)


# --- pH correction -----------------------------------------------------------------


def test_ph_down_worked_example() -> None:
    # 100 ppm CaCO3 = 100 / 50.04 = 1.998 meq/L at pH 7.5
    # bicarbonate share: at 7.5 1 / (1 + 10^(6.35 - 7.5)) = 0.9339, at 6.0 0.3088
    # dissolved carbon 1.998 / 0.9339 = 2.1399 meq/L; acid 2.1399 x (0.9339 - 0.3088) = 1.3377
    # free H+ and OH- change: (1e-6 - 10^-7.5 + 10^-6.5 - 1e-8) x 1000 = 0.0013
    # total 1.3390 meq/L; a 3 meq/ml pH down: 0.4463 ml/L; 50 L: 22.3 ml
    result = ph_adjustment(
        7.5, 6.0, alkalinity_ppm=100, strength_meq_per_ml=3.0, volume_l=50
    )
    assert result.direction is PhDirection.DOWN
    assert result.meq_per_l == pytest.approx(1.3390, abs=1e-4)
    assert result.ml_per_l == pytest.approx(0.4463, abs=1e-4)
    assert result.ml_total == pytest.approx(0.4463 * 50, abs=1e-2)


def test_ph_up_worked_example() -> None:
    # 20 ppm = 0.3997 meq/L at pH 5.5; share 0.1238 at 5.5, 0.3088 at 6.0
    # carbon 0.3997 / 0.1238 = 3.2292; base 3.2292 x (0.3088 - 0.1238) = 0.5974
    # free H+ and OH- change 0.0022; total 0.5995 meq/L at 2 meq/ml: 0.2998 ml/L
    result = ph_adjustment(5.5, 6.0, alkalinity_ppm=20, strength_meq_per_ml=2.0)
    assert result.direction is PhDirection.UP
    assert result.ml_per_l == pytest.approx(0.2998, abs=1e-4)
    assert result.ml_total is None


def test_ph_within_tolerance_needs_nothing() -> None:
    result = ph_adjustment(
        6.03, 6.0, alkalinity_ppm=100, strength_meq_per_ml=3.0, volume_l=10
    )
    assert result.direction is PhDirection.NONE
    assert (result.meq_per_l, result.ml_per_l, result.ml_total) == (0.0, 0.0, 0.0)
    unsized = ph_adjustment(6.0, 6.0, alkalinity_ppm=100, strength_meq_per_ml=3.0)
    assert unsized.ml_total is None


def test_ro_water_needs_very_little_acid() -> None:
    # no alkalinity: only free H+ and OH- are moved, about 0.001 meq/L
    result = ph_adjustment(7.0, 6.0, alkalinity_ppm=0, strength_meq_per_ml=3.0)
    assert result.meq_per_l == pytest.approx(1000 * ((1e-6 - 1e-7) + (1e-7 - 1e-8)))


@given(
    st.floats(min_value=4.0, max_value=9.0),
    st.floats(min_value=4.0, max_value=9.0),
    st.floats(min_value=0, max_value=400),
)
def test_ph_dose_grows_with_alkalinity_and_distance(
    current: float, target: float, alkalinity: float
) -> None:
    assume(abs(current - target) >= 0.05)
    dose = ph_adjustment(
        current, target, alkalinity_ppm=alkalinity, strength_meq_per_ml=3.0
    )
    harder = ph_adjustment(
        current, target, alkalinity_ppm=alkalinity + 50, strength_meq_per_ml=3.0
    )
    assert dose.ml_per_l > 0
    assert harder.ml_per_l > dose.ml_per_l
    assert dose.direction is (PhDirection.DOWN if target < current else PhDirection.UP)


@pytest.mark.parametrize(("current", "target"), [(3.9, 6.0), (7.0, 9.1)])
def test_ph_outside_the_model_is_refused(current: float, target: float) -> None:
    with pytest.raises(FarmError) as caught:
        ph_adjustment(current, target, alkalinity_ppm=100, strength_meq_per_ml=3.0)
    assert caught.value.code == "ph_out_of_model_range"
    assert caught.value.params["min_ph"] == 4.0
    assert caught.value.params["max_ph"] == 9.0


@pytest.mark.parametrize(
    ("alkalinity", "strength", "volume", "code"),
    [
        (-1.0, 3.0, None, "invalid_alkalinity"),
        (100.0, 0.0, None, "invalid_strength"),
        (100.0, 3.0, 0.0, "invalid_volume"),
    ],
)
def test_ph_adjustment_refuses_invalid_inputs(
    alkalinity: float, strength: float, volume: float | None, code: str
) -> None:
    with pytest.raises(FarmError) as caught:
        ph_adjustment(
            7.0,
            6.0,
            alkalinity_ppm=alkalinity,
            strength_meq_per_ml=strength,
            volume_l=volume,
        )
    assert caught.value.code == code


# --- fixed additives and the pH reserve ------------------------------------------


def test_the_ph_reserve_is_left_out_of_the_doses_and_counted_in_the_ec() -> None:
    """Target 1.6 over 0.4 with 0.06 held for the pH: the parts add 1.14, 0.57 each."""
    plan = mix_plan(
        [line(PART_A, 2.0), line(PART_B, 2.0)],
        target_ec=1.6,
        base_ec=0.4,
        volume_l=10.0,
        reserve_ec=0.06,
    )
    assert doses_by_key(plan.doses) == pytest.approx({"part_a": 3.8, "part_b": 3.8})
    assert plan.expected_ec == 1.6


def test_fixed_additives_alone_past_the_target_are_refused() -> None:
    """2 ml/L of CalMag adds 0.4 over 0.4: 0.8 is past a target of 0.7."""
    with pytest.raises(FarmError) as caught:
        scale_recipe([line(CALMAG, 2.0), line(PART_A, 2.0)], target_ec=0.7, base_ec=0.4)
    assert caught.value.code == "additives_exceed_target"
    assert caught.value.params == {"target_ec": 0.7, "ec": 0.8}


def test_the_ceiling_counts_the_fixed_doses() -> None:
    """CalMag 1 ml/L (0.2) plus part A at most 5 x 0.15 over 0.4: 1.35 at most."""
    with pytest.raises(FarmError) as caught:
        scale_recipe([line(CALMAG, 1.0), line(PART_A)], target_ec=2.0, base_ec=0.4)
    assert caught.value.code == "ec_unreachable"
    assert caught.value.params["max_ec"] == 1.35


def test_a_silicate_dose_of_zero_stays_zero() -> None:
    doses = scale_recipe(
        [line(SILICATE, 0.0), line(PART_A, 1.0)], target_ec=1.0, base_ec=0.4
    )
    assert doses_by_key(doses) == pytest.approx({"silica": 0.0, "part_a": 4.0})
