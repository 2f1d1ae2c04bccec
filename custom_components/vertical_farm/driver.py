"""The rack driver: a rack's grow light and irrigation pump on their schedules.

One `RackDriver` per rack. While the rack's `light_schedule` switch is on, the
light entity (`light` or `switch` domain) is on inside the photoperiod window
and off outside it; while `irrigation_schedule` is on, the pump (`switch`, or
`valve` driven with open/close) runs its on-minutes every on + off minutes
inside the light window (around the clock for racks without a light).

Nothing polls. One timer waits for the next instant the schedule changes (a
light change, a cycle start or end) and is laid out again whenever the farm
says the rack's view may have changed (schedule switches, photoperiod, the
plants' phases, the rack's configuration). State listeners on the linked
entities put a manually toggled light back, and turn off a pump left running
outside its cycle, after a short grace period.

Declared safe states:

- Pump: off. Every pump this driver runs is turned off on unload, on Home
  Assistant stop (in its first stage, while every integration still
  answers), when its rack is removed or no longer uses it (unless another
  rack drives it too) and when the irrigation schedule is switched off.
  Each turn-off is checked back and retried with backoff; a pump that still
  will not stop raises the `pump_stuck` repair issue, which goes away once
  the pump is seen off. At unload and stop every rack's pump is turned off
  at the same time, whatever any other pump does (an error of any kind,
  or a hang), within one deadline (`STOP_DEADLINE_S`); a pump seen still
  running, or whose turn-off failed or timed out while it was not seen off,
  raises `pump_stuck` there too. A missing or offline pump cannot be seen
  running: it raises nothing (its missing-entity notice says what is wrong).
  A pump let go of still running (its rack removed, or linked to another
  pump or none) raises `pump_left_on` instead: nothing drives it any more,
  so the notice goes once the pump is seen off (followed over reloads too)
  or once the user confirms it.
- Light: as the schedule requires. Lights are not switched at unload or
  stop, so a restart at midday does not plunge the plants into darkness; on
  start (setup, reload, Home Assistant start) the driver asserts the state
  the window requires. When the farm is deleted, the lights its schedules
  drove are turned off (`async_turn_off_lights`), and so is the light of a
  removed rack, or one a rack no longer uses, unless another rack drives it.

Switching a schedule off hands the entity back to the user: the driver then
leaves it alone (the pump gets one turn-off first). A pump someone turns off
during its cycle stays off until the next cycle: the driver never restarts a
pump against a person's hand. Missing or unavailable entities are logged
once and skipped; the driver tries again at the next planned instant or as
soon as the entity reports back.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine, Iterable
from datetime import datetime, time, timedelta, tzinfo
from functools import partial
import logging
from typing import Any, Protocol

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import (
    ATTR_ENTITY_ID,
    SERVICE_CLOSE_VALVE,
    SERVICE_OPEN_VALVE,
    SERVICE_TURN_OFF,
    SERVICE_TURN_ON,
    STATE_CLOSED,
    STATE_OFF,
    STATE_ON,
    STATE_OPEN,
    STATE_OPENING,
    STATE_UNAVAILABLE,
    STATE_UNKNOWN,
)
from homeassistant.core import (
    CALLBACK_TYPE,
    Event,
    EventStateChangedData,
    HomeAssistant,
    State,
    callback,
)
from homeassistant.helpers import issue_registry as ir
from homeassistant.helpers.event import (
    async_call_later,
    async_track_point_in_utc_time,
    async_track_state_change_event,
)
from homeassistant.helpers.start import async_at_started
from homeassistant.util import dt as dt_util

from .const import DOMAIN
from .engine import lighting
from .engine.irrigation import PumpCycle, pump_cycle
from .models import RackConfig
from .presenters import RackView
from .topology import FarmConfig

_LOGGER = logging.getLogger(__name__)

LIGHT_SCHEDULE = "light_schedule"
IRRIGATION_SCHEDULE = "irrigation_schedule"
VALVE_DOMAIN = "valve"
ISSUE_PUMP_STUCK = "pump_stuck"
ISSUE_PUMP_LEFT_ON = "pump_left_on"

# How long a manual deviation is tolerated before the schedule puts it back.
GRACE = timedelta(seconds=30)
# Checks after a pump turn-off; the last delay repeats while the pump stays on.
PUMP_CHECK_DELAYS = (
    timedelta(seconds=15),
    timedelta(seconds=30),
    timedelta(seconds=60),
    timedelta(seconds=120),
)
# Failed checks (pump still on) before the user is told through a repair issue.
PUMP_STUCK_AFTER = len(PUMP_CHECK_DELAYS)
COMMAND_TIMEOUT_S = 10  # a hung integration must not hold up unload or stop
# All pumps stop together within this: inside the 20 s Home Assistant gives
# the first stage of a stop (its shutdown jobs), where the farm stops them.
STOP_DEADLINE_S = 15.0
# A relay may take the turn-off and report "off" a moment later (radio relays
# do): a stop waits this long for it before calling the pump stuck.
PUMP_SETTLE_S = 2.0

type PlanKey = tuple[RackConfig, time, float, bool, bool]


class RackViews(Protocol):
    """Where a driver finds its rack's view."""

    def rack(self, rack_id: str) -> RackView:
        """The rack's current view."""


class DriverHost(Protocol):
    """What a driver reads from the live farm (the farm is one)."""

    hass: HomeAssistant
    entry: ConfigEntry

    @property
    def config(self) -> FarmConfig:
        """The farm's configuration now."""

    @property
    def zone(self) -> tzinfo:
        """The time zone light windows are in."""

    def schedule_enabled(self, rack_id: str, kind: str) -> bool:
        """Whether a rack's schedule switch is on."""

    @property
    def views(self) -> RackViews:
        """The farm's views."""

    def async_listen(self, subject: str, update: Callable[[], None]) -> CALLBACK_TYPE:
        """Call `update` whenever the subject's view may have changed."""


async def async_stop_drivers(
    drivers: Iterable[RackDriver], *, retire: bool = False
) -> None:
    """Stop every driver at once, within one deadline; never raise.

    One driver failing or hanging holds up none of the others. A driver whose
    stop did not finish by the deadline reports its pump as stuck (as left on,
    when its rack is removed: `retire`).
    """
    drivers = list(drivers)
    if not drivers:
        return
    tasks = [
        asyncio.ensure_future(driver.async_stop(retire=retire)) for driver in drivers
    ]
    _, pending = await asyncio.wait(tasks, timeout=STOP_DEADLINE_S)
    for task in pending:
        task.cancel()
    for driver, task in zip(drivers, tasks, strict=True):
        if task in pending:
            driver.async_stop_failed("did not stop in time")
        elif task.cancelled():
            driver.async_stop_failed("its stop was cancelled")
        elif (error := task.exception()) is not None:
            driver.async_stop_failed(f"failed to stop: {error!r}")
    if pending:
        await asyncio.wait(pending)


async def async_turn_off_lights(hass: HomeAssistant, lights: Iterable[str]) -> None:
    """Turn off the lights of a farm that is going away; never raise.

    While the farm exists a light keeps the window's state over unload and
    stop; once the farm is deleted nothing would ever switch it off again.
    """

    async def turn_off(light: str) -> None:
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT_S):
                await hass.services.async_call(
                    light.partition(".")[0],
                    SERVICE_TURN_OFF,
                    {ATTR_ENTITY_ID: light},
                    blocking=True,
                )
        # Any failure of someone else's integration: logged, never ours to crash on.
        except Exception as err:  # noqa: BLE001
            _LOGGER.warning("%s did not turn off: %r", light, err)

    await asyncio.gather(
        *(turn_off(light) for light in dict.fromkeys(lights) if hass.states.get(light))
    )


class RackDrivers:
    """One driver per rack of a farm: started with the rack, stopped with it.

    Once stopped (unload, Home Assistant stopping) no driver starts again.
    """

    def __init__(self, host: DriverHost) -> None:
        """No driver yet; each starts with `async_start` or `async_sync`."""
        self._host = host
        self._drivers: dict[str, RackDriver] = {}
        # Pumps let go of while still running, followed until seen off.
        self._left_on: dict[str, CALLBACK_TYPE] = {}
        self._stopped = False

    def __contains__(self, rack_id: object) -> bool:
        """Whether a rack is driven."""
        return rack_id in self._drivers

    def __len__(self) -> int:
        """How many racks are driven."""
        return len(self._drivers)

    def driver(self, rack_id: str) -> RackDriver:
        """The driver of a rack that is driven."""
        return self._drivers[rack_id]

    @callback
    def async_start(self, rack_id: str) -> None:
        """Start driving a rack, unless it is driven or the farm is stopping."""
        if (
            self._stopped
            or rack_id in self._drivers
            or rack_id not in self._host.config.racks
        ):
            return
        driver = RackDriver(self._host, rack_id, self._async_pump_left_on)
        self._drivers[rack_id] = driver
        driver.async_start()

    @callback
    def async_sync(self) -> None:
        """After a change: start the new racks' drivers, retire the removed ones'."""
        if self._stopped:
            return  # stopping: no driver may start again
        racks = self._host.config.racks
        gone = [
            self._drivers.pop(rack_id)
            for rack_id in self._drivers.keys() - racks.keys()
        ]
        if gone:
            # A removed rack's scheduled light would stay as it is for good:
            # off, unless a rack that stays drives it too.
            lights = [
                light
                for driver in gone
                if (light := driver.driven_light) is not None
                and not _driven_by_another_rack(self._host, light, driver.rack_id)
            ]
            host = self._host
            host.entry.async_create_task(
                host.hass, self._async_retire(gone, lights), "stop drivers"
            )
        for rack_id in racks.keys() - self._drivers.keys():
            self.async_start(rack_id)

    async def _async_retire(self, drivers: list[RackDriver], lights: list[str]) -> None:
        """Stop removed racks' drivers (pumps off), then turn their lights off."""
        await async_stop_drivers(drivers, retire=True)
        await async_turn_off_lights(self._host.hass, lights)

    async def async_stop(self) -> None:
        """Put every driven pump in its safe state (off) and stop driving.

        All at once, within one deadline; one failing pump holds up no other.
        The pumps left on are followed again by the next farm (a reload).
        """
        self._stopped = True
        drivers = list(self._drivers.values())
        self._drivers.clear()
        await async_stop_drivers(drivers)
        for unsub in self._left_on.values():
            unsub()
        self._left_on.clear()

    @callback
    def async_take_on_notices(self) -> None:
        """Follow again the pumps left on that a farm before this one reported."""
        prefix = pump_left_on_issue_id(self._host.entry.entry_id, "")
        for (domain, issue_id), issue in list(
            ir.async_get(self._host.hass).issues.items()
        ):
            if domain == DOMAIN and issue.active and issue_id.startswith(prefix):
                self._async_follow_left_on(issue_id.removeprefix(prefix))

    @callback
    def _async_pump_left_on(self, pump: str, rack_name: str) -> None:
        """A pump no rack drives any more is still on: tell the user until it is off.

        Nothing switches it now, so nothing keeps trying: the notice says so,
        goes once the pump is seen off and can be confirmed away.
        """
        host = self._host
        ir.async_create_issue(
            host.hass,
            DOMAIN,
            pump_left_on_issue_id(host.entry.entry_id, pump),
            is_fixable=True,
            # Kept across a restart: no farm raises it again, the pump may still run.
            is_persistent=True,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_PUMP_LEFT_ON,
            translation_placeholders={
                "farm": host.config.settings.name,
                "pump": pump,
                "rack": rack_name,
            },
        )
        if not self._stopped:  # else the next farm takes it on
            self._async_follow_left_on(pump)

    @callback
    def _async_follow_left_on(self, pump: str) -> None:
        """Remove a pump's left-on notice once the pump is seen off."""
        hass = self._host.hass
        issue_id = pump_left_on_issue_id(self._host.entry.entry_id, pump)
        if pump in self._left_on:
            return
        if _pump_is_off(hass.states.get(pump)):
            ir.async_delete_issue(hass, DOMAIN, issue_id)
            return

        @callback
        def _changed(event: Event[EventStateChangedData]) -> None:
            if _pump_is_off(event.data["new_state"]):
                self._left_on.pop(pump)()
                ir.async_delete_issue(hass, DOMAIN, issue_id)

        self._left_on[pump] = async_track_state_change_event(hass, pump, _changed)


def _driven_by_another_rack(host: DriverHost, entity_id: str, rack_id: str) -> bool:
    """Whether a rack of the farm but `rack_id` drives the entity (its schedule is on)."""
    return any(
        other_id != rack_id
        and (
            (
                rack.light_entity == entity_id
                and host.schedule_enabled(other_id, LIGHT_SCHEDULE)
            )
            or (
                rack.pump_entity == entity_id
                and host.schedule_enabled(other_id, IRRIGATION_SCHEDULE)
            )
        )
        for other_id, rack in host.config.racks.items()
    )


def pump_stuck_issue_id(rack_id: str) -> str:
    """The repair issue id raised for a rack's pump that will not turn off."""
    return f"{ISSUE_PUMP_STUCK}_{rack_id}"


def pump_left_on_issue_id(entry_id: str, pump: str) -> str:
    """The repair issue id raised for a pump let go of while still running."""
    return f"{ISSUE_PUMP_LEFT_ON}_{entry_id}_{pump}"


def _pump_is_off(state: State | None) -> bool | None:
    """Whether a pump or valve is off; None when it cannot be told."""
    if state is None or state.state in (STATE_UNAVAILABLE, STATE_UNKNOWN):
        return None
    return state.state in (STATE_OFF, STATE_CLOSED)


def _pump_is_running(state: State | None) -> bool:
    """Whether a pump or valve is known to be running (on, open or opening)."""
    return state is not None and state.state in (STATE_ON, STATE_OPEN, STATE_OPENING)


def _left_running(taken: bool | None, state: State | None) -> bool:
    """After a turn-off: the pump is seen running, or refused while not seen off.

    A missing or offline pump (not sent: None) has nothing to report but its
    own absence.
    """
    return _pump_is_running(state) or (taken is False and _pump_is_off(state) is False)


def _light_is_on(state: State | None) -> bool | None:
    """Whether a light is on; None when it cannot be told."""
    if state is None or state.state not in (STATE_ON, STATE_OFF):
        return None
    return state.state == STATE_ON


class RackDriver:
    """Drives one rack's light and pump on the rack's schedules."""

    def __init__(
        self,
        farm: DriverHost,
        rack_id: str,
        left_on: Callable[[str, str], None],
    ) -> None:
        """Remember the rack; nothing runs until `async_start`.

        `left_on(pump, rack name)` is told of a pump let go of still running.
        """
        self.farm = farm
        self.rack_id = rack_id
        self._left_on = left_on
        self._retired = False  # the rack is removed: its pump is let go of
        self.hass: HomeAssistant = farm.hass
        self._light: str | None = None  # entity ids followed now
        self._pump: str | None = None
        self._following: tuple[str | None, str | None] | None = None
        self._rack_name = ""
        self._plan_key: PlanKey | None = None
        # What the schedule requires now; None while that schedule is off.
        self._light_wanted: bool | None = None
        self._pump_wanted: bool | None = None
        self._pump_off_pending = False  # a turn-off not yet seen to take
        self._pump_failures = 0  # checks that found the pump still on
        self._issue_raised = False
        self._started = False
        self._stopped = False
        self._complained: set[str] = set()
        self._tasks: set[asyncio.Task[Any]] = set()
        self._stopping_pump: str | None = None  # the pump a stop is turning off
        self._unsub_started: CALLBACK_TYPE | None = None
        self._unsub_farm: CALLBACK_TYPE | None = None
        self._unsub_states: CALLBACK_TYPE | None = None
        self._unsub_timer: CALLBACK_TYPE | None = None
        self._unsub_light_grace: CALLBACK_TYPE | None = None
        self._unsub_pump_grace: CALLBACK_TYPE | None = None
        self._unsub_pump_check: CALLBACK_TYPE | None = None

    # --- Lifecycle ------------------------------------------------------------

    @callback
    def async_start(self) -> None:
        """Start driving once Home Assistant has started.

        Linked lights and pumps may not exist while Home Assistant is still
        starting, so the first commands wait for it.
        """
        self._unsub_started = async_at_started(self.hass, self._async_begin)

    @callback
    def _async_begin(self, _hass: HomeAssistant) -> None:
        self._unsub_started = None
        self._started = True
        self._async_take_on_issue()
        self._unsub_farm = self.farm.async_listen(self.rack_id, self._async_changed)
        self._async_update(force=True)

    @callback
    def _async_take_on_issue(self) -> None:
        """Judge a pump-stuck issue raised before this setup (a reload, a restart).

        It stays, ours to clear, while this rack's pump may still be running;
        a pump seen off or no longer the rack's takes it away.
        """
        issue_id = pump_stuck_issue_id(self.rack_id)
        issue = ir.async_get(self.hass).async_get_issue(DOMAIN, issue_id)
        if issue is None:
            return
        rack = self.farm.config.racks.get(self.rack_id)
        pump = (issue.translation_placeholders or {}).get("pump")
        if (
            pump is not None
            and rack is not None
            and pump == rack.pump_entity
            and not _pump_is_off(self.hass.states.get(pump))
        ):
            self._issue_raised = True
        else:
            ir.async_delete_issue(self.hass, DOMAIN, issue_id)

    @property
    def driven_light(self) -> str | None:
        """The light this driver switches now (its schedule is on), else None."""
        return self._light if self._light_wanted is not None else None

    async def async_stop(self, *, retire: bool = False) -> None:
        """Stop driving: cancel every timer and listener, turn the pump off.

        Lights are left as they are (their safe state is what the schedule
        requires), so a restart does not switch them off mid-day. `retire`:
        the rack is removed, and a pump still running is reported as left on.
        """
        if self._stopped:
            return
        self._stopped = True
        self._retired = retire
        driven = self._pump_wanted is not None or self._pump_off_pending
        pump = self._pump if driven else None
        if (
            retire
            and pump is not None
            and _driven_by_another_rack(self.farm, pump, self.rack_id)
        ):
            pump = None  # the rack that stays drives it on
        if not self._started:
            rack = self.farm.config.racks.get(self.rack_id)
            if rack is not None and self.farm.schedule_enabled(
                self.rack_id, IRRIGATION_SCHEDULE
            ):
                pump, self._rack_name = rack.pump_entity, rack.name
        for unsub in (
            self._unsub_started,
            self._unsub_farm,
            self._unsub_states,
            self._unsub_timer,
            self._unsub_light_grace,
            self._unsub_pump_grace,
            self._unsub_pump_check,
        ):
            if unsub is not None:
                unsub()
        self._unsub_started = self._unsub_farm = self._unsub_states = None
        self._unsub_timer = self._unsub_light_grace = None
        self._unsub_pump_grace = self._unsub_pump_check = None
        if pump is None:
            await asyncio.gather(*self._tasks, return_exceptions=True)
            return
        self._stopping_pump = pump
        # Commands already on their way finish first, so the last word is "off".
        await asyncio.gather(*self._tasks, return_exceptions=True)
        left_running, state = await self._async_turn_off_and_look(pump)
        self._stopping_pump = None
        if left_running:
            self._async_report_not_off(pump)
        elif self._issue_raised and _pump_is_off(state):
            self._async_clear_issue()

    async def _async_turn_off_and_look(self, pump: str) -> tuple[bool, State | None]:
        """Turn a pump off and look: whether it was left running, and its state."""
        taken = await self._async_call(pump, self._pump_service(pump, on=False))
        state = await self._async_settled(pump) if taken else self.hass.states.get(pump)
        return _left_running(taken, state), state

    async def _async_settled(self, pump: str) -> State | None:
        """The pump's state once it stops running, or after PUMP_SETTLE_S."""
        state = self.hass.states.get(pump)
        if not _pump_is_running(state):
            return state
        stopped: asyncio.Future[State | None] = self.hass.loop.create_future()

        @callback
        def _changed(event: Event[EventStateChangedData]) -> None:
            new_state = event.data["new_state"]
            if not _pump_is_running(new_state) and not stopped.done():
                stopped.set_result(new_state)

        unsub = async_track_state_change_event(self.hass, pump, _changed)
        try:
            async with asyncio.timeout(PUMP_SETTLE_S):
                return await stopped
        except TimeoutError:
            return self.hass.states.get(pump)
        finally:
            unsub()

    @callback
    def async_stop_failed(self, why: str) -> None:
        """The stop of this driver failed or ran out of time: tell the user."""
        if (pump := self._stopping_pump) is None:
            return
        _LOGGER.warning("%s %s", pump, why)
        self._async_report_not_off(pump)

    @callback
    def _async_report_not_off(self, pump: str) -> None:
        """A stop could not see the pump off: stuck, or left on once the rack is gone."""
        if self._retired:
            self._async_clear_issue()  # nothing of this rack follows the pump now
            self._left_on(pump, self._rack_name)
        else:
            self._async_raise_stuck(pump)

    # --- Planning -------------------------------------------------------------

    @callback
    def _async_changed(self) -> None:
        """The rack's view may have changed: lay out the schedule again if it did."""
        self._async_update()

    @callback
    def _async_timer_fired(self, at: datetime) -> None:
        self._unsub_timer = None
        self._async_update(at=at, timer=True)

    @callback
    def _async_update(
        self, *, force: bool = False, at: datetime | None = None, timer: bool = False
    ) -> None:
        """Work out what the schedules require now, act on changes, set the timer."""
        rack = self.farm.config.racks.get(self.rack_id)
        if rack is None:
            return  # the rack is being removed; async_stop follows
        self._rack_name = rack.name
        if self._async_follow_entities(rack):
            force = True
        view = self.farm.views.rack(self.rack_id)
        light_on_schedule = self.farm.schedule_enabled(self.rack_id, LIGHT_SCHEDULE)
        pump_on_schedule = self.farm.schedule_enabled(self.rack_id, IRRIGATION_SCHEDULE)
        key: PlanKey = (
            rack,
            view.lights_on,
            view.photoperiod_h,
            light_on_schedule,
            pump_on_schedule,
        )
        if not force and not timer and key == self._plan_key:
            return  # an unrelated input (a climate reading): the timer still holds
        self._plan_key = key
        now = dt_util.utcnow()
        if at is not None and at > now:
            now = at  # a timer fired a hair early: act as of its instant
        changes: list[datetime] = []

        light_wanted: bool | None = None
        if rack.light_entity is not None and light_on_schedule:
            light_wanted = lighting.is_light_on(
                now, view.lights_on, view.photoperiod_h, self.farm.zone
            )
            change = lighting.next_light_change(
                now, view.lights_on, view.photoperiod_h, self.farm.zone
            )
            if change is not None:
                changes.append(change)
        pump_wanted: bool | None = None
        if rack.pump_entity is not None and pump_on_schedule:
            cycle = self._cycle(rack, view, now)
            pump_wanted = cycle is not None and cycle.running(now)
            if cycle is not None:
                changes.append(cycle.end if pump_wanted else cycle.start)

        self._async_apply_light(rack.light_entity, light_wanted, force=force)
        self._async_apply_pump(rack.pump_entity, pump_wanted, force=force)
        if self._unsub_timer is not None:
            self._unsub_timer()
            self._unsub_timer = None
        if changes:
            # The soonest instant: by the wall clock of a repeated hour, 02:30
            # after clocks go back would come before 02:45 ahead of the change.
            self._unsub_timer = async_track_point_in_utc_time(
                self.hass, self._async_timer_fired, min(changes, key=datetime.timestamp)
            )

    def _cycle(
        self, rack: RackConfig, view: RackView, now: datetime
    ) -> PumpCycle | None:
        """The pump cycle running now or next (the view's, unless it has passed)."""
        cycle = view.pump_cycle
        if cycle is not None and cycle.end > now:
            return cycle
        has_light = rack.light_entity is not None
        return pump_cycle(
            now,
            on_min=rack.pump_on_min,
            off_min=rack.pump_off_min,
            zone=self.farm.zone,
            lights_on=view.lights_on if has_light else None,
            photoperiod_h=view.photoperiod_h if has_light else None,
        )

    @callback
    def _async_follow_entities(self, rack: RackConfig) -> bool:
        """Watch the rack's light and pump; True when they changed."""
        entities = (rack.light_entity, rack.pump_entity)
        if entities == self._following:
            return False
        first = self._following is None
        self._following = entities
        if self._unsub_states is not None:
            self._unsub_states()
            self._unsub_states = None
        # The first entities followed are no change: an issue taken on stays.
        if not first:
            self._async_let_go_of_old(rack)
        self._light_wanted = None
        self._async_cancel_light_grace()
        self._light, self._pump = entities
        watched = [entity for entity in (self._light, self._pump) if entity]
        if watched:
            self._unsub_states = async_track_state_change_event(
                self.hass, watched, self._async_entity_changed
            )
        return True

    @callback
    def _async_let_go_of_old(self, rack: RackConfig) -> None:
        """The rack's light or pump changed: the old one is left in its safe state.

        Off, unless another rack drives it; an old pump is checked to be off.
        """
        old_light = self.driven_light
        if (
            old_light is not None
            and old_light != rack.light_entity
            and not _driven_by_another_rack(self.farm, old_light, self.rack_id)
        ):
            self._async_send(old_light, SERVICE_TURN_OFF)
        if (old_pump := self._pump) == rack.pump_entity:
            return
        if (
            old_pump is not None
            and (self._pump_wanted is not None or self._pump_off_pending)
            and not _driven_by_another_rack(self.farm, old_pump, self.rack_id)
        ):
            self._track(self._async_let_go_of_pump(old_pump), f"{old_pump} let go")
        self._async_forget_pump()

    async def _async_let_go_of_pump(self, pump: str) -> None:
        """Turn off a pump no longer driven here; one that stays on is reported."""
        left_running, _state = await self._async_turn_off_and_look(pump)
        if left_running:
            self._left_on(pump, self._rack_name)

    # --- Light ----------------------------------------------------------------

    @callback
    def _async_apply_light(
        self, light: str | None, wanted: bool | None, *, force: bool
    ) -> None:
        previous = self._light_wanted
        self._light_wanted = wanted
        if light is None or wanted is None:
            self._async_cancel_light_grace()  # schedule off: the light is the user's
            return
        if force or wanted != previous:
            self._async_cancel_light_grace()
            self._async_put_light(light, wanted)

    @callback
    def _async_put_light(self, light: str, wanted: bool) -> None:
        """Switch the light if it is not already as wanted."""
        if _light_is_on(self.hass.states.get(light)) is not wanted:
            self._async_send(light, SERVICE_TURN_ON if wanted else SERVICE_TURN_OFF)

    @callback
    def _async_light_changed(self, light: str, state: State | None) -> None:
        """Someone or something switched the light: put it back after the grace."""
        wanted = self._light_wanted
        is_on = _light_is_on(state)
        if wanted is None or is_on is None or is_on is wanted:
            self._async_cancel_light_grace()
            return
        if self._unsub_light_grace is None:
            # Any change of what is wanted cancels this, so `wanted` still holds then.
            self._unsub_light_grace = async_call_later(
                self.hass, GRACE, partial(self._async_light_grace_over, light, wanted)
            )

    @callback
    def _async_light_grace_over(self, light: str, wanted: bool, _now: datetime) -> None:
        self._unsub_light_grace = None
        self._async_put_light(light, wanted)

    @callback
    def _async_cancel_light_grace(self) -> None:
        if self._unsub_light_grace is not None:
            self._unsub_light_grace()
            self._unsub_light_grace = None

    # --- Pump -----------------------------------------------------------------

    @staticmethod
    def _pump_service(entity_id: str, *, on: bool) -> str:
        if entity_id.startswith(f"{VALVE_DOMAIN}."):
            return SERVICE_OPEN_VALVE if on else SERVICE_CLOSE_VALVE
        return SERVICE_TURN_ON if on else SERVICE_TURN_OFF

    @callback
    def _async_apply_pump(
        self, pump: str | None, wanted: bool | None, *, force: bool
    ) -> None:
        previous = self._pump_wanted
        self._pump_wanted = wanted
        if pump is None or wanted is None:
            self._async_cancel_pump_grace()
            if pump is not None and previous is not None:
                self._async_pump_off(pump)  # schedule switched off: safe state, once
            return
        if force or wanted != previous:
            self._async_cancel_pump_grace()
            if wanted:
                self._async_pump_on(pump)
            else:
                self._async_pump_off(pump)

    @callback
    def _async_pump_on(self, pump: str) -> None:
        self._pump_off_pending = False
        self._async_cancel_pump_check()
        if _pump_is_off(self.hass.states.get(pump)) is not False:
            self._async_send(pump, self._pump_service(pump, on=True))

    @callback
    def _async_pump_off(self, pump: str) -> None:
        """Turn the pump off (even if it looks off) and check back that it is."""
        self._pump_off_pending = True
        self._async_cancel_pump_check()
        delay = PUMP_CHECK_DELAYS[min(self._pump_failures, PUMP_STUCK_AFTER - 1)]
        self._unsub_pump_check = async_call_later(
            self.hass, delay, partial(self._async_check_pump, pump)
        )
        # Sent last: a command that completes at once may already settle the check.
        self._track(self._async_turn_pump_off(pump), f"{pump} off")

    async def _async_turn_pump_off(self, pump: str) -> None:
        await self._async_call(pump, self._pump_service(pump, on=False))
        # Already off (or off at once): no need to wait for the check.
        if self._pump_off_pending and _pump_is_off(self.hass.states.get(pump)):
            self._async_pump_seen_off()

    @callback
    def _async_check_pump(self, pump: str, _now: datetime) -> None:
        """Is the pump off after our turn-off? If not: again, and tell the user."""
        self._unsub_pump_check = None
        off = _pump_is_off(self.hass.states.get(pump))
        if off is None:
            # Cannot tell: the state listener takes over when it reports back.
            self._async_complain(pump, "cannot be checked to be off")
            return
        if off:
            self._async_pump_seen_off()
            return
        self._pump_failures += 1
        _LOGGER.warning(
            "%s is still on after being turned off (check %d)",
            pump,
            self._pump_failures,
        )
        if self._pump_failures >= PUMP_STUCK_AFTER:
            self._async_raise_stuck(pump)
        self._async_pump_off(pump)

    @callback
    def _async_raise_stuck(self, pump: str) -> None:
        if self._issue_raised:
            return
        self._issue_raised = True
        ir.async_create_issue(
            self.hass,
            DOMAIN,
            pump_stuck_issue_id(self.rack_id),
            is_fixable=False,
            severity=ir.IssueSeverity.ERROR,
            translation_key=ISSUE_PUMP_STUCK,
            translation_placeholders={"pump": pump, "rack": self._rack_name},
        )

    @callback
    def _async_pump_seen_off(self) -> None:
        self._pump_off_pending = False
        self._pump_failures = 0
        self._async_cancel_pump_check()
        self._async_clear_issue()

    @callback
    def _async_clear_issue(self) -> None:
        if self._issue_raised:
            self._issue_raised = False
            ir.async_delete_issue(self.hass, DOMAIN, pump_stuck_issue_id(self.rack_id))

    @callback
    def _async_pump_changed(self, pump: str, state: State | None) -> None:
        """Follow the pump: confirm turn-offs, stop one left running outside a cycle."""
        off = _pump_is_off(state)
        if off is None:
            return
        if off:
            self._async_cancel_pump_grace()
            if self._pump_off_pending or self._pump_failures or self._issue_raised:
                self._async_pump_seen_off()
            return
        if self._pump_off_pending:
            if self._unsub_pump_check is None:
                # Back from unavailable and still on: resume turning it off.
                self._async_pump_off(pump)
            return
        if self._pump_wanted is False and self._unsub_pump_grace is None:
            self._unsub_pump_grace = async_call_later(
                self.hass, GRACE, partial(self._async_pump_grace_over, pump)
            )

    @callback
    def _async_pump_grace_over(self, pump: str, _now: datetime) -> None:
        self._unsub_pump_grace = None
        # A new cycle or the schedule going off cancels this: still outside a cycle.
        if _pump_is_off(self.hass.states.get(pump)) is False:
            self._async_pump_off(pump)

    @callback
    def _async_cancel_pump_grace(self) -> None:
        if self._unsub_pump_grace is not None:
            self._unsub_pump_grace()
            self._unsub_pump_grace = None

    @callback
    def _async_cancel_pump_check(self) -> None:
        if self._unsub_pump_check is not None:
            self._unsub_pump_check()
            self._unsub_pump_check = None

    @callback
    def _async_forget_pump(self) -> None:
        """Drop what was known about the previous pump entity."""
        self._pump_wanted = None
        self._pump_off_pending = False
        self._pump_failures = 0
        self._async_cancel_pump_grace()
        self._async_cancel_pump_check()
        self._async_clear_issue()

    # --- Entities and commands ------------------------------------------------

    @callback
    def _async_entity_changed(self, event: Event[EventStateChangedData]) -> None:
        entity_id = event.data["entity_id"]
        state = event.data["new_state"]
        if state is not None and state.state != STATE_UNAVAILABLE:
            self._complained.discard(entity_id)  # a later outage is logged again
        if entity_id == self._light:
            self._async_light_changed(entity_id, state)
        if entity_id == self._pump:
            self._async_pump_changed(entity_id, state)

    @callback
    def _async_complain(self, entity_id: str, problem: str) -> None:
        """Log an entity's trouble once until it reports back."""
        if entity_id not in self._complained:
            self._complained.add(entity_id)
            _LOGGER.warning("%s %s", entity_id, problem)

    @callback
    def _async_send(self, entity_id: str, service: str) -> None:
        """Send a command in the background (its failure is logged, not raised)."""
        self._track(self._async_call(entity_id, service), f"{entity_id} {service}")

    def _track(self, coro: Coroutine[Any, Any, Any], name: str) -> None:
        task = self.farm.entry.async_create_task(
            self.hass, coro, f"vertical_farm driver {name}", eager_start=True
        )
        if not task.done():
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def _async_call(self, entity_id: str, service: str) -> bool | None:
        """Call a light, switch or valve service on one entity; never raise.

        Returns whether the entity's integration took the command: True or
        False, or None when it was not sent (the entity is missing or offline).
        """
        state = self.hass.states.get(entity_id)
        if state is None:
            self._async_complain(entity_id, f"does not exist; skipped {service}")
            return None
        if state.state == STATE_UNAVAILABLE:
            self._async_complain(entity_id, f"is unavailable; skipped {service}")
            return None
        try:
            async with asyncio.timeout(COMMAND_TIMEOUT_S):
                await self.hass.services.async_call(
                    entity_id.partition(".")[0],
                    service,
                    {ATTR_ENTITY_ID: entity_id},
                    blocking=True,
                )
        except asyncio.CancelledError as err:
            # The farm's own task being cancelled (unload, a deadline) goes on
            # up; a cancellation from inside the other integration is its failure.
            if (task := asyncio.current_task()) is not None and task.cancelling():
                raise
            self._async_complain(entity_id, f"did not take {service}: {err!r}")
            return False
        # Any failure of someone else's integration: logged, never ours to crash on.
        except Exception as err:  # noqa: BLE001
            self._async_complain(entity_id, f"did not take {service}: {err!r}")
            return False
        return True
