"""Entities that declare their view fields: a reading refreshes only those.

A tank's entity with `view_fields` is told of a new reading only when one of
those fields of the tank's view changed, so its declaration must name every
field it reads. Here each one is read from a view that records what is read,
with the tank's probes in several states.
"""

from dataclasses import fields
from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_platform, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.entity import FarmEntity
from custom_components.vertical_farm.presenters import TankView

from .conftest import TANK_ID, farm_of

TANK_FIELDS = frozenset(item.name for item in fields(TankView))

# The tank's probes: EC (mS/cm), pH, water temperature (C) and level (%).
PROBES = ("sensor.tank_a_ec", "sensor.tank_a_ph", "sensor.tank_a_water_temperature")
READINGS: dict[str, tuple[tuple[str, str, str], str]] = {
    "none": (("unavailable", "unavailable", "unavailable"), "unavailable"),
    "fine": (("1.6", "6.0", "20.0"), "80"),
    "out of range": (("3.0", "4.0", "31.0"), "10"),
}
UNITS = ("mS/cm", None, "°C")


def _recording(view: TankView, seen: set[str]) -> TankView:
    """The same view, noting the name of everything read from it."""

    class Recording(TankView):
        def __getattribute__(self, name: str) -> Any:
            seen.add(name)
            return super().__getattribute__(name)

    recording = Recording(
        **{item.name: getattr(view, item.name) for item in fields(view) if item.init}
    )
    seen.clear()
    return recording


def _tank_entities(hass: HomeAssistant) -> list[FarmEntity]:
    registry = er.async_get(hass)
    found: list[FarmEntity] = []
    for platform in entity_platform.async_get_platforms(hass, DOMAIN):
        for entity in platform.entities.values():
            entry = registry.async_get(entity.entity_id)
            if (
                isinstance(entity, FarmEntity)
                and entry is not None
                and entry.config_subentry_id == TANK_ID
            ):
                found.append(entity)
    return found


@pytest.mark.parametrize("readings", list(READINGS))
async def test_tank_entities_read_only_their_fields(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, readings: str
) -> None:
    """Every field a tank entity reads is among its declared view fields."""
    values, level = READINGS[readings]
    for entity_id, value, unit in zip(PROBES, values, UNITS, strict=True):
        hass.states.async_set(
            entity_id, value, {} if unit is None else {"unit_of_measurement": unit}
        )
    hass.states.async_set("sensor.tank_a_level", level, {"unit_of_measurement": "%"})
    await hass.async_block_till_done()
    farm = farm_of(loaded_farm)
    entities = _tank_entities(hass)
    declared = [entity for entity in entities if entity.entity_description.view_fields]
    # Every tank entity that shows only its view says so (the forecasts, which
    # show the planner's figures, do not).
    assert {entity.entity_description.key for entity in declared} >= {
        "ec",
        "ec_deviation",
        "ec_problem",
        "ph",
        "ph_problem",
        "level",
        "level_low",
        "target_ph",
    }
    seen: set[str] = set()
    farm._views[TANK_ID] = _recording(farm.tank_view(TANK_ID), seen)
    for entity in declared:
        seen.clear()
        entity.signature()
        entity.async_write_ha_state()  # what Home Assistant reads as it writes
        read = seen & TANK_FIELDS
        view_fields = entity.entity_description.view_fields
        assert view_fields is not None
        assert read <= view_fields, (
            f"{entity.entity_description.key} reads {sorted(read - view_fields)} "
            "without declaring them"
        )
        assert view_fields <= TANK_FIELDS, "only the view's fields are declared"


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
