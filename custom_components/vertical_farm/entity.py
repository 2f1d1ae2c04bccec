"""The base entity of Vertical Farm and how platforms create entities."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

from homeassistant.core import callback
from homeassistant.helpers.entity import Entity, EntityDescription
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .farm import Farm, FarmConfigEntry

type Subject = Literal["farm", "rack", "tank", "plant"]

# Beyond this many plants the plants' diagnostic entities start disabled: with
# 11 entities a plant, 1,000 plants would pass Home Assistant's 10,000 enabled
# entities per config entry.
LARGE_FARM_PLANTS = 500

# Entities added to Home Assistant in one unit of paced work at setup: a
# plant's sensors in one (half of them disabled on a large farm), a tank's
# eleven in two. Each batch is a task of Home Assistant's, which the
# platform's setup gathers in one turn at its end: fewer, larger batches.
ENTITIES_PER_UNIT = 6


@dataclass(frozen=True, kw_only=True)
class FarmEntityDescription(EntityDescription):
    """What every Vertical Farm entity description adds: whose it is."""

    subject: Subject
    # False while the input the entity shows is missing (no sensor linked, no
    # reading yet); such entities exist but are unavailable.
    available_fn: Callable[[Farm, str], bool] | None = None
    # The fields of its subject's view that are all it shows (besides the
    # farm's configuration), or None: it may show anything. A new reading
    # refreshes only the entities with a field that changed.
    view_fields: frozenset[str] | None = None
    # Start disabled on large farms, so a farm stays within Home Assistant's
    # limit of enabled entities per config entry.
    disabled_on_large_farms: bool = False


class FarmEntity(Entity):
    """An entity of a farm, a rack, a tank or a plant; it follows the farm's views."""

    entity_description: FarmEntityDescription
    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(
        self, farm: Farm, subject_id: str, description: FarmEntityDescription
    ) -> None:
        """Tie the entity to its subject's device."""
        self.farm = farm
        self.subject_id = subject_id
        self.entity_description = description
        self._attr_unique_id = f"{subject_id}_{description.key}"
        if (device := farm.device_entry(subject_id)) is not None:
            self.device_entry = device
        else:
            self._attr_device_info = farm.device_info(subject_id)
        if (
            description.disabled_on_large_farms
            and len(farm.config.plants) > LARGE_FARM_PLANTS
        ):
            self._attr_entity_registry_enabled_default = False
        self._written: tuple[Any, ...] | None = None

    async def async_added_to_hass(self) -> None:
        """Follow the subject's changes."""
        # Undone in async_will_remove_from_hass rather than by a callback kept
        # for each entity: thousands of entities, fewer objects to collect.
        self.farm.async_follow(self.subject_id, self)

    async def async_will_remove_from_hass(self) -> None:
        """Stop following the subject's changes."""
        self.farm.async_unfollow(self.subject_id, self)

    @property
    def available(self) -> bool:
        """Unavailable while the input it shows is missing."""
        available_fn = self.entity_description.available_fn
        return available_fn is None or available_fn(self.farm, self.subject_id)

    def signature(self) -> tuple[Any, ...]:
        """What the state shows; the state is written only when this changes."""
        return (self.available, self.state, self.extra_state_attributes)

    @property
    def view_fields(self) -> frozenset[str] | None:
        """The fields of its subject's view it shows (None: it may show anything)."""
        return self.entity_description.view_fields

    @callback
    def async_subject_changed(self) -> None:
        """Write the state again if what it shows changed."""
        signature = self.signature()
        if signature != self._written:
            self._written = signature
            self.async_write_ha_state()


async def async_setup_platform_entities[D: FarmEntityDescription](
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    descriptions: Iterable[D],
    factory: Callable[[Farm, str, D], Entity],
) -> None:
    """Add a platform's entities now, and for racks, tanks and plants added later."""
    farm = entry.runtime_data.farm
    descriptions = tuple(descriptions)
    by_subject: Mapping[str, list[D]] = {
        subject: [d for d in descriptions if d.subject == subject]
        for subject in ("farm", "rack", "tank", "plant")
    }

    def entities_for(subject_id: str, subject: Subject) -> list[Entity]:
        return [
            factory(farm, subject_id, description)
            for description in by_subject[subject]
        ]

    # Home Assistant starts each platform's setup eagerly, all in one turn.
    await asyncio.sleep(0)
    if farm_entities := entities_for(farm.entry.entry_id, "farm"):
        # Farm-wide values (task counts) read every plant: work them out in turns.
        await farm.care.async_items()
        async_add_entities(farm_entities)

    def subentry_entities(subentry_id: str) -> list[Entity]:
        """A rack's, tank's or plant's entities (none once it is removed)."""
        config = farm.config
        subject: Subject
        if subentry_id in config.racks:
            subject = "rack"
        elif subentry_id in config.tanks:
            subject = "tank"
        elif subentry_id in config.plants:
            subject = "plant"
        else:
            return []  # removed while the platform was setting up
        return entities_for(subentry_id, subject)

    @callback
    def add_subentries(subentry_ids: Iterable[str]) -> None:
        for subentry_id in subentry_ids:
            if entities := subentry_entities(subentry_id):
                async_add_entities(entities, config_subentry_id=subentry_id)

    entry.async_on_unload(farm.async_on_new_subentries(add_subentries))
    # Home Assistant adds each batch without yielding, at about a quarter of a
    # millisecond an entity: a few at a time (a tank has eleven sensors),
    # within the farm's share of each event-loop turn (shared with the other
    # platforms setting up now).
    for subentry_id in [*farm.config.racks, *farm.config.tanks, *farm.config.plants]:
        await farm.pacer.pace()
        entities = subentry_entities(subentry_id)
        for start in range(0, len(entities), ENTITIES_PER_UNIT):
            if start:
                await farm.pacer.pace()
                if not farm.config.has(subentry_id):
                    break  # removed meanwhile
            async_add_entities(
                entities[start : start + ENTITIES_PER_UNIT],
                config_subentry_id=subentry_id,
            )
