"""Actionable notifications: care tasks done or snoozed from the mobile app.

A notification about a care task (see the blueprints in `blueprints/`)
carries two actions, `VERTICAL_FARM_DONE_<task_id>` and
`VERTICAL_FARM_SNOOZE_<task_id>`. When the grower taps one, the companion app
fires `mobile_app_notification_action`; this module confirms the task (the
next one is due an interval later; a watering done is recorded as one), or
moves its due date on by a day (an overdue task: to tomorrow), in whichever
loaded farm owns the task. The listener is registered once per Home
Assistant run; an action for a task that no longer exists (the plant was
removed) is logged and ignored.
"""

from __future__ import annotations

import logging

from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.util.hass_dict import HassKey

from .assistant import loaded_farms, local_now
from .const import DOMAIN
from .engine.care import CareKind, snoozed_due
from .engine.errors import FarmError
from .farm import Farm

_LOGGER = logging.getLogger(__name__)

EVENT_NOTIFICATION_ACTION = "mobile_app_notification_action"
ACTION_DONE = "VERTICAL_FARM_DONE_"
ACTION_SNOOZE = "VERTICAL_FARM_SNOOZE_"
SNOOZE_DAYS = 1

MOBILE_ACTIONS: HassKey[bool] = HassKey(f"{DOMAIN}_mobile_actions")


def find_task(hass: HomeAssistant, task_id: str) -> tuple[Farm, str, CareKind] | None:
    """The farm, plant and kind of a care task id, or None if no farm has it."""
    for farm in loaded_farms(hass):
        try:
            plant_id, kind = farm.care.parse_task_id(task_id)
        except FarmError:
            continue
        return farm, plant_id, kind
    return None


async def async_handle_notification_action(hass: HomeAssistant, action: str) -> bool:
    """Carry out a Vertical Farm notification action; False if it is not ours."""
    if action.startswith(ACTION_DONE):
        task_id, snooze = action.removeprefix(ACTION_DONE), False
    elif action.startswith(ACTION_SNOOZE):
        task_id, snooze = action.removeprefix(ACTION_SNOOZE), True
    else:
        return False
    if (found := find_task(hass, task_id)) is None:
        _LOGGER.warning("Notification action for unknown care task %s ignored", task_id)
        return True
    farm, plant_id, kind = found
    now = local_now()
    today = now.astimezone(farm.zone).date()
    if snooze:
        due = next(
            (task.due for task in farm.views.plant(plant_id).care if task.kind is kind),
            today,
        )
        until = snoozed_due(due, today=today, snooze_days=SNOOZE_DAYS)
        await farm.care.async_snooze(plant_id, kind, until)
        _LOGGER.debug("Care task %s snoozed until %s", task_id, until)
    else:
        await farm.records.async_confirm_care([plant_id], kind, now)
        _LOGGER.debug("Care task %s done on %s", task_id, today)
    return True


@callback
def async_setup_mobile_actions(hass: HomeAssistant) -> None:
    """Listen for mobile app notification actions (once per Home Assistant run)."""
    if hass.data.get(MOBILE_ACTIONS):
        return
    hass.data[MOBILE_ACTIONS] = True

    async def _async_on_action(event: Event) -> None:
        # Other apps' actions arrive here too; only ours are acted on.
        if isinstance(action := event.data.get("action"), str):
            await async_handle_notification_action(hass, action)

    hass.bus.async_listen(EVENT_NOTIFICATION_ACTION, _async_on_action)
