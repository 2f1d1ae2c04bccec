"""The bundled tank chemistry figures: loaded, consistent with the species, refused when wrong."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from custom_components.vertical_farm.engine.profiles import (
    FertilizerKind,
    Library,
    System,
)
from custom_components.vertical_farm.library import LibraryError, load_library

from .conftest import Edit


def test_water_figures_are_loaded(bundled: Library) -> None:
    water = bundled.water
    assert (water.calmag_calcium_mg_l, water.calmag_magnesium_mg_l) == (40.0, 15.0)
    assert water.ph_critical_margin == {
        System.HYDRO: 0.5,
        System.COCO: 0.6,
        System.SOIL: 0.8,
    }
    assert water.ph_drift_alert_per_day > water.ph_drift_end_per_day > 0
    assert set(water.ec_ceilings) == set(System)


def test_no_species_range_is_above_its_ceiling(bundled: Library) -> None:
    """Hydro and coco ceilings hold every species' highest EC; soil its set point."""
    ceilings = bundled.water.ec_ceilings
    for species in bundled.species.values():
        for profile in species.phases:
            for system in (System.HYDRO, System.COCO):
                assert profile.ec_max <= ceilings[system][profile.phase], (
                    species.key,
                    profile.phase,
                    system,
                )
            midpoint = (profile.ec_min + profile.ec_max) / 2
            assert midpoint <= ceilings[System.SOIL][profile.phase], species.key


def test_chemistry_fields_of_the_bundled_products(bundled: Library) -> None:
    for fertilizer in bundled.fertilizers.values():
        if fertilizer.kind in (FertilizerKind.PH_DOWN, FertilizerKind.PH_UP):
            # 2.9-7.4 meq/ml: 25 % phosphoric to 38 % nitric acid
            assert fertilizer.strength_meq_per_ml is not None, fertilizer.key
            assert 1 <= fertilizer.strength_meq_per_ml <= 15, fertilizer.key
            assert 0 <= fertilizer.ec_per_meq < 0.3, fertilizer.key
        else:
            assert fertilizer.strength_meq_per_ml is None, fertilizer.key
    calmag = bundled.fertilizers["calmag"]
    assert (calmag.calcium_mg_per_ml, calmag.magnesium_mg_per_ml) == (50.0, 19.0)
    assert bundled.fertilizers["organic_liquid_feed"].solution_life_days == 4.0


@pytest.mark.parametrize(
    ("mutate", "path"),
    [
        (lambda data: data["ph_drift"].update(end_per_day=0.6), "ph_drift.end_per_day"),
        (lambda data: data["ec_ceilings"]["soil"].pop("seedling"), "ec_ceilings.soil"),
        (lambda data: data["calmag"].update(calcium_mg_l=-1), "calmag.calcium_mg_l"),
        (lambda data: data["ph_levels"].pop("coco"), "ph_levels"),
    ],
)
def test_wrong_water_figures_are_refused(
    edit: Edit, library_dir: Path, mutate: Any, path: str
) -> None:
    edit("water.yaml", mutate)
    with pytest.raises(LibraryError) as caught:
        load_library(library_dir)
    assert caught.value.file == "water.yaml"
    assert caught.value.path.startswith(path)
