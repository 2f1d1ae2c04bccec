"""Selects that keep what they are set to."""

from __future__ import annotations

from homeassistant.components.select import SelectEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorSelect(FloorEntity, SelectEntity):
    """A select of two options."""

    _attr_current_option = "first"

    def __init__(self, subject_id: str, key: str, enabled: bool) -> None:
        """Two options."""
        super().__init__(subject_id, key, enabled)
        self._attr_options = ["first", "second"]

    async def async_select_option(self, option: str) -> None:
        """Keep the option."""
        self._attr_current_option = option
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted selects."""
    async_add_platform_entities(entry, async_add_entities, Platform.SELECT, FloorSelect)
