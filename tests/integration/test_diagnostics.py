"""The diagnostics download of a farm, as Home Assistant serves it."""

import json
from typing import Any

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry
from pytest_homeassistant_custom_component.components.diagnostics import (
    get_diagnostics_for_config_entry,
)
from pytest_homeassistant_custom_component.typing import ClientSessionGenerator
from yarl import URL

from .conftest import set_up
from .planner_server import TOKEN, PlannerServer


async def test_diagnostics_say_which_linked_sensors_give_nothing(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    farm_entry: MockConfigEntry,
) -> None:
    """Unavailable and missing sensors are listed, not a failure, with no planner."""
    hass.states.async_set("sensor.tank_a_ec", "unavailable")
    hass.states.async_set("sensor.tank_a_ph", "6.1")
    await set_up(hass, farm_entry)
    result: Any = await get_diagnostics_for_config_entry(hass, hass_client, farm_entry)
    assert result["loaded"] is True
    links = result["linked_entities"]
    assert links["count"] == 7
    assert "sensor.tank_a_ec" in links["unavailable"]
    assert "sensor.tank_a_ph" not in links["unavailable"]
    assert "sensor.tank_a_ec" not in links["missing"]
    assert "sensor.rack_one_humidity" in links["missing"]
    assert result["planner"]["configured"] is False
    assert result["planner"]["unreachable_since"] is None


async def test_diagnostics_of_an_unloaded_farm(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    loaded_farm: MockConfigEntry,
) -> None:
    """A farm not running (unloaded, or failed to start) still gives its setup."""
    assert await hass.config_entries.async_unload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    result: Any = await get_diagnostics_for_config_entry(hass, hass_client, loaded_farm)
    assert result["loaded"] is False
    assert result["entry"]["title"] == "Basement"
    assert len(result["subentries"]) == 4


async def test_diagnostics_hide_a_login_in_the_planner_address(
    hass: HomeAssistant,
    hass_client: ClientSessionGenerator,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
) -> None:
    """The address stays (host and port help), its user and password do not."""
    with_login = URL(planner_server.url).with_user("grower").with_password("hunter2")
    hass.config_entries.async_update_entry(
        farm_entry, options={"planner_url": str(with_login), "planner_token": TOKEN}
    )
    await set_up(hass, farm_entry)
    result: Any = await get_diagnostics_for_config_entry(hass, hass_client, farm_entry)
    dumped = json.dumps(result)
    assert "hunter2" not in dumped
    assert "grower" not in dumped
    assert TOKEN not in dumped
    assert result["entry"]["options"]["planner_url"] == planner_server.url
