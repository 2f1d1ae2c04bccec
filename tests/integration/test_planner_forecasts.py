"""What the planner adds to the farm: forecast sensors, stock counts, rack sites.

All against the real add-on app on 127.0.0.1 with its own SQLite file.
"""

from contextlib import closing
from datetime import date, timedelta
import json
import sqlite3
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.core import HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN

from .conftest import RACK_DATA, RACK_ID, TANK_ID
from .planner_server import PlannerServer, link_planner, tank_forecast

WATER_USE = "sensor.tank_a_forecast_water_use"
DAYS_LEFT = "sensor.tank_a_forecast_days_until_empty"
EMPTY_ON = "sensor.tank_a_forecast_empty_on"
FORECAST = f"GET /api/v1/forecast/tanks/{TANK_ID}"
CONNECTED = "binary_sensor.basement_planner_connected"


async def _settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, minutes: float
) -> None:
    freezer.tick(timedelta(minutes=minutes))
    async_fire_time_changed(hass)
    await _settle(hass)


def _device(hass: HomeAssistant, entry: MockConfigEntry, subject: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subject), entry.entry_id
    )
    assert device is not None
    return device.id


async def _level_falls(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, hours: int
) -> None:
    """The tank's probe reads 0.25 L less every 30 minutes (12 L a day)."""
    for step in range(hours * 2 + 1):
        hass.states.async_set(
            "sensor.tank_a_level", str(50 - step * 0.25), {"unit_of_measurement": "L"}
        )
        await _settle(hass)
        freezer.tick(timedelta(minutes=30))


async def _feed(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> None:
    await hass.services.async_call(
        DOMAIN,
        "log_feeding",
        {"tank": _device(hass, entry, TANK_ID), **data},
        blocking=True,
    )


async def _weekly_top_ups(
    hass: HomeAssistant, entry: MockConfigEntry, **data: Any
) -> None:
    """Three weekly top-ups of 14 L, the last a week ago, shipped to the planner."""
    now = dt_util.now()
    for days_ago in (21, 14, 7):
        await _feed(
            hass,
            entry,
            kind="top_up",
            volume_l=14.0,
            at=(now - timedelta(days=days_ago)).isoformat(),
            **data,
        )
    await _settle(hass)  # the feedings are shipped in the background


# --- Forecast sensors ------------------------------------------------------


async def test_no_forecast_sensors_without_a_planner(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Without a planner the tank has no forecast sensors at all."""
    registry = er.async_get(hass)
    assert registry.async_get(WATER_USE) is None
    assert registry.async_get(EMPTY_ON) is None
    assert hass.states.get("sensor.tank_a_water_use") is not None


async def test_forecast_sensors_follow_the_planner(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Level readings make the forecast; the sensors show it while connected."""
    await link_planner(hass, farm_entry, planner_server)
    # Connected, but the planner has nothing about the tank yet.
    for entity_id in (WATER_USE, DAYS_LEFT, EMPTY_ON):
        assert hass.states.get(entity_id).state == "unavailable"
    await _level_falls(hass, freezer, 12)
    await _settle(hass)
    assert farm_entry.runtime_data.store.outbox_size == 0
    water = (await tank_forecast(hass, TANK_ID))["water"]

    use = hass.states.get(WATER_USE)
    assert float(use.state) == pytest.approx(12.0, rel=0.05)
    assert float(use.state) == pytest.approx(water["use_l_per_day"], rel=0.02)
    assert use.attributes["unit_of_measurement"] == "L/d"
    assert use.attributes["state_class"] == "measurement"
    assert use.attributes["method"] == "level_trend"
    assert use.attributes["friendly_name"] == "Tank A Forecast water use"
    days = hass.states.get(DAYS_LEFT)
    # Fetched after the last reading, 30 minutes before this answer.
    assert float(days.state) == pytest.approx(water["days_until_empty"], abs=0.05)
    assert days.attributes["device_class"] == "duration"
    assert days.attributes["unit_of_measurement"] == "d"
    empty_on = hass.states.get(EMPTY_ON)
    assert empty_on.state == water["empty_on"]
    assert empty_on.attributes["device_class"] == "date"
    assert date.fromisoformat(empty_on.state) > dt_util.now().date()
    tank_device = _device(hass, farm_entry, TANK_ID)
    assert er.async_get(hass).async_get(WATER_USE).device_id == tank_device

    # The planner goes away: the forecast is not shown as if it were current.
    await planner_server.stop()
    await _tick(hass, freezer, 1)
    for entity_id in (WATER_USE, DAYS_LEFT, EMPTY_ON):
        assert hass.states.get(entity_id).state == "unavailable"
    # Back: the forecast comes back with the connection.
    await planner_server.start()
    await _tick(hass, freezer, 1)
    assert float(hass.states.get(WATER_USE).state) == pytest.approx(12.0, rel=0.05)


async def test_forecasts_are_fetched_after_shipping_and_every_half_hour(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """No tight polling: a fetch after records about the tank, else every 30 minutes."""
    await link_planner(hass, farm_entry, planner_server)
    assert planner_server.requests.count(FORECAST) == 1, "once when connected"
    for _ in range(29):
        await _tick(hass, freezer, 1)
    assert planner_server.requests.count(FORECAST) == 1, "checks fetch no forecast"
    await _tick(hass, freezer, 1)
    assert planner_server.requests.count(FORECAST) == 2, "every 30 minutes"

    # Records about the tank, once acknowledged, bring a fresh forecast.
    await _weekly_top_ups(hass, farm_entry)
    fetched = planner_server.requests.count(FORECAST)
    assert 3 <= fetched <= 5
    assert float(hass.states.get(WATER_USE).state) == pytest.approx(2.0, rel=0.05)
    # No level probe readings: no level, so no days until empty.
    assert hass.states.get(DAYS_LEFT).state == "unavailable"
    # Records about something else fetch no forecast.
    await hass.services.async_call(
        DOMAIN,
        "log_watering",
        {"plants": [_device(hass, farm_entry, "01PLANTBASIL00000000000000")]},
        blocking=True,
    )
    await _settle(hass)
    assert planner_server.requests.count(FORECAST) == fetched


async def test_forecast_sensors_come_back_after_a_restart(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """After a reload the sensors show the planner's forecast on the first fetch."""
    await link_planner(hass, farm_entry, planner_server)
    await _level_falls(hass, freezer, 12)
    await _settle(hass)
    before = hass.states.get(WATER_USE).state
    assert await hass.config_entries.async_reload(farm_entry.entry_id)
    await _settle(hass)
    assert hass.states.get(WATER_USE).state == before

    # A planner started afresh (its database gone) has no forecast to show.
    await planner_server.stop()
    planner_server.database = planner_server.database.with_name("fresh.db")
    await planner_server.start()
    await _tick(hass, freezer, 30)
    assert hass.states.get(WATER_USE).state == "unavailable"


async def test_a_failing_forecast_is_not_a_lost_link(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A server error on a forecast is an answer: still connected, no repair."""
    await link_planner(hass, farm_entry, planner_server)
    await _weekly_top_ups(hass, farm_entry)
    before = hass.states.get(WATER_USE).state
    assert float(before) == pytest.approx(2.0, rel=0.05)
    changes: list[str] = []

    @callback
    def record(event: Any) -> None:
        if event.data["entity_id"] == CONNECTED:
            changes.append(event.data["new_state"].state)

    hass.bus.async_listen("state_changed", record)
    planner_server.replies[f"/api/v1/forecast/tanks/{TANK_ID}"] = (
        500,
        {"error": {"code": "internal_error", "message": "test"}},
    )
    with pytest.raises(HomeAssistantError) as err:
        await tank_forecast(hass, TANK_ID)
    # It answered: told as an error it gave, not as a planner that is away.
    assert err.value.translation_key == "planner_server_error"
    assert err.value.translation_placeholders == {
        "url": planner_server.url,
        "status": "500",
        "error": "test",
    }
    fetched = planner_server.requests.count(FORECAST)
    for _ in range(31):  # a forecast round and the checks around it
        await _tick(hass, freezer, 1)
    assert planner_server.requests.count(FORECAST) > fetched, "asked again"
    assert changes == [], "the planner answered all along"
    assert hass.states.get(CONNECTED).state == "on"
    assert hass.states.get(WATER_USE).state == before, "the last forecast stays"
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"planner_unreachable_{farm_entry.entry_id}"
    )
    assert issue is None


async def test_a_water_change_tells_the_planner_the_tank_is_full(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The water change button sends the tank's volume: the forecast starts full."""
    await link_planner(hass, farm_entry, planner_server)
    hass.states.async_set("sensor.tank_a_level", "20", {"unit_of_measurement": "L"})
    await _settle(hass)
    assert (await tank_forecast(hass, TANK_ID))["water"]["level_l"] == 20
    freezer.tick(timedelta(minutes=5))
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": "button.tank_a_log_water_change"},
        blocking=True,
    )
    await _settle(hass)
    with closing(sqlite3.connect(planner_server.database)) as connection:
        (payload,) = connection.execute(
            "SELECT payload FROM journal WHERE kind = 'fed' AND subject_id = ?",
            (TANK_ID,),
        ).fetchone()
    assert json.loads(payload) == {"kind": "full_change", "volume_l": 60.0}
    assert (await tank_forecast(hass, TANK_ID))["water"]["level_l"] == 60


# --- Stock counts -------------------------------------------------------------


async def test_log_stock_makes_runs_out_on(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
) -> None:
    """A stock count reaches the planner, whose forecast says when it runs out."""
    await link_planner(hass, farm_entry, planner_server)
    now = dt_util.now()
    await _weekly_top_ups(hass, farm_entry, fertilizers={"hydro_grow_a": 100.0})
    (nutrient,) = (await tank_forecast(hass, TANK_ID))["nutrients"]
    assert nutrient["stock_ml"] is None
    assert nutrient["runs_out_on"] is None

    await hass.services.async_call(
        DOMAIN,
        "log_stock",
        {
            "fertilizer": "hydro_grow_a",
            "amount_ml": 1000,
            "at": (now - timedelta(days=10)).isoformat(),
        },
        blocking=True,
    )
    await _settle(hass)
    stock = [e for e in planner_server.events().values() if e["kind"] == "stock"]
    assert stock == [
        {
            "farm_id": farm_entry.entry_id,
            "kind": "stock",
            "subject": farm_entry.entry_id,
        }
    ]
    (nutrient,) = (await tank_forecast(hass, TANK_ID))["nutrients"]
    # 1000 ml counted, 100 ml used since (the top-up 7 days ago).
    assert nutrient["stock_ml"] == pytest.approx(900.0)
    assert nutrient["weeks_until_out"] > 0
    runs_out_on = date.fromisoformat(nutrient["runs_out_on"])
    assert runs_out_on > now.date()
    # ml per week over the farm: 300 ml in 3 weeks, so about 9 weeks left.
    assert (runs_out_on - now.date()).days == pytest.approx(63, abs=3)

    # The count is a journal record: it survives a restart.
    assert await hass.config_entries.async_reload(farm_entry.entry_id)
    records = farm_entry.runtime_data.store.records(farm_entry.entry_id, ("stock",))
    assert [record["data"] for record in records] == [
        {"fertilizer": "hydro_grow_a", "amount_ml": 1000.0}
    ]


@pytest.mark.parametrize(
    ("data", "key"),
    [
        ({"fertilizer": "no_such_product", "amount_ml": 10}, "unknown_fertilizer"),
        ({"fertilizer": "hydro_grow_a", "amount_ml": -1}, None),
        ({"fertilizer": "hydro_grow_a", "amount_ml": "nan"}, "number_invalid"),
        ({"fertilizer": "", "amount_ml": 10}, None),
    ],
)
async def test_log_stock_refusals_change_nothing(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    data: dict[str, Any],
    key: str | None,
) -> None:
    """A bad stock count is refused with a translated error and records nothing."""
    before = list(loaded_farm.runtime_data.store.journal)
    # Bounds are checked by the schema (Home Assistant words those), the rest
    # by the action with its own translated message.
    with pytest.raises((ServiceValidationError, probatio.Invalid)) as err:
        await hass.services.async_call(DOMAIN, "log_stock", data, blocking=True)
    if key is not None:
        assert isinstance(err.value, ServiceValidationError)
        assert err.value.translation_domain == DOMAIN
        assert err.value.translation_key == key
    assert loaded_farm.runtime_data.store.journal == before


# --- Rack sites and the planning request ------------------------------------------


def _rack_requests(server: PlannerServer) -> list[dict[str, Any]]:
    with closing(sqlite3.connect(server.database)) as connection:
        (row,) = connection.execute("SELECT request FROM plans").fetchall()
    racks: list[dict[str, Any]] = json.loads(row[0])["racks"]
    return racks


async def _reconfigure_rack(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any]
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, "rack"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": RACK_ID},
    )
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


async def test_a_rack_sends_its_own_sites_per_shelf(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """A rack's planting sites per shelf go to the planner and bound the plan."""
    await link_planner(hass, farm_entry, planner_server)
    form = {**RACK_DATA, "sites_per_shelf": 3}
    result = await _reconfigure_rack(hass, farm_entry, form)
    assert result["type"] is FlowResultType.ABORT
    await _settle(hass)
    assert farm_entry.subentries[RACK_ID].data["sites_per_shelf"] == 3
    response = await hass.services.async_call(
        DOMAIN,
        "plan_succession",
        {"crops": [{"species": "lettuce", "weekly_demand": 50}], "horizon_weeks": 8},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    (rack,) = _rack_requests(planner_server)
    assert rack["sites_per_shelf"] == 3
    placed: dict[tuple[Any, Any], int] = {}
    for sowing in response["sowings"]:
        key = (sowing["shelf"], sowing["week"])
        placed[key] = placed.get(key, 0) + sowing["quantity"]
    assert response["sowings"]
    assert max(placed.values()) <= 3


async def test_without_its_own_sites_a_rack_takes_the_call_figure(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """A rack without a figure of its own gets the call's (24 unless it says)."""
    await link_planner(hass, farm_entry, planner_server)
    assert farm_entry.subentries[RACK_ID].data.get("sites_per_shelf") is None
    await hass.services.async_call(
        DOMAIN,
        "plan_succession",
        {"crops": [{"species": "lettuce", "weekly_demand": 5}], "horizon_weeks": 4},
        blocking=True,
        return_response=True,
    )
    (rack,) = _rack_requests(planner_server)
    assert rack["sites_per_shelf"] == 24


@pytest.mark.parametrize(
    ("sites", "error"),
    [
        (2.5, "whole_number_required"),
        (float("nan"), "number_invalid"),
    ],
)
async def test_rack_sites_refusals(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, sites: float, error: str
) -> None:
    """A bad number of sites is a translated form error and changes nothing."""
    before = dict(loaded_farm.subentries[RACK_ID].data)
    result = await _reconfigure_rack(
        hass, loaded_farm, {**RACK_DATA, "sites_per_shelf": sites}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"sites_per_shelf": error}
    assert dict(loaded_farm.subentries[RACK_ID].data) == before


@pytest.mark.parametrize("sites", [0, 10_001])
async def test_rack_sites_out_of_bounds(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, sites: int
) -> None:
    """The form's number box refuses a figure outside 1 to 10,000."""
    before = dict(loaded_farm.subentries[RACK_ID].data)
    with pytest.raises(InvalidData) as err:
        await _reconfigure_rack(
            hass, loaded_farm, {**RACK_DATA, "sites_per_shelf": sites}
        )
    assert err.value.path == ["sites_per_shelf"]
    assert dict(loaded_farm.subentries[RACK_ID].data) == before
