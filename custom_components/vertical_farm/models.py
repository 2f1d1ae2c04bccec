"""The farm's configuration records, read from config entry and subentry data.

Frozen dataclasses with no Home Assistant imports: the live farm and the
engines read these, never the raw mappings.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, time
from typing import Any

from .const import (
    CONF_ALKALINITY,
    CONF_AREA,
    CONF_CARE_PRESET,
    CONF_CONTAINER_L,
    CONF_CULTIVAR,
    CONF_EC_SENSOR,
    CONF_FERTILIZER,
    CONF_FERTILIZERS,
    CONF_HEMISPHERE,
    CONF_HUMIDITY_SENSOR,
    CONF_LEVEL_SENSOR,
    CONF_LIGHT_ENTITY,
    CONF_LIGHT_MODE,
    CONF_LIGHT_SENSOR,
    CONF_LIGHTS_ON,
    CONF_ML_PER_L,
    CONF_MOISTURE_SENSOR,
    CONF_NAME,
    CONF_PH_SENSOR,
    CONF_PHASE,
    CONF_PHOTOPERIOD_H,
    CONF_PLANTED,
    CONF_PUMP_ENTITY,
    CONF_PUMP_OFF_MIN,
    CONF_PUMP_ON_MIN,
    CONF_QUANTITY,
    CONF_RACK,
    CONF_RO_EC,
    CONF_SHELF,
    CONF_SHELF_WATERING,
    CONF_SHELVES,
    CONF_SITES_PER_SHELF,
    CONF_SPECIES,
    CONF_SYSTEM,
    CONF_TANK,
    CONF_TANK_TYPE,
    CONF_TAP_EC,
    CONF_TAP_PH,
    CONF_TEMPERATURE_SENSOR,
    CONF_VOLUME_L,
    CONF_VOLUME_SENSOR,
    CONF_WATERING_INTERVAL_DAYS,
    CONF_WATERING_MODE,
    CONF_WATERING_WEEKDAYS,
    DEFAULT_ALKALINITY,
    DEFAULT_LIGHTS_ON,
    DEFAULT_PHOTOPERIOD_H,
    DEFAULT_PUMP_OFF_MIN,
    DEFAULT_PUMP_ON_MIN,
    DEFAULT_SHELVES,
    DEFAULT_TAP_EC,
    DEFAULT_TAP_PH,
    LIGHT_MODE_AUTO,
)
from .engine.profiles import Hemisphere, Phase, System, TankType


def _float_or_none(value: Any) -> float | None:
    return None if value is None or value == "" else float(value)


def _str_or_none(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


@dataclass(frozen=True, kw_only=True, slots=True)
class FarmSettings:
    """The farm itself: where it is and what its water is like."""

    name: str
    hemisphere: Hemisphere
    tap_ec: float  # mS/cm
    tap_ph: float
    alkalinity: float  # ppm CaCO3
    ro_ec: float | None  # mS/cm, None without an RO unit

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> FarmSettings:
        """Read the farm's entry data."""
        return cls(
            name=str(data[CONF_NAME]),
            hemisphere=Hemisphere(data.get(CONF_HEMISPHERE, Hemisphere.NORTH)),
            tap_ec=float(data.get(CONF_TAP_EC, DEFAULT_TAP_EC)),
            tap_ph=float(data.get(CONF_TAP_PH, DEFAULT_TAP_PH)),
            alkalinity=float(data.get(CONF_ALKALINITY, DEFAULT_ALKALINITY)),
            ro_ec=_float_or_none(data.get(CONF_RO_EC)),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class FertilizerDose:
    """One fertilizer of a tank's recipe."""

    fertilizer: str  # library key
    ml_per_l: float


@dataclass(frozen=True, kw_only=True, slots=True)
class WateringPlanConfig:
    """A stored watering plan: on fixed weekdays or every N days."""

    mode: str  # "weekdays" | "every_n_days"
    weekdays: tuple[int, ...] = ()  # 0 = Monday .. 6 = Sunday
    interval_days: int | None = None

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> WateringPlanConfig | None:
        """Read the plan fields of a plant or a shelf (None without a mode)."""
        mode = _str_or_none(data.get(CONF_WATERING_MODE))
        if mode is None:
            return None
        interval = data.get(CONF_WATERING_INTERVAL_DAYS)
        return cls(
            mode=mode,
            weekdays=tuple(
                sorted(int(day) for day in data.get(CONF_WATERING_WEEKDAYS) or ())
            ),
            interval_days=None if interval in (None, "") else int(interval),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class RackConfig:
    """A shelving rack with its light, pump and climate sensors."""

    id: str
    name: str
    shelves: int
    tank: str | None  # tank subentry id
    light_entity: str | None
    light_mode: str  # "auto" | "fixed"
    lights_on: time
    photoperiod_h: float  # fixed mode
    sites_per_shelf: int | None = None  # None: the planning call's figure
    pump_entity: str | None
    pump_on_min: int
    pump_off_min: int
    temperature_sensor: str | None
    humidity_sensor: str | None
    light_sensor: str | None
    area: str | None
    # Watering plans of shelves, by shelf: plants there follow them unless
    # they have their own.
    shelf_watering: tuple[tuple[int, WateringPlanConfig], ...] = ()

    def shelf_plan(self, shelf: int | None) -> WateringPlanConfig | None:
        """The watering plan of a shelf (None without one)."""
        return next(
            (plan for number, plan in self.shelf_watering if number == shelf), None
        )

    @classmethod
    def from_data(cls, subentry_id: str, data: Mapping[str, Any]) -> RackConfig:
        """Read a rack subentry's data."""
        return cls(
            id=subentry_id,
            name=str(data[CONF_NAME]),
            shelves=int(data.get(CONF_SHELVES, DEFAULT_SHELVES)),
            tank=_str_or_none(data.get(CONF_TANK)),
            light_entity=_str_or_none(data.get(CONF_LIGHT_ENTITY)),
            light_mode=str(data.get(CONF_LIGHT_MODE, LIGHT_MODE_AUTO)),
            lights_on=time.fromisoformat(
                str(data.get(CONF_LIGHTS_ON) or DEFAULT_LIGHTS_ON)
            ),
            photoperiod_h=float(data.get(CONF_PHOTOPERIOD_H, DEFAULT_PHOTOPERIOD_H)),
            sites_per_shelf=None
            if (sites := data.get(CONF_SITES_PER_SHELF)) is None
            else int(sites),
            pump_entity=_str_or_none(data.get(CONF_PUMP_ENTITY)),
            pump_on_min=int(data.get(CONF_PUMP_ON_MIN, DEFAULT_PUMP_ON_MIN)),
            pump_off_min=int(data.get(CONF_PUMP_OFF_MIN, DEFAULT_PUMP_OFF_MIN)),
            temperature_sensor=_str_or_none(data.get(CONF_TEMPERATURE_SENSOR)),
            humidity_sensor=_str_or_none(data.get(CONF_HUMIDITY_SENSOR)),
            light_sensor=_str_or_none(data.get(CONF_LIGHT_SENSOR)),
            area=_str_or_none(data.get(CONF_AREA)),
            shelf_watering=tuple(
                sorted(
                    (
                        (int(shelf), plan)
                        for shelf, fields in (
                            data.get(CONF_SHELF_WATERING) or {}
                        ).items()
                        if (plan := WateringPlanConfig.from_data(fields)) is not None
                    ),
                    key=lambda item: item[0],
                )
            ),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class TankConfig:
    """A nutrient tank (reservoir) with its probes and recipe."""

    id: str
    name: str
    tank_type: TankType
    volume_l: float
    system: System
    ec_sensor: str | None
    ph_sensor: str | None
    temperature_sensor: str | None
    level_sensor: str | None
    fertilizers: tuple[FertilizerDose, ...]
    area: str | None
    volume_sensor: str | None = None  # litres in the tank, beside the level sensor

    @classmethod
    def from_data(cls, subentry_id: str, data: Mapping[str, Any]) -> TankConfig:
        """Read a tank subentry's data."""
        return cls(
            id=subentry_id,
            name=str(data[CONF_NAME]),
            tank_type=TankType(data.get(CONF_TANK_TYPE, TankType.NUTRIENT)),
            volume_l=float(data[CONF_VOLUME_L]),
            system=System(data.get(CONF_SYSTEM, System.HYDRO)),
            ec_sensor=_str_or_none(data.get(CONF_EC_SENSOR)),
            ph_sensor=_str_or_none(data.get(CONF_PH_SENSOR)),
            temperature_sensor=_str_or_none(data.get(CONF_TEMPERATURE_SENSOR)),
            level_sensor=_str_or_none(data.get(CONF_LEVEL_SENSOR)),
            fertilizers=tuple(
                FertilizerDose(
                    fertilizer=str(item[CONF_FERTILIZER]),
                    ml_per_l=float(item[CONF_ML_PER_L]),
                )
                for item in data.get(CONF_FERTILIZERS) or ()
            ),
            area=_str_or_none(data.get(CONF_AREA)),
            volume_sensor=_str_or_none(data.get(CONF_VOLUME_SENSOR)),
        )


@dataclass(frozen=True, kw_only=True, slots=True)
class PlantConfig:
    """A plant record: one pot, or a tray of many of the same species."""

    id: str
    name: str
    species: str | None  # library key
    cultivar: str | None
    quantity: int
    rack: str | None  # rack subentry id; None = standalone pot
    shelf: int | None
    planted: date
    phase: Phase | None  # the phase the user set it to when creating or editing
    care_preset: str | None
    container_l: float | None
    moisture_sensor: str | None
    area: str | None
    # The plant's own watering plan; None = its shelf's plan, else the preset.
    watering: WateringPlanConfig | None = None

    @classmethod
    def from_data(cls, subentry_id: str, data: Mapping[str, Any]) -> PlantConfig:
        """Read a plant subentry's data."""
        shelf = data.get(CONF_SHELF)
        phase = data.get(CONF_PHASE)
        return cls(
            id=subentry_id,
            name=str(data[CONF_NAME]),
            species=_str_or_none(data.get(CONF_SPECIES)),
            cultivar=_str_or_none(data.get(CONF_CULTIVAR)),
            quantity=int(data.get(CONF_QUANTITY, 1)),
            rack=_str_or_none(data.get(CONF_RACK)),
            shelf=None if shelf in (None, "") else int(shelf),
            planted=date.fromisoformat(str(data[CONF_PLANTED])),
            phase=Phase(phase) if phase else None,
            care_preset=_str_or_none(data.get(CONF_CARE_PRESET)),
            container_l=_float_or_none(data.get(CONF_CONTAINER_L)),
            moisture_sensor=_str_or_none(data.get(CONF_MOISTURE_SENSOR)),
            area=_str_or_none(data.get(CONF_AREA)),
            watering=WateringPlanConfig.from_data(data),
        )
