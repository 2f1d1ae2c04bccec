"""The planner actions: `plan_succession`, `get_forecast` and `log_stock`.

`log_stock` records how much of a fertilizer is on hand (a `stock` journal
record about the farm); the planner's forecast counts down from the latest
count to say when each product runs out.

Both need the planner add-on. The farm's racks, tanks and plants and the
library's data for each crop (days per phase up to harvest, EC and pH range,
photoperiod, antagonists) make the planning request; the answers name racks
and tanks by their device ids and crops by their species keys, like every
other action. The latest plan is kept, so the farm calendar shows its sowings.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable, Mapping
from datetime import date, timedelta
import hashlib
import re
from typing import Any, Final

from homeassistant.core import (
    HomeAssistant,
    ServiceCall,
    ServiceResponse,
    SupportsResponse,
    callback,
)
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import config_validation as cv
from homeassistant.util import dt as dt_util
import probatio

from .const import DOMAIN, LIGHT_MODE_FIXED, SUBENTRY_TANK
from .engine import phases
from .engine.errors import FarmError
from .engine.lighting import DAY_H, DEFAULT_TOLERANCE_H
from .engine.profiles import Library, Phase, PhaseProfile, Species
from .farm import Farm, FarmConfigEntry
from .models import PlantConfig, RackConfig
from .planner import (
    PlannerAuthError,
    PlannerClient,
    PlannerConnectionError,
    PlannerError,
    PlannerRefusedError,
    PlannerServerError,
)
from .planner_link import PlannerLink
from .services import (
    ATTR_AT,
    ATTR_FARM,
    ATTR_SPECIES,
    ATTR_TANK,
    Action,
    _device_ids,
    _farm_entry,
    _integer,
    _number,
    _refuse,
    _resolve,
    _text,
    _when,
    async_register_actions,
    finite,
)
from .store import RecordKind

SERVICE_PLAN_SUCCESSION: Final = "plan_succession"
SERVICE_GET_FORECAST: Final = "get_forecast"
SERVICE_LOG_STOCK: Final = "log_stock"

ATTR_CROPS: Final = "crops"
ATTR_WEEKLY_DEMAND: Final = "weekly_demand"
ATTR_SITES_PER_PLANT: Final = "sites_per_plant"
ATTR_SITES_PER_SHELF: Final = "sites_per_shelf"
ATTR_HORIZON_WEEKS: Final = "horizon_weeks"
ATTR_START: Final = "start"
ATTR_FERTILIZER: Final = "fertilizer"
ATTR_AMOUNT_ML: Final = "amount_ml"
MAX_STOCK_ML: Final = 10_000_000

DEFAULT_HORIZON_WEEKS: Final = 12
# A shelf's planting sites when the call does not say: one 24-cell tray.
DEFAULT_SITES_PER_SHELF: Final = 24
MAX_HORIZON_WEEKS: Final = 104
MAX_CROPS: Final = 200
MAX_DEMAND: Final = 100_000
MAX_SITES: Final = 10_000
# Ids the planner takes (addon/API.md): 1-64 visible ASCII characters.
_MAX_ID_LENGTH: Final = 64
_PLANNER_ID: Final = re.compile(rf"[\x21-\x7e]{{1,{_MAX_ID_LENGTH}}}")
_DIGEST_LENGTH: Final = 12
# The planner places a plant on 1 to 100 sites.
MAX_SITES_PER_PLANT: Final = 100


def _planner_sites_per_plant(sites: float) -> float:
    """Refuse more sites per plant than the planner places, translated."""
    if sites > MAX_SITES_PER_PLANT:
        raise _refuse(
            "sites_per_plant_out_of_range",
            ATTR_SITES_PER_PLANT,
            value=f"{sites:g}",
            max=str(MAX_SITES_PER_PLANT),
        )
    return sites


PLAN_SUCCESSION_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_FARM): cv.string,
        probatio.Required(ATTR_CROPS): probatio.All(
            cv.ensure_list,
            probatio.Length(min=1, max=MAX_CROPS),
            [
                probatio.Schema(
                    {
                        probatio.Required(ATTR_SPECIES): _text(ATTR_SPECIES),
                        probatio.Required(ATTR_WEEKLY_DEMAND): _integer(
                            ATTR_WEEKLY_DEMAND, 0, MAX_DEMAND
                        ),
                        probatio.Optional(
                            ATTR_SITES_PER_PLANT, default=1
                        ): probatio.All(
                            finite(ATTR_SITES_PER_PLANT),
                            _planner_sites_per_plant,
                            _integer(ATTR_SITES_PER_PLANT, 1, MAX_SITES_PER_PLANT),
                        ),
                    }
                )
            ],
        ),
        probatio.Optional(ATTR_HORIZON_WEEKS, default=DEFAULT_HORIZON_WEEKS): _integer(
            ATTR_HORIZON_WEEKS, 1, MAX_HORIZON_WEEKS
        ),
        probatio.Optional(
            ATTR_SITES_PER_SHELF, default=DEFAULT_SITES_PER_SHELF
        ): _integer(ATTR_SITES_PER_SHELF, 1, MAX_SITES),
        probatio.Optional(ATTR_START): cv.date,
    }
)

GET_FORECAST_SCHEMA: Final = probatio.Schema({probatio.Required(ATTR_TANK): cv.string})

LOG_STOCK_SCHEMA: Final = probatio.Schema(
    {
        probatio.Optional(ATTR_FARM): cv.string,
        probatio.Required(ATTR_FERTILIZER): _text(ATTR_FERTILIZER),
        probatio.Required(ATTR_AMOUNT_ML): _number(ATTR_AMOUNT_ML, 0, MAX_STOCK_ML),
        probatio.Optional(ATTR_AT): cv.datetime,
    }
)


def _planner_error(err: PlannerError, link: PlannerLink) -> HomeAssistantError:
    """A planner failure as the translated error users see."""
    placeholders = {"url": link.client.url if link.client else "", "error": str(err)}
    if isinstance(err, PlannerRefusedError):
        key = "planner_refused"
    elif isinstance(err, PlannerAuthError):
        key = "planner_auth_failed"
    elif isinstance(err, PlannerServerError):
        # It answered, with an error of its own: not the unreachable wording.
        key = "planner_server_error"
        placeholders["status"] = str(err.status)
    elif isinstance(err, PlannerConnectionError):
        key = "planner_unreachable"
    else:
        key = "planner_bad_response"
    return HomeAssistantError(
        translation_domain=DOMAIN,
        translation_key=key,
        translation_placeholders=placeholders,
    )


def _link(entry: FarmConfigEntry) -> tuple[PlannerLink, PlannerClient]:
    """The farm's planner link and client, refused when no planner is set.

    Raises:
        FarmError: `planner_not_configured`.
    """
    link = entry.runtime_data.planner
    if link.client is None:
        raise FarmError("planner_not_configured", farm=entry.title)
    return link, link.client


# --- The planning request --------------------------------------------------


def _growing_phases(species: Species) -> tuple[PhaseProfile, ...]:
    """The phases from sowing up to harvest (all but dormancy without one)."""
    phases: list[PhaseProfile] = []
    for profile in species.phases:
        if profile.phase is Phase.HARVEST:
            break
        if profile.phase is not Phase.DORMANCY:
            phases.append(profile)
    return tuple(phases) or species.phases


def _antagonists(species: Species, library: Library, keys: Iterable[str]) -> list[str]:
    """Crops of the request that must not share a shelf with `species`."""
    family = library.families.get(species.family)
    against = family.antagonists if family is not None else frozenset()
    found = []
    for key in keys:
        other = library.species[key]
        if key == species.key:
            continue
        if (
            key in species.antagonists
            or species.key in other.antagonists
            or other.family in against
        ):
            found.append(key)
    return sorted(found)


def crop_request(
    species: Species,
    library: Library,
    keys: Iterable[str],
    *,
    weekly_demand: int,
    sites_per_plant: int,
) -> dict[str, Any]:
    """What the planner needs to know of a crop, from the library.

    Its EC and pH range and its photoperiod are those of the phase it grows
    longest in before harvest. It accepts from that photoperiod up to the
    extra hours the farm's light rule tolerates (`lighting.DEFAULT_TOLERANCE_H`).
    """
    growing = _growing_phases(species)
    main = max(growing, key=lambda profile: profile.days)
    return {
        "id": planner_id(species.key),
        "name": species.name,
        "phase_days": {str(profile.phase): profile.days for profile in growing},
        "sites_per_plant": sites_per_plant,
        "ec_range": [main.ec_min, main.ec_max],
        "ph_range": [main.ph_min, main.ph_max],
        "photoperiod_h": main.photoperiod_h,
        "photoperiod_range_h": [
            main.photoperiod_h,
            min(DAY_H, main.photoperiod_h + DEFAULT_TOLERANCE_H),
        ],
        "antagonists": [
            planner_id(key) for key in _antagonists(species, library, keys)
        ],
        "weekly_demand": weekly_demand,
    }


def _check_fixed_hours(racks: Iterable[RackConfig]) -> None:
    """Refuse two fixed racks on one light with different day lengths.

    Raises:
        FarmError: `light_hours_differ`.
    """
    first: dict[str, RackConfig] = {}
    for rack in racks:
        if rack.light_mode != LIGHT_MODE_FIXED or rack.light_entity is None:
            continue
        other = first.setdefault(rack.light_entity, rack)
        if other.photoperiod_h != rack.photoperiod_h:
            raise FarmError(
                "light_hours_differ",
                rack=rack.name,
                hours=f"{rack.photoperiod_h:g}",
                other=other.name,
                other_hours=f"{other.photoperiod_h:g}",
                light=rack.light_entity,
            )


def planner_id(farm_id: str) -> str:
    """The id the planner is sent for one of the farm's: itself when it fits.

    The planner takes ids of 1-64 visible ASCII characters; a longer one (an
    own species' key, a light's entity id) is cut and ends in a hash of the
    whole, so it stays unique and the same in every request. No species key
    or entity id holds "~", so it never meets one sent as it is.
    """
    if _PLANNER_ID.fullmatch(farm_id):
        return farm_id
    visible = "".join(char for char in farm_id if "!" <= char <= "~")
    digest = hashlib.sha256(farm_id.encode()).hexdigest()[:_DIGEST_LENGTH]
    return f"{visible[: _MAX_ID_LENGTH - _DIGEST_LENGTH - 1]}~{digest}"


def _held_until(farm: Farm, plant: PlantConfig, *, today: date, last_day: date) -> date:
    """The last day a plant on a shelf holds its sites, as the farm expects it.

    The expected end of its last phase; a perennial, a plant whose phase is
    unknown and one past its expected end hold them to `last_day`.
    """
    species = farm.library.species[str(plant.species)]
    state = farm.views.phase_state(plant.id)
    index = None if state is None else species.position(state.phase)
    if species.perennial or state is None or index is None:
        return last_day
    end = phases.expected_phase_end(
        species, state.phase, started_on=state.started_on, today=today
    )
    if end.reached and index == len(species.phases) - 1:
        return last_day  # still there past its end: no telling when it goes
    later = sum(profile.days for profile in species.phases[index + 1 :])
    return max(end.on + timedelta(days=later), plant.planted)


def plan_request(
    farm: Farm,
    crops: Iterable[Mapping[str, Any]],
    *,
    horizon_weeks: int,
    sites_per_shelf: int,
    start: date,
    today: date,
) -> dict[str, Any]:
    """The planner's succession request for a farm and the crops wanted.

    Plants already on shelves keep their place, through their expected end,
    and count towards harvests; their species join the crops with no demand
    of their own.

    Raises:
        FarmError: `unknown_species`, `duplicate_crop`, `planner_no_racks`,
            `light_hours_differ`, `too_many_crops_with_shelves`.
    """
    config = farm.config
    library = farm.library
    if not config.racks:
        raise FarmError("planner_no_racks", farm=farm.settings.name)
    wanted: dict[str, Mapping[str, Any]] = {}
    for crop in crops:
        key = crop[ATTR_SPECIES]
        if key not in library.species:
            raise FarmError("unknown_species", species=key)
        if key in wanted:
            raise FarmError("duplicate_crop", species=key)
        wanted[key] = crop
    existing = [
        plant
        for plant in config.plants.values()
        if plant.rack in config.racks
        and plant.shelf is not None
        and plant.species in library.species
    ]
    keys = list(wanted)
    keys.extend(
        dict.fromkeys(
            str(plant.species) for plant in existing if plant.species not in wanted
        )
    )
    if len(keys) > MAX_CROPS:
        # The planner plans at most MAX_CROPS crops, those on shelves included.
        raise FarmError(
            "too_many_crops_with_shelves",
            wanted=len(wanted),
            on_shelves=len(keys) - len(wanted),
            max=MAX_CROPS,
        )
    racks = list(config.racks.values())
    _check_fixed_hours(racks)
    last_day = start + timedelta(weeks=horizon_weeks, days=-1)
    return {
        "farm_id": config.entry_id,
        "start": start.isoformat(),
        "horizon_weeks": horizon_weeks,
        "racks": [
            {
                "id": rack.id,
                "name": rack.name,
                "shelves": rack.shelves,
                # The rack's own figure when it has one, else the call's.
                "sites_per_shelf": rack.sites_per_shelf or sites_per_shelf,
                # Racks switched by one light share one photoperiod.
                "light_group": None
                if rack.light_entity is None
                else planner_id(rack.light_entity),
                "tank": rack.tank if rack.tank in config.tanks else None,
                # Fixed lights run the hours between the rack's on and off times.
                "photoperiod_h": rack.photoperiod_h
                if rack.light_mode == LIGHT_MODE_FIXED
                else None,
            }
            for rack in racks
        ],
        "tanks": [
            {"id": tank.id, "name": tank.name}
            for tank in config.tanks.values()
            if any(rack.tank == tank.id for rack in racks)
        ],
        "crops": [
            crop_request(
                library.species[key],
                library,
                keys,
                weekly_demand=int(wanted[key][ATTR_WEEKLY_DEMAND])
                if key in wanted
                else 0,
                sites_per_plant=int(wanted[key][ATTR_SITES_PER_PLANT])
                if key in wanted
                else 1,
            )
            for key in keys
        ],
        "existing": [
            {
                "crop": planner_id(str(plant.species)),
                "rack": plant.rack,
                "shelf": plant.shelf,
                "quantity": plant.quantity,
                "sown": plant.planted.isoformat(),
                "until": _held_until(
                    farm, plant, today=today, last_day=last_day
                ).isoformat(),
            }
            for plant in existing
        ],
    }


def farm_plan(plan: Mapping[str, Any], library: Library) -> dict[str, Any]:
    """The planner's plan with its crops named by the farm's species keys again."""
    keys = {planner_id(key): key for key in library.species}

    def named(item: Mapping[str, Any]) -> dict[str, Any]:
        crop = item.get("crop")
        return {**item, "crop": keys.get(str(crop), crop)}

    return {
        **plan,
        **{
            part: [named(item) for item in plan.get(part) or ()]
            for part in ("sowings", "harvest", "unmet", "rejections")
        },
    }


def plan_response(
    farm: Farm, plan: Mapping[str, Any], devices: Mapping[str, str]
) -> dict[str, Any]:
    """The plan as the action answers it: racks by device id and name."""
    racks = farm.config.racks

    def rack(rack_id: Any) -> dict[str, Any]:
        found = racks.get(str(rack_id))
        return {
            "rack": devices.get(str(rack_id)),
            "rack_name": found.name if found is not None else None,
        }

    def name(key: Any) -> str:
        species = farm.library.species.get(str(key))
        return species.name if species is not None else str(key)

    return {
        "plan_id": plan["plan_id"],
        "start": plan.get("start"),
        "horizon_weeks": plan.get("horizon_weeks"),
        "score": plan.get("score"),
        "totals": plan.get("totals", {}),
        "sowings": [
            {
                "week": sowing.get("week"),
                "sow_on": sowing.get("sow_on"),
                "species": sowing.get("crop"),
                "name": name(sowing.get("crop")),
                "quantity": sowing.get("quantity"),
                **rack(sowing.get("rack")),
                "shelf": sowing.get("shelf"),
                "harvest_on": sowing.get("harvest_on"),
            }
            for sowing in plan["sowings"]
        ],
        "harvest": [
            {
                "week_start": item.get("week_start"),
                "species": item.get("crop"),
                "expected": item.get("expected"),
                "demand": item.get("demand"),
            }
            for item in plan.get("harvest", ())
        ],
        "unmet": [
            {
                "week_start": item.get("week_start"),
                "species": item.get("crop"),
                "shortfall": item.get("shortfall"),
            }
            for item in plan.get("unmet", ())
        ],
        "shelf_use": [
            {
                **rack(item.get("rack")),
                "shelf": item.get("shelf"),
                "use": item.get("use"),
            }
            for item in plan.get("shelf_use", ())
        ],
        "rejections": [
            {
                "species": item.get("crop"),
                "sow_week": item.get("sow_week"),
                **rack(item.get("rack")),
                "shelf": item.get("shelf"),
                "constraint": item.get("constraint"),
            }
            for item in plan.get("rejections", ())
        ],
    }


def kept_plan(plan: Mapping[str, Any]) -> dict[str, Any]:
    """What the farm keeps of its latest plan: enough for the calendar."""
    return {
        "plan_id": plan["plan_id"],
        "created_at": plan.get("created_at"),
        "start": plan.get("start"),
        "horizon_weeks": plan.get("horizon_weeks"),
        "sowings": [
            {
                key: sowing.get(key)
                for key in ("sow_on", "crop", "quantity", "rack", "shelf", "harvest_on")
            }
            for sowing in plan["sowings"]
        ],
    }


# --- Actions -----------------------------------------------------------------


async def _async_ask[T](
    link: PlannerLink,
    request: Awaitable[T],
    refused: Callable[[PlannerRefusedError], Exception | None] | None = None,
) -> T:
    """The planner's answer to a request, the link told how the request went.

    A refusal (`refused` may give the action's own error for it) and a
    server error are answers: the link holds. Anything else is a lost link.

    Raises:
        HomeAssistantError: the translated planner error, or `refused`'s.
    """
    try:
        answer = await request
    except PlannerRefusedError as err:
        link.async_answered()  # it answered with the token
        own = None if refused is None else refused(err)
        raise (own or _planner_error(err, link)) from err
    except PlannerServerError as err:
        raise _planner_error(err, link) from err  # it answers: the link holds
    except PlannerError as err:
        link.async_failed(err)
        raise _planner_error(err, link) from err
    link.async_succeeded()
    return answer


async def _async_plan_succession(call: ServiceCall) -> ServiceResponse:
    """Plan sowings to meet the weekly demand, on the farm's shelves."""
    entry = _farm_entry(call.hass, call.data.get(ATTR_FARM))
    link, client = _link(entry)
    farm = entry.runtime_data.farm
    today = dt_util.now(farm.zone).date()
    request = plan_request(
        farm,
        call.data[ATTR_CROPS],
        horizon_weeks=call.data[ATTR_HORIZON_WEEKS],
        sites_per_shelf=call.data[ATTR_SITES_PER_SHELF],
        start=call.data.get(ATTR_START) or today,
        today=today,
    )
    answer = await _async_ask(link, client.async_plan_succession(request))
    plan = farm_plan(answer, farm.library)
    await link.async_set_plan(kept_plan(plan))
    return plan_response(farm, plan, _device_ids(call.hass, entry))


async def _async_get_forecast(call: ServiceCall) -> ServiceResponse:
    """A tank's water use and nutrient use forecast, from the journal."""
    entry, (tank_id,) = _resolve(call.hass, [(call.data[ATTR_TANK], SUBENTRY_TANK)])
    link, client = _link(entry)
    farm = entry.runtime_data.farm
    tank = farm.config.tanks[tank_id]
    forecast = await _async_ask(
        link,
        client.async_get_forecast(tank_id),
        lambda err: (
            FarmError("forecast_no_records", tank=tank.name)
            if err.planner_code == "tank_not_found"
            else None
        ),
    )
    water = forecast.get("water") or {}
    fertilizers = farm.library.fertilizers
    return {
        "tank": call.data[ATTR_TANK],
        "name": tank.name,
        "at": forecast.get("at"),
        "water": {
            key: water.get(key)
            for key in (
                "use_l_per_day",
                "method",
                "level_l",
                "days_until_empty",
                "empty_on",
            )
        },
        "nutrients": [
            {
                "fertilizer": item.get("fertilizer"),
                "name": fertilizers[key].name
                if (key := str(item.get("fertilizer"))) in fertilizers
                else key,
                "ml_per_week": item.get("ml_per_week"),
                "stock_ml": item.get("stock_ml"),
                "weeks_until_out": item.get("weeks_until_out"),
                "runs_out_on": item.get("runs_out_on"),
            }
            for item in forecast.get("nutrients") or ()
        ],
    }


async def _async_log_stock(call: ServiceCall) -> ServiceResponse:
    """Record how much of a fertilizer is on hand (the planner counts down from it)."""
    entry = _farm_entry(call.hass, call.data.get(ATTR_FARM))
    farm = entry.runtime_data.farm
    key = call.data[ATTR_FERTILIZER]
    if key not in farm.library.fertilizers:
        raise FarmError("unknown_fertilizer", fertilizer=key)
    await entry.runtime_data.store.async_record(
        RecordKind.STOCK,
        entry.entry_id,
        _when(call.data.get(ATTR_AT)),
        {ATTR_FERTILIZER: key, ATTR_AMOUNT_ML: call.data[ATTR_AMOUNT_ML]},
    )
    return None


PLANNER_ACTIONS: Final[tuple[Action, ...]] = (
    (
        SERVICE_PLAN_SUCCESSION,
        _async_plan_succession,
        PLAN_SUCCESSION_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (
        SERVICE_GET_FORECAST,
        _async_get_forecast,
        GET_FORECAST_SCHEMA,
        SupportsResponse.ONLY,
    ),
    (SERVICE_LOG_STOCK, _async_log_stock, LOG_STOCK_SCHEMA, SupportsResponse.NONE),
)


@callback
def async_setup_planner_actions(hass: HomeAssistant) -> None:
    """Register the planner actions (the two that ask it answer with a response)."""
    async_register_actions(hass, PLANNER_ACTIONS)
