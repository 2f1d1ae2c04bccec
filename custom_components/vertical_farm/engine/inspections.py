"""Inspections: pests and diseases found, when to look again, resistance risk.

An inspection names a problem from the bundled catalogue and how bad it is;
the worse it is, the sooner the next look. Treatments used against problems
are counted by their mode of action (IRAC / FRAC group), since resistance
builds up against a mode of action, not a brand or an active ingredient.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from .safety import ResistanceWarning, Treatment, resistance_warnings


class Severity(StrEnum):
    """How bad a problem is."""

    LOW = "low"  # a few pests or spots: watch
    MODERATE = "moderate"  # spreading on the plant: act
    HIGH = "high"  # on many plants or leaves: act now


# Days until the follow-up inspection, as integrated pest management guides
# advise: check again within days when a problem spreads, weekly when it is slight.
FOLLOW_UP_DAYS: dict[Severity, int] = {
    Severity.LOW: 7,
    Severity.MODERATE: 3,
    Severity.HIGH: 1,
}


@dataclass(frozen=True, kw_only=True, slots=True)
class Application:
    """A treatment with a known mode of action, applied at an instant."""

    mode_of_action: str  # e.g. "IRAC 5"
    applied: datetime  # aware


def follow_up_on(inspected_on: date, severity: Severity) -> date:
    """The day to inspect again: low 7 days, moderate 3, high 1 day later."""
    return date.fromordinal(inspected_on.toordinal() + FOLLOW_UP_DAYS[severity])


def counts_for_resistance(mode_of_action: str) -> bool:
    """Whether a group is one single-site mode of action.

    Numbered IRAC and FRAC groups ("IRAC 3A", "FRAC 11") are; "UN", "UNF",
    "NC" (unknown or not classified), "M" (multi-site) and "BM" (microbial)
    groups are not counted.
    """
    parts = mode_of_action.split()
    return len(parts) == 2 and parts[0] in ("IRAC", "FRAC") and parts[1][:1].isdigit()


def mode_of_action_warnings(
    applications: Iterable[Application], now: datetime
) -> tuple[ResistanceWarning, ...]:
    """Warn about a mode of action used more than 3 times in 90 days.

    The safety engine's resistance rule, counted by mode of action: spinosad
    on 1, 15, 29 May and 12 June is IRAC 5 four times by 20 June, a warning;
    pyrethrins and deltamethrin count together as IRAC 3A. Groups that are
    not one mode of action (`counts_for_resistance`) are left out.

    Raises:
        FarmError: `naive_datetime` for a naive `now` or counted application.
    """
    treatments = [
        Treatment(
            product="",
            active_ingredient=application.mode_of_action,
            interval_days=0,
            applied=application.applied,
        )
        for application in applications
        if counts_for_resistance(application.mode_of_action)
    ]
    return resistance_warnings(treatments, now)
