"""Builders for the reference data the phases, nutrients, tanks and watering tests use."""

from __future__ import annotations

from datetime import UTC, datetime

from custom_components.vertical_farm.engine.profiles import (
    Fertilizer,
    FertilizerKind,
    Phase,
    PhaseProfile,
    Species,
)


def phase_profile(
    phase: Phase,
    *,
    days: int = 10,
    gdd: float = 0.0,
    ec: tuple[float, float] = (1.0, 2.0),
    ph: tuple[float, float] = (5.5, 6.5),
) -> PhaseProfile:
    """A phase profile; only the fields the engines under test read matter."""
    return PhaseProfile(
        phase=phase,
        days=days,
        gdd=gdd,
        ec_min=ec[0],
        ec_max=ec[1],
        ph_min=ph[0],
        ph_max=ph[1],
        photoperiod_h=16.0,
        ppfd=300.0,
        dli=17.0,
    )


def tomato(*, water_factor: float = 1.0) -> Species:
    """An annual fruiting crop with every phase up to harvest; vegetative by GDD."""
    return Species(
        key="tomato",
        name="Tomato",
        family="solanaceae",
        base_temp_c=10.0,
        water_factor=water_factor,
        phases=(
            phase_profile(Phase.GERMINATION, days=7),
            phase_profile(Phase.SEEDLING, days=14),
            phase_profile(Phase.VEGETATIVE, days=21, gdd=300.0),
            phase_profile(Phase.FLOWERING, days=14, gdd=150.0),
            phase_profile(Phase.FRUITING, days=30),
            phase_profile(Phase.RIPENING, days=10),
            phase_profile(Phase.HARVEST, days=14),
        ),
    )


def strawberry() -> Species:
    """A perennial that harvests and then rests before its next cycle."""
    return Species(
        key="strawberry",
        name="Strawberry",
        family="rosaceae",
        base_temp_c=5.0,
        perennial=True,
        phases=(
            phase_profile(Phase.VEGETATIVE, days=20),
            phase_profile(Phase.FLOWERING, days=10),
            phase_profile(Phase.FRUITING, days=20),
            phase_profile(Phase.HARVEST, days=15),
            phase_profile(Phase.DORMANCY, days=60),
        ),
    )


def lettuce() -> Species:
    """A leafy annual that never flowers on the rack and has no harvest phase."""
    return Species(
        key="lettuce",
        name="Lettuce",
        family="asteraceae",
        base_temp_c=4.0,
        phases=(
            phase_profile(Phase.GERMINATION, days=4),
            phase_profile(Phase.SEEDLING, days=10),
            phase_profile(Phase.VEGETATIVE, days=30),
        ),
    )


def fertilizer(
    key: str,
    *,
    kind: FertilizerKind = FertilizerKind.BASE,
    ec_per_ml: float = 0.1,
    mixing_priority: int = 50,
    max_ml_per_l: float = 5.0,
    tank_safe: bool = True,
    contains_sulfate: bool = False,
    contains_calcium: bool = False,
    acidic: bool = False,
    alkaline: bool = False,
) -> Fertilizer:
    """A fertilizer whose key doubles as its name."""
    return Fertilizer(
        key=key,
        name=key,
        kind=kind,
        ec_per_ml=ec_per_ml,
        mixing_priority=mixing_priority,
        max_ml_per_l=max_ml_per_l,
        tank_safe=tank_safe,
        contains_sulfate=contains_sulfate,
        contains_calcium=contains_calcium,
        acidic=acidic,
        alkaline=alkaline,
    )


def at(day: int, hour: int = 0, minute: int = 0, *, month: int = 3) -> datetime:
    """An aware UTC datetime in 2026."""
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)
