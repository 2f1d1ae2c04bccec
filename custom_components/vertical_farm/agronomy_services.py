"""Agronomy actions: watering plans, checking a shelf before planting, inspections.

`set_watering_plan` writes the plan into the plants' subentries (the same
fields as the plant form), or for a rack's shelf into the rack's subentry
(`shelf_watering`), which every plant on the shelf without its own plan
follows, later arrivals too; `check_placement` answers what a shelf says about a
crop before it is planted; `log_inspection` records a pest or disease from the
bundled catalogue, brings the next pest check forward and, with a treatment,
records it and warns when one mode of action is used too often (the same
warning as `apply_treatment`). Refusals are
translated ServiceValidationErrors raised before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from .const import (
    CONF_SHELF_WATERING,
    CONF_WATERING_INTERVAL_DAYS,
    CONF_WATERING_MODE,
    CONF_WATERING_WEEKDAYS,
    MAX_SHELVES,
    MAX_WATERING_INTERVAL_DAYS,
    SUBENTRY_PLANT,
    SUBENTRY_RACK,
)
from .engine.care import CareKind
from .engine.errors import FarmError
from .engine.inspections import Severity, follow_up_on
from .placement import PlacementReport, names
from .services import (
    _DEVICE_IDS,
    ATTR_AT,
    ATTR_PLANT,
    ATTR_PLANTED,
    ATTR_PLANTS,
    ATTR_PRODUCT,
    ATTR_RACK,
    ATTR_RACKS,
    ATTR_SHELF,
    ATTR_SPECIES,
    Action,
    _date,
    _device_ids,
    _integer,
    _library_product,
    _plants_and_racks,
    _resistance_warnings,
    _resolve,
    _targets,
    _text,
    _when,
    async_register_actions,
)
from .store import InspectedData, RecordKind
from .validation import WATERING_MODES, normalize_watering_plan
from .watering_plans import plan_of

SERVICE_SET_WATERING_PLAN: Final = "set_watering_plan"
SERVICE_CHECK_PLACEMENT: Final = "check_placement"
SERVICE_LOG_INSPECTION: Final = "log_inspection"

ATTR_MODE: Final = "mode"
ATTR_WEEKDAYS: Final = "weekdays"
ATTR_INTERVAL_DAYS: Final = "interval_days"
ATTR_PROBLEM: Final = "problem"
ATTR_SEVERITY: Final = "severity"
ATTR_NOTES: Final = "notes"

PLAN_KEYS: Final = (
    CONF_WATERING_MODE,
    CONF_WATERING_WEEKDAYS,
    CONF_WATERING_INTERVAL_DAYS,
)
MODE_CARE_PRESET: Final = "care_preset"  # no plan: the care preset's rhythm
WEEKDAYS: Final = (
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
)

SET_WATERING_PLAN_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            probatio.Optional(ATTR_PLANTS): _DEVICE_IDS,
            probatio.Optional(ATTR_RACKS): _DEVICE_IDS,
            probatio.Optional(ATTR_SHELF): _integer(ATTR_SHELF, 1, MAX_SHELVES),
            probatio.Required(ATTR_MODE): probatio.In(
                [*WATERING_MODES, MODE_CARE_PRESET]
            ),
            probatio.Optional(ATTR_WEEKDAYS): probatio.All(
                cv.ensure_list, [probatio.In(list(WEEKDAYS))]
            ),
            probatio.Optional(ATTR_INTERVAL_DAYS): _integer(
                ATTR_INTERVAL_DAYS, 1, MAX_WATERING_INTERVAL_DAYS
            ),
        }
    ),
    probatio.AtLeastOne(ATTR_PLANTS, ATTR_RACKS),
)

CHECK_PLACEMENT_SCHEMA: Final = probatio.Schema(
    {
        probatio.Required(ATTR_RACK): cv.string,
        probatio.Required(ATTR_SHELF): _integer(ATTR_SHELF, 1, MAX_SHELVES),
        probatio.Optional(ATTR_SPECIES): _text(ATTR_SPECIES),
        probatio.Optional(ATTR_PLANT): cv.string,
        probatio.Optional(ATTR_PLANTED): _date,
    }
)

LOG_INSPECTION_SCHEMA: Final = probatio.All(
    probatio.Schema(
        {
            probatio.Optional(ATTR_PLANTS): _DEVICE_IDS,
            probatio.Optional(ATTR_RACKS): _DEVICE_IDS,
            probatio.Required(ATTR_PROBLEM): _text(ATTR_PROBLEM),
            probatio.Required(ATTR_SEVERITY): probatio.In(
                [str(level) for level in Severity]
            ),
            probatio.Optional(ATTR_PRODUCT): _text(ATTR_PRODUCT),
            probatio.Optional(ATTR_NOTES): _text(ATTR_NOTES),
            probatio.Optional(ATTR_AT): cv.datetime,
        }
    ),
    probatio.AtLeastOne(ATTR_PLANTS, ATTR_RACKS),
)


# --- set_watering_plan -----------------------------------------------------------


def _plan_fields(data: dict[str, Any]) -> dict[str, Any]:
    """The plan's subentry fields from the call ({} for the care preset).

    Raises:
        FarmError: `no_watering_days`, `watering_interval_invalid`.
    """
    mode = data[ATTR_MODE]
    if mode == MODE_CARE_PRESET:
        return {}
    errors: dict[str, str] = {}
    fields = normalize_watering_plan(
        {
            CONF_WATERING_MODE: mode,
            CONF_WATERING_WEEKDAYS: [
                str(WEEKDAYS.index(day)) for day in data.get(ATTR_WEEKDAYS, [])
            ],
            CONF_WATERING_INTERVAL_DAYS: data.get(ATTR_INTERVAL_DAYS),
        },
        errors,
    )
    if errors:
        raise FarmError(next(iter(errors.values())), mode=mode)
    return fields


def _without_plan(data: Mapping[str, Any]) -> dict[str, Any]:
    """Subentry data without watering plan fields."""
    return {key: value for key, value in data.items() if key not in PLAN_KEYS}


async def _async_set_watering_plan(call: ServiceCall) -> ServiceResponse:
    """Give plants or a rack's shelf a watering plan, or remove it."""
    fields = _plan_fields(dict(call.data))
    shelf: int | None = call.data.get(ATTR_SHELF)
    if shelf is not None and not call.data.get(ATTR_RACKS):
        raise FarmError("shelf_without_rack", shelf=shelf)
    farm, named, rack_ids = _targets(call)
    hass, entry = call.hass, farm.entry
    shelf_racks = rack_ids if shelf is not None else []
    for rack_id in shelf_racks:
        rack = farm.config.racks[rack_id]
        if shelf is not None and shelf > rack.shelves:
            raise FarmError(
                "shelf_out_of_range", rack=rack.name, shelf=shelf, shelves=rack.shelves
            )
    _, plant_ids = _plants_and_racks(call, shelf)
    # With a shelf the racks keep the plan; only the plants named get their own.
    for plant_id in named if shelf is not None else plant_ids:
        subentry = entry.subentries[plant_id]
        hass.config_entries.async_update_subentry(
            entry, subentry, data={**_without_plan(subentry.data), **fields}
        )
    for rack_id in shelf_racks:
        subentry = entry.subentries[rack_id]
        plans = dict(subentry.data.get(CONF_SHELF_WATERING) or {})
        plans.pop(str(shelf), None)
        if fields:
            plans[str(shelf)] = fields
        hass.config_entries.async_update_subentry(
            entry, subentry, data={**subentry.data, CONF_SHELF_WATERING: plans}
        )
    devices = _device_ids(hass, entry)
    config = farm.config
    return {
        "plants": [
            {
                "plant": devices.get(plant_id),
                "name": (plant := config.plants[plant_id]).name,
                "plan_from": None
                if (found := plan_of(plant, config.rack_of(plant))) is None
                else found[0],
                "next_watering": None
                if (view := farm.views.plant(plant_id)).next_watering is None
                else view.next_watering.isoformat(),
                "volume_l": None
                if view.watering is None
                else view.watering.volume.volume_l,
            }
            for plant_id in plant_ids
        ]
    }


# --- check_placement -------------------------------------------------------------


def _verdict(report: PlacementReport) -> str:
    """`warning` with anything against it, `good` with something for it, else `ok`."""
    if report.warnings:
        return "warning"
    if report.companions or (report.succession is not None and report.succession.good):
        return "good"
    return "ok"


async def _async_check_placement(call: ServiceCall) -> ServiceResponse:
    """What a shelf says about a crop before it goes there."""
    entry, (rack_id, *plant) = _resolve(
        call.hass,
        [
            (call.data[ATTR_RACK], SUBENTRY_RACK),
            *(
                [(call.data[ATTR_PLANT], SUBENTRY_PLANT)]
                if ATTR_PLANT in call.data
                else []
            ),
        ],
    )
    farm = entry.runtime_data.farm
    plant_id = plant[0] if plant else None
    species_key = call.data.get(ATTR_SPECIES)
    if plant_id is not None:
        species_key = species_key or farm.config.plants[plant_id].species
    if species_key is None:
        raise FarmError("species_or_plant_required")
    species = farm.library.species.get(species_key)
    if species is None:
        raise FarmError("unknown_species", species=species_key)
    rack = farm.config.racks[rack_id]
    shelf: int = call.data[ATTR_SHELF]
    if shelf > rack.shelves:
        raise FarmError(
            "shelf_out_of_range", rack=rack.name, shelf=shelf, shelves=rack.shelves
        )
    planted: date = call.data.get(ATTR_PLANTED) or dt_util.now(farm.zone).date()
    report = farm.placement.report(
        species, rack_id, shelf, planted=planted, exclude=plant_id
    )
    library = farm.library
    succession = report.succession
    answer: dict[str, Any] = {
        "species": species.key,
        "family": species.family,
        "rack": rack.name,
        "shelf": shelf,
        "verdict": _verdict(report),
        "warnings": list(report.warnings),
        "rotation": [
            {
                "species": names([violation.earlier.species], library)[0],
                "family": violation.family,
                "cleared": None
                if violation.earlier.ended is None
                else violation.earlier.ended.isoformat(),
                "years_apart": violation.years_apart,
            }
            for violation in report.violations
        ],
        "after": None
        if succession is None
        else {
            "species": names([succession.previous.species], library)[0],
            "family": succession.previous.family,
            "good_successor": succession.good,
            "same_family": succession.same_family,
        },
        "companions": names(report.companions, library),
        "antagonists": names(report.antagonists, library),
    }
    return answer


# --- log_inspection --------------------------------------------------------------


async def _async_log_inspection(call: ServiceCall) -> ServiceResponse:
    """Record a pest or disease found; plan the follow-up; record a treatment."""
    farm, plant_ids = _plants_and_racks(call)
    at = _when(call.data.get(ATTR_AT))
    problem = farm.library.pests.get(call.data[ATTR_PROBLEM])
    if problem is None:
        raise FarmError("unknown_problem", problem=call.data[ATTR_PROBLEM])
    product = None
    if ATTR_PRODUCT in call.data:
        product = _library_product(farm.library, call.data[ATTR_PRODUCT])
        if product is None:
            raise FarmError("unknown_product", product=call.data[ATTR_PRODUCT])
    severity = Severity(call.data[ATTR_SEVERITY])
    data: InspectedData = {
        "problem": problem.key,
        "kind": problem.kind,
        "severity": str(severity),
    }
    if ATTR_NOTES in call.data:
        data["notes"] = call.data[ATTR_NOTES]
    if product is not None:
        data["product"] = product.key
    await farm.store.async_record_many(
        (RecordKind.INSPECTED, plant_id, at, data) for plant_id in plant_ids
    )
    follow_up = follow_up_on(at.astimezone(farm.zone).date(), severity)
    await farm.care.async_follow_up(plant_ids, CareKind.PEST_CHECK, follow_up)
    response: dict[str, Any] = {"follow_up": follow_up.isoformat(), "warnings": []}
    if product is not None:
        safe_at = await farm.records.async_apply_treatment(
            plant_ids,
            product=product.key,
            active_ingredient=product.active_ingredient,
            interval_days=float(product.interval_days),
            at=at,
        )
        response["safe_harvest_date"] = safe_at.astimezone(farm.zone).date().isoformat()
        response["warnings"] = _resistance_warnings(farm, plant_ids)
    return response


AGRONOMY_ACTIONS: Final[tuple[Action, ...]] = (
    (
        SERVICE_SET_WATERING_PLAN,
        _async_set_watering_plan,
        SET_WATERING_PLAN_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
    (
        SERVICE_CHECK_PLACEMENT,
        _async_check_placement,
        CHECK_PLACEMENT_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (
        SERVICE_LOG_INSPECTION,
        _async_log_inspection,
        LOG_INSPECTION_SCHEMA,
        SupportsResponse.OPTIONAL,
    ),
)


@callback
def async_setup_agronomy_services(hass: HomeAssistant) -> None:
    """Register the agronomy actions (once, for every farm)."""
    async_register_actions(hass, AGRONOMY_ACTIONS)
