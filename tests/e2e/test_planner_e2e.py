"""The integration with the add-on process: plan, ship, kill it, lose nothing."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from contextlib import closing
from datetime import timedelta
import sqlite3

from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.util import dt as dt_util
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN
from tests.integration.conftest import PLANT_ID
from tests.integration.planner_server import stored_journal

from .conftest import AddonProcess

CONNECTED = "binary_sensor.basement_planner_connected"
WAIT_S = 30.0


async def _until(hass: HomeAssistant, done: Callable[[], bool], what: str) -> None:
    """Let Home Assistant and the add-on run until `done` holds."""
    try:
        async with asyncio.timeout(WAIT_S):
            while not done():
                await hass.async_block_till_done(wait_background_tasks=True)
                await asyncio.sleep(0.05)
    except TimeoutError:
        raise AssertionError(f"still waiting for: {what}") from None


def _plans(database: str) -> int:
    with closing(sqlite3.connect(database)) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM plans").fetchone()
    return int(count)


async def test_plan_then_kill_the_addon_while_shipping(
    hass: HomeAssistant, farm_entry: MockConfigEntry, addon: AddonProcess
) -> None:
    """No acknowledged record is lost to SIGKILL, and the planner comes back."""
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await _until(
        hass, lambda: hass.states.get(CONNECTED).state == "on", "planner connected"
    )

    plan = await hass.services.async_call(
        DOMAIN,
        "plan_succession",
        {"crops": [{"species": "lettuce", "weekly_demand": 6}], "horizon_weeks": 10},
        blocking=True,
        return_response=True,
    )
    assert isinstance(plan, dict)
    assert plan["sowings"]
    assert _plans(str(addon.database)) == 1

    store = farm_entry.runtime_data.store
    link = farm_entry.runtime_data.planner
    plant = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PLANT_ID), farm_entry.entry_id
    )
    assert plant is not None

    async def water(times: int) -> None:
        for _ in range(times):
            await hass.services.async_call(
                DOMAIN, "log_watering", {"plants": [plant.id]}, blocking=True
            )

    # Log while records are being shipped; kill the add-on with a batch on its way.
    acknowledged: set[str] = set()
    for _ in range(3000):
        await water(1)
        await asyncio.sleep(0)
        waiting = {record["id"] for record in store.outbox(store.outbox_size)}
        acknowledged = {record["id"] for record in store.journal} - waiting
        if link.shipping and len(acknowledged) >= 50 and waiting:
            break
    else:
        raise AssertionError("never caught a batch on its way")
    await addon.kill()
    # Every record the add-on acknowledged is in its database after SIGKILL.
    stored = stored_journal(addon.database)
    assert acknowledged <= set(stored)

    # Records made while it is down wait in the outbox.
    await water(100)
    await _until(hass, lambda: hass.states.get(CONNECTED).state == "off", "planner off")
    assert store.outbox_size >= 100

    await addon.start()
    # The retry after the backoff (and the minute's health check) find it back.
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=5))
    await _until(
        hass,
        lambda: hass.states.get(CONNECTED).state == "on" and store.outbox_size == 0,
        "planner back and the outbox empty",
    )
    stored = stored_journal(addon.database)
    journal = {record["id"] for record in store.journal}
    assert set(stored) == journal, "every record arrived, each once"
    assert len(stored) == len(store.journal)
    assert all(row["farm_id"] == farm_entry.entry_id for row in stored.values())
    assert _plans(str(addon.database)) == 1, "the plan survived the kill"
