"""Binary sensors: problems to look at, and whether harvest is blocked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from homeassistant.components.binary_sensor import (
    BinarySensorEntity,
    BinarySensorEntityDescription,
)
from homeassistant.components.binary_sensor.const import BinarySensorDeviceClass
from homeassistant.const import EntityCategory
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback

from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import Farm, FarmConfigEntry
from .presenters import TANK_PROBLEM_SENSORS

PARALLEL_UPDATES = 0


@dataclass(frozen=True, kw_only=True)
class FarmBinarySensorDescription(BinarySensorEntityDescription, FarmEntityDescription):
    """A Vertical Farm binary sensor: how to read it from the farm."""

    is_on_fn: Callable[[Farm, str], bool | None]
    attributes_fn: Callable[[Farm, str], dict[str, Any]] | None = None


def _known(fn: Callable[[Farm, str], bool | None]) -> Callable[[Farm, str], bool]:
    """Available while the value can be worked out (its inputs are there)."""
    return lambda farm, subject_id: fn(farm, subject_id) is not None


def _rack_climate(farm: Farm, rack_id: str) -> bool | None:
    problems = farm.views.rack(rack_id).climate_problems
    return None if problems is None else bool(problems)


def _tank_problem(farm: Farm, tank_id: str, key: str) -> bool:
    """Whether the tank has a problem this binary sensor (by key) stands for."""
    return not TANK_PROBLEM_SENSORS[key].isdisjoint(farm.views.tank(tank_id).problems)


def _tank_ec(farm: Farm, tank_id: str) -> bool | None:
    if farm.views.tank(tank_id).ec_deviation is None:
        return None
    return _tank_problem(farm, tank_id, "ec_problem")


def _tank_ph(farm: Farm, tank_id: str) -> bool | None:
    if farm.views.tank(tank_id).ph_problem is None:
        return None
    return _tank_problem(farm, tank_id, "ph_problem")


def _tank_level(farm: Farm, tank_id: str) -> bool | None:
    if farm.views.tank(tank_id).level_low is None:
        return None
    return _tank_problem(farm, tank_id, "level_low")


def _ph_details(farm: Farm, tank_id: str) -> dict[str, Any]:
    """How far out the pH is (ok, warning, critical) and how fast it drifts."""
    view = farm.views.tank(tank_id)
    drift = view.ph_drift_per_day
    return {
        "level": None if view.ph_level is None else str(view.ph_level),
        "drift_per_day": None if drift is None else round(drift, 2),
        "drifting": view.ph_drifting,
    }


def _level_details(farm: Farm, tank_id: str) -> dict[str, Any]:
    """The level in litres and %, and whether a linked volume sensor agrees."""
    view = farm.views.tank(tank_id)
    check = view.level_check
    return {
        "level_l": None if view.level_l is None else round(view.level_l, 1),
        "level_percent": view.level_percent,
        "volume_reading_l": None if check is None else round(check.volume_reading_l, 1),
        "level_consistent": None if check is None else check.consistent,
    }


def _light_conflicts(farm: Farm, rack_id: str) -> list[str]:
    plan = farm.views.rack(rack_id).light_plan
    return [
        farm.config.plants[conflict.plant_id].name
        for conflict in (plan.conflicts if plan is not None else ())
        if conflict.plant_id in farm.config.plants
    ]


def _tank_probes(farm: Farm, tank_id: str) -> bool | None:
    tank = farm.config.tanks[tank_id]
    if not (tank.ec_sensor or tank.ph_sensor or tank.temperature_sensor):
        return None
    return _tank_problem(farm, tank_id, "probe_stale")


BINARY_SENSORS: tuple[FarmBinarySensorDescription, ...] = (
    FarmBinarySensorDescription(
        key="planner_connected",
        translation_key="planner_connected",
        subject="farm",
        device_class=BinarySensorDeviceClass.CONNECTIVITY,
        entity_category=EntityCategory.DIAGNOSTIC,
        # On only while the planner answers with the token, not for a saved address.
        is_on_fn=lambda farm, _: farm.entry.runtime_data.planner.connected,
    ),
    FarmBinarySensorDescription(
        key="climate_problem",
        translation_key="climate_problem",
        subject="rack",
        view_fields=frozenset({"climate_problems"}),
        device_class=BinarySensorDeviceClass.PROBLEM,
        available_fn=_known(_rack_climate),
        is_on_fn=_rack_climate,
        attributes_fn=lambda farm, rack_id: {
            "problems": list(farm.views.rack(rack_id).climate_problems or ())
        },
    ),
    FarmBinarySensorDescription(
        key="conflict",
        translation_key="light_conflict",
        subject="rack",
        view_fields=frozenset({"light_plan"}),
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda farm, rack_id: farm.views.rack(rack_id).conflict,
        attributes_fn=lambda farm, rack_id: {"plants": _light_conflicts(farm, rack_id)},
    ),
    FarmBinarySensorDescription(
        key="ec_problem",
        translation_key="ec_problem",
        subject="tank",
        view_fields=frozenset({"ec_deviation", "problems"}),
        device_class=BinarySensorDeviceClass.PROBLEM,
        available_fn=_known(_tank_ec),
        is_on_fn=_tank_ec,
    ),
    FarmBinarySensorDescription(
        key="ph_problem",
        translation_key="ph_problem",
        subject="tank",
        view_fields=frozenset(
            {"ph_problem", "problems", "ph_level", "ph_drift_per_day", "ph_drifting"}
        ),
        device_class=BinarySensorDeviceClass.PROBLEM,
        available_fn=_known(_tank_ph),
        is_on_fn=_tank_ph,
        attributes_fn=_ph_details,
    ),
    FarmBinarySensorDescription(
        key="level_low",
        translation_key="level_low",
        subject="tank",
        view_fields=frozenset(
            {"level_low", "problems", "level_l", "level_percent", "level_check"}
        ),
        device_class=BinarySensorDeviceClass.PROBLEM,
        available_fn=_known(_tank_level),
        is_on_fn=_tank_level,
        attributes_fn=_level_details,
    ),
    FarmBinarySensorDescription(
        key="maintenance_due",
        translation_key="maintenance_due",
        subject="tank",
        view_fields=frozenset({"problems", "maintenance"}),
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda farm, tank_id: _tank_problem(farm, tank_id, "maintenance_due"),
        attributes_fn=lambda farm, tank_id: {
            "tasks": [
                str(task.kind)
                for task in farm.views.tank(tank_id).maintenance
                if task.due
            ]
        },
    ),
    FarmBinarySensorDescription(
        key="probe_stale",
        translation_key="probe_stale",
        subject="tank",
        view_fields=frozenset({"problems", "stale_probes"}),
        device_class=BinarySensorDeviceClass.PROBLEM,
        entity_category=EntityCategory.DIAGNOSTIC,
        available_fn=_known(_tank_probes),
        is_on_fn=_tank_probes,
        attributes_fn=lambda farm, tank_id: {
            "probes": list(farm.views.tank(tank_id).stale_probes)
        },
    ),
    FarmBinarySensorDescription(
        key="conflict",
        translation_key="tank_conflict",
        subject="tank",
        view_fields=frozenset({"problems", "compatibility"}),
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda farm, tank_id: _tank_problem(farm, tank_id, "conflict"),
        attributes_fn=lambda farm, tank_id: {
            "conflicts": [
                {
                    "parameter": str(conflict.parameter),
                    "plants": sorted(
                        farm.config.plants[plant_id].name
                        for group in (conflict.lower, conflict.higher)
                        for plant_id in group.plant_ids
                        if plant_id in farm.config.plants
                    ),
                }
                for conflict in farm.views.tank(tank_id).compatibility.conflicts
            ]
        },
    ),
    FarmBinarySensorDescription(
        key="harvest_blocked",
        translation_key="harvest_blocked",
        subject="plant",
        view_fields=frozenset({"harvest"}),
        device_class=BinarySensorDeviceClass.SAFETY,
        is_on_fn=lambda farm, plant_id: farm.views.plant(plant_id).harvest_blocked,
        attributes_fn=lambda farm, plant_id: {
            "safe_date": (
                None
                if (harvest := farm.views.plant(plant_id).harvest).safe_on is None
                else harvest.safe_on.isoformat()
            ),
            "blocking_products": list(harvest.blocking_products),
        },
    ),
    FarmBinarySensorDescription(
        key="needs_attention",
        translation_key="needs_attention",
        subject="plant",
        view_fields=frozenset({"attention"}),
        device_class=BinarySensorDeviceClass.PROBLEM,
        is_on_fn=lambda farm, plant_id: bool(farm.views.plant(plant_id).attention),
        attributes_fn=lambda farm, plant_id: {
            "reasons": list(farm.views.plant(plant_id).attention)
        },
    ),
)


class FarmBinarySensor(FarmEntity, BinarySensorEntity):
    """A yes/no the farm works out."""

    entity_description: FarmBinarySensorDescription

    def signature(self) -> tuple[Any, ...]:
        """The raw verdict and its details."""
        return (self.available, self.is_on, self.extra_state_attributes)

    @property
    def is_on(self) -> bool | None:
        """The farm's verdict."""
        return self.entity_description.is_on_fn(self.farm, self.subject_id)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """What the verdict is about."""
        attributes_fn = self.entity_description.attributes_fn
        return (
            None if attributes_fn is None else attributes_fn(self.farm, self.subject_id)
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the farm's binary sensors."""
    await async_setup_platform_entities(
        entry, async_add_entities, BINARY_SENSORS, FarmBinarySensor
    )
