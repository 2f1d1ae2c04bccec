"""Each rack's, tank's and plant's view: worked out when asked, kept until an input changes.

A view gathers its inputs from the farm's configuration, the readings ledger,
the store (phases, care, tank upkeep) and the care book, and hands them to
the presenters (presenters.py), which compute what the entities show. The
farm forgets a subject's view when one of its inputs changes; what changes
only with a phase or the configuration (where each plant stands, what a
rack's or tank's plants need, a recipe's solution life) is kept apart, so a
reading recomputes only the view it touches.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime
from typing import Any

from homeassistant.util import dt as dt_util

from .care_book import CareBook
from .driver import IRRIGATION_SCHEDULE, LIGHT_SCHEDULE
from .engine import tanks
from .engine.errors import FarmError
from .engine.profiles import CarePreset, Library, Phase, Species, System, TankType
from .models import PlantConfig, TankConfig
from .plant_seasons import PlantSeasons
from .presenters import (
    PROBE_MAX_AGE,
    PhaseState,
    PlantInputs,
    PlantView,
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
from .readings import ReadingsLedger
from .store import FarmStore
from .topology import FarmConfig
from .watering_plans import planned_watering

type View = PlantView | RackView | TankView


class SubjectViews:
    """The views of a farm's racks, tanks and plants, and what they are made of."""

    def __init__(
        self,
        *,
        config: Callable[[], FarmConfig],
        library: Library,
        store: FarmStore,
        ledger: ReadingsLedger,
        care: CareBook,
        species_of: Callable[[PlantConfig], Species | None],
        preset_of: Callable[[PlantConfig], CarePreset | None],
        schedule_enabled: Callable[[str, str], bool],
        wake: Callable[[str, datetime | None], None],
    ) -> None:
        """Read from these parts; `wake` recomputes a subject at an instant."""
        self._config = config
        self._library = library
        self._store = store
        self._ledger = ledger
        self._care = care
        self._species_of = species_of
        self._preset_of = preset_of
        self._schedule_enabled = schedule_enabled
        self._wake = wake
        self._seasons = PlantSeasons(ledger)
        self._views: dict[str, View] = {}
        # What changes only with a phase or the configuration.
        self._phases: dict[str, PhaseState | None] = {}
        self._needs: dict[str, RackNeeds | TankNeeds] = {}
        # per tank: its solution's life at 20 C (the recipe decides it)
        self._life_days: dict[str, float] = {}
        # What moves slowly (water use, chores, the solution's age): once a minute.
        self._upkeep: dict[str, tuple[tuple[Any, ...], TankUpkeep]] = {}
        self._solutions: dict[str, tuple[tuple[Any, ...], tanks.SolutionAge]] = {}

    def forget(self, subject: str) -> View | None:
        """Work a subject's view out again when next asked; returns the old one."""
        return self._views.pop(subject, None)

    def phase_moved(self, plant_id: str, dependents: Iterable[str]) -> None:
        """A plant's phase moved: it and what its rack and tank need change."""
        self._phases.pop(plant_id, None)
        for subject in dependents:
            self._needs.pop(subject, None)

    def config_changed(self) -> None:
        """The configuration changed: phases, needs and recipes are read again."""
        self._phases.clear()
        self._needs.clear()
        self._life_days.clear()

    def clear(self) -> None:
        """Let go of everything worked out (the farm stops)."""
        for cache in (
            self._views,
            self._needs,
            self._phases,
            self._upkeep,
            self._solutions,
            self._life_days,
        ):
            cache.clear()

    # --- Phases ---------------------------------------------------------------

    def phase_state(self, plant_id: str) -> PhaseState | None:
        """Where a plant is in its cycle."""
        if plant_id in self._phases:
            return self._phases[plant_id]
        state = self._read_phase_state(plant_id)
        self._phases[plant_id] = state
        return state

    def _read_phase_state(self, plant_id: str) -> PhaseState | None:
        plant = self._config().plants[plant_id]
        stored = self._store.state(plant_id)
        if "phase" in stored:
            return PhaseState(
                phase=Phase(stored["phase"]),
                started_on=date.fromisoformat(stored["phase_started"]),
                cycle=int(stored.get("cycle", 1)),
            )
        species = self._species_of(plant)
        first = species.sequence[0] if species is not None else None
        phase = plant.phase or first
        if phase is None:
            return None
        if plant.phase is not None and plant.phase != first:
            # A declared phase stands and counts from the day it was declared;
            # only the first phase catches up from the planting date.
            today = dt_util.now(dt_util.get_default_time_zone()).date()
            stored.update(phase=str(phase), phase_started=today.isoformat(), cycle=1)
            self._store.async_schedule_save()
            return PhaseState(phase=phase, started_on=today)
        return PhaseState(phase=phase, started_on=plant.planted)

    def gdd_so_far(self, plant_id: str) -> float | None:
        """Degree-days since the plant's phase started (completed days)."""
        plant = self._config().plants[plant_id]
        rack = self._config().rack_of(plant)
        species = self._species_of(plant)
        state = self.phase_state(plant_id)
        if (
            rack is None
            or rack.temperature_sensor is None
            or species is None
            or state is None
        ):
            return None
        return self._ledger.gdd_since(rack.id, species.base_temp_c, state.started_on)

    # --- Views ----------------------------------------------------------------

    def of(self, subject: str) -> View:
        """The current view of a rack, tank or plant."""
        if subject in self._config().tanks:
            return self.tank(subject)
        if subject in self._config().racks:
            return self.rack(subject)
        return self.plant(subject)

    def plant(self, plant_id: str) -> PlantView:
        """The plant's current view (computed once per change)."""
        view = self._views.get(plant_id)
        if isinstance(view, PlantView):
            return view
        plant = self._config().plants[plant_id]
        preset = self._preset_of(plant)
        tank = self._config().tank_of(plant)
        rack = self._config().rack_of(plant)
        species = self._species_of(plant)
        state = self.phase_state(plant_id)
        phase = state.phase if state is not None else None
        now = dt_util.now()
        today = now.astimezone(dt_util.get_default_time_zone()).date()
        # Roots in a recirculating or hydroponic solution are never "watered".
        recirculating = tank is not None and (
            tank.tank_type is TankType.RECIRCULATION or tank.system is System.HYDRO
        )
        care_due = self._care.scheduled(
            plant, preset, phase=phase, recirculating=recirculating, today=today
        )
        computed = plant_view(
            PlantInputs(
                config=plant,
                species=species,
                preset=preset,
                state=state,
                gdd_so_far=self.gdd_so_far(plant_id),
                care_due=care_due,
                treatments=self._store.treatments(
                    plant_id, zone=dt_util.get_default_time_zone()
                ),
                recirculating=recirculating,
                moisture=self._ledger.reading(plant.moisture_sensor),
                watering=planned_watering(
                    plant,
                    rack=rack,
                    species=species,
                    phase=phase,
                    tank=tank,
                    preset=preset,
                    stored_care=self._store.state(plant_id).get("care", {}),
                    hemisphere=self._config().settings.hemisphere,
                    today=today,
                ),
                cold=self._seasons.cold_spell(
                    plant,
                    rack,
                    species,
                    phase=phase,
                    phase_started=state.started_on if state is not None else None,
                    today=today,
                ),
                daily_gdd=self._seasons.daily_gdd(rack, species),
            ),
            now=now,
            today=today,
        )
        self._views[plant_id] = computed
        return computed

    def rack(self, rack_id: str) -> RackView:
        """The rack's current view."""
        view = self._views.get(rack_id)
        if isinstance(view, RackView):
            return view
        rack = self._config().racks[rack_id]
        now = dt_util.now()
        computed = rack_view(
            RackInputs(
                config=rack,
                needs=self._rack_needs(rack_id),
                temperature=self._ledger.reading(rack.temperature_sensor),
                humidity=self._ledger.reading(rack.humidity_sensor),
                dli=self._ledger.dli(rack_id, now, dt_util.start_of_local_day(now))
                if rack.light_sensor
                else None,
                light_scheduled=self._schedule_enabled(rack_id, LIGHT_SCHEDULE),
                pump_scheduled=self._schedule_enabled(rack_id, IRRIGATION_SCHEDULE),
            ),
            now=now,
            zone=dt_util.get_default_time_zone(),
        )
        self._views[rack_id] = computed
        # Wake when a shown instant passes, so it moves on to the next one.
        shown = [
            at
            for at in (computed.next_light_change, computed.next_irrigation)
            if at is not None
        ]
        # The sooner instant, not the sooner wall time: clocks go back.
        self._wake(rack_id, min(shown, key=datetime.timestamp) if shown else None)
        return computed

    def tank(self, tank_id: str) -> TankView:
        """The tank's current view."""
        view = self._views.get(tank_id)
        if isinstance(view, TankView):
            return view
        tank = self._config().tanks[tank_id]
        stored = self._store.state(tank_id)
        now = dt_util.now()
        life_days = self.solution_life_days(tank_id)
        computed = tank_view(
            TankInputs(
                config=tank,
                needs=self._tank_needs(tank_id),
                target_ph=stored.get("target_ph"),
                ec=self._ledger.readings(tank.ec_sensor),
                ph=self._ledger.readings(tank.ph_sensor),
                temperature=self._ledger.readings(tank.temperature_sensor),
                upkeep=self._tank_upkeep(tank_id, stored, now, life_days),
                water=self._library.water,
                ph_drift_per_day=stored.get("ph_drift"),
                volume_reading_l=self._ledger.reading(tank.volume_sensor),
                solution=self._solution_age(tank, now, life_days),
                life_days_at_20c=life_days,
            ),
            now=now,
        )
        self._views[tank_id] = computed
        # Wake when a probe that is fine now would go stale.
        latest = [
            readings.latest[0]
            for entity_id in (tank.ec_sensor, tank.ph_sensor, tank.temperature_sensor)
            if (readings := self._ledger.readings(entity_id)) and readings.latest
        ]
        stale_at = min(latest) + PROBE_MAX_AGE if latest else None
        self._wake(
            tank_id, stale_at if stale_at and stale_at > dt_util.utcnow() else None
        )
        return computed

    def solution_life_days(self, tank_id: str) -> float:
        """How long the tank's solution lasts at 20 C: organic products shorten it."""
        life = self._life_days.get(tank_id)
        if life is None:
            fertilizers = self._library.fertilizers
            life = tanks.recipe_life_days(
                fertilizers[dose.fertilizer].solution_life_days
                for dose in self._config().tanks[tank_id].fertilizers
                if dose.fertilizer in fertilizers
            )
            self._life_days[tank_id] = life
        return life

    def _solution_age(
        self, tank: TankConfig, now: datetime, life_days: float
    ) -> tanks.SolutionAge | None:
        """The solution's age from the water temperatures since its fill.

        Redone when a temperature is counted, else at most once a minute: a
        solution ages over days, and probe readings come every few seconds.
        """
        solution = self._ledger.solution(tank.id)
        if solution is None or tank.tank_type is TankType.STOCK:
            return None
        key = (
            solution,
            solution.used_fraction,
            life_days,
            now.replace(second=0, microsecond=0),
        )
        cached = self._solutions.get(tank.id)
        if cached is not None and cached[0] == key:
            return cached[1]
        try:
            age = solution.age(now, life_days)
        except FarmError:
            return None  # a reading stamped after now (clock moved back)
        self._solutions[tank.id] = (key, age)
        return age

    def _tank_upkeep(
        self,
        tank_id: str,
        stored: dict[str, Any],
        now: datetime,
        life_days: float,
    ) -> TankUpkeep:
        """Water use, solution age and chores, redone when their inputs change.

        Otherwise at most once a minute: they move slowly.
        """
        since = stored.get("since")
        if since is None:
            since = stored["since"] = now.isoformat()
        done: dict[str, str] = stored.get("maintenance", {})
        levels: list[list[Any]] = stored.get("levels", [])
        tank = self._config().tanks[tank_id]
        # Today's level is the probe's reading: none while it is unavailable,
        # in a unit that cannot be read, or unlinked. The history keeps the
        # last one read, for the water use.
        level = self._ledger.reading(tank.level_sensor)
        key = (
            len(levels),
            levels[-1][0] if levels else None,
            level,
            stored.get("level_unit"),
            stored.get("filled_at"),
            tuple(sorted(done.items())),
            now.replace(second=0, microsecond=0),
            life_days,
        )
        cached = self._upkeep.get(tank_id)
        if cached is not None and cached[0] == key:
            return cached[1]
        percent = stored.get("level_unit") == "%"
        upkeep = tank_upkeep(
            tank,
            balance=self._ledger.water_balance(tank, now),
            level=level,
            level_percent=percent,
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
            life_days_at_20c=life_days,
        )
        self._upkeep[tank_id] = (key, upkeep)
        return upkeep

    def _rack_needs(self, rack_id: str) -> RackNeeds:
        needs = self._needs.get(rack_id)
        if not isinstance(needs, RackNeeds):
            needs = rack_needs(
                self._config().racks[rack_id],
                self._plants_in_phase(self._config().plants_on_rack(rack_id)),
            )
            self._needs[rack_id] = needs
        return needs

    def _tank_needs(self, tank_id: str) -> TankNeeds:
        needs = self._needs.get(tank_id)
        if not isinstance(needs, TankNeeds):
            needs = tank_needs(
                self._config().tanks[tank_id],
                self._plants_in_phase(self._config().plants_on_tank(tank_id)),
                self._config().settings.tap_ec,
            )
            self._needs[tank_id] = needs
        return needs

    def _plants_in_phase(self, plants: Iterable[PlantConfig]) -> list[Any]:
        plants = list(plants)
        states = {
            plant.id: state
            for plant in plants
            if (state := self.phase_state(plant.id)) is not None
        }
        return plants_in_phase(plants, self._library.species, states)
