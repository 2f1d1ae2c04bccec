"""The real planner add-on app on 127.0.0.1, for the integration's planner tests.

`create_app` from the add-on package serves on a free loopback port with its
own SQLite file. Tests stop and start it (same port, same database), start it
with another token, or put a fault in front of it (a failing journal, another
web server at the address) to see what the integration does. What the planner
stored is read from its SQLite file.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path
import socket
import sqlite3
from typing import Any

from aiohttp import web
from aiohttp.typedefs import Handler
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from vertical_farm_planner.app import create_app
from vertical_farm_planner.config import PlannerConfig

TOKEN = "test-token-0123456789abcdef"


def free_port() -> int:
    """A TCP port on 127.0.0.1 nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def stored_journal(database: Path) -> dict[str, dict[str, Any]]:
    """The journal rows in a planner's SQLite file, by event id."""
    with closing(sqlite3.connect(database)) as connection:
        rows = connection.execute(
            "SELECT event_id, farm_id, kind, subject_id FROM journal"
        ).fetchall()
    return {
        event_id: {"farm_id": farm_id, "kind": kind, "subject": subject}
        for event_id, farm_id, kind, subject in rows
    }


class PlannerServer:
    """A running planner app that tests can stop, restart and disturb."""

    def __init__(self, database: Path) -> None:
        """Prepare on a free port with TOKEN (call `start`)."""
        self.database = database
        self.token = TOKEN
        self.port = free_port()
        self.journal_status: int | None = None  # answer journal posts with this
        self.impostor = False  # answer like some other web server
        # Answer these paths with (status, JSON body) instead of the add-on.
        self.replies: dict[str, tuple[int, Any]] = {}
        self.batch_sizes: list[int] = []
        self.requests: list[str] = []  # "METHOD /path" of every request, in order
        self._runner: web.AppRunner | None = None

    @property
    def url(self) -> str:
        """The address the integration is given."""
        return f"http://127.0.0.1:{self.port}"

    def events(self) -> dict[str, dict[str, Any]]:
        """What the planner committed to its database."""
        return stored_journal(self.database)

    async def start(self) -> None:
        """Serve the add-on app (again) on the same port and database."""
        app = create_app(
            PlannerConfig(
                host="127.0.0.1",
                port=self.port,
                database_path=self.database,
                token=self.token,
            )
        )
        app.middlewares.insert(0, self._faults)
        # No access log: its clock does not work under a frozen test clock.
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    async def stop(self) -> None:
        """Stop answering: connections are refused."""
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    @web.middleware
    async def _faults(
        self, request: web.Request, handler: Handler
    ) -> web.StreamResponse:
        self.requests.append(f"{request.method} {request.path}")
        if self.impostor:
            return web.Response(text="<html>It works!</html>", content_type="text/html")
        if (reply := self.replies.get(request.path)) is not None:
            return web.json_response(reply[1], status=reply[0])
        if request.method == "POST" and request.path == "/api/v1/journal":
            if self.journal_status is not None:
                return web.json_response(
                    {"error": {"code": "internal_error", "message": "test"}},
                    status=self.journal_status,
                )
            body = await request.json()  # kept: the handler reads it again
            self.batch_sizes.append(len(body.get("records", ())))
        return await handler(request)


@pytest.fixture
async def planner_server(
    socket_enabled: None, tmp_path: Path
) -> AsyncIterator[PlannerServer]:
    """The planner add-on running on a free port of 127.0.0.1."""
    server = PlannerServer(tmp_path / "planner.db")
    await server.start()
    yield server
    await server.stop()


async def link_planner(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    server: PlannerServer,
    token: str = TOKEN,
) -> None:
    """Point the farm at `server`, set it up and wait for its first shipping."""
    hass.config_entries.async_update_entry(
        entry, options={"planner_url": server.url, "planner_token": token}
    )
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def tank_forecast(hass: HomeAssistant, tank_id: str) -> dict[str, Any]:
    """The `get_forecast` answer for a tank."""
    (device,) = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, tank_id)})
    response = await hass.services.async_call(
        DOMAIN,
        "get_forecast",
        {"tank": device.id},
        blocking=True,
        return_response=True,
    )
    assert isinstance(response, dict)
    return response
