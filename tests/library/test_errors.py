"""Broken library files raise LibraryError naming the file, the place and the problem."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from custom_components.vertical_farm.library import LibraryError, load_library

from .conftest import Edit

type Mutation = Callable[[dict[str, Any]], object]


def set_value(path: tuple[str | int, ...], value: object) -> Mutation:
    """A mutation that sets the value at a path."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        target[path[-1]] = value

    return mutate


def delete(path: tuple[str | int, ...]) -> Mutation:
    """A mutation that removes the value at a path."""

    def mutate(data: dict[str, Any]) -> None:
        target: Any = data
        for part in path[:-1]:
            target = target[part]
        del target[path[-1]]

    return mutate


def swap_phases(first: int, second: int) -> Mutation:
    """A mutation that swaps two of basil's phases."""

    def mutate(data: dict[str, Any]) -> None:
        phases = data["basil"]["phases"]
        phases[first], phases[second] = phases[second], phases[first]

    return mutate


def duplicate_phase(index: int) -> Mutation:
    """A mutation that lists one of basil's phases twice."""

    def mutate(data: dict[str, Any]) -> None:
        phases = data["basil"]["phases"]
        phases.insert(index + 1, dict(phases[index]))

    return mutate


def rename_entry(old: str, new: object) -> Mutation:
    """A mutation that files an entry under another key."""

    def mutate(data: dict[str, Any]) -> None:
        data[new] = data.pop(old)

    return mutate


CASES: list[tuple[str, str, Mutation, str, str, str]] = [
    # (id, file, mutation, code, path, words in the message)
    (
        "species_missing_key",
        "species.yaml",
        delete(("basil", "base_temp_c")),
        "invalid_entry",
        "basil.base_temp_c",
        "required key not provided",
    ),
    (
        "species_missing_optional_for_users_only",
        "species.yaml",
        delete(("basil", "water_factor")),
        "invalid_entry",
        "basil.water_factor",
        "required key not provided",
    ),
    (
        "species_extra_key",
        "species.yaml",
        set_value(("basil", "colour"), "green"),
        "invalid_entry",
        "basil.colour",
        "unknown field 'colour'",
    ),
    (
        "ec_out_of_range",
        "species.yaml",
        set_value(("basil", "phases", 1, "ec_max"), 12.0),
        "invalid_entry",
        "basil.phases[1].ec_max",
        "at most 10",
    ),
    (
        "ph_out_of_range",
        "species.yaml",
        set_value(("basil", "phases", 2, "ph_max"), 15),
        "invalid_entry",
        "basil.phases[2].ph_max",
        "at most 14",
    ),
    (
        "photoperiod_out_of_range",
        "species.yaml",
        set_value(("basil", "phases", 0, "photoperiod_h"), 25),
        "invalid_entry",
        "basil.phases[0].photoperiod_h",
        "at most 24",
    ),
    (
        "zero_days",
        "species.yaml",
        set_value(("basil", "phases", 0, "days"), 0),
        "invalid_entry",
        "basil.phases[0].days",
        "at least 1",
    ),
    (
        "fractional_days",
        "species.yaml",
        set_value(("basil", "phases", 0, "days"), 6.5),
        "invalid_entry",
        "basil.phases[0].days",
        "expected a whole number",
    ),
    (
        "ec_min_above_ec_max",
        "species.yaml",
        set_value(("basil", "phases", 1, "ec_min"), 1.5),
        "invalid_entry",
        "basil.phases[1].ec_max",
        "ec_max 1.2 is below ec_min 1.5",
    ),
    (
        "ph_min_above_ph_max",
        "species.yaml",
        set_value(("basil", "phases", 1, "ph_min"), 7.0),
        "invalid_entry",
        "basil.phases[1].ph_max",
        "ph_max 6.5 is below ph_min 7.0",
    ),
    (
        "number_as_text",
        "species.yaml",
        set_value(("basil", "base_temp_c"), "ten"),
        "invalid_entry",
        "basil.base_temp_c",
        "expected a number",
    ),
    (
        "boolean_as_number",
        "species.yaml",
        set_value(("basil", "phases", 0, "gdd"), True),
        "invalid_entry",
        "basil.phases[0].gdd",
        "expected a number",
    ),
    (
        "not_a_number",
        "species.yaml",
        set_value(("basil", "phases", 0, "ppfd"), float("nan")),
        "invalid_entry",
        "basil.phases[0].ppfd",
        "finite",
    ),
    (
        "flag_as_text",
        "species.yaml",
        set_value(("basil", "perennial"), "no"),
        "invalid_entry",
        "basil.perennial",
        "expected true or false",
    ),
    (
        "blank_name",
        "species.yaml",
        set_value(("basil", "name"), "  "),
        "invalid_entry",
        "basil.name",
        "non-empty text",
    ),
    (
        "unknown_phase_name",
        "species.yaml",
        set_value(("basil", "phases", 1, "phase"), "budding"),
        "invalid_entry",
        "basil.phases[1].phase",
        "unknown phase 'budding'",
    ),
    (
        "phases_out_of_order",
        "species.yaml",
        swap_phases(1, 2),
        "invalid_entry",
        "basil.phases[2].phase",
        "phase 'seedling' cannot follow 'vegetative'",
    ),
    (
        "phase_repeated",
        "species.yaml",
        duplicate_phase(1),
        "invalid_entry",
        "basil.phases[2].phase",
        "phase 'seedling' is listed twice",
    ),
    (
        "no_phases",
        "species.yaml",
        set_value(("basil", "phases"), []),
        "invalid_entry",
        "basil.phases",
        "at least one phase",
    ),
    (
        "temperature_band_inverted",
        "species.yaml",
        set_value(("basil", "temp_min_c"), 31),
        "invalid_entry",
        "basil.temp_max_c",
        "must be above temp_min_c",
    ),
    (
        "humidity_band_inverted",
        "species.yaml",
        set_value(("basil", "humidity_max"), 40),
        "invalid_entry",
        "basil.humidity_max",
        "must be above humidity_min",
    ),
    (
        "unknown_family",
        "species.yaml",
        set_value(("basil", "family"), "rutaceae"),
        "unknown_reference",
        "basil.family",
        "unknown family 'rutaceae'",
    ),
    (
        "unknown_care_preset",
        "species.yaml",
        set_value(("basil", "care_preset"), "bonsai"),
        "unknown_reference",
        "basil.care_preset",
        "unknown care preset 'bonsai'",
    ),
    (
        "unknown_companion",
        "species.yaml",
        set_value(("basil", "companions"), ["tomato", "marigold"]),
        "unknown_reference",
        "basil.companions",
        "unknown species 'marigold'",
    ),
    (
        "unknown_antagonist",
        "species.yaml",
        set_value(("basil", "antagonists"), ["rue"]),
        "unknown_reference",
        "basil.antagonists",
        "unknown species 'rue'",
    ),
    (
        "companion_not_a_list",
        "species.yaml",
        set_value(("basil", "companions"), "tomato"),
        "invalid_entry",
        "basil.companions",
        "expected a list of keys",
    ),
    (
        "companion_not_a_key",
        "species.yaml",
        set_value(("basil", "companions"), ["tomato", "Sweet Pepper"]),
        "invalid_entry",
        "basil.companions[1]",
        "snake_case",
    ),
    (
        "paired_with_itself",
        "species.yaml",
        set_value(("basil", "companions"), ["basil"]),
        "invalid_entry",
        "basil.companions",
        "cannot be paired with itself",
    ),
    (
        "antagonist_with_itself",
        "species.yaml",
        set_value(("basil", "antagonists"), ["basil"]),
        "invalid_entry",
        "basil.antagonists",
        "cannot be paired with itself",
    ),
    (
        "companion_and_antagonist",
        "species.yaml",
        set_value(("basil", "antagonists"), ["sage", "tomato"]),
        "invalid_entry",
        "basil.antagonists",
        "'tomato' is both a companion and an antagonist",
    ),
    (
        "key_not_snake_case",
        "species.yaml",
        rename_entry("basil", "Sweet Basil"),
        "invalid_entry",
        "Sweet Basil",
        "lower-case snake_case",
    ),
    (
        "key_not_text",
        "species.yaml",
        rename_entry("basil", 42),
        "invalid_entry",
        "42",
        "lower-case snake_case",
    ),
    (
        "entry_not_a_mapping",
        "species.yaml",
        set_value(("basil",), ["Basil"]),
        "invalid_entry",
        "basil",
        "expected a mapping",
    ),
    (
        "phase_not_a_mapping",
        "species.yaml",
        set_value(("basil", "phases", 0), ["germination", 6]),
        "invalid_entry",
        "basil.phases[0]",
        "",
    ),
    (
        "kit_extra_field",
        "kits.yaml",
        set_value(("chili_tent", "plants", 0, "pot"), "fabric"),
        "invalid_entry",
        "chili_tent.plants[0].pot",
        "unknown field 'pot' (expected species, quantity, rack, shelf, container_l)",
    ),
    (
        "family_unknown_companion",
        "families.yaml",
        set_value(("lamiaceae", "companions"), ["rutaceae"]),
        "unknown_reference",
        "lamiaceae.companions",
        "unknown family 'rutaceae'",
    ),
    (
        "family_unknown_antagonist",
        "families.yaml",
        set_value(("lamiaceae", "antagonists"), ["rutaceae"]),
        "unknown_reference",
        "lamiaceae.antagonists",
        "unknown family 'rutaceae'",
    ),
    (
        "family_both_ways",
        "families.yaml",
        set_value(("solanaceae", "companions"), ["brassicaceae"]),
        "invalid_entry",
        "solanaceae.antagonists",
        "'brassicaceae' is both a companion and an antagonist",
    ),
    (
        "family_missing_name",
        "families.yaml",
        delete(("poaceae", "name")),
        "invalid_entry",
        "poaceae.name",
        "required key not provided",
    ),
    (
        "preset_missing_interval",
        "care_presets.yaml",
        delete(("fern", "water_days")),
        "invalid_entry",
        "fern.water_days",
        "required key not provided",
    ),
    (
        "preset_zero_winter_factor",
        "care_presets.yaml",
        set_value(("fern", "winter_water_factor"), 0),
        "invalid_entry",
        "fern.winter_water_factor",
        "higher than 0",
    ),
    (
        "fertilizer_unknown_kind",
        "fertilizers.yaml",
        set_value(("calmag", "kind"), "booster"),
        "invalid_entry",
        "calmag.kind",
        "unknown fertilizer kind 'booster'",
    ),
    (
        "fertilizer_acid_and_base",
        "fertilizers.yaml",
        set_value(("ph_down_nitric", "alkaline"), True),
        "invalid_entry",
        "ph_down_nitric.alkaline",
        "both acidic and alkaline",
    ),
    (
        "fertilizer_missing_flag",
        "fertilizers.yaml",
        delete(("calmag", "tank_safe")),
        "invalid_entry",
        "calmag.tank_safe",
        "required key not provided",
    ),
    (
        "fertilizer_priority_out_of_range",
        "fertilizers.yaml",
        set_value(("calmag", "mixing_priority"), 120),
        "invalid_entry",
        "calmag.mixing_priority",
        "at most 100",
    ),
    (
        "product_negative_interval",
        "products.yaml",
        set_value(("spinosad", "interval_days"), -1),
        "invalid_entry",
        "spinosad.interval_days",
        "at least 0",
    ),
    (
        "kit_rack_unknown_tank",
        "kits.yaml",
        set_value(("lettuce_nft_rack", "racks", 0, "tank"), "Rain barrel"),
        "unknown_reference",
        "lettuce_nft_rack.racks[0].tank",
        "unknown tank 'Rain barrel'",
    ),
    (
        "kit_plant_unknown_rack",
        "kits.yaml",
        set_value(("lettuce_nft_rack", "plants", 1, "rack"), "Balcony"),
        "unknown_reference",
        "lettuce_nft_rack.plants[1].rack",
        "unknown rack 'Balcony'",
    ),
    (
        "kit_shelf_above_rack",
        "kits.yaml",
        set_value(("lettuce_nft_rack", "plants", 3, "shelf"), 5),
        "invalid_entry",
        "lettuce_nft_rack.plants[3].shelf",
        "shelf 5 is above the 4 shelves of 'NFT rack'",
    ),
    (
        "kit_shelf_without_rack",
        "kits.yaml",
        set_value(("houseplant_corner", "plants", 6, "shelf"), 1),
        "invalid_entry",
        "houseplant_corner.plants[6].shelf",
        "a shelf needs a rack",
    ),
    (
        "kit_unknown_species",
        "kits.yaml",
        set_value(("chili_tent", "plants", 0, "species"), "habanero"),
        "unknown_reference",
        "chili_tent.plants[0].species",
        "unknown species 'habanero'",
    ),
    (
        "kit_unknown_fertilizer",
        "kits.yaml",
        set_value(
            ("chili_tent", "tanks", 0, "fertilizers", 2, "fertilizer"), "bat_guano"
        ),
        "unknown_reference",
        "chili_tent.tanks[0].fertilizers[2].fertilizer",
        "unknown fertilizer 'bat_guano'",
    ),
    (
        "kit_dose_above_maximum",
        "kits.yaml",
        set_value(("chili_tent", "tanks", 0, "fertilizers", 0, "ml_per_l"), 3.0),
        "invalid_entry",
        "chili_tent.tanks[0].fertilizers[0].ml_per_l",
        "above its maximum of 1.0 ml/L",
    ),
    (
        "kit_fertilizer_twice",
        "kits.yaml",
        set_value(("chili_tent", "tanks", 0, "fertilizers", 3, "fertilizer"), "coco_a"),
        "invalid_entry",
        "chili_tent.tanks[0].fertilizers[3].fertilizer",
        "'coco_a' is listed twice",
    ),
    (
        "kit_unknown_tank_type",
        "kits.yaml",
        set_value(("chili_tent", "tanks", 0, "tank_type"), "bucket"),
        "invalid_entry",
        "chili_tent.tanks[0].tank_type",
        "unknown tank type 'bucket'",
    ),
    (
        "kit_too_many_shelves",
        "kits.yaml",
        set_value(("strawberry_tower", "racks", 0, "shelves"), 13),
        "invalid_entry",
        "strawberry_tower.racks[0].shelves",
        "at most 12",
    ),
    (
        "kit_rack_name_twice",
        "kits.yaml",
        lambda data: data["chili_tent"]["racks"].append(
            {"name": "Grow tent", "shelves": 2}
        ),
        "invalid_entry",
        "chili_tent.racks[1].name",
        "rack name 'Grow tent' is used twice",
    ),
    (
        "kit_tank_name_twice",
        "kits.yaml",
        lambda data: data["chili_tent"]["tanks"].append(
            {
                "name": "Coco feed tank",
                "tank_type": "stock",
                "volume_l": 5,
                "system": "coco",
            }
        ),
        "invalid_entry",
        "chili_tent.tanks[1].name",
        "tank name 'Coco feed tank' is used twice",
    ),
    (
        "pest_treated_by_unknown_product",
        "pests.yaml",
        set_value(("aphids", "treatments"), ["insecticidal_soap", "dragon_dust"]),
        "unknown_reference",
        "aphids.treatments[1]",
        "unknown product 'dragon_dust'",
    ),
    (
        "pest_of_unknown_kind",
        "pests.yaml",
        set_value(("aphids", "kind"), "weed"),
        "invalid_entry",
        "aphids.kind",
        "",
    ),
    (
        "product_without_source",
        "products.yaml",
        delete(("spinosad", "source")),
        "invalid_entry",
        "spinosad.source",
        "required",
    ),
    (
        "unknown_successor",
        "families.yaml",
        set_value(("fabaceae", "successors"), ["triffidaceae"]),
        "unknown_reference",
        "fabaceae.successors",
        "unknown family 'triffidaceae'",
    ),
]


@pytest.mark.parametrize(
    ("file", "mutation", "expected"),
    [(case[1], case[2], case[3:]) for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_broken_entry_is_named(
    library_dir: Path,
    edit: Edit,
    file: str,
    mutation: Mutation,
    expected: tuple[str, str, str],
) -> None:
    code, path, words = expected
    edit(file, mutation)
    with pytest.raises(LibraryError) as caught:
        load_library(library_dir)
    error = caught.value
    assert (error.code, error.file, error.path) == (code, file, path)
    assert words in error.message
    assert str(error) == f"{file}: {path}: {error.message}"


def test_unchanged_copy_loads(library_dir: Path, edit: Edit) -> None:
    # The round trip through the editor alone must not break anything.
    edit("species.yaml", lambda data: None)
    assert len(load_library(library_dir).species) >= 60


def test_missing_file(library_dir: Path) -> None:
    (library_dir / "products.yaml").unlink()
    with pytest.raises(LibraryError) as caught:
        load_library(library_dir)
    assert (caught.value.code, caught.value.file, caught.value.path) == (
        "unreadable_file",
        "products.yaml",
        "",
    )
    assert "cannot read the file" in str(caught.value)


def test_yaml_syntax_error(library_dir: Path) -> None:
    (library_dir / "kits.yaml").write_text("chili_tent:\n  name: [unclosed\n")
    with pytest.raises(LibraryError) as caught:
        load_library(library_dir)
    assert (caught.value.code, caught.value.file) == ("unreadable_file", "kits.yaml")
    assert "not valid YAML" in caught.value.message
    assert "line" in caught.value.message


@pytest.mark.parametrize("content", ["", "# only a comment\n", "- basil\n- mint\n"])
def test_file_without_entries(library_dir: Path, content: str) -> None:
    (library_dir / "families.yaml").write_text(content)
    with pytest.raises(LibraryError) as caught:
        load_library(library_dir)
    assert (caught.value.code, caught.value.file) == ("invalid_entry", "families.yaml")
    assert str(caught.value) == "families.yaml: expected a mapping of keys to entries"


def test_error_without_file_or_path() -> None:
    assert str(LibraryError("invalid_entry", "something is off")) == "something is off"
