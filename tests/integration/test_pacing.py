"""A farm's long work in turns: every plant is still set up and refreshed.

Setup, the start-up judgement and the midnight refresh yield to the event
loop once a turn has used the farm's budget (pacing.py). These tests run them
on a farm of many plants, with the budget at its tightest where a test can
set it (every unit of work in its own turn), and check the outcome a grower
sees: every plant's entities exist and move on at midnight, and the care list,
task counts and calendar show every plant afterwards.
"""

import asyncio
from collections import Counter
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm import pacing
from custom_components.vertical_farm.const import DOMAIN, EVENT_CARE_DUE
from custom_components.vertical_farm.engine.care import CareKind
from custom_components.vertical_farm.entity import ENTITIES_PER_UNIT

from ..turns import TurnCounter
from .conftest import (
    BASIL_DATA,
    FARM_DATA,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    subentry,
)

PLANTS = 40
PLANT_IDS = [f"01PLANTPACED{index:014d}" for index in range(PLANTS)]


def _entity_id(hass: HomeAssistant, subject_id: str, key: str, platform: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{subject_id}_{key}"
    )
    assert entity_id is not None, f"{platform} {key} of {subject_id}"
    return entity_id


def _value(hass: HomeAssistant, subject_id: str, key: str, platform: str) -> str:
    state = hass.states.get(_entity_id(hass, subject_id, key, platform))
    assert state is not None
    return state.state


async def _setup(
    hass: HomeAssistant, planted: str = BASIL_DATA["planted"]
) -> MockConfigEntry:
    """A rack of basil trays, each declared a seedling today."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Basement",
        unique_id="basement",
        data=FARM_DATA,
        subentries_data=[
            subentry(TANK_ID, "tank", TANK_DATA),
            subentry(RACK_ID, "rack", RACK_DATA),
            *(
                subentry(
                    plant_id,
                    "plant",
                    {
                        **BASIL_DATA,
                        "name": f"Basil {index}",
                        "shelf": 1 + index % 4,
                        "planted": planted,
                    },
                )
                for index, plant_id in enumerate(PLANT_IDS)
            ),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


async def _care_list(hass: HomeAssistant, entry: MockConfigEntry) -> list[Any]:
    entity_id = _entity_id(hass, entry.entry_id, "care", "todo")
    response = await hass.services.async_call(
        "todo",
        "get_items",
        target={"entity_id": entity_id},
        blocking=True,
        return_response=True,
    )
    assert response is not None
    items: list[Any] = response[entity_id]["items"]  # type: ignore[index]
    return items


async def test_setup_in_turns_adds_every_plant(hass: HomeAssistant) -> None:
    """Every plant gets all its entities and its care tasks on the list."""
    entry = await _setup(hass)
    registry = er.async_get(hass)
    per_plant = {
        plant_id: {
            item.unique_id
            for item in er.async_entries_for_config_entry(registry, entry.entry_id)
            if item.config_subentry_id == plant_id
        }
        for plant_id in PLANT_IDS
    }
    expected = {key.removeprefix(PLANT_IDS[0]) for key in per_plant[PLANT_IDS[0]]}
    assert len(expected) >= 9
    for plant_id, unique_ids in per_plant.items():
        assert {key.removeprefix(plant_id) for key in unique_ids} == expected
        assert _value(hass, plant_id, "phase", "sensor") == "seedling"
    listed = {item["uid"].split("_", 1)[0] for item in await _care_list(hass, entry)}
    assert listed >= set(PLANT_IDS)


async def test_midnight_refresh_in_turns_reaches_every_plant(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """At midnight every plant moves on a day, in many turns, then the care list."""
    entry = await _setup(hass)
    farm = entry.runtime_data.farm
    farm.pacer.budget_s = 0.0  # every plant in a turn of its own
    due_before = _value(hass, entry.entry_id, "tasks_due", "sensor")
    for plant_id in PLANT_IDS:
        assert _value(hass, plant_id, "days_in_phase", "sensor") == "0"

    midnight = dt_util.start_of_local_day() + timedelta(days=1)
    freezer.move_to(midnight)
    async_fire_time_changed(hass, midnight)
    await asyncio.sleep(0)
    moved = [
        plant_id
        for plant_id in PLANT_IDS
        if _value(hass, plant_id, "days_in_phase", "sensor") == "1"
    ]
    # In turns: the loop ran in between, before the last plant was reached.
    assert len(moved) < PLANTS

    await hass.async_block_till_done(wait_background_tasks=True)
    for plant_id in PLANT_IDS:
        assert _value(hass, plant_id, "days_in_phase", "sensor") == "1"
    items = await _care_list(hass, entry)
    assert {item["uid"].split("_", 1)[0] for item in items} >= set(PLANT_IDS)
    # The task counts follow the list, once every plant was refreshed.
    today = dt_util.now().date().isoformat()
    due_now = sum(
        1
        for item in items
        if item["status"] == "needs_action"
        and item.get("due") is not None
        and item["due"] <= today
        and item["uid"].startswith("01PLANT")
    )
    assert int(_value(hass, entry.entry_id, "tasks_due", "sensor")) == due_now
    assert due_before != "unavailable"


async def test_a_phase_change_leaves_the_farm_wide_entities_to_later_turns(
    hass: HomeAssistant,
) -> None:
    """The plant's entities follow in the action's turn; the rest come after.

    The care list, the calendar and the task counts read every plant: rebuilt
    in the turn of the change, they would hold up the event loop on a large
    farm. They are written in later turns, and still written.
    """
    entry = await _setup(hass)
    registry = er.async_get(hass)
    farm_wide = {
        item.entity_id
        for item in er.async_entries_for_config_entry(registry, entry.entry_id)
        if item.config_subentry_id is None
    }
    plant_id = PLANT_IDS[0]
    phase_sensor = _entity_id(hass, plant_id, "phase", "sensor")
    written: dict[str, int] = {}

    @callback  # run as the event fires: not later, in a worker thread
    def record(event: Any) -> None:
        entity_id = event.data["entity_id"]
        if entity_id == phase_sensor or entity_id in farm_wide:
            written.setdefault(entity_id, counter.turn)

    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, plant_id), entry.entry_id
    )
    assert device is not None
    unsub = hass.bus.async_listen("state_changed", record)
    async with TurnCounter() as counter:
        await hass.services.async_call(
            DOMAIN,
            "set_phase",
            {"plant": device.id, "phase": "vegetative", "force": True},
            blocking=True,
        )
        await hass.async_block_till_done()
    unsub()

    assert _value(hass, plant_id, "phase", "sensor") == "vegetative"
    changed_turn = written.pop(phase_sensor)
    # The calendar now shows the basil's phase change of today.
    assert _entity_id(hass, entry.entry_id, "calendar", "calendar") in written
    assert all(when > changed_turn for when in written.values()), written


async def test_setup_adds_a_few_entities_a_turn(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tank's eleven sensors are not one unit of work: a few at a time.

    With no budget every unit of work takes a turn of its own, so the tank's
    sensors are registered over as many turns as units they make up, and
    every entity is still registered.
    """
    monkeypatch.setattr(pacing, "TURN_BUDGET_S", 0.0)
    created: dict[str, int] = {}

    @callback  # run as the event fires: not later, in a worker thread
    def record(event: Any) -> None:
        if event.data["action"] == "create":
            created[event.data["entity_id"]] = counter.turn

    unsub = hass.bus.async_listen(er.EVENT_ENTITY_REGISTRY_UPDATED, record)
    async with TurnCounter() as counter:
        entry = await _setup(hass)
    unsub()

    entries = er.async_entries_for_config_entry(er.async_get(hass), entry.entry_id)
    assert set(created) == {item.entity_id for item in entries}
    tank_sensors = [
        item.entity_id
        for item in entries
        if item.config_subentry_id == TANK_ID and item.domain == "sensor"
    ]
    units = -(-len(tank_sensors) // ENTITIES_PER_UNIT)
    assert units > 1, "the tank's sensors make more than one unit"
    assert len({created[entity_id] for entity_id in tank_sensors}) >= units


async def test_unload_removes_entities_in_turns(hass: HomeAssistant) -> None:
    """Unloading takes the entities away a few a turn, and takes them all."""
    entry = await _setup(hass)
    farm = entry.runtime_data.farm
    farm.pacer.budget_s = 0.0  # an entity a turn
    ours = {
        item.entity_id
        for item in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
        if hass.states.get(item.entity_id) is not None
    }
    removed: dict[str, int] = {}

    @callback  # run as the event fires: not later, in a worker thread
    def record(event: Any) -> None:
        if event.data["entity_id"] in ours and (
            event.data["new_state"] is None
            or event.data["new_state"].state == "unavailable"
        ):
            removed.setdefault(event.data["entity_id"], counter.turn)

    unsub = hass.bus.async_listen("state_changed", record)
    async with TurnCounter() as counter:
        assert await hass.config_entries.async_unload(entry.entry_id)
        await hass.async_block_till_done()
    unsub()

    assert set(removed) == ours
    # Not all in one turn (as a platform's unload does): about one a turn.
    per_turn = Counter(removed.values())
    assert len(per_turn) >= len(ours) / 2, per_turn.most_common(3)


async def test_tasks_falling_due_are_told_in_turns(
    hass: HomeAssistant, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Many tasks due at start are told a few a turn, each once."""
    monkeypatch.setattr(pacing, "TURN_BUDGET_S", 0.0)
    told: list[tuple[str, int]] = []
    counter = TurnCounter()

    @callback  # run as the event fires: not later, in a worker thread
    def record(event: Any) -> None:
        told.append((event.data["task_id"], counter.turn))

    unsub = hass.bus.async_listen(EVENT_CARE_DUE, record)
    async with counter:
        # Planted in the summer: their pest checks are overdue.
        await _setup(hass, planted="2026-08-01")
    unsub()

    tasks = [task_id for task_id, _ in told]
    assert len(tasks) >= PLANTS  # every tray has something due
    assert len(set(tasks)) == len(tasks)
    # Not all in the turn that found them due: spread over many turns.
    turns = {when for _, when in told}
    assert len(turns) >= len(tasks) / 2, len(turns)


async def test_care_items_are_gathered_in_turns_and_follow_a_change_meanwhile(
    hass: HomeAssistant,
) -> None:
    """Every plant's care tasks are gathered a plant a turn, sorted by due day.

    A task snoozed while they are being gathered, of a plant gathered
    before, shows its new day: a list gathered across a change is not kept.
    """
    entry = await _setup(hass)
    farm = entry.runtime_data.farm
    farm.pacer.budget_s = 0.0  # a plant a turn
    until = dt_util.now().date() + timedelta(days=30)
    early = PLANT_IDS[1]
    # Forgotten by a change of the first plant: gathered again when asked.
    await farm.care.async_snooze(PLANT_IDS[0], CareKind.PEST_CHECK, until)

    async with TurnCounter() as counter:
        gathering = hass.async_create_task(farm.care.async_items())
        for _ in range(PLANTS // 2):
            await asyncio.sleep(0)
        assert not gathering.done()
        await farm.care.async_snooze(early, CareKind.PEST_CHECK, until)
        items = await gathering
    assert counter.turn >= PLANTS

    by_id = {item.task_id: item for item in items}
    assert {item.plant_id for item in items} == set(PLANT_IDS)
    assert by_id[f"{early}_pest_check"].due == until
    assert by_id[f"{PLANT_IDS[0]}_pest_check"].due == until
    assert [item.due for item in items] == sorted(item.due for item in items)
    assert farm.care.items() is items  # kept until the next change
    await hass.async_block_till_done(wait_background_tasks=True)
