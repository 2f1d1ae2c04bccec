"""What voice intents and assistant tools share: names, status and safe records.

Growers name things the way they see them ("the basil", "rack 1", "tank A"),
so lookups compare normalised names (case, punctuation and number words do
not matter) and also accept a plant's species ("basil", "tomatoes") or
cultivar. Status comes back as plain JSON-ready data built from the live
farm's views; intents turn it into sentences, LLM tools return it as is.
Nothing here switches a light or a pump: the only writes are records of what
the grower did (waterings, confirmed care, feedings).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum
import re
from typing import Any

from homeassistant.const import UnitOfTemperature, UnitOfVolume
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .engine import care
from .engine.profiles import Library, Phase
from .farm import Farm, FarmConfigEntry
from .figures import (
    CELSIUS_DIGITS,
    HOURS_DIGITS,
    LITRES_DIGITS,
    rounded,
    tank_figures,
)
from .models import PlantConfig
from .presenters import TankView
from .store import FeedingDetails
from .todo import care_summary, own_items_due, plant_location
from .topology import FarmConfig

NUMBER_WORDS = (
    *("zero", "one", "two", "three", "four", "five", "six", "seven", "eight"),
    *("nine", "ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen"),
    *("sixteen", "seventeen", "eighteen", "nineteen", "twenty"),
)
ARTICLES = ("the ", "my ", "our ", "a ")
_NOT_SPOKEN = re.compile(r"[^\w']+")  # punctuation and symbols read as a pause


class SubjectKind(StrEnum):
    """What a name can refer to."""

    RACK = "rack"
    TANK = "tank"
    PLANT = "plant"


@dataclass(frozen=True, kw_only=True, slots=True)
class Subject:
    """A rack, tank or plant of a loaded farm."""

    farm: Farm
    kind: SubjectKind
    id: str  # subentry id
    name: str


def loaded_farms(hass: HomeAssistant) -> list[Farm]:
    """The farms of every loaded Vertical Farm entry."""
    entries: list[FarmConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
    return [entry.runtime_data.farm for entry in entries]


def local_now() -> datetime:
    """Now, in Home Assistant's time zone (farm days are local days)."""
    return dt_util.now()


# --- Names --------------------------------------------------------------------


def normalize_name(text: str) -> str:
    """A name as it would be spoken: lower case, no punctuation, single spaces."""
    return " ".join(_NOT_SPOKEN.sub(" ", text.casefold()).replace("_", " ").split())


def strip_article(text: str) -> str:
    """A normalised name without a leading "the", "my", "our" or "a"."""
    for article in ARTICLES:
        if text.startswith(article):
            return text.removeprefix(article)
    return text


def spoken_forms(name: str) -> set[str]:
    """A name's normalised form plus its number variants ("rack 1", "rack one")."""
    words = normalize_name(name).split()
    if not words:
        return set()
    digits = [
        str(NUMBER_WORDS.index(word)) if word in NUMBER_WORDS else word
        for word in words
    ]
    spelled = [
        NUMBER_WORDS[int(word)]
        if word.isdecimal() and int(word) < len(NUMBER_WORDS)
        else word
        for word in words
    ]
    return {" ".join(words), " ".join(digits), " ".join(spelled)}


def plural(phrase: str) -> str:
    """The English plural of a phrase's last word ("chili pepper" -> "chili peppers")."""
    head, _, word = phrase.rpartition(" ")
    if word.endswith("y") and len(word) > 1 and word[-2] not in "aeiou":
        word = f"{word[:-1]}ies"
    elif word.endswith(("s", "x", "z", "ch", "sh", "o")):
        word = f"{word}es"
    else:
        word = f"{word}s"
    return f"{head} {word}" if head else word


def species_aliases(farm: Farm, species_key: str | None) -> set[str]:
    """What a species is called: its name and key, singular and plural."""
    return _species_aliases(farm.library, species_key)


def _species_aliases(library: Library, species_key: str | None) -> set[str]:
    if not species_key:
        return set()
    species = library.species.get(species_key)
    labels = (species.name, species.key) if species is not None else (species_key,)
    aliases: set[str] = set()
    for label in labels:
        if spoken := normalize_name(label):
            aliases |= {spoken, plural(spoken)}
    return aliases


def plant_aliases(farm: Farm, plant: PlantConfig) -> set[str]:
    """Other names a plant answers to: its species (singular, plural) and cultivar."""
    aliases = species_aliases(farm, plant.species)
    if plant.cultivar and (spoken := normalize_name(plant.cultivar)):
        aliases.add(spoken)
    return aliases


def find_farms(hass: HomeAssistant, name: str) -> list[Farm]:
    """The loaded farms a spoken farm name refers to ("home farm", "the Attic")."""
    spoken = strip_article(normalize_name(name))
    return [
        farm
        for farm in loaded_farms(hass)
        if spoken in {strip_article(form) for form in spoken_forms(farm.settings.name)}
    ]


def all_subjects(
    hass: HomeAssistant, farms: Iterable[Farm] | None = None
) -> list[Subject]:
    """Every rack, tank and plant of these farms (by default every loaded one)."""
    found: list[Subject] = []
    for farm in loaded_farms(hass) if farms is None else farms:
        for kind, configs in (
            (SubjectKind.RACK, farm.config.racks),
            (SubjectKind.TANK, farm.config.tanks),
            (SubjectKind.PLANT, farm.config.plants),
        ):
            found.extend(
                Subject(farm=farm, kind=kind, id=key, name=config.name)
                for key, config in configs.items()
            )
    return found


def spoken_names(
    farms: Iterable[tuple[FarmConfig, Library]],
) -> dict[SubjectKind, set[str]]:
    """Every way the grower can name each kind of subject, normalised.

    Of each farm's configuration and library only: a thousand plants' names
    take milliseconds to work out, off the event loop.
    """
    names: dict[SubjectKind, set[str]] = {kind: set() for kind in SubjectKind}
    for config, library in farms:
        for kind, configs in (
            (SubjectKind.RACK, config.racks),
            (SubjectKind.TANK, config.tanks),
            (SubjectKind.PLANT, config.plants),
        ):
            for item in configs.values():
                names[kind] |= spoken_forms(item.name)
        # Many plants share a species: each species' names are worked out once.
        plants = names[SubjectKind.PLANT]
        for species_key in {plant.species for plant in config.plants.values()}:
            plants |= _species_aliases(library, species_key)
        plants |= {
            spoken
            for plant in config.plants.values()
            if plant.cultivar and (spoken := normalize_name(plant.cultivar))
        }
    return names


def spoken_farm_names(configs: Iterable[FarmConfig]) -> set[str]:
    """Every way the grower can name the farms, normalised, with and without "the"."""
    names: set[str] = set()
    for config in configs:
        forms = spoken_forms(config.settings.name)
        names |= forms | {strip_article(form) for form in forms}
    return names


def find_subjects(
    hass: HomeAssistant,
    name: str,
    kinds: Iterable[SubjectKind] = tuple(SubjectKind),
    farms: Iterable[Farm] | None = None,
) -> list[Subject]:
    """The subjects a spoken name refers to: exact names first, else species/cultivar.

    A name can match several subjects (two trays of basil, or a "Tank A" in
    two farms); all of them are returned, in farm and configuration order.
    `farms` narrows the search to those farms.
    """
    wanted = set(kinds)
    spoken = strip_article(normalize_name(name))
    if not spoken:
        return []
    candidates = [
        subject for subject in all_subjects(hass, farms) if subject.kind in wanted
    ]
    exact = [
        subject
        for subject in candidates
        if spoken in {strip_article(form) for form in spoken_forms(subject.name)}
    ]
    if exact:
        return exact
    return [
        subject
        for subject in candidates
        if subject.kind is SubjectKind.PLANT
        and spoken
        in plant_aliases(subject.farm, subject.farm.config.plants[subject.id])
    ]


class LookupFailure(StrEnum):
    """Why a name gave nothing to act on."""

    UNKNOWN_FARM = "unknown_farm"  # no loaded farm has the farm name given
    NOT_IN_FARM = "not_in_farm"  # the farm named has nothing called that
    UNKNOWN = "unknown"  # no farm has anything called that
    IN_SEVERAL_FARMS = "in_several_farms"  # a record would span farms


class SubjectLookupError(Exception):
    """A name (and farm) that voice and the assistant tools cannot act on.

    Each caller words it for its listener; `farms` are the farms searched
    (`NOT_IN_FARM`) or the farms that have the name (`IN_SEVERAL_FARMS`).
    """

    def __init__(
        self,
        failure: LookupFailure,
        *,
        name: str,
        kinds: tuple[SubjectKind, ...],
        farm: str | None = None,
        farms: Iterable[str] = (),
    ) -> None:
        """Why `name` (and `farm`, if given) found nothing usable."""
        super().__init__(f"{failure}: {name!r}")
        self.failure = failure
        self.name = name
        self.kinds = kinds
        self.farm = farm
        self.farms = list(farms)

    @property
    def noun(self) -> str:
        """What was looked for: "plant", "plant or rack", "tank"."""
        return " or ".join(str(kind) for kind in self.kinds)


def named_subjects(
    hass: HomeAssistant,
    name: str,
    kinds: Iterable[SubjectKind],
    farm: str | None = None,
    *,
    records: bool = False,
) -> list[Subject]:
    """The subjects a name refers to, in the farm named if one is.

    A record (`records`) must not land in several farms because they each
    have something of that name: the grower says which farm first.

    Raises:
        SubjectLookupError: no farm has that name, nothing there (or
            anywhere) has the name, or a record names what several farms have.
    """
    wanted = tuple(kinds)
    farms = None
    if farm is not None and not (farms := find_farms(hass, farm)):
        raise SubjectLookupError(
            LookupFailure.UNKNOWN_FARM, name=name, kinds=wanted, farm=farm
        )
    found = find_subjects(hass, name, wanted, farms)
    if not found:
        raise SubjectLookupError(
            LookupFailure.UNKNOWN if farms is None else LookupFailure.NOT_IN_FARM,
            name=name,
            kinds=wanted,
            farm=farm,
            farms=[each.settings.name for each in farms or ()],
        )
    holders = list(dict.fromkeys(subject.farm for subject in found))
    if records and len(holders) > 1:
        raise SubjectLookupError(
            LookupFailure.IN_SEVERAL_FARMS,
            name=name,
            kinds=wanted,
            farm=farm,
            farms=[each.settings.name for each in holders],
        )
    return found


# --- Status -------------------------------------------------------------------


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def care_entry(
    kind: care.CareKind, plant_name: str, due: date, today: date
) -> dict[str, Any]:
    """One care task as data: what to do, for which plant, and when."""
    return {
        "task": str(kind),
        "plant": plant_name,
        "summary": care_summary(kind, plant_name),
        "due": due.isoformat(),
        "overdue": due < today,
    }


OWN_TASK = "own"  # the task of the grower's own items on the care list


def due_care(farm: Farm, today: date) -> list[dict[str, Any]]:
    """What the care list has due today or overdue, soonest first.

    The plants' care tasks and the grower's own open items with a due date
    (their task is "own", for no plant), as the care list shows them.
    """
    due = [
        care_entry(item.kind, item.plant_name, item.due, today)
        for item in farm.care.items()
        if item.due <= today
    ]
    due.extend(
        {
            "task": OWN_TASK,
            "plant": None,
            "summary": summary,
            "due": on.isoformat(),
            "overdue": on < today,
        }
        for summary, on in own_items_due(farm, today)
    )
    due.sort(key=lambda entry: str(entry["due"]))  # stable: care tasks first
    return due


def next_care(farm: Farm, today: date) -> dict[str, Any] | None:
    """The first care task due after today, if any."""
    upcoming = [item for item in farm.care.items() if item.due > today]
    if not upcoming:
        return None
    item = upcoming[0]
    return care_entry(item.kind, item.plant_name, item.due, today)


def plant_status(farm: Farm, plant_id: str, today: date) -> dict[str, Any]:
    """A plant's phase, care, expected harvest and pre-harvest interval."""
    plant = farm.config.plants[plant_id]
    view = farm.views.plant(plant_id)
    species = farm.species_of(plant)
    blocked = view.harvest_blocked
    return {
        "name": plant.name,
        "farm": farm.settings.name,
        "species": species.name if species is not None else plant.species,
        "cultivar": plant.cultivar,
        "quantity": plant.quantity,
        "location": plant_location(farm, plant_id),
        "phase": None if view.phase is None else str(view.phase),
        "days_in_phase": view.days_in_phase,
        "age_days": view.age_days,
        "next_watering": _iso(view.next_watering),
        "expected_harvest": _iso(view.expected_harvest),
        # None when the species is unknown; False for plants never harvested.
        "harvestable": None if species is None else Phase.HARVEST in species.sequence,
        "harvest_blocked": blocked,
        "safe_harvest_date": _iso(view.harvest.safe_on) if blocked else None,
        "blocking_products": list(view.harvest.blocking_products),
        "care_due": [
            care_entry(task.kind, plant.name, task.due, today)
            for task in view.care
            if task.due <= today
        ],
        "needs_attention": list(view.attention),
    }


def _user_figures(farm: Farm, volume_l: float, view: TankView) -> dict[str, Any]:
    """A tank's temperature and volumes in the user's unit system, with the units.

    The level is the one `tank_figures` gives in litres, from the water balance.
    """
    system = farm.hass.config.units
    water_c = view.water_temperature
    level_l = None if view.balance is None else view.balance.level_l
    return {
        "water_temperature": None
        if water_c is None
        else rounded(
            system.temperature(water_c, UnitOfTemperature.CELSIUS), CELSIUS_DIGITS
        ),
        "temperature_unit": system.temperature_unit,
        "volume": rounded(system.volume(volume_l, UnitOfVolume.LITERS), LITRES_DIGITS),
        "level": None
        if level_l is None
        else rounded(system.volume(level_l, UnitOfVolume.LITERS), LITRES_DIGITS),
        "volume_unit": system.volume_unit,
    }


def tank_status(farm: Farm, tank_id: str) -> dict[str, Any]:
    """A tank's readings, targets, level and problems (usable readings only)."""
    tank = farm.config.tanks[tank_id]
    view = farm.views.tank(tank_id)
    following = view.next_maintenance
    return {
        "name": tank.name,
        "farm": farm.settings.name,
        "type": str(tank.tank_type),
        **tank_figures(tank, view),
        "water_temperature_c": rounded(view.water_temperature, CELSIUS_DIGITS),
        # the same figures in the user's unit system (°F and gal in the US)
        **_user_figures(farm, tank.volume_l, view),
        "stale_probes": list(view.stale_probes),
        "next_maintenance": None
        if following is None
        else {
            "task": str(following.kind),
            "due": None
            if following.due_at is None
            else following.due_at.astimezone(farm.zone).date().isoformat(),
        },
        "plants": [plant.name for plant in farm.config.plants_on_tank(tank_id)],
    }


def rack_status(farm: Farm, rack_id: str) -> dict[str, Any]:
    """A rack's light window, schedules, tank and plants."""
    rack = farm.config.racks[rack_id]
    view = farm.views.rack(rack_id)
    tank = farm.config.tanks.get(rack.tank or "")
    return {
        "name": rack.name,
        "farm": farm.settings.name,
        "shelves": rack.shelves,
        "tank": None if tank is None else tank.name,
        "photoperiod_h": rounded(view.photoperiod_h, HOURS_DIGITS),
        "lights_on": view.lights_on.isoformat(),
        "lights_off": view.lights_off.isoformat(),
        "light_schedule_on": farm.schedule_enabled(rack_id, "light_schedule"),
        "irrigation_schedule_on": farm.schedule_enabled(rack_id, "irrigation_schedule"),
        "plants": [plant.name for plant in farm.config.plants_on_rack(rack_id)],
    }


def farm_overview(farm: Farm, today: date) -> dict[str, Any]:
    """The whole farm in brief: racks, tanks, plants and what is due."""
    tanks_brief: list[dict[str, Any]] = []
    for tank_id, tank in farm.config.tanks.items():
        figures = tank_figures(tank, farm.views.tank(tank_id))
        tanks_brief.append(
            {"name": tank.name}
            | {
                key: figures[key]
                for key in ("ec", "target_ec", "ph", "target_ph", "problems")
            }
        )
    plants_brief: list[dict[str, Any]] = []
    for plant_id in farm.config.plants:
        status = plant_status(farm, plant_id, today)
        plants_brief.append(
            {
                key: status[key]
                for key in (
                    "name",
                    "species",
                    "quantity",
                    "location",
                    "phase",
                    "expected_harvest",
                    "harvest_blocked",
                )
            }
        )
    return {
        "farm": farm.settings.name,
        "date": today.isoformat(),
        "racks": [rack_status(farm, rack_id) for rack_id in farm.config.racks],
        "tanks": tanks_brief,
        "plants": plants_brief,
        "care_due": due_care(farm, today),
    }


# --- Records ------------------------------------------------------------------


def plants_of(subjects: Iterable[Subject]) -> dict[Farm, list[str]]:
    """The plants named, or standing on the racks named, grouped by farm.

    Farms where nothing is named (an empty rack) are left out.
    """
    grouped: dict[Farm, list[str]] = {}
    for subject in subjects:
        ids = (
            [subject.id]
            if subject.kind is SubjectKind.PLANT
            else [plant.id for plant in subject.farm.config.plants_on_rack(subject.id)]
        )
        if ids:
            plants = grouped.setdefault(subject.farm, [])
            plants.extend(plant_id for plant_id in ids if plant_id not in plants)
    return grouped


async def async_log_watering(
    subjects: Iterable[Subject], at: datetime, volume_l: float | None = None
) -> list[str]:
    """Record a watering of the plants named (or on the racks named); their names."""
    watered: list[str] = []
    for farm, plant_ids in plants_of(subjects).items():
        await farm.records.async_log_watering(plant_ids, at, volume_l)
        watered.extend(farm.config.plants[plant_id].name for plant_id in plant_ids)
    return watered


async def async_complete_care(
    subjects: Iterable[Subject], kind: care.CareKind, at: datetime
) -> list[str]:
    """Confirm a care task for the plants named; a watering is logged as one.

    Returns the names of the plants confirmed.
    """
    done: list[str] = []
    for farm, plant_ids in plants_of(subjects).items():
        await farm.records.async_confirm_care(plant_ids, kind, at)
        done.extend(farm.config.plants[plant_id].name for plant_id in plant_ids)
    return done


async def async_log_feeding(
    subject: Subject, kind: str, at: datetime, data: FeedingDetails
) -> None:
    """Record a feeding of a tank (a full change, a top-up or an adjustment)."""
    await subject.farm.records.async_log_feeding(subject.id, kind, at, data)
