"""The planner client against the real add-on app on 127.0.0.1."""

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.helpers.aiohttp_client import async_get_clientsession
import pytest

from custom_components.vertical_farm.planner import (
    PlannerAuthError,
    PlannerClient,
    PlannerConnectionError,
    PlannerRefusedError,
    PlannerResponseError,
    PlannerServerError,
)
from custom_components.vertical_farm.store import JournalRecord

from .planner_server import TOKEN, PlannerServer, free_port

FARM = "01FARM00000000000000000000"


def _client(hass: HomeAssistant, url: str, token: str = TOKEN) -> PlannerClient:
    return PlannerClient(async_get_clientsession(hass), url, token)


def _record(number: int) -> JournalRecord:
    return {
        "id": f"01REC{number:021d}",
        "at": "2026-11-03T10:00:00-08:00",
        "kind": "watered",
        "subject": "01PLANT",
        "data": {"volume_l": 0.5},
    }


async def test_health_and_check(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """Health needs no token; the check needs the right one."""
    health = await _client(hass, planner_server.url, "wrong").async_health()
    assert health["status"] == "ok"
    await _client(hass, f"{planner_server.url}/").async_check()
    with pytest.raises(PlannerAuthError):
        await _client(hass, planner_server.url, "wrong-token-0123456789").async_check()
    with pytest.raises(PlannerConnectionError):
        await _client(hass, f"http://127.0.0.1:{free_port()}").async_check()


async def test_ship_is_idempotent(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """Records the add-on committed come back as acknowledged, again and again."""
    client = _client(hass, planner_server.url)
    records = [_record(number) for number in range(3)]
    assert await client.async_ship(FARM, records) == {r["id"] for r in records}
    assert await client.async_ship(FARM, records[:1]) == {records[0]["id"]}
    assert set(planner_server.events()) == {r["id"] for r in records}
    # Only the ids the planner names leave the outbox.
    planner_server.replies["/api/v1/journal"] = (200, {"accepted": [records[1]["id"]]})
    assert await client.async_ship(FARM, records) == {records[1]["id"]}


@pytest.mark.parametrize(
    ("status", "body", "error"),
    [
        (200, {"accepted": "all"}, PlannerResponseError),
        (200, ["not", "an", "object"], PlannerResponseError),
        (302, {}, PlannerResponseError),
        (404, "nothing here", PlannerResponseError),
        (503, {"error": {"code": "database_unavailable"}}, PlannerServerError),
        (500, None, PlannerServerError),
    ],
)
async def test_ship_answers_that_break_the_promise(
    hass: HomeAssistant,
    planner_server: PlannerServer,
    status: int,
    body: Any,
    error: type[Exception],
) -> None:
    """Answers the API does not promise are errors, never acknowledgements."""
    planner_server.replies["/api/v1/journal"] = (status, body)
    with pytest.raises(error):
        await _client(hass, planner_server.url).async_ship(FARM, [_record(1)])
    assert planner_server.events() == {}


async def test_planner_refusals_keep_their_code(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """A request the add-on refuses comes back with the add-on's code and message."""
    client = _client(hass, planner_server.url)
    with pytest.raises(PlannerRefusedError) as err:
        await client.async_plan_succession({"farm_id": FARM, "racks": []})
    assert err.value.planner_code == "invalid_request"
    assert str(err.value)
    with pytest.raises(PlannerRefusedError) as err:
        await client.async_get_forecast("01NOSUCHTANK")
    assert err.value.planner_code == "tank_not_found"
    planner_server.replies["/api/v1/plans/succession"] = (200, {"plan": "?"})
    with pytest.raises(PlannerResponseError):
        await client.async_plan_succession({"farm_id": FARM})
