"""Switches: a rack's light and irrigation schedules (on = the farm drives the hardware)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.switch import SwitchEntity, SwitchEntityDescription
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .driver import LIGHT_SCHEDULE
from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import FarmConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FarmSwitchDescription(SwitchEntityDescription, FarmEntityDescription):
    """A schedule switch of a rack."""


SWITCHES: tuple[FarmSwitchDescription, ...] = (
    FarmSwitchDescription(
        key="light_schedule",
        translation_key="light_schedule",
        subject="rack",
        # The schedule's switch and the driven entity's existence: readings
        # change neither.
        view_fields=frozenset(),
        entity_category=EntityCategory.CONFIG,
        available_fn=lambda farm, rack_id: (
            farm.config.racks[rack_id].light_entity is not None
        ),
    ),
    FarmSwitchDescription(
        key="irrigation_schedule",
        translation_key="irrigation_schedule",
        subject="rack",
        # The schedule's switch and the driven entity's existence: readings
        # change neither.
        view_fields=frozenset(),
        entity_category=EntityCategory.CONFIG,
        available_fn=lambda farm, rack_id: (
            farm.config.racks[rack_id].pump_entity is not None
        ),
    ),
)


class ScheduleSwitch(FarmEntity, SwitchEntity):
    """On: the farm switches the rack's light (or pump) on its schedule."""

    entity_description: FarmSwitchDescription

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """The driven entity, when it does not exist (nothing is being switched)."""
        rack = self.farm.config.racks[self.subject_id]
        entity_id = (
            rack.light_entity
            if self.entity_description.key == LIGHT_SCHEDULE
            else rack.pump_entity
        )
        if entity_id is not None and self.farm.ledger.missing(entity_id):
            return {"missing_entity": entity_id}
        return None

    @property
    def is_on(self) -> bool:
        """Whether the schedule drives the hardware (kept across restarts)."""
        return self.farm.schedule_enabled(self.subject_id, self.entity_description.key)

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Let the schedule drive the hardware."""
        await self.farm.async_set_schedule(
            self.subject_id, self.entity_description.key, True
        )

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Take manual control (pumps go to their safe state, off)."""
        await self.farm.async_set_schedule(
            self.subject_id, self.entity_description.key, False
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the racks' schedule switches."""
    await async_setup_platform_entities(
        entry, async_add_entities, SWITCHES, ScheduleSwitch
    )
    if (simulator := entry.runtime_data.simulator) is not None:
        async_add_entities(simulator.entities(Platform.SWITCH))
