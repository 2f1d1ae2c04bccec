"""Numbers that keep what they are set to."""

from __future__ import annotations

from homeassistant.components.number import NumberEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorNumber(FloorEntity, NumberEntity):
    """A number that starts at 6.0."""

    _attr_native_value = 6.0

    async def async_set_native_value(self, value: float) -> None:
        """Keep the value."""
        self._attr_native_value = value
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted numbers."""
    async_add_platform_entities(entry, async_add_entities, Platform.NUMBER, FloorNumber)
