"""Time one whole-farm engine pass: 20 racks, 10 tanks, 1,000 plants, a year of history.

Usage: .venv/bin/python benchmarks/engines.py [--runs N] [--warmup N] [--profile]

Builds a farm from the bundled library with a seeded random generator (the
same farm on every run), then times what the live farm recomputes at a
midnight rollover, when every view is refreshed, group by group. Every
engine is evaluated for the whole farm in every pass.

The pass is modelled on how the live farm runs, not on recomputing a year of
raw history each time:

- Readings are folded in as they arrive, outside the pass, by the engines'
  running accumulators: each rack's closed days go into a `GddLedger` (a
  year of them, from `accumulated_gdd` once at startup), its PPFD readings
  into a `DliAccumulator` for the day, each tank's water temperatures since
  the fill into a `SolutionAgeAccumulator` and its level readings into a
  `LevelLog`. The pass reads them. Their upkeep is one small step per
  reading or closed day, spread over the day; it is timed on its own and
  printed below the pass.
- What only changes when the grower acts is kept between passes, as the live
  farm keeps it: each plant's `CarePlant` (due dates move only on confirm or
  snooze; the pass still works out every task's urgency for the new day),
  and the harvest verdict of a plant whose treatments have all run out (it
  cannot change until a new treatment; `safe_from` tells which plants those
  are, and `safe_harvest` runs for every plant with a treatment still
  running).
- Instants are UTC, as Home Assistant's time helpers and recorder hand them
  over; calendar days are the farm's local ones.

What each group does, for every rack, tank, plant and shelf:

- racks: GDD so far for every group of plants with the same base temperature
  and phase start, and the expected daily GDD (last 7 days), from the
  ledger; one photoperiod plan (it is also the light-compatibility verdict,
  so it is worked out once), the light window, the next light change, the
  pump cycle, and the DLI of the day just ended;
- tanks: targets from the plants' phases, probe status, EC compensated to
  25 C, EC and pH deviation, pH drift, water temperature, solution age,
  maintenance due, the water balance (walked anew over the 7 days of
  10-minute level readings in the log: its window slides with the clock),
  the top-up plan and tank compatibility;
- plants: advance decision, expected harvest, watering volume and next
  watering, one care schedule (the due list is filtered from it), and the
  harvest verdict;
- shelves: companion score and a rotation check for every crop on the shelf.

Prints the median and 90th percentile of each group and of the whole pass
over the timed runs, the verdict against the goal (SPEC section 10), the
upkeep costs, and a check that every figure read from an accumulator or kept
between passes equals what the batch engines give from the raw readings. It
measures; it asserts nothing. `--profile` adds the hottest functions.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence
import cProfile
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, time, timedelta, tzinfo
import gc
import math
import os
from pathlib import Path
import platform
import pstats
import random
import statistics
import sys
from time import perf_counter_ns
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from custom_components.vertical_farm.engine.care import (  # noqa: E402
    CareKind,
    CarePlant,
    DueTask,
    care_schedule,
    care_tasks,
    due_from_schedule,
    due_tasks,
    learned_interval_days,
    preset_interval_days,
    preset_winter_factor,
)
from custom_components.vertical_farm.engine.compatibility import (  # noqa: E402
    TankCompatibility,
    tank_compatibility,
)
from custom_components.vertical_farm.engine.irrigation import (  # noqa: E402
    PumpCycle,
    pump_cycle,
)
from custom_components.vertical_farm.engine.lighting import (  # noqa: E402
    DliAccumulator,
    DliMeasurement,
    DliQuality,
    LightWindow,
    PhotoperiodPlan,
    PlantInPhase,
    PpfdReading,
    dli_from_readings,
    is_light_on,
    light_window,
    next_light_change,
    shelf_photoperiod,
)
from custom_components.vertical_farm.engine.nutrients import (  # noqa: E402
    TopUp,
    ec_at_25,
    top_up_plan,
)
from custom_components.vertical_farm.engine.phases import (  # noqa: E402
    AdvanceDecision,
    DayGDD,
    GddLedger,
    Reading,
    accumulated_gdd,
    advance_decision,
    expected_harvest,
    gdd_from_days,
)
from custom_components.vertical_farm.engine.profiles import (  # noqa: E402
    Hemisphere,
    Library,
    Phase,
    Species,
    System,
    TankType,
)
from custom_components.vertical_farm.engine.rotation import (  # noqa: E402
    Planting,
    RotationViolation,
    ShelfScore,
    rotation_violations,
    shelf_companionship,
)
from custom_components.vertical_farm.engine.safety import (  # noqa: E402
    HarvestSafety,
    Treatment,
    safe_from,
    safe_harvest,
    treatment_from_product,
)
from custom_components.vertical_farm.engine.tanks import (  # noqa: E402
    Deviation,
    LevelLog,
    MaintenanceDue,
    MaintenanceKind,
    MaintenanceTask,
    PhDrift,
    ProbeKind,
    ProbeStatus,
    SolutionAge,
    SolutionAgeAccumulator,
    TankTargets,
    WaterBalance,
    WaterTemperature,
    deviation,
    maintenance_due,
    ph_drift,
    probe_status,
    solution_age,
    tank_targets,
    water_balance,
    water_temperature,
)
from custom_components.vertical_farm.engine.watering import (  # noqa: E402
    WateringMode,
    WateringSchedule,
    WateringVolume,
    next_watering,
    watering_volume,
)
from custom_components.vertical_farm.library import load_library  # noqa: E402

DESCRIPTION = "Time one whole-farm engine pass and print the figures."
GOAL_MS = 20.0  # SPEC section 10: whole-farm engine pass under 20 ms
SEED = 20261123
RACKS = 20  # each tank feeds two of them
PLANTS = 1_000
HISTORY_DAYS = 365
# A zone with DST, so the year of readings crosses two clock changes.
ZONE = ZoneInfo("Europe/Berlin")
# Just after a midnight rollover, when the live farm recomputes everything. Instants
# are UTC, as Home Assistant's time helpers and recorder hand them over; the
# calendar day is the farm's local one.
LOCAL_NOW = datetime(2026, 4, 15, 0, 0, 5, tzinfo=ZONE)
NOW = LOCAL_NOW.astimezone(UTC)
TODAY = LOCAL_NOW.date()
HEMISPHERE = Hemisphere.NORTH
TAP_EC = 0.4  # mS/cm
LEVEL_STEP = timedelta(minutes=10)
PROBE_STEP = timedelta(minutes=10)
PPFD_STEP = timedelta(minutes=5)
# Every rack runs its pump with the integration's default cycle.
PUMP_ON_MIN = 15
PUMP_OFF_MIN = 45
# (tank type, system, number of tanks), 10 in all: most racks are hydro, some coco or soil.
TANK_KINDS = (
    (TankType.RECIRCULATION, System.HYDRO, 5),
    (TankType.IRRIGATION, System.COCO, 3),
    (TankType.NUTRIENT, System.SOIL, 2),
)
GROUPS = ("racks", "tanks", "plants", "shelves")


@dataclass(frozen=True, kw_only=True, slots=True)
class Plant:
    """A plant record with everything the engines need, as the live farm holds it."""

    plant_id: str
    species: Species
    phase: Phase
    phase_started_on: date
    planted_on: date
    quantity: int
    rack: int
    shelf: int
    container_l: float | None
    last_watered_on: date | None
    care: CarePlant  # kept until a task is confirmed or snoozed
    treatments: tuple[Treatment, ...]
    in_phase: PlantInPhase
    # Kept until a treatment is added: when every treatment has run out (None
    # without any), and the verdict from then on.
    safe_from: datetime | None = None
    settled_safety: HarvestSafety | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class Tank:
    """A tank, its recent probe history and its chores."""

    tank_id: str
    tank_type: TankType
    system: System
    volume_l: float
    racks: tuple[int, ...]
    filled_at: datetime
    ph_at_fill: float
    target_ph: float  # the tank's own set point (its `target_ph` number)
    ec: tuple[Reading, ...]  # mS/cm, every 10 minutes since before the fill
    ph: tuple[Reading, ...]
    temperature: tuple[Reading, ...]  # water, C
    level: tuple[Reading, ...]  # litres, every 10 minutes for 7 days
    maintenance: tuple[MaintenanceTask, ...]
    # fed every water temperature since the fill (and the last one before it)
    age: SolutionAgeAccumulator = field(init=False, repr=False, compare=False)
    # fed every level reading; holds the last 7 days of them
    levels: LevelLog = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Open the tank's accumulators (build_farm feeds them)."""
        object.__setattr__(
            self, "age", SolutionAgeAccumulator(filled_at=self.filled_at)
        )
        object.__setattr__(self, "levels", LevelLog(volume_l=self.volume_l))


@dataclass(frozen=True, kw_only=True, slots=True)
class Rack:
    """A rack, its stored daily temperature extremes and today's light readings."""

    rack_id: str
    tank: int
    lights_on: time
    watering: WateringSchedule
    gdd_days: tuple[DayGDD, ...]  # one per local day of the past year
    ppfd: tuple[PpfdReading, ...]  # every 5 minutes over the day just ended
    plants: tuple[Plant, ...]
    shelves: tuple[tuple[Plant, ...], ...]
    rotation_history: tuple[tuple[Planting, ...], ...]  # per shelf
    ledger: GddLedger  # the same days, with running totals
    dli: DliAccumulator  # the day just ended, fed every PPFD reading


@dataclass(slots=True)
class Upkeep:
    """Time spent folding readings into the accumulators, outside the pass."""

    ns: dict[str, int] = field(default_factory=dict)
    counts: dict[str, int] = field(default_factory=dict)

    def note(self, name: str, ns: int, count: int = 1) -> None:
        """Add `count` steps that took `ns` in all."""
        self.ns[name] = self.ns.get(name, 0) + ns
        self.counts[name] = self.counts.get(name, 0) + count


@dataclass(frozen=True, kw_only=True, slots=True)
class Farm:
    """The whole farm, built once before the timed passes."""

    library: Library
    racks: tuple[Rack, ...]
    tanks: tuple[Tank, ...]
    plants: tuple[Plant, ...]
    history_counts: dict[str, int]
    startup_gdd_ns: int  # accumulated_gdd over every rack's year, once at startup
    upkeep: Upkeep


@dataclass(slots=True)
class RackState:
    """What one rack pass worked out."""

    gdd_so_far: dict[tuple[float, date], float] = field(default_factory=dict)
    expected_daily_gdd: dict[float, float] = field(default_factory=dict)
    photoperiod: PhotoperiodPlan | None = None
    window: LightWindow | None = None
    next_change: datetime | None = None
    pump: PumpCycle | None = None
    dli: DliMeasurement | None = None
    light: PhotoperiodPlan | None = None


@dataclass(slots=True)
class TankState:
    """What one tank pass worked out."""

    targets: TankTargets
    probes: tuple[ProbeStatus, ...]
    ec_deviation: Deviation | None
    ph_deviation: Deviation | None
    drift: PhDrift | None
    water: WaterTemperature | None
    age: SolutionAge
    maintenance: tuple[MaintenanceDue, ...]
    balance: WaterBalance
    top_up: TopUp | None
    compatibility: TankCompatibility


@dataclass(slots=True)
class PlantState:
    """What one plant pass worked out."""

    advance: AdvanceDecision
    harvest_on: date | None
    volume: WateringVolume
    watering_on: date | None
    schedule: tuple[DueTask, ...]
    due: tuple[DueTask, ...]
    safety: HarvestSafety


@dataclass(slots=True)
class ShelfState:
    """What one shelf pass worked out."""

    companions: ShelfScore
    violations: tuple[RotationViolation, ...]


@dataclass(slots=True)
class PassResult:
    """One whole-farm pass: the states and the time each group took."""

    racks: list[RackState]
    tanks: list[TankState]
    plants: list[PlantState]
    shelves: list[ShelfState]
    group_ns: dict[str, int]
    total_ns: int


# --- building the farm (not timed) -------------------------------------------------


def _hourly_temperatures(rng: random.Random, end: datetime) -> list[Reading]:
    """A year of hourly air temperatures of an indoor rack, in UTC like a recorder's."""
    start = (end - timedelta(days=HISTORY_DAYS)).astimezone(UTC)
    offset = rng.uniform(-1.5, 1.5)  # racks near a window or the floor differ
    readings: list[Reading] = []
    at = start
    hour = timedelta(hours=1)
    while at < end:
        season = math.sin(2 * math.pi * (at.timetuple().tm_yday - 110) / 365)
        daily = math.sin(2 * math.pi * (at.hour - 9) / 24)
        value = 21.0 + offset + 2.5 * season + 3.0 * daily + rng.gauss(0, 0.6)
        # a sensor drops out now and then: an hour with no value
        if rng.random() > 0.01:
            readings.append((at, round(value, 1)))
        at += hour
    return readings


def _ppfd_day(
    rng: random.Random, lights_on: time, photoperiod_h: float, day: date
) -> tuple[PpfdReading, ...]:
    """PPFD every 5 minutes over one local day, from 15 minutes before it starts."""
    start = datetime.combine(day, time(0), tzinfo=ZONE) - timedelta(minutes=15)
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZONE)
    level = rng.uniform(180.0, 350.0)
    readings: list[PpfdReading] = []
    at = start.astimezone(UTC)
    while at <= end:
        lit = is_light_on(at, lights_on, photoperiod_h, ZONE)
        value = max(0.0, level + rng.gauss(0, 6.0)) if lit else 0.0
        if rng.random() > 0.02:  # a few missed samples
            readings.append(PpfdReading(at=at, ppfd=round(value, 1)))
        at += PPFD_STEP
    return tuple(readings)


def _series(
    rng: random.Random,
    *,
    start: datetime,
    end: datetime,
    step: timedelta,
    value: Callable[[datetime, float], float],
) -> tuple[Reading, ...]:
    """Readings every `step` from `start` to `end`; `value` gets (at, days since start)."""
    readings: list[Reading] = []
    at = start.astimezone(UTC)
    while at <= end:
        if rng.random() > 0.01:
            days = (at - start).total_seconds() / 86_400
            readings.append((at, round(value(at, days), 2)))
        at += step
    return tuple(readings)


def _level_history(rng: random.Random, volume_l: float) -> tuple[Reading, ...]:
    """7 days of level readings every 10 minutes: steady use, refilled when low."""
    use_per_step = volume_l * rng.uniform(0.04, 0.12) / 144
    level = volume_l * rng.uniform(0.6, 0.95)
    readings: list[Reading] = []
    at = (NOW - timedelta(days=7)).astimezone(UTC)
    while at <= NOW:
        level -= use_per_step
        if level < 0.35 * volume_l:
            level = 0.95 * volume_l
        readings.append((at, round(level + rng.gauss(0, volume_l * 0.003), 1)))
        at += LEVEL_STEP
    return tuple(readings)


def _build_tank(rng: random.Random, index: int, kind: tuple[TankType, System]) -> Tank:
    """A tank with 14 days of EC, pH and water temperature and 7 days of level."""
    tank_type, system = kind
    volume_l = float(rng.choice((40, 60, 80, 100, 150, 200)))
    filled_at = NOW - timedelta(days=rng.uniform(1.0, 13.0))
    ph_at_fill = round(rng.uniform(5.7, 6.0), 2)
    history_start = NOW - timedelta(days=14)
    ec_level = rng.uniform(1.0, 2.0)
    drift_per_day = rng.uniform(0.02, 0.08)

    def since_fill(at: datetime) -> float:
        return max(0.0, (at - filled_at).total_seconds() / 86_400)

    maintenance = tuple(
        MaintenanceTask(
            kind=chore,
            interval_days=interval,
            last_done=None
            if rng.random() < 0.05
            else NOW - timedelta(days=rng.uniform(0.0, interval * 1.3)),
        )
        for chore, interval in (
            (MaintenanceKind.CHANGE_WATER, 14.0),
            (MaintenanceKind.CLEAN_TANK, 28.0),
            (MaintenanceKind.CALIBRATE_PROBES, 30.0),
        )
    )
    return Tank(
        tank_id=f"tank_{index + 1:02d}",
        tank_type=tank_type,
        system=system,
        volume_l=volume_l,
        racks=(2 * index, 2 * index + 1),
        filled_at=filled_at,
        ph_at_fill=ph_at_fill,
        target_ph=round(rng.uniform(5.8, 6.2), 1),
        ec=_series(
            rng,
            start=history_start,
            end=NOW,
            step=PROBE_STEP,
            value=lambda at, _: (
                ec_level * (1 + 0.01 * since_fill(at)) + rng.gauss(0, 0.02)
            ),
        ),
        ph=_series(
            rng,
            start=history_start,
            end=NOW,
            step=PROBE_STEP,
            value=lambda at, _: (
                ph_at_fill + drift_per_day * since_fill(at) + rng.gauss(0, 0.02)
            ),
        ),
        temperature=_series(
            rng,
            start=history_start,
            end=NOW,
            step=PROBE_STEP,
            value=lambda at, days: (
                20.5 + 1.5 * math.sin(2 * math.pi * (days - 0.4)) + rng.gauss(0, 0.1)
            ),
        ),
        level=_level_history(rng, volume_l),
        maintenance=maintenance,
    )


def _confirmations(
    rng: random.Random, interval_days: float, started: date, today: date
) -> list[date]:
    """The days a grower confirmed a task, roughly every `interval_days`."""
    days: list[date] = []
    on = started + timedelta(days=max(1, round(interval_days * rng.uniform(0.7, 1.3))))
    while on < today:
        days.append(on)
        on += timedelta(days=max(1, round(interval_days * rng.uniform(0.7, 1.3))))
    return days


def _care_plant(
    rng: random.Random,
    library: Library,
    plant_id: str,
    species: Species,
    phase: Phase,
    *,
    planted_on: date,
    recirculating: bool,
) -> CarePlant:
    """The plant's care tasks, with the learned intervals its confirmations give."""
    preset = library.care_presets[species.care_preset]
    today = TODAY
    last_done: dict[CareKind, date] = {}
    learned: dict[CareKind, float] = {}
    snoozed: dict[CareKind, date] = {}
    for kind in CareKind:
        interval = preset_interval_days(preset, kind)
        if interval == 0:
            continue
        # the live farm learns on each confirmation and stores the result
        history = _confirmations(rng, interval, planted_on, today)
        if history:
            last_done[kind] = history[-1]
            learned[kind] = learned_interval_days(
                interval,
                history,
                hemisphere=HEMISPHERE,
                winter_factor=preset_winter_factor(preset, kind),
            )
        if rng.random() < 0.05:
            snoozed[kind] = today + timedelta(days=rng.randint(1, 3))
    return CarePlant(
        plant_id=plant_id,
        phase=phase,
        tasks=care_tasks(
            preset,
            started=planted_on,
            last_done=last_done,
            snoozed_until=snoozed,
            learned_interval_days=learned,
        ),
        on_recirculating_tank=recirculating,
    )


def _quantity(rng: random.Random, species: Species) -> int:
    """Trays of greens and microgreens hold many; fruiting plants come in ones and twos."""
    if Phase.FRUITING in species.sequence:
        return rng.randint(1, 3)
    if species.key.startswith("microgreens") or species.key == "wheatgrass":
        return 1  # one tray
    return rng.randint(4, 24)


def _build_plant(
    rng: random.Random,
    library: Library,
    number: int,
    species: Species,
    *,
    rack: int,
    shelf: int,
    tank: Tank,
) -> Plant:
    """One plant record in a sensible phase, with its care and treatment history."""
    today = TODAY
    # no perennial is resting: it is spring
    phases = [
        profile for profile in species.phases if profile.phase is not Phase.DORMANCY
    ]
    profile = rng.choice(phases)
    phase_started_on = today - timedelta(days=rng.randint(0, int(profile.days * 1.2)))
    earlier = species.sequence.index(profile.phase)
    planted_on = phase_started_on - timedelta(
        days=sum(item.days for item in species.phases[:earlier])
    )
    plant_id = f"plant_{number:04d}"
    container_l = (
        None
        if tank.system is System.HYDRO
        else float(rng.choice((3, 5, 7, 11, 15, 20)))
    )
    products = list(library.products.values())
    treatments = tuple(
        treatment_from_product(
            rng.choice(products),
            NOW - timedelta(days=rng.uniform(0.1, 60.0)),
        )
        for _ in range(rng.randint(0, 4))
    )
    until = safe_from(treatments)
    return Plant(
        plant_id=plant_id,
        species=species,
        phase=profile.phase,
        phase_started_on=phase_started_on,
        planted_on=planted_on,
        quantity=_quantity(rng, species),
        rack=rack,
        shelf=shelf,
        container_l=container_l,
        last_watered_on=None
        if rng.random() < 0.05
        else today - timedelta(days=rng.randint(0, 4)),
        care=_care_plant(
            rng,
            library,
            plant_id,
            species,
            profile.phase,
            planted_on=planted_on,
            recirculating=tank.tank_type is TankType.RECIRCULATION,
        ),
        treatments=treatments,
        in_phase=PlantInPhase(plant_id=plant_id, species=species, phase=profile.phase),
        safe_from=until,
        # worked out once the last treatment has run out (here: when built)
        settled_safety=safe_harvest(treatments, NOW)
        if until is None or until <= NOW
        else None,
    )


def _rotation_history(
    rng: random.Random, pool: Sequence[Species], today: date
) -> tuple[Planting, ...]:
    """Four years of earlier crops on one shelf, back to back."""
    plantings: list[Planting] = []
    ended = today - timedelta(days=rng.randint(0, 20))
    while ended > today - timedelta(days=4 * 365):
        species = rng.choice(pool)
        planted = ended - timedelta(days=rng.randint(30, 120))
        plantings.append(
            Planting(
                species=species.key,
                family=species.family,
                planted=planted,
                ended=ended,
            )
        )
        ended = planted - timedelta(days=rng.randint(1, 14))
    return tuple(plantings)


def _feed_solution_age(tank: Tank, upkeep: Upkeep) -> None:
    """Fold the tank's water temperatures into its accumulator, as they arrived."""
    before = [item for item in tank.temperature if item[0] <= tank.filled_at]
    since = [item for item in tank.temperature if tank.filled_at < item[0] <= NOW]
    # a new accumulator at the fill starts from the last reading before it
    readings = before[-1:] + since
    started = perf_counter_ns()
    for at, value in readings:
        tank.age.add(at, value)
    upkeep.note("water temperatures", perf_counter_ns() - started, len(readings))
    started = perf_counter_ns()
    for at, value in tank.level:
        tank.levels.add(at, value)
    upkeep.note("level readings", perf_counter_ns() - started, len(tank.level))


def _open_ledger(
    days: Sequence[DayGDD], plants: Sequence[Plant], upkeep: Upkeep
) -> GddLedger:
    """The rack's ledger as it stands after the midnight just passed.

    Built at startup from the stored days and asked once for each base
    temperature (which builds that base's totals); then yesterday closes,
    timed as upkeep.
    """
    ledger = GddLedger(days[:-1])
    for base in {plant.species.base_temp_c for plant in plants}:
        ledger.gdd(base)
    started = perf_counter_ns()
    ledger.add(days[-1])
    upkeep.note("closed days", perf_counter_ns() - started)
    return ledger


def _feed_dli(
    readings: Sequence[PpfdReading], day: date, upkeep: Upkeep
) -> DliAccumulator:
    """The accumulator of one local day, fed its PPFD readings as they arrived."""
    accumulator = DliAccumulator(
        start=datetime.combine(day, time(0), tzinfo=ZONE),
        end=datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZONE),
    )
    started = perf_counter_ns()
    for reading in readings:
        accumulator.add(reading)
    upkeep.note("PPFD readings", perf_counter_ns() - started, len(readings))
    return accumulator


def build_farm(seed: int = SEED) -> Farm:
    """Build the benchmark farm from the bundled library: one seed, one farm."""
    rng = random.Random(seed)
    library = load_library()
    upkeep = Upkeep()
    # Racks grow food; houseplants have no harvest phase and live in pots elsewhere.
    crops = sorted(
        (item for item in library.species.values() if Phase.HARVEST in item.sequence),
        key=lambda item: item.key,
    )
    today = TODAY
    yesterday = today - timedelta(days=1)
    kinds = [
        (tank_type, system)
        for tank_type, system, count in TANK_KINDS
        for _ in range(count)
    ]
    tanks = tuple(_build_tank(rng, index, kind) for index, kind in enumerate(kinds))
    for tank in tanks:
        _feed_solution_age(tank, upkeep)

    # 1,000 records spread over the shelves; each rack grows a handful of crops
    shelf_counts = [rng.randint(4, 6) for _ in range(RACKS)]
    pools = [rng.sample(crops, rng.randint(3, 6)) for _ in range(RACKS)]
    places = [
        (rack, shelf) for rack in range(RACKS) for shelf in range(shelf_counts[rack])
    ]
    plants_at: dict[tuple[int, int], list[Plant]] = {place: [] for place in places}
    shelf_crops = {
        (rack, shelf): rng.sample(pools[rack], min(len(pools[rack]), rng.randint(1, 3)))
        for rack, shelf in places
    }
    plants: list[Plant] = []
    for number in range(1, PLANTS + 1):
        rack, shelf = places[(number - 1) % len(places)]
        plant = _build_plant(
            rng,
            library,
            number,
            rng.choice(shelf_crops[rack, shelf]),
            rack=rack,
            shelf=shelf,
            tank=tanks[rack // 2],
        )
        plants.append(plant)
        plants_at[rack, shelf].append(plant)

    racks: list[Rack] = []
    temperature_count = 0
    ppfd_count = 0
    startup_gdd_ns = 0
    for rack in range(RACKS):
        tank = tanks[rack // 2]
        lights_on = time(rng.choice((4, 5, 6, 7, 18)), rng.choice((0, 30)))
        temperatures = _hourly_temperatures(rng, NOW)
        temperature_count += len(temperatures)
        # Once, as the live farm does when it starts: from then on it keeps daily extremes.
        started = perf_counter_ns()
        summary = accumulated_gdd(temperatures, 10.0, tz=ZONE, end_on=yesterday)
        startup_gdd_ns += perf_counter_ns() - started
        rack_plants = tuple(plant for plant in plants if plant.rack == rack)
        # the day just ended ran the photoperiod the plants asked for
        photoperiod_h = shelf_photoperiod(
            plant.in_phase for plant in rack_plants
        ).photoperiod_h
        ppfd = _ppfd_day(rng, lights_on, photoperiod_h, yesterday)
        ppfd_count += len(ppfd)
        watering = (
            WateringSchedule(mode=WateringMode.EVERY_N_DAYS, interval_days=1)
            if tank.system is not System.SOIL
            else WateringSchedule(
                mode=WateringMode.WEEKDAYS, weekdays=frozenset({0, 2, 4})
            )
        )
        racks.append(
            Rack(
                rack_id=f"rack_{rack + 1:02d}",
                tank=rack // 2,
                lights_on=lights_on,
                watering=watering,
                gdd_days=summary.days,
                ppfd=ppfd,
                plants=rack_plants,
                shelves=tuple(
                    tuple(plants_at[rack, shelf]) for shelf in range(shelf_counts[rack])
                ),
                rotation_history=tuple(
                    _rotation_history(rng, pools[rack], today)
                    for _ in range(shelf_counts[rack])
                ),
                ledger=_open_ledger(summary.days, rack_plants, upkeep),
                dli=_feed_dli(ppfd, yesterday, upkeep),
            )
        )
    counts = {
        "air temperatures": temperature_count,
        "stored GDD days": sum(len(rack.gdd_days) for rack in racks),
        "PPFD readings": ppfd_count,
        "level readings": sum(len(tank.level) for tank in tanks),
        "EC, pH and water temperatures": sum(
            len(tank.ec) + len(tank.ph) + len(tank.temperature) for tank in tanks
        ),
        "care tasks": sum(len(plant.care.tasks) for plant in plants),
        "treatments": sum(len(plant.treatments) for plant in plants),
        "earlier shelf crops": sum(
            len(history) for rack in racks for history in rack.rotation_history
        ),
    }
    return Farm(
        library=library,
        racks=tuple(racks),
        tanks=tuple(tanks),
        plants=tuple(plants),
        history_counts=counts,
        startup_gdd_ns=startup_gdd_ns,
        upkeep=upkeep,
    )


# --- the pass (timed) --------------------------------------------------------------


def rack_pass(rack: Rack, now: datetime, today: date, zone: tzinfo) -> RackState:
    """Everything one rack shows: GDD so far, light plan, window, pump, DLI, conflicts."""
    state = RackState()
    yesterday = today - timedelta(days=1)
    week_ago = today - timedelta(days=7)
    ledger = rack.ledger
    for plant in rack.plants:
        base = plant.species.base_temp_c
        if base not in state.expected_daily_gdd:
            state.expected_daily_gdd[base] = (
                ledger.gdd(base, start_on=week_ago, end_on=yesterday) / 7
            )
        key = (base, plant.phase_started_on)
        if key not in state.gdd_so_far:
            # plants with the same base temperature and phase start share one sum
            state.gdd_so_far[key] = ledger.gdd(
                base, start_on=plant.phase_started_on, end_on=yesterday
            )
    # one plan: the light's photoperiod and its compatibility verdict alike
    plan = shelf_photoperiod([plant.in_phase for plant in rack.plants])
    state.photoperiod = plan
    state.light = plan
    state.window = light_window(rack.lights_on, plan.photoperiod_h)
    state.next_change = next_light_change(now, rack.lights_on, plan.photoperiod_h, zone)
    state.pump = pump_cycle(
        now,
        on_min=PUMP_ON_MIN,
        off_min=PUMP_OFF_MIN,
        zone=zone,
        lights_on=rack.lights_on,
        photoperiod_h=plan.photoperiod_h,
    )
    state.dli = rack.dli.measurement()
    return state


def _latest(readings: Sequence[Reading]) -> tuple[Reading | None, Reading | None]:
    """The latest reading and the one before it (readings are kept in time order)."""
    latest = readings[-1] if readings else None
    previous = readings[-2] if len(readings) > 1 else None
    return latest, previous


def tank_pass(tank: Tank, plants: Sequence[Plant], now: datetime) -> TankState:
    """Everything one tank shows: targets, deviations, age, chores, water, conflicts."""
    targets = tank_targets(
        tank.tank_type,
        (plant.in_phase.profile for plant in plants),
        system=tank.system,
        base_ec=TAP_EC,
    )
    probes: list[ProbeStatus] = []
    values: dict[ProbeKind, float | None] = {}
    for kind, readings in (
        (ProbeKind.EC, tank.ec),
        (ProbeKind.PH, tank.ph),
        (ProbeKind.TEMPERATURE, tank.temperature),
        (ProbeKind.LEVEL, tank.level),
    ):
        latest, previous = _latest(readings)
        status = probe_status(kind, latest, now=now, previous=previous)
        probes.append(status)
        # stale or implausible readings never drive anything
        values[kind] = status.value if status.usable else None
    ec = values[ProbeKind.EC]
    ph = values[ProbeKind.PH]
    temperature = values[ProbeKind.TEMPERATURE]
    ec_25 = (
        ec_at_25(ec, temperature) if ec is not None and temperature is not None else ec
    )
    balance = tank.levels.balance(now)
    top_up = None
    if (
        ec_25 is not None
        and targets.ec_target is not None
        and balance.level_l is not None
        and targets.ec_target >= TAP_EC
    ):
        top_up = top_up_plan(
            volume_l=tank.volume_l,
            level_l=balance.level_l,
            current_ec=ec_25,
            target_ec=targets.ec_target,
            base_ec=TAP_EC,
        )
    return TankState(
        targets=targets,
        probes=tuple(probes),
        ec_deviation=deviation(ec_25, targets.ec_target)
        if ec_25 is not None and targets.ec_target
        else None,
        # the plants' pH target, or the grower's set point when their ranges conflict
        ph_deviation=deviation(ph, targets.ph_target or tank.target_ph)
        if ph is not None
        else None,
        drift=ph_drift(
            ph_at_fill=tank.ph_at_fill, filled_at=tank.filled_at, current_ph=ph, now=now
        )
        if ph is not None
        else None,
        water=water_temperature(temperature) if temperature is not None else None,
        age=tank.age.age(now),
        maintenance=maintenance_due(tank.maintenance, now),
        balance=balance,
        top_up=top_up,
        compatibility=tank_compatibility(plant.in_phase for plant in plants),
    )


def plant_pass(
    plant: Plant,
    rack: Rack,
    rack_state: RackState,
    tank: Tank,
    *,
    now: datetime,
    today: date,
) -> PlantState:
    """Everything one plant shows: phase outlook, watering, care, harvest safety."""
    base = plant.species.base_temp_c
    gdd = rack_state.gdd_so_far[base, plant.phase_started_on]
    volume = watering_volume(
        plant.species,
        plant.phase,
        system=tank.system,
        container_l=plant.container_l,
        quantity=plant.quantity,
        tank_type=tank.tank_type,
    )
    schedule = care_schedule(plant.care, today=today, hemisphere=HEMISPHERE)
    # a verdict only changes while a treatment is still running
    safety = plant.settled_safety
    if safety is None or (plant.safe_from is not None and plant.safe_from > now):
        safety = safe_harvest(plant.treatments, now)
    return PlantState(
        advance=advance_decision(
            plant.species,
            plant.phase,
            started_on=plant.phase_started_on,
            today=today,
            gdd_so_far=gdd,
        ),
        harvest_on=expected_harvest(
            plant.species,
            plant.phase,
            started_on=plant.phase_started_on,
            today=today,
            gdd_so_far=gdd,
            expected_daily_gdd=rack_state.expected_daily_gdd[base],
        ),
        volume=volume,
        watering_on=next_watering(
            rack.watering, last_watered_on=plant.last_watered_on, today=today
        )
        if volume.needed
        else None,
        schedule=schedule,
        due=due_from_schedule(schedule),
        safety=safety,
    )


def shelf_pass(
    shelf: Sequence[Plant], history: Sequence[Planting], library: Library
) -> ShelfState:
    """One shelf: how its crops get on and whether any follows its family too soon."""
    companions = shelf_companionship(
        [plant.species for plant in shelf], library.families
    )
    # each crop on the shelf counts from its earliest sowing there
    sown: dict[str, Planting] = {}
    for plant in shelf:
        known = sown.get(plant.species.key)
        if known is None or plant.planted_on < known.planted:
            sown[plant.species.key] = Planting(
                species=plant.species.key,
                family=plant.species.family,
                planted=plant.planted_on,
            )
    violations = tuple(
        violation
        for planting in sown.values()
        for violation in rotation_violations(history, planting)
    )
    return ShelfState(companions=companions, violations=violations)


def farm_pass(farm: Farm, now: datetime, today: date) -> PassResult:
    """One whole-farm pass at `now` (UTC) on the local day `today`, each group timed."""
    clock = perf_counter_ns
    begin = clock()
    racks = [rack_pass(rack, now, today, ZONE) for rack in farm.racks]
    after_racks = clock()
    tanks = [
        tank_pass(
            tank,
            [plant for index in tank.racks for plant in farm.racks[index].plants],
            now,
        )
        for tank in farm.tanks
    ]
    after_tanks = clock()
    plants = [
        plant_pass(
            plant,
            farm.racks[plant.rack],
            racks[plant.rack],
            farm.tanks[farm.racks[plant.rack].tank],
            now=now,
            today=today,
        )
        for plant in farm.plants
    ]
    after_plants = clock()
    shelves = [
        shelf_pass(shelf, history, farm.library)
        for rack in farm.racks
        for shelf, history in zip(rack.shelves, rack.rotation_history, strict=True)
    ]
    end = clock()
    return PassResult(
        racks=racks,
        tanks=tanks,
        plants=plants,
        shelves=shelves,
        group_ns={
            "racks": after_racks - begin,
            "tanks": after_tanks - after_racks,
            "plants": after_plants - after_tanks,
            "shelves": end - after_plants,
        },
        total_ns=end - begin,
    )


# --- checking (not timed) ----------------------------------------------------------


def check(farm: Farm, result: PassResult, now: datetime, today: date) -> list[str]:
    """Compare what the pass read or kept with the batch engines over raw readings.

    Returns one line per figure that differs (none when all agree).
    """
    yesterday = today - timedelta(days=1)
    day_start = datetime.combine(yesterday, time(0), tzinfo=ZONE)
    day_end = datetime.combine(today, time(0), tzinfo=ZONE)
    differences: list[str] = []

    def expect(name: str, kept: object, batch: object) -> None:
        if kept != batch:
            differences.append(f"{name}: pass {kept!r}, batch {batch!r}")

    for rack, state in zip(farm.racks, result.racks, strict=True):
        for (base, started_on), gdd in state.gdd_so_far.items():
            expect(
                f"{rack.rack_id} GDD since {started_on} at base {base}",
                gdd,
                gdd_from_days(
                    rack.gdd_days, base, start_on=started_on, end_on=yesterday
                ),
            )
        expect(
            f"{rack.rack_id} DLI",
            state.dli,
            dli_from_readings(rack.ppfd, start=day_start, end=day_end),
        )
    for tank, tank_state in zip(farm.tanks, result.tanks, strict=True):
        expect(
            f"{tank.tank_id} solution age",
            tank_state.age,
            solution_age(
                filled_at=tank.filled_at, now=now, temperatures=tank.temperature
            ),
        )
        expect(
            f"{tank.tank_id} water balance",
            tank_state.balance,
            water_balance(tank.level, now=now, volume_l=tank.volume_l),
        )
    for plant, plant_state in zip(farm.plants, result.plants, strict=True):
        expect(
            f"{plant.plant_id} due tasks",
            plant_state.due,
            # a fresh record: nothing worked out in earlier passes
            due_tasks(replace(plant.care), today=today, hemisphere=HEMISPHERE),
        )
        expect(
            f"{plant.plant_id} harvest verdict",
            plant_state.safety,
            safe_harvest(plant.treatments, now),
        )
    return differences


# --- reporting ---------------------------------------------------------------------


def _p90(values: Sequence[float]) -> float:
    """The 90th percentile (inclusive method: stays within the measured values)."""
    if len(values) < 2:
        return values[0]
    return statistics.quantiles(values, n=10, method="inclusive")[-1]


def _farm_state(result: PassResult) -> list[str]:
    """A few figures from one pass, to show the farm is a busy, realistic one."""
    advancing = sum(1 for state in result.plants if state.advance.advance)
    due = sum(len(state.due) for state in result.plants)
    blocked = sum(1 for state in result.plants if not state.safety.allowed)
    watered = sum(1 for state in result.plants if state.volume.needed)
    light_conflicts = sum(
        1 for state in result.racks if state.light and not state.light.compatible
    )
    tank_conflicts = sum(
        1 for state in result.tanks if not state.compatibility.compatible
    )
    chores = sum(
        1 for state in result.tanks for chore in state.maintenance if chore.due
    )
    partial = sum(
        1
        for state in result.racks
        if state.dli and state.dli.reason is not DliQuality.COMPLETE
    )
    violations = sum(len(state.violations) for state in result.shelves)
    antagonists = sum(len(state.companions.antagonists) for state in result.shelves)
    return [
        (
            f"plants: {advancing} ready to advance, {due} care tasks due or upcoming, "
            f"{blocked} harvests blocked, {watered} watered by hand"
        ),
        (
            f"racks: {light_conflicts} light conflicts, {partial} DLI days with gaps; "
            f"tanks: {tank_conflicts} EC/pH conflicts, {chores} chores due"
        ),
        f"shelves: {antagonists} antagonist pairs, {violations} rotation violations",
    ]


def run(farm: Farm, *, runs: int, warmup: int) -> tuple[list[PassResult], PassResult]:
    """Warm up, then time `runs` passes; return them and the first warm-up pass."""
    first = farm_pass(farm, NOW, TODAY)
    for _ in range(max(0, warmup - 1)):
        farm_pass(farm, NOW, TODAY)
    results: list[PassResult] = []
    for _ in range(runs):
        # start each pass with a clean young generation, as after an idle loop
        gc.collect()
        results.append(farm_pass(farm, NOW, TODAY))
    return results, first


def report(farm: Farm, results: Sequence[PassResult], first: PassResult) -> None:
    """Print the machine, the farm, the figures, the upkeep, the check and the verdict."""
    shelves = sum(len(rack.shelves) for rack in farm.racks)
    print("Vertical Farm: whole-farm engine pass (benchmarks/engines.py)")
    print(
        f"machine: Python {platform.python_version()} ({platform.python_implementation()}), "
        f"{platform.system()} {platform.machine()}, {os.cpu_count()} CPUs"
    )
    print(
        f"farm: {len(farm.racks)} racks ({shelves} shelves), {len(farm.tanks)} tanks, "
        f"{len(farm.plants)} plant records, {len({p.species.key for p in farm.plants})} "
        f"species; seed {SEED}; pass at {LOCAL_NOW.isoformat()} ({ZONE.key})"
    )
    print(
        "history: "
        + ", ".join(f"{count:,} {name}" for name, count in farm.history_counts.items())
    )
    for line in _farm_state(first):
        print(f"  {line}")
    print(f"timed: {len(results)} passes after a warm-up; times in ms")
    print(f"  {'group':<10}{'median':>10}{'p90':>10}{'min':>10}")
    rows: list[tuple[str, list[float]]] = [
        (group, [result.group_ns[group] / 1e6 for result in results])
        for group in GROUPS
    ]
    rows.append(("total", [result.total_ns / 1e6 for result in results]))
    for name, values in rows:
        print(
            f"  {name:<10}{statistics.median(values):>10.2f}"
            f"{_p90(values):>10.2f}{min(values):>10.2f}"
        )
    total = statistics.median(rows[-1][1])
    verdict = "PASS" if total < GOAL_MS else "OVER"
    print(
        f"startup, once: accumulated_gdd over {farm.history_counts['air temperatures']:,} "
        f"air temperatures, {farm.startup_gdd_ns / 1e6:.0f} ms (single sample)"
    )
    print(
        "upkeep, outside the pass, as readings arrive (mean per step): "
        + ", ".join(
            f"{name} {farm.upkeep.ns[name] / count / 1e3:.1f} us ({count:,} steps)"
            for name, count in farm.upkeep.counts.items()
        )
    )
    differences = check(farm, first, NOW, TODAY)
    print(
        "check: figures read from accumulators or kept between passes "
        + (
            "equal the batch engines over the raw readings"
            if not differences
            else f"differ from the batch engines in {len(differences)} places:"
        )
    )
    for line in differences[:10]:
        print(f"  {line}")
    print(
        f"goal: whole pass under {GOAL_MS:.0f} ms (median): {verdict} ({total:.2f} ms)"
    )


def profile(farm: Farm, passes: int, limit: int = 20) -> None:
    """Print the functions that take the most time over a few passes."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(passes):
        farm_pass(farm, NOW, TODAY)
    profiler.disable()
    print(f"profile: {passes} passes, hottest functions by own time")
    stats = pstats.Stats(profiler, stream=sys.stdout)
    stats.strip_dirs().sort_stats(pstats.SortKey.TIME).print_stats(limit)


def main(argv: Sequence[str] | None = None) -> None:
    """Build the farm, time the passes and print the figures."""
    parser = argparse.ArgumentParser(description=DESCRIPTION)
    parser.add_argument("--runs", type=int, default=25, help="timed passes")
    parser.add_argument("--warmup", type=int, default=3, help="untimed passes first")
    parser.add_argument(
        "--profile", action="store_true", help="also print the hottest functions"
    )
    args = parser.parse_args(argv)
    farm = build_farm()
    results, first = run(farm, runs=max(1, args.runs), warmup=max(1, args.warmup))
    report(farm, results, first)
    if args.profile:
        profile(farm, passes=5)


if __name__ == "__main__":
    main()
