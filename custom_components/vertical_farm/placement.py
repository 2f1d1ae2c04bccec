"""Placement: rotation, successors and companions on a shelf, in the live farm.

A shelf's history is the crops cleared from it: when a plant has its final
harvest, or is removed or moved off a shelf, a `cleared` record keeps its
species, family, rack, shelf and planting day, once per crop (records of
removed plants are kept three years, as long as rotation looks back). Its
neighbours are the plants on the shelf now. The judging is
`engine.rotation`; this module gathers the inputs, keeps the answers while
nothing they rest on changes, and raises a repair notice while antagonists
share a shelf.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import TYPE_CHECKING, Any

from homeassistant.config_entries import ConfigEntry, ConfigEntryState
from homeassistant.core import HomeAssistant, callback
from homeassistant.util import dt as dt_util

from .alerts import ANTAGONISTS_ISSUE, RepairNotices
from .const import CONF_PLANTED, CONF_RACK, CONF_SHELF, CONF_SPECIES
from .engine import rotation
from .engine.profiles import Library, Species
from .models import PlantConfig
from .store import ClearedData, FarmStore, JournalRecord, RecordKind
from .topology import FarmConfig

if TYPE_CHECKING:
    from .farm import Farm


@dataclass(frozen=True, kw_only=True, slots=True)
class PlacementReport:
    """What a shelf says about a crop placed on it."""

    species: Species
    rack_id: str
    shelf: int
    planted: date
    violations: tuple[rotation.RotationViolation, ...]  # same family too soon
    succession: rotation.Succession | None
    neighbours: tuple[rotation.PairScore, ...]  # antagonists first

    @property
    def antagonists(self) -> tuple[str, ...]:
        """Species keys beside it that it should be kept apart from."""
        return tuple(
            pair.species_b
            for pair in self.neighbours
            if pair.relation is rotation.Relation.ANTAGONIST
        )

    @property
    def companions(self) -> tuple[str, ...]:
        """Species keys beside it that help it."""
        return tuple(
            pair.species_b
            for pair in self.neighbours
            if pair.relation is rotation.Relation.COMPANION
        )

    @property
    def warnings(self) -> tuple[str, ...]:
        """What speaks against the placement: `rotation`, `antagonists`."""
        return tuple(
            code
            for code, found in (
                ("rotation", self.violations),
                ("antagonists", self.antagonists),
            )
            if found
        )


def cleared_record(plant: PlantConfig, family: str) -> ClearedData:
    """The data of a `cleared` record: where the crop stood and what it was."""
    return {
        "rack": plant.rack,
        "shelf": plant.shelf,
        "species": plant.species,
        "family": family,
        "planted": plant.planted.isoformat(),
    }


def on_a_shelf(plant: PlantConfig | None) -> bool:
    """Whether a plant stands on a rack's shelf."""
    return plant is not None and plant.rack is not None and plant.shelf is not None


class Placement:
    """The farm's shelves: their history, neighbours and antagonist notices."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: ConfigEntry,
        *,
        config: Callable[[], FarmConfig],
        library: Library,
        store: FarmStore,
        notices: RepairNotices,
        species_of: Callable[[PlantConfig], Species | None],
        zone: Callable[[], tzinfo],
    ) -> None:
        """Nothing worked out yet; the farm's configuration is read as it is then."""
        self._hass = hass
        self._entry = entry
        self._config = config
        self._library = library
        self._store = store
        self._notices = notices
        self._species_of = species_of
        self._zone = zone
        self._attributes: dict[str, tuple[FarmConfig, int, dict[str, Any]]] = {}
        self._racks: dict[str, tuple[FarmConfig, str]] = {}
        # (plant id, rack id, shelf, crop) of every crop cleared from a shelf
        self._history: list[tuple[str, str, int, rotation.Planting]] = []
        self._scanned = 0

    def forget(self) -> None:
        """Let go of what was worked out (the farm stopped; a start reads it again)."""
        self._attributes.clear()
        self._racks.clear()
        self._history.clear()
        self._scanned = 0

    @property
    def library(self) -> Library:
        """The farm's library."""
        return self._library

    def _read_journal(self) -> int:
        """Take in the crops cleared since the last look; how many are known."""
        # The journal only grows while the farm runs (pruning happens at start).
        journal = self._store.journal
        if self._scanned == len(journal):
            return len(self._history)  # nothing new: most calls
        for record in journal[self._scanned :]:
            if record["kind"] != RecordKind.CLEARED:
                continue
            data = record["data"]
            self._history.append(
                (
                    record["subject"],
                    str(data["rack"]),
                    int(data["shelf"]),
                    rotation.Planting(
                        species=str(data["species"]),
                        family=str(data["family"]),
                        planted=date.fromisoformat(data["planted"]),
                        ended=datetime.fromisoformat(record["at"])
                        .astimezone(self._zone())
                        .date(),
                    ),
                )
            )
        self._scanned = len(journal)
        return len(self._history)

    def shelf_history(
        self, rack_id: str, shelf: int, crop: tuple[str, date] | None = None
    ) -> list[rotation.Planting]:
        """The crops cleared from a shelf (the journal, read once as it grows).

        `crop` (plant id, planting day) leaves out that crop's own record: a
        harvested crop still standing is not its own predecessor.
        """
        self._read_journal()
        return [
            planting
            for subject, rack, number, planting in self._history
            if rack == rack_id
            and number == shelf
            and (crop is None or crop != (subject, planting.planted))
        ]

    def new_clearing(
        self, plant_id: str, plant: PlantConfig | None
    ) -> ClearedData | None:
        """The `cleared` record of a crop leaving its shelf; None if already kept.

        None too for a plant off a shelf or of a species the library lacks.
        """
        if plant is None or not on_a_shelf(plant) or plant.species is None:
            return None
        species = self.library.species.get(plant.species)
        if species is None:
            return None
        data = cleared_record(plant, species.family)
        kept = self._store.records(plant_id, [RecordKind.CLEARED])
        if any(record["data"] == data for record in kept):
            return None  # its final harvest (or an earlier move) cleared it
        return data

    def neighbours(
        self, rack_id: str, shelf: int, exclude: str | None = None
    ) -> list[PlantConfig]:
        """The plants on a shelf now (but `exclude`)."""
        return [
            plant
            for plant in self._config().plants_on_rack(rack_id)
            if plant.shelf == shelf and plant.id != exclude
        ]

    def report(
        self,
        species: Species,
        rack_id: str,
        shelf: int,
        *,
        planted: date,
        exclude: str | None = None,
    ) -> PlacementReport:
        """Judge a crop on a shelf against its history and its neighbours."""
        proposed = rotation.Planting(
            species=species.key, family=species.family, planted=planted
        )
        history = self.shelf_history(
            rack_id, shelf, None if exclude is None else (exclude, planted)
        )
        beside = [
            found
            for plant in self.neighbours(rack_id, shelf, exclude)
            if (found := self.library.species.get(plant.species or "")) is not None
        ]
        return PlacementReport(
            species=species,
            rack_id=rack_id,
            shelf=shelf,
            planted=planted,
            violations=rotation.rotation_violations(history, proposed),
            succession=rotation.succession(history, proposed, self.library.families),
            neighbours=rotation.neighbour_relations(
                species, beside, self.library.families
            ),
        )

    def plant_report(self, plant_id: str) -> PlacementReport | None:
        """The report of a plant where it stands (None off a shelf or unknown)."""
        plant = self._config().plants[plant_id]
        species = self._species_of(plant)
        if species is None or plant.rack is None or plant.shelf is None:
            return None
        return self.report(
            species, plant.rack, plant.shelf, planted=plant.planted, exclude=plant.id
        )

    def plant_attributes(self, plant_id: str) -> dict[str, Any]:
        """The plant's `rotation` and `companions` attributes.

        Kept while the configuration (who stands where) and the history hold:
        a reading on the rack costs no shelf scan.
        """
        config, known = self._config(), self._read_journal()
        cached = self._attributes.get(plant_id)
        if cached is not None and cached[0] is config and cached[1] == known:
            return cached[2]
        attributes = report_attributes(self.plant_report(plant_id), self.library)
        self._attributes[plant_id] = (config, known, attributes)
        return attributes

    # --- Keeping the history and the notices -----------------------------------

    def moves(self, old: FarmConfig, new: FarmConfig) -> list[tuple[str, ClearedData]]:
        """The `cleared` records a configuration change makes: (plant id, data).

        A plant removed from a shelf, moved to another shelf, or replaced by
        another species on its shelf leaves a cleared crop behind (unless its
        final harvest already did).
        """
        cleared: list[tuple[str, ClearedData]] = []
        for plant_id, before in old.plants.items():
            after = new.plants.get(plant_id)
            if after is not None and (after.rack, after.shelf, after.species) == (
                before.rack,
                before.shelf,
                before.species,
            ):
                continue
            if (data := self.new_clearing(plant_id, before)) is not None:
                cleared.append((plant_id, data))
        return cleared

    def shelf_mates(
        self, old: FarmConfig, new: FarmConfig, subjects: Iterable[str]
    ) -> set[str]:
        """The plants sharing a shelf (before or after) with plants that changed.

        Their `companions` attribute depends on who stands beside them.
        """
        shelves = {
            (plant.rack, plant.shelf)
            for subject in subjects
            for plant in (old.plants.get(subject), new.plants.get(subject))
            if plant is not None and on_a_shelf(plant)
        }
        return {
            plant.id
            for plant in new.plants.values()
            if (plant.rack, plant.shelf) in shelves
        }

    @callback
    def async_note_moves(
        self, old: FarmConfig, new: FarmConfig
    ) -> asyncio.Task[list[JournalRecord]] | None:
        """Record the crops a change cleared from shelves; forget racks gone.

        The records join the journal now; the task writes them (None: no crop
        was cleared). Their notices go with the others of racks gone
        (RepairNotices.async_keep).
        """
        for rack_id in old.racks.keys() - new.racks.keys():
            self._racks.pop(rack_id, None)
        if cleared := self.moves(old, new):
            now = dt_util.now()
            return self._entry.async_create_task(
                self._hass,
                self._store.async_record_many(
                    (RecordKind.CLEARED, plant_id, now, data)
                    for plant_id, data in cleared
                ),
                "vertical_farm shelf cleared",
            )
        return None

    def antagonist_pairs(self, rack_id: str) -> list[str]:
        """Antagonists sharing a shelf of a rack, e.g. "Shelf 2: Basil and Sage"."""
        config = self._config()
        rack = config.racks[rack_id]
        found: list[str] = []
        for shelf in range(1, rack.shelves + 1):
            beside = [
                species
                for plant in self.neighbours(rack_id, shelf)
                if (species := self.library.species.get(plant.species or ""))
                is not None
            ]
            score = rotation.shelf_companionship(beside, self.library.families)
            found.extend(
                f"Shelf {shelf}: "
                + " and ".join(names((pair.species_a, pair.species_b), self.library))
                for pair in score.antagonists
            )
        return found

    @callback
    def async_check_rack(self, rack_id: str) -> None:
        """Raise, update or remove the rack's antagonist notice (when plants moved)."""
        config = self._config()
        cached = self._racks.get(rack_id)
        if cached is not None and cached[0] is config:
            return  # a reading: nobody moved
        text = "; ".join(self.antagonist_pairs(rack_id))
        previous = "" if cached is None else cached[1]
        self._racks[rack_id] = (config, text)
        if text == previous:
            return
        issue_id = f"{ANTAGONISTS_ISSUE}_{rack_id}"
        notices = self._notices
        notices.async_set(issue_id, ANTAGONISTS_ISSUE, False)  # new text: raise anew
        notices.async_set(
            issue_id,
            ANTAGONISTS_ISSUE,
            bool(text),
            rack=self._config().racks[rack_id].name,
            pairs=text,
        )


def report_attributes(
    report: PlacementReport | None, library: Library
) -> dict[str, Any]:
    """The `rotation` and `companions` attributes of a plant's phase sensor."""
    if report is None:
        return {}
    succession = report.succession
    return {
        "rotation": {
            "violations": [
                {
                    "species": names([violation.earlier.species], library)[0],
                    "family": violation.family,
                    "cleared": violation.earlier.ended.isoformat()
                    if violation.earlier.ended
                    else None,
                    "years_apart": violation.years_apart,
                }
                for violation in report.violations
            ],
            "after": None
            if succession is None
            else names([succession.previous.species], library)[0],
            "good_successor": None if succession is None else succession.good,
        },
        "companions": {
            "companions": names(report.companions, library),
            "antagonists": names(report.antagonists, library),
        },
    }


def names(keys: Iterable[str], library: Library) -> list[str]:
    """Species names for keys (a key without a species stays as it is)."""
    return [
        found.name if (found := library.species.get(key)) is not None else key
        for key in keys
    ]


def placement_text(report: PlacementReport, library: Library) -> str:
    """The warnings of a placement as lines for a form ("" when there are none)."""
    lines = [
        f"- {names([violation.earlier.species], library)[0]} "
        f"({violation.family}) left this shelf on {violation.earlier.ended}: "
        f"the same family again within {rotation.ROTATION_YEARS} years"
        for violation in report.violations
    ]
    if report.antagonists:
        lines.append(
            "- It would stand beside "
            + ", ".join(names(report.antagonists, library))
            + ", which it should be kept apart from"
        )
    return "\n".join(lines)


def placement_report(
    entry: ConfigEntry, data: Mapping[str, Any], exclude: str | None
) -> PlacementReport | None:
    """What a plant's shelf says, for plant data about to be saved (None: nothing).

    Only a new placement is judged (a new plant, another shelf or species),
    and only while the farm runs: its library and history are needed.
    """
    rack, shelf, species_key = (
        data.get(CONF_RACK),
        data.get(CONF_SHELF),
        data.get(CONF_SPECIES),
    )
    if entry.state is not ConfigEntryState.LOADED or not (rack and shelf):
        return None
    farm: Farm = entry.runtime_data.farm
    species = farm.library.species.get(species_key or "")
    before = farm.config.plants.get(exclude or "")
    if species is None or (
        before is not None
        and (before.rack, before.shelf, before.species) == (rack, shelf, species_key)
    ):
        return None
    return farm.placement.report(
        species,
        str(rack),
        int(shelf),
        planted=date.fromisoformat(str(data[CONF_PLANTED])),
        exclude=exclude,
    )


def placement_warnings(
    entry: ConfigEntry, data: Mapping[str, Any], exclude: str | None
) -> str:
    """The warnings for a plant's shelf as the plant form shows them ("" for none)."""
    report = placement_report(entry, data, exclude)
    if report is None:
        return ""
    farm: Farm = entry.runtime_data.farm
    return placement_text(report, farm.library)
