"""Setup, unload, storage and diagnostics of a farm."""

from datetime import UTC, datetime
import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.vertical_farm.store import migrate

from .conftest import PLANT_ID, RACK_ID
from .planner_server import TOKEN, PlannerServer


def _key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}"


async def test_setup_and_unload(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A farm loads with its runtime data and unloads cleanly."""
    assert loaded_farm.state is ConfigEntryState.LOADED
    runtime = loaded_farm.runtime_data
    assert set(runtime.farm.config.racks) == {RACK_ID}
    assert runtime.library.species["basil"].name == "Basil"
    assert await hass.config_entries.async_unload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert loaded_farm.state is ConfigEntryState.NOT_LOADED
    # An unloaded farm no longer follows entry changes (the listener is gone).
    hass.config_entries.async_update_entry(
        loaded_farm, data={**loaded_farm.data, "name": "Changed"}
    )
    await hass.async_block_till_done()
    assert runtime.farm.config.settings.name == "Basement"


async def test_journal_survives_restart(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """A record is on disk when async_record returns; a reload reads it back."""
    store = loaded_farm.runtime_data.store
    at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    record = await store.async_record("watered", PLANT_ID, at, {"volume_l": 1.5})
    on_disk = hass_storage[_key(loaded_farm)]
    assert on_disk["version"] == 1
    assert on_disk["minor_version"] == 3
    assert on_disk["data"]["journal"] == [record]
    assert on_disk["data"]["outbox"] == [record["id"]], "queued in the same write"

    store.state(RACK_ID)["gdd"] = 12.5
    store.async_schedule_save()
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    reloaded = loaded_farm.runtime_data.store
    assert reloaded is not store
    assert reloaded.records(PLANT_ID, ["watered"]) == [record]
    assert reloaded.records(kinds=["fed"]) == []
    assert reloaded.state(RACK_ID) == {"gdd": 12.5}, (
        "batched state was flushed on unload"
    )


async def test_migrates_first_layout(
    hass: HomeAssistant, hass_storage: dict[str, Any], farm_entry: MockConfigEntry
) -> None:
    """Storage 1.1 (records without ids, no state) is migrated on load."""
    old: dict[str, Any] = {
        "version": 1,
        "minor_version": 1,
        "key": f"{DOMAIN}.{farm_entry.entry_id}",
        "data": {
            "journal": [
                {
                    "at": "2026-10-01T08:00:00+00:00",
                    "kind": "watered",
                    "subject": PLANT_ID,
                    "data": {},
                },
                {
                    "at": "2026-10-02T08:00:00+00:00",
                    "kind": "fed",
                    "subject": PLANT_ID,
                    "data": {"ec": 1.2},
                },
            ]
        },
    }
    hass_storage[_key(farm_entry)] = old
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    journal = farm_entry.runtime_data.store.journal
    assert [record["kind"] for record in journal] == ["watered", "fed"]
    assert all(len(record["id"]) == 26 for record in journal)
    assert journal[0]["id"] < journal[1]["id"], "ids sort by time"
    assert farm_entry.runtime_data.store.state(RACK_ID) == {}


def test_migrate_refuses_newer_major() -> None:
    """A file from a newer major version is not guessed at."""
    with pytest.raises(NotImplementedError):
        migrate(2, 0, {"journal": [], "state": {}})
    assert migrate(1, 2, {"journal": [], "state": {"x": {}}}) == {
        "journal": [],
        "state": {"x": {}},
        "outbox": [],
        "samples": [],
    }
    # 1.3: every earlier record still has to go to the planner.
    records = [
        {"id": "01A", "at": "2026-11-01T08:00:00+00:00", "kind": "watered"},
        {"id": "01B", "at": "2026-11-02T08:00:00+00:00", "kind": "fed"},
    ]
    assert migrate(1, 2, {"journal": records, "state": {}})["outbox"] == ["01A", "01B"]


async def test_removed_subentry_state_forgotten(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """Removing a plant drops its runtime state; its journal stays as history."""
    store = loaded_farm.runtime_data.store
    at = datetime(2026, 11, 20, tzinfo=UTC)
    await store.async_record("watered", PLANT_ID, at)
    store.state(PLANT_ID)["gdd"] = 3.0
    hass.config_entries.async_remove_subentry(loaded_farm, PLANT_ID)
    await hass.async_block_till_done()
    assert PLANT_ID not in hass_storage[_key(loaded_farm)]["data"]["state"]
    assert store.records(PLANT_ID) != []


async def test_remove_entry_deletes_storage(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """Removing the farm removes its storage file."""
    await loaded_farm.runtime_data.store.async_record(
        "watered", PLANT_ID, datetime(2026, 11, 20, tzinfo=UTC)
    )
    assert _key(loaded_farm) in hass_storage
    assert await hass.config_entries.async_remove(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert _key(loaded_farm) not in hass_storage


async def test_diagnostics_redacts_token(
    hass: HomeAssistant, farm_entry: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """Diagnostics show the farm but never the planner token."""
    hass.config_entries.async_update_entry(
        farm_entry,
        options={"planner_url": planner_server.url, "planner_token": TOKEN},
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    await farm_entry.runtime_data.store.async_record(
        "watered", PLANT_ID, datetime(2026, 11, 20, tzinfo=UTC)
    )
    result = await async_get_config_entry_diagnostics(hass, farm_entry)
    assert result["entry"]["options"] == {
        "planner_url": planner_server.url,
        "planner_token": "**REDACTED**",
    }
    assert TOKEN not in json.dumps(result)
    assert result["planner"]["connected"] is True
    assert {item["type"] for item in result["subentries"]} == {"rack", "tank", "plant"}
    assert result["journal"]["records"] == 1
    assert result["journal"]["by_kind"] == {"watered": 1}
    assert result["library"]["species"] >= 60


async def test_library_loaded_once(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The bundled library is shared by every farm and every reload."""
    library = loaded_farm.runtime_data.library
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert loaded_farm.runtime_data.library is library


async def test_journal_retention_drops_only_old_records_of_removed_subjects(
    hass: HomeAssistant, hass_storage: dict[str, Any], farm_entry: MockConfigEntry
) -> None:
    """What still exists keeps its whole history; what was removed, three years."""

    def record(record_id: str, subject: str, at: str) -> dict[str, Any]:
        return {
            "id": record_id,
            "at": at,
            "kind": "watered",
            "subject": subject,
            "data": {},
        }

    kept_old = record("01A", PLANT_ID, "2021-05-01T10:00:00+00:00")
    gone_old = record("01B", "01PLANTREMOVED000000000000", "2023-05-01T10:00:00+00:00")
    gone_recent = record(
        "01C", "01PLANTREMOVED000000000000", "2025-05-01T10:00:00+00:00"
    )
    hass_storage[_key(farm_entry)]["data"]["journal"] = [
        kept_old,
        gone_old,
        gone_recent,
    ]
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    store = farm_entry.runtime_data.store
    assert store.journal == [kept_old, gone_recent]
    assert store.records("01PLANTREMOVED000000000000") == [gone_recent]
    assert store.records(PLANT_ID) == [kept_old]
