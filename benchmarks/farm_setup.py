"""Time a farm of 20 racks, 10 tanks and 1,000 plants in a real Home Assistant.

Usage: .venv/bin/python benchmarks/farm_setup.py [--runs N] [--updates N]
       [--no-memory] [--ha-entity-cap] [--profile]

Starts Home Assistant cores in this process the way the test suite does (a
fresh core per measurement, storage in a temporary config directory), loads
Vertical Farm from this repository's custom_components and sets up one farm
entry with a subentry per rack, tank and plant. Every rack is linked to a tank
and to temperature, humidity and PPFD sensors; every tank to EC, pH, water
temperature and level sensors; every tenth plant to a soil-moisture sensor;
all of their states are in the state machine before the farm starts. Plants
are spread over racks and shelves with crops from the bundled library, each in
a phase it is not yet due to leave, and each tank feeds only crops that accept
its EC and pH under a 16 h light (a tank with conflicting crops has no EC
target, and its EC sensor would then change nothing). Each core's HTTP server
listens on a free port of 127.0.0.1, so a Home Assistant running on this
machine (port 8123) is no obstacle.

The floor is the `farm_floor` integration in benchmarks/floor_integration: it
registers the same devices and, per device, as many entities of the same
platforms, enabled or disabled alike, as the farm of the same size did, with
fixed states, and does nothing else. Both are set up the same way in the same
run, alternately, at two sizes (100 plants on 2 racks and 1 tank, and the full
farm), so the per-plant cost can be compared across sizes. Each full-size
core is then unloaded and set up again, as at every restart (registries kept);
in the last run the farm's updates and actions (the floor's reload) come first.

Home Assistant adds at most 10,000 enabled entities per config entry; the
benchmark lifts that cap for farm and floor alike and reports the farm's count
against it as a figure of its own; `--ha-entity-cap` keeps it.

Times are wall-clock time (time.perf_counter), as a user meets them, with the
garbage collector running as it normally does (the heap is only collected
once as each core starts, after what kept the one before alive is dropped, so
that a core does not pay for the garbage of the ones before it); collections
during a timed section are counted and shown, and each loop block says how
much of it was collecting. The CPU time (of the process for a setup, of the event loop's thread
for an update or a loop block) is shown beside as secondary information: on a
shared machine other processes stretch the wall clock, which CPU time hides.

Prints, each with its goal from SPEC section 10 and PASS or OVER:
- setup time (async_setup + async_block_till_done, the integration and its
  platforms already imported), median of the runs, farm against floor, and
  again after an unload with the registries kept;
- memory added by the setup (tracemalloc: bytes allocated during setup and
  still alive after it), farm against floor;
- per-plant setup time and memory at 1,000 plants against 100 plants;
- linked-sensor updates at both sizes (a tank's EC sensor, a rack's
  temperature sensor and a plant's soil-moisture sensor), median and p99 of
  the time `hass.states.async_set` takes, and the ratio of the medians at
  1,000 and 100 plants: the farm's listener is a callback, which the bus runs
  inside async_set, and nested state changes are dispatched before it
  returns, so that call covers every dependent entity's state write (checked
  on each update);
- the objects the garbage collector tracks after a full-size setup, farm
  against floor: a full collection scans all of them, so the farm's own share
  of a collection's pause is about its share of these; and the objects each
  setup adds to those tracked as it began, with the full collections it saw
  (CPython scans the whole heap once the objects kept since its last full
  collection pass a quarter of those it kept then);
- the longest event-loop block a probe task (sleeping 1 ms at a time) saw, in
  wall-clock time, during setup, during the updates, and in the last
  full-size farm during a phase change (the `vertical_farm.set_phase` action
  on one plant), the midnight refresh (the timers due at the next local
  midnight run one after another, as the loop runs them when its clock gets
  there, after timers due before then have run) and
  a reload (`hass.config_entries.async_reload`), each until the core is idle;
  the floor's blocks during its setups and a reload of it, for comparison.

It measures; it asserts nothing and exits 0. `--profile` adds the hottest
functions of one full-size farm setup, of the sensor updates and of the phase
change, midnight refresh and reload.
"""

from __future__ import annotations

import argparse
import asyncio
from collections import Counter
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    Sequence,
)
from contextlib import asynccontextmanager, contextmanager
import cProfile
import dataclasses
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
import functools
import gc
import io
import logging
import math
import os
from pathlib import Path
import platform
import pstats
import random
import shutil
import socket
import statistics
import sys
import tempfile
from time import (
    get_clock_info,
    perf_counter,
    perf_counter_ns,
    process_time,
    thread_time,
    thread_time_ns,
    time as time_now,
)
import tracemalloc
from typing import Any, Final, Self
from zoneinfo import ZoneInfo

ROOT: Final = Path(__file__).resolve().parents[1]
FLOOR_SOURCE: Final = ROOT / "benchmarks" / "floor_integration" / "farm_floor"
sys.path.insert(0, str(ROOT))

from homeassistant import loader, runner  # noqa: E402
from homeassistant.components.http import config as http_config  # noqa: E402
from homeassistant.components.http.const import (  # noqa: E402
    CONF_SERVER_HOST,
    CONF_SERVER_PORT,
)
from homeassistant.config_entries import (  # noqa: E402
    ConfigEntry,
    ConfigEntryState,
    ConfigSubentryDataWithId,
)
from homeassistant.core import HomeAssistant  # noqa: E402
from homeassistant.helpers import (  # noqa: E402
    device_registry as dr,
    entity_platform,
    entity_registry as er,
    event as event_helpers,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component  # noqa: E402
from homeassistant.util import dt as dt_util  # noqa: E402
from pytest_homeassistant_custom_component.common import (  # type: ignore[import-untyped]  # noqa: E402
    MockConfigEntry,
    async_fire_time_changed,
    async_test_home_assistant,
    get_scheduled_timer_handles,
)

from custom_components.vertical_farm import PLATFORMS  # noqa: E402
from custom_components.vertical_farm.const import (  # noqa: E402
    CONF_MOISTURE_SENSOR,
    DOMAIN,
)
from custom_components.vertical_farm.engine.profiles import (  # noqa: E402
    Library,
    Phase,
    PhaseProfile,
    Species,
    System,
    TankType,
)
from custom_components.vertical_farm.library import load_library  # noqa: E402

FLOOR_DOMAIN: Final = "farm_floor"
SEED: Final = 20261103
ZONE: Final = ZoneInfo("US/Pacific")  # the test core's time zone
OLDEST_GENERATION: Final = len(gc.get_count()) - 1  # collecting it scans every object
HA_ENTITY_CAP: Final = entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY
# Components both integrations need, set up before any timing so neither pays for them.
PRELOADED: Final = ("http", "repairs", *(str(item) for item in PLATFORMS))
HTTP_HOST: Final = "127.0.0.1"
MOISTURE_EVERY: Final = 10  # every tenth plant has a soil-moisture sensor
# The mix of tanks the engine benchmark uses (mostly hydro, some coco, some soil),
# each run at an EC that every crop on its racks accepts in its current phase.
TANKS: Final = (
    (TankType.RECIRCULATION, System.HYDRO, 1.2),
    (TankType.RECIRCULATION, System.HYDRO, 1.0),
    (TankType.IRRIGATION, System.COCO, 1.6),
    (TankType.NUTRIENT, System.SOIL, 0.6),
    (TankType.RECIRCULATION, System.HYDRO, 1.4),
    (TankType.IRRIGATION, System.COCO, 1.8),
    (TankType.RECIRCULATION, System.HYDRO, 2.2),
    (TankType.NUTRIENT, System.SOIL, 1.1),
    (TankType.IRRIGATION, System.COCO, 0.8),
    (TankType.RECIRCULATION, System.HYDRO, 2.4),
)
TANK_PH: Final = 6.0
WATER_C: Final = 22.0
PHOTOPERIOD_H: Final = 16.0  # every rack's crops ask for it: no light conflicts
FARM_DATA: Final[Mapping[str, Any]] = {
    "name": "Benchmark farm",
    "hemisphere": "north",
    "tap_ec": 0.4,
    "tap_ph": 7.6,
    "alkalinity": 120.0,
    "ro_ec": None,
}

# Goals (SPEC section 10).
SETUP_RATIO_GOAL: Final = 1.3
MEMORY_RATIO_GOAL: Final = 1.3
SCALING_RATIO_GOAL: Final = 1.2
UPDATE_MEDIAN_GOAL_MS: Final = 0.1
LOOP_BLOCK_GOAL_MS: Final = 10.0
# The floor's cost per enabled entity on the machine the goals were set on
# (SPEC section 10): absolute figures (update medians) are read against it.
SPEC_FLOOR_MS_PER_ENTITY: Final = 0.16
PROBE_INTERVAL_S: Final = 0.001
WARM_UPDATES: Final = 50
# After an action, how long the loop must run without a block before the core
# counts as idle (a background task may still be working through slices).
SETTLE_S: Final = 0.3
# Time-change listeners and coordinators spread their timers over this much.
RANDOM_DELAY_S: Final = event_helpers.RANDOM_MICROSECOND_MAX / 1e6
MONOTONIC_RESOLUTION_S: Final = get_clock_info("monotonic").resolution


@dataclass(frozen=True, kw_only=True, slots=True)
class FarmSize:
    """How many racks, tanks and plants a farm has."""

    racks: int
    tanks: int
    plants: int

    @property
    def label(self) -> str:
        """Short description for the report."""
        return f"{self.racks} racks, {self.tanks} tanks, {self.plants:,} plants"


SMALL: Final = FarmSize(racks=2, tanks=1, plants=100)
FULL: Final = FarmSize(racks=20, tanks=10, plants=1000)

# Per kind of subject ("farm", "rack", "tank", "plant") and platform: how many
# entities start enabled and how many start disabled.
type Counts = dict[str, dict[str, list[int]]]


@dataclass(frozen=True, kw_only=True, slots=True)
class LinkedState:
    """A linked sensor's state, set in the state machine before setup."""

    state: str
    attributes: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class FarmLayout:
    """One farm's subentries and the linked sensor states they read."""

    size: FarmSize
    subentries: tuple[ConfigSubentryDataWithId, ...]
    sensors: Mapping[str, LinkedState]
    tank_ids: tuple[str, ...]
    rack_ids: tuple[str, ...]
    plant_ids: tuple[str, ...]  # the first has a soil-moisture sensor

    def floor_subentries(self) -> tuple[ConfigSubentryDataWithId, ...]:
        """The same subentries (ids, types, titles) for the floor integration."""
        return tuple(
            ConfigSubentryDataWithId(
                subentry_id=item["subentry_id"],
                subentry_type=item["subentry_type"],
                title=item["title"],
                unique_id=None,
                data={"name": item["title"], "parent": item["data"].get("rack")},
            )
            for item in self.subentries
        )


@dataclass(kw_only=True, slots=True)
class Collections:
    """Garbage collections seen during a timed section."""

    count: int = 0
    total_s: float = 0.0
    longest_s: float = 0.0
    full: int = 0  # of the oldest generation: the whole heap scanned


@dataclass(frozen=True, kw_only=True, slots=True)
class Block:
    """The longest stretch (wall clock) the event loop spent without running the probe."""

    wall_s: float
    cpu_s: float  # of that stretch, time the loop's thread was running
    collecting_s: float = 0.0  # of that stretch, time in garbage collections
    # Of every stretch meanwhile, the longest once its collections are taken
    # out: the work of the farm (or Home Assistant) in one turn.
    besides_s: float = 0.0
    besides_cpu_s: float = 0.0  # the loop thread's CPU time in that stretch


@dataclass(frozen=True, kw_only=True, slots=True)
class ActionResult:
    """One action on a loaded farm, timed until the core was idle again."""

    wall_s: float
    block: Block
    collections: Collections


@dataclass(kw_only=True, slots=True)
class SetupResult:
    """One timed setup."""

    wall_s: float
    cpu_s: float  # this process's CPU time, which other load barely stretches
    block: Block
    entities: int  # enabled: in the state machine
    disabled: int  # in the entity registry only
    devices: int
    issues: int
    collections: Collections
    # Objects the garbage collector tracks once the setup is done: what each
    # full collection scans, Home Assistant's and the integration's alike.
    tracked: int
    # And as the setup began: the heap the setup's objects are weighed against
    # (CPython scans the whole heap once the objects kept since its last full
    # collection pass a quarter of those it kept then).
    tracked_before: int


@dataclass(kw_only=True, slots=True)
class UpdateResult:
    """Timed updates of one linked sensor."""

    sensor: str
    plants: int  # of the farm
    times_ns: list[int]  # wall clock
    cpu_ns: list[int]  # the event loop thread's CPU time
    # Updates whose watched entity was written before async_set returned.
    within_set: int
    written: list[int]  # entity states written per update
    dependents: int  # entities of the subject the sensor is linked to
    block: Block
    collections: Collections


@dataclass(kw_only=True, slots=True)
class Figures:
    """Everything measured in one run of the benchmark."""

    counts: dict[int, Counts] = field(default_factory=dict)  # by number of subentries
    setup: dict[tuple[str, int], list[SetupResult]] = field(default_factory=dict)
    # Setups after an unload at full size, one a run, by domain.
    setup_again: dict[str, list[SetupResult]] = field(default_factory=dict)
    memory: dict[tuple[str, int], int] = field(default_factory=dict)
    updates: dict[int, list[UpdateResult]] = field(default_factory=dict)  # by plants
    actions: dict[str, ActionResult] = field(default_factory=dict)  # full size
    floor_reload: ActionResult | None = None  # full size, for comparison


# --- The farm -----------------------------------------------------------------


def _subentry(
    subentry_id: str, subentry_type: str, data: Mapping[str, Any]
) -> ConfigSubentryDataWithId:
    """A stored subentry as Home Assistant keeps it."""
    return ConfigSubentryDataWithId(
        subentry_id=subentry_id,
        subentry_type=subentry_type,
        title=str(data["name"]),
        unique_id=None,
        data=dict(data),
    )


def _quantity(rng: random.Random, species: Species) -> int:
    """Trays of greens hold many; fruiting plants come in ones and twos."""
    if Phase.FRUITING in species.sequence:
        return rng.randint(1, 3)
    if species.key.startswith("microgreens") or species.key == "wheatgrass":
        return 1
    return rng.randint(4, 24)


def _crops_for(library: Library, ec_ms_cm: float) -> list[tuple[Species, PhaseProfile]]:
    """Crops in phases that accept a tank's EC and pH under a 16 h light."""
    return [
        (species, profile)
        for species in sorted(library.species.values(), key=lambda item: item.key)
        if Phase.HARVEST in species.sequence
        for profile in species.phases
        if profile.phase is not Phase.DORMANCY
        and profile.ec_min <= ec_ms_cm <= profile.ec_max
        and profile.ph_min <= TANK_PH <= profile.ph_max
        and profile.photoperiod_h == PHOTOPERIOD_H
    ]


def build_layout(size: FarmSize, library: Library, today: date) -> FarmLayout:
    """A farm of `size` from the bundled library: one seed, one farm."""
    rng = random.Random(SEED + size.plants)
    sensors: dict[str, LinkedState] = {}
    subentries: list[ConfigSubentryDataWithId] = []

    tank_ids = tuple(f"01TANK{index:020d}" for index in range(size.tanks))
    for index, tank_id in enumerate(tank_ids):
        tank_type, system, ec_ms_cm = TANKS[index % len(TANKS)]
        prefix = f"sensor.tank_{index:02d}"
        sensors |= {
            f"{prefix}_ec": LinkedState(
                state=f"{ec_ms_cm:.2f}", attributes={"unit_of_measurement": "mS/cm"}
            ),
            f"{prefix}_ph": LinkedState(state=f"{TANK_PH:.2f}", attributes={}),
            f"{prefix}_water_temperature": LinkedState(
                state=f"{WATER_C:.1f}", attributes={"unit_of_measurement": "°C"}
            ),
            f"{prefix}_level": LinkedState(
                state="45.0", attributes={"unit_of_measurement": "L"}
            ),
        }
        subentries.append(
            _subentry(
                tank_id,
                "tank",
                {
                    "name": f"Tank {index + 1}",
                    "tank_type": str(tank_type),
                    "volume_l": 60.0,
                    "system": str(system),
                    "ec_sensor": f"{prefix}_ec",
                    "ph_sensor": f"{prefix}_ph",
                    "temperature_sensor": f"{prefix}_water_temperature",
                    "level_sensor": f"{prefix}_level",
                    "fertilizers": [],
                },
            )
        )

    rack_ids = tuple(f"01RACK{index:020d}" for index in range(size.racks))
    rack_tank = [index * size.tanks // size.racks for index in range(size.racks)]
    shelves = [rng.randint(4, 6) for _ in rack_ids]
    for index, rack_id in enumerate(rack_ids):
        prefix = f"sensor.rack_{index:02d}"
        sensors |= {
            f"{prefix}_temperature": LinkedState(
                state=f"{rng.uniform(20.0, 24.0):.1f}",
                attributes={"unit_of_measurement": "°C"},
            ),
            f"{prefix}_humidity": LinkedState(
                state=f"{rng.uniform(50.0, 70.0):.0f}",
                attributes={"unit_of_measurement": "%"},
            ),
            f"{prefix}_ppfd": LinkedState(
                state=f"{rng.uniform(200.0, 400.0):.0f}",
                attributes={"unit_of_measurement": "µmol/m²/s"},
            ),
        }
        subentries.append(
            _subentry(
                rack_id,
                "rack",
                {
                    "name": f"Rack {index + 1}",
                    "shelves": shelves[index],
                    "tank": tank_ids[rack_tank[index]],
                    "light_mode": "auto",
                    "lights_on": f"{rng.choice((5, 6, 7)):02d}:00:00",
                    "photoperiod_h": PHOTOPERIOD_H,
                    "pump_on_min": 15,
                    "pump_off_min": 45,
                    "temperature_sensor": f"{prefix}_temperature",
                    "humidity_sensor": f"{prefix}_humidity",
                    "light_sensor": f"{prefix}_ppfd",
                },
            )
        )

    # Each rack grows a handful of crops its tank suits; plants go round the shelves.
    pools = [
        rng.sample(crops, min(len(crops), rng.randint(3, 6)))
        for crops in (
            _crops_for(library, TANKS[rack_tank[rack] % len(TANKS)][2])
            for rack in range(size.racks)
        )
    ]
    places = [
        (rack, shelf)
        for rack in range(size.racks)
        for shelf in range(1, shelves[rack] + 1)
    ]
    for number in range(size.plants):
        rack, shelf = places[number % len(places)]
        species, profile = rng.choice(pools[rack])
        # Started, not yet due to move on: setup advances no phase.
        started = today - timedelta(days=rng.randint(0, int(profile.days * 0.8)))
        moisture_sensor = None
        if number % MOISTURE_EVERY == 0:
            moisture_sensor = f"sensor.plant_{number:04d}_moisture"
            sensors[moisture_sensor] = LinkedState(
                state="45", attributes={"unit_of_measurement": "%"}
            )
        subentries.append(
            _subentry(
                f"01PLANT{number:019d}",
                "plant",
                {
                    "name": f"{species.name} {number + 1}",
                    "species": species.key,
                    "quantity": _quantity(rng, species),
                    "rack": rack_ids[rack],
                    "shelf": shelf,
                    "planted": started.isoformat(),
                    "phase": str(profile.phase),
                    "care_preset": None,
                    CONF_MOISTURE_SENSOR: moisture_sensor,
                },
            )
        )
    return FarmLayout(
        size=size,
        subentries=tuple(subentries),
        sensors=sensors,
        tank_ids=tank_ids,
        rack_ids=rack_ids,
        plant_ids=tuple(
            item["subentry_id"]
            for item in subentries
            if item["subentry_type"] == "plant"
        ),
    )


def new_entry(which: str, layout: FarmLayout, counts: Counts) -> ConfigEntry:
    """A fresh farm entry, or a floor entry with the farm's devices and entity counts."""
    entry: ConfigEntry
    if which == "farm":
        entry = MockConfigEntry(
            domain=DOMAIN,
            title=str(FARM_DATA["name"]),
            data=dict(FARM_DATA),
            subentries_data=list(layout.subentries),
        )
    else:
        entry = MockConfigEntry(
            domain=FLOOR_DOMAIN,
            title="Floor farm",
            data={"counts": counts},
            subentries_data=list(layout.floor_subentries()),
        )
    return entry


# --- Home Assistant -------------------------------------------------------------


def free_port() -> int:
    """A TCP port of HTTP_HOST that nothing listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind((HTTP_HOST, 0))
        port: int = probe.getsockname()[1]
        return port


async def listen_locally(hass: HomeAssistant) -> None:
    """Store a free port of HTTP_HOST as the HTTP server's confirmed config.

    http binds its port as it sets up, with the config in its store: 8123 on
    every address by default. YAML is only migrated into the store once (as a
    trial that reverts itself after five minutes), so each core stores its own.
    """
    store = await http_config.async_get_and_load_store(hass)
    await store.async_set_pending(
        http_config.HTTP_STORAGE_SCHEMA(
            {
                CONF_SERVER_HOST: [HTTP_HOST],
                CONF_SERVER_PORT: free_port(),
            }
        )
    )
    if store.pending is not None:  # None: the stable config has this port already
        await store.async_promote_pending()
    await store.async_mark_yaml_migration_done()


@asynccontextmanager
async def running_hass(config_dir: Path) -> AsyncIterator[HomeAssistant]:
    """A fresh test core with custom integrations enabled and platforms set up.

    Fresh also on disk, as the test plugin makes one: no registries or stores
    left by the cores before it (each run's entry is a new one, and its
    devices would join those of the old entries in the device registry).
    """
    await asyncio.to_thread(shutil.rmtree, config_dir / ".storage", True)
    async with async_test_home_assistant(config_dir=str(config_dir)) as hass_any:
        hass: HomeAssistant = hass_any
        # The core before this one is garbage only now: Home Assistant keeps the
        # latest core in a thread-local until a new one replaces it.
        gc.collect()
        # The test core hides custom integrations unless a test asks for them.
        hass.data.pop(loader.DATA_CUSTOM_COMPONENTS, None)
        try:
            await listen_locally(hass)
            for domain in PRELOADED:
                if not await async_setup_component(hass, domain, {}):
                    raise RuntimeError(f"{domain} did not set up")
            await hass.async_block_till_done()
            yield hass
        finally:
            await hass.async_stop(force=True)
            # Stopping does not unload entries: timers they left on the loop (a
            # farm's day timer) would keep this core alive, and every later
            # garbage collection would scan it.
            for handle in get_scheduled_timer_handles(hass.loop):
                handle.cancel()
            forget_core()


def forget_core() -> None:
    """Drop what keeps a stopped core alive after its last use.

    Home Assistant keeps the latest core in caches of one (singletons keyed by
    `hass`, e.g. the LLM APIs and the conversation agents, which only the farm
    uses): the dead core would live on until the next one's setup replaced it,
    and that setup's collections would scan and free it.
    """
    for item in gc.get_objects():
        if (
            isinstance(item, functools._lru_cache_wrapper)  # noqa: SLF001
            and (getattr(item, "__module__", None) or "").startswith("homeassistant.")
            and item.cache_parameters()["maxsize"] == 1
        ):
            item.cache_clear()


async def prepare(hass: HomeAssistant, layout: FarmLayout, domain: str) -> None:
    """Linked sensor states in place; the integration and its platforms imported."""
    for entity_id, linked in layout.sensors.items():
        hass.states.async_set(entity_id, linked.state, dict(linked.attributes))
    integration = await loader.async_get_integration(hass, domain)
    await integration.async_get_component()
    await integration.async_get_platforms(["config_flow", *map(str, PLATFORMS)])
    await hass.async_block_till_done()


@contextmanager
def watch_collections() -> Iterator[Collections]:
    """Count the garbage collections meanwhile (the collector runs as usual)."""
    seen = Collections()
    started = 0.0

    def watch(phase: str, info: Mapping[str, Any]) -> None:
        nonlocal started
        if phase == "start":
            started = perf_counter()
            return
        took = perf_counter() - started
        seen.count += 1
        seen.full += info["generation"] == OLDEST_GENERATION
        seen.total_s += took
        seen.longest_s = max(seen.longest_s, took)

    gc.callbacks.append(watch)
    try:
        yield seen
    finally:
        gc.callbacks.remove(watch)


class LoopProbe:
    """A task that sleeps 1 ms at a time and keeps the largest wall-clock overshoot.

    Beside it, it keeps the CPU time the loop's thread used meanwhile: on a
    shared machine the wall clock also counts the time other processes held
    the CPU.
    """

    def __init__(self) -> None:
        """Not running yet."""
        self.longest = Block(wall_s=0.0, cpu_s=0.0)
        self._asleep_since = (0.0, 0.0, 0.0)
        self._task: asyncio.Task[None] | None = None
        self._collecting_s = 0.0  # all collections since the probe started
        self._collection_started = 0.0

    async def _run(self) -> None:
        while True:
            self._asleep_since = (perf_counter(), thread_time(), self._collecting_s)
            await asyncio.sleep(PROBE_INTERVAL_S)
            self._note()

    def _note(self) -> None:
        wall_s = perf_counter() - self._asleep_since[0] - PROBE_INTERVAL_S
        cpu_s = thread_time() - self._asleep_since[1]
        collecting_s = self._collecting_s - self._asleep_since[2]
        besides = {}
        if wall_s - collecting_s > self.longest.besides_s:
            besides = {
                "besides_s": wall_s - collecting_s,
                "besides_cpu_s": max(0.0, cpu_s - collecting_s),
            }
        if wall_s > self.longest.wall_s:
            self.longest = Block(
                wall_s=wall_s,
                cpu_s=cpu_s,
                collecting_s=collecting_s,
                besides_s=self.longest.besides_s,
                besides_cpu_s=self.longest.besides_cpu_s,
            )
        if besides:
            self.longest = dataclasses.replace(self.longest, **besides)

    def _watch(self, phase: str, _info: Mapping[str, Any]) -> None:
        if phase == "start":
            self._collection_started = perf_counter()
        else:
            self._collecting_s += perf_counter() - self._collection_started

    async def __aenter__(self) -> Self:
        """Start probing."""
        gc.callbacks.append(self._watch)
        self._task = asyncio.get_running_loop().create_task(self._run())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop probing; a sleep still waiting to be woken counts too."""
        self._note()
        gc.callbacks.remove(self._watch)
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)


async def timed_setup(hass: HomeAssistant, entry: ConfigEntry) -> SetupResult:
    """Set an added entry up and time it to the moment the core is idle again."""
    tracked_before = len(gc.get_objects())
    with watch_collections() as collections:
        async with LoopProbe() as probe:
            started, cpu_started = perf_counter(), process_time()
            loaded = await hass.config_entries.async_setup(entry.entry_id)
            await hass.async_block_till_done()
            wall_s, cpu_s = perf_counter() - started, process_time() - cpu_started
    if not loaded or entry.state is not ConfigEntryState.LOADED:
        raise RuntimeError(f"{entry.domain} did not load: {entry.state}")
    entities = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    disabled = sum(1 for item in entities if item.disabled_by is not None)
    return SetupResult(
        wall_s=wall_s,
        cpu_s=cpu_s,
        block=probe.longest,
        entities=len(entities) - disabled,
        disabled=disabled,
        devices=len({item.device_id for item in entities}),
        issues=sum(
            1 for domain, _ in ir.async_get(hass).issues if domain == entry.domain
        ),
        collections=collections,
        tracked=len(gc.get_objects()),
        tracked_before=tracked_before,
    )


def entity_counts(hass: HomeAssistant, entry: ConfigEntry) -> Counts:
    """Entities per platform for each kind of subject, as the farm registered them."""
    kinds = {key: item.subentry_type for key, item in entry.subentries.items()}
    subjects = Counter(kinds.values()) + Counter(farm=1)
    totals: dict[str, Counter[tuple[str, bool]]] = {}
    for item in er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id):
        kind = (
            "farm"
            if item.config_subentry_id is None
            else kinds[item.config_subentry_id]
        )
        totals.setdefault(kind, Counter())[item.domain, item.disabled_by is None] += 1
    # Every subject of a kind has the same entities; the mean keeps totals if not.
    return {
        kind: {
            domain: [
                round(counter[domain, True] / subjects[kind]),
                round(counter[domain, False] / subjects[kind]),
            ]
            for domain in sorted({domain for domain, _ in counter})
        }
        for kind, counter in totals.items()
    }


# --- Linked-sensor updates ------------------------------------------------------


async def time_updates(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    sensor: str,
    subject: str,
    values: Sequence[str],
    unit: str,
    watched: tuple[str, str],  # platform and key of an entity each update changes
    updates: int,
) -> UpdateResult:
    """Set a linked sensor `updates` times; time each async_set call."""
    registry = er.async_get(hass)
    dependents = [
        item.entity_id
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if item.config_subentry_id == subject
    ]
    platform_name, key = watched
    watched_id = registry.async_get_entity_id(platform_name, DOMAIN, f"{subject}_{key}")
    attributes = {"unit_of_measurement": unit}
    for index in range(WARM_UPDATES):  # into the alternating steady state
        hass.states.async_set(sensor, values[index % len(values)], attributes)
        await asyncio.sleep(0)
    await hass.async_block_till_done()

    times_ns: list[int] = []
    cpu_ns: list[int] = []
    written: list[int] = []
    within_set = 0
    with watch_collections() as collections:
        async with LoopProbe() as probe:
            for index in range(updates):
                before = [hass.states.get(entity_id) for entity_id in dependents]
                watched_before = hass.states.get(watched_id) if watched_id else None
                started, cpu_started = perf_counter_ns(), thread_time_ns()
                hass.states.async_set(sensor, values[index % len(values)], attributes)
                cpu_ns.append(thread_time_ns() - cpu_started)
                times_ns.append(perf_counter_ns() - started)
                written.append(
                    sum(
                        hass.states.get(entity_id) is not state
                        for entity_id, state in zip(dependents, before, strict=True)
                    )
                )
                if watched_id and hass.states.get(watched_id) is not watched_before:
                    within_set += 1
                await asyncio.sleep(0)  # let the probe and anything deferred run
    await hass.async_block_till_done()
    return UpdateResult(
        sensor=sensor,
        plants=len(entry.runtime_data.farm.config.plants),
        times_ns=times_ns,
        cpu_ns=cpu_ns,
        within_set=within_set,
        written=written,
        dependents=len(dependents),
        block=probe.longest,
        collections=collections,
    )


async def measure_updates(
    hass: HomeAssistant, entry: ConfigEntry, layout: FarmLayout, updates: int
) -> list[UpdateResult]:
    """A tank's EC, a rack's temperature and a plant's moisture, between two values."""
    ec_ms_cm = TANKS[0][2]
    return [
        # 3 % either side of the tank's EC: its deviation changes, no alert starts.
        await time_updates(
            hass,
            entry,
            sensor="sensor.tank_00_ec",
            subject=layout.tank_ids[0],
            values=[f"{ec_ms_cm * 1.03:.3f}", f"{ec_ms_cm * 0.97:.3f}"],
            unit="mS/cm",
            watched=("sensor", "ec_deviation"),
            updates=updates,
        ),
        # In and out of the crops' comfortable band: the climate problem flips.
        await time_updates(
            hass,
            entry,
            sensor="sensor.rack_00_temperature",
            subject=layout.rack_ids[0],
            values=["22.0", "35.0"],
            unit="°C",
            watched=("binary_sensor", "climate_problem"),
            updates=updates,
        ),
        # Dry and moist again: the plant's attention reasons flip.
        await time_updates(
            hass,
            entry,
            sensor="sensor.plant_0000_moisture",
            subject=layout.plant_ids[0],
            values=["15", "45"],
            unit="%",
            watched=("binary_sensor", "needs_attention"),
            updates=updates,
        ),
    ]


# --- Actions on a loaded farm ---------------------------------------------------


async def timed_action(
    hass: HomeAssistant, action: Callable[[], Awaitable[object]]
) -> ActionResult:
    """Run an action and time it until the core is idle, probing the loop."""
    await hass.async_block_till_done()
    with watch_collections() as collections:
        async with LoopProbe() as probe:
            started = perf_counter()
            await action()
            await hass.async_block_till_done()
            wall_s = perf_counter() - started
            # Background work (a refresh in slices) goes on after block_till_done.
            await asyncio.sleep(SETTLE_S)
    return ActionResult(wall_s=wall_s, block=probe.longest, collections=collections)


def next_phase(layout: FarmLayout, library: Library, plant_id: str) -> Phase:
    """The phase after a plant's current one (its first phase after the last)."""
    data = next(
        item["data"] for item in layout.subentries if item["subentry_id"] == plant_id
    )
    sequence = library.species[data["species"]].sequence
    return sequence[(sequence.index(Phase(data["phase"])) + 1) % len(sequence)]


async def measure_actions(
    hass: HomeAssistant, entry: ConfigEntry, layout: FarmLayout, library: Library
) -> dict[str, ActionResult]:
    """A phase change, the midnight refresh and a reload of a loaded farm."""
    plant_id = layout.plant_ids[0]
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, plant_id), entry.entry_id
    )
    if device is None:
        raise RuntimeError(f"no device for plant {plant_id}")
    results: dict[str, ActionResult] = {}

    async def set_phase() -> None:
        await hass.services.async_call(
            DOMAIN,
            "set_phase",
            {
                "plant": device.id,
                "phase": str(next_phase(layout, library, plant_id)),
                "force": True,
            },
            blocking=True,
        )

    results["phase change (vertical_farm.set_phase, one plant)"] = await timed_action(
        hass, set_phase
    )

    midnight = datetime.combine(
        dt_util.now().date() + timedelta(days=1),
        datetime.min.time(),
        dt_util.get_default_time_zone(),
    )
    # What is due before midnight runs first, untimed: only midnight's work is timed.
    async_fire_time_changed(hass, midnight - timedelta(seconds=2))
    await hass.async_block_till_done()
    due = timers_due(hass, midnight)

    async def new_day() -> None:
        run_timers(due, midnight)

    results["midnight refresh (time fired to local 00:00)"] = await timed_action(
        hass, new_day
    )

    results["reload (config_entries.async_reload)"] = await timed_reload(hass, entry)
    return results


def timers_due(hass: HomeAssistant, when: datetime) -> list[asyncio.TimerHandle]:
    """The loop's timers due by `when` (and half a second), in the order they fall due.

    The half second is what Home Assistant's time-change listeners and
    coordinators spread their timers over, as `async_fire_time_changed` allows.
    """
    seconds_ahead = dt_util.as_utc(when).timestamp() + RANDOM_DELAY_S - time_now()
    loop_now = hass.loop.time() + MONOTONIC_RESOLUTION_S
    return sorted(
        (
            handle
            for handle in get_scheduled_timer_handles(hass.loop)
            if isinstance(handle, asyncio.TimerHandle)
            and not handle.cancelled()
            and handle.when() - loop_now <= seconds_ahead
        ),
        key=asyncio.TimerHandle.when,
    )


def run_timers(due: Sequence[asyncio.TimerHandle], when: datetime) -> None:
    """Run timers now, one after another, with Home Assistant's clock at `when`.

    As the loop runs timers that fall due together when its clock gets there.
    `async_fire_time_changed` does the same, but patches the clock anew
    around each timer with `unittest.mock` (about 0.3 ms a timer here): at
    midnight that alone made a block of 15 ms, none of it the farm's.
    """
    at = dt_util.as_utc(when) + timedelta(seconds=RANDOM_DELAY_S)
    utcnow, timestamp = (
        event_helpers.time_tracker_utcnow,
        event_helpers.time_tracker_timestamp,
    )
    event_helpers.time_tracker_utcnow = functools.partial(dt_util.as_utc, at)
    event_helpers.time_tracker_timestamp = at.timestamp
    try:
        for handle in due:
            if not handle.cancelled():
                handle._run()  # noqa: SLF001
                handle.cancel()
    finally:
        event_helpers.time_tracker_utcnow = utcnow
        event_helpers.time_tracker_timestamp = timestamp


async def timed_reload(hass: HomeAssistant, entry: ConfigEntry) -> ActionResult:
    """Reload an entry, timed until the core is idle again."""

    async def reload() -> None:
        if not await hass.config_entries.async_reload(entry.entry_id):
            raise RuntimeError(f"{entry.domain} did not reload")

    return await timed_action(hass, reload)


# --- Runs -----------------------------------------------------------------------

type AfterSetup = Callable[[HomeAssistant, ConfigEntry], Awaitable[None]]


async def run_setup(
    config_dir: Path,
    which: str,
    layout: FarmLayout,
    counts: Counts,
    *,
    after: AfterSetup | None = None,
) -> SetupResult:
    """One timed setup of the farm or the floor in a fresh core."""
    async with running_hass(config_dir) as hass:
        entry = new_entry(which, layout, counts)
        await prepare(hass, layout, entry.domain)
        entry.add_to_hass(hass)  # type: ignore[attr-defined]
        result = await timed_setup(hass, entry)
        if after is not None:
            await after(hass, entry)
        return result


async def run_memory(
    config_dir: Path,
    which: str,
    layout: FarmLayout,
    counts: Counts,
) -> int:
    """Bytes allocated during one setup and still alive after it."""
    async with running_hass(config_dir) as hass:
        entry = new_entry(which, layout, counts)
        await prepare(hass, layout, entry.domain)
        entry.add_to_hass(hass)  # type: ignore[attr-defined]
        # Tracing makes every state slow to work out; Home Assistant would say so.
        entity_logger = logging.getLogger("homeassistant.helpers.entity")
        level = entity_logger.level
        entity_logger.setLevel(logging.ERROR)
        with watch_collections():
            tracemalloc.start()
            try:
                await hass.config_entries.async_setup(entry.entry_id)
                await hass.async_block_till_done()
                gc.collect()
                added: int = tracemalloc.get_traced_memory()[0]
            finally:
                tracemalloc.stop()
                entity_logger.setLevel(level)
        return added


async def run(args: argparse.Namespace, config_dir: Path) -> Figures:
    """Every measurement, farm and floor alternating."""
    runner.configure_event_loop(asyncio.get_running_loop())
    today = datetime.now(ZONE).date()
    library = load_library()
    layouts = {
        size.plants: build_layout(size, library, today) for size in (SMALL, FULL)
    }
    figures = Figures()

    async def count(hass: HomeAssistant, entry: ConfigEntry) -> None:
        figures.counts[len(entry.subentries)] = entity_counts(hass, entry)

    async def again(hass: HomeAssistant, entry: ConfigEntry) -> None:
        # As at every restart: the registries already hold the devices and entities.
        if not await hass.config_entries.async_unload(entry.entry_id):
            raise RuntimeError(f"{entry.domain} did not unload")
        await hass.async_block_till_done()
        figures.setup_again.setdefault(entry.domain, []).append(
            await timed_setup(hass, entry)
        )

    async def floor_reload_and_again(hass: HomeAssistant, entry: ConfigEntry) -> None:
        # Home Assistant's own share of a reload (unloading 8,000 entities), as
        # the farm reloads before its last setup after an unload.
        figures.floor_reload = await timed_reload(hass, entry)
        await again(hass, entry)

    async def updates_only(hass: HomeAssistant, entry: ConfigEntry) -> None:
        figures.updates[SMALL.plants] = await measure_updates(
            hass, entry, layouts[SMALL.plants], args.updates
        )

    async def updates_actions_and_again(
        hass: HomeAssistant, entry: ConfigEntry
    ) -> None:
        layout = layouts[FULL.plants]
        figures.updates[FULL.plants] = await measure_updates(
            hass, entry, layout, args.updates
        )
        figures.actions = await measure_actions(hass, entry, layout, library)
        await again(hass, entry)

    def count_then(then: AfterSetup | None) -> AfterSetup:
        async def after(hass: HomeAssistant, entry: ConfigEntry) -> None:
            await count(hass, entry)
            if then is not None:
                await then(hass, entry)

        return after

    def counts_for(layout: FarmLayout) -> Counts:
        return figures.counts.get(len(layout.subentries), {})

    # First setups of each, untimed: imports and caches.
    await run_setup(config_dir, "farm", layouts[SMALL.plants], {}, after=count)
    await run_setup(
        config_dir, "floor", layouts[SMALL.plants], counts_for(layouts[SMALL.plants])
    )
    for repeat in range(args.runs):
        # The farm goes first in the first run (the floor copies its counts), then
        # the order alternates.
        order = ("farm", "floor") if repeat % 2 == 0 else ("floor", "farm")
        for plants, layout in layouts.items():
            for which in order:
                # Every run at full size sets up again after an unload; the
                # last one first times updates and actions (the floor a reload).
                then: AfterSetup | None = None
                last = repeat == args.runs - 1
                if plants == FULL.plants:
                    then = again
                    if last:
                        then = (
                            updates_actions_and_again
                            if which == "farm"
                            else floor_reload_and_again
                        )
                elif which == "farm" and last:
                    then = updates_only
                result = await run_setup(
                    config_dir,
                    which,
                    layout,
                    counts_for(layout),
                    after=count_then(then) if which == "farm" else then,
                )
                figures.setup.setdefault((which, plants), []).append(result)
                print(
                    f"  run {repeat + 1}: {which:5} {plants:>5,} plants: "
                    f"{result.wall_s:6.2f} s ({result.cpu_s:6.2f} s CPU), "
                    f"longest block {result.block.wall_s * 1e3:6.0f} ms "
                    f"({result.block.cpu_s * 1e3:.0f} ms CPU, "
                    f"{result.block.collecting_s * 1e3:.0f} ms collecting), "
                    f"{result.collections.count} collections "
                    f"{result.collections.total_s * 1e3:.0f} ms",
                    flush=True,
                )
    if args.memory:
        for which, plants in (
            ("floor", FULL.plants),
            ("farm", FULL.plants),
            ("farm", SMALL.plants),
        ):
            figures.memory[which, plants] = await run_memory(
                config_dir, which, layouts[plants], counts_for(layouts[plants])
            )
    return figures


# --- Profile --------------------------------------------------------------------


def _print_profile(profiler: cProfile.Profile, title: str, limit: int) -> None:
    for order, restriction, heading in (
        ("tottime", (), "hottest functions by own time"),
        (
            "cumulative",
            ("vertical_farm",),
            "Vertical Farm functions by cumulative time",
        ),
    ):
        stream = io.StringIO()
        stats = pstats.Stats(profiler, stream=stream)
        stats.sort_stats(order).print_stats(*restriction, limit)
        lines = stream.getvalue().splitlines()
        start = next((index for index, line in enumerate(lines) if "ncalls" in line), 0)
        print(f"\n--- {title}: {heading} ---")
        for line in lines[start:]:
            if line.strip():
                print(line.replace(str(ROOT) + "/", "").replace(sys.prefix + "/", ""))


async def profile(config_dir: Path, updates: int, limit: int = 25) -> None:
    """Profile one full-size farm setup, the linked-sensor updates and the actions."""
    runner.configure_event_loop(asyncio.get_running_loop())
    library = load_library()
    layout = build_layout(FULL, library, datetime.now(ZONE).date())
    async with running_hass(config_dir) as hass:
        entry = new_entry("farm", layout, {})
        await prepare(hass, layout, DOMAIN)
        entry.add_to_hass(hass)  # type: ignore[attr-defined]
        sections: tuple[tuple[str, Callable[[], Awaitable[object]]], ...] = (
            ("farm setup", lambda: timed_setup(hass, entry)),
            (
                "linked-sensor updates",
                lambda: measure_updates(hass, entry, layout, updates),
            ),
            (
                "phase change, midnight refresh and reload",
                lambda: measure_actions(hass, entry, layout, library),
            ),
        )
        for title, section in sections:
            profiler = cProfile.Profile()
            profiler.enable()
            await section()
            profiler.disable()
            _print_profile(profiler, title, limit)


# --- Report ---------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True, slots=True)
class Row:
    """One line of the report: a figure, its goal and whether it is met."""

    label: str
    value: str
    goal: str
    met: bool | None  # None: shown for comparison, no goal

    def __str__(self) -> str:
        """The line as printed."""
        verdict = "-" if self.met is None else "PASS" if self.met else "OVER"
        return f"{verdict:4}  {self.label}: {self.value}  [goal {self.goal}]"


def _percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(fraction * len(ordered)) - 1)]


def _median_setup(results: Sequence[SetupResult]) -> SetupResult:
    """The setup of median wall-clock time (the higher of the middle two)."""
    ordered = sorted(results, key=lambda result: result.wall_s)
    return ordered[len(ordered) // 2]


def _longest_block(results: Sequence[SetupResult]) -> Block:
    """The longest loop block of any of these setups (and longest besides)."""
    return _longest(result.block for result in results)


def _longest(blocks: Iterable[Block]) -> Block:
    """The longest of these blocks, with the longest work besides collections."""
    listed = list(blocks)
    longest = max(listed, key=lambda block: block.wall_s)
    besides = max(listed, key=lambda block: block.besides_s)
    return dataclasses.replace(
        longest, besides_s=besides.besides_s, besides_cpu_s=besides.besides_cpu_s
    )


def setup_rows(args: argparse.Namespace, figures: Figures) -> list[Row]:
    """Entity cap, setup time against the floor, and its growth with the farm."""

    def median_s(which: str, size: FarmSize, cpu: bool = False) -> float:
        return statistics.median(
            item.cpu_s if cpu else item.wall_s
            for item in figures.setup[which, size.plants]
        )

    entities = figures.setup["farm", FULL.plants][0].entities
    kept = "kept: the rest are dropped" if args.ha_entity_cap else "lifted here"
    farm_s, floor_s = median_s("farm", FULL), median_s("floor", FULL)
    farm_cpu_s, floor_cpu_s = (
        median_s("farm", FULL, cpu=True),
        median_s("floor", FULL, cpu=True),
    )
    floor_entities = figures.setup["floor", FULL.plants][0].entities
    # Each run's farm beside the floor set up next to it: drift over the run cancels.
    ratio = statistics.median(
        farm.wall_s / floor.wall_s
        for farm, floor in zip(
            figures.setup["farm", FULL.plants],
            figures.setup["floor", FULL.plants],
            strict=True,
        )
    )
    per_full = farm_s / FULL.plants * 1e3
    per_small = median_s("farm", SMALL) / SMALL.plants * 1e3
    floor_growth = (floor_s / FULL.plants) / (median_s("floor", SMALL) / SMALL.plants)
    rows = [
        Row(
            label=f"enabled entities in one entry, {FULL.label}",
            value=(
                f"{entities:,} (and {figures.setup['farm', FULL.plants][0].disabled:,} "
                f"disabled); Home Assistant adds at most {HA_ENTITY_CAP:,} per entry "
                f"({kept})"
            ),
            goal=f"<= {HA_ENTITY_CAP:,}",
            met=entities <= HA_ENTITY_CAP,
        ),
        Row(
            label=f"setup time, {FULL.label}",
            value=(
                f"farm {farm_s:.2f} s, floor {floor_s:.2f} s "
                f"({floor_s / floor_entities * 1e3:.3f} ms per enabled entity); "
                f"{ratio:.2f}x, the median of each run's ratio (CPU: farm "
                f"{farm_cpu_s:.2f} s, floor {floor_cpu_s:.2f} s)"
            ),
            goal=f"<= {SETUP_RATIO_GOAL}x floor",
            met=ratio <= SETUP_RATIO_GOAL,
        ),
    ]
    if len(figures.setup_again) == 2:
        farm_again = _median_setup(figures.setup_again[DOMAIN])
        floor_again = _median_setup(figures.setup_again[FLOOR_DOMAIN])
        ratio = statistics.median(
            farm.wall_s / floor.wall_s
            for farm, floor in zip(
                figures.setup_again[DOMAIN],
                figures.setup_again[FLOOR_DOMAIN],
                strict=True,
            )
        )
        rows.append(
            Row(
                label=f"setup time after an unload, registries kept, {FULL.label}",
                value=(
                    f"farm {farm_again.wall_s:.2f} s, floor {floor_again.wall_s:.2f} s; "
                    f"{ratio:.2f}x, the median of each run's ratio (CPU: farm "
                    f"{farm_again.cpu_s:.2f} s, "
                    f"floor {floor_again.cpu_s:.2f} s)"
                ),
                goal=f"<= {SETUP_RATIO_GOAL}x floor",
                met=ratio <= SETUP_RATIO_GOAL,
            )
        )
    floor_ms = floor_s / floor_entities * 1e3
    rows.append(
        Row(
            label="this machine's speed",
            value=(
                f"the floor takes {floor_ms:.3f} ms per enabled entity, "
                f"{floor_ms / SPEC_FLOOR_MS_PER_ENTITY:.1f}x the "
                f"{SPEC_FLOOR_MS_PER_ENTITY} ms of the machine the goals were set on; "
                "absolute times (update medians, blocks) grow alike"
            ),
            goal="none, for reading the absolute figures",
            met=None,
        )
    )
    rows.append(
        Row(
            label="setup time per plant, 1,000 vs 100 plants",
            value=(
                f"{per_full:.2f} ms vs {per_small:.2f} ms; "
                f"{per_full / per_small:.2f}x (floor {floor_growth:.2f}x)"
            ),
            goal=f"<= {SCALING_RATIO_GOAL}x",
            met=per_full / per_small <= SCALING_RATIO_GOAL,
        )
    )
    return rows


def memory_rows(figures: Figures) -> list[Row]:
    """Memory against the floor and its growth with the farm."""
    if not figures.memory:
        return []
    farm_mib = figures.memory["farm", FULL.plants] / 2**20
    floor_mib = figures.memory["floor", FULL.plants] / 2**20
    per_full = figures.memory["farm", FULL.plants] / FULL.plants / 1024
    per_small = figures.memory["farm", SMALL.plants] / SMALL.plants / 1024
    return [
        Row(
            label=f"memory added, {FULL.label}",
            value=(
                f"farm {farm_mib:.1f} MiB, floor {floor_mib:.1f} MiB; "
                f"{farm_mib / floor_mib:.2f}x"
            ),
            goal=f"<= {MEMORY_RATIO_GOAL}x floor",
            met=farm_mib / floor_mib <= MEMORY_RATIO_GOAL,
        ),
        Row(
            label="memory per plant, 1,000 vs 100 plants",
            value=(
                f"{per_full:.1f} KiB vs {per_small:.1f} KiB; "
                f"{per_full / per_small:.2f}x"
            ),
            goal=f"<= {SCALING_RATIO_GOAL}x",
            met=per_full / per_small <= SCALING_RATIO_GOAL,
        ),
    ]


def update_rows(figures: Figures) -> list[Row]:
    """Linked-sensor updates at both sizes (wall clock, CPU beside), and their ratio."""
    rows: list[Row] = []
    for plants in sorted(figures.updates):
        for update in figures.updates[plants]:
            wall_ms = [value / 1e6 for value in update.times_ns]
            cpu_ms = [value / 1e6 for value in update.cpu_ns]
            median_ms = statistics.median(wall_ms)
            rows.append(
                Row(
                    label=f"linked update, {update.sensor}, {plants:,} plants",
                    value=(
                        f"median {median_ms:.3f} ms, p99 "
                        f"{_percentile(wall_ms, 0.99):.3f} ms over {len(wall_ms):,} "
                        f"(CPU: median {statistics.median(cpu_ms):.3f} ms, p99 "
                        f"{_percentile(cpu_ms, 0.99):.3f} ms); "
                        f"{statistics.median(update.written):.0f} of "
                        f"{update.dependents} entities written per update, within "
                        f"async_set in {update.within_set:,} of {len(wall_ms):,}; "
                        f"{update.collections.count} collections"
                    ),
                    goal=f"< {UPDATE_MEDIAN_GOAL_MS} ms median",
                    met=median_ms < UPDATE_MEDIAN_GOAL_MS,
                )
            )
    if {SMALL.plants, FULL.plants} <= figures.updates.keys():
        for small, full in zip(
            figures.updates[SMALL.plants], figures.updates[FULL.plants], strict=True
        ):
            small_ms = statistics.median(small.times_ns) / 1e6
            full_ms = statistics.median(full.times_ns) / 1e6
            ratio = full_ms / small_ms
            rows.append(
                Row(
                    label=(
                        f"linked update at {FULL.plants:,} vs {SMALL.plants} plants, "
                        f"{full.sensor}"
                    ),
                    value=(
                        f"median {full_ms:.3f} ms vs {small_ms:.3f} ms; {ratio:.2f}x "
                        f"(p99 {_percentile(full.times_ns, 0.99) / 1e6:.3f} ms vs "
                        f"{_percentile(small.times_ns, 0.99) / 1e6:.3f} ms)"
                    ),
                    goal=f"<= {SCALING_RATIO_GOAL}x",
                    met=ratio <= SCALING_RATIO_GOAL,
                )
            )
    return rows


def _block_value(block: Block) -> str:
    return (
        f"{block.wall_s * 1e3:.1f} ms (CPU {block.cpu_s * 1e3:.1f} ms; garbage "
        f"collection {block.collecting_s * 1e3:.1f} ms of it, "
        f"{max(0.0, block.wall_s - block.collecting_s) * 1e3:.1f} ms besides); "
        f"longest without its collections {block.besides_s * 1e3:.1f} ms "
        f"(CPU {block.besides_cpu_s * 1e3:.1f} ms)"
    )


def block_rows(figures: Figures) -> list[Row]:
    """The longest event-loop blocks; the floor's and the collector's for comparison."""

    def longest(which: str, size: FarmSize) -> Block:
        return _longest(item.block for item in figures.setup[which, size.plants])

    goal = f"<= {LOOP_BLOCK_GOAL_MS:.0f} ms"
    measured = [
        (f"farm setup, {size.plants:,} plants", longest("farm", size))
        for size in (FULL, SMALL)
    ]
    if DOMAIN in figures.setup_again:
        measured.append(
            (
                f"farm setup after an unload, {FULL.plants:,} plants",
                _longest_block(figures.setup_again[DOMAIN]),
            )
        )
    measured.extend(
        (f"{label}, {FULL.plants:,} plants", action.block)
        for label, action in figures.actions.items()
    )
    measured.extend(
        (f"updates of {update.sensor}, {plants:,} plants", update.block)
        for plants in sorted(figures.updates)
        for update in figures.updates[plants]
    )
    rows = [
        Row(
            label=f"longest loop block, {label}",
            value=_block_value(block),
            goal=goal,
            met=max(block.wall_s, block.besides_s) * 1e3 <= LOOP_BLOCK_GOAL_MS,
        )
        for label, block in measured
    ]
    compared = [
        (f"floor setup, {size.plants:,} plants", longest("floor", size))
        for size in (FULL, SMALL)
    ]
    if FLOOR_DOMAIN in figures.setup_again:
        compared.append(
            (
                f"floor setup after an unload, {FULL.plants:,} plants",
                _longest_block(figures.setup_again[FLOOR_DOMAIN]),
            )
        )
    if figures.floor_reload is not None:
        compared.append(
            (f"floor reload, {FULL.plants:,} plants", figures.floor_reload.block)
        )
    rows.extend(
        Row(
            label=f"longest loop block, {label}",
            value=_block_value(block),
            goal="none, for comparison",
            met=None,
        )
        for label, block in compared
    )
    rows.extend(
        Row(
            label=f"time until idle, {label}, {FULL.plants:,} plants",
            value=(
                f"{action.wall_s * 1e3:.0f} ms; {action.collections.count} "
                f"collections, {action.collections.total_s * 1e3:.0f} ms in all"
            ),
            goal="none, for comparison",
            met=None,
        )
        for label, action in figures.actions.items()
    )
    farm_tracked = statistics.median(
        item.tracked for item in figures.setup["farm", FULL.plants]
    )
    floor_tracked = statistics.median(
        item.tracked for item in figures.setup["floor", FULL.plants]
    )
    added = {
        which: statistics.median(
            item.tracked - item.tracked_before
            for item in figures.setup[which, FULL.plants]
        )
        for which in ("farm", "floor")
    }
    before = statistics.median(
        item.tracked_before for item in figures.setup["floor", FULL.plants]
    )
    rows.append(
        Row(
            label=f"objects a setup adds, {FULL.plants:,} plants",
            value=(
                f"farm {added['farm']:+,.0f}, floor {added['floor']:+,.0f}, to the "
                f"{before:,.0f} the collector tracked as the floor's setup began "
                f"({added['floor'] / before:.0%}): CPython collects the whole heap "
                "once the objects kept since its last full collection pass a "
                "quarter of those it kept, so the same entities with nothing else "
                "set off a full collection during a setup"
            ),
            goal="none, for comparison",
            met=None,
        )
    )
    rows.append(
        Row(
            label=f"objects the collector tracks after setup, {FULL.plants:,} plants",
            value=(
                f"farm core {farm_tracked:,.0f}, floor core {floor_tracked:,.0f}: "
                f"the farm's own {farm_tracked - floor_tracked:,.0f} are "
                f"{(farm_tracked - floor_tracked) / farm_tracked:.0%} of what a full "
                "collection scans in its core; the rest is Home Assistant's, the "
                "floor's collections scan the same"
            ),
            goal="none, for comparison",
            met=None,
        )
    )
    sections = [
        (f"{which} setup, {FULL.plants:,} plants", figures.setup[which, FULL.plants])
        for which in ("farm", "floor")
    ]
    for label, results in sections:
        seen = [item.collections for item in results]
        rows.append(
            Row(
                label=f"garbage collections, {label}",
                value=(
                    f"{statistics.median(item.count for item in seen):.0f} "
                    f"({statistics.median(item.full for item in seen):.0f} full), "
                    f"{statistics.median(item.total_s for item in seen) * 1e3:.0f} ms "
                    f"in all, longest {max(item.longest_s for item in seen) * 1e3:.1f} ms"
                ),
                goal="none, for comparison",
                met=None,
            )
        )
    return rows


def report(args: argparse.Namespace, figures: Figures) -> None:
    """Print every figure with its goal and verdict."""
    print(
        f"\nVertical Farm setup benchmark: Python {platform.python_version()}, "
        f"{os.cpu_count()} CPUs, median of {args.runs} timed setups per figure; "
        f"load average {os.getloadavg()[0]:.1f} at the end"
    )
    print(
        "Times are wall-clock time with the garbage collector running; CPU time (of "
        "the process for setups, of the event loop's thread for updates and "
        "blocks) is given beside them."
    )
    for size, counts in zip((SMALL, FULL), figures.counts.values(), strict=True):
        farm = figures.setup["farm", size.plants][0]
        floor = figures.setup["floor", size.plants][0]
        print(
            f"{size.label}: farm {farm.entities:,} entities (+{farm.disabled:,} "
            f"disabled) on {farm.devices:,} devices, {farm.issues} repair issues; "
            f"floor {floor.entities:,} (+{floor.disabled:,}) on {floor.devices:,}"
        )
        for kind in ("farm", "rack", "tank", "plant"):
            per = counts.get(kind, {})
            listing = ", ".join(
                f"{name} {enabled}" + (f" (+{disabled} disabled)" if disabled else "")
                for name, (enabled, disabled) in per.items()
            )
            print(f"  each {kind:5}: {listing}")
    print()
    for row in (
        *setup_rows(args, figures),
        *memory_rows(figures),
        *update_rows(figures),
        *block_rows(figures),
    ):
        print(row)


@contextmanager
def config_with_floor(prefix: str) -> Iterator[Path]:
    """A temporary config directory holding the floor integration."""
    with tempfile.TemporaryDirectory(prefix=prefix) as temp:
        config_dir = Path(temp)
        shutil.copytree(
            FLOOR_SOURCE,
            config_dir / "custom_components" / FLOOR_DOMAIN,
            ignore=shutil.ignore_patterns("__pycache__"),
        )
        # Home Assistant puts its config directory on the path; custom_components is
        # a namespace package, so this folder's integration joins the repository's.
        sys.path.append(str(config_dir))
        yield config_dir


def main(argv: Sequence[str] | None = None) -> None:
    """Run the benchmark and print the report."""
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n", 1)[0])
    parser.add_argument("--runs", type=int, default=3, help="timed setups per figure")
    parser.add_argument(
        "--updates", type=int, default=2000, help="sensor updates timed"
    )
    parser.add_argument(
        "--no-memory", dest="memory", action="store_false", help="skip tracemalloc runs"
    )
    parser.add_argument(
        "--ha-entity-cap",
        action="store_true",
        help="keep Home Assistant's 10,000 entities per entry (the full farm is cut)",
    )
    parser.add_argument(
        "--profile", action="store_true", help="profile a setup and the updates"
    )
    args = parser.parse_args(argv)

    logging.basicConfig(
        level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s"
    )
    # Notices each new core repeats (custom integrations, zlib) say nothing here.
    logging.getLogger("homeassistant.loader").setLevel(logging.ERROR)
    logging.getLogger("aiohttp_fast_zlib").setLevel(logging.ERROR)
    if not args.ha_entity_cap:
        entity_platform.MAX_ENABLED_ENTITIES_PER_CONFIG_ENTRY = 10 * HA_ENTITY_CAP

    started = perf_counter()
    with config_with_floor("farm-setup-") as config_dir:
        figures = asyncio.run(run(args, config_dir))
        report(args, figures)
        if args.profile:
            asyncio.run(profile(config_dir, args.updates))
    print(f"\n(benchmark took {perf_counter() - started:.0f} s)")


if __name__ == "__main__":
    main()
