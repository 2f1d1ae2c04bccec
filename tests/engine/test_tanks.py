"""Tests of tank targets, deviations, drift, temperature, age, maintenance, water use, probes."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
import math
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.profiles import Phase, System, TankType
from custom_components.vertical_farm.engine.tanks import (
    BalanceReason,
    DeviationDirection,
    DeviationLevel,
    LevelLog,
    LevelUnit,
    MaintenanceKind,
    MaintenanceTask,
    ProbeKind,
    ProbeReason,
    SolutionAgeAccumulator,
    TargetRange,
    TargetReason,
    WaterTemperature,
    deviation,
    maintenance_due,
    probe_status,
    recipe_life_days,
    solution_age,
    solution_life_days,
    tank_targets,
    water_balance,
    water_temperature,
)
from tests.engine.factories_a import at, phase_profile

PACIFIC = ZoneInfo("US/Pacific")
BASIL = phase_profile(Phase.VEGETATIVE, ec=(1.0, 1.6), ph=(5.5, 6.5))
LETTUCE = phase_profile(Phase.VEGETATIVE, ec=(0.8, 1.2), ph=(5.6, 6.2))
TOMATO = phase_profile(Phase.FRUITING, ec=(2.0, 3.5), ph=(5.5, 6.5))
BLUEBERRY = phase_profile(Phase.FRUITING, ec=(1.0, 1.6), ph=(4.5, 5.2))


# --- targets ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "tank_type", [TankType.NUTRIENT, TankType.RECIRCULATION, TankType.IRRIGATION]
)
def test_feeding_tank_uses_the_overlap_of_its_plants(tank_type: TankType) -> None:
    targets = tank_targets(tank_type, [BASIL, LETTUCE])
    # EC: max(1.0, 0.8) .. min(1.6, 1.2) = 1.0 .. 1.2; pH 5.6 .. 6.2
    assert targets.ec == TargetRange(low=1.0, high=1.2)
    assert targets.ph == TargetRange(low=5.6, high=6.2)
    assert targets.ec_target == pytest.approx((1.0 + 1.2) / 2)
    assert targets.ph_target == pytest.approx((5.6 + 6.2) / 2)
    assert targets.reason is TargetReason.OK
    assert not targets.ec_conflict
    assert not targets.ph_conflict


def test_single_plant_uses_its_own_range() -> None:
    targets = tank_targets(TankType.NUTRIENT, iter([BASIL]))
    assert targets.ec == TargetRange(low=1.0, high=1.6)


def test_touching_ranges_overlap_in_one_point() -> None:
    other = phase_profile(Phase.VEGETATIVE, ec=(1.6, 2.2), ph=(6.5, 7.0))
    targets = tank_targets(TankType.NUTRIENT, [BASIL, other])
    assert targets.ec == TargetRange(low=1.6, high=1.6)
    assert targets.ph == TargetRange(low=6.5, high=6.5)
    assert targets.reason is TargetReason.OK


def test_ec_conflict_keeps_a_target_from_the_lower_window_on_a_tie() -> None:
    # lettuce 0.8-1.2 and tomato 2.0-3.5 never meet; one plant record each is a
    # tie, so the lower window wins: 0.8-1.2, set point 1.0
    targets = tank_targets(TankType.RECIRCULATION, [LETTUCE, TOMATO])
    assert targets.reason is TargetReason.NO_OVERLAP
    assert targets.ec_conflict
    assert targets.ec == TargetRange(low=0.8, high=1.2)
    assert targets.ec_target == pytest.approx(1.0)
    # pH still overlaps: 5.6 .. 6.2
    assert targets.ph == TargetRange(low=5.6, high=6.2)
    assert not targets.ph_conflict


def test_ec_conflict_follows_the_most_plant_records() -> None:
    # two tomato records against one lettuce: the tomato window 2.0-3.5, set point 2.75
    targets = tank_targets(TankType.NUTRIENT, [TOMATO, LETTUCE, TOMATO])
    assert targets.ec_conflict
    assert targets.ec == TargetRange(low=2.0, high=3.5)
    assert targets.ec_target == pytest.approx(2.75)


def test_ec_conflict_uses_the_window_where_most_plants_meet() -> None:
    # basil 1.0-1.6 and lettuce 0.8-1.2 meet in 1.0-1.2; tomato 2.0-3.5 meets
    # neither: two plants beat one, so 1.0-1.2, set point 1.1
    targets = tank_targets(TankType.NUTRIENT, [TOMATO, BASIL, LETTUCE])
    assert targets.ec_conflict
    assert targets.ec == TargetRange(low=1.0, high=1.2)
    assert targets.ec_target == pytest.approx(1.1)


def test_ec_conflict_counts_plant_records_with_equal_windows_together() -> None:
    # two separate profiles asking for the same window count as two plants
    other_tomato = phase_profile(Phase.RIPENING, ec=(2.0, 3.5), ph=(5.5, 6.5))
    targets = tank_targets(TankType.NUTRIENT, [LETTUCE, TOMATO, other_tomato])
    assert targets.ec == TargetRange(low=2.0, high=3.5)


def test_ph_conflict_keeps_the_window_nearest_the_usual_set_point_on_a_tie() -> None:
    # basil 5.5-6.5 (middle 6.0) and blueberry 4.5-5.2 (middle 4.85): a tie,
    # so the window whose middle is nearest pH 6.0 wins
    targets = tank_targets(TankType.NUTRIENT, [BLUEBERRY, BASIL])
    assert targets.reason is TargetReason.NO_OVERLAP
    assert targets.ph_conflict
    assert targets.ph == TargetRange(low=5.5, high=6.5)
    assert targets.ph_target == pytest.approx(6.0)
    assert targets.ec == TargetRange(low=1.0, high=1.6)
    assert not targets.ec_conflict


def test_ph_conflict_follows_the_most_plant_records() -> None:
    # two blueberry records against one basil: 4.5-5.2, set point 4.85
    targets = tank_targets(TankType.NUTRIENT, [BLUEBERRY, BASIL, BLUEBERRY])
    assert targets.ph == TargetRange(low=4.5, high=5.2)
    assert targets.ph_target == pytest.approx(4.85)


def test_ph_conflict_on_soil_prefers_the_window_nearest_the_soil_set_point() -> None:
    # soil moves both windows up 0.5: basil 6.0-7.0 (middle 6.5), blueberry
    # 5.0-5.7 (middle 5.35); the soil set point is 6.5, so basil's window
    targets = tank_targets(TankType.IRRIGATION, [BLUEBERRY, BASIL], system=System.SOIL)
    assert targets.ph == TargetRange(low=6.0, high=7.0)


def test_inverted_ranges_give_no_target() -> None:
    # bad data (the library refuses it): a range whose minimum is above its maximum
    broken = phase_profile(Phase.VEGETATIVE, ec=(2.0, 1.0), ph=(6.5, 5.5))
    targets = tank_targets(TankType.NUTRIENT, [broken])
    assert (targets.ec, targets.ec_target, targets.ph, targets.ph_target) == (
        None,
        None,
        None,
        None,
    )
    assert targets.ec_conflict
    assert targets.ph_conflict


@given(
    windows=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=40),
            st.integers(min_value=0, max_value=20),
        ),
        min_size=1,
        max_size=8,
    )
)
def test_target_window_is_where_the_most_plants_meet(
    windows: list[tuple[int, int]],
) -> None:
    profiles = [
        phase_profile(Phase.VEGETATIVE, ec=(low / 10, (low + width) / 10))
        for low, width in windows
    ]
    targets = tank_targets(TankType.NUTRIENT, profiles)
    assert targets.ec is not None
    assert targets.ec_target is not None

    def served(value: float) -> int:
        return sum(item.ec_min <= value <= item.ec_max for item in profiles)

    most = max(served(item.ec_min) for item in profiles)
    # every plant record whose window holds the band is served all across it
    assert served(targets.ec.low) == served(targets.ec.high) == most
    assert served(targets.ec_target) == most
    assert targets.ec_conflict is (most < len(profiles))
    # on a tie the lowest such band wins
    assert all(
        served(item.ec_min) < most or item.ec_min >= targets.ec.low for item in profiles
    )


def test_soil_irrigation_runs_the_ph_half_a_unit_higher() -> None:
    targets = tank_targets(TankType.IRRIGATION, [BASIL], system=System.SOIL)
    assert targets.ph == TargetRange(low=5.5 + 0.5, high=6.5 + 0.5)
    assert targets.ec == TargetRange(low=1.0, high=1.6)


def test_coco_irrigation_uses_the_plants_ph() -> None:
    targets = tank_targets(TankType.IRRIGATION, [BASIL], system=System.COCO)
    assert targets.ph == TargetRange(low=5.5, high=6.5)


def test_reservoir_has_a_ph_band_and_ec_near_the_base_water() -> None:
    targets = tank_targets(TankType.RESERVOIR, [BASIL], base_ec=0.5)
    assert targets.ph == TargetRange(low=5.5, high=8.0)
    assert targets.ph_target == pytest.approx((5.5 + 8.0) / 2)
    # up to 0.5 + 0.2
    assert targets.ec == TargetRange(low=0.0, high=0.5 + 0.2)
    assert targets.ec_target == 0.5
    assert targets.reason is TargetReason.OK


def test_stock_concentrate_has_no_targets() -> None:
    targets = tank_targets(TankType.STOCK, [BASIL])
    assert (targets.ec, targets.ph, targets.ec_target, targets.ph_target) == (
        None,
        None,
        None,
        None,
    )
    assert targets.reason is TargetReason.STOCK


def test_feeding_tank_without_plants_has_no_targets() -> None:
    targets = tank_targets(TankType.NUTRIENT, [])
    assert targets.ec is None
    assert targets.ph is None
    assert targets.reason is TargetReason.NO_PLANTS


def test_range_contains_its_edges() -> None:
    band = TargetRange(low=1.0, high=2.0)
    assert band.contains(1.0)
    assert band.contains(2.0)
    assert not band.contains(2.01)
    assert band.midpoint == 1.5


# --- deviation ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "level", "direction"),
    [
        (1.5, DeviationLevel.OK, DeviationDirection.ON_TARGET),
        (1.8, DeviationLevel.OK, DeviationDirection.HIGH),  # 0.3 / 1.5 = exactly +20 %
        (1.2, DeviationLevel.OK, DeviationDirection.LOW),  # exactly -20 %
        (1.81, DeviationLevel.WARNING, DeviationDirection.HIGH),  # +20.7 %
        (1.19, DeviationLevel.WARNING, DeviationDirection.LOW),  # -20.7 %
        (1.95, DeviationLevel.WARNING, DeviationDirection.HIGH),  # exactly +30 %
        (1.05, DeviationLevel.WARNING, DeviationDirection.LOW),  # exactly -30 %
        (1.96, DeviationLevel.ALARM, DeviationDirection.HIGH),  # +30.7 %
        (1.04, DeviationLevel.ALARM, DeviationDirection.LOW),  # -30.7 %
    ],
)
def test_deviation_levels(
    value: float, level: DeviationLevel, direction: DeviationDirection
) -> None:
    result = deviation(value, 1.5)
    assert result.level is level
    assert result.direction is direction
    assert result.percent == pytest.approx((value - 1.5) / 1.5 * 100)


@given(st.floats(min_value=0.01, max_value=20), st.sampled_from([-30, -20, 20, 30]))
def test_exact_limits_never_tip_into_the_next_level(
    target: float, percent: int
) -> None:
    result = deviation(target * (1 + percent / 100), target)
    assert result.level is (
        DeviationLevel.OK if abs(percent) == 20 else DeviationLevel.WARNING
    )


@pytest.mark.parametrize("target", [0.0, -1.0, math.nan])
def test_deviation_refuses_a_target_that_is_not_positive(target: float) -> None:
    with pytest.raises(FarmError) as caught:
        deviation(1.0, target)
    assert caught.value.code == "invalid_target"


# --- pH drift --------------------------------------------------------------------


# --- water temperature ------------------------------------------------------------


@pytest.mark.parametrize(
    ("temperature", "verdict"),
    [
        (15.9, WaterTemperature.TOO_COLD),
        (16.0, WaterTemperature.OK),
        (20.0, WaterTemperature.OK),
        (24.0, WaterTemperature.OK),
        (24.1, WaterTemperature.TOO_WARM),
    ],
)
def test_water_temperature_limits(
    temperature: float, verdict: WaterTemperature
) -> None:
    assert water_temperature(temperature) is verdict


def test_water_temperature_limits_can_be_changed() -> None:
    assert water_temperature(26.0, max_c=28.0) is WaterTemperature.OK
    assert water_temperature(17.0, min_c=18.0) is WaterTemperature.TOO_COLD


# --- solution age ----------------------------------------------------------------


def test_solution_life_halves_for_each_ten_degrees() -> None:
    assert solution_life_days(20.0) == 10.0
    assert solution_life_days(30.0) == 5.0
    assert solution_life_days(10.0) == 20.0
    # 25 C: 10 x 2^-0.5 = 7.07 days
    assert solution_life_days(25.0) == pytest.approx(10 / math.sqrt(2))


def test_solution_age_at_a_steady_20_degrees() -> None:
    age = solution_age(filled_at=at(1), now=at(5), temperatures=[(at(1), 20.0)])
    # 4 of 10 days used; 6 left
    assert age.age_days == 4.0
    assert age.used_fraction == pytest.approx(4 / 10)
    assert age.days_left == pytest.approx(6.0)
    assert age.due_at == at(5) + timedelta(days=6)
    assert not age.due
    assert not age.assumed_temperature


def test_solution_age_integrates_a_warm_spell() -> None:
    readings = [(at(1), 20.0), (at(3), 30.0), (at(4), 20.0)]
    age = solution_age(filled_at=at(1), now=at(6), temperatures=readings)
    # 2 days at 20 (2/10) + 1 day at 30 (1/5) + 2 days at 20 (2/10) = 0.6
    assert age.used_fraction == pytest.approx(2 / 10 + 1 / 5 + 2 / 10)
    # left at 20 C: 0.4 x 10 = 4 days
    assert age.days_left == pytest.approx(4.0)


def test_solution_age_uses_the_reading_before_the_fill_and_ignores_the_future() -> None:
    readings = [(at(6), 40.0), (at(2), 20.0), (at(1), 30.0), (at(1, 6), math.nan)]
    age = solution_age(filled_at=at(1, 12), now=at(4, 12), temperatures=readings)
    # 30 C holds from the fill (day 1 12:00) to day 2 00:00: 0.5 / 5;
    # then 20 C to day 4 12:00: 2.5 / 10; the day-6 reading is after now
    assert age.used_fraction == pytest.approx(0.5 / 5 + 2.5 / 10)
    assert age.days_left == pytest.approx((1 - 0.35) * 10)


def test_solution_age_first_reading_covers_back_to_the_fill() -> None:
    age = solution_age(filled_at=at(1), now=at(3), temperatures=[(at(2), 30.0)])
    # 30 C all along: 2 / 5
    assert age.used_fraction == pytest.approx(2 / 5)


def test_solution_age_is_due_at_30_degrees_after_5_days() -> None:
    age = solution_age(filled_at=at(1), now=at(6), temperatures=[(at(1), 30.0)])
    assert age.used_fraction == pytest.approx(1.0)
    assert age.due
    assert age.days_left == 0.0
    assert age.due_at == at(6)


def test_solution_age_past_its_life_keeps_counting() -> None:
    age = solution_age(filled_at=at(1), now=at(21), temperatures=[(at(1), 20.0)])
    assert age.used_fraction == pytest.approx(2.0)
    assert age.days_left == 0.0
    assert age.due


def test_solution_age_without_readings_assumes_20_degrees() -> None:
    age = solution_age(filled_at=at(1), now=at(3))
    assert age.used_fraction == pytest.approx(2 / 10)
    assert age.assumed_temperature
    warm = solution_age(filled_at=at(1), now=at(3), default_temperature_c=30.0)
    assert warm.used_fraction == pytest.approx(2 / 5)


def test_solution_age_right_after_the_fill() -> None:
    age = solution_age(filled_at=at(1), now=at(1), temperatures=[(at(1), 20.0)])
    assert (age.age_days, age.used_fraction, age.days_left) == (0.0, 0.0, 10.0)


def test_solution_age_with_a_reading_exactly_at_now() -> None:
    age = solution_age(
        filled_at=at(1), now=at(3), temperatures=[(at(1), 20.0), (at(3), 30.0)]
    )
    # 2 days at 20 C; the 30 C reading sets the rest: (1 - 0.2) x 5 = 4 days left
    assert age.used_fraction == pytest.approx(0.2)
    assert age.days_left == pytest.approx(4.0)


def _pacific(text: str) -> datetime:
    """A US/Pacific local time, as the live farm has them (it falls back on 1 Nov 2026)."""
    return datetime.fromisoformat(text).astimezone(PACIFIC)


def test_solution_age_counts_real_hours_across_a_clock_change() -> None:
    # 12:00 PDT to 12:00 PST is 25 hours: 13 of them after the midnight reading.
    filled = _pacific("2026-10-31T12:00:00-07:00")
    readings = [(filled, 20.0), (_pacific("2026-11-01T00:00:00-07:00"), 20.0)]
    now = _pacific("2026-11-01T12:00:00-08:00")
    age = solution_age(filled_at=filled, now=now, temperatures=readings)
    assert age.age_days == pytest.approx(25 / 24)
    assert age.used_fraction == pytest.approx(25 / 24 / 10)


def test_solution_age_orders_readings_of_the_repeated_hour_by_instant() -> None:
    # 30 C from 01:40 PDT to 01:10 PST (30 minutes), 20 C otherwise.
    filled = _pacific("2026-11-01T00:00:00-07:00")
    readings = [
        (filled, 20.0),
        (_pacific("2026-11-01T01:40:00-07:00"), 30.0),
        (_pacific("2026-11-01T01:10:00-08:00"), 20.0),
    ]
    now = _pacific("2026-11-01T02:00:00-08:00")  # 3 hours after the fill
    age = solution_age(filled_at=filled, now=now, temperatures=readings)
    assert age.used_fraction == pytest.approx((2.5 / 240) + (0.5 / 120))


def test_solution_change_due_counts_real_days_across_a_clock_change() -> None:
    # 10 days at 20 C from 12:00 PDT are 240 hours: 11:00 PST, in now's zone.
    now = _pacific("2026-10-30T12:00:00-07:00")
    for age in (
        solution_age(filled_at=now, now=now),
        SolutionAgeAccumulator(filled_at=now).age(now),
    ):
        assert age.days_left == pytest.approx(10.0)
        assert age.due_at.isoformat() == "2026-11-09T11:00:00-08:00"


@given(st.lists(st.floats(min_value=5, max_value=35), min_size=1, max_size=10))
def test_solution_age_lies_between_its_coldest_and_warmest_day(
    values: list[float],
) -> None:
    readings = [
        (at(1) + timedelta(days=index), value) for index, value in enumerate(values)
    ]
    now = at(1) + timedelta(days=len(values))
    age = solution_age(filled_at=at(1), now=now, temperatures=readings)
    days = len(values)
    assert days / solution_life_days(min(values)) - 1e-9 <= age.used_fraction
    assert age.used_fraction <= days / solution_life_days(max(values)) + 1e-9
    assert age.days_left >= 0


# --- solution age, reading by reading ------------------------------------------


def _fed(
    filled_at: datetime, readings: list[tuple[datetime, float]], **kwargs: float
) -> SolutionAgeAccumulator:
    accumulator = SolutionAgeAccumulator(filled_at=filled_at, **kwargs)
    for when, value in readings:
        accumulator.add(when, value)
    return accumulator


def test_accumulated_age_integrates_a_warm_spell() -> None:
    accumulator = _fed(at(1), [(at(1), 20.0), (at(3), 30.0), (at(4), 20.0)])
    # counted up to the latest reading: 2 days at 20 C (2/10) + 1 day at 30 C (1/5)
    assert accumulator.used_fraction == pytest.approx(2 / 10 + 1 / 5)

    age = accumulator.age(at(6))
    # + 2 more days at 20 C (2/10) = 0.6; left at 20 C: 0.4 x 10 = 4 days
    assert age.used_fraction == pytest.approx(2 / 10 + 1 / 5 + 2 / 10)
    assert age.days_left == pytest.approx(4.0)
    assert age.age_days == 5.0
    assert not age.assumed_temperature


def test_accumulated_age_starts_from_the_reading_before_the_fill() -> None:
    # the last reading before the fill, 30 C, holds until day 2 00:00: 0.5 / 5;
    # then 20 C to day 4 12:00: 2.5 / 10
    accumulator = _fed(at(1, 12), [(at(1), 30.0), (at(2), 20.0)])
    age = accumulator.age(at(4, 12))
    assert age.used_fraction == pytest.approx(0.5 / 5 + 2.5 / 10)
    assert accumulator.filled_at == at(1, 12)


def test_accumulated_age_first_reading_covers_back_to_the_fill() -> None:
    age = _fed(at(1), [(at(2), 30.0)]).age(at(3))
    # 30 C all along: 2 / 5
    assert age.used_fraction == pytest.approx(2 / 5)


def test_accumulated_age_without_readings_assumes_the_default() -> None:
    age = _fed(at(1), [], default_temperature_c=30.0).age(at(3))
    assert age.used_fraction == pytest.approx(2 / 5)
    assert age.assumed_temperature


def test_accumulated_age_ignores_an_unavailable_probe() -> None:
    accumulator = _fed(at(1), [(at(1), 20.0), (at(2), math.nan), (at(2), 30.0)])
    # the NaN at day 2 is skipped, so the 30 C reading at the same instant is fine
    assert accumulator.age(at(3)).used_fraction == pytest.approx(1 / 10 + 1 / 5)


def test_accumulated_age_in_another_zone_is_the_same() -> None:
    local = timezone(timedelta(hours=2))
    accumulator = _fed(at(1).astimezone(local), [(at(2).astimezone(local), 30.0)])
    age = accumulator.age(at(3).astimezone(local))
    assert age.used_fraction == pytest.approx(2 / 5)
    assert age.due_at.utcoffset() == timedelta(hours=2)  # in the zone of `now`


def test_accumulator_refuses_readings_out_of_order_and_a_now_before_them() -> None:
    accumulator = _fed(at(1), [(at(2), 20.0)])
    for earlier in (at(2), at(1, 12)):
        with pytest.raises(FarmError) as caught:
            accumulator.add(earlier, 25.0)
        assert caught.value.code == "readings_out_of_order"
    with pytest.raises(FarmError) as caught:
        accumulator.age(at(1, 12))
    assert caught.value.code == "reading_after_now"
    assert caught.value.params == {
        "at": at(2).isoformat(),
        "now": at(1, 12).isoformat(),
    }


water_temperatures = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=20 * 24 * 60),  # minutes after day 1
        st.floats(min_value=0, max_value=45) | st.just(math.nan),
    ),
    max_size=40,
    unique_by=lambda item: item[0],
)


@given(
    water_temperatures,
    st.integers(min_value=0, max_value=10 * 24 * 60),
    st.integers(min_value=0, max_value=3 * 24 * 60),
)
def test_accumulated_age_equals_solution_age(
    samples: list[tuple[int, float]], fill_min: int, after_min: int
) -> None:
    readings = sorted(
        (at(1) + timedelta(minutes=minute), value) for minute, value in samples
    )
    filled_at = at(1) + timedelta(minutes=fill_min)
    latest = max([filled_at, *(when for when, _ in readings)])
    now = latest + timedelta(minutes=after_min)

    accumulated = _fed(filled_at, readings).age(now)

    assert accumulated == solution_age(
        filled_at=filled_at, now=now, temperatures=readings
    )


# --- maintenance -----------------------------------------------------------------


def test_maintenance_due_soonest_first() -> None:
    tasks = [
        MaintenanceTask(
            kind=MaintenanceKind.CLEAN_TANK, interval_days=28, last_done=at(1)
        ),
        MaintenanceTask(
            kind=MaintenanceKind.CHANGE_WATER, interval_days=14, last_done=at(1)
        ),
        MaintenanceTask(
            kind=MaintenanceKind.CALIBRATE_PROBES, interval_days=30, last_done=None
        ),
    ]
    due = maintenance_due(tasks, at(20))
    assert [item.kind for item in due] == [
        MaintenanceKind.CALIBRATE_PROBES,
        MaintenanceKind.CHANGE_WATER,
        MaintenanceKind.CLEAN_TANK,
    ]
    never, water, clean = due
    assert never.due_at is None
    assert never.due
    # water: 1 March + 14 days = 15 March, 5 days late on 20 March
    assert water.due_at == at(15)
    assert water.due
    assert water.overdue_days == pytest.approx(5.0)
    # clean: 29 March, not yet
    assert clean.due_at == at(29)
    assert not clean.due
    assert clean.overdue_days == 0.0


def test_maintenance_is_due_at_the_exact_instant() -> None:
    task = MaintenanceTask(
        kind=MaintenanceKind.CHANGE_WATER, interval_days=14, last_done=at(1)
    )
    assert maintenance_due([task], at(15))[0].due
    assert not maintenance_due([task], at(15) - timedelta(seconds=1))[0].due


def test_unscheduled_chores_are_left_out() -> None:
    task = MaintenanceTask(
        kind=MaintenanceKind.CLEAN_TANK, interval_days=0, last_done=None
    )
    assert maintenance_due([task], at(1)) == ()


# --- water balance ---------------------------------------------------------------


def hourly(start: datetime, levels: list[float]) -> list[tuple[datetime, float]]:
    return [
        (start + timedelta(hours=index), level) for index, level in enumerate(levels)
    ]


def test_steady_use_per_day_and_days_until_empty() -> None:
    # 100 L tank losing 0.5 L an hour for 24 hours: 12 L a day; 88 L left: 88 / 12 days
    readings = hourly(at(1), [100 - 0.5 * hour for hour in range(25)])
    balance = water_balance(readings, now=at(2), volume_l=100)
    assert balance.reason is BalanceReason.OK
    assert balance.use_l_per_day == pytest.approx(12.0)
    assert balance.level_l == 88.0
    assert balance.days_until_empty == pytest.approx(88 / 12)
    assert balance.refills == 0


def test_refill_is_not_negative_use_and_its_hour_is_left_out() -> None:
    # 12 hours at 1 L/h, refill from 88 to 100 in the 13th hour, 12 more hours at 1 L/h
    levels = [100.0 - hour for hour in range(13)] + [100.0 - hour for hour in range(12)]
    balance = water_balance(hourly(at(1), levels), now=at(2), volume_l=100, noise_l=0.5)
    # used 12 + 11 = 23 L over 24 hours minus the refill hour: 23 h
    assert balance.refills == 1
    assert balance.use_l_per_day == pytest.approx(23 / (23 / 24))
    assert balance.level_l == 89.0
    assert balance.days_until_empty == pytest.approx(89 / 24)


def test_jitter_below_the_noise_threshold_is_no_use() -> None:
    # +-0.3 L around 50 L on a 50 L tank: threshold 2 % = 1 L
    levels = [50.0 + (0.3 if hour % 2 else -0.3) for hour in range(30)]
    balance = water_balance(hourly(at(1), levels), now=at(3), volume_l=50)
    assert balance.reason is BalanceReason.NO_USE
    assert balance.use_l_per_day == 0.0
    assert balance.days_until_empty is None
    assert balance.refills == 0


def test_slow_use_below_the_threshold_per_step_still_adds_up() -> None:
    # 0.25 L an hour on a 50 L tank (threshold 1 L): counted in 1 L steps, 6 L in 24 h
    levels = [50.0 - 0.25 * hour for hour in range(25)]
    balance = water_balance(hourly(at(1), levels), now=at(2), volume_l=50)
    assert balance.use_l_per_day == pytest.approx(6.0)


def test_unsorted_input_and_a_gap_give_the_same_answer() -> None:
    # readings every hour, then a 10-hour gap with the level still falling 1 L/h
    readings = [*hourly(at(1), [100.0 - hour for hour in range(6)]), (at(1, 15), 85.0)]
    shuffled = [
        readings[3],
        readings[6],
        readings[0],
        readings[5],
        readings[1],
        readings[4],
        readings[2],
    ]
    balance = water_balance(shuffled, now=at(2), volume_l=100, min_hours=6)
    # 15 L over 15 hours: 24 L a day
    assert balance.use_l_per_day == pytest.approx(24.0)
    assert balance.days_until_empty == pytest.approx(85 / 24)


def test_percent_levels_are_converted_with_the_volume() -> None:
    # 80 % to 70 % of 200 L in a day: 20 L a day, 140 L left
    readings = [(at(1), 80.0), (at(1, 12), 75.0), (at(2), 70.0)]
    balance = water_balance(readings, now=at(2), volume_l=200, unit=LevelUnit.PERCENT)
    assert balance.use_l_per_day == pytest.approx(20.0)
    assert balance.level_l == pytest.approx(140.0)
    assert balance.days_until_empty == pytest.approx(140 / 20)


def test_reserve_and_empty_tank_are_never_negative() -> None:
    readings = [(at(1), 20.0), (at(2), 8.0)]
    # 12 L a day, 8 L left, pump intake needs 10 L: nothing usable left
    balance = water_balance(readings, now=at(2), volume_l=100, reserve_l=10.0)
    assert balance.use_l_per_day == pytest.approx(12.0)
    assert balance.days_until_empty == 0.0


def test_readings_outside_the_window_and_unavailable_values_are_ignored() -> None:
    readings = [
        (at(1), 100.0),  # 9 days before now: outside the 7-day window
        (at(8), 60.0),
        (at(9), 50.0),
        (at(9, 12), math.nan),
        (at(11), 0.0),  # after now
    ]
    balance = water_balance(readings, now=at(10), volume_l=100)
    assert balance.use_l_per_day == pytest.approx(10.0)
    assert balance.level_l == 50.0


def test_too_little_data_gives_no_figure() -> None:
    assert (
        water_balance([], now=at(2), volume_l=100).reason
        is BalanceReason.NOT_ENOUGH_DATA
    )
    single = water_balance([(at(1), 50.0)], now=at(2), volume_l=100)
    assert single.reason is BalanceReason.NOT_ENOUGH_DATA
    assert single.level_l == 50.0
    assert single.use_l_per_day is None
    # 11 hours of readings: under the 12-hour minimum
    short = water_balance(
        hourly(at(1), [50.0 - hour for hour in range(12)]), now=at(2), volume_l=100
    )
    assert short.reason is BalanceReason.NOT_ENOUGH_DATA
    assert short.days_until_empty is None


def test_noise_threshold_can_be_set() -> None:
    levels = [50.0 - 0.4 * hour for hour in range(25)]
    # 0.4 L an hour counts at a 0.1 L threshold: 9.6 L a day
    balance = water_balance(hourly(at(1), levels), now=at(2), volume_l=50, noise_l=0.1)
    assert balance.use_l_per_day == pytest.approx(0.4 * 24)


def test_water_balance_refuses_an_invalid_volume() -> None:
    with pytest.raises(FarmError) as caught:
        water_balance([], now=at(1), volume_l=0)
    assert caught.value.code == "invalid_volume"
    assert caught.value.params == {"volume_l": 0}


@given(st.lists(st.floats(min_value=0, max_value=100), min_size=2, max_size=60))
def test_water_balance_is_never_negative(levels: list[float]) -> None:
    balance = water_balance(hourly(at(1), levels), now=at(4), volume_l=100, min_hours=1)
    if balance.use_l_per_day is not None:
        assert balance.use_l_per_day >= 0
    if balance.days_until_empty is not None:
        assert balance.days_until_empty >= 0


@given(st.lists(st.floats(min_value=0, max_value=5), min_size=13, max_size=60))
def test_falling_level_use_matches_the_fall_within_one_threshold(
    drops: list[float],
) -> None:
    levels = [300.0]
    for drop in drops:
        levels.append(levels[-1] - drop)
    balance = water_balance(hourly(at(1), levels), now=at(4), volume_l=300)
    assert balance.use_l_per_day is not None
    used = balance.use_l_per_day * len(drops) / 24
    fall = levels[0] - levels[-1]
    # threshold 2 % of 300 L = 6 L: at most that much is still waiting to count
    assert fall - 6.0 - 1e-9 <= used <= fall + 1e-9
    assert balance.refills == 0


# --- water balance from a level log ---------------------------------------------


def _logged(
    readings: list[tuple[datetime, float]],
    *,
    volume_l: float = 100.0,
    unit: LevelUnit = LevelUnit.LITRES,
    window_days: float = 7.0,
) -> LevelLog:
    log = LevelLog(volume_l=volume_l, unit=unit, window_days=window_days)
    for when, value in readings:
        log.add(when, value)
    return log


def test_level_log_gives_use_per_day_and_days_until_empty() -> None:
    # 100 L tank losing 0.5 L an hour for 24 hours: 12 L a day; 88 L left: 88 / 12 days
    log = _logged(hourly(at(1), [100 - 0.5 * hour for hour in range(25)]))
    balance = log.balance(at(2))
    assert balance.reason is BalanceReason.OK
    assert balance.use_l_per_day == pytest.approx(12.0)
    assert balance.days_until_empty == pytest.approx(88 / 12)
    assert log.level_l == 88.0


def test_level_log_leaves_a_refill_out() -> None:
    # 12 hours at 1 L/h, refill from 88 to 100 in the 13th hour, 12 more hours at 1 L/h
    levels = [100.0 - hour for hour in range(13)] + [100.0 - hour for hour in range(12)]
    balance = _logged(hourly(at(1), levels)).balance(at(2), noise_l=0.5)
    # used 12 + 11 = 23 L over 24 hours minus the refill hour: 23 h
    assert balance.refills == 1
    assert balance.use_l_per_day == pytest.approx(23 / (23 / 24))


def test_level_log_in_percent_and_with_a_reserve() -> None:
    # 200 L tank, 50 % falling 0.25 % an hour: 0.5 L an hour, 12 L a day
    levels = [50 - 0.25 * hour for hour in range(25)]
    log = _logged(hourly(at(1), levels), volume_l=200, unit=LevelUnit.PERCENT)
    balance = log.balance(at(2), reserve_l=20.0)
    assert balance.use_l_per_day == pytest.approx(12.0)
    # 44 % of 200 L = 88 L, less the 20 L reserve: 68 / 12 days
    assert balance.days_until_empty == pytest.approx(68 / 12)


def test_level_log_drops_what_lies_a_window_before_the_latest() -> None:
    log = _logged(hourly(at(1), [50.0] * 49), window_days=1.0)
    # 49 hourly readings from day 1 00:00 to day 3 00:00: only day 2 00:00 onwards stay
    assert len(log) == 25
    assert log.balance(at(3)) == water_balance(
        hourly(at(1), [50.0] * 49), now=at(3), volume_l=100, window_days=1.0
    )


def test_level_log_needs_enough_counted_time() -> None:
    empty = LevelLog(volume_l=100)
    assert empty.level_l is None
    assert empty.balance(at(2)).reason is BalanceReason.NOT_ENOUGH_DATA
    # readings older than the window count for nothing
    old = _logged(hourly(at(1), [50.0, 49.0]))
    assert old.balance(at(20)).level_l is None
    short = _logged(hourly(at(1), [50.0, 49.0, 48.0]))
    assert short.balance(at(1, 3)).reason is BalanceReason.NOT_ENOUGH_DATA
    steady = _logged(hourly(at(1), [50.0] * 25))
    assert steady.balance(at(2)).reason is BalanceReason.NO_USE


def test_level_log_ignores_an_unavailable_sensor() -> None:
    log = _logged([(at(1), 50.0), (at(1, 1), math.nan), (at(1, 1), 49.0)])
    assert len(log) == 2
    assert log.level_l == 49.0


def test_level_log_refuses_bad_input() -> None:
    log = _logged([(at(2), 50.0)])
    with pytest.raises(FarmError) as caught:
        log.add(at(2), 49.0)
    assert caught.value.code == "readings_out_of_order"
    with pytest.raises(FarmError) as caught:
        log.balance(at(1))
    assert caught.value.code == "reading_after_now"
    assert caught.value.params == {"at": at(2).isoformat(), "now": at(1).isoformat()}
    with pytest.raises(FarmError) as caught:
        LevelLog(volume_l=-1.0)
    assert caught.value.code == "invalid_volume"


level_samples = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=10 * 24 * 60),  # minutes after day 1
        st.floats(min_value=0, max_value=100) | st.just(math.nan),
    ),
    max_size=80,
    unique_by=lambda item: item[0],
)


@given(
    level_samples,
    st.integers(min_value=0, max_value=3 * 24 * 60),
    st.sampled_from(list(LevelUnit)),
    st.floats(min_value=0.5, max_value=8.0),
    st.none() | st.floats(min_value=0, max_value=5),
)
def test_level_log_equals_water_balance(
    samples: list[tuple[int, float]],
    after_min: int,
    unit: LevelUnit,
    window_days: float,
    noise_l: float | None,
) -> None:
    readings = sorted(
        (at(1) + timedelta(minutes=minute), value) for minute, value in samples
    )
    now = (readings[-1][0] if readings else at(1)) + timedelta(minutes=after_min)

    log = _logged(readings, volume_l=80.0, unit=unit, window_days=window_days)

    assert log.balance(now, noise_l=noise_l, min_hours=1.0) == water_balance(
        readings,
        now=now,
        volume_l=80.0,
        unit=unit,
        noise_l=noise_l,
        window_days=window_days,
        min_hours=1.0,
    )


# --- probes ----------------------------------------------------------------------


def test_fresh_plausible_reading_is_usable() -> None:
    status = probe_status(
        ProbeKind.EC, (at(1, 12), 1.4), now=at(1, 12, 30), previous=(at(1, 12), 1.3)
    )
    assert status.usable
    assert status.reason is ProbeReason.OK
    assert status.value == 1.4


def test_missing_reading() -> None:
    status = probe_status(ProbeKind.PH, None, now=at(1))
    assert not status.usable
    assert status.reason is ProbeReason.NO_READING
    assert status.value is None


def test_stale_reading_after_the_max_age() -> None:
    fresh = probe_status(ProbeKind.PH, (at(1, 11), 6.0), now=at(1, 12))
    stale = probe_status(ProbeKind.PH, (at(1, 11), 6.0), now=at(1, 12, 1))
    assert fresh.usable  # exactly one hour old is still fresh
    assert stale.reason is ProbeReason.STALE
    assert not stale.usable
    custom = probe_status(
        ProbeKind.PH, (at(1, 11), 6.0), now=at(1, 12), max_age=timedelta(minutes=30)
    )
    assert custom.reason is ProbeReason.STALE


@pytest.mark.parametrize(
    ("kind", "value", "usable"),
    [
        (ProbeKind.EC, 0.0, True),
        (ProbeKind.EC, 10.0, True),
        (ProbeKind.EC, 10.01, False),
        (ProbeKind.EC, -0.01, False),
        (ProbeKind.PH, 0.0, True),
        (ProbeKind.PH, 14.0, True),
        (ProbeKind.PH, 14.1, False),
        (ProbeKind.TEMPERATURE, 51.0, False),
        (ProbeKind.LEVEL, -1.0, False),
        (ProbeKind.LEVEL, 500.0, True),
        (ProbeKind.EC, math.nan, False),
    ],
)
def test_implausible_values(kind: ProbeKind, value: float, usable: bool) -> None:
    status = probe_status(kind, (at(1), value), now=at(1))
    assert status.usable is usable
    assert status.reason is (ProbeReason.OK if usable else ProbeReason.OUT_OF_RANGE)


def test_custom_plausible_range() -> None:
    status = probe_status(
        ProbeKind.LEVEL,
        (at(1), 110.0),
        now=at(1),
        plausible=TargetRange(low=0, high=105),
    )
    assert status.reason is ProbeReason.OUT_OF_RANGE


@pytest.mark.parametrize(
    ("kind", "previous", "value", "reason"),
    [
        (ProbeKind.EC, 1.4, 2.4, ProbeReason.OK),  # exactly 1.0 apart
        (ProbeKind.EC, 1.4, 2.5, ProbeReason.SUDDEN_JUMP),
        (ProbeKind.PH, 6.0, 4.9, ProbeReason.SUDDEN_JUMP),
        (ProbeKind.TEMPERATURE, 20.0, 25.0, ProbeReason.OK),
        (ProbeKind.TEMPERATURE, 20.0, 25.5, ProbeReason.SUDDEN_JUMP),
        (ProbeKind.LEVEL, 10.0, 90.0, ProbeReason.OK),  # a refill
    ],
)
def test_sudden_jumps(
    kind: ProbeKind, previous: float, value: float, reason: ProbeReason
) -> None:
    status = probe_status(
        kind, (at(1, 0, 5), value), now=at(1, 0, 5), previous=(at(1), previous)
    )
    assert status.reason is reason
    assert status.usable is (reason is ProbeReason.OK)


def test_custom_jump_threshold() -> None:
    status = probe_status(
        ProbeKind.PH,
        (at(1, 0, 5), 6.4),
        now=at(1, 0, 5),
        previous=(at(1), 6.0),
        max_jump=0.3,
    )
    assert status.reason is ProbeReason.SUDDEN_JUMP


# --- solution life of organic recipes -----------------------------------------------


def test_the_shortest_lived_product_sets_the_life() -> None:
    assert recipe_life_days([None, 4.0, 7.0]) == 4.0
    assert recipe_life_days([None, None]) == 10.0
    assert recipe_life_days([]) == 10.0


def test_an_organic_solution_halves_its_shorter_life_per_10_c() -> None:
    """4 days at 20 C: 2 at 30 C; two days at 20 C use half of it."""
    assert solution_life_days(30.0, 4.0) == pytest.approx(2.0)
    age = solution_age(
        filled_at=at(1), now=at(3), temperatures=[(at(1), 20.0)], life_days_at_20c=4
    )
    assert age.used_fraction == pytest.approx(0.5)
    assert age.days_left == pytest.approx(2.0)
    assert not age.due


def test_the_accumulator_goes_on_after_a_restart_and_scales_to_the_life() -> None:
    """A day at 20 C, then a day at 30 C: 0.1 + 0.2 of a 10-day life, x 2.5 for 4 days."""
    accumulator = _fed(at(1), [(at(1), 20.0), (at(2), 30.0)])
    resumed = SolutionAgeAccumulator.from_state(accumulator.to_state())
    assert resumed.to_state() == accumulator.to_state()
    assert resumed.age(at(3)) == accumulator.age(at(3))
    assert resumed.age(at(3)).used_fraction == pytest.approx(0.3)
    organic = resumed.age(at(3), 4.0)
    assert organic.used_fraction == pytest.approx(0.75)
    assert organic.days_left == pytest.approx(0.25 * 2.0)  # 2 days at 30 C
    # readings already counted are not counted twice
    with pytest.raises(FarmError):
        resumed.add(at(2), 30.0)
    empty = SolutionAgeAccumulator.from_state(
        SolutionAgeAccumulator(filled_at=at(1)).to_state()
    )
    assert empty.age(at(2)).assumed_temperature
