"""Tests of the irrigation engine: when a rack's pump runs."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.irrigation import PumpCycle, pump_cycle

BERLIN = ZoneInfo("Europe/Berlin")


def berlin(day: int, hour: int, minute: int = 0, *, month: int = 6) -> datetime:
    """A wall-clock time in Berlin in 2026 (June: summer time, no clock change)."""
    return datetime(2026, month, day, hour, minute, tzinfo=BERLIN)


def cycle(
    at: datetime,
    on_min: int,
    off_min: int,
    lights_on: time | None = None,
    photoperiod_h: float | None = None,
) -> PumpCycle | None:
    """The pump cycle at `at`, laid out in Berlin."""
    return pump_cycle(
        at,
        on_min=on_min,
        off_min=off_min,
        zone=BERLIN,
        lights_on=lights_on,
        photoperiod_h=photoperiod_h,
    )


# --- with a grow light: cycles from lights-on, only while lit -------------------


def test_a_cycle_starts_at_lights_on() -> None:
    # lights 06:00-22:00; 15 min on, 45 off: runs at 06:00, 07:00, ...
    result = cycle(berlin(10, 6), 15, 45, time(6), 16.0)

    assert result == PumpCycle(start=berlin(10, 6), end=berlin(10, 6, 15))
    assert result.running(berlin(10, 6))


def test_the_cycle_running_now_is_returned() -> None:
    # 06:00 + 4 x 60 min = 10:00, running until 10:15
    result = cycle(berlin(10, 10, 10), 15, 45, time(6), 16.0)

    assert result == PumpCycle(start=berlin(10, 10), end=berlin(10, 10, 15))
    assert result.running(berlin(10, 10, 10))


def test_between_runs_the_next_one_is_returned() -> None:
    # 10:15 ended the 10:00 run; the next starts at 10:00 + 60 min
    result = cycle(berlin(10, 10, 20), 15, 45, time(6), 16.0)

    assert result == PumpCycle(start=berlin(10, 11), end=berlin(10, 11, 15))
    assert not result.running(berlin(10, 10, 20))


def test_a_run_ends_at_its_end_instant() -> None:
    at_end = berlin(10, 10, 15)  # the 10:00 run is over exactly now

    result = cycle(at_end, 15, 45, time(6), 16.0)

    assert result is not None
    assert result.start == berlin(10, 11)
    assert not PumpCycle(start=berlin(10, 10), end=at_end).running(at_end)


def test_the_last_run_is_cut_at_lights_off() -> None:
    # lights 06:00 for 15.75 h: off at 21:45. 20 min on, 10 off (30 min period):
    # 15 h 35 min after 06:00 is 31 whole periods, so the run started at
    # 06:00 + 31 x 30 min = 21:30 and would end at 21:50: the light ends it at 21:45.
    result = cycle(berlin(10, 21, 35), 20, 10, time(6), 15.75)

    assert result == PumpCycle(start=berlin(10, 21, 30), end=berlin(10, 21, 45))


def test_after_the_last_run_of_the_day_the_next_is_at_lights_on() -> None:
    # the 21:00 run is over; 22:00 is lights-off, so nothing until 06:00 tomorrow
    result = cycle(berlin(10, 21, 50), 15, 45, time(6), 16.0)

    assert result == PumpCycle(start=berlin(11, 6), end=berlin(11, 6, 15))


def test_while_the_light_is_off_the_next_run_is_at_lights_on() -> None:
    result = cycle(berlin(10, 3), 15, 45, time(6), 16.0)

    assert result == PumpCycle(start=berlin(10, 6), end=berlin(10, 6, 15))


def test_a_window_across_midnight_counts_from_the_evening_before() -> None:
    # lights 18:00 for 16 h, off at 10:00. At 02:10 the window opened at 18:00
    # yesterday: 8 h 10 min later is 8 whole hours, so the run began at 02:00.
    result = cycle(berlin(11, 2, 10), 15, 45, time(18), 16.0)

    assert result == PumpCycle(start=berlin(11, 2), end=berlin(11, 2, 15))


def test_a_window_across_midnight_ends_in_the_morning() -> None:
    # the 09:00 run is over and 10:00 is lights-off: next at 18:00 that evening
    result = cycle(berlin(11, 9, 50), 15, 45, time(18), 16.0)

    assert result == PumpCycle(start=berlin(11, 18), end=berlin(11, 18, 15))


def test_instants_in_another_zone_are_the_same_instants() -> None:
    # 08:10 UTC is 10:10 in Berlin summer time: inside the 10:00 run
    at = datetime(2026, 6, 10, 8, 10, tzinfo=UTC)

    result = cycle(at, 15, 45, time(6), 16.0)

    assert result == PumpCycle(start=berlin(10, 10), end=berlin(10, 10, 15))


# --- 0 h and 24 h photoperiods ----------------------------------------------------


def test_a_dark_rack_is_never_watered_by_schedule() -> None:
    assert cycle(berlin(10, 12), 15, 45, time(6), 0.0) is None


def test_a_light_always_on_cycles_from_lights_on_each_day() -> None:
    # 24 h of light from 06:00: 12:20 is 6 h 20 min in, so the 12:00 run is
    # over and the next is at 06:00 + 7 x 60 min = 13:00
    result = cycle(berlin(10, 12, 20), 15, 45, time(6), 24.0)

    assert result == PumpCycle(start=berlin(10, 13), end=berlin(10, 13, 15))


def test_a_light_always_on_restarts_the_cycles_at_lights_on() -> None:
    # at 05:50 the day's window opened at 06:00 yesterday: its last run was at
    # 05:00 (23 whole hours in) and ended 05:15, so the next is 06:00 today
    result = cycle(berlin(10, 5, 50), 15, 45, time(6), 24.0)

    assert result == PumpCycle(start=berlin(10, 6), end=berlin(10, 6, 15))


# --- without a grow light: around the clock from local midnight -------------------


def test_without_a_light_cycles_count_from_midnight() -> None:
    # 10 on, 20 off: runs at 00:00, 00:30, ...; 00:35 is inside the 00:30 run
    result = cycle(berlin(10, 0, 35), 10, 20)

    assert result == PumpCycle(start=berlin(10, 0, 30), end=berlin(10, 0, 40))


def test_without_a_light_the_cycles_restart_at_midnight() -> None:
    # 23:55 is 47 whole periods after midnight: the 23:30 run ended 23:40, and
    # the next period would start at 24:00, which is the next day's first run
    result = cycle(berlin(10, 23, 55), 10, 20)

    assert result == PumpCycle(start=berlin(11, 0), end=berlin(11, 0, 10))


def test_without_a_light_a_run_is_cut_at_midnight() -> None:
    # 100 on, 35 off (135 min): the 10th run starts at 10 x 135 min = 22:30 and
    # would run to 00:10; the day's cycles end at midnight
    result = cycle(berlin(10, 23), 100, 35)

    assert result == PumpCycle(start=berlin(10, 22, 30), end=berlin(11, 0))


def test_a_light_time_without_a_photoperiod_means_no_light() -> None:
    result = cycle(berlin(10, 0, 35), 10, 20, lights_on=time(6))

    assert result == PumpCycle(start=berlin(10, 0, 30), end=berlin(10, 0, 40))


def test_no_off_time_runs_continuously_in_back_to_back_runs() -> None:
    # 30 on, 0 off: one run after the other, each 30 min from midnight
    result = cycle(berlin(10, 0, 35), 30, 0)

    assert result == PumpCycle(start=berlin(10, 0, 30), end=berlin(10, 1))


@pytest.mark.parametrize("as_utc", [False, True])
def test_cycles_keep_real_minutes_through_spring_forward(as_utc: bool) -> None:
    # 29 March 2026: Berlin skips 02:00-03:00. Midnight was 23:00 UTC; 04:10
    # local is 02:10 UTC, 190 real minutes later. 15 on, 30 off (45 min):
    # 4 whole periods = 180 minutes, so the run began at 02:00 UTC (04:00 local).
    at = datetime(2026, 3, 29, 4, 10, tzinfo=BERLIN)

    result = cycle(at.astimezone(UTC) if as_utc else at, 15, 30)

    assert result == PumpCycle(
        start=datetime(2026, 3, 29, 2, 0, tzinfo=UTC),
        end=datetime(2026, 3, 29, 2, 15, tzinfo=UTC),
    )
    assert result.start.tzinfo is BERLIN
    assert result.running(at)


@pytest.mark.parametrize("as_utc", [False, True])
def test_cycles_keep_real_minutes_through_fall_back(as_utc: bool) -> None:
    # 25 October 2026: Berlin repeats 02:00-03:00. Midnight was 22:00 UTC;
    # 04:10 local is 03:10 UTC, 310 real minutes later: 6 whole periods of
    # 45 minutes (270) put the last run at 02:30-02:45 UTC, so the next one
    # starts 45 minutes on, at 03:15 UTC (04:15 local).
    at = datetime(2026, 10, 25, 4, 10, tzinfo=BERLIN)

    result = cycle(at.astimezone(UTC) if as_utc else at, 15, 30)

    assert result == PumpCycle(
        start=datetime(2026, 10, 25, 3, 15, tzinfo=UTC),
        end=datetime(2026, 10, 25, 3, 30, tzinfo=UTC),
    )


def test_a_light_hour_that_ends_in_the_repeated_hour_still_waters() -> None:
    # lights at 02:00 for 1 h: on 25 October the window runs from the first
    # 02:00 (00:00 UTC) to the second 02:00 (01:00 UTC), one real hour
    at = datetime(2026, 10, 24, 3, 0, tzinfo=BERLIN)  # that day's window is over

    result = cycle(at, 15, 45, time(2), 1.0)

    assert result is not None
    # compared in UTC: across zones, times in a repeated hour never compare equal
    assert (result.start.astimezone(UTC), result.end.astimezone(UTC)) == (
        datetime(2026, 10, 25, 0, 0, tzinfo=UTC),
        datetime(2026, 10, 25, 0, 15, tzinfo=UTC),
    )


@given(
    minutes=st.integers(min_value=0, max_value=24 * 60 - 1),
    on_min=st.integers(min_value=1, max_value=120),
    off_min=st.integers(min_value=0, max_value=120),
)
def test_without_a_light_the_cycle_runs_now_or_comes_next(
    minutes: int, on_min: int, off_min: int
) -> None:
    at = berlin(10, 0) + timedelta(minutes=minutes)

    result = cycle(at, on_min, off_min)

    assert result is not None
    assert result.end > at
    assert result.start < result.end <= result.start + timedelta(minutes=on_min)
    # runs start a whole number of periods after a midnight
    since_midnight = result.start - result.start.replace(hour=0, minute=0)
    assert since_midnight % timedelta(minutes=on_min + off_min) == timedelta(0)


@given(
    minutes=st.integers(min_value=0, max_value=4 * 24 * 60),
    on_min=st.integers(min_value=1, max_value=120),
    off_min=st.integers(min_value=0, max_value=120),
    lights_on=st.none() | st.times(),
    photoperiod_h=st.floats(min_value=0.5, max_value=24),
    month=st.sampled_from([3, 10]),
)
def test_around_a_clock_change_the_cycle_is_now_or_next(
    *,
    minutes: int,
    on_min: int,
    off_min: int,
    lights_on: time | None,
    photoperiod_h: float,
    month: int,
) -> None:
    # from two days before each of 2026's clock changes in Berlin to two after
    change = datetime(2026, month, 29 if month == 3 else 25, 1, 0, tzinfo=UTC)
    at = change - timedelta(days=2) + timedelta(minutes=minutes)

    result = cycle(at, on_min, off_min, lights_on, photoperiod_h)
    local = cycle(at.astimezone(BERLIN), on_min, off_min, lights_on, photoperiod_h)

    assert result is not None
    assert local is not None
    start, end = result.start.astimezone(UTC), result.end.astimezone(UTC)
    # the same instants whatever zone `at` is in
    assert (local.start.astimezone(UTC), local.end.astimezone(UTC)) == (start, end)
    assert end > at
    assert start < end <= start + timedelta(minutes=on_min)


# --- refusals ---------------------------------------------------------------------


@pytest.mark.parametrize(("on_min", "off_min"), [(0, 45), (-5, 45), (15, -1)])
def test_invalid_pump_minutes_are_refused(on_min: int, off_min: int) -> None:
    with pytest.raises(FarmError) as error:
        cycle(berlin(10, 12), on_min, off_min)

    assert error.value.code == "invalid_pump_minutes"
    assert error.value.params == {"on_min": on_min, "off_min": off_min}


def test_a_naive_instant_is_refused() -> None:
    with pytest.raises(FarmError) as error:
        pump_cycle(datetime(2026, 6, 10, 12), on_min=15, off_min=45, zone=BERLIN)  # noqa: DTZ001

    assert error.value.code == "naive_datetime"
    assert error.value.params == {"field": "at"}
