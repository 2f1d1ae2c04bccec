"""Rotation and companions: what may follow what on a shelf, who grows well together.

Rotation works on botanical families: the same family grown again on the same
bed or shelf within 3 years lets its soil- and root-borne pests and diseases
build up. Companion scoring works on neighbours sharing a shelf now.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from itertools import combinations
from typing import Protocol

from .errors import FarmError
from .profiles import Family, Species

# Classic crop-rotation guidance: leave 3 years before a family returns to a bed.
ROTATION_YEARS = 3
_DAYS_PER_YEAR = 365.25  # for the years-apart figure shown to people only


@dataclass(frozen=True, kw_only=True, slots=True)
class Planting:
    """A crop that grew, grows or is proposed on one shelf."""

    species: str  # Species.key
    family: str  # Family.key
    planted: date
    ended: date | None = (
        None  # cleared from the shelf; None = still there (or proposed)
    )


@dataclass(frozen=True, kw_only=True, slots=True)
class RotationViolation:
    """An earlier planting of the same family too recently on the same shelf."""

    code: str  # always "rotation_violation"
    earlier: Planting
    family: str
    years_apart: float  # from the earlier crop's clearing to the new planting, 0.01


class Relation(StrEnum):
    """How two neighbours get on."""

    COMPANION = "companion"
    ANTAGONIST = "antagonist"
    NEUTRAL = "neutral"


class RelationBasis(StrEnum):
    """Which level of the library decided a relation."""

    SPECIES = "species"
    FAMILY = "family"
    NONE = "none"  # neither level says anything


@dataclass(frozen=True, kw_only=True, slots=True)
class PairScore:
    """How two species on one shelf get on."""

    species_a: str
    species_b: str
    relation: Relation
    basis: RelationBasis
    score: int  # +1 companion, -1 antagonist, 0 neutral


@dataclass(frozen=True, kw_only=True, slots=True)
class ShelfScore:
    """The companion score of a whole shelf."""

    score: int  # sum of the pair scores
    pairs: tuple[PairScore, ...]  # every pair of distinct species, antagonists first

    @property
    def antagonists(self) -> tuple[PairScore, ...]:
        """The pairs that should be kept apart."""
        return tuple(
            pair for pair in self.pairs if pair.relation is Relation.ANTAGONIST
        )

    @property
    def companions(self) -> tuple[PairScore, ...]:
        """The pairs that help each other."""
        return tuple(pair for pair in self.pairs if pair.relation is Relation.COMPANION)


_SCORES: Mapping[Relation, int] = {
    Relation.COMPANION: 1,
    Relation.ANTAGONIST: -1,
    Relation.NEUTRAL: 0,
}


def _years_later(on: date, years: int) -> date:
    """The same calendar day `years` later (29 February becomes 28 February)."""
    try:
        return on.replace(year=on.year + years)
    except ValueError:
        return on.replace(year=on.year + years, day=28)


def rotation_violations(
    history: Iterable[Planting],
    proposed: Planting,
    *,
    years: int = ROTATION_YEARS,
) -> tuple[RotationViolation, ...]:
    """Find earlier plantings of the proposed crop's family too recent on the shelf.

    The gap runs from the day the earlier crop was cleared to the day the new
    one is planted, in calendar years: cleared on 1 May 2023, planting again on
    1 May 2026 is allowed, on 30 April 2026 it is a violation. Plantings still
    on the shelf (no end date, or cleared after the proposed date) and ones
    planted after it are neighbours, not predecessors, and are left to
    companion scoring.

    Args:
        history: What grew on this bed or shelf.
        proposed: The new planting (its `ended` is ignored).
        years: Years a family must stay away.

    Returns:
        The violations, most recent earlier planting first.

    Raises:
        FarmError: `invalid_rotation_years` for a negative number of years.
    """
    if years < 0:
        raise FarmError("invalid_rotation_years", years=years)
    violations = [
        RotationViolation(
            code="rotation_violation",
            earlier=earlier,
            family=earlier.family,
            years_apart=round(
                (proposed.planted - earlier.ended).days / _DAYS_PER_YEAR, 2
            ),
        )
        for earlier in history
        if earlier.family == proposed.family
        and earlier.ended is not None
        and earlier.ended <= proposed.planted < _years_later(earlier.ended, years)
    ]
    violations.sort(key=lambda violation: violation.years_apart)
    return tuple(violations)


def companion_relation(
    first: Species, second: Species, families: Mapping[str, Family]
) -> PairScore:
    """Score two neighbouring species.

    Species lists decide first, either side naming the other counts (the
    relation is symmetric), and an antagonist on either side outweighs a
    companion on the other. When neither species lists the other, the families'
    lists decide the same way. A family missing from `families` says nothing.
    """
    relation = _listed_relation(first, second)
    basis = RelationBasis.SPECIES
    if relation is Relation.NEUTRAL:
        family_a = families.get(first.family)
        family_b = families.get(second.family)
        if family_a is not None and family_b is not None:
            relation = _listed_relation(family_a, family_b)
        basis = (
            RelationBasis.NONE if relation is Relation.NEUTRAL else RelationBasis.FAMILY
        )
    return PairScore(
        species_a=first.key,
        species_b=second.key,
        relation=relation,
        basis=basis,
        score=_SCORES[relation],
    )


class _Listing(Protocol):
    """Anything that names its companions and antagonists (a species or a family)."""

    @property
    def key(self) -> str: ...
    @property
    def companions(self) -> frozenset[str]: ...
    @property
    def antagonists(self) -> frozenset[str]: ...


def _listed_relation(first: _Listing, second: _Listing) -> Relation:
    """The relation two listings state, either side counting, antagonists first."""
    if second.key in first.antagonists or first.key in second.antagonists:
        return Relation.ANTAGONIST
    if second.key in first.companions or first.key in second.companions:
        return Relation.COMPANION
    return Relation.NEUTRAL


def shelf_companionship(
    species: Sequence[Species], families: Mapping[str, Family]
) -> ShelfScore:
    """Score every pair of distinct species sharing a shelf.

    Several plant records of one species count as one species (a tray of 24
    lettuce is not 24 neighbours), so the work grows with the number of
    species on the shelf, not the number of plants.
    """
    distinct = list({item.key: item for item in species}.values())
    pairs = [
        companion_relation(first, second, families)
        for first, second in combinations(distinct, 2)
    ]
    pairs.sort(key=lambda pair: pair.score)
    return ShelfScore(score=sum(pair.score for pair in pairs), pairs=tuple(pairs))


@dataclass(frozen=True, kw_only=True, slots=True)
class Succession:
    """How a new crop follows the crop last cleared from its shelf."""

    previous: Planting  # the latest crop cleared on or before the new planting
    good: bool  # the previous family lists the new one as a good successor
    same_family: bool


def succession(
    history: Iterable[Planting], proposed: Planting, families: Mapping[str, Family]
) -> Succession | None:
    """Judge the new crop against the one last cleared from the shelf before it.

    Legumes cleared on 1 March, kale planted on 2 March: a good successor
    (legumes leave nitrogen for brassicas). None when nothing was cleared
    from the shelf on or before the planting day.
    """
    earlier = [
        planting
        for planting in history
        if planting.ended is not None and planting.ended <= proposed.planted
    ]
    if not earlier:
        return None
    previous = max(earlier, key=lambda planting: (planting.ended, planting.planted))
    family = families.get(previous.family)
    return Succession(
        previous=previous,
        good=family is not None and proposed.family in family.successors,
        same_family=previous.family == proposed.family,
    )


def neighbour_relations(
    proposed: Species,
    neighbours: Sequence[Species],
    families: Mapping[str, Family],
) -> tuple[PairScore, ...]:
    """How the proposed species gets on with each distinct species beside it.

    Its own species is no pair (more of the same is neither friend nor foe).
    Antagonists first, then neutral pairs, then companions.
    """
    distinct = {item.key: item for item in neighbours if item.key != proposed.key}
    pairs = [
        companion_relation(proposed, other, families) for other in distinct.values()
    ]
    pairs.sort(key=lambda pair: (pair.score, pair.species_b))
    return tuple(pairs)
