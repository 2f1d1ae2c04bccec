"""The JSON API under ``/api/v1``: handlers and the one route table."""

from __future__ import annotations

from http import HTTPStatus
import json
from typing import Any, Final

from aiohttp import web

from . import __version__
from .db import JournalEntry, JournalQuery
from .errors import PlannerError
from .keys import DATABASE_KEY
from .openapi import Endpoint, Parameter, build_document
from .openapi_schemas import IDENTIFIER, SCHEMAS
from .schemas import JOURNAL_BATCH, JOURNAL_QUERY, validate

API_PREFIX: Final = "/api/v1"


async def read_json(request: web.Request) -> Any:
    """Return the request's JSON body.

    Raises:
        PlannerError: ``unsupported_media_type`` for a body that is not declared
            JSON, ``invalid_json`` for one that does not parse.
    """
    if request.content_type != "application/json":
        raise PlannerError(
            "unsupported_media_type", status=HTTPStatus.UNSUPPORTED_MEDIA_TYPE
        )
    text = await request.text()
    try:
        # NaN and Infinity are not JSON; refuse them like any other bad token.
        return json.loads(text, parse_constant=_refuse_constant)
    except ValueError as err:
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


_BODY_ERRORS: Final = (
    HTTPStatus.BAD_REQUEST,
    HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
    HTTPStatus.UNSUPPORTED_MEDIA_TYPE,
    HTTPStatus.SERVICE_UNAVAILABLE,
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
            Parameter(name="farm_id", location="query", schema=IDENTIFIER),
            Parameter(name="subject", location="query", schema=IDENTIFIER),
            Parameter(name="kind", location="query", schema={"type": "string"}),
            Parameter(
                name="since",
                location="query",
                schema={"type": "string", "format": "date-time"},
                description="Records at or after this time.",
            ),
            Parameter(
                name="until",
                location="query",
                schema={"type": "string", "format": "date-time"},
                description="Records before this time.",
            ),
            Parameter(
                name="limit",
                location="query",
                schema={
                    "type": "integer",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 100,
                },
            ),
            Parameter(
                name="cursor",
                location="query",
                schema={"type": "string"},
                description="`next_cursor` of the previous page.",
            ),
        ),
        errors=(HTTPStatus.BAD_REQUEST, HTTPStatus.SERVICE_UNAVAILABLE),
    ),
)

PUBLIC_ROUTES: Final[frozenset[tuple[str, str]]] = frozenset(
    (endpoint.method, endpoint.path) for endpoint in ENDPOINTS if endpoint.public
)


def add_routes(app: web.Application) -> None:
    """Add every endpoint of the route table to ``app``."""
    for endpoint in ENDPOINTS:
        app.router.add_route(endpoint.method, endpoint.path, endpoint.handler)
