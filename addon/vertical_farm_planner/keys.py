"""Typed keys for what the application object carries."""

from __future__ import annotations

from typing import Final

from aiohttp import web

from .config import PlannerConfig
from .db import Database

CONFIG_KEY: Final = web.AppKey("config", PlannerConfig)
DATABASE_KEY: Final = web.AppKey("database", Database)
