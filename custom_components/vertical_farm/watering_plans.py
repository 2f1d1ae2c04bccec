"""Watering plans: a plant's own watering days and volume, in the live farm.

A plant with a plan (its subentry's `watering_mode` and either
`watering_weekdays` or `watering_interval_days`) is watered on the plan's days
instead of the care preset's rhythm; the volume comes from its species, phase,
growing medium and pot size (`engine.watering`). In winter an every-N-days plan
stretches by the care preset's winter factor and a weekday plan gives less.
`log_watering` confirms the watering task, which moves the plan on.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from homeassistant.const import UnitOfTime
import probatio

from .const import (
    CONF_WATERING_INTERVAL_DAYS,
    CONF_WATERING_MODE,
    CONF_WATERING_WEEKDAYS,
    MAX_WATERING_INTERVAL_DAYS,
)
from .engine import care
from .engine.errors import FarmError
from .engine.profiles import CarePreset, Hemisphere, Phase, Species, System
from .engine.watering import (
    WateringMode,
    WateringPlan,
    WateringSchedule,
    watering_plan,
    watering_volume,
)
from .models import PlantConfig, TankConfig
from .selectors import choice_selector, number_selector
from .validation import WATERING_MODES


def plant_schedule(plant: PlantConfig) -> WateringSchedule | None:
    """The plant's watering plan as a schedule; None without one."""
    if plant.watering_mode is None:
        return None
    mode = WateringMode(plant.watering_mode)
    if mode is WateringMode.WEEKDAYS:
        return WateringSchedule(mode=mode, weekdays=frozenset(plant.watering_weekdays))
    return WateringSchedule(mode=mode, interval_days=plant.watering_interval_days or 0)


def planned_watering(
    plant: PlantConfig,
    *,
    species: Species | None,
    phase: Phase | None,
    tank: TankConfig | None,
    preset: CarePreset | None,
    stored_care: dict[str, Any],
    hemisphere: Hemisphere,
    today: date,
) -> WateringPlan | None:
    """When and how much the plant is watered next by its plan; None without one.

    Without a species or phase there is nothing to size the volume from, and a
    plan that can never fall due (a slip in stored data) is left out too.
    """
    schedule = plant_schedule(plant)
    if schedule is None or species is None or phase is None:
        return None
    water: dict[str, Any] = stored_care.get(str(care.CareKind.WATER), {})
    last = water.get("last_done")
    snoozed = water.get("snoozed_until")
    try:
        volume = watering_volume(
            species,
            phase,
            # A standalone pot is soil unless a tank says otherwise.
            system=tank.system if tank is not None else System.SOIL,
            container_l=plant.container_l,
            quantity=plant.quantity,
            tank_type=tank.tank_type if tank is not None else None,
        )
        return watering_plan(
            schedule,
            volume,
            last_watered_on=date.fromisoformat(last) if last else None,
            today=today,
            winter=care.is_winter(today, hemisphere),
            winter_factor=preset.winter_water_factor if preset is not None else 1.0,
            snoozed_until=date.fromisoformat(snoozed) if snoozed else None,
        )
    except FarmError:
        return None


def watering_attributes(plan: WateringPlan | None) -> dict[str, Any]:
    """What the `next_watering` sensor tells about the plan (empty without one)."""
    if plan is None:
        return {}
    schedule = plan.schedule
    return {
        "plan": str(schedule.mode),
        "weekdays": sorted(schedule.weekdays),
        "interval_days": plan.interval_days,
        "volume_l": plan.volume.volume_l,
        "total_l": plan.volume.total_l,
        "winter": plan.winter,
    }


def watering_plan_fields() -> dict[probatio.Marker, Any]:
    """The plant form's watering plan fields (leave the mode empty: the preset rules)."""
    return {
        probatio.Optional(CONF_WATERING_MODE): choice_selector(
            list(WATERING_MODES), CONF_WATERING_MODE
        ),
        probatio.Optional(CONF_WATERING_WEEKDAYS): choice_selector(
            [str(day) for day in range(7)], CONF_WATERING_WEEKDAYS, multiple=True
        ),
        probatio.Optional(CONF_WATERING_INTERVAL_DAYS): number_selector(
            1, MAX_WATERING_INTERVAL_DAYS, 1, UnitOfTime.DAYS
        ),
    }
