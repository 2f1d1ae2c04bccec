"""Tank forecasts: the robust trend maths, and the endpoint over real HTTP."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
import json
import random
from typing import Any

import aiohttp
from hypothesis import given, settings, strategies as st
import pytest

from vertical_farm_planner.forecast import (
    Feeding,
    LevelReading,
    StockCount,
    feeding,
    level_now,
    level_reading,
    level_segments,
    nutrient_forecast,
    stock_count,
    theil_sen_slope,
    water_forecast,
    water_use,
)

from .checks import assert_matches_schema
from .conftest import RunningPlanner, auth

T0 = datetime(2026, 11, 1, tzinfo=UTC)


def noisy(seed: int) -> random.Random:
    """Return the noise source of one test (reproducible, not a secret)."""
    return random.Random(seed)  # noqa: S311


def hourly(
    start_l: float,
    use_l_per_day: float,
    hours: int,
    *,
    offset_h: int = 0,
    noise: float = 0.0,
    seed: int = 0,
) -> list[LevelReading]:
    """Return hourly readings of a tank losing water at a steady rate."""
    rng = noisy(seed)
    return [
        LevelReading(
            at=T0 + timedelta(hours=offset_h + hour),
            level_l=start_l - use_l_per_day * hour / 24 + rng.uniform(-noise, noise),
        )
        for hour in range(hours)
    ]


def test_theil_sen_ignores_outliers() -> None:
    points = [(float(x), 100 - 2 * x) for x in range(20)]
    points[3] = (3.0, 500.0)
    points[11] = (11.0, -300.0)
    assert theil_sen_slope(points) == pytest.approx(-2.0)
    with pytest.raises(ValueError, match="differ"):
        theil_sen_slope([(1.0, 1.0), (1.0, 2.0)])


def test_theil_sen_thins_long_series() -> None:
    points = [(x / 10, 5 + 0.5 * x / 10) for x in range(1000)]
    assert theil_sen_slope(points) == pytest.approx(0.5)


def test_segments_split_at_refills_rises_and_gaps() -> None:
    first = hourly(50, 2.4, 24)
    # Topped up (recorded) between the first and second day.
    second = hourly(60, 2.4, 24, offset_h=30)
    # Refilled without a record: the level jumps.
    third = hourly(70, 2.4, 24, offset_h=60)
    # Four days without readings.
    fourth = hourly(third[-1].level_l - 10, 2.4, 24, offset_h=180)
    refill = Feeding(at=T0 + timedelta(hours=26), kind="top_up", volume_l=12.0)
    segments = level_segments([*first, *second, *third, *fourth], [refill])
    assert [len(segment) for segment in segments] == [24, 24, 24, 24]


@settings(max_examples=40, deadline=None)
@given(
    use=st.floats(0.5, 20),
    noise=st.floats(0, 0.3),
    seed=st.integers(0, 1000),
)
def test_trend_survives_refills_gaps_and_noise(
    use: float, noise: float, seed: int
) -> None:
    readings = [
        *hourly(200, use, 48, noise=noise, seed=seed),
        *hourly(250, use, 48, offset_h=60, noise=noise, seed=seed + 1),
        # A gap of five days, then readings again.
        *hourly(240, use, 48, offset_h=230, noise=noise, seed=seed + 2),
    ]
    refill = Feeding(at=T0 + timedelta(hours=55), kind="top_up", volume_l=60.0)
    found = water_use(readings, [refill])
    assert found.method == "level_trend"
    assert found.segments == 3
    assert found.samples == 144
    assert found.use_l_per_day == pytest.approx(use, abs=0.1 + 0.02 * use)


def test_rising_level_means_no_use() -> None:
    readings = [
        LevelReading(at=T0 + timedelta(hours=hour), level_l=50 + 0.01 * hour)
        for hour in range(30)
    ]
    assert water_use(readings, []).use_l_per_day == 0.0


def test_short_segments_fall_back_to_top_ups() -> None:
    readings = hourly(50, 1, 2)
    top_ups = [
        Feeding(at=T0 + timedelta(days=day), kind="top_up", volume_l=7.0)
        for day in (0, 2, 4)
    ]
    found = water_use(readings, top_ups)
    assert found.method == "refills"
    assert found.use_l_per_day == pytest.approx(14 / 4)
    assert water_use([], top_ups[:1]).method == "none"


def test_level_now_follows_refills_after_the_last_reading() -> None:
    readings = [LevelReading(at=T0, level_l=20.0)]
    feedings = [
        Feeding(at=T0 + timedelta(days=1), kind="top_up", volume_l=10.0),
        Feeding(at=T0 + timedelta(days=1, hours=1), kind="adjustment", volume_l=1.0),
        Feeding(at=T0 + timedelta(days=2), kind="top_up", volume_l=None),
        Feeding(at=T0 - timedelta(days=1), kind="full_change", volume_l=90.0),
        Feeding(at=T0 + timedelta(days=9), kind="full_change", volume_l=90.0),
    ]
    at = T0 + timedelta(days=3)
    # 20 - 2 + 10, then two more days at 2 L/day.
    assert level_now(readings, feedings, 2.0, at) == pytest.approx(24.0)
    full = [Feeding(at=T0 + timedelta(days=1), kind="full_change", volume_l=80.0)]
    assert level_now(readings, full, 2.0, at) == pytest.approx(76.0)
    assert level_now([], feedings, 2.0, at) is None
    # Never below empty.
    assert level_now(readings, [], 5.0, T0 + timedelta(days=30)) == 0.0


def test_water_forecast_without_data_is_all_null() -> None:
    assert water_forecast([], [], T0) == {
        "use_l_per_day": None,
        "method": "none",
        "segments": 0,
        "samples": 0,
        "level_l": None,
        "level_at": None,
        "days_until_empty": None,
        "empty_on": None,
    }


def test_records_with_unusable_data_are_skipped() -> None:
    assert level_reading(T0, {"level_l": "full"}) is None
    assert level_reading(T0, {"level_percent": 50}) is None
    assert level_reading(T0, {"level_l": -1}) is None
    # Stored before the journal bounded numbers: a float cannot hold the first.
    assert level_reading(T0, {"level_l": int("9" * 400)}) is None
    assert level_reading(T0, {"level_l": 1.7e308}) is None
    reading = level_reading(T0, {"level_percent": 50, "volume_l": 80})
    assert reading == LevelReading(at=T0, level_l=40.0)
    fed = feeding(
        T0,
        {"kind": 3, "volume_l": True, "fertilizers": {"a": 5, "b": "x", "c": -1}},
    )
    assert fed == Feeding(
        at=T0, kind="adjustment", volume_l=None, products_ml={"a": 5.0}
    )
    assert feeding(T0, {"fertilizers": [1, 2]}).products_ml == {}
    assert stock_count(T0, {"fertilizer": "", "amount_ml": 5}) is None
    assert stock_count(T0, {"fertilizer": "a", "amount_ml": float("nan")}) is None


def test_nutrients_per_week_and_when_stock_runs_out() -> None:
    at = T0 + timedelta(days=28)
    tank = [
        Feeding(
            at=T0 + timedelta(days=7 * week),
            kind="top_up",
            volume_l=10,
            products_ml={"grow": 20.0, "calmag": 5.0},
        )
        for week in range(4)
    ]
    other_tank = [
        Feeding(
            at=T0 + timedelta(days=7 * week + 1),
            kind="top_up",
            volume_l=10,
            products_ml={"grow": 20.0},
        )
        for week in range(4)
    ]
    stocks = [
        StockCount(at=T0 - timedelta(days=30), fertilizer="grow", amount_ml=50.0),
        StockCount(at=T0 + timedelta(days=14), fertilizer="grow", amount_ml=300.0),
        StockCount(at=T0 + timedelta(days=40), fertilizer="grow", amount_ml=9.0),
    ]
    found = nutrient_forecast(
        tank, tank + other_tank, stocks, at, at - timedelta(days=90)
    )
    assert [item["fertilizer"] for item in found] == ["calmag", "grow"]
    calmag, grow = found
    assert calmag["ml_per_week"] == 5.0
    assert calmag["stock_ml"] is None
    assert calmag["runs_out_on"] is None
    assert grow["ml_per_week"] == 20.0
    assert grow["farm_ml_per_week"] == 40.0
    # 300 counted on day 14 (after that day's feeding); days 15, 21, 22 used 60.
    assert grow["stock_ml"] == 240.0
    assert grow["stock_at"] == T0 + timedelta(days=14)
    assert grow["weeks_until_out"] == 6.0
    assert grow["runs_out_on"] == (at + timedelta(weeks=6)).date()


def test_figures_too_large_for_a_float_are_null() -> None:
    # Readings a second apart near the float's end: the slopes overflow.
    readings = [
        LevelReading(at=T0, level_l=1.7e308),
        LevelReading(at=T0 + timedelta(seconds=1), level_l=1.0e308),
        LevelReading(at=T0 + timedelta(seconds=2), level_l=0.0),
        LevelReading(at=T0 + timedelta(hours=7), level_l=0.0),
    ]
    at = T0 + timedelta(days=1)
    water = water_forecast(readings, [], at)
    assert water["use_l_per_day"] is None
    assert water["days_until_empty"] is None
    doses = [
        Feeding(at=T0, kind="adjustment", volume_l=None, products_ml={"grow": 1e308}),
        Feeding(at=at, kind="adjustment", volume_l=None, products_ml={"grow": 1e308}),
    ]
    stocks = [StockCount(at=T0, fertilizer="grow", amount_ml=1e308)]
    (grow,) = nutrient_forecast(doses, doses, stocks, at, T0)
    assert grow["ml_per_week"] is None
    assert grow["weeks_until_out"] is None
    # Valid JSON: no Infinity or NaN anywhere.
    json.dumps([water, grow], allow_nan=False, default=str)


# --- Over HTTP ---------------------------------------------------------------

FARM = "farm_1"
TANK = "tank_1"


async def ship(
    session: aiohttp.ClientSession,
    planner: RunningPlanner,
    records: list[dict[str, Any]],
) -> None:
    """Post records to the journal in batches."""
    for first in range(0, len(records), 500):
        async with session.post(
            planner.url("/api/v1/journal"),
            json={"farm_id": FARM, "records": records[first : first + 500]},
            headers=auth(),
        ) as response:
            assert response.status == 200


def journal_record(
    event_id: str, at: datetime, kind: str, subject: str, data: dict[str, Any]
) -> dict[str, Any]:
    """Return a journal record as the integration ships it."""
    return {
        "id": event_id,
        "at": at.isoformat(),
        "kind": kind,
        "subject": subject,
        "data": data,
    }


async def forecast(
    session: aiohttp.ClientSession,
    planner: RunningPlanner,
    tank: str,
    params: dict[str, str],
    status: int = 200,
) -> dict[str, Any]:
    """GET a tank forecast."""
    async with session.get(
        planner.url(f"/api/v1/forecast/tanks/{tank}"), params=params, headers=auth()
    ) as response:
        body: dict[str, Any] = await response.json()
        assert response.status == status, body
    return body


async def test_forecast_from_the_journal(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    rng = noisy(7)
    records = []
    # Ten days of readings every 30 minutes, 3 L/day, a top-up each 4 days,
    # a few wild readings and a day without any.
    level = 60.0
    for step in range(480):
        at = T0 + timedelta(minutes=30 * step)
        if step and step % 192 == 0:
            level += 12
            records.append(
                journal_record(
                    f"fed{step}",
                    at - timedelta(minutes=1),
                    "fed",
                    TANK,
                    {"kind": "top_up", "volume_l": 12, "fertilizers": {"grow": 24}},
                )
            )
        level -= 3 / 48
        if 300 <= step < 348:
            continue
        value = level + rng.uniform(-0.2, 0.2)
        if step % 97 == 0:
            value = 0.0  # a probe glitch
        records.append(
            journal_record(f"lvl{step}", at, "tank_level", TANK, {"level_l": value})
        )
    records.append(
        journal_record(
            "stock1", T0, "stock", FARM, {"fertilizer": "grow", "amount_ml": 200}
        )
    )
    # Another tank of the farm uses the same product.
    records.append(
        journal_record(
            "other1",
            T0 + timedelta(days=5),
            "fed",
            "tank_2",
            {"kind": "top_up", "fertilizers": {"grow": 16}},
        )
    )
    # After the forecast time: ignored.
    records.append(
        journal_record(
            "late", T0 + timedelta(days=30), "tank_level", TANK, {"level_l": 1.0}
        )
    )
    await ship(session, planner, records)

    at = T0 + timedelta(days=10)
    body = await forecast(session, planner, TANK, {"at": at.isoformat()})
    async with session.get(planner.url("/api/v1/openapi.json"), headers=auth()) as r:
        document = await r.json()
    assert_matches_schema(body, {"$ref": "#/components/schemas/TankForecast"}, document)

    water = body["water"]
    assert body["tank"] == TANK
    assert body["farm_id"] == FARM
    assert body["at"] == "2026-11-11T00:00:00.000+00:00"
    assert water["method"] == "level_trend"
    assert water["use_l_per_day"] == pytest.approx(3.0, abs=0.1)
    assert water["segments"] >= 3
    expected_level = 60 + 24 - 3 * 10
    assert water["level_l"] == pytest.approx(expected_level, abs=1.0)
    assert water["days_until_empty"] == pytest.approx(expected_level / 3, rel=0.05)
    assert date.fromisoformat(water["empty_on"]) - at.date() in {
        timedelta(days=17),
        timedelta(days=18),
        timedelta(days=19),
    }
    (grow,) = body["nutrients"]
    # 48 ml since the first feeding six days before: rated over one week at least.
    assert grow["ml_per_week"] == 48.0
    assert grow["farm_ml_per_week"] == 64.0
    assert grow["stock_ml"] == 200 - 24 - 24 - 16
    assert grow["weeks_until_out"] == pytest.approx(136 / 64, abs=0.01)
    assert grow["runs_out_on"] == "2026-11-25"


async def test_a_tank_that_hardly_runs_down_has_no_date(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    # The level falls by one float step a reading (about 1e-14 L/day) and a
    # product goes at 1e-9 ml: both would run out ages past the calendar's end.
    levels = [50.0, 49.99999999999999, 49.99999999999998]
    records = [
        journal_record(
            f"lvl{step}",
            T0 + timedelta(hours=6 * step),
            "tank_level",
            TANK,
            {"level_l": level},
        )
        for step, level in enumerate(levels)
    ]
    records += [
        journal_record(
            "stock1", T0, "stock", FARM, {"fertilizer": "grow", "amount_ml": 1000}
        ),
        journal_record(
            "fed1",
            T0 + timedelta(hours=1),
            "fed",
            TANK,
            {"kind": "adjustment", "fertilizers": {"grow": 1e-9}},
        ),
    ]
    await ship(session, planner, records)

    at = T0 + timedelta(days=1)
    body = await forecast(session, planner, TANK, {"at": at.isoformat()})
    water = body["water"]
    assert water["method"] == "level_trend"
    assert water["use_l_per_day"] == 0.0
    assert water["level_l"] == 50.0
    assert water["days_until_empty"] is None
    assert water["empty_on"] is None
    (grow,) = body["nutrients"]
    assert grow["stock_ml"] == 1000.0
    assert grow["weeks_until_out"] is None
    assert grow["runs_out_on"] is None


async def test_forecast_of_an_unknown_tank_is_a_404(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    body = await forecast(session, planner, "nobody", {}, status=404)
    assert body["error"]["code"] == "tank_not_found"


async def test_forecast_without_recent_records_is_empty(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    await ship(
        session,
        planner,
        [journal_record("old", T0, "tank_level", TANK, {"level_l": 10})],
    )
    at = T0 + timedelta(days=200)
    body = await forecast(session, planner, TANK, {"at": at.isoformat()})
    assert body["water"]["method"] == "none"
    assert body["water"]["level_l"] is None
    assert body["nutrients"] == []


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"history_days": "0"}, "history_days"),
        ({"history_days": "3661"}, "history_days"),
        ({"at": "2026-11-01T00:00:00"}, "at"),
        # Outside 1970-2999: the history window would start before year 1.
        ({"at": "0001-01-02T00:00:00+00:00"}, "at"),
        ({"at": "9999-12-31T23:59:59+00:00"}, "at"),
        ({"colour": "blue"}, "colour"),
    ],
)
async def test_bad_forecast_query_is_refused(
    planner: RunningPlanner,
    session: aiohttp.ClientSession,
    params: dict[str, str],
    field: str,
) -> None:
    body = await forecast(session, planner, TANK, params, status=400)
    assert body["error"]["code"] == "invalid_request"
    assert body["error"]["field"] == field
