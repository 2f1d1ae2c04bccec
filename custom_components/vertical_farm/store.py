"""The farm's durable record: a versioned Store with the journal and runtime state.

The journal holds what happened (phase changes, waterings, feedings,
treatments, harvests, crops leaving a shelf, inspections, fertilizer stock: see
RecordKind, and the typed data of each kind below it), one record each, keyed
by the subentry it is about. Records of what still exists are kept; those of
removed racks, tanks and plants are dropped after KEEP_REMOVED. Once the
journal is long, its older records go into parts of PART_RECORDS, each
written once. User-made records are written before the call that made them
returns, so an acknowledged record survives a crash; state derived from
readings (GDD so far, level history) is batched.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, tzinfo
from enum import StrEnum
from itertools import islice
import logging
from operator import itemgetter
from typing import Any, NotRequired, TypedDict, cast

from homeassistant.core import HomeAssistant
from homeassistant.helpers.storage import Store
from homeassistant.util import ulid as ulid_util

from .const import SAVE_DELAY_S, STORAGE_KEY, STORAGE_MINOR_VERSION, STORAGE_VERSION
from .engine.safety import Treatment

# Retention: records about racks, tanks and plants that no longer exist are
# kept this long (rotation looks three years back on a shelf), then dropped.
# Records about what still exists are kept as long as it exists.
KEEP_REMOVED = timedelta(days=3 * 366)
# Readings for the planner: at most one per tank every 15 minutes, and at
# most this many waiting (about two months of four tanks).
SAMPLE_EVERY = timedelta(minutes=15)
SAMPLES_KEPT = 25_000
# The journal's older records are kept in parts of this many, one file each,
# written once: a write then holds at most about this many records besides
# the runtime state, however long the journal grows (a write of 100,000
# records blocked the event loop for about 40 ms).
PART_RECORDS = 2_000
# A part's own layout, unchanged since parts came (with the document's 2.1).
PART_VERSION = 2
PART_MINOR_VERSION = 1

_LOGGER = logging.getLogger(__name__)


class RecordKind(StrEnum):
    """What a journal record says happened."""

    PHASE_CHANGED = "phase_changed"
    WATERED = "watered"
    FED = "fed"
    TREATED = "treated"
    HARVESTED = "harvested"
    CLEARED = "cleared"  # a crop left its shelf (removed or moved): rotation history
    INSPECTED = "inspected"  # a pest or disease found, with its severity
    STOCK = "stock"  # how much of a fertilizer is on hand (about the farm)


# --- What each kind of record holds (its `data`), as written ----------------------


class PhaseChangedData(TypedDict):
    """A plant moved from one phase to another."""

    from_phase: str | None  # None for the first phase a plant is given
    to_phase: str
    how: str  # manual, days, gdd, ... (what moved it)


class WateredData(TypedDict, total=False):
    """Plants watered by hand."""

    volume_l: float


class FeedingDetails(TypedDict, total=False):
    """What the grower says about a feeding, all of it optional."""

    volume_l: float
    ec: float  # mS/cm, as measured after it
    ph: float
    fertilizers: dict[str, float]  # library key: ml
    note: str


class FedData(FeedingDetails):
    """A tank fed: a full change, a top-up or an adjustment."""

    kind: str  # one of grower_records.FEEDING_KINDS


class TreatedData(TypedDict):
    """Plants treated with a protection product."""

    product: str
    active_ingredient: str
    interval_days: float


class HarvestedData(TypedDict, total=False):
    """A harvest; a final one ends the crop."""

    weight_g: float
    count: int
    final: bool


class ClearedData(TypedDict):
    """A crop left its shelf (rotation history)."""

    rack: str | None
    shelf: int | None
    species: str | None
    family: str
    planted: str  # ISO date


class InspectedData(TypedDict):
    """A pest or disease found on plants."""

    problem: str
    kind: str  # pest or disease
    severity: str
    notes: NotRequired[str]
    product: NotRequired[str]  # the product applied for it


class StockData(TypedDict):
    """How much of a fertilizer is on hand (about the farm)."""

    fertilizer: str
    amount_ml: float


type RecordData = (
    PhaseChangedData
    | WateredData
    | FedData
    | TreatedData
    | HarvestedData
    | ClearedData
    | InspectedData
    | StockData
)
# A record to write: its kind, the subentry it is about, when, and its data.
type NewRecord = tuple[RecordKind, str, datetime, RecordData | None]


class JournalRecord(TypedDict):
    """One thing that happened, as stored."""

    id: str  # ULID: unique, sortable, also the idempotency key for the planner
    at: str  # ISO 8601 aware datetime
    kind: str  # a RecordKind value
    subject: str  # subentry id (or entry id for farm-wide records)
    data: dict[str, Any]


class StoredOutbox(TypedDict):
    """Which journal records still wait for the planner, as stored (3.1).

    Every record from `first` on, except those in `taken`: the planner
    acknowledged them before an older one. Its size does not grow with the
    records waiting, so a farm with no planner linked writes no longer
    documents as its journal grows. No `first`: none of the records waits.
    """

    first: str | None
    taken: list[str]


class StoredFarm(TypedDict):
    """The whole stored document (version 3.1).

    On disk `journal` holds the records after those in `parts`; in memory it
    holds every record, the parts' first.
    """

    journal: list[JournalRecord]
    # The files holding the journal's older records, oldest first (2.1).
    parts: NotRequired[list[str]]
    state: dict[str, dict[str, Any]]
    # The records the planner has not acknowledged yet. Saved in the same
    # write as the records, so none is lost between the two. Only on disk: in
    # memory the store keeps it as the position of the first (3.1).
    outbox: NotRequired[StoredOutbox]
    # Before 3.1, the id of every record waiting, oldest first; read once the
    # parts are, then kept as above.
    waiting: NotRequired[list[str]]
    # Readings for the planner (tank levels), not journal records: saved in
    # batches like other readings, dropped once the planner has them.
    samples: list[JournalRecord]
    # Records the planner refused as invalid: set aside, never sent again.
    refused: NotRequired[list[RefusedRecord]]


class JournalPart(TypedDict):
    """One part of the journal's older records, as stored."""

    records: list[JournalRecord]


class RefusedRecord(TypedDict):
    """A record the planner refused, with its reason (kept for the user)."""

    record: JournalRecord
    reason: str


def _empty() -> StoredFarm:
    return {"journal": [], "state": {}, "samples": [], "refused": []}


class _FarmStore(Store[StoredFarm]):
    """Store with our migrations."""

    async def _async_migrate_func(
        self, old_major_version: int, old_minor_version: int, old_data: dict[str, Any]
    ) -> StoredFarm:
        return migrate(old_major_version, old_minor_version, old_data)


def migrate(
    old_major_version: int, old_minor_version: int, old_data: Mapping[str, Any]
) -> StoredFarm:
    """Bring stored data of an older layout up to the current one.

    1.1 (first release) kept only the journal, and its records had no ids;
    1.2 gives every record a ULID (idempotent sync with the planner) and adds
    the per-subentry runtime state; 1.3 adds the outbox of records still to
    ship to the planner (every earlier record: none was shipped before) and
    the readings waiting for it; 2.1 keeps the journal's older records in
    parts of their own (a 1.x document has none: all its records are the
    recent ones, parted at the next write). The major version moved so that
    an older release refuses the file instead of dropping the parts. 3.1
    keeps the outbox as the first record waiting and the later ones already
    taken instead of every id waiting; only the store can turn one into the
    other, once it has read the parts, so an older outbox moves to `waiting`
    here. An older release would not read the new outbox: the major moved.
    """
    if old_major_version > STORAGE_VERSION:
        raise NotImplementedError(f"storage version {old_major_version} is newer")
    data = cast(dict[str, Any], dict(old_data))
    if old_major_version == 1 and old_minor_version < 2:
        data["journal"] = [
            {
                **record,
                "id": record.get("id")
                or ulid_util.ulid_at_time(
                    datetime.fromisoformat(record["at"]).timestamp()
                ),
            }
            for record in data.get("journal", [])
        ]
        data.setdefault("state", {})
    if old_major_version == 1 and old_minor_version < 3:
        data["outbox"] = [record["id"] for record in data.get("journal", [])]
        data["samples"] = []
    if old_major_version < 3:
        data["waiting"] = data.pop("outbox", [])
    return cast(StoredFarm, data)


def recorded_treatment(
    at: datetime, data: Mapping[str, Any], zone: tzinfo
) -> Treatment:
    """A treatment as recorded, its interval counted on the farm's wall clock.

    A record keeps its time with a fixed UTC offset: days counted from that
    are 24 hours each, an hour off when the clocks change within the
    interval. In the farm's zone, the interval ends at the same local time
    that many days later, as labels count days. What `apply_treatment`
    answers and what blocks a harvest are both worked out here.
    """
    return Treatment(
        product=str(data["product"]),
        active_ingredient=str(data.get("active_ingredient") or ""),
        interval_days=float(data["interval_days"]),
        applied=at.astimezone(zone),
    )


@dataclass(slots=True)
class FarmStore:
    """The journal and runtime state of one farm."""

    hass: HomeAssistant
    entry_id: str
    _store: _FarmStore = field(init=False)
    _data: StoredFarm = field(init=False, default_factory=_empty)
    _by_subject: dict[str, list[JournalRecord]] = field(
        init=False, default_factory=dict
    )
    # Where each record is in the journal.
    _position: dict[str, int] = field(init=False, default_factory=dict)
    # The outbox: the journal's records from `_first_waiting` on, except those
    # in `_taken` (acknowledged before an older one).
    _first_waiting: int = field(init=False, default=0)
    _taken: set[str] = field(init=False, default_factory=set)
    _queued: list[Callable[[], None]] = field(init=False, default_factory=list)
    # Readings are queued for the planner only while one is linked.
    ship_samples: bool = field(init=False, default=False)
    # A delayed save is scheduled and has not taken the data yet.
    _save_pending: bool = field(init=False, default=False)
    _last_sample: dict[str, datetime] = field(init=False, default_factory=dict)
    # The journal's parts on disk (name, records), oldest first, and the
    # files of parts no longer used, deleted after the next write.
    _parts: list[tuple[str, int]] = field(init=False, default_factory=list)
    _unused_parts: set[str] = field(init=False, default_factory=set)
    # One write at a time: two making the same part at once would name it twice.
    _write_lock: asyncio.Lock = field(init=False, default_factory=asyncio.Lock)

    def __post_init__(self) -> None:
        """Create the underlying Store (nothing is read yet)."""
        self._store = _FarmStore(
            self.hass,
            STORAGE_VERSION,
            f"{STORAGE_KEY}.{self.entry_id}",
            minor_version=STORAGE_MINOR_VERSION,
            atomic_writes=True,
        )

    async def async_load(self) -> None:
        """Read the stored document and the journal's parts, migrating if older."""
        data = await self._store.async_load() or _empty()
        data.setdefault("samples", [])  # 1.3 files written before readings
        data.setdefault("refused", [])  # files written before refusals
        older: list[JournalRecord] = []
        self._parts = []
        for name in data.pop("parts", []):
            part = await self._part_store(name).async_load()
            if part is None:
                _LOGGER.error(
                    "The journal part %s is missing; its records are lost", name
                )
                continue
            older.extend(part["records"])
            self._parts.append((name, len(part["records"])))
        data["journal"] = older + data["journal"]
        outbox = data.pop("outbox", None)
        waiting = data.pop("waiting", None)
        self._data = data
        self._index()
        if waiting is not None:
            self._wait_for(set(waiting))
        elif outbox is not None:
            self._read_outbox(outbox)

    def _part_store(self, name: str) -> Store[JournalPart]:
        """The file of one part of the journal."""
        return Store(
            self.hass,
            PART_VERSION,
            f"{STORAGE_KEY}.{self.entry_id}.{name}",
            minor_version=PART_MINOR_VERSION,
            atomic_writes=True,
        )

    def _index(self) -> None:
        self._by_subject = {}
        self._position = {}
        for position, record in enumerate(self._data["journal"]):
            self._by_subject.setdefault(record["subject"], []).append(record)
            self._position[record["id"]] = position

    def _wait_for(self, waiting: set[str]) -> None:
        """Make the outbox the journal's records with these ids."""
        journal = self._data["journal"]
        first = next(
            (at for at, record in enumerate(journal) if record["id"] in waiting),
            len(journal),
        )
        self._first_waiting = first
        self._taken = {
            record["id"]
            for record in islice(journal, first, None)
            if record["id"] not in waiting
        }

    def _read_outbox(self, outbox: StoredOutbox) -> None:
        """Take the stored outbox; its first record gone, all from the start wait.

        The first record is gone only with a part missing from disk: sending
        again what the planner has is harmless (it takes each id once), and
        not sending what it lacks would lose it.
        """
        first = outbox["first"]
        journal = self._data["journal"]
        if first is None:
            self._first_waiting = len(journal)
        elif (position := self._position.get(first)) is not None:
            self._first_waiting = position
        else:
            _LOGGER.warning(
                "The first record waiting for the planner is not in the journal "
                "(a part is missing); the records from the journal's start are "
                "sent again"
            )
            self._first_waiting = 0
        self._taken = {
            record_id
            for record_id in outbox["taken"]
            if self._position.get(record_id, -1) >= self._first_waiting
        }

    def _waiting(self) -> Iterator[JournalRecord]:
        """The records in the outbox, oldest first."""
        taken = self._taken
        for record in islice(self._data["journal"], self._first_waiting, None):
            if record["id"] not in taken:
                yield record

    @property
    def journal(self) -> list[JournalRecord]:
        """All records, oldest first."""
        return self._data["journal"]

    def records(
        self, subject: str | None = None, kinds: Iterable[str] | None = None
    ) -> list[JournalRecord]:
        """Records about one subject and/or of some kinds, oldest first."""
        wanted = None if kinds is None else set(kinds)
        source = (
            self._data["journal"]
            if subject is None
            else self._by_subject.get(subject, [])
        )
        return [
            record for record in source if wanted is None or record["kind"] in wanted
        ]

    async def async_record(
        self,
        kind: RecordKind,
        subject: str,
        at: datetime,
        data: RecordData | None = None,
    ) -> JournalRecord:
        """Append a record and write it to disk before returning (no data: {})."""
        (record,) = await self.async_record_many([(kind, subject, at, data)])
        return record

    async def async_record_many(
        self, items: Iterable[NewRecord]
    ) -> list[JournalRecord]:
        """Append several records with one write, done before returning."""
        records: list[JournalRecord] = [
            {
                "id": ulid_util.ulid_now(),
                "at": at.isoformat(),
                "kind": str(kind),
                "subject": subject,
                "data": dict(data or {}),
            }
            for kind, subject, at, data in items
        ]
        journal = self._data["journal"]
        for record in records:  # each waits: it is after the first waiting
            self._by_subject.setdefault(record["subject"], []).append(record)
            self._position[record["id"]] = len(journal)
            journal.append(record)
        await self._async_write()
        for queued in list(self._queued):
            queued()
        return records

    # --- Outbox: records still to ship to the planner ---------------------------

    def async_on_queued(self, queued: Callable[[], None]) -> Callable[[], None]:
        """Call `queued` after new records are on disk and in the outbox."""
        self._queued.append(queued)
        return lambda: self._queued.remove(queued)

    def outbox(self, limit: int) -> list[JournalRecord]:
        """The oldest `limit` records the planner has not acknowledged.

        Journal records go first, then readings.
        """
        records = list(islice(self._waiting(), limit))
        return records + self._data["samples"][: limit - len(records)]

    @property
    def outbox_size(self) -> int:
        """How many records and readings wait for the planner's acknowledgement."""
        waiting = len(self._data["journal"]) - self._first_waiting - len(self._taken)
        return waiting + len(self._data["samples"])

    def queue_sample(
        self, kind: str, subject: str, at: datetime, data: Mapping[str, Any]
    ) -> None:
        """Queue a reading for the planner: one per subject per 15 minutes at most.

        Readings are not journal records: they are saved in batches, and at
        most the latest SAMPLES_KEPT wait while the planner is away.
        """
        if not self.ship_samples:
            return
        last = self._last_sample.get(subject)
        if last is not None and at - last < SAMPLE_EVERY:
            return
        self._last_sample[subject] = at
        samples = self._data["samples"]
        samples.append(
            {
                "id": ulid_util.ulid_at_time(at.timestamp()),
                "at": at.isoformat(),
                "kind": kind,
                "subject": subject,
                "data": dict(data or {}),
            }
        )
        del samples[:-SAMPLES_KEPT]
        self.async_schedule_save()
        for queued in list(self._queued):
            queued()

    def acknowledge(self, record_ids: Iterable[str]) -> None:
        """Take records the planner committed out of the outbox.

        The save is batched: should Home Assistant stop before it, the records
        are sent again, and the planner takes each event id only once.
        """
        done = set(record_ids)
        if done:
            first = self._first_waiting
            self._taken.update(
                record_id
                for record_id in done
                if self._position.get(record_id, -1) >= first
            )
            journal = self._data["journal"]
            while first < len(journal) and journal[first]["id"] in self._taken:
                self._taken.discard(journal[first]["id"])
                first += 1
            self._first_waiting = first
            self._data["samples"] = [
                sample for sample in self._data["samples"] if sample["id"] not in done
            ]
            self.async_schedule_save()

    def set_aside(self, record: JournalRecord, reason: str) -> None:
        """Keep a record the planner refused out of the outbox, for good.

        It stays in the journal (a reading in the refused list), so nothing
        the user made is lost; it is only not sent again.
        """
        self._data.setdefault("refused", []).append(
            {"record": record, "reason": reason}
        )
        self.acknowledge([record["id"]])

    @property
    def refused(self) -> list[RefusedRecord]:
        """The records the planner refused as invalid, oldest first."""
        return self._data.setdefault("refused", [])

    def treatments(
        self, plant_id: str, until: datetime | None = None, *, zone: tzinfo
    ) -> tuple[Treatment, ...]:
        """Treatments of a plant since its last final harvest, oldest first.

        Their intervals count days on the wall clock of `zone`, the farm's
        (`recorded_treatment`).

        By the records' times, not the order they were logged in: a spray
        logged late for a time before a final harvest stays with the crop
        that harvest ended. Records at one instant keep the order they were
        logged in. With `until`, only the records up to that instant count:
        what a harvest at that time is judged by (a later spray was not on it).
        """
        ended: tuple[datetime, int] | None = None  # the last final harvest
        applied: list[tuple[datetime, int, dict[str, Any]]] = []
        # One pass over the plant's own records: a plant's view asks at each change.
        for position, record in enumerate(self._by_subject.get(plant_id, ())):
            kind = record["kind"]
            if kind == RecordKind.TREATED:
                at = datetime.fromisoformat(record["at"])
                if until is None or at <= until:
                    applied.append((at, position, record["data"]))
            elif kind == RecordKind.HARVESTED and record["data"].get("final"):
                at = datetime.fromisoformat(record["at"])
                if (until is None or at <= until) and (
                    ended is None or (at, position) > ended
                ):
                    ended = (at, position)
        applied.sort(key=itemgetter(0, 1))
        return tuple(
            recorded_treatment(at, data, zone)
            for at, position, data in applied
            if ended is None or (at, position) > ended
        )

    async def async_tidy(self, subjects: Iterable[str], now: datetime) -> int:
        """Apply the retention rule at start; returns how many records were dropped.

        Writes at once when records were dropped, or when the document holds
        more than a part's worth of records (a file of an older layout): the
        parts are made now, not left to the next record.
        """
        dropped = self.prune(subjects, now)
        if dropped or len(self._data["journal"]) - self._parted > PART_RECORDS:
            await self._async_write()
        return dropped

    def prune(self, subjects: Iterable[str], now: datetime) -> int:
        """Apply the retention rule; returns how many records were dropped.

        The caller saves (`async_tidy` does).
        """
        keep = set(subjects)
        cutoff = now - KEEP_REMOVED
        journal = self._data["journal"]
        kept = [
            record
            for record in journal
            if record["subject"] in keep
            or datetime.fromisoformat(record["at"]) >= cutoff
        ]
        dropped = len(journal) - len(kept)
        if dropped:
            waiting = {record["id"] for record in self._waiting()}
            self._data["journal"] = kept
            # the parts are made again from what is kept at the next write
            self._unused_parts.update(name for name, _count in self._parts)
            self._parts = []
            self._index()
            self._wait_for(waiting)
        return dropped

    def state(self, subject: str) -> dict[str, Any]:
        """The runtime state of one subject (a live dict: change it, then save)."""
        return self._data["state"].setdefault(subject, {})

    def async_schedule_save(self) -> None:
        """Batch a save of derived state (readings, counters).

        Written at most `SAVE_DELAY_S` after the first change not yet on
        disk: Home Assistant's delayed save starts its delay again at each
        call, and a probe reporting every few seconds would hold it off.
        """
        if self._save_pending:
            return
        self._save_pending = True
        self._store.async_delay_save(self._data_to_write, SAVE_DELAY_S)

    async def _async_write(self) -> None:
        """Write now; this replaces a pending delayed save.

        Older records beyond one part's worth go into parts first: each part
        is on disk before the document that names it, so a stop in between
        leaves its records in the document (and an unnamed file, written
        again by the next write).
        """
        async with self._write_lock:
            journal = self._data["journal"]
            parted = self._parted
            while len(journal) - parted > PART_RECORDS:
                records = journal[parted : parted + PART_RECORDS]
                name = f"journal_{records[0]['id'].lower()}"
                await self._part_store(name).async_save({"records": records})
                self._parts.append((name, len(records)))
                self._unused_parts.discard(name)
                parted += len(records)
            # Only now does this write take the data, and it drops a delayed
            # save scheduled meanwhile (a reading while the write waited):
            # that reading is in this document, and the next one schedules anew.
            self._save_pending = False
            await self._store.async_save(self._document())
            unused, self._unused_parts = self._unused_parts, set()
            for name in unused:
                await self._part_store(name).async_remove()

    @property
    def _parted(self) -> int:
        """How many of the journal's records, from its start, are in parts."""
        return sum(count for _name, count in self._parts)

    def _document(self) -> StoredFarm:
        """The stored document: the records after the parts, the parts' names."""
        journal = self._data["journal"]
        first = self._first_waiting
        return {
            **self._data,
            "journal": journal[self._parted :],
            "parts": [name for name, _count in self._parts],
            "outbox": {
                "first": journal[first]["id"] if first < len(journal) else None,
                "taken": sorted(self._taken, key=self._position.__getitem__),
            },
        }

    def _data_to_write(self) -> StoredFarm:
        """What the delayed save writes; changes from now on schedule another."""
        self._save_pending = False
        return self._document()

    async def async_forget(self, subjects: Iterable[str]) -> None:
        """Drop the runtime state of removed subentries (their journal stays)."""
        changed = False
        for subject in subjects:
            changed |= self._data["state"].pop(subject, None) is not None
        if changed:
            await self._async_write()

    async def async_save_now(self) -> None:
        """Write now: on unload, and when a user's choice (a switch, a target) is made."""
        await self._async_write()

    async def async_remove(self) -> None:
        """Delete the files (the farm was removed)."""
        for name in {name for name, _count in self._parts} | self._unused_parts:
            await self._part_store(name).async_remove()
        await self._store.async_remove()
