"""Binary sensors that are always off."""

from __future__ import annotations

from homeassistant.components.binary_sensor import BinarySensorEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorBinarySensor(FloorEntity, BinarySensorEntity):
    """A binary sensor that is always off."""

    _attr_is_on = False


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted binary sensors."""
    async_add_platform_entities(
        entry, async_add_entities, Platform.BINARY_SENSOR, FloorBinarySensor
    )
