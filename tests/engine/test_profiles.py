"""Tests of the reference-data records the engines work from."""

from __future__ import annotations

from copy import deepcopy
from dataclasses import replace

from hypothesis import given, strategies as st

from custom_components.vertical_farm.engine.profiles import Phase, Species

from .factories_a import lettuce, phase_profile, strawberry, tomato


def test_sequence_is_the_phases_in_order() -> None:
    assert strawberry().sequence == (
        Phase.VEGETATIVE,
        Phase.FLOWERING,
        Phase.FRUITING,
        Phase.HARVEST,
        Phase.DORMANCY,
    )


def test_position_is_the_place_in_the_sequence_or_none() -> None:
    species = lettuce()  # germination, seedling, vegetative
    assert species.position(Phase.GERMINATION) == 0
    assert species.position(Phase.VEGETATIVE) == 2
    assert species.position(Phase.HARVEST) is None


def test_phase_gives_the_profile_or_none() -> None:
    species = tomato()
    profile = species.phase(Phase.VEGETATIVE)
    assert profile is not None
    assert profile.gdd == 300.0
    assert species.phase(Phase.DORMANCY) is None


def test_a_plain_string_finds_its_phase() -> None:
    # stored records hold phases as their values
    species = tomato()
    assert species.position("flowering") == species.position(Phase.FLOWERING) == 3  # type: ignore[arg-type]
    assert species.phase("flowering") is species.phase(Phase.FLOWERING)  # type: ignore[arg-type]


def test_a_phase_listed_twice_is_found_at_its_first_place() -> None:
    first = phase_profile(Phase.VEGETATIVE, days=10)
    again = phase_profile(Phase.VEGETATIVE, days=20)
    species = Species(
        key="odd", name="Odd", family="f", base_temp_c=5.0, phases=(first, again)
    )
    assert species.position(Phase.VEGETATIVE) == 0
    assert species.phase(Phase.VEGETATIVE) is first


def test_a_changed_copy_is_indexed_afresh() -> None:
    species = tomato()
    shorter = replace(species, phases=species.phases[:2])
    assert shorter.sequence == (Phase.GERMINATION, Phase.SEEDLING)
    assert shorter.position(Phase.VEGETATIVE) is None
    assert species.position(Phase.VEGETATIVE) == 2


def test_the_index_is_not_part_of_equality_or_the_record() -> None:
    species = tomato()
    assert species == tomato()
    assert hash(species) == hash(tomato())
    assert "_sequence" not in repr(species)
    assert deepcopy(species) == species
    assert deepcopy(species).sequence == species.sequence


@given(st.lists(st.sampled_from(list(Phase)), min_size=1, max_size=8))
def test_index_agrees_with_a_scan_of_the_phases(phases: list[Phase]) -> None:
    species = Species(
        key="any",
        name="Any",
        family="f",
        base_temp_c=5.0,
        phases=tuple(phase_profile(phase) for phase in phases),
    )
    assert species.sequence == tuple(phases)
    for phase in Phase:
        expected = phases.index(phase) if phase in phases else None
        assert species.position(phase) == expected
        assert species.phase(phase) == (
            None if expected is None else species.phases[expected]
        )
