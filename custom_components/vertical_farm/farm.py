"""The live farm: the thin front that owns the lifecycle and the listeners.

Its parts, each in its own module:

- topology.py: the farm's configuration (who stands where, who depends on whom);
- readings.py: the readings ledger (linked sensors, units, history for GDD,
  DLI and water use);
- presenters.py: the views entities show, computed by the engines;
- subject_views.py: each rack's, tank's and plant's view, kept until an
  input it reads changes;
- store.py: the journal of what happened and the runtime state;
- care_book.py: each plant's care plan, what the grower did, the care list;
- grower_records.py: waterings, feedings, treatments and harvests, recorded;
- plant_phases.py: a plant's moves from phase to phase;
- alerts.py: tank alert events and repair notices;
- driver.py: the lights and pumps on their schedules.

Entities read views from here and subscribe to the subjects they show; the
farm recomputes only the subjects an input touched and calls their listeners.
Nothing polls: linked sensors push state changes, and timers fire at the
instants something becomes due (midnight for day counters, the end of a
pre-harvest interval, a probe going stale, a light change or pump cycle).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, tzinfo
from functools import partial
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import CALLBACK_TYPE, Event, HassJob, HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.event import (
    async_track_point_in_utc_time,
    async_track_time_change,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util
from homeassistant.util.hass_dict import HassKey

from .alerts import RepairNotices, async_check_tank_alerts
from .care_book import CareBook
from .const import (
    CONF_RACK,
    CONF_TANK,
    CONF_USER_FERTILIZERS,
    CONF_USER_SPECIES,
    DOMAIN,
    SUBENTRY_PLANT,
    SUBENTRY_RACK,
)
from .devices import (
    async_sync_devices,
    async_sync_devices_in_slices,
    async_unlink_children,
)
from .driver import RackDrivers, pump_stuck_issue_id
from .engine.profiles import CarePreset, Library, Species
from .grower_records import GrowerRecords
from .library import load_library, merge_user_entries
from .models import FarmSettings, PlantConfig
from .pacing import Pacer
from .placement import Placement
from .plant_phases import PlantPhases
from .presenters import (
    PlantView,
    TankView,
)
from .readings import ReadingsLedger
from .store import FarmStore, RecordKind
from .subject_views import SubjectViews, View
from .topology import FarmConfig, species_of

if TYPE_CHECKING:
    from .planner_link import PlannerLink
    from .simulator import SimulatedFarm

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
class FarmRuntime:
    """What a loaded farm entry holds (entry.runtime_data)."""

    library: Library
    store: FarmStore
    farm: Farm
    planner: PlannerLink
    # The demo farm's simulated hardware, else None.
    simulator: SimulatedFarm | None = None


# What the farm-wide entities (care list, calendar) read of each kind of view:
# all of a plant's but its attention reasons (a dry pot), a tank's maintenance.
_FARM_FACING: dict[type, tuple[str, ...]] = {
    PlantView: tuple(
        item.name for item in fields(PlantView) if item.name != "attention"
    ),
    TankView: ("maintenance",),
}


def _farm_facing_changed(
    old: View | None, new: View, changed: frozenset[str] | None = None
) -> bool:
    """Whether the farm-wide entities show something else now.

    Without an old view nothing has read this subject since the farm began
    (reading a view keeps it), so the farm-wide entities have yet to read it.
    `changed`, when a reading already found the fields that differ, answers
    without comparing the views again.
    """
    facing = _FARM_FACING.get(type(new))
    if old is None or facing is None:
        return False
    if changed is not None:
        return not changed.isdisjoint(facing)
    return any(
        (was := getattr(old, name)) is not (now := getattr(new, name)) and was != now
        for name in facing
    )


class Follower(Protocol):
    """An entity of a rack, tank or plant, told when its subject's view changes."""

    @property
    def view_fields(self) -> frozenset[str] | None:
        """The fields of the view it shows (None: it may show anything)."""

    def async_subject_changed(self) -> None:
        """Write the state again if what it shows changed."""


def _changed_fields(old: View | None, new: View) -> frozenset[str] | None:
    """The fields in which two views of a subject differ (None: every field)."""
    if type(old) is not type(new):
        return None
    known = _VIEW_FIELDS.get(type(new))
    if known is None:
        names = tuple(item.name for item in fields(new))
        known = _VIEW_FIELDS[type(new)] = (names, attrgetter(*names))
    names, values = known
    return frozenset(
        name
        for name, was, now in zip(names, values(old), values(new), strict=True)
        if was is not now
        and (
            was != now
            # Local times in one zone compare by the wall clock: 01:30 before
            # and after clocks go back are equal but for their offset.
            or (isinstance(was, datetime) and was.utcoffset() != now.utcoffset())
        )
    )


# Each kind of view: its fields' names and a getter of their values.
_VIEW_FIELDS: dict[type, tuple[tuple[str, ...], Callable[[Any], tuple[Any, ...]]]] = {}


class Farm:
    """One farm, live."""

    def __init__(
        self,
        hass: HomeAssistant,
        entry: FarmConfigEntry,
        library: Library,
        store: FarmStore,
        *,
        config: FarmConfig | None = None,
        pacer: Pacer | None = None,
    ) -> None:
        """Set up from the entry's configuration, parsed already or now.

        Nothing runs yet. `pacer` shares the event loop's turns between the
        farm's long tasks (one is made if none is given).
        """
        self.hass = hass
        self.entry = entry
        self.library = library
        self.store = store
        self.config = config if config is not None else FarmConfig.from_entry(entry)
        self.notices = RepairNotices(
            hass, entry.entry_id, self.settings.name, self.config.subjects
        )
        # What is judged once as the farm starts before the notices it took on
        # are settled: the racks and tanks, and the linked entities' existence.
        self._unjudged = {"subjects", "links"}
        self.ledger = ReadingsLedger(
            hass,
            self.config,
            store=store,
            notices=self.notices,
            zone=lambda: self.zone,
            changed=self._async_changed,
            read=self._async_read,
        )
        self._listeners: dict[str, list[Callable[[], None]]] = {}
        # The entities of each subject (the farm's own entities listen
        # instead), each with the view fields it shows.
        self._followers: dict[str, list[tuple[Follower, frozenset[str] | None]]] = {}
        self._activity: dict[str, list[Callable[[str, dict[str, Any]], None]]] = {}
        self._new_subentries: list[Callable[[set[str]], None]] = []
        self._plant_preparers: list[Callable[[str], None]] = []
        self._wakeups: dict[str, CALLBACK_TYPE] = {}
        self._wake_at: dict[str, datetime | None] = {}
        self._unsub: list[CALLBACK_TYPE] = []
        self._started = False
        self._device_infos: dict[str, DeviceInfo] = {}
        self._device_entries: dict[str, dr.DeviceEntry] = {}
        # The farm-wide entities being told in turns, and whether to tell
        # them again once done (a change came meanwhile).
        self._farm_wide_task: asyncio.Task[None] | None = None
        self._farm_wide_again = False
        # Records a configuration change made, while they are written.
        self._writes: set[asyncio.Task[Any]] = set()
        self.placement = Placement(
            hass,
            entry,
            config=lambda: self.config,
            library=library,
            store=store,
            notices=self.notices,
            species_of=self.species_of,
            zone=lambda: self.zone,
        )
        # Long work (setup, refreshes) takes turns with the rest of Home Assistant.
        self.pacer = pacer if pacer is not None else Pacer()
        self.care = CareBook(
            hass,
            store,
            config=lambda: self.config,
            # not bound now: the views are made next, and read the care book
            plant_view=lambda plant_id: self.views.plant(plant_id),  # noqa: PLW0108
            preset_of=self.preset_of,
            pacer=self.pacer,
            changed=self._async_changed,
        )
        self.views = SubjectViews(
            config=lambda: self.config,
            library=library,
            store=store,
            ledger=self.ledger,
            care=self.care,
            species_of=self.species_of,
            preset_of=self.preset_of,
            schedule_enabled=self.schedule_enabled,
            wake=self._async_wake,
        )
        self.phases = PlantPhases(
            hass,
            store,
            config=lambda: self.config,
            views=self.views,
            species_of=self.species_of,
            zone=lambda: self.zone,
            activity=self._async_activity,
            changed=self._async_changed,
        )
        self.drivers = RackDrivers(self)
        self.records = GrowerRecords(
            hass,
            store,
            config=lambda: self.config,
            ledger=self.ledger,
            care_book=self.care,
            placement=self.placement,
            zone=lambda: self.zone,
            activity=self._async_activity,
            changed=self._async_changed,
        )

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

    def device_entry(self, subject_id: str) -> dr.DeviceEntry | None:
        """A subject's registered device, if it is as the farm registers it.

        An entity given this device is linked to it as it is; given only its
        `device_info`, Home Assistant would look the device up and compare it
        again for every entity. None when the device is missing or belongs to
        another subentry: the entity then goes through `device_info`.
        """
        registry = dr.async_get(self.hass)
        entry_id = self.entry.entry_id
        device = self._device_entries.get(subject_id)
        if device is None or registry.async_get(device.id) is not device:
            device = registry.async_get_device_by_identifier(
                (DOMAIN, subject_id), entry_id
            )
            if device is None:
                self._device_entries.pop(subject_id, None)
                return None
            self._device_entries[subject_id] = device
        subentry_id = None if subject_id == entry_id else subject_id
        return device if device.config_subentry_id == subentry_id else None

    def species_of(self, plant: PlantConfig) -> Species | None:
        """A plant's species, if it is in the library."""
        return species_of(self.library, plant)

    def preset_of(self, plant: PlantConfig) -> CarePreset | None:
        """A plant's care preset (its own, else its species')."""
        species = self.species_of(plant)
        return self.library.care_presets.get(
            plant.care_preset or (species.care_preset if species else "")
        )

    def reading(self, entity_id: str | None) -> float | None:
        """The latest value of a linked sensor, in the farm's units."""
        return self.ledger.reading(entity_id)

    # --- Lifecycle ------------------------------------------------------------

    async def async_start(self) -> None:
        """Sync devices, follow linked sensors, start the timers and the drivers."""
        await self.store.async_tidy(self.config.subjects, dt_util.utcnow())
        # Notices shown from before a rename (say, while the farm was off).
        self.notices.async_rename_farm(self.settings.name, self.config.subjects)
        await async_sync_devices_in_slices(
            self.hass, self.entry, pacer=self.pacer, **self._devices()
        )
        self.ledger.async_follow(self.config)
        self._unsub.append(
            async_track_time_change(
                self.hass, self._async_new_day, hour=0, minute=0, second=0
            )
        )

        @callback
        def _started(_hass: HomeAssistant) -> None:
            # Linked entities may appear late while Home Assistant starts.
            self._started = True
            self.ledger.async_check_exist()
            self._async_judged("links")

        self._unsub.append(async_at_started(self.hass, _started))

        async def _async_shutting_down() -> None:
            # The first stage of a stop, before the stop event: pumps go off
            # while every integration still answers (one on MQTT or a radio
            # network stops on that event, and its pump would stay on).
            self._unsub.remove(remove_shutdown_job)  # run: nothing to remove
            await self.async_stop_drivers()

        remove_shutdown_job = self.hass.async_add_shutdown_job(
            HassJob(_async_shutting_down, "vertical_farm pumps off")
        )
        self._unsub.append(remove_shutdown_job)

        async def _async_hass_stopping(_event: Event) -> None:
            # HA stop does not unload entries: pumps to their safe state (done
            # already, unless the stop began without its first stage), timers
            # off, state to disk.
            self._unsub.remove(unsub_stop)  # fired: nothing left to unsubscribe
            await self.async_stop_drivers()
            self.async_stop()
            await self.store.async_save_now()

        unsub_stop = self.hass.bus.async_listen_once(
            EVENT_HOMEASSISTANT_STOP, _async_hass_stopping
        )
        self._unsub.append(unsub_stop)
        self.drivers.async_take_on_notices()
        # Once stopping is followed: a driver starting works out its rack's
        # view, a unit of work each.
        for rack_id in list(self.config.racks):
            await self.pacer.pace()
            self.drivers.async_start(rack_id)
        # Conflicts known at start, and phases due to move on while Home
        # Assistant was down, in slices.
        self.entry.async_create_task(
            self.hass, self._async_begin(), "vertical_farm begin"
        )

    @callback
    def async_stop(self) -> None:
        """Stop every listener and timer this farm started."""
        for unsub in (*self._unsub, *self._wakeups.values()):
            unsub()
        self._unsub.clear()
        self._wakeups.clear()
        self._wake_at.clear()
        self.ledger.async_stop()
        if self._farm_wide_task is not None:
            self._farm_wide_task.cancel()
            self._farm_wide_task = None
        # Let go of what was worked out now: freed at once, not left to a
        # garbage collection in the middle of the next setup.
        self.views.clear()
        self._followers.clear()
        self._device_infos.clear()
        self._device_entries.clear()
        self.care.clear()
        self.placement.forget()

    @callback
    def async_sync_devices(self) -> None:
        """Create or update the hub and one device per subentry."""
        async_sync_devices(self.hass, self.entry, **self._devices())

    def _devices(self) -> dict[str, Any]:
        """What the farm's devices are made from."""
        return {
            "settings": self.settings,
            "racks": self.config.racks,
            "tanks": self.config.tanks,
            "plants": self.config.plants,
            "library": self.library,
        }

    @callback
    def async_config_changed(self) -> None:
        """Follow an entry update: parse again, tidy links, sync devices, refresh."""
        old = self.config
        new = FarmConfig.from_entry(self.entry, previous=old)
        if new == old:
            return  # a state-only update of the entry (e.g. it finished loading)
        # Where each plant stood under the old settings (a settings edit of the
        # phase is then recorded as a move from there).
        old_phases = {
            plant_id: self.views.phase_state(plant_id) for plant_id in old.plants
        }
        self.config = new
        if new.settings.name != old.settings.name:
            self.notices.async_rename_farm(new.settings.name, new.subjects)
        self._async_writing(self.placement.async_note_moves(old, new))
        self.views.config_changed()
        self.care.replan()
        self.care.forget_list()
        added = new.subjects - old.subjects
        removed = old.subjects - new.subjects
        removed_racks = old.racks.keys() - new.racks.keys()
        removed_tanks = old.tanks.keys() - new.tanks.keys()
        for rack_id in removed_racks:
            ir.async_delete_issue(self.hass, DOMAIN, pump_stuck_issue_id(rack_id))
        for subject in removed:
            self.views.forget(subject)
            self.care.forget(subject)
            self._listeners.pop(subject, None)
            self._followers.pop(subject, None)
            self._wake_at.pop(subject, None)
            if (unsub := self._wakeups.pop(subject, None)) is not None:
                unsub()
        if removed:
            self.entry.async_create_task(
                self.hass, self.store.async_forget(removed), "forget removed"
            )
        if added_plants := added & new.plants.keys():
            # A plant added in a later phase counts it from today: on disk now.
            for plant_id in added_plants:
                self.views.phase_state(plant_id)
            self._async_writing(
                self.entry.async_create_task(
                    self.hass, self.store.async_save_now(), "vertical_farm plants added"
                )
            )
        for plant_id, plant in new.plants.items():
            before = old.plants.get(plant_id)
            if before is not None and before.phase != plant.phase and plant.phase:
                stored = self.store.state(plant_id)
                if "phase" not in stored and (was := old_phases[plant_id]) is not None:
                    stored["phase"] = str(was.phase)
                    stored["phase_started"] = was.started_on.isoformat()
                self._async_writing(
                    self.entry.async_create_task(
                        self.hass,
                        self.phases.async_apply(
                            plant_id, plant.phase, dt_util.now(), "edited"
                        ),
                        "phase edited",
                    )
                )
        self.async_sync_devices()
        self.ledger.async_follow(new)
        self.drivers.async_sync()
        if self._started:
            self.ledger.async_check_exist()
        changed = {
            key
            for key in new.subjects - added
            if (old.racks.get(key), old.tanks.get(key), old.plants.get(key))
            != (new.racks.get(key), new.tanks.get(key), new.plants.get(key))
        }
        touched: set[str] = {self.entry.entry_id}
        for key in changed | added:
            touched |= new.dependents(key)
        # What a changed or removed subject stood on before (a plant's old rack
        # and tank, a rack's old tank) no longer counts it.
        for key in changed | removed:
            touched |= old.dependents(key) & new.subjects
        touched |= self.placement.shelf_mates(old, new, changed | added | removed)
        self._async_changed(touched)
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
    def _async_writing(self, task: asyncio.Task[Any] | None) -> None:
        """Keep a write a configuration change started until it is done."""
        if task is not None and not task.done():
            self._writes.add(task)
            task.add_done_callback(self._writes.discard)

    async def async_changes_written(self) -> None:
        """Wait until the records of the configuration changes so far are on disk.

        A settings form that moved a plant or edited its phase, and the
        `add_plants` action, wait for this before they answer, so a crash
        right after loses no record.
        """
        if self._writes:
            await asyncio.wait(set(self._writes))

    @callback
    def async_on_plant_refresh(self, prepare: Callable[[str], None]) -> CALLBACK_TYPE:
        """Let a farm-wide entity work out its part of each plant in turns.

        After a refresh of every plant, `prepare(plant_id)` runs for each plant,
        in the farm's turns, before the farm-wide entities are told.
        """
        self._plant_preparers.append(prepare)
        return lambda: self._plant_preparers.remove(prepare)

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
    def async_follow(self, subject: str, follower: Follower) -> None:
        """Tell `follower` whenever the view of `subject` may have changed.

        Undone by async_unfollow (an entity keeps no callback to undo it). A
        new reading tells it only when one of its `view_fields` changed.
        """
        self._followers.setdefault(subject, []).append((follower, follower.view_fields))

    @callback
    def async_unfollow(self, subject: str, follower: Follower) -> None:
        """Stop telling `follower` about `subject` (nothing if it is not told)."""
        followers = self._followers.get(subject, [])
        for index, (each, _shown) in enumerate(followers):
            if each is follower:
                del followers[index]
                return

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
    def async_follow_activity(
        self, plant_id: str, handle: Callable[[str, dict[str, Any]], None]
    ) -> None:
        """Like async_listen_activity, undone by async_unfollow_activity."""
        self._activity.setdefault(plant_id, []).append(handle)

    @callback
    def async_unfollow_activity(
        self, plant_id: str, handle: Callable[[str, dict[str, Any]], None]
    ) -> None:
        """Stop calling `handle` for the plant (nothing if it is not called)."""
        handlers = self._activity.get(plant_id, [])
        if handle in handlers:
            handlers.remove(handle)

    @callback
    def _async_activity(
        self, plant_id: str, kind: RecordKind, data: Mapping[str, object]
    ) -> None:
        for handle in list(self._activity.get(plant_id, ())):
            handle(kind.value, dict(data))

    @callback
    def async_notify(self, subjects: Iterable[str]) -> None:
        """Tell the entities of these subjects that what they show may have changed."""
        self._async_changed(subjects)

    @callback
    def _async_read(self, subjects: set[str]) -> None:
        """New readings for these subjects: what readings leave be is kept."""
        self._async_changed(subjects, readings_only=True)

    @callback
    def _async_changed(
        self, subjects: Iterable[str], *, readings_only: bool = False
    ) -> None:
        """Forget the views of these subjects and tell their entities.

        The farm-wide entities (care list, calendar, task counts) are told
        only when the farm itself is among the subjects or a plant's or
        tank's part of what they show changed, so a reading costs the same
        on a farm of any size.
        """
        entry_id = self.entry.entry_id
        subjects = set(subjects)
        farm_wide = entry_id in subjects
        subjects.discard(entry_id)
        changed = self._async_refresh_subjects(subjects, readings_only=readings_only)
        if farm_wide:  # the farm itself (the planner's link): told at once
            self._async_farm_changed_now()
        elif changed:
            self._async_farm_changed()

    @callback
    def _async_farm_changed_now(self) -> None:
        """Tell the farm-wide entities in this turn."""
        self.care.forget_list()
        for update in self._farm_wide():
            update()

    @callback
    def _async_farm_changed(self) -> None:
        """Tell the farm-wide entities (care list, calendar, task counts), soon.

        They read every plant: on a large farm, rebuilding them all at once
        would hold up the event loop for several milliseconds after a single
        change. They are told in the farm's next turns instead, one each, and
        changes that come meanwhile are told together.
        """
        self.care.forget_list()
        if self._farm_wide_task is not None:
            self._farm_wide_again = True
            return
        # Not started eagerly: the point is to leave this turn to the change.
        self._farm_wide_task = self.entry.async_create_task(
            self.hass,
            self._async_tell_farm_wide(),
            "vertical_farm farm-wide",
            eager_start=False,
        )

    async def _async_tell_farm_wide(self) -> None:
        """Tell the farm-wide entities, again while changes came meanwhile."""
        try:
            while True:
                self._farm_wide_again = False
                await self._async_farm_changed_in_turns()
                if not self._farm_wide_again:
                    return
        finally:
            self._farm_wide_task = None

    @callback
    def _async_refresh_subjects(
        self, subjects: set[str], *, readings_only: bool = False
    ) -> bool:
        """Forget these subjects' views and tell their entities.

        Returns whether what the farm-wide entities show may have changed.
        """
        farm_wide = False
        before = {subject: self.views.forget(subject) for subject in subjects}
        if not readings_only:
            self.care.replan(subjects)
        # A reading changes a few fields of a view: only the entities that show
        # one of them have anything to write, and only the alerts they feed
        # are judged again.
        changes: dict[str, frozenset[str] | None] = {}
        for subject in subjects:
            for update in list(self._listeners.get(subject, ())):
                update()
            followers = tuple(self._followers.get(subject, ()))
            changed = None
            # Compared only where it is used: a tank's alerts, entities with fields.
            if readings_only and (
                subject in self.config.tanks
                or any(shown is not None for _, shown in followers)
            ):
                changed = changes[subject] = _changed_fields(
                    before[subject], self.views.of(subject)
                )
            for follower, shown in followers:
                if changed is None or shown is None or not changed.isdisjoint(shown):
                    follower.async_subject_changed()
        config = self.config
        for subject, old in before.items():
            if subject in config.tanks:
                tank = self.views.tank(subject)
                async_check_tank_alerts(
                    self.hass,
                    self.store,
                    config,
                    subject,
                    tank,
                    water=self.library.water,
                    changed=changes.get(subject),
                )
                self.notices.async_tank_conflict(config, subject, tank)
                self.notices.async_level_mismatch(config, subject, tank)
                farm_wide = farm_wide or _farm_facing_changed(
                    old, tank, changes.get(subject)
                )
            elif subject in config.racks:
                self.placement.async_check_rack(subject)
                plan = self.views.rack(subject).light_plan
                self.notices.async_light_conflict(
                    config,
                    subject,
                    [
                        config.plants[conflict.plant_id].name
                        for conflict in (plan.conflicts if plan else ())
                        if conflict.plant_id in config.plants
                    ],
                )
            elif subject in config.plants:
                plant = self.views.plant(subject)
                self._async_wake(
                    subject, plant.harvest.safe_at if plant.harvest_blocked else None
                )
                farm_wide = farm_wide or _farm_facing_changed(
                    old, plant, changes.get(subject)
                )
        return farm_wide

    async def _async_refresh_in_turns(
        self, subjects: Iterable[str], *, farm_wide: bool = False
    ) -> None:
        """Refresh subjects within the farm's share of each event-loop turn.

        The farm-wide entities are told once, at the end, if any subject
        changed what they show (or `farm_wide` asks for it anyway).
        """
        for subject in list(subjects):
            await self.pacer.pace()
            if self.config.has(subject):  # not removed meanwhile
                farm_wide = self._async_refresh_subjects({subject}) or farm_wide
        if farm_wide:
            await self._async_farm_changed_in_turns()

    async def _async_farm_changed_in_turns(self) -> None:
        """Tell the farm-wide entities, one per turn, their inputs made in turns.

        After every plant changed (midnight), the care list is rebuilt from
        a thousand plants: each plant's care items are made first, in turns.
        """
        self.care.forget_list()
        await self.async_prepare_each_plant(*self._plant_preparers)
        await self.care.async_items()
        for update in self._farm_wide():
            await self.pacer.pace()
            update()

    def _farm_wide(self) -> list[Callable[[], None]]:
        """What to tell when the farm itself changed: listeners and its entities."""
        entry_id = self.entry.entry_id
        return [
            *self._listeners.get(entry_id, ()),
            *(
                follower.async_subject_changed
                for follower, _shown in self._followers.get(entry_id, ())
            ),
        ]

    async def async_prepare_each_plant(self, *prepare: Callable[[str], None]) -> None:
        """Work out every plant's view and care items, and `prepare` it, in turns.

        What then reads every plant (the care list, the calendar, the task
        counts) finds them worked out and takes one short turn.
        """
        await self.care.async_gather(*prepare)

    async def _async_begin(self) -> None:
        """Judge every rack and tank once (repairs, alerts), then catch up."""
        await self._async_refresh_in_turns([*self.config.racks, *self.config.tanks])
        self._async_judged("subjects")
        await self._async_catch_up()

    @callback
    def _async_judged(self, what: str) -> None:
        """One start-up judgement done; after the last, settle the notices."""
        self._unjudged.discard(what)
        if not self._unjudged:
            self.notices.async_settle()

    async def _async_catch_up(self) -> None:
        """Advance every plant whose phase is complete (GDD or days), in turns.

        Each plant is judged at its own instant: a later one may run a moment later.
        """
        for plant_id in list(self.config.plants):
            await self.pacer.pace()
            if plant_id not in self.config.plants:
                continue  # removed while catching up
            advance = self.views.plant(plant_id).advance
            if advance is None or not advance.advance or not advance.to_phase:
                continue
            state = self.views.phase_state(plant_id)
            cycle = (state.cycle if state else 1) + (1 if advance.restarts_cycle else 0)
            self.entry.async_create_task(
                self.hass,
                self.phases.async_apply(
                    plant_id, advance.to_phase, dt_util.now(), "automatic", cycle=cycle
                ),
                "advance phase",
            )
        await self.care.async_tell_due()

    @callback
    def _async_new_day(self, now: datetime) -> None:
        """Midnight: close yesterday's temperatures, refresh every view, advance phases."""
        self.ledger.async_close_days(now.astimezone(self.zone).date().isoformat())
        # Not eagerly: other midnight timers run in this turn too.
        self.entry.async_create_background_task(
            self.hass,
            self._async_refresh_all(),
            "vertical_farm new day",
            eager_start=False,
        )

    async def _async_refresh_all(self) -> None:
        """Refresh every view in turns, then the farm-wide entities once."""
        await self._async_refresh_in_turns(
            [*self.config.racks, *self.config.tanks, *self.config.plants],
            farm_wide=True,
        )
        await self._async_catch_up()

    # --- Schedules (the rack switches) -----------------------------------------

    def schedule_enabled(self, rack_id: str, kind: str) -> bool:
        """Whether a rack's `light_schedule` or `irrigation_schedule` is on."""
        return bool(self.store.state(rack_id).get(kind, False))

    async def async_set_schedule(self, rack_id: str, kind: str, on: bool) -> None:
        """Turn a rack's light or irrigation schedule on or off (kept across restarts)."""
        self.store.state(rack_id)[kind] = on
        await self.store.async_save_now()
        self._async_changed({rack_id})

    async def async_stop_drivers(self) -> None:
        """Put every driven pump in its safe state (off) and stop driving."""
        await self.drivers.async_stop()

    # --- Timers ---------------------------------------------------------------

    async def _async_woken(self, subject: str) -> None:
        """Recompute a subject whose wake-up came, in the farm's share of a turn."""
        await self.pacer.pace()
        if self.config.has(subject):  # not removed meanwhile
            self._async_changed({subject})

    @callback
    def _async_wake(self, subject: str, at: datetime | None) -> None:
        """Recompute a subject at an instant (replacing its previous wake-up).

        A wake-up planned for the same instant or sooner is kept: it recomputes
        the subject, which plans the next one. Each probe reading moves the
        instant its tank's probes would go stale a little later, and a timer
        made anew for every reading would cost more than one that fires early.
        """
        if at is not None:
            # Kept as an instant: by the wall clock of a repeated hour, 01:30
            # after clocks go back would count as sooner than 01:40 before.
            at = dt_util.as_utc(at)
        planned = self._wake_at.get(subject)
        if at is None:
            if planned is None:
                return
        elif planned is not None and planned <= at and subject in self._wakeups:
            return
        if (unsub := self._wakeups.pop(subject, None)) is not None:
            unsub()
        self._wake_at[subject] = at
        if at is None:
            return

        @callback
        def fire(_now: datetime) -> None:
            self._wakeups.pop(subject, None)
            self._wake_at.pop(subject, None)
            # In the farm's turns: many subjects wake at one instant (probes
            # linked together go stale together, midnight moves every rack on).
            self.entry.async_create_task(
                self.hass, self._async_woken(subject), f"vertical_farm wake {subject}"
            )

        self._wakeups[subject] = async_track_point_in_utc_time(self.hass, fire, at)
