"""The farm's configuration view: who stands where and who depends on whom."""

from homeassistant.core import HomeAssistant
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.pacing import Pacer
from custom_components.vertical_farm.topology import FarmConfig

from ..turns import TurnCounter
from .conftest import PLANT_ID, POT_ID, RACK_ID, TANK_ID, farm_of


def test_who_stands_where(farm_entry: MockConfigEntry) -> None:
    config = FarmConfig.from_entry(farm_entry)
    assert config.subjects == {RACK_ID, TANK_ID, PLANT_ID, POT_ID}
    assert [plant.id for plant in config.plants_on_rack(RACK_ID)] == [PLANT_ID]
    assert [plant.id for plant in config.plants_on_tank(TANK_ID)] == [PLANT_ID]
    assert [rack.id for rack in config.racks_on_tank(TANK_ID)] == [RACK_ID]
    assert config.tank_of(config.plants[PLANT_ID]) == config.tanks[TANK_ID]
    assert config.tank_of(config.plants[POT_ID]) is None
    assert config.name_of(RACK_ID) == "Rack one"
    assert config.name_of(TANK_ID) == "Tank A"
    assert config.name_of(POT_ID) == "Monstera"
    assert config.name_of(farm_entry.entry_id) == "Basement"


def test_dependents(farm_entry: MockConfigEntry) -> None:
    """A plant touches its rack and tank; a rack its plants and tank."""
    config = FarmConfig.from_entry(farm_entry)
    assert config.dependents(PLANT_ID) == {PLANT_ID, RACK_ID, TANK_ID}
    assert config.dependents(POT_ID) == {POT_ID}
    assert config.dependents(RACK_ID) == {RACK_ID, PLANT_ID, TANK_ID}
    assert config.dependents(TANK_ID) == {TANK_ID}


async def test_an_edit_parses_only_what_changed(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """After one plant's edit the rest of the configuration is kept as it was.

    On a farm of a thousand plants, parsing every subentry again at each edit
    (and when the entry merely finishes loading) holds up the event loop.
    """
    farm = farm_of(loaded_farm)
    before = farm.config
    pot = loaded_farm.subentries[POT_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm, pot, data={**pot.data, "name": "Big monstera"}
    )
    await hass.async_block_till_done()

    after = farm.config
    assert after is not before
    assert after.plants[POT_ID].name == "Big monstera"
    assert after.plants[PLANT_ID] is before.plants[PLANT_ID]
    assert after.racks[RACK_ID] is before.racks[RACK_ID]
    assert after.tanks[TANK_ID] is before.tanks[TANK_ID]
    assert after.settings is before.settings
    # Parsed afresh, the same entry gives the same configuration.
    assert FarmConfig.from_entry(loaded_farm) == after


async def test_parsed_in_turns_at_setup(farm_entry: MockConfigEntry) -> None:
    """Parsed within the pacer's turns, the configuration is the same."""
    async with TurnCounter() as counter:
        first = counter.turn
        config = await FarmConfig.async_from_entry(farm_entry, Pacer(budget_s=0.0))
    assert config == FarmConfig.from_entry(farm_entry)
    # No budget: a subentry a turn, with a turn to rest after each.
    assert counter.turn - first >= len(farm_entry.subentries)
