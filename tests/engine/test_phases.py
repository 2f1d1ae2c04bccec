"""Tests of phase transitions, GDD and expected dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
import math
from random import Random
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.phases import (
    AdvanceReason,
    DayGDD,
    EstimateMethod,
    GddLedger,
    TransitionReason,
    accumulated_gdd,
    advance_decision,
    daily_gdd,
    days_in_phase,
    expected_harvest,
    expected_phase_end,
    gdd_from_days,
    next_phase,
    permitted_transition,
    phase_profile,
    transition,
)
from custom_components.vertical_farm.engine.profiles import Phase, Species
from tests.engine.factories_a import (
    at,
    lettuce,
    phase_profile as make_profile,
    strawberry,
    tomato,
)

TODAY = date(2026, 3, 10)
temperatures = st.floats(min_value=-30, max_value=50, allow_nan=False)


# --- transitions ---------------------------------------------------------------


def test_forward_move_is_allowed() -> None:
    result = transition(tomato(), Phase.SEEDLING, Phase.VEGETATIVE)
    assert result.allowed
    assert result.reason is TransitionReason.OK
    assert (result.from_phase, result.to_phase, result.cycle) == (
        Phase.SEEDLING,
        Phase.VEGETATIVE,
        1,
    )


def test_skipping_ahead_is_allowed() -> None:
    result = transition(tomato(), Phase.GERMINATION, Phase.FRUITING)
    assert result.allowed
    assert result.reason is TransitionReason.OK


def test_backward_move_is_refused() -> None:
    result = transition(tomato(), Phase.FRUITING, Phase.VEGETATIVE)
    assert not result.allowed
    assert result.reason is TransitionReason.TRANSITION_BACKWARD


def test_backward_move_is_allowed_when_forced_and_keeps_the_cycle() -> None:
    result = transition(tomato(), Phase.FRUITING, Phase.VEGETATIVE, cycle=2, force=True)
    assert result.allowed
    assert result.reason is TransitionReason.FORCED
    assert result.cycle == 2


def test_forced_forward_move_is_plain_ok() -> None:
    assert transition(tomato(), Phase.SEEDLING, Phase.HARVEST, force=True).reason is (
        TransitionReason.OK
    )


def test_perennial_restarts_its_cycle_from_last_to_first() -> None:
    result = transition(strawberry(), Phase.DORMANCY, Phase.VEGETATIVE, cycle=3)
    assert result.allowed
    assert result.reason is TransitionReason.CYCLE_RESTART
    assert result.cycle == 3 + 1


def test_annual_cannot_restart_from_its_last_phase() -> None:
    result = transition(tomato(), Phase.HARVEST, Phase.GERMINATION)
    assert not result.allowed
    assert result.reason is TransitionReason.TRANSITION_BACKWARD


def test_perennial_going_back_to_a_middle_phase_is_backward() -> None:
    plant = strawberry()
    assert transition(plant, Phase.DORMANCY, Phase.FLOWERING).reason is (
        TransitionReason.TRANSITION_BACKWARD
    )
    # only the last phase may restart: from harvest back to the first is backward
    assert transition(plant, Phase.HARVEST, Phase.VEGETATIVE).reason is (
        TransitionReason.TRANSITION_BACKWARD
    )


def test_already_in_phase_is_refused_even_when_forced() -> None:
    result = transition(tomato(), Phase.FLOWERING, Phase.FLOWERING, force=True)
    assert not result.allowed
    assert result.reason is TransitionReason.ALREADY_IN_PHASE


def test_phase_not_in_sequence_is_refused_even_when_forced() -> None:
    result = transition(lettuce(), Phase.SEEDLING, Phase.FRUITING, force=True)
    assert not result.allowed
    assert result.reason is TransitionReason.PHASE_NOT_IN_SEQUENCE


def test_moving_from_a_phase_the_species_lacks_realigns() -> None:
    result = transition(lettuce(), Phase.FRUITING, Phase.SEEDLING)
    assert result.allowed
    assert result.reason is TransitionReason.REALIGNED


def test_cycle_below_one_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        transition(tomato(), Phase.SEEDLING, Phase.VEGETATIVE, cycle=0)
    assert caught.value.code == "invalid_cycle"
    assert caught.value.params == {"cycle": 0}


def test_permitted_transition_returns_an_allowed_move() -> None:
    result = permitted_transition(strawberry(), Phase.DORMANCY, Phase.VEGETATIVE)
    assert result.reason is TransitionReason.CYCLE_RESTART
    assert result.cycle == 2


@pytest.mark.parametrize(
    ("from_phase", "to_phase", "code"),
    [
        (Phase.FRUITING, Phase.SEEDLING, "transition_backward"),
        (Phase.SEEDLING, Phase.SEEDLING, "already_in_phase"),
        (Phase.SEEDLING, Phase.DORMANCY, "phase_not_in_sequence"),
    ],
)
def test_permitted_transition_raises_the_reason(
    from_phase: Phase, to_phase: Phase, code: str
) -> None:
    with pytest.raises(FarmError) as caught:
        permitted_transition(tomato(), from_phase, to_phase)
    assert caught.value.code == code
    assert caught.value.params == {
        "species": "tomato",
        "from_phase": from_phase.value,
        "to_phase": to_phase.value,
    }


@given(
    st.sampled_from(tomato().sequence),
    st.sampled_from(list(Phase)),
    st.booleans(),
)
def test_transition_verdicts_follow_the_sequence_order(
    from_phase: Phase, to_phase: Phase, force: bool
) -> None:
    sequence = tomato().sequence
    result = transition(tomato(), from_phase, to_phase, force=force)
    if to_phase not in sequence or to_phase == from_phase:
        assert not result.allowed
    elif sequence.index(to_phase) > sequence.index(from_phase):
        assert result.reason is TransitionReason.OK
    else:
        assert result.allowed is force
    assert result.cycle == 1  # an annual never starts a new cycle


def test_phase_profile_returns_the_profile_or_refuses() -> None:
    assert phase_profile(tomato(), Phase.VEGETATIVE).gdd == 300.0
    with pytest.raises(FarmError) as caught:
        phase_profile(lettuce(), Phase.HARVEST)
    assert caught.value.code == "phase_not_in_sequence"
    # `to_phase` fills the translated message ("{species} does not go through
    # {to_phase}.").
    assert caught.value.params == {
        "species": "lettuce",
        "phase": "harvest",
        "to_phase": "harvest",
    }


# --- next phase and days in phase ----------------------------------------------


def test_next_phase_in_the_middle_of_the_sequence() -> None:
    assert next_phase(tomato(), Phase.SEEDLING) is Phase.VEGETATIVE


def test_next_phase_of_an_annual_at_its_end_is_none() -> None:
    assert next_phase(tomato(), Phase.HARVEST) is None


def test_next_phase_of_a_perennial_at_its_end_is_its_first() -> None:
    assert next_phase(strawberry(), Phase.DORMANCY) is Phase.VEGETATIVE


def test_single_phase_perennial_has_no_next_phase() -> None:
    moss = Species(
        key="moss",
        name="Moss",
        family="bryophyta",
        base_temp_c=5.0,
        perennial=True,
        phases=(make_profile(Phase.VEGETATIVE),),
    )
    assert next_phase(moss, Phase.VEGETATIVE) is None


def test_next_phase_of_a_phase_not_in_sequence_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        next_phase(lettuce(), Phase.FRUITING)
    assert caught.value.code == "phase_not_in_sequence"


def test_days_in_phase() -> None:
    assert days_in_phase(date(2026, 3, 1), date(2026, 3, 10)) == 9
    assert days_in_phase(TODAY, TODAY) == 0
    # started tomorrow (a clock or entry mistake): never negative
    assert days_in_phase(TODAY + timedelta(days=1), TODAY) == 0


# --- GDD -----------------------------------------------------------------------


def test_daily_gdd_worked_example() -> None:
    # (25 + 15) / 2 - 10 = 10 degree-days
    assert daily_gdd(25.0, 15.0, 10.0) == 10.0


def test_daily_gdd_is_zero_below_base() -> None:
    # (12 + 4) / 2 - 10 = -2, floored at 0
    assert daily_gdd(12.0, 4.0, 10.0) == 0.0


def test_daily_gdd_exactly_at_base_is_zero() -> None:
    assert daily_gdd(14.0, 6.0, 10.0) == 0.0


@given(temperatures, temperatures, temperatures)
def test_daily_gdd_properties(high: float, low: float, base: float) -> None:
    gdd = daily_gdd(high, low, base)
    assert gdd >= 0
    assert gdd == daily_gdd(low, high, base)
    assert daily_gdd(high + 1, low, base) >= gdd
    assert gdd == pytest.approx(max(0.0, (high + low) / 2 - base))


def test_accumulated_gdd_groups_unsorted_readings_by_day() -> None:
    readings = [
        (at(2, 14), 26.0),
        (at(1, 3), 12.0),
        (at(2, 4), 14.0),
        (at(1, 15), 24.0),
        (at(1, 9), 18.0),
        (at(2, 9), 20.0),
    ]
    summary = accumulated_gdd(readings, 10.0)
    # day 1: (24 + 12) / 2 - 10 = 8; day 2: (26 + 14) / 2 - 10 = 10
    assert summary.total == 8.0 + 10.0
    assert [day.on for day in summary.days] == [date(2026, 3, 1), date(2026, 3, 2)]
    first = summary.days[0]
    assert (first.t_min_c, first.t_max_c, first.readings, first.gdd) == (
        12.0,
        24.0,
        3,
        8.0,
    )
    assert summary.missing_days == ()


def test_single_reading_in_a_day_is_both_min_and_max() -> None:
    summary = accumulated_gdd([(at(5, 12), 22.0)], 10.0)
    # 22 - 10 = 12
    assert summary.total == 12.0
    assert summary.days[0].readings == 1
    assert summary.days[0].t_min_c == summary.days[0].t_max_c == 22.0


def test_gap_days_contribute_nothing_and_are_listed() -> None:
    readings = [
        (at(1, 6), 10.0),
        (at(1, 16), 30.0),
        (at(4, 6), 14.0),
        (at(4, 16), 26.0),
    ]
    summary = accumulated_gdd(readings, 10.0)
    # day 1: (30 + 10) / 2 - 10 = 10; day 4: (26 + 14) / 2 - 10 = 10; days 2 and 3 missing
    assert summary.total == 10.0 + 10.0
    assert summary.missing_days == (date(2026, 3, 2), date(2026, 3, 3))


def test_window_limits_the_days_and_reports_missing_edges() -> None:
    readings = [(at(1, 12), 30.0), (at(3, 12), 20.0), (at(9, 12), 30.0)]
    summary = accumulated_gdd(
        readings, 10.0, start_on=date(2026, 3, 2), end_on=date(2026, 3, 4)
    )
    # only day 3 counts: 20 - 10 = 10; days 2 and 4 of the window had no reading
    assert summary.total == 10.0
    assert summary.missing_days == (date(2026, 3, 2), date(2026, 3, 4))


def test_local_day_follows_the_given_timezone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    # 23:30 UTC on 1 March is 00:30 on 2 March in Berlin (UTC+1 in winter)
    readings = [(at(1, 23, 30), 20.0), (at(1, 12), 10.0)]
    by_utc = accumulated_gdd(readings, 5.0)
    by_berlin = accumulated_gdd(readings, 5.0, tz=berlin)
    # UTC: one day (20 + 10) / 2 - 5 = 10; Berlin: 10 - 5 = 5 and 20 - 5 = 15
    assert by_utc.total == 10.0
    assert len(by_utc.days) == 1
    assert [day.on for day in by_berlin.days] == [date(2026, 3, 1), date(2026, 3, 2)]
    assert by_berlin.total == 5.0 + 15.0


def test_date_of_each_aware_datetime_is_used_without_a_timezone() -> None:
    plus_ten = timezone(timedelta(hours=10))
    # 20:00 UTC on 1 March written in UTC+10 is 06:00 on 2 March
    reading = (at(1, 20).astimezone(plus_ten), 18.0)
    summary = accumulated_gdd([reading], 10.0)
    assert summary.days[0].on == date(2026, 3, 2)


def test_unavailable_values_are_ignored() -> None:
    summary = accumulated_gdd([(at(1, 6), math.nan), (at(1, 12), 16.0)], 10.0)
    # only 16 counts: 16 - 10 = 6
    assert summary.total == 6.0
    assert summary.days[0].readings == 1


def test_no_readings_give_nothing() -> None:
    summary = accumulated_gdd([], 10.0)
    assert (summary.total, summary.days, summary.missing_days) == (0.0, (), ())


def test_no_readings_in_a_window_are_all_missing() -> None:
    summary = accumulated_gdd(
        [], 10.0, start_on=date(2026, 3, 1), end_on=date(2026, 3, 2)
    )
    assert summary.total == 0.0
    assert summary.missing_days == (date(2026, 3, 1), date(2026, 3, 2))


def test_naive_datetime_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        accumulated_gdd([(datetime(2026, 3, 1, 12), 20.0)], 10.0)  # noqa: DTZ001
    assert caught.value.code == "naive_datetime"
    assert caught.value.params == {"at": "2026-03-01T12:00:00"}


def test_gdd_from_days_rebases_stored_days() -> None:
    readings = [
        (at(1, 6), 10.0),
        (at(1, 16), 30.0),
        (at(2, 6), 14.0),
        (at(2, 16), 26.0),
    ]
    days = accumulated_gdd(readings, 10.0).days
    # base 15: day 1 (30 + 10) / 2 - 15 = 5, day 2 (26 + 14) / 2 - 15 = 5
    assert gdd_from_days(days, 15.0) == 5.0 + 5.0
    # only day 2, base 8: 20 - 8 = 12
    assert gdd_from_days(days, 8.0, start_on=date(2026, 3, 2)) == 12.0
    assert gdd_from_days(days, 8.0, end_on=date(2026, 3, 1)) == 12.0
    assert gdd_from_days((), 8.0) == 0.0


reading_lists = st.lists(
    st.tuples(
        st.datetimes(
            min_value=datetime(2026, 1, 1),  # noqa: DTZ001
            max_value=datetime(2026, 1, 20),  # noqa: DTZ001
            timezones=st.just(UTC),
        ),
        temperatures,
    ),
    max_size=40,
)


@given(reading_lists, st.randoms())
def test_accumulated_gdd_ignores_order_and_adds_up_days(
    readings: list[tuple[datetime, float]], shuffler: Random
) -> None:
    summary = accumulated_gdd(readings, 10.0)
    shuffled = list(readings)
    shuffler.shuffle(shuffled)
    assert accumulated_gdd(shuffled, 10.0) == summary
    assert summary.total == pytest.approx(sum(day.gdd for day in summary.days))
    assert summary.total >= 0
    assert sum(day.readings for day in summary.days) == len(readings)
    with_data = {day.on for day in summary.days}
    assert not with_data & set(summary.missing_days)
    if summary.days:
        span = (summary.days[-1].on - summary.days[0].on).days + 1
        assert len(with_data) + len(summary.missing_days) == span


# --- expected phase end ----------------------------------------------------------


def test_phase_end_by_days() -> None:
    # seedling: 14 days from 1 March is 15 March
    end = expected_phase_end(
        tomato(), Phase.SEEDLING, started_on=date(2026, 3, 1), today=TODAY
    )
    assert end.on == date(2026, 3, 1) + timedelta(days=14)
    assert end.method is EstimateMethod.DAYS
    assert not end.reached


def test_phase_end_by_days_when_overdue_is_today() -> None:
    end = expected_phase_end(
        tomato(), Phase.SEEDLING, started_on=date(2026, 2, 1), today=TODAY
    )
    assert end.on == TODAY
    assert end.reached


def test_phase_end_by_days_exactly_on_the_day_is_reached() -> None:
    end = expected_phase_end(
        tomato(), Phase.SEEDLING, started_on=TODAY - timedelta(days=14), today=TODAY
    )
    assert end.on == TODAY
    assert end.reached


def test_phase_end_by_gdd() -> None:
    # vegetative needs 300 GDD; 240 so far at 8 a day: 60 / 8 = 7.5, so 8 days
    end = expected_phase_end(
        tomato(),
        Phase.VEGETATIVE,
        started_on=date(2026, 2, 20),
        today=TODAY,
        gdd_so_far=240.0,
        expected_daily_gdd=8.0,
    )
    assert end.on == TODAY + timedelta(days=math.ceil((300 - 240) / 8))
    assert end.method is EstimateMethod.GDD
    assert not end.reached


def test_phase_end_by_gdd_float_noise_does_not_add_a_day() -> None:
    # (300 - 240.7) / 5.93 is 10 days, though floats make it 10.000000000000002
    end = expected_phase_end(
        tomato(),
        Phase.VEGETATIVE,
        started_on=TODAY,
        today=TODAY,
        gdd_so_far=240.7,
        expected_daily_gdd=5.93,
    )
    assert end.on == TODAY + timedelta(days=10)


def test_phase_end_by_gdd_when_reached() -> None:
    end = expected_phase_end(
        tomato(),
        Phase.VEGETATIVE,
        started_on=TODAY,
        today=TODAY,
        gdd_so_far=299.9999999999,  # float sum of readings worth 300
        expected_daily_gdd=8.0,
    )
    assert end.on == TODAY
    assert end.reached
    assert end.method is EstimateMethod.GDD


def test_phase_end_falls_back_to_days_when_too_cold_to_project() -> None:
    # 21 typical days, 5 spent: 16 days left by days
    end = expected_phase_end(
        tomato(),
        Phase.VEGETATIVE,
        started_on=TODAY - timedelta(days=5),
        today=TODAY,
        gdd_so_far=100.0,
        expected_daily_gdd=0.0,
    )
    assert end.on == TODAY + timedelta(days=21 - 5)
    assert end.method is EstimateMethod.DAYS
    assert not end.reached


def test_phase_end_fallback_is_never_today_while_gdd_is_missing() -> None:
    # 30 days spent of 21, but the GDD is not reached: at least tomorrow
    end = expected_phase_end(
        tomato(),
        Phase.VEGETATIVE,
        started_on=TODAY - timedelta(days=30),
        today=TODAY,
        gdd_so_far=100.0,
    )
    assert end.on == TODAY + timedelta(days=1)
    assert not end.reached


def test_phase_end_ignores_gdd_for_a_phase_without_gdd() -> None:
    end = expected_phase_end(
        tomato(),
        Phase.FRUITING,
        started_on=TODAY,
        today=TODAY,
        gdd_so_far=1000.0,
        expected_daily_gdd=8.0,
    )
    assert end.method is EstimateMethod.DAYS
    assert end.on == TODAY + timedelta(days=30)


# --- automatic advance -----------------------------------------------------------


def test_advance_when_gdd_reached() -> None:
    decision = advance_decision(
        tomato(), Phase.VEGETATIVE, started_on=TODAY, today=TODAY, gdd_so_far=300.0
    )
    assert decision.advance
    assert decision.to_phase is Phase.FLOWERING
    assert decision.reason is AdvanceReason.GDD_REACHED
    assert not decision.restarts_cycle


def test_no_advance_while_gdd_pending_even_after_the_typical_days() -> None:
    decision = advance_decision(
        tomato(),
        Phase.VEGETATIVE,
        started_on=TODAY - timedelta(days=40),
        today=TODAY,
        gdd_so_far=299.0,
    )
    assert not decision.advance
    assert decision.reason is AdvanceReason.GDD_PENDING
    assert decision.to_phase is Phase.FLOWERING


def test_advance_by_days_without_a_sensor() -> None:
    # 21 days exactly: due
    decision = advance_decision(
        tomato(), Phase.VEGETATIVE, started_on=TODAY - timedelta(days=21), today=TODAY
    )
    assert decision.advance
    assert decision.reason is AdvanceReason.DAYS_REACHED


def test_no_advance_one_day_before_the_typical_days() -> None:
    decision = advance_decision(
        tomato(), Phase.VEGETATIVE, started_on=TODAY - timedelta(days=20), today=TODAY
    )
    assert not decision.advance
    assert decision.reason is AdvanceReason.DAYS_PENDING


def test_phase_without_gdd_advances_by_days_even_with_a_sensor() -> None:
    decision = advance_decision(
        tomato(),
        Phase.SEEDLING,
        started_on=TODAY - timedelta(days=14),
        today=TODAY,
        gdd_so_far=0.0,
    )
    assert decision.advance
    assert decision.reason is AdvanceReason.DAYS_REACHED


def test_annual_in_its_last_phase_does_not_advance() -> None:
    decision = advance_decision(
        tomato(), Phase.HARVEST, started_on=TODAY - timedelta(days=100), today=TODAY
    )
    assert not decision.advance
    assert decision.to_phase is None
    assert decision.reason is AdvanceReason.LAST_PHASE


def test_perennial_advance_from_its_last_phase_restarts_the_cycle() -> None:
    decision = advance_decision(
        strawberry(), Phase.DORMANCY, started_on=TODAY - timedelta(days=60), today=TODAY
    )
    assert decision.advance
    assert decision.to_phase is Phase.VEGETATIVE
    assert decision.restarts_cycle


def test_advance_of_a_phase_not_in_sequence_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        advance_decision(lettuce(), Phase.FLOWERING, started_on=TODAY, today=TODAY)
    assert caught.value.code == "phase_not_in_sequence"


# --- expected harvest ------------------------------------------------------------


def test_expected_harvest_without_harvest_phase_is_none() -> None:
    assert (
        expected_harvest(lettuce(), Phase.SEEDLING, started_on=TODAY, today=TODAY)
        is None
    )


def test_expected_harvest_in_harvest_is_the_day_it_started() -> None:
    started = TODAY - timedelta(days=3)
    assert (
        expected_harvest(tomato(), Phase.HARVEST, started_on=started, today=TODAY)
        == started
    )


def test_expected_harvest_by_days() -> None:
    # seedling: 14 - 4 = 10 days left; then vegetative 21, flowering 14,
    # fruiting 30, ripening 10
    result = expected_harvest(
        tomato(), Phase.SEEDLING, started_on=TODAY - timedelta(days=4), today=TODAY
    )
    assert result == TODAY + timedelta(days=(14 - 4) + 21 + 14 + 30 + 10)


def test_expected_harvest_by_gdd() -> None:
    # vegetative: (300 - 100) / 12 = 16.67 days; flowering 150 / 12 = 12.5 days;
    # fruiting 30 and ripening 10 by days; total 69.17, rounded up once to 70
    result = expected_harvest(
        tomato(),
        Phase.VEGETATIVE,
        started_on=TODAY - timedelta(days=8),
        today=TODAY,
        gdd_so_far=100.0,
        expected_daily_gdd=12.0,
    )
    assert result == TODAY + timedelta(days=math.ceil(200 / 12 + 150 / 12 + 30 + 10))


def test_expected_harvest_with_a_gdd_sensor_but_no_growth_uses_days() -> None:
    # vegetative falls back to 21 - 1 = 20 days; flowering to its 14 days
    # (at least 1); fruiting 30; ripening 10
    result = expected_harvest(
        tomato(),
        Phase.VEGETATIVE,
        started_on=TODAY - timedelta(days=1),
        today=TODAY,
        gdd_so_far=0.0,
        expected_daily_gdd=0.0,
    )
    assert result == TODAY + timedelta(days=20 + 14 + 30 + 10)


def test_expected_harvest_of_a_perennial_past_harvest_is_next_cycle() -> None:
    # dormancy: 60 - 10 = 50 left; then vegetative 20, flowering 10, fruiting 20
    result = expected_harvest(
        strawberry(), Phase.DORMANCY, started_on=TODAY - timedelta(days=10), today=TODAY
    )
    assert result == TODAY + timedelta(days=50 + 20 + 10 + 20)


def test_expected_harvest_of_an_annual_past_harvest_is_none() -> None:
    plant = tomato()
    resting = Species(
        key="bean",
        name="Bean",
        family="fabaceae",
        base_temp_c=10.0,
        phases=(*plant.phases, make_profile(Phase.DORMANCY, days=30)),
    )
    assert (
        expected_harvest(resting, Phase.DORMANCY, started_on=TODAY, today=TODAY) is None
    )


def test_expected_harvest_of_a_phase_not_in_sequence_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        expected_harvest(tomato(), Phase.DORMANCY, started_on=TODAY, today=TODAY)
    assert caught.value.code == "phase_not_in_sequence"


@given(
    st.sampled_from(tomato().sequence[:-1]),
    st.integers(min_value=0, max_value=60),
)
def test_expected_harvest_is_never_before_the_phase_end(
    phase: Phase, spent: int
) -> None:
    started = TODAY - timedelta(days=spent)
    harvest = expected_harvest(tomato(), phase, started_on=started, today=TODAY)
    end = expected_phase_end(tomato(), phase, started_on=started, today=TODAY)
    assert harvest is not None
    assert harvest >= end.on >= TODAY


# --- GDD ledger ---------------------------------------------------------------


def gdd_day(on: date, t_min_c: float, t_max_c: float) -> DayGDD:
    """A stored day; its own `gdd` is not what the ledger or gdd_from_days read."""
    return DayGDD(on=on, t_min_c=t_min_c, t_max_c=t_max_c, readings=24, gdd=0.0)


MARCH = [
    gdd_day(date(2026, 3, 1), 10.0, 30.0),  # mean 20
    gdd_day(date(2026, 3, 2), 14.0, 26.0),  # mean 20
    gdd_day(date(2026, 3, 3), 4.0, 12.0),  # mean 8
    gdd_day(date(2026, 3, 5), 16.0, 28.0),  # mean 22; 4 March is missing
]


def test_ledger_gives_the_gdd_between_two_dates() -> None:
    ledger = GddLedger(MARCH)
    # base 10: 10 + 10 + 0 (8 is below the base) + 12
    assert ledger.gdd(10.0) == 10.0 + 10.0 + 0.0 + 12.0
    # 2 to 4 March at base 5: 15 + 3 (4 March has no record)
    assert ledger.gdd(5.0, start_on=date(2026, 3, 2), end_on=date(2026, 3, 4)) == 18.0
    # from 3 March on at base 8: 0 + 14
    assert ledger.gdd(8.0, start_on=date(2026, 3, 3)) == 14.0
    # up to 1 March at base 18: 2
    assert ledger.gdd(18.0, end_on=date(2026, 3, 1)) == 2.0


def test_ledger_gives_nothing_for_an_empty_span() -> None:
    ledger = GddLedger(MARCH)
    assert ledger.gdd(10.0, start_on=date(2026, 3, 4), end_on=date(2026, 3, 4)) == 0.0
    assert ledger.gdd(10.0, start_on=date(2026, 3, 5), end_on=date(2026, 3, 1)) == 0.0
    assert ledger.gdd(10.0, start_on=date(2026, 4, 1)) == 0.0
    assert GddLedger().gdd(10.0) == 0.0


def test_ledger_takes_days_in_any_order_and_keeps_them_oldest_first() -> None:
    ledger = GddLedger(reversed(MARCH))
    assert ledger.days == tuple(MARCH)
    assert len(ledger) == 4


def test_ledger_days_added_later_count_for_bases_already_asked_for() -> None:
    ledger = GddLedger(MARCH[:2])
    assert ledger.gdd(10.0) == 20.0  # builds the totals for base 10
    ledger.add(MARCH[2])
    ledger.add(MARCH[3])
    assert ledger.gdd(10.0) == 20.0 + 0.0 + 12.0
    assert ledger.gdd(15.0) == 5.0 + 5.0 + 0.0 + 7.0  # a new base sees every day


def test_ledger_counts_two_records_of_one_day_twice_like_gdd_from_days() -> None:
    twice = [*MARCH, gdd_day(date(2026, 3, 5), 20.0, 30.0)]  # mean 25
    ledger = GddLedger(MARCH)
    ledger.add(twice[-1])
    assert ledger.gdd(10.0, start_on=date(2026, 3, 5)) == 12.0 + 15.0
    assert ledger.gdd(10.0) == gdd_from_days(twice, 10.0)


def test_ledger_sums_fine_fractions_exactly() -> None:
    # 0.1 is not a binary fraction: each day needs its own finer units, and
    # the sum is the correctly rounded one (as math.fsum gives it)
    days = [
        gdd_day(date(2026, 3, 1) + timedelta(days=index), 10.0, 10.2)
        for index in range(10)
    ]
    ledger = GddLedger(days[:1])
    ledger.gdd(10.0)
    for day in days[1:]:
        ledger.add(day)
    expected = math.fsum([(10.2 + 10.0) / 2 - 10.0] * 10)
    assert ledger.gdd(10.0) == expected
    assert ledger.gdd(10.0) == gdd_from_days(days, 10.0)


def test_ledger_sums_a_tiny_day_exactly() -> None:
    # a subnormal GDD (about 1.1e-313) needs 2**-1074 units: a normal day is
    # then too long an integer for float(); the total is still rounded once
    tiny = 2.2250738585e-313
    days = [
        gdd_day(date(2026, 3, 1), 0.0, 1.0),  # (1 + 0) / 2 - 0 = 0.5
        gdd_day(date(2026, 3, 2), 0.0, tiny),  # tiny / 2
    ]
    ledger = GddLedger(days)
    assert ledger.gdd(0.0) == math.fsum([0.5, tiny / 2]) == 0.5
    assert ledger.gdd(0.0, start_on=date(2026, 3, 2)) == tiny / 2
    assert ledger.gdd(0.0) == gdd_from_days(days, 0.0)


def test_ledger_refuses_a_day_before_its_latest() -> None:
    ledger = GddLedger(MARCH)
    with pytest.raises(FarmError) as caught:
        ledger.add(gdd_day(date(2026, 3, 4), 10.0, 20.0))
    assert caught.value.code == "days_out_of_order"
    assert caught.value.params == {"on": "2026-03-04", "latest": "2026-03-05"}
    assert len(ledger) == 4


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf])
def test_ledger_refuses_non_finite_temperatures(value: float) -> None:
    with pytest.raises(FarmError) as caught:
        GddLedger([gdd_day(date(2026, 3, 1), value, 20.0)])
    assert caught.value.code == "invalid_temperature"
    assert caught.value.params == {"on": "2026-03-01"}
    with pytest.raises(FarmError) as caught:
        GddLedger([gdd_day(date(2026, 3, 1), 10.0, value)])
    assert caught.value.code == "invalid_temperature"
    with pytest.raises(FarmError) as caught:
        GddLedger(MARCH).gdd(value)
    assert caught.value.code == "invalid_temperature"


stored_days = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=60),  # day of the year, duplicates allowed
        temperatures,
        temperatures,
    ),
    max_size=40,
).map(
    lambda items: [
        gdd_day(date(2026, 1, 1) + timedelta(days=offset), low, high)
        for offset, low, high in items
    ]
)
span_ends = st.none() | st.integers(min_value=-5, max_value=65).map(
    lambda offset: date(2026, 1, 1) + timedelta(days=offset)
)


@given(stored_days, temperatures, span_ends, span_ends)
def test_ledger_equals_gdd_from_days(
    days: list[DayGDD], base: float, start_on: date | None, end_on: date | None
) -> None:
    ledger = GddLedger(days)
    assert ledger.gdd(base, start_on=start_on, end_on=end_on) == gdd_from_days(
        days, base, start_on=start_on, end_on=end_on
    )


@given(stored_days, st.lists(temperatures, min_size=1, max_size=3), span_ends)
def test_ledger_built_day_by_day_equals_gdd_from_days(
    days: list[DayGDD], bases: list[float], start_on: date | None
) -> None:
    days.sort(key=lambda day: day.on)
    ledger = GddLedger()
    for index, day in enumerate(days):
        ledger.add(day)
        # ask as the live farm does between days: totals are kept current
        base = bases[index % len(bases)]
        assert ledger.gdd(base, start_on=start_on) == gdd_from_days(
            days[: index + 1], base, start_on=start_on
        )
    for base in bases:
        assert ledger.gdd(base) == gdd_from_days(days, base)
