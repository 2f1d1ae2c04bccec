"""The rack driver: lights and pumps on their schedules, against real entities.

The light and pumps are template entities over input_boolean helpers (the
helper is the device's real power, the template what Home Assistant drives),
plus a small test-only platform for a valve and a switch whose relay fails.
Time moves with the freezer; expected states are worked out from the rack's
settings by hand.
"""

import asyncio
from collections.abc import Coroutine, Iterator
from datetime import UTC, date, datetime, time, timedelta
import logging
from typing import Any
from zoneinfo import ZoneInfo

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.components.switch import SwitchEntity
from homeassistant.components.valve import ValveEntity, ValveEntityFeature
from homeassistant.config_entries import ConfigEntryState
from homeassistant.const import (
    EVENT_CALL_SERVICE,
    EVENT_HOMEASSISTANT_STARTED,
    EVENT_HOMEASSISTANT_STOP,
    STATE_UNAVAILABLE,
)
from homeassistant.core import CoreState, Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import async_call_later
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
    flush_store,
    setup_test_component_platform,
)

from custom_components.vertical_farm import driver as driver_module
from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.driver import (
    GRACE,
    IRRIGATION_SCHEDULE,
    LIGHT_SCHEDULE,
    PUMP_CHECK_DELAYS,
    pump_stuck_issue_id,
)
from custom_components.vertical_farm.engine.profiles import Phase

from .conftest import farm_of, farm_with, set_up, subentry

ZONE = "Europe/Berlin"
BERLIN = ZoneInfo(ZONE)
DAY = date(2026, 6, 10)  # summer time all day: no clock change to think about
RACK = "01RACKDRIVEN00000000000000"
OTHER_RACK = "01RACKOTHER000000000000000"
TOMATO = "01PLANTTOMATO0000000000000"
LIGHT = "light.rack_light"
PUMP = "switch.rack_pump"
SPARE_PUMP = "switch.spare_pump"
STUCK_PUMP = "switch.stuck_pump"
FLAKY_PUMP = "switch.flaky_pump"
FLAKY_LIGHT = "light.flaky_light"
VALVE = "valve.drip_valve"
VALVE_CLOSING = timedelta(seconds=3)
BROKEN = "switch.broken_relay"

LIGHTS_ON_H = 6
PHOTOPERIOD_H = 12
PUMP_ON_MIN = 15
PUMP_OFF_MIN = 45


def local(hour: int, minute: int = 0, second: int = 0, *, on: date = DAY) -> datetime:
    """An instant on the farm's wall clock."""
    return datetime.combine(on, time(hour, minute, second), BERLIN)


def _powered(name: str, power: str, **extra: Any) -> dict[str, Any]:
    """A template entity whose power is an input_boolean."""
    target = {"entity_id": f"input_boolean.{power}"}
    return {
        "name": name,
        "state": f"{{{{ is_state('input_boolean.{power}', 'on') }}}}",
        "turn_on": {"action": "input_boolean.turn_on", "target": target},
        "turn_off": {"action": "input_boolean.turn_off", "target": target},
        **extra,
    }


def _online(power: str) -> str:
    return f"{{{{ is_state('input_boolean.{power}', 'on') }}}}"


class DripValve(ValveEntity):
    """A motorised valve: it reports closing for a few seconds before closed."""

    _attr_name = "Drip valve"
    _attr_reports_position = False
    _attr_supported_features = ValveEntityFeature.OPEN | ValveEntityFeature.CLOSE
    _attr_is_closed = True
    _attr_is_closing = False
    gate: asyncio.Event | None = None  # when set up, opening waits for it

    async def async_open_valve(self) -> None:
        """Open (once the gate, if any, lets it)."""
        if self.gate is not None:
            await self.gate.wait()
        self._attr_is_closed = False
        self.async_write_ha_state()

    async def async_close_valve(self) -> None:
        """Start closing; closed after VALVE_CLOSING."""
        if self._attr_is_closed:
            return
        self._attr_is_closing = True
        self.async_write_ha_state()
        async_call_later(self.hass, VALVE_CLOSING, self._closed)

    @callback
    def _closed(self, _now: datetime) -> None:
        self._attr_is_closing = False
        self._attr_is_closed = True
        self.async_write_ha_state()


class BrokenRelay(SwitchEntity):
    """A switch whose relay refuses every command."""

    _attr_name = "Broken relay"
    _attr_is_on = False

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Fail."""
        raise HomeAssistantError("relay does not answer")

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Fail."""
        raise HomeAssistantError("relay does not answer")


class FailingRelay(SwitchEntity):
    """A switch that turns on, but whose turn-off ends in an exception."""

    _attr_is_on = False

    def __init__(self, name: str, error: BaseException) -> None:
        """Named, with what its turn-off raises."""
        self._attr_name = name
        self._error = error

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on."""
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Raise: not a HomeAssistantError, a bug or a cancellation of its own."""
        raise self._error


class LaggingRelay(SwitchEntity):
    """A switch that takes a command at once and reports its new state later.

    As radio relays do (MQTT, Zigbee): the call returns before the state comes.
    """

    _attr_name = "Lagging relay"
    _attr_is_on = False

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on at once."""
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Take the command; the state follows a few turns of the loop later."""

        async def report() -> None:
            for _ in range(5):
                await asyncio.sleep(0)
            self._attr_is_on = False
            self.async_write_ha_state()

        self.hass.async_create_task(report())


class HungRelay(SwitchEntity):
    """A switch that turns on, but whose turn-off hangs until released."""

    entered: int = 0  # turn-offs waiting now, over every hung relay
    release: asyncio.Event | None = None

    def __init__(self, number: int) -> None:
        """One of several."""
        self._attr_name = f"Hung relay {number}"
        self._attr_is_on = False

    async def async_turn_on(self, **kwargs: Any) -> None:
        """Turn on."""
        self._attr_is_on = True
        self.async_write_ha_state()

    async def async_turn_off(self, **kwargs: Any) -> None:
        """Wait for the release (or forever)."""
        HungRelay.entered += 1
        assert HungRelay.release is not None
        await HungRelay.release.wait()
        self._attr_is_on = False
        self.async_write_ha_state()


CRASHING = "switch.crashing_relay"
LAGGING = "switch.lagging_relay"
CANCELLING = "switch.cancelling_relay"
HUNG = [f"switch.hung_relay_{number}" for number in range(10)]


@pytest.fixture
def valve() -> DripValve:
    """The drip valve."""
    return DripValve()


@pytest.fixture
async def devices(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, valve: DripValve
) -> None:
    """A grow light and pumps, in Berlin, at 04:00 before the lights come on."""
    await hass.config.async_set_time_zone(ZONE)
    freezer.move_to(local(4))
    setup_test_component_platform(hass, "valve", [valve])
    HungRelay.entered = 0
    HungRelay.release = asyncio.Event()
    setup_test_component_platform(
        hass,
        "switch",
        [
            BrokenRelay(),
            FailingRelay("Crashing relay", RuntimeError("bus fault")),
            FailingRelay("Cancelling relay", asyncio.CancelledError()),
            LaggingRelay(),
            *(HungRelay(number) for number in range(10)),
        ],
    )
    assert await async_setup_component(hass, "valve", {"valve": {"platform": "test"}})
    assert await async_setup_component(hass, "switch", {"switch": {"platform": "test"}})
    powers = (
        "light_power",
        "pump_power",
        "spare_power",
        "stuck_power",
        "flaky_power",
        "flaky_online",
        "flaky_light_power",
        "flaky_light_online",
        "relay_freed",
    )
    assert await async_setup_component(
        hass, "input_boolean", {"input_boolean": {power: {} for power in powers}}
    )
    assert await async_setup_component(
        hass, "counter", {"counter": {"stuck_off_calls": {"initial": 0}}}
    )
    assert await async_setup_component(
        hass,
        "input_number",
        {"input_number": {"light_level": {"min": 0, "max": 255, "initial": 255}}},
    )
    level = "input_number.light_level"
    stuck = _powered("Stuck pump", "stuck_power")
    # Its relay is welded until freed: turn_off counts the attempt, and only
    # switches the power off once input_boolean.relay_freed is on.
    stuck["turn_off"] = [
        {
            "action": "counter.increment",
            "target": {"entity_id": "counter.stuck_off_calls"},
        },
        {"condition": "state", "entity_id": "input_boolean.relay_freed", "state": "on"},
        {
            "action": "input_boolean.turn_off",
            "target": {"entity_id": "input_boolean.stuck_power"},
        },
    ]
    assert await async_setup_component(
        hass,
        "template",
        {
            "template": [
                {
                    "light": [
                        _powered(
                            "Rack light",
                            "light_power",
                            level=f"{{{{ states('{level}') | int }}}}",
                            set_level={
                                "action": "input_number.set_value",
                                "target": {"entity_id": level},
                                "data": {"value": "{{ brightness }}"},
                            },
                        ),
                        _powered(
                            "Flaky light",
                            "flaky_light_power",
                            availability=_online("flaky_light_online"),
                        ),
                    ],
                    "switch": [
                        _powered("Rack pump", "pump_power"),
                        _powered("Spare pump", "spare_power"),
                        stuck,
                        _powered(
                            "Flaky pump",
                            "flaky_power",
                            availability=_online("flaky_online"),
                        ),
                    ],
                }
            ]
        },
    )
    await hass.async_block_till_done()


def rack_data(**changes: Any) -> dict[str, Any]:
    """A rack in fixed mode: lights 06:00-18:00, the pump 15 min each hour."""
    return {
        "name": "Rack one",
        "shelves": 4,
        "light_entity": LIGHT,
        "light_mode": "fixed",
        "lights_on": f"{LIGHTS_ON_H:02d}:00:00",
        "photoperiod_h": float(PHOTOPERIOD_H),
        "pump_entity": PUMP,
        "pump_on_min": PUMP_ON_MIN,
        "pump_off_min": PUMP_OFF_MIN,
        **changes,
    }


async def add_farm(
    hass: HomeAssistant, *racks: tuple[str, dict[str, Any]], plants: int = 0
) -> MockConfigEntry:
    """Set up a farm with these racks (and, if asked, a tomato on the first)."""
    subentries = [subentry(rack_id, "rack", data) for rack_id, data in racks]
    if plants:
        subentries.append(
            subentry(
                TOMATO,
                "plant",
                {
                    "name": "Tomato",
                    "species": "tomato",
                    "quantity": plants,
                    "rack": racks[0][0],
                    "shelf": 1,
                    "planted": (DAY - timedelta(days=2)).isoformat(),
                    "phase": "vegetative",
                },
            )
        )
    return await set_up(hass, farm_with(hass, "Basement", subentries))


async def schedules(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    *,
    light: bool | None = None,
    irrigation: bool | None = None,
    rack_id: str = RACK,
) -> None:
    """Switch a rack's schedules as the rack's switches do."""
    farm = farm_of(entry)
    if light is not None:
        await farm.async_set_schedule(rack_id, LIGHT_SCHEDULE, light)
    if irrigation is not None:
        await farm.async_set_schedule(rack_id, IRRIGATION_SCHEDULE, irrigation)
    await hass.async_block_till_done()


async def move_to(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, when: datetime
) -> None:
    """Let time pass until `when`, firing every timer due by then."""
    freezer.move_to(when)
    async_fire_time_changed(hass, when)
    await hass.async_block_till_done()


async def power(hass: HomeAssistant, name: str, on: bool) -> None:
    """Flip a device's real power by hand (not through the driven entity)."""
    await hass.services.async_call(
        "input_boolean",
        "turn_on" if on else "turn_off",
        {"entity_id": f"input_boolean.{name}"},
        blocking=True,
    )
    await hass.async_block_till_done()


def state(hass: HomeAssistant, entity_id: str) -> str:
    """The entity's state string."""
    current = hass.states.get(entity_id)
    assert current is not None
    return current.state


def commands(
    calls: list[Event[Any]], entity_id: str, service: str | None = None
) -> list[str]:
    """The services called on an entity, in order (optionally only one service)."""
    return [
        call.data["service"]
        for call in calls
        if call.data["service_data"].get("entity_id") == entity_id
        and (service is None or call.data["service"] == service)
    ]


@pytest.fixture
def calls(hass: HomeAssistant) -> list[Event[Any]]:
    """Every service call made from here on."""
    return async_capture_events(hass, EVENT_CALL_SERVICE)


def day_instants(start: datetime, step: timedelta) -> Iterator[datetime]:
    """Every `step` for a whole day from `start`."""
    at = start
    while at < start + timedelta(days=1):
        at += step
        yield at


@pytest.mark.usefixtures("devices")
async def test_a_day_follows_the_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """Light on 06:00-18:00; the pump runs 15 min at the top of each lit hour."""
    entry = await add_farm(hass, (RACK, rack_data()))
    assert commands(calls, LIGHT) == commands(calls, PUMP) == []
    await schedules(hass, entry, light=True, irrigation=True)
    # 04:00 is outside the window: the light is already off, so nothing is sent;
    # the pump gets its safe state asserted once.
    assert state(hass, LIGHT) == state(hass, PUMP) == "off"
    assert commands(calls, LIGHT) == []
    assert commands(calls, PUMP) == ["turn_off"]

    pump_starts = 0
    was_on = False
    for at in day_instants(local(4), timedelta(minutes=5)):
        await move_to(hass, freezer, at)
        wall = at.astimezone(BERLIN)
        lit = LIGHTS_ON_H <= wall.hour < LIGHTS_ON_H + PHOTOPERIOD_H
        watering = lit and wall.minute < PUMP_ON_MIN
        assert state(hass, LIGHT) == ("on" if lit else "off"), wall
        assert state(hass, PUMP) == ("on" if watering else "off"), wall
        pump_starts += watering and not was_on
        was_on = watering

    # One cycle per lit hour: 12 h of light, one run starting each hour.
    assert pump_starts == PHOTOPERIOD_H
    assert commands(calls, LIGHT) == ["turn_on", "turn_off"]
    # 1 off when the schedule came on, then one on/off pair per cycle.
    assert commands(calls, PUMP) == ["turn_off"] + ["turn_on", "turn_off"] * 12


@pytest.mark.usefixtures("devices")
async def test_timer_firing_early_acts_as_of_its_instant(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A timer that fires a hair before 18:00 still switches the light off."""
    await move_to(hass, freezer, local(17, 50))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=None)))
    await schedules(hass, entry, light=True)
    assert state(hass, LIGHT) == "on"
    await move_to(hass, freezer, local(18) - timedelta(milliseconds=300))
    assert state(hass, LIGHT) == "off"


@pytest.mark.usefixtures("devices")
async def test_waits_for_home_assistant_to_start(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """While Home Assistant starts nothing is sent; once started the window rules."""
    await move_to(hass, freezer, local(10, 5))
    hass.set_state(CoreState.starting)
    entry = await add_farm(hass, (RACK, rack_data()))
    await schedules(hass, entry, light=True, irrigation=True)
    assert commands(calls, LIGHT) == commands(calls, PUMP) == []
    assert state(hass, LIGHT) == state(hass, PUMP) == "off"

    hass.set_state(CoreState.running)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STARTED)
    await hass.async_block_till_done()
    # 10:05 is lit and inside the 10:00-10:15 cycle.
    assert state(hass, LIGHT) == state(hass, PUMP) == "on"


@pytest.mark.usefixtures("devices")
async def test_reload_reasserts_the_window(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """A reload turns the pump off (unload), then the window puts both back."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(hass, (RACK, rack_data()))
    await schedules(hass, entry, light=True, irrigation=True)
    assert state(hass, LIGHT) == state(hass, PUMP) == "on"
    # Power cut to the light while Home Assistant restarts the farm.
    await power(hass, "light_power", False)
    calls.clear()
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert commands(calls, PUMP) == ["turn_off", "turn_on"]
    assert commands(calls, LIGHT) == ["turn_on"]
    assert state(hass, LIGHT) == state(hass, PUMP) == "on"


@pytest.mark.usefixtures("devices")
async def test_manual_light_toggle_is_put_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """A hand on the light is undone after the grace period, day and night."""
    await move_to(hass, freezer, local(10, 20))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=None)))
    await schedules(hass, entry, light=True)
    assert state(hass, LIGHT) == "on"

    # Someone switches it off at midday.
    await hass.services.async_call(
        "light", "turn_off", {"entity_id": LIGHT}, blocking=True
    )
    await move_to(hass, freezer, local(10, 20) + GRACE - timedelta(seconds=1))
    assert state(hass, LIGHT) == "off", "left alone during the grace period"
    await move_to(hass, freezer, local(10, 20) + GRACE)
    assert state(hass, LIGHT) == "on"

    # Off and back on by itself within the grace period: nothing is sent.
    calls.clear()
    await move_to(hass, freezer, local(11))
    await power(hass, "light_power", False)
    await move_to(hass, freezer, local(11, 0, 10))
    await power(hass, "light_power", True)
    await move_to(hass, freezer, local(11, 2))
    assert commands(calls, LIGHT) == []
    assert state(hass, LIGHT) == "on"

    # At night a light switched on goes back off.
    await move_to(hass, freezer, local(20))
    assert state(hass, LIGHT) == "off"
    await power(hass, "light_power", True)
    await move_to(hass, freezer, local(20) + GRACE)
    assert state(hass, LIGHT) == "off"


@pytest.mark.usefixtures("devices")
async def test_light_schedule_off_hands_the_light_over(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """With the schedule off the driver never touches the light."""
    await move_to(hass, freezer, local(10))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=None)))
    await schedules(hass, entry, light=True)
    assert state(hass, LIGHT) == "on"
    await schedules(hass, entry, light=False)
    assert state(hass, LIGHT) == "on", "switching the schedule off changes nothing"
    calls.clear()
    await power(hass, "light_power", False)
    for at in day_instants(local(10), timedelta(minutes=30)):
        await move_to(hass, freezer, at)
    assert commands(calls, LIGHT) == []
    assert state(hass, LIGHT) == "off"

    # A manual toggle pending its grace is forgotten when the schedule goes off.
    await schedules(hass, entry, light=True)
    assert state(hass, LIGHT) == "on"
    await power(hass, "light_power", False)
    await schedules(hass, entry, light=False)
    await move_to(hass, freezer, local(10, 0, 0, on=DAY + timedelta(days=1)) + GRACE)
    assert state(hass, LIGHT) == "off"


@pytest.mark.usefixtures("devices")
async def test_pump_left_on_is_turned_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """A pump running outside its cycle stops after the grace period."""
    await move_to(hass, freezer, local(10, 20))
    entry = await add_farm(hass, (RACK, rack_data(light_entity=None)))
    await schedules(hass, entry, irrigation=True)
    assert state(hass, PUMP) == "off"

    await power(hass, "pump_power", True)
    await move_to(hass, freezer, local(10, 20) + GRACE - timedelta(seconds=1))
    assert state(hass, PUMP) == "on"
    await move_to(hass, freezer, local(10, 20) + GRACE)
    assert state(hass, PUMP) == "off"

    # Switched off by itself within the grace period: nothing more is sent.
    calls.clear()
    await power(hass, "pump_power", True)
    await power(hass, "pump_power", False)
    await move_to(hass, freezer, local(10, 22))
    assert commands(calls, PUMP) == []

    # Someone stops the pump during its cycle: it stays off until the next one.
    await move_to(hass, freezer, local(11))
    assert state(hass, PUMP) == "on"
    await power(hass, "pump_power", False)
    await move_to(hass, freezer, local(11, 10))
    assert state(hass, PUMP) == "off"
    # Turned on by hand during the cycle: that is what the cycle wants anyway.
    await power(hass, "pump_power", True)
    await move_to(hass, freezer, local(11, 14))
    assert state(hass, PUMP) == "on"
    await move_to(hass, freezer, local(11, 15))
    assert state(hass, PUMP) == "off"
    await move_to(hass, freezer, local(12))
    assert state(hass, PUMP) == "on"


@pytest.mark.usefixtures("devices")
async def test_irrigation_schedule_off_stops_the_pump_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """Turning irrigation off stops the pump, then leaves it to the user."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(hass, (RACK, rack_data()))
    await schedules(hass, entry, light=True, irrigation=True)
    assert state(hass, PUMP) == "on"
    await schedules(hass, entry, irrigation=False)
    assert state(hass, PUMP) == "off"
    calls.clear()
    await power(hass, "pump_power", True)
    for at in day_instants(local(10, 5), timedelta(minutes=15)):
        await move_to(hass, freezer, at)
    assert commands(calls, PUMP) == []
    assert state(hass, PUMP) == "on"


@pytest.mark.usefixtures("devices")
async def test_stuck_pump_retries_then_raises_an_issue(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Turn-offs are checked back with backoff; a stuck pump becomes a repair issue."""
    issues = ir.async_get(hass)
    issue_id = pump_stuck_issue_id(RACK)
    await move_to(hass, freezer, local(10, 10))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=STUCK_PUMP)))
    await schedules(hass, entry, light=True, irrigation=True)
    assert state(hass, STUCK_PUMP) == "on"
    attempts = hass.states.get("counter.stuck_off_calls")
    assert attempts is not None
    assert attempts.state == "0"

    # The cycle ends at 10:15; then a check after each delay, each one failing.
    at = local(10, 15)
    await move_to(hass, freezer, at)
    for failures, delay in enumerate(PUMP_CHECK_DELAYS, start=1):
        assert issues.async_get_issue(DOMAIN, issue_id) is None
        at += delay
        await move_to(hass, freezer, at)
        # The first turn-off plus one retry per failed check.
        assert state(hass, "counter.stuck_off_calls") == str(1 + failures)

    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert not issue.is_fixable
    assert issue.translation_key == "pump_stuck"
    assert issue.translation_placeholders == {"pump": STUCK_PUMP, "rack": "Rack one"}

    # It keeps trying at the longest delay.
    at += PUMP_CHECK_DELAYS[-1]
    await move_to(hass, freezer, at)
    assert state(hass, "counter.stuck_off_calls") == str(2 + len(PUMP_CHECK_DELAYS))

    # The relay is freed: seen off, the issue goes and the retries stop.
    await power(hass, "stuck_power", False)
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    tries = state(hass, "counter.stuck_off_calls")
    await move_to(hass, freezer, at + timedelta(minutes=10))
    assert state(hass, "counter.stuck_off_calls") == tries


async def _raise_stuck_issue(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    *racks: tuple[str, dict[str, Any]],
) -> MockConfigEntry:
    """A farm whose stuck pump has failed every check after its 10:15 turn-off.

    The stuck pump's rack first, then any other `racks`, their irrigation on.
    """
    await move_to(hass, freezer, local(10, 10))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=STUCK_PUMP)), *racks)
    await schedules(hass, entry, light=True, irrigation=True)
    for rack_id, _ in racks:
        await schedules(hass, entry, irrigation=True, rack_id=rack_id)
    at = local(10, 15)
    await move_to(hass, freezer, at)
    for delay in PUMP_CHECK_DELAYS:
        at += delay
        await move_to(hass, freezer, at)
    assert ir.async_get(hass).async_get_issue(DOMAIN, pump_stuck_issue_id(RACK))
    return entry


async def ticking(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    work: Coroutine[Any, Any, bool | None],
) -> timedelta:
    """Do `work`, the clock running while a stop waits for relays to report.

    An unload, a reload, or waiting for a removal's tasks (`async_block_till_done`);
    an unload or reload must work. Returns how long it waited.
    """
    task = hass.async_create_task(work)
    waited = timedelta()
    while not task.done() and waited < timedelta(minutes=1):
        await asyncio.sleep(0)
        freezer.tick(timedelta(seconds=0.5))
        waited += timedelta(seconds=0.5)
    assert await task is not False
    await hass.async_block_till_done()
    return waited


@pytest.mark.usefixtures("devices")
async def test_stuck_pump_issue_lasts_until_the_pump_is_seen_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A new cycle or a reload does not clear the issue; the pump seen off does."""
    issues = ir.async_get(hass)
    issue_id = pump_stuck_issue_id(RACK)
    entry = await _raise_stuck_issue(hass, freezer)
    # The next cycle wants it on: the checks pause, the issue stays.
    await move_to(hass, freezer, local(11, 5))
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    tries = int(state(hass, "counter.stuck_off_calls"))
    await move_to(hass, freezer, local(11, 10))
    assert state(hass, "counter.stuck_off_calls") == str(tries)

    # Unload tries once more and gives the relay a moment to report off; the
    # pump stays on, and so does the issue.
    waited = await ticking(
        hass, freezer, hass.config_entries.async_unload(entry.entry_id)
    )
    assert waited >= timedelta(seconds=driver_module.PUMP_SETTLE_S), (
        "it waited for the relay to report"
    )
    assert state(hass, "counter.stuck_off_calls") == str(tries + 1)
    assert issues.async_get_issue(DOMAIN, issue_id) is not None

    # Set up again with the relay freed: the start turns it off, the issue goes.
    await move_to(hass, freezer, local(11, 20))
    await power(hass, "relay_freed", True)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, STUCK_PUMP) == "off"
    assert issues.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.usefixtures("devices")
async def test_stuck_pump_issue_outlives_setting_up_again_while_it_runs(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Set up again with the relay still welded: the issue stays until seen off.

    Outside a cycle, and with the irrigation schedule off, where nothing else
    would ever tell the user again.
    """
    issues = ir.async_get(hass)
    issue_id = pump_stuck_issue_id(RACK)
    entry = await _raise_stuck_issue(hass, freezer)
    await ticking(hass, freezer, hass.config_entries.async_unload(entry.entry_id))
    await move_to(hass, freezer, local(11, 20))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, STUCK_PUMP) == "on"
    assert issues.async_get_issue(DOMAIN, issue_id) is not None

    await schedules(hass, entry, irrigation=False)
    await ticking(hass, freezer, hass.config_entries.async_reload(entry.entry_id))
    await move_to(hass, freezer, local(14))
    assert state(hass, STUCK_PUMP) == "on"
    assert issues.async_get_issue(DOMAIN, issue_id) is not None

    # Switched off while the farm was unloaded: set up again, it is seen off.
    await ticking(hass, freezer, hass.config_entries.async_unload(entry.entry_id))
    assert issues.async_get_issue(DOMAIN, issue_id) is not None
    await power(hass, "stuck_power", False)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None


@pytest.mark.usefixtures("devices")
async def test_a_removed_rack_leaves_a_notice_only_while_its_pump_runs(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A removed rack's pump still running is reported as left on until seen off.

    Nothing drives it any more, so it is not "stuck" (nothing keeps trying);
    a removed rack whose pump is missing leaves no notice at all.
    """
    issues = ir.async_get(hass)
    entry = await _raise_stuck_issue(
        hass,
        freezer,
        (OTHER_RACK, rack_data(name="Rack two", pump_entity="switch.gone")),
    )
    left_on = f"pump_left_on_{entry.entry_id}_{STUCK_PUMP}"
    for rack_id in (RACK, OTHER_RACK):
        assert hass.config_entries.async_remove_subentry(entry, rack_id)
        await ticking(hass, freezer, hass.async_block_till_done())
    assert state(hass, STUCK_PUMP) == "on"
    assert [issue_id for domain, issue_id in issues.issues if domain == DOMAIN] == [
        left_on
    ]
    issue = issues.async_get_issue(DOMAIN, left_on)
    assert issue is not None
    assert issue.severity is ir.IssueSeverity.ERROR
    assert issue.translation_key == "pump_left_on"
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "pump": STUCK_PUMP,
        "rack": "Rack one",
    }

    # A reload keeps it while the pump runs; the pump seen off takes it away.
    await ticking(hass, freezer, hass.config_entries.async_reload(entry.entry_id))
    assert issues.async_get_issue(DOMAIN, left_on) is not None
    await power(hass, "stuck_power", False)
    assert issues.async_get_issue(DOMAIN, left_on) is None


@pytest.mark.usefixtures("devices")
async def test_a_pump_left_on_is_still_reported_after_a_restart(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Nothing switches it any more: the notice is the only word the user gets.

    Home Assistant keeps only persistent notices across a restart; this one
    comes back, and still goes once the pump is seen off.
    """
    issues = ir.async_get(hass)
    entry = await _raise_stuck_issue(hass, freezer)
    left_on = f"pump_left_on_{entry.entry_id}_{STUCK_PUMP}"
    assert hass.config_entries.async_remove_subentry(entry, RACK)
    await ticking(hass, freezer, hass.async_block_till_done())
    assert issues.async_get_issue(DOMAIN, left_on) is not None

    # A restart: the farm stops, the registry is read back from disk.
    await ticking(hass, freezer, hass.config_entries.async_unload(entry.entry_id))
    await flush_store(issues._store)
    await issues.async_load()
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, STUCK_PUMP) == "on"
    issue = issues.async_get_issue(DOMAIN, left_on)
    assert issue is not None
    assert issue.active
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "pump": STUCK_PUMP,
        "rack": "Rack one",
    }
    await power(hass, "stuck_power", False)
    assert issues.async_get_issue(DOMAIN, left_on) is None


@pytest.mark.usefixtures("devices")
async def test_stuck_pump_switched_off_by_hand_in_a_cycle_clears_the_issue(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Seen off at any time, even inside a cycle, the pump is fine again."""
    issues = ir.async_get(hass)
    await _raise_stuck_issue(hass, freezer)
    await move_to(hass, freezer, local(11, 5))
    await power(hass, "stuck_power", False)
    assert issues.async_get_issue(DOMAIN, pump_stuck_issue_id(RACK)) is None


@pytest.mark.usefixtures("devices")
async def test_unload_clears_the_issue_of_a_pump_it_turns_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The turn-off at unload works this time: the issue goes with it."""
    issues = ir.async_get(hass)
    entry = await _raise_stuck_issue(hass, freezer)
    await power(hass, "relay_freed", True)
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, STUCK_PUMP) == "off"
    assert issues.async_get_issue(DOMAIN, pump_stuck_issue_id(RACK)) is None


@pytest.mark.usefixtures("devices")
async def test_unload_and_stop_turn_pumps_off_and_leave_lights(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """Pumps go to their safe state (off); lights keep the window's state."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(hass, (RACK, rack_data()))
    await schedules(hass, entry, light=True, irrigation=True)
    assert state(hass, LIGHT) == state(hass, PUMP) == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert state(hass, PUMP) == "off"
    assert state(hass, LIGHT) == "on"

    # Nothing is left running: the 10:15 and 18:00 instants pass untouched.
    calls.clear()
    await power(hass, "pump_power", True)
    await move_to(hass, freezer, local(18, 30))
    assert commands(calls, LIGHT) == commands(calls, PUMP) == []

    await move_to(hass, freezer, local(10, 5, on=DAY + timedelta(days=1)))
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    assert state(hass, LIGHT) == state(hass, PUMP) == "on"
    hass.set_state(CoreState.stopping)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert state(hass, PUMP) == "off"
    assert state(hass, LIGHT) == "on"


@pytest.mark.usefixtures("devices")
async def test_pumps_go_off_while_every_integration_still_answers(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Pumps go off as Home Assistant begins to stop, before its stop event.

    An integration on MQTT or a radio network stops on that event (its
    entities then no longer answer); set up before the farm, as it is, it
    would be gone before a turn-off sent then.
    """
    await move_to(hass, freezer, local(10, 5))

    @callback
    def _integration_stops(_event: Event) -> None:
        hass.states.async_set(PUMP, STATE_UNAVAILABLE)

    hass.bus.async_listen_once(EVENT_HOMEASSISTANT_STOP, _integration_stops)
    entry = await add_farm(hass, (RACK, rack_data()))
    await schedules(hass, entry, irrigation=True)
    assert state(hass, "input_boolean.pump_power") == "on"
    await hass.async_stop()
    assert state(hass, "input_boolean.pump_power") == "off"


@pytest.mark.usefixtures("devices")
async def test_stop_before_started_turns_a_scheduled_pump_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Even before the driver began, Home Assistant stopping stops a scheduled pump."""
    await move_to(hass, freezer, local(10, 5))
    hass.set_state(CoreState.starting)
    entry = await add_farm(
        hass, (RACK, rack_data()), (OTHER_RACK, rack_data(pump_entity=SPARE_PUMP))
    )
    await schedules(hass, entry, irrigation=True)
    await power(hass, "pump_power", True)
    await power(hass, "spare_power", True)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    assert state(hass, PUMP) == "off"
    assert state(hass, SPARE_PUMP) == "on", "its irrigation schedule is off"


@pytest.mark.usefixtures("devices")
async def test_valve_pump_opens_and_closes(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """A valve is driven with open_valve and close_valve; closing is not off yet."""
    await move_to(hass, freezer, local(5, 55))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=VALVE)))
    await schedules(hass, entry, light=True, irrigation=True)
    assert state(hass, VALVE) == "closed"
    await move_to(hass, freezer, local(6))
    assert state(hass, VALVE) == "open"
    await move_to(hass, freezer, local(6, 15))
    assert state(hass, VALVE) == "closing"
    await move_to(hass, freezer, local(6, 15) + VALVE_CLOSING)
    assert state(hass, VALVE) == "closed"
    # The check after the turn-off finds it closed: nothing more is sent.
    await move_to(hass, freezer, local(6, 15) + PUMP_CHECK_DELAYS[0])
    await move_to(hass, freezer, local(7, 5))
    assert state(hass, VALVE) == "open"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    await move_to(hass, freezer, local(7, 5) + VALVE_CLOSING)
    assert state(hass, VALVE) == "closed"
    assert commands(calls, VALVE) == [
        "close_valve",  # the schedule came on outside a cycle: safe state
        "open_valve",
        "close_valve",
        "open_valve",
        "close_valve",  # unload
    ]


async def test_stop_waits_for_a_command_in_flight(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    devices: None,
    valve: DripValve,
    calls: list[Event[Any]],
) -> None:
    """A valve still opening when the farm unloads is closed after it opened."""
    await move_to(hass, freezer, local(5, 55))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=VALVE)))
    await schedules(hass, entry, irrigation=True)
    valve.gate = asyncio.Event()
    freezer.move_to(local(6))
    async_fire_time_changed(hass, local(6))  # the 06:00 open starts, held at the gate
    unload = hass.async_create_task(hass.config_entries.async_unload(entry.entry_id))
    for _ in range(10):
        await asyncio.sleep(0)
    assert not unload.done()
    assert commands(calls, VALVE) == ["close_valve", "open_valve"]
    valve.gate.set()
    assert await unload
    await hass.async_block_till_done()
    await move_to(hass, freezer, local(6) + VALVE_CLOSING)
    assert commands(calls, VALVE) == ["close_valve", "open_valve", "close_valve"]
    assert state(hass, VALVE) == "closed"


@pytest.mark.usefixtures("devices")
async def test_missing_entities_are_logged_once(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Linked entities that do not exist never raise; each is reported once."""
    caplog.set_level(logging.WARNING)
    await move_to(hass, freezer, local(5, 55))
    entry = await add_farm(
        hass,
        (RACK, rack_data(light_entity="light.gone", pump_entity="switch.gone")),
    )
    await schedules(hass, entry, light=True, irrigation=True)
    for at in (local(6), local(6, 15), local(7), local(7, 15)):
        await move_to(hass, freezer, at)
    assert caplog.text.count("light.gone does not exist") == 1
    assert caplog.text.count("switch.gone does not exist") == 1
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED


@pytest.mark.usefixtures("devices")
async def test_a_pump_that_cannot_be_seen_is_not_called_stuck_at_unload(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A missing or offline pump cannot be seen running: no "does not turn off".

    The missing one has its own notice.
    """
    issues = ir.async_get(hass)
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(
        hass,
        (RACK, rack_data(pump_entity="switch.gone")),
        (OTHER_RACK, rack_data(name="Rack two", pump_entity=FLAKY_PUMP)),
    )
    await schedules(hass, entry, irrigation=True)
    await schedules(hass, entry, irrigation=True, rack_id=OTHER_RACK)
    assert state(hass, FLAKY_PUMP) == "unavailable"
    missing = f"missing_entity_{entry.entry_id}_switch.gone"
    assert issues.async_get_issue(DOMAIN, missing) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert issues.async_get_issue(DOMAIN, missing) is not None
    for rack_id in (RACK, OTHER_RACK):
        assert issues.async_get_issue(DOMAIN, pump_stuck_issue_id(rack_id)) is None


@pytest.mark.usefixtures("devices")
async def test_unavailable_light_is_set_right_when_it_returns(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A light offline at lights-on is switched on once it reports back."""
    caplog.set_level(logging.WARNING)
    await move_to(hass, freezer, local(5, 55))
    entry = await add_farm(
        hass, (RACK, rack_data(light_entity=FLAKY_LIGHT, pump_entity=None))
    )
    await schedules(hass, entry, light=True)
    assert state(hass, FLAKY_LIGHT) == "unavailable"
    await move_to(hass, freezer, local(6))
    assert state(hass, FLAKY_LIGHT) == "unavailable"
    assert caplog.text.count(f"{FLAKY_LIGHT} is unavailable") == 1
    await power(hass, "flaky_light_online", True)
    assert state(hass, FLAKY_LIGHT) == "off"
    await move_to(hass, freezer, local(6) + GRACE)
    assert state(hass, FLAKY_LIGHT) == "on"
    # Offline again while a put-back is pending: the put-back is dropped.
    await power(hass, "flaky_light_power", False)
    await power(hass, "flaky_light_online", False)
    await move_to(hass, freezer, local(6, 5))
    assert state(hass, FLAKY_LIGHT) == "unavailable"
    assert caplog.text.count(f"{FLAKY_LIGHT} is unavailable") == 1


@pytest.mark.usefixtures("devices")
async def test_unavailable_pump_is_followed_when_it_returns(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A turn-off that could not be sent goes out as soon as the pump reports back."""
    caplog.set_level(logging.WARNING)
    issues = ir.async_get(hass)
    await move_to(hass, freezer, local(10, 5))
    await power(hass, "flaky_online", True)
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=FLAKY_PUMP)))
    await schedules(hass, entry, light=True, irrigation=True)
    assert state(hass, FLAKY_PUMP) == "on"

    # Offline over the 10:15 cycle end and its check: skipped, logged once.
    await power(hass, "flaky_online", False)
    await move_to(hass, freezer, local(10, 15))
    await move_to(hass, freezer, local(10, 15) + PUMP_CHECK_DELAYS[0])
    assert caplog.text.count(f"{FLAKY_PUMP} is unavailable") == 1
    assert f"{FLAKY_PUMP} cannot be checked" not in caplog.text
    # Back online and still running: the turn-off goes out at once.
    await power(hass, "flaky_online", True)
    assert state(hass, FLAKY_PUMP) == "off"

    # Offline over the 11:15 end again, switched off by hand meanwhile:
    # back online it is seen off and nothing more is sent.
    await move_to(hass, freezer, local(11, 5))
    assert state(hass, FLAKY_PUMP) == "on"
    await power(hass, "flaky_online", False)
    await move_to(hass, freezer, local(11, 15) + PUMP_CHECK_DELAYS[0])
    assert caplog.text.count(f"{FLAKY_PUMP} is unavailable") == 2
    await power(hass, "flaky_power", False)
    await power(hass, "flaky_online", True)
    assert state(hass, FLAKY_PUMP) == "off"
    tries = caplog.text.count(f"{FLAKY_PUMP} is still on")
    await move_to(hass, freezer, local(11, 30))
    assert caplog.text.count(f"{FLAKY_PUMP} is still on") == tries == 0
    assert issues.async_get_issue(DOMAIN, pump_stuck_issue_id(RACK)) is None


@pytest.mark.usefixtures("devices")
async def test_failed_commands_are_logged_not_raised(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A relay that refuses commands is reported once and retried on schedule."""
    caplog.set_level(logging.WARNING)
    await move_to(hass, freezer, local(9, 55))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=BROKEN)))
    await schedules(hass, entry, light=True, irrigation=True)
    await move_to(hass, freezer, local(10))
    await move_to(hass, freezer, local(11))
    assert caplog.text.count(f"{BROKEN} did not take") == 1
    assert "relay does not answer" in caplog.text
    assert state(hass, BROKEN) == "off"


@pytest.mark.usefixtures("devices")
async def test_rack_edits_are_followed(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """A new pump entity, a new lights-on time and a removed rack are followed."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(hass, (RACK, rack_data()))
    await schedules(hass, entry, light=True, irrigation=True)
    assert state(hass, PUMP) == "on"

    # Another pump: the old one is left off, the new one takes over the cycle.
    rack = entry.subentries[RACK]
    hass.config_entries.async_update_subentry(
        entry, rack, data={**rack.data, "pump_entity": SPARE_PUMP}
    )
    await hass.async_block_till_done()
    assert state(hass, PUMP) == "off"
    assert state(hass, SPARE_PUMP) == "on"

    # Lights on at 11:00 for 12 h: 10:30 is now dark, and so is the pump.
    await move_to(hass, freezer, local(10, 30))
    hass.config_entries.async_update_subentry(
        entry,
        entry.subentries[RACK],
        data={**rack.data, "pump_entity": SPARE_PUMP, "lights_on": "11:00:00"},
    )
    await hass.async_block_till_done()
    assert state(hass, LIGHT) == "off"
    await move_to(hass, freezer, local(11))
    assert state(hass, LIGHT) == state(hass, SPARE_PUMP) == "on"
    await move_to(hass, freezer, local(22, 59))
    assert state(hass, LIGHT) == "on"
    await move_to(hass, freezer, local(23))  # 11:00 + 12 h
    assert state(hass, LIGHT) == "off"

    # Removing the rack stops its pump and turns off the light its schedule
    # drove, as deleting the farm does: nothing would ever switch it again.
    await move_to(hass, freezer, local(11, 5, on=DAY + timedelta(days=1)))
    assert state(hass, SPARE_PUMP) == state(hass, LIGHT) == "on"
    assert hass.config_entries.async_remove_subentry(entry, RACK)
    await hass.async_block_till_done()
    assert state(hass, SPARE_PUMP) == "off"
    assert state(hass, LIGHT) == "off"
    calls.clear()
    await move_to(hass, freezer, local(23, 30, on=DAY + timedelta(days=1)))
    assert commands(calls, LIGHT) == commands(calls, SPARE_PUMP) == []


@pytest.mark.usefixtures("devices")
async def test_a_light_or_pump_the_rack_no_longer_uses_goes_off(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """Another light or pump in the rack's settings, or none: the old one goes off.

    Unless another rack drives it; an old pump that stays on is reported.
    """
    issues = ir.async_get(hass)
    assert await async_setup_component(hass, "repairs", {})
    await power(hass, "flaky_light_online", True)
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(
        hass,
        (RACK, rack_data(pump_entity=STUCK_PUMP)),
        (
            OTHER_RACK,
            rack_data(name="Rack two", light_entity=FLAKY_LIGHT, pump_entity=None),
        ),
    )
    await schedules(hass, entry, light=True, irrigation=True)
    await schedules(hass, entry, light=True, rack_id=OTHER_RACK)
    assert state(hass, LIGHT) == state(hass, FLAKY_LIGHT) == "on"
    assert state(hass, STUCK_PUMP) == "on"

    async def edit(**changes: str | None) -> None:
        rack = entry.subentries[RACK]
        hass.config_entries.async_update_subentry(
            entry, rack, data={**rack.data, **changes}
        )
        await ticking(hass, freezer, hass.async_block_till_done())

    # Under Rack two's light: its own light goes off; back, the shared one stays.
    await edit(light_entity=FLAKY_LIGHT)
    assert state(hass, LIGHT) == "off"
    assert state(hass, FLAKY_LIGHT) == "on"
    await edit(light_entity=LIGHT)
    assert state(hass, LIGHT) == state(hass, FLAKY_LIGHT) == "on"
    await edit(light_entity=None)
    assert state(hass, LIGHT) == "off"
    assert commands(calls, FLAKY_LIGHT, "turn_off") == []

    # Another pump: the old one is turned off; its relay is welded, so it is
    # reported as left on (not stuck: nothing drives it now) until confirmed.
    await edit(pump_entity=PUMP)
    assert state(hass, PUMP) == state(hass, STUCK_PUMP) == "on"
    assert issues.async_get_issue(DOMAIN, pump_stuck_issue_id(RACK)) is None
    left_on = f"pump_left_on_{entry.entry_id}_{STUCK_PUMP}"
    issue = issues.async_get_issue(DOMAIN, left_on)
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "pump": STUCK_PUMP,
        "rack": "Rack one",
    }
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(DOMAIN, data={"issue_id": left_on})
    assert flow["step_id"] == "confirm"
    flow = await manager.async_configure(flow["flow_id"], {})
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    assert issues.async_get_issue(DOMAIN, left_on) is None

    # No pump at all: the last one goes off, and nothing is left to report.
    await edit(pump_entity=None)
    assert state(hass, PUMP) == "off"
    assert [issue_id for domain, issue_id in issues.issues if domain == DOMAIN] == []


@pytest.mark.usefixtures("devices")
async def test_rack_without_light_waters_around_the_clock(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Without a light the cycles run from midnight through the night."""
    entry = await add_farm(hass, (RACK, rack_data(light_entity=None)))
    await schedules(hass, entry, irrigation=True)
    for at in day_instants(local(4), timedelta(minutes=5)):
        await move_to(hass, freezer, at)
        wall = at.astimezone(BERLIN)
        # Cycles start every on + off = 60 min from midnight.
        watering = wall.minute < PUMP_ON_MIN
        assert state(hass, PUMP) == ("on" if watering else "off"), wall


@pytest.mark.usefixtures("devices")
async def test_pump_stops_on_time_in_the_repeated_hour(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Lit 02:30 CEST to 02:30 CET as clocks go back: the pump runs only 15 min."""
    # Berlin falls back at 03:00 CEST on 25 October 2026: 02:00-03:00 comes twice.
    midnight_utc = datetime(2026, 10, 25, tzinfo=UTC)  # 02:00 CEST
    await move_to(hass, freezer, midnight_utc)
    entry = await add_farm(
        hass, (RACK, rack_data(lights_on="02:30:00", photoperiod_h=1.0))
    )
    await schedules(hass, entry, light=True, irrigation=True)
    lights_on = midnight_utc + timedelta(minutes=30)
    for at in day_instants(midnight_utc, timedelta(minutes=5)):
        if at > midnight_utc + timedelta(hours=2):
            break
        await move_to(hass, freezer, at)
        lit = lights_on <= at < lights_on + timedelta(hours=1)
        watering = lights_on <= at < lights_on + timedelta(minutes=PUMP_ON_MIN)
        wall = at.astimezone(BERLIN).isoformat()
        assert state(hass, LIGHT) == ("on" if lit else "off"), wall
        assert state(hass, PUMP) == ("on" if watering else "off"), wall


@pytest.mark.usefixtures("devices")
async def test_dark_and_always_lit_racks(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """0 h: the light stays off and the pump never runs; 24 h: always lit."""
    entry = await add_farm(
        hass,
        (RACK, rack_data(photoperiod_h=0.0)),
        (
            OTHER_RACK,
            rack_data(
                photoperiod_h=24.0, pump_entity=None, light_entity="light.flaky_light"
            ),
        ),
    )
    await power(hass, "flaky_light_online", True)
    await schedules(hass, entry, light=True, irrigation=True)
    await schedules(hass, entry, light=True, rack_id=OTHER_RACK)
    for at in day_instants(local(4), timedelta(hours=1)):
        await move_to(hass, freezer, at)
        assert state(hass, LIGHT) == state(hass, PUMP) == "off"
        assert state(hass, FLAKY_LIGHT) == "on"


@pytest.mark.usefixtures("devices")
async def test_auto_mode_follows_the_plants_phase(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Auto mode: the photoperiod is the tomato's; a phase change moves lights-off."""
    await move_to(hass, freezer, local(23))
    entry = await add_farm(
        hass, (RACK, rack_data(light_mode="auto", pump_entity=None)), plants=1
    )
    farm = farm_of(entry)
    tomato = farm.library.species["tomato"]
    vegetative = tomato.phase(Phase.VEGETATIVE)
    flowering = tomato.phase(Phase.FLOWERING)
    assert vegetative is not None
    assert flowering is not None
    # The library's tomato needs fewer hours in flower, and 23:00 lies between.
    assert LIGHTS_ON_H + flowering.photoperiod_h <= 23
    assert LIGHTS_ON_H + vegetative.photoperiod_h > 23
    await schedules(hass, entry, light=True)
    assert state(hass, LIGHT) == "on"
    await farm.phases.async_set(TOMATO, Phase.FLOWERING)
    await hass.async_block_till_done()
    assert state(hass, LIGHT) == "off"


@pytest.mark.usefixtures("devices")
async def test_rack_without_light_or_pump_is_left_alone(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """Schedules switched on for a rack with nothing to drive send nothing."""
    entry = await add_farm(hass, (RACK, rack_data(light_entity=None, pump_entity=None)))
    await schedules(hass, entry, light=True, irrigation=True)
    await move_to(hass, freezer, local(12))
    assert [call for call in calls if call.data["domain"] != "input_boolean"] == []


@pytest.mark.usefixtures("devices")
async def test_light_fiddled_with_twice_is_put_back_from_the_first_touch(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Switched on at night and then dimmed: back off 30 s after it was switched on."""
    await move_to(hass, freezer, local(22))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=None)))
    await schedules(hass, entry, light=True)
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT}, blocking=True
    )
    await move_to(hass, freezer, local(22, 0, 20))
    await hass.services.async_call(
        "light", "turn_on", {"entity_id": LIGHT, "brightness": 80}, blocking=True
    )
    await hass.async_block_till_done()
    light = hass.states.get(LIGHT)
    assert light is not None
    assert light.state == "on"
    assert light.attributes["brightness"] == 80
    await move_to(hass, freezer, local(22) + GRACE)
    assert state(hass, LIGHT) == "off"


@pytest.mark.usefixtures("devices")
async def test_pump_offline_during_its_grace_is_stopped_when_back(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A pump left on that drops offline is stopped once it reports back on."""
    await move_to(hass, freezer, local(10, 20))
    await power(hass, "flaky_online", True)
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=FLAKY_PUMP)))
    await schedules(hass, entry, light=True, irrigation=True)
    await power(hass, "flaky_power", True)
    await power(hass, "flaky_online", False)
    await move_to(hass, freezer, local(10, 20) + GRACE)
    assert state(hass, FLAKY_PUMP) == "unavailable"
    await move_to(hass, freezer, local(10, 25))
    await power(hass, "flaky_online", True)
    assert state(hass, FLAKY_PUMP) == "on"
    await move_to(hass, freezer, local(10, 25) + GRACE)
    assert state(hass, FLAKY_PUMP) == "off"


@pytest.mark.usefixtures("devices")
async def test_stopping_twice_turns_the_pump_off_once(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, calls: list[Event[Any]]
) -> None:
    """A second stop (Home Assistant stopping while the farm unloads) does nothing."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(hass, (RACK, rack_data()))
    await schedules(hass, entry, light=True, irrigation=True)
    driver = farm_of(entry).drivers.driver(RACK)
    calls.clear()
    await driver.async_stop()
    await driver.async_stop()
    await hass.async_block_till_done()
    assert commands(calls, PUMP) == ["turn_off"]
    assert commands(calls, LIGHT) == []
    assert state(hass, PUMP) == "off"


@pytest.mark.usefixtures("devices")
@pytest.mark.parametrize("failing", [CRASHING, CANCELLING])
async def test_a_failing_pump_does_not_keep_the_others_on(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, failing: str
) -> None:
    """Any exception from one pump: the others still stop, unload still ends.

    A CancelledError from inside its turn-off is that pump's failure too,
    not a cancellation of the farm's stop.
    """
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(
        hass,
        (RACK, rack_data(pump_entity=failing)),
        (OTHER_RACK, rack_data(pump_entity=PUMP)),
    )
    await schedules(hass, entry, irrigation=True)
    await schedules(hass, entry, irrigation=True, rack_id=OTHER_RACK)
    assert state(hass, failing) == state(hass, PUMP) == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert state(hass, PUMP) == "off"
    assert state(hass, failing) == "on"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, pump_stuck_issue_id(RACK))
    assert issue is not None, "a pump that would not turn off is reported at stop"
    assert issue.translation_placeholders == {"pump": failing, "rack": "Rack one"}


@pytest.mark.usefixtures("devices")
async def test_a_pump_that_reports_off_late_is_not_called_stuck(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """The turn-off returned before the relay reported off: wait for it, no notice."""
    await move_to(hass, freezer, local(10, 5))
    entry = await add_farm(hass, (RACK, rack_data(pump_entity=LAGGING)))
    await schedules(hass, entry, irrigation=True)
    assert state(hass, LAGGING) == "on"
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert state(hass, LAGGING) == "off"
    issues = ir.async_get(hass)
    assert issues.async_get_issue(DOMAIN, pump_stuck_issue_id(RACK)) is None


@pytest.mark.usefixtures("devices")
async def test_hung_pumps_are_stopped_together(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Ten pumps that hang are asked to stop at the same time, not one by one."""
    await move_to(hass, freezer, local(10, 5))
    racks = [
        (f"01RACKHUNG{number:016d}", rack_data(name=f"Rack {number}", pump_entity=pump))
        for number, pump in enumerate(HUNG)
    ]
    entry = await add_farm(hass, *racks)
    for rack_id, _ in racks:
        await schedules(hass, entry, irrigation=True, rack_id=rack_id)
    assert {state(hass, pump) for pump in HUNG} == {"on"}
    unload = hass.async_create_task(hass.config_entries.async_unload(entry.entry_id))
    for _ in range(50):
        await asyncio.sleep(0)
    assert HungRelay.entered == len(HUNG), "every turn-off is under way at once"
    assert not unload.done()
    assert HungRelay.release is not None
    HungRelay.release.set()
    assert await unload
    await hass.async_block_till_done()
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert {state(hass, pump) for pump in HUNG} == {"off"}


@pytest.mark.usefixtures("devices")
async def test_stop_has_one_deadline(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Pumps that never answer cannot hold the stop past its deadline."""
    monkeypatch.setattr(driver_module, "STOP_DEADLINE_S", 0.05)
    await move_to(hass, freezer, local(10, 5))
    racks = [
        (f"01RACKHUNG{number:016d}", rack_data(name=f"Rack {number}", pump_entity=pump))
        for number, pump in enumerate(HUNG[:3])
    ]
    entry = await add_farm(hass, *racks)
    for rack_id, _ in racks:
        await schedules(hass, entry, irrigation=True, rack_id=rack_id)
    hass.set_state(CoreState.stopping)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    issues = ir.async_get(hass)
    for _ in range(20):
        await asyncio.sleep(0)
    assert HungRelay.entered == len(racks)
    # The hung turn-offs never return; a second on, the stop has given up on them
    # (the per-command timeout, 10 s, has not run out yet).
    async_fire_time_changed(hass, dt_util.utcnow() + timedelta(seconds=1))
    for _ in range(20):
        await asyncio.sleep(0)
    for rack_id, _ in racks:
        assert issues.async_get_issue(DOMAIN, pump_stuck_issue_id(rack_id)) is not None
    assert await hass.config_entries.async_unload(entry.entry_id)
    assert entry.state is ConfigEntryState.NOT_LOADED
    assert HungRelay.release is not None
    HungRelay.release.set()
    await hass.async_block_till_done()
