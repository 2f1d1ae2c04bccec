"""The readings ledger: linked sensors, their units, and what they accumulate.

Follows every sensor the farm's racks, tanks and plants are linked to (and
the lights and pumps the racks drive, for their existence only). Readings are
converted to the farm's units (units.py); a unit that cannot be converted
raises a repair notice naming the sensor and gives no value. Each probe keeps
its latest two readings (stale and jump checks), and the ledger keeps the
history the engines need in the farm's Store: daily temperature extremes per
rack (growing degree days), today's PPFD readings per rack (daily light
integral) and the level history per tank (water use).

Derived state is batched to disk (at most `SAVE_DELAY_S` behind) and flushed
when Home Assistant stops and when the farm unloads.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from itertools import islice
import logging
import math
from typing import Any

from homeassistant.const import STATE_UNAVAILABLE, STATE_UNKNOWN
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    EventStateReportedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import entity_registry as er
from homeassistant.helpers.event import (
    async_call_later,
    async_track_state_change_event,
    async_track_state_report_event,
)

from .alerts import RepairNotices
from .engine import chemistry, lighting, phases, tanks
from .engine.errors import FarmError
from .engine.tanks import SolutionAgeAccumulator
from .models import TankConfig
from .presenters import ProbeReadings
from .store import FarmStore
from .topology import FarmConfig
from .units import Quantity, UnitError, convert

_LOGGER = logging.getLogger(__name__)

KEEP_DAYS = 400  # daily temperature extremes kept for GDD (a season and more)
KEEP_LEVEL = timedelta(days=8)  # level history kept for water use
# pH kept for its drift: one sample per half hour over the last day.
PH_SAMPLE_S = 1800.0
PH_WINDOW_S = 86_400.0
# A light sensor's value holds until it reports another or becomes unavailable,
# as Home Assistant keeps a state (and its integration sensor integrates it,
# with max_sub_interval even between reports). Today's light history keeps
# each new value, the value reported again at most each minute, and the value
# held each ten minutes (inside the 15 bridged) when the sensor says nothing;
# an unavailable or unknown sensor holds nothing, so that time stays unknown.
LIGHT_REPORT_KEPT = timedelta(minutes=1)
LIGHT_HELD_KEPT = timedelta(minutes=10)


# How the unit notice names what a sensor measures (temperature: by subject).
QUANTITY_NAMES: Mapping[Quantity, str] = {
    Quantity.TEMPERATURE: "temperature",
    Quantity.HUMIDITY: "humidity",
    Quantity.LIGHT: "light",
    Quantity.EC: "EC (conductivity)",
    Quantity.PH: "pH",
    Quantity.LEVEL: "level",
    Quantity.VOLUME: "volume",
    Quantity.MOISTURE: "soil moisture",
}


@dataclass(frozen=True, slots=True)
class Link:
    """One linked sensor: the subjects reading it and what it measures."""

    subjects: frozenset[str]
    quantity: Quantity


def _links(config: FarmConfig) -> dict[str, Link]:
    roles: dict[str, tuple[set[str], Quantity]] = {}

    def add(entity_id: str | None, subject: str, quantity: Quantity) -> None:
        if entity_id:
            roles.setdefault(entity_id, (set(), quantity))[0].add(subject)

    for rack in config.racks.values():
        add(rack.temperature_sensor, rack.id, Quantity.TEMPERATURE)
        add(rack.humidity_sensor, rack.id, Quantity.HUMIDITY)
        add(rack.light_sensor, rack.id, Quantity.LIGHT)
    for tank in config.tanks.values():
        add(tank.ec_sensor, tank.id, Quantity.EC)
        add(tank.ph_sensor, tank.id, Quantity.PH)
        add(tank.temperature_sensor, tank.id, Quantity.TEMPERATURE)
        add(tank.level_sensor, tank.id, Quantity.LEVEL)
        add(tank.volume_sensor, tank.id, Quantity.VOLUME)
    for plant in config.plants.values():
        add(plant.moisture_sensor, plant.id, Quantity.MOISTURE)
    return {
        entity_id: Link(frozenset(subjects), quantity)
        for entity_id, (subjects, quantity) in roles.items()
    }


def _number(state: State | None) -> float | None:
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    try:
        value = float(state.state)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


class ReadingsLedger:
    """Every linked sensor's latest readings, in the farm's units."""

    def __init__(
        self,
        hass: HomeAssistant,
        config: FarmConfig,
        *,
        store: FarmStore,
        notices: RepairNotices,
        zone: Callable[[], tzinfo],
        changed: Callable[[set[str]], None],
        read: Callable[[set[str]], None],
    ) -> None:
        """Nothing is followed until `async_follow`.

        `changed` is told of subjects whose links changed, `read` of subjects
        that only have new readings.
        """
        self.hass = hass
        self.store = store
        self.notices = notices
        self._zone = zone
        self._changed = changed
        self._read = read
        self.config = config
        self._links: dict[str, Link] = {}
        self._driven: dict[str, set[str]] = {}
        self._readings: dict[str, ProbeReadings] = {}
        self._unavailable: set[str] = set()
        # A tank probe's expected next reading after a logged feeding: the
        # value the grower measured, or None for a fresh solution not measured.
        self._fed: dict[str, tuple[datetime, float | None]] = {}
        # Each light sensor's latest value kept in its racks' histories, and
        # the timer that keeps its value again when it has said nothing.
        self._light_kept: dict[str, datetime] = {}
        self._light_timers: dict[str, CALLBACK_TYPE] = {}
        self._missing: set[str] = set()
        self._unsub: CALLBACK_TYPE | None = None
        self._dli: dict[str, tuple[str, float | None]] = {}
        # Today's light of each rack: its window's start, the sums, readings added.
        self._light: dict[str, tuple[datetime, lighting.DliAccumulator, int]] = {}
        # Each tank's level readings in time order, with the unit and volume
        # they are read in (no log: readings out of order, worked through whole).
        self._level_logs: dict[
            str, tuple[tuple[tanks.LevelUnit, float], tanks.LevelLog | None]
        ] = {}
        # Each rack's closed days, with what they were read from, and as a
        # ledger of degree-days.
        self._days: dict[
            str, tuple[tuple[int, str, str] | None, tuple[phases.DayGDD, ...]]
        ] = {}
        self._gdd: dict[str, tuple[tuple[phases.DayGDD, ...], phases.GddLedger]] = {}
        self._solutions: dict[str, SolutionAgeAccumulator] = {}

    # --- Following --------------------------------------------------------------

    @callback
    def async_follow(self, config: FarmConfig) -> None:
        """Follow the sensors, lights and pumps of this configuration."""
        self.config = config
        links = _links(config)
        driven = config.driven_entities()
        changed_units = {
            entity_id
            for entity_id, link in links.items()
            if (old := self._links.get(entity_id)) is not None
            and old.quantity is not link.quantity
        }
        followed = links.keys() | driven.keys()
        unchanged = followed == self._links.keys() | self._driven.keys()
        self._links, self._driven = links, driven
        for entity_id in self._readings.keys() - links.keys() | changed_units:
            self._readings.pop(entity_id, None)
            self._fed.pop(entity_id, None)
            self.notices.async_set(self._issue("unit", entity_id), "unit", False)
        if not (unchanged and self._unsub is not None):
            self._async_unsubscribe()
            if followed:
                unsub_changes = async_track_state_change_event(
                    self.hass, list(followed), self._async_state_changed
                )
                unsub_reports = async_track_state_report_event(
                    self.hass, list(links), self._async_state_reported
                )

                def unsub_both() -> None:
                    unsub_changes()
                    unsub_reports()

                self._unsub = unsub_both
        for entity_id in links:
            if entity_id not in self._readings:
                self._async_take(entity_id, self.hass.states.get(entity_id))

    @callback
    def async_stop(self) -> None:
        """Stop following."""
        self._async_unsubscribe()
        for cancel in self._light_timers.values():
            cancel()
        self._light_timers.clear()

    @callback
    def _async_unsubscribe(self) -> None:
        if self._unsub is not None:
            self._unsub()
            self._unsub = None

    @callback
    def async_check_exist(self) -> None:
        """A repair notice for each linked or driven entity that does not exist."""
        wanted: set[str] = set()
        for entity_id, subjects in self._subjects().items():
            missing = self.hass.states.get(entity_id) is None and self._gone(entity_id)
            wanted.add(entity_id)
            self._async_set_missing(entity_id, subjects, missing)
        for entity_id in self._missing - wanted:
            self._async_set_missing(entity_id, set(), False)

    def _gone(self, entity_id: str) -> bool:
        """Whether an entity without a state will not get one: unknown or disabled.

        One known and enabled may still be starting (its integration loading).
        """
        entry = er.async_get(self.hass).async_get(entity_id)
        return entry is None or entry.disabled_by is not None

    def _subjects(self) -> dict[str, set[str]]:
        subjects = {
            entity_id: set(link.subjects) for entity_id, link in self._links.items()
        }
        for entity_id, racks in self._driven.items():
            subjects.setdefault(entity_id, set()).update(racks)
        return subjects

    @callback
    def _async_set_missing(
        self, entity_id: str, subjects: set[str], missing: bool
    ) -> None:
        was = entity_id in self._missing
        if missing:
            self._missing.add(entity_id)
        else:
            self._missing.discard(entity_id)
        self.notices.async_set(
            self._issue("missing_entity", entity_id),
            "missing_entity",
            missing,
            entity=entity_id,
            name=", ".join(
                sorted(self.config.name_of(subject) for subject in subjects)
            ),
        )
        if was != missing and entity_id in self._driven:
            self._changed(set(self._driven[entity_id]))

    def _issue(self, kind: str, entity_id: str) -> str:
        """The repair issue id of a problem with one linked entity."""
        return f"{kind}_{self.notices.entry_id}_{entity_id}"

    @property
    def linked(self) -> frozenset[str]:
        """The sensors linked to the farm's racks, tanks and plants."""
        return frozenset(self._links)

    @property
    def unavailable(self) -> frozenset[str]:
        """The linked sensors with no reading that can be used now."""
        return frozenset(self._unavailable & self._links.keys())

    @property
    def missing_entities(self) -> frozenset[str]:
        """The linked or driven entities known not to exist."""
        return frozenset(self._missing)

    def missing(self, entity_id: str | None) -> bool:
        """Whether a linked or driven entity is known not to exist."""
        return entity_id in self._missing

    # --- Readings ---------------------------------------------------------------

    @callback
    def _async_state_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        new_state = event.data["new_state"]
        if (new_state is None) != (entity_id in self._missing):
            if new_state is None:
                if self._gone(entity_id):
                    self._async_set_missing(
                        entity_id, self._subjects().get(entity_id, set()), True
                    )
            else:
                self._async_set_missing(entity_id, set(), False)
        if (link := self._links.get(entity_id)) is None:
            return  # a driven light or pump: only its existence matters here
        self._async_take(entity_id, new_state)
        self._read(set(link.subjects))

    @callback
    def _async_state_reported(self, event: Event[EventStateReportedData]) -> None:
        """The same value again: a second reading of it, and the probe alive.

        It becomes the latest reading and the one before it the previous, as
        a changed value would: a step change held back as a sudden jump is
        confirmed by the probe saying it again.
        """
        entity_id = event.data["entity_id"]
        readings = self._readings.get(entity_id)
        if readings is None or (latest := readings.latest) is None:
            return
        at = event.data["last_reported"]
        self._readings[entity_id] = ProbeReadings(
            latest=(at, latest[1]), previous=latest
        )
        if (link := self._links.get(entity_id)) is None:
            return
        if link.quantity is Quantity.LIGHT:
            if _due(self._light_kept.get(entity_id), at, LIGHT_REPORT_KEPT):
                self._async_keep_light(entity_id, link, at, latest[1])
                self._read(set(link.subjects))
        elif link.quantity in (Quantity.EC, Quantity.PH, Quantity.TEMPERATURE):
            tanks = {
                subject for subject in link.subjects if subject in self.config.tanks
            }
            if tanks:
                self._read(tanks)

    @callback
    def _async_take(self, entity_id: str, state: State | None) -> None:
        """Keep a sensor's latest two readings and feed its history."""
        link = self._links[entity_id]
        raw = _number(state)
        value: float | None = None
        percent = False
        if state is not None and raw is not None:
            unit = state.attributes.get("unit_of_measurement")
            try:
                value, percent = convert(link.quantity, raw, unit, state.attributes)
            except UnitError as err:
                self._async_unit_problem(entity_id, link, err.unit)
            else:
                self.notices.async_set(self._issue("unit", entity_id), "unit", False)
        held = self._readings.get(entity_id)
        previous = None if held is None else held.latest
        if state is None or value is None:
            if entity_id not in self._unavailable:
                self._unavailable.add(entity_id)
                _LOGGER.info("%s is unavailable; what depends on it is too", entity_id)
            self._readings[entity_id] = ProbeReadings(latest=None, previous=previous)
            return
        if entity_id in self._unavailable:
            self._unavailable.discard(entity_id)
            _LOGGER.info("%s is available again", entity_id)
        if entity_id in self._fed and (previous is None or previous[1] != value):
            # the first new value since a logged feeding: checked against it
            fed_at, fed_value = self._fed.pop(entity_id)
            previous = None if fed_value is None else (fed_at, fed_value)
        at = state.last_reported
        self._readings[entity_id] = ProbeReadings(latest=(at, value), previous=previous)
        if link.quantity is Quantity.LIGHT:
            self._async_keep_light(entity_id, link, at, value)
            return
        for subject in link.subjects:
            if link.quantity is Quantity.TEMPERATURE and subject in self.config.racks:
                self._async_note_temperature(subject, at, value)
            elif link.quantity is Quantity.TEMPERATURE:
                self._async_note_water_temperature(subject, at, value)
            elif link.quantity is Quantity.PH:
                self._async_note_ph(subject, at, value)
            elif link.quantity is Quantity.LEVEL:
                self._async_note_level(subject, at, value, percent)

    def _quantity_name(self, link: Link) -> str:
        """What a linked sensor measures, in words ("water temperature")."""
        if link.quantity is not Quantity.TEMPERATURE:
            return QUANTITY_NAMES[link.quantity]
        tanks = {subject in self.config.tanks for subject in link.subjects}
        if tanks == {True}:
            return "water temperature"
        return "air temperature" if tanks == {False} else "temperature"

    @callback
    def _async_unit_problem(self, entity_id: str, link: Link, unit: str) -> None:
        self.notices.async_set(
            self._issue("unit", entity_id),
            "unit",
            True,
            entity=entity_id,
            unit=unit,
            quantity=self._quantity_name(link),
            name=", ".join(
                sorted(self.config.name_of(subject) for subject in link.subjects)
            ),
        )

    @callback
    def async_note_feeding(
        self,
        tank_id: str,
        at: datetime,
        *,
        fresh: bool,
        ec: float | None = None,
        ph: float | None = None,
    ) -> None:
        """A logged feeding: what the tank's probes say next is judged by it.

        A value the grower measured is the newest known: the probe's next new
        reading is checked for a sudden jump against it, not against the
        reading before the feeding. A full change (`fresh`) logged without one
        leaves that reading unchecked for a jump (the solution is new; the
        plausible range still applies). A feeding logged for a time before
        the probe's latest reading changes nothing: the probe has read since.
        """
        tank = self.config.tanks[tank_id]
        for entity_id, value in ((tank.ec_sensor, ec), (tank.ph_sensor, ph)):
            if entity_id is None or (value is None and not fresh):
                continue
            held = self._readings.get(entity_id)
            if held is not None and held.latest is not None and held.latest[0] > at:
                continue
            self._fed[entity_id] = (at, value)

    def reading(self, entity_id: str | None) -> float | None:
        """The latest value of a linked sensor (None if unknown or unusable)."""
        if entity_id is None or (readings := self._readings.get(entity_id)) is None:
            return None
        return None if readings.latest is None else readings.latest[1]

    def readings(self, entity_id: str | None) -> ProbeReadings | None:
        """A probe's latest two readings (None if it is not linked)."""
        return None if entity_id is None else self._readings.get(entity_id)

    # --- What readings accumulate ----------------------------------------------

    @callback
    def _async_note_temperature(self, rack_id: str, at: datetime, value: float) -> None:
        state = self.store.state(rack_id)
        day = at.astimezone(self._zone()).date().isoformat()
        today = state.get("today")
        if today is None or today[0] != day:
            if today is not None:
                close_day(state, today)
            state["today"] = [day, value, value, 1]
        else:
            today[1] = min(today[1], value)
            today[2] = max(today[2], value)
            today[3] += 1
        self.store.async_schedule_save()

    @callback
    def _async_keep_light(
        self, entity_id: str, link: Link, at: datetime, ppfd: float
    ) -> None:
        """Keep a light reading in its racks' histories; hold it from here on."""
        for rack_id in link.subjects:
            self._async_note_ppfd(rack_id, at, ppfd)
        self._light_kept[entity_id] = at
        if entity_id not in self._light_timers:
            self._async_hold_light_after(entity_id, LIGHT_HELD_KEPT)

    @callback
    def _async_hold_light_after(self, entity_id: str, delay: timedelta) -> None:
        @callback
        def hold(now: datetime) -> None:
            del self._light_timers[entity_id]
            self._async_hold_light(entity_id, now)

        self._light_timers[entity_id] = async_call_later(self.hass, delay, hold)

    @callback
    def _async_hold_light(self, entity_id: str, now: datetime) -> None:
        """The light sensor said nothing: its value, if it has one, still holds."""
        link = self._links.get(entity_id)
        readings = self._readings.get(entity_id)
        if (
            link is None
            or link.quantity is not Quantity.LIGHT
            or readings is None
            or readings.latest is None
        ):
            self._light_kept.pop(entity_id, None)
            return  # unlinked or unavailable: nothing holds, the gap is unknown
        kept = self._light_kept.get(entity_id)
        if kept is not None and not _due(kept, now, LIGHT_HELD_KEPT):
            self._async_hold_light_after(entity_id, kept + LIGHT_HELD_KEPT - now)
            return  # reported since: wait for ten minutes of silence
        self._async_keep_light(entity_id, link, now, readings.latest[1])
        self._read(set(link.subjects))

    @callback
    def _async_note_ppfd(self, rack_id: str, at: datetime, ppfd: float) -> None:
        state = self.store.state(rack_id)
        day = at.astimezone(self._zone()).date().isoformat()
        if state.get("ppfd_day") != day:
            state["ppfd_day"] = day
            state["ppfd"] = []
        readings: list[list[Any]] = state["ppfd"]
        if readings and datetime.fromisoformat(readings[-1][0]) > at:
            # The clock was set back: the day's readings stay in time order,
            # and today's light is added up again from them.
            readings.insert(
                bisect_right(
                    readings, at, key=lambda item: datetime.fromisoformat(item[0])
                ),
                [at.isoformat(), ppfd],
            )
            self._light.pop(rack_id, None)
        else:
            readings.append([at.isoformat(), ppfd])
        self._dli.pop(rack_id, None)
        self.store.async_schedule_save()

    @callback
    def _async_note_level(
        self, tank_id: str, at: datetime, value: float, percent: bool
    ) -> None:
        stored = self.store.state(tank_id)
        levels: list[list[Any]] = stored.setdefault("levels", [])
        unit = "%" if percent else "L"
        if stored.get("level_unit") not in (None, unit):
            levels.clear()  # a history in another unit says nothing about this one
            self._level_logs.pop(tank_id, None)
        levels.append([at.isoformat(), value])
        held = self._level_logs.get(tank_id)
        if held is not None and held[1] is not None:
            try:
                held[1].add(at, value)
            except FarmError:  # not after the latest (a clock set back)
                self._level_logs[tank_id] = (held[0], None)
        stored["level_unit"] = unit
        self.store.queue_sample(
            "tank_level",
            tank_id,
            at,
            {"level_percent": value, "volume_l": self.config.tanks[tank_id].volume_l}
            if percent
            else {"level_l": value},
        )
        cutoff = (at - KEEP_LEVEL).isoformat()
        while levels and levels[0][0] < cutoff:
            levels.pop(0)
        self.store.async_schedule_save()

    @callback
    def _async_note_water_temperature(
        self, tank_id: str, at: datetime, value: float
    ) -> None:
        """Count the solution's life used since the last reading (O(1) per reading)."""
        solution = self.solution(tank_id)
        if solution is None:
            return  # no fill known yet: nothing ages
        try:
            solution.add(at, value)
        except FarmError:
            return  # not later than the last reading counted (a restart re-reads it)
        self.store.state(tank_id)["solution"] = solution.to_state()
        self.store.async_schedule_save()

    def solution(self, tank_id: str) -> SolutionAgeAccumulator | None:
        """The tank's solution life used since its last fill, if a fill is known."""
        solution = self._solutions.get(tank_id)
        if solution is None:
            stored = self.store.state(tank_id).get("solution")
            if stored is None:
                return None
            solution = SolutionAgeAccumulator.from_state(stored)
            self._solutions[tank_id] = solution
        return solution

    @callback
    def async_restart_solution(self, tank_id: str, filled_at: datetime) -> None:
        """A fresh solution: its life counts from the fill at the latest water temperature."""
        solution = SolutionAgeAccumulator(filled_at=filled_at)
        tank = self.config.tanks[tank_id]
        readings = self.readings(tank.temperature_sensor)
        if readings is not None and readings.latest is not None:
            solution.add(*readings.latest)
        self._solutions[tank_id] = solution
        self.store.state(tank_id)["solution"] = solution.to_state()

    @callback
    def _async_note_ph(self, tank_id: str, at: datetime, value: float) -> None:
        """Sample the pH each half hour over the last day and keep its drift per day."""
        if not 0 <= value <= 14:
            return  # a probe out of the water says nothing about the drift
        stored = self.store.state(tank_id)
        history: list[list[float]] = stored.setdefault("ph_history", [])
        stamp = at.timestamp()
        if history and stamp - history[-1][0] < PH_SAMPLE_S:
            return
        history.append([stamp, value])
        while history[0][0] < stamp - PH_WINDOW_S:
            history.pop(0)
        stored["ph_drift"] = chemistry.ph_drift_per_day(
            [(datetime.fromtimestamp(item[0], UTC), item[1]) for item in history]
        )
        self.store.async_schedule_save()

    @callback
    def async_close_days(self, day: str) -> None:
        """Midnight: yesterday's temperature extremes become a finished day."""
        for rack_id in self.config.racks:
            state = self.store.state(rack_id)
            today = state.get("today")
            if today is not None and today[0] != day:
                close_day(state, today)
                state.pop("today")
        self.store.async_schedule_save()

    def gdd_since(
        self, rack_id: str, base_temp_c: float, start_on: date
    ) -> float | None:
        """Degree-days on a rack since a day (completed days; None without any).

        Each rack's closed days go into one `GddLedger` when they change (at
        midnight), so a plant's GDD is two look-ups, not a walk over a year
        of days for every plant.
        """
        days = self.closed_days(rack_id)
        if not days or days[-1].on < start_on:
            return None  # no readings since then: go by days instead
        cached = self._gdd.get(rack_id)
        if cached is None or cached[0] is not days:
            cached = self._gdd[rack_id] = (days, phases.GddLedger(days))
        return cached[1].gdd(base_temp_c, start_on=start_on)

    def closed_days(self, rack_id: str) -> tuple[phases.DayGDD, ...]:
        """A rack's closed days (daily temperature extremes), oldest first.

        They change only at midnight: parsed once per rack and day, for the
        degree-days and for the seasons alike.
        """
        stored: list[list[Any]] = self.store.state(rack_id).get("days", [])
        key = (len(stored), stored[0][0], stored[-1][0]) if stored else None
        cached = self._days.get(rack_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        days = tuple(
            phases.DayGDD(
                on=date.fromisoformat(day[0]),
                t_min_c=float(day[1]),
                t_max_c=float(day[2]),
                readings=int(day[3]),
                gdd=0.0,
            )
            for day in stored
        )
        self._days[rack_id] = (key, days)
        return days

    def water_balance(
        self, tank: TankConfig, now: datetime
    ) -> tanks.WaterBalance | None:
        """A tank's water use from its level history; None without readings.

        Each level reading goes into the tank's `LevelLog` as it arrives, so
        the balance costs the same with a week of history as with a day's;
        it equals `water_balance` over the stored readings, which is what a
        history out of time order (a clock set back) is handed to instead.
        """
        stored = self.store.state(tank.id)
        levels: list[list[Any]] = stored.get("levels", [])
        if not levels:
            return None
        unit = (
            tanks.LevelUnit.PERCENT
            if stored.get("level_unit") == "%"
            else tanks.LevelUnit.LITRES
        )
        held = self._level_logs.get(tank.id)
        if held is None or held[0] != (unit, tank.volume_l):
            # first look since the start, or the tank's volume changed
            held = self._level_logs[tank.id] = (
                (unit, tank.volume_l),
                _level_log(levels, tank.volume_l, unit),
            )
        if held[1] is not None:
            try:
                return held[1].balance(now)
            except FarmError:  # a reading later than now: the clock was set back
                pass
        return tanks.water_balance(
            [(datetime.fromisoformat(at), value) for at, value in levels],
            now=now,
            volume_l=tank.volume_l,
            unit=unit,
        )

    def dli(self, rack_id: str, now: datetime, start_of_day: datetime) -> float | None:
        """Today's light integral so far; redone only when a PPFD reading arrives."""
        today = start_of_day.date().isoformat()
        cached = self._dli.get(rack_id)
        if cached is not None and cached[0] == today:
            return cached[1]
        stored = self.store.state(rack_id)
        dli = None
        if stored.get("ppfd") and stored.get("ppfd_day") == today:
            dli = self._light_so_far(rack_id, stored["ppfd"], start_of_day, now)
        self._dli[rack_id] = (today, dli)
        return dli

    def _light_so_far(
        self,
        rack_id: str,
        stored: list[list[Any]],
        start_of_day: datetime,
        now: datetime,
    ) -> float:
        """Today's DLI from the day's readings, each added once as it came.

        A `DliAccumulator` per rack takes the readings it has not seen yet,
        so a reading costs the same at dusk as at dawn; it equals
        `dli_from_readings` over the same readings.
        """
        sums = self._light.get(rack_id)
        if sums is None or sums[0] != start_of_day or sums[2] > len(stored):
            # a new day, or the day's readings were started again
            sums = (
                start_of_day,
                lighting.DliAccumulator(
                    start=start_of_day, end=start_of_day + timedelta(days=2)
                ),
                0,
            )
        accumulator = sums[1]
        try:
            for reading in _ppfd_readings(islice(stored, sums[2], None)):
                accumulator.add(reading)
            dli = accumulator.measurement(now).dli
        except FarmError:
            # readings out of order, or one later than now: integrate them all
            self._light.pop(rack_id, None)
            return lighting.dli_from_readings(
                list(_ppfd_readings(stored)), start=start_of_day, end=now
            ).dli
        self._light[rack_id] = (sums[0], accumulator, len(stored))
        return dli


def _due(kept: datetime | None, at: datetime, every: timedelta) -> bool:
    """Whether a reading at `at` is kept: `every` after the last (or before it)."""
    return kept is None or not timedelta(0) <= at - kept < every


def _ppfd_readings(stored: Iterable[list[Any]]) -> Iterator[lighting.PpfdReading]:
    """Stored PPFD readings ([ISO time, value]) as readings."""
    for at, value in stored:
        yield lighting.PpfdReading(at=datetime.fromisoformat(at), ppfd=value)


def _level_log(
    levels: list[list[Any]], volume_l: float, unit: tanks.LevelUnit
) -> tanks.LevelLog | None:
    """A level history as a log; None when it is not in time order."""
    log = tanks.LevelLog(volume_l=volume_l, unit=unit)
    try:
        for at, value in levels:
            log.add(datetime.fromisoformat(at), value)
    except FarmError:
        return None
    return log


def close_day(state: dict[str, Any], today: list[Any]) -> None:
    """Move a day's temperature extremes into the kept history."""
    days: list[list[Any]] = state.setdefault("days", [])
    days.append(today)
    del days[:-KEEP_DAYS]
