"""Checks and normalisation of farm, rack, tank and plant data.

One place for the rules that a form schema cannot express (names unique in
the farm, links to records that exist, shelves that exist, positive volumes,
library keys), used by the config flows and by the actions that create
records, so a record is accepted or refused the same way everywhere. Ranges
and choices are enforced by the forms' selectors before these run. Each check
returns `{field: error_key}`; the keys are translated under `config.error` /
`config_subentries.<type>.error`.

The rules for single values (numbers are finite, names are trimmed, visible,
short and free of control and text-direction characters) live here too; the
actions' schemas turn the same rules into translated errors.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
import math
import re
from typing import Any, Final
import unicodedata

from homeassistant.config_entries import ConfigEntry
from homeassistant.util import slugify

from .const import (
    CONF_ALKALINITY,
    CONF_AREA,
    CONF_CARE_PRESET,
    CONF_CONTAINER_L,
    CONF_CULTIVAR,
    CONF_EC_SENSOR,
    CONF_FERTILIZER,
    CONF_FERTILIZERS,
    CONF_HEMISPHERE,
    CONF_HUMIDITY_SENSOR,
    CONF_LEVEL_SENSOR,
    CONF_LIGHT_ENTITY,
    CONF_LIGHT_MODE,
    CONF_LIGHT_SENSOR,
    CONF_LIGHTS_ON,
    CONF_ML_PER_L,
    CONF_MOISTURE_SENSOR,
    CONF_NAME,
    CONF_PH_SENSOR,
    CONF_PHASE,
    CONF_PHOTOPERIOD_H,
    CONF_PLANTED,
    CONF_PUMP_ENTITY,
    CONF_PUMP_OFF_MIN,
    CONF_PUMP_ON_MIN,
    CONF_QUANTITY,
    CONF_RACK,
    CONF_RO_EC,
    CONF_SHELF,
    CONF_SHELF_WATERING,
    CONF_SHELVES,
    CONF_SITES_PER_SHELF,
    CONF_SPECIES,
    CONF_SYSTEM,
    CONF_TANK,
    CONF_TANK_TYPE,
    CONF_TAP_EC,
    CONF_TAP_PH,
    CONF_TEMPERATURE_SENSOR,
    CONF_VOLUME_L,
    CONF_VOLUME_SENSOR,
    CONF_WATERING_INTERVAL_DAYS,
    CONF_WATERING_MODE,
    CONF_WATERING_WEEKDAYS,
    DEFAULT_ALKALINITY,
    DEFAULT_LIGHTS_ON,
    DEFAULT_PHOTOPERIOD_H,
    DEFAULT_PUMP_OFF_MIN,
    DEFAULT_PUMP_ON_MIN,
    DEFAULT_SHELVES,
    DEFAULT_TAP_EC,
    DEFAULT_TAP_PH,
    LIGHT_MODE_AUTO,
    MAX_WATERING_INTERVAL_DAYS,
    SUBENTRY_PLANT,
    SUBENTRY_RACK,
    SUBENTRY_TANK,
)
from .engine.profiles import Hemisphere, Library, Phase, System, TankType

type Errors = dict[str, str]

MAX_TEXT_LENGTH: Final = 100  # names and free text, in flows and actions alike
# Control characters, lone surrogates and line / paragraph separators.
_CONTROL_CATEGORIES: Final = frozenset({"Cc", "Cs", "Zl", "Zp"})
# Format characters (zero-width spaces and joiners, soft hyphens...) show as nothing.
_FORMAT_CATEGORY: Final = "Cf"
# Direction embeddings, overrides and isolates can show a name reversed or make
# it pass for another; the plain direction marks (U+200E, U+200F) may stay.
_DIRECTION_CHARACTERS: Final = frozenset(
    "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
)
# Zero-width characters, trimmed with the spaces around a text; inside it the
# joiners make emoji sequences and Persian words, so there they stay.
_ZERO_WIDTH: Final = "\u200b\u200c\u200d\u2060\ufeff"
_EDGES: Final = re.compile(rf"\A[\s{_ZERO_WIDTH}]+|[\s{_ZERO_WIDTH}]+\Z")


def finite_number(value: Any) -> float | None:
    """`value` as a finite float; None for NaN, infinity and what is no number."""
    if isinstance(value, bool):
        return None
    try:
        number = float(value)
    except TypeError, ValueError:
        return None
    return number if math.isfinite(number) else None


def has_control_characters(text: str) -> bool:
    """Whether the text holds control characters, surrogates or line separators."""
    return any(unicodedata.category(char) in _CONTROL_CATEGORIES for char in text)


def text_error(text: str) -> str | None:
    """What is wrong with a trimmed name or free text: an error key, or None."""
    if len(text) > MAX_TEXT_LENGTH:
        return "text_too_long"
    if has_control_characters(text):
        return "text_control_characters"
    if any(char in _DIRECTION_CHARACTERS for char in text):
        return "text_direction_characters"
    return None


def trimmed_text(value: Any) -> str:
    """`value` as text without spaces or zero-width characters around it.

    Empty when nothing in it would show: only spaces and format characters.
    """
    text = _EDGES.sub("", "" if value is None else str(value))
    if all(
        char.isspace() or unicodedata.category(char) == _FORMAT_CATEGORY
        for char in text
    ):
        return ""
    return text


def name_key(name: str) -> str:
    """The key two names collide on (and a user library key): lower snake case.

    Empty when the name has no letters or digits.
    """
    return "" if not any(char.isalnum() for char in name) else slugify(name.strip())


def _text(value: Any) -> str | None:
    return trimmed_text(value) or None


def form_text(user_input: Mapping[str, Any], key: str, errors: Errors) -> str | None:
    """A form's text field, trimmed (None when empty); its error goes in `errors`."""
    text = _text(user_input.get(key))
    if text is not None and (error := text_error(text)) is not None:
        errors[key] = error
    return text


def form_name(user_input: Mapping[str, Any], errors: Errors) -> str | None:
    """A form's name, trimmed; an empty name or one without letters or digits is an error."""
    name = form_text(user_input, CONF_NAME, errors)
    if name is None or not name_key(name):
        errors.setdefault(CONF_NAME, "name_invalid")
    return name


def form_number(
    user_input: Mapping[str, Any], key: str, default: float | None, errors: Errors
) -> float | None:
    """A form's number field (the default when left out, None when empty).

    NaN and infinity pass a number selector; they are refused here.
    """
    value = user_input.get(key, default)
    if value is None or value == "":
        return None
    number = finite_number(value)
    if number is None:
        errors[key] = "number_invalid"
    return number


def form_whole_number(
    user_input: Mapping[str, Any], key: str, default: int | None, errors: Errors
) -> int | None:
    """A form's whole-number field; 3.0 is 3, but half a tray is an error."""
    number = form_number(user_input, key, default, errors)
    if number is None:
        return None
    if not number.is_integer():
        errors[key] = "whole_number_required"
        return None
    return int(number)


def form_boolean(
    user_input: Mapping[str, Any], key: str, default: bool, errors: Errors
) -> bool:
    """A form's switch: True or False only (the default when left out).

    A boolean selector turns any non-empty text into True; "false" is refused
    here rather than read as on.
    """
    value = user_input.get(key, default)
    if not isinstance(value, bool):
        errors[key] = "boolean_required"
        return default
    return value


def normalize_farm(user_input: Mapping[str, Any]) -> tuple[dict[str, Any], Errors]:
    """The farm's entry data from a form or a caller, and what is wrong with it."""
    errors: Errors = {}
    name = form_name(user_input, errors)
    tap_ec = form_number(user_input, CONF_TAP_EC, DEFAULT_TAP_EC, errors)
    ro_ec = form_number(user_input, CONF_RO_EC, None, errors)
    if ro_ec is not None and tap_ec is not None and ro_ec >= tap_ec:
        errors[CONF_RO_EC] = "ro_not_below_tap"
    data = {
        CONF_NAME: name or "",
        CONF_HEMISPHERE: str(user_input.get(CONF_HEMISPHERE, Hemisphere.NORTH)),
        CONF_TAP_EC: tap_ec,
        CONF_TAP_PH: form_number(user_input, CONF_TAP_PH, DEFAULT_TAP_PH, errors),
        CONF_ALKALINITY: form_number(
            user_input, CONF_ALKALINITY, DEFAULT_ALKALINITY, errors
        ),
        CONF_RO_EC: ro_ec,
    }
    return data, errors


def _siblings(
    entry: ConfigEntry, subentry_type: str, exclude: str | None
) -> dict[str, Mapping[str, Any]]:
    return {
        subentry_id: subentry.data
        for subentry_id, subentry in entry.subentries.items()
        if subentry.subentry_type == subentry_type and subentry_id != exclude
    }


def _unique_name(
    entry: ConfigEntry,
    subentry_type: str,
    user_input: Mapping[str, Any],
    exclude: str | None,
) -> tuple[str | None, Errors]:
    """A form's name, and its error (a bad name, or one a sibling has)."""
    errors: Errors = {}
    name = form_name(user_input, errors)
    if errors or name is None:
        return name, errors
    taken = {
        name_key(str(data.get(CONF_NAME, "")))
        for data in _siblings(entry, subentry_type, exclude).values()
    }
    if name_key(name) in taken:
        errors[CONF_NAME] = "name_exists"
    return name, errors


def normalize_rack(
    entry: ConfigEntry, user_input: Mapping[str, Any], exclude: str | None = None
) -> tuple[dict[str, Any], Errors]:
    """A rack's subentry data, and what is wrong with it."""
    name, errors = _unique_name(entry, SUBENTRY_RACK, user_input, exclude)
    shelves = form_whole_number(user_input, CONF_SHELVES, DEFAULT_SHELVES, errors)
    # Fewer shelves than plants stand on would strand them.
    used = [
        int(data[CONF_SHELF])
        for data in _siblings(entry, SUBENTRY_PLANT, None).values()
        if exclude is not None
        and data.get(CONF_RACK) == exclude
        and data.get(CONF_SHELF) is not None
    ]
    if used and shelves is not None and max(used) > shelves:
        errors[CONF_SHELVES] = "shelves_in_use"
    tank = _text(user_input.get(CONF_TANK))
    if tank is not None and tank not in _siblings(entry, SUBENTRY_TANK, None):
        errors[CONF_TANK] = "unknown_tank"
    # Its bounds are the selector's; NaN and half a site are refused here.
    sites = form_whole_number(user_input, CONF_SITES_PER_SHELF, None, errors)
    data: dict[str, Any] = {
        CONF_NAME: name or "",
        CONF_SHELVES: shelves,
        CONF_SITES_PER_SHELF: sites,
        CONF_TANK: tank,
        CONF_LIGHT_ENTITY: _text(user_input.get(CONF_LIGHT_ENTITY)),
        CONF_LIGHT_MODE: str(user_input.get(CONF_LIGHT_MODE, LIGHT_MODE_AUTO)),
        CONF_LIGHTS_ON: time.fromisoformat(
            str(user_input.get(CONF_LIGHTS_ON) or DEFAULT_LIGHTS_ON)
        ).isoformat(timespec="seconds"),
        CONF_PHOTOPERIOD_H: form_number(
            user_input, CONF_PHOTOPERIOD_H, DEFAULT_PHOTOPERIOD_H, errors
        ),
        CONF_PUMP_ENTITY: _text(user_input.get(CONF_PUMP_ENTITY)),
        CONF_PUMP_ON_MIN: form_whole_number(
            user_input, CONF_PUMP_ON_MIN, DEFAULT_PUMP_ON_MIN, errors
        ),
        CONF_PUMP_OFF_MIN: form_whole_number(
            user_input, CONF_PUMP_OFF_MIN, DEFAULT_PUMP_OFF_MIN, errors
        ),
        CONF_TEMPERATURE_SENSOR: _text(user_input.get(CONF_TEMPERATURE_SENSOR)),
        CONF_HUMIDITY_SENSOR: _text(user_input.get(CONF_HUMIDITY_SENSOR)),
        CONF_LIGHT_SENSOR: _text(user_input.get(CONF_LIGHT_SENSOR)),
        CONF_AREA: _text(user_input.get(CONF_AREA)),
    }
    # The shelves' watering plans are set by action, not in the form: keep them.
    before = entry.subentries.get(exclude or "")
    if before is not None and (plans := before.data.get(CONF_SHELF_WATERING)):
        data[CONF_SHELF_WATERING] = {
            shelf: plan
            for shelf, plan in plans.items()
            if shelves is None or int(shelf) <= shelves
        }
    return data, errors


def normalize_tank(
    entry: ConfigEntry,
    library: Library,
    user_input: Mapping[str, Any],
    exclude: str | None = None,
) -> tuple[dict[str, Any], Errors]:
    """A tank's subentry data, and what is wrong with it."""
    name, errors = _unique_name(entry, SUBENTRY_TANK, user_input, exclude)
    volume_l = form_number(user_input, CONF_VOLUME_L, 0, errors)
    if volume_l is None or volume_l <= 0:
        errors.setdefault(CONF_VOLUME_L, "volume_invalid")
    fertilizers: list[dict[str, Any]] = []
    for item in user_input.get(CONF_FERTILIZERS) or ():
        key = str(item.get(CONF_FERTILIZER, "")) if isinstance(item, Mapping) else ""
        fertilizer = library.fertilizers.get(key)
        if fertilizer is None:
            errors[CONF_FERTILIZERS] = "unknown_fertilizer"
            continue
        dose = finite_number(item.get(CONF_ML_PER_L, 0))
        if dose is None:
            errors[CONF_FERTILIZERS] = "number_invalid"
            continue
        if not 0 < dose <= fertilizer.max_ml_per_l:
            errors[CONF_FERTILIZERS] = "dose_out_of_range"
        fertilizers.append({CONF_FERTILIZER: key, CONF_ML_PER_L: dose})
    data = {
        CONF_NAME: name or "",
        CONF_TANK_TYPE: str(user_input.get(CONF_TANK_TYPE, TankType.NUTRIENT)),
        CONF_VOLUME_L: volume_l,
        CONF_SYSTEM: str(user_input.get(CONF_SYSTEM, System.HYDRO)),
        CONF_EC_SENSOR: _text(user_input.get(CONF_EC_SENSOR)),
        CONF_PH_SENSOR: _text(user_input.get(CONF_PH_SENSOR)),
        CONF_TEMPERATURE_SENSOR: _text(user_input.get(CONF_TEMPERATURE_SENSOR)),
        CONF_LEVEL_SENSOR: _text(user_input.get(CONF_LEVEL_SENSOR)),
        CONF_FERTILIZERS: fertilizers,
        CONF_AREA: _text(user_input.get(CONF_AREA)),
    }
    # only when linked, so tanks made before it existed keep their data as it was
    if volume_sensor := _text(user_input.get(CONF_VOLUME_SENSOR)):
        data[CONF_VOLUME_SENSOR] = volume_sensor
    return data, errors


def normalize_plant(
    entry: ConfigEntry,
    library: Library,
    user_input: Mapping[str, Any],
    today: date,
    exclude: str | None = None,
) -> tuple[dict[str, Any], Errors]:
    """A plant's subentry data, and what is wrong with it."""
    name, errors = _unique_name(entry, SUBENTRY_PLANT, user_input, exclude)
    species_key = _text(user_input.get(CONF_SPECIES))
    species = library.species.get(species_key or "")
    if species_key is not None and species is None:
        errors[CONF_SPECIES] = "unknown_species"
    rack = _text(user_input.get(CONF_RACK))
    shelf = form_whole_number(user_input, CONF_SHELF, None, errors)
    racks = _siblings(entry, SUBENTRY_RACK, None)
    if rack is not None and rack not in racks:
        errors[CONF_RACK] = "unknown_rack"
    elif shelf is not None:
        if rack is None:
            errors[CONF_SHELF] = "shelf_without_rack"
        elif not 1 <= shelf <= int(racks[rack].get(CONF_SHELVES, DEFAULT_SHELVES)):
            errors[CONF_SHELF] = "shelf_out_of_range"
    planted = date.fromisoformat(str(user_input.get(CONF_PLANTED) or today.isoformat()))
    if planted > today:
        errors[CONF_PLANTED] = "planted_in_future"
    phase = _text(user_input.get(CONF_PHASE))
    if (
        phase is not None
        and species is not None
        and Phase(phase) not in species.sequence
    ):
        errors[CONF_PHASE] = "phase_not_in_sequence"
    if phase is None and species is not None:
        phase = species.sequence[0]
    care_preset = _text(user_input.get(CONF_CARE_PRESET))
    if care_preset is None and species is not None:
        care_preset = species.care_preset
    container_l = form_number(user_input, CONF_CONTAINER_L, None, errors)
    if container_l is not None and container_l <= 0:
        errors[CONF_CONTAINER_L] = "volume_invalid"
    data = {
        CONF_NAME: name or "",
        CONF_SPECIES: species_key,
        CONF_CULTIVAR: form_text(user_input, CONF_CULTIVAR, errors),
        CONF_QUANTITY: form_whole_number(user_input, CONF_QUANTITY, 1, errors),
        CONF_RACK: rack,
        CONF_SHELF: shelf,
        CONF_PLANTED: planted.isoformat(),
        CONF_PHASE: phase,
        CONF_CARE_PRESET: care_preset,
        CONF_CONTAINER_L: container_l,
        CONF_MOISTURE_SENSOR: _text(user_input.get(CONF_MOISTURE_SENSOR)),
        CONF_AREA: _text(user_input.get(CONF_AREA)),
    }
    data.update(normalize_watering_plan(user_input, errors))
    return data, errors


WATERING_MODES = ("weekdays", "every_n_days")


def normalize_watering_plan(
    user_input: Mapping[str, Any], errors: Errors
) -> dict[str, Any]:
    """A plant's watering plan fields; nothing without a mode (the preset rules).

    Weekdays come as "0" (Monday) .. "6" (Sunday); every-N-days needs 1-60 days.
    """
    mode = _text(user_input.get(CONF_WATERING_MODE))
    if mode is None:
        return {}
    if mode not in WATERING_MODES:
        errors[CONF_WATERING_MODE] = "watering_mode_invalid"
        return {}
    if mode == "weekdays":
        raw = user_input.get(CONF_WATERING_WEEKDAYS) or []
        days = {str(day) for day in raw} if isinstance(raw, list) else {str(raw)}
        if not days or not days <= {str(day) for day in range(7)}:
            errors[CONF_WATERING_WEEKDAYS] = "no_watering_days"
            return {}
        return {
            CONF_WATERING_MODE: mode,
            CONF_WATERING_WEEKDAYS: sorted(int(day) for day in days),
        }
    interval = form_whole_number(user_input, CONF_WATERING_INTERVAL_DAYS, None, errors)
    if interval is None or not 1 <= interval <= MAX_WATERING_INTERVAL_DAYS:
        errors.setdefault(CONF_WATERING_INTERVAL_DAYS, "watering_interval_invalid")
        return {}
    return {CONF_WATERING_MODE: mode, CONF_WATERING_INTERVAL_DAYS: interval}
