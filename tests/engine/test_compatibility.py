"""Tests of the compatibility engine: shared tanks and shared lights."""

from __future__ import annotations

from itertools import combinations

from hypothesis import given, strategies as st
import pytest

from custom_components.vertical_farm.engine.compatibility import (
    Parameter,
    RangeConflict,
    RangeGroup,
    TankReason,
    ValueRange,
    tank_compatibility,
)
from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.lighting import (
    PhotoperiodReason,
    shelf_photoperiod,
)
from custom_components.vertical_farm.engine.profiles import Phase

from .factories_b import make_plant, make_profile, make_species

LETTUCE = make_species(
    "lettuce", profiles=[make_profile(ec=(0.8, 1.2), ph=(5.5, 6.5), photoperiod_h=16)]
)
BASIL = make_species(
    "basil",
    family="lamiaceae",
    profiles=[make_profile(ec=(1.0, 1.6), ph=(5.5, 6.5), photoperiod_h=16)],
)
TOMATO = make_species(
    "tomato",
    family="solanaceae",
    profiles=[
        make_profile(Phase.VEGETATIVE, ec=(1.2, 2.0), ph=(5.8, 6.5), photoperiod_h=18),
        make_profile(Phase.FRUITING, ec=(2.0, 3.5), ph=(5.8, 6.3), photoperiod_h=14),
    ],
)
BLUEBERRY = make_species(
    "blueberry",
    family="ericaceae",
    profiles=[make_profile(ec=(1.0, 1.5), ph=(4.5, 5.2), photoperiod_h=14)],
)


def test_overlapping_ranges_share_a_window() -> None:
    plants = [
        make_plant("lettuce_1", LETTUCE),
        make_plant("lettuce_2", LETTUCE),
        make_plant("basil_1", BASIL),
    ]

    result = tank_compatibility(plants)

    assert result.compatible
    assert result.reason is TankReason.OK
    # EC: max(0.8, 1.0) .. min(1.2, 1.6); pH: 5.5 .. 6.5
    assert result.ec_range == ValueRange(low=1.0, high=1.2)
    assert result.ph_range == ValueRange(low=5.5, high=6.5)
    assert result.conflicts == ()


def test_touching_ranges_share_one_value() -> None:
    plants = [
        make_plant("lettuce", LETTUCE),  # 0.8-1.2
        make_plant("tomato_veg", TOMATO, Phase.VEGETATIVE),  # 1.2-2.0
    ]

    result = tank_compatibility(plants)

    assert result.compatible
    assert result.ec_range == ValueRange(low=1.2, high=1.2)
    assert result.ph_range == ValueRange(low=5.8, high=6.5)


def test_ec_conflict_names_the_plants_on_each_side() -> None:
    plants = [
        make_plant("lettuce_1", LETTUCE),
        make_plant("tomato_1", TOMATO, Phase.FRUITING),
        make_plant("lettuce_2", LETTUCE),
    ]

    result = tank_compatibility(plants)

    assert not result.compatible
    assert result.reason is TankReason.CONFLICT
    assert result.ec_range is None
    # pH still agrees: 5.8 .. 6.3
    assert result.ph_range == ValueRange(low=5.8, high=6.3)
    assert result.conflicts == (
        RangeConflict(
            parameter=Parameter.EC,
            lower=RangeGroup(
                plant_ids=("lettuce_1", "lettuce_2"),
                range=ValueRange(low=0.8, high=1.2),
            ),
            higher=RangeGroup(
                plant_ids=("tomato_1",), range=ValueRange(low=2.0, high=3.5)
            ),
        ),
    )


def test_only_the_pairs_that_do_not_meet_are_reported() -> None:
    # A 0.5-1.0 meets B 0.9-1.5, B meets C 1.4-2.0, but A and C do not.
    a = make_species("a", profiles=[make_profile(ec=(0.5, 1.0))])
    b = make_species("b", profiles=[make_profile(ec=(0.9, 1.5))])
    c = make_species("c", profiles=[make_profile(ec=(1.4, 2.0))])

    result = tank_compatibility(
        [make_plant("p_c", c), make_plant("p_a", a), make_plant("p_b", b)]
    )

    assert [
        (conflict.lower.plant_ids, conflict.higher.plant_ids)
        for conflict in result.conflicts
    ] == [(("p_a",), ("p_c",))]


def test_ph_conflict() -> None:
    result = tank_compatibility(
        [make_plant("blueberry", BLUEBERRY), make_plant("basil", BASIL)]
    )

    assert result.reason is TankReason.CONFLICT
    # EC agrees (1.0 .. 1.5); pH 4.5-5.2 and 5.5-6.5 do not meet.
    assert result.ec_range == ValueRange(low=1.0, high=1.5)
    assert result.ph_range is None
    (conflict,) = result.conflicts
    assert conflict.parameter is Parameter.PH
    assert conflict.lower.plant_ids == ("blueberry",)
    assert conflict.higher.plant_ids == ("basil",)


def test_both_parameters_can_conflict_at_once() -> None:
    result = tank_compatibility(
        [
            make_plant("blueberry", BLUEBERRY),
            make_plant("tomato", TOMATO, Phase.FRUITING),
        ]
    )

    assert [conflict.parameter for conflict in result.conflicts] == [
        Parameter.EC,
        Parameter.PH,
    ]
    assert result.ec_range is None
    assert result.ph_range is None


def test_plants_of_different_species_with_the_same_range_form_one_group() -> None:
    twin = make_species("twin", profiles=[make_profile(ec=(0.8, 1.2), ph=(5.5, 6.5))])

    result = tank_compatibility(
        [
            make_plant("lettuce", LETTUCE),
            make_plant("twin", twin),
            make_plant("tomato", TOMATO, Phase.FRUITING),
        ]
    )

    (conflict,) = result.conflicts
    assert conflict.lower.plant_ids == ("lettuce", "twin")


def test_an_empty_tank_has_no_window() -> None:
    result = tank_compatibility([])

    assert result.reason is TankReason.NO_PLANTS
    assert result.compatible
    assert result.ec_range is None
    assert result.ph_range is None


def test_a_phase_missing_from_the_species_is_bad_data_not_a_conflict() -> None:
    with pytest.raises(FarmError) as caught:
        tank_compatibility([make_plant("lettuce", LETTUCE, Phase.FRUITING)])

    assert caught.value.code == "phase_not_in_species"


def test_plants_under_one_light_follow_the_longest_need() -> None:
    plants = [
        make_plant("lettuce", LETTUCE),  # 16 h
        make_plant("tomato_veg", TOMATO, Phase.VEGETATIVE),  # 18 h
        make_plant("tomato_fruit", TOMATO, Phase.FRUITING),  # 14 h
        make_plant("blueberry", BLUEBERRY),  # 14 h
    ]

    result = shelf_photoperiod(plants)

    assert result.photoperiod_h == 18
    assert result.reason is PhotoperiodReason.CONFLICT
    # 18 - 14 = 4 h > 2 h; 18 - 16 = 2 h is tolerated.
    assert {c.plant_id for c in result.conflicts} == {"tomato_fruit", "blueberry"}
    assert shelf_photoperiod(plants, tolerance_h=4).compatible


ranges = st.tuples(
    st.floats(min_value=0.2, max_value=3.0), st.floats(min_value=0.0, max_value=1.5)
).map(lambda pair: (round(pair[0], 2), round(pair[0] + pair[1], 2)))


@given(
    specs=st.lists(st.tuples(ranges, ranges), min_size=1, max_size=8),
)
def test_conflicts_are_exactly_the_pairs_that_do_not_meet(
    specs: list[tuple[tuple[float, float], tuple[float, float]]],
) -> None:
    plants = [
        make_plant(
            f"p{index}",
            make_species(
                f"s{index}", profiles=[make_profile(ec=ec, ph=(ph[0] + 4, ph[1] + 4))]
            ),
        )
        for index, (ec, ph) in enumerate(specs)
    ]

    result = tank_compatibility(plants)

    ec_by_plant = {f"p{i}": ec for i, (ec, _) in enumerate(specs)}
    apart = {
        frozenset((x, y))
        for x, y in combinations(ec_by_plant, 2)
        if ec_by_plant[x][1] < ec_by_plant[y][0]
        or ec_by_plant[y][1] < ec_by_plant[x][0]
    }
    reported = {
        frozenset((x, y))
        for conflict in result.conflicts
        if conflict.parameter is Parameter.EC
        for x in conflict.lower.plant_ids
        for y in conflict.higher.plant_ids
    }
    assert reported == apart
    if not apart:
        assert result.ec_range is not None
        for low, high in ec_by_plant.values():
            assert low <= result.ec_range.low <= result.ec_range.high <= high
    else:
        assert result.ec_range is None
    for conflict in result.conflicts:
        assert conflict.lower.range.high < conflict.higher.range.low
