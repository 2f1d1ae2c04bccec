"""The one base entity of the floor and how each platform adds its entities."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Final

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity import Entity
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

DOMAIN: Final = "farm_floor"


# Per kind of subject and platform: [entities enabled, entities disabled].
type Counts = Mapping[str, Mapping[str, Sequence[int]]]


def platforms_of(entry: ConfigEntry) -> list[Platform]:
    """The platforms the entry's counts name, in a stable order."""
    counts: Counts = entry.data["counts"]
    return sorted({Platform(name) for per_kind in counts.values() for name in per_kind})


class FloorEntity(Entity):
    """An entity with a fixed state on a subject's device; it never updates."""

    _attr_has_entity_name = True
    _attr_should_poll = False

    def __init__(self, subject_id: str, key: str, enabled: bool) -> None:
        """Name the entity and tie it to its subject's device."""
        self._attr_unique_id = f"{subject_id}_{key}"
        self._attr_name = key.replace("_", " ").capitalize()
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, subject_id)})
        self._attr_entity_registry_enabled_default = enabled


def async_add_platform_entities(
    entry: ConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
    platform: Platform,
    factory: Callable[[str, str, bool], Entity],
) -> None:
    """Add the counted entities of one platform: the hub's, then each subentry's."""
    counts: Counts = entry.data["counts"]

    def entities_for(subject_id: str, kind: str) -> list[Entity]:
        enabled, disabled = counts.get(kind, {}).get(str(platform), (0, 0))
        return [
            factory(subject_id, f"{platform}_{index}", index < enabled)
            for index in range(enabled + disabled)
        ]

    if hub_entities := entities_for(entry.entry_id, "farm"):
        async_add_entities(hub_entities)
    for subentry_id, subentry in entry.subentries.items():
        if entities := entities_for(subentry_id, subentry.subentry_type):
            async_add_entities(entities, config_subentry_id=subentry_id)
