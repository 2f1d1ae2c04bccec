"""The planner's SQLite database: opening, numbered migrations, closing.

The connection is opened by the application's cleanup context at startup,
never at import, and closed when the application shuts down.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping, Sequence
import contextlib
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
import json
import logging
from pathlib import Path
import sqlite3
from typing import Any, Final, Self

import aiosqlite

from .errors import PlannerError

_LOGGER = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True, slots=True)
class Migration:
    """One step of the schema; applied once, in one transaction, in order."""

    version: int
    description: str
    statements: tuple[str, ...]


MIGRATIONS: Final[tuple[Migration, ...]] = (
    Migration(
        version=1,
        description="activity journal and stored plans",
        statements=(
            # One row per activity the integration reports; the event id makes
            # re-sent batches idempotent.
            """
            CREATE TABLE journal (
                event_id TEXT PRIMARY KEY NOT NULL,
                farm_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                subject_id TEXT,
                at TEXT NOT NULL,
                payload TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(payload)),
                received_at TEXT NOT NULL
            )
            """,
            "CREATE INDEX journal_farm_at ON journal (farm_id, at)",
            "CREATE INDEX journal_subject_at ON journal (farm_id, subject_id, at)",
            """
            CREATE TABLE plans (
                plan_id TEXT PRIMARY KEY NOT NULL,
                farm_id TEXT NOT NULL,
                kind TEXT NOT NULL,
                created_at TEXT NOT NULL,
                request TEXT NOT NULL CHECK (json_valid(request)),
                result TEXT NOT NULL CHECK (json_valid(result))
            )
            """,
            "CREATE INDEX plans_farm_created ON plans (farm_id, created_at)",
        ),
    ),
    Migration(
        version=2,
        description="journal times in UTC and an index for tank forecasts",
        statements=(
            # Times compare as text, so they must share one zone and one format.
            """
            UPDATE journal
            SET at = strftime('%Y-%m-%dT%H:%M:%f', at) || '+00:00'
            WHERE strftime('%Y-%m-%dT%H:%M:%f', at) IS NOT NULL
            """,
            "CREATE INDEX journal_subject_kind_at ON journal (subject_id, kind, at)",
        ),
    ),
)


class Database:
    """An open planner database."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        """Wrap an open connection; use `Database.open` to get one."""
        self.connection = connection
        self.path = path
        self._closed = False
        # One connection: write transactions must not interleave on it.
        self._write_lock = asyncio.Lock()
        self._pending: list[tuple[list[tuple[Any, ...]], asyncio.Future[int]]] = []
        self._flusher: asyncio.Task[None] | None = None

    @classmethod
    async def open(
        cls, path: Path, migrations: Sequence[Migration] = MIGRATIONS
    ) -> Self:
        """Open (creating if needed) the database at ``path`` and migrate it.

        Raises:
            PlannerError: ``database_unavailable`` when the file cannot be used,
                ``database_too_new`` when a newer planner already migrated it.
        """
        # Autocommit mode: every transaction below is explicit.
        connection = aiosqlite.connect(path, isolation_level=None)
        try:
            await connection
        except sqlite3.Error as err:
            # After a failed connect aiosqlite stops its worker thread by itself;
            # wait for it, so it never calls back into an event loop that closed.
            await asyncio.to_thread(connection._thread.join)  # noqa: SLF001
            raise _unavailable(err) from err
        database = cls(connection, path)
        try:
            await database._configure()
            await database._migrate(migrations)
        except BaseException:
            await database.close()
            raise
        return database

    async def _configure(self) -> None:
        """Set the connection-level pragmas."""
        try:
            async with self.connection.execute("PRAGMA journal_mode=WAL") as cursor:
                row = await cursor.fetchone()
            # FULL: in WAL mode NORMAL may lose the last commits on power loss,
            # and an acknowledged journal batch must survive that.
            await self.connection.execute("PRAGMA synchronous=FULL")
            await self.connection.execute("PRAGMA foreign_keys=ON")
            await self.connection.execute("PRAGMA busy_timeout=5000")
        except sqlite3.Error as err:
            raise _unavailable(err) from err
        if row is None or str(row[0]).lower() != "wal":
            _LOGGER.warning("SQLite refused WAL mode for %s; using %s", self.path, row)

    async def _migrate(self, migrations: Sequence[Migration]) -> None:
        """Apply every migration newer than the stored schema version."""
        latest = max((migration.version for migration in migrations), default=0)
        try:
            await self.connection.execute(
                """
                CREATE TABLE IF NOT EXISTS schema_version (
                    version INTEGER PRIMARY KEY NOT NULL,
                    description TEXT NOT NULL,
                    applied_at TEXT NOT NULL
                )
                """
            )
            current = await self.schema_version()
            if current > latest:
                raise PlannerError(
                    "database_too_new",
                    status=HTTPStatus.SERVICE_UNAVAILABLE,
                    found=current,
                    supported=latest,
                )
            for migration in sorted(migrations, key=lambda step: step.version):
                await self._apply(migration)
        except sqlite3.Error as err:
            raise _unavailable(err) from err

    async def _apply(self, migration: Migration) -> None:
        """Apply one migration unless it is already applied."""
        # IMMEDIATE takes the write lock first, so two starting planners
        # cannot both apply the same step.
        async with self._write() as connection:
            if await self.schema_version() >= migration.version:
                return
            for statement in migration.statements:
                await connection.execute(statement)
            await connection.execute(
                "INSERT INTO schema_version (version, description, applied_at) "
                "VALUES (?, ?, ?)",
                (migration.version, migration.description, _now()),
            )
        _LOGGER.info(
            "Database %s migrated to version %s: %s",
            self.path,
            migration.version,
            migration.description,
        )

    async def schema_version(self) -> int:
        """Return the highest applied migration, 0 for a new database.

        Raises:
            PlannerError: ``database_unavailable`` when the database cannot be read.
        """
        row = await self._fetch_one(
            "SELECT COALESCE(MAX(version), 0) FROM schema_version", ()
        )
        return int(row[0]) if row is not None else 0

    async def _fetch_one(self, sql: str, values: Sequence[str]) -> Any:
        """Return the first row one query selects, or None.

        Raises:
            PlannerError: ``database_unavailable`` when the query fails.
        """
        try:
            async with self.connection.execute(sql, values) as cursor:
                return await cursor.fetchone()
        except (sqlite3.Error, ValueError) as err:
            # aiosqlite raises ValueError once the connection is closed.
            raise _unavailable(err) from err

    async def _fetch_all(self, sql: str, values: Sequence[str | int]) -> list[Any]:
        """Return every row one query selects.

        Raises:
            PlannerError: ``database_unavailable`` when the query fails.
        """
        try:
            async with self.connection.execute(sql, values) as cursor:
                return list(await cursor.fetchall())
        except (sqlite3.Error, ValueError) as err:
            raise _unavailable(err) from err

    @contextlib.asynccontextmanager
    async def _write(self) -> AsyncIterator[aiosqlite.Connection]:
        """Run one write transaction: committed at the end, rolled back on failure.

        Raises:
            PlannerError: ``database_unavailable`` when SQLite fails.
        """
        async with self._write_lock:
            try:
                await self.connection.execute("BEGIN IMMEDIATE")
                try:
                    yield self.connection
                    await self.connection.execute("COMMIT")
                except BaseException:
                    await self.connection.execute("ROLLBACK")
                    raise
            except (sqlite3.Error, ValueError) as err:
                raise _unavailable(err) from err

    async def table_names(self) -> list[str]:
        """Return the names of the tables in the database, sorted."""
        async with self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ) as cursor:
            return [str(row[0]) async for row in cursor]

    async def add_journal(self, farm_id: str, records: Sequence[JournalEntry]) -> int:
        """Store a batch of journal records; return how many were new.

        Records whose event id is already stored are left as they are, so a
        re-sent batch changes nothing. Returns only after the commit.
        Batches that arrive while another commit runs are committed together
        in one transaction (group commit): one disk sync for many clients.

        Raises:
            PlannerError: ``database_unavailable`` when the batch cannot be stored.
        """
        received_at = format_time(datetime.now(UTC))
        rows = [
            (
                record.event_id,
                farm_id,
                record.kind,
                record.subject,
                format_time(record.at),
                json.dumps(record.data, separators=(",", ":"), allow_nan=False),
                received_at,
            )
            for record in records
        ]
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._pending.append((rows, future))
        if self._flusher is None or self._flusher.done():
            self._flusher = asyncio.create_task(self._flush_journal())
        return await future

    async def _flush_journal(self) -> None:
        """Commit the waiting journal batches, group by group, until none wait."""
        while self._pending:
            group, self._pending = self._pending, []
            try:
                await self._commit_group(group)
            finally:
                # Whatever went wrong, no request may wait forever.
                for _, future in group:
                    if not future.done():
                        _settle(future, _unavailable(RuntimeError("not committed")))

    async def _commit_group(
        self, group: list[tuple[list[tuple[Any, ...]], asyncio.Future[int]]]
    ) -> None:
        """Commit one group of batches and answer each batch's request."""
        try:
            counts = await self._commit_journal([rows for rows, _ in group])
        except PlannerError as err:
            if len(group) == 1:
                _settle(group[0][1], err)
                return
            # One batch may be at fault: give each its own transaction.
            for rows, future in group:
                try:
                    (count,) = await self._commit_journal([rows])
                except PlannerError as single:
                    _settle(future, single)
                else:
                    _settle(future, count)
            return
        for (_, future), count in zip(group, counts, strict=True):
            _settle(future, count)

    async def _commit_journal(
        self, batches: Sequence[Sequence[tuple[Any, ...]]]
    ) -> list[int]:
        """Insert batches in one transaction; return each batch's new records."""
        counts: list[int] = []
        async with self._write() as connection:
            for rows in batches:
                cursor = await connection.executemany(
                    "INSERT OR IGNORE INTO journal (event_id, farm_id, kind, "
                    "subject_id, at, payload, received_at) "
                    "VALUES (?, ?, ?, ?, ?, ?, ?)",
                    rows,
                )
                counts.append(max(cursor.rowcount, 0))
                await cursor.close()
        return counts

    async def journal_page(
        self, query: JournalQuery
    ) -> tuple[list[StoredRecord], str | None]:
        """Return one page of journal records, oldest first, and the next cursor."""
        clauses: list[str] = []
        values: list[str | int] = []
        for column, value in (
            ("farm_id", query.farm_id),
            ("subject_id", query.subject),
            ("kind", query.kind),
        ):
            if value is not None:
                clauses.append(f"{column} = ?")
                values.append(value)
        if query.since is not None:
            clauses.append("at >= ?")
            values.append(format_time(query.since))
        if query.until is not None:
            clauses.append("at < ?")
            values.append(format_time(query.until))
        if query.cursor is not None:
            at, _, event_id = query.cursor.partition("|")
            clauses.append("(at > ? OR (at = ? AND event_id > ?))")
            values.extend((at, at, event_id))
        where = f"WHERE {' AND '.join(clauses)}" if clauses else ""
        values.append(query.limit + 1)
        # Only fixed column names are formatted in; every value is a parameter.
        records = await self._records(
            f"{_SELECT_RECORDS} {where} ORDER BY at, event_id LIMIT ?",
            values,
        )
        if len(records) <= query.limit:
            return records, None
        records = records[: query.limit]
        last = records[-1]
        return records, f"{last.at_text}|{last.event_id}"

    async def subject_records(
        self, subject: str, kinds: Sequence[str], since: datetime
    ) -> list[StoredRecord]:
        """Return the records about ``subject`` of ``kinds`` since ``since``, oldest first."""
        marks = ", ".join("?" for _ in kinds)
        return await self._records(
            f"{_SELECT_RECORDS} WHERE subject_id = ? AND kind IN ({marks}) "
            "AND at >= ? ORDER BY at, event_id",
            [subject, *kinds, format_time(since)],
        )

    async def subject_farm(self, subject: str) -> str | None:
        """Return the farm of the newest record about ``subject``, or None."""
        row = await self._fetch_one(
            "SELECT farm_id FROM journal WHERE subject_id = ? ORDER BY at DESC LIMIT 1",
            (subject,),
        )
        return None if row is None else str(row[0])

    async def farm_records(
        self, farm_id: str, kinds: Sequence[str], since: datetime | None = None
    ) -> list[StoredRecord]:
        """Return a farm's records of ``kinds`` (since ``since``), oldest first."""
        marks = ", ".join("?" for _ in kinds)
        clause = "" if since is None else " AND at >= ?"
        values: list[str | int] = [farm_id, *kinds]
        if since is not None:
            values.append(format_time(since))
        return await self._records(
            f"{_SELECT_RECORDS} WHERE farm_id = ? AND kind IN ({marks}){clause} "
            "ORDER BY at, event_id",
            values,
        )

    async def _records(
        self, sql: str, values: Sequence[str | int]
    ) -> list[StoredRecord]:
        """Run a journal query and return its rows as records."""
        return [
            StoredRecord(
                event_id=str(row[0]),
                farm_id=str(row[1]),
                kind=str(row[2]),
                subject=None if row[3] is None else str(row[3]),
                at_text=str(row[4]),
                data=json.loads(row[5]),
                received_at=str(row[6]),
            )
            for row in await self._fetch_all(sql, values)
        ]

    async def save_plan(
        self,
        *,
        plan_id: str,
        farm_id: str,
        kind: str,
        created_at: datetime,
        request: Mapping[str, Any],
        result_json: str,
    ) -> None:
        """Store a plan (its result as JSON text); returns after the commit."""
        async with self._write() as connection:
            await connection.execute(
                "INSERT INTO plans (plan_id, farm_id, kind, created_at, "
                "request, result) VALUES (?, ?, ?, ?, ?, ?)",
                (
                    plan_id,
                    farm_id,
                    kind,
                    format_time(created_at),
                    json.dumps(request, separators=(",", ":"), default=str),
                    result_json,
                ),
            )

    async def plan(self, plan_id: str) -> str | None:
        """Return the stored result of plan ``plan_id`` as JSON text, or None."""
        return await self._plan(
            "SELECT result FROM plans WHERE plan_id = ?", (plan_id,)
        )

    async def latest_plan(self, farm_id: str | None) -> str | None:
        """Return the newest plan (of one farm, or of any) as JSON text, or None."""
        if farm_id is None:
            return await self._plan(
                "SELECT result FROM plans ORDER BY created_at DESC, rowid DESC LIMIT 1",
                (),
            )
        return await self._plan(
            "SELECT result FROM plans WHERE farm_id = ? "
            "ORDER BY created_at DESC, rowid DESC LIMIT 1",
            (farm_id,),
        )

    async def plan_summaries(
        self, farm_id: str | None, limit: int
    ) -> list[dict[str, Any]]:
        """Return the newest plans' summaries (of one farm, or of any)."""
        where = "" if farm_id is None else "WHERE farm_id = ?"
        values: list[str | int] = [] if farm_id is None else [farm_id]
        values.append(limit)
        rows = await self._fetch_all(
            "SELECT plan_id, farm_id, created_at, json_extract(result, '$.start'), "  # noqa: S608 - only a fixed WHERE is formatted in
            "json_extract(result, '$.horizon_weeks'), "
            f"json_extract(result, '$.totals') FROM plans {where} "
            "ORDER BY created_at DESC, rowid DESC LIMIT ?",
            values,
        )
        return [
            {
                "plan_id": row[0],
                "farm_id": row[1],
                "created_at": row[2],
                "start": row[3],
                "horizon_weeks": row[4],
                "totals": json.loads(row[5]),
            }
            for row in rows
        ]

    async def _plan(self, sql: str, values: Sequence[str]) -> str | None:
        """Return the JSON text of the plan result one query selects."""
        row = await self._fetch_one(sql, values)
        return None if row is None else str(row[0])

    async def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        if self._flusher is not None:
            # Batches already accepted into the queue are committed first.
            await asyncio.shield(self._flusher)
        await self.connection.close()
        # The worker thread answers the close before it ends; wait for its end
        # so nothing of this database outlives the application.
        await asyncio.to_thread(self.connection._thread.join)  # noqa: SLF001


def _settle(future: asyncio.Future[int], outcome: int | PlannerError) -> None:
    """Answer a waiting journal batch, unless its request has gone."""
    if future.done():
        return
    if isinstance(outcome, PlannerError):
        future.set_exception(outcome)
    else:
        future.set_result(outcome)


def _unavailable(err: BaseException) -> PlannerError:
    """Return the error a failed database operation is reported as."""
    return PlannerError(
        "database_unavailable", status=HTTPStatus.SERVICE_UNAVAILABLE, reason=str(err)
    )


def _now() -> str:
    """Return the current UTC time as ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def format_time(at: datetime) -> str:
    """Return ``at`` as stored: UTC, milliseconds, so text order is time order."""
    return at.astimezone(UTC).isoformat(timespec="milliseconds")


_SELECT_RECORDS: Final = (
    "SELECT event_id, farm_id, kind, subject_id, at, payload, received_at FROM journal"
)


@dataclass(frozen=True, kw_only=True, slots=True)
class JournalEntry:
    """One record of a journal batch, checked."""

    event_id: str
    kind: str
    subject: str | None
    at: datetime
    data: Mapping[str, Any]


@dataclass(frozen=True, kw_only=True, slots=True)
class StoredRecord:
    """One journal record as stored."""

    event_id: str
    farm_id: str
    kind: str
    subject: str | None
    at_text: str
    data: Any
    received_at: str

    @property
    def at(self) -> datetime:
        """Return when it happened."""
        return datetime.fromisoformat(self.at_text)

    def as_json(self) -> dict[str, Any]:
        """Return the record as the API shows it."""
        return {
            "id": self.event_id,
            "farm_id": self.farm_id,
            "at": self.at_text,
            "kind": self.kind,
            "subject": self.subject,
            "data": self.data,
            "received_at": self.received_at,
        }


@dataclass(frozen=True, kw_only=True, slots=True)
class JournalQuery:
    """Filters and page of a journal read."""

    farm_id: str | None = None
    subject: str | None = None
    kind: str | None = None
    since: datetime | None = None
    until: datetime | None = None
    limit: int = 100
    cursor: str | None = None
