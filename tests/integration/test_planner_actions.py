"""The planner actions against the real add-on app: plans, forecasts, refusals."""

from contextlib import closing
from datetime import date, timedelta
import json
from pathlib import Path
import re
import sqlite3
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import HomeAssistantError, ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    issue_registry as ir,
    service,
)
from homeassistant.util import dt as dt_util
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.farm import async_get_bundled_library
from custom_components.vertical_farm.planner_actions import MAX_CROPS, crop_request

from .conftest import (
    FARM_DATA,
    MONSTERA_DATA,
    PLANT_ID,
    POT_ID,
    RACK_ID,
    TANK_ID,
    subentry,
)
from .planner_server import TOKEN, PlannerServer, link_planner, tank_forecast

CROPS = [{"species": "lettuce", "weekly_demand": 6}]


def _device(hass: HomeAssistant, entry: MockConfigEntry, subject: str) -> str:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, subject), entry.entry_id
    )
    assert device is not None
    return device.id


async def _plan(hass: HomeAssistant, **data: Any) -> dict[str, Any]:
    response = await hass.services.async_call(
        DOMAIN,
        "plan_succession",
        {"crops": CROPS, "horizon_weeks": 12, **data},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response


async def _calendar(hass: HomeAssistant, days: int = 120) -> list[dict[str, Any]]:
    start = dt_util.now()
    response = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "entity_id": "calendar.basement_calendar",
            "start_date_time": start.isoformat(),
            "end_date_time": (start + timedelta(days=days)).isoformat(),
        },
        blocking=True,
        return_response=True,
    )
    events: list[dict[str, Any]] = response["calendar.basement_calendar"]["events"]
    return [event for event in events if event["summary"].startswith("Sow ")]


async def test_plan_succession_answers_and_fills_the_calendar(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """A plan from the add-on: sowings on the rack, in the calendar, kept on reload."""
    await link_planner(hass, farm_entry, planner_server)
    plan = await _plan(hass)
    rack = _device(hass, farm_entry, RACK_ID)
    assert plan["plan_id"]
    assert plan["sowings"], "the shelves have room for lettuce"
    for sowing in plan["sowings"]:
        assert sowing["species"] == "lettuce"
        assert sowing["name"] == "Lettuce"
        assert sowing["rack"] == rack
        assert sowing["rack_name"] == "Rack one"
        assert 1 <= sowing["shelf"] <= 4
        assert date.fromisoformat(sowing["sow_on"]) >= date(2026, 11, 3)
    assert plan["totals"]["demand"] > 0
    # The basil tray already on shelf 2 holds its sites: it is in the shelf use.
    assert {item["rack"] for item in plan["shelf_use"]} == {rack}

    sowings = await _calendar(hass)
    assert len(sowings) == len(
        [
            s
            for s in plan["sowings"]
            if date.fromisoformat(s["sow_on"]) < date(2027, 3, 3)
        ]
    )
    first = plan["sowings"][0]
    assert any(
        event["start"] == first["sow_on"]
        and event["summary"] == f"Sow {first['quantity']} Lettuce"
        and event["description"].startswith(f"Rack one, shelf {first['shelf']}")
        for event in sowings
    )
    # The plan survives a restart of the farm.
    assert await hass.config_entries.async_reload(farm_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert await _calendar(hass) == sowings
    assert farm_entry.runtime_data.planner.plan["plan_id"] == plan["plan_id"]


async def test_plan_succession_refusals(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """Unknown or repeated crops are refused before the planner is asked."""
    await link_planner(hass, farm_entry, planner_server)
    with pytest.raises(ServiceValidationError) as err:
        await _plan(hass, crops=[{"species": "dragonfruit", "weekly_demand": 1}])
    assert err.value.translation_key == "unknown_species"
    with pytest.raises(ServiceValidationError) as err:
        await _plan(hass, crops=CROPS * 2)
    assert err.value.translation_key == "duplicate_crop"
    with pytest.raises(probatio.Invalid, match="horizon_weeks"):
        await _plan(hass, horizon_weeks=105)
    assert farm_entry.runtime_data.planner.plan is None


async def test_crops_on_shelves_count_towards_the_planners_limit(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """200 crops asked for, plus a species growing on a shelf, is refused as such.

    The planner plans at most 200 crops, and the species already on shelves
    join the ones asked for: the grower is told that, not the planner's
    refusal of a list of 201 they never wrote.
    """
    await link_planner(hass, farm_entry, planner_server)
    options = hass.config_entries.options
    library = await async_get_bundled_library(hass)
    for number in range(MAX_CROPS + 2 - len(library.species)):
        menu = await options.async_init(farm_entry.entry_id)
        result = await options.async_configure(
            menu["flow_id"], {"next_step_id": "add_species"}
        )
        result = await options.async_configure(
            result["flow_id"],
            {"name": f"Lettuce strain {number}", "based_on": "lettuce"},
        )
        assert result["type"] == "create_entry"
    await hass.async_block_till_done(wait_background_tasks=True)
    farm = farm_entry.runtime_data.farm
    on_shelves = {
        str(plant.species)
        for plant in farm.config.plants.values()
        if plant.shelf is not None
    }
    assert on_shelves == {"basil"}
    wanted = [key for key in farm.library.species if key not in on_shelves]
    assert len(wanted) > MAX_CROPS
    crops = [{"species": key, "weekly_demand": 1} for key in wanted[:MAX_CROPS]]
    with pytest.raises(ServiceValidationError) as err:
        await _plan(hass, crops=crops)
    assert err.value.translation_key == "too_many_crops_with_shelves"
    assert err.value.translation_placeholders == {
        "wanted": "200",
        "on_shelves": "1",
        "max": "200",
    }
    assert not any(
        request.endswith("/plans/succession") for request in planner_server.requests
    ), "refused before the planner is asked"
    assert farm_entry.runtime_data.planner.plan is None
    # One fewer leaves room for the basil: the planner is asked.
    plan = await _plan(hass, crops=crops[: MAX_CROPS - 1], horizon_weeks=4)
    assert plan["plan_id"]


async def test_sites_per_plant_the_planner_takes(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """Up to 100 sites per plant, as the planner takes; more is refused, translated."""
    await link_planner(hass, farm_entry, planner_server)
    big = [{"species": "lettuce", "weekly_demand": 1, "sites_per_plant": 100}]
    plan = await _plan(hass, crops=big, sites_per_shelf=200)
    assert plan["plan_id"]
    bigger = [{**big[0], "sites_per_plant": 101}]
    with pytest.raises(ServiceValidationError) as err:
        await _plan(hass, crops=bigger, sites_per_shelf=200)
    assert err.value.translation_key == "sites_per_plant_out_of_range"
    assert err.value.translation_placeholders == {
        "field": "sites_per_plant",
        "value": "101",
        "max": "100",
    }
    assert farm_entry.runtime_data.planner.plan["plan_id"] == plan["plan_id"]
    # The action's form offers no more than the planner takes either.
    descriptions = await service.async_get_all_descriptions(hass)
    crops = descriptions[DOMAIN]["plan_succession"]["fields"]["crops"]
    sites = crops["selector"]["object"]["fields"]["sites_per_plant"]
    assert sites["selector"]["number"]["max"] == 100


# The options allow a species name of 100 characters; its key is longer than
# the 64 characters the planner takes as an id.
LONG_NAME = "Lollo Rosso red oakleaf lettuce summer batch for the north rack no 2"


def _stored_request(server: PlannerServer) -> dict[str, Any]:
    """The latest planning request the planner stored."""
    with closing(sqlite3.connect(server.database)) as connection:
        (request,) = connection.execute(
            "SELECT request FROM plans ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
    stored: dict[str, Any] = json.loads(request)
    return stored


async def test_a_long_named_species_is_planned(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """An own species whose key is too long an id for the planner is planned by key."""
    await link_planner(hass, farm_entry, planner_server)
    options = hass.config_entries.options
    menu = await options.async_init(farm_entry.entry_id)
    result = await options.async_configure(
        menu["flow_id"], {"next_step_id": "add_species"}
    )
    result = await options.async_configure(
        result["flow_id"], {"name": LONG_NAME, "based_on": "lettuce"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    (key,) = farm_entry.options["species"]
    assert len(key) > 64
    # A tray of it on shelf 3 joins every plan, wanted or not.
    await hass.services.async_call(
        DOMAIN,
        "add_plants",
        {
            "rack": _device(hass, farm_entry, RACK_ID),
            "species": key,
            "quantity": 4,
            "shelf": 3,
        },
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    plan = await _plan(hass)
    assert {sowing["species"] for sowing in plan["sowings"]} == {"lettuce"}
    sent = _stored_request(planner_server)
    assert all(len(crop["id"]) <= 64 for crop in sent["crops"])
    assert len(sent["existing"]) == 2

    plan = await _plan(hass, crops=[{"species": key, "weekly_demand": 4}])
    assert plan["sowings"]
    for sowing in plan["sowings"]:
        assert sowing["species"] == key
        assert sowing["name"] == LONG_NAME
    harvested = {item["species"] for item in plan["harvest"]}
    assert key in harvested
    assert harvested <= {key, "basil"}, "the basil tray on shelf 2 is harvested too"
    assert farm_entry.runtime_data.planner.plan["sowings"][0]["crop"] == key
    assert (await _calendar(hass))[0]["summary"].endswith(f" {LONG_NAME}")


async def test_a_perennial_on_a_shelf_keeps_its_sites(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """A mint tray in its harvest phase, planted a year ago, fills shelf 2."""
    plant = farm_entry.subentries[PLANT_ID]
    hass.config_entries.async_update_subentry(
        farm_entry,
        plant,
        data={
            **plant.data,
            "species": "mint",
            "name": "Mint tray",
            "quantity": 24,
            "planted": "2025-11-01",
            "phase": "harvest",
            "care_preset": "herb",
        },
    )
    await link_planner(hass, farm_entry, planner_server)
    (mint,) = [
        p for p in farm_entry.runtime_data.farm.config.plants.values() if p.shelf == 2
    ]
    assert mint.species == "mint"
    assert mint.quantity == 24
    plan = await _plan(hass, crops=[{"species": "lettuce", "weekly_demand": 96}])
    assert [s for s in plan["sowings"] if s["shelf"] == 2] == []
    (shelf_2,) = [item for item in plan["shelf_use"] if item["shelf"] == 2]
    assert shelf_2["use"] == 1, "all its sites, every week of the plan"
    # It holds its shelf to the end of the plan: a perennial has no end of its own.
    (sent,) = _stored_request(planner_server)["existing"]
    assert sent["until"] == "2027-01-25"


async def test_plants_on_shelves_hold_their_sites_until_their_expected_end(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """The basil tray holds shelf 2 through its harvest, not only until it starts."""
    await link_planner(hass, farm_entry, planner_server)
    await _plan(hass, horizon_weeks=20)
    (sent,) = _stored_request(planner_server)["existing"]
    # Seedling from 1 November (14 days), then 21 days vegetative, 60 harvesting.
    assert sent["sown"] == "2026-11-01"
    assert sent["until"] == "2027-02-04"


async def test_planner_actions_without_a_planner(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """With no planner set, both actions say so."""
    with pytest.raises(ServiceValidationError) as err:
        await _plan(hass)
    assert err.value.translation_key == "planner_not_configured"
    assert err.value.translation_placeholders == {"farm": "Basement"}
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_forecast",
            {"tank": _device(hass, loaded_farm, TANK_ID)},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "planner_not_configured"


async def test_plan_succession_when_the_planner_fails(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """Down, or with another token: a clear error, and the sensor follows."""
    await link_planner(hass, farm_entry, planner_server)
    await planner_server.stop()
    with pytest.raises(HomeAssistantError) as err:
        await _plan(hass)
    assert err.value.translation_key == "planner_unreachable"
    assert err.value.translation_placeholders["url"] == planner_server.url
    assert hass.states.get("binary_sensor.basement_planner_connected").state == "off"

    planner_server.token = "another-token-0123456789"
    await planner_server.start()
    with pytest.raises(HomeAssistantError) as err:
        await _plan(hass)
    assert err.value.translation_key == "planner_auth_failed"
    assert farm_entry.runtime_data.planner.plan is None


async def test_a_planner_server_error_on_plan_succession_is_not_a_lost_link(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A 5xx answer is the planner's own error: still connected, no repair."""
    await link_planner(hass, farm_entry, planner_server)
    planner_server.replies["/api/v1/plans/succession"] = (
        503,
        {"error": {"code": "database_unavailable", "message": "test"}},
    )
    with pytest.raises(HomeAssistantError) as err:
        await _plan(hass)
    assert err.value.translation_key == "planner_server_error"
    assert err.value.translation_placeholders == {
        "url": planner_server.url,
        "status": "503",
        "error": "test",
    }
    assert hass.states.get("binary_sensor.basement_planner_connected").state == "on"
    assert farm_entry.runtime_data.planner.unreachable_since is None
    freezer.tick(timedelta(minutes=11))
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue = ir.async_get(hass).async_get_issue(
        DOMAIN, f"planner_unreachable_{farm_entry.entry_id}"
    )
    assert issue is None
    assert farm_entry.runtime_data.planner.plan is None


async def test_get_forecast_refuses_a_plant(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """The forecast is for tanks only."""
    await link_planner(hass, farm_entry, planner_server)
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN,
            "get_forecast",
            {"tank": _device(hass, farm_entry, PLANT_ID)},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "not_a_tank"


async def test_crop_request_from_the_library(hass: HomeAssistant) -> None:
    """Phase days up to harvest, ranges and light of the longest phase, antagonists."""
    library = await async_get_bundled_library(hass)
    lettuce = library.species["lettuce"]
    crop = crop_request(
        lettuce, library, ["lettuce", "basil"], weekly_demand=5, sites_per_plant=2
    )
    growing = [p for p in lettuce.phases if str(p.phase) != "harvest"]
    assert "harvest" not in crop["phase_days"]
    assert sum(crop["phase_days"].values()) == sum(p.days for p in growing)
    main = max(growing, key=lambda p: p.days)
    assert crop["ec_range"] == [main.ec_min, main.ec_max]
    assert crop["photoperiod_h"] == main.photoperiod_h
    assert crop["weekly_demand"] == 5
    assert crop["sites_per_plant"] == 2
    # Antagonists are named among the crops of the request only.
    pairs = [
        (species.key, other)
        for species in library.species.values()
        for other in sorted(species.antagonists)
    ]
    assert pairs, "the library names antagonists"
    first, second = pairs[0]
    crop = crop_request(
        library.species[first],
        library,
        [first, second],
        weekly_demand=1,
        sites_per_plant=1,
    )
    assert crop["antagonists"] == [second]
    crop = crop_request(
        library.species[second],
        library,
        [first, second],
        weekly_demand=1,
        sites_per_plant=1,
    )
    assert first in crop["antagonists"], "either side naming the other is enough"


def test_every_planner_refusal_is_translated() -> None:
    """Each error the planner actions raise has a message with the right placeholders."""
    root = Path(__file__).parents[2] / "custom_components" / "vertical_farm"
    source = (root / "planner_actions.py").read_text()
    exceptions = json.loads((root / "translations" / "en.json").read_text())[
        "exceptions"
    ]
    codes = set(re.findall(r'FarmError\(\s*"(\w+)"', source))
    codes |= set(re.findall(r'key = "(\w+)"', source))
    assert {
        "planner_not_configured",
        "planner_unreachable",
        "planner_refused",
        "planner_server_error",
    } <= codes
    for code in codes:
        used = set(re.findall(r"{(\w+)}", exceptions[code]["message"]))
        if code.startswith("planner_") and code not in (
            "planner_not_configured",
            "planner_no_racks",
        ):
            # A server error also gives the HTTP status it answered with.
            allowed = {"url", "error"} | (
                {"status"} if code == "planner_server_error" else set()
            )
            assert used <= allowed, code


async def test_get_forecast_from_the_shipped_journal(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """Top-ups logged in Home Assistant reach the planner and make its forecast."""
    await link_planner(hass, farm_entry, planner_server)
    with pytest.raises(ServiceValidationError) as err:
        await tank_forecast(hass, TANK_ID)
    assert err.value.translation_key == "forecast_no_records"
    assert err.value.translation_placeholders == {"tank": "Tank A"}

    tank = _device(hass, farm_entry, TANK_ID)
    now = dt_util.now()
    for days_ago in (21, 14, 7):
        await hass.services.async_call(
            DOMAIN,
            "log_feeding",
            {
                "tank": tank,
                "kind": "top_up",
                "volume_l": 14.0,
                "fertilizers": {"hydro_grow_a": 28.0},
                "at": (now - timedelta(days=days_ago)).isoformat(),
            },
            blocking=True,
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert farm_entry.runtime_data.store.outbox_size == 0
    forecast = await tank_forecast(hass, TANK_ID)
    assert forecast["tank"] == tank
    assert forecast["name"] == "Tank A"
    water = forecast["water"]
    assert water["method"] == "refills"
    # 28 L added over the 14 days between the first and the last top-up.
    assert water["use_l_per_day"] == pytest.approx(2.0, rel=0.05)
    (nutrient,) = forecast["nutrients"]
    assert nutrient["fertilizer"] == "hydro_grow_a"
    assert nutrient["name"] != "hydro_grow_a", "named from the library"
    assert nutrient["ml_per_week"] > 0


async def test_planner_refusals_and_odd_answers(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """The planner's own refusal and an answer it should not give are both clear."""
    await link_planner(hass, farm_entry, planner_server)
    planner_server.replies["/api/v1/plans/succession"] = (
        400,
        {"error": {"code": "invalid_request", "message": "crops.0: too many"}},
    )
    with pytest.raises(HomeAssistantError) as err:
        await _plan(hass)
    assert err.value.translation_key == "planner_refused"
    assert err.value.translation_placeholders["error"] == "crops.0: too many"
    connected = hass.states.get("binary_sensor.basement_planner_connected")
    assert connected.state == "on", "a refusal is an answer with the token"
    planner_server.replies["/api/v1/plans/succession"] = (200, {"sowings": []})
    with pytest.raises(HomeAssistantError) as err:
        await _plan(hass)
    assert err.value.translation_key == "planner_bad_response"
    tank_path = f"/api/v1/forecast/tanks/{TANK_ID}"
    planner_server.replies[tank_path] = (
        400,
        {"error": {"code": "invalid_request", "message": "history_days"}},
    )
    with pytest.raises(HomeAssistantError) as err:
        await tank_forecast(hass, TANK_ID)
    assert err.value.translation_key == "planner_refused"
    await planner_server.stop()
    with pytest.raises(HomeAssistantError) as err:
        await tank_forecast(hass, TANK_ID)
    assert err.value.translation_key == "planner_unreachable"
    assert farm_entry.runtime_data.planner.plan is None


async def test_plan_succession_needs_a_rack(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """A farm of pots has nowhere to sow."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Pots",
        unique_id="pots",
        data=FARM_DATA,
        options={"planner_url": planner_server.url, "planner_token": TOKEN},
        subentries_data=[subentry(POT_ID, "plant", MONSTERA_DATA)],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    with pytest.raises(ServiceValidationError) as err:
        await _plan(hass)
    assert err.value.translation_key == "planner_no_racks"
    assert err.value.translation_placeholders == {"farm": "Basement"}


async def test_crop_request_without_a_harvest_phase(hass: HomeAssistant) -> None:
    """A plant grown for itself counts every phase but dormancy."""
    library = await async_get_bundled_library(hass)
    monstera = library.species["monstera"]
    crop = crop_request(
        monstera, library, ["monstera"], weekly_demand=0, sites_per_plant=4
    )
    assert "dormancy" not in crop["phase_days"]
    assert set(crop["phase_days"]) == {
        str(p.phase) for p in monstera.phases if str(p.phase) != "dormancy"
    }


async def test_level_readings_make_the_water_forecast(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """The tank's level probe reaches the planner, at most every 15 minutes."""
    await link_planner(hass, farm_entry, planner_server)
    for step in range(25):  # every 30 minutes for 12 hours, 0.25 L less each time
        hass.states.async_set(
            "sensor.tank_a_level", str(50 - step * 0.25), {"unit_of_measurement": "L"}
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        freezer.tick(timedelta(minutes=10))
        hass.states.async_set(  # 10 minutes later: too soon for another sample
            "sensor.tank_a_level",
            str(50 - step * 0.25 - 0.01),
            {"unit_of_measurement": "L"},
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        freezer.tick(timedelta(minutes=20))
    assert farm_entry.runtime_data.store.outbox_size == 0
    levels = [e for e in planner_server.events().values() if e["kind"] == "tank_level"]
    assert len(levels) == 25
    assert {e["subject"] for e in levels} == {TANK_ID}
    assert farm_entry.runtime_data.store.journal == [], "readings are no records"
    water = (await tank_forecast(hass, TANK_ID))["water"]
    assert water["method"] == "level_trend"
    assert water["use_l_per_day"] == pytest.approx(12.0, rel=0.05)
    assert water["days_until_empty"] > 0
