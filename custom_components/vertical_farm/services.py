"""Actions: log what happened, move phases, plan a tank mix, add plants, overview.

Every action works through the live farm (farm.py), so entities, events, the
care list and the calendar follow at once and records are on disk before the
call returns. Racks, tanks and plants are named by their device ids; every
refusal is a translated ServiceValidationError naming the problem and the
value, raised before anything is written, so a refused call changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any, Final

from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    config_validation as cv,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.util import dt as dt_util
import probatio

from .const import (
    CONF_FERTILIZER,
    CONF_ML_PER_L,
    CONF_NAME,
    CONF_PHASE,
    CONF_PLANTED,
    CONF_QUANTITY,
    CONF_RACK,
    CONF_SHELF,
    CONF_SPECIES,
    DOMAIN,
    MAX_ALKALINITY,
    MAX_EC,
    MAX_QUANTITY,
    MAX_SHELVES,
    MAX_VOLUME_L,
    SUBENTRY_PLANT,
    SUBENTRY_RACK,
    SUBENTRY_TANK,
)
from .engine import nutrients
from .engine.care import Urgency
from .engine.chemistry import analyze_runoff
from .engine.errors import FarmError
from .engine.inspections import Application, mode_of_action_warnings
from .engine.profiles import (
    Fertilizer,
    FertilizerKind,
    Library,
    Phase,
    ProtectionProduct,
)
from .farm import Farm, FarmConfigEntry
from .figures import (
    DLI_DIGITS,
    EC_DIGITS,
    HOURS_DIGITS,
    LITRES_DIGITS,
    PERCENT_DIGITS,
    PH_DIGITS,
    rounded,
    tank_figures,
)
from .grower_records import FEEDING_KINDS
from .placement import placement_report
from .select import farm_error
from .store import FeedingDetails, HarvestedData
from .tank_chemistry import MixRequest, plan_mix, runoff_answer
from .validation import (
    MAX_TEXT_LENGTH,
    finite_number,
    name_key,
    normalize_plant,
    text_error,
    trimmed_text,
)

SERVICE_SET_PHASE: Final = "set_phase"
SERVICE_LOG_WATERING: Final = "log_watering"
SERVICE_LOG_FEEDING: Final = "log_feeding"
SERVICE_APPLY_TREATMENT: Final = "apply_treatment"
SERVICE_RECORD_HARVEST: Final = "record_harvest"
SERVICE_MIX_NUTRIENTS: Final = "mix_nutrients"
SERVICE_ADD_PLANTS: Final = "add_plants"
SERVICE_GET_OVERVIEW: Final = "get_overview"
SERVICE_ANALYZE_RUNOFF: Final = "analyze_runoff"

ATTR_PLANT: Final = "plant"
ATTR_PLANTS: Final = "plants"
ATTR_RACK: Final = "rack"
ATTR_RACKS: Final = "racks"
ATTR_TANK: Final = "tank"
ATTR_FARM: Final = "farm"
ATTR_PHASE: Final = "phase"
ATTR_FORCE: Final = "force"
ATTR_AT: Final = "at"
ATTR_VOLUME_L: Final = "volume_l"
ATTR_KIND: Final = "kind"
ATTR_EC: Final = "ec"
ATTR_PH: Final = "ph"
ATTR_FERTILIZERS: Final = "fertilizers"
ATTR_PRODUCT: Final = "product"
ATTR_ACTIVE_INGREDIENT: Final = "active_ingredient"
ATTR_SAFETY_INTERVAL_DAYS: Final = "safety_interval_days"
ATTR_WEIGHT_G: Final = "weight_g"
ATTR_COUNT: Final = "count"
ATTR_FINAL: Final = "final"
ATTR_TARGET_EC: Final = "target_ec"
ATTR_BASE_EC: Final = "base_ec"
ATTR_NAME: Final = "name"
ATTR_EC_PER_ML: Final = "ec_per_ml"
ATTR_MIXING_PRIORITY: Final = "mixing_priority"
ATTR_MAX_ML_PER_L: Final = "max_ml_per_l"
ATTR_SPECIES: Final = "species"
ATTR_QUANTITY: Final = "quantity"
ATTR_SHELF: Final = "shelf"
ATTR_PLANTED: Final = "planted"
# Tank chemistry (mix_nutrients extras and analyze_runoff).
ATTR_TARGET_PH: Final = "target_ph"
ATTR_ALKALINITY: Final = "alkalinity"
ATTR_PH_ADJUSTER: Final = "ph_adjuster"
ATTR_LEVEL_L: Final = "level_l"
ATTR_CURRENT_EC: Final = "current_ec"
ATTR_CALCIUM: Final = "calcium"
ATTR_MAGNESIUM: Final = "magnesium"
ATTR_INPUT_EC: Final = "input_ec"
ATTR_INPUT_PH: Final = "input_ph"
ATTR_INPUT_VOLUME_L: Final = "input_volume_l"
ATTR_RUNOFF_EC: Final = "runoff_ec"
ATTR_RUNOFF_PH: Final = "runoff_ph"
ATTR_RUNOFF_VOLUME_L: Final = "runoff_volume_l"
MAX_MINERAL_MG_L: Final = 1000.0


# Bounds of what a grower can mean; anything beyond is a typing slip.
MAX_BACKDATE: Final = timedelta(days=366)  # records are logged within a season
MAX_INTERVAL_DAYS: Final = 365.0  # the longest pre-harvest interval on any label
MAX_WEIGHT_G: Final = 1_000_000.0
MAX_COUNT: Final = 1_000_000
MAX_FEEDING_ML: Final = 100_000.0  # 100 L of concentrate in one feeding
MAX_DOSE_ML_PER_L: Final = 50.0  # the tank form's bound
MAX_EC_PER_ML: Final = 5.0
MAX_MIXING_PRIORITY: Final = 100
MAX_MIX_ITEMS: Final = 30
# Products of one's own mix between the library's base parts (30-40) and additives (50-60).
DEFAULT_OWN_MIXING_PRIORITY: Final = 40

type _Handler = Callable[[ServiceCall], Coroutine[Any, Any, ServiceResponse]]


def _refuse(code: str, field: str, **params: str | float) -> ServiceValidationError:
    """A translated refusal of one field's value (schemas run before any handler)."""
    return farm_error(FarmError(code, field=field, **params))


def finite(field: str) -> Callable[[Any], float]:
    """A finite number; NaN, infinity and what is no number are refused.

    Also where no schema runs first: an entity's own value setter.
    """

    def validate(value: Any) -> float:
        number = finite_number(value)
        if number is None:
            raise _refuse("number_invalid", field, value=str(value)[:MAX_TEXT_LENGTH])
        return number

    return validate


def _number(
    field: str, minimum: float, maximum: float, *, above_minimum: bool = False
) -> probatio.All[float]:
    """A finite number within bounds."""
    return probatio.All(
        finite(field),
        probatio.Range(min=minimum, max=maximum, min_included=not above_minimum),
    )


def _integer(field: str, minimum: int, maximum: int) -> probatio.All[int]:
    """A whole number within bounds; 3.0 from a number box is 3, half a tray a slip."""

    def whole(number: float) -> int:
        if not number.is_integer():
            raise _refuse("whole_number_required", field, value=str(number))
        return int(number)

    return probatio.All(finite(field), whole, probatio.Range(min=minimum, max=maximum))


def _boolean(field: str) -> Callable[[Any], bool]:
    """True or false only: "yes", "off", 1 or 0 are refused, not guessed at."""

    def validate(value: Any) -> bool:
        if not isinstance(value, bool):
            raise _refuse("boolean_invalid", field, value=str(value)[:MAX_TEXT_LENGTH])
        return value

    return validate


def _text(field: str) -> probatio.All[str]:
    """Free text or a name: trimmed, visible, short, no control or direction characters."""

    def validate(text: str) -> str:
        text = trimmed_text(text)
        if not text:
            raise _refuse("text_empty", field)
        if (error := text_error(text)) is not None:
            raise _refuse(error, field, max=MAX_TEXT_LENGTH)
        return text

    return probatio.All(cv.string, validate)


def _date(value: Any) -> date:
    """A calendar date (a datetime passed in is cut to its date)."""
    parsed = cv.date(value)
    return parsed.date() if isinstance(parsed, datetime) else parsed


_DEVICE_IDS = probatio.All(cv.ensure_list, [cv.string])

SET_PHASE_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_PLANT): cv.string,
        probatio.Required(ATTR_PHASE): probatio.In([str(phase) for phase in Phase]),
        probatio.Optional(ATTR_FORCE, default=False): _boolean(ATTR_FORCE),
    }
)

LOG_WATERING_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            probatio.Optional(ATTR_PLANTS): _DEVICE_IDS,
            probatio.Optional(ATTR_RACKS): _DEVICE_IDS,
            probatio.Optional(ATTR_VOLUME_L): _number(
                ATTR_VOLUME_L, 0, MAX_VOLUME_L, above_minimum=True
            ),
            probatio.Optional(ATTR_AT): cv.datetime,
        }
    ),
    probatio.AtLeastOne(ATTR_PLANTS, ATTR_RACKS),
)

LOG_FEEDING_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_TANK): cv.string,
        probatio.Required(ATTR_KIND): probatio.In(list(FEEDING_KINDS)),
        probatio.Optional(ATTR_VOLUME_L): _number(
            ATTR_VOLUME_L, 0, MAX_VOLUME_L, above_minimum=True
        ),
        probatio.Optional(ATTR_EC): _number(ATTR_EC, 0, MAX_EC),
        probatio.Optional(ATTR_PH): _number(ATTR_PH, 0, 14),
        probatio.Optional(ATTR_FERTILIZERS): probatio.Schema(
            {cv.string: _number(ATTR_FERTILIZERS, 0, MAX_FEEDING_ML)}
        ),
        probatio.Optional(ATTR_AT): cv.datetime,
    }
)

APPLY_TREATMENT_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            probatio.Optional(ATTR_PLANTS): _DEVICE_IDS,
            probatio.Optional(ATTR_RACKS): _DEVICE_IDS,
            probatio.Required(ATTR_PRODUCT): _text(ATTR_PRODUCT),
            probatio.Optional(ATTR_ACTIVE_INGREDIENT): _text(ATTR_ACTIVE_INGREDIENT),
            probatio.Optional(ATTR_SAFETY_INTERVAL_DAYS): _number(
                ATTR_SAFETY_INTERVAL_DAYS, 0, MAX_INTERVAL_DAYS
            ),
            probatio.Optional(ATTR_AT): cv.datetime,
        }
    ),
    probatio.AtLeastOne(ATTR_PLANTS, ATTR_RACKS),
)

RECORD_HARVEST_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_PLANT): cv.string,
        probatio.Optional(ATTR_WEIGHT_G): _number(ATTR_WEIGHT_G, 0, MAX_WEIGHT_G),
        probatio.Optional(ATTR_COUNT): _integer(ATTR_COUNT, 0, MAX_COUNT),
        probatio.Optional(ATTR_FINAL): _boolean(ATTR_FINAL),
        probatio.Optional(ATTR_AT): cv.datetime,
    }
)

_LIBRARY_ITEM = probatio.Schema(
    {
        probatio.Required(CONF_FERTILIZER): _text(CONF_FERTILIZER),
        probatio.Optional(CONF_ML_PER_L): _number(CONF_ML_PER_L, 0, MAX_DOSE_ML_PER_L),
    }
)
_OWN_ITEM = probatio.Schema(
    {
        probatio.Required(ATTR_NAME): _text(ATTR_NAME),
        probatio.Required(ATTR_EC_PER_ML): _number(ATTR_EC_PER_ML, 0, MAX_EC_PER_ML),
        probatio.Optional(CONF_ML_PER_L): _number(CONF_ML_PER_L, 0, MAX_DOSE_ML_PER_L),
        probatio.Optional(ATTR_MAX_ML_PER_L): _number(
            ATTR_MAX_ML_PER_L, 0, MAX_DOSE_ML_PER_L, above_minimum=True
        ),
        probatio.Optional(
            ATTR_MIXING_PRIORITY, default=DEFAULT_OWN_MIXING_PRIORITY
        ): _integer(ATTR_MIXING_PRIORITY, 0, MAX_MIXING_PRIORITY),
        probatio.Optional(ATTR_KIND, default=str(FertilizerKind.BASE)): probatio.In(
            [str(kind) for kind in FertilizerKind]
        ),
    }
)

MIX_NUTRIENTS_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_TANK): cv.string,
        probatio.Optional(ATTR_TARGET_EC): _number(
            ATTR_TARGET_EC, 0, MAX_EC, above_minimum=True
        ),
        probatio.Optional(ATTR_VOLUME_L): _number(
            ATTR_VOLUME_L, 0, MAX_VOLUME_L, above_minimum=True
        ),
        probatio.Optional(ATTR_BASE_EC): _number(ATTR_BASE_EC, 0, MAX_EC),
        probatio.Optional(ATTR_FERTILIZERS): probatio.All(
            cv.ensure_list,
            probatio.Length(max=MAX_MIX_ITEMS),
            [probatio.Any(_LIBRARY_ITEM, _OWN_ITEM)],
        ),
        probatio.Optional(ATTR_PH): _number(ATTR_PH, 0, 14),
        probatio.Optional(ATTR_TARGET_PH): _number(ATTR_TARGET_PH, 0, 14),
        probatio.Optional(ATTR_ALKALINITY): _number(ATTR_ALKALINITY, 0, MAX_ALKALINITY),
        probatio.Optional(ATTR_PH_ADJUSTER): _text(ATTR_PH_ADJUSTER),
        probatio.Optional(ATTR_LEVEL_L): _number(ATTR_LEVEL_L, 0, MAX_VOLUME_L),
        probatio.Optional(ATTR_CURRENT_EC): _number(ATTR_CURRENT_EC, 0, MAX_EC),
        probatio.Optional(ATTR_CALCIUM): _number(ATTR_CALCIUM, 0, MAX_MINERAL_MG_L),
        probatio.Optional(ATTR_MAGNESIUM): _number(ATTR_MAGNESIUM, 0, MAX_MINERAL_MG_L),
    }
)

ANALYZE_RUNOFF_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_INPUT_EC): _number(
            ATTR_INPUT_EC, 0, MAX_EC, above_minimum=True
        ),
        probatio.Required(ATTR_INPUT_PH): _number(ATTR_INPUT_PH, 0, 14),
        probatio.Required(ATTR_INPUT_VOLUME_L): _number(
            ATTR_INPUT_VOLUME_L, 0, MAX_VOLUME_L, above_minimum=True
        ),
        probatio.Required(ATTR_RUNOFF_EC): _number(ATTR_RUNOFF_EC, 0, MAX_EC),
        probatio.Required(ATTR_RUNOFF_PH): _number(ATTR_RUNOFF_PH, 0, 14),
        probatio.Required(ATTR_RUNOFF_VOLUME_L): _number(
            ATTR_RUNOFF_VOLUME_L, 0, MAX_VOLUME_L, above_minimum=True
        ),
    }
)

ADD_PLANTS_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_RACK): cv.string,
        probatio.Required(ATTR_SPECIES): _text(ATTR_SPECIES),
        probatio.Required(ATTR_QUANTITY): _integer(ATTR_QUANTITY, 1, MAX_QUANTITY),
        probatio.Optional(ATTR_NAME): _text(ATTR_NAME),
        probatio.Optional(ATTR_SHELF): _integer(ATTR_SHELF, 1, MAX_SHELVES),
        probatio.Optional(ATTR_PHASE): probatio.In([str(phase) for phase in Phase]),
        probatio.Optional(ATTR_PLANTED): _date,
        probatio.Optional(ATTR_FARM): cv.string,
    }
)

GET_OVERVIEW_SCHEMA: Final = probatio.Schema({probatio.Optional(ATTR_FARM): cv.string})


# --- Resolving devices and farms ----------------------------------------------


def _device_name(device: dr.BaseDeviceEntry) -> str:
    return device.name_by_user or device.name or device.id


def _resolve_device(
    hass: HomeAssistant, device_id: str
) -> tuple[FarmConfigEntry, str, str]:
    """The loaded farm a device belongs to, its subentry id and its name.

    Raises:
        FarmError: `unknown_device`, `not_a_farm_device`, `farm_not_loaded`.
    """
    device = dr.async_get(hass).async_get(device_id)
    if device is None:
        raise FarmError("unknown_device", device=device_id)
    name = _device_name(device)
    subject_id = next(
        (value for domain, value in device.identifiers if domain == DOMAIN), None
    )
    entry = hass.config_entries.async_get_entry(device.config_entry_id)
    if subject_id is None or entry is None or entry.domain != DOMAIN:
        raise FarmError("not_a_farm_device", device=name)
    if entry.state is not ConfigEntryState.LOADED:
        raise FarmError("farm_not_loaded", farm=entry.title)
    return entry, subject_id, name


def _resolve(
    hass: HomeAssistant, wanted: Iterable[tuple[str, str]]
) -> tuple[FarmConfigEntry, list[str]]:
    """Resolve (device id, subentry type) pairs to one farm and subentry ids.

    Raises:
        FarmError: as `_resolve_device`; `not_a_plant` / `not_a_rack` /
            `not_a_tank` for a device of the wrong type; `unknown_device` for
            a device the farm no longer has; `devices_of_different_farms`;
            `no_devices_selected` when nothing was named.
    """
    entry: FarmConfigEntry | None = None
    subjects: list[str] = []
    for device_id, subentry_type in wanted:
        found, subject_id, name = _resolve_device(hass, device_id)
        if entry is not None and found.entry_id != entry.entry_id:
            raise FarmError(
                "devices_of_different_farms", farms=f"{entry.title}, {found.title}"
            )
        entry = found
        config = found.runtime_data.farm.config
        records: dict[str, Mapping[str, object]] = {
            SUBENTRY_PLANT: config.plants,
            SUBENTRY_RACK: config.racks,
            SUBENTRY_TANK: config.tanks,
        }
        if subject_id not in records[subentry_type]:
            known = subject_id == found.entry_id or any(
                subject_id in kind for kind in records.values()
            )
            raise FarmError(
                f"not_a_{subentry_type}" if known else "unknown_device", device=name
            )
        subjects.append(subject_id)
    if entry is None:
        raise FarmError("no_devices_selected")
    return entry, subjects


def _farm_entry(hass: HomeAssistant, entry_id: str | None) -> FarmConfigEntry:
    """The loaded farm an action names, or the only one.

    Raises:
        FarmError: `unknown_farm`, `farm_not_loaded`, `no_farm_loaded`,
            `farm_required` (several farms and none named).
    """
    if entry_id is None:
        loaded: list[FarmConfigEntry] = hass.config_entries.async_loaded_entries(DOMAIN)
        if not loaded:
            raise FarmError("no_farm_loaded")
        if len(loaded) > 1:
            raise FarmError(
                "farm_required", farms=", ".join(sorted(item.title for item in loaded))
            )
        return loaded[0]
    entry = hass.config_entries.async_get_entry(entry_id)
    if entry is None or entry.domain != DOMAIN:
        raise FarmError("unknown_farm", farm=entry_id)
    if entry.state is not ConfigEntryState.LOADED:
        raise FarmError("farm_not_loaded", farm=entry.title)
    return entry


def _targets(call: ServiceCall) -> tuple[Farm, list[str], list[str]]:
    """The farm of a call's `plants` and `racks`, and their subentry ids.

    Raises:
        FarmError: as `_resolve`.
    """
    plants = call.data.get(ATTR_PLANTS, ())
    entry, subjects = _resolve(
        call.hass,
        [
            *((device_id, SUBENTRY_PLANT) for device_id in plants),
            *(
                (device_id, SUBENTRY_RACK)
                for device_id in call.data.get(ATTR_RACKS, ())
            ),
        ],
    )
    return entry.runtime_data.farm, subjects[: len(plants)], subjects[len(plants) :]


def _plants_and_racks(
    call: ServiceCall, shelf: int | None = None
) -> tuple[Farm, list[str]]:
    """The plants a call names, directly or as everything on its racks.

    With a shelf, a rack gives only the plants on that shelf (maybe none).

    Raises:
        FarmError: as `_resolve`; `no_plants_on_racks` when the racks are empty.
    """
    farm, plant_ids, rack_ids = _targets(call)
    plant_ids.extend(
        plant.id
        for rack_id in rack_ids
        for plant in farm.config.plants_on_rack(rack_id)
        if shelf is None or plant.shelf == shelf
    )
    if not plant_ids and shelf is None:
        raise FarmError(
            "no_plants_on_racks",
            racks=", ".join(farm.config.racks[rack_id].name for rack_id in rack_ids),
        )
    return farm, list(dict.fromkeys(plant_ids))


def _when(value: datetime | None) -> datetime:
    """When something happened: now, or a past local time within a season.

    A time without a zone is local (the datetime selector sends those).

    Raises:
        FarmError: `time_in_future`, `time_too_old`.
    """
    now = dt_util.now()
    if value is None:
        return now
    at = (
        value
        if value.utcoffset() is not None
        else value.replace(tzinfo=dt_util.get_default_time_zone())
    )
    # As instants: by the wall clock, 01:30 PDT is after 01:15 PST.
    if at.timestamp() > now.timestamp():
        raise FarmError("time_in_future", at=at.isoformat())
    earliest = now - MAX_BACKDATE
    if at < earliest:
        raise FarmError(
            "time_too_old", at=at.isoformat(), earliest=earliest.date().isoformat()
        )
    return dt_util.as_local(at)


def _device_ids(hass: HomeAssistant, entry: FarmConfigEntry) -> dict[str, str]:
    """Device id of the hub and of each rack, tank and plant, by subentry id."""
    return {
        value: device.id
        for device in dr.async_entries_for_config_entry(
            dr.async_get(hass), entry.entry_id
        )
        for domain, value in device.identifiers
        if domain == DOMAIN
    }


# --- Actions ------------------------------------------------------------------


async def _async_set_phase(call: ServiceCall) -> ServiceResponse:
    """Move a plant to a phase through the phase rules."""
    entry, (plant_id,) = _resolve(call.hass, [(call.data[ATTR_PLANT], SUBENTRY_PLANT)])
    from_phase, to_phase = await entry.runtime_data.farm.phases.async_set(
        plant_id, Phase(call.data[ATTR_PHASE]), force=call.data[ATTR_FORCE]
    )
    return {
        "plant": call.data[ATTR_PLANT],
        "from_phase": str(from_phase),
        "to_phase": str(to_phase),
    }


async def _async_log_watering(call: ServiceCall) -> ServiceResponse:
    """Record a watering of plants (a rack: every plant on it)."""
    farm, plant_ids = _plants_and_racks(call)
    at = _when(call.data.get(ATTR_AT))
    await farm.records.async_log_watering(plant_ids, at, call.data.get(ATTR_VOLUME_L))
    return None


async def _async_log_feeding(call: ServiceCall) -> ServiceResponse:
    """Record a feeding of a tank."""
    entry, (tank_id,) = _resolve(call.hass, [(call.data[ATTR_TANK], SUBENTRY_TANK)])
    farm = entry.runtime_data.farm
    tank = farm.config.tanks[tank_id]
    at = _when(call.data.get(ATTR_AT))
    data: FeedingDetails = {}
    if (volume_l := call.data.get(ATTR_VOLUME_L)) is not None:
        if volume_l > tank.volume_l:
            raise FarmError(
                "volume_above_capacity",
                volume_l=volume_l,
                capacity_l=tank.volume_l,
                tank=tank.name,
            )
        data[ATTR_VOLUME_L] = volume_l
    if ATTR_EC in call.data:
        data[ATTR_EC] = call.data[ATTR_EC]
    if ATTR_PH in call.data:
        data[ATTR_PH] = call.data[ATTR_PH]
    if fertilizers := call.data.get(ATTR_FERTILIZERS):
        for key in fertilizers:
            if key not in farm.library.fertilizers:
                raise FarmError("unknown_fertilizer", fertilizer=key)
        data[ATTR_FERTILIZERS] = dict(fertilizers)
    await farm.records.async_log_feeding(tank_id, call.data[ATTR_KIND], at, data)
    return None


def _by_key_or_name[T: ProtectionProduct | Fertilizer](
    entries: Mapping[str, T], key: str, name: str
) -> T | None:
    """A library entry by its key, else by its name in any case."""
    if (found := entries.get(key)) is not None:
        return found
    wanted = name.casefold()
    return next(
        (item for item in entries.values() if item.name.casefold() == wanted), None
    )


def _library_product(library: Library, product: str) -> ProtectionProduct | None:
    """A protection product by library key or by its name in any case."""
    return _by_key_or_name(library.products, product, product)


def _resistance_warnings(farm: Farm, plant_ids: list[str]) -> list[dict[str, Any]]:
    """The plants' `resistance_risk` warnings: one mode of action used too often.

    Counted over their treatments with a library product that names an IRAC /
    FRAC group (`engine.inspections.mode_of_action_warnings`).
    """
    applications = [
        Application(mode_of_action=product.mode_of_action, applied=treatment.applied)
        for plant_id in plant_ids
        for treatment in farm.records.treatments(plant_id)
        if (product := farm.library.products.get(treatment.product)) is not None
        and product.mode_of_action
    ]
    return [
        {
            "code": warning.code,
            "mode_of_action": warning.active_ingredient,
            "count": warning.count,
            "window_days": warning.window_days,
        }
        for warning in mode_of_action_warnings(applications, dt_util.now())
    ]


async def _async_apply_treatment(call: ServiceCall) -> ServiceResponse:
    """Record a plant protection treatment; answer when harvest is safe again."""
    farm, plant_ids = _plants_and_racks(call)
    at = _when(call.data.get(ATTR_AT))
    product = _library_product(farm.library, call.data[ATTR_PRODUCT])
    interval_days = call.data.get(ATTR_SAFETY_INTERVAL_DAYS)
    if product is None:
        if interval_days is None:
            raise FarmError("interval_required", product=call.data[ATTR_PRODUCT])
        name = call.data[ATTR_PRODUCT]
        active_ingredient = call.data.get(ATTR_ACTIVE_INGREDIENT, "")
    else:
        name = product.key
        active_ingredient = call.data.get(
            ATTR_ACTIVE_INGREDIENT, product.active_ingredient
        )
        if interval_days is None:
            interval_days = float(product.interval_days)
    safe_at = await farm.records.async_apply_treatment(
        plant_ids,
        product=name,
        active_ingredient=active_ingredient,
        interval_days=interval_days,
        at=at,
    )
    local = safe_at.astimezone(farm.zone)
    answer: dict[str, Any] = {
        "safe_harvest_date": local.date().isoformat(),
        "safe_harvest_at": local.isoformat(),
        "warnings": _resistance_warnings(farm, plant_ids),
    }
    return answer


async def _async_record_harvest(call: ServiceCall) -> ServiceResponse:
    """Record a harvest; refused while a pre-harvest interval runs."""
    entry, (plant_id,) = _resolve(call.hass, [(call.data[ATTR_PLANT], SUBENTRY_PLANT)])
    at = _when(call.data.get(ATTR_AT))
    data: HarvestedData = {}
    if ATTR_WEIGHT_G in call.data:
        data[ATTR_WEIGHT_G] = call.data[ATTR_WEIGHT_G]
    if ATTR_COUNT in call.data:
        data[ATTR_COUNT] = call.data[ATTR_COUNT]
    if ATTR_FINAL in call.data:
        data[ATTR_FINAL] = call.data[ATTR_FINAL]
    await entry.runtime_data.farm.records.async_record_harvest(plant_id, at, data)
    return None


def _own_fertilizer(item: Mapping[str, Any]) -> Fertilizer:
    """A product that is not in the library, as the caller describes it.

    Its cap is the one given, or else follows from its recipe dose
    (`nutrients.own_product_cap`).
    """
    return Fertilizer(
        key=item[ATTR_NAME],
        name=item[ATTR_NAME],
        kind=FertilizerKind(item[ATTR_KIND]),
        ec_per_ml=item[ATTR_EC_PER_ML],
        mixing_priority=item[ATTR_MIXING_PRIORITY],
        max_ml_per_l=nutrients.own_product_cap(
            item.get(CONF_ML_PER_L), item.get(ATTR_MAX_ML_PER_L)
        ),
    )


def _check_own_name(name: str, library: Library) -> None:
    """Refuse an own product named like a library product (or one the grower added).

    Under that name it would stand in for the library product in the mix;
    names match as the library's keys do, or as written in any case.

    Raises:
        FarmError: `own_fertilizer_in_library` (params `name`, `fertilizer`,
            `library_name`).
    """
    if (
        found := _by_key_or_name(library.fertilizers, name_key(name), name)
    ) is not None:
        raise FarmError(
            "own_fertilizer_in_library",
            name=name,
            fertilizer=found.key,
            library_name=found.name,
        )


def _recipe(
    items: Sequence[Mapping[str, Any]], library: Library
) -> tuple[nutrients.RecipeLine, ...]:
    """Recipe lines in the order given; own products are keyed by their names.

    Raises:
        FarmError: `unknown_fertilizer`; `own_fertilizer_in_library`.
    """
    for item in items:
        if ATTR_NAME in item:
            _check_own_name(item[ATTR_NAME], library)
    own = {
        item[ATTR_NAME]: _own_fertilizer(item) for item in items if ATTR_NAME in item
    }
    return nutrients.resolve_recipe(
        (
            (
                str(item.get(CONF_FERTILIZER, item.get(ATTR_NAME))),
                item.get(CONF_ML_PER_L),
            )
            for item in items
        ),
        {**library.fertilizers, **own},
    )


async def _async_mix_nutrients(call: ServiceCall) -> ServiceResponse:
    """Plan a tank mix: doses in safe order, the EC it gives, and warnings."""
    entry, (tank_id,) = _resolve(call.hass, [(call.data[ATTR_TANK], SUBENTRY_TANK)])
    farm = entry.runtime_data.farm
    tank = farm.config.tanks[tank_id]
    targets = farm.views.tank(tank_id).targets
    target_ec = call.data.get(ATTR_TARGET_EC, targets.ec_target)
    if target_ec is None:
        raise FarmError("target_ec_unknown", tank=tank.name)
    base_ec = call.data.get(ATTR_BASE_EC, farm.settings.tap_ec)
    if target_ec <= base_ec:
        raise FarmError(
            "ec_target_not_above_base", target_ec=target_ec, base_ec=base_ec
        )
    volume_l = call.data.get(ATTR_VOLUME_L, tank.volume_l)
    items: Sequence[Mapping[str, Any]] = call.data.get(
        ATTR_FERTILIZERS,
        [
            {CONF_FERTILIZER: dose.fertilizer, CONF_ML_PER_L: dose.ml_per_l}
            for dose in tank.fertilizers
        ],
    )
    if not items:
        raise FarmError("no_fertilizers", tank=tank.name)
    data = call.data
    plan = plan_mix(
        farm,
        MixRequest(
            tank_id=tank_id,
            lines=_recipe(items, farm.library),
            target_ec=target_ec,
            base_ec=base_ec,
            volume_l=volume_l,
            start_ph=data.get(ATTR_PH),
            target_ph=data.get(ATTR_TARGET_PH),
            alkalinity_ppm=data.get(ATTR_ALKALINITY),
            ph_adjuster=data.get(ATTR_PH_ADJUSTER),
            level_l=data.get(ATTR_LEVEL_L),
            current_ec=data.get(ATTR_CURRENT_EC),
            calcium_mg_l=data.get(ATTR_CALCIUM),
            magnesium_mg_l=data.get(ATTR_MAGNESIUM),
        ),
    )
    return {
        "tank": call.data[ATTR_TANK],
        "target_ec": rounded(target_ec, EC_DIGITS),
        "base_ec": rounded(base_ec, EC_DIGITS),
        "volume_l": rounded(volume_l, LITRES_DIGITS),
        **plan,
    }


async def _async_analyze_runoff(call: ServiceCall) -> ServiceResponse:
    """Judge a watering's runoff against its input: share, salt build-up, verdict."""
    data = call.data
    return dict(
        runoff_answer(
            analyze_runoff(
                input_ec=data[ATTR_INPUT_EC],
                input_ph=data[ATTR_INPUT_PH],
                input_volume_l=data[ATTR_INPUT_VOLUME_L],
                runoff_ec=data[ATTR_RUNOFF_EC],
                runoff_ph=data[ATTR_RUNOFF_PH],
                runoff_volume_l=data[ATTR_RUNOFF_VOLUME_L],
            )
        )
    )


def _unique_plant_name(entry: FarmConfigEntry, base: str) -> str:
    """`base`, or `base 2`, `base 3`... whichever no plant of the farm has."""
    taken = {
        name_key(str(subentry.data.get(CONF_NAME, "")))
        for subentry in entry.subentries.values()
        if subentry.subentry_type == SUBENTRY_PLANT
    }
    name, number = base, 1
    while name_key(name) in taken:
        number += 1
        name = f"{base} {number}"
    return name


async def _async_add_plants(call: ServiceCall) -> ServiceResponse:
    """Create a plant record (a pot, or a tray of many) and answer its device."""
    hass = call.hass
    named = call.data.get(ATTR_FARM)
    rack_id: str | None = None
    if ATTR_RACK in call.data:
        entry, (rack_id,) = _resolve(hass, [(call.data[ATTR_RACK], SUBENTRY_RACK)])
        if named is not None and (other := _farm_entry(hass, named)) is not entry:
            raise FarmError(
                "devices_of_different_farms", farms=f"{entry.title}, {other.title}"
            )
    else:
        entry = _farm_entry(hass, named)
    farm = entry.runtime_data.farm
    species_key: str = call.data[ATTR_SPECIES]
    species = farm.library.species.get(species_key)
    name = call.data.get(ATTR_NAME) or _unique_plant_name(
        entry, species.name if species is not None else species_key
    )
    planted: date | None = call.data.get(ATTR_PLANTED)
    data, errors = normalize_plant(
        entry,
        farm.library,
        {
            CONF_NAME: name,
            CONF_SPECIES: species_key,
            CONF_QUANTITY: call.data[ATTR_QUANTITY],
            CONF_RACK: rack_id,
            CONF_SHELF: call.data.get(ATTR_SHELF),
            CONF_PHASE: call.data.get(ATTR_PHASE),
            CONF_PLANTED: None if planted is None else planted.isoformat(),
        },
        dt_util.now().date(),
    )
    if errors:
        rack = farm.config.racks.get(rack_id or "")
        error = next(iter(errors.values()))
        raise FarmError(
            f"plant_{error}",
            name=name,
            species=species_key,
            rack="" if rack is None else rack.name,
            shelf=str(call.data.get(ATTR_SHELF, "")),
            shelves="" if rack is None else rack.shelves,
            planted=str(data[CONF_PLANTED]),
            phase=str(call.data.get(ATTR_PHASE, "")),
        )
    subentry = ConfigSubentry(
        data=MappingProxyType(data),
        subentry_type=SUBENTRY_PLANT,
        title=data[CONF_NAME],
        unique_id=None,
    )
    # Judged before it stands there: it is not its own neighbour.
    report = placement_report(entry, data, None)
    hass.config_entries.async_add_subentry(entry, subentry)
    # The farm follows the change at once, creating the plant's device; the
    # day a declared phase began is on disk before the answer.
    await farm.async_changes_written()
    return {
        "plant": _device_ids(hass, entry).get(subentry.subentry_id),
        "name": data[CONF_NAME],
        "warnings": [] if report is None else list(report.warnings),
    }


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def _rack_overview(farm: Farm, rack_id: str, device_id: str | None) -> dict[str, Any]:
    rack = farm.config.racks[rack_id]
    view = farm.views.rack(rack_id)
    tank = farm.config.tanks.get(rack.tank or "")
    return {
        "device_id": device_id,
        "name": rack.name,
        "shelves": rack.shelves,
        "tank": None if tank is None else tank.name,
        "photoperiod_h": rounded(view.photoperiod_h, HOURS_DIGITS),
        "lights_on": view.lights_on.isoformat(),
        "lights_off": view.lights_off.isoformat(),
        "light_schedule": farm.schedule_enabled(rack_id, "light_schedule"),
        "irrigation_schedule": farm.schedule_enabled(rack_id, "irrigation_schedule"),
        "next_light_change": _iso(view.next_light_change),
        "next_irrigation": _iso(view.next_irrigation),
        "dli": rounded(view.dli, DLI_DIGITS),
        "climate_problems": list(view.climate_problems or ()),
        "conflict": view.conflict,
    }


def _tank_overview(farm: Farm, tank_id: str, device_id: str | None) -> dict[str, Any]:
    tank = farm.config.tanks[tank_id]
    view = farm.views.tank(tank_id)
    maintenance = view.next_maintenance
    return {
        "device_id": device_id,
        "name": tank.name,
        "tank_type": str(tank.tank_type),
        # the figures and problems the assistant gives too; the level and the
        # linked probes (below) are for dashboards
        **tank_figures(tank, view),
        "ec_deviation_percent": None
        if view.ec_deviation is None
        else rounded(view.ec_deviation.percent, PERCENT_DIGITS),
        "ph_deviation": rounded(view.ph_deviation, PH_DIGITS),
        "next_maintenance": None
        if maintenance is None
        else {"task": str(maintenance.kind), "due": _iso(maintenance.due_at)},
        "sensors": {
            "ec": tank.ec_sensor,
            "ph": tank.ph_sensor,
            "level": tank.level_sensor,
            "temperature": tank.temperature_sensor,
        },
    }


def _plant_overview(farm: Farm, plant_id: str, device_id: str | None) -> dict[str, Any]:
    plant = farm.config.plants[plant_id]
    view = farm.views.plant(plant_id)
    rack = farm.config.racks.get(plant.rack or "")
    return {
        "device_id": device_id,
        "name": plant.name,
        "species": plant.species,
        "quantity": plant.quantity,
        "rack": None if rack is None else rack.name,
        "shelf": plant.shelf,
        "phase": None if view.phase is None else str(view.phase),
        "days_in_phase": view.days_in_phase,
        "expected_harvest": _iso(view.expected_harvest),
        "next_watering": _iso(view.next_watering),
        "harvest_blocked": view.harvest_blocked,
        "safe_harvest_date": _iso(view.harvest.safe_on)
        if view.harvest_blocked
        else None,
        "blocking_products": list(view.harvest.blocking_products),
        "needs_attention": list(view.attention),
    }


def farm_overview(hass: HomeAssistant, entry: FarmConfigEntry) -> dict[str, Any]:
    """Every rack, tank and plant of a farm and the care due, as plain JSON values."""
    farm = entry.runtime_data.farm
    devices = _device_ids(hass, entry)
    care = [
        {
            "task_id": item.task_id,
            "plant": devices.get(item.plant_id),
            "plant_name": item.plant_name,
            "kind": str(item.kind),
            "due": item.due.isoformat(),
            "urgency": str(item.urgency),
        }
        for item in farm.care.items()
        if item.urgency is not Urgency.LATER
    ]
    return {
        "id": entry.entry_id,
        "name": farm.settings.name,
        "tasks_due": sum(
            item["urgency"] in (Urgency.OVERDUE, Urgency.TODAY) for item in care
        ),
        "tasks_overdue": sum(item["urgency"] == Urgency.OVERDUE for item in care),
        "care_list": er.async_get(hass).async_get_entity_id(
            "todo", DOMAIN, f"{entry.entry_id}_care"
        ),
        "racks": [
            _rack_overview(farm, rack_id, devices.get(rack_id))
            for rack_id in farm.config.racks
        ],
        "tanks": [
            _tank_overview(farm, tank_id, devices.get(tank_id))
            for tank_id in farm.config.tanks
        ],
        "plants": [
            _plant_overview(farm, plant_id, devices.get(plant_id))
            for plant_id in farm.config.plants
        ],
        "care": care,
    }


async def _async_get_overview(call: ServiceCall) -> ServiceResponse:
    """Every farm (or the one named) with its racks, tanks, plants and what is due."""
    hass = call.hass
    if ATTR_FARM in call.data:
        entries = [_farm_entry(hass, call.data[ATTR_FARM])]
    else:
        entries = hass.config_entries.async_loaded_entries(DOMAIN)
    return {"farms": [farm_overview(hass, entry) for entry in entries]}


# --- Registration -------------------------------------------------------------


def _translated(handler: _Handler) -> _Handler:
    """Refusals from the farm and its engines as the translated errors users see."""

    async def handle(call: ServiceCall) -> ServiceResponse:
        try:
            return await handler(call)
        except FarmError as err:
            raise farm_error(err) from err

    return handle


type Action = tuple[
    str, _Handler, probatio.Schema | probatio.All[Any], SupportsResponse
]


ACTIONS: Final[tuple[Action, ...]] = (
    (SERVICE_SET_PHASE, _async_set_phase, SET_PHASE_SCHEMA, SupportsResponse.OPTIONAL),
    (
        SERVICE_LOG_WATERING,
        _async_log_watering,
        LOG_WATERING_SCHEMA,
        SupportsResponse.NONE,
    ),
    (
        SERVICE_LOG_FEEDING,
        _async_log_feeding,
        LOG_FEEDING_SCHEMA,
        SupportsResponse.NONE,
    ),
    (
        SERVICE_APPLY_TREATMENT,
        _async_apply_treatment,
        APPLY_TREATMENT_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_RECORD_HARVEST,
        _async_record_harvest,
        RECORD_HARVEST_SCHEMA,
        SupportsResponse.NONE,
    ),
    (
        SERVICE_MIX_NUTRIENTS,
        _async_mix_nutrients,
        MIX_NUTRIENTS_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (
        SERVICE_ADD_PLANTS,
        _async_add_plants,
        ADD_PLANTS_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_GET_OVERVIEW,
        _async_get_overview,
        GET_OVERVIEW_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (
        SERVICE_ANALYZE_RUNOFF,
        _async_analyze_runoff,
        ANALYZE_RUNOFF_SCHEMA,
        SupportsResponse.ONLY,
    ),
)


@callback
def async_register_actions(hass: HomeAssistant, actions: Iterable[Action]) -> None:
    """Register actions with their schemas, refusals translated."""
    for name, handler, schema, supports_response in actions:
        hass.services.async_register(
            DOMAIN,
            name,
            _translated(handler),
            schema=schema,
            supports_response=supports_response,
        )


@callback
def async_setup_services(hass: HomeAssistant) -> None:
    """Register the farm's actions (once, for every farm)."""
    async_register_actions(hass, ACTIONS)
