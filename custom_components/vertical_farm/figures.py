"""Figures in answers (action responses, assistant tools): rounded to what they mean.

A float worked out by the engines carries noise (0.44999999999999996); what a
grower reads or an automation compares is the figure at the precision its
unit is measured in. One helper and one precision per kind of figure.
"""

from __future__ import annotations

from typing import Final

EC_DIGITS: Final = 2  # mS/cm
PH_DIGITS: Final = 2
LITRES_DIGITS: Final = 1
ML_DIGITS: Final = 1
ML_PER_L_DIGITS: Final = 2
CELSIUS_DIGITS: Final = 1
PERCENT_DIGITS: Final = 1
DAYS_DIGITS: Final = 1
HOURS_DIGITS: Final = 2  # a photoperiod may be set in quarter hours
DLI_DIGITS: Final = 2  # mol/m2/day


def rounded(value: float | None, digits: int) -> float | None:
    """`value` to `digits` decimals; None stays None, and -0.0 reads 0.0."""
    if value is None:
        return None
    return round(value, digits) + 0.0
