"""Deleting a farm leaves its lights and pumps off, as the README promises."""

from __future__ import annotations

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
import pytest

from .test_driver import (  # noqa: F401 - the driver tests' devices, as fixtures
    LIGHT,
    PUMP,
    RACK,
    add_farm,
    devices,
    local,
    move_to,
    power,
    rack_data,
    schedules,
    state,
    valve,
)

SPARE = "01RACKSPARE000000000000000"


@pytest.mark.usefixtures("devices")
async def test_deleting_a_farm_turns_its_scheduled_lights_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A light its schedule drove goes off; a light it never drove is left alone."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(
        hass,
        (RACK, rack_data()),
        (
            SPARE,
            rack_data(
                name="Rack two", light_entity="light.flaky_light", pump_entity=None
            ),
        ),
    )
    await schedules(hass, entry, light=True, irrigation=True)
    await power(hass, "flaky_light_online", True)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": "light.flaky_light"}, blocking=True
    )
    assert state(hass, LIGHT) == state(hass, PUMP) == "on"

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, PUMP) == "off"
    assert state(hass, LIGHT) == "off"
    assert state(hass, "light.flaky_light") == "on"


@pytest.mark.usefixtures("devices")
async def test_a_light_that_fails_holds_up_neither_the_others_nor_the_removal(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A light whose turn-off crashes is logged; the rest still goes off."""
    crashing = "switch.crashing_relay"
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(
        hass,
        (RACK, rack_data()),
        (SPARE, rack_data(name="Rack two", light_entity=crashing, pump_entity=None)),
    )
    await schedules(hass, entry, light=True)
    await schedules(hass, entry, light=True, rack_id=SPARE)
    assert state(hass, LIGHT) == state(hass, crashing) == "on"

    assert await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert hass.config_entries.async_get_entry(entry.entry_id) is None
    assert state(hass, LIGHT) == "off"
    assert f"{crashing} did not turn off" in caplog.text


@pytest.mark.usefixtures("devices")
async def test_removing_a_rack_turns_the_light_its_schedule_drove_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A removed rack's scheduled light goes off; a light another rack shares stays."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(
        hass,
        (RACK, rack_data()),
        (
            SPARE,
            rack_data(
                name="Rack two", light_entity="light.flaky_light", pump_entity=None
            ),
        ),
    )
    await power(hass, "flaky_light_online", True)
    await schedules(hass, entry, light=True, irrigation=True)
    await schedules(hass, entry, light=True, rack_id=SPARE)
    assert state(hass, LIGHT) == state(hass, "light.flaky_light") == "on"

    assert hass.config_entries.async_remove_subentry(entry, SPARE)
    await hass.async_block_till_done()
    assert state(hass, "light.flaky_light") == "off"
    # the farm goes on: the other rack's light and pump are still driven
    assert state(hass, LIGHT) == state(hass, PUMP) == "on"


@pytest.mark.usefixtures("devices")
async def test_removing_a_rack_leaves_a_light_another_rack_drives(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Two racks under one light: removing one keeps the light the other drives."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(
        hass,
        (RACK, rack_data()),
        (SPARE, rack_data(name="Rack two", pump_entity=None)),
    )
    await schedules(hass, entry, light=True)
    await schedules(hass, entry, light=True, rack_id=SPARE)
    assert state(hass, LIGHT) == "on"

    assert hass.config_entries.async_remove_subentry(entry, SPARE)
    await hass.async_block_till_done()
    assert state(hass, LIGHT) == "on"


@pytest.mark.usefixtures("devices")
async def test_removing_a_rack_leaves_a_pump_another_rack_drives(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Two racks on one pump: removing one does not cut the other's cycle short."""
    await move_to(hass, freezer, local(10, 2))
    entry = await add_farm(
        hass, (RACK, rack_data()), (SPARE, rack_data(name="Rack two"))
    )
    await schedules(hass, entry, irrigation=True)
    await schedules(hass, entry, irrigation=True, rack_id=SPARE)
    assert state(hass, PUMP) == "on"

    assert hass.config_entries.async_remove_subentry(entry, SPARE)
    await hass.async_block_till_done()
    await move_to(hass, freezer, local(10, 5))
    assert state(hass, PUMP) == "on"
    await move_to(hass, freezer, local(10, 15))  # the staying rack's cycle ends
    assert state(hass, PUMP) == "off"
