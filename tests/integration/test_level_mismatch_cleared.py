"""The level / volume repair goes once the check no longer applies."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN

from .conftest import TANK_ID
from .test_tank_chemistry import _update_tank


async def _raise_the_mismatch(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    """Link a volume sensor 4 L off the level (50 % of 60 L); the notice's id."""
    _update_tank(hass, entry, volume_sensor="sensor.tank_a_volume")
    await hass.async_block_till_done()
    hass.states.async_set("sensor.tank_a_level", "50", {"unit_of_measurement": "%"})
    hass.states.async_set("sensor.tank_a_volume", "26", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    issue_id = f"level_mismatch_{TANK_ID}"
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue_id) is not None
    return issue_id


async def test_unlinking_the_volume_sensor_clears_the_mismatch(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Sensors 4 L apart raise the notice; without the volume sensor it goes."""
    issues = ir.async_get(hass)
    issue_id = await _raise_the_mismatch(hass, loaded_farm)

    _update_tank(hass, loaded_farm, volume_sensor=None)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None


async def test_a_stale_volume_sensor_clears_the_mismatch(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A volume sensor that goes unavailable no longer disagrees with anything."""
    issues = ir.async_get(hass)
    issue_id = await _raise_the_mismatch(hass, loaded_farm)

    hass.states.async_set("sensor.tank_a_volume", "unavailable")
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
