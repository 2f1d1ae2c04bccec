"""A small planner on 127.0.0.1 for the integration's tests of its planner link.

It speaks the add-on's API as SPEC section 9 describes it: bearer token on
everything but the health check, a journal that takes each event id once and
answers only after it kept the batch. Tests switch it off and on, change its
token, or make it fail, to see what the integration does. The end-to-end tests
(tests/e2e) run the real add-on instead.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

from aiohttp import web
from aiohttp.test_utils import TestServer
import pytest

TOKEN = "test-token-0123456789abcdef"


class PlannerServer:
    """The planner's state, which tests read and change."""

    def __init__(self) -> None:
        """Start empty, answering, with TOKEN."""
        self.token = TOKEN
        self.events: dict[str, dict[str, Any]] = {}
        self.batches: list[list[str]] = []
        self.journal_status: int | None = None  # answer every journal post with this
        self.impostor = False  # answer like some other web server
        self.server: TestServer | None = None
        self.port = 0

    @property
    def url(self) -> str:
        """The address the integration is given."""
        return f"http://127.0.0.1:{self.port}"

    def app(self) -> web.Application:
        """The aiohttp application."""

        @web.middleware
        async def auth(request: web.Request, handler: Any) -> web.StreamResponse:
            if self.impostor:
                return web.Response(
                    text="<html>It works!</html>", content_type="text/html"
                )
            if (
                request.path != "/api/v1/health"
                and request.headers.get("Authorization") != f"Bearer {self.token}"
            ):
                return web.json_response(
                    {"error": {"code": "unauthorized", "message": "token"}}, status=401
                )
            return await handler(request)

        async def health(_request: web.Request) -> web.Response:
            return web.json_response({"status": "ok"})

        async def openapi(_request: web.Request) -> web.Response:
            return web.json_response({"openapi": "3.1.0", "paths": {}})

        async def journal(request: web.Request) -> web.Response:
            if self.journal_status is not None:
                return web.json_response(
                    {"error": {"code": "failing", "message": "set by the test"}},
                    status=self.journal_status,
                )
            body = await request.json()
            ids = []
            for event in body["events"]:
                self.events.setdefault(event["id"], {**event, "farm": body["farm"]})
                ids.append(event["id"])
            self.batches.append(ids)
            return web.json_response({"acknowledged": ids})

        app = web.Application(middlewares=[auth])
        app.router.add_get("/api/v1/health", health)
        app.router.add_get("/api/v1/openapi.json", openapi)
        app.router.add_post("/api/v1/journal", journal)
        return app

    async def start(self) -> None:
        """Listen (again) on the same port."""
        self.server = TestServer(self.app(), host="127.0.0.1", port=self.port or None)
        # No access log: its clock does not work under a frozen test clock.
        await self.server.start_server(access_log=None)
        self.port = self.server.port or 0

    async def stop(self) -> None:
        """Stop answering: connections are refused."""
        if self.server is not None:
            await self.server.close()
            self.server = None


@pytest.fixture
async def planner_server(socket_enabled: None) -> AsyncIterator[PlannerServer]:
    """A running planner on a free port of 127.0.0.1."""
    server = PlannerServer()
    await server.start()
    yield server
    await server.stop()
