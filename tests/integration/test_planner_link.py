"""The farm's planner link: connection state, journal shipping, repair issues."""

from contextlib import closing
from datetime import timedelta
from pathlib import Path
import sqlite3
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import EVENT_HOMEASSISTANT_STOP
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import device_registry as dr, issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from yarl import URL

from custom_components.vertical_farm.const import DOMAIN

from .conftest import PLANT_ID
from .planner_server import TOKEN, PlannerServer, link_planner

CONNECTED = "binary_sensor.basement_planner_connected"


async def _settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


async def _tick(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: float
) -> None:
    freezer.tick(timedelta(seconds=seconds))
    async_fire_time_changed(hass)
    await _settle(hass)


async def _water(hass: HomeAssistant, entry_id: str, times: int) -> None:
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, PLANT_ID), entry_id
    )
    assert device is not None
    for _ in range(times):
        await hass.services.async_call(
            DOMAIN, "log_watering", {"plants": [device.id]}, blocking=True
        )


def _issue(hass: HomeAssistant, kind: str, entry: MockConfigEntry) -> Any:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"{kind}_{entry.entry_id}")


async def test_connected_only_with_the_token(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """A saved address is not enough: the planner must take the token."""
    await link_planner(hass, farm_entry, planner_server, "not-the-token-at-all")
    assert hass.states.get(CONNECTED).state == "off"
    issue = _issue(hass, "planner_auth_failed", farm_entry)
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "url": planner_server.url,
    }
    assert _issue(hass, "planner_unreachable", farm_entry) is None

    # The planner restarts with the token the farm sends: on at the next check.
    await planner_server.stop()
    planner_server.token = "not-the-token-at-all"
    await planner_server.start()
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(minutes=1))
    await _settle(hass)
    assert hass.states.get(CONNECTED).state == "on"
    assert _issue(hass, "planner_auth_failed", farm_entry) is None


async def test_notices_show_the_planner_address_without_its_login(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A user name and password kept in the address are not shown in a notice."""
    with_login = URL(planner_server.url).with_user("grower").with_password("hunter2")
    hass.config_entries.async_update_entry(
        farm_entry, options={"planner_url": str(with_login), "planner_token": TOKEN}
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await _settle(hass)
    await _tick(hass, freezer, 601)
    issue = _issue(hass, "planner_unreachable", farm_entry)
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "url": planner_server.url,
    }


async def test_unreachable_for_ten_minutes_raises_a_repair(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Off when it stops answering; a repair after 10 minutes; all clear when back."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    assert hass.states.get(CONNECTED).state == "on"
    changes: list[str] = []

    @callback  # in order, as each state is written
    def record(event: Any) -> None:
        if event.data["entity_id"] == CONNECTED:
            changes.append(event.data["new_state"].state)

    hass.bus.async_listen("state_changed", record)
    await planner_server.stop()
    await _tick(hass, freezer, 60)
    assert hass.states.get(CONNECTED).state == "off"
    assert changes == ["off"], "pushed once, on the change"
    for _ in range(9):
        await _tick(hass, freezer, 60)
    assert _issue(hass, "planner_unreachable", farm_entry) is None, "9 minutes"
    await _tick(hass, freezer, 61)
    issue = _issue(hass, "planner_unreachable", farm_entry)
    assert issue is not None
    assert issue.translation_key == "planner_unreachable"

    await planner_server.start()
    await _tick(hass, freezer, 60)
    assert hass.states.get(CONNECTED).state == "on"
    assert _issue(hass, "planner_unreachable", farm_entry) is None
    assert changes == ["off", "on"]


async def test_records_are_shipped_in_batches(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """Each record goes to the planner as it is written; the outbox empties."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    store = farm_entry.runtime_data.store
    await _water(hass, farm_entry.entry_id, 3)
    await _settle(hass)
    assert store.outbox_size == 0
    ids = [record["id"] for record in store.journal]
    assert len(ids) == 3
    stored = planner_server.events()
    assert set(stored) == set(ids)
    assert all(event["farm_id"] == farm_entry.entry_id for event in stored.values())
    assert stored[ids[0]]["kind"] == "watered"
    assert stored[ids[0]]["subject"] == PLANT_ID


async def test_nothing_lost_while_the_planner_is_down(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Records wait through an outage and a restart, then all arrive, each once."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    await _water(hass, farm_entry.entry_id, 2)
    await _settle(hass)
    await planner_server.stop()
    await _water(hass, farm_entry.entry_id, 450)  # more than two batches
    await _settle(hass)
    store = farm_entry.runtime_data.store
    assert store.outbox_size == 450
    assert hass.states.get(CONNECTED).state == "off"

    # Home Assistant restarts (the farm is loaded again from disk) meanwhile.
    assert await hass.config_entries.async_reload(farm_entry.entry_id)
    await _settle(hass)
    store = farm_entry.runtime_data.store
    assert store.outbox_size == 450

    await planner_server.start()
    await _tick(hass, freezer, 60)
    assert hass.states.get(CONNECTED).state == "on"
    assert store.outbox_size == 0
    stored = planner_server.events()
    assert set(stored) == {record["id"] for record in store.journal}
    assert len(stored) == 452
    assert max(planner_server.batch_sizes) == 200


async def test_failed_batches_back_off(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A failing planner is retried after 2, 4, 8... seconds, at most 5 minutes."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    planner_server.journal_status = 503
    attempts: list[int] = []
    store = farm_entry.runtime_data.store
    await _water(hass, farm_entry.entry_id, 1)
    await _settle(hass)
    assert store.outbox_size == 1
    link = farm_entry.runtime_data.planner
    waits = []
    for _ in range(10):
        waits.append(link.retry_s)
        await _tick(hass, freezer, link.retry_s)
        attempts.append(store.outbox_size)
    assert waits == [2, 4, 8, 16, 32, 64, 128, 256, 300, 300]
    assert attempts == [1] * 10
    # It answers with the token all along: a failing journal is not a lost link.
    assert hass.states.get(CONNECTED).state == "on"
    planner_server.journal_status = None
    await _tick(hass, freezer, 300)
    assert store.outbox_size == 0
    assert link.retry_s == 0


async def test_unacknowledged_batches_wait(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A batch the planner does not take stays queued and is retried."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    store = farm_entry.runtime_data.store
    link = farm_entry.runtime_data.planner
    planner_server.replies["/api/v1/journal"] = (200, {"accepted": []})
    await _water(hass, farm_entry.entry_id, 1)
    await _settle(hass)
    assert store.outbox_size == 1
    assert link.retry_s == 2
    assert hass.states.get(CONNECTED).state == "on", "it answers with the token"
    await _tick(hass, freezer, 2)
    assert store.outbox_size == 1
    assert link.retry_s == 4
    # Part of a batch taken: that part leaves, the rest waits for the next try.
    await _water(hass, farm_entry.entry_id, 1)
    first, second = (record["id"] for record in store.outbox(2))
    planner_server.replies["/api/v1/journal"] = (200, {"accepted": [first]})
    await _tick(hass, freezer, 4)
    assert [record["id"] for record in store.outbox(2)] == [second]
    assert link.retry_s == 8
    del planner_server.replies["/api/v1/journal"]
    await _tick(hass, freezer, 8)
    assert store.outbox_size == 0
    assert set(planner_server.events()) == {second}, "the fake reply kept nothing"


async def test_stopping_home_assistant_stops_the_link(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """At stop nothing more is sent; what is queued stays for the next start."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await _settle(hass)
    await farm_entry.runtime_data.store.async_record("watered", PLANT_ID, dt_util.now())
    await _settle(hass)
    assert farm_entry.runtime_data.store.outbox_size == 1
    assert planner_server.events() == {}


async def test_unload_stops_a_pending_retry(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An unloaded farm plans no more retries."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    planner_server.journal_status = 503
    await _water(hass, farm_entry.entry_id, 1)
    await _settle(hass)
    link = farm_entry.runtime_data.planner
    assert link.retry_s == 2
    assert await hass.config_entries.async_unload(farm_entry.entry_id)
    planner_server.journal_status = None
    await _tick(hass, freezer, 600)
    assert planner_server.events() == {}


async def test_retention_drops_old_records_from_the_outbox(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Records the retention rule drops are not shipped any more."""
    store = loaded_farm.runtime_data.store
    old = dt_util.utcnow() - timedelta(days=4 * 366)
    gone, kept = await store.async_record_many(
        [("watered", "01REMOVEDPLANT", old, None), ("watered", PLANT_ID, old, None)]
    )
    assert store.outbox_size == 2
    assert store.prune({PLANT_ID}, dt_util.utcnow()) == 1
    assert [record["id"] for record in store.outbox(10)] == [kept["id"]]
    assert gone not in store.journal


async def test_something_else_at_the_address(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A web server that is not the planner counts as no planner."""
    planner_server.impostor = True
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    assert hass.states.get(CONNECTED).state == "off"
    await _tick(hass, freezer, 10 * 60 + 1)
    assert _issue(hass, "planner_unreachable", farm_entry) is not None
    planner_server.impostor = False
    await _tick(hass, freezer, 60)
    assert hass.states.get(CONNECTED).state == "on"
    assert _issue(hass, "planner_unreachable", farm_entry) is None


def _move_table(database: Path, name: str, to: str) -> None:
    with closing(sqlite3.connect(database)) as connection:
        connection.execute(f"ALTER TABLE {name} RENAME TO {to}")
        connection.commit()


async def test_a_planner_answering_with_an_error_stays_connected(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """Its database fails: the check gets a 503, a repair says so, not unreachable."""
    await link_planner(hass, farm_entry, planner_server, TOKEN)
    changes: list[str] = []

    @callback
    def record(event: Any) -> None:
        if event.data["entity_id"] == CONNECTED:
            changes.append(event.data["new_state"].state)

    hass.bus.async_listen("state_changed", record)
    _move_table(planner_server.database, "schema_version", "schema_version_away")
    await _tick(hass, freezer, 60)
    issue = _issue(hass, "planner_server_error", farm_entry)
    assert issue is not None
    assert issue.translation_key == "planner_server_error"
    placeholders = issue.translation_placeholders
    assert placeholders["status"] == "503"
    assert "database" in placeholders["error"]
    assert placeholders["farm"] == "Basement"
    assert placeholders["url"] == planner_server.url
    for _ in range(11):
        await _tick(hass, freezer, 60)
    assert hass.states.get(CONNECTED).state == "on"
    assert changes == [], "it answered all along"
    assert _issue(hass, "planner_unreachable", farm_entry) is None

    # A request it refuses says nothing of its database: the notice stays.
    planner_server.replies["/api/v1/plans/succession"] = (
        400,
        {"error": {"code": "invalid_request", "message": "crops.0: too many"}},
    )
    with pytest.raises(HomeAssistantError) as err:
        await hass.services.async_call(
            DOMAIN,
            "plan_succession",
            {"crops": [{"species": "lettuce", "weekly_demand": 6}]},
            blocking=True,
            return_response=True,
        )
    assert err.value.translation_key == "planner_refused"
    assert _issue(hass, "planner_server_error", farm_entry) is not None

    _move_table(planner_server.database, "schema_version_away", "schema_version")
    await _tick(hass, freezer, 60)
    assert _issue(hass, "planner_server_error", farm_entry) is None
    assert hass.states.get(CONNECTED).state == "on"
