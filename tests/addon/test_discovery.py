"""Supervisor discovery, against a fake Supervisor served on 127.0.0.1."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
import logging

import aiohttp
from aiohttp import web
import pytest

from vertical_farm_planner.discovery import announce

from .conftest import ConfigFactory, free_port, serve_planner

SUPERVISOR_TOKEN = "supervisor-token"


@dataclass(kw_only=True)
class FakeSupervisor:
    """A real HTTP server that records discovery posts and answers as told."""

    statuses: list[int] = field(default_factory=list)
    requests: list[tuple[str, object]] = field(default_factory=list)
    received: asyncio.Event = field(default_factory=asyncio.Event)
    url: str = ""

    async def discovery(self, request: web.Request) -> web.Response:
        """Record the post and answer with the next scripted status (else 200)."""
        self.requests.append(
            (request.headers.get("Authorization", ""), await request.json())
        )
        status = self.statuses.pop(0) if self.statuses else 200
        self.received.set()
        if status == 200:
            return web.json_response({"result": "ok", "data": {"uuid": "abc123"}})
        return web.json_response({"result": "error", "message": "nope"}, status=status)


@pytest.fixture
async def supervisor() -> AsyncIterator[FakeSupervisor]:
    """Return a running fake Supervisor."""
    fake = FakeSupervisor()
    app = web.Application()
    app.router.add_post("/discovery", fake.discovery)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    host, port = runner.addresses[0][:2]
    fake.url = f"http://{host}:{port}"
    try:
        yield fake
    finally:
        await runner.cleanup()


async def test_planner_announces_itself_at_startup(
    make_config: ConfigFactory,
    supervisor: FakeSupervisor,
    session: aiohttp.ClientSession,
) -> None:
    config = make_config(
        supervisor_token=SUPERVISOR_TOKEN, supervisor_url=supervisor.url + "/"
    )
    async with serve_planner(config) as running:
        await asyncio.wait_for(supervisor.received.wait(), timeout=5)
        async with session.get(running.url("/api/v1/health")) as response:
            assert response.status == 200

    assert supervisor.requests == [
        (
            f"Bearer {SUPERVISOR_TOKEN}",
            {
                "service": "vertical_farm",
                "config": {
                    "host": "planner.test",
                    "port": config.port,
                    "token": config.token,
                },
            },
        )
    ]


async def test_server_errors_are_retried(
    make_config: ConfigFactory,
    supervisor: FakeSupervisor,
    session: aiohttp.ClientSession,
) -> None:
    supervisor.statuses = [500, 503]
    config = make_config(
        supervisor_token=SUPERVISOR_TOKEN, supervisor_url=supervisor.url
    )
    assert await announce(session, config, delays_s=(0.01, 0.01, 0.01))
    # Two failures, then the third attempt succeeds; the fourth is never needed.
    assert len(supervisor.requests) == 3


async def test_refusal_is_final(
    make_config: ConfigFactory,
    supervisor: FakeSupervisor,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    supervisor.statuses = [403]
    config = make_config(
        supervisor_token=SUPERVISOR_TOKEN, supervisor_url=supervisor.url
    )
    with caplog.at_level(logging.WARNING):
        assert not await announce(session, config, delays_s=(0.01, 0.01))
    assert len(supervisor.requests) == 1
    assert "refused the discovery message (403" in caplog.text
    assert config.token not in caplog.text


async def test_persistent_server_errors_give_up(
    make_config: ConfigFactory,
    supervisor: FakeSupervisor,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    supervisor.statuses = [500, 500, 500]
    config = make_config(
        supervisor_token=SUPERVISOR_TOKEN, supervisor_url=supervisor.url
    )
    with caplog.at_level(logging.WARNING):
        assert not await announce(session, config, delays_s=(0.01, 0.01))
    assert len(supervisor.requests) == 3
    assert "after 3 attempts (HTTP 500" in caplog.text


async def test_unreachable_supervisor_gives_up_quietly(
    make_config: ConfigFactory,
    session: aiohttp.ClientSession,
    caplog: pytest.LogCaptureFixture,
) -> None:
    config = make_config(
        supervisor_token=SUPERVISOR_TOKEN,
        supervisor_url=f"http://127.0.0.1:{free_port()}",
    )
    with caplog.at_level(logging.WARNING):
        assert not await announce(session, config)
    # The configured pauses (0.01 s, 0.02 s) give three attempts in all.
    assert "after 3 attempts" in caplog.text
    assert SUPERVISOR_TOKEN not in caplog.text


async def test_without_supervisor_nothing_is_sent(
    make_config: ConfigFactory,
    supervisor: FakeSupervisor,
    session: aiohttp.ClientSession,
) -> None:
    config = make_config(supervisor_url=supervisor.url)
    assert config.supervisor_token is None
    assert not await announce(session, config)
    async with serve_planner(config):
        await asyncio.sleep(0.05)
    assert supervisor.requests == []


async def test_planner_works_while_discovery_keeps_failing(
    make_config: ConfigFactory,
    supervisor: FakeSupervisor,
    session: aiohttp.ClientSession,
) -> None:
    supervisor.statuses = [500] * 10
    # Long pauses: the retry task is still waiting when the planner stops.
    config = make_config(
        supervisor_token=SUPERVISOR_TOKEN,
        supervisor_url=supervisor.url,
        discovery_delays_s=(30.0, 60.0),
    )
    async with serve_planner(config) as running:
        await asyncio.wait_for(supervisor.received.wait(), timeout=5)
        async with session.get(running.url("/api/v1/health")) as response:
            assert response.status == 200
    assert len(supervisor.requests) == 1
