"""The planner API over real HTTP on 127.0.0.1: health, auth, OpenAPI, errors."""

from __future__ import annotations

import asyncio
import json
import re

import aiohttp
import pytest

from vertical_farm_planner import __version__
from vertical_farm_planner.api import PUBLIC_ROUTES
from vertical_farm_planner.keys import DATABASE_KEY

from .conftest import TOKEN, ConfigFactory, RunningPlanner, auth, serve_planner

HEALTH = "/api/v1/health"
OPENAPI = "/api/v1/openapi.json"
JOURNAL = "/api/v1/journal"


def assert_error(body: object, code: str) -> None:
    """Assert ``body`` is exactly the error shape with ``code``."""
    assert isinstance(body, dict)
    assert set(body) == {"error"}
    assert set(body["error"]) == {"code", "message"}
    assert body["error"]["code"] == code
    assert isinstance(body["error"]["message"], str)
    assert body["error"]["message"]


async def test_health_needs_no_token(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    async with session.get(planner.url(HEALTH)) as response:
        assert response.status == 200
        assert response.content_type == "application/json"
        body = await response.json()
    assert body == {"status": "ok", "version": __version__, "database": "ok"}


async def test_health_ignores_a_wrong_token(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    async with session.get(planner.url(HEALTH), headers=auth("wrong")) as response:
        assert response.status == 200


async def test_health_over_a_raw_tcp_connection(planner: RunningPlanner) -> None:
    # Proves a real socket: a hand-written HTTP/1.1 request on a plain stream.
    reader, writer = await asyncio.open_connection(
        planner.config.host, planner.config.port
    )
    try:
        writer.write(
            f"GET {HEALTH} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n".encode()
        )
        await writer.drain()
        raw = await reader.read()
    finally:
        writer.close()
        await writer.wait_closed()
    head, _, payload = raw.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200")
    assert json.loads(payload)["status"] == "ok"


def test_only_health_is_public() -> None:
    assert {("GET", HEALTH)} == PUBLIC_ROUTES


@pytest.mark.parametrize(
    "headers",
    [
        {},
        auth("not-the-token-at-all"),
        auth(TOKEN + "x"),
        auth(TOKEN[:-1]),
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
        {"Authorization": "Bearer é"},
    ],
)
async def test_protected_route_refuses_without_the_token(
    planner: RunningPlanner, session: aiohttp.ClientSession, headers: dict[str, str]
) -> None:
    async with session.get(planner.url(OPENAPI), headers=headers) as response:
        assert response.status == 401
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert_error(await response.json(), "unauthorized")


async def test_token_scheme_is_case_insensitive(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    headers = {"Authorization": f"bearer {TOKEN}"}
    async with session.get(planner.url(OPENAPI), headers=headers) as response:
        assert response.status == 200


async def test_openapi_describes_the_routes_that_exist(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    async with session.get(planner.url(OPENAPI), headers=auth()) as response:
        assert response.status == 200
        document = await response.json()

    assert document["openapi"] == "3.1.0"
    assert document["info"]["version"] == __version__
    routes = {
        (route.method, route.resource.canonical)
        for route in planner.app.router.routes()
        if route.resource is not None
    }
    described = {
        (method.upper(), path)
        for path, item in document["paths"].items()
        for method in item
    }
    # Every route is described and every description is a route.
    assert described == routes
    assert {("GET", HEALTH), ("GET", OPENAPI), ("POST", JOURNAL)} <= routes
    # Each path's placeholders are declared as path parameters, and only they.
    for path, item in document["paths"].items():
        placeholders = set(re.findall(r"{(\w+)}", path))
        for operation in item.values():
            declared = {
                parameter["name"]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "path"
            }
            assert declared == placeholders, path
            assert all(
                parameter["required"]
                for parameter in operation.get("parameters", [])
                if parameter["in"] == "path"
            )
            if "requestBody" in operation:
                body = operation["requestBody"]["content"]["application/json"]
                assert body["schema"]["$ref"].startswith("#/components/schemas/")

    scheme = document["components"]["securitySchemes"]["bearerAuth"]
    assert scheme["type"] == "http"
    assert scheme["scheme"] == "bearer"
    assert document["security"] == [{"bearerAuth": []}]
    health = document["paths"][HEALTH]["get"]
    assert health["security"] == []
    assert set(health["responses"]) == {"200", "503"}
    openapi = document["paths"][OPENAPI]["get"]
    assert "security" not in openapi
    assert set(openapi["responses"]) == {"200", "401"}

    # Every reference points at a schema the document defines.
    schemas = document["components"]["schemas"]
    text = json.dumps(document)
    for ref in {
        part.split('"')[0] for part in text.split('"$ref": "#/components/schemas/')[1:]
    }:
        assert ref in schemas


async def test_unknown_path_is_a_json_404(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    async with session.get(planner.url("/api/v1/nothing"), headers=auth()) as response:
        assert response.status == 404
        assert response.content_type == "application/json"
        body = await response.json()
    assert_error(body, "not_found")
    assert "/api/v1/nothing" in body["error"]["message"]


async def test_unknown_path_without_token_is_refused_first(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    async with session.get(planner.url("/api/v1/nothing")) as response:
        assert response.status == 401
        assert_error(await response.json(), "unauthorized")


async def test_wrong_method_is_a_json_405(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    async with session.post(planner.url(HEALTH), headers=auth()) as response:
        assert response.status == 405
        assert response.headers["Allow"] == "GET"
        assert response.content_type == "application/json"
        assert_error(await response.json(), "method_not_allowed")


async def test_oversized_body_is_a_json_413(
    make_config: ConfigFactory, session: aiohttp.ClientSession
) -> None:
    async with serve_planner(make_config(max_body_bytes=1024)) as running:
        # One byte over the limit is refused, before the token is even looked at.
        for headers in (auth(), {}):
            async with session.post(
                running.url(OPENAPI), data=b"x" * 1025, headers=headers
            ) as response:
                assert response.status == 413
                body = await response.json()
            assert_error(body, "payload_too_large")
            assert "1024" in body["error"]["message"]
        # Exactly at the limit passes the size check and reaches routing (405).
        async with session.post(
            running.url(OPENAPI), data=b"x" * 1024, headers=auth()
        ) as response:
            assert response.status == 405


async def test_health_reports_a_broken_database(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    await planner.app[DATABASE_KEY].close()
    async with session.get(planner.url(HEALTH)) as response:
        assert response.status == 503
        assert_error(await response.json(), "database_unavailable")


async def test_ingress_requests_need_no_token(
    make_config: ConfigFactory, session: aiohttp.ClientSession
) -> None:
    ingress = {"X-Ingress-Path": "/api/hassio_ingress/abc"}
    async with serve_planner(make_config(ingress_proxy="127.0.0.1")) as running:
        async with session.get(running.url(OPENAPI), headers=ingress) as response:
            assert response.status == 200
        # From the proxy's address but not an ingress request: token needed.
        async with session.get(running.url(OPENAPI)) as response:
            assert response.status == 401


async def test_ingress_header_from_elsewhere_is_not_trusted(
    make_config: ConfigFactory, session: aiohttp.ClientSession
) -> None:
    ingress = {"X-Ingress-Path": "/api/hassio_ingress/abc"}
    async with (
        serve_planner(make_config(ingress_proxy="172.30.32.2")) as running,
        session.get(running.url(OPENAPI), headers=ingress) as response,
    ):
        assert response.status == 401


def protected_endpoints() -> list[tuple[str, str]]:
    """Return (method, path) of every protected route, path parameters filled in."""
    from vertical_farm_planner.api import ENDPOINTS

    return [
        (
            endpoint.method,
            endpoint.path.replace("{plan_id}", "p").replace("{tank_id}", "t"),
        )
        for endpoint in ENDPOINTS
        if not endpoint.public
    ]


@pytest.mark.parametrize(("method", "path"), protected_endpoints())
@pytest.mark.parametrize("headers", [{}, auth("wrong-token-0123456789")])
async def test_every_protected_route_needs_the_token(
    planner: RunningPlanner,
    session: aiohttp.ClientSession,
    method: str,
    path: str,
    headers: dict[str, str],
) -> None:
    async with session.request(
        method, planner.url(path), headers=headers, json={}
    ) as response:
        assert response.status == 401
        assert_error(await response.json(), "unauthorized")


@pytest.mark.parametrize("path", [HEALTH, OPENAPI, "/api/v1/nothing"])
async def test_every_answer_carries_security_headers(
    planner: RunningPlanner, session: aiohttp.ClientSession, path: str
) -> None:
    async with session.get(planner.url(path)) as response:
        assert response.status in (200, 401)
        headers = response.headers
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["X-Frame-Options"] == "SAMEORIGIN"
    assert headers["Referrer-Policy"] == "no-referrer"
    assert "frame-ancestors 'self'" in headers["Content-Security-Policy"]
    assert "script-src 'self'" in headers["Content-Security-Policy"]
    assert headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        (
            "POST",
            JOURNAL,
            {
                "farm_id": "f",
                "records": [{"id": "e", "at": "2026-05-01T00:00:00Z", "kind": "fed"}],
            },
        ),
        ("GET", JOURNAL, None),
        ("GET", "/api/v1/plans", None),
        ("GET", "/api/v1/plans/latest", None),
        ("GET", "/api/v1/plans/abc", None),
        ("GET", "/api/v1/forecast/tanks/t1", None),
        (
            "POST",
            "/api/v1/plans/succession",
            {
                "farm_id": "f",
                "horizon_weeks": 3,
                "racks": [{"id": "r", "shelves": 1, "sites_per_shelf": 2}],
                "crops": [
                    {
                        "id": "c",
                        "phase_days": {"vegetative": 7},
                        "ec_range": [1, 2],
                        "ph_range": [5, 6],
                        "photoperiod_h": 16,
                        "weekly_demand": 1,
                    }
                ],
            },
        ),
    ],
)
async def test_data_routes_report_a_broken_database(
    planner: RunningPlanner,
    session: aiohttp.ClientSession,
    method: str,
    path: str,
    body: object,
) -> None:
    await planner.app[DATABASE_KEY].close()
    async with session.request(
        method, planner.url(path), json=body, headers=auth()
    ) as response:
        assert response.status == 503
        assert_error(await response.json(), "database_unavailable")
