"""The planner's SQLite database: opening, numbered migrations, closing.

The connection is opened by the application's cleanup context at startup,
never at import, and closed when the application shuts down.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from http import HTTPStatus
import logging
from pathlib import Path
import sqlite3
from typing import Final, Self

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
)


class Database:
    """An open planner database."""

    def __init__(self, connection: aiosqlite.Connection, path: Path) -> None:
        """Wrap an open connection; use `Database.open` to get one."""
        self.connection = connection
        self.path = path
        self._closed = False

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
        await self.connection.execute("BEGIN IMMEDIATE")
        try:
            if await self.schema_version() >= migration.version:
                await self.connection.execute("COMMIT")
                return
            for statement in migration.statements:
                await self.connection.execute(statement)
            await self.connection.execute(
                "INSERT INTO schema_version (version, description, applied_at) "
                "VALUES (?, ?, ?)",
                (migration.version, migration.description, _now()),
            )
            await self.connection.execute("COMMIT")
        except BaseException:
            await self.connection.execute("ROLLBACK")
            raise
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
        try:
            async with self.connection.execute(
                "SELECT COALESCE(MAX(version), 0) FROM schema_version"
            ) as cursor:
                row = await cursor.fetchone()
        except (sqlite3.Error, ValueError) as err:
            # aiosqlite raises ValueError once the connection is closed.
            raise _unavailable(err) from err
        return int(row[0]) if row is not None else 0

    async def table_names(self) -> list[str]:
        """Return the names of the tables in the database, sorted."""
        async with self.connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
        ) as cursor:
            return [str(row[0]) async for row in cursor]

    async def close(self) -> None:
        """Close the connection; closing twice is harmless."""
        if self._closed:
            return
        self._closed = True
        await self.connection.close()


def _unavailable(err: BaseException) -> PlannerError:
    """Return the error a failed database operation is reported as."""
    return PlannerError(
        "database_unavailable", status=HTTPStatus.SERVICE_UNAVAILABLE, reason=str(err)
    )


def _now() -> str:
    """Return the current UTC time as ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")
