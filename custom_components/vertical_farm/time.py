"""Time entities: when a rack's lights go on and off."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from homeassistant.components.time import TimeEntity, TimeEntityDescription
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import CONF_LIGHTS_ON, CONF_PHOTOPERIOD_H, DOMAIN, LIGHT_MODE_FIXED
from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import FarmConfigEntry

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FarmTimeDescription(TimeEntityDescription, FarmEntityDescription):
    """A light time of a rack."""


TIMES: tuple[FarmTimeDescription, ...] = (
    FarmTimeDescription(
        key="lights_on",
        translation_key="lights_on",
        subject="rack",
        view_fields=frozenset({"lights_on"}),
        entity_category=EntityCategory.CONFIG,
    ),
    FarmTimeDescription(
        key="lights_off",
        translation_key="lights_off",
        subject="rack",
        view_fields=frozenset({"lights_off"}),
        entity_category=EntityCategory.CONFIG,
    ),
)


def _hours_between(start: time, end: time) -> float:
    """Hours from one wall time to the next occurrence of another (0-24)."""

    def seconds(value: time) -> int:
        return value.hour * 3600 + value.minute * 60 + value.second

    hours = (seconds(end) - seconds(start)) % 86400 / 3600
    return hours or 24.0


class LightTime(FarmEntity, TimeEntity):
    """Lights on (the start of the day on the rack) or lights off."""

    entity_description: FarmTimeDescription

    @property
    def native_value(self) -> time:
        """The time from the rack's light window."""
        view = self.farm.views.rack(self.subject_id)
        return (
            view.lights_on
            if self.entity_description.key == "lights_on"
            else view.lights_off
        )

    async def async_set_value(self, value: time) -> None:
        """Move lights-on (keeping the hours of light), or lights-off (fixed mode only)."""
        rack = self.farm.config.racks[self.subject_id]
        if self.entity_description.key == "lights_on":
            changes: dict[str, object] = {
                CONF_LIGHTS_ON: value.isoformat(timespec="seconds")
            }
        elif rack.light_mode != LIGHT_MODE_FIXED:
            raise ServiceValidationError(
                translation_domain=DOMAIN,
                translation_key="lights_off_follows_plants",
                translation_placeholders={"rack": rack.name},
            )
        else:
            changes = {CONF_PHOTOPERIOD_H: _hours_between(rack.lights_on, value)}
        entry = self.farm.entry
        subentry = entry.subentries[self.subject_id]
        self.hass.config_entries.async_update_subentry(
            entry, subentry, data={**subentry.data, **changes}
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the racks' light times."""
    await async_setup_platform_entities(entry, async_add_entities, TIMES, LightTime)
