"""Tests of the rotation engine: family successions and companion scoring."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.profiles import Family, Species
from custom_components.vertical_farm.engine.rotation import (
    PairScore,
    Planting,
    Relation,
    RelationBasis,
    companion_relation,
    rotation_violations,
    shelf_companionship,
)

from .factories_b import make_family, make_species

# --- rotation ----------------------------------------------------------------------

TOMATO_2024 = Planting(
    species="tomato",
    family="solanaceae",
    planted=date(2024, 3, 1),
    ended=date(2024, 9, 30),
)
LETTUCE_2025 = Planting(
    species="lettuce",
    family="asteraceae",
    planted=date(2025, 3, 1),
    ended=date(2025, 5, 15),
)


def _chili(on: date) -> Planting:
    return Planting(species="chili_pepper", family="solanaceae", planted=on)


def test_same_family_within_three_years_is_a_violation() -> None:
    proposed = _chili(date(2026, 3, 1))

    (violation,) = rotation_violations([TOMATO_2024, LETTUCE_2025], proposed)

    assert violation.code == "rotation_violation"
    assert violation.earlier == TOMATO_2024
    assert violation.family == "solanaceae"
    # 30 Sep 2024 -> 1 Mar 2026 is 517 days
    assert (date(2026, 3, 1) - date(2024, 9, 30)).days == 517
    assert violation.years_apart == round(517 / 365.25, 2)


@pytest.mark.parametrize(
    ("proposed_on", "violates"),
    [
        (date(2026, 4, 30), True),  # one day short of three years
        (date(2026, 5, 1), False),  # exactly three years after clearing
        (date(2027, 1, 1), False),
        (date(2023, 5, 1), True),  # planted the day the earlier one was cleared
    ],
)
def test_three_year_boundary(proposed_on: date, violates: bool) -> None:
    earlier = Planting(
        species="basil",
        family="lamiaceae",
        planted=date(2023, 2, 1),
        ended=date(2023, 5, 1),
    )
    proposed = Planting(species="mint", family="lamiaceae", planted=proposed_on)

    assert bool(rotation_violations([earlier], proposed)) is violates


@pytest.mark.parametrize(
    ("proposed_on", "violates"),
    [(date(2027, 2, 27), True), (date(2027, 2, 28), False)],
)
def test_a_leap_day_clearing_counts_to_28_february(
    proposed_on: date, violates: bool
) -> None:
    earlier = Planting(
        species="tomato",
        family="solanaceae",
        planted=date(2023, 10, 1),
        ended=date(2024, 2, 29),
    )

    assert bool(rotation_violations([earlier], _chili(proposed_on))) is violates


def test_other_families_and_neighbours_are_not_successions() -> None:
    still_growing = Planting(
        species="tomato", family="solanaceae", planted=date(2026, 1, 1)
    )
    cleared_after = Planting(
        species="eggplant",
        family="solanaceae",
        planted=date(2026, 1, 1),
        ended=date(2026, 6, 1),
    )
    planted_later = Planting(
        species="potato",
        family="solanaceae",
        planted=date(2026, 4, 1),
        ended=date(2026, 4, 2),
    )

    violations = rotation_violations(
        [LETTUCE_2025, still_growing, cleared_after, planted_later],
        _chili(date(2026, 3, 1)),
    )

    assert violations == ()


def test_violations_are_listed_most_recent_first() -> None:
    pepper_2025 = Planting(
        species="chili_pepper",
        family="solanaceae",
        planted=date(2025, 3, 1),
        ended=date(2025, 10, 1),
    )

    violations = rotation_violations(
        [TOMATO_2024, pepper_2025], _chili(date(2026, 3, 1))
    )

    assert [violation.earlier for violation in violations] == [pepper_2025, TOMATO_2024]
    # 1 Oct 2025 -> 1 Mar 2026 is 151 days
    assert violations[0].years_apart == round(151 / 365.25, 2)


def test_custom_gap_years() -> None:
    proposed = _chili(date(2026, 3, 1))

    assert rotation_violations([TOMATO_2024], proposed, years=1) == ()
    assert len(rotation_violations([TOMATO_2024], proposed, years=2)) == 1
    assert rotation_violations([TOMATO_2024], proposed, years=0) == ()
    with pytest.raises(FarmError) as caught:
        rotation_violations([TOMATO_2024], proposed, years=-1)
    assert caught.value.code == "invalid_rotation_years"


@given(
    ended_offset=st.integers(min_value=0, max_value=6 * 366),
    planted_before=st.integers(min_value=0, max_value=400),
)
def test_violation_exactly_when_cleared_less_than_three_years_before(
    ended_offset: int, planted_before: int
) -> None:
    proposed_on = date(2030, 6, 15)
    ended = proposed_on - timedelta(days=ended_offset)
    earlier = Planting(
        species="kale",
        family="brassicaceae",
        planted=ended - timedelta(days=planted_before),
        ended=ended,
    )
    proposed = Planting(species="radish", family="brassicaceae", planted=proposed_on)

    violations = rotation_violations([earlier], proposed)

    # The same calendar day three years on; 29 February becomes 28 February.
    day = 28 if (ended.month, ended.day) == (2, 29) else ended.day
    three_years_later = date(ended.year + 3, ended.month, day)
    assert bool(violations) == (proposed_on < three_years_later)


def test_violation_of_a_leap_day_clearing_ends_on_28_february() -> None:
    """Cleared on 29 February 2028: the same family is fine from 28 February 2031."""
    earlier = Planting(
        species="kale",
        family="brassicaceae",
        planted=date(2027, 10, 1),
        ended=date(2028, 2, 29),
    )
    for proposed_on, violates in (
        (date(2031, 2, 27), True),
        (date(2031, 2, 28), False),
    ):
        proposed = Planting(
            species="radish", family="brassicaceae", planted=proposed_on
        )
        assert bool(rotation_violations([earlier], proposed)) == violates


# --- companions ----------------------------------------------------------------------

FAMILIES: dict[str, Family] = {
    "solanaceae": make_family("solanaceae", companions={"lamiaceae"}),
    "lamiaceae": make_family("lamiaceae"),
    "apiaceae": make_family("apiaceae", antagonists={"solanaceae"}),
    "brassicaceae": make_family("brassicaceae", antagonists={"solanaceae"}),
    "asteraceae": make_family("asteraceae"),
}
TOMATO = make_species(
    "tomato", family="solanaceae", companions={"basil"}, antagonists={"fennel"}
)
BASIL = make_species("basil", family="lamiaceae")
MINT = make_species("mint", family="lamiaceae")
FENNEL = make_species("fennel", family="apiaceae")
DILL = make_species("dill", family="apiaceae")
LETTUCE = make_species("lettuce", family="asteraceae")
KALE = make_species("kale", family="brassicaceae", companions={"tomato"})
ALIEN = make_species("alien", family="unknown_family")


@pytest.mark.parametrize(
    ("first", "second", "relation", "basis", "score"),
    [
        # tomato lists basil
        (TOMATO, BASIL, Relation.COMPANION, RelationBasis.SPECIES, 1),
        # tomato lists fennel as an antagonist
        (TOMATO, FENNEL, Relation.ANTAGONIST, RelationBasis.SPECIES, -1),
        # species silent: solanaceae lists lamiaceae as a companion family
        (TOMATO, MINT, Relation.COMPANION, RelationBasis.FAMILY, 1),
        # species silent: apiaceae lists solanaceae as antagonist
        (TOMATO, DILL, Relation.ANTAGONIST, RelationBasis.FAMILY, -1),
        # kale names tomato as companion; the family antagonism is never consulted
        (TOMATO, KALE, Relation.COMPANION, RelationBasis.SPECIES, 1),
        # nothing at either level
        (BASIL, LETTUCE, Relation.NEUTRAL, RelationBasis.NONE, 0),
        # family not in the library says nothing
        (ALIEN, TOMATO, Relation.NEUTRAL, RelationBasis.NONE, 0),
    ],
)
def test_companion_relation(
    first: Species,
    second: Species,
    relation: Relation,
    basis: RelationBasis,
    score: int,
) -> None:
    forward = companion_relation(first, second, FAMILIES)
    backward = companion_relation(second, first, FAMILIES)

    assert forward == PairScore(
        species_a=first.key,
        species_b=second.key,
        relation=relation,
        basis=basis,
        score=score,
    )
    # Either side listing the other counts: the relation is symmetric.
    assert (backward.relation, backward.basis, backward.score) == (
        relation,
        basis,
        score,
    )


def test_an_antagonist_on_one_side_outweighs_a_companion_on_the_other() -> None:
    friendly = make_species("friendly", companions={"grumpy"})
    grumpy = make_species("grumpy", antagonists={"friendly"})

    pair = companion_relation(friendly, grumpy, FAMILIES)

    assert pair.relation is Relation.ANTAGONIST
    assert pair.score == -1


def test_shelf_score_sums_every_distinct_species_pair() -> None:
    shelf = [TOMATO, BASIL, BASIL, FENNEL, LETTUCE]

    result = shelf_companionship(shelf, FAMILIES)

    # Species: tomato, basil, fennel, lettuce -> 4 x 3 / 2 = 6 pairs.
    # tomato-basil +1, tomato-fennel -1, the four others 0 -> total 0.
    assert len(result.pairs) == 6
    assert result.score == 1 - 1
    assert [(p.species_a, p.species_b) for p in result.antagonists] == [
        ("tomato", "fennel")
    ]
    assert [(p.species_a, p.species_b) for p in result.companions] == [
        ("tomato", "basil")
    ]
    # Antagonists come first.
    assert result.pairs[0].relation is Relation.ANTAGONIST


def test_shelf_with_one_species_has_no_pairs() -> None:
    result = shelf_companionship([BASIL, BASIL], FAMILIES)

    assert result.score == 0
    assert result.pairs == ()


keys = st.sampled_from(["a", "b", "c", "d"])
species_strategy = st.builds(
    lambda key, family, companions, antagonists: make_species(
        key, family=family, companions=companions, antagonists=antagonists
    ),
    keys,
    st.sampled_from(["f1", "f2", "f3"]),
    st.frozensets(keys, max_size=2),
    st.frozensets(keys, max_size=2),
)
families_strategy = st.builds(
    lambda one, two: {
        "f1": make_family("f1", companions=one),
        "f2": make_family("f2", antagonists=two),
    },
    st.frozensets(st.sampled_from(["f1", "f2", "f3"]), max_size=2),
    st.frozensets(st.sampled_from(["f1", "f2", "f3"]), max_size=2),
)


@given(first=species_strategy, second=species_strategy, families=families_strategy)
def test_relation_is_symmetric(
    first: Species, second: Species, families: dict[str, Family]
) -> None:
    forward = companion_relation(first, second, families)
    backward = companion_relation(second, first, families)

    assert (forward.relation, forward.basis, forward.score) == (
        backward.relation,
        backward.basis,
        backward.score,
    )


@given(shelf=st.lists(species_strategy, max_size=6), families=families_strategy)
def test_shelf_score_is_the_sum_of_its_pairs(
    shelf: list[Species], families: dict[str, Family]
) -> None:
    result = shelf_companionship(shelf, families)

    distinct = len({item.key for item in shelf})
    assert len(result.pairs) == distinct * (distinct - 1) // 2
    assert result.score == sum(pair.score for pair in result.pairs)
    assert result.score == len(result.companions) - len(result.antagonists)
