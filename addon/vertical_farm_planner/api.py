"""The JSON API under ``/api/v1``: handlers and the one route table."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from http import HTTPStatus
import json
from typing import Any, Final
import uuid

from aiohttp import web

from . import __version__, json_text
from .db import JournalEntry, JournalQuery, format_time
from .errors import PlannerError
from .forecast import (
    feeding,
    level_reading,
    nutrient_forecast,
    stock_count,
    water_forecast,
)
from .keys import DATABASE_KEY, PLANNING_LOCK_KEY
from .openapi import Endpoint, Parameter, build_document
from .openapi_schemas import IDENTIFIER, SCHEMAS
from .planning.model import build_problem
from .planning.report import plan_result
from .planning.schedule import Schedule
from .planning.solver import SolveStats, solve
from .schemas import (
    DEFAULT_HISTORY_DAYS,
    DEFAULT_JOURNAL_PAGE,
    DEFAULT_PLAN_PAGE,
    FORECAST_QUERY,
    JOURNAL_BATCH,
    JOURNAL_QUERY,
    MAX_HISTORY_DAYS,
    MAX_JOURNAL_PAGE,
    MAX_PLAN_PAGE,
    PLAN_LIST_QUERY,
    PLAN_QUERY,
    SUCCESSION_REQUEST,
    validate,
)
from .web import get_page, get_static

API_PREFIX: Final = "/api/v1"


async def read_json(request: web.Request) -> Any:
    """Return the request's JSON body.

    Raises:
        PlannerError: ``unsupported_media_type`` for a body that is not declared
            JSON or names a charset Python does not know, ``invalid_json`` for
            one that does not decode or parse.
    """
    if request.content_type != "application/json":
        raise PlannerError(
            "unsupported_media_type", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        )
    try:
        text = await request.text()
    except LookupError as err:  # an unknown charset
        raise PlannerError(
            "unsupported_media_type", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        ) from err
    except UnicodeDecodeError as err:
        raise PlannerError("invalid_json") from err
    try:
        # NaN and Infinity are not JSON; refuse them like any other bad token.
        return json.loads(text, parse_constant=_refuse_constant)
    except (ValueError, RecursionError) as err:
        # RecursionError: nesting deeper than the parser can follow.
        raise PlannerError("invalid_json") from err


def _refuse_constant(name: str) -> Any:
    """Refuse the non-standard constants Python's JSON parser would accept."""
    raise ValueError(name)


async def post_journal(request: web.Request) -> web.Response:
    """Store a batch of journal records; acknowledge them after the commit."""
    batch = validate(JOURNAL_BATCH, await read_json(request))
    entries = [
        JournalEntry(
            event_id=record["id"],
            kind=record["kind"],
            subject=record["subject"],
            at=record["at"],
            data=record["data"],
        )
        for record in batch["records"]
    ]
    inserted = await request.app[DATABASE_KEY].add_journal(batch["farm_id"], entries)
    accepted = list(dict.fromkeys(entry.event_id for entry in entries))
    return web.json_response(
        {
            "accepted": accepted,
            "inserted": inserted,
            "duplicates": len(accepted) - inserted,
        }
    )


async def get_journal(request: web.Request) -> web.Response:
    """Return one page of journal records, oldest first."""
    query = validate(JOURNAL_QUERY, request.query)
    records, next_cursor = await request.app[DATABASE_KEY].journal_page(
        JournalQuery(**query)
    )
    return web.json_response(
        {
            "records": [record.as_json() for record in records],
            "next_cursor": next_cursor,
        }
    )


async def post_succession(request: web.Request) -> web.Response:
    """Plan sowings that meet the weekly demand; store and return the plan."""
    raw = await read_json(request)
    body = validate(SUCCESSION_REQUEST, raw)
    start: date = body.get("start") or _this_monday()
    problem = build_problem(body, start)
    async with request.app[PLANNING_LOCK_KEY]:
        # CPU-bound for up to about a second and a half: off the event loop.
        schedule, stats = await asyncio.to_thread(solve, problem)
    created_at = datetime.now(UTC)
    plan_id = uuid.uuid4().hex
    # The largest plans' reports and text take about a second: off the loop too.
    text = await asyncio.to_thread(
        _plan_text,
        {"plan_id": plan_id, "farm_id": body["farm_id"], "created_at": created_at},
        schedule,
        body,
        start,
        stats,
    )
    await request.app[DATABASE_KEY].save_plan(
        plan_id=plan_id,
        farm_id=body["farm_id"],
        kind="succession",
        created_at=created_at,
        request=raw,
        result_json=text,
    )
    return _json_text_response(text)


def _plan_text(
    head: dict[str, Any],
    schedule: Schedule,
    body: dict[str, Any],
    start: date,
    stats: SolveStats,
) -> str:
    """Return the JSON text of a plan: its id, farm and time, then its result."""
    plan = {
        **head,
        "created_at": format_time(head["created_at"]),
        **plan_result(schedule, body, start, stats),
    }
    return json_text.encode(plan)


def _json_text_response(text: str) -> web.Response:
    """Return a JSON answer whose text is already made."""
    return web.Response(text=text, content_type="application/json")


async def get_plans(request: web.Request) -> web.Response:
    """Return the newest plans' summaries, newest first."""
    query = validate(PLAN_LIST_QUERY, request.query)
    plans = await request.app[DATABASE_KEY].plan_summaries(
        query.get("farm_id"), query["limit"]
    )
    return web.json_response({"plans": plans})


async def get_latest_plan(request: web.Request) -> web.Response:
    """Return the newest plan (of one farm when asked)."""
    query = validate(PLAN_QUERY, request.query)
    plan = await request.app[DATABASE_KEY].latest_plan(query.get("farm_id"))
    return _plan_response(plan, "(latest)")


async def get_plan(request: web.Request) -> web.Response:
    """Return one stored plan."""
    plan_id = request.match_info["plan_id"]
    return _plan_response(await request.app[DATABASE_KEY].plan(plan_id), plan_id)


def _plan_response(plan: str | None, plan_id: str) -> web.Response:
    """Return a stored plan's JSON text as it is, or refuse with ``plan_not_found``.

    Not parsed and encoded again: for the largest plans that would hold the
    event loop for about half a second.
    """
    if plan is None:
        raise PlannerError(
            "plan_not_found", status=HTTPStatus.NOT_FOUND, plan_id=plan_id
        )
    return _json_text_response(plan)


async def get_tank_forecast(request: web.Request) -> web.Response:
    """Return the water and nutrient forecast of one tank from the journal."""
    tank = request.match_info["tank_id"]
    query = validate(FORECAST_QUERY, request.query)
    at: datetime = query.get("at") or datetime.now(UTC)
    database = request.app[DATABASE_KEY]
    farm_id = await database.subject_farm(tank)
    if farm_id is None:
        raise PlannerError("tank_not_found", status=HTTPStatus.NOT_FOUND, tank=tank)
    since = at - timedelta(days=query["history_days"])
    records = [
        record
        for record in await database.subject_records(tank, ("fed", "tank_level"), since)
        if record.at <= at
    ]
    data = [
        (record.kind, record.at, record.data)
        for record in records
        if isinstance(record.data, dict)
    ]
    readings = [
        reading
        for kind, when, values in data
        if kind == "tank_level" and (reading := level_reading(when, values))
    ]
    feedings = [feeding(when, values) for kind, when, values in data if kind == "fed"]
    farm_records = await database.farm_records(farm_id, ("fed", "stock"))
    farm_feedings = [
        feeding(record.at, record.data)
        for record in farm_records
        if record.kind == "fed" and isinstance(record.data, dict) and record.at <= at
    ]
    stocks = [
        count
        for record in farm_records
        if record.kind == "stock"
        and isinstance(record.data, dict)
        and (count := stock_count(record.at, record.data))
    ]
    body = {
        "tank": tank,
        "farm_id": farm_id,
        "at": at,
        "history_days": query["history_days"],
        "water": water_forecast(readings, feedings, at),
        "nutrients": nutrient_forecast(feedings, farm_feedings, stocks, at, since),
    }
    return web.json_response(body, dumps=_dumps)


def _dumps(value: Any) -> str:
    """Return JSON with times in the stored UTC format and dates as ISO dates.

    Raises:
        ValueError: for NaN or infinity, which JSON cannot carry.
    """
    return json.dumps(value, default=_json_default, allow_nan=False)


def _json_default(value: Any) -> str:
    """Encode the date and time values of a forecast."""
    if isinstance(value, datetime):
        return format_time(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(type(value).__name__)


def _this_monday() -> date:
    """Return the Monday of the current UTC week."""
    today = datetime.now(UTC).date()
    return today - timedelta(days=today.weekday())


_BODY_ERRORS: Final = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.SERVICE_UNAVAILABLE,
)
_QUERY_ERRORS: Final = (HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE)
_LOOKUP_ERRORS: Final = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.NOT_FOUND,
    HTTPStatus.SERVICE_UNAVAILABLE,
)
_FARM_FILTER: Final = Parameter(name="farm_id", location="query", schema=IDENTIFIER)


def _time_filter(name: str, description: str) -> Parameter:
    """Return a query parameter that takes a date and time."""
    return Parameter(
        name=name,
        location="query",
        schema={"type": "string", "format": "date-time"},
        description=description,
    )


def _count_filter(
    name: str, maximum: int, default: int, description: str = ""
) -> Parameter:
    """Return a query parameter that takes a whole number from 1 to ``maximum``."""
    return Parameter(
        name=name,
        location="query",
        schema={
            "type": "integer",
            "minimum": 1,
            "maximum": maximum,
            "default": default,
        },
        description=description,
    )


async def get_health(request: web.Request) -> web.Response:
    """Answer whether the planner and its database work (no token needed)."""
    # A real query, so a broken or locked database shows here.
    await request.app[DATABASE_KEY].schema_version()
    return web.json_response({"status": "ok", "version": __version__, "database": "ok"})


async def get_openapi(request: web.Request) -> web.Response:
    """Return the OpenAPI 3.1 document of this API."""
    return web.json_response(build_document(ENDPOINTS, __version__, SCHEMAS))


ENDPOINTS: Final[tuple[Endpoint, ...]] = (
    Endpoint(
        method="GET",
        path=f"{API_PREFIX}/health",
        handler=get_health,
        operation_id="getHealth",
        summary="Planner and database status",
        description=(
            "Runs a query against the database. The only endpoint that needs "
            "no token, for watchdogs and connection checks."
        ),
        tag="system",
        response_schema="Health",
        public=True,
        errors=(HTTPStatus.SERVICE_UNAVAILABLE,),
    ),
    Endpoint(
        method="GET",
        path=f"{API_PREFIX}/openapi.json",
        handler=get_openapi,
        operation_id="getOpenApi",
        summary="This API's OpenAPI 3.1 document",
        tag="system",
        response_schema="OpenApiDocument",
    ),
    Endpoint(
        method="POST",
        path=f"{API_PREFIX}/journal",
        handler=post_journal,
        operation_id="postJournal",
        summary="Store a batch of journal records",
        description=(
            "Idempotent by record id: a record already stored is acknowledged "
            "again and left unchanged. The answer comes after the commit, so "
            "every id in `accepted` survives a crash."
        ),
        tag="journal",
        request_schema="JournalBatch",
        response_schema="JournalAck",
        errors=_BODY_ERRORS,
    ),
    Endpoint(
        method="GET",
        path=f"{API_PREFIX}/journal",
        handler=get_journal,
        operation_id="getJournal",
        summary="Read journal records, oldest first",
        tag="journal",
        response_schema="JournalPage",
        parameters=(
            _FARM_FILTER,
            Parameter(name="subject", location="query", schema=IDENTIFIER),
            Parameter(name="kind", location="query", schema={"type": "string"}),
            _time_filter("since", "Records at or after this time."),
            _time_filter("until", "Records before this time."),
            _count_filter("limit", MAX_JOURNAL_PAGE, DEFAULT_JOURNAL_PAGE),
            Parameter(
                name="cursor",
                location="query",
                schema={"type": "string"},
                description="`next_cursor` of the previous page.",
            ),
        ),
        errors=_QUERY_ERRORS,
    ),
    Endpoint(
        method="POST",
        path=f"{API_PREFIX}/plans/succession",
        handler=post_succession,
        operation_id="planSuccession",
        summary="Plan sowings and shelf space for the weekly demand",
        description=(
            "Hard constraints: sites per shelf per week, one photoperiod per "
            "light group, one EC and pH window per tank, no antagonists on a "
            "shelf. The plan is stored and returned."
        ),
        tag="plans",
        request_schema="SuccessionRequest",
        response_schema="Plan",
        errors=_BODY_ERRORS,
    ),
    Endpoint(
        method="GET",
        path=f"{API_PREFIX}/plans",
        handler=get_plans,
        operation_id="listPlans",
        summary="The newest stored plans, in short",
        tag="plans",
        response_schema="PlanList",
        parameters=(
            _FARM_FILTER,
            _count_filter("limit", MAX_PLAN_PAGE, DEFAULT_PLAN_PAGE),
        ),
        errors=_QUERY_ERRORS,
    ),
    # Before `{plan_id}`: the router tries routes in this order.
    Endpoint(
        method="GET",
        path=f"{API_PREFIX}/plans/latest",
        handler=get_latest_plan,
        operation_id="getLatestPlan",
        summary="The newest stored plan",
        tag="plans",
        response_schema="Plan",
        parameters=(
            Parameter(
                name="farm_id",
                location="query",
                schema=IDENTIFIER,
                description="Only this farm's plans.",
            ),
        ),
        errors=_LOOKUP_ERRORS,
    ),
    Endpoint(
        method="GET",
        path=f"{API_PREFIX}/plans/{{plan_id}}",
        handler=get_plan,
        operation_id="getPlan",
        summary="One stored plan",
        tag="plans",
        response_schema="Plan",
        parameters=(
            Parameter(name="plan_id", location="path", schema={"type": "string"}),
        ),
        errors=(HTTPStatus.NOT_FOUND, HTTPStatus.SERVICE_UNAVAILABLE),
    ),
    Endpoint(
        method="GET",
        path=f"{API_PREFIX}/forecast/tanks/{{tank_id}}",
        handler=get_tank_forecast,
        operation_id="getTankForecast",
        summary="Water and nutrient forecast of one tank",
        description=(
            "From the journal: `tank_level` readings and `fed` records of the "
            "tank, `stock` counts and feedings of its farm."
        ),
        tag="forecasts",
        response_schema="TankForecast",
        parameters=(
            Parameter(name="tank_id", location="path", schema=IDENTIFIER),
            _time_filter("at", "Forecast time; default now."),
            _count_filter(
                "history_days",
                MAX_HISTORY_DAYS,
                DEFAULT_HISTORY_DAYS,
                "How many days of records to read.",
            ),
        ),
        errors=_LOOKUP_ERRORS,
    ),
    Endpoint(
        method="GET",
        path="/",
        handler=get_page,
        operation_id="getPage",
        summary="The planner's page (ingress)",
        description=(
            "The latest plan as a rack and shelf timeline, harvest against "
            "demand and tank forecasts. Served through ingress or with the token."
        ),
        tag="page",
        response_schema="",
        media_type="text/html",
    ),
    Endpoint(
        method="GET",
        path="/static/{name}",
        handler=get_static,
        operation_id="getPageFile",
        summary="The page's script or style sheet",
        tag="page",
        response_schema="",
        media_type="text/plain",
        parameters=(
            Parameter(
                name="name",
                location="path",
                schema={"type": "string", "enum": ["app.js", "app.css"]},
            ),
        ),
        errors=(HTTPStatus.NOT_FOUND,),
    ),
)

PUBLIC_ROUTES: Final[frozenset[tuple[str, str]]] = frozenset(
    (endpoint.method, endpoint.path) for endpoint in ENDPOINTS if endpoint.public
)


def add_routes(app: web.Application) -> None:
    """Add every endpoint of the route table to ``app``."""
    for endpoint in ENDPOINTS:
        app.router.add_route(endpoint.method, endpoint.path, endpoint.handler)
