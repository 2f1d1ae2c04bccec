"""The application factory and the server loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import contextlib
import logging

import aiohttp
from aiohttp import web

from . import __version__
from .api import add_routes
from .config import LogLevel, PlannerConfig
from .db import Database
from .discovery import announce
from .keys import CONFIG_KEY, DATABASE_KEY, PLANNING_LOCK_KEY
from .middlewares import build_middlewares
from .web import web_files_context

_LOGGER = logging.getLogger(__name__)


def create_app(config: PlannerConfig) -> web.Application:
    """Return the planner application for ``config``; nothing is opened yet."""
    app = web.Application(
        middlewares=build_middlewares(config),
        client_max_size=config.max_body_bytes,
    )
    app[CONFIG_KEY] = config
    app[PLANNING_LOCK_KEY] = asyncio.Lock()
    app.cleanup_ctx.append(_database_context)
    app.cleanup_ctx.append(web_files_context)
    app.cleanup_ctx.append(_discovery_context)
    add_routes(app)
    return app


async def _database_context(app: web.Application) -> AsyncIterator[None]:
    """Open the database at startup and close it at shutdown."""
    database = await Database.open(app[CONFIG_KEY].database_path)
    app[DATABASE_KEY] = database
    try:
        yield
    finally:
        await database.close()


async def _discovery_context(app: web.Application) -> AsyncIterator[None]:
    """Announce the planner in the background while it runs under the Supervisor."""
    config = app[CONFIG_KEY]
    if not config.supervisor_token:
        yield
        return
    async with aiohttp.ClientSession() as session:
        # In the background: a slow or absent Supervisor must not delay startup.
        task = asyncio.create_task(announce(session, config))
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task


async def serve(config: PlannerConfig, stop: asyncio.Event) -> None:
    """Run the planner on its host and port until ``stop`` is set."""
    debug = config.log_level in (LogLevel.TRACE, LogLevel.DEBUG)
    runner = web.AppRunner(
        create_app(config),
        # One line per request is only worth it when debugging.
        access_log=logging.getLogger("aiohttp.access") if debug else None,
    )
    await runner.setup()
    try:
        site = web.TCPSite(runner, config.host, config.port)
        await site.start()
        _LOGGER.info(
            "Vertical Farm Planner %s listening on %s:%s, database %s",
            __version__,
            config.host,
            config.port,
            config.database_path,
        )
        await stop.wait()
        _LOGGER.info("Stopping the planner")
    finally:
        await runner.cleanup()
