"""The farm's configuration view: who stands where, and who depends on whom.

Parsed once from the entry and its subentries, then only read. No Home
Assistant state is touched here: the live farm swaps in a new `FarmConfig`
when the entry changes.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from homeassistant.config_entries import ConfigEntry, ConfigSubentry

from .const import SUBENTRY_RACK, SUBENTRY_TANK
from .engine.profiles import Library, Species
from .models import FarmSettings, PlantConfig, RackConfig, TankConfig
from .pacing import Pacer


@dataclass(slots=True)
class FarmConfig:
    """The farm's whole configuration, parsed from its entry and subentries."""

    entry_id: str
    settings: FarmSettings
    racks: dict[str, RackConfig] = field(default_factory=dict)
    tanks: dict[str, TankConfig] = field(default_factory=dict)
    plants: dict[str, PlantConfig] = field(default_factory=dict)
    plants_by_rack: dict[str, list[PlantConfig]] = field(default_factory=dict)
    racks_by_tank: dict[str, list[RackConfig]] = field(default_factory=dict)
    # The data each part was parsed from (the entry's under its own id): Home
    # Assistant replaces a data mapping when it changes, so the same mapping
    # means the same parsed part.
    sources: dict[str, Mapping[str, Any]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def from_entry(
        cls, entry: ConfigEntry, previous: FarmConfig | None = None
    ) -> FarmConfig:
        """Parse an entry and its subentries (and index who stands where).

        With `previous`, what was parsed from the same data is taken over
        instead of parsed again: after one plant's edit, one plant is parsed.
        """
        config = cls._begin(entry, previous)
        for subentry in entry.subentries.values():
            _parse_into(config, subentry, previous)
        return _indexed(config)

    @classmethod
    async def async_from_entry(cls, entry: ConfigEntry, pacer: Pacer) -> FarmConfig:
        """Parse an entry within a share of each event-loop turn.

        A thousand plants take several milliseconds to parse: too long for
        one turn at setup.
        """
        config = cls._begin(entry, None)
        for subentry in list(entry.subentries.values()):
            await pacer.pace()
            _parse_into(config, subentry, None)
        return _indexed(config)

    @classmethod
    def _begin(cls, entry: ConfigEntry, previous: FarmConfig | None) -> FarmConfig:
        """The configuration with the entry's own settings, no subentries yet."""
        settings = (
            previous.settings
            if previous is not None
            and previous.sources.get(entry.entry_id) is entry.data
            else FarmSettings.from_data(entry.data)
        )
        config = cls(entry_id=entry.entry_id, settings=settings)
        config.sources[entry.entry_id] = entry.data
        return config

    @property
    def subjects(self) -> set[str]:
        """Every rack, tank and plant id."""
        return self.racks.keys() | self.tanks.keys() | self.plants.keys()

    def has(self, subject: str) -> bool:
        """Whether a rack, tank or plant of this id is on the farm."""
        return subject in self.racks or subject in self.tanks or subject in self.plants

    def name_of(self, subject: str) -> str:
        """The name of a rack, tank or plant (the farm's own name for the entry)."""
        for configs in (self.racks, self.tanks, self.plants):
            if (config := configs.get(subject)) is not None:
                return config.name
        return self.settings.name

    def plants_on_rack(self, rack_id: str) -> list[PlantConfig]:
        """Plants standing on a rack."""
        return self.plants_by_rack.get(rack_id, [])

    def racks_on_tank(self, tank_id: str) -> list[RackConfig]:
        """Racks drinking from a tank."""
        return self.racks_by_tank.get(tank_id, [])

    def plants_on_tank(self, tank_id: str) -> list[PlantConfig]:
        """Plants fed from a tank (through their racks)."""
        return [
            plant
            for rack in self.racks_on_tank(tank_id)
            for plant in self.plants_on_rack(rack.id)
        ]

    def rack_of(self, plant: PlantConfig) -> RackConfig | None:
        """The rack a plant stands on, if any."""
        return self.racks.get(plant.rack or "")

    def tank_of(self, plant: PlantConfig) -> TankConfig | None:
        """The tank a plant is fed from, if any."""
        rack = self.rack_of(plant)
        return None if rack is None else self.tanks.get(rack.tank or "")

    def dependents(self, subject: str) -> set[str]:
        """A subject and every rack, tank or plant whose view reads it."""
        affected = {subject}
        if (plant := self.plants.get(subject)) is not None:
            if (rack := self.rack_of(plant)) is not None:
                affected.add(rack.id)
                if rack.tank in self.tanks:
                    affected.add(rack.tank)
        elif (rack := self.racks.get(subject)) is not None:
            affected |= {plant.id for plant in self.plants_on_rack(subject)}
            if rack.tank in self.tanks:
                affected.add(rack.tank)
        return affected

    def driven_entities(self) -> dict[str, set[str]]:
        """Every light and pump a rack drives, and the racks that drive it."""
        driven: dict[str, set[str]] = {}
        for rack in self.racks.values():
            for entity_id in (rack.light_entity, rack.pump_entity):
                if entity_id:
                    driven.setdefault(entity_id, set()).add(rack.id)
        return driven


def species_of(library: Library, plant: PlantConfig) -> Species | None:
    """A plant's species, if it is in the library."""
    return library.species.get(plant.species or "")


def _parse_into(
    config: FarmConfig, subentry: ConfigSubentry, previous: FarmConfig | None
) -> None:
    """Add a rack, tank or plant (taken over from `previous` if unchanged)."""
    subentry_id, data = subentry.subentry_id, subentry.data
    config.sources[subentry_id] = data
    same = previous is not None and previous.sources.get(subentry_id) is data
    if subentry.subentry_type == SUBENTRY_RACK:
        rack = previous.racks.get(subentry_id) if same and previous else None
        config.racks[subentry_id] = rack or RackConfig.from_data(subentry_id, data)
    elif subentry.subentry_type == SUBENTRY_TANK:
        tank = previous.tanks.get(subentry_id) if same and previous else None
        config.tanks[subentry_id] = tank or TankConfig.from_data(subentry_id, data)
    else:
        plant = previous.plants.get(subentry_id) if same and previous else None
        config.plants[subentry_id] = plant or PlantConfig.from_data(subentry_id, data)


def _indexed(config: FarmConfig) -> FarmConfig:
    """Index who stands where; return the configuration."""
    for plant in config.plants.values():
        if plant.rack in config.racks:
            config.plants_by_rack.setdefault(plant.rack, []).append(plant)
    for rack in config.racks.values():
        if rack.tank in config.tanks:
            config.racks_by_tank.setdefault(rack.tank, []).append(rack)
    return config
