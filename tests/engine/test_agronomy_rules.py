"""Successors, neighbours, inspections and the mode-of-action resistance rule."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from custom_components.vertical_farm.engine.errors import FarmError
from custom_components.vertical_farm.engine.inspections import (
    Application,
    Severity,
    counts_for_resistance,
    follow_up_on,
    mode_of_action_warnings,
)
from custom_components.vertical_farm.engine.profiles import Family
from custom_components.vertical_farm.engine.rotation import (
    Planting,
    Relation,
    neighbour_relations,
    succession,
)

from .factories_b import make_family, make_species

FAMILIES = {
    "fabaceae": Family(
        key="fabaceae", name="Fabaceae", successors=frozenset({"brassicaceae"})
    ),
    "brassicaceae": make_family("brassicaceae", antagonists=["solanaceae"]),
    "solanaceae": make_family("solanaceae", companions=["lamiaceae"]),
    "lamiaceae": make_family("lamiaceae"),
}


def _planting(family: str, planted: date, ended: date | None) -> Planting:
    return Planting(species=family[:4], family=family, planted=planted, ended=ended)


def test_kale_after_beans_is_a_good_successor() -> None:
    """Beans cleared 1 March, kale planted 2 March: legumes leave nitrogen."""
    history = [
        _planting("solanaceae", date(2025, 4, 1), date(2025, 9, 1)),
        _planting("fabaceae", date(2025, 10, 1), date(2026, 3, 1)),
    ]
    kale = _planting("brassicaceae", date(2026, 3, 2), None)
    found = succession(history, kale, FAMILIES)
    assert found is not None
    assert found.previous.family == "fabaceae"  # the latest cleared
    assert (found.good, found.same_family) == (True, False)


def test_a_crop_cleared_after_the_planting_is_no_predecessor() -> None:
    """Beans still there on 2 March (cleared 10 March): nothing before the kale."""
    history = [_planting("fabaceae", date(2025, 10, 1), date(2026, 3, 10))]
    kale = _planting("brassicaceae", date(2026, 3, 2), None)
    assert succession(history, kale, FAMILIES) is None
    assert succession([], kale, FAMILIES) is None


def test_same_family_and_unknown_families_are_no_good_successors() -> None:
    kale = _planting("brassicaceae", date(2026, 3, 2), None)
    again = succession(
        [_planting("brassicaceae", date(2025, 9, 1), date(2026, 1, 1))], kale, FAMILIES
    )
    assert again is not None
    assert (again.good, again.same_family) == (False, True)
    unknown = succession(
        [_planting("poaceae", date(2025, 9, 1), date(2026, 1, 1))], kale, FAMILIES
    )
    assert unknown is not None
    assert unknown.good is False


def test_neighbour_relations_by_species_then_family() -> None:
    """Tomato beside kale (families: antagonists) and basil (companions)."""
    tomato = make_species("tomato", family="solanaceae")
    kale = make_species("kale", family="brassicaceae")
    basil = make_species("basil", family="lamiaceae")
    pairs = neighbour_relations(tomato, [basil, kale, kale, tomato], FAMILIES)
    assert [(pair.species_b, pair.relation) for pair in pairs] == [
        ("kale", Relation.ANTAGONIST),
        ("basil", Relation.COMPANION),
    ]
    assert neighbour_relations(tomato, [tomato], FAMILIES) == ()


@pytest.mark.parametrize(
    ("severity", "days"),
    [(Severity.LOW, 7), (Severity.MODERATE, 3), (Severity.HIGH, 1)],
)
def test_follow_up_after_an_inspection(severity: Severity, days: int) -> None:
    """Found on 30 Dec: low 6 Jan, moderate 2 Jan, high 31 Dec."""
    assert follow_up_on(date(2026, 12, 30), severity) == date(2026, 12, 30) + timedelta(
        days=days
    )


@pytest.mark.parametrize(
    ("group", "counted"),
    [
        ("IRAC 5", True),
        ("IRAC 3A", True),
        ("FRAC 11", True),
        ("IRAC UN", False),
        ("IRAC UNF", False),
        ("FRAC M02", False),
        ("FRAC BM02", False),
        ("FRAC NC", False),
        ("", False),
        ("5", False),
    ],
)
def test_which_groups_count_for_resistance(group: str, counted: bool) -> None:
    assert counts_for_resistance(group) is counted


def _at(day: int, month: int = 5) -> datetime:
    return datetime(2026, month, day, 9, tzinfo=UTC)


def test_the_fourth_use_of_one_mode_of_action_in_90_days_warns() -> None:
    """IRAC 5 on 1, 15, 29 May and 12 June: four uses by 20 June."""
    uses = [
        Application(mode_of_action="IRAC 5", applied=_at(day)) for day in (1, 15, 29)
    ]
    now = _at(20, 6)
    assert mode_of_action_warnings(uses, now) == ()
    uses.append(Application(mode_of_action="IRAC 5", applied=_at(12, 6)))
    (warning,) = mode_of_action_warnings(uses, now)
    assert (warning.active_ingredient, warning.count, warning.window_days) == (
        "IRAC 5",
        4,
        90,
    )
    # 1 May is more than 90 days before 31 July: three uses left in the window.
    assert mode_of_action_warnings(uses, _at(31, 7)) == ()


def test_pyrethroids_count_together_and_low_risk_groups_not_at_all() -> None:
    """Pyrethrins and deltamethrin are both IRAC 3A; sulfur (M02) never warns."""
    uses = [
        Application(mode_of_action="IRAC 3A", applied=_at(day)) for day in (1, 8, 15)
    ] + [Application(mode_of_action="IRAC 3A", applied=_at(22))]
    uses += [
        Application(mode_of_action="FRAC M02", applied=_at(day)) for day in range(1, 9)
    ]
    (warning,) = mode_of_action_warnings(uses, _at(25))
    assert (warning.active_ingredient, warning.count) == ("IRAC 3A", 4)


def test_a_naive_instant_is_refused() -> None:
    uses = [Application(mode_of_action="IRAC 5", applied=datetime(2026, 5, 1))]  # noqa: DTZ001
    with pytest.raises(FarmError) as err:
        mode_of_action_warnings(uses, _at(2))
    assert err.value.code == "naive_datetime"
