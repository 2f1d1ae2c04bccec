"""JSON Schemas (OpenAPI 3.1 components) of every request and response body.

They describe the same shapes the voluptuous schemas in `schemas.py` check and
the handlers in `api.py` return; tests validate real responses against them.
"""

from __future__ import annotations

from typing import Final

from .openapi import JsonObject, JsonValue
from .schemas import (
    MAX_CROPS,
    MAX_EXISTING,
    MAX_HORIZON_WEEKS,
    MAX_JOURNAL_BATCH,
    MAX_RACKS,
    MAX_SHELVES,
    MAX_SITES_PER_SHELF,
    PHASES,
)


def ref(name: str) -> JsonObject:
    """Return a reference to the component schema ``name``."""
    return {"$ref": f"#/components/schemas/{name}"}


def obj(
    properties: dict[str, JsonValue],
    required: tuple[str, ...] = (),
    description: str = "",
) -> JsonObject:
    """Return a closed object schema."""
    schema: dict[str, JsonValue] = {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
    }
    if required:
        schema["required"] = list(required)
    if description:
        schema["description"] = description
    return schema


def array(items: JsonValue, description: str = "", **limits: int) -> JsonObject:
    """Return an array schema."""
    schema: dict[str, JsonValue] = {"type": "array", "items": items, **limits}
    if description:
        schema["description"] = description
    return schema


def nullable(schema: JsonObject) -> JsonObject:
    """Return ``schema`` that also allows null."""
    return {"anyOf": [schema, {"type": "null"}]}


IDENTIFIER: Final[JsonObject] = {
    "type": "string",
    "pattern": "^[\\x21-\\x7e]{1,64}$",
    "description": "1-64 visible ASCII characters.",
}
NAME: Final[JsonObject] = {"type": "string", "minLength": 1, "maxLength": 100}
DATE: Final[JsonObject] = {"type": "string", "format": "date"}
DATE_TIME: Final[JsonObject] = {
    "type": "string",
    "format": "date-time",
    "description": "ISO 8601 with a UTC offset; answers are in UTC.",
}
NUMBER: Final[JsonObject] = {"type": "number"}
WHOLE: Final[JsonObject] = {"type": "integer", "minimum": 0}
WEEK: Final[JsonObject] = {
    "type": "integer",
    "minimum": 0,
    "description": "Week of the plan; week 0 starts on `start`.",
}
RANGE: Final[JsonObject] = array(NUMBER, minItems=2, maxItems=2)
CONSTRAINTS: Final = (
    "shelf_capacity",
    "rack_photoperiod",
    "tank_solution",
    "antagonist",
    "not_enough_time",
)

SCHEMAS: Final[dict[str, JsonValue]] = {
    "Error": obj(
        {
            "error": obj(
                {
                    "code": {
                        "type": "string",
                        "description": "Stable, machine-readable snake_case code.",
                        "examples": ["unauthorized", "invalid_request"],
                    },
                    "message": {
                        "type": "string",
                        "description": "English explanation for logs and people.",
                    },
                    "field": {
                        "type": "string",
                        "description": (
                            "With `invalid_request`: the refused field as a dotted "
                            "path, e.g. `racks.0.shelves`."
                        ),
                    },
                },
                ("code", "message"),
            )
        },
        ("error",),
    ),
    "Health": obj(
        {
            "status": {"type": "string", "enum": ["ok"]},
            "version": {"type": "string", "description": "Planner version."},
            "database": {"type": "string", "enum": ["ok"]},
        },
        ("status", "version", "database"),
    ),
    "OpenApiDocument": {
        "type": "object",
        "description": "This document.",
        "required": ["openapi", "info", "paths"],
    },
    "JournalRecordIn": obj(
        {
            "id": {
                **IDENTIFIER,
                "description": "Event id (the integration's ULID); the idempotency key.",
            },
            "at": DATE_TIME,
            "kind": {
                "type": "string",
                "pattern": "^[a-z][a-z0-9_]{0,63}$",
                "description": (
                    "What happened: `phase_changed`, `watered`, `fed`, `treated`, "
                    "`harvested`, `tank_level`, `stock`, ..."
                ),
            },
            "subject": nullable(IDENTIFIER),
            "data": {"type": "object", "description": "Details of the record."},
        },
        ("id", "at", "kind"),
    ),
    "JournalBatch": obj(
        {
            "farm_id": IDENTIFIER,
            "records": array(
                ref("JournalRecordIn"), minItems=1, maxItems=MAX_JOURNAL_BATCH
            ),
        },
        ("farm_id", "records"),
    ),
    "JournalAck": obj(
        {
            "accepted": array(
                IDENTIFIER,
                "Every id of the batch, stored and committed (new or already known).",
            ),
            "inserted": {**WHOLE, "description": "Records new to the planner."},
            "duplicates": {**WHOLE, "description": "Records it already had."},
        },
        ("accepted", "inserted", "duplicates"),
    ),
    "JournalRecord": obj(
        {
            "id": IDENTIFIER,
            "farm_id": IDENTIFIER,
            "at": DATE_TIME,
            "kind": {"type": "string"},
            "subject": nullable(IDENTIFIER),
            "data": {"type": "object"},
            "received_at": DATE_TIME,
        },
        ("id", "farm_id", "at", "kind", "subject", "data", "received_at"),
    ),
    "JournalPage": obj(
        {
            "records": array(ref("JournalRecord"), "Oldest first."),
            "next_cursor": nullable(
                {
                    "type": "string",
                    "description": "Pass as `cursor` for the next page.",
                }
            ),
        },
        ("records", "next_cursor"),
    ),
    "Rack": obj(
        {
            "id": IDENTIFIER,
            "name": NAME,
            "shelves": {"type": "integer", "minimum": 1, "maximum": MAX_SHELVES},
            "sites_per_shelf": {
                "oneOf": [
                    {"type": "integer", "minimum": 1, "maximum": MAX_SITES_PER_SHELF},
                    array(
                        {
                            "type": "integer",
                            "minimum": 0,
                            "maximum": MAX_SITES_PER_SHELF,
                        },
                        minItems=1,
                        maxItems=MAX_SHELVES,
                    ),
                ],
                "description": "Plant sites on each shelf, or one number per shelf.",
            },
            "light_group": nullable(
                {
                    **IDENTIFIER,
                    "description": (
                        "Racks on one light circuit; they share one photoperiod. "
                        "Default: the rack alone."
                    ),
                }
            ),
            "tank": nullable(
                {**IDENTIFIER, "description": "Tank the rack draws from."}
            ),
            "photoperiod_h": nullable(
                {
                    "type": "number",
                    "minimum": 0,
                    "maximum": 24,
                    "description": (
                        "Hours of light a day of a rack whose lights run fixed "
                        "hours: only crops that accept them go there, and its "
                        "light group runs them. Default: the crops decide."
                    ),
                }
            ),
        },
        ("id", "shelves", "sites_per_shelf"),
    ),
    "Tank": obj({"id": IDENTIFIER, "name": NAME}, ("id",)),
    "Crop": obj(
        {
            "id": {**IDENTIFIER, "description": "Species (library key)."},
            "name": NAME,
            "phase_days": {
                "type": "object",
                "propertyNames": {"enum": list(PHASES)},
                "additionalProperties": {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 730,
                },
                "minProperties": 1,
                "description": (
                    "Days per phase from sowing to harvest; their sum, rounded up "
                    "to whole weeks, is how long a sowing holds its shelf sites."
                ),
            },
            "sites_per_plant": {"type": "integer", "minimum": 1, "default": 1},
            "ec_range": {**RANGE, "description": "EC (mS/cm) [low, high]."},
            "ph_range": {**RANGE, "description": "pH [low, high]."},
            "photoperiod_h": {"type": "number", "minimum": 0, "maximum": 24},
            "photoperiod_range_h": {
                **RANGE,
                "description": (
                    "Hours of light a day the crop accepts [low, high], "
                    "including `photoperiod_h`. Default: `photoperiod_h` only."
                ),
            },
            "antagonists": array(
                IDENTIFIER, "Crops of this request that must not share a shelf."
            ),
            "weekly_demand": {
                **WHOLE,
                "default": 0,
                "description": "Plants wanted at harvest every week.",
            },
        },
        ("id", "phase_days", "ec_range", "ph_range", "photoperiod_h"),
    ),
    "ExistingPlanting": obj(
        {
            "crop": IDENTIFIER,
            "rack": IDENTIFIER,
            "shelf": {"type": "integer", "minimum": 1, "maximum": MAX_SHELVES},
            "quantity": {"type": "integer", "minimum": 1},
            "sown": DATE,
            "until": {
                **DATE,
                "description": (
                    "Last day it holds its sites (not before `sown`): it keeps "
                    "them through that week. Default: its crop's growing weeks."
                ),
            },
        },
        ("crop", "rack", "shelf", "quantity", "sown"),
    ),
    "SuccessionRequest": obj(
        {
            "farm_id": IDENTIFIER,
            "start": {
                **DATE,
                "description": "First day of week 0; default: this week's Monday.",
            },
            "horizon_weeks": {
                "type": "integer",
                "minimum": 1,
                "maximum": MAX_HORIZON_WEEKS,
            },
            "racks": array(ref("Rack"), minItems=1, maxItems=MAX_RACKS),
            "tanks": array(ref("Tank"), "Names of the racks' tanks (optional)."),
            "crops": array(ref("Crop"), minItems=1, maxItems=MAX_CROPS),
            "existing": array(
                ref("ExistingPlanting"),
                "Plantings already growing; they keep their place.",
                maxItems=MAX_EXISTING,
            ),
        },
        ("farm_id", "horizon_weeks", "racks", "crops"),
    ),
    "Sowing": obj(
        {
            "week": WEEK,
            "sow_on": DATE,
            "crop": IDENTIFIER,
            "quantity": {"type": "integer", "minimum": 1},
            "rack": IDENTIFIER,
            "shelf": {"type": "integer", "minimum": 1},
            "harvest_week": WEEK,
            "harvest_on": DATE,
        },
        (
            "week",
            "sow_on",
            "crop",
            "quantity",
            "rack",
            "shelf",
            "harvest_week",
            "harvest_on",
        ),
    ),
    "HarvestWeek": obj(
        {
            "week": WEEK,
            "week_start": DATE,
            "crop": IDENTIFIER,
            "expected": WHOLE,
            "demand": WHOLE,
        },
        ("week", "week_start", "crop", "expected", "demand"),
    ),
    "Shortfall": obj(
        {
            "week": WEEK,
            "week_start": DATE,
            "crop": IDENTIFIER,
            "demand": WHOLE,
            "expected": WHOLE,
            "shortfall": {"type": "integer", "minimum": 1},
        },
        ("week", "week_start", "crop", "demand", "expected", "shortfall"),
    ),
    "ShelfUse": obj(
        {
            "rack": IDENTIFIER,
            "shelf": {"type": "integer", "minimum": 1},
            "sites": WHOLE,
            "used": array(WHOLE, "Sites in use, one number per week."),
            "crops": array(array(IDENTIFIER), "Crops on the shelf, one list per week."),
            "use": {"type": "number", "minimum": 0, "maximum": 1},
        },
        ("rack", "shelf", "sites", "used", "crops", "use"),
    ),
    "Rejection": obj(
        {
            "crop": IDENTIFIER,
            "sow_week": {"type": "integer"},
            "harvest_week": WEEK,
            "rack": nullable(IDENTIFIER),
            "shelf": nullable({"type": "integer", "minimum": 1}),
            "constraint": {"type": "string", "enum": list(CONSTRAINTS)},
        },
        ("crop", "sow_week", "harvest_week", "rack", "shelf", "constraint"),
        "A shelf that could not take (more of) a shortfall, and why.",
    ),
    "PlanTotals": obj(
        {
            "demand": WHOLE,
            "expected": WHOLE,
            "met": WHOLE,
            "shortfall": WHOLE,
            "shelf_use": {"type": "number", "minimum": 0, "maximum": 1},
        },
        ("demand", "expected", "met", "shortfall", "shelf_use"),
    ),
    "Plan": obj(
        {
            "plan_id": {"type": "string"},
            "farm_id": IDENTIFIER,
            "created_at": DATE_TIME,
            "start": DATE,
            "horizon_weeks": {"type": "integer", "minimum": 1},
            "score": {
                "type": "number",
                "description": "Objective value: plants harvested in a week that wants them.",
            },
            "sowings": array(ref("Sowing"), "New sowings, by week."),
            "harvest": array(ref("HarvestWeek"), "Expected harvest vs demand."),
            "unmet": array(ref("Shortfall"), "Weeks whose demand is not met."),
            "shelf_use": array(ref("ShelfUse")),
            "rejections": array(ref("Rejection")),
            "rejections_truncated": {"type": "boolean"},
            "totals": ref("PlanTotals"),
            "racks": array(ref("Rack"), "The racks as requested."),
            "tanks": array(ref("Tank")),
            "crops": array(
                obj(
                    {
                        "id": IDENTIFIER,
                        "name": NAME,
                        "grow_weeks": {"type": "integer", "minimum": 1},
                    },
                    ("id", "name", "grow_weeks"),
                )
            ),
            "search": obj(
                {
                    "complete": {
                        "type": "boolean",
                        "description": (
                            "False when a huge request ran out of planning time; "
                            "the demand not reached is in `unmet`."
                        ),
                    },
                    "greedy_score": nullable(WHOLE),
                    "improvement_rounds": WHOLE,
                    "upper_bound": nullable(
                        {
                            **WHOLE,
                            "description": "No plan can score more than this.",
                        }
                    ),
                },
                ("complete", "greedy_score", "improvement_rounds", "upper_bound"),
                "What the planner's search did.",
            ),
        },
        (
            "plan_id",
            "farm_id",
            "created_at",
            "start",
            "horizon_weeks",
            "score",
            "sowings",
            "harvest",
            "unmet",
            "shelf_use",
            "rejections",
            "rejections_truncated",
            "totals",
            "racks",
            "tanks",
            "crops",
            "search",
        ),
    ),
    "PlanSummary": obj(
        {
            "plan_id": {"type": "string"},
            "farm_id": IDENTIFIER,
            "created_at": DATE_TIME,
            "start": DATE,
            "horizon_weeks": {"type": "integer", "minimum": 1},
            "totals": ref("PlanTotals"),
        },
        ("plan_id", "farm_id", "created_at", "start", "horizon_weeks", "totals"),
    ),
    "PlanList": obj({"plans": array(ref("PlanSummary"), "Newest first.")}, ("plans",)),
    "WaterForecast": obj(
        {
            "use_l_per_day": nullable(NUMBER),
            "method": {
                "type": "string",
                "enum": ["level_trend", "refills", "none"],
                "description": (
                    "`level_trend`: Theil-Sen slopes of level readings between "
                    "refills; `refills`: water added by top-ups over time."
                ),
            },
            "segments": WHOLE,
            "samples": WHOLE,
            "level_l": nullable(NUMBER),
            "level_at": nullable(DATE_TIME),
            "days_until_empty": nullable(NUMBER),
            "empty_on": nullable(DATE),
        },
        (
            "use_l_per_day",
            "method",
            "segments",
            "samples",
            "level_l",
            "level_at",
            "days_until_empty",
            "empty_on",
        ),
    ),
    "NutrientForecast": obj(
        {
            "fertilizer": {"type": "string"},
            "ml_per_week": NUMBER,
            "farm_ml_per_week": NUMBER,
            "stock_ml": nullable(NUMBER),
            "stock_at": nullable(DATE_TIME),
            "weeks_until_out": nullable(NUMBER),
            "runs_out_on": nullable(DATE),
        },
        (
            "fertilizer",
            "ml_per_week",
            "farm_ml_per_week",
            "stock_ml",
            "stock_at",
            "weeks_until_out",
            "runs_out_on",
        ),
    ),
    "TankForecast": obj(
        {
            "tank": IDENTIFIER,
            "farm_id": IDENTIFIER,
            "at": DATE_TIME,
            "history_days": {"type": "integer", "minimum": 1},
            "water": ref("WaterForecast"),
            "nutrients": array(ref("NutrientForecast")),
        },
        ("tank", "farm_id", "at", "history_days", "water", "nutrients"),
    ),
}
