"""Tank chemistry with worked numbers: ceilings, blends, CalMag, pH levels and drift, runoff, levels."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from custom_components.vertical_farm.engine import chemistry
from custom_components.vertical_farm.engine.chemistry import (
    EcCeiling,
    PhLevel,
    RunoffFinding,
)
from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.nutrients import (
    PhAdjustment,
    PhDirection,
)
from custom_components.vertical_farm.engine.profiles import (
    FertilizerKind,
    Phase,
    System,
)
from custom_components.vertical_farm.engine.tanks import TargetRange
from tests.engine.factories_a import fertilizer

CEILINGS = {
    System.HYDRO: {Phase.SEEDLING: 1.8, Phase.FRUITING: 4.0, Phase.VEGETATIVE: 3.0},
    System.SOIL: {Phase.SEEDLING: 1.4, Phase.VEGETATIVE: 2.4},
}
# 50 mg calcium and 19 mg magnesium per ml; the library's targets 40 and 15 mg/L.
CALMAG = replace(
    fertilizer("calmag", kind=FertilizerKind.CALMAG, ec_per_ml=0.4),
    calcium_mg_per_ml=50.0,
    magnesium_mg_per_ml=19.0,
)
START = datetime(2026, 11, 1, 8, tzinfo=UTC)


# --- EC ceiling -------------------------------------------------------------------


def test_the_most_tender_plant_sets_the_ceiling() -> None:
    ceiling = chemistry.ec_ceiling(
        System.HYDRO, [Phase.FRUITING, Phase.SEEDLING, Phase.FRUITING], CEILINGS
    )
    assert ceiling == EcCeiling(ec=1.8, phase=Phase.SEEDLING, system=System.HYDRO)
    assert chemistry.ec_ceiling(System.SOIL, [Phase.VEGETATIVE], CEILINGS) == (
        EcCeiling(ec=2.4, phase=Phase.VEGETATIVE, system=System.SOIL)
    )
    # no plants, or no figures for the system: no ceiling
    assert chemistry.ec_ceiling(System.HYDRO, [], CEILINGS) is None
    assert chemistry.ec_ceiling(System.COCO, [Phase.SEEDLING], CEILINGS) is None


def test_a_target_above_the_ceiling_is_refused_exactly_at_it_allowed() -> None:
    ceiling = EcCeiling(ec=1.8, phase=Phase.SEEDLING, system=System.HYDRO)
    chemistry.check_ec_ceiling(1.8, ceiling)
    chemistry.check_ec_ceiling(5.0, None)
    with pytest.raises(FarmError) as caught:
        chemistry.check_ec_ceiling(1.9, ceiling)
    assert caught.value.code == "ec_above_ceiling"
    assert caught.value.params == {
        "target_ec": 1.9,
        "ceiling": 1.8,
        "phase": "seedling",
        "system": "hydro",
    }


def test_the_plants_a_target_would_burn() -> None:
    phases = {
        "tomato": Phase.FRUITING,
        "basil": Phase.SEEDLING,
        "lettuce": Phase.VEGETATIVE,
        "mint": Phase.DORMANCY,  # no figure for it: not judged
    }
    assert chemistry.tender_plants(3.0, System.HYDRO, phases, CEILINGS) == ["basil"]
    assert chemistry.tender_plants(3.1, System.HYDRO, phases, CEILINGS) == [
        "basil",
        "lettuce",
    ]
    # exactly at a ceiling is stood
    assert chemistry.tender_plants(1.8, System.HYDRO, phases, CEILINGS) == []
    assert chemistry.tender_plants(9.0, System.COCO, phases, CEILINGS) == []


# --- Water blend and CalMag -----------------------------------------------------------


def test_a_half_and_half_blend_halves_what_the_tap_water_carries() -> None:
    """RO 0.02 and tap 0.62 mS/cm: base 0.32 is (0.62 - 0.32) / 0.6 = 50 % RO."""
    blend = chemistry.water_blend(
        0.32,
        ro_ec=0.02,
        tap_ec=0.62,
        volume_l=50.0,
        tap_alkalinity_ppm=120.0,
        tap_calcium_mg_l=40.0,
        tap_magnesium_mg_l=10.0,
    )
    assert blend.ro_share == pytest.approx(0.5)
    assert (blend.ro_l, blend.tap_l) == pytest.approx((25.0, 25.0))
    assert blend.alkalinity_ppm == pytest.approx(60.0)
    assert (blend.calcium_mg_l, blend.magnesium_mg_l) == pytest.approx((20.0, 5.0))


def test_a_blend_beyond_both_waters_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        chemistry.water_blend(
            0.8,
            ro_ec=0.02,
            tap_ec=0.62,
            volume_l=50.0,
            tap_alkalinity_ppm=120.0,
            tap_calcium_mg_l=40.0,
            tap_magnesium_mg_l=10.0,
        )
    assert caught.value.code == "blend_out_of_range"


def _calmag(calcium: float, magnesium: float, cap: float = 2.0) -> chemistry.CalMagDose:
    return chemistry.calmag_dose(
        CALMAG,
        calcium_mg_l=calcium,
        magnesium_mg_l=magnesium,
        target_calcium_mg_l=40.0,
        target_magnesium_mg_l=15.0,
        max_ml_per_l=cap,
    )


def test_calmag_tops_ro_water_up_fully() -> None:
    """RO: 40 / 50 = 0.8 ml/L for calcium, 15 / 19 = 0.79 for magnesium: 0.8."""
    dose = _calmag(0.0, 0.0)
    assert dose.ml_per_l == pytest.approx(0.8)
    assert dose.calcium_mg_l == pytest.approx(40.0)
    assert dose.magnesium_mg_l == pytest.approx(0.8 * 19)
    assert not dose.capped


def test_soft_water_needs_less_and_hard_water_none() -> None:
    """Soft (Ca 10, Mg 2): max(30 / 50, 13 / 19) = 0.684 ml/L; hard (60, 20): 0."""
    soft = _calmag(10.0, 2.0)
    assert soft.ml_per_l == pytest.approx(13 / 19)
    assert soft.calcium_mg_l == pytest.approx(10 + 13 / 19 * 50)
    assert soft.magnesium_mg_l == pytest.approx(15.0)
    assert _calmag(60.0, 20.0).ml_per_l == 0.0


def test_the_recipe_dose_is_the_most_calmag_doses() -> None:
    dose = _calmag(0.0, 0.0, cap=0.5)
    assert dose.ml_per_l == 0.5
    assert dose.capped


def test_calmag_without_a_declared_content_or_with_bad_water_is_refused() -> None:
    plain = fertilizer("plain_calmag", kind=FertilizerKind.CALMAG, ec_per_ml=0.4)
    with pytest.raises(FarmError) as caught:
        chemistry.calmag_dose(
            plain,
            calcium_mg_l=0,
            magnesium_mg_l=0,
            target_calcium_mg_l=40,
            target_magnesium_mg_l=15,
            max_ml_per_l=2,
        )
    assert caught.value.code == "calmag_content_unknown"
    with pytest.raises(FarmError) as caught:
        _calmag(-1.0, 0.0)
    assert caught.value.code == "invalid_mineral"


def test_calmag_with_only_calcium_declared_tops_up_calcium() -> None:
    calcium_only = replace(
        fertilizer("calcium_only", kind=FertilizerKind.CALMAG), calcium_mg_per_ml=100.0
    )
    dose = chemistry.calmag_dose(
        calcium_only,
        calcium_mg_l=20,
        magnesium_mg_l=0,
        target_calcium_mg_l=40,
        target_magnesium_mg_l=15,
        max_ml_per_l=2,
    )
    assert dose.ml_per_l == pytest.approx(0.2)


def test_the_ph_reserve_is_the_meq_times_the_adjusters_ec() -> None:
    """2 meq/L of nitric acid: nitrate replaces bicarbonate, 2 x 0.027 = 0.054 mS/cm."""
    nitric = replace(
        fertilizer("nitric", kind=FertilizerKind.PH_DOWN), ec_per_meq=0.027
    )
    down = PhAdjustment(
        direction=PhDirection.DOWN, meq_per_l=2.0, ml_per_l=0.27, ml_total=None
    )
    assert chemistry.ph_reserve_ec(down, nitric) == pytest.approx(0.054)
    none = PhAdjustment(
        direction=PhDirection.NONE, meq_per_l=0.0, ml_per_l=0.0, ml_total=None
    )
    assert chemistry.ph_reserve_ec(none, nitric) == 0.0


# --- pH levels and drift -------------------------------------------------------------


@pytest.mark.parametrize(
    ("ph", "level"),
    [
        (6.0, PhLevel.OK),
        (6.5, PhLevel.OK),  # the band's edge
        (6.9, PhLevel.WARNING),
        (7.0, PhLevel.WARNING),  # exactly the margin beyond
        (7.1, PhLevel.CRITICAL),
        (5.2, PhLevel.WARNING),
        (4.9, PhLevel.CRITICAL),
    ],
)
def test_ph_level_in_band_out_and_far_out(ph: float, level: PhLevel) -> None:
    """Band 5.5-6.5 with a 0.5 margin (hydro): beyond 7.0 or below 5.0 is critical."""
    assert chemistry.ph_level(ph, TargetRange(low=5.5, high=6.5), 0.5) is level


def _samples(*points: tuple[float, float]) -> list[tuple[datetime, float]]:
    return [(START + timedelta(hours=hours), ph) for hours, ph in points]


def test_drift_is_the_slope_per_day() -> None:
    """+0.1 pH every 6 h: 0.4 pH a day."""
    samples = _samples((0, 6.0), (6, 6.1), (12, 6.2), (18, 6.3), (24, 6.4))
    assert chemistry.ph_drift_per_day(samples) == pytest.approx(0.4)


def test_drift_shrugs_off_a_noisy_reading_better_than_last_minus_first() -> None:
    """0 h 6.0, 12 h 6.3, 24 h 6.4: the least-squares slope is 0.2 / 0.5 = 0.4 a day."""
    samples = _samples((0, 6.0), (12, 6.3), (24, 6.4))
    # days 0, 0.5, 1 (mean 0.5); pH mean 6.2333; sum of products 0.2; spread 0.5
    assert chemistry.ph_drift_per_day(samples) == pytest.approx(0.4)
    falling = _samples((0, 6.4), (12, 6.1), (24, 6.0))
    assert chemistry.ph_drift_per_day(falling) == pytest.approx(-0.4)


def test_no_drift_before_half_a_day_of_readings() -> None:
    assert chemistry.ph_drift_per_day(_samples((0, 6.0), (11.9, 6.5))) is None
    assert chemistry.ph_drift_per_day(_samples((0, 6.0))) is None
    assert chemistry.ph_drift_per_day([]) is None
    assert chemistry.ph_drift_per_day(_samples((0, 6.0), (12, 6.25))) == (
        pytest.approx(0.5)
    )


# --- Runoff ---------------------------------------------------------------------------


def test_runoff_with_salts_building_up() -> None:
    """10 L at 1.8 mS/cm in, 2 L at 2.4 out: 20 % runoff, EC 33 % up."""
    analysis = chemistry.analyze_runoff(
        input_ec=1.8,
        input_ph=6.0,
        input_volume_l=10.0,
        runoff_ec=2.4,
        runoff_ph=6.2,
        runoff_volume_l=2.0,
    )
    assert analysis.runoff_percent == pytest.approx(20.0)
    assert analysis.ec_change_percent == pytest.approx(100 / 3)
    assert analysis.ph_change == pytest.approx(0.2)
    # 1.8 x 0.64 g/L x 10 L = 11.52 g in; 2.4 x 0.64 x 2 = 3.072 g out
    assert analysis.salt_in_g == pytest.approx(11.52)
    assert analysis.salt_out_g == pytest.approx(3.072)
    assert analysis.salt_retained_g == pytest.approx(8.448)
    assert analysis.findings == (RunoffFinding.SALT_BUILD_UP,)
    assert analysis.verdict is RunoffFinding.SALT_BUILD_UP


def test_runoff_of_a_hungry_root_zone_lists_every_finding_in_order() -> None:
    """2.0 in, 1.4 out (-30 %), pH 5.8 -> 6.5, 0.5 of 10 L (5 %)."""
    analysis = chemistry.analyze_runoff(
        input_ec=2.0,
        input_ph=5.8,
        input_volume_l=10.0,
        runoff_ec=1.4,
        runoff_ph=6.5,
        runoff_volume_l=0.5,
    )
    assert analysis.ec_change_percent == pytest.approx(-30.0)
    assert analysis.findings == (
        RunoffFinding.UNDERFED,
        RunoffFinding.PH_RISING,
        RunoffFinding.RUNOFF_LOW,
    )
    assert analysis.verdict is RunoffFinding.UNDERFED


@pytest.mark.parametrize(
    ("runoff", "findings"),
    [
        ((1.6, 6.1, 2.0), ()),  # 20 % runoff, EC +6.7 %
        ((1.8, 6.5, 2.0), ()),  # exactly 20 % higher EC and exactly 0.5 pH: fine
        ((1.5, 6.0, 4.0), (RunoffFinding.RUNOFF_HIGH,)),  # 40 %
        ((1.5, 5.4, 2.0), (RunoffFinding.PH_FALLING,)),
        ((1.5, 6.0, 3.0), ()),  # exactly 30 %
        ((1.5, 6.0, 1.0), ()),  # exactly 10 %
    ],
)
def test_runoff_bounds(
    runoff: tuple[float, float, float], findings: tuple[RunoffFinding, ...]
) -> None:
    ec, ph, volume = runoff
    analysis = chemistry.analyze_runoff(
        input_ec=1.5,
        input_ph=6.0,
        input_volume_l=10.0,
        runoff_ec=ec,
        runoff_ph=ph,
        runoff_volume_l=volume,
    )
    assert analysis.findings == findings
    assert analysis.verdict is (findings[0] if findings else RunoffFinding.OK)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"runoff_volume_l": 12.0}, "runoff_above_input"),
        ({"input_volume_l": 0.0}, "invalid_volume"),
        ({"runoff_volume_l": float("nan")}, "invalid_volume"),
        ({"input_ec": 0.0}, "invalid_ec"),
        ({"runoff_ec": -0.1}, "invalid_ec"),
        ({"runoff_ph": 14.5}, "invalid_ph"),
    ],
)
def test_impossible_runoff_is_refused(changes: dict[str, float], code: str) -> None:
    values = {
        "input_ec": 1.5,
        "input_ph": 6.0,
        "input_volume_l": 10.0,
        "runoff_ec": 1.6,
        "runoff_ph": 6.1,
        "runoff_volume_l": 2.0,
    } | changes
    with pytest.raises(FarmError) as caught:
        chemistry.analyze_runoff(**values)
    assert caught.value.code == code


# --- Fill level -----------------------------------------------------------------------


def test_level_percent_converts_with_the_tank_volume() -> None:
    assert chemistry.level_percent(27.0, 60.0) == pytest.approx(45.0)
    with pytest.raises(FarmError) as caught:
        chemistry.level_percent(27.0, 0.0)
    assert caught.value.code == "invalid_volume"


def test_level_and_volume_agree_within_five_percent_of_the_tank() -> None:
    """60 L tank: 3 L apart still agrees, 3.1 L apart does not."""
    agree = chemistry.level_consistency(
        level_l=30.0, volume_reading_l=27.0, volume_l=60
    )
    assert agree.consistent
    assert agree.difference_l == pytest.approx(-3.0)
    assert agree.tolerance_l == pytest.approx(3.0)
    apart = chemistry.level_consistency(
        level_l=30.0, volume_reading_l=33.1, volume_l=60
    )
    assert not apart.consistent
    assert apart.difference_l == pytest.approx(3.1)
