"""Event entities that never fire."""

from __future__ import annotations

from homeassistant.components.event import EventEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorEvent(FloorEntity, EventEntity):
    """An event entity that never fires."""

    def __init__(self, subject_id: str, key: str, enabled: bool) -> None:
        """One event type."""
        super().__init__(subject_id, key, enabled)
        self._attr_event_types = ["happened"]


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted event entities."""
    async_add_platform_entities(entry, async_add_entities, Platform.EVENT, FloorEvent)
