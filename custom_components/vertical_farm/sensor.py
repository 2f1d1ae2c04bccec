"""Sensors: the farm's task counts, rack light, tank solution and plant progress."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from homeassistant.components.sensor import (
    SensorDeviceClass,
    SensorEntity,
    SensorEntityDescription,
    SensorStateClass,
)
from homeassistant.const import (
    PERCENTAGE,
    EntityCategory,
    Platform,
    UnitOfConductivity,
    UnitOfTemperature,
    UnitOfTime,
    UnitOfVolume,
)
from homeassistant.core import HomeAssistant
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util

from .engine.care import Urgency
from .engine.profiles import Phase
from .entity import FarmEntity, FarmEntityDescription, async_setup_platform_entities
from .farm import Farm, FarmConfigEntry
from .plant_seasons import cold_attributes
from .watering_plans import next_watering_attributes

PARALLEL_UPDATES = 0

type Value = float | int | str | date | datetime | None


@dataclass(frozen=True, kw_only=True)
class FarmSensorDescription(SensorEntityDescription, FarmEntityDescription):
    """A Vertical Farm sensor: how to read its value from the farm."""

    value_fn: Callable[[Farm, str], Value]
    attributes_fn: Callable[[Farm, str], dict[str, Any]] | None = None


def _count(farm: Farm, urgencies: tuple[Urgency, ...]) -> int:
    return sum(item.urgency in urgencies for item in farm.care.items())


def _tank_value(fn: Callable[[Any], Value]) -> Callable[[Farm, str], Value]:
    return lambda farm, tank_id: fn(farm.views.tank(tank_id))


def _plant_value(fn: Callable[[Any], Value]) -> Callable[[Farm, str], Value]:
    return lambda farm, plant_id: fn(farm.views.plant(plant_id))


def _rack_value(fn: Callable[[Any], Value]) -> Callable[[Farm, str], Value]:
    return lambda farm, rack_id: fn(farm.views.rack(rack_id))


SENSORS: tuple[FarmSensorDescription, ...] = (
    # Farm
    FarmSensorDescription(
        key="tasks_due",
        translation_key="tasks_due",
        subject="farm",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda farm, _: _count(farm, (Urgency.OVERDUE, Urgency.TODAY)),
    ),
    FarmSensorDescription(
        key="tasks_overdue",
        translation_key="tasks_overdue",
        subject="farm",
        state_class=SensorStateClass.MEASUREMENT,
        value_fn=lambda farm, _: _count(farm, (Urgency.OVERDUE,)),
    ),
    # Rack
    FarmSensorDescription(
        key="photoperiod",
        translation_key="photoperiod",
        subject="rack",
        view_fields=frozenset({"photoperiod_h"}),
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.HOURS,
        suggested_display_precision=1,
        value_fn=_rack_value(lambda view: view.photoperiod_h),
    ),
    FarmSensorDescription(
        key="dli",
        translation_key="dli",
        subject="rack",
        view_fields=frozenset({"dli"}),
        native_unit_of_measurement="mol/(m²·d)",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, rack_id: farm.views.rack(rack_id).dli is not None,
        value_fn=_rack_value(lambda view: view.dli),
    ),
    FarmSensorDescription(
        key="next_light_change",
        translation_key="next_light_change",
        subject="rack",
        view_fields=frozenset({"next_light_change"}),
        device_class=SensorDeviceClass.TIMESTAMP,
        available_fn=lambda farm, rack_id: (
            farm.views.rack(rack_id).next_light_change is not None
        ),
        value_fn=_rack_value(lambda view: view.next_light_change),
    ),
    FarmSensorDescription(
        key="next_irrigation",
        translation_key="next_irrigation",
        subject="rack",
        view_fields=frozenset({"next_irrigation"}),
        device_class=SensorDeviceClass.TIMESTAMP,
        available_fn=lambda farm, rack_id: (
            farm.views.rack(rack_id).next_irrigation is not None
        ),
        value_fn=_rack_value(lambda view: view.next_irrigation),
    ),
    # Tank
    FarmSensorDescription(
        key="target_ec",
        translation_key="target_ec",
        subject="tank",
        view_fields=frozenset({"targets"}),
        device_class=SensorDeviceClass.CONDUCTIVITY,
        native_unit_of_measurement=UnitOfConductivity.MILLISIEMENS_PER_CM,
        suggested_display_precision=2,
        available_fn=lambda farm, tank_id: (
            farm.views.tank(tank_id).target_ec is not None
        ),
        value_fn=_tank_value(lambda view: view.target_ec),
    ),
    FarmSensorDescription(
        key="ec_deviation",
        translation_key="ec_deviation",
        subject="tank",
        view_fields=frozenset({"ec_deviation"}),
        native_unit_of_measurement=PERCENTAGE,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        available_fn=lambda farm, tank_id: (
            farm.views.tank(tank_id).ec_deviation is not None
        ),
        value_fn=_tank_value(
            lambda view: (
                None if view.ec_deviation is None else view.ec_deviation.percent
            )
        ),
    ),
    FarmSensorDescription(
        key="ph_deviation",
        translation_key="ph_deviation",
        subject="tank",
        view_fields=frozenset({"ph_deviation"}),
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        available_fn=lambda farm, tank_id: (
            farm.views.tank(tank_id).ph_deviation is not None
        ),
        value_fn=_tank_value(lambda view: view.ph_deviation),
    ),
    # The tank's measured values, mirrors of its probes in the user's units.
    FarmSensorDescription(
        key="ec",
        translation_key="ec",
        subject="tank",
        view_fields=frozenset({"ec"}),
        device_class=SensorDeviceClass.CONDUCTIVITY,
        native_unit_of_measurement=UnitOfConductivity.MILLISIEMENS_PER_CM,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        available_fn=lambda farm, tank_id: farm.views.tank(tank_id).ec is not None,
        value_fn=_tank_value(lambda view: view.ec),
    ),
    FarmSensorDescription(
        key="ph",
        translation_key="ph",
        subject="tank",
        view_fields=frozenset({"ph"}),
        device_class=SensorDeviceClass.PH,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=2,
        available_fn=lambda farm, tank_id: farm.views.tank(tank_id).ph is not None,
        value_fn=_tank_value(lambda view: view.ph),
    ),
    FarmSensorDescription(
        key="water_temperature",
        translation_key="water_temperature",
        subject="tank",
        view_fields=frozenset({"water_temperature"}),
        device_class=SensorDeviceClass.TEMPERATURE,
        native_unit_of_measurement=UnitOfTemperature.CELSIUS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, tank_id: (
            farm.views.tank(tank_id).water_temperature is not None
        ),
        value_fn=_tank_value(lambda view: view.water_temperature),
    ),
    FarmSensorDescription(
        key="level",
        translation_key="level",
        subject="tank",
        view_fields=frozenset({"level_l", "level_percent"}),
        device_class=SensorDeviceClass.VOLUME_STORAGE,
        native_unit_of_measurement=UnitOfVolume.LITERS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, tank_id: farm.views.tank(tank_id).level_l is not None,
        value_fn=_tank_value(
            lambda view: None if view.level_l is None else round(view.level_l, 2)
        ),
        attributes_fn=lambda farm, tank_id: (
            {}
            if (percent := farm.views.tank(tank_id).level_percent) is None
            else {"percent": percent}
        ),
    ),
    FarmSensorDescription(
        key="solution_age",
        translation_key="solution_age",
        subject="tank",
        view_fields=frozenset({"solution", "life_days_at_20c"}),
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, tank_id: (
            farm.views.tank(tank_id).solution is not None
        ),
        value_fn=_tank_value(
            lambda view: (
                None if view.solution is None else round(view.solution.age_days, 2)
            )
        ),
        attributes_fn=lambda farm, tank_id: (
            {}
            if (solution := farm.views.tank(tank_id).solution) is None
            else {
                "days_left": round(solution.days_left, 1),
                "change_due": solution.due_at.isoformat(),
                "life_used_percent": round(solution.used_fraction * 100, 1),
                "life_days_at_20c": farm.views.tank(tank_id).life_days_at_20c,
            }
        ),
    ),
    FarmSensorDescription(
        key="water_use",
        translation_key="water_use",
        subject="tank",
        view_fields=frozenset({"balance"}),
        native_unit_of_measurement="L/d",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, tank_id: (
            (balance := farm.views.tank(tank_id).balance) is not None
            and balance.use_l_per_day is not None
        ),
        value_fn=_tank_value(
            lambda view: None if view.balance is None else view.balance.use_l_per_day
        ),
    ),
    FarmSensorDescription(
        key="days_until_empty",
        translation_key="days_until_empty",
        subject="tank",
        view_fields=frozenset({"balance"}),
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, tank_id: (
            (balance := farm.views.tank(tank_id).balance) is not None
            and balance.days_until_empty is not None
        ),
        value_fn=_tank_value(
            lambda view: None if view.balance is None else view.balance.days_until_empty
        ),
    ),
    FarmSensorDescription(
        key="next_maintenance",
        translation_key="next_maintenance",
        subject="tank",
        view_fields=frozenset({"maintenance"}),
        device_class=SensorDeviceClass.TIMESTAMP,
        value_fn=_tank_value(
            lambda view: (
                None if view.next_maintenance is None else view.next_maintenance.due_at
            )
        ),
        attributes_fn=lambda farm, tank_id: (
            {}
            if (task := farm.views.tank(tank_id).next_maintenance) is None
            else {"task": str(task.kind)}
        ),
    ),
    # Plant
    FarmSensorDescription(
        key="phase",
        translation_key="phase",
        subject="plant",
        device_class=SensorDeviceClass.ENUM,
        options=[str(phase) for phase in Phase],
        available_fn=lambda farm, plant_id: (
            farm.views.plant(plant_id).phase is not None
        ),
        value_fn=_plant_value(
            lambda view: None if view.phase is None else str(view.phase)
        ),
        attributes_fn=lambda farm, plant_id: {
            **cold_attributes(farm.views.plant(plant_id).cold),
            **farm.placement.plant_attributes(plant_id),
        },
    ),
    FarmSensorDescription(
        key="days_in_phase",
        translation_key="days_in_phase",
        subject="plant",
        view_fields=frozenset({"days_in_phase"}),
        disabled_on_large_farms=True,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_plant_value(lambda view: view.days_in_phase),
    ),
    FarmSensorDescription(
        key="age",
        translation_key="age",
        subject="plant",
        view_fields=frozenset({"age_days"}),
        disabled_on_large_farms=True,
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        entity_category=EntityCategory.DIAGNOSTIC,
        value_fn=_plant_value(lambda view: view.age_days),
    ),
    FarmSensorDescription(
        key="gdd",
        translation_key="gdd",
        subject="plant",
        view_fields=frozenset({"gdd", "gdd_target", "days_until_gdd_target"}),
        disabled_on_large_farms=True,
        native_unit_of_measurement="°C·d",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=0,
        entity_category=EntityCategory.DIAGNOSTIC,
        available_fn=lambda farm, plant_id: farm.views.plant(plant_id).gdd is not None,
        value_fn=_plant_value(lambda view: view.gdd),
        attributes_fn=lambda farm, plant_id: (
            {}
            if (view := farm.views.plant(plant_id)).gdd_target is None
            else {
                "gdd_target": view.gdd_target,
                "days_until_gdd_target": view.days_until_gdd_target,
            }
        ),
    ),
    FarmSensorDescription(
        key="expected_harvest",
        translation_key="expected_harvest",
        subject="plant",
        view_fields=frozenset({"expected_harvest"}),
        device_class=SensorDeviceClass.DATE,
        available_fn=lambda farm, plant_id: (
            farm.views.plant(plant_id).expected_harvest is not None
        ),
        value_fn=_plant_value(lambda view: view.expected_harvest),
    ),
    FarmSensorDescription(
        key="next_watering",
        translation_key="next_watering",
        subject="plant",
        view_fields=frozenset({"next_watering", "watering"}),
        device_class=SensorDeviceClass.DATE,
        available_fn=lambda farm, plant_id: (
            farm.views.plant(plant_id).next_watering is not None
        ),
        value_fn=_plant_value(lambda view: view.next_watering),
        attributes_fn=next_watering_attributes,
    ),
)


def _forecast(farm: Farm, tank_id: str, key: str) -> Any:
    """A figure of the tank's latest planner forecast (None without one)."""
    forecast = farm.entry.runtime_data.planner.forecast(tank_id)
    return None if forecast is None else forecast.get(key)


def _forecast_date(farm: Farm, tank_id: str) -> date | None:
    value = _forecast(farm, tank_id, "empty_on")
    return dt_util.parse_date(value) if isinstance(value, str) else None


def _forecast_number(key: str) -> Callable[[Farm, str], float | None]:
    def value(farm: Farm, tank_id: str) -> float | None:
        number = _forecast(farm, tank_id, key)
        return float(number) if isinstance(number, int | float) else None

    return value


_forecast_water_use = _forecast_number("use_l_per_day")
_forecast_days_left = _forecast_number("days_until_empty")


# Only with a planner: its water forecast of each tank, from the journal.
FORECAST_SENSORS: tuple[FarmSensorDescription, ...] = (
    FarmSensorDescription(
        key="forecast_water_use",
        translation_key="forecast_water_use",
        subject="tank",
        native_unit_of_measurement="L/d",
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, tank_id: (
            _forecast_water_use(farm, tank_id) is not None
        ),
        value_fn=_forecast_water_use,
        attributes_fn=lambda farm, tank_id: {
            "method": _forecast(farm, tank_id, "method")
        },
    ),
    FarmSensorDescription(
        key="forecast_days_until_empty",
        translation_key="forecast_days_until_empty",
        subject="tank",
        device_class=SensorDeviceClass.DURATION,
        native_unit_of_measurement=UnitOfTime.DAYS,
        state_class=SensorStateClass.MEASUREMENT,
        suggested_display_precision=1,
        available_fn=lambda farm, tank_id: (
            _forecast_days_left(farm, tank_id) is not None
        ),
        value_fn=_forecast_days_left,
    ),
    FarmSensorDescription(
        key="forecast_empty_on",
        translation_key="forecast_empty_on",
        subject="tank",
        device_class=SensorDeviceClass.DATE,
        available_fn=lambda farm, tank_id: _forecast_date(farm, tank_id) is not None,
        value_fn=_forecast_date,
    ),
)


class FarmSensor(FarmEntity, SensorEntity):
    """A value the farm computes."""

    entity_description: FarmSensorDescription

    def signature(self) -> tuple[Any, ...]:
        """The raw value: cheaper than the formatted state, and changes with it."""
        value = self.native_value
        if isinstance(value, datetime):
            # As an instant: local times in one zone compare by the wall clock,
            # so 01:30 before and after clocks go back would look the same.
            value = dt_util.as_utc(value)
        return (self.available, value, self.extra_state_attributes)

    @property
    def native_value(self) -> Value:
        """The value from the farm's view."""
        return self.entity_description.value_fn(self.farm, self.subject_id)

    @property
    def extra_state_attributes(self) -> dict[str, Any] | None:
        """Details that explain the value."""
        attributes_fn = self.entity_description.attributes_fn
        return (
            None if attributes_fn is None else attributes_fn(self.farm, self.subject_id)
        )


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the farm's sensors."""
    descriptions = SENSORS
    if entry.runtime_data.planner.configured:
        descriptions += FORECAST_SENSORS
    await async_setup_platform_entities(
        entry, async_add_entities, descriptions, FarmSensor
    )
    if (simulator := entry.runtime_data.simulator) is not None:
        async_add_entities(simulator.entities(Platform.SENSOR))
