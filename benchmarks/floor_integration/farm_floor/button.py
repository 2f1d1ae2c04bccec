"""Buttons that do nothing."""

from __future__ import annotations

from homeassistant.components.button import ButtonEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorButton(FloorEntity, ButtonEntity):
    """A button that does nothing."""

    async def async_press(self) -> None:
        """Do nothing."""


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted buttons."""
    async_add_platform_entities(entry, async_add_entities, Platform.BUTTON, FloorButton)
