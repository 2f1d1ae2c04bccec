"""The example blueprints, imported and run as a grower would use them.

The blueprints are loaded from `blueprints/` by Home Assistant's blueprint
machinery and run against a real farm and a real mobile_app registration;
only the push service on the internet is replaced, by aiohttp's test mock.
"""

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from pathlib import Path
import shutil
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.mobile_app.const import DATA_DEVICES
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr
from homeassistant.setup import async_setup_component
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    MockUser,
    async_capture_events,
    async_fire_time_changed,
)
from pytest_homeassistant_custom_component.test_util.aiohttp import (
    AiohttpClientMocker,
)

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.care import CareKind
from custom_components.vertical_farm.mobile_actions import async_setup_mobile_actions

from .conftest import (
    BASIL_DATA,
    FARM_DATA,
    PLANT_ID,
    POT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    TODAY,
    subentry,
)

BLUEPRINTS = Path(__file__).parents[2] / "blueprints"
PUSH_URL = "https://mobile-push.example.invalid/push"
WEBHOOK_ID = "phone-webhook-id"
NOW = datetime.fromisoformat(TODAY)  # 2026-11-03 10:00 US/Pacific


@pytest.fixture
async def phone(
    hass: HomeAssistant, aioclient_mock: AiohttpClientMocker, hass_admin_user: MockUser
) -> str:
    """A phone registered with the mobile_app integration; its device id."""
    aioclient_mock.post(
        PUSH_URL,
        json={
            "rateLimits": {
                "attempts": 1,
                "successful": 1,
                "errors": 0,
                "total": 1,
                "maximum": 150,
                "remaining": 149,
                "resetsAt": (NOW + timedelta(days=1)).isoformat(),
            }
        },
    )
    entry = MockConfigEntry(
        domain="mobile_app",
        title="Grower's phone",
        source="registration",
        version=1,
        data={
            "app_data": {"push_token": "PUSH_TOKEN", "push_url": PUSH_URL},
            "app_id": "io.homeassistant.companion.android",
            "app_name": "Home Assistant",
            "app_version": "2026.10",
            "device_id": "phone-1",
            "device_name": "Grower phone",
            "manufacturer": "Fairphone",
            "model": "FP5",
            "os_name": "Android",
            "os_version": "15",
            "secret": "phone-secret",
            "supports_encryption": False,
            "user_id": hass_admin_user.id,
            "webhook_id": WEBHOOK_ID,
        },
    )
    entry.add_to_hass(hass)
    assert await async_setup_component(hass, "mobile_app", {})
    await hass.async_block_till_done(wait_background_tasks=True)
    device_id: str = hass.data["mobile_app"][DATA_DEVICES][WEBHOOK_ID].id
    return device_id


@pytest.fixture(autouse=True)
def blueprint_dir(hass: HomeAssistant, tmp_path: Path) -> Path:
    """A config directory holding the repository's blueprints, as after an import."""
    shutil.copytree(BLUEPRINTS, tmp_path / "blueprints")
    hass.config.config_dir = str(tmp_path)
    return tmp_path


async def _use_blueprint(
    hass: HomeAssistant, path: str, inputs: Mapping[str, Any]
) -> None:
    assert await async_setup_component(
        hass,
        "automation",
        {
            "automation": [
                {
                    "alias": path,
                    "use_blueprint": {
                        "path": f"vertical_farm/{path}",
                        "input": dict(inputs),
                    },
                }
            ]
        },
    )
    await hass.async_block_till_done(wait_background_tasks=True)


def _pushes(aioclient_mock: AiohttpClientMocker) -> list[dict[str, Any]]:
    """The notifications sent to the push service, oldest first."""
    return [call[2] for call in aioclient_mock.mock_calls if str(call[1]) == PUSH_URL]


async def test_care_reminder_done_from_the_phone(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A task falls due at midnight; the phone is told; Done confirms it."""
    async_setup_mobile_actions(hass)
    await _use_blueprint(hass, "care_task_notification.yaml", {"notify_device": phone})
    farm = loaded_farm.runtime_data.farm
    # The basil's first pest check: planted 2026-11-01 + 7 days (herb preset).
    due = date(2026, 11, 1) + timedelta(days=7)
    midnight = datetime.combine(due, datetime.min.time(), NOW.tzinfo)
    freezer.move_to(midnight)
    async_fire_time_changed(hass, midnight)
    await hass.async_block_till_done(wait_background_tasks=True)

    (push,) = _pushes(aioclient_mock)
    task_id = f"{PLANT_ID}_pest_check"
    assert push["title"] == "Check Basil tray for pests"
    assert push["message"] == "Due today."
    assert push["data"]["tag"] == f"vertical_farm_{task_id}"
    assert [action["action"] for action in push["data"]["actions"]] == [
        f"VERTICAL_FARM_DONE_{task_id}",
        f"VERTICAL_FARM_SNOOZE_{task_id}",
    ]
    assert [action["title"] for action in push["data"]["actions"]] == [
        "Done",
        "Tomorrow",
    ]

    # The grower taps Done: the app fires the action event back.
    hass.bus.async_fire(
        "mobile_app_notification_action",
        {"action": f"VERTICAL_FARM_DONE_{task_id}", "webhook_id": WEBHOOK_ID},
    )
    await hass.async_block_till_done(wait_background_tasks=True)
    stored = farm.store.state(PLANT_ID)["care"]["pest_check"]
    assert stored["last_done"] == due.isoformat()
    (task,) = (
        t for t in farm.views.plant(PLANT_ID).care if t.kind is CareKind.PEST_CHECK
    )
    assert task.due == due + timedelta(days=7)  # the next check, a week on


async def test_care_reminder_filters_kinds_and_snoozes(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Only the chosen kinds are sent; Tomorrow moves the task a day on."""
    async_setup_mobile_actions(hass)
    await _use_blueprint(
        hass,
        "care_task_notification.yaml",
        {"notify_device": phone, "care_kinds": ["water"], "snooze_label": "Later"},
    )
    for kind, due in (("fertilize", "2026-06-29"), ("water", "2026-06-22")):
        hass.bus.async_fire(
            "vertical_farm_care_due",
            {
                "task_id": f"{POT_ID}_{kind}",
                "plant_id": POT_ID,
                "kind": kind,
                "due": due,
            },
        )
    await hass.async_block_till_done(wait_background_tasks=True)
    (push,) = _pushes(aioclient_mock)
    assert push["title"] == "Water Monstera"
    assert push["message"] == "Overdue since 2026-06-22."
    snooze = push["data"]["actions"][1]
    assert snooze == {
        "action": f"VERTICAL_FARM_SNOOZE_{POT_ID}_water",
        "title": "Later",
    }

    hass.bus.async_fire("mobile_app_notification_action", {"action": snooze["action"]})
    await hass.async_block_till_done(wait_background_tasks=True)
    farm = loaded_farm.runtime_data.farm
    tomorrow = NOW.date() + timedelta(days=1)
    assert (
        farm.store.state(POT_ID)["care"]["water"]["snoozed_until"]
        == tomorrow.isoformat()
    )
    (water,) = (t for t in farm.views.plant(POT_ID).care if t.kind is CareKind.WATER)
    assert water.due == tomorrow


TANK_SENSORS = {
    # EC 1.35 mS/cm at 20 C reads as 1.35 / (1 + 0.02 x (20 - 25)) = 1.5 at 25 C.
    "sensor.tank_a_ec": ("1.0", "mS/cm"),
    "sensor.tank_a_ph": ("6.0", None),
    "sensor.tank_a_water_temperature": ("20.0", "°C"),
    "sensor.tank_a_level": ("40", "L"),
}


def _set(hass: HomeAssistant, entity_id: str, value: str, unit: str | None) -> None:
    attributes = {} if unit is None else {"unit_of_measurement": unit}
    hass.states.async_set(entity_id, value, attributes)


async def _load_tank_farm(
    hass: HomeAssistant, fertilizers: list[dict[str, Any]]
) -> MockConfigEntry:
    """The test farm, its tank on a recipe, loaded with its probes reading normal."""
    for entity_id, (value, unit) in TANK_SENSORS.items():
        _set(hass, entity_id, value, unit)
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Basement",
        unique_id="basement",
        data=FARM_DATA,
        subentries_data=[
            subentry(TANK_ID, "tank", {**TANK_DATA, "fertilizers": fertilizers}),
            subentry(RACK_ID, "rack", RACK_DATA),
            subentry(PLANT_ID, "plant", BASIL_DATA),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)
    return entry


@pytest.fixture
async def tank_farm(hass: HomeAssistant) -> MockConfigEntry:
    """The farm with a tank without a recipe."""
    return await _load_tank_farm(hass, [])


async def test_tank_alert_reading_and_target(
    hass: HomeAssistant,
    tank_farm: MockConfigEntry,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """EC 50 % over target: the phone hears which tank, the reading and the target."""
    await _use_blueprint(
        hass,
        "tank_alert_notification.yaml",
        {"notify_device": phone, "suggest_dose": False},
    )
    assert _pushes(aioclient_mock) == []  # normal readings: no alert
    _set(hass, "sensor.tank_a_ec", "1.35", "mS/cm")
    await hass.async_block_till_done(wait_background_tasks=True)
    (push,) = _pushes(aioclient_mock)
    assert push["title"] == "Tank A: EC too high"
    # 1.5 at 25 C against the basil seedlings' target of 1.0 mS/cm.
    assert push["message"] == "Now 1.5 mS/cm, target 1.0 mS/cm."
    assert (
        push["data"]["tag"] == "vertical_farm_tank_01TANKA000000000000000000A_ec_high"
    )


async def test_tank_alert_in_us_units(
    hass: HomeAssistant,
    tank_farm: MockConfigEntry,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """A US grower reads a warm tank in °F; the event says the unit of each figure."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    events = async_capture_events(hass, f"{DOMAIN}_tank_alert")
    await _use_blueprint(
        hass,
        "tank_alert_notification.yaml",
        {"notify_device": phone, "suggest_dose": False},
    )
    _set(hass, "sensor.tank_a_water_temperature", "76.1", "°F")
    await hass.async_block_till_done(wait_background_tasks=True)
    (push,) = _pushes(aioclient_mock)
    assert push["title"] == "Tank A: Water temperature out of range"
    assert push["message"] == "Now 76.1 °F."
    (alert,) = [event.data for event in events if event.data["kind"] == "temperature"]
    assert alert["value"] == 24.5  # the farm's unit, as documented
    assert alert["unit"] == "°C"
    assert alert["user_value"] == 76.1
    assert alert["user_target"] is None
    assert alert["user_unit"] == "°F"
    # 2 gal (7.6 L) of the tank's 60 L: level low.
    _set(hass, "sensor.tank_a_level", "2", "gal")
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _pushes(aioclient_mock)[-1]["message"] == "Now 2.0 gal."
    (alert,) = [event.data for event in events if event.data["kind"] == "level_low"]
    assert alert["value"] == 7.6
    assert alert["unit"] == "L"
    assert alert["user_value"] == 2.0
    assert alert["user_unit"] == "gal"


async def test_tank_alert_kinds_filter(
    hass: HomeAssistant,
    tank_farm: MockConfigEntry,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """Only the alerts chosen are sent; a pH alert reads without a unit."""
    await _use_blueprint(
        hass,
        "tank_alert_notification.yaml",
        {"notify_device": phone, "alert_kinds": ["ph_high"]},
    )
    _set(hass, "sensor.tank_a_ec", "1.35", "mS/cm")  # ec_high: not chosen
    _set(hass, "sensor.tank_a_ph", "7.2", None)  # above the 5.5-6.5 range
    await hass.async_block_till_done(wait_background_tasks=True)
    (push,) = _pushes(aioclient_mock)
    assert push["title"] == "Tank A: pH too high"
    assert push["message"] == "Now 7.2, target 6.0."


async def test_tank_alert_when_no_dose_can_be_worked_out(
    hass: HomeAssistant,
    tank_farm: MockConfigEntry,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """A tank without a recipe gets no dose suggestion, but the alert still goes out."""
    await _use_blueprint(hass, "tank_alert_notification.yaml", {"notify_device": phone})
    _set(hass, "sensor.tank_a_ec", "1.35", "mS/cm")
    await hass.async_block_till_done(wait_background_tasks=True)
    (push,) = _pushes(aioclient_mock)
    assert push["message"] == "Now 1.5 mS/cm, target 1.0 mS/cm."


async def test_tank_alert_with_dose_suggestion(
    hass: HomeAssistant,
    phone: str,
    aioclient_mock: AiohttpClientMocker,
) -> None:
    """An EC alert carries the fresh mix the mix_nutrients action works out."""
    entry = await _load_tank_farm(
        hass,
        [
            {"fertilizer": "hydro_grow_a", "ml_per_l": 2.0},
            {"fertilizer": "hydro_grow_b", "ml_per_l": 2.0},
        ],
    )
    await _use_blueprint(hass, "tank_alert_notification.yaml", {"notify_device": phone})
    _set(hass, "sensor.tank_a_ec", "0.5", "mS/cm")  # 0.5 / 0.9 = 0.56 at 25 C: low
    await hass.async_block_till_done(wait_background_tasks=True)
    (push,) = _pushes(aioclient_mock)
    assert push["title"] == "Tank A: EC too low"
    device = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, TANK_ID), entry.entry_id
    )
    assert device is not None
    mix = await hass.services.async_call(
        DOMAIN,
        "mix_nutrients",
        {"tank": device.id, "target_ec": 1.0},
        blocking=True,
        return_response=True,
    )
    assert mix is not None
    steps: list[dict[str, Any]] = mix["steps"]
    assert [step["fertilizer"] for step in steps] == ["hydro_grow_a", "hydro_grow_b"]
    amounts = ", ".join(
        f"{step['fertilizer']} {round(step['ml_total'], 1)} ml" for step in steps
    )
    assert push["message"] == (
        f"Now 0.56 mS/cm, target 1.0 mS/cm. Fresh mix: {amounts}."
    )
