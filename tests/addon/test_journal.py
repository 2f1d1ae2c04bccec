"""Journal ingest and reads over real HTTP with a real SQLite file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import sqlite3
from typing import Any

import aiohttp
import pytest

from .conftest import RunningPlanner, auth

JOURNAL = "/api/v1/journal"
FARM = "farm_1"


def record(event_id: str, **overrides: Any) -> dict[str, Any]:
    """Return one journal record as the integration sends it."""
    base: dict[str, Any] = {
        "id": event_id,
        "at": "2026-05-01T10:00:00+02:00",
        "kind": "fed",
        "subject": "tank_1",
        "data": {"kind": "top_up", "volume_l": 10.5},
    }
    base.update(overrides)
    return base


async def post(
    session: aiohttp.ClientSession,
    planner: RunningPlanner,
    body: object,
    status: int = 200,
) -> dict[str, Any]:
    """POST a body to the journal and return the JSON answer."""
    async with session.post(
        planner.url(JOURNAL), json=body, headers=auth()
    ) as response:
        answer: dict[str, Any] = await response.json()
        assert response.status == status, answer
    return answer


def rows(planner: RunningPlanner) -> list[tuple[Any, ...]]:
    """Read the journal straight from the database file, as another process would."""
    with contextlib.closing(
        sqlite3.connect(planner.config.database_path)
    ) as connection:
        return connection.execute(
            "SELECT event_id, farm_id, kind, subject_id, at, payload FROM journal "
            "ORDER BY event_id"
        ).fetchall()


async def test_batch_is_committed_before_the_answer(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    answer = await post(
        session,
        planner,
        {"farm_id": FARM, "records": [record("e1"), record("e2", subject=None)]},
    )
    assert answer == {"accepted": ["e1", "e2"], "inserted": 2, "duplicates": 0}
    # A separate connection sees both rows: they were committed.
    assert rows(planner) == [
        (
            "e1",
            FARM,
            "fed",
            "tank_1",
            "2026-05-01T08:00:00.000+00:00",
            '{"kind":"top_up","volume_l":10.5}',
        ),
        (
            "e2",
            FARM,
            "fed",
            None,
            "2026-05-01T08:00:00.000+00:00",
            '{"kind":"top_up","volume_l":10.5}',
        ),
    ]


async def test_resent_batch_is_acknowledged_and_changes_nothing(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    await post(session, planner, {"farm_id": FARM, "records": [record("e1")]})
    before = rows(planner)
    # The same id with other content: the first copy wins.
    answer = await post(
        session,
        planner,
        {
            "farm_id": FARM,
            "records": [
                record("e1", kind="watered", data={}),
                record("e3"),
                record("e3"),
            ],
        },
    )
    assert answer == {"accepted": ["e1", "e3"], "inserted": 1, "duplicates": 1}
    after = rows(planner)
    assert after[0] == before[0]
    assert [row[0] for row in after] == ["e1", "e3"]


async def test_concurrent_batches_all_land(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    batches = [
        {"farm_id": FARM, "records": [record(f"b{batch}-{n}") for n in range(20)]}
        for batch in range(15)
    ]
    answers = await asyncio.gather(*(post(session, planner, b) for b in batches))
    assert sum(answer["inserted"] for answer in answers) == 300
    assert len(rows(planner)) == 300


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"records": [record("e1")]}, "farm_id"),
        ({"farm_id": FARM, "records": []}, "records"),
        (
            {"farm_id": FARM, "records": [record(f"e{n}") for n in range(1001)]},
            "records",
        ),
        ({"farm_id": "has space", "records": [record("e1")]}, "farm_id"),
        ({"farm_id": FARM, "records": [record("")]}, "records.0.id"),
        (
            {"farm_id": FARM, "records": [record("e1", at="2026-05-01T10:00:00")]},
            "records.0.at",
        ),
        ({"farm_id": FARM, "records": [record("e1", at="yesterday")]}, "records.0.at"),
        # Outside 1970-2999, and at the calendar's ends.
        (
            {
                "farm_id": FARM,
                "records": [record("e1", at="0001-01-01T00:00:00+01:00")],
            },
            "records.0.at",
        ),
        (
            {"farm_id": FARM, "records": [record("e1", at="1969-12-31T23:59:59Z")]},
            "records.0.at",
        ),
        (
            {
                "farm_id": FARM,
                "records": [record("e1", at="9999-12-31T23:00:00-05:00")],
            },
            "records.0.at",
        ),
        ({"farm_id": FARM, "records": [record("e1", kind="Fed!")]}, "records.0.kind"),
        ({"farm_id": FARM, "records": [record("e1", data=[1])]}, "records.0.data"),
        (
            {
                "farm_id": FARM,
                "records": [record("e1", data={"level_l": int("9" * 400)})],
            },
            "records.0.data",
        ),
        ({"farm_id": FARM, "records": [record("e1", extra=1)]}, "records.0.extra"),
        (
            {"farm_id": FARM, "records": [record("e1"), record("e2", at=5)]},
            "records.1.at",
        ),
        ({"farm_id": FARM, "records": "e1"}, "records"),
        ([], "(body)"),
    ],
)
async def test_bad_batch_is_refused_whole(
    planner: RunningPlanner,
    session: aiohttp.ClientSession,
    body: object,
    field: str,
) -> None:
    answer = await post(session, planner, body, status=400)
    assert answer["error"]["code"] == "invalid_request"
    assert answer["error"]["field"] == field
    assert field in answer["error"]["message"]
    assert rows(planner) == []


def note_of_utf8_bytes(size: int) -> dict[str, str]:
    """Return record data whose compact UTF-8 JSON is ``size`` bytes, in Cyrillic."""
    room = size - len('{"note":""}')
    return {"note": "д" * (room // 2) + "x" * (room % 2)}


async def test_record_size_is_counted_in_utf8_bytes(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    """16 KiB of a non-Latin note fits, though escaped it would be three times that."""
    largest = note_of_utf8_bytes(16 * 1024)
    assert len(json.dumps(largest, separators=(",", ":"))) > 2 * 16 * 1024
    answer = await post(
        session, planner, {"farm_id": FARM, "records": [record("e1", data=largest)]}
    )
    assert answer["accepted"] == ["e1"]
    async with session.get(planner.url(JOURNAL), headers=auth()) as response:
        (stored,) = (await response.json())["records"]
    assert stored["data"] == largest

    too_large = note_of_utf8_bytes(16 * 1024 + 1)
    answer = await post(
        session,
        planner,
        {"farm_id": FARM, "records": [record("e2", data=too_large)]},
        status=400,
    )
    assert answer["error"]["field"] == "records.0.data"
    assert "larger than 16384 bytes" in answer["error"]["message"]
    assert [row[0] for row in rows(planner)] == ["e1"]


@pytest.mark.parametrize(
    ("data", "content_type", "expected"),
    [
        (b"{not json", "application/json", (400, "invalid_json")),
        (b"[" * 200_000, "application/json", (400, "invalid_json")),
        (
            (
                b'{"farm_id": "f", "records": [{"id": "e", "kind": "fed", '
                b'"at": "2026-05-01T10:00:00Z", "data": {"ec": NaN}}]}'
            ),
            "application/json",
            (400, "invalid_json"),
        ),
        (
            b"farm_id=f",
            "application/x-www-form-urlencoded",
            (415, "unsupported_media_type"),
        ),
        # Not UTF-8, and a charset Python does not know.
        (b'{"farm_id": "\xff\xfe"}', "application/json", (400, "invalid_json")),
        (
            b"{}",
            "application/json; charset=no-such-charset",
            (415, "unsupported_media_type"),
        ),
    ],
)
async def test_body_that_is_not_json_is_refused(
    planner: RunningPlanner,
    session: aiohttp.ClientSession,
    data: bytes,
    content_type: str,
    expected: tuple[int, str],
) -> None:
    status, code = expected
    async with session.post(
        planner.url(JOURNAL),
        data=data,
        headers={**auth(), "Content-Type": content_type},
    ) as response:
        assert response.status == status
        assert (await response.json())["error"]["code"] == code
    assert rows(planner) == []


async def test_read_filters_and_pages(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    records = [
        record(f"e{n:02}", at=f"2026-05-{n + 1:02}T12:00:00+00:00", kind=kind)
        for n, kind in enumerate(["fed", "watered"] * 5)
    ]
    records.append(record("same-time", at="2026-05-01T12:00:00+00:00"))
    await post(session, planner, {"farm_id": FARM, "records": records})
    await post(session, planner, {"farm_id": "farm_2", "records": [record("other")]})

    seen: list[str] = []
    cursor: str | None = None
    pages = 0
    while True:
        params = {"farm_id": FARM, "limit": "4"}
        if cursor:
            params["cursor"] = cursor
        async with session.get(
            planner.url(JOURNAL), params=params, headers=auth()
        ) as response:
            assert response.status == 200
            page = await response.json()
        pages += 1
        seen.extend(item["id"] for item in page["records"])
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert pages == 3
    assert seen == ["e00", "same-time", *(f"e{n:02}" for n in range(1, 10))]

    async with session.get(
        planner.url(JOURNAL),
        params={
            "kind": "watered",
            "since": "2026-05-04T12:00:00+00:00",
            "until": "2026-05-08T12:00:00+00:00",
            "subject": "tank_1",
        },
        headers=auth(),
    ) as response:
        page = await response.json()
    assert [item["id"] for item in page["records"]] == ["e03", "e05"]
    first = page["records"][0]
    assert first["farm_id"] == FARM
    assert first["at"] == "2026-05-04T12:00:00.000+00:00"
    assert first["data"] == {"kind": "top_up", "volume_l": 10.5}
    assert set(first) == {
        "id",
        "farm_id",
        "at",
        "kind",
        "subject",
        "data",
        "received_at",
    }


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"limit": "0"}, "limit"),
        ({"limit": "1001"}, "limit"),
        ({"limit": "ten"}, "limit"),
        ({"since": "2026-05-01"}, "since"),
        ({"since": "0001-01-01T00:00:00+05:00"}, "since"),
        ({"until": "3000-01-01T00:00:00Z"}, "until"),
        ({"colour": "red"}, "colour"),
    ],
)
async def test_bad_read_is_refused(
    planner: RunningPlanner,
    session: aiohttp.ClientSession,
    params: dict[str, str],
    field: str,
) -> None:
    async with session.get(
        planner.url(JOURNAL), params=params, headers=auth()
    ) as response:
        assert response.status == 400
        error = (await response.json())["error"]
    assert error["code"] == "invalid_request"
    assert error["field"] == field


async def test_records_survive_a_restart(
    make_config: Any, session: aiohttp.ClientSession
) -> None:
    from .conftest import serve_planner

    config = make_config()
    async with serve_planner(config) as running:
        await post(session, running, {"farm_id": FARM, "records": [record("keep")]})
    async with (
        serve_planner(config) as running,
        session.get(running.url(JOURNAL), headers=auth()) as response,
    ):
        page = await response.json()
    assert [item["id"] for item in page["records"]] == ["keep"]
    assert (
        json.dumps(page["records"][0]["data"]) == '{"kind": "top_up", "volume_l": 10.5}'
    )


async def test_a_failing_batch_does_not_take_its_group_down(
    planner: RunningPlanner, session: aiohttp.ClientSession
) -> None:
    # A real SQLite trigger refuses one record, as a full disk or a broken
    # row would; batches committed in the same group must still land.
    with contextlib.closing(
        sqlite3.connect(planner.config.database_path)
    ) as connection:
        connection.execute(
            "CREATE TRIGGER refuse_poison BEFORE INSERT ON journal "
            "WHEN NEW.event_id = 'poison' BEGIN SELECT RAISE(ABORT, 'refused'); END"
        )
    good = [
        {"farm_id": FARM, "records": [record(f"g{batch}-{n}") for n in range(5)]}
        for batch in range(12)
    ]
    bad = {"farm_id": FARM, "records": [record("p-ok"), record("poison")]}
    answers = await asyncio.gather(
        *(post(session, planner, body) for body in good[:6]),
        post(session, planner, bad, status=503),
        *(post(session, planner, body) for body in good[6:]),
    )
    assert answers[6]["error"]["code"] == "database_unavailable"
    stored = {row[0] for row in rows(planner)}
    assert stored == {f"g{batch}-{n}" for batch in range(12) for n in range(5)}
