"""Announcing the planner to Home Assistant through the Supervisor.

Under the Supervisor (``SUPERVISOR_TOKEN`` set) the planner posts its host,
port and token to ``/discovery``; the Supervisor hands them to the Vertical
Farm integration, which then offers to connect without the user typing
anything. The planner works the same when this fails: the user can still enter
the URL and token by hand, so failures are logged and never raised.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from http import HTTPStatus
import logging
from typing import Final

import aiohttp

from .config import PlannerConfig
from .openapi import JsonObject

_LOGGER = logging.getLogger(__name__)

SERVICE: Final = "vertical_farm"
REQUEST_TIMEOUT: Final = aiohttp.ClientTimeout(total=10)


def discovery_payload(config: PlannerConfig) -> JsonObject:
    """Return the message the Supervisor forwards to the integration."""
    return {
        "service": SERVICE,
        "config": {
            "host": config.advertise_host,
            "port": config.port,
            "token": config.token,
        },
    }


async def announce(
    session: aiohttp.ClientSession,
    config: PlannerConfig,
    delays_s: Sequence[float] | None = None,
) -> bool:
    """Post the discovery message, retrying with growing pauses.

    Connection failures and server errors are retried after each delay in
    ``delays_s`` (default: the configuration's); a refusal (4xx) is final.

    Returns:
        Whether the Supervisor accepted the message.
    """
    if not config.supervisor_token:
        return False
    url = f"{config.supervisor_url.rstrip('/')}/discovery"
    headers = {"Authorization": f"Bearer {config.supervisor_token}"}
    pauses = config.discovery_delays_s if delays_s is None else tuple(delays_s)
    attempts = len(pauses) + 1
    reason = ""
    for attempt, pause in enumerate((0.0, *pauses), start=1):
        if pause:
            await asyncio.sleep(pause)
        try:
            async with session.post(
                url,
                json=discovery_payload(config),
                headers=headers,
                timeout=REQUEST_TIMEOUT,
            ) as response:
                if response.status < HTTPStatus.MULTIPLE_CHOICES:
                    _LOGGER.info(
                        "Announced the planner to Home Assistant as %s:%s",
                        config.advertise_host,
                        config.port,
                    )
                    return True
                detail = (await response.text())[:200]
                if response.status < HTTPStatus.INTERNAL_SERVER_ERROR:
                    _LOGGER.warning(
                        "The Supervisor refused the discovery message (%s: %s); "
                        "set the planner up in Home Assistant by hand",
                        response.status,
                        detail,
                    )
                    return False
                reason = f"HTTP {response.status}: {detail}"
        except (aiohttp.ClientError, TimeoutError) as err:
            reason = repr(err)
        _LOGGER.debug(
            "Discovery attempt %s of %s failed: %s", attempt, attempts, reason
        )
    _LOGGER.warning(
        "Could not announce the planner to Home Assistant after %s attempts (%s); "
        "set it up in Home Assistant by hand",
        attempts,
        reason,
    )
    return False
