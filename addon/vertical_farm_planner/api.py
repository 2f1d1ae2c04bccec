"""The JSON API under ``/api/v1``: handlers and the one route table."""

from __future__ import annotations

from http import HTTPStatus
from typing import Final

from aiohttp import web

from . import __version__
from .keys import DATABASE_KEY
from .openapi import Endpoint, build_document

API_PREFIX: Final = "/api/v1"


async def get_health(request: web.Request) -> web.Response:
    """Answer whether the planner and its database work (no token needed)."""
    # A real query, so a broken or locked database shows here.
    await request.app[DATABASE_KEY].schema_version()
    return web.json_response({"status": "ok", "version": __version__, "database": "ok"})


async def get_openapi(request: web.Request) -> web.Response:
    """Return the OpenAPI 3.1 document of this API."""
    return web.json_response(build_document(ENDPOINTS, __version__))


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
)

PUBLIC_ROUTES: Final[frozenset[tuple[str, str]]] = frozenset(
    (endpoint.method, endpoint.path) for endpoint in ENDPOINTS if endpoint.public
)


def add_routes(app: web.Application) -> None:
    """Add every endpoint of the route table to ``app``."""
    for endpoint in ENDPOINTS:
        app.router.add_route(endpoint.method, endpoint.path, endpoint.handler)
