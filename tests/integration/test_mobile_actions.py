"""Care tasks done or snoozed from a mobile notification's buttons."""

from datetime import date, datetime, timedelta

from homeassistant.core import HomeAssistant
from homeassistant.helpers import entity_registry as er
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.care import CareKind
from custom_components.vertical_farm.mobile_actions import (
    EVENT_NOTIFICATION_ACTION,
    async_handle_notification_action,
    async_setup_mobile_actions,
)

from .conftest import PLANT_ID, POT_ID, TODAY, farm_with, set_up, subentry

DAY = datetime.fromisoformat(TODAY).date()  # 2026-11-03


@pytest.fixture(autouse=True)
def mobile_actions(hass: HomeAssistant) -> None:
    """The notification action listener, as the integration's setup starts it."""
    async_setup_mobile_actions(hass)


async def _tap(hass: HomeAssistant, action: str) -> None:
    hass.bus.async_fire(EVENT_NOTIFICATION_ACTION, {"action": action})
    await hass.async_block_till_done()


def _due(entry: MockConfigEntry, plant_id: str, kind: CareKind) -> date:
    view = entry.runtime_data.farm.views.plant(plant_id)
    (task,) = (task for task in view.care if task.kind is kind)
    return task.due


async def test_done_confirms_the_task(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Done confirms the task today: the next one is an interval from today."""
    assert _due(loaded_farm, POT_ID, CareKind.FERTILIZE) == date(2026, 6, 29)
    await _tap(hass, f"VERTICAL_FARM_DONE_{POT_ID}_fertilize")
    stored = loaded_farm.runtime_data.farm.store.state(POT_ID)["care"]["fertilize"]
    assert stored["last_done"] == DAY.isoformat()
    # The tropical preset feeds every 14 days (November is not winter yet).
    assert _due(loaded_farm, POT_ID, CareKind.FERTILIZE) == DAY + timedelta(days=14)


async def test_done_on_a_watering_records_one(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Done on "water the monstera" is a watering, as saying so or the button is."""
    activity = er.async_get(hass).async_get_entity_id(
        "event", DOMAIN, f"{POT_ID}_activity"
    )
    assert activity is not None
    await _tap(hass, f"VERTICAL_FARM_DONE_{POT_ID}_water")
    farm = loaded_farm.runtime_data.farm
    (record,) = farm.store.records(POT_ID, ["watered"])
    assert datetime.fromisoformat(record["at"]) == datetime.fromisoformat(TODAY)
    state = hass.states.get(activity)
    assert state is not None
    assert state.attributes["event_type"] == "watered"
    assert _due(loaded_farm, POT_ID, CareKind.WATER) == DAY + timedelta(days=7)


async def test_snooze_puts_the_task_off_a_day(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Snooze moves an overdue task to tomorrow without confirming it."""
    assert _due(loaded_farm, POT_ID, CareKind.WATER) == date(2026, 6, 22)
    await _tap(hass, f"VERTICAL_FARM_SNOOZE_{POT_ID}_water")
    stored = loaded_farm.runtime_data.farm.store.state(POT_ID)["care"]["water"]
    assert stored["snoozed_until"] == (DAY + timedelta(days=1)).isoformat()
    assert "last_done" not in stored
    assert _due(loaded_farm, POT_ID, CareKind.WATER) == DAY + timedelta(days=1)


async def test_the_task_is_found_in_the_farm_that_owns_it(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """With two farms loaded, the action lands in the farm with that plant."""
    attic_plant = "01PLANTATTICMINT0000000000"
    attic = farm_with(
        hass,
        "Attic",
        [
            subentry(
                attic_plant,
                "plant",
                {
                    "name": "Mint pot",
                    "species": "mint",
                    "quantity": 1,
                    "planted": "2026-10-01",
                    "phase": "vegetative",
                    "care_preset": "herb",
                    "container_l": 3.0,
                },
            )
        ],
    )
    await set_up(hass, attic)
    await _tap(hass, f"VERTICAL_FARM_DONE_{attic_plant}_water")
    stored = attic.runtime_data.farm.store.state(attic_plant)["care"]["water"]
    assert stored["last_done"] == DAY.isoformat()
    assert "care" not in loaded_farm.runtime_data.farm.store.state(PLANT_ID)


async def test_unknown_task_is_logged_and_ignored(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A task of a removed plant (or a made-up one) changes nothing and raises nothing."""
    before = loaded_farm.runtime_data.farm.store.state(POT_ID).get("care")
    await _tap(hass, "VERTICAL_FARM_DONE_01PLANTGONE000000000000000_water")
    await _tap(hass, f"VERTICAL_FARM_SNOOZE_{POT_ID}_dance")
    assert "unknown care task 01PLANTGONE000000000000000_water" in caplog.text
    assert f"unknown care task {POT_ID}_dance" in caplog.text
    assert loaded_farm.runtime_data.farm.store.state(POT_ID).get("care") == before


async def test_other_actions_are_not_ours(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Other apps' actions and malformed events pass through untouched."""
    assert not await async_handle_notification_action(hass, "ALARM_SNOOZE")
    assert await async_handle_notification_action(
        hass, f"VERTICAL_FARM_DONE_{POT_ID}_water"
    )
    hass.bus.async_fire(EVENT_NOTIFICATION_ACTION, {"action": None})
    hass.bus.async_fire(EVENT_NOTIFICATION_ACTION, {})
    await hass.async_block_till_done()
    stored = loaded_farm.runtime_data.farm.store.state(POT_ID)["care"]
    assert list(stored) == ["water"]


async def test_no_farm_loaded(
    hass: HomeAssistant, caplog: pytest.LogCaptureFixture
) -> None:
    """Without a loaded farm every task is unknown."""
    await _tap(hass, f"VERTICAL_FARM_DONE_{POT_ID}_water")
    assert f"unknown care task {POT_ID}_water" in caplog.text


async def test_set_up_once(hass: HomeAssistant, loaded_farm: MockConfigEntry) -> None:
    """A second setup does not add a second listener (one tap, one confirmation)."""
    async_setup_mobile_actions(hass)
    farm = loaded_farm.runtime_data.farm
    await _tap(hass, f"VERTICAL_FARM_DONE_{POT_ID}_water")
    history = farm.store.state(POT_ID)["care"]["water"]["history"]
    assert history == [DAY.isoformat()]


async def test_snooze_moves_a_task_not_yet_due_by_a_day(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A task due later moves one day on from its due date, not to tomorrow.

    The basil (herb preset, sown 1 Nov) is fed every 14 days: due 15 Nov;
    snoozed on 3 Nov it is due 16 Nov.
    """
    assert _due(loaded_farm, PLANT_ID, CareKind.FERTILIZE) == date(2026, 11, 15)
    await _tap(hass, f"VERTICAL_FARM_SNOOZE_{PLANT_ID}_fertilize")
    assert _due(loaded_farm, PLANT_ID, CareKind.FERTILIZE) == date(2026, 11, 16)
    # Done then: the next one is the interval from the day it was done.
    await _tap(hass, f"VERTICAL_FARM_DONE_{PLANT_ID}_fertilize")
    assert _due(loaded_farm, PLANT_ID, CareKind.FERTILIZE) == DAY + timedelta(days=14)
