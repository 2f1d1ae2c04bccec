"""Typed keys for what the application object carries."""

from __future__ import annotations

import asyncio
from typing import Final

from aiohttp import web

from .config import PlannerConfig
from .db import Database

CONFIG_KEY: Final = web.AppKey("config", PlannerConfig)
DATABASE_KEY: Final = web.AppKey("database", Database)
# Plans are CPU-bound and run in a worker thread, one at a time.
PLANNING_LOCK_KEY: Final = web.AppKey("planning_lock", asyncio.Lock)
# The ingress page's files, read once at startup.
WEB_FILES_KEY: Final = web.AppKey("web_files", dict[str, str])
