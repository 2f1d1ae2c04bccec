"""Times that keep what they are set to."""

from __future__ import annotations

from datetime import time

from homeassistant.components.time import TimeEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorTime(FloorEntity, TimeEntity):
    """A time that starts at 06:00."""

    _attr_native_value = time(6, 0)

    async def async_set_value(self, value: time) -> None:
        """Keep the time."""
        self._attr_native_value = value
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted times."""
    async_add_platform_entities(entry, async_add_entities, Platform.TIME, FloorTime)
