"""Builders of the reference data the lighting, care, safety and rotation tests use."""

from __future__ import annotations

from collections.abc import Iterable

from custom_components.vertical_farm.engine.lighting import PlantInPhase
from custom_components.vertical_farm.engine.profiles import (
    CarePreset,
    Family,
    Phase,
    PhaseProfile,
    ProtectionProduct,
    Species,
)


def make_profile(
    phase: Phase = Phase.VEGETATIVE,
    *,
    photoperiod_h: float = 16.0,
    ec: tuple[float, float] = (1.0, 1.6),
    ph: tuple[float, float] = (5.8, 6.5),
    days: int = 21,
) -> PhaseProfile:
    """A phase profile with sensible defaults for a leafy crop."""
    return PhaseProfile(
        phase=phase,
        days=days,
        gdd=0.0,
        ec_min=ec[0],
        ec_max=ec[1],
        ph_min=ph[0],
        ph_max=ph[1],
        photoperiod_h=photoperiod_h,
        ppfd=250.0,
        dli=250.0 * photoperiod_h * 3600 / 1e6,
    )


def make_species(
    key: str,
    *,
    family: str = "asteraceae",
    profiles: Iterable[PhaseProfile] = (),
    companions: Iterable[str] = (),
    antagonists: Iterable[str] = (),
) -> Species:
    """A species; without profiles it has one default vegetative phase."""
    phases = tuple(profiles) or (make_profile(),)
    return Species(
        key=key,
        name=key.replace("_", " ").title(),
        family=family,
        base_temp_c=10.0,
        phases=phases,
        companions=frozenset(companions),
        antagonists=frozenset(antagonists),
    )


def make_family(
    key: str, *, companions: Iterable[str] = (), antagonists: Iterable[str] = ()
) -> Family:
    """A botanical family with optional companion and antagonist families."""
    return Family(
        key=key,
        name=key.title(),
        companions=frozenset(companions),
        antagonists=frozenset(antagonists),
    )


def make_plant(
    plant_id: str, species: Species, phase: Phase | None = None
) -> PlantInPhase:
    """A plant record in a phase (the species' first phase by default)."""
    return PlantInPhase(
        plant_id=plant_id,
        species=species,
        phase=species.phases[0].phase if phase is None else phase,
    )


def make_preset(
    key: str = "herb",
    *,
    water_days: float = 3.0,
    fertilize_days: float = 14.0,
    repot_days: float = 365.0,
    pest_check_days: float = 7.0,
    winter_water_factor: float = 1.5,
    winter_fertilize_factor: float = 2.0,
) -> CarePreset:
    """A care preset (defaults loosely those of a kitchen herb)."""
    return CarePreset(
        key=key,
        water_days=water_days,
        fertilize_days=fertilize_days,
        repot_days=repot_days,
        pest_check_days=pest_check_days,
        winter_water_factor=winter_water_factor,
        winter_fertilize_factor=winter_fertilize_factor,
    )


def make_product(
    key: str = "spinosad_spray",
    *,
    active_ingredient: str = "spinosad",
    interval_days: int = 3,
) -> ProtectionProduct:
    """A plant protection product."""
    return ProtectionProduct(
        key=key,
        name=key.replace("_", " ").title(),
        active_ingredient=active_ingredient,
        interval_days=interval_days,
    )
