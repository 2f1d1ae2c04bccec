"""The planner database: a real SQLite file, migrations, reopening."""

from __future__ import annotations

import contextlib
import json
import logging
from pathlib import Path
import sqlite3

import aiohttp
import pytest

from vertical_farm_planner.db import MIGRATIONS, Database, Migration
from vertical_farm_planner.errors import PlannerError

from .conftest import ConfigFactory, serve_planner

LATEST = max(migration.version for migration in MIGRATIONS)


async def columns(database: Database, table: str) -> list[str]:
    """Return the column names of ``table`` in order."""
    async with database.connection.execute(f"PRAGMA table_info({table})") as cursor:
        return [str(row[1]) async for row in cursor]


async def test_new_file_gets_every_migration(tmp_path: Path) -> None:
    path = tmp_path / "planner.db"
    database = await Database.open(path)
    try:
        assert path.is_file()
        assert await database.schema_version() == LATEST == 2
        assert await database.table_names() == ["journal", "plans", "schema_version"]
        assert await columns(database, "journal") == [
            "event_id",
            "farm_id",
            "kind",
            "subject_id",
            "at",
            "payload",
            "received_at",
        ]
        assert await columns(database, "plans") == [
            "plan_id",
            "farm_id",
            "kind",
            "created_at",
            "request",
            "result",
        ]
        async with database.connection.execute("PRAGMA journal_mode") as cursor:
            assert await cursor.fetchone() == ("wal",)
    finally:
        await database.close()


async def test_reopening_is_idempotent_and_keeps_data(tmp_path: Path) -> None:
    path = tmp_path / "planner.db"
    database = await Database.open(path)
    await database.connection.execute(
        "INSERT INTO journal (event_id, farm_id, kind, subject_id, at, payload, "
        "received_at) VALUES ('e1', 'f1', 'watered', 'p1', '2026-05-01T08:00:00+00:00', "
        "'{\"volume_l\": 1.5}', '2026-05-01T08:00:01+00:00')"
    )
    await database.close()

    again = await Database.open(path)
    try:
        assert await again.schema_version() == LATEST
        async with again.connection.execute(
            "SELECT COUNT(*) FROM schema_version"
        ) as cursor:
            assert await cursor.fetchone() == (len(MIGRATIONS),)
        async with again.connection.execute(
            "SELECT json_extract(payload, '$.volume_l') FROM journal WHERE event_id = 'e1'"
        ) as cursor:
            assert await cursor.fetchone() == (1.5,)
    finally:
        await again.close()


async def test_journal_event_id_is_unique_and_payload_is_json(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "planner.db")
    insert = (
        "INSERT INTO journal (event_id, farm_id, kind, at, payload, received_at) "
        "VALUES (?, 'f1', 'fed', '2026-05-01T08:00:00+00:00', ?, "
        "'2026-05-01T08:00:00+00:00')"
    )
    try:
        await database.connection.execute(insert, ("e1", "{}"))
        with pytest.raises(sqlite3.IntegrityError):
            await database.connection.execute(insert, ("e1", "{}"))
        with pytest.raises(sqlite3.IntegrityError):
            await database.connection.execute(insert, ("e2", "not json"))
    finally:
        await database.close()


async def test_database_from_a_newer_planner_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "planner.db"
    database = await Database.open(path)
    await database.connection.execute(
        "INSERT INTO schema_version VALUES (99, 'from the future', '2030-01-01')"
    )
    await database.close()

    with pytest.raises(PlannerError) as caught:
        await Database.open(path)
    assert caught.value.code == "database_too_new"
    assert caught.value.params == {"found": 99, "supported": LATEST}


async def test_failed_migration_changes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "planner.db"
    broken = Migration(
        version=LATEST + 1,
        description="half a step",
        statements=(
            "CREATE TABLE extra (value INTEGER)",
            "INSERT INTO no_such_table VALUES (1)",
        ),
    )
    with pytest.raises(PlannerError) as caught:
        await Database.open(path, (*MIGRATIONS, broken))
    assert caught.value.code == "database_unavailable"
    assert "no_such_table" in caught.value.message

    database = await Database.open(path)
    try:
        assert await database.schema_version() == LATEST
        assert "extra" not in await database.table_names()
    finally:
        await database.close()


async def test_missing_folder_is_reported(tmp_path: Path) -> None:
    with pytest.raises(PlannerError) as caught:
        await Database.open(tmp_path / "missing" / "planner.db")
    assert caught.value.code == "database_unavailable"
    assert caught.value.status == 503


async def test_file_that_is_not_a_database_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "planner.db"
    path.write_bytes(b"this is not an SQLite database, just some text " * 100)
    with pytest.raises(PlannerError) as caught:
        await Database.open(path)
    assert caught.value.code == "database_unavailable"


async def test_memory_database_warns_about_wal(
    caplog: pytest.LogCaptureFixture,
) -> None:
    with caplog.at_level(logging.WARNING, logger="vertical_farm_planner.db"):
        database = await Database.open(Path(":memory:"))
    try:
        assert await database.schema_version() == LATEST
    finally:
        await database.close()
    assert "refused WAL mode" in caplog.text


async def test_close_twice_and_closed_reads(tmp_path: Path) -> None:
    database = await Database.open(tmp_path / "planner.db")
    await database.close()
    await database.close()
    with pytest.raises(PlannerError) as caught:
        await database.schema_version()
    assert caught.value.code == "database_unavailable"


async def test_app_creates_migrates_and_reopens_its_file(
    make_config: ConfigFactory, session: aiohttp.ClientSession
) -> None:
    config = make_config()
    assert not config.database_path.exists()
    for _ in range(2):
        async with (
            serve_planner(config) as running,
            session.get(running.url("/api/v1/health")) as response,
        ):
            assert response.status == 200
        assert config.database_path.is_file()

    # Both runs are over: the file is closed and holds exactly one migration run.
    database = await Database.open(config.database_path)
    try:
        async with database.connection.execute(
            "SELECT version FROM schema_version"
        ) as cursor:
            assert [row[0] async for row in cursor] == [1, 2]
    finally:
        await database.close()


async def schema_of(path: Path) -> list[tuple[str, str, str]]:
    """Return every table and index of the database at ``path`` with its SQL."""
    with contextlib.closing(sqlite3.connect(path)) as connection:
        rows = connection.execute(
            "SELECT type, name, sql FROM sqlite_master WHERE sql IS NOT NULL "
            "ORDER BY type, name"
        ).fetchall()
    return [(kind, name, " ".join(sql.split())) for kind, name, sql in rows]


SEED_BY_VERSION = {
    # Written as a planner of that version would have written them.
    1: (
        (
            "INSERT INTO journal (event_id, farm_id, kind, subject_id, at, payload, "
            "received_at) VALUES ('e1', 'f1', 'fed', 't1', '2026-05-01T10:00:00+02:00', "
            "'{\"volume_l\": 2}', '2026-05-01T08:00:01+00:00')"
        ),
        (
            "INSERT INTO journal (event_id, farm_id, kind, subject_id, at, payload, "
            "received_at) VALUES ('e2', 'f1', 'fed', 't1', '2026-04-30T23:30:00-01:00', "
            "'{}', '2026-05-01T08:00:01+00:00')"
        ),
        (
            "INSERT INTO plans VALUES ('p1', 'f1', 'succession', "
            "'2026-05-01T08:00:00+00:00', '{}', '{\"plan_id\": \"p1\"}')"
        ),
    ),
}


@pytest.mark.parametrize("version", range(LATEST))
async def test_migrates_from_every_earlier_version(
    tmp_path: Path, version: int
) -> None:
    fresh = tmp_path / "fresh.db"
    await (await Database.open(fresh)).close()

    path = tmp_path / "old.db"
    old = await Database.open(path, MIGRATIONS[:version])
    try:
        assert await old.schema_version() == version
        for seed_version in range(1, version + 1):
            for statement in SEED_BY_VERSION.get(seed_version, ()):
                await old.connection.execute(statement)
    finally:
        await old.close()

    database = await Database.open(path)
    try:
        assert await database.schema_version() == LATEST
        if version >= 1:
            # Data written before survives, with its times now in UTC.
            async with database.connection.execute(
                "SELECT event_id, at, json_extract(payload, '$.volume_l') "
                "FROM journal ORDER BY at"
            ) as cursor:
                assert await cursor.fetchall() == [
                    ("e2", "2026-05-01T00:30:00.000+00:00", None),
                    ("e1", "2026-05-01T08:00:00.000+00:00", 2),
                ]
            assert json.loads(await database.latest_plan("f1") or "") == {
                "plan_id": "p1"
            }
    finally:
        await database.close()
    # The migrated file has exactly the schema of a new one.
    assert await schema_of(path) == await schema_of(fresh)
