"""The bundled dashboard card: served by the integration and loaded by the frontend.

The built card (frontend/vertical-farm-card.js, committed, so no build step is
needed) is served under /vertical_farm/. When dashboards keep their resources
in storage (the default), the card becomes a dashboard resource, kept at the
current version; otherwise the frontend loads it as an extra module.
"""

from __future__ import annotations

import hashlib
import logging
from pathlib import Path
from typing import Any, Final

from homeassistant.components.http.server import StaticPathConfig
from homeassistant.core import HomeAssistant

from .const import DOMAIN

_LOGGER = logging.getLogger(__name__)

CARD_FILE: Final = Path(__file__).parent / "frontend" / "vertical-farm-card.js"
CARD_URL: Final = f"/{DOMAIN}/vertical-farm-card.js"
LOVELACE: Final = "lovelace"
STORAGE_MODE: Final = "storage"


def card_version(path: Path = CARD_FILE) -> str:
    """A short hash of the built card: browsers fetch it again when it changes."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:12]


async def async_register_card(hass: HomeAssistant) -> None:
    """Serve the card and have dashboards load it.

    The http integration is always set up first (repairs, a dependency,
    depends on it).
    """
    version = await hass.async_add_executor_job(card_version)
    await hass.http.async_register_static_paths(
        [StaticPathConfig(CARD_URL, str(CARD_FILE), cache_headers=True)]
    )
    url = f"{CARD_URL}?v={version}"
    if await async_add_resource(hass, url):
        return
    if "frontend" in hass.config.components:
        # YAML dashboards: the card is loaded with the frontend itself.
        from homeassistant.components.frontend import (  # noqa: PLC0415
            add_extra_js_url,
        )

        add_extra_js_url(hass, url)


async def async_add_resource(hass: HomeAssistant, url: str) -> bool:
    """Keep the card among the dashboards' resources; False in YAML mode."""
    if LOVELACE not in hass.config.components:
        return False
    from homeassistant.components.lovelace.const import (  # noqa: PLC0415
        LOVELACE_DATA,
    )

    data = hass.data.get(LOVELACE_DATA)
    if data is None or data.resource_mode != STORAGE_MODE:
        return False
    resources: Any = data.resources
    if not resources.loaded:
        await resources.async_load()
        resources.loaded = True
    for item in resources.async_items():
        if str(item.get("url", "")).split("?")[0] != CARD_URL:
            continue
        if item["url"] != url:
            await resources.async_update_item(item["id"], {"url": url})
            _LOGGER.debug("Updated the dashboard resource to %s", url)
        return True
    await resources.async_create_item({"res_type": "module", "url": url})
    _LOGGER.debug("Added the dashboard resource %s", url)
    return True
