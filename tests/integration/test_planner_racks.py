"""Racks with fixed light hours, planned by the real planner add-on."""

from contextlib import closing
import json
import sqlite3
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from .conftest import RACK_DATA, call_action, device_of, farm_with, set_up, subentry
from .planner_server import TOKEN, PlannerServer

AUTO_RACK = "01RACKAUTO0000000000000000"
FIXED_RACK = "01RACKFIXED000000000000000"
# Lettuce needs 16 h of light a day, lamb's lettuce 12 h; each accepts up to
# two hours more.
CROPS = [
    {"species": "lettuce", "weekly_demand": 6},
    {"species": "lambs_lettuce", "weekly_demand": 2},
]


async def _farm(hass: HomeAssistant, server: PlannerServer) -> MockConfigEntry:
    """A farm of one rack whose light follows its plants and one on 06:00-18:00."""
    rack = {**RACK_DATA, "tank": None, "shelves": 1}
    entry = farm_with(
        hass,
        "Basement",
        [
            subentry(AUTO_RACK, "rack", {**rack, "name": "Rack one"}),
            subentry(
                FIXED_RACK,
                "rack",
                {
                    **rack,
                    "name": "Rack two",
                    "light_mode": "fixed",
                    "lights_on": "06:00:00",
                    "photoperiod_h": 12.0,
                },
            ),
        ],
    )
    hass.config_entries.async_update_entry(
        entry, options={"planner_url": server.url, "planner_token": TOKEN}
    )
    await set_up(hass, entry)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def _plan(hass: HomeAssistant) -> dict[str, Any]:
    plan: dict[str, Any] = await call_action(
        hass,
        "plan_succession",
        {"crops": CROPS, "horizon_weeks": 16, "sites_per_shelf": 6},
        response=True,
    )
    return plan


def _sent_hours(server: PlannerServer) -> dict[str, float | None]:
    """Each rack's hours of light in the latest request the planner stored."""
    with closing(sqlite3.connect(server.database)) as connection:
        (request,) = connection.execute(
            "SELECT request FROM plans ORDER BY created_at DESC LIMIT 1"
        ).fetchone()
    return {rack["id"]: rack["photoperiod_h"] for rack in json.loads(request)["racks"]}


def _racks(plan: dict[str, Any], species: str) -> set[str]:
    return {s["rack"] for s in plan["sowings"] if s["species"] == species}


async def test_no_long_day_crop_on_a_short_fixed_rack(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """The 12 h rack grows lamb's lettuce only; the lettuce it refuses says why."""
    await _farm(hass, planner_server)
    auto, fixed = device_of(hass, AUTO_RACK), device_of(hass, FIXED_RACK)
    plan = await _plan(hass)
    assert _sent_hours(planner_server) == {AUTO_RACK: None, FIXED_RACK: 12.0}
    assert _racks(plan, "lettuce") == {auto}
    assert fixed in _racks(plan, "lambs_lettuce")
    assert plan["unmet"], "one rack cannot grow all the lettuce"
    refused = {
        row["constraint"]
        for row in plan["rejections"]
        if row["species"] == "lettuce" and row["rack"] == fixed
    }
    assert refused == {"rack_photoperiod"}


async def test_the_rack_light_times_set_its_day_length(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """Lights off at 22:00 makes a 16 h rack: lettuce goes there, lamb's lettuce not."""
    await _farm(hass, planner_server)
    auto, fixed = device_of(hass, AUTO_RACK), device_of(hass, FIXED_RACK)
    await hass.services.async_call(
        "time",
        "set_value",
        {"entity_id": "time.rack_two_lights_off", "time": "22:00:00"},
        blocking=True,
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("sensor.rack_two_photoperiod").state == "16.0"
    plan = await _plan(hass)
    assert _sent_hours(planner_server) == {AUTO_RACK: None, FIXED_RACK: 16.0}
    assert _racks(plan, "lettuce") == {auto, fixed}
    assert fixed not in _racks(plan, "lambs_lettuce")
    assert {
        row["constraint"]
        for row in plan["rejections"]
        if row["species"] == "lambs_lettuce" and row["rack"] == fixed
    } == {"rack_photoperiod"}


async def test_a_rack_following_its_plants_has_no_fixed_hours(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """Switched to auto, the former 12 h rack takes whatever crops share a light."""
    entry = await _farm(hass, planner_server)
    fixed = device_of(hass, FIXED_RACK)
    subentry_ = entry.subentries[FIXED_RACK]
    hass.config_entries.async_update_subentry(
        entry, subentry_, data={**subentry_.data, "light_mode": "auto"}
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    plan = await _plan(hass)
    assert _sent_hours(planner_server) == {AUTO_RACK: None, FIXED_RACK: None}
    assert fixed in _racks(plan, "lettuce")


async def test_fixed_racks_on_one_light_need_one_day_length(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """Two fixed racks on one light with different hours: refused, nothing asked."""
    entry = await _farm(hass, planner_server)
    for rack_id, name, lights_off in (
        (AUTO_RACK, "rack_one", "20:00:00"),
        (FIXED_RACK, "rack_two", "18:00:00"),
    ):
        subentry_ = entry.subentries[rack_id]
        hass.config_entries.async_update_subentry(
            entry,
            subentry_,
            data={
                **subentry_.data,
                "light_mode": "fixed",
                "light_entity": "light.grow_room",
            },
        )
        await hass.async_block_till_done(wait_background_tasks=True)
        await hass.services.async_call(
            "time",
            "set_value",
            {"entity_id": f"time.{name}_lights_off", "time": lights_off},
            blocking=True,
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    with pytest.raises(ServiceValidationError) as err:
        await _plan(hass)
    assert err.value.translation_key == "light_hours_differ"
    assert err.value.translation_placeholders == {
        "rack": "Rack two",
        "hours": "12",
        "other": "Rack one",
        "other_hours": "14",
        "light": "light.grow_room",
    }
    assert not any("plans" in request for request in planner_server.requests)


async def test_racks_on_a_long_named_light_share_its_day_length(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """A light whose entity id is too long an id for the planner still groups racks."""
    light = "light.zigbee2mqtt_basement_vertical_farm_rack_one_led_strip_channel_1"
    assert len(light) > 64
    hass.states.async_set(light, "off")
    entry = await _farm(hass, planner_server)
    auto, fixed = device_of(hass, AUTO_RACK), device_of(hass, FIXED_RACK)
    for rack_id in (AUTO_RACK, FIXED_RACK):
        subentry_ = entry.subentries[rack_id]
        hass.config_entries.async_update_subentry(
            entry, subentry_, data={**subentry_.data, "light_entity": light}
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    plan = await _plan(hass)
    # One light: its fixed 12 h rack gives the auto rack 12 h too.
    assert _racks(plan, "lettuce") == set()
    assert _racks(plan, "lambs_lettuce") == {auto, fixed}
    with closing(sqlite3.connect(planner_server.database)) as connection:
        (request,) = connection.execute("SELECT request FROM plans").fetchone()
    groups = {rack["light_group"] for rack in json.loads(request)["racks"]}
    assert len(groups) == 1
    assert len(groups.pop()) <= 64
