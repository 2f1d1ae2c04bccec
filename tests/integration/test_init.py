"""Setup, unload, storage and diagnostics of a farm."""

import asyncio
from datetime import UTC, datetime, timedelta
import json
from typing import Any

from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN, STORAGE_VERSION
from custom_components.vertical_farm.diagnostics import (
    async_get_config_entry_diagnostics,
)
from custom_components.vertical_farm.store import (
    KEEP_REMOVED,
    PART_MINOR_VERSION,
    PART_RECORDS,
    PART_VERSION,
    RecordKind,
    migrate,
)

from .conftest import PLANT_ID, RACK_ID
from .planner_server import TOKEN, PlannerServer


def _key(entry: MockConfigEntry) -> str:
    return f"{DOMAIN}.{entry.entry_id}"


def _file(
    key: str, data: dict[str, Any], version: tuple[int, int] = (STORAGE_VERSION, 1)
) -> dict[str, Any]:
    """A file of Home Assistant's storage as `hass_storage` holds it."""
    major, minor = version
    return {"version": major, "minor_version": minor, "key": key, "data": data}


def _part_file(
    entry: MockConfigEntry, records: list[dict[str, Any]]
) -> tuple[str, dict[str, Any]]:
    """The key and file of a journal part of `records`, named as the store does."""
    key = f"{_key(entry)}.journal_{records[0]['id'].lower()}"
    return key, _file(key, {"records": records}, (PART_VERSION, PART_MINOR_VERSION))


def _waterings(prefix: str, count: int) -> list[dict[str, Any]]:
    """Stored watering records, their ids in order after `prefix`."""
    return [
        {
            "id": f"{prefix}{index:023d}",
            "at": "2026-10-01T08:00:00+00:00",
            "kind": "watered",
            "subject": PLANT_ID,
            "data": {},
        }
        for index in range(count)
    ]


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
    assert on_disk["version"] == 3
    assert on_disk["minor_version"] == 1
    assert on_disk["data"]["journal"] == [record]
    assert on_disk["data"]["parts"] == []
    assert on_disk["data"]["outbox"] == {"first": record["id"], "taken": []}, (
        "queued in the same write"
    )

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


async def test_a_long_journal_is_kept_in_parts(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """Older records go into parts written once; a reload reads them all back.

    Each write then holds at most one part's worth of records besides the
    runtime state, however long the journal grows.
    """
    store = loaded_farm.runtime_data.store
    start = datetime(2026, 1, 1, tzinfo=UTC)
    subjects = (PLANT_ID, RACK_ID)
    for batch in range(5):
        await store.async_record_many(
            (
                RecordKind.WATERED,
                subjects[index % 2],
                start + timedelta(minutes=batch * 1_000 + index),
                {"volume_l": 0.25},
            )
            for index in range(1_000)
        )
    journal = list(store.journal)
    assert len(journal) == 5_000
    on_disk = hass_storage[_key(loaded_farm)]["data"]
    assert len(on_disk["journal"]) <= PART_RECORDS
    assert len(on_disk["parts"]) == 2
    parts = [
        hass_storage[f"{_key(loaded_farm)}.{name}"]["data"]["records"]
        for name in on_disk["parts"]
    ]
    assert [len(part) for part in parts] == [PART_RECORDS, PART_RECORDS]
    assert [*parts[0], *parts[1], *on_disk["journal"]] == journal
    # One more record rewrites only the document, not the parts.
    written = [hass_storage[f"{_key(loaded_farm)}.{name}"] for name in on_disk["parts"]]
    await store.async_record(RecordKind.FED, PLANT_ID, start, {"kind": "top_up"})
    assert [
        hass_storage[f"{_key(loaded_farm)}.{name}"] for name in on_disk["parts"]
    ] == written
    assert hass_storage[_key(loaded_farm)]["data"]["journal"][-1]["kind"] == "fed"

    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    reloaded = loaded_farm.runtime_data.store
    assert reloaded.journal == [*journal, store.journal[-1]]
    assert len(reloaded.records(PLANT_ID, [RecordKind.WATERED])) == 2_500

    # Removing the farm deletes its parts with it.
    names = hass_storage[_key(loaded_farm)]["data"]["parts"]
    assert await hass.config_entries.async_remove(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert _key(loaded_farm) not in hass_storage
    assert not [name for name in names if f"{_key(loaded_farm)}.{name}" in hass_storage]


async def test_writes_at_once_make_each_part_once(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """Two actions writing at the same moment, both past a part: no record twice.

    (With the test core's in-memory storage a write never waits; on disk the
    store's write lock keeps a second write from making a part the first is
    still writing.)
    """
    store = loaded_farm.runtime_data.store
    start = datetime(2026, 1, 1, tzinfo=UTC)

    def batch(first: int, count: int) -> list[Any]:
        return [
            (RecordKind.WATERED, PLANT_ID, start + timedelta(minutes=index), {})
            for index in range(first, first + count)
        ]

    await store.async_record_many(batch(0, PART_RECORDS - 100))
    await asyncio.gather(
        store.async_record_many(batch(PART_RECORDS, 500)),
        store.async_record_many(batch(PART_RECORDS + 500, 500)),
    )
    journal = list(store.journal)
    on_disk = hass_storage[_key(loaded_farm)]["data"]
    assert len(on_disk["parts"]) == len(set(on_disk["parts"])) == 1
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert loaded_farm.runtime_data.store.journal == journal


async def test_the_retention_rule_reaches_into_the_parts(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """Old records of a removed plant go from the parts too; the rest stay."""
    store = loaded_farm.runtime_data.store
    long_ago = datetime.now(UTC) - KEEP_REMOVED - timedelta(days=30)
    await store.async_record_many(
        (
            RecordKind.WATERED,
            "a_removed_plant" if index < 3_000 else PLANT_ID,
            long_ago + timedelta(minutes=index),
            {},
        )
        for index in range(4_500)
    )
    kept = [record for record in store.journal if record["subject"] == PLANT_ID]
    before = hass_storage[_key(loaded_farm)]["data"]["parts"]
    assert len(before) == 2
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    reloaded = loaded_farm.runtime_data.store
    assert reloaded.journal == kept
    on_disk = hass_storage[_key(loaded_farm)]["data"]
    assert len(on_disk["journal"]) + sum(
        len(hass_storage[f"{_key(loaded_farm)}.{name}"]["data"]["records"])
        for name in on_disk["parts"]
    ) == len(kept)
    # parts no longer named are deleted
    assert not [
        name
        for name in before
        if name not in on_disk["parts"]
        and f"{_key(loaded_farm)}.{name}" in hass_storage
    ]


async def test_migrates_a_long_journal_into_parts(
    hass: HomeAssistant, hass_storage: dict[str, Any], farm_entry: MockConfigEntry
) -> None:
    """A 1.3 file holds every record in its document; the next write parts it."""
    records = _waterings("01J", 4_100)
    hass_storage[_key(farm_entry)] = _file(
        _key(farm_entry),
        {"journal": records, "state": {}, "outbox": [], "samples": []},
        (1, 3),
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    store = farm_entry.runtime_data.store
    assert store.journal == records
    on_disk = hass_storage[_key(farm_entry)]  # parted at start
    assert on_disk["version"] == STORAGE_VERSION
    assert store.outbox_size == 0, "1.3's empty outbox: nothing waits"
    assert len(on_disk["data"]["parts"]) == 2
    assert len(on_disk["data"]["journal"]) == 100


async def test_a_stop_between_a_part_and_its_document_loses_nothing(
    hass: HomeAssistant, hass_storage: dict[str, Any], farm_entry: MockConfigEntry
) -> None:
    """A part written before a stop, its document not: the records are read once.

    The document still holds them; the part's file, named by no document, is
    not read, and the next write makes the same part again in its place.
    """
    records = _waterings("01K", PART_RECORDS + 300)
    part_key, part = _part_file(farm_entry, records[:PART_RECORDS])
    hass_storage[part_key] = part
    hass_storage[_key(farm_entry)] = _file(
        _key(farm_entry),
        {
            "journal": records,
            "parts": [],
            "state": {},
            "outbox": {"first": None, "taken": []},
            "samples": [],
        },
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    assert farm_entry.runtime_data.store.journal == records
    on_disk = hass_storage[_key(farm_entry)]["data"]
    assert on_disk["parts"] == [part_key.rsplit(".", 1)[1]]
    assert on_disk["journal"] == records[PART_RECORDS:]
    assert hass_storage[part_key]["data"]["records"] == records[:PART_RECORDS]


async def test_a_missing_part_is_reported_and_the_rest_is_read(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    farm_entry: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A part file gone from disk is named in the log; the farm still loads.

    The first record waiting for the planner was in that part: the records
    left wait again, but for one the planner had already taken. The planner
    takes each id once, so sending again is harmless; keeping back what it
    may not have would lose it.
    """
    records = _waterings("01N", 3)
    hass_storage[_key(farm_entry)] = _file(
        _key(farm_entry),
        {
            "journal": records,
            "parts": ["journal_gone"],
            "state": {},
            "outbox": {"first": "01NGONE", "taken": [records[1]["id"]]},
            "samples": [],
        },
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    store = farm_entry.runtime_data.store
    assert store.journal == records
    assert "journal part journal_gone is missing" in caplog.text
    assert store.outbox(10) == [records[0], records[2]]
    assert "records from the journal's start are sent again" in caplog.text


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
        migrate(STORAGE_VERSION + 1, 0, {"journal": [], "state": {}})
    assert migrate(1, 2, {"journal": [], "state": {"x": {}}}) == {
        "journal": [],
        "state": {"x": {}},
        "waiting": [],
        "samples": [],
    }
    # 1.3: every earlier record still has to go to the planner.
    records = [
        {"id": "01A", "at": "2026-11-01T08:00:00+00:00", "kind": "watered"},
        {"id": "01B", "at": "2026-11-02T08:00:00+00:00", "kind": "fed"},
    ]
    assert migrate(1, 2, {"journal": records, "state": {}})["waiting"] == [
        "01A",
        "01B",
    ]


async def test_the_outbox_stays_small_and_keeps_its_order(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """Records waiting cost the document nothing each; acknowledged ones stay so.

    No planner is linked: every record waits, and the stored outbox is the
    first of them. One the planner takes before an older one is named until
    the older one is taken too. A restart reads back the same outbox.
    """
    store = loaded_farm.runtime_data.store
    at = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    records = await store.async_record_many(
        [("watered", PLANT_ID, at + timedelta(minutes=i), None) for i in range(500)]
    )
    ids = [record["id"] for record in records]
    outbox = hass_storage[_key(loaded_farm)]["data"]["outbox"]
    assert outbox == {"first": ids[0], "taken": []}
    assert store.outbox_size == 500

    store.acknowledge([ids[3], ids[1], "01NOTARECORD"])
    assert [record["id"] for record in store.outbox(4)] == [ids[0], ids[2], *ids[4:6]]
    assert store.outbox_size == 498
    await store.async_save_now()
    outbox = hass_storage[_key(loaded_farm)]["data"]["outbox"]
    assert outbox == {"first": ids[0], "taken": [ids[1], ids[3]]}

    store.acknowledge([ids[0], ids[2]])  # the gap closes: the first moves on
    store.acknowledge([ids[1]])  # again: changes nothing
    assert store.outbox_size == 496
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    reloaded = loaded_farm.runtime_data.store
    assert hass_storage[_key(loaded_farm)]["data"]["outbox"] == {
        "first": ids[4],
        "taken": [],
    }
    assert [record["id"] for record in reloaded.outbox(500)] == ids[4:]

    reloaded.acknowledge(ids)
    assert reloaded.outbox_size == 0
    assert reloaded.outbox(10) == []
    later = await reloaded.async_record("fed", PLANT_ID, at + timedelta(days=1))
    assert reloaded.outbox(10) == [later], "a record after an empty outbox waits"


async def test_migrates_an_outbox_of_ids_after_reading_the_parts(
    hass: HomeAssistant, hass_storage: dict[str, Any], farm_entry: MockConfigEntry
) -> None:
    """A 2.1 outbox lists every waiting id, some of them in a part: none is lost."""
    records = _waterings("01M", PART_RECORDS + 300)
    # Taken up to 1,500, and one later record taken before the rest.
    waiting = [
        record["id"] for record in records[1_500:] if record is not records[2_100]
    ]
    part_key, part = _part_file(farm_entry, records[:PART_RECORDS])
    hass_storage[part_key] = part
    hass_storage[_key(farm_entry)] = _file(
        _key(farm_entry),
        {
            "journal": records[PART_RECORDS:],
            "parts": [part_key.rsplit(".", 1)[1]],
            "state": {},
            "outbox": waiting,
            "samples": [],
        },
        (2, 1),
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    store = farm_entry.runtime_data.store
    assert store.journal == records
    assert [record["id"] for record in store.outbox(1_000)] == waiting
    assert store.outbox_size == len(waiting)

    await store.async_save_now()
    on_disk = hass_storage[_key(farm_entry)]
    assert on_disk["version"] == STORAGE_VERSION
    assert on_disk["data"]["outbox"] == {
        "first": records[1_500]["id"],
        "taken": [records[2_100]["id"]],
    }
    assert "waiting" not in on_disk["data"]
    assert hass_storage[part_key]["data"]["records"] == records[:PART_RECORDS]


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
