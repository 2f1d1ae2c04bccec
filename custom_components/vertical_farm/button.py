"""Buttons: log a tank's water change, mark a plant watered."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from homeassistant.components.button import ButtonEntity, ButtonEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import Farm, FarmConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FarmButtonDescription(ButtonEntityDescription, FarmEntityDescription):
    """A button and the record it makes."""

    press_fn: Callable[[Farm, str], Awaitable[None]]


BUTTONS: tuple[FarmButtonDescription, ...] = (
    FarmButtonDescription(
        key="log_water_change",
        translation_key="log_water_change",
        subject="tank",
        view_fields=frozenset(),
        press_fn=lambda farm, tank_id: farm.records.async_log_water_change(
            tank_id, dt_util.now()
        ),
    ),
    FarmButtonDescription(
        key="mark_watered",
        translation_key="mark_watered",
        subject="plant",
        view_fields=frozenset(),
        press_fn=lambda farm, plant_id: farm.records.async_log_watering(
            [plant_id], dt_util.now()
        ),
    ),
)


class RecordButton(FarmEntity, ButtonEntity):
    """Pressing it records what was done, now."""

    entity_description: FarmButtonDescription

    async def async_added_to_hass(self) -> None:
        """A button's state is when it was last pressed: nothing to follow."""

    async def async_press(self) -> None:
        """Record it (written to disk before this returns)."""
        await self.entity_description.press_fn(self.farm, self.subject_id)


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the buttons."""
    await async_setup_platform_entities(
        entry, async_add_entities, BUTTONS, RecordButton
    )
