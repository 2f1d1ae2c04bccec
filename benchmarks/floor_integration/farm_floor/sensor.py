"""Sensors with a fixed value."""

from __future__ import annotations

from homeassistant.components.sensor import SensorEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorSensor(FloorEntity, SensorEntity):
    """A sensor that always reads 1.0."""

    _attr_native_value = 1.0


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted sensors."""
    async_add_platform_entities(entry, async_add_entities, Platform.SENSOR, FloorSensor)
