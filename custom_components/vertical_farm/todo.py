"""The farm's care list: the plants' care tasks and the grower's own to-dos.

Care tasks come from the plants (`CareBook.items`): each plant's task of
each kind is one item, its uid the task id `<plant_id>_<kind>`. Completing
one confirms the task (feeding adaptive learning; a watering is recorded as
one) and the item comes back with its next due date. Moving its due date
later snoozes it; earlier shortens or undoes a snooze, or brings the task
forward, down to today (`CareBook.async_move`). The grower's own
items live in the farm's store and survive restarts.
"""

from __future__ import annotations

from collections.abc import Mapping
import dataclasses
from datetime import date, datetime, timedelta
from typing import Any, Self

from homeassistant.components.todo.const import TodoItemStatus, TodoListEntityFeature
from homeassistant.components.todo.entity import TodoItem, TodoListEntity
from homeassistant.core import HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers.device_registry import DeviceInfo
from homeassistant.helpers.entity_platform import AddConfigEntryEntitiesCallback
from homeassistant.util import dt as dt_util, ulid as ulid_util

from .care_book import CareItem
from .const import DOMAIN
from .engine.care import CareKind
from .engine.errors import FarmError
from .farm import Farm, FarmConfigEntry
from .topology import FarmConfig

PARALLEL_UPDATES = 0

HORIZON_DAYS = 7  # care tasks due within a week are listed
STORE_KEY = "todo"  # the grower's own items, in the farm's own state dict

# Entity states are not translated: summaries are English, built from this table.
CARE_SUMMARY: Mapping[CareKind, str] = {
    CareKind.WATER: "Water {plant}",
    CareKind.FERTILIZE: "Feed {plant}",
    CareKind.REPOT: "Repot {plant}",
    CareKind.PEST_CHECK: "Check {plant} for pests",
}


def care_summary(kind: CareKind, plant_name: str) -> str:
    """What a care task asks, e.g. "Water Basil tray"."""
    return CARE_SUMMARY[kind].format(plant=plant_name)


def plant_location(farm: Farm, plant_id: str) -> str:
    """Where a plant stands, e.g. "Rack one, shelf 2" or "Standalone pot"."""
    plant = farm.config.plants[plant_id]
    rack = farm.config.racks.get(plant.rack or "")
    if rack is None:
        return "Standalone pot"
    if plant.shelf is None:
        return rack.name
    return f"{rack.name}, shelf {plant.shelf}"


def own_items_due(farm: Farm, today: date) -> list[tuple[str, date]]:
    """The grower's own open items due today or before: (summary, due), in order."""
    stored: list[dict[str, Any]] = farm.store.state(farm.entry.entry_id).get(
        STORE_KEY, []
    )
    return [
        (item["summary"], due)
        for item in stored
        if item["status"] == TodoItemStatus.NEEDS_ACTION
        and item["due"] is not None
        and (due := date.fromisoformat(item["due"])) <= today
    ]


def listed_care_items(items: list[CareItem], today: date) -> list[CareItem]:
    """The care tasks the list shows: everything due within `HORIZON_DAYS`.

    That is every overdue, due-today and upcoming (within two days) task, plus
    each plant's next task of each kind due in the coming week, so the grower
    can work ahead. Tasks due later stay off the list (repotting half a year
    out would only bury what matters); the calendar shows them.
    """
    last = today + timedelta(days=HORIZON_DAYS)
    return [item for item in items if item.due <= last]


class CareTodoItem(TodoItem):
    """A care task as listed: never changed in place, made anew when it changes.

    Being immutable, a copy of it is the item itself, as for a tuple. Home
    Assistant copies every listed item for the list's subscribers on each
    write, and a farm lists thousands of care tasks.
    """

    def __setattr__(self, name: str, value: Any) -> None:
        """Set each field once, when the item is made."""
        if name in self.__dict__:
            raise dataclasses.FrozenInstanceError(f"cannot assign to field {name!r}")
        super().__setattr__(name, value)

    def __copy__(self) -> Self:
        """The item itself: it never changes."""
        return self


def _as_date(value: date | datetime | None) -> date | None:
    """A due value as a date (the list keeps due dates, not times)."""
    return value.date() if isinstance(value, datetime) else value


async def async_setup_entry(
    hass: HomeAssistant,
    entry: FarmConfigEntry,
    async_add_entities: AddConfigEntryEntitiesCallback,
) -> None:
    """Add the farm's care list, each plant's care tasks worked out first in turns."""
    farm = entry.runtime_data.farm
    care_list = FarmCareList(farm)
    await care_list.async_prepare_items()
    async_add_entities([care_list])


class FarmCareList(TodoListEntity):
    """The plant care list of a farm."""

    _attr_has_entity_name = True
    _attr_should_poll = False
    _attr_translation_key = "care"
    _attr_supported_features = (
        TodoListEntityFeature.CREATE_TODO_ITEM
        | TodoListEntityFeature.UPDATE_TODO_ITEM
        | TodoListEntityFeature.DELETE_TODO_ITEM
        | TodoListEntityFeature.SET_DUE_DATE_ON_ITEM
        | TodoListEntityFeature.SET_DESCRIPTION_ON_ITEM
    )

    def __init__(self, farm: Farm) -> None:
        """Tie the list to the farm hub."""
        self.farm = farm
        entry_id = farm.entry.entry_id
        self._attr_unique_id = f"{entry_id}_care"
        self._attr_device_info = DeviceInfo(identifiers={(DOMAIN, entry_id)})
        # The item made for each care item last time: most are the same objects
        # from one refresh to the next, and the list compares equal at once.
        self._care_todo: dict[str, tuple[CareItem, TodoItem]] = {}
        self._care_todo_config: FarmConfig | None = None

    async def async_added_to_hass(self) -> None:
        """Fill the list and follow the farm's care and phase changes."""
        self._attr_todo_items = self._items()
        self.async_on_remove(
            self.farm.async_listen(self.farm.entry.entry_id, self._async_refresh)
        )

    async def async_prepare_items(self) -> None:
        """Make the care tasks' list items ahead of the first state, in turns."""
        today = dt_util.now(self.farm.zone).date()
        self._care_todo_config = self.farm.config
        for item in listed_care_items(await self.farm.care.async_items(), today):
            await self.farm.pacer.pace()
            self._care_todo[item.task_id] = (item, self._care_todo_item(item))

    @property
    def _own(self) -> list[dict[str, Any]]:
        """The grower's own items as stored (a live list: change it, then save)."""
        stored: list[dict[str, Any]] = self.farm.store.state(
            self.farm.entry.entry_id
        ).setdefault(STORE_KEY, [])
        return stored

    def _items(self) -> list[TodoItem]:
        """Care tasks (soonest first), then the grower's own items in their order."""
        today = dt_util.now(self.farm.zone).date()
        care: list[TodoItem] = []
        made: dict[str, tuple[CareItem, TodoItem]] = {}
        if self._care_todo_config is not self.farm.config:
            self._care_todo.clear()  # a rack or shelf may have a new name
            self._care_todo_config = self.farm.config
        for item in listed_care_items(self.farm.care.items(), today):
            known = self._care_todo.get(item.task_id)
            if known is None or (known[0] is not item and known[0] != item):
                known = (item, self._care_todo_item(item))
            made[item.task_id] = known
            care.append(known[1])
        self._care_todo = made
        own = [
            TodoItem(
                uid=stored["uid"],
                summary=stored["summary"],
                status=TodoItemStatus(stored["status"]),
                due=None
                if stored["due"] is None
                else date.fromisoformat(stored["due"]),
                description=stored["description"],
                completed=None
                if stored["completed"] is None
                else datetime.fromisoformat(stored["completed"]),
            )
            for stored in self._own
        ]
        return care + own

    def _care_todo_item(self, item: CareItem) -> TodoItem:
        """A care task as the list shows it."""
        return CareTodoItem(
            uid=item.task_id,
            summary=care_summary(item.kind, item.plant_name),
            status=TodoItemStatus.NEEDS_ACTION,
            due=item.due,
            description=plant_location(self.farm, item.plant_id),
        )

    @callback
    def _async_refresh(self) -> None:
        """Rebuild the list; write the state only when an item changed."""
        items = self._items()
        if items != self._attr_todo_items:
            self._attr_todo_items = items
            self.async_write_ha_state()

    def _care_task(self, uid: str) -> tuple[str, CareKind] | None:
        """The plant and kind a uid names, or None for the grower's own items."""
        try:
            return self.farm.care.parse_task_id(uid)
        except FarmError:
            return None

    def _stored(self, uid: str) -> dict[str, Any]:
        """One of the grower's own items, by uid.

        Raises:
            ServiceValidationError: `unknown_todo_item` when there is none.
        """
        for stored in self._own:
            if stored["uid"] == uid:
                return stored
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="unknown_todo_item",
            translation_placeholders={"item": uid},
        )

    def _listed(self, uid: str) -> TodoItem | None:
        return next(
            (item for item in self._attr_todo_items or () if item.uid == uid), None
        )

    def _name_of(self, uid: str) -> str:
        """How an error names an item: its summary when listed, else its uid."""
        listed = self._listed(uid)
        return listed.summary if listed is not None and listed.summary else uid

    async def async_create_todo_item(self, item: TodoItem) -> None:
        """Add one of the grower's own items."""
        due = _as_date(item.due)
        self._own.append(
            {
                "uid": ulid_util.ulid_now(),
                "summary": item.summary or "",
                "status": str(item.status or TodoItemStatus.NEEDS_ACTION),
                "due": None if due is None else due.isoformat(),
                "description": item.description,
                "completed": None,
            }
        )
        await self.farm.store.async_save_now()
        self._async_refresh()

    async def async_update_todo_item(self, item: TodoItem) -> None:
        """Complete or move a care task, or change one of the grower's own items.

        Raises:
            ServiceValidationError: `unknown_todo_item` for a uid that is neither;
                `care_task_not_editable` for a change to a care task other than
                completing it or moving its due date; `care_task_due_in_past`
                for a care task moved to a day before today.
        """
        uid = item.uid or ""
        if (task := self._care_task(uid)) is not None:
            await self._async_update_care(task, item)
            return
        stored = self._stored(uid)
        status = TodoItemStatus(item.status or TodoItemStatus.NEEDS_ACTION)
        if status is TodoItemStatus.COMPLETED and stored["completed"] is None:
            stored["completed"] = dt_util.now().isoformat()
        elif status is TodoItemStatus.NEEDS_ACTION:
            stored["completed"] = None
        due = _as_date(item.due)
        stored.update(
            summary=item.summary or stored["summary"],
            status=str(status),
            due=None if due is None else due.isoformat(),
            description=item.description,
        )
        await self.farm.store.async_save_now()
        self._async_refresh()

    async def _async_update_care(
        self, task: tuple[str, CareKind], item: TodoItem
    ) -> None:
        plant_id, kind = task
        if item.status == TodoItemStatus.COMPLETED:
            # The farm records it (a watering as one), learns from it and
            # tells this list the next due date.
            await self.farm.records.async_confirm_care([plant_id], kind, dt_util.now())
            return
        listed = self._listed(item.uid or "")
        due = _as_date(item.due)
        # Only the due date may move: the summary and description come from the plant.
        if (
            listed is not None
            and (listed_due := _as_date(listed.due)) is not None
            and due is not None
            and (item.summary, item.description) == (listed.summary, listed.description)
        ):
            if due == listed_due:
                return
            today = dt_util.now(self.farm.zone).date()
            if due < today:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="care_task_due_in_past",
                    translation_placeholders={
                        "item": self._name_of(item.uid or ""),
                        "due": due.isoformat(),
                    },
                )
            await self.farm.care.async_move(plant_id, kind, due, today=today)
            return
        raise ServiceValidationError(
            translation_domain=DOMAIN,
            translation_key="care_task_not_editable",
            translation_placeholders={"item": self._name_of(item.uid or "")},
        )

    async def async_delete_todo_items(self, uids: list[str]) -> None:
        """Delete some of the grower's own items; care tasks cannot be deleted.

        Nothing is deleted unless every uid can be.

        Raises:
            ServiceValidationError: `care_task_not_deletable` for a care task,
                `unknown_todo_item` for a uid that names no item.
        """
        for uid in uids:
            if self._care_task(uid) is not None:
                raise ServiceValidationError(
                    translation_domain=DOMAIN,
                    translation_key="care_task_not_deletable",
                    translation_placeholders={"item": self._name_of(uid)},
                )
            self._stored(uid)
        doomed = set(uids)
        self._own[:] = [stored for stored in self._own if stored["uid"] not in doomed]
        await self.farm.store.async_save_now()
        self._async_refresh()
