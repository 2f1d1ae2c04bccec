"""Records the real planner refuses as invalid are set aside; the rest still go."""

from datetime import datetime, timedelta
import logging

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.diagnostics import (
    async_get_config_entry_diagnostics,
)

from .conftest import PLANT_ID
from .planner_server import PlannerServer, link_planner

# A time without a zone: the planner refuses a batch with such a record.
NAIVE_TIME = datetime(2026, 1, 2, 3, 4, 5)  # noqa: DTZ001


async def _settle(hass: HomeAssistant) -> None:
    await hass.async_block_till_done(wait_background_tasks=True)


def _issue(hass: HomeAssistant, entry: MockConfigEntry) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(
        DOMAIN, f"planner_records_refused_{entry.entry_id}"
    )


async def test_a_refused_record_is_set_aside_and_the_rest_shipped(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """One bad record among many: found by splitting, kept, and nothing waits."""
    await link_planner(hass, farm_entry, planner_server)
    store = farm_entry.runtime_data.store
    # Recorded while the planner is down, so they go in one batch.
    await planner_server.stop()
    now = dt_util.now()
    good = []
    for minutes in range(9):
        record = await store.async_record(
            "watered", PLANT_ID, now - timedelta(minutes=60 - minutes)
        )
        good.append(record["id"])
        if minutes == 4:
            # A time without a zone: the planner refuses the whole batch for it.
            bad = await store.async_record("watered", PLANT_ID, NAIVE_TIME)
    await _settle(hass)
    assert store.outbox_size == 10
    planner_server.batch_sizes.clear()
    await planner_server.start()
    caplog.clear()
    with caplog.at_level(logging.WARNING):
        freezer.tick(timedelta(minutes=1))
        async_fire_time_changed(hass)
        await _settle(hass)

    assert store.outbox_size == 0, "nothing valid waits behind the bad record"
    assert set(planner_server.events()) == set(good)
    assert planner_server.batch_sizes[0] == 10
    assert len(planner_server.batch_sizes) <= 10, "split in halves, not one by one"
    assert [item["record"]["id"] for item in store.refused] == [bad["id"]]
    assert store.refused[0]["reason"].startswith("invalid_request")
    assert bad in store.journal, "the refused record stays in the journal"
    refusals = [r for r in caplog.records if bad["id"] in r.getMessage()]
    assert len(refusals) == 1, "logged once"
    issue = _issue(hass, farm_entry)
    assert issue is not None
    assert issue.translation_key == "planner_records_refused"
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "url": planner_server.url,
        "count": "1",
    }
    diagnostics = await async_get_config_entry_diagnostics(hass, farm_entry)
    assert diagnostics["planner"]["records_refused"] == 1
    assert diagnostics["planner"]["refused"][0]["id"] == bad["id"]
    assert hass.states.get("binary_sensor.basement_planner_connected").state == "on"

    # It is never sent again, after a restart too; new records go as usual.
    assert await hass.config_entries.async_reload(farm_entry.entry_id)
    await _settle(hass)
    store = farm_entry.runtime_data.store
    assert [item["record"]["id"] for item in store.refused] == [bad["id"]]
    assert _issue(hass, farm_entry) is not None, "still said after the restart"
    planner_server.batch_sizes.clear()
    record = await store.async_record("watered", PLANT_ID, dt_util.now())
    await _settle(hass)
    assert planner_server.batch_sizes == [1]
    assert record["id"] in planner_server.events()
    assert store.outbox_size == 0


async def test_a_failure_while_splitting_keeps_the_rest_queued(
    hass: HomeAssistant,
    farm_entry: MockConfigEntry,
    planner_server: PlannerServer,
    freezer: FrozenDateTimeFactory,
) -> None:
    """When the planner fails mid-split, what it took leaves, the rest waits."""
    await link_planner(hass, farm_entry, planner_server)
    store = farm_entry.runtime_data.store
    link = farm_entry.runtime_data.planner
    await planner_server.stop()
    await store.async_record("watered", PLANT_ID, NAIVE_TIME)
    for minutes in range(3):
        await store.async_record(
            "watered", PLANT_ID, dt_util.now() - timedelta(minutes=minutes)
        )
    await planner_server.start()
    planner_server.replies["/api/v1/journal"] = (
        400,
        {"error": {"code": "invalid_request", "message": "test"}},
    )
    freezer.tick(timedelta(minutes=1))
    async_fire_time_changed(hass)
    await _settle(hass)
    # Every record refused alone: all set aside, none left waiting.
    assert store.outbox_size == 0
    assert len(store.refused) == 4
    assert _issue(hass, farm_entry).translation_placeholders["count"] == "4"

    # A planner that fails is no refusal: the record waits, is not set aside.
    del planner_server.replies["/api/v1/journal"]
    planner_server.journal_status = 503
    await store.async_record("watered", PLANT_ID, dt_util.now())
    await _settle(hass)
    assert store.outbox_size == 1
    assert len(store.refused) == 4
    assert link.retry_s == 2
    # Nor is an answer about the path (an older planner, another server).
    planner_server.journal_status = None
    planner_server.replies["/api/v1/journal"] = (
        404,
        {"error": {"code": "not_found", "message": "test"}},
    )
    freezer.tick(timedelta(seconds=2))
    async_fire_time_changed(hass)
    await _settle(hass)
    assert store.outbox_size == 1
    assert len(store.refused) == 4
    assert link.retry_s == 4
    del planner_server.replies["/api/v1/journal"]
    freezer.tick(timedelta(seconds=4))
    async_fire_time_changed(hass)
    await _settle(hass)
    assert store.outbox_size == 0
