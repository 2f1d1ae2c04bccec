"""Watering plans: winter adjustment, the next day and the volume of a plan."""

from __future__ import annotations

from datetime import date

import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.profiles import Phase, System
from custom_components.vertical_farm.engine.watering import (
    WateringMode,
    WateringSchedule,
    schedule_interval_days,
    watering_plan,
    watering_volume,
    winter_schedule,
    winter_volume,
)
from tests.engine.factories_a import tomato

MON_THU = WateringSchedule(mode=WateringMode.WEEKDAYS, weekdays=frozenset({0, 3}))
EVERY_3 = WateringSchedule(mode=WateringMode.EVERY_N_DAYS, interval_days=3)
# 10 L soil pot, vegetative tomato: 10 x 15 % = 1.5 L a plant, 4 plants 6 L.
POTS = watering_volume(
    tomato(), Phase.VEGETATIVE, system=System.SOIL, container_l=10.0, quantity=4
)


def test_winter_stretches_an_every_n_days_plan() -> None:
    """Every 3 days x 1.5 = 4.5 -> every 5 days; x 1.2 = 3.6 -> 4; x 0.1 -> 1."""
    assert winter_schedule(EVERY_3, 1.5).interval_days == 5
    assert winter_schedule(EVERY_3, 1.2).interval_days == 4
    assert winter_schedule(EVERY_3, 0.1).interval_days == 1
    assert winter_schedule(MON_THU, 1.5) is MON_THU


def test_winter_gives_less_water_on_the_same_weekdays() -> None:
    """1.5 L / 1.5 = 1.0 L a plant, 6 L / 1.5 = 4.0 L in total."""
    reduced = winter_volume(POTS, WateringMode.WEEKDAYS, 1.5)
    assert (reduced.volume_l, reduced.total_l) == (1.0, 4.0)
    assert winter_volume(POTS, WateringMode.EVERY_N_DAYS, 1.5) is POTS


@pytest.mark.parametrize("factor", [0.0, -1.0])
def test_a_winter_factor_of_nothing_is_refused(factor: float) -> None:
    for call in (
        lambda: winter_schedule(EVERY_3, factor),
        lambda: winter_volume(POTS, WateringMode.WEEKDAYS, factor),
    ):
        with pytest.raises(FarmError) as err:
            call()
        assert err.value.code == "invalid_winter_factor"


def test_mean_interval_of_a_plan() -> None:
    """Monday and Thursday: 7 / 2 = 3.5 days; every 3 days: 3."""
    assert schedule_interval_days(MON_THU) == 3.5
    assert schedule_interval_days(EVERY_3) == 3.0


def test_plan_in_summer_and_in_winter() -> None:
    """Last watered Tue 1 Dec 2026: every 3 days -> 4 Dec; in winter x 1.5 -> 6 Dec."""
    last = date(2026, 12, 1)
    summer = watering_plan(EVERY_3, POTS, last_watered_on=last, today=last)
    assert summer.next_on == date(2026, 12, 4)
    assert (summer.interval_days, summer.volume.volume_l) == (3.0, 1.5)
    winter = watering_plan(
        EVERY_3, POTS, last_watered_on=last, today=last, winter=True, winter_factor=1.5
    )
    assert winter.next_on == date(2026, 12, 6)
    assert (winter.interval_days, winter.winter) == (5.0, True)
    assert winter.volume.volume_l == 1.5


def test_weekday_plan_in_winter_waters_less_on_its_days() -> None:
    """Watered Tue 1 Dec: next Thu 3 Dec with 1.0 L a plant (1.5 / 1.5)."""
    plan = watering_plan(
        MON_THU,
        POTS,
        last_watered_on=date(2026, 12, 1),
        today=date(2026, 12, 2),
        winter=True,
        winter_factor=1.5,
    )
    assert plan.next_on == date(2026, 12, 3)
    assert plan.volume.volume_l == 1.0


def test_a_later_snooze_moves_the_planned_day() -> None:
    """Due 4 Dec, snoozed to 5 Dec: 5 Dec; a snooze to 3 Dec changes nothing."""
    last = date(2026, 12, 1)
    snoozed = watering_plan(
        EVERY_3, POTS, last_watered_on=last, today=last, snoozed_until=date(2026, 12, 5)
    )
    assert snoozed.next_on == date(2026, 12, 5)
    earlier = watering_plan(
        EVERY_3, POTS, last_watered_on=last, today=last, snoozed_until=date(2026, 12, 3)
    )
    assert earlier.next_on == date(2026, 12, 4)


def test_an_earlier_follow_up_brings_the_planned_day_forward() -> None:
    """Due 4 Dec, followed up on 2 Dec: 2 Dec; a later snooze still wins."""
    last = date(2026, 12, 1)
    forward = watering_plan(
        EVERY_3, POTS, last_watered_on=last, today=last, follow_up_on=date(2026, 12, 2)
    )
    assert (forward.planned_on, forward.next_on) == (date(2026, 12, 2),) * 2
    later = watering_plan(
        EVERY_3, POTS, last_watered_on=last, today=last, follow_up_on=date(2026, 12, 6)
    )
    assert later.next_on == date(2026, 12, 4)
    snoozed = watering_plan(
        EVERY_3,
        POTS,
        last_watered_on=last,
        today=last,
        follow_up_on=date(2026, 12, 2),
        snoozed_until=date(2026, 12, 5),
    )
    assert (snoozed.planned_on, snoozed.next_on) == (
        date(2026, 12, 2),
        date(2026, 12, 5),
    )


def test_a_plan_never_watered_is_due_today() -> None:
    plan = watering_plan(EVERY_3, POTS, last_watered_on=None, today=date(2026, 5, 6))
    assert plan.next_on == date(2026, 5, 6)
