"""The bundled library loads, validates and holds what the product promises."""

from __future__ import annotations

from collections import Counter
import json
from pathlib import Path
import re

import pytest

from custom_components.vertical_farm import library as library_module
from custom_components.vertical_farm.engine.profiles import (
    CarePreset,
    Family,
    Fertilizer,
    Library,
    Phase,
    ProtectionProduct,
    Species,
    StarterKit,
)
from custom_components.vertical_farm.library import (
    LIBRARY_DIR,
    LibraryError,
    bundled_copy,
    load_library,
    read_yaml_file,
)

YAML_FILES = (
    "families.yaml",
    "species.yaml",
    "fertilizers.yaml",
    "products.yaml",
    "care_presets.yaml",
    "kits.yaml",
    "pests.yaml",
)

REQUIRED_SPECIES = (
    "basil",
    "lettuce",
    "tomato",
    "strawberry",
    "chili_pepper",
    "mint",
    "spinach",
    "kale",
    "microgreens_radish",
    "monstera",
)
REQUIRED_PRESETS = (
    "tropical",
    "succulent",
    "orchid",
    "calathea",
    "herb",
    "mediterranean",
    "fern",
    "cactus",
    "annual_vegetable",
    "perennial",
    "custom",
)
REQUIRED_FAMILIES = (
    "lamiaceae",
    "asteraceae",
    "solanaceae",
    "rosaceae",
    "brassicaceae",
    "amaranthaceae",
    "apiaceae",
    "cucurbitaceae",
    "fabaceae",
    "amaryllidaceae",
    "araceae",
    "poaceae",
    "orchidaceae",
    "cactaceae",
    "marantaceae",
    "crassulaceae",
    "polypodiaceae",
)
REQUIRED_KITS = (
    "windowsill_herbs",
    "lettuce_nft_rack",
    "microgreens_shelf",
    "chili_tent",
    "strawberry_tower",
    "houseplant_corner",
)
KEY = re.compile(r"[a-z][a-z0-9]*(_[a-z0-9]+)*")


def test_default_directory_is_the_package_folder(bundled: Library) -> None:
    assert load_library(Path(LIBRARY_DIR)) == bundled
    assert (
        Path(__file__).parents[2] / "custom_components" / "vertical_farm" / "library"
        == LIBRARY_DIR
    )


def test_loads_the_dataclasses_of_the_contract(bundled: Library) -> None:
    assert all(isinstance(item, Family) for item in bundled.families.values())
    assert all(isinstance(item, Species) for item in bundled.species.values())
    assert all(isinstance(item, Fertilizer) for item in bundled.fertilizers.values())
    assert all(
        isinstance(item, ProtectionProduct) for item in bundled.products.values()
    )
    assert all(isinstance(item, CarePreset) for item in bundled.care_presets.values())
    assert all(isinstance(item, StarterKit) for item in bundled.kits.values())


def test_minimum_counts(bundled: Library) -> None:
    assert len(bundled.families) >= 15
    assert len(bundled.species) >= 60
    assert len(bundled.fertilizers) >= 15
    assert len(bundled.products) >= 20
    assert len(bundled.kits) >= 6


@pytest.mark.parametrize(
    ("section", "keys"),
    [
        ("species", REQUIRED_SPECIES),
        ("care_presets", REQUIRED_PRESETS),
        ("families", REQUIRED_FAMILIES),
        ("kits", REQUIRED_KITS),
    ],
)
def test_required_keys_exist(
    bundled: Library, section: str, keys: tuple[str, ...]
) -> None:
    assert set(keys) <= set(getattr(bundled, section))


def test_required_fertilizers_exist(bundled: Library) -> None:
    assert {
        "hydro_grow_a",
        "hydro_grow_b",
        "calmag",
        "potassium_silicate",
        "ph_down_phosphoric",
        "ph_up_potassium",
    } <= set(bundled.fertilizers)


def test_every_key_is_snake_case_and_matches_its_entry(bundled: Library) -> None:
    for section in (
        bundled.families,
        bundled.species,
        bundled.fertilizers,
        bundled.products,
        bundled.care_presets,
        bundled.kits,
    ):
        for key, entry in section.items():
            assert KEY.fullmatch(key), key
            assert entry.key == key


def test_species_names_are_plain_english(bundled: Library) -> None:
    names = [species.name for species in bundled.species.values()]
    for name in names:
        assert name[0].isupper(), name
        assert "_" not in name, name
    assert len(set(names)) == len(names)


def test_phases_parse_to_enum_members_in_order(bundled: Library) -> None:
    basil = bundled.species["basil"]
    assert basil.sequence == (
        Phase.GERMINATION,
        Phase.SEEDLING,
        Phase.VEGETATIVE,
        Phase.HARVEST,
    )
    assert basil.phase(Phase.HARVEST) is basil.phases[-1]
    assert basil.phase(Phase.FRUITING) is None


@pytest.mark.parametrize("file", YAML_FILES)
def test_files_start_by_citing_their_sources(file: str) -> None:
    text = (LIBRARY_DIR / file).read_text(encoding="utf-8")
    header = text.split("\n\n", 1)[0]
    assert text.startswith("# ")
    assert "Sources:" in header


@pytest.mark.parametrize("file", YAML_FILES)
def test_no_top_level_key_is_written_twice(file: str) -> None:
    # yaml.safe_load keeps the last of two equal keys without a word, so look at the text.
    text = (LIBRARY_DIR / file).read_text(encoding="utf-8")
    keys = re.findall(r"^([a-z][a-z0-9_]*):", text, flags=re.MULTILINE)
    assert keys
    assert [key for key, count in Counter(keys).items() if count > 1] == []


def test_bundled_library_is_not_shared_mutable_state(bundled: Library) -> None:
    again = load_library()
    assert again == bundled
    assert again.species is not bundled.species


def test_the_json_copies_hold_what_the_yaml_says(library_dir: Path) -> None:
    """The bundled library is read from JSON copies of its YAML: the same content.

    After editing a YAML file, `scripts/build-library` writes its copy again.
    """
    for source in sorted(LIBRARY_DIR.glob("*.yaml")):
        copy = bundled_copy(source.name)
        assert json.loads(copy.read_text(encoding="utf-8")) == read_yaml_file(source), (
            f"{copy.name} differs from {source.name}: run scripts/build-library"
        )
    # The YAML, read as such from anywhere else, gives the same library.
    assert load_library(library_dir) == load_library()


def test_a_missing_json_copy_says_how_to_make_it(
    library_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A bundled folder without its JSON copies names the script that writes them."""
    monkeypatch.setattr(library_module, "LIBRARY_DIR", library_dir)
    with pytest.raises(LibraryError, match="run scripts/build-library"):
        load_library(library_dir)
