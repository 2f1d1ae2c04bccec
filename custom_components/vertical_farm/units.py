"""Linked sensors' units: what each probe measures and how to read it in ours.

Every value the farm works with is in one unit per quantity: temperature in
°C, EC in mS/cm, level in litres (or % of the tank), light as PPFD in
µmol/m²/s, humidity and soil moisture in %. A sensor reporting in another
unit is converted with Home Assistant's unit converters; a sensor without a
unit is taken to report in ours (helpers and templates often have none). A
unit that cannot be converted gives no value at all, never a wrong one.
"""

from __future__ import annotations

from enum import StrEnum
import math
from typing import Any

from homeassistant.const import (
    PERCENTAGE,
    UnitOfConductivity,
    UnitOfTemperature,
)
from homeassistant.util.unit_conversion import (
    ConductivityConverter,
    TemperatureConverter,
    VolumeConverter,
)

from .engine import lighting

# TDS meters report ppm on one of these scales (ppm per mS/cm); the sensor
# declares its scale in this attribute, since "ppm" alone does not say.
PPM_SCALE_ATTRIBUTE = "ppm_scale"
PPM_SCALES = frozenset({500.0, 640.0, 700.0})
PPM_UNITS = frozenset({"ppm", "mg/L"})
PPFD_UNITS = frozenset(
    {
        "µmol/m²/s",
        "µmol/(m²·s)",
        "µmol/m²·s",
        "µmol/s/m²",
        "µmol/(s·m²)",
        "umol/m2/s",
        "umol/m²/s",
        "PPFD",
    }
)
LUX_UNITS = frozenset({"lx", "lux"})
# The micro sign (U+00B5) and the Greek mu (U+03BC) are both used for "micro".
_MICRO_SIGN, _GREEK_MU = "\u00b5", "\u03bc"


class Quantity(StrEnum):
    """What a linked sensor measures, by the role it was linked for."""

    TEMPERATURE = "temperature"
    HUMIDITY = "humidity"
    LIGHT = "light"
    EC = "ec"
    PH = "ph"
    LEVEL = "level"
    VOLUME = "volume"  # litres in a tank; never a percentage
    MOISTURE = "moisture"


class UnitError(ValueError):
    """A sensor's unit cannot be read as its quantity."""

    def __init__(self, unit: str) -> None:
        """Remember the unit that could not be converted."""
        super().__init__(unit)
        self.unit = unit


def _normal(unit: str) -> str:
    return unit.strip().replace(_GREEK_MU, _MICRO_SIGN)


# Written without a micro sign to hand, as device firmware often reports it.
_ASCII_MICRO = {"uS/cm": f"{_MICRO_SIGN}S/cm"}


_EC_UNITS = {_normal(str(unit)): str(unit) for unit in UnitOfConductivity}


def convert(
    quantity: Quantity, value: float, unit: str | None, attributes: dict[str, Any]
) -> tuple[float, bool]:
    """A reading in our unit for its quantity, and whether it is a percentage.

    The second item is True only for a level reported in % of the tank.

    Raises:
        UnitError: the unit cannot be converted to the quantity's unit.
    """
    if not math.isfinite(value):
        raise UnitError(str(value))
    if not unit:
        return value, False
    normal = _normal(unit)
    if quantity is Quantity.TEMPERATURE:
        if unit in TemperatureConverter.VALID_UNITS:
            return (
                TemperatureConverter.convert(value, unit, UnitOfTemperature.CELSIUS),
                False,
            )
    elif quantity is Quantity.EC:
        normal = _ASCII_MICRO.get(normal, normal)
        if normal in _EC_UNITS:
            return (
                ConductivityConverter.convert(
                    value, _EC_UNITS[normal], UnitOfConductivity.MILLISIEMENS_PER_CM
                ),
                False,
            )
        if normal in PPM_UNITS:
            scale = attributes.get(PPM_SCALE_ATTRIBUTE)
            try:
                factor = float(str(scale))
            except ValueError:
                factor = math.nan
            if factor in PPM_SCALES:
                return value / factor, False
    elif quantity is Quantity.LEVEL:
        if normal == PERCENTAGE:
            return value, True
        if normal in VolumeConverter.VALID_UNITS:
            return VolumeConverter.convert(value, normal, "L"), False
    elif quantity is Quantity.VOLUME:
        if normal in VolumeConverter.VALID_UNITS:
            return VolumeConverter.convert(value, normal, "L"), False
    elif quantity is Quantity.LIGHT:
        if normal in PPFD_UNITS:
            return value, False
        if normal in LUX_UNITS:
            return (
                lighting.ppfd_from_lux(value, lighting.LightSource.LED_FULL_SPECTRUM),
                False,
            )
    elif quantity in (Quantity.HUMIDITY, Quantity.MOISTURE):
        if normal == PERCENTAGE:
            return value, False
    elif normal.lower() == "ph":
        return value, False
    raise UnitError(unit)
