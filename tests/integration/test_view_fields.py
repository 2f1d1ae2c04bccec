"""Entities that declare their view fields: a reading refreshes only those.

A rack's, tank's or plant's entity with `view_fields` is told of a new reading
only when one of those fields of its subject's view changed, so its
declaration must name every field it reads. Here each one is read from a view that records what is read,
with the tank's probes in several states.
"""

from dataclasses import fields
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.alerts import ALERT_INPUTS, tank_readings
from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.entity import FarmEntity
from custom_components.vertical_farm.farm import Farm
from custom_components.vertical_farm.presenters import PlantView, RackView, TankView

from .conftest import (
    PLANT_ID,
    POT_ID,
    RACK_ID,
    TANK_ID,
    farm_of,
    link_pot_moisture,
    set_up,
)

# The tank's probes: EC (mS/cm), pH, water temperature (C) and level (%).
PROBES = ("sensor.tank_a_ec", "sensor.tank_a_ph", "sensor.tank_a_water_temperature")
READINGS: dict[str, tuple[tuple[str, str, str], str]] = {
    "none": (("unavailable", "unavailable", "unavailable"), "unavailable"),
    "fine": (("1.6", "6.0", "20.0"), "80"),
    "out of range": (("3.0", "4.0", "31.0"), "10"),
}
UNITS = ("mS/cm", None, "°C")


async def _set_probes(hass: HomeAssistant, readings: str) -> None:
    """Set the tank's probes as READINGS names them, and let the farm follow."""
    values, level = READINGS[readings]
    for entity_id, value, unit in zip(PROBES, values, UNITS, strict=True):
        hass.states.async_set(
            entity_id, value, {} if unit is None else {"unit_of_measurement": unit}
        )
    hass.states.async_set("sensor.tank_a_level", level, {"unit_of_measurement": "%"})
    await hass.async_block_till_done()


def _recording[V: (RackView, TankView, PlantView)](view: V, seen: set[str]) -> V:
    """The same view, noting the name of everything read from it."""

    class Recording(type(view)):  # type: ignore[misc]
        def __getattribute__(self, name: str) -> Any:
            seen.add(name)
            return super().__getattribute__(name)

    recording = Recording(
        **{item.name: getattr(view, item.name) for item in fields(view) if item.init}
    )
    seen.clear()
    return recording


def _entities_of(hass: HomeAssistant, subject_id: str) -> list[FarmEntity]:
    registry = er.async_get(hass)
    found: list[FarmEntity] = []
    for platform in entity_platform.async_get_platforms(hass, DOMAIN):
        for entity in platform.entities.values():
            entry = registry.async_get(entity.entity_id)
            if (
                isinstance(entity, FarmEntity)
                and entry is not None
                and entry.config_subentry_id == subject_id
            ):
                found.append(entity)
    return found


@pytest.mark.parametrize("readings", list(READINGS))
async def test_tank_entities_read_only_their_fields(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, readings: str
) -> None:
    """Every field a tank entity reads is among its declared view fields."""
    await _set_probes(hass, readings)
    farm = farm_of(loaded_farm)
    declared = _check_declarations(hass, farm, TANK_ID, farm.views.tank(TANK_ID))
    # Every tank entity that shows only its view says so (the forecasts, which
    # show the planner's figures, do not).
    assert declared >= {
        "ec",
        "ec_deviation",
        "ec_problem",
        "ph",
        "ph_problem",
        "level",
        "level_low",
        "target_ph",
        "log_water_change",
    }


@pytest.mark.parametrize("moisture", ["unavailable", "45", "12"])
async def test_plant_entities_read_only_their_fields(
    hass: HomeAssistant, farm_entry: MockConfigEntry, moisture: str
) -> None:
    """Every field a plant entity reads is among its declared view fields."""
    link_pot_moisture(hass, farm_entry)
    hass.states.async_set("sensor.pot_moisture", moisture, {"unit_of_measurement": "%"})
    await set_up(hass, farm_entry)
    farm = farm_of(farm_entry)
    for plant_id in (PLANT_ID, POT_ID):
        declared = _check_declarations(hass, farm, plant_id, farm.views.plant(plant_id))
        assert declared >= {
            "days_in_phase",
            "age",
            "expected_harvest",
            "next_watering",
            "harvest_blocked",
            "needs_attention",
            "mark_watered",
            "activity",
        }


@pytest.mark.parametrize(
    "climate", [("unavailable", "unavailable"), ("22.0", "60"), ("35.0", "95")]
)
async def test_rack_entities_read_only_their_fields(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, climate: tuple[str, str]
) -> None:
    """Every field a rack entity reads is among its declared view fields."""
    temperature, humidity = climate
    hass.states.async_set(
        "sensor.rack_one_temperature", temperature, {"unit_of_measurement": "°C"}
    )
    hass.states.async_set(
        "sensor.rack_one_humidity", humidity, {"unit_of_measurement": "%"}
    )
    hass.states.async_set(
        "sensor.rack_one_ppfd", "300", {"unit_of_measurement": "µmol/m²/s"}
    )
    await hass.async_block_till_done()
    farm = farm_of(loaded_farm)
    declared = _check_declarations(hass, farm, RACK_ID, farm.views.rack(RACK_ID))
    assert declared == {
        "photoperiod",
        "dli",
        "next_light_change",
        "next_irrigation",
        "climate_problem",
        "conflict",
        "light_schedule",
        "irrigation_schedule",
        "lights_on",
        "lights_off",
    }


def _check_declarations(
    hass: HomeAssistant,
    farm: Farm,
    subject_id: str,
    view: RackView | TankView | PlantView,
) -> set[str]:
    """Check what each entity with declared view fields reads; return their keys."""
    names = frozenset(item.name for item in fields(view))
    declared = [
        entity
        for entity in _entities_of(hass, subject_id)
        if entity.entity_description.view_fields is not None
    ]
    seen: set[str] = set()
    farm.views._views[subject_id] = _recording(view, seen)
    for entity in declared:
        seen.clear()
        entity.signature()
        entity.async_write_ha_state()  # what Home Assistant reads as it writes
        read = seen & names
        view_fields = entity.entity_description.view_fields
        assert view_fields is not None
        assert read <= view_fields, (
            f"{entity.entity_description.key} reads {sorted(read - view_fields)} "
            "without declaring them"
        )
        assert view_fields <= names, "only the view's fields are declared"
    return {entity.entity_description.key for entity in declared}


async def test_a_reading_writes_only_what_it_changed(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An EC reading writes the EC entities; the pH and level ones stay as they are."""
    hass.states.async_set("sensor.tank_a_ec", "1.6", {"unit_of_measurement": "mS/cm"})
    hass.states.async_set("sensor.tank_a_ph", "6.0")
    hass.states.async_set("sensor.tank_a_level", "80", {"unit_of_measurement": "%"})
    await hass.async_block_till_done()
    registry = er.async_get(hass)

    def state_of(platform: str, key: str) -> Any:
        entity_id = registry.async_get_entity_id(platform, DOMAIN, f"{TANK_ID}_{key}")
        assert entity_id is not None
        return hass.states.get(entity_id)

    before = {
        key: state_of(platform, key)
        for platform, key in (
            ("sensor", "ec"),
            ("sensor", "ph"),
            ("sensor", "level"),
            ("binary_sensor", "ph_problem"),
        )
    }
    hass.states.async_set("sensor.tank_a_ec", "1.7", {"unit_of_measurement": "mS/cm"})
    await hass.async_block_till_done()
    assert float(state_of("sensor", "ec").state) == pytest.approx(1.7)
    assert state_of("sensor", "ph") is before["ph"]
    assert state_of("sensor", "level") is before["level"]
    assert state_of("binary_sensor", "ph_problem") is before["ph_problem"]

    # Far from target (a step a probe can make): the EC problem follows.
    hass.states.async_set("sensor.tank_a_ec", "3.0", {"unit_of_measurement": "mS/cm"})
    await hass.async_block_till_done()
    assert state_of("binary_sensor", "ec_problem").state == "on"
    assert float(state_of("sensor", "ec_deviation").state) > 20


async def test_alert_inputs_name_every_field_the_alerts_read(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A reading judges again only the alerts its changed fields feed: all of them."""
    await _set_probes(hass, "fine")
    farm = farm_of(loaded_farm)
    seen: set[str] = set()
    view = _recording(farm.views.tank(TANK_ID), seen)
    readings = tank_readings(view, 60.0, farm.library.water, 0.5)
    assert readings.ec is not None
    assert readings.ph is not None
    assert readings.level_l is not None
    assert seen & frozenset(item.name for item in fields(TankView)) == set(ALERT_INPUTS)
