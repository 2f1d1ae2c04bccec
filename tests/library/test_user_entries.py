"""Species and fertilizers the user adds are validated like the bundled ones and merged."""

from __future__ import annotations

from typing import Any

import pytest

from custom_components.vertical_farm.engine.profiles import (
    Fertilizer,
    FertilizerKind,
    Library,
    Phase,
    Species,
)
from custom_components.vertical_farm.library import (
    LibraryError,
    merge_user_entries,
    parse_fertilizer,
    parse_species,
)


def pak_choi_purple() -> dict[str, Any]:
    """A minimal user species, shaped like an options-flow entry."""
    return {
        "name": "Purple pak choi",
        "family": "brassicaceae",
        "base_temp_c": 4,
        "phases": [
            {
                "phase": "germination",
                "days": 3.0,  # number selectors hand over floats
                "gdd": 48,
                "ec_min": 0.2,
                "ec_max": 0.6,
                "ph_min": 6,
                "ph_max": 7,
                "photoperiod_h": 16,
                "ppfd": 100,
                "dli": 5.8,
            },
            {
                "phase": "harvest",
                "days": 35,
                "gdd": 560,
                "ec_min": 1.5,
                "ec_max": 2.0,
                "ph_min": 6.0,
                "ph_max": 7.0,
                "photoperiod_h": 16,
                "ppfd": 250,
                "dli": 14.4,
            },
        ],
    }


def fish_emulsion() -> dict[str, Any]:
    """A minimal user fertilizer."""
    return {
        "name": "Fish emulsion",
        "kind": "additive",
        "ec_per_ml": 0.15,
        "mixing_priority": 55,
    }


def test_parse_species_fills_the_defaults(bundled: Library) -> None:
    species = parse_species("purple_pak_choi", pak_choi_purple(), bundled)
    assert species.key == "purple_pak_choi"
    assert species.name == "Purple pak choi"
    assert species.base_temp_c == 4.0
    assert species.sequence == (Phase.GERMINATION, Phase.HARVEST)
    assert species.phases[0].days == 3
    assert isinstance(species.phases[0].days, int)
    assert species.phases[1].gdd == 35 * (20 - 4)
    defaults = Species(key="x", name="x", family="x", base_temp_c=0, phases=())
    assert species.perennial is defaults.perennial
    assert species.care_preset == defaults.care_preset == "annual_vegetable"
    assert species.water_factor == defaults.water_factor
    assert (species.temp_min_c, species.temp_max_c) == (
        defaults.temp_min_c,
        defaults.temp_max_c,
    )
    assert species.companions == frozenset()


def test_parse_species_takes_every_field(bundled: Library) -> None:
    data = pak_choi_purple() | {
        "perennial": True,
        "care_preset": "herb",
        "water_factor": 1.2,
        "temp_min_c": 8,
        "temp_max_c": 24,
        "humidity_min": 50,
        "humidity_max": 75,
        "companions": ["dill", "lettuce"],
        "antagonists": ["strawberry"],
    }
    species = parse_species("purple_pak_choi", data, bundled)
    assert species.perennial
    assert species.care_preset == "herb"
    assert species.companions == {"dill", "lettuce"}
    assert species.antagonists == {"strawberry"}
    assert (species.humidity_min, species.humidity_max) == (50.0, 75.0)


@pytest.mark.parametrize(
    ("key", "change", "expected"),
    [
        (case[0], case[1], case[2:])
        for case in [
            ("Purple Pak Choi", {}, "invalid_entry", "Purple Pak Choi", "snake_case"),
            (
                "purple_pak_choi",
                {"family": "rutaceae"},
                "unknown_reference",
                "purple_pak_choi.family",
                "unknown family",
            ),
            (
                "purple_pak_choi",
                {"care_preset": "bonsai"},
                "unknown_reference",
                "purple_pak_choi.care_preset",
                "unknown care preset",
            ),
            (
                "purple_pak_choi",
                {"companions": ["marigold"]},
                "unknown_reference",
                "purple_pak_choi.companions",
                "unknown species 'marigold'",
            ),
            (
                "purple_pak_choi",
                {"companions": ["purple_pak_choi"]},
                "invalid_entry",
                "purple_pak_choi.companions",
                "itself",
            ),
            (
                "purple_pak_choi",
                {"name": ""},
                "invalid_entry",
                "purple_pak_choi.name",
                "non-empty text",
            ),
            (
                "purple_pak_choi",
                {"water_factor": 0},
                "invalid_entry",
                "purple_pak_choi.water_factor",
                "higher than 0",
            ),
            (
                "purple_pak_choi",
                {"temp_min_c": 30},
                "invalid_entry",
                "purple_pak_choi.temp_max_c",
                "above temp_min_c",
            ),
            (
                "purple_pak_choi",
                {"phases": []},
                "invalid_entry",
                "purple_pak_choi.phases",
                "at least one phase",
            ),
        ]
    ],
)
def test_parse_species_refuses(
    bundled: Library, key: str, change: dict[str, Any], expected: tuple[str, str, str]
) -> None:
    code, path, words = expected
    with pytest.raises(LibraryError) as caught:
        parse_species(key, pak_choi_purple() | change, bundled)
    assert (caught.value.code, caught.value.file, caught.value.path) == (
        code,
        None,
        path,
    )
    assert words in caught.value.message
    assert str(caught.value) == f"{path}: {caught.value.message}"


def test_parse_species_refuses_a_bad_phase(bundled: Library) -> None:
    data = pak_choi_purple()
    data["phases"][1]["ec_max"] = 1.0  # below its ec_min of 1.5
    with pytest.raises(LibraryError) as caught:
        parse_species("purple_pak_choi", data, bundled)
    assert caught.value.path == "purple_pak_choi.phases[1].ec_max"
    data = pak_choi_purple()
    data["phases"].reverse()
    with pytest.raises(LibraryError) as caught:
        parse_species("purple_pak_choi", data, bundled)
    assert caught.value.path == "purple_pak_choi.phases[1].phase"
    assert "cannot follow" in caught.value.message


def test_parse_fertilizer_fills_the_defaults() -> None:
    fertilizer = parse_fertilizer("fish_emulsion", fish_emulsion())
    defaults = Fertilizer(
        key="x", name="x", kind=FertilizerKind.BASE, ec_per_ml=0, mixing_priority=0
    )
    assert fertilizer == Fertilizer(
        key="fish_emulsion",
        name="Fish emulsion",
        kind=FertilizerKind.ADDITIVE,
        ec_per_ml=0.15,
        mixing_priority=55,
        tank_safe=defaults.tank_safe,
        max_ml_per_l=defaults.max_ml_per_l,
    )


def test_parse_fertilizer_takes_every_field() -> None:
    data = fish_emulsion() | {
        "tank_safe": False,
        "max_ml_per_l": 2,
        "contains_sulfate": False,
        "contains_calcium": True,
        "acidic": True,
        "alkaline": False,
    }
    fertilizer = parse_fertilizer("fish_emulsion", data)
    assert not fertilizer.tank_safe
    assert fertilizer.max_ml_per_l == 2.0
    assert fertilizer.contains_calcium
    assert fertilizer.acidic


@pytest.mark.parametrize(
    ("key", "change", "path", "words"),
    [
        ("fish-emulsion", {}, "fish-emulsion", "snake_case"),
        (
            "fish_emulsion",
            {"kind": "tea"},
            "fish_emulsion.kind",
            "unknown fertilizer kind 'tea'",
        ),
        ("fish_emulsion", {"ec_per_ml": -0.1}, "fish_emulsion.ec_per_ml", "at least 0"),
        (
            "fish_emulsion",
            {"mixing_priority": 5.5},
            "fish_emulsion.mixing_priority",
            "whole number",
        ),
        ("fish_emulsion", {"tank_safe": 1}, "fish_emulsion.tank_safe", "true or false"),
        (
            "fish_emulsion",
            {"acidic": True, "alkaline": True},
            "fish_emulsion.alkaline",
            "both acidic and alkaline",
        ),
        (
            "fish_emulsion",
            {"smell": "strong"},
            "fish_emulsion.smell",
            "unknown field 'smell'",
        ),
    ],
)
def test_parse_fertilizer_refuses(
    key: str, change: dict[str, Any], path: str, words: str
) -> None:
    with pytest.raises(LibraryError) as caught:
        parse_fertilizer(key, fish_emulsion() | change)
    assert (caught.value.code, caught.value.path) == ("invalid_entry", path)
    assert words in caught.value.message


def test_parse_fertilizer_refuses_missing_fields() -> None:
    data = fish_emulsion()
    del data["ec_per_ml"]
    with pytest.raises(LibraryError) as caught:
        parse_fertilizer("fish_emulsion", data)
    assert caught.value.path == "fish_emulsion.ec_per_ml"


def test_merge_adds_raw_options_entries(bundled: Library) -> None:
    species_count = len(bundled.species)
    fertilizer_count = len(bundled.fertilizers)
    merged = merge_user_entries(
        bundled,
        species={"purple_pak_choi": pak_choi_purple()},
        fertilizers={"fish_emulsion": fish_emulsion()},
    )
    assert merged.species["purple_pak_choi"] == parse_species(
        "purple_pak_choi", pak_choi_purple(), bundled
    )
    assert merged.fertilizers["fish_emulsion"] == parse_fertilizer(
        "fish_emulsion", fish_emulsion()
    )
    assert len(merged.species) == species_count + 1
    assert len(merged.fertilizers) == fertilizer_count + 1
    # The bundled library is shared by every farm and must stay as it was.
    assert "purple_pak_choi" not in bundled.species
    assert "fish_emulsion" not in bundled.fertilizers
    assert len(bundled.species) == species_count
    assert merged.families is bundled.families
    assert merged.kits is bundled.kits


def test_merge_adds_parsed_entries(bundled: Library) -> None:
    species = parse_species("purple_pak_choi", pak_choi_purple(), bundled)
    fertilizer = parse_fertilizer("fish_emulsion", fish_emulsion())
    merged = merge_user_entries(
        bundled,
        species={species.key: species},
        fertilizers={fertilizer.key: fertilizer},
    )
    assert merged.species["purple_pak_choi"] is species
    assert merged.fertilizers["fish_emulsion"] is fertilizer


def test_merge_without_entries_copies_nothing_new(bundled: Library) -> None:
    merged = merge_user_entries(bundled)
    assert merged == bundled
    assert merged is not bundled


def test_user_species_may_pair_with_each_other(bundled: Library) -> None:
    first = pak_choi_purple() | {"companions": ["green_pak_choi", "dill"]}
    second = pak_choi_purple() | {
        "name": "Green pak choi",
        "companions": ["purple_pak_choi"],
    }
    merged = merge_user_entries(
        bundled, species={"purple_pak_choi": first, "green_pak_choi": second}
    )
    assert merged.species["purple_pak_choi"].companions == {"green_pak_choi", "dill"}
    assert merged.species["green_pak_choi"].companions == {"purple_pak_choi"}


@pytest.mark.parametrize(
    ("species", "fertilizers", "expected"),
    [
        (case[0], case[1], case[2:])
        for case in [
            (
                {"basil": pak_choi_purple()},
                {},
                "duplicate_key",
                "basil",
                "already a library species",
            ),
            (
                {},
                {"calmag": fish_emulsion()},
                "duplicate_key",
                "calmag",
                "already a library fertilizer",
            ),
            (
                {
                    "purple_pak_choi": pak_choi_purple()
                    | {"antagonists": ["ghost_pepper"]}
                },
                {},
                "unknown_reference",
                "purple_pak_choi.antagonists",
                "unknown species 'ghost_pepper'",
            ),
            (
                {"purple_pak_choi": pak_choi_purple() | {"family": "rutaceae"}},
                {},
                "unknown_reference",
                "purple_pak_choi.family",
                "unknown family 'rutaceae'",
            ),
            (
                {"purple_pak_choi": pak_choi_purple() | {"phases": "all"}},
                {},
                "invalid_entry",
                "purple_pak_choi.phases",
                "",
            ),
            (
                {},
                {"fish_emulsion": fish_emulsion() | {"kind": None}},
                "invalid_entry",
                "fish_emulsion.kind",
                "unknown fertilizer kind",
            ),
        ]
    ],
)
def test_merge_refuses(
    bundled: Library,
    species: dict[str, Any],
    fertilizers: dict[str, Any],
    expected: tuple[str, str, str],
) -> None:
    code, path, words = expected
    with pytest.raises(LibraryError) as caught:
        merge_user_entries(bundled, species=species, fertilizers=fertilizers)
    assert (caught.value.code, caught.value.path) == (code, path)
    assert words in caught.value.message


def test_merge_refuses_parsed_entries_filed_under_another_key(bundled: Library) -> None:
    species = parse_species("purple_pak_choi", pak_choi_purple(), bundled)
    fertilizer = parse_fertilizer("fish_emulsion", fish_emulsion())
    with pytest.raises(LibraryError) as caught:
        merge_user_entries(bundled, species={"red_pak_choi": species})
    assert (caught.value.code, caught.value.path) == ("invalid_entry", "red_pak_choi")
    assert "filed under the key 'red_pak_choi'" in caught.value.message
    with pytest.raises(LibraryError) as caught:
        merge_user_entries(bundled, fertilizers={"fish": fertilizer})
    assert caught.value.path == "fish"


def test_merge_refuses_a_parsed_bundled_shadow(bundled: Library) -> None:
    with pytest.raises(LibraryError) as caught:
        merge_user_entries(bundled, species={"basil": bundled.species["basil"]})
    assert caught.value.code == "duplicate_key"
