"""Tests of the lighting engine: photoperiods, windows, DST, DLI, lux."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta
import math
from zoneinfo import ZoneInfo

from hypothesis import given, settings, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.lighting import (
    PPFD_PER_LUX,
    DliAccumulator,
    DliQuality,
    LightSource,
    PhotoperiodConflict,
    PhotoperiodReason,
    PpfdReading,
    dli_from_readings,
    is_light_on,
    light_window,
    next_light_change,
    photoperiod_for_needs,
    ppfd_from_lux,
    shelf_photoperiod,
)
from custom_components.vertical_farm.engine.profiles import Phase

from .factories_b import make_plant, make_profile, make_species

BERLIN = ZoneInfo("Europe/Berlin")
SYDNEY = ZoneInfo("Australia/Sydney")
UTC_ZONE = ZoneInfo("UTC")


# --- photoperiod of a shared light ------------------------------------------


def test_longest_need_rules_and_far_shorter_needs_conflict() -> None:
    plan = photoperiod_for_needs({"lettuce": 16.0, "basil": 14.0, "strawberry": 12.0})

    assert plan.photoperiod_h == 16.0
    assert plan.reason is PhotoperiodReason.CONFLICT
    assert not plan.compatible
    # Basil is exactly 16 - 14 = 2 h short: at the tolerance, so still fine.
    assert plan.conflicts == (
        PhotoperiodConflict(plant_id="strawberry", need_h=12.0, excess_h=16.0 - 12.0),
    )


def test_conflicts_are_ordered_by_excess_then_id() -> None:
    plan = photoperiod_for_needs(
        {"b": 12.0, "a": 12.0, "dark": 0.0, "long": 18.0}, tolerance_h=2.0
    )

    assert [conflict.plant_id for conflict in plan.conflicts] == ["dark", "a", "b"]
    assert plan.conflicts[0].excess_h == 18.0 - 0.0
    assert plan.conflicts[1].excess_h == 18.0 - 12.0


def test_just_over_the_tolerance_conflicts() -> None:
    plan = photoperiod_for_needs({"a": 16.0, "b": 13.99})

    # 16 - 13.99 = 2.01 h > 2 h
    assert plan.conflicts == (
        PhotoperiodConflict(plant_id="b", need_h=13.99, excess_h=2.01),
    )


def test_spread_within_tolerance_is_ok() -> None:
    plan = photoperiod_for_needs({"a": 16.0, "b": 15.0, "c": 14.5})

    assert plan.photoperiod_h == 16.0
    assert plan.reason is PhotoperiodReason.OK
    assert plan.compatible
    assert plan.conflicts == ()


def test_zero_tolerance_flags_any_shorter_need() -> None:
    plan = photoperiod_for_needs({"a": 16.0, "b": 15.5, "c": 16.0}, tolerance_h=0)

    assert [conflict.plant_id for conflict in plan.conflicts] == ["b"]


def test_no_plants_keeps_the_light_off() -> None:
    plan = photoperiod_for_needs({})

    assert plan.photoperiod_h == 0.0
    assert plan.reason is PhotoperiodReason.NO_PLANTS
    assert plan.compatible


@pytest.mark.parametrize("need", [-0.5, 24.5, math.nan])
def test_needs_outside_a_day_are_refused(need: float) -> None:
    with pytest.raises(FarmError) as caught:
        photoperiod_for_needs({"a": 12.0, "b": need})

    assert caught.value.code == "invalid_photoperiod"


@pytest.mark.parametrize("tolerance", [-1.0, math.nan])
def test_bad_tolerance_is_refused(tolerance: float) -> None:
    with pytest.raises(FarmError) as caught:
        photoperiod_for_needs({"a": 12.0}, tolerance_h=tolerance)

    assert caught.value.code == "invalid_tolerance"


def test_shelf_photoperiod_uses_each_plants_current_phase() -> None:
    lettuce = make_species("lettuce", profiles=[make_profile(photoperiod_h=16.0)])
    strawberry = make_species(
        "strawberry",
        family="rosaceae",
        profiles=[
            make_profile(Phase.VEGETATIVE, photoperiod_h=16.0),
            make_profile(Phase.FLOWERING, photoperiod_h=12.0),
        ],
    )
    plants = [
        make_plant("lettuce_1", lettuce),
        make_plant("lettuce_2", lettuce),
        make_plant("strawberry_veg", strawberry, Phase.VEGETATIVE),
        make_plant("strawberry_flower", strawberry, Phase.FLOWERING),
    ]

    plan = shelf_photoperiod(plants)

    assert plan.photoperiod_h == 16.0
    assert [c.plant_id for c in plan.conflicts] == ["strawberry_flower"]
    assert plan.conflicts[0].excess_h == 16.0 - 12.0


def test_shelf_photoperiod_refuses_a_phase_the_species_skips() -> None:
    lettuce = make_species("lettuce")
    plant = make_plant("l1", lettuce, Phase.FRUITING)

    with pytest.raises(FarmError) as caught:
        shelf_photoperiod([plant])

    assert caught.value.code == "phase_not_in_species"
    assert caught.value.params == {"species": "lettuce", "phase": "fruiting"}


@given(
    needs=st.dictionaries(
        st.text(min_size=1, max_size=4),
        st.floats(min_value=0, max_value=24),
        max_size=8,
    ),
    tolerance=st.floats(min_value=0, max_value=6),
)
def test_plan_properties(needs: dict[str, float], tolerance: float) -> None:
    plan = photoperiod_for_needs(needs, tolerance_h=tolerance)

    if not needs:
        assert plan.reason is PhotoperiodReason.NO_PLANTS
        return
    assert plan.photoperiod_h == max(needs.values())
    flagged = {conflict.plant_id for conflict in plan.conflicts}
    for plant_id, need in needs.items():
        if plan.photoperiod_h - need > tolerance + 1e-6:
            assert plant_id in flagged
        if plan.photoperiod_h - need < tolerance - 1e-6:
            assert plant_id not in flagged
    assert plan.compatible == (not flagged)


# --- on/off window -------------------------------------------------------------


def test_window_crossing_midnight() -> None:
    window = light_window(time(18, 0), 16)

    # 18:00 + 16 h = 34:00 = 10:00 the next day
    assert window.lights_off == time(10, 0)
    assert window.crosses_midnight


def test_window_within_one_day() -> None:
    window = light_window(time(6, 0), 16)

    assert window.lights_off == time(22, 0)
    assert not window.crosses_midnight


def test_window_with_fractional_hours_and_a_zoned_time() -> None:
    window = light_window(time(18, 15, tzinfo=UTC), 16.5)

    # 18:15 + 16:30 = 34:45 = 10:45 the next day
    assert window.lights_on == time(18, 15)
    assert window.lights_off == time(10, 45)


def test_window_ending_at_midnight_ends_on_the_next_day() -> None:
    window = light_window(time(8, 0), 16)

    assert window.lights_off == time(0, 0)
    assert window.crosses_midnight


def test_window_always_off_and_always_on() -> None:
    dark = light_window(time(6, 0), 0)
    lit = light_window(time(6, 0), 24)

    assert dark.photoperiod_h == 0
    assert dark.lights_off == time(6, 0)
    assert not dark.crosses_midnight
    assert lit.photoperiod_h == 24
    assert lit.lights_off == time(6, 0)
    assert lit.crosses_midnight


def test_window_refuses_a_photoperiod_over_a_day() -> None:
    with pytest.raises(FarmError) as caught:
        light_window(time(6, 0), 25)

    assert caught.value.params == {"photoperiod_h": 25}


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (datetime(2026, 6, 10, 17, 59, tzinfo=BERLIN), False),
        (datetime(2026, 6, 10, 18, 0, tzinfo=BERLIN), True),  # on at the on instant
        (datetime(2026, 6, 10, 23, 30, tzinfo=BERLIN), True),
        (
            datetime(2026, 6, 11, 9, 59, tzinfo=BERLIN),
            True,
        ),  # window from the day before
        (datetime(2026, 6, 11, 10, 0, tzinfo=BERLIN), False),  # off at the off instant
        (datetime(2026, 6, 11, 14, 0, tzinfo=BERLIN), False),
        # 09:30 Berlin summer time is 07:30 UTC: the same instant, any zone.
        (datetime(2026, 6, 11, 7, 30, tzinfo=UTC), True),
    ],
)
def test_is_light_on_across_midnight(at: datetime, expected: bool) -> None:
    assert is_light_on(at, time(18, 0), 16, BERLIN) is expected


def test_zero_and_full_day_photoperiods() -> None:
    at = datetime(2026, 6, 10, 12, 0, tzinfo=BERLIN)

    assert is_light_on(at, time(6, 0), 0, BERLIN) is False
    assert is_light_on(at, time(6, 0), 24, BERLIN) is True
    assert next_light_change(at, time(6, 0), 0, BERLIN) is None
    assert next_light_change(at, time(6, 0), 24, BERLIN) is None


def test_naive_instants_are_refused() -> None:
    naive = datetime(2026, 6, 10, 12, 0)  # noqa: DTZ001
    with pytest.raises(FarmError) as caught:
        is_light_on(naive, time(6, 0), 16, BERLIN)
    assert caught.value.params == {"field": "at"}

    with pytest.raises(FarmError) as caught:
        next_light_change(naive, time(6, 0), 16, BERLIN)
    assert caught.value.params == {"field": "after"}


def test_invalid_photoperiod_is_refused_by_the_clock_functions() -> None:
    at = datetime(2026, 6, 10, 12, 0, tzinfo=BERLIN)
    with pytest.raises(FarmError):
        is_light_on(at, time(6, 0), -1, BERLIN)
    with pytest.raises(FarmError):
        next_light_change(at, time(6, 0), 24.01, BERLIN)


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        # Evening: next is the off instant the next morning.
        (
            datetime(2026, 6, 10, 20, 0, tzinfo=BERLIN),
            datetime(2026, 6, 11, 10, 0, tzinfo=BERLIN),
        ),
        # Exactly at the off instant: the change is strictly after, so the next on.
        (
            datetime(2026, 6, 11, 10, 0, tzinfo=BERLIN),
            datetime(2026, 6, 11, 18, 0, tzinfo=BERLIN),
        ),
        # Just before midnight while off is not possible (lit 18-10); early morning:
        (
            datetime(2026, 6, 11, 0, 30, tzinfo=BERLIN),
            datetime(2026, 6, 11, 10, 0, tzinfo=BERLIN),
        ),
    ],
)
def test_next_change_on_ordinary_days(after: datetime, expected: datetime) -> None:
    result = next_light_change(after, time(18, 0), 16, BERLIN)

    assert result == expected
    assert result is not None
    assert result.tzinfo is BERLIN


def test_spring_forward_night_keeps_the_full_photoperiod() -> None:
    # Berlin moves 02:00 CET -> 03:00 CEST on 29 March 2026. On at 18:00 CET
    # (17:00 UTC) for 16 elapsed hours is off at 09:00 UTC = 11:00 CEST.
    after = datetime(2026, 3, 28, 20, 0, tzinfo=BERLIN)

    off = next_light_change(after, time(18, 0), 16, BERLIN)

    assert off == datetime(2026, 3, 29, 9, 0, tzinfo=UTC)
    assert off is not None
    assert (off.hour, off.minute) == (11, 0)
    assert is_light_on(
        datetime(2026, 3, 29, 10, 30, tzinfo=BERLIN), time(18, 0), 16, BERLIN
    )
    # Next lights-on is 18:00 CEST = 16:00 UTC.
    assert next_light_change(off, time(18, 0), 16, BERLIN) == datetime(
        2026, 3, 29, 16, 0, tzinfo=UTC
    )


def test_fall_back_night_keeps_the_full_photoperiod() -> None:
    # Berlin moves 03:00 CEST -> 02:00 CET on 25 October 2026. On at 18:00 CEST
    # (16:00 UTC) for 16 h is off at 08:00 UTC = 09:00 CET.
    after = datetime(2026, 10, 24, 20, 0, tzinfo=BERLIN)

    off = next_light_change(after, time(18, 0), 16, BERLIN)

    assert off == datetime(2026, 10, 25, 8, 0, tzinfo=UTC)
    assert off is not None
    assert (off.hour, off.minute) == (9, 0)


def test_lights_on_inside_the_spring_gap_starts_after_the_gap() -> None:
    # 02:30 does not exist on 29 March 2026 in Berlin: read with the CET offset,
    # it is 01:30 UTC = 03:30 CEST. Four hours later is 05:30 UTC = 07:30 CEST.
    after = datetime(2026, 3, 29, 1, 0, tzinfo=BERLIN)

    on = next_light_change(after, time(2, 30), 4, BERLIN)
    assert on == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert on is not None
    off = next_light_change(on, time(2, 30), 4, BERLIN)
    assert off == datetime(2026, 3, 29, 5, 30, tzinfo=UTC)


def test_lights_on_inside_the_repeated_hour_uses_the_first_one() -> None:
    # 02:30 happens twice on 25 October 2026: first at CEST (00:30 UTC).
    after = datetime(2026, 10, 25, 0, 0, tzinfo=BERLIN)

    on = next_light_change(after, time(2, 30), 4, BERLIN)

    assert on is not None
    # Equality across zones is always False inside a repeated hour (PEP 495),
    # so compare in UTC.
    assert on.astimezone(UTC) == datetime(2026, 10, 25, 0, 30, tzinfo=UTC)
    assert (on.hour, on.minute, on.fold) == (2, 30, 0)
    # Four hours later: 04:30 UTC = 05:30 CET.
    off = next_light_change(on, time(2, 30), 4, BERLIN)
    assert off is not None
    assert off.astimezone(UTC) == datetime(2026, 10, 25, 4, 30, tzinfo=UTC)


def test_overlapping_windows_on_a_short_day_do_not_flicker() -> None:
    # On at 12:00 for 23.5 h. 28 March 12:00 CET = 11:00 UTC, lit until
    # 29 March 10:30 UTC; but 29 March 12:00 CEST = 10:00 UTC starts earlier,
    # so the light stays on until 10:00 UTC + 23.5 h = 30 March 09:30 UTC.
    after = datetime(2026, 3, 28, 13, 0, tzinfo=BERLIN)

    change = next_light_change(after, time(12, 0), 23.5, BERLIN)

    assert change == datetime(2026, 3, 30, 9, 30, tzinfo=UTC)
    assert is_light_on(
        datetime(2026, 3, 29, 10, 45, tzinfo=UTC), time(12, 0), 23.5, BERLIN
    )


def test_touching_windows_merge() -> None:
    # 23 h from 28 March 11:00 UTC ends at 29 March 10:00 UTC, the very
    # instant of the next lights-on: no off/on blink.
    after = datetime(2026, 3, 28, 13, 0, tzinfo=BERLIN)

    change = next_light_change(after, time(12, 0), 23, BERLIN)

    # 29 March 10:00 UTC + 23 h
    assert change == datetime(2026, 3, 30, 9, 0, tzinfo=UTC)


def test_southern_hemisphere_zone() -> None:
    # Sydney leaves daylight time on 5 April 2026 (03:00 AEDT -> 02:00 AEST).
    # On at 20:00 AEDT (09:00 UTC) for 12 h -> off 21:00 UTC = 07:00 AEST.
    after = datetime(2026, 4, 4, 21, 0, tzinfo=SYDNEY)

    off = next_light_change(after, time(20, 0), 12, SYDNEY)

    assert off == datetime(2026, 4, 4, 21, 0, tzinfo=UTC)
    assert off is not None
    assert (off.hour, off.minute) == (7, 0)


moments = st.datetimes(
    min_value=datetime(2025, 1, 1),  # noqa: DTZ001
    max_value=datetime(2027, 12, 31),  # noqa: DTZ001
    timezones=st.just(UTC),
)
on_times = st.times()
photoperiods = st.floats(min_value=0.25, max_value=23.75)
zones = st.sampled_from([BERLIN, SYDNEY, ZoneInfo("America/New_York"), UTC_ZONE])


@settings(max_examples=60)
@given(
    after=moments,
    lights_on=on_times,
    photoperiod_h=photoperiods,
    zone=zones,
    fractions=st.lists(st.floats(min_value=0, max_value=1), max_size=5),
)
def test_next_change_is_the_first_real_change(
    after: datetime,
    lights_on: time,
    photoperiod_h: float,
    zone: ZoneInfo,
    fractions: list[float],
) -> None:
    change = next_light_change(after, lights_on, photoperiod_h, zone)

    assert change is not None
    assert change > after
    # The longest steady stretch is two lit windows merged on a 23-hour day.
    assert change - after <= timedelta(hours=48)
    before = is_light_on(after, lights_on, photoperiod_h, zone)
    assert is_light_on(change, lights_on, photoperiod_h, zone) is not before
    just_before = change - timedelta(microseconds=1)
    assert is_light_on(just_before, lights_on, photoperiod_h, zone) is before
    for fraction in fractions:
        between = after + (change - after) * fraction
        if between < change:
            assert is_light_on(between, lights_on, photoperiod_h, zone) is before


@settings(max_examples=60)
@given(at=moments, lights_on=on_times, photoperiod_h=photoperiods)
def test_in_utc_the_light_follows_clock_arithmetic(
    at: datetime, lights_on: time, photoperiod_h: float
) -> None:
    # Without DST: lit when the time since today's (or yesterday's) lights-on
    # is shorter than the photoperiod.
    on_s = (
        lights_on.hour * 3600
        + lights_on.minute * 60
        + lights_on.second
        + lights_on.microsecond / 1e6
    )
    now_s = at.hour * 3600 + at.minute * 60 + at.second + at.microsecond / 1e6
    since_on_s = (now_s - on_s) % 86400
    expected = since_on_s < photoperiod_h * 3600

    if abs(since_on_s - photoperiod_h * 3600) > 1e-3 and since_on_s > 1e-3:
        assert is_light_on(at, lights_on, photoperiod_h, UTC_ZONE) is expected


# --- DLI -----------------------------------------------------------------------


def _series(start: datetime, step: timedelta, values: list[float]) -> list[PpfdReading]:
    return [
        PpfdReading(at=start + step * index, ppfd=value)
        for index, value in enumerate(values)
    ]


def test_dli_from_a_ramp_uses_trapezoids() -> None:
    start = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)
    readings = _series(start, timedelta(minutes=10), [0.0, 600.0, 600.0])

    result = dli_from_readings(readings, start=start, end=start + timedelta(minutes=20))

    # (0 + 600) / 2 x 600 s + 600 x 600 s = 180 000 + 360 000 umol = 0.54 mol
    assert result.dli == 0.54
    assert result.reason is DliQuality.COMPLETE
    assert result.measured == timedelta(minutes=20)
    assert result.unknown == timedelta(0)


def test_dli_over_a_whole_day_of_constant_light() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=BERLIN)
    readings = _series(start, timedelta(minutes=5), [500.0] * (24 * 12 + 1))

    result = dli_from_readings(readings, start=start, end=start + timedelta(days=1))

    # 500 x 86 400 s / 1e6 = 43.2
    assert result.dli == 43.2
    assert result.reason is DliQuality.COMPLETE


def test_gaps_longer_than_the_limit_are_unknown() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    readings = [
        PpfdReading(at=start, ppfd=100.0),
        PpfdReading(at=start + timedelta(minutes=10), ppfd=100.0),
        # 50 minutes without data: not bridged (limit 15 min)
        PpfdReading(at=start + timedelta(minutes=60), ppfd=900.0),
        PpfdReading(at=start + timedelta(minutes=70), ppfd=900.0),
    ]

    result = dli_from_readings(readings, start=start, end=start + timedelta(minutes=70))

    # 100 x 600 s + 900 x 600 s = 600 000 umol = 0.6 mol
    assert result.dli == 0.6
    assert result.measured == timedelta(minutes=20)
    assert result.unknown == timedelta(minutes=50)
    assert result.reason is DliQuality.PARTIAL


def test_a_longer_gap_limit_bridges_the_gap() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    readings = [
        PpfdReading(at=start, ppfd=100.0),
        PpfdReading(at=start + timedelta(minutes=60), ppfd=300.0),
    ]

    result = dli_from_readings(
        readings,
        start=start,
        end=start + timedelta(minutes=60),
        max_gap=timedelta(hours=1),
    )

    # (100 + 300) / 2 x 3600 s = 720 000 umol
    assert result.dli == 0.72
    assert result.reason is DliQuality.COMPLETE


def test_pairs_straddling_the_window_are_cut_at_its_edges() -> None:
    day = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    readings = [
        PpfdReading(at=day - timedelta(minutes=10), ppfd=0.0),
        PpfdReading(at=day + timedelta(minutes=10), ppfd=600.0),
        PpfdReading(at=day + timedelta(minutes=20), ppfd=600.0),
        PpfdReading(at=day + timedelta(minutes=40), ppfd=200.0),
    ]

    result = dli_from_readings(
        readings,
        start=day,
        end=day + timedelta(minutes=30),
        max_gap=timedelta(minutes=20),
    )

    # 00:00 interpolates to 300; 00:30 interpolates to 400 (midway 600 -> 200).
    expected_umol = (300 + 600) / 2 * 600 + 600 * 600 + (600 + 400) / 2 * 600
    assert result.dli == round(expected_umol / 1e6, 2)
    assert result.reason is DliQuality.COMPLETE


def test_readings_far_from_the_window_are_ignored() -> None:
    day = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    yesterday = _series(day - timedelta(days=1), timedelta(minutes=5), [999.0] * 200)
    today = _series(day, timedelta(minutes=10), [100.0] * 7)
    tomorrow = _series(day + timedelta(days=1), timedelta(minutes=5), [999.0] * 5)

    result = dli_from_readings(
        yesterday + today + tomorrow, start=day, end=day + timedelta(hours=1)
    )

    # 100 x 3600 s = 360 000 umol
    assert result.dli == 0.36
    assert result.reason is DliQuality.COMPLETE


def test_dli_on_a_23_hour_day_counts_real_seconds() -> None:
    # 29 March 2026 in Berlin lasts 23 hours.
    start = datetime(2026, 3, 29, 0, 0, tzinfo=BERLIN)
    end = datetime(2026, 3, 30, 0, 0, tzinfo=BERLIN)
    readings = _series(
        start.astimezone(UTC), timedelta(minutes=10), [100.0] * (23 * 6 + 1)
    )

    result = dli_from_readings(readings, start=start, end=end)

    # 100 x 23 h x 3600 s / 1e6 = 8.28
    assert result.dli == 8.28
    assert result.measured == timedelta(hours=23)
    assert result.reason is DliQuality.COMPLETE


def test_no_readings_means_no_data() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)

    result = dli_from_readings([], start=start, end=start + timedelta(days=1))

    assert result.dli == 0.0
    assert result.reason is DliQuality.NO_DATA
    assert result.unknown == timedelta(days=1)


def test_duplicate_timestamps_add_nothing() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    readings = [
        PpfdReading(at=start, ppfd=100.0),
        PpfdReading(at=start, ppfd=5000.0),
        PpfdReading(at=start + timedelta(minutes=10), ppfd=100.0),
    ]

    result = dli_from_readings(readings, start=start, end=start + timedelta(minutes=10))

    # Only 5000 -> 100 over 600 s: (5000 + 100) / 2 x 600
    assert result.dli == round((5000 + 100) / 2 * 600 / 1e6, 2)


def test_bad_readings_and_windows_are_refused() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    end = start + timedelta(hours=1)
    out_of_order = [
        PpfdReading(at=start + timedelta(minutes=10), ppfd=1.0),
        PpfdReading(at=start + timedelta(minutes=5), ppfd=1.0),
    ]
    negative = [PpfdReading(at=start, ppfd=-5.0)]
    naive = [PpfdReading(at=datetime(2026, 6, 10, 0, 5), ppfd=1.0)]  # noqa: DTZ001

    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: dli_from_readings(out_of_order, start=start, end=end),
            "readings_out_of_order",
        ),
        (lambda: dli_from_readings(negative, start=start, end=end), "negative_ppfd"),
        (lambda: dli_from_readings(naive, start=start, end=end), "naive_datetime"),
        (lambda: dli_from_readings([], start=end, end=start), "invalid_window"),
        (lambda: dli_from_readings([], start=start, end=start), "invalid_window"),
        (
            lambda: dli_from_readings([], start=start, end=end, max_gap=timedelta(0)),
            "invalid_gap",
        ),
        (
            lambda: dli_from_readings([], start=start.replace(tzinfo=None), end=end),
            "naive_datetime",
        ),
    ]
    for call, code in cases:
        with pytest.raises(FarmError) as caught:
            call()
        assert caught.value.code == code


@settings(max_examples=40)
@given(
    ppfd=st.floats(min_value=0, max_value=2000),
    step_min=st.integers(min_value=1, max_value=15),
    hours=st.integers(min_value=1, max_value=24),
)
def test_constant_light_with_dense_samples_is_complete(
    ppfd: float, step_min: int, hours: int
) -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    end = start + timedelta(hours=hours)
    count = hours * 60 // step_min + 2  # one sample past the end
    readings = _series(start, timedelta(minutes=step_min), [ppfd] * count)

    result = dli_from_readings(readings, start=start, end=end)

    assert result.reason is DliQuality.COMPLETE
    assert result.dli == pytest.approx(ppfd * hours * 3600 / 1e6, abs=0.006)


@settings(max_examples=40)
@given(
    samples=st.lists(
        st.tuples(
            st.integers(min_value=0, max_value=2 * 86400),
            st.floats(min_value=0, max_value=2000),
        ),
        max_size=40,
    )
)
def test_measured_and_unknown_fill_the_window(samples: list[tuple[int, float]]) -> None:
    base = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
    start = base + timedelta(hours=12)
    end = start + timedelta(days=1)
    readings = [
        PpfdReading(at=base + timedelta(seconds=offset), ppfd=value)
        for offset, value in sorted(samples)
    ]

    result = dli_from_readings(readings, start=start, end=end)

    total = result.measured + result.unknown
    assert abs(total.total_seconds() - 86400) < 1e-3
    peak = max((value for _, value in samples), default=0.0)
    # Light can never exceed the brightest reading over the measured time.
    assert result.dli <= peak * result.measured.total_seconds() / 1e6 + 0.005


# --- DLI accumulated reading by reading ---------------------------------------------


def _accumulated(
    readings: list[PpfdReading], start: datetime, end: datetime, **kwargs: timedelta
) -> DliAccumulator:
    accumulator = DliAccumulator(start=start, end=end, **kwargs)
    for reading in readings:
        accumulator.add(reading)
    return accumulator


def test_accumulator_adds_one_trapezoid_per_reading() -> None:
    start = datetime(2026, 6, 10, 6, 0, tzinfo=UTC)
    accumulator = DliAccumulator(start=start, end=start + timedelta(days=1))
    assert accumulator.latest is None

    readings = _series(start, timedelta(minutes=10), [0.0, 600.0, 600.0])
    for reading in readings:
        accumulator.add(reading)

    # (0 + 600) / 2 x 600 s + 600 x 600 s = 540 000 umol = 0.54 mol so far
    so_far = accumulator.measurement(until=start + timedelta(minutes=20))
    assert so_far.dli == 0.54
    assert so_far.measured == timedelta(minutes=20)
    assert so_far.reason is DliQuality.COMPLETE
    # over the whole day, the other 23 h 40 min are unknown
    whole = accumulator.measurement()
    assert whole.dli == 0.54
    assert whole.unknown == timedelta(hours=23, minutes=40)
    assert whole.reason is DliQuality.PARTIAL
    assert accumulator.latest == readings[-1]
    assert (accumulator.start, accumulator.end) == (start, start + timedelta(days=1))


def test_accumulator_cuts_the_pairs_across_its_edges() -> None:
    day = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    readings = [
        PpfdReading(at=day - timedelta(minutes=10), ppfd=0.0),
        PpfdReading(at=day + timedelta(minutes=10), ppfd=600.0),
        PpfdReading(at=day + timedelta(minutes=20), ppfd=600.0),
        PpfdReading(at=day + timedelta(minutes=40), ppfd=200.0),
    ]

    result = _accumulated(
        readings, day, day + timedelta(minutes=30), max_gap=timedelta(minutes=20)
    ).measurement()

    # 00:00 interpolates to 300; 00:30 interpolates to 400 (midway 600 -> 200).
    expected_umol = (300 + 600) / 2 * 600 + 600 * 600 + (600 + 400) / 2 * 600
    assert result.dli == round(expected_umol / 1e6, 2)
    assert result.reason is DliQuality.COMPLETE


def test_accumulator_leaves_long_gaps_unknown() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    readings = [
        PpfdReading(at=start, ppfd=100.0),
        PpfdReading(at=start + timedelta(minutes=10), ppfd=100.0),
        PpfdReading(at=start + timedelta(minutes=60), ppfd=900.0),  # 50 min later
        PpfdReading(at=start + timedelta(minutes=70), ppfd=900.0),
    ]

    result = _accumulated(readings, start, start + timedelta(days=1)).measurement(
        until=start + timedelta(minutes=70)
    )

    # 100 x 600 s + 900 x 600 s = 600 000 umol; the 50 minutes between are unknown
    assert result.dli == 0.6
    assert result.unknown == timedelta(minutes=50)
    assert result.reason is DliQuality.PARTIAL


def test_accumulator_carries_the_last_reading_into_the_next_day() -> None:
    midnight = datetime(2026, 6, 11, 0, 0, tzinfo=BERLIN)
    yesterday = _accumulated(
        _series(midnight - timedelta(minutes=20), timedelta(minutes=10), [100.0] * 2),
        midnight - timedelta(days=1),
        midnight,
    )
    assert yesterday.latest is not None

    today = DliAccumulator(
        start=midnight,
        end=midnight + timedelta(days=1),
        max_gap=timedelta(minutes=20),
    )
    today.add(yesterday.latest)  # 23:50
    today.add(PpfdReading(at=midnight + timedelta(minutes=10), ppfd=300.0))

    # 23:50 at 100 to 00:10 at 300: midnight interpolates to 200, so
    # (200 + 300) / 2 x 600 s = 150 000 umol today
    result = today.measurement(until=midnight + timedelta(minutes=10))
    assert result.dli == 0.15
    assert result.reason is DliQuality.COMPLETE


def test_accumulator_reads_past_its_end_as_its_end() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    end = start + timedelta(hours=1)
    accumulator = _accumulated(
        _series(start, timedelta(minutes=10), [100.0] * 9), start, end
    )

    later = accumulator.measurement(until=end + timedelta(hours=5))

    assert (
        later
        == accumulator.measurement()
        == dli_from_readings(
            _series(start, timedelta(minutes=10), [100.0] * 9), start=start, end=end
        )
    )
    assert later.dli == 0.36  # 100 x 3600 s


def test_accumulator_refuses_bad_readings_and_windows() -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=UTC)
    end = start + timedelta(hours=1)
    accumulator = DliAccumulator(start=start, end=end)
    accumulator.add(PpfdReading(at=start + timedelta(minutes=10), ppfd=1.0))

    cases: list[tuple[Callable[[], object], str]] = [
        (
            lambda: accumulator.add(
                PpfdReading(at=start + timedelta(minutes=5), ppfd=1.0)
            ),
            "readings_out_of_order",
        ),
        (
            lambda: accumulator.add(PpfdReading(at=end, ppfd=-5.0)),
            "negative_ppfd",
        ),
        (
            lambda: accumulator.add(
                PpfdReading(at=datetime(2026, 6, 10, 0, 50), ppfd=1.0)  # noqa: DTZ001
            ),
            "naive_datetime",
        ),
        (lambda: accumulator.measurement(until=start), "invalid_window"),
        # the light of 00:05-00:10 is already counted: it cannot be taken out
        (
            lambda: accumulator.measurement(until=start + timedelta(minutes=5)),
            "invalid_window",
        ),
        (
            lambda: accumulator.measurement(until=end.replace(tzinfo=None)),
            "naive_datetime",
        ),
        (lambda: DliAccumulator(start=end, end=start), "invalid_window"),
        (
            lambda: DliAccumulator(start=start, end=end, max_gap=timedelta(0)),
            "invalid_gap",
        ),
        (
            lambda: DliAccumulator(start=start.replace(tzinfo=None), end=end),
            "naive_datetime",
        ),
    ]
    for call, code in cases:
        with pytest.raises(FarmError) as caught:
            call()
        assert caught.value.code == code
    # a refused reading changes nothing
    assert accumulator.measurement(until=start + timedelta(minutes=10)).dli == 0.0


ppfd_samples = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=2 * 86400),
        st.floats(min_value=0, max_value=2000),
    ),
    max_size=60,
)


@settings(max_examples=60)
@given(samples=ppfd_samples, gap_min=st.integers(min_value=1, max_value=60))
def test_accumulator_equals_dli_from_readings(
    samples: list[tuple[int, float]], gap_min: int
) -> None:
    base = datetime(2026, 6, 9, 12, 0, tzinfo=UTC)
    start = base + timedelta(hours=12)
    end = start + timedelta(days=1)
    readings = [
        PpfdReading(at=base + timedelta(seconds=offset), ppfd=value)
        for offset, value in sorted(samples)
    ]
    gap = timedelta(minutes=gap_min)

    accumulator = _accumulated(readings, start, end, max_gap=gap)

    assert accumulator.measurement() == dli_from_readings(
        readings, start=start, end=end, max_gap=gap
    )


@settings(max_examples=60)
@given(samples=ppfd_samples, after_s=st.integers(min_value=0, max_value=86400))
def test_accumulator_so_far_equals_dli_from_readings_up_to_then(
    samples: list[tuple[int, float]], after_s: int
) -> None:
    start = datetime(2026, 6, 10, 0, 0, tzinfo=BERLIN)
    end = start + timedelta(days=1)
    readings = [
        PpfdReading(at=start + timedelta(seconds=offset // 2), ppfd=value)
        for offset, value in sorted(samples)
    ]
    accumulator = _accumulated(readings, start, end)
    # asked some time after the latest reading, as the live farm asks at `now`
    latest = readings[-1].at if readings else start
    until = max(latest, start) + timedelta(seconds=after_s + 1)

    assert accumulator.measurement(until=until) == dli_from_readings(
        readings, start=start, end=min(until, end)
    )


# --- lux to PPFD -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "lux", "expected"),
    [
        (LightSource.SUNLIGHT, 10_000, 185.0),  # 10 000 x 0.0185
        (LightSource.HPS, 10_000, 122.0),  # 10 000 x 0.0122
        (LightSource.FLUORESCENT, 10_000, 135.0),  # 10 000 x 0.0135
        (LightSource.LED_WHITE, 20_000, 290.0),  # 20 000 x 0.0145
        (LightSource.LED_FULL_SPECTRUM, 20_000, 310.0),  # 20 000 x 0.0155
        (LightSource.METAL_HALIDE, 10_000, 141.0),  # 10 000 x 0.0141
        (LightSource.SUNLIGHT, 0, 0.0),
    ],
)
def test_lux_to_ppfd(source: LightSource, lux: float, expected: float) -> None:
    assert ppfd_from_lux(lux, source) == expected


def test_every_light_source_has_a_plausible_factor() -> None:
    assert set(PPFD_PER_LUX) == set(LightSource)
    # Published factors sit between HPS (~0.012) and sunlight (~0.0185).
    assert all(0.012 <= factor <= 0.0185 for factor in PPFD_PER_LUX.values())


def test_negative_lux_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        ppfd_from_lux(-3, LightSource.SUNLIGHT)

    assert caught.value.code == "negative_lux"
