"""Event: what happens to a plant (phase changes, waterings, feedings, treatments, harvests)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from homeassistant.components.event import EventEntity, EventEntityDescription
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import FarmConfigEntry
from .store import RecordKind

PARALLEL_UPDATES = 0
# What the activity entity fires: the journal's kinds that happen to a plant.
ACTIVITY_TYPES = [
    kind.value
    for kind in (
        RecordKind.PHASE_CHANGED,
        RecordKind.WATERED,
        RecordKind.FED,
        RecordKind.TREATED,
        RecordKind.HARVESTED,
    )
]


@dataclass(frozen=True, kw_only=True)
class FarmEventDescription(EventEntityDescription, FarmEntityDescription):
    """The activity event of a plant."""


EVENTS: tuple[FarmEventDescription, ...] = (
    FarmEventDescription(
        key="activity",
        translation_key="activity",
        subject="plant",
        view_fields=frozenset(),
        event_types=ACTIVITY_TYPES,
    ),
)


class ActivityEvent(FarmEntity, EventEntity):
    """Fires once for each thing that happens to the plant."""

    entity_description: FarmEventDescription

    async def async_added_to_hass(self) -> None:
        """Follow the plant's activity (not its view: events are not states)."""
        self.farm.async_follow_activity(self.subject_id, self._async_activity)

    async def async_will_remove_from_hass(self) -> None:
        """Stop following the plant's activity."""
        self.farm.async_unfollow_activity(self.subject_id, self._async_activity)

    @callback
    def _async_activity(self, event_type: str, data: dict[str, Any]) -> None:
        self._trigger_event(event_type, data)
        self.async_write_ha_state()


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the plants' activity events."""
    await async_setup_platform_entities(
        entry, async_add_entities, EVENTS, ActivityEvent
    )
