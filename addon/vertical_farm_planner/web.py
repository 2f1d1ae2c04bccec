"""The ingress page: one HTML file, its script and its style sheet.

The files ship inside the package (no build step) and are read once at
startup, off the event loop. Under ingress the page gets a ``<base>`` that
points at the ingress path, so its relative URLs reach this add-on through
Home Assistant's proxy.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
import html
from http import HTTPStatus
from importlib import resources
import re
from typing import Final

from aiohttp import web

from .config import INGRESS_PATH_HEADER
from .errors import PlannerError
from .keys import WEB_FILES_KEY

CONTENT_TYPES: Final[Mapping[str, str]] = {
    "index.html": "text/html",
    "app.js": "text/javascript",
    "app.css": "text/css",
}
STATIC_FILES: Final = frozenset({"app.js", "app.css"})
# What the Supervisor sends: /api/hassio_ingress/<session token>.
_INGRESS_PATH: Final = re.compile(r"/api/hassio_ingress/[A-Za-z0-9_\-]{1,128}")


def read_web_files() -> dict[str, str]:
    """Return the page's files from the package."""
    folder = resources.files(__package__) / "web"
    return {name: (folder / name).read_text(encoding="utf-8") for name in CONTENT_TYPES}


async def web_files_context(app: web.Application) -> AsyncIterator[None]:
    """Read the page's files once at startup."""
    app[WEB_FILES_KEY] = await asyncio.to_thread(read_web_files)
    yield


async def get_page(request: web.Request) -> web.Response:
    """Return the planner's page, based at the ingress path when there is one."""
    ingress = request.headers.get(INGRESS_PATH_HEADER, "")
    base = f"{ingress}/" if _INGRESS_PATH.fullmatch(ingress) else "./"
    page = request.app[WEB_FILES_KEY]["index.html"].replace(
        "{{base}}", html.escape(base, quote=True)
    )
    return web.Response(text=page, content_type="text/html")


async def get_static(request: web.Request) -> web.Response:
    """Return the page's script or style sheet."""
    name = request.match_info["name"]
    if name not in STATIC_FILES:
        raise PlannerError("not_found", status=HTTPStatus.NOT_FOUND, path=request.path)
    return web.Response(
        text=request.app[WEB_FILES_KEY][name], content_type=CONTENT_TYPES[name]
    )
