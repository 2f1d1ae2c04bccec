"""Select: a plant's phase, changed through the same rules as the set_phase action."""

from __future__ import annotations

from dataclasses import dataclass

from homeassistant.components.select import SelectEntity, SelectEntityDescription
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .const import DOMAIN
from .engine.errors import FarmError
from .engine.profiles import Phase
from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import FarmConfigEntry
from .figures import placeholder

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FarmSelectDescription(SelectEntityDescription, FarmEntityDescription):
    """The phase select of a plant."""


SELECTS: tuple[FarmSelectDescription, ...] = (
    FarmSelectDescription(
        key="phase",
        translation_key="phase",
        subject="plant",
        view_fields=frozenset({"phase"}),
        available_fn=lambda farm, plant_id: (
            farm.views.plant(plant_id).phase is not None
        ),
    ),
)


def farm_error(err: FarmError) -> ServiceValidationError:
    """A domain refusal as the translated error users see."""
    return ServiceValidationError(
        translation_domain=DOMAIN,
        translation_key=err.code,
        translation_placeholders={
            key: placeholder(value) for key, value in err.params.items()
        },
    )


class PhaseSelect(FarmEntity, SelectEntity):
    """Move a plant to another phase (forward; backward moves need the action's force)."""

    entity_description: FarmSelectDescription

    @property
    def options(self) -> list[str]:
        """The phases of the plant's species, in order."""
        species = self.farm.species_of(self.farm.config.plants[self.subject_id])
        return [str(phase) for phase in (species.sequence if species else Phase)]

    @property
    def current_option(self) -> str | None:
        """The plant's current phase."""
        phase = self.farm.views.plant(self.subject_id).phase
        return None if phase is None else str(phase)

    async def async_select_option(self, option: str) -> None:
        """Change phase; a refused move keeps the old one and says why."""
        try:
            await self.farm.phases.async_set(self.subject_id, Phase(option))
        except FarmError as err:
            self.async_write_ha_state()  # show the old phase again
            raise farm_error(err) from err


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the plants' phase selects."""
    await async_setup_platform_entities(entry, async_add_entities, SELECTS, PhaseSelect)
