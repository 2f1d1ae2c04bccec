"""Number: the pH a tank is held at."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.number import (
    NumberEntity,
    NumberEntityDescription,
    NumberMode,
)
from homeassistant.const import EntityCategory, Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import FarmConfigEntry
from .services import finite

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FarmNumberDescription(NumberEntityDescription, FarmEntityDescription):
    """A setting of a tank."""


NUMBERS: tuple[FarmNumberDescription, ...] = (
    FarmNumberDescription(
        key="target_ph",
        translation_key="target_ph",
        subject="tank",
        view_fields=frozenset({"target_ph"}),
        entity_category=EntityCategory.CONFIG,
        native_min_value=3.0,
        native_max_value=9.0,
        native_step=0.05,
        mode=NumberMode.BOX,
        available_fn=lambda farm, tank_id: (
            farm.views.tank(tank_id).target_ph is not None
        ),
    ),
)


class TargetPh(FarmEntity, NumberEntity):
    """The pH the tank should be at (defaults to the middle of the plants' range)."""

    entity_description: FarmNumberDescription

    @property
    def native_value(self) -> float | None:
        """The target pH."""
        return self.farm.views.tank(self.subject_id).target_ph

    async def async_set_native_value(self, value: float) -> None:
        """Set the target pH (kept across restarts); NaN is refused.

        Home Assistant checks the bounds, and NaN is neither below nor above.
        """
        number = finite("target_ph")(value)
        await self.farm.records.async_set_target_ph(self.subject_id, round(number, 2))


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the tanks' target pH."""
    await async_setup_platform_entities(entry, async_add_entities, NUMBERS, TargetPh)
    if (simulator := entry.runtime_data.simulator) is not None:
        async_add_entities(simulator.entities(Platform.NUMBER))
