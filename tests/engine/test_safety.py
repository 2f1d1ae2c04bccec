"""Tests of the safety engine: pre-harvest intervals and resistance warnings."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.safety import (
    HarvestReason,
    ResistanceWarning,
    Treatment,
    resistance_warnings,
    safe_harvest,
    safe_instant,
)

BERLIN = ZoneInfo("Europe/Berlin")
LOS_ANGELES = ZoneInfo("America/Los_Angeles")


def _treatment(
    product: str = "neem_oil",
    *,
    applied: datetime = datetime(2026, 5, 1, 10, 0, tzinfo=BERLIN),
    interval_days: float = 3,
    ingredient: str = "azadirachtin",
) -> Treatment:
    return Treatment(
        product=product,
        active_ingredient=ingredient,
        interval_days=interval_days,
        applied=applied,
    )


# --- safe instants ---------------------------------------------------------------


def test_safe_instant_is_applied_plus_the_interval() -> None:
    treatment = _treatment(
        applied=datetime(2026, 5, 1, 10, 0, tzinfo=BERLIN), interval_days=7
    )

    # 1 May 10:00 + 7 days
    assert safe_instant(treatment) == datetime(2026, 5, 8, 10, 0, tzinfo=BERLIN)


def test_safe_instant_keeps_the_wall_time_across_a_clock_change() -> None:
    # 25 March 10:00 CET + 7 calendar days = 1 April 10:00 CEST (167 real hours).
    treatment = _treatment(
        applied=datetime(2026, 3, 25, 10, 0, tzinfo=BERLIN), interval_days=7
    )

    safe = safe_instant(treatment)

    assert (safe.month, safe.day, safe.hour) == (4, 1, 10)
    assert safe.astimezone(UTC) == datetime(2026, 4, 1, 8, 0, tzinfo=UTC)


def test_safe_instant_in_the_spring_gap_lands_after_it() -> None:
    # 22 March 02:30 CET + 7 days = 29 March 02:30, which does not exist:
    # read with the CET offset it is 01:30 UTC = 03:30 CEST.
    treatment = _treatment(
        applied=datetime(2026, 3, 22, 2, 30, tzinfo=BERLIN), interval_days=7
    )

    safe = safe_instant(treatment)

    assert safe.astimezone(UTC) == datetime(2026, 3, 29, 1, 30, tzinfo=UTC)
    assert (safe.hour, safe.minute) == (3, 30)


def test_fractional_and_zero_intervals() -> None:
    applied = datetime(2026, 5, 1, 10, 0, tzinfo=BERLIN)

    assert safe_instant(
        _treatment(applied=applied, interval_days=0.5)
    ) == applied + timedelta(hours=12)
    assert safe_instant(_treatment(applied=applied, interval_days=0)) == applied


def test_a_short_interval_in_the_repeated_hour_ends_after_it_began() -> None:
    # 01:10 PST on 1 November 2026, the second 01:10 of that night (09:10 UTC):
    # 20 minutes on is 01:30 PST, not the first 01:30 (PDT), before the spray.
    applied = datetime(2026, 11, 1, 1, 10, fold=1, tzinfo=LOS_ANGELES)

    safe = safe_instant(_treatment(applied=applied, interval_days=20 / 1440))

    assert safe.astimezone(UTC) == datetime(2026, 11, 1, 9, 30, tzinfo=UTC)
    # A day on from it is 01:10 on 2 November, the wall time kept.
    day = safe_instant(_treatment(applied=applied, interval_days=1))
    assert day.astimezone(UTC) == datetime(2026, 11, 2, 9, 10, tzinfo=UTC)


def test_treatments_refuse_naive_instants_and_negative_intervals() -> None:
    with pytest.raises(FarmError) as caught:
        _treatment(applied=datetime(2026, 5, 1, 10, 0))  # noqa: DTZ001
    assert caught.value.code == "naive_datetime"
    assert caught.value.params == {"field": "applied"}

    with pytest.raises(FarmError) as caught:
        _treatment(interval_days=-1)
    assert caught.value.code == "invalid_interval"


# --- harvest verdicts ------------------------------------------------------------

NEEM = _treatment(
    "neem_oil", applied=datetime(2026, 5, 1, 10, 0, tzinfo=BERLIN), interval_days=3
)  # safe 4 May 10:00
PYRETHRIN = _treatment(
    "pyrethrin_spray",
    applied=datetime(2026, 5, 2, 8, 0, tzinfo=BERLIN),
    interval_days=7,
    ingredient="pyrethrins",
)  # safe 9 May 08:00


def test_a_harvest_before_the_latest_safe_instant_is_blocked() -> None:
    harvest_at = datetime(2026, 5, 5, 12, 0, tzinfo=BERLIN)

    verdict = safe_harvest([NEEM, PYRETHRIN], harvest_at)

    assert not verdict.allowed
    assert verdict.reason is HarvestReason.BLOCKED
    assert verdict.safe_at == datetime(2026, 5, 9, 8, 0, tzinfo=BERLIN)
    assert verdict.safe_on == date(2026, 5, 9)
    # Neem ran out on 4 May; only the pyrethrin still blocks.
    assert verdict.blocking_products == ("pyrethrin_spray",)
    assert [(item.treatment.product, item.blocks) for item in verdict.treatments] == [
        ("pyrethrin_spray", True),
        ("neem_oil", False),
    ]


def test_exactly_at_the_safe_instant_is_allowed() -> None:
    at_safe = datetime(2026, 5, 9, 8, 0, tzinfo=BERLIN)

    verdict = safe_harvest([NEEM, PYRETHRIN], at_safe)

    assert verdict.allowed
    assert verdict.reason is HarvestReason.ALLOWED
    assert verdict.blocking_products == ()
    assert verdict.safe_at == at_safe


def test_one_microsecond_early_is_blocked() -> None:
    early = datetime(2026, 5, 9, 8, 0, tzinfo=BERLIN) - timedelta(microseconds=1)

    assert not safe_harvest([NEEM, PYRETHRIN], early).allowed


def test_every_product_still_running_blocks() -> None:
    verdict = safe_harvest([NEEM, PYRETHRIN], datetime(2026, 5, 2, 9, 0, tzinfo=BERLIN))

    # Latest safe instant first.
    assert verdict.blocking_products == ("pyrethrin_spray", "neem_oil")


def test_a_product_applied_twice_is_listed_once() -> None:
    again = _treatment("neem_oil", applied=datetime(2026, 5, 3, 10, 0, tzinfo=BERLIN))

    verdict = safe_harvest([NEEM, again], datetime(2026, 5, 4, 12, 0, tzinfo=BERLIN))

    # Second neem: 3 May + 3 days = 6 May 10:00.
    assert verdict.blocking_products == ("neem_oil",)
    assert verdict.safe_at == datetime(2026, 5, 6, 10, 0, tzinfo=BERLIN)


def test_no_treatments_means_no_block() -> None:
    verdict = safe_harvest([], datetime(2026, 5, 5, 12, 0, tzinfo=BERLIN))

    assert verdict.allowed
    assert verdict.reason is HarvestReason.NO_TREATMENTS
    assert verdict.safe_at is None
    assert verdict.safe_on is None


def test_the_safe_date_is_read_in_the_harvest_time_zone() -> None:
    # Applied 1 May 23:30 UTC with 1 day: safe 2 May 23:30 UTC = 3 May 01:30 Berlin.
    late = _treatment(applied=datetime(2026, 5, 1, 23, 30, tzinfo=UTC), interval_days=1)

    verdict = safe_harvest([late], datetime(2026, 5, 2, 12, 0, tzinfo=BERLIN))

    assert verdict.safe_on == date(2026, 5, 3)
    assert verdict.safe_at == datetime(2026, 5, 2, 23, 30, tzinfo=UTC)


def test_naive_harvest_times_are_refused() -> None:
    with pytest.raises(FarmError) as caught:
        safe_harvest([NEEM], datetime(2026, 5, 4, 10, 0))  # noqa: DTZ001

    assert caught.value.params == {"field": "harvest_at"}


applied_times = st.datetimes(
    min_value=datetime(2026, 1, 1),  # noqa: DTZ001
    max_value=datetime(2026, 12, 31),  # noqa: DTZ001
    timezones=st.sampled_from([BERLIN, UTC]),
)


@given(
    applications=st.lists(
        st.tuples(applied_times, st.integers(min_value=0, max_value=30)), max_size=6
    ),
    harvest_at=applied_times,
)
def test_verdict_matches_every_treatment(
    applications: list[tuple[datetime, int]], harvest_at: datetime
) -> None:
    treatments = [
        _treatment(f"p{index}", applied=applied, interval_days=days)
        for index, (applied, days) in enumerate(applications)
    ]

    verdict = safe_harvest(treatments, harvest_at)

    harvest_ts = harvest_at.timestamp()
    blocked_by = [t for t in treatments if safe_instant(t).timestamp() > harvest_ts]
    assert verdict.allowed == (not blocked_by)
    assert set(verdict.blocking_products) == {t.product for t in blocked_by}
    if treatments:
        assert verdict.safe_at is not None
        latest = max(safe_instant(t).timestamp() for t in treatments)
        assert verdict.safe_at.timestamp() == latest
        # Harvesting at the reported safe instant is always allowed.
        assert safe_harvest(treatments, verdict.safe_at).allowed


def test_the_verdict_is_safe_from_the_latest_safe_instant() -> None:
    # neem safe 4 May 10:00, pyrethrin 9 May 08:00 (Berlin, summer time: UTC+2)
    verdict = safe_harvest([NEEM, PYRETHRIN], datetime(2026, 5, 1, tzinfo=UTC))
    assert verdict.safe_at == datetime(2026, 5, 9, 6, 0, tzinfo=UTC)
    assert safe_harvest([], datetime(2026, 5, 1, tzinfo=UTC)).safe_at is None


@given(
    applications=st.lists(
        st.tuples(applied_times, st.integers(min_value=0, max_value=30)),
        min_size=1,
        max_size=6,
    ),
    asked=st.integers(min_value=0, max_value=40 * 86_400),
    later=st.lists(st.integers(min_value=0, max_value=10**8), min_size=2, max_size=4),
)
def test_from_the_safe_instant_on_the_verdict_never_changes(
    applications: list[tuple[datetime, int]], asked: int, later: list[int]
) -> None:
    """The live farm asks again at `safe_at` only: nothing changes after it."""
    treatments = [
        _treatment(f"p{index}", applied=applied, interval_days=days)
        for index, (applied, days) in enumerate(applications)
    ]
    since = safe_harvest(
        treatments, applications[0][0] + timedelta(seconds=asked)
    ).safe_at
    assert since is not None
    assert not safe_harvest(treatments, since - timedelta(microseconds=1)).allowed

    verdicts = {
        safe_harvest(treatments, since + timedelta(seconds=seconds))
        for seconds in later
    }

    assert len(verdicts) == 1
    assert verdicts.pop().allowed


# --- resistance ------------------------------------------------------------------

NOW = datetime(2026, 6, 30, 12, 0, tzinfo=BERLIN)


def _spinosad(days_ago: float, *, spelling: str = "Spinosad") -> Treatment:
    return _treatment(
        "spinosad_spray",
        applied=NOW - timedelta(days=days_ago),
        ingredient=spelling,
    )


def test_four_uses_in_ninety_days_warn() -> None:
    treatments = [_spinosad(days) for days in (1, 20, 45, 80)]

    assert resistance_warnings(treatments, NOW) == (
        ResistanceWarning(
            code="resistance_risk",
            active_ingredient="Spinosad",
            count=4,
            window_days=90,
        ),
    )


def test_three_uses_are_fine() -> None:
    assert resistance_warnings([_spinosad(days) for days in (1, 20, 45)], NOW) == ()


def test_the_window_includes_exactly_ninety_days_ago() -> None:
    on_edge = [_spinosad(days) for days in (1, 20, 45, 90)]
    just_outside = [
        *[_spinosad(days) for days in (1, 20, 45)],
        _treatment(
            "spinosad_spray",
            applied=NOW - timedelta(days=90, seconds=1),
            ingredient="spinosad",
        ),
    ]

    assert resistance_warnings(on_edge, NOW)[0].count == 4
    assert resistance_warnings(just_outside, NOW) == ()


def test_future_records_are_ignored() -> None:
    treatments = [_spinosad(days) for days in (1, 20, 45, -1)]

    assert resistance_warnings(treatments, NOW) == ()


def test_spelling_and_spacing_do_not_split_an_ingredient() -> None:
    treatments = [
        _spinosad(1, spelling="Spinosad"),
        _spinosad(10, spelling="spinosad "),
        _spinosad(20, spelling=" SPINOSAD"),
        _spinosad(30, spelling="spinosad"),
    ]

    (warning,) = resistance_warnings(treatments, NOW)

    assert warning.count == 4
    assert warning.active_ingredient == "Spinosad"


def test_one_rack_treatment_stored_per_plant_counts_once() -> None:
    same_moment = [_spinosad(5) for _ in range(6)]  # six plants, one spraying

    assert resistance_warnings([*same_moment, _spinosad(10), _spinosad(15)], NOW) == ()


def test_unknown_ingredients_never_warn() -> None:
    treatments = [_spinosad(days, spelling="  ") for days in (1, 2, 3, 4, 5)]

    assert resistance_warnings(treatments, NOW) == ()


def test_warnings_are_sorted_most_used_first() -> None:
    treatments = [
        *[_spinosad(days) for days in (1, 2, 3, 4)],
        *[
            _treatment(
                "pyrethrin_spray",
                applied=NOW - timedelta(days=days),
                ingredient="pyrethrins",
            )
            for days in (1, 2, 3, 4, 5)
        ],
        *[
            _treatment(
                "neem", applied=NOW - timedelta(days=days), ingredient="azadirachtin"
            )
            for days in (1, 2, 3, 4)
        ],
    ]

    warnings = resistance_warnings(treatments, NOW)

    assert [(w.active_ingredient, w.count) for w in warnings] == [
        ("pyrethrins", 5),
        ("azadirachtin", 4),
        ("Spinosad", 4),
    ]


def test_custom_limits() -> None:
    treatments = [_spinosad(days) for days in (1, 20, 45)]

    # 30 days hold the uses 1 and 20 days ago: 2 uses, not more than 2.
    assert resistance_warnings(treatments, NOW, max_uses=2, window_days=30) == ()
    # 60 days hold all three: 3 > 2.
    (warning,) = resistance_warnings(treatments, NOW, max_uses=2, window_days=60)
    assert (warning.count, warning.window_days) == (3, 60)


def test_naive_now_is_refused() -> None:
    with pytest.raises(FarmError) as caught:
        resistance_warnings([], datetime(2026, 6, 30, 12, 0))  # noqa: DTZ001

    assert caught.value.params == {"field": "now"}


@given(
    offsets=st.lists(st.integers(min_value=-10, max_value=200), max_size=12),
    max_uses=st.integers(min_value=1, max_value=5),
)
def test_warning_counts_match_the_window(offsets: list[int], max_uses: int) -> None:
    treatments = [_spinosad(days) for days in offsets]

    warnings = resistance_warnings(treatments, NOW, max_uses=max_uses)

    in_window = {days for days in offsets if 0 <= days <= 90}
    if len(in_window) > max_uses:
        assert [w.count for w in warnings] == [len(in_window)]
    else:
        assert warnings == ()
