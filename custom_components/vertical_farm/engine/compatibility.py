"""Compatibility: can these plants share one tank, or one light?

Plants on one tank drink one solution, so their current phases' EC and pH
ranges must overlap; plants under one light get one photoperiod, decided by
`lighting.shelf_photoperiod`. A conflict is a result to show (an entity state,
a repair issue), never an exception. EC in mS/cm, pH unitless.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from .lighting import (
    PlantInPhase,
)
from .profiles import Phase


class Parameter(StrEnum):
    """A solution value plants on one tank must agree on."""

    EC = "ec"
    PH = "ph"


class TankReason(StrEnum):
    """The verdict on a tank's plants."""

    OK = "ok"
    CONFLICT = "conflict"
    NO_PLANTS = "no_plants"


@dataclass(frozen=True, kw_only=True, slots=True)
class ValueRange:
    """A closed range of EC (mS/cm) or pH, rounded to 0.01."""

    low: float
    high: float


@dataclass(frozen=True, kw_only=True, slots=True)
class RangeGroup:
    """Plants whose current phase asks for the same range."""

    plant_ids: tuple[str, ...]
    range: ValueRange


@dataclass(frozen=True, kw_only=True, slots=True)
class RangeConflict:
    """Two groups of plants whose ranges do not meet."""

    parameter: Parameter
    lower: RangeGroup  # its whole range lies below the other's
    higher: RangeGroup


@dataclass(frozen=True, kw_only=True, slots=True)
class TankCompatibility:
    """Whether plants can share one tank, and the solution window they share."""

    reason: TankReason
    ec_range: ValueRange | None  # common EC window; None if EC conflicts or no plants
    ph_range: ValueRange | None  # common pH window; None if pH conflicts or no plants
    conflicts: tuple[RangeConflict, ...] = ()

    @property
    def compatible(self) -> bool:
        """True when no pair of plants conflicts."""
        return not self.conflicts


def _shared_range(
    parameter: Parameter, groups: dict[tuple[float, float], list[str]]
) -> tuple[ValueRange | None, list[RangeConflict]]:
    """The common window of all ranges, or every pair of ranges that do not meet.

    Ranges on a line all share a point exactly when every pair does (Helly, in
    one dimension), so pairs are only searched when the common window is empty.
    """
    low = max(bounds[0] for bounds in groups)
    high = min(bounds[1] for bounds in groups)
    if low <= high:
        return ValueRange(low=round(low, 2), high=round(high, 2)), []
    ordered = sorted(groups.items())
    # each group shows up in many pairs: describe it once
    described = [(bounds, _range_group(bounds, ids)) for bounds, ids in ordered]
    conflicts = [
        RangeConflict(parameter=parameter, lower=lower, higher=higher)
        for index, (lower_bounds, lower) in enumerate(described)
        for higher_bounds, higher in described[index + 1 :]
        if lower_bounds[1] < higher_bounds[0]
    ]
    return None, conflicts


def _range_group(bounds: tuple[float, float], plant_ids: list[str]) -> RangeGroup:
    return RangeGroup(
        plant_ids=tuple(plant_ids),
        range=ValueRange(low=round(bounds[0], 2), high=round(bounds[1], 2)),
    )


def tank_compatibility(plants: Iterable[PlantInPhase]) -> TankCompatibility:
    """Check that plants sharing a tank agree on EC and pH for their current phases.

    Returns:
        Per parameter, the common window when every range meets (the highest
        minimum to the lowest maximum; ranges that only touch share that one
        value), otherwise every pair of plant groups whose ranges do not meet,
        lower range first.

    Raises:
        FarmError: `phase_not_in_species` when a plant's phase is not in its
            species (bad data, not a conflict).
    """
    # Ranges are looked up once per (species, phase), not once per plant.
    # Plant ids by the range they ask for, ranges in first-seen order.
    ec_groups: dict[tuple[float, float], list[str]] = {}
    ph_groups: dict[tuple[float, float], list[str]] = {}
    groups_by_kind: dict[tuple[str, Phase], tuple[list[str], list[str]]] = {}
    for plant in plants:
        kind = (plant.species.key, plant.phase)
        groups = groups_by_kind.get(kind)
        if groups is None:
            profile = plant.profile
            groups = groups_by_kind[kind] = (
                ec_groups.setdefault((profile.ec_min, profile.ec_max), []),
                ph_groups.setdefault((profile.ph_min, profile.ph_max), []),
            )
        groups[0].append(plant.plant_id)
        groups[1].append(plant.plant_id)
    if not groups_by_kind:
        return TankCompatibility(
            reason=TankReason.NO_PLANTS, ec_range=None, ph_range=None
        )
    ec_range, ec_conflicts = _shared_range(Parameter.EC, ec_groups)
    ph_range, ph_conflicts = _shared_range(Parameter.PH, ph_groups)
    conflicts = (*ec_conflicts, *ph_conflicts)
    return TankCompatibility(
        reason=TankReason.CONFLICT if conflicts else TankReason.OK,
        ec_range=ec_range,
        ph_range=ph_range,
        conflicts=conflicts,
    )
