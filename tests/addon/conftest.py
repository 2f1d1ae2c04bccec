"""Fixtures for the planner add-on: the real app on a real loopback port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
import contextlib
from dataclasses import dataclass, replace
from pathlib import Path
import socket

import aiohttp
from aiohttp import web
import pytest

from vertical_farm_planner.app import create_app
from vertical_farm_planner.config import PlannerConfig

TOKEN = "test-token-0123456789abcdef"


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Let these tests open real sockets (the HA test plugin blocks them).

    The plugin still restricts connections to 127.0.0.1, which is all we use.
    """


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass(frozen=True, kw_only=True, slots=True)
class RunningPlanner:
    """A planner served over HTTP on 127.0.0.1."""

    app: web.Application
    runner: web.AppRunner
    config: PlannerConfig
    base_url: str

    def url(self, path: str) -> str:
        """Return the absolute URL of ``path``."""
        return f"{self.base_url}{path}"


@contextlib.asynccontextmanager
async def serve_planner(config: PlannerConfig) -> AsyncIterator[RunningPlanner]:
    """Start the real application on ``config.host:config.port``, then stop it.

    A free port can be taken by another process between probing and binding;
    then the app starts again on another free port.
    """
    for attempt in range(5):
        app = create_app(config)
        runner = web.AppRunner(app)
        await runner.setup()
        try:
            await web.TCPSite(runner, config.host, config.port).start()
        except OSError:
            await runner.cleanup()
            if attempt == 4:
                raise
            config = replace(config, port=free_port())
            continue
        break
    try:
        # The server really listens on a loopback TCP socket.
        assert (config.host, config.port) in runner.addresses
        yield RunningPlanner(
            app=app,
            runner=runner,
            config=config,
            base_url=f"http://{config.host}:{config.port}",
        )
    finally:
        await runner.cleanup()


type ConfigFactory = Callable[..., PlannerConfig]


@pytest.fixture
def make_config(tmp_path: Path) -> ConfigFactory:
    """Return a factory of test configurations; keyword arguments override."""
    base = PlannerConfig(
        host="127.0.0.1",
        port=0,
        database_path=tmp_path / "planner.db",
        token=TOKEN,
        advertise_host="planner.test",
        discovery_delays_s=(0.01, 0.02),
    )

    def factory(**overrides: object) -> PlannerConfig:
        overrides.setdefault("port", free_port())
        return replace(base, **overrides)  # type: ignore[arg-type]

    return factory


@pytest.fixture
async def planner(make_config: ConfigFactory) -> AsyncIterator[RunningPlanner]:
    """Return the planner with the default test configuration, running."""
    async with serve_planner(make_config()) as running:
        yield running


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    """Return a real HTTP client session."""
    async with aiohttp.ClientSession() as client:
        yield client


def auth(token: str = TOKEN) -> dict[str, str]:
    """Return the Authorization header for ``token``."""
    return {"Authorization": f"Bearer {token}"}
