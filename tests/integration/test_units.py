"""Reading linked sensors in the farm's units."""

import math

import pytest

from custom_components.vertical_farm.units import Quantity, UnitError, convert


@pytest.mark.parametrize(
    ("quantity", "value", "unit", "attributes", "expected"),
    [
        (Quantity.TEMPERATURE, 71.6, "°F", {}, (22.0, False)),
        (Quantity.TEMPERATURE, 295.15, "K", {}, (22.0, False)),
        (Quantity.TEMPERATURE, 22.0, "°C", {}, (22.0, False)),
        (Quantity.TEMPERATURE, 22.0, None, {}, (22.0, False)),
        (Quantity.EC, 1400.0, "µS/cm", {}, (1.4, False)),  # micro sign
        (Quantity.EC, 1400.0, "μS/cm", {}, (1.4, False)),  # Greek mu
        (Quantity.EC, 1400.0, "uS/cm", {}, (1.4, False)),  # no micro sign to hand
        (Quantity.EC, 0.0014, "S/cm", {}, (1.4, False)),
        (Quantity.EC, 1.4, "mS/cm", {}, (1.4, False)),
        (Quantity.EC, 700.0, "ppm", {"ppm_scale": 500}, (1.4, False)),
        (Quantity.EC, 896.0, "ppm", {"ppm_scale": "640"}, (1.4, False)),
        (Quantity.EC, 980.0, "mg/L", {"ppm_scale": 700.0}, (1.4, False)),
        (Quantity.LEVEL, 40.0, "%", {}, (40.0, True)),
        (Quantity.LEVEL, 20.0, "L", {}, (20.0, False)),
        (Quantity.LEVEL, 5.0, "gal", {}, (18.927, False)),
        (Quantity.LEVEL, 20000.0, "mL", {}, (20.0, False)),
        (Quantity.LIGHT, 300.0, "µmol/m²/s", {}, (300.0, False)),
        (Quantity.LIGHT, 300.0, "μmol/m²/s", {}, (300.0, False)),
        (Quantity.HUMIDITY, 55.0, "%", {}, (55.0, False)),
        (Quantity.MOISTURE, 35.0, "%", {}, (35.0, False)),
        (Quantity.PH, 6.1, "pH", {}, (6.1, False)),
    ],
)
def test_converts_to_the_farm_units(
    quantity: Quantity,
    value: float,
    unit: str | None,
    attributes: dict[str, object],
    expected: tuple[float, bool],
) -> None:
    result, percent = convert(quantity, value, unit, attributes)
    assert result == pytest.approx(expected[0], abs=1e-3)
    assert percent is expected[1]


def test_lux_becomes_ppfd_for_led_light() -> None:
    ppfd, _ = convert(Quantity.LIGHT, 20000.0, "lx", {})
    assert 200 < ppfd < 400


@pytest.mark.parametrize(
    ("quantity", "value", "unit", "attributes"),
    [
        (Quantity.TEMPERATURE, 300.0, "°R", {}),
        (Quantity.EC, 900.0, "ppm", {}),  # which scale?
        (Quantity.EC, 900.0, "ppm", {"ppm_scale": 600}),  # no such scale
        (Quantity.EC, 900.0, "ppm", {"ppm_scale": "half"}),
        (Quantity.LEVEL, 3.0, "m", {}),
        (Quantity.LIGHT, 3.0, "W/m²", {}),
        (Quantity.HUMIDITY, 3.0, "g/m³", {}),
        (Quantity.PH, 3.0, "mV", {}),
        (Quantity.EC, math.nan, "mS/cm", {}),
        (Quantity.EC, math.inf, None, {}),
    ],
)
def test_units_that_cannot_be_read_are_refused(
    quantity: Quantity, value: float, unit: str | None, attributes: dict[str, object]
) -> None:
    with pytest.raises(UnitError):
        convert(quantity, value, unit, attributes)
