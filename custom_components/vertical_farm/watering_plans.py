"""Watering plans: a plant's or a shelf's watering days and volume, in the live farm.

A plant with a plan (its subentry's `watering_mode` and either
`watering_weekdays` or `watering_interval_days`) is watered on the plan's days
instead of the care preset's rhythm. A rack's shelf can have a plan too
(stored with the rack, `shelf_watering`): every plant on that shelf without a
plan of its own follows it, including plants added or moved there later. The
volume comes from the species, phase, growing medium and pot size
(`engine.watering`). In winter an every-N-days plan stretches by the care
preset's winter factor and a weekday plan gives less. `log_watering` confirms
the watering task, which moves the plan on.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

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
from .models import PlantConfig, RackConfig, TankConfig, WateringPlanConfig
from .selectors import choice_selector, number_selector
from .validation import WATERING_MODES

if TYPE_CHECKING:
    from .farm import Farm

PLAN_FROM_PLANT = "plant"  # the plant's own plan
PLAN_FROM_SHELF = "shelf"  # the plan of the rack's shelf it stands on


def plan_of(
    plant: PlantConfig, rack: RackConfig | None
) -> tuple[str, WateringPlanConfig] | None:
    """The plan a plant follows and where it comes from (`plant` or `shelf`)."""
    if plant.watering is not None:
        return PLAN_FROM_PLANT, plant.watering
    if rack is not None and plant.rack == rack.id:
        shelf_plan = rack.shelf_plan(plant.shelf)
        if shelf_plan is not None:
            return PLAN_FROM_SHELF, shelf_plan
    return None


def plant_schedule(
    plant: PlantConfig, rack: RackConfig | None = None
) -> WateringSchedule | None:
    """The plant's watering plan (its own, else its shelf's) as a schedule."""
    found = plan_of(plant, rack)
    if found is None:
        return None
    plan = found[1]
    mode = WateringMode(plan.mode)
    if mode is WateringMode.WEEKDAYS:
        return WateringSchedule(mode=mode, weekdays=frozenset(plan.weekdays))
    return WateringSchedule(mode=mode, interval_days=plan.interval_days or 0)


def planned_watering(
    plant: PlantConfig,
    *,
    rack: RackConfig | None = None,
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
    schedule = plant_schedule(plant, rack)
    if schedule is None or species is None or phase is None:
        return None
    water: dict[str, Any] = stored_care.get(str(care.CareKind.WATER), {})
    last = water.get("last_done")
    snoozed = water.get("snoozed_until")
    follow_up = water.get("follow_up")
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
            follow_up_on=date.fromisoformat(follow_up) if follow_up else None,
        )
    except FarmError:
        return None


def watering_attributes(
    plan: WateringPlan | None, plan_from: str | None = None
) -> dict[str, Any]:
    """What the `next_watering` sensor tells about the plan (empty without one)."""
    if plan is None:
        return {}
    schedule = plan.schedule
    return {
        "plan": str(schedule.mode),
        "plan_from": plan_from,
        "weekdays": sorted(schedule.weekdays),
        "interval_days": plan.interval_days,
        "volume_l": plan.volume.volume_l,
        "total_l": plan.volume.total_l,
        "winter": plan.winter,
    }


def next_watering_attributes(farm: Farm, plant_id: str) -> dict[str, Any]:
    """The `next_watering` sensor's attributes: the plan, its source and volume."""
    plant = farm.config.plants[plant_id]
    found = plan_of(plant, farm.config.rack_of(plant))
    return watering_attributes(
        farm.views.plant(plant_id).watering, None if found is None else found[0]
    )


def watering_plan_fields() -> dict[probatio.Marker, Any]:
    """The plant form's watering plan fields (no mode: the shelf's plan or the preset)."""
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
