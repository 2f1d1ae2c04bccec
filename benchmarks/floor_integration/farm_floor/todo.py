"""To-do lists that stay empty."""

from __future__ import annotations

from homeassistant.components.todo.entity import TodoListEntity
from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FloorEntity, async_add_platform_entities

PARALLEL_UPDATES = 0


class FloorTodoList(FloorEntity, TodoListEntity):
    """A to-do list with no items."""

    def __init__(self, subject_id: str, key: str, enabled: bool) -> None:
        """No items."""
        super().__init__(subject_id, key, enabled)
        self._attr_todo_items = []


async def async_setup_entry(
    hass: HomeAssistant,
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the counted to-do lists."""
    async_add_platform_entities(entry, async_add_entities, Platform.TODO, FloorTodoList)
