"""Reference data the engines work from: species, fertilizers, products, care presets.

The bundled library (YAML) and the user's own species are loaded into these
frozen dataclasses; engines receive them as arguments and never look anything
up by themselves.

Units: EC in mS/cm, temperatures in degrees Celsius, GDD in degree-days
(Celsius), PPFD in umol/m2/s, DLI in mol/m2/day, durations in days or hours as
the field name says.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Phase(StrEnum):
    """Growth phases, in their natural order."""

    GERMINATION = "germination"
    SEEDLING = "seedling"
    VEGETATIVE = "vegetative"
    FLOWERING = "flowering"
    FRUITING = "fruiting"
    RIPENING = "ripening"
    HARVEST = "harvest"
    DORMANCY = "dormancy"


class System(StrEnum):
    """How a tank's solution reaches the roots."""

    HYDRO = "hydro"
    COCO = "coco"
    SOIL = "soil"


class TankType(StrEnum):
    """What a tank is for."""

    NUTRIENT = "nutrient"
    RECIRCULATION = "recirculation"
    IRRIGATION = "irrigation"
    RESERVOIR = "reservoir"
    STOCK = "stock"


class Hemisphere(StrEnum):
    """Which half of the globe the farm is in (decides when winter is)."""

    NORTH = "north"
    SOUTH = "south"


class FertilizerKind(StrEnum):
    """What a fertilizer is, which decides where it goes in the mixing order."""

    SILICATE = "silicate"
    CALMAG = "calmag"
    BASE = "base"  # one- or multi-part base nutrient (A/B, grow, bloom)
    ADDITIVE = "additive"  # boosters, enzymes, biostimulants
    PH_DOWN = "ph_down"
    PH_UP = "ph_up"


@dataclass(frozen=True, kw_only=True, slots=True)
class PhaseProfile:
    """What a species needs during one phase."""

    phase: Phase
    days: int  # typical days in this phase at good conditions
    gdd: float  # degree-days above base_temp_c to complete the phase; 0 = by days only
    ec_min: float  # mS/cm
    ec_max: float  # mS/cm
    ph_min: float
    ph_max: float
    photoperiod_h: float  # hours of light per day; 0 = dark (germination of some seeds)
    ppfd: float  # umol/m2/s target at canopy
    dli: float  # mol/m2/day target


@dataclass(frozen=True, kw_only=True, slots=True)
class Family:
    """A botanical family, used for rotation and companion fallbacks."""

    key: str
    name: str
    companions: frozenset[str] = frozenset()  # family keys that grow well alongside
    antagonists: frozenset[str] = frozenset()  # family keys to keep apart
    successors: frozenset[str] = frozenset()  # family keys that do well after it


@dataclass(frozen=True, kw_only=True, slots=True)
class Species:
    """A plant species (or crop type) and its phase sequence."""

    key: str
    name: str
    family: str  # Family.key
    base_temp_c: float  # GDD base temperature
    phases: tuple[PhaseProfile, ...]  # in order; the sequence this species goes through
    perennial: bool = False  # may restart its cycle after the last phase
    care_preset: str = "annual_vegetable"
    companions: frozenset[str] = frozenset()  # species keys
    antagonists: frozenset[str] = frozenset()  # species keys
    water_factor: float = 1.0  # relative thirst: 0.5 succulent .. 1.5 tomato in fruit
    temp_min_c: float = 15.0  # air temperature band the species tolerates well
    temp_max_c: float = 28.0
    humidity_min: float = 40.0  # relative humidity band, %
    humidity_max: float = 80.0
    # Cold days (mean below base_temp_c) needed before flowering; 0 = no need.
    vernalisation_days: int = 0
    # Worked out once here: the engines ask for the sequence thousands of times a pass.
    _sequence: tuple[Phase, ...] = field(init=False, repr=False, compare=False)
    _positions: dict[Phase, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """Index the phases once, for the sequence and the look-ups by phase."""
        sequence = tuple(profile.phase for profile in self.phases)
        positions: dict[Phase, int] = {}
        for index, phase in enumerate(sequence):
            # the first profile of a phase wins, as in a scan from the start
            positions.setdefault(phase, index)
        object.__setattr__(self, "_sequence", sequence)
        object.__setattr__(self, "_positions", positions)

    def phase(self, phase: Phase) -> PhaseProfile | None:
        """Return the profile of one phase, or None if the species skips it."""
        index = self._positions.get(phase)
        return None if index is None else self.phases[index]

    def position(self, phase: Phase) -> int | None:
        """Return where a phase comes in the sequence (0 = first), or None if skipped."""
        return self._positions.get(phase)

    @property
    def sequence(self) -> tuple[Phase, ...]:
        """The phases in order."""
        return self._sequence


# The most of a product a mix doses per litre when nothing else is known.
DEFAULT_MAX_ML_PER_L = 5.0


@dataclass(frozen=True, kw_only=True, slots=True)
class Fertilizer:
    """A nutrient product as dosed into a tank."""

    key: str
    name: str
    kind: FertilizerKind
    ec_per_ml: float  # mS/cm added by 1 ml per litre of water (0 for pH adjusters)
    mixing_priority: int  # lower goes in first
    tank_safe: bool = True  # safe to leave in a recirculating tank
    max_ml_per_l: float = DEFAULT_MAX_ML_PER_L  # the most a grower should ever dose
    contains_sulfate: bool = False
    contains_calcium: bool = False
    acidic: bool = False  # strongly acidic concentrate
    alkaline: bool = False  # strongly alkaline concentrate
    # pH adjusters: acid or base per ml (meq/ml), and the EC (mS/cm) each meq/L adds
    strength_meq_per_ml: float | None = None
    ec_per_meq: float = 0.0
    # CalMag: calcium and magnesium per ml of product (mg/ml)
    calcium_mg_per_ml: float | None = None
    magnesium_mg_per_ml: float | None = None
    # days a solution with this product lasts at 20 C; None = mineral (10 days)
    solution_life_days: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class ProtectionProduct:
    """A plant protection product and its pre-harvest interval."""

    key: str
    name: str
    active_ingredient: str
    interval_days: int  # pre-harvest interval
    organic: bool = False
    mode_of_action: str = ""  # IRAC / FRAC group as on the label, e.g. "IRAC 5"
    source: str = ""  # which labels the interval was checked against


@dataclass(frozen=True, kw_only=True, slots=True)
class PestProblem:
    """A pest or disease an inspection can find."""

    key: str
    name: str
    kind: str  # "pest" | "disease"
    treatments: tuple[str, ...] = ()  # product keys commonly used against it


@dataclass(frozen=True, kw_only=True, slots=True)
class CarePreset:
    """Care intervals for a kind of plant, in days (0 = never)."""

    key: str
    water_days: float
    fertilize_days: float
    repot_days: float
    pest_check_days: float
    winter_water_factor: float = 1.0  # multiply intervals in winter (> 1 = less often)
    winter_fertilize_factor: float = 1.0


@dataclass(frozen=True, kw_only=True, slots=True)
class KitRack:
    """A rack a starter kit creates."""

    name: str
    shelves: int
    tank: str | None = None  # KitTank.name
    photoperiod_h: float | None = None  # fixed mode when set, else auto


@dataclass(frozen=True, kw_only=True, slots=True)
class KitTank:
    """A tank a starter kit creates."""

    name: str
    tank_type: TankType
    volume_l: float
    system: System
    fertilizers: tuple[tuple[str, float], ...] = ()  # (fertilizer key, ml per litre)


@dataclass(frozen=True, kw_only=True, slots=True)
class KitPlant:
    """A plant record a starter kit creates."""

    species: str
    quantity: int
    rack: str | None = None  # KitRack.name; None = standalone pot
    shelf: int | None = None
    container_l: float | None = None


@dataclass(frozen=True, kw_only=True, slots=True)
class StarterKit:
    """A ready-made farm layout."""

    key: str
    name: str
    racks: tuple[KitRack, ...] = ()
    tanks: tuple[KitTank, ...] = ()
    plants: tuple[KitPlant, ...] = ()


@dataclass(frozen=True, kw_only=True, slots=True)
class WaterChemistry:
    """Reference figures for tank chemistry (library water.yaml; defaults match it)."""

    # Ca and Mg (mg/L) base nutrients expect from the water; CalMag tops RO or soft water up
    calmag_calcium_mg_l: float = 40.0
    calmag_magnesium_mg_l: float = 15.0
    # assumed for tap water whose Ca and Mg the grower has not given
    tap_calcium_mg_l: float = 40.0
    tap_magnesium_mg_l: float = 10.0
    # highest target EC (mS/cm) per system and phase: above it seedlings burn
    ec_ceilings: dict[System, dict[Phase, float]] = field(default_factory=dict)
    # pH this far outside the plants' band is critical, per system
    ph_critical_margin: dict[System, float] = field(default_factory=dict)
    # pH moving faster than this per day is an alert; it ends below the end rate
    ph_drift_alert_per_day: float = 0.5
    ph_drift_end_per_day: float = 0.4


@dataclass(frozen=True, kw_only=True, slots=True)
class Library:
    """Everything the engines look up, keyed by library key."""

    families: dict[str, Family] = field(default_factory=dict)
    species: dict[str, Species] = field(default_factory=dict)
    fertilizers: dict[str, Fertilizer] = field(default_factory=dict)
    products: dict[str, ProtectionProduct] = field(default_factory=dict)
    care_presets: dict[str, CarePreset] = field(default_factory=dict)
    kits: dict[str, StarterKit] = field(default_factory=dict)
    pests: dict[str, PestProblem] = field(default_factory=dict)
    water: WaterChemistry = field(default_factory=WaterChemistry)
