"""The care list: care tasks from the plants, completion, snoozes, own items."""

import copy
import dataclasses
from datetime import date, datetime, timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.todo.const import DATA_COMPONENT, TodoItemStatus
from homeassistant.components.todo.entity import TodoItem
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.typing import WebSocketGenerator

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.care import CareKind
from custom_components.vertical_farm.farm import Farm
from custom_components.vertical_farm.todo import FarmCareList

from .conftest import (
    BASIL_DATA,
    FARM_DATA,
    MONSTERA_DATA,
    PLANT_ID,
    POT_ID,
    TODAY,
    farm_with,
    seed_phases,
    set_up,
    subentry,
)

NOW = datetime.fromisoformat(TODAY)  # 2026-11-03 10:00 in US/Pacific
ZONE = NOW.tzinfo
DAY = NOW.date()
WEEK_END = DAY + timedelta(days=7)  # the last day the list looks ahead to
BASIL_PLANTED = date.fromisoformat(str(BASIL_DATA["planted"]))  # 2026-11-01
POT_PLANTED = date.fromisoformat(str(MONSTERA_DATA["planted"]))  # 2026-06-15
BASIL_PEST = f"{PLANT_ID}_pest_check"
BASIL_FEED = f"{PLANT_ID}_fertilize"
BASIL_REPOT = f"{PLANT_ID}_repot"
POT_WATER = f"{POT_ID}_water"
POT_FEED = f"{POT_ID}_fertilize"
POT_PEST = f"{POT_ID}_pest_check"


def _entity_id(hass: HomeAssistant, entry: MockConfigEntry) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        "todo", DOMAIN, f"{entry.entry_id}_care"
    )
    assert entity_id is not None
    return entity_id


async def _items(hass: HomeAssistant, entity_id: str) -> list[dict[str, Any]]:
    response = await hass.services.async_call(
        "todo",
        "get_items",
        target={"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    items: list[dict[str, Any]] = response[entity_id]["items"]  # type: ignore[index]
    return items


def _state(hass: HomeAssistant, entity_id: str) -> str:
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


async def _complete(hass: HomeAssistant, entity_id: str, item: str) -> None:
    """Tick an item off the list, as the UI or a voice command does."""
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": item, "status": "completed"},
        target={"entity_id": entity_id},
        blocking=True,
    )
    await hass.async_block_till_done()


def _by_uid(items: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {item["uid"]: item for item in items}


def _farm(entry: MockConfigEntry) -> Farm:
    farm: Farm = entry.runtime_data.farm
    return farm


def _entity(hass: HomeAssistant, entity_id: str) -> FarmCareList:
    entity = hass.data[DATA_COMPONENT].get_entity(entity_id)
    assert isinstance(entity, FarmCareList)
    return entity


async def test_lists_care_tasks_due_within_a_week(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Overdue, today, upcoming and the coming week's tasks; later ones are left off."""
    entity_id = _entity_id(hass, loaded_farm)
    entry = er.async_get(hass).async_get(entity_id)
    assert entry is not None
    assert entry.translation_key == "care"
    assert entry.has_entity_name
    assert entry.config_subentry_id is None
    device = dr.async_get(hass).async_get(entry.device_id or "")
    assert device is not None
    assert device.identifiers == {(DOMAIN, loaded_farm.entry_id)}

    # Monstera (tropical preset, a pot, planted in June, not winter): water every
    # 7 days, feed and check for pests every 14, counted from planting: all overdue.
    pot_water = POT_PLANTED + timedelta(days=7)  # 2026-06-22
    pot_feed = POT_PLANTED + timedelta(days=14)  # 2026-06-29
    # Basil (herb preset) sits on a recirculating tank: no watering; pest check
    # every 7 days, feeding every 14, repotting every 180.
    basil_pest = BASIL_PLANTED + timedelta(days=7)  # 2026-11-08, within the week
    assert BASIL_PLANTED + timedelta(days=14) > WEEK_END  # feeding: 2026-11-15
    pot_location = "Standalone pot"
    basil_location = f"Rack one, shelf {BASIL_DATA['shelf']}"

    items = await _items(hass, entity_id)
    assert items == [
        {
            "uid": POT_WATER,
            "summary": "Water Monstera",
            "status": "needs_action",
            "due": pot_water.isoformat(),
            "description": pot_location,
        },
        {
            "uid": POT_FEED,
            "summary": "Feed Monstera",
            "status": "needs_action",
            "due": pot_feed.isoformat(),
            "description": pot_location,
        },
        {
            "uid": POT_PEST,
            "summary": "Check Monstera for pests",
            "status": "needs_action",
            "due": pot_feed.isoformat(),
            "description": pot_location,
        },
        {
            "uid": BASIL_PEST,
            "summary": "Check Basil tray for pests",
            "status": "needs_action",
            "due": basil_pest.isoformat(),
            "description": basil_location,
        },
    ]
    assert _state(hass, entity_id) == "4"


async def test_completing_a_care_task_confirms_it(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Completing confirms the task on the farm; the next one shows under the same uid."""
    entity_id = _entity_id(hass, loaded_farm)

    await _complete(hass, entity_id, POT_WATER)

    stored = _farm(loaded_farm).store.state(POT_ID)["care"]["water"]
    assert stored["last_done"] == DAY.isoformat()
    assert stored["history"] == [DAY.isoformat()]
    assert stored["learned"] == 7.0, "one confirmation: the preset's 7 days hold"
    item = _by_uid(await _items(hass, entity_id))[POT_WATER]
    assert item["status"] == "needs_action"
    assert item["due"] == (DAY + timedelta(days=7)).isoformat()  # 2026-11-10

    # By its summary, as voice and the UI may name it: next feeding in 14 days.
    await _complete(hass, entity_id, "Feed Monstera")
    assert _farm(loaded_farm).store.state(POT_ID)["care"]["fertilize"]["last_done"] == (
        DAY.isoformat()
    )
    assert DAY + timedelta(days=14) > WEEK_END
    assert POT_FEED not in _by_uid(await _items(hass, entity_id)), (
        "the next feeding (2026-11-17) is more than a week away"
    )
    assert _state(hass, entity_id) == "3"


async def test_learning_follows_the_growers_rhythm_all_the_way(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A 14-day pest check ticked off every 10 days comes due every 10 days.

    From the third confirmation the interval moves a day per confirmation,
    within 14 +- 30 % (9.8 to 18.2 days): 13, 12, 11, 10, then it holds.
    """
    entity_id = _entity_id(hass, loaded_farm)
    farm = _farm(loaded_farm)
    learned: list[float] = []
    for count in range(8):
        freezer.move_to(NOW + timedelta(days=10 * count))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        await _complete(hass, entity_id, POT_PEST)
        stored = farm.store.state(POT_ID)["care"]["pest_check"]
        learned.append(stored["learned"])
        assert len(stored["history"]) <= 4, "only the latest confirmations are kept"

    assert learned == [14, 14, 13, 12, 11, 10, 10, 10]
    # Nine days after the last one, the next is listed for the day after.
    freezer.move_to(NOW + timedelta(days=79))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _by_uid(await _items(hass, entity_id))[POT_PEST]["due"] == (
        (DAY + timedelta(days=80)).isoformat()
    )


async def test_ticking_off_a_watering_records_one(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Ticking "Water Monstera" is watering it: journalled, on the plant's activity."""
    entity_id = _entity_id(hass, loaded_farm)
    activity = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{POT_ID}_activity"
    )
    assert activity is not None

    await _complete(hass, entity_id, "Water Monstera")

    farm = _farm(loaded_farm)
    (record,) = farm.store.records(POT_ID, ["watered"])
    assert datetime.fromisoformat(record["at"]) == NOW
    state = hass.states.get(activity)
    assert state is not None
    assert state.attributes["event_type"] == "watered"
    assert farm.store.state(POT_ID)["care"]["water"]["last_done"] == DAY.isoformat()
    # Other tasks are confirmed, not journalled: a pest check is no watering.
    await _complete(hass, entity_id, POT_PEST)
    assert len(farm.store.records(POT_ID)) == 1


async def test_moving_a_care_task_later_snoozes_it(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A later due date snoozes; edits other than the due date are refused."""
    entity_id = _entity_id(hass, loaded_farm)
    due = BASIL_PLANTED + timedelta(days=7)  # 2026-11-08
    later = due + timedelta(days=1)

    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": BASIL_PEST, "due_date": later.isoformat()},
        target={"entity_id": entity_id},
        blocking=True,
    )
    await hass.async_block_till_done()
    stored = _farm(loaded_farm).store.state(PLANT_ID)["care"]["pest_check"]
    assert stored["snoozed_until"] == later.isoformat()
    assert _by_uid(await _items(hass, entity_id))[BASIL_PEST]["due"] == (
        later.isoformat()
    )

    # The same due date again changes nothing.
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": BASIL_PEST, "due_date": later.isoformat()},
        target={"entity_id": entity_id},
        blocking=True,
    )
    assert stored["snoozed_until"] == later.isoformat()

    refused: list[dict[str, Any]] = [
        {"item": BASIL_PEST, "due_date": None},  # no due date
        {"item": BASIL_PEST, "rename": "Spray the basil"},
        {"item": BASIL_PEST, "description": "Look under the leaves"},
    ]
    for data in refused:
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                "todo",
                "update_item",
                data,
                target={"entity_id": entity_id},
                blocking=True,
            )
        assert err.value.translation_domain == DOMAIN
        assert err.value.translation_key == "care_task_not_editable"
        assert err.value.translation_placeholders == {
            "item": "Check Basil tray for pests"
        }
    assert stored["snoozed_until"] == later.isoformat()

    # A task of the plant that is not on the list (repotting is months away) can
    # be completed but not moved.
    entity = _entity(hass, entity_id)
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_update_todo_item(
            TodoItem(uid=BASIL_REPOT, due=date(2027, 6, 1))
        )
    assert err.value.translation_key == "care_task_not_editable"
    assert err.value.translation_placeholders == {"item": BASIL_REPOT}
    await entity.async_update_todo_item(
        TodoItem(uid=BASIL_REPOT, status=TodoItemStatus.COMPLETED)
    )
    assert _farm(loaded_farm).store.state(PLANT_ID)["care"]["repot"]["last_done"] == (
        DAY.isoformat()
    )


async def _move(hass: HomeAssistant, entity_id: str, item: str, due: date) -> None:
    """Move an item's due date, as the UI does."""
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": item, "due_date": due.isoformat()},
        target={"entity_id": entity_id},
        blocking=True,
    )
    await hass.async_block_till_done()


async def test_moving_a_care_task_earlier_undoes_a_snooze_or_brings_it_forward(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Earlier shortens or undoes a snooze, then brings the task forward to today.

    The calendar and the care_due event follow the moved date, which survives
    a restart; a day before today is refused and changes nothing.
    """
    entity_id = _entity_id(hass, loaded_farm)
    calendar_id = er.async_get(hass).async_get_entity_id(
        "calendar", DOMAIN, f"{loaded_farm.entry_id}_calendar"
    )
    assert calendar_id is not None
    told: list[dict[str, Any]] = []
    hass.bus.async_listen(
        "vertical_farm_care_due", callback(lambda event: told.append(event.data))
    )

    async def due_of(uid: str) -> str:
        return str(_by_uid(await _items(hass, entity_id))[uid]["due"])

    def stored() -> dict[str, Any]:
        care: dict[str, Any] = _farm(loaded_farm).store.state(PLANT_ID)["care"]
        return dict(care["pest_check"])

    scheduled = BASIL_PLANTED + timedelta(days=7)  # 2026-11-08
    await _move(hass, entity_id, BASIL_PEST, scheduled + timedelta(days=2))
    await _move(hass, entity_id, BASIL_PEST, scheduled + timedelta(days=1))
    assert await due_of(BASIL_PEST) == "2026-11-09", "a shorter snooze"
    assert stored()["snoozed_until"] == "2026-11-09"

    await _move(hass, entity_id, BASIL_PEST, scheduled)
    assert await due_of(BASIL_PEST) == "2026-11-08", "the snooze undone"
    assert not stored().get("snoozed_until")
    assert not stored().get("follow_up")

    forward = DAY + timedelta(days=2)  # 2026-11-05
    await _move(hass, entity_id, BASIL_PEST, forward)
    assert await due_of(BASIL_PEST) == "2026-11-05", "brought forward"
    events = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "start_date_time": NOW.isoformat(),
            "end_date_time": (NOW + timedelta(days=7)).isoformat(),
        },
        target={"entity_id": calendar_id},
        blocking=True,
        return_response=True,
    )
    assert events is not None
    pest = [
        event["start"]
        for event in events[calendar_id]["events"]  # type: ignore[index]
        if event["summary"] == "Check Basil tray for pests"
    ]
    assert pest == ["2026-11-05"]

    # Before today: refused, with the day it was given; nothing moves.
    with pytest.raises(ServiceValidationError) as err:
        await _move(hass, entity_id, BASIL_PEST, DAY - timedelta(days=1))
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "care_task_due_in_past"
    assert err.value.translation_placeholders == {
        "item": "Check Basil tray for pests",
        "due": "2026-11-02",
    }
    assert await due_of(BASIL_PEST) == "2026-11-05"

    # Kept across a restart, and told on its day.
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert await due_of(BASIL_PEST) == "2026-11-05"
    told.clear()
    freezer.move_to(datetime(2026, 11, 5, 0, 0, 1, tzinfo=ZONE))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert [(each["task_id"], each["due"]) for each in told] == [
        (BASIL_PEST, "2026-11-05")
    ]


async def test_a_watering_moved_to_today_shows_and_is_told_at_once(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The pot's overdue watering snoozed, then moved back to today."""
    entity_id = _entity_id(hass, loaded_farm)
    next_watering = er.async_get(hass).async_get_entity_id(
        "sensor", DOMAIN, f"{POT_ID}_next_watering"
    )
    assert next_watering is not None
    told: list[dict[str, Any]] = []
    hass.bus.async_listen(
        "vertical_farm_care_due", callback(lambda event: told.append(event.data))
    )

    await _move(hass, entity_id, POT_WATER, DAY + timedelta(days=3))
    assert _state(hass, next_watering) == "2026-11-06"
    await _move(hass, entity_id, POT_WATER, DAY)
    assert _state(hass, next_watering) == DAY.isoformat()
    assert _by_uid(await _items(hass, entity_id))[POT_WATER]["due"] == DAY.isoformat()
    assert [(each["task_id"], each["due"]) for each in told] == [
        (POT_WATER, DAY.isoformat())
    ]


async def test_a_planned_watering_can_be_brought_forward(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A pot watered on Fridays by its plan: moved to Wednesday, then back."""
    entity_id = _entity_id(hass, loaded_farm)
    pot = loaded_farm.subentries[POT_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm,
        pot,
        data={**pot.data, "watering_mode": "weekdays", "watering_weekdays": [4]},
    )
    await hass.async_block_till_done()
    friday = date(2026, 11, 6)
    assert _by_uid(await _items(hass, entity_id))[POT_WATER]["due"] == (
        friday.isoformat()
    )

    await _move(hass, entity_id, POT_WATER, DAY + timedelta(days=1))
    assert _by_uid(await _items(hass, entity_id))[POT_WATER]["due"] == "2026-11-04"
    await _move(hass, entity_id, POT_WATER, friday + timedelta(days=1))
    assert _by_uid(await _items(hass, entity_id))[POT_WATER]["due"] == "2026-11-07"
    await _move(hass, entity_id, POT_WATER, friday)
    assert _by_uid(await _items(hass, entity_id))[POT_WATER]["due"] == (
        friday.isoformat()
    )


async def test_own_items(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    hass_storage: dict[str, Any],
    loaded_farm: MockConfigEntry,
) -> None:
    """The grower's own items: add, complete, reopen, edit, remove, kept on disk."""
    entity_id = _entity_id(hass, loaded_farm)
    target = {"entity_id": entity_id}
    care_tasks = len(await _items(hass, entity_id))

    await hass.services.async_call(
        "todo",
        "add_item",
        {
            "item": "Order rockwool cubes",
            "due_date": "2026-11-12",
            "description": "Two trays' worth",
        },
        target=target,
        blocking=True,
    )
    await hass.services.async_call(
        "todo", "add_item", {"item": "Clean the fan"}, target=target, blocking=True
    )
    items = await _items(hass, entity_id)
    own = items[care_tasks:]  # after the care tasks
    assert [item["summary"] for item in own] == [
        "Order rockwool cubes",
        "Clean the fan",
    ]
    rockwool, fan = own
    assert rockwool["due"] == "2026-11-12"
    assert rockwool["description"] == "Two trays' worth"
    assert rockwool["status"] == "needs_action"
    assert "due" not in fan
    assert rockwool["uid"] != fan["uid"]
    assert _state(hass, entity_id) == str(care_tasks + 2)
    key = f"{DOMAIN}.{loaded_farm.entry_id}"
    on_disk = hass_storage[key]["data"]["state"][loaded_farm.entry_id]["todo"]
    assert [item["summary"] for item in on_disk] == [
        "Order rockwool cubes",
        "Clean the fan",
    ]

    # Complete it; renaming it afterwards keeps the time it was completed.
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": rockwool["uid"], "status": "completed"},
        target=target,
        blocking=True,
    )
    freezer.tick(timedelta(minutes=5))
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": rockwool["uid"], "rename": "Order rockwool", "due_date": None},
        target=target,
        blocking=True,
    )
    done = _by_uid(await _items(hass, entity_id))[rockwool["uid"]]
    assert done["status"] == "completed"
    assert done["summary"] == "Order rockwool"
    assert "due" not in done
    assert datetime.fromisoformat(done["completed"]) == NOW
    assert _state(hass, entity_id) == str(care_tasks + 1)

    # Reopen it: no longer completed.
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": rockwool["uid"], "status": "needs_action"},
        target=target,
        blocking=True,
    )
    reopened = _by_uid(await _items(hass, entity_id))[rockwool["uid"]]
    assert reopened["status"] == "needs_action"
    assert "completed" not in reopened

    # Both survive a reload (a restart); then one is removed.
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    after = _by_uid(await _items(hass, entity_id))
    assert after[rockwool["uid"]]["summary"] == "Order rockwool"
    assert after[fan["uid"]]["summary"] == "Clean the fan"
    await hass.services.async_call(
        "todo", "remove_item", {"item": [fan["uid"]]}, target=target, blocking=True
    )
    assert fan["uid"] not in _by_uid(await _items(hass, entity_id))
    on_disk = hass_storage[key]["data"]["state"][loaded_farm.entry_id]["todo"]
    assert [item["uid"] for item in on_disk] == [rockwool["uid"]]


async def test_care_tasks_cannot_be_removed(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Removing a care task is refused, and nothing else in the call is removed."""
    entity_id = _entity_id(hass, loaded_farm)
    target = {"entity_id": entity_id}
    await hass.services.async_call(
        "todo", "add_item", {"item": "Clean the fan"}, target=target, blocking=True
    )
    fan = (await _items(hass, entity_id))[-1]["uid"]

    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "todo",
            "remove_item",
            {"item": [fan, BASIL_PEST]},
            target=target,
            blocking=True,
        )
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "care_task_not_deletable"
    assert err.value.translation_placeholders == {"item": "Check Basil tray for pests"}
    assert {BASIL_PEST, fan} <= _by_uid(await _items(hass, entity_id)).keys()


async def test_unknown_items_are_refused(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A uid that names neither a care task nor an own item (e.g. just removed)."""
    entity = _entity(hass, _entity_id(hass, loaded_farm))
    gone = "01GONE0000000000000000000A"
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_update_todo_item(TodoItem(uid=gone, summary="Gone"))
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "unknown_todo_item"
    assert err.value.translation_placeholders == {"item": gone}
    # A plant id with a kind of task that does not exist is no care task either.
    with pytest.raises(ServiceValidationError) as err:
        await entity.async_delete_todo_items([f"{PLANT_ID}_prune"])
    assert err.value.translation_key == "unknown_todo_item"


async def test_due_times_are_kept_as_dates(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An own item given a due time keeps its date (the list has due dates only)."""
    entity_id = _entity_id(hass, loaded_farm)
    await _entity(hass, entity_id).async_create_todo_item(
        TodoItem(
            summary="Check seed stock", due=datetime(2026, 11, 14, 18, 30, tzinfo=ZONE)
        )
    )
    item = (await _items(hass, entity_id))[-1]
    assert item["due"] == "2026-11-14"
    assert item["status"] == "needs_action"


async def test_list_follows_the_farm(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, loaded_farm: MockConfigEntry
) -> None:
    """Snoozes made elsewhere show at once; the week rolls on at midnight."""
    entity_id = _entity_id(hass, loaded_farm)
    farm = _farm(loaded_farm)
    assert _state(hass, entity_id) == "4"

    # Snoozed past the week (2026-11-03 + 7 = 2026-11-10): off the list.
    until = DAY + timedelta(days=9)  # 2026-11-12
    await farm.care.async_snooze(PLANT_ID, CareKind.PEST_CHECK, until)
    await hass.async_block_till_done()
    assert BASIL_PEST not in _by_uid(await _items(hass, entity_id))
    assert _state(hass, entity_id) == "3"

    # Two days on, the week reaches 2026-11-05 + 7 = 2026-11-12: back on the list.
    freezer.move_to(datetime(2026, 11, 5, 0, 0, 1, tzinfo=ZONE))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _by_uid(await _items(hass, entity_id))[BASIL_PEST]["due"] == (
        until.isoformat()
    )
    assert _state(hass, entity_id) == "4"

    # Taken off its shelf (still on the rack): the description follows the edit.
    basil = loaded_farm.subentries[PLANT_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm, basil, data={**basil.data, "shelf": None}
    )
    await hass.async_block_till_done()
    item = _by_uid(await _items(hass, entity_id))[BASIL_PEST]
    assert item["description"] == "Rack one"


async def test_empty_farm(hass: HomeAssistant) -> None:
    """A farm without plants has an empty care list."""
    entry = MockConfigEntry(
        domain=DOMAIN, title="Attic", unique_id="attic", data=FARM_DATA
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    entity_id = _entity_id(hass, entry)
    assert await _items(hass, entity_id) == []
    assert _state(hass, entity_id) == "0"


async def test_same_day_tasks_are_listed_by_plant_name_then_kind(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> None:
    """Two pots planted the same day: their tasks by due day, plant name, kind."""
    zebra_id, aster_id = "01PLANTAAAA000000000000000", "01PLANTZZZZ000000000000000"
    pots = {zebra_id: "Zebra pot", aster_id: "Aster pot"}
    entry = farm_with(
        hass,
        "Porch",
        [
            subentry(plant_id, "plant", {**MONSTERA_DATA, "name": name})
            for plant_id, name in pots.items()
        ],
    )
    seed_phases(
        hass_storage,
        entry.entry_id,
        dict.fromkeys(pots, (MONSTERA_DATA["phase"], MONSTERA_DATA["planted"])),
    )
    await set_up(hass, entry)
    items = await _items(hass, _entity_id(hass, entry))
    assert [item["uid"] for item in items] == [
        f"{aster_id}_water",
        f"{zebra_id}_water",
        f"{aster_id}_fertilize",
        f"{aster_id}_pest_check",
        f"{zebra_id}_fertilize",
        f"{zebra_id}_pest_check",
    ]


async def test_subscribers_share_the_listed_care_tasks(
    hass: HomeAssistant,
    hass_ws_client: WebSocketGenerator,
    loaded_farm: MockConfigEntry,
) -> None:
    """Listed care tasks never change in place, so a copy of one is itself.

    Home Assistant copies every listed item for the list's subscribers on each
    write; a farm lists thousands of care tasks, and each is made anew when it
    changes, so the copies cost nothing and subscribers still see every change.
    """
    entity_id = _entity_id(hass, loaded_farm)
    client = await hass_ws_client(hass)
    await client.send_json_auto_id(
        {"type": "todo/item/subscribe", "entity_id": entity_id}
    )
    assert (await client.receive_json())["success"]
    first = (await client.receive_json())["event"]["items"]
    assert [item["uid"] for item in first] == [
        POT_WATER,
        POT_FEED,
        POT_PEST,
        BASIL_PEST,
    ]

    listed = {item.uid: item for item in _entity(hass, entity_id).todo_items or []}
    water = listed[POT_WATER]
    assert copy.copy(water) is water
    with pytest.raises(dataclasses.FrozenInstanceError):
        water.status = TodoItemStatus.COMPLETED
    assert water.status is TodoItemStatus.NEEDS_ACTION

    await _complete(hass, entity_id, POT_WATER)
    pushed = _by_uid((await client.receive_json())["event"]["items"])
    assert pushed[POT_WATER]["due"] == (DAY + timedelta(days=7)).isoformat()
    assert pushed[POT_WATER]["status"] == "needs_action"
    assert water.due == POT_PLANTED + timedelta(days=7), "the old item is unchanged"
    others = {uid: item for uid, item in _by_uid(first).items() if uid != POT_WATER}
    assert {uid: pushed[uid] for uid in others} == others
