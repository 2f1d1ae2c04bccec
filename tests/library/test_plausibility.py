"""The bundled values are ones a grower would recognise: ranges, light, timing, pairings."""

from __future__ import annotations

import pytest

from custom_components.vertical_farm.engine.profiles import (
    FertilizerKind,
    Library,
    Phase,
    PhaseProfile,
    Species,
    TankType,
)

HOUSEPLANT_PRESETS = frozenset(
    {"tropical", "succulent", "orchid", "calathea", "fern", "cactus"}
)
HOUSEPLANTS = (
    "monstera",
    "pothos",
    "calathea",
    "orchid",
    "cactus",
    "echeveria",
    "jade_plant",
    "aloe_vera",
    "boston_fern",
    "birds_nest_fern",
)
ANNUAL_FRUITING = (
    "tomato",
    "cherry_tomato",
    "chili_pepper",
    "sweet_pepper",
    "eggplant",
    "cucumber",
    "zucchini",
    "bush_bean",
    "snap_pea",
)
PERENNIAL_FRUITING = ("strawberry", "alpine_strawberry")
FULL_FRUITING_SEQUENCE = (
    Phase.GERMINATION,
    Phase.SEEDLING,
    Phase.VEGETATIVE,
    Phase.FLOWERING,
    Phase.FRUITING,
    Phase.RIPENING,
    Phase.HARVEST,
)
SECONDS_PER_HOUR = 3600
MICROMOL_PER_MOL = 1e6
DLI_TOLERANCE = 0.35
INDOOR_TEMPERATURE_C = (15.0, 28.0)  # the heated-room band the GDD figures assume


def all_phases(library: Library) -> list[tuple[Species, PhaseProfile]]:
    """Every (species, phase profile) pair in the library."""
    return [
        (species, profile)
        for species in library.species.values()
        for profile in species.phases
    ]


def is_houseplant(species: Species) -> bool:
    """Houseplants are the species on a houseplant care preset."""
    return species.care_preset in HOUSEPLANT_PRESETS


def test_ec_ranges_suit_plants(bundled: Library) -> None:
    for species, profile in all_phases(bundled):
        where = f"{species.key} {profile.phase}"
        assert 0.2 <= profile.ec_min <= profile.ec_max <= 4.0, where


def test_ph_ranges_suit_plants(bundled: Library) -> None:
    for species, profile in all_phases(bundled):
        where = f"{species.key} {profile.phase}"
        assert 4.5 <= profile.ph_min < profile.ph_max <= 8.0, where


def test_dli_matches_ppfd_and_photoperiod(bundled: Library) -> None:
    for species, profile in all_phases(bundled):
        where = f"{species.key} {profile.phase}"
        expected = (
            profile.ppfd * profile.photoperiod_h * SECONDS_PER_HOUR / MICROMOL_PER_MOL
        )
        if expected == 0:
            # A blackout phase: no light, so no light target either.
            assert profile.photoperiod_h == profile.ppfd == profile.dli == 0, where
        else:
            assert abs(profile.dli - expected) <= DLI_TOLERANCE * expected, where


def test_worked_dli_example(bundled: Library) -> None:
    lettuce = bundled.species["lettuce"].phase(Phase.VEGETATIVE)
    assert lettuce is not None
    # 220 umol/m2/s for 16 h: 220 * 16 * 3600 / 1e6 = 12.672 mol/m2/day.
    assert lettuce.ppfd == 220
    assert lettuce.photoperiod_h == 16
    assert lettuce.dli == pytest.approx(220 * 16 * 3600 / 1e6, abs=0.05)


def test_light_levels_fit_the_plant_group(bundled: Library) -> None:
    for species, profile in all_phases(bundled):
        where = f"{species.key} {profile.phase}"
        if profile.photoperiod_h:
            assert 8 <= profile.photoperiod_h <= 18, where
            # Shade houseplants sit far below fruiting crops; nothing needs full sun.
            assert 50 <= profile.ppfd <= 800, where
            assert profile.dli <= 35, where


def test_gdd_agrees_with_days_at_room_temperature(bundled: Library) -> None:
    low, high = INDOOR_TEMPERATURE_C
    for species, profile in all_phases(bundled):
        where = f"{species.key} {profile.phase}"
        if profile.phase is Phase.DORMANCY:
            assert profile.gdd == 0, where  # a rest is timed by days
            continue
        implied_mean_c = species.base_temp_c + profile.gdd / profile.days
        assert low <= implied_mean_c <= high, where


def test_worked_gdd_example(bundled: Library) -> None:
    tomato = bundled.species["tomato"]
    seedling = tomato.phase(Phase.SEEDLING)
    assert seedling is not None
    # 21 days at a 23 C mean over a 10 C base: 21 * (23 - 10) = 273 degree-days.
    assert tomato.base_temp_c == 10
    assert seedling.days == 21
    assert seedling.gdd == 21 * (23 - 10)


def test_base_temperatures_are_plausible(bundled: Library) -> None:
    for species in bundled.species.values():
        assert 0 <= species.base_temp_c <= 15, species.key
    # Cool-season crops grow from a lower base than warm-season ones.
    for cool in ("lettuce", "spinach", "kale", "snap_pea"):
        for warm in ("tomato", "chili_pepper", "cucumber", "basil"):
            assert bundled.species[cool].base_temp_c < bundled.species[warm].base_temp_c


def test_climate_bands_are_plausible(bundled: Library) -> None:
    for species in bundled.species.values():
        assert 0 <= species.temp_min_c < species.temp_max_c <= 40, species.key
        assert 5 <= species.humidity_min < species.humidity_max <= 95, species.key
        assert 0.2 <= species.water_factor <= 1.5, species.key
    assert (
        bundled.species["cactus"].water_factor < bundled.species["tomato"].water_factor
    )


def test_annual_fruiting_crops_have_the_full_sequence(bundled: Library) -> None:
    for key in ANNUAL_FRUITING:
        species = bundled.species[key]
        assert species.sequence == FULL_FRUITING_SEQUENCE, key
        assert not species.perennial, key


def test_perennial_fruiting_crops_fruit_then_rest(bundled: Library) -> None:
    for key in PERENNIAL_FRUITING:
        species = bundled.species[key]
        assert species.perennial, key
        assert species.sequence[-5:] == (
            Phase.FLOWERING,
            Phase.FRUITING,
            Phase.RIPENING,
            Phase.HARVEST,
            Phase.DORMANCY,
        ), key


def test_fruiting_phases_feed_harder_than_seedlings(bundled: Library) -> None:
    for key in ANNUAL_FRUITING:
        species = bundled.species[key]
        seedling = species.phase(Phase.SEEDLING)
        fruiting = species.phase(Phase.FRUITING)
        assert seedling is not None
        assert fruiting is not None
        assert fruiting.ec_max > seedling.ec_max, key


def test_leafy_and_herb_crops_end_with_harvest(bundled: Library) -> None:
    for species in bundled.species.values():
        if is_houseplant(species) or species.key in ANNUAL_FRUITING:
            continue
        assert Phase.HARVEST in species.sequence, species.key
        if not species.perennial:
            assert species.sequence[-1] is Phase.HARVEST, species.key
            assert Phase.FRUITING not in species.sequence, species.key
        else:
            assert species.sequence[-2:] == (Phase.HARVEST, Phase.DORMANCY), species.key


def test_houseplants_are_perennial_and_never_harvested(bundled: Library) -> None:
    for key in HOUSEPLANTS:
        assert is_houseplant(bundled.species[key]), key
    houseplants = [s for s in bundled.species.values() if is_houseplant(s)]
    assert len(houseplants) >= 15
    for species in houseplants:
        assert species.perennial, species.key
        assert Phase.HARVEST not in species.sequence, species.key
        assert species.sequence[-1] is Phase.DORMANCY, species.key


def test_required_perennials(bundled: Library) -> None:
    for key in ("strawberry", "mint", "monstera"):
        assert bundled.species[key].perennial, key
    for key in ("basil", "lettuce", "tomato", "spinach", "kale"):
        assert not bundled.species[key].perennial, key


def test_microgreens_are_quick_and_start_in_the_dark(bundled: Library) -> None:
    microgreens = [k for k in bundled.species if k.startswith("microgreens_")]
    assert len(microgreens) >= 5
    for key in microgreens:
        species = bundled.species[key]
        assert sum(profile.days for profile in species.phases) <= 25, key
        assert species.phases[0].photoperiod_h == 0, key
        assert species.sequence[-1] is Phase.HARVEST, key


def test_lettuce_is_ready_in_about_six_weeks(bundled: Library) -> None:
    # 4 + 10 + 21 + 7 days from sowing to the end of harvest: seed-catalogue 40-55 days.
    total = sum(profile.days for profile in bundled.species["lettuce"].phases)
    assert total == 4 + 10 + 21 + 7


def test_care_presets_match_the_plant_groups(bundled: Library) -> None:
    assert bundled.species["basil"].care_preset == "herb"
    assert bundled.species["monstera"].care_preset == "tropical"
    assert bundled.species["calathea"].care_preset == "calathea"
    assert bundled.species["orchid"].care_preset == "orchid"
    assert bundled.species["cactus"].care_preset == "cactus"
    assert bundled.species["rosemary"].care_preset == "mediterranean"
    assert bundled.species["boston_fern"].care_preset == "fern"
    assert bundled.species["strawberry"].care_preset == "perennial"
    assert bundled.species["tomato"].care_preset == "annual_vegetable"


def test_species_pairings_are_mutual(bundled: Library) -> None:
    for species in bundled.species.values():
        for other in species.companions:
            assert species.key in bundled.species[other].companions, (
                species.key,
                other,
            )
        for other in species.antagonists:
            assert species.key in bundled.species[other].antagonists, (
                species.key,
                other,
            )


def test_family_pairings_are_mutual(bundled: Library) -> None:
    for family in bundled.families.values():
        for other in family.companions:
            assert family.key in bundled.families[other].companions, (family.key, other)
        for other in family.antagonists:
            assert family.key in bundled.families[other].antagonists, (
                family.key,
                other,
            )


def test_classic_pairings(bundled: Library) -> None:
    assert "tomato" in bundled.species["basil"].companions
    assert "bush_bean" in bundled.species["chives"].antagonists
    assert "fennel" in bundled.species["tomato"].antagonists
    assert "brassicaceae" in bundled.families["solanaceae"].antagonists
    assert "cactaceae" in bundled.families["marantaceae"].antagonists


def test_every_family_has_species(bundled: Library) -> None:
    used = {species.family for species in bundled.species.values()}
    assert used == set(bundled.families)


EXPECTED_PRIORITY = {
    FertilizerKind.SILICATE: (10, 10),
    FertilizerKind.CALMAG: (20, 20),
    FertilizerKind.BASE: (30, 40),
    FertilizerKind.ADDITIVE: (50, 60),
    FertilizerKind.PH_DOWN: (90, 90),
    FertilizerKind.PH_UP: (90, 90),
}


def test_fertilizer_mixing_priorities_follow_the_kind(bundled: Library) -> None:
    for fertilizer in bundled.fertilizers.values():
        low, high = EXPECTED_PRIORITY[fertilizer.kind]
        assert low <= fertilizer.mixing_priority <= high, fertilizer.key
    kinds = {fertilizer.kind for fertilizer in bundled.fertilizers.values()}
    assert kinds == set(FertilizerKind)


def test_fertilizer_strengths_match_typical_labels(bundled: Library) -> None:
    for fertilizer in bundled.fertilizers.values():
        key = fertilizer.key
        if fertilizer.kind is FertilizerKind.BASE:
            # 2-4 ml/L of each part of a two-part base gives EC 1.0-2.0 in total.
            assert 0.2 <= fertilizer.ec_per_ml <= 0.7, key
            assert 2 <= fertilizer.max_ml_per_l <= 6, key
        elif fertilizer.kind in (FertilizerKind.PH_DOWN, FertilizerKind.PH_UP):
            assert fertilizer.ec_per_ml == 0, key
            assert fertilizer.max_ml_per_l <= 1, key
        else:
            assert fertilizer.ec_per_ml <= 0.5, key
            assert fertilizer.max_ml_per_l <= 4, key


def test_fertilizer_chemistry_flags(bundled: Library) -> None:
    for fertilizer in bundled.fertilizers.values():
        assert not (fertilizer.acidic and fertilizer.alkaline), fertilizer.key
        if fertilizer.kind is FertilizerKind.PH_DOWN:
            assert fertilizer.acidic, fertilizer.key
        if fertilizer.kind is FertilizerKind.PH_UP:
            assert fertilizer.alkaline, fertilizer.key
        if fertilizer.contains_calcium:
            # Calcium goes in before sulfates; a product never carries both.
            assert not fertilizer.contains_sulfate, fertilizer.key
    assert bundled.fertilizers["calmag"].contains_calcium
    assert bundled.fertilizers["hydro_grow_a"].contains_calcium
    assert bundled.fertilizers["hydro_grow_b"].contains_sulfate
    assert bundled.fertilizers["potassium_silicate"].alkaline
    assert not bundled.fertilizers["molasses"].tank_safe


def test_calcium_parts_go_in_before_their_sulfate_parts(bundled: Library) -> None:
    for a_part, b_part in (
        ("hydro_grow_a", "hydro_grow_b"),
        ("hydro_bloom_a", "hydro_bloom_b"),
        ("coco_a", "coco_b"),
        ("tri_part_micro", "tri_part_grow"),
    ):
        assert (
            bundled.fertilizers[a_part].mixing_priority
            < bundled.fertilizers[b_part].mixing_priority
        )


def test_protection_products(bundled: Library) -> None:
    for product in bundled.products.values():
        assert 0 <= product.interval_days <= 14, product.key
        assert product.active_ingredient, product.key
    organic = [p for p in bundled.products.values() if p.organic]
    assert 10 <= len(organic) < len(bundled.products)
    # Living biologicals leave nothing to wait for.
    for key in ("bt_kurstaki", "bacillus_subtilis", "beauveria_bassiana", "neem_oil"):
        assert bundled.products[key].interval_days == 0, key
        assert bundled.products[key].organic, key
    # Synthetic insecticides carry the longest waits.
    synthetic = [p.interval_days for p in bundled.products.values() if not p.organic]
    assert min(synthetic) >= max(
        bundled.products[key].interval_days for key in ("spinosad", "pyrethrins")
    )


def test_care_presets_are_sensible(bundled: Library) -> None:
    presets = bundled.care_presets
    for preset in presets.values():
        assert preset.water_days > 0, preset.key
        assert preset.fertilize_days > 0, preset.key
        assert preset.pest_check_days > 0, preset.key
        assert preset.winter_water_factor >= 1, preset.key
        assert preset.winter_fertilize_factor >= 1, preset.key
    # Dry-country plants wait longest between waterings, ferns and herbs the least.
    assert presets["cactus"].water_days > presets["succulent"].water_days
    assert presets["succulent"].water_days > presets["tropical"].water_days
    assert presets["fern"].water_days < presets["tropical"].water_days
    assert presets["annual_vegetable"].repot_days == 0


def test_kits_share_tanks_only_between_compatible_plants(bundled: Library) -> None:
    for kit in bundled.kits.values():
        for tank in kit.tanks:
            fed_racks = {rack.name for rack in kit.racks if rack.tank == tank.name}
            fed = [
                bundled.species[plant.species]
                for plant in kit.plants
                if plant.rack in fed_racks
            ]
            if not fed:
                continue
            stages = [
                species.phase(Phase.VEGETATIVE) or species.phases[-1] for species in fed
            ]
            assert max(s.ec_min for s in stages) <= min(s.ec_max for s in stages), (
                kit.key
            )
            assert max(s.ph_min for s in stages) <= min(s.ph_max for s in stages), (
                kit.key
            )
            recipe_ec = sum(
                bundled.fertilizers[key].ec_per_ml * ml_per_l
                for key, ml_per_l in tank.fertilizers
            )
            # The recipe plus soft tap water should not overshoot the hungriest plant.
            assert 0.3 <= recipe_ec <= max(s.ec_max for s in stages), kit.key


def test_recirculating_kit_tanks_use_tank_safe_products(bundled: Library) -> None:
    for kit in bundled.kits.values():
        for tank in kit.tanks:
            if tank.tank_type is TankType.RECIRCULATION:
                for key, _ml_per_l in tank.fertilizers:
                    assert bundled.fertilizers[key].tank_safe, (kit.key, key)


def test_kits_keep_antagonists_off_a_shared_shelf(bundled: Library) -> None:
    for kit in bundled.kits.values():
        shelves: dict[tuple[str, int], list[str]] = {}
        for plant in kit.plants:
            if plant.rack is not None and plant.shelf is not None:
                shelves.setdefault((plant.rack, plant.shelf), []).append(plant.species)
        for keys in shelves.values():
            for key in keys:
                species = bundled.species[key]
                others = set(keys) - {key}
                assert not species.antagonists & others, (kit.key, key)
                families = {bundled.species[other].family for other in others}
                family = bundled.families[species.family]
                assert not family.antagonists & families, (kit.key, key)


def test_lettuce_kit_recipe_worked_example(bundled: Library) -> None:
    tank = bundled.kits["lettuce_nft_rack"].tanks[0]
    recipe = dict(tank.fertilizers)
    # 0.5 ml/L CalMag at 0.4 + 1.5 ml/L of A at 0.3 + 1.5 ml/L of B at 0.28:
    # 0.2 + 0.45 + 0.42 = 1.07 mS/cm, inside lettuce's 0.8-1.2 vegetative band.
    assert recipe == {"calmag": 0.5, "hydro_grow_a": 1.5, "hydro_grow_b": 1.5}
    recipe_ec = sum(
        bundled.fertilizers[key].ec_per_ml * ml for key, ml in recipe.items()
    )
    assert recipe_ec == pytest.approx(0.5 * 0.4 + 1.5 * 0.3 + 1.5 * 0.28)
    assert recipe_ec == pytest.approx(1.07)
