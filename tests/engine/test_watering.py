"""Tests of watering schedules and volumes."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.profiles import Phase, System, TankType
from custom_components.vertical_farm.engine.watering import (
    WateringMode,
    WateringReason,
    WateringSchedule,
    next_watering,
    watering_volume,
)
from tests.engine.factories_a import lettuce, tomato

MONDAY, THURSDAY = 0, 3
MON_THU = WateringSchedule(
    mode=WateringMode.WEEKDAYS, weekdays=frozenset({MONDAY, THURSDAY})
)
EVERY_3 = WateringSchedule(mode=WateringMode.EVERY_N_DAYS, interval_days=3)
# 2026-03-02 is a Monday
MON = date(2026, 3, 2)
TUE, WED, THU, FRI = (MON + timedelta(days=offset) for offset in range(1, 5))


# --- schedules -------------------------------------------------------------------


def test_weekday_mode_next_day_after_the_last_watering() -> None:
    assert MON.weekday() == MONDAY
    # watered Monday, today Tuesday: Thursday
    assert next_watering(MON_THU, last_watered_on=MON, today=TUE) == THU
    # watered Thursday: next Monday
    assert next_watering(MON_THU, last_watered_on=THU, today=THU) == MON + timedelta(
        days=7
    )


def test_weekday_mode_missed_day_is_overdue() -> None:
    # watered Monday, Thursday missed, today Friday: still due Thursday
    assert next_watering(MON_THU, last_watered_on=MON, today=FRI) == THU


def test_weekday_mode_never_watered_is_due_from_today() -> None:
    assert next_watering(MON_THU, last_watered_on=None, today=THU) == THU
    assert next_watering(MON_THU, last_watered_on=None, today=FRI) == MON + timedelta(
        days=7
    )


def test_weekday_mode_single_day_wraps_a_full_week() -> None:
    weekly = WateringSchedule(
        mode=WateringMode.WEEKDAYS, weekdays=frozenset({WED.weekday()})
    )
    assert next_watering(weekly, last_watered_on=WED, today=WED) == WED + timedelta(
        days=7
    )


def test_every_n_days_mode() -> None:
    # watered Monday, every 3 days: Thursday
    assert next_watering(EVERY_3, last_watered_on=MON, today=TUE) == MON + timedelta(
        days=3
    )
    # overdue stays in the past
    assert (
        next_watering(EVERY_3, last_watered_on=MON, today=MON + timedelta(days=10))
        == THU
    )
    assert next_watering(EVERY_3, last_watered_on=None, today=WED) == WED


@given(
    st.frozensets(st.integers(min_value=0, max_value=6), min_size=1),
    st.dates(min_value=date(2020, 1, 1), max_value=date(2030, 1, 1)),
)
def test_weekday_mode_is_the_first_scheduled_day_after_the_last(
    weekdays: frozenset[int], last: date
) -> None:
    schedule = WateringSchedule(mode=WateringMode.WEEKDAYS, weekdays=weekdays)
    due = next_watering(schedule, last_watered_on=last, today=last)
    assert 1 <= (due - last).days <= 7
    assert due.weekday() in weekdays
    between = (last + timedelta(days=offset) for offset in range(1, (due - last).days))
    assert all(day.weekday() not in weekdays for day in between)


@pytest.mark.parametrize(
    ("schedule", "code"),
    [
        (WateringSchedule(mode=WateringMode.WEEKDAYS), "no_watering_days"),
        (
            WateringSchedule(mode=WateringMode.WEEKDAYS, weekdays=frozenset({1, 7})),
            "invalid_weekday",
        ),
        (
            WateringSchedule(mode=WateringMode.EVERY_N_DAYS, interval_days=0),
            "invalid_interval",
        ),
    ],
)
def test_schedules_that_never_fall_due_are_refused(
    schedule: WateringSchedule, code: str
) -> None:
    with pytest.raises(FarmError) as caught:
        next_watering(schedule, last_watered_on=None, today=MON)
    assert caught.value.code == code


# --- volumes ---------------------------------------------------------------------


def test_soil_pot_in_vegetative_growth() -> None:
    result = watering_volume(
        tomato(), Phase.VEGETATIVE, system=System.SOIL, container_l=10.0
    )
    # 10 L x 15 % x 1.0 x 1.0 = 1.5 L
    assert result.needed
    assert result.reason is WateringReason.OK
    assert result.volume_l == pytest.approx(10 * 0.15)
    assert result.total_l == pytest.approx(10 * 0.15)
    assert result.suggested_interval_days == 3.0


def test_seedlings_need_less_and_fruit_more() -> None:
    seedling = watering_volume(
        tomato(), Phase.SEEDLING, system=System.SOIL, container_l=10.0
    )
    fruiting = watering_volume(
        tomato(), Phase.FRUITING, system=System.SOIL, container_l=10.0
    )
    # 10 x 0.15 x 0.5 = 0.75 L; 10 x 0.15 x 1.25 = 1.875 L
    assert seedling.volume_l == pytest.approx(0.75)
    assert fruiting.volume_l == pytest.approx(1.875)


def test_coco_gets_smaller_more_frequent_drinks() -> None:
    result = watering_volume(
        tomato(), Phase.VEGETATIVE, system=System.COCO, container_l=10.0, quantity=4
    )
    # 10 x 0.10 = 1.0 L per plant, 4 plants: 4.0 L, daily
    assert result.volume_l == pytest.approx(1.0)
    assert result.total_l == pytest.approx(4.0)
    assert result.suggested_interval_days == 1.0


def test_species_water_factor_scales_the_volume() -> None:
    result = watering_volume(
        tomato(water_factor=0.5), Phase.VEGETATIVE, system=System.SOIL, container_l=4.0
    )
    # 4 x 0.15 x 0.5 = 0.3 L
    assert result.volume_l == pytest.approx(0.3)


def test_volume_is_capped_at_30_percent_of_the_pot() -> None:
    result = watering_volume(
        tomato(water_factor=1.8), Phase.FRUITING, system=System.SOIL, container_l=20.0
    )
    # 0.15 x 1.25 x 1.8 = 33.75 % > 30 %: 20 x 0.30 = 6 L
    assert result.volume_l == pytest.approx(6.0)


def test_irrigation_tank_plants_still_get_a_volume() -> None:
    result = watering_volume(
        tomato(),
        Phase.VEGETATIVE,
        system=System.COCO,
        container_l=10.0,
        tank_type=TankType.IRRIGATION,
    )
    assert result.needed
    assert result.volume_l == pytest.approx(1.0)


def test_recirculating_tank_plants_need_no_watering() -> None:
    result = watering_volume(
        tomato(),
        Phase.FRUITING,
        system=System.COCO,
        container_l=10.0,
        tank_type=TankType.RECIRCULATION,
    )
    assert not result.needed
    assert result.reason is WateringReason.RECIRCULATING
    assert (result.volume_l, result.total_l, result.suggested_interval_days) == (
        0.0,
        0.0,
        None,
    )


def test_hydroponic_plants_need_no_watering() -> None:
    result = watering_volume(
        lettuce(),
        Phase.VEGETATIVE,
        system=System.HYDRO,
        container_l=None,
        tank_type=TankType.NUTRIENT,
    )
    assert not result.needed
    assert result.reason is WateringReason.HYDROPONIC


def test_no_container_size_means_no_volume() -> None:
    result = watering_volume(
        lettuce(), Phase.SEEDLING, system=System.SOIL, container_l=None
    )
    assert result.needed
    assert result.reason is WateringReason.NO_CONTAINER
    assert result.volume_l is None
    assert result.total_l is None
    assert result.suggested_interval_days == 3.0


@pytest.mark.parametrize(
    ("phase", "container", "quantity", "code"),
    [
        (Phase.FRUITING, 5.0, 1, "phase_not_in_sequence"),
        (Phase.VEGETATIVE, 0.0, 1, "invalid_container"),
        (Phase.VEGETATIVE, 5.0, 0, "invalid_quantity"),
    ],
)
def test_watering_volume_refuses_invalid_input(
    phase: Phase, container: float, quantity: int, code: str
) -> None:
    with pytest.raises(FarmError) as caught:
        watering_volume(
            lettuce(),
            phase,
            system=System.SOIL,
            container_l=container,
            quantity=quantity,
        )
    assert caught.value.code == code


@given(
    st.sampled_from(tomato().sequence),
    st.sampled_from([System.SOIL, System.COCO]),
    st.floats(min_value=0.5, max_value=100),
    st.floats(min_value=0.3, max_value=2.0),
)
def test_volume_stays_within_the_pot_and_grows_with_it(
    phase: Phase, system: System, container: float, factor: float
) -> None:
    small = watering_volume(
        tomato(water_factor=factor), phase, system=system, container_l=container
    )
    large = watering_volume(
        tomato(water_factor=factor), phase, system=system, container_l=container * 2
    )
    assert small.volume_l is not None
    assert large.volume_l is not None
    assert 0 < small.volume_l <= round(container * 0.30, 3)
    assert large.volume_l >= small.volume_l
