"""Figures in answers (action responses, assistant tools): rounded to what they mean.

A float worked out by the engines carries noise (0.44999999999999996); what a
grower reads or an automation compares is the figure at the precision its
unit is measured in. One helper and one precision per kind of figure.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final, overload

if TYPE_CHECKING:
    from .models import TankConfig
    from .presenters import TankView

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
# Figures named in error messages, whatever their unit (mS/cm, pH, ml/L, L).
MESSAGE_DIGITS: Final = 2


@overload
def rounded(value: float, digits: int) -> float: ...
@overload
def rounded(value: float | None, digits: int) -> float | None: ...
def rounded(value: float | None, digits: int) -> float | None:
    """`value` to `digits` decimals; None stays None, and -0.0 reads 0.0."""
    if value is None:
        return None
    return round(value, digits) + 0.0


def placeholder(value: object) -> str:
    """A figure as an error message names it: at most `MESSAGE_DIGITS` decimals.

    The engines name the figures they refuse as they worked them out; a
    message reads them as a grower does ("0.45", not "0.44999999999999996").
    """
    if isinstance(value, float):
        return str(rounded(value, MESSAGE_DIGITS))
    return str(value)


def tank_figures(tank: TankConfig, view: TankView) -> dict[str, Any]:
    """A tank's measured and target figures and its problems, as answers give them.

    One definition for `get_overview` and the assistant's tank status, so a
    tank reads the same wherever it is asked about.
    """
    balance = view.balance
    level_l = None if balance is None else balance.level_l
    return {
        "volume_l": rounded(tank.volume_l, LITRES_DIGITS),
        "ec": rounded(view.ec, EC_DIGITS),
        "target_ec": rounded(view.target_ec, EC_DIGITS),
        "ph": rounded(view.ph, PH_DIGITS),
        "target_ph": rounded(view.target_ph, PH_DIGITS),
        # what is wrong with the tank, as codes (ec_high, level_low, ...)
        "problems": [str(problem) for problem in view.problems],
        "level_l": rounded(level_l, LITRES_DIGITS),
        "level_percent": None
        if level_l is None
        else round(level_l / tank.volume_l * 100),
        "days_until_empty": None
        if balance is None
        else rounded(balance.days_until_empty, DAYS_DIGITS),
    }
