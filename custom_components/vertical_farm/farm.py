"""The live farm: configuration, linked sensors, timers, records and views.

Entities read views (views.py) from here and subscribe to the subjects they
show; the farm recomputes only the subjects an input touched and calls their
listeners. Nothing polls: linked sensors push state changes, and timers fire
at the instants something becomes due (midnight for day counters, the end of
a pre-harvest interval, a probe going stale).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta, tzinfo
from functools import partial
import logging
from typing import Any

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    EVENT_HOMEASSISTANT_STOP,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    EventStateReportedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_state_change_event,
    async_track_state_report_event,
    async_track_time_change,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .const import (
    CONF_RACK,
    CONF_TANK,
    CONF_USER_FERTILIZERS,
    CONF_USER_SPECIES,
    DOMAIN,
    EVENT_CARE_DUE,
    EVENT_HARVEST_BLOCKED,
    EVENT_PHASE_CHANGED,
    EVENT_TANK_ALERT,
    SUBENTRY_PLANT,
    SUBENTRY_RACK,
    SUBENTRY_TANK,
)
from .devices import async_sync_devices, async_unlink_children
from .driver import RackDriver, pump_stuck_issue_id
from .engine import care, lighting, phases, tanks
from .engine.errors import FarmError
from .engine.profiles import Library, Phase, Species, System, TankType
from .engine.safety import Treatment, safe_harvest
from .library import load_library, merge_user_entries
from .models import FarmSettings, PlantConfig, RackConfig, TankConfig
from .store import FarmStore
from .views import (
    PROBE_MAX_AGE,
    PhaseState,
    PlantInputs,
    PlantView,
    ProbeReadings,
    RackInputs,
    RackNeeds,
    RackView,
    TankInputs,
    TankNeeds,
    TankUpkeep,
    TankView,
    plant_view,
    plants_in_phase,
    rack_needs,
    rack_view,
    tank_needs,
    tank_upkeep,
    tank_view,
)

_LOGGER = logging.getLogger(__name__)

BUNDLED_LIBRARY: HassKey[Library] = HassKey(f"{DOMAIN}_library")
KEEP_DAYS = 400  # daily temperature extremes kept for GDD (a season and more)
KEEP_LEVEL = timedelta(days=8)  # level history kept for water use
CARE_HISTORY = 4  # confirmations kept per task for learning
# Tank alert hysteresis: an excursion starts past the first bound, ends inside the second.
EC_ALERT_START, EC_ALERT_END = 20.0, 15.0  # % from target
LEVEL_ALERT_END = 0.25  # fraction of volume
WATER_TEMP_MARGIN = 0.5  # C inside the limits before a temperature alert ends
PH_MARGIN = 0.1
# Subjects refreshed per event-loop turn at midnight: keeps each turn short
# (no loop block over 10 ms) on a 1,000-plant farm.
REFRESH_SLICE = 25

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
    plants_by_rack: dict[str, list[PlantConfig]] = field(default_factory=dict)
    racks_by_tank: dict[str, list[RackConfig]] = field(default_factory=dict)

    @classmethod
    def from_entry(cls, entry: ConfigEntry) -> FarmConfig:
        """Parse an entry and its subentries (and index who stands where)."""
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
        for plant in config.plants.values():
            if plant.rack in config.racks:
                config.plants_by_rack.setdefault(plant.rack, []).append(plant)
        for rack in config.racks.values():
            if rack.tank in config.tanks:
                config.racks_by_tank.setdefault(rack.tank, []).append(rack)
        return config


@dataclass(slots=True)
class FarmRuntime:
    """What a loaded farm entry holds (entry.runtime_data)."""

    library: Library
    store: FarmStore
    farm: Farm


@dataclass(frozen=True, kw_only=True, slots=True)
class CareItem:
    """One care task of one plant, as the care list shows it."""

    task_id: str  # "<plant subentry id>_<kind>"
    plant_id: str
    plant_name: str
    kind: care.CareKind
    due: date
    urgency: care.Urgency


def _parse_float(state: State | None) -> float | None:
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    try:
        return float(state.state)
    except ValueError:
        return None


class Farm:
    """One farm, live."""

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
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        self._activity: dict[str, list[Callable[[str, dict[str, Any]], None]]] = {}
        self._new_subentries: list[Callable[[set[str]], None]] = []
        self._views: dict[str, PlantView | RackView | TankView] = {}
        self._readings: dict[str, ProbeReadings] = {}
        self._links: dict[str, set[str]] = {}
        self._unavailable: set[str] = set()
        self._wakeups: dict[str, CALLBACK_TYPE] = {}
        self._unsub: list[CALLBACK_TYPE] = []
        self._unsub_links: CALLBACK_TYPE | None = None
        self._drivers: dict[str, RackDriver] = {}
        self._issues: set[str] = set()
        self._drivers_stopped = False
        # Caches of what changes only with a phase or the configuration.
        self._phases: dict[str, PhaseState | None] = {}
        self._needs: dict[str, RackNeeds | TankNeeds] = {}
        self._device_infos: dict[str, DeviceInfo] = {}
        self._wake_at: dict[str, datetime | None] = {}
        self._upkeep: dict[str, tuple[tuple[Any, ...], TankUpkeep]] = {}
        self._dli: dict[str, tuple[str, float | None]] = {}

    # --- Topology -------------------------------------------------------------

    @property
    def settings(self) -> FarmSettings:
        """The farm's own settings."""
        return self.config.settings

    @property
    def zone(self) -> tzinfo:
        """Home Assistant's time zone (light windows and days are local)."""
        return dt_util.get_default_time_zone()

    def device_info(self, subject_id: str) -> DeviceInfo:
        """The device of a subject, one shared object for all its entities."""
        info = self._device_infos.get(subject_id)
        if info is None:
            info = DeviceInfo(identifiers={(DOMAIN, subject_id)})
            self._device_infos[subject_id] = info
        return info

    def plants_on_rack(self, rack_id: str) -> list[PlantConfig]:
        """Plants standing on a rack."""
        return self.config.plants_by_rack.get(rack_id, [])

    def racks_on_tank(self, tank_id: str) -> list[RackConfig]:
        """Racks drinking from a tank."""
        return self.config.racks_by_tank.get(tank_id, [])

    def plants_on_tank(self, tank_id: str) -> list[PlantConfig]:
        """Plants fed from a tank (through their racks)."""
        return [
            plant
            for rack in self.racks_on_tank(tank_id)
            for plant in self.plants_on_rack(rack.id)
        ]

    def tank_of(self, plant: PlantConfig) -> TankConfig | None:
        """The tank a plant is fed from, if any."""
        rack = self.config.racks.get(plant.rack or "")
        return None if rack is None else self.config.tanks.get(rack.tank or "")

    def species_of(self, plant: PlantConfig) -> Species | None:
        """A plant's species, if it is in the library."""
        return self.library.species.get(plant.species or "")

    def _dependents(self, subject: str) -> set[str]:
        """A subject and everything whose view reads it."""
        affected = {subject, self.entry.entry_id}
        if (plant := self.config.plants.get(subject)) is not None:
            if plant.rack in self.config.racks:
                affected.add(plant.rack)
                if (tank := self.tank_of(plant)) is not None:
                    affected.add(tank.id)
        elif (rack := self.config.racks.get(subject)) is not None:
            affected |= {plant.id for plant in self.plants_on_rack(subject)}
            if rack.tank in self.config.tanks:
                affected.add(rack.tank)
        return affected

    # --- Lifecycle ------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Sync devices, follow linked sensors and start the day timer."""
        self.async_sync_devices()
        self._async_follow_links()
        self._unsub.append(
            async_track_time_change(
                self.hass, self._async_new_day, hour=0, minute=0, second=0
            )
        )
        self._async_catch_up(dt_util.now())
        self._async_sync_drivers()

        @callback
        def _started(_hass: HomeAssistant) -> None:
            # Linked entities may appear late while Home Assistant starts.
            self._async_check_links_exist()

        self._unsub.append(async_at_started(self.hass, _started))

        async def _async_hass_stopping(_event: Event) -> None:
            # HA stop does not unload entries: put pumps in their safe state here.
            self._unsub.remove(unsub_stop)  # fired: nothing left to unsubscribe
            await self.async_stop_drivers()

        unsub_stop = self.hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, _async_hass_stopping
        )
        self._unsub.append(unsub_stop)

    @callback
    def async_stop(self) -> None:
        """Stop every listener and timer this farm started."""
        for unsub in (*self._unsub, *self._wakeups.values()):
            unsub()
        self._unsub.clear()
        self._wakeups.clear()
        if self._unsub_links is not None:
            self._unsub_links()
            self._unsub_links = None

    @callback
    def async_sync_devices(self) -> None:
        """Create or update the hub and one device per subentry."""
        async_sync_devices(
            self.hass,
            self.entry,
            settings=self.settings,
            racks=self.config.racks,
            tanks=self.config.tanks,
            plants=self.config.plants,
            library=self.library,
        )

    @callback
    def async_config_changed(self) -> None:
        """Follow an entry update: parse again, tidy links, sync devices, refresh."""
        old = self.config
        # Where each plant stood under the old settings (a settings edit of the
        # phase is then recorded as a move from there).
        new = FarmConfig.from_entry(self.entry)
        if new == old:
            return  # a state-only update of the entry (e.g. it finished loading)
        old_phases = {plant_id: self.phase_state(plant_id) for plant_id in old.plants}
        self.config = new
        self._phases.clear()
        self._needs.clear()
        added = (
            self.config.racks.keys()
            | self.config.tanks.keys()
            | self.config.plants.keys()
        ) - (old.racks.keys() | old.tanks.keys() | old.plants.keys())
        removed_racks = old.racks.keys() - self.config.racks.keys()
        removed_tanks = old.tanks.keys() - self.config.tanks.keys()
        removed = (
            removed_racks
            | removed_tanks
            | (old.plants.keys() - self.config.plants.keys())
        )
        for rack_id in removed_racks:
            ir.async_delete_issue(self.hass, DOMAIN, pump_stuck_issue_id(rack_id))
        for subject in removed:
            self._views.pop(subject, None)
            self._listeners.pop(subject, None)
            if (unsub := self._wakeups.pop(subject, None)) is not None:
                unsub()
        if removed:
            self.entry.async_create_task(
                self.hass, self.store.async_forget(removed), "forget removed"
            )
        for plant_id, plant in self.config.plants.items():
            before = old.plants.get(plant_id)
            if before is not None and before.phase != plant.phase and plant.phase:
                stored = self.store.state(plant_id)
                if "phase" not in stored and (was := old_phases[plant_id]) is not None:
                    stored["phase"] = str(was.phase)
                    stored["phase_started"] = was.started_on.isoformat()
                self.entry.async_create_task(
                    self.hass,
                    self._async_apply_phase(
                        plant_id, plant.phase, dt_util.now(), "edited"
                    ),
                    "phase edited",
                )
        self.async_sync_devices()
        self._async_follow_links()
        self._async_sync_drivers()
        if self.hass.is_running:
            self._async_check_links_exist()
        changed = {
            key
            for key in self.config.racks.keys()
            | self.config.tanks.keys()
            | self.config.plants.keys()
            if key not in added
            and (old.racks.get(key), old.tanks.get(key), old.plants.get(key))
            != (
                self.config.racks.get(key),
                self.config.tanks.get(key),
                self.config.plants.get(key),
            )
        }
        touched: set[str] = set()
        for key in changed:
            touched |= self._dependents(key)
        self._async_changed(touched | {self.entry.entry_id})
        async_unlink_children(
            self.hass,
            self.entry,
            farm_name=self.settings.name,
            removed=[(key, old.racks[key].name) for key in removed_racks],
            child_type=SUBENTRY_PLANT,
            link_key=CONF_RACK,
        )
        async_unlink_children(
            self.hass,
            self.entry,
            farm_name=self.settings.name,
            removed=[(key, old.tanks[key].name) for key in removed_tanks],
            child_type=SUBENTRY_RACK,
            link_key=CONF_TANK,
        )
        if added:
            for add in self._new_subentries:
                add(added)

    @callback
    def async_on_new_subentries(self, add: Callable[[set[str]], None]) -> CALLBACK_TYPE:
        """Let a platform add entities for racks, tanks and plants added later."""
        self._new_subentries.append(add)
        return lambda: self._new_subentries.remove(add)

    # --- Listeners ------------------------------------------------------------

    @callback
    def async_listen(self, subject: str, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `update` whenever the view of `subject` may have changed."""
        self._listeners.setdefault(subject, []).append(update)
        return partial(self._async_unlisten, subject, update)

    @callback
    def _async_unlisten(self, subject: str, update: Callable[[], None]) -> None:
        listeners = self._listeners.get(subject, [])
        if update in listeners:
            listeners.remove(update)

    @callback
    def async_listen_activity(
        self, plant_id: str, handle: Callable[[str, dict[str, Any]], None]
    ) -> CALLBACK_TYPE:
        """Call `handle(event_type, data)` on each thing that happens to a plant."""
        handlers = self._activity.setdefault(plant_id, [])
        handlers.append(handle)
        return lambda: handlers.remove(handle)

    @callback
    def _async_activity(
        self, plant_id: str, event_type: str, data: dict[str, Any]
    ) -> None:
        for handle in list(self._activity.get(plant_id, ())):
            handle(event_type, data)

    @callback
    def _async_changed(self, subjects: Iterable[str]) -> None:
        """Forget the views of these subjects and tell their entities."""
        subjects = set(subjects)
        for subject in subjects:
            self._views.pop(subject, None)
        for subject in subjects:
            for update in list(self._listeners.get(subject, ())):
                update()
        for subject in subjects:
            if subject in self.config.tanks:
                self._async_check_tank_alerts(subject)
                tank_view = self.tank_view(subject)
                self._async_issue(
                    f"tank_conflict_{subject}",
                    "tank_conflict",
                    tank_view.conflict,
                    name=self.config.tanks[subject].name,
                    plants=", ".join(
                        sorted(
                            {
                                self.config.plants[plant_id].name
                                for conflict in tank_view.compatibility.conflicts
                                for group in (conflict.lower, conflict.higher)
                                for plant_id in group.plant_ids
                                if plant_id in self.config.plants
                            }
                        )
                    ),
                )
            elif subject in self.config.racks:
                plan = self.rack_view(subject).light_plan
                self._async_issue(
                    f"light_conflict_{subject}",
                    "light_conflict",
                    plan is not None and not plan.compatible,
                    name=self.config.racks[subject].name,
                    plants=", ".join(
                        sorted(
                            self.config.plants[conflict.plant_id].name
                            for conflict in (plan.conflicts if plan else ())
                            if conflict.plant_id in self.config.plants
                        )
                    ),
                )
            elif subject in self.config.plants:
                self._async_schedule_plant_wakeup(subject)

    @callback
    def _async_issue(
        self, issue_id: str, translation_key: str, active: bool, **placeholders: str
    ) -> None:
        """Raise a repair issue while a problem lasts; remove it when it is gone."""
        if active and issue_id not in self._issues:
            self._issues.add(issue_id)
            ir.async_create_issue(
                self.hass,
                DOMAIN,
                issue_id,
                is_fixable=False,
                severity=ir.IssueSeverity.WARNING,
                translation_key=translation_key,
                translation_placeholders={"farm": self.settings.name, **placeholders},
            )
        elif not active and issue_id in self._issues:
            self._issues.discard(issue_id)
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    @callback
    def _async_check_links_exist(self) -> None:
        """A repair issue for each linked entity that does not exist (any more)."""
        registry = er.async_get(self.hass)
        names = {
            subject: config.name
            for configs in (self.config.racks, self.config.tanks, self.config.plants)
            for subject, config in configs.items()
        }
        wanted = set()
        for entity_id, subjects in self._links.items():
            missing = (
                self.hass.states.get(entity_id) is None
                and registry.async_get(entity_id) is None
            )
            issue_id = f"missing_entity_{self.entry.entry_id}_{entity_id}"
            wanted.add(issue_id)
            self._async_issue(
                issue_id,
                "missing_entity",
                missing,
                entity=entity_id,
                name=", ".join(sorted(names[subject] for subject in subjects)),
            )
        for issue_id in [
            issue for issue in self._issues if issue.startswith("missing_entity_")
        ]:
            if issue_id not in wanted:
                self._async_issue(issue_id, "missing_entity", False)

    # --- Linked sensors -------------------------------------------------------

    def _linked_entities(self) -> dict[str, set[str]]:
        links: dict[str, set[str]] = {}
        for rack in self.config.racks.values():
            for entity_id in (
                rack.temperature_sensor,
                rack.humidity_sensor,
                rack.light_sensor,
            ):
                if entity_id:
                    links.setdefault(entity_id, set()).add(rack.id)
        for tank in self.config.tanks.values():
            for entity_id in (
                tank.ec_sensor,
                tank.ph_sensor,
                tank.temperature_sensor,
                tank.level_sensor,
            ):
                if entity_id:
                    links.setdefault(entity_id, set()).add(tank.id)
        for plant in self.config.plants.values():
            if plant.moisture_sensor:
                links.setdefault(plant.moisture_sensor, set()).add(plant.id)
        return links

    @callback
    def _async_follow_links(self) -> None:
        """Subscribe to every linked sensor; read their current states."""
        links = self._linked_entities()
        if links.keys() == self._links.keys() and self._unsub_links is not None:
            self._links = links
            return
        if self._unsub_links is not None:
            self._unsub_links()
            self._unsub_links = None
        self._links = links
        if links:
            unsub_changes = async_track_state_change_event(
                self.hass, list(links), self._async_linked_state_changed
            )
            unsub_reports = async_track_state_report_event(
                self.hass, list(links), self._async_linked_state_reported
            )

            def unsub_both() -> None:
                unsub_changes()
                unsub_reports()

            self._unsub_links = unsub_both
        for entity_id in links:
            if entity_id not in self._readings:
                self._async_take_reading(entity_id, self.hass.states.get(entity_id))

    @callback
    def _async_linked_state_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        if event.data["new_state"] is not None:
            self._async_issue(
                f"missing_entity_{self.entry.entry_id}_{entity_id}",
                "missing_entity",
                False,
            )
        self._async_take_reading(entity_id, event.data["new_state"])
        touched: set[str] = set()
        for subject in self._links.get(entity_id, ()):
            touched.add(subject)
        self._async_changed(touched)

    @callback
    def _async_linked_state_reported(
        self, event: Event[EventStateReportedData]
    ) -> None:
        """The same value again: the probe is alive; only staleness can change."""
        entity_id = event.data["entity_id"]
        readings = self._readings.get(entity_id)
        if readings is None or readings.latest is None:
            return
        self._readings[entity_id] = replace(
            readings, latest=(event.data["last_reported"], readings.latest[1])
        )
        stale = {
            subject
            for subject in self._links.get(entity_id, ())
            if subject in self.config.tanks and self.tank_view(subject).stale_probes
        }
        if stale:
            self._async_changed(stale)

    @callback
    def _async_take_reading(self, entity_id: str, state: State | None) -> None:
        """Keep a linked sensor's latest two readings and its derived history."""
        value = _parse_float(state)
        if state is None or value is None:
            if entity_id not in self._unavailable:
                self._unavailable.add(entity_id)
                _LOGGER.info("%s is unavailable; what depends on it is too", entity_id)
            self._readings[entity_id] = ProbeReadings(
                latest=None,
                previous=self._readings.get(entity_id, ProbeReadings()).latest,
            )
            return
        if entity_id in self._unavailable:
            self._unavailable.discard(entity_id)
            _LOGGER.info("%s is available again", entity_id)
        at = state.last_reported
        previous = self._readings.get(entity_id, ProbeReadings()).latest
        self._readings[entity_id] = ProbeReadings(latest=(at, value), previous=previous)
        for subject in self._links.get(entity_id, ()):
            if (rack := self.config.racks.get(subject)) is not None:
                if entity_id == rack.temperature_sensor:
                    self._async_note_temperature(rack.id, at, value)
                elif entity_id == rack.light_sensor:
                    unit = state.attributes.get("unit_of_measurement")
                    ppfd = (
                        lighting.ppfd_from_lux(
                            value, lighting.LightSource.LED_FULL_SPECTRUM
                        )
                        if unit == "lx"
                        else value
                    )
                    self._async_note_ppfd(rack.id, at, ppfd)
            elif (
                tank := self.config.tanks.get(subject)
            ) is not None and entity_id == tank.level_sensor:
                self._async_note_level(tank.id, at, value, state)

    def reading(self, entity_id: str | None) -> float | None:
        """The latest value of a linked sensor (None if unknown or unavailable)."""
        if entity_id is None or (readings := self._readings.get(entity_id)) is None:
            return None
        return None if readings.latest is None else readings.latest[1]

    @callback
    def _async_note_temperature(self, rack_id: str, at: datetime, value: float) -> None:
        state = self.store.state(rack_id)
        day = at.astimezone(self.zone).date().isoformat()
        today = state.get("today")
        if today is None or today[0] != day:
            if today is not None:
                self._close_day(state, today)
            state["today"] = [day, value, value, 1]
        else:
            today[1] = min(today[1], value)
            today[2] = max(today[2], value)
            today[3] += 1
        self.store.async_schedule_save()

    @staticmethod
    def _close_day(state: dict[str, Any], today: list[Any]) -> None:
        days: list[list[Any]] = state.setdefault("days", [])
        days.append(today)
        del days[:-KEEP_DAYS]

    @callback
    def _async_note_ppfd(self, rack_id: str, at: datetime, ppfd: float) -> None:
        state = self.store.state(rack_id)
        day = at.astimezone(self.zone).date().isoformat()
        if state.get("ppfd_day") != day:
            state["ppfd_day"] = day
            state["ppfd"] = []
        state["ppfd"].append([at.isoformat(), ppfd])
        self._dli.pop(rack_id, None)
        self.store.async_schedule_save()

    @callback
    def _async_note_level(
        self, tank_id: str, at: datetime, value: float, state: State
    ) -> None:
        stored = self.store.state(tank_id)
        levels: list[list[Any]] = stored.setdefault("levels", [])
        levels.append([at.isoformat(), value])
        stored["level_unit"] = state.attributes.get("unit_of_measurement")
        cutoff = (at - KEEP_LEVEL).isoformat()
        while levels and levels[0][0] < cutoff:
            levels.pop(0)
        self.store.async_schedule_save()

    # --- Phases ---------------------------------------------------------------

    def phase_state(self, plant_id: str) -> PhaseState | None:
        """Where a plant is in its cycle."""
        if plant_id in self._phases:
            return self._phases[plant_id]
        state = self._read_phase_state(plant_id)
        self._phases[plant_id] = state
        return state

    def _read_phase_state(self, plant_id: str) -> PhaseState | None:
        plant = self.config.plants[plant_id]
        stored = self.store.state(plant_id)
        if "phase" in stored:
            return PhaseState(
                phase=Phase(stored["phase"]),
                started_on=date.fromisoformat(stored["phase_started"]),
                cycle=int(stored.get("cycle", 1)),
            )
        species = self.species_of(plant)
        phase = plant.phase or (species.sequence[0] if species is not None else None)
        if phase is None:
            return None
        return PhaseState(phase=phase, started_on=plant.planted)

    def gdd_so_far(self, plant_id: str) -> float | None:
        """Degree-days since the plant's phase started (completed days)."""
        plant = self.config.plants[plant_id]
        rack = self.config.racks.get(plant.rack or "")
        species = self.species_of(plant)
        state = self.phase_state(plant_id)
        if (
            rack is None
            or rack.temperature_sensor is None
            or species is None
            or state is None
        ):
            return None
        stored_days = self.store.state(rack.id).get("days", ())
        if not stored_days or stored_days[-1][0] < state.started_on.isoformat():
            return None  # no readings since the phase began: go by days instead
        days = [
            phases.DayGDD(
                on=date.fromisoformat(day[0]),
                t_min_c=day[1],
                t_max_c=day[2],
                readings=day[3],
                gdd=0.0,
            )
            for day in stored_days
        ]
        return phases.gdd_from_days(
            days, species.base_temp_c, start_on=state.started_on
        )

    async def async_set_phase(
        self,
        plant_id: str,
        phase: Phase,
        *,
        force: bool = False,
        at: datetime | None = None,
    ) -> tuple[Phase, Phase]:
        """Move a plant to a phase through the phase rules; returns (from, to).

        Raises:
            FarmError: the move is not allowed (`transition_backward`, ...).
        """
        plant = self.config.plants[plant_id]
        species = self.species_of(plant)
        state = self.phase_state(plant_id)
        if species is None or state is None:
            raise FarmError("unknown_species", species=plant.species or "")
        result = phases.permitted_transition(
            species, state.phase, phase, cycle=state.cycle, force=force
        )
        cycle = state.cycle + (
            1 if result.reason == phases.TransitionReason.CYCLE_RESTART else 0
        )
        await self._async_apply_phase(
            plant_id, phase, at or dt_util.now(), "set", cycle=cycle
        )
        return state.phase, phase

    async def _async_apply_phase(
        self,
        plant_id: str,
        phase: Phase,
        at: datetime,
        how: str,
        *,
        cycle: int | None = None,
    ) -> None:
        plant = self.config.plants[plant_id]
        before = self.phase_state(plant_id)
        from_phase = before.phase if before is not None else None
        if from_phase == phase:
            return
        stored = self.store.state(plant_id)
        self._phases.pop(plant_id, None)
        for subject in self._dependents(plant_id):
            self._needs.pop(subject, None)
        stored["phase"] = str(phase)
        stored["phase_started"] = at.astimezone(self.zone).date().isoformat()
        stored["cycle"] = (
            cycle if cycle is not None else (before.cycle if before else 1)
        )
        data = {"from_phase": from_phase, "to_phase": str(phase), "how": how}
        await self.store.async_record("phase_changed", plant_id, at, data)
        self.hass.bus.async_fire(
            EVENT_PHASE_CHANGED,
            {
                "plant_id": plant_id,
                "name": plant.name,
                "from_phase": from_phase,
                "to_phase": str(phase),
            },
        )
        self._async_activity(plant_id, "phase_changed", data)
        self._async_changed(self._dependents(plant_id))

    @callback
    def _async_catch_up(self, now: datetime) -> None:
        """Advance every plant whose phase is complete (GDD or days)."""
        today = now.astimezone(self.zone).date()
        for plant_id in list(self.config.plants):
            view = self.plant_view(plant_id)
            if (
                view.advance is not None
                and view.advance.advance
                and view.advance.to_phase
            ):
                state = self.phase_state(plant_id)
                cycle = (state.cycle if state else 1) + (
                    1 if view.advance.restarts_cycle else 0
                )
                self.entry.async_create_task(
                    self.hass,
                    self._async_apply_phase(
                        plant_id, view.advance.to_phase, now, "automatic", cycle=cycle
                    ),
                    "advance phase",
                )
        self._async_fire_care_due(today)

    @callback
    def _async_new_day(self, now: datetime) -> None:
        """Midnight: close yesterday's temperatures, refresh every view, advance phases."""
        day = now.astimezone(self.zone).date().isoformat()
        for rack_id in self.config.racks:
            state = self.store.state(rack_id)
            today = state.get("today")
            if today is not None and today[0] != day:
                self._close_day(state, today)
                state.pop("today")
        self.store.async_schedule_save()
        self.entry.async_create_background_task(
            self.hass, self._async_refresh_all(now), "vertical_farm new day"
        )

    async def _async_refresh_all(self, now: datetime) -> None:
        """Refresh every view in slices, yielding to the event loop between them."""
        subjects = [*self.config.racks, *self.config.tanks, *self.config.plants]
        for start in range(0, len(subjects), REFRESH_SLICE):
            self._async_changed(subjects[start : start + REFRESH_SLICE])
            await asyncio.sleep(0)
        self._async_changed({self.entry.entry_id})
        self._async_catch_up(now)

    # --- Views ----------------------------------------------------------------

    def plant_view(self, plant_id: str) -> PlantView:
        """The plant's current view (computed once per change)."""
        view = self._views.get(plant_id)
        if isinstance(view, PlantView):
            return view
        plant = self.config.plants[plant_id]
        species = self.species_of(plant)
        preset = self.library.care_presets.get(
            plant.care_preset or (species.care_preset if species else "")
        )
        tank = self.tank_of(plant)
        now = dt_util.now()
        computed = plant_view(
            PlantInputs(
                config=plant,
                species=species,
                preset=preset,
                state=self.phase_state(plant_id),
                gdd_so_far=self.gdd_so_far(plant_id),
                care_state=self._care_tasks(plant, preset),
                treatments=self.treatments(plant_id),
                # Roots in a recirculating or hydroponic solution are never "watered".
                recirculating=tank is not None
                and (
                    tank.tank_type is TankType.RECIRCULATION
                    or tank.system is System.HYDRO
                ),
                moisture=self.reading(plant.moisture_sensor),
            ),
            now=now,
            today=now.astimezone(self.zone).date(),
            hemisphere=self.settings.hemisphere,
        )
        self._views[plant_id] = computed
        return computed

    def rack_view(self, rack_id: str) -> RackView:
        """The rack's current view."""
        view = self._views.get(rack_id)
        if isinstance(view, RackView):
            return view
        rack = self.config.racks[rack_id]
        stored = self.store.state(rack_id)
        dli = self._rack_dli(rack, stored) if rack.light_sensor else None
        computed = rack_view(
            RackInputs(
                config=rack,
                needs=self._rack_needs(rack_id),
                temperature=self.reading(rack.temperature_sensor),
                humidity=self.reading(rack.humidity_sensor),
                dli=dli,
            ),
            now=dt_util.now(),
            zone=self.zone,
        )
        self._views[rack_id] = computed
        return computed

    def tank_view(self, tank_id: str) -> TankView:
        """The tank's current view."""
        view = self._views.get(tank_id)
        if isinstance(view, TankView):
            return view
        tank = self.config.tanks[tank_id]
        stored = self.store.state(tank_id)
        now = dt_util.now()
        computed = tank_view(
            TankInputs(
                config=tank,
                needs=self._tank_needs(tank_id),
                target_ph=stored.get("target_ph"),
                ec=self._readings.get(tank.ec_sensor or ""),
                ph=self._readings.get(tank.ph_sensor or ""),
                temperature=self._readings.get(tank.temperature_sensor or ""),
                upkeep=self._tank_upkeep(tank, stored, now),
            ),
            now=now,
        )
        self._views[tank_id] = computed
        self._async_schedule_tank_wakeup(tank_id, computed)
        return computed

    def _rack_dli(self, rack: RackConfig, stored: dict[str, Any]) -> float | None:
        """Today's light integral so far; redone only when a PPFD reading arrives."""
        now = dt_util.now()
        today = now.astimezone(self.zone).date().isoformat()
        cached = self._dli.get(rack.id)
        if cached is not None and cached[0] == today:
            return cached[1]
        dli = None
        if stored.get("ppfd") and stored.get("ppfd_day") == today:
            readings = [
                lighting.PpfdReading(at=datetime.fromisoformat(at), ppfd=value)
                for at, value in stored["ppfd"]
            ]
            dli = lighting.dli_from_readings(
                readings, start=dt_util.start_of_local_day(now), end=now
            ).dli
        self._dli[rack.id] = (today, dli)
        return dli

    def _tank_upkeep(
        self, tank: TankConfig, stored: dict[str, Any], now: datetime
    ) -> TankUpkeep:
        """Water use, solution age and chores, redone when their inputs change.

        Otherwise at most once a minute: they move slowly.
        """
        since = stored.setdefault("since", now.isoformat())
        done: dict[str, str] = stored.get("maintenance", {})
        levels: list[list[Any]] = stored.get("levels", [])
        key = (
            len(levels),
            levels[-1][0] if levels else None,
            stored.get("level_unit"),
            stored.get("filled_at"),
            tuple(sorted(done.items())),
            now.replace(second=0, microsecond=0),
        )
        cached = self._upkeep.get(tank.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        upkeep = tank_upkeep(
            tank,
            level_history=[(datetime.fromisoformat(at), value) for at, value in levels],
            level_percent=stored.get("level_unit") == "%",
            filled_at=datetime.fromisoformat(stored["filled_at"])
            if "filled_at" in stored
            else None,
            maintenance=[
                tanks.MaintenanceTask(
                    kind=kind,
                    interval_days=interval,
                    last_done=datetime.fromisoformat(done.get(kind, since)),
                )
                for kind, interval in tanks.DEFAULT_MAINTENANCE_INTERVAL_DAYS.items()
            ],
            now=now,
        )
        self._upkeep[tank.id] = (key, upkeep)
        return upkeep

    def _rack_needs(self, rack_id: str) -> RackNeeds:
        needs = self._needs.get(rack_id)
        if not isinstance(needs, RackNeeds):
            needs = rack_needs(
                self.config.racks[rack_id],
                self._plants_in_phase(self.plants_on_rack(rack_id)),
            )
            self._needs[rack_id] = needs
        return needs

    def _tank_needs(self, tank_id: str) -> TankNeeds:
        needs = self._needs.get(tank_id)
        if not isinstance(needs, TankNeeds):
            needs = tank_needs(
                self.config.tanks[tank_id],
                self._plants_in_phase(self.plants_on_tank(tank_id)),
                self.settings.tap_ec,
            )
            self._needs[tank_id] = needs
        return needs

    def _plants_in_phase(
        self, plants: Iterable[PlantConfig]
    ) -> list[lighting.PlantInPhase]:
        plants = list(plants)
        states = {
            plant.id: state
            for plant in plants
            if (state := self.phase_state(plant.id)) is not None
        }
        return plants_in_phase(plants, self.library.species, states)

    def treatments(self, plant_id: str) -> tuple[Treatment, ...]:
        """Treatments applied since the plant's last final harvest."""
        result: list[Treatment] = []
        for record in self.store.records(plant_id, ("treated", "harvested")):
            if record["kind"] == "harvested":
                if record["data"].get("final"):
                    result.clear()
                continue
            data = record["data"]
            result.append(
                Treatment(
                    product=str(data["product"]),
                    active_ingredient=str(data.get("active_ingredient") or ""),
                    interval_days=float(data["interval_days"]),
                    applied=datetime.fromisoformat(record["at"]),
                )
            )
        return tuple(result)

    # --- Care -----------------------------------------------------------------

    def _care_tasks(
        self, plant: PlantConfig, preset: Any
    ) -> dict[care.CareKind, care.CareTask]:
        if preset is None:
            return {}
        stored: dict[str, dict[str, Any]] = self.store.state(plant.id).get("care", {})
        tasks = care.care_tasks(
            preset,
            started=plant.planted,
            last_done={
                care.CareKind(kind): date.fromisoformat(item["last_done"])
                for kind, item in stored.items()
                if item.get("last_done")
            },
            snoozed_until={
                care.CareKind(kind): date.fromisoformat(item["snoozed_until"])
                for kind, item in stored.items()
                if item.get("snoozed_until")
            },
            learned_interval_days={
                care.CareKind(kind): float(item["learned"])
                for kind, item in stored.items()
                if item.get("learned") is not None
            },
        )
        return {task.kind: task for task in tasks}

    def care_items(self) -> list[CareItem]:
        """Every plant's care tasks, soonest first."""
        items = [
            CareItem(
                task_id=f"{plant_id}_{task.kind}",
                plant_id=plant_id,
                plant_name=plant.name,
                kind=task.kind,
                due=task.due,
                urgency=task.urgency,
            )
            for plant_id, plant in self.config.plants.items()
            for task in self.plant_view(plant_id).care
        ]
        return sorted(items, key=lambda item: (item.due, item.plant_name, item.kind))

    def parse_task_id(self, task_id: str) -> tuple[str, care.CareKind]:
        """Split a care task id into plant id and kind.

        Raises:
            FarmError: `unknown_task` when it names no task of this farm.
        """
        plant_id, _, kind = task_id.partition("_")
        if plant_id not in self.config.plants or kind not in care.CareKind:
            raise FarmError("unknown_task", task_id=task_id)
        return plant_id, care.CareKind(kind)

    async def async_complete_care(
        self, plant_ids: Iterable[str], kind: care.CareKind, on: date
    ) -> None:
        """Confirm a care task for plants: the next one is planned and learning moves."""
        hemisphere = self.settings.hemisphere
        touched: set[str] = set()
        for plant_id in plant_ids:
            plant = self.config.plants[plant_id]
            species = self.species_of(plant)
            preset = self.library.care_presets.get(
                plant.care_preset or (species.care_preset if species else "")
            )
            task = self._care_tasks(plant, preset).get(kind)
            stored = self.store.state(plant_id).setdefault("care", {})
            item = stored.setdefault(str(kind), {})
            history = [date.fromisoformat(day) for day in item.get("history", [])]
            if task is not None:
                confirmed = care.confirm_task(
                    task, on, history=history, hemisphere=hemisphere
                )
                item["learned"] = confirmed.learned_interval_days
            item["last_done"] = on.isoformat()
            item["snoozed_until"] = None
            item["history"] = [*[day.isoformat() for day in history], on.isoformat()][
                -CARE_HISTORY:
            ]
            touched |= {plant_id, self.entry.entry_id}
        await self.store.async_save_now()
        self._async_changed(touched)

    async def async_snooze_care(
        self, plant_id: str, kind: care.CareKind, until: date
    ) -> None:
        """Put a care task off until a date."""
        stored = self.store.state(plant_id).setdefault("care", {})
        stored.setdefault(str(kind), {})["snoozed_until"] = until.isoformat()
        await self.store.async_save_now()
        self._async_changed({plant_id, self.entry.entry_id})

    @callback
    def _async_fire_care_due(self, today: date) -> None:
        """Tell automations about tasks that became due, once per task and date."""
        for item in self.care_items():
            if item.urgency not in (care.Urgency.TODAY, care.Urgency.OVERDUE):
                continue
            notified = self.store.state(item.plant_id).setdefault("care_notified", {})
            if notified.get(str(item.kind)) == item.due.isoformat():
                continue
            notified[str(item.kind)] = item.due.isoformat()
            self.hass.bus.async_fire(
                EVENT_CARE_DUE,
                {
                    "task_id": item.task_id,
                    "plant_id": item.plant_id,
                    "kind": str(item.kind),
                    "due": item.due.isoformat(),
                },
            )
        self.store.async_schedule_save()

    # --- Records --------------------------------------------------------------

    async def async_log_watering(
        self, plant_ids: Iterable[str], at: datetime, volume_l: float | None = None
    ) -> None:
        """Record a watering of plants; it also confirms their watering task."""
        plant_ids = list(plant_ids)
        data = {} if volume_l is None else {"volume_l": volume_l}
        await self.store.async_record_many(
            ("watered", plant_id, at, data) for plant_id in plant_ids
        )
        for plant_id in plant_ids:
            self._async_activity(plant_id, "watered", data)
        await self.async_complete_care(
            plant_ids, care.CareKind.WATER, at.astimezone(self.zone).date()
        )

    async def async_log_water_change(self, tank_id: str, at: datetime) -> None:
        """Record a full change of a tank's solution (age and schedule restart)."""
        await self.async_log_feeding(tank_id, "full_change", at, {})

    async def async_log_feeding(
        self, tank_id: str, kind: str, at: datetime, data: Mapping[str, Any]
    ) -> None:
        """Record a feeding of a tank (`full_change`, `top_up` or `adjustment`).

        A full change restarts the solution's age and the water-change
        schedule; any feeding confirms the fertilize task of the plants it feeds.
        """
        await self.store.async_record("fed", tank_id, at, {"kind": kind, **data})
        stored = self.store.state(tank_id)
        if kind == "full_change":
            stored["filled_at"] = at.isoformat()
            stored.setdefault("maintenance", {})[tanks.MaintenanceKind.CHANGE_WATER] = (
                at.isoformat()
            )
            ph = data.get("ph", self.reading(self.config.tanks[tank_id].ph_sensor))
            if ph is not None:
                stored["ph_at_fill"] = ph
        plants = [plant.id for plant in self.plants_on_tank(tank_id)]
        for plant_id in plants:
            self._async_activity(plant_id, "fed", {"tank": tank_id, "kind": kind})
        await self.async_complete_care(
            plants, care.CareKind.FERTILIZE, at.astimezone(self.zone).date()
        )
        self._async_changed({tank_id})

    async def async_apply_treatment(
        self,
        plant_ids: Iterable[str],
        *,
        product: str,
        active_ingredient: str,
        interval_days: float,
        at: datetime,
    ) -> datetime:
        """Record a plant protection treatment; returns the instant harvest is safe."""
        plant_ids = list(plant_ids)
        data = {
            "product": product,
            "active_ingredient": active_ingredient,
            "interval_days": interval_days,
        }
        await self.store.async_record_many(
            ("treated", plant_id, at, data) for plant_id in plant_ids
        )
        for plant_id in plant_ids:
            self._async_activity(plant_id, "treated", data)
        touched: set[str] = set()
        for plant_id in plant_ids:
            touched |= self._dependents(plant_id)
        self._async_changed(touched)
        return Treatment(
            product=product,
            active_ingredient=active_ingredient,
            interval_days=interval_days,
            applied=at,
        ).safe_utc

    async def async_record_harvest(
        self, plant_id: str, at: datetime, data: Mapping[str, Any]
    ) -> None:
        """Record a harvest, refused while a pre-harvest interval runs.

        Raises:
            FarmError: `harvest_blocked` with the safe date and the products.
        """
        verdict = safe_harvest(self.treatments(plant_id), at)
        if not verdict.allowed:
            safe_date = verdict.safe_on.isoformat() if verdict.safe_on else ""
            self.hass.bus.async_fire(
                EVENT_HARVEST_BLOCKED, {"plant_id": plant_id, "safe_date": safe_date}
            )
            raise FarmError(
                "harvest_blocked",
                plant=self.config.plants[plant_id].name,
                safe_date=safe_date,
                products=", ".join(verdict.blocking_products),
            )
        await self.store.async_record("harvested", plant_id, at, dict(data))
        self._async_activity(plant_id, "harvested", dict(data))
        self._async_changed(self._dependents(plant_id))

    async def async_set_target_ph(self, tank_id: str, value: float) -> None:
        """Set the pH a tank is held at."""
        self.store.state(tank_id)["target_ph"] = value
        await self.store.async_save_now()
        self._async_changed({tank_id})

    # --- Schedules (the rack switches) -----------------------------------------

    def schedule_enabled(self, rack_id: str, kind: str) -> bool:
        """Whether a rack's `light_schedule` or `irrigation_schedule` is on."""
        return bool(self.store.state(rack_id).get(kind, False))

    async def async_set_schedule(self, rack_id: str, kind: str, on: bool) -> None:
        """Turn a rack's light or irrigation schedule on or off (kept across restarts)."""
        self.store.state(rack_id)[kind] = on
        await self.store.async_save_now()
        self._async_changed({rack_id})

    @callback
    def _async_sync_drivers(self) -> None:
        """One driver per rack: start new ones, stop removed ones."""
        if self._drivers_stopped:
            return  # stopping: no driver may start again
        for rack_id in self._drivers.keys() - self.config.racks.keys():
            self.entry.async_create_task(
                self.hass, self._drivers.pop(rack_id).async_stop(), "stop driver"
            )
        for rack_id in self.config.racks.keys() - self._drivers.keys():
            driver = RackDriver(self, rack_id)
            self._drivers[rack_id] = driver
            driver.async_start()

    async def async_stop_drivers(self) -> None:
        """Put every driven pump in its safe state (off) and stop driving."""
        self._drivers_stopped = True
        for driver in self._drivers.values():
            await driver.async_stop()
        self._drivers.clear()

    # --- Timers ---------------------------------------------------------------

    @callback
    def _async_wake(self, subject: str, at: datetime | None) -> None:
        """Recompute a subject at an instant (replacing its previous wake-up)."""
        if self._wake_at.get(subject) == at and (
            at is None or subject in self._wakeups
        ):
            return  # already planned for that instant: most readings change nothing
        if (unsub := self._wakeups.pop(subject, None)) is not None:
            unsub()
        self._wake_at[subject] = at
        if at is None:
            return

        @callback
        def fire(_now: datetime) -> None:
            self._wakeups.pop(subject, None)
            self._wake_at.pop(subject, None)
            self._async_changed({subject})

        self._wakeups[subject] = async_track_point_in_utc_time(self.hass, fire, at)

    @callback
    def _async_schedule_plant_wakeup(self, plant_id: str) -> None:
        """Wake when the plant's pre-harvest interval ends."""
        view = self.plant_view(plant_id)
        self._async_wake(
            plant_id, view.harvest.safe_at if view.harvest_blocked else None
        )

    @callback
    def _async_schedule_tank_wakeup(self, tank_id: str, view: TankView) -> None:
        """Wake when a probe that is fine now would go stale."""
        tank = self.config.tanks[tank_id]
        latest = [
            readings.latest[0]
            for entity_id in (tank.ec_sensor, tank.ph_sensor, tank.temperature_sensor)
            if entity_id
            and (readings := self._readings.get(entity_id))
            and readings.latest
        ]
        at = min(latest) + PROBE_MAX_AGE if latest else None
        if at is not None and at <= dt_util.utcnow():
            at = None  # already stale: nothing to wait for
        self._async_wake(tank_id, at)

    # --- Tank alerts ----------------------------------------------------------

    @callback
    def _async_check_tank_alerts(self, tank_id: str) -> None:
        """Fire vertical_farm_tank_alert once when an excursion starts."""
        tank = self.config.tanks[tank_id]
        view = self.tank_view(tank_id)
        stored = self.store.state(tank_id)
        active: dict[str, bool] = stored.setdefault("alerts", {})
        checks: list[tuple[str, bool | None, bool, float | None, float | None]] = []
        if view.ec_deviation is not None:
            size = abs(view.ec_deviation.percent)
            side = view.ec_deviation.direction
            for kind, direction in (
                ("ec_low", tanks.DeviationDirection.LOW),
                ("ec_high", tanks.DeviationDirection.HIGH),
            ):
                checks.append(
                    (
                        kind,
                        side is direction and size > EC_ALERT_START,
                        side is direction and size > EC_ALERT_END,
                        view.ec,
                        view.target_ec,
                    )
                )
        if view.ph is not None and view.targets.ph is not None:
            ph_range = view.targets.ph
            checks.append(
                (
                    "ph_low",
                    view.ph < ph_range.low,
                    view.ph < ph_range.low + PH_MARGIN,
                    view.ph,
                    view.target_ph,
                )
            )
            checks.append(
                (
                    "ph_high",
                    view.ph > ph_range.high,
                    view.ph > ph_range.high - PH_MARGIN,
                    view.ph,
                    view.target_ph,
                )
            )
        if view.level_low is not None:
            level = view.balance.level_l if view.balance is not None else None
            checks.append(
                (
                    "level_low",
                    view.level_low,
                    level is not None and level < LEVEL_ALERT_END * tank.volume_l,
                    level,
                    None,
                )
            )
        water = (
            self.reading(tank.temperature_sensor)
            if "temperature" not in view.stale_probes
            else None
        )
        if water is not None:
            outside = tanks.water_temperature(water) is not tanks.WaterTemperature.OK
            inside_margin = (
                tanks.WATER_MIN_C + WATER_TEMP_MARGIN
                <= water
                <= tanks.WATER_MAX_C - WATER_TEMP_MARGIN
            )
            checks.append(("temperature", outside, not inside_margin, water, None))
        checks.append(
            (
                "probe_stale",
                bool(view.stale_probes),
                bool(view.stale_probes),
                None,
                None,
            )
        )
        changed = False
        for kind, starts, continues, value, target in checks:
            if active.get(kind):
                if not continues:
                    active[kind] = False
                    changed = True
            elif starts:
                active[kind] = True
                changed = True
                self.hass.bus.async_fire(
                    EVENT_TANK_ALERT,
                    {
                        "tank_id": tank_id,
                        "name": tank.name,
                        "kind": kind,
                        "value": value,
                        "target": target,
                    },
                )
        if changed:
            self.store.async_schedule_save()
