"""The live farm: configuration records, the library, the store and the devices."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_RACK,
    CONF_SHELF,
    CONF_TANK,
    CONF_USER_FERTILIZERS,
    CONF_USER_SPECIES,
    DOMAIN,
    MANUFACTURER,
    SUBENTRY_PLANT,
    SUBENTRY_RACK,
    SUBENTRY_TANK,
)
from .engine.profiles import Library
from .library import load_library, merge_user_entries
from .models import FarmSettings, PlantConfig, RackConfig, TankConfig
from .store import FarmStore

_LOGGER = logging.getLogger(__name__)

BUNDLED_LIBRARY: HassKey[Library] = HassKey(f"{DOMAIN}_library")

type FarmConfigEntry = ConfigEntry[FarmRuntime]


async def async_get_bundled_library(hass: HomeAssistant) -> Library:
    """Load the bundled library once per Home Assistant run, off the event loop."""
    if (library := hass.data.get(BUNDLED_LIBRARY)) is None:
        library = await hass.async_add_executor_job(load_library)
        hass.data[BUNDLED_LIBRARY] = library
    return library


def farm_library(bundled: Library, options: Mapping[str, Any]) -> Library:
    """The bundled library plus the user's own species and fertilizers."""
    species = options.get(CONF_USER_SPECIES) or {}
    fertilizers = options.get(CONF_USER_FERTILIZERS) or {}
    if not species and not fertilizers:
        return bundled
    return merge_user_entries(bundled, species=species, fertilizers=fertilizers)


@dataclass(slots=True)
class FarmConfig:
    """The farm's whole configuration, parsed from its entry and subentries."""

    settings: FarmSettings
    racks: dict[str, RackConfig] = field(default_factory=dict)
    tanks: dict[str, TankConfig] = field(default_factory=dict)
    plants: dict[str, PlantConfig] = field(default_factory=dict)

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> FarmConfig:
        """Parse an entry and its subentries."""
        config = cls(settings=FarmSettings.from_data(entry.data))
        for subentry_id, subentry in entry.subentries.items():
            if subentry.subentry_type == SUBENTRY_RACK:
                config.racks[subentry_id] = RackConfig.from_data(
                    subentry_id, subentry.data
                )
            elif subentry.subentry_type == SUBENTRY_TANK:
                config.tanks[subentry_id] = TankConfig.from_data(
                    subentry_id, subentry.data
                )
            else:
                config.plants[subentry_id] = PlantConfig.from_data(
                    subentry_id, subentry.data
                )
        return config


@dataclass(slots=True)
class FarmRuntime:
    """What a loaded farm entry holds (entry.runtime_data)."""

    library: Library
    store: FarmStore
    farm: Farm


class Farm:
    """One farm: keeps its devices and configuration in step with the entry."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: FarmConfigEntry,
        library: Library,
        store: FarmStore,
    ) -> None:
        """Set up from the entry's current configuration (nothing runs yet)."""
        self.hass = hass
        self.entry = entry
        self.library = library
        self.store = store
        self.config = FarmConfig.from_entry(entry)

    @property
    def hub_identifier(self) -> tuple[str, str]:
        """The farm hub device's identifier."""
        return (DOMAIN, self.entry.entry_id)

    def parent_of(self, subentry_id: str) -> tuple[str, str]:
        """Identifier of the device a rack, tank or plant hangs under."""
        plant = self.config.plants.get(subentry_id)
        if (
            plant is not None
            and plant.rack is not None
            and plant.rack in self.config.racks
        ):
            return (DOMAIN, plant.rack)
        return self.hub_identifier

    def _describe(self, subentry_id: str) -> tuple[str, str, str | None]:
        """Name, model and area of a subentry's device."""
        config = self.config
        if (rack := config.racks.get(subentry_id)) is not None:
            return rack.name, "Rack", rack.area
        if (tank := config.tanks.get(subentry_id)) is not None:
            return tank.name, f"{tank.tank_type.capitalize()} tank", tank.area
        plant = config.plants[subentry_id]
        return plant.name, self.species_label(plant), plant.area

    def species_label(self, plant: PlantConfig) -> str:
        """Human label of a plant's species and cultivar ("Basil 'Genovese'")."""
        species = self.library.species.get(plant.species or "")
        label = species.name if species is not None else (plant.species or "Plant")
        return f"{label} '{plant.cultivar}'" if plant.cultivar else label

    @callback
    def async_sync_devices(self) -> None:
        """Create or update the hub and one device per subentry, linked by via_device_id."""
        registry = dr.async_get(self.hass)
        entry_id = self.entry.entry_id
        hub = registry.async_get_or_create(
            config_entry_id=entry_id,
            identifiers={self.hub_identifier},
            name=self.config.settings.name,
            manufacturer=MANUFACTURER,
            model="Farm",
        )
        device_ids = {self.hub_identifier: hub.id}
        # Racks before plants: a plant's parent device must exist first.
        for subentry_id in (
            *self.config.racks,
            *self.config.tanks,
            *self.config.plants,
        ):
            identifier = (DOMAIN, subentry_id)
            name, model, area_id = self._describe(subentry_id)
            known = registry.async_get_device_by_identifier(identifier, entry_id)
            device = registry.async_get_or_create(
                config_entry_id=entry_id,
                config_subentry_id=subentry_id,
                identifiers={identifier},
                name=name,
                manufacturer=MANUFACTURER,
                model=model,
                via_device_id=device_ids[self.parent_of(subentry_id)],
            )
            device_ids[identifier] = device.id
            if known is None and area_id:
                registry.async_update_device(device.id, area_id=area_id)

    @callback
    def async_config_changed(self) -> None:
        """Follow an entry update: parse again, tidy links, sync devices."""
        old = self.config
        self.config = FarmConfig.from_entry(self.entry)
        removed_racks = old.racks.keys() - self.config.racks.keys()
        removed_tanks = old.tanks.keys() - self.config.tanks.keys()
        for rack_id in removed_racks:
            self._async_unlink(
                old.racks[rack_id].name, rack_id, SUBENTRY_PLANT, CONF_RACK
            )
        for tank_id in removed_tanks:
            self._async_unlink(
                old.tanks[tank_id].name, tank_id, SUBENTRY_RACK, CONF_TANK
            )
        removed = (
            removed_racks
            | removed_tanks
            | (old.plants.keys() - self.config.plants.keys())
        )
        if removed:
            self.entry.async_create_task(
                self.hass, self.store.async_forget(removed), "forget removed"
            )
        self.async_sync_devices()

    @callback
    def _async_unlink(
        self, name: str, removed_id: str, child_type: str, link_key: str
    ) -> None:
        """Clear the link of every child of a removed rack or tank, with a repair."""
        children: list[ConfigSubentry] = [
            subentry
            for subentry in self.entry.subentries.values()
            if subentry.subentry_type == child_type
            and subentry.data.get(link_key) == removed_id
        ]
        if not children:
            return
        for child in children:
            data = {**child.data, link_key: None}
            if link_key == CONF_RACK:
                data[CONF_SHELF] = None  # a standalone pot has no shelf
            self.hass.config_entries.async_update_subentry(self.entry, child, data=data)
        kind = "rack_removed" if link_key == CONF_RACK else "tank_removed"
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            f"{kind}_{removed_id}",
            is_fixable=True,
            is_persistent=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind,
            translation_placeholders={
                "farm": self.config.settings.name,
                "name": name,
                "children": ", ".join(sorted(child.title for child in children)),
            },
        )
        _LOGGER.info(
            "%s removed from %s; unlinked %s",
            name,
            self.config.settings.name,
            ", ".join(child.title for child in children),
        )
