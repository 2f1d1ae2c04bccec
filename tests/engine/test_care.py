"""Tests of the care engine: intervals, winter, snoozes, urgency, learning, guards."""

from __future__ import annotations

import dataclasses
from datetime import date, timedelta
import math

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.care import (
    CONFIRMATIONS_KEPT,
    CareKind,
    CarePlant,
    CareTask,
    DueTask,
    TaskOutlook,
    Urgency,
    active_kinds,
    care_schedule,
    care_tasks,
    confirm_task,
    due_from_schedule,
    due_tasks,
    effective_interval_days,
    is_winter,
    learned_interval_days,
    next_due,
    preset_interval_days,
    preset_winter_factor,
    snoozed_due,
    urgency,
)
from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.profiles import Hemisphere, Phase

from .factories_b import make_preset

NORTH = Hemisphere.NORTH
SOUTH = Hemisphere.SOUTH


def _task(
    kind: CareKind = CareKind.WATER,
    *,
    interval_days: float = 7.0,
    last_done: date = date(2026, 5, 1),
    winter_factor: float = 1.0,
    snoozed_until: date | None = None,
    learned: float | None = None,
) -> CareTask:
    return CareTask(
        kind=kind,
        interval_days=interval_days,
        last_done=last_done,
        winter_factor=winter_factor,
        snoozed_until=snoozed_until,
        learned_interval_days=learned,
    )


def _every(first: date, days: list[int]) -> list[date]:
    """Confirmation dates: `first`, then each gap in `days` after the previous."""
    dates = [first]
    for gap in days:
        dates.append(dates[-1] + timedelta(days=gap))
    return dates


# --- presets and seasons -------------------------------------------------------


def test_preset_intervals_and_winter_factors_by_kind() -> None:
    preset = make_preset(
        water_days=3,
        fertilize_days=14,
        repot_days=365,
        pest_check_days=7,
        winter_water_factor=1.5,
        winter_fertilize_factor=2.0,
    )

    assert [preset_interval_days(preset, kind) for kind in CareKind] == [3, 14, 365, 7]
    assert [preset_winter_factor(preset, kind) for kind in CareKind] == [
        1.5,
        2.0,
        1.0,
        1.0,
    ]


@pytest.mark.parametrize(
    ("on", "hemisphere", "expected"),
    [
        (date(2026, 11, 30), NORTH, False),
        (date(2026, 12, 1), NORTH, True),
        (date(2027, 1, 15), NORTH, True),
        (date(2028, 2, 29), NORTH, True),
        (date(2026, 3, 1), NORTH, False),
        (date(2026, 7, 1), NORTH, False),
        (date(2026, 5, 31), SOUTH, False),
        (date(2026, 6, 1), SOUTH, True),
        (date(2026, 8, 31), SOUTH, True),
        (date(2026, 9, 1), SOUTH, False),
        (date(2026, 1, 10), SOUTH, False),
    ],
)
def test_meteorological_winter_by_hemisphere(
    on: date, hemisphere: Hemisphere, expected: bool
) -> None:
    assert is_winter(on, hemisphere) is expected


def test_care_tasks_from_a_preset() -> None:
    preset = make_preset(repot_days=0)  # a preset that never repots
    started = date(2026, 4, 1)

    tasks = care_tasks(
        preset,
        started=started,
        last_done={CareKind.WATER: date(2026, 4, 20)},
        snoozed_until={CareKind.PEST_CHECK: date(2026, 5, 2)},
        learned_interval_days={CareKind.WATER: 3.5},
    )

    assert [task.kind for task in tasks] == [
        CareKind.WATER,
        CareKind.FERTILIZE,
        CareKind.PEST_CHECK,
    ]
    water, fertilize, pest = tasks
    assert water == CareTask(
        kind=CareKind.WATER,
        interval_days=3.0,
        winter_factor=1.5,
        last_done=date(2026, 4, 20),
        learned_interval_days=3.5,
    )
    assert fertilize.last_done == started
    assert fertilize.winter_factor == 2.0
    assert fertilize.snoozed_until is None
    assert pest.snoozed_until == date(2026, 5, 2)
    assert pest.winter_factor == 1.0


def test_care_tasks_without_history() -> None:
    tasks = care_tasks(make_preset(), started=date(2026, 4, 1))

    assert len(tasks) == 4
    assert all(task.last_done == date(2026, 4, 1) for task in tasks)
    assert all(task.learned_interval_days is None for task in tasks)


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"interval_days": 0}, "invalid_interval"),
        ({"interval_days": -2}, "invalid_interval"),
        ({"winter_factor": 0}, "invalid_winter_factor"),
        ({"learned": 0}, "invalid_interval"),
    ],
)
def test_bad_tasks_are_refused(changes: dict[str, float], code: str) -> None:
    with pytest.raises(FarmError) as caught:
        _task(**changes)  # type: ignore[arg-type]

    assert caught.value.code == code


# --- due dates -----------------------------------------------------------------


def test_next_due_outside_winter() -> None:
    task = _task(interval_days=7, last_done=date(2026, 5, 1))

    # 1 May + 7 days
    assert next_due(task, NORTH) == date(2026, 5, 8)


def test_winter_stretches_the_interval_by_hemisphere() -> None:
    task = _task(interval_days=7, last_done=date(2026, 1, 10), winter_factor=1.5)

    # North, January: 7 x 1.5 = 10.5 days, rounded half up to 11 -> 21 January.
    assert effective_interval_days(task, NORTH) == 10.5
    assert next_due(task, NORTH) == date(2026, 1, 21)
    # South, January is summer: 7 days -> 17 January.
    assert next_due(task, SOUTH) == date(2026, 1, 17)


def test_the_season_the_interval_starts_in_decides() -> None:
    # Done on 30 November (autumn): the 7-day interval runs into December unstretched.
    task = _task(interval_days=7, last_done=date(2026, 11, 30), winter_factor=2.0)

    assert next_due(task, NORTH) == date(2026, 12, 7)


def test_a_learned_interval_replaces_the_preset() -> None:
    task = _task(interval_days=7, learned=8.4, last_done=date(2026, 5, 1))

    # 8.4 rounds to 8 days
    assert next_due(task, NORTH) == date(2026, 5, 9)
    assert effective_interval_days(task, NORTH) == 8.4


def test_a_task_is_never_due_the_same_day_it_was_done() -> None:
    task = _task(interval_days=0.3, last_done=date(2026, 5, 1))

    assert next_due(task, NORTH) == date(2026, 5, 2)


def test_half_days_round_up() -> None:
    task = _task(interval_days=2.5, last_done=date(2026, 5, 1))

    assert next_due(task, NORTH) == date(2026, 5, 4)


def test_a_later_snooze_overrides_the_due_date() -> None:
    task = _task(
        interval_days=7, last_done=date(2026, 5, 1), snoozed_until=date(2026, 5, 10)
    )

    assert next_due(task, NORTH) == date(2026, 5, 10)


def test_an_earlier_snooze_changes_nothing() -> None:
    task = _task(
        interval_days=7, last_done=date(2026, 5, 1), snoozed_until=date(2026, 5, 5)
    )

    assert next_due(task, NORTH) == date(2026, 5, 8)


@pytest.mark.parametrize(
    ("days_from_today", "expected"),
    [
        (-10, Urgency.OVERDUE),
        (-1, Urgency.OVERDUE),
        (0, Urgency.TODAY),
        (1, Urgency.UPCOMING),
        (2, Urgency.UPCOMING),
        (3, Urgency.LATER),
        (30, Urgency.LATER),
    ],
)
def test_urgency(days_from_today: int, expected: Urgency) -> None:
    today = date(2026, 5, 10)

    assert urgency(today + timedelta(days=days_from_today), today) is expected


# --- guards and the plant's list -----------------------------------------------


def _plant(
    phase: Phase = Phase.VEGETATIVE, *, recirculating: bool = False
) -> CarePlant:
    return CarePlant(
        plant_id="basil_1",
        phase=phase,
        tasks=care_tasks(
            make_preset(
                water_days=3, fertilize_days=14, repot_days=365, pest_check_days=7
            ),
            started=date(2026, 5, 1),
            last_done={CareKind.WATER: date(2026, 5, 8)},
        ),
        on_recirculating_tank=recirculating,
    )


def test_active_kinds_guards() -> None:
    assert active_kinds(_plant()) == frozenset(CareKind)
    assert active_kinds(_plant(recirculating=True)) == frozenset(
        {CareKind.FERTILIZE, CareKind.REPOT, CareKind.PEST_CHECK}
    )
    assert active_kinds(_plant(Phase.DORMANCY)) == frozenset({CareKind.PEST_CHECK})
    assert active_kinds(_plant(Phase.DORMANCY, recirculating=True)) == frozenset(
        {CareKind.PEST_CHECK}
    )


def test_care_schedule_lists_every_task_soonest_first() -> None:
    today = date(2026, 5, 10)

    schedule = care_schedule(_plant(), today=today, hemisphere=NORTH)

    # water: 8 May + 3 = 11 May; pest check: 1 May + 7 = 8 May;
    # fertilize: 1 May + 14 = 15 May; repot: 1 May + 365 = 1 May 2027.
    assert schedule == (
        DueTask(
            plant_id="basil_1",
            kind=CareKind.PEST_CHECK,
            due=date(2026, 5, 8),
            urgency=Urgency.OVERDUE,
            interval_days=7.0,
            snoozed=False,
        ),
        DueTask(
            plant_id="basil_1",
            kind=CareKind.WATER,
            due=date(2026, 5, 11),
            urgency=Urgency.UPCOMING,
            interval_days=3.0,
            snoozed=False,
        ),
        DueTask(
            plant_id="basil_1",
            kind=CareKind.FERTILIZE,
            due=date(2026, 5, 15),
            urgency=Urgency.LATER,
            interval_days=14.0,
            snoozed=False,
        ),
        DueTask(
            plant_id="basil_1",
            kind=CareKind.REPOT,
            due=date(2027, 5, 1),
            urgency=Urgency.LATER,
            interval_days=365.0,
            snoozed=False,
        ),
    )


def test_due_tasks_leave_out_later_ones() -> None:
    due = due_tasks(_plant(), today=date(2026, 5, 10), hemisphere=NORTH)

    assert [(item.kind, item.urgency) for item in due] == [
        (CareKind.PEST_CHECK, Urgency.OVERDUE),
        (CareKind.WATER, Urgency.UPCOMING),
    ]


def test_no_watering_reminders_on_a_recirculating_tank() -> None:
    due = due_tasks(
        _plant(recirculating=True), today=date(2026, 5, 11), hemisphere=NORTH
    )

    assert CareKind.WATER not in {item.kind for item in due}
    assert [item.kind for item in due] == [CareKind.PEST_CHECK]


def test_only_pest_checks_while_dormant() -> None:
    schedule = care_schedule(
        _plant(Phase.DORMANCY), today=date(2026, 5, 20), hemisphere=NORTH
    )

    assert [item.kind for item in schedule] == [CareKind.PEST_CHECK]


def test_a_snoozed_task_is_marked() -> None:
    plant = CarePlant(
        plant_id="fern",
        phase=Phase.VEGETATIVE,
        tasks=(
            _task(
                interval_days=7,
                last_done=date(2026, 5, 1),
                snoozed_until=date(2026, 5, 12),
            ),
        ),
    )

    (item,) = care_schedule(plant, today=date(2026, 5, 13), hemisphere=NORTH)

    assert item.due == date(2026, 5, 12)
    assert item.snoozed
    # The snooze ran out yesterday: overdue since then.
    assert item.urgency is Urgency.OVERDUE


def test_due_from_schedule_equals_due_tasks() -> None:
    schedule = care_schedule(_plant(), today=date(2026, 5, 10), hemisphere=NORTH)

    assert due_from_schedule(schedule) == due_tasks(
        _plant(), today=date(2026, 5, 10), hemisphere=NORTH
    )
    assert due_from_schedule(()) == ()


def test_outlook_gives_due_dates_without_urgency_soonest_first() -> None:
    outlook = _plant(recirculating=True).outlook(NORTH)

    # pest check 1 May + 7; fertilize 1 May + 14; repot 1 May + 365; no watering
    assert outlook == (
        TaskOutlook(
            plant_id="basil_1",
            kind=CareKind.PEST_CHECK,
            due=date(2026, 5, 8),
            interval_days=7.0,
            snoozed=False,
        ),
        TaskOutlook(
            plant_id="basil_1",
            kind=CareKind.FERTILIZE,
            due=date(2026, 5, 15),
            interval_days=14.0,
            snoozed=False,
        ),
        TaskOutlook(
            plant_id="basil_1",
            kind=CareKind.REPOT,
            due=date(2027, 5, 1),
            interval_days=365.0,
            snoozed=False,
        ),
    )


def test_outlook_is_worked_out_once_per_hemisphere() -> None:
    plant = CarePlant(
        plant_id="fern",
        phase=Phase.VEGETATIVE,
        tasks=(_task(interval_days=10, last_done=date(2026, 1, 10), winter_factor=2),),
    )

    north = plant.outlook(NORTH)
    south = plant.outlook(SOUTH)

    assert plant.outlook(NORTH) is north
    # January is winter in the north: 10 x 2 days; summer in the south: 10 days
    assert north[0].due == date(2026, 1, 30)
    assert south[0].due == date(2026, 1, 20)
    assert plant == CarePlant(
        plant_id="fern", phase=Phase.VEGETATIVE, tasks=plant.tasks
    )
    assert "outlook" not in repr(plant)


def test_a_task_on_a_day_has_that_day_s_urgency() -> None:
    (task,) = CarePlant(
        plant_id="fern",
        phase=Phase.VEGETATIVE,
        tasks=(_task(interval_days=7, last_done=date(2026, 5, 1)),),
    ).outlook(NORTH)  # due 8 May

    assert task.on(date(2026, 5, 4)).urgency is Urgency.LATER  # 4 days left
    assert task.on(date(2026, 5, 6)).urgency is Urgency.UPCOMING  # 2 days left
    assert task.on(date(2026, 5, 8)).urgency is Urgency.TODAY
    assert task.on(date(2026, 5, 9)).urgency is Urgency.OVERDUE
    # the same urgency gives the same record, made once
    assert task.on(date(2026, 5, 1)) is task.on(date(2026, 5, 4))
    assert task.on(date(2026, 5, 9)) == DueTask(
        plant_id="fern",
        kind=CareKind.WATER,
        due=date(2026, 5, 8),
        urgency=Urgency.OVERDUE,
        interval_days=7.0,
        snoozed=False,
    )


task_kinds = st.sampled_from(list(CareKind))
stored_tasks = st.lists(
    st.builds(
        _task,
        task_kinds,
        interval_days=st.floats(min_value=0.3, max_value=400),
        last_done=st.dates(min_value=date(2025, 1, 1), max_value=date(2026, 12, 31)),
        winter_factor=st.floats(min_value=0.5, max_value=3),
        snoozed_until=st.none()
        | st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 6, 30)),
        learned=st.none() | st.floats(min_value=0.5, max_value=400),
    ),
    max_size=6,
)


@given(
    tasks=stored_tasks,
    phase=st.sampled_from(list(Phase)),
    recirculating=st.booleans(),
    hemisphere=st.sampled_from(list(Hemisphere)),
    days=st.lists(
        st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)),
        min_size=1,
        max_size=4,
    ),
)
def test_care_schedule_is_each_active_task_at_its_next_due_date(
    tasks: list[CareTask],
    phase: Phase,
    recirculating: bool,
    hemisphere: Hemisphere,
    days: list[date],
) -> None:
    plant = CarePlant(
        plant_id="p",
        phase=phase,
        tasks=tuple(tasks),
        on_recirculating_tank=recirculating,
    )
    kinds = active_kinds(plant)

    def expected_on(task: CareTask, today: date) -> DueTask:
        # the rule as next_due states it: last done + the effective interval,
        # halves rounded up, at least a day; a later snooze overrides it
        interval = effective_interval_days(task, hemisphere)
        by_interval = task.last_done + timedelta(days=max(1, round_half_up(interval)))
        snoozed = task.snoozed_until is not None and task.snoozed_until > by_interval
        due = task.snoozed_until if snoozed and task.snoozed_until else by_interval
        assert due == next_due(task, hemisphere)
        return DueTask(
            plant_id="p",
            kind=task.kind,
            due=due,
            urgency=urgency(due, today),
            interval_days=round(interval, 1),
            snoozed=snoozed,
        )

    for today in days:  # one plant, asked on several days, as the live farm asks
        expected = sorted(
            (expected_on(task, today) for task in tasks if task.kind in kinds),
            key=lambda item: item.due,
        )
        assert care_schedule(plant, today=today, hemisphere=hemisphere) == tuple(
            expected
        )
        assert due_tasks(plant, today=today, hemisphere=hemisphere) == tuple(
            item for item in expected if item.urgency is not Urgency.LATER
        )


def round_half_up(days: float) -> int:
    """Whole days from a fractional interval, halves rounded up."""
    return math.floor(days + 0.5)


# --- learning ------------------------------------------------------------------


def test_fewer_than_three_confirmations_keep_the_preset() -> None:
    assert learned_interval_days(7, [], hemisphere=NORTH) == 7
    assert (
        learned_interval_days(7, _every(date(2026, 5, 1), [3]), hemisphere=NORTH) == 7
    )
    # The same day twice is one confirmation.
    twice = [date(2026, 5, 1), date(2026, 5, 1), date(2026, 5, 4)]
    assert learned_interval_days(7, twice, hemisphere=NORTH) == 7


def test_learning_moves_one_day_per_confirmation_and_stops_at_the_band() -> None:
    # Preset 10 days, the grower waters every 5 days; band 7..13.
    dates = _every(date(2026, 5, 1), [5, 5, 5, 5, 5])

    steps = [
        learned_interval_days(10, dates[:count], hemisphere=NORTH)
        for count in range(3, 7)
    ]

    # 3rd confirmation: 10 -> 9; 4th: 8; 5th: 7; 6th: 6 is below 10 x 0.7 = 7.
    assert steps == [9, 8, 7, 7]


def test_learning_upwards_is_clamped_too() -> None:
    # Preset 7, done every 20 days: 8, 9, then 10 clamped to 7 x 1.3 = 9.1.
    dates = _every(date(2026, 4, 1), [20, 20, 20, 20])

    assert learned_interval_days(7, dates, hemisphere=NORTH) == pytest.approx(9.1)


def test_small_differences_are_learned_exactly() -> None:
    # Preset 7; intervals 7, 7, 6. Third confirmation: mean(7, 7) = 7, no move;
    # fourth: mean(7, 7, 6) = 20 / 3, a move of 1/3 day.
    dates = _every(date(2026, 4, 1), [7, 7, 6])

    assert learned_interval_days(7, dates, hemisphere=NORTH) == pytest.approx(20 / 3)


def test_learning_follows_the_latest_three_intervals() -> None:
    # Preset 7; intervals 5, 5, 5, 10, 10, 10.
    # 3rd: mean(5, 5) = 5 -> 6; 4th: mean(5, 5, 5) = 5 -> 5;
    # 5th: mean(5, 5, 10) = 6.67 -> 6; 6th: mean(5, 10, 10) = 8.33 -> 7;
    # 7th: mean(10, 10, 10) = 10 -> 8.
    dates = _every(date(2026, 4, 1), [5, 5, 5, 10, 10, 10])

    assert learned_interval_days(7, dates, hemisphere=NORTH) == 8


def test_winter_intervals_are_learned_net_of_the_winter_factor() -> None:
    # Every 9 days in December with a winter factor of 1.5 is 9 / 1.5 = 6 days
    # in summer terms: preset 7 moves down to 6, not up to 8.
    dates = _every(date(2026, 12, 1), [9, 9])

    assert learned_interval_days(7, dates, hemisphere=NORTH, winter_factor=1.5) == 6
    # In the south December is summer: 9 days is just slow, 7 -> 8.
    assert learned_interval_days(7, dates, hemisphere=SOUTH, winter_factor=1.5) == 8


def test_confirmation_order_does_not_matter() -> None:
    dates = _every(date(2026, 4, 1), [5, 6, 4, 9])

    assert learned_interval_days(7, list(reversed(dates)), hemisphere=NORTH) == (
        learned_interval_days(7, dates, hemisphere=NORTH)
    )


def test_learning_refuses_bad_presets() -> None:
    with pytest.raises(FarmError) as caught:
        learned_interval_days(0, [], hemisphere=NORTH)
    assert caught.value.code == "invalid_interval"
    with pytest.raises(FarmError) as caught:
        learned_interval_days(7, [], hemisphere=NORTH, winter_factor=-1)
    assert caught.value.code == "invalid_winter_factor"


confirmation_gaps = st.lists(st.integers(min_value=1, max_value=60), max_size=25)
presets = st.floats(min_value=1, max_value=60)


@given(preset=presets, gaps=confirmation_gaps, hemisphere=st.sampled_from(Hemisphere))
def test_learned_interval_stays_in_its_band(
    preset: float, gaps: list[int], hemisphere: Hemisphere
) -> None:
    dates = _every(date(2026, 1, 1), gaps)

    learned = learned_interval_days(
        preset, dates, hemisphere=hemisphere, winter_factor=1.4
    )

    assert preset * 0.7 - 1e-9 <= learned <= preset * 1.3 + 1e-9
    steps = max(0, len(dates) - 2)
    assert abs(learned - preset) <= steps + 1e-9
    if len(dates) < 3:
        assert learned == preset


@given(preset=presets, gaps=confirmation_gaps, extra=st.integers(1, 60))
def test_one_confirmation_moves_the_interval_at_most_one_day(
    preset: float, gaps: list[int], extra: int
) -> None:
    dates = _every(date(2026, 3, 1), gaps)
    before = learned_interval_days(preset, dates, hemisphere=NORTH)
    after = learned_interval_days(
        preset, [*dates, dates[-1] + timedelta(days=extra)], hemisphere=NORTH
    )

    assert abs(after - before) <= 1 + 1e-9


@given(preset=presets, gap=st.integers(1, 60), count=st.integers(3, 40))
def test_steady_habits_are_learned_within_the_band(
    preset: float, gap: int, count: int
) -> None:
    dates = _every(date(2026, 3, 1), [gap] * (count - 1))

    learned = learned_interval_days(preset, dates, hemisphere=SOUTH)

    # Each of the count - 2 steps closes the distance by one day until it is
    # reached or the band stops it.
    target = min(preset * 1.3, max(preset * 0.7, gap))
    distance = abs(target - preset)
    expected = (
        target
        if distance <= count - 2
        else (preset + (count - 2) * (1 if target > preset else -1))
    )
    assert learned == pytest.approx(expected)


# --- confirming ----------------------------------------------------------------


def test_confirming_moves_the_last_done_date_clears_the_snooze_and_learns() -> None:
    task = _task(
        interval_days=10,
        last_done=date(2026, 5, 11),
        snoozed_until=date(2026, 5, 25),
    )
    history = _every(date(2026, 5, 1), [5, 5])  # 1, 6, 11 May

    confirmed = confirm_task(task, date(2026, 5, 16), history=history, hemisphere=NORTH)

    assert confirmed.last_done == date(2026, 5, 16)
    assert confirmed.snoozed_until is None
    # Four confirmations 5 days apart: 10 -> 9 -> 8.
    assert confirmed.learned_interval_days == 8
    # 16 May + 8 days
    assert next_due(confirmed, NORTH) == date(2026, 5, 24)


def test_confirming_a_past_date_never_moves_last_done_back() -> None:
    task = _task(interval_days=7, last_done=date(2026, 5, 11))

    confirmed = confirm_task(task, date(2026, 5, 2), history=[], hemisphere=NORTH)

    assert confirmed.last_done == date(2026, 5, 11)
    assert confirmed.learned_interval_days == 7


def test_a_confirmation_logged_late_leaves_the_schedule_as_it_is() -> None:
    """Done 11 May, snoozed and a follow-up set; then 2 May is logged: all stay."""
    task = dataclasses.replace(
        _task(last_done=date(2026, 5, 11), snoozed_until=date(2026, 5, 20)),
        follow_up_on=date(2026, 5, 14),
    )

    confirmed = confirm_task(task, date(2026, 5, 2), history=[], hemisphere=NORTH)

    assert confirmed.snoozed_until == date(2026, 5, 20)
    assert confirmed.follow_up_on == date(2026, 5, 14)
    assert next_due(confirmed, NORTH) == next_due(task, NORTH)
    # The same day as the last one is a confirmation like any other.
    same_day = confirm_task(task, date(2026, 5, 11), history=[], hemisphere=NORTH)
    assert (same_day.snoozed_until, same_day.follow_up_on) == (None, None)


def _confirm_each(
    task: CareTask, dates: list[date], hemisphere: Hemisphere = NORTH
) -> list[CareTask]:
    """Confirm a task on each date in turn, as the farm does, keeping what it keeps."""
    kept: list[date] = []
    confirmed: list[CareTask] = []
    for on in dates:
        task = confirm_task(task, on, history=kept, hemisphere=hemisphere)
        confirmed.append(task)
        kept = sorted({*kept, on})[-CONFIRMATIONS_KEPT:]
    return confirmed


def test_confirming_goes_on_learning_from_the_learned_interval() -> None:
    """Preset 14 days, checked every 10: a day per confirmation down to 10."""
    dates = _every(date(2026, 4, 1), [10] * 7)

    confirmed = _confirm_each(_task(interval_days=14, last_done=dates[0]), dates)

    learned = [task.learned_interval_days for task in confirmed]
    assert learned == [14, 14, 13, 12, 11, 10, 10, 10]
    assert next_due(confirmed[-1], NORTH) == dates[-1] + timedelta(days=10)


def test_a_confirmation_logged_late_does_not_move_learning() -> None:
    """Learning moves with the newest confirmation only, and once per day."""
    dates = _every(date(2026, 4, 1), [10, 10, 10])
    task = _confirm_each(_task(interval_days=14, last_done=dates[0]), dates)[-1]
    assert task.learned_interval_days == 12

    for on in (date(2026, 4, 5), dates[-1]):
        again = confirm_task(task, on, history=dates, hemisphere=NORTH)
        assert again.learned_interval_days == 12


@given(
    preset=presets,
    gaps=confirmation_gaps,
    hemisphere=st.sampled_from(Hemisphere),
)
def test_learning_from_the_kept_confirmations_equals_learning_from_all(
    preset: float, gaps: list[int], hemisphere: Hemisphere
) -> None:
    dates = _every(date(2026, 1, 1), gaps)
    task = _task(interval_days=preset, last_done=dates[0], winter_factor=1.4)

    (*_, last) = _confirm_each(task, dates, hemisphere)

    assert last.learned_interval_days == pytest.approx(
        learned_interval_days(preset, dates, hemisphere=hemisphere, winter_factor=1.4)
    )


# --- Snoozing: the due date moves by the snooze, a confirmation by the interval


def test_snooze_moves_a_future_due_date_by_the_snooze() -> None:
    """Due Friday 8 May, snoozed 2 days on Wednesday 6 May: due Sunday 10 May."""
    until = snoozed_due(date(2026, 5, 8), today=date(2026, 5, 6), snooze_days=2)
    assert until == date(2026, 5, 10)
    task = _task(last_done=date(2026, 5, 1), snoozed_until=until)  # 1 May + 7 = 8 May
    assert next_due(task, NORTH) == date(2026, 5, 10)


def test_snooze_of_an_overdue_task_counts_from_today() -> None:
    """Due 4 May, snoozed 1 day on 6 May: 7 May, not 5 May (still overdue)."""
    assert snoozed_due(date(2026, 5, 4), today=date(2026, 5, 6), snooze_days=1) == date(
        2026, 5, 7
    )
    assert snoozed_due(date(2026, 5, 6), today=date(2026, 5, 6), snooze_days=3) == date(
        2026, 5, 9
    )


def test_confirming_a_snoozed_task_moves_it_by_the_interval() -> None:
    """Snoozed to 10 May, done on 9 May: next due 9 + 7 = 16 May, snooze gone."""
    task = _task(last_done=date(2026, 5, 1), snoozed_until=date(2026, 5, 10))
    done = confirm_task(task, date(2026, 5, 9), history=[], hemisphere=NORTH)
    assert done.snoozed_until is None
    assert next_due(done, NORTH) == date(2026, 5, 16)


@pytest.mark.parametrize("days", [0, -1])
def test_snooze_under_a_day_is_refused(days: int) -> None:
    """A snooze of nothing or backwards is a slip."""
    with pytest.raises(FarmError) as err:
        snoozed_due(date(2026, 5, 8), today=date(2026, 5, 6), snooze_days=days)
    assert err.value.code == "invalid_snooze"
