"""The bundled library: YAML reference data, its validation and the user's own entries.

`load_library` reads the YAML files beside this module once (it does blocking file
I/O, so the integration runs it in an executor), validates every entry with the
schemas below, checks that every cross reference resolves and returns the
`Library` the engines work from. `parse_species` and `parse_fertilizer` validate
entries the user adds through the options with the same schemas, and
`merge_user_entries` adds them to a loaded library.

Every problem raises `LibraryError`, which names the file and the path inside it
(`basil.phases[2].ec_max`) and carries a machine-readable `code`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
import dataclasses
from enum import StrEnum
from itertools import pairwise
import json
import math
from pathlib import Path
import re
from typing import Any, Final, cast

import probatio as vol
import yaml

from ..engine.profiles import (
    CarePreset,
    Family,
    Fertilizer,
    FertilizerKind,
    KitPlant,
    KitRack,
    KitTank,
    Library,
    PestProblem,
    Phase,
    PhaseProfile,
    ProtectionProduct,
    Species,
    StarterKit,
    System,
    TankType,
    WaterChemistry,
)

__all__ = [
    "LIBRARY_DIR",
    "LibraryError",
    "bundled_copy",
    "load_library",
    "merge_user_entries",
    "parse_fertilizer",
    "parse_species",
    "read_yaml_file",
]

LIBRARY_DIR: Final = Path(__file__).parent

FAMILIES_FILE: Final = "families.yaml"
CARE_PRESETS_FILE: Final = "care_presets.yaml"
FERTILIZERS_FILE: Final = "fertilizers.yaml"
PRODUCTS_FILE: Final = "products.yaml"
SPECIES_FILE: Final = "species.yaml"
KITS_FILE: Final = "kits.yaml"
PESTS_FILE: Final = "pests.yaml"
WATER_FILE: Final = "water.yaml"

# Error codes (translation keys in the integration).
ERROR_UNREADABLE_FILE: Final = "unreadable_file"
ERROR_INVALID_ENTRY: Final = "invalid_entry"
ERROR_UNKNOWN_REFERENCE: Final = "unknown_reference"
ERROR_DUPLICATE_KEY: Final = "duplicate_key"

KEY_PATTERN: Final = re.compile(r"[a-z][a-z0-9]*(?:_[a-z0-9]+)*")
MAX_SHELVES: Final = 12  # SPEC: a rack has 1-12 shelves

_PHASE_ORDER: Final = {phase: index for index, phase in enumerate(Phase)}

type PathPart = str | int

# The C build of PyYAML's safe loader when present: the same rules, ten times faster.
_SAFE_LOADER: Final[type[yaml.SafeLoader | yaml.CSafeLoader]] = getattr(
    yaml, "CSafeLoader", yaml.SafeLoader
)


class LibraryError(Exception):
    """A library file or a user entry that does not validate.

    Attributes:
        code: machine-readable reason (`unreadable_file`, `invalid_entry`,
            `unknown_reference`, `duplicate_key`).
        file: the YAML file name, or None for an entry the user supplied.
        path: where inside the file or entry, e.g. `basil.phases[2].ec_max`.
        message: what is wrong, in plain words.
    """

    def __init__(
        self, code: str, message: str, *, file: str | None = None, path: str = ""
    ) -> None:
        """Store where the problem is and describe it."""
        self.code = code
        self.file = file
        self.path = path
        self.message = message
        where = ": ".join(part for part in (file, path) if part)
        super().__init__(f"{where}: {message}" if where else message)


# --- Field validators ------------------------------------------------------------


def _real(value: object) -> float:
    """Accept an int or float (not a bool) and return it as a finite float."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise vol.Invalid(f"expected a number, got {value!r}")
    if not math.isfinite(value):
        raise vol.Invalid(f"expected a finite number, got {value!r}")
    return float(value)


def _integer(value: object) -> int:
    """Accept an int, or a float with no fraction (number selectors send those)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise vol.Invalid(f"expected a whole number, got {value!r}")
    return value


def _flag(value: object) -> bool:
    """Accept only a real boolean; YAML `yes`/`no` strings are a typo here."""
    if not isinstance(value, bool):
        raise vol.Invalid(f"expected true or false, got {value!r}")
    return value


def _text(value: object) -> str:
    """Accept a non-blank string and return it stripped."""
    if not isinstance(value, str) or not value.strip():
        raise vol.Invalid(f"expected a non-empty text, got {value!r}")
    return value.strip()


def _key(value: object) -> str:
    """Accept a lower-case snake_case library key."""
    if not isinstance(value, str) or KEY_PATTERN.fullmatch(value) is None:
        raise vol.Invalid(f"expected a lower-case snake_case key, got {value!r}")
    return value


def _key_set(value: object) -> frozenset[str]:
    """Accept a list of library keys and return them as a set."""
    if not isinstance(value, list):
        raise vol.Invalid(f"expected a list of keys, got {value!r}")
    keys: set[str] = set()
    for index, item in enumerate(value):
        try:
            keys.add(_key(item))
        except vol.Invalid as err:
            raise vol.Invalid(err.msg, path=[index]) from err
    return frozenset(keys)


def _choice(enum: type[StrEnum], what: str) -> Callable[[object], StrEnum]:
    """Build a validator that accepts one of an enum's values."""
    allowed = ", ".join(member.value for member in enum)

    values = {member.value: member for member in enum}

    def validate(value: object) -> StrEnum:
        member = values.get(value) if isinstance(value, str) else None
        if member is None:
            raise vol.Invalid(f"unknown {what} {value!r} (expected one of {allowed})")
        return member

    return validate


def _real_in(
    minimum: float, maximum: float, *, above_minimum: bool = False
) -> vol.All[Any]:
    """A number within [minimum, maximum] (or (minimum, maximum] when above_minimum)."""
    return vol.All(
        _real, vol.Range(min=minimum, max=maximum, min_included=not above_minimum)
    )


def _integer_in(minimum: int, maximum: int) -> vol.All[Any]:
    """A whole number within [minimum, maximum]."""
    return vol.All(_integer, vol.Range(min=minimum, max=maximum))


def _record(fields: dict[vol.Marker, object]) -> vol.All[Any]:
    """A mapping schema that names any field it does not know."""
    allowed = [str(marker.schema) for marker in fields]

    def known_fields(value: object) -> object:
        if isinstance(value, dict):
            for key in value:
                if key not in allowed:
                    raise vol.Invalid(
                        f"unknown field {key!r} (expected {', '.join(allowed)})",
                        path=[key],
                    )
        return value

    return vol.All(known_fields, vol.Schema(fields))


def _field(name: str, *, strict: bool) -> vol.Marker:
    """A key the bundled files must give; users may leave it to the dataclass default."""
    return vol.Required(name) if strict else vol.Optional(name)


# --- Schemas ----------------------------------------------------------------------

_EC = _real_in(0, 10)
_PH = _real_in(0, 14)


def _phase_profile(data: dict[str, Any]) -> PhaseProfile:
    """Check a phase's bands and build its profile."""
    if data["ec_min"] > data["ec_max"]:
        raise vol.Invalid(
            f"ec_max {data['ec_max']} is below ec_min {data['ec_min']}", path=["ec_max"]
        )
    if data["ph_min"] > data["ph_max"]:
        raise vol.Invalid(
            f"ph_max {data['ph_max']} is below ph_min {data['ph_min']}", path=["ph_max"]
        )
    return PhaseProfile(**data)


_PHASE_SCHEMA: Final = vol.All(
    _record(
        {
            vol.Required("phase"): _choice(Phase, "phase"),
            vol.Required("days"): _integer_in(1, 3650),
            vol.Required("gdd"): _real_in(0, 20000),
            vol.Required("ec_min"): _EC,
            vol.Required("ec_max"): _EC,
            vol.Required("ph_min"): _PH,
            vol.Required("ph_max"): _PH,
            vol.Required("photoperiod_h"): _real_in(0, 24),
            vol.Required("ppfd"): _real_in(0, 2500),
            vol.Required("dli"): _real_in(0, 100),
        }
    ),
    _phase_profile,
)


def _phase_sequence(profiles: list[PhaseProfile]) -> tuple[PhaseProfile, ...]:
    """Require at least one phase, each once, in the natural order."""
    if not profiles:
        raise vol.Invalid("a species needs at least one phase")
    for index, (before, after) in enumerate(pairwise(profiles), start=1):
        if after.phase == before.phase:
            raise vol.Invalid(
                f"phase {after.phase.value!r} is listed twice", path=[index, "phase"]
            )
        if _PHASE_ORDER[after.phase] < _PHASE_ORDER[before.phase]:
            raise vol.Invalid(
                f"phase {after.phase.value!r} cannot follow {before.phase.value!r}",
                path=[index, "phase"],
            )
    return tuple(profiles)


def _species_schema(*, strict: bool) -> vol.All[Any]:
    """The species schema; strict for the bundled file, with defaults for users."""
    return _record(
        {
            vol.Required("name"): _text,
            vol.Required("family"): _key,
            vol.Required("base_temp_c"): _real_in(-10, 35),
            _field("perennial", strict=strict): _flag,
            _field("care_preset", strict=strict): _key,
            _field("water_factor", strict=strict): _real_in(0, 3, above_minimum=True),
            _field("temp_min_c", strict=strict): _real_in(-10, 50),
            _field("temp_max_c", strict=strict): _real_in(-10, 50),
            _field("humidity_min", strict=strict): _real_in(0, 100),
            _field("humidity_max", strict=strict): _real_in(0, 100),
            _field("companions", strict=strict): _key_set,
            _field("antagonists", strict=strict): _key_set,
            vol.Optional("vernalisation_days"): _integer_in(0, 365),
            vol.Required("phases"): vol.All([_PHASE_SCHEMA], _phase_sequence),
        }
    )


def _fertilizer_schema(*, strict: bool) -> vol.All[Any]:
    """The fertilizer schema; strict for the bundled file, with defaults for users."""
    return _record(
        {
            vol.Required("name"): _text,
            vol.Required("kind"): _choice(FertilizerKind, "fertilizer kind"),
            vol.Required("ec_per_ml"): _real_in(0, 5),
            vol.Required("mixing_priority"): _integer_in(0, 100),
            _field("tank_safe", strict=strict): _flag,
            _field("max_ml_per_l", strict=strict): _real_in(0, 50, above_minimum=True),
            _field("contains_sulfate", strict=strict): _flag,
            _field("contains_calcium", strict=strict): _flag,
            _field("acidic", strict=strict): _flag,
            _field("alkaline", strict=strict): _flag,
            vol.Optional("strength_meq_per_ml"): _real_in(0, 50, above_minimum=True),
            vol.Optional("ec_per_meq"): _real_in(0, 1),
            vol.Optional("calcium_mg_per_ml"): _real_in(0, 500),
            vol.Optional("magnesium_mg_per_ml"): _real_in(0, 500),
            vol.Optional("solution_life_days"): _real_in(0, 60, above_minimum=True),
        }
    )


_BUNDLED_SPECIES_SCHEMA: Final = _species_schema(strict=True)
_USER_SPECIES_SCHEMA: Final = _species_schema(strict=False)
_BUNDLED_FERTILIZER_SCHEMA: Final = _fertilizer_schema(strict=True)
_USER_FERTILIZER_SCHEMA: Final = _fertilizer_schema(strict=False)

_FAMILY_SCHEMA: Final = _record(
    {
        vol.Required("name"): _text,
        vol.Required("companions"): _key_set,
        vol.Required("antagonists"): _key_set,
        vol.Optional("successors"): _key_set,
    }
)

_INTERVAL_DAYS = _real_in(0, 3650)
_WINTER_FACTOR = _real_in(0, 10, above_minimum=True)

_CARE_PRESET_SCHEMA: Final = _record(
    {
        vol.Required("water_days"): _INTERVAL_DAYS,
        vol.Required("fertilize_days"): _INTERVAL_DAYS,
        vol.Required("repot_days"): _INTERVAL_DAYS,
        vol.Required("pest_check_days"): _INTERVAL_DAYS,
        vol.Required("winter_water_factor"): _WINTER_FACTOR,
        vol.Required("winter_fertilize_factor"): _WINTER_FACTOR,
    }
)

_PRODUCT_SCHEMA: Final = _record(
    {
        vol.Required("name"): _text,
        vol.Required("active_ingredient"): _text,
        vol.Required("interval_days"): _integer_in(0, 365),
        vol.Required("organic"): _flag,
        vol.Required("mode_of_action"): vol.All(str, vol.Length(max=20)),
        vol.Required("source"): _text,
    }
)


_PEST_SCHEMA: Final = _record(
    {
        vol.Required("name"): _text,
        vol.Required("kind"): vol.In(["pest", "disease"]),
        vol.Required("treatments"): [_key],
    }
)


def _load_pests(
    directory: Path, products: Mapping[str, ProtectionProduct]
) -> dict[str, PestProblem]:
    """Load the pest and disease catalogue; its treatments must be known products."""
    pests: dict[str, PestProblem] = {}
    for key, entry in _read_entries(directory, PESTS_FILE).items():
        data = _validate(_PEST_SCHEMA, entry, file=PESTS_FILE, path=[key])
        for index, product in enumerate(data["treatments"]):
            if product not in products:
                raise _unknown(
                    "product",
                    product,
                    file=PESTS_FILE,
                    path=[key, "treatments", index],
                )
        pests[key] = PestProblem(
            key=key,
            name=data["name"],
            kind=data["kind"],
            treatments=tuple(data["treatments"]),
        )
    return pests


def _kit_rack(data: dict[str, Any]) -> KitRack:
    """Build a kit rack."""
    return KitRack(**data)


def _kit_plant(data: dict[str, Any]) -> KitPlant:
    """Build a kit plant."""
    return KitPlant(**data)


def _kit_tank(data: dict[str, Any]) -> KitTank:
    """Build a kit tank, turning its recipe into (fertilizer, ml per litre) pairs."""
    recipe: list[dict[str, Any]] = data.pop("fertilizers", [])
    seen: set[str] = set()
    for index, item in enumerate(recipe):
        if item["fertilizer"] in seen:
            raise vol.Invalid(
                f"fertilizer {item['fertilizer']!r} is listed twice",
                path=["fertilizers", index, "fertilizer"],
            )
        seen.add(item["fertilizer"])
    return KitTank(
        **data,
        fertilizers=tuple((item["fertilizer"], item["ml_per_l"]) for item in recipe),
    )


_KIT_SCHEMA: Final = _record(
    {
        vol.Required("name"): _text,
        vol.Optional("racks", default=list): [
            vol.All(
                _record(
                    {
                        vol.Required("name"): _text,
                        vol.Required("shelves"): _integer_in(1, MAX_SHELVES),
                        vol.Optional("tank"): _text,
                        vol.Optional("photoperiod_h"): _real_in(0, 24),
                    }
                ),
                _kit_rack,
            )
        ],
        vol.Optional("tanks", default=list): [
            vol.All(
                _record(
                    {
                        vol.Required("name"): _text,
                        vol.Required("tank_type"): _choice(TankType, "tank type"),
                        vol.Required("volume_l"): _real_in(
                            0, 10000, above_minimum=True
                        ),
                        vol.Required("system"): _choice(System, "system"),
                        vol.Optional("fertilizers"): [
                            _record(
                                {
                                    vol.Required("fertilizer"): _key,
                                    vol.Required("ml_per_l"): _real_in(
                                        0, 50, above_minimum=True
                                    ),
                                }
                            )
                        ],
                    }
                ),
                _kit_tank,
            )
        ],
        vol.Optional("plants", default=list): [
            vol.All(
                _record(
                    {
                        vol.Required("species"): _key,
                        vol.Required("quantity"): _integer_in(1, 10000),
                        vol.Optional("rack"): _text,
                        vol.Optional("shelf"): _integer_in(1, MAX_SHELVES),
                        vol.Optional("container_l"): _real_in(
                            0, 1000, above_minimum=True
                        ),
                    }
                ),
                _kit_plant,
            )
        ],
    }
)


# --- Helpers ----------------------------------------------------------------------


def _format_path(parts: Iterable[PathPart]) -> str:
    """Render a path such as `basil.phases[2].ec_max`."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else str(part)
    return text


def _validate(
    schema: Callable[[object], Any],
    data: object,
    *,
    file: str | None,
    path: Sequence[PathPart],
) -> Any:
    """Run a schema, turning its first error into a LibraryError at the full path."""
    try:
        return schema(data)
    except vol.Invalid as err:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            err.msg,
            file=file,
            path=_format_path([*path, *cast(list[PathPart], err.path)]),
        ) from err


def _entry_key(key: object, *, file: str | None) -> str:
    """Check that an entry's own key is a lower-case snake_case string."""
    if not isinstance(key, str) or KEY_PATTERN.fullmatch(key) is None:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            f"key {key!r} must be lower-case snake_case",
            file=file,
            path=str(key),
        )
    return key


def _unknown(
    kind: str, key: str, *, file: str | None, path: Sequence[PathPart]
) -> LibraryError:
    """An error for a reference that does not resolve."""
    return LibraryError(
        ERROR_UNKNOWN_REFERENCE,
        f"unknown {kind} {key!r}",
        file=file,
        path=_format_path(path),
    )


def bundled_copy(file: str) -> Path:
    """The JSON copy of a bundled YAML file (`scripts/build-library` writes it)."""
    return (LIBRARY_DIR / file).with_suffix(".json")


def read_yaml_file(path: Path) -> Any:
    """A YAML file's content (blocking file I/O)."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as err:
        raise LibraryError(
            ERROR_UNREADABLE_FILE,
            f"cannot read the file ({err.strerror})",
            file=path.name,
        ) from err
    try:
        return yaml.load(text, Loader=_SAFE_LOADER)  # noqa: S506
    except yaml.YAMLError as err:
        raise LibraryError(
            ERROR_UNREADABLE_FILE, f"not valid YAML: {err}", file=path.name
        ) from err


def _read_entries(directory: Path, file: str) -> dict[str, Mapping[str, Any]]:
    """Read one file: a non-empty mapping of snake_case keys to mappings.

    The bundled library is read from its JSON copies (the same content, built
    from the YAML and held to it by a test), which parse fifty times faster.
    """
    if directory == LIBRARY_DIR:
        try:
            content = json.loads(bundled_copy(file).read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:
            raise LibraryError(
                ERROR_UNREADABLE_FILE,
                f"cannot read its JSON copy ({err}); run scripts/build-library",
                file=file,
            ) from err
    else:
        content = read_yaml_file(directory / file)
    if not isinstance(content, dict) or not content:
        raise LibraryError(
            ERROR_INVALID_ENTRY, "expected a mapping of keys to entries", file=file
        )
    entries: dict[str, Mapping[str, Any]] = {}
    for key, entry in content.items():
        checked = _entry_key(key, file=file)
        if not isinstance(entry, dict):
            raise LibraryError(
                ERROR_INVALID_ENTRY,
                f"expected a mapping, got {entry!r}",
                file=file,
                path=checked,
            )
        entries[checked] = entry
    return entries


# --- Families, presets, fertilizers, products ---------------------------------------


def _load_families(directory: Path) -> dict[str, Family]:
    """Load the families and check that their pairings name known families."""
    families = {
        key: Family(
            key=key,
            **_validate(_FAMILY_SCHEMA, entry, file=FAMILIES_FILE, path=[key]),
        )
        for key, entry in _read_entries(directory, FAMILIES_FILE).items()
    }
    for family in families.values():
        for field_name in ("companions", "antagonists", "successors"):
            for other in sorted(getattr(family, field_name)):
                if other not in families:
                    raise _unknown(
                        "family",
                        other,
                        file=FAMILIES_FILE,
                        path=[family.key, field_name],
                    )
        _check_pairings(
            family.key, family.companions, family.antagonists, file=FAMILIES_FILE
        )
    return families


def _check_pairings(
    key: str,
    companions: frozenset[str],
    antagonists: frozenset[str],
    *,
    file: str | None,
) -> None:
    """Refuse a pairing with oneself or one that is both companion and antagonist."""
    if key in companions | antagonists:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            f"{key!r} cannot be paired with itself",
            file=file,
            path=f"{key}.{'companions' if key in companions else 'antagonists'}",
        )
    if both := sorted(companions & antagonists):
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            f"{both[0]!r} is both a companion and an antagonist",
            file=file,
            path=f"{key}.antagonists",
        )


def _load_care_presets(directory: Path) -> dict[str, CarePreset]:
    """Load the care presets."""
    return {
        key: CarePreset(
            key=key,
            **_validate(_CARE_PRESET_SCHEMA, entry, file=CARE_PRESETS_FILE, path=[key]),
        )
        for key, entry in _read_entries(directory, CARE_PRESETS_FILE).items()
    }


def _load_products(directory: Path) -> dict[str, ProtectionProduct]:
    """Load the plant protection products."""
    return {
        key: ProtectionProduct(
            key=key,
            **_validate(_PRODUCT_SCHEMA, entry, file=PRODUCTS_FILE, path=[key]),
        )
        for key, entry in _read_entries(directory, PRODUCTS_FILE).items()
    }


def _build_fertilizer(
    key: str, data: Mapping[str, Any], *, schema: vol.All[Any], file: str | None
) -> Fertilizer:
    """Validate one fertilizer entry and build it."""
    fertilizer = Fertilizer(
        key=key, **_validate(schema, data, file=file, path=[_entry_key(key, file=file)])
    )
    if fertilizer.acidic and fertilizer.alkaline:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            "a fertilizer cannot be both acidic and alkaline",
            file=file,
            path=f"{key}.alkaline",
        )
    return fertilizer


def parse_fertilizer(key: str, data: Mapping[str, Any]) -> Fertilizer:
    """Validate a fertilizer the user adds and build it.

    Fields as in fertilizers.yaml; `name`, `kind`, `ec_per_ml` and
    `mixing_priority` are required, the rest default as in `Fertilizer`.

    Raises:
        LibraryError: the key or an entry field is invalid.
    """
    return _build_fertilizer(key, data, schema=_USER_FERTILIZER_SCHEMA, file=None)


# --- Species ----------------------------------------------------------------------


def _build_species(
    key: str, data: Mapping[str, Any], *, schema: vol.All[Any], file: str | None
) -> Species:
    """Validate one species entry and build it (references are checked later)."""
    species = Species(
        key=key, **_validate(schema, data, file=file, path=[_entry_key(key, file=file)])
    )
    if species.temp_min_c >= species.temp_max_c:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            f"temp_max_c {species.temp_max_c} must be above temp_min_c {species.temp_min_c}",
            file=file,
            path=f"{key}.temp_max_c",
        )
    if species.humidity_min >= species.humidity_max:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            f"humidity_max {species.humidity_max} must be above humidity_min {species.humidity_min}",
            file=file,
            path=f"{key}.humidity_max",
        )
    _check_pairings(key, species.companions, species.antagonists, file=file)
    return species


def _check_species_references(
    species: Species,
    *,
    families: Mapping[str, Family],
    care_presets: Mapping[str, CarePreset],
    species_keys: Iterable[str],
    file: str | None,
) -> None:
    """Check that a species' family, care preset and pairings all exist."""
    if species.family not in families:
        raise _unknown(
            "family", species.family, file=file, path=[species.key, "family"]
        )
    if species.care_preset not in care_presets:
        raise _unknown(
            "care preset",
            species.care_preset,
            file=file,
            path=[species.key, "care_preset"],
        )
    known = set(species_keys)
    for field_name in ("companions", "antagonists"):
        for other in sorted(getattr(species, field_name)):
            if other not in known:
                raise _unknown(
                    "species", other, file=file, path=[species.key, field_name]
                )


def _load_species(
    directory: Path,
    families: Mapping[str, Family],
    care_presets: Mapping[str, CarePreset],
) -> dict[str, Species]:
    """Load the species and check every reference they make."""
    species = {
        key: _build_species(
            key, entry, schema=_BUNDLED_SPECIES_SCHEMA, file=SPECIES_FILE
        )
        for key, entry in _read_entries(directory, SPECIES_FILE).items()
    }
    for item in species.values():
        _check_species_references(
            item,
            families=families,
            care_presets=care_presets,
            species_keys=species,
            file=SPECIES_FILE,
        )
    return species


def parse_species(key: str, data: Mapping[str, Any], library: Library) -> Species:
    """Validate a species the user adds and build it.

    Fields as in species.yaml; `name`, `family`, `base_temp_c` and `phases` are
    required, the rest default as in `Species`. The family, care preset,
    companions and antagonists must exist in `library`.

    Raises:
        LibraryError: the key, a field or a reference is invalid.
    """
    species = _build_species(key, data, schema=_USER_SPECIES_SCHEMA, file=None)
    _check_species_references(
        species,
        families=library.families,
        care_presets=library.care_presets,
        species_keys=library.species,
        file=None,
    )
    return species


# --- Starter kits -----------------------------------------------------------------


def _check_kit(
    kit: StarterKit,
    *,
    species: Mapping[str, Species],
    fertilizers: Mapping[str, Fertilizer],
) -> None:
    """Check that a kit's racks, tanks, plants and recipes all resolve."""
    tank_names: set[str] = set()
    for index, tank in enumerate(kit.tanks):
        if tank.name in tank_names:
            raise LibraryError(
                ERROR_INVALID_ENTRY,
                f"tank name {tank.name!r} is used twice",
                file=KITS_FILE,
                path=_format_path([kit.key, "tanks", index, "name"]),
            )
        tank_names.add(tank.name)
        for item, (fertilizer_key, ml_per_l) in enumerate(tank.fertilizers):
            path: list[PathPart] = [kit.key, "tanks", index, "fertilizers", item]
            fertilizer = fertilizers.get(fertilizer_key)
            if fertilizer is None:
                raise _unknown(
                    "fertilizer",
                    fertilizer_key,
                    file=KITS_FILE,
                    path=[*path, "fertilizer"],
                )
            if ml_per_l > fertilizer.max_ml_per_l:
                raise LibraryError(
                    ERROR_INVALID_ENTRY,
                    f"{ml_per_l} ml/L of {fertilizer_key!r} is above its maximum "
                    f"of {fertilizer.max_ml_per_l} ml/L",
                    file=KITS_FILE,
                    path=_format_path([*path, "ml_per_l"]),
                )
    racks: dict[str, KitRack] = {}
    for index, rack in enumerate(kit.racks):
        if rack.name in racks:
            raise LibraryError(
                ERROR_INVALID_ENTRY,
                f"rack name {rack.name!r} is used twice",
                file=KITS_FILE,
                path=_format_path([kit.key, "racks", index, "name"]),
            )
        racks[rack.name] = rack
        if rack.tank is not None and rack.tank not in tank_names:
            raise _unknown(
                "tank",
                rack.tank,
                file=KITS_FILE,
                path=[kit.key, "racks", index, "tank"],
            )
    for index, plant in enumerate(kit.plants):
        path = [kit.key, "plants", index]
        if plant.species not in species:
            raise _unknown(
                "species", plant.species, file=KITS_FILE, path=[*path, "species"]
            )
        if plant.rack is None:
            if plant.shelf is not None:
                raise LibraryError(
                    ERROR_INVALID_ENTRY,
                    "a shelf needs a rack",
                    file=KITS_FILE,
                    path=_format_path([*path, "shelf"]),
                )
            continue
        home = racks.get(plant.rack)
        if home is None:
            raise _unknown("rack", plant.rack, file=KITS_FILE, path=[*path, "rack"])
        if plant.shelf is not None and plant.shelf > home.shelves:
            raise LibraryError(
                ERROR_INVALID_ENTRY,
                f"shelf {plant.shelf} is above the {home.shelves} shelves of {home.name!r}",
                file=KITS_FILE,
                path=_format_path([*path, "shelf"]),
            )


def _load_kits(
    directory: Path,
    species: Mapping[str, Species],
    fertilizers: Mapping[str, Fertilizer],
) -> dict[str, StarterKit]:
    """Load the starter kits and check that each one resolves."""
    kits: dict[str, StarterKit] = {}
    for key, entry in _read_entries(directory, KITS_FILE).items():
        data = _validate(_KIT_SCHEMA, entry, file=KITS_FILE, path=[key])
        kit = StarterKit(
            key=key,
            name=data["name"],
            racks=tuple(data["racks"]),
            tanks=tuple(data["tanks"]),
            plants=tuple(data["plants"]),
        )
        _check_kit(kit, species=species, fertilizers=fertilizers)
        kits[key] = kit
    return kits


# --- Water chemistry ---------------------------------------------------------------

_MG_L = _real_in(0, 1000)
_PER_PHASE: Final = vol.Schema({vol.Required(str(phase)): _EC for phase in Phase})
_WATER_SCHEMA: Final = _record(
    {
        vol.Required("calmag"): _record(
            {
                vol.Required(name): _MG_L
                for name in (
                    "calcium_mg_l",
                    "magnesium_mg_l",
                    "tap_calcium_mg_l",
                    "tap_magnesium_mg_l",
                )
            }
        ),
        vol.Required("ec_ceilings"): vol.Schema(
            {vol.Required(str(system)): _PER_PHASE for system in System}
        ),
        vol.Required("ph_levels"): vol.Schema(
            {
                vol.Required(str(system)): _record(
                    {vol.Required("critical_margin"): _real_in(0, 3)}
                )
                for system in System
            }
        ),
        vol.Required("ph_drift"): _record(
            {
                vol.Required("alert_per_day"): _real_in(0, 5, above_minimum=True),
                vol.Required("end_per_day"): _real_in(0, 5, above_minimum=True),
            }
        ),
    }
)


def _load_water(directory: Path) -> WaterChemistry:
    """Load the tank chemistry figures; the drift alert must end below its start."""
    entries = _read_entries(directory, WATER_FILE)
    data = _validate(_WATER_SCHEMA, dict(entries), file=WATER_FILE, path=[])
    drift = data["ph_drift"]
    if drift["end_per_day"] >= drift["alert_per_day"]:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            "end_per_day must be below alert_per_day",
            file=WATER_FILE,
            path="ph_drift.end_per_day",
        )
    calmag = data["calmag"]
    return WaterChemistry(
        calmag_calcium_mg_l=calmag["calcium_mg_l"],
        calmag_magnesium_mg_l=calmag["magnesium_mg_l"],
        tap_calcium_mg_l=calmag["tap_calcium_mg_l"],
        tap_magnesium_mg_l=calmag["tap_magnesium_mg_l"],
        ec_ceilings={
            System(system): {Phase(phase): value for phase, value in phases.items()}
            for system, phases in data["ec_ceilings"].items()
        },
        ph_critical_margin={
            System(system): item["critical_margin"]
            for system, item in data["ph_levels"].items()
        },
        ph_drift_alert_per_day=drift["alert_per_day"],
        ph_drift_end_per_day=drift["end_per_day"],
    )


# --- Public entry points ----------------------------------------------------------


def load_library(directory: Path | None = None) -> Library:
    """Read, validate and cross-check the library files (blocking file I/O).

    Args:
        directory: the folder that holds the YAML files; the bundled one by default.

    Raises:
        LibraryError: a file is missing or unreadable, an entry is invalid or a
            reference does not resolve.
    """
    folder = LIBRARY_DIR if directory is None else directory
    families = _load_families(folder)
    care_presets = _load_care_presets(folder)
    fertilizers = {
        key: _build_fertilizer(
            key, entry, schema=_BUNDLED_FERTILIZER_SCHEMA, file=FERTILIZERS_FILE
        )
        for key, entry in _read_entries(folder, FERTILIZERS_FILE).items()
    }
    products = _load_products(folder)
    species = _load_species(folder, families, care_presets)
    kits = _load_kits(folder, species, fertilizers)
    water = _load_water(folder)
    return Library(
        families=families,
        species=species,
        fertilizers=fertilizers,
        products=products,
        care_presets=care_presets,
        kits=kits,
        pests=_load_pests(folder, products),
        water=water,
    )


def merge_user_entries(
    library: Library,
    *,
    species: Mapping[str, Species | Mapping[str, Any]] | None = None,
    fertilizers: Mapping[str, Fertilizer | Mapping[str, Any]] | None = None,
) -> Library:
    """Return a new library with the user's species and fertilizers added.

    Entries are keyed by their library key; each value is either the entry's
    data as stored in the options (validated here like `parse_species` and
    `parse_fertilizer` do) or an already parsed `Species` / `Fertilizer`. User
    species may pair with bundled species and with each other. The given
    library is left unchanged.

    Raises:
        LibraryError: a user key shadows a bundled key, an entry is invalid, or a
            user species names a family, care preset or species that does not exist.
    """
    user_fertilizers: dict[str, Fertilizer] = {}
    for key, fertilizer_entry in (fertilizers or {}).items():
        _check_user_key(key, library.fertilizers, kind="fertilizer")
        user_fertilizers[key] = (
            _same_key(key, fertilizer_entry)
            if isinstance(fertilizer_entry, Fertilizer)
            else parse_fertilizer(key, fertilizer_entry)
        )
    user_species: dict[str, Species] = {}
    for key, species_entry in (species or {}).items():
        _check_user_key(key, library.species, kind="species")
        user_species[key] = (
            _same_key(key, species_entry)
            if isinstance(species_entry, Species)
            else _build_species(
                key, species_entry, schema=_USER_SPECIES_SCHEMA, file=None
            )
        )
    merged_species = {**library.species, **user_species}
    for item in user_species.values():
        _check_species_references(
            item,
            families=library.families,
            care_presets=library.care_presets,
            species_keys=merged_species,
            file=None,
        )
    return dataclasses.replace(
        library,
        species=merged_species,
        fertilizers={**library.fertilizers, **user_fertilizers},
    )


def _check_user_key(key: str, bundled: Mapping[str, object], *, kind: str) -> None:
    """Refuse a user key that would replace a bundled entry."""
    if key in bundled:
        raise LibraryError(
            ERROR_DUPLICATE_KEY,
            f"{key!r} is already a library {kind}; choose another key",
            path=key,
        )


def _same_key[E: Species | Fertilizer](key: str, entry: E) -> E:
    """Return a parsed entry after checking it is filed under its own key."""
    if entry.key != key:
        raise LibraryError(
            ERROR_INVALID_ENTRY,
            f"entry {entry.key!r} is filed under the key {key!r}",
            path=key,
        )
    return entry
