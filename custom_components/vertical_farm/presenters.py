"""Presenters: what each rack, tank and plant looks like now, from the engines.

Pure functions from the farm's records and latest readings to frozen views
(`PlantView`, `RackView`, `TankView`); no Home Assistant imports. The live
farm (farm.py) gathers the inputs, calls these when an input changes, and
entities, actions, voice answers and assistant tools read the views.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from functools import partial
import math

from .engine import care, chemistry, lighting, phases, safety, seasons, tanks
from .engine.compatibility import TankCompatibility, tank_compatibility
from .engine.irrigation import PumpCycle, pump_cycle
from .engine.nutrients import ec_at_25
from .engine.profiles import (
    CarePreset,
    Hemisphere,
    Phase,
    Species,
    TankType,
    WaterChemistry,
)
from .engine.watering import WateringPlan
from .models import PlantConfig, RackConfig, TankConfig

type Reading = tuple[datetime, float]

MOISTURE_LOW_PERCENT = 20.0  # below this a pot is dry for most species
PROBE_MAX_AGE = timedelta(hours=1)
EC_PLAUSIBLE = tanks.TargetRange(low=0.0, high=10.0)
PH_PLAUSIBLE = tanks.TargetRange(low=0.0, high=14.0)
EC_MAX_JUMP = 1.5  # mS/cm between two readings: a probe out of the water, not the tank
PH_MAX_JUMP = 1.5


@dataclass(frozen=True, kw_only=True, slots=True)
class PhaseState:
    """Where a plant is in its cycle (stored)."""

    phase: Phase
    started_on: date
    cycle: int = 1


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantView:
    """A plant as its entities show it."""

    phase: Phase | None
    days_in_phase: int
    age_days: int
    gdd: float | None
    expected_harvest: date | None
    next_watering: date | None
    harvest: safety.HarvestSafety
    care: tuple[care.DueTask, ...]
    attention: tuple[str, ...]
    advance: phases.AdvanceDecision | None
    watering: WateringPlan | None = None  # the plant's watering plan, if it has one
    cold: seasons.ColdSpell | None = None  # None without a temperature sensor
    gdd_target: float | None = None  # the current phase's GDD requirement
    days_until_gdd_target: int | None = None

    @property
    def harvest_blocked(self) -> bool:
        """Whether harvesting now would break a pre-harvest interval."""
        return not self.harvest.allowed


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantInputs:
    """Everything a plant's view is computed from."""

    config: PlantConfig
    species: Species | None
    preset: CarePreset | None
    state: PhaseState | None
    gdd_so_far: float | None
    # The preset's care tasks as scheduled (`preset_care_due`); readings leave
    # them as they are, so the farm keeps them between its own changes.
    care_due: tuple[care.DueTask, ...] = ()
    treatments: tuple[safety.Treatment, ...] = ()
    recirculating: bool = False
    moisture: float | None = None
    watering: WateringPlan | None = None
    cold: seasons.ColdSpell | None = None
    daily_gdd: float | None = None  # the recent pace, for days until the GDD target


def _with_planned_watering(
    due: tuple[care.DueTask, ...], inputs: PlantInputs, phase: Phase, today: date
) -> tuple[care.DueTask, ...]:
    """The care tasks with watering on the plan's days instead of the preset's."""
    plan = inputs.watering
    if plan is None:
        return due
    tasks = [task for task in due if task.kind is not care.CareKind.WATER]
    if plan.volume.needed and phase is not Phase.DORMANCY and not inputs.recirculating:
        tasks.append(
            care.DueTask(
                plant_id=inputs.config.id,
                kind=care.CareKind.WATER,
                due=plan.next_on,
                urgency=care.urgency(plan.next_on, today),
                interval_days=plan.interval_days,
                snoozed=False,
            )
        )
        tasks.sort(key=lambda task: task.due)
    return tuple(tasks)


def _cold_advance(
    advance: phases.AdvanceDecision | None, cold: seasons.ColdSpell | None
) -> phases.AdvanceDecision | None:
    """A cold run sends a resting perennial into dormancy and keeps it there."""
    if cold is None:
        return advance
    if cold.keeps_resting and advance is not None and advance.advance:
        return phases.AdvanceDecision(
            advance=False,
            to_phase=advance.to_phase,
            reason=phases.AdvanceReason.COLD_SPELL,
            restarts_cycle=advance.restarts_cycle,
        )
    if not cold.dormancy_due:
        return advance
    return phases.AdvanceDecision(
        advance=True,
        to_phase=Phase.DORMANCY,
        reason=phases.AdvanceReason.COLD_SPELL,
        restarts_cycle=False,
    )


def preset_care_due(
    plant_id: str,
    tasks: Mapping[care.CareKind, care.CareTask],
    *,
    phase: Phase | None,
    recirculating: bool,
    today: date,
    hemisphere: Hemisphere,
) -> tuple[care.DueTask, ...]:
    """The preset's care tasks of a plant in a phase, as scheduled today."""
    if not tasks or phase is None:
        return ()
    return care.care_schedule(
        care.CarePlant(
            plant_id=plant_id,
            phase=phase,
            tasks=tuple(tasks.values()),
            on_recirculating_tank=recirculating,
        ),
        today=today,
        hemisphere=hemisphere,
    )


def plant_view(inputs: PlantInputs, *, now: datetime, today: date) -> PlantView:
    """Compute a plant's view."""
    config, species, state = inputs.config, inputs.species, inputs.state
    started_on = state.started_on if state is not None else config.planted
    phase = state.phase if state is not None else None
    advance = None
    expected = None
    if species is not None and phase is not None and phase in species.sequence:
        advance = phases.advance_decision(
            species,
            phase,
            started_on=started_on,
            today=today,
            gdd_so_far=inputs.gdd_so_far,
        )
        expected = phases.expected_harvest(
            species,
            phase,
            started_on=started_on,
            today=today,
            gdd_so_far=inputs.gdd_so_far,
        )
    due: tuple[care.DueTask, ...] = ()
    if phase is not None:
        due = _with_planned_watering(inputs.care_due, inputs, phase, today)
        advance = _cold_advance(advance, inputs.cold)
    watering = next(
        (task.due for task in due if task.kind is care.CareKind.WATER), None
    )
    profile = (
        species.phase(phase) if species is not None and phase is not None else None
    )
    gdd_target = (
        profile.gdd
        if profile is not None and profile.gdd > 0 and inputs.gdd_so_far is not None
        else None
    )
    harvest = safety.safe_harvest(inputs.treatments, now)
    attention = tuple(
        reason
        for reason, active in (
            (
                "care_due",
                any(
                    task.urgency in (care.Urgency.OVERDUE, care.Urgency.TODAY)
                    for task in due
                ),
            ),
            ("ready_to_harvest", phase is Phase.HARVEST and harvest.allowed),
            (
                "dry",
                inputs.moisture is not None and inputs.moisture < MOISTURE_LOW_PERCENT,
            ),
        )
        if active
    )
    return PlantView(
        phase=phase,
        days_in_phase=phases.days_in_phase(started_on, today),
        age_days=phases.days_in_phase(config.planted, today),
        gdd=None if inputs.gdd_so_far is None else round(inputs.gdd_so_far, 1),
        expected_harvest=expected,
        next_watering=watering,
        harvest=harvest,
        care=due,
        attention=attention,
        advance=advance,
        watering=inputs.watering,
        cold=inputs.cold,
        gdd_target=gdd_target,
        days_until_gdd_target=None
        if gdd_target is None or inputs.gdd_so_far is None
        else seasons.days_until_gdd(gdd_target, inputs.gdd_so_far, inputs.daily_gdd),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class RackView:
    """A rack as its entities show it."""

    photoperiod_h: float
    lights_on: time
    lights_off: time
    light_plan: lighting.PhotoperiodPlan | None  # auto mode: from the plants
    next_light_change: datetime | None  # None while the light schedule is off
    next_irrigation: datetime | None  # the next pump start; None while off
    pump_cycle: PumpCycle | None  # running now or next, scheduled or not
    dli: float | None
    climate_problems: tuple[str, ...] | None  # None without climate sensors

    @property
    def conflict(self) -> bool:
        """Plants under this light need photoperiods too far apart."""
        return self.light_plan is not None and not self.light_plan.compatible


@dataclass(frozen=True, kw_only=True, slots=True)
class RackNeeds:
    """What a rack's plants need, from their phases (changes only with a phase)."""

    plants: tuple[lighting.PlantInPhase, ...]
    light_plan: lighting.PhotoperiodPlan | None  # auto mode with plants only
    temperature_band: tuple[float, float] | None  # C, tolerated by every plant
    humidity_band: tuple[float, float] | None  # %


def rack_needs(
    config: RackConfig, plants: Sequence[lighting.PlantInPhase]
) -> RackNeeds:
    """Work out once what a rack's plants need; readings reuse it."""
    species = [plant.species for plant in plants]
    return RackNeeds(
        plants=tuple(plants),
        light_plan=lighting.shelf_photoperiod(plants)
        if config.light_mode == "auto" and plants
        else None,
        temperature_band=(
            max(item.temp_min_c for item in species),
            min(item.temp_max_c for item in species),
        )
        if species
        else None,
        humidity_band=(
            max(item.humidity_min for item in species),
            min(item.humidity_max for item in species),
        )
        if species
        else None,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class RackInputs:
    """Everything a rack's view is computed from."""

    config: RackConfig
    needs: RackNeeds
    temperature: float | None = None
    humidity: float | None = None
    dli: float | None = None
    light_scheduled: bool = False  # the rack's schedule switches
    pump_scheduled: bool = False


def _climate_problems(inputs: RackInputs) -> tuple[str, ...] | None:
    if inputs.temperature is None and inputs.humidity is None:
        return None
    problems: list[str] = []
    needs = inputs.needs
    if needs.temperature_band is not None and inputs.temperature is not None:
        low, high = needs.temperature_band
        if inputs.temperature < low:
            problems.append("too_cold")
        elif inputs.temperature > high:
            problems.append("too_warm")
    if needs.humidity_band is not None and inputs.humidity is not None:
        low, high = needs.humidity_band
        if inputs.humidity < low:
            problems.append("too_dry")
        elif inputs.humidity > high:
            problems.append("too_humid")
    return tuple(problems)


def rack_view(inputs: RackInputs, *, now: datetime, zone: tzinfo) -> RackView:
    """Compute a rack's view: its light window, next changes and climate."""
    config = inputs.config
    plan = inputs.needs.light_plan
    photoperiod_h = plan.photoperiod_h if plan is not None else config.photoperiod_h
    window = lighting.light_window(config.lights_on, photoperiod_h)
    has_light = config.light_entity is not None
    cycle_of = partial(
        pump_cycle,
        on_min=config.pump_on_min,
        off_min=config.pump_off_min,
        zone=zone,
        lights_on=config.lights_on if has_light else None,
        photoperiod_h=photoperiod_h if has_light else None,
    )
    cycle = cycle_of(now) if config.pump_entity is not None else None
    next_start = None
    if cycle is not None and inputs.pump_scheduled:
        # Never a start in the past: while a run goes on, the one after it.
        # Compared as instants: by the wall clock 01:00 PST is before 01:20 PDT.
        started = cycle.start.timestamp() <= now.timestamp()
        following = cycle_of(cycle.end) if started else cycle
        next_start = None if following is None else following.start
    return RackView(
        photoperiod_h=photoperiod_h,
        lights_on=config.lights_on,
        lights_off=window.lights_off,
        light_plan=plan,
        next_light_change=lighting.next_light_change(
            now, config.lights_on, photoperiod_h, zone
        )
        if has_light and inputs.light_scheduled
        else None,
        next_irrigation=next_start,
        pump_cycle=cycle,
        dli=inputs.dli,
        climate_problems=_climate_problems(inputs),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class TankView:
    """A tank as its entities show it."""

    targets: tanks.TankTargets
    target_ph: float | None
    ec: float | None  # compensated to 25 C, usable readings only
    ph: float | None
    water_temperature: float | None  # C, usable readings only
    level_l: float | None  # the latest level, in litres
    level_percent: float | None  # the latest level, in % of the tank's volume
    ec_deviation: tanks.Deviation | None
    ph_deviation: float | None  # pH units, reading minus target
    ph_problem: bool | None
    level_low: bool | None
    balance: tanks.WaterBalance | None
    solution: tanks.SolutionAge | None
    maintenance: tuple[tanks.MaintenanceDue, ...]
    stale_probes: tuple[str, ...]
    compatibility: TankCompatibility
    ph_level: chemistry.PhLevel | None = None  # None without a pH reading or band
    ph_drift_per_day: float | None = None  # over the last day; None until known
    ph_drifting: bool = False  # faster than the library's drift alert rate
    level_check: chemistry.LevelCheck | None = None  # level and volume sensors
    life_days_at_20c: float = tanks.SOLUTION_LIFE_DAYS_AT_20C
    # What is wrong with the tank now, worked out once: six binary sensors
    # read it on every reading.
    problems: tuple[TankProblem, ...] = field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        """Work out the tank's problems (the one definition everything uses)."""
        object.__setattr__(self, "problems", tank_problems(self))

    @property
    def target_ec(self) -> float | None:
        """The EC the plants on this tank want now, mS/cm."""
        return self.targets.ec_target

    @property
    def ec_problem(self) -> bool | None:
        """EC beyond the warning band (more than 20 % from target)."""
        if self.ec_deviation is None:
            return None
        return self.ec_deviation.level is not tanks.DeviationLevel.OK

    @property
    def conflict(self) -> bool:
        """Plants on this tank want EC or pH ranges that do not meet."""
        return bool(self.compatibility.conflicts)

    @property
    def next_maintenance(self) -> tanks.MaintenanceDue | None:
        """The maintenance task due soonest."""
        return self.maintenance[0] if self.maintenance else None


class TankProblem(StrEnum):
    """One thing wrong with a tank."""

    EC_LOW = "ec_low"
    EC_HIGH = "ec_high"
    PH_LOW = "ph_low"
    PH_HIGH = "ph_high"
    PH_DRIFT = "ph_drift"
    LEVEL_LOW = "level_low"
    LEVEL_MISMATCH = "level_mismatch"
    WATER_TOO_COLD = "water_too_cold"
    WATER_TOO_WARM = "water_too_warm"
    PROBE_STALE = "probe_stale"
    SOLUTION_OLD = "solution_old"
    MAINTENANCE_DUE = "maintenance_due"
    PLANT_CONFLICT = "plant_conflict"


# Which problems each of a tank's binary sensors (by key) stands for.
TANK_PROBLEM_SENSORS: Mapping[str, frozenset[TankProblem]] = {
    "ec_problem": frozenset({TankProblem.EC_LOW, TankProblem.EC_HIGH}),
    "ph_problem": frozenset(
        {TankProblem.PH_LOW, TankProblem.PH_HIGH, TankProblem.PH_DRIFT}
    ),
    "level_low": frozenset({TankProblem.LEVEL_LOW}),
    "maintenance_due": frozenset({TankProblem.MAINTENANCE_DUE}),
    "probe_stale": frozenset({TankProblem.PROBE_STALE}),
    "conflict": frozenset({TankProblem.PLANT_CONFLICT}),
}


def tank_problems(view: TankView) -> tuple[TankProblem, ...]:
    """What is wrong with a tank: EC or pH out of range, low level, bad water..."""
    problems: list[TankProblem] = []
    if view.ec_problem and view.ec_deviation is not None:
        problems.append(
            TankProblem.EC_LOW
            if view.ec_deviation.direction is tanks.DeviationDirection.LOW
            else TankProblem.EC_HIGH
        )
    if view.ph_problem and view.ph is not None and view.targets.ph is not None:
        problems.append(
            TankProblem.PH_LOW if view.ph < view.targets.ph.low else TankProblem.PH_HIGH
        )
    if view.ph_drifting:
        problems.append(TankProblem.PH_DRIFT)
    if view.level_low:
        problems.append(TankProblem.LEVEL_LOW)
    if view.level_check is not None and not view.level_check.consistent:
        problems.append(TankProblem.LEVEL_MISMATCH)
    if view.water_temperature is not None:
        verdict = tanks.water_temperature(view.water_temperature)
        if verdict is tanks.WaterTemperature.TOO_COLD:
            problems.append(TankProblem.WATER_TOO_COLD)
        elif verdict is tanks.WaterTemperature.TOO_WARM:
            problems.append(TankProblem.WATER_TOO_WARM)
    if view.stale_probes:
        problems.append(TankProblem.PROBE_STALE)
    if view.solution is not None and view.solution.due:
        problems.append(TankProblem.SOLUTION_OLD)
    if any(item.due for item in view.maintenance):
        problems.append(TankProblem.MAINTENANCE_DUE)
    if view.conflict:
        problems.append(TankProblem.PLANT_CONFLICT)
    return tuple(problems)


@dataclass(frozen=True, kw_only=True, slots=True)
class ProbeReadings:
    """A probe's last two readings."""

    latest: Reading | None = None
    previous: Reading | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class TankNeeds:
    """What the plants on a tank need together (changes only with a phase)."""

    targets: tanks.TankTargets
    compatibility: TankCompatibility


def tank_needs(
    config: TankConfig, plants: Sequence[lighting.PlantInPhase], base_ec: float
) -> TankNeeds:
    """Work out once the tank's targets and whether its plants can share it."""
    return TankNeeds(
        targets=tanks.tank_targets(
            config.tank_type,
            [plant.profile for plant in plants],
            system=config.system,
            base_ec=base_ec,
        ),
        compatibility=tank_compatibility(plants),
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class TankUpkeep:
    """The slow side of a tank: water use, solution age, chores (not the probes)."""

    balance: tanks.WaterBalance | None
    level_low: bool | None
    solution: tanks.SolutionAge | None
    maintenance: tuple[tanks.MaintenanceDue, ...]
    level_l: float | None = None  # the latest level, in litres


def tank_upkeep(
    config: TankConfig,
    *,
    balance: tanks.WaterBalance | None,
    level: float | None,
    level_percent: bool,
    filled_at: datetime | None,
    maintenance: Sequence[tanks.MaintenanceTask],
    now: datetime,
    life_days_at_20c: float = tanks.SOLUTION_LIFE_DAYS_AT_20C,
) -> TankUpkeep:
    """Work out solution age and chores beside the water use; probe readings reuse it.

    `level` is the latest stored level reading, in % or litres.
    """
    level_low = None
    level_l = None
    if level is not None:
        level_l = level / 100 * config.volume_l if level_percent else level
        level_low = level_l < tanks.LEVEL_LOW_FRACTION * config.volume_l
    solution = None
    if filled_at is not None and config.tank_type is not TankType.STOCK:
        solution = tanks.solution_age(
            filled_at=filled_at, now=now, life_days_at_20c=life_days_at_20c
        )
    return TankUpkeep(
        balance=balance,
        level_low=level_low,
        solution=solution,
        maintenance=tanks.maintenance_due(maintenance, now),
        level_l=level_l,
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class TankInputs:
    """Everything a tank's view is computed from."""

    config: TankConfig
    needs: TankNeeds
    target_ph: float | None = None
    ec: ProbeReadings | None = None
    ph: ProbeReadings | None = None
    temperature: ProbeReadings | None = None
    upkeep: TankUpkeep
    water: WaterChemistry = field(default_factory=WaterChemistry)
    ph_drift_per_day: float | None = None
    volume_reading_l: float | None = None  # the volume sensor, litres
    solution: tanks.SolutionAge | None = None  # from the live accumulator, if any
    life_days_at_20c: float = tanks.SOLUTION_LIFE_DAYS_AT_20C


def _usable(
    kind: tanks.ProbeKind,
    readings: ProbeReadings | None,
    now: datetime,
    plausible: tanks.TargetRange | None,
    max_jump: float | None,
) -> tanks.ProbeStatus | None:
    if readings is None:
        return None
    return tanks.probe_status(
        kind,
        readings.latest,
        now=now,
        previous=readings.previous,
        max_age=PROBE_MAX_AGE,
        plausible=plausible,
        max_jump=max_jump,
    )


def tank_view(inputs: TankInputs, *, now: datetime) -> TankView:
    """Compute a tank's view from its plants' needs and its probes."""
    targets = inputs.needs.targets
    statuses = {
        "ec": _usable(tanks.ProbeKind.EC, inputs.ec, now, EC_PLAUSIBLE, EC_MAX_JUMP),
        "ph": _usable(tanks.ProbeKind.PH, inputs.ph, now, PH_PLAUSIBLE, PH_MAX_JUMP),
        "temperature": _usable(
            tanks.ProbeKind.TEMPERATURE, inputs.temperature, now, None, None
        ),
    }
    stale = tuple(
        name
        for name, status in statuses.items()
        if status is not None and not status.usable
    )
    value = {
        name: status.value if status is not None and status.usable else None
        for name, status in statuses.items()
    }
    ec = value["ec"]
    if ec is not None and value["temperature"] is not None:
        ec = round(ec_at_25(ec, value["temperature"]), 3)
    target_ec = targets.ec_target
    ec_dev = tanks.deviation(ec, target_ec) if ec is not None and target_ec else None
    target_ph = inputs.target_ph if inputs.target_ph is not None else targets.ph_target
    ph = value["ph"]
    ph_dev = (
        round(ph - target_ph, 2) if ph is not None and target_ph is not None else None
    )
    ph_problem = None
    ph_level = None
    if ph is not None and targets.ph is not None:
        ph_problem = not targets.ph.low <= ph <= targets.ph.high
        ph_level = chemistry.ph_level(
            ph,
            targets.ph,
            inputs.water.ph_critical_margin.get(inputs.config.system, math.inf),
        )
    drift = inputs.ph_drift_per_day
    upkeep = inputs.upkeep
    volume_l = inputs.config.volume_l
    level_check = None
    if upkeep.level_l is not None and inputs.volume_reading_l is not None:
        level_check = chemistry.level_consistency(
            level_l=upkeep.level_l,
            volume_reading_l=inputs.volume_reading_l,
            volume_l=volume_l,
        )
    return TankView(
        targets=targets,
        target_ph=target_ph,
        ec=ec,
        ph=ph,
        water_temperature=value["temperature"],
        level_l=upkeep.level_l,
        level_percent=None
        if upkeep.level_l is None or volume_l <= 0
        else round(upkeep.level_l / volume_l * 100, 1),
        ec_deviation=ec_dev,
        ph_deviation=ph_dev,
        ph_problem=ph_problem,
        level_low=upkeep.level_low,
        balance=upkeep.balance,
        solution=inputs.solution if inputs.solution is not None else upkeep.solution,
        maintenance=upkeep.maintenance,
        stale_probes=stale,
        compatibility=inputs.needs.compatibility,
        ph_level=ph_level,
        ph_drift_per_day=drift,
        ph_drifting=drift is not None
        and abs(drift) > inputs.water.ph_drift_alert_per_day,
        level_check=level_check,
        life_days_at_20c=inputs.life_days_at_20c,
    )


def plants_in_phase(
    plants: Iterable[PlantConfig],
    species: Mapping[str, Species],
    states: Mapping[str, PhaseState],
) -> list[lighting.PlantInPhase]:
    """The plants whose species and phase are known, as the engines take them."""
    result: list[lighting.PlantInPhase] = []
    for plant in plants:
        item = species.get(plant.species or "")
        state = states.get(plant.id)
        if item is not None and state is not None and state.phase in item.sequence:
            result.append(
                lighting.PlantInPhase(
                    plant_id=plant.id, species=item, phase=state.phase
                )
            )
    return result
