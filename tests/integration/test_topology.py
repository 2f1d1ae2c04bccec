"""The farm's configuration view: who stands where and who depends on whom."""

from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.topology import FarmConfig

from .conftest import PLANT_ID, POT_ID, RACK_ID, TANK_ID


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
