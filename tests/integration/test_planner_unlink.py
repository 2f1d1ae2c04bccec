"""Disconnecting the planner clears its repair notices ("each goes away once fixed")."""

from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN

from .planner_server import PlannerServer

CONNECTED = "binary_sensor.basement_planner_connected"


async def test_disconnecting_the_planner_clears_its_repairs(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """A wrong token raises a repair; leaving the connection empty removes it."""
    hass.config_entries.async_update_entry(
        farm_entry,
        options={
            "planner_url": planner_server.url,
            "planner_token": "wrong-token-0000",
        },
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    issue_id = f"planner_auth_failed_{farm_entry.entry_id}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None

    options = hass.config_entries.options
    menu = await options.async_init(farm_entry.entry_id)
    form = await options.async_configure(menu["flow_id"], {"next_step_id": "planner"})
    result = await options.async_configure(
        form["flow_id"], {"planner_url": "", "planner_token": ""}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)

    assert "planner_url" not in farm_entry.options
    assert hass.states.get(CONNECTED).state == "off"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is None
