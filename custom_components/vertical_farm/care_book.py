"""The care book: each plant's care tasks, what the grower did, and the care list.

What the grower confirmed is kept in the farm's store, per plant under
`care` and per kind of task: the day it was last done, the interval learned
from the last confirmations, a snooze and a follow-up. From that and the
plant's preset, `engine.care` plans the tasks; the book keeps each plant's
schedule for the day (readings leave it be), records confirmations, snoozes
and follow-ups, keeps the farm's care list (every plant's tasks, soonest
first, as the to-do list, the calendar and the task counts show it) and tells
automations once when a task falls due (`vertical_farm_care_due`).

A care task's id is "<plant id>_<kind>": kinds are matched from the end, so
a plant id may hold underscores.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from homeassistant.core import HomeAssistant

from .const import EVENT_CARE_DUE
from .engine import care
from .engine.errors import FarmError
from .engine.profiles import CarePreset, Phase
from .models import PlantConfig
from .pacing import Pacer
from .presenters import PlantView, preset_care_due
from .store import FarmStore
from .topology import FarmConfig

CARE_HISTORY = care.CONFIRMATIONS_KEPT  # confirmations kept per task for learning


@dataclass(frozen=True, kw_only=True, slots=True)
class CareItem:
    """One care task of one plant, as the care list shows it."""

    task_id: str  # "<plant subentry id>_<kind>"
    plant_id: str
    plant_name: str
    kind: care.CareKind
    due: date
    urgency: care.Urgency


def _care_sort_key(item: CareItem) -> tuple[Any, ...]:
    """Care items are listed soonest first, then by plant name and kind."""
    return (item.due, item.plant_name, item.kind)


class CareBook:
    """The farm's care: plans, confirmations and the care list."""

    def __init__(
        self,
        hass: HomeAssistant,
        store: FarmStore,
        *,
        config: Callable[[], FarmConfig],
        plant_view: Callable[[str], PlantView],
        preset_of: Callable[[PlantConfig], CarePreset | None],
        pacer: Pacer,
        changed: Callable[[Iterable[str]], None],
    ) -> None:
        """Keep care in `store`; `changed` is told the plants whose care moved."""
        self._hass = hass
        self._store = store
        self._config = config
        self._plant_view = plant_view
        self._preset_of = preset_of
        self._pacer = pacer
        self._changed = changed
        # Each plant's preset care as scheduled on a day: readings leave it be.
        self._scheduled: dict[str, tuple[date, tuple[care.DueTask, ...]]] = {}
        # Each plant's care items, kept while its view is the same object.
        self._plant_items: dict[str, tuple[PlantView, list[CareItem]]] = {}
        self._items: list[CareItem] | None = None
        # Counts the times the care list was forgotten: a list gathered in
        # turns is kept only if none came meanwhile.
        self._forgotten = 0

    # --- Plans ----------------------------------------------------------------

    def tasks(
        self, plant: PlantConfig, preset: CarePreset | None
    ) -> dict[care.CareKind, care.CareTask]:
        """A plant's care tasks from its preset and what the grower confirmed."""
        if preset is None:
            return {}
        stored: dict[str, dict[str, Any]] = self._store.state(plant.id).get("care", {})
        tasks = care.care_tasks(
            preset,
            started=plant.planted,
            last_done={
                care.CareKind(kind): date.fromisoformat(item["last_done"])
                for kind, item in stored.items()
                if item.get("last_done")
            },
            snoozed_until={
                care.CareKind(kind): date.fromisoformat(item["snoozed_until"])
                for kind, item in stored.items()
                if item.get("snoozed_until")
            },
            learned_interval_days={
                care.CareKind(kind): float(item["learned"])
                for kind, item in stored.items()
                if item.get("learned") is not None
            },
            follow_ups={
                care.CareKind(kind): date.fromisoformat(item["follow_up"])
                for kind, item in stored.items()
                if item.get("follow_up")
            },
        )
        return {task.kind: task for task in tasks}

    def scheduled(
        self,
        plant: PlantConfig,
        preset: CarePreset | None,
        *,
        phase: Phase | None,
        recirculating: bool,
        today: date,
    ) -> tuple[care.DueTask, ...]:
        """The preset's care of a plant as scheduled today (kept for the day)."""
        kept = self._scheduled.get(plant.id)
        if kept is not None and kept[0] == today:
            return kept[1]
        due = preset_care_due(
            plant.id,
            self.tasks(plant, preset),
            phase=phase,
            recirculating=recirculating,
            today=today,
            hemisphere=self._config().settings.hemisphere,
        )
        self._scheduled[plant.id] = (today, due)
        return due

    def replan(self, subjects: Iterable[str] | None = None) -> None:
        """Plan these plants' care again when next asked (None: every plant's)."""
        if subjects is None:
            self._scheduled.clear()
            return
        for subject in subjects:
            self._scheduled.pop(subject, None)

    # --- The care list ----------------------------------------------------------

    def forget_list(self) -> None:
        """Gather the care list again when next asked for."""
        self._items = None
        self._forgotten += 1

    def forget(self, subject: str) -> None:
        """A plant is gone: drop its plan and items."""
        self._scheduled.pop(subject, None)
        self._plant_items.pop(subject, None)

    def clear(self) -> None:
        """Let go of everything worked out (the farm stops)."""
        self._scheduled.clear()
        self._plant_items.clear()
        self.forget_list()

    async def async_gather(self, *prepare: Callable[[str], None]) -> None:
        """Work out every plant's view and care items, and `prepare` it, in turns.

        The care items gathered on the way are kept as the care list, sorted
        in a turn of their own, unless it was forgotten meanwhile (a change came).
        """
        forgotten = self._forgotten
        gathered: list[CareItem] = []
        for plant_id in list(self._config().plants):
            await self._pacer.pace()
            if plant_id in self._config().plants:  # not removed meanwhile
                gathered.extend(self.plant_items(plant_id))
                for each in prepare:
                    each(plant_id)
        await self._pacer.pace()
        if self._items is None and forgotten == self._forgotten:
            gathered.sort(key=_care_sort_key)
            self._items = gathered

    async def async_items(self) -> list[CareItem]:
        """`items()`, the plants' items gathered within the farm's turns.

        Only the sort takes a turn of its own; at 1,000 plants, gathering
        about 2,900 items in one turn took several milliseconds. Gathered
        again while they change meanwhile; after a few tries, in one turn.
        """
        for _attempt in range(3):
            if self._items is not None:
                break
            await self.async_gather()
        return self.items()

    def items(self) -> list[CareItem]:
        """Every plant's care tasks, soonest first (kept until one changes)."""
        if self._items is None:
            # Sort keys made only while sorting: kept for each item, they
            # would be thousands more objects for the collector to scan.
            self._items = sorted(
                (
                    item
                    for plant_id in self._config().plants
                    for item in self.plant_items(plant_id)
                ),
                key=_care_sort_key,
            )
        return self._items

    def plant_items(self, plant_id: str) -> list[CareItem]:
        """A plant's care items, made again with its view."""
        view = self._plant_view(plant_id)
        cached = self._plant_items.get(plant_id)
        if cached is not None and cached[0] is view:
            return cached[1]
        name = self._config().plants[plant_id].name
        items = [
            CareItem(
                task_id=f"{plant_id}_{task.kind}",
                plant_id=plant_id,
                plant_name=name,
                kind=task.kind,
                due=task.due,
                urgency=task.urgency,
            )
            for task in view.care
        ]
        self._plant_items[plant_id] = (view, items)
        return items

    def parse_task_id(self, task_id: str) -> tuple[str, care.CareKind]:
        """Split a care task id ("<plant id>_<kind>") into plant id and kind.

        Plant ids may hold underscores, and so may kinds (`pest_check`): the
        kind is the known suffix that leaves a plant of this farm.

        Raises:
            FarmError: `unknown_task` when it names no task of this farm.
        """
        plants = self._config().plants
        for kind in care.CareKind:
            plant_id = task_id.removesuffix(f"_{kind}")
            if plant_id != task_id and plant_id in plants:
                return plant_id, kind
        raise FarmError("unknown_task", task_id=task_id)

    # --- What the grower did --------------------------------------------------

    async def async_complete(
        self,
        plant_ids: Iterable[str],
        kind: care.CareKind,
        on: date,
    ) -> None:
        """Confirm a care task for plants: the next one is planned and learning moves.

        A confirmation dated before the last one recorded (logged late) is
        kept for learning but never brings the next one forward.
        """
        config = self._config()
        hemisphere = config.settings.hemisphere
        touched: set[str] = set()
        for plant_id in plant_ids:
            plant = config.plants[plant_id]
            task = self.tasks(plant, self._preset_of(plant)).get(kind)
            item = self._stored(plant_id, kind)
            history = [date.fromisoformat(day) for day in item.get("history", [])]
            if task is not None:
                confirmed = care.confirm_task(
                    task, on, history=history, hemisphere=hemisphere
                )
                item["learned"] = confirmed.learned_interval_days
                latest = confirmed.last_done == on
            else:
                latest = (
                    not item.get("last_done") or on.isoformat() >= item["last_done"]
                )
            # One done before the last one recorded (logged late) moves nothing on.
            if latest:
                item["last_done"] = on.isoformat()
                item["snoozed_until"] = None
                item.pop("follow_up", None)
            # Learning goes on from the learned interval: the latest days suffice.
            item["history"] = [
                day.isoformat() for day in sorted({*history, on})[-CARE_HISTORY:]
            ]
            touched.add(plant_id)
        await self._store.async_save_now()
        self._changed(touched)

    async def async_snooze(
        self, plant_id: str, kind: care.CareKind, until: date
    ) -> None:
        """Put a care task off until a date."""
        self._stored(plant_id, kind)["snoozed_until"] = until.isoformat()
        await self._store.async_save_now()
        self._changed({plant_id})

    async def async_move(
        self, plant_id: str, kind: care.CareKind, to: date, *, today: date
    ) -> None:
        """Move a care task to a day, as the grower set it on the care list.

        Later than its scheduled day (the preset's or the watering plan's, or
        a follow-up's) snoozes it until then; on that day it follows its
        schedule again; earlier brings it forward, as a follow-up. Either way
        it stays on that day until confirmed. Moved to today, it is told at once.

        Raises:
            FarmError: `unknown_task` for a task the plant does not have.
        """
        scheduled = self._unsnoozed_due(plant_id, kind)
        item = self._stored(plant_id, kind)
        item["snoozed_until"] = to.isoformat() if to > scheduled else None
        if to < scheduled:
            item["follow_up"] = to.isoformat()
        await self._store.async_save_now()
        self._changed({plant_id})
        if to <= today:
            await self.async_tell_due()

    def _unsnoozed_due(self, plant_id: str, kind: care.CareKind) -> date:
        """The day a plant's task is due by its schedule and follow-up, snooze aside.

        Raises:
            FarmError: `unknown_task` for a task the plant does not have.
        """
        watering = self._plant_view(plant_id).watering
        if kind is care.CareKind.WATER and watering is not None:
            return watering.planned_on
        plant = self._config().plants[plant_id]
        task = self.tasks(plant, self._preset_of(plant)).get(kind)
        if task is None:
            raise FarmError("unknown_task", task_id=f"{plant_id}_{kind}")
        return care.next_due(
            replace(task, snoozed_until=None), self._config().settings.hemisphere
        )

    async def async_follow_up(
        self, plant_ids: Iterable[str], kind: care.CareKind, on: date
    ) -> None:
        """Bring a care task forward to a day (an earlier follow-up stands)."""
        touched = set(plant_ids)
        for plant_id in touched:
            item = self._stored(plant_id, kind)
            if not item.get("follow_up") or on.isoformat() < item["follow_up"]:
                item["follow_up"] = on.isoformat()
        await self._store.async_save_now()
        self._changed(touched)

    def _stored(self, plant_id: str, kind: care.CareKind) -> dict[str, Any]:
        """What was done of one kind of task of a plant, as stored (made if new)."""
        stored: dict[str, dict[str, Any]] = self._store.state(plant_id).setdefault(
            "care", {}
        )
        return stored.setdefault(str(kind), {})

    async def async_tell_due(self) -> None:
        """Tell automations about tasks that became due, once per task and date.

        What was told is written at once after the events went out, not with
        the batched save seconds later: a crash after that does not tell the
        grower the same task again, and no crash loses a task's telling (at
        worst, a crash while telling tells a task twice).

        In the farm's share of each turn: after a day away from a farm of a
        thousand plants, over a thousand tasks may fall due at once.
        """
        told = False
        for item in list(await self.async_items()):
            if item.urgency not in (care.Urgency.TODAY, care.Urgency.OVERDUE):
                continue
            await self._pacer.pace()
            notified: dict[str, str] = self._store.state(item.plant_id).setdefault(
                "care_notified", {}
            )
            if notified.get(str(item.kind)) == item.due.isoformat():
                continue
            notified[str(item.kind)] = item.due.isoformat()
            told = True
            self._hass.bus.async_fire(
                EVENT_CARE_DUE,
                {
                    "task_id": item.task_id,
                    "plant_id": item.plant_id,
                    "kind": str(item.kind),
                    "due": item.due.isoformat(),
                },
            )
        if told:
            await self._store.async_save_now()
