"""Calendars without events."""

from __future__ import annotations

from datetime import datetime

from homeassistant.components.calendar import CalendarEntity, CalendarEvent
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorCalendar(FloorEntity, CalendarEntity):
    """A calendar that is always empty."""

    @property
    def event(self) -> CalendarEvent | None:
        """No next event."""
        return None

    async def async_get_events(
        self, hass: HomeAssistant, start_date: datetime, end_date: datetime
    ) -> list[CalendarEvent]:
        """No events in any window."""
        return []


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted calendars."""
    async_add_platform_entities(
        entry, async_add_entities, Platform.CALENDAR, FloorCalendar
    )
