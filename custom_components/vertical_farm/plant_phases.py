"""A plant's moves from phase to phase: by hand, by an edit, or when one is complete.

Every move goes through one place: it stores the new phase and the day it
began, writes the `phase_changed` record before it returns, fires the
`vertical_farm_phase_changed` event, tells the plant's activity entity, and
names the subjects whose views it changed (the plant, its rack and tank).
A move asked for by hand goes through the species' phase rules first.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import datetime, tzinfo

from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

from .const import EVENT_PHASE_CHANGED
from .engine import phases
from .engine.errors import FarmError
from .engine.profiles import Phase, Species
from .models import PlantConfig
from .store import FarmStore, PhaseChangedData, RecordKind
from .subject_views import SubjectViews
from .topology import FarmConfig


class PlantPhases:
    """Moves a farm's plants from phase to phase."""

    def __init__(
        self,
        hass: HomeAssistant,
        store: FarmStore,
        *,
        config: Callable[[], FarmConfig],
        views: SubjectViews,
        species_of: Callable[[PlantConfig], Species | None],
        zone: Callable[[], tzinfo],
        activity: Callable[[str, RecordKind, Mapping[str, object]], None],
        changed: Callable[[Iterable[str]], None],
    ) -> None:
        """Move plants recorded in `store`; tell `activity` and `changed`."""
        self._hass = hass
        self._store = store
        self._config = config
        self._views = views
        self._species_of = species_of
        self._zone = zone
        self._activity = activity
        self._changed = changed

    async def async_set(
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
        plant = self._config().plants[plant_id]
        species = self._species_of(plant)
        state = self._views.phase_state(plant_id)
        if species is None or state is None:
            raise FarmError("unknown_species", species=plant.species or "")
        result = phases.permitted_transition(
            species, state.phase, phase, cycle=state.cycle, force=force
        )
        cycle = state.cycle + (
            1 if result.reason == phases.TransitionReason.CYCLE_RESTART else 0
        )
        await self.async_apply(plant_id, phase, at or dt_util.now(), "set", cycle=cycle)
        return state.phase, phase

    async def async_apply(
        self,
        plant_id: str,
        phase: Phase,
        at: datetime,
        how: str,
        *,
        cycle: int | None = None,
    ) -> None:
        """Move a plant to a phase as it is (`how`: set, edited, automatic).

        Nothing happens when the plant is in that phase already.
        """
        config = self._config()
        plant = config.plants[plant_id]
        before = self._views.phase_state(plant_id)
        from_phase = before.phase if before is not None else None
        if from_phase == phase:
            return
        stored = self._store.state(plant_id)
        dependents = config.dependents(plant_id)
        self._views.phase_moved(plant_id, dependents)
        stored["phase"] = str(phase)
        stored["phase_started"] = at.astimezone(self._zone()).date().isoformat()
        stored["cycle"] = (
            cycle if cycle is not None else (before.cycle if before else 1)
        )
        data: PhaseChangedData = {
            "from_phase": from_phase,
            "to_phase": str(phase),
            "how": how,
        }
        await self._store.async_record(RecordKind.PHASE_CHANGED, plant_id, at, data)
        self._hass.bus.async_fire(
            EVENT_PHASE_CHANGED,
            {
                "plant_id": plant_id,
                "name": plant.name,
                "from_phase": from_phase,
                "to_phase": str(phase),
            },
        )
        self._activity(plant_id, RecordKind.PHASE_CHANGED, data)
        self._changed(dependents)
