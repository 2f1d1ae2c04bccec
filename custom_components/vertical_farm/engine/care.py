"""Care reminders: intervals from presets, winter, snoozes, urgency and learning.

Units: intervals in days, dates as `date` (care is planned by the day). A task's
interval comes from its care preset, is stretched in winter by the preset's
factor, and slowly adapts to how often the grower actually does the task.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from itertools import pairwise
import math
from operator import attrgetter
from types import MappingProxyType

from .errors import FarmError
from .profiles import CarePreset, Hemisphere, Phase

UPCOMING_DAYS = 2  # a task due within this many days is "upcoming"
MIN_CONFIRMATIONS = 3  # learning starts with the third confirmation
MAX_STEP_DAYS = 1.0  # the learned interval moves at most this much per confirmation
LEARN_BAND = 0.3  # the learned interval stays within +-30 % of the preset
LEARN_WINDOW = 3  # the target is the mean of this many latest observed intervals
# Earlier confirmations `confirm_task` needs: the newest one's window.
CONFIRMATIONS_KEPT = LEARN_WINDOW
# Meteorological winter (whole months, as weather services count it).
WINTER_MONTHS: Mapping[Hemisphere, frozenset[int]] = MappingProxyType(
    {
        Hemisphere.NORTH: frozenset({12, 1, 2}),
        Hemisphere.SOUTH: frozenset({6, 7, 8}),
    }
)


class CareKind(StrEnum):
    """What a care task asks the grower to do."""

    WATER = "water"
    FERTILIZE = "fertilize"
    REPOT = "repot"
    PEST_CHECK = "pest_check"


class Urgency(StrEnum):
    """How soon a task is due, relative to today."""

    OVERDUE = "overdue"  # due date before today
    TODAY = "today"
    UPCOMING = "upcoming"  # due within UPCOMING_DAYS
    LATER = "later"


@dataclass(frozen=True, kw_only=True, slots=True)
class CareTask:
    """One recurring care task of one plant, as stored between confirmations."""

    kind: CareKind
    interval_days: float  # the preset's interval outside winter
    last_done: date  # last confirmation, or the day care started
    winter_factor: float = 1.0  # interval multiplier in winter (> 1 = less often)
    snoozed_until: date | None = None
    # From learned_interval_days(); None = use the preset interval.
    learned_interval_days: float | None = None
    # A follow-up (after an inspection found a problem) brings the task forward.
    follow_up_on: date | None = None

    def __post_init__(self) -> None:
        """Refuse intervals and factors that would never or always be due."""
        if not self.interval_days > 0:
            raise FarmError("invalid_interval", interval_days=self.interval_days)
        if not self.winter_factor > 0:
            raise FarmError("invalid_winter_factor", winter_factor=self.winter_factor)
        learned = self.learned_interval_days
        if learned is not None and not learned > 0:
            raise FarmError("invalid_interval", interval_days=learned)


@dataclass(frozen=True, kw_only=True, slots=True)
class DueTask:
    """When a task is next due and how urgent it is."""

    plant_id: str
    kind: CareKind
    due: date
    urgency: Urgency
    interval_days: float  # effective interval used, rounded to 0.1
    snoozed: bool  # the due date is a snooze, not the interval


@dataclass(frozen=True, kw_only=True, slots=True)
class TaskOutlook:
    """When one of a plant's tasks is next due: a DueTask but for the urgency.

    Due dates only change when a task is confirmed or snoozed; from one day to
    the next only the urgency moves. So the task as due at each urgency is
    made once, when first asked for, and `on(today)` picks the one for the day.
    """

    plant_id: str
    kind: CareKind
    due: date
    interval_days: float  # effective interval used, rounded to 0.1
    snoozed: bool  # the due date is a snooze, not the interval
    # The task as due at each urgency, in the order of `Urgency`, once made.
    _by_urgency: list[DueTask | None] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        """None made yet: most tasks are asked for at one urgency a day."""
        object.__setattr__(self, "_by_urgency", [None] * len(_URGENCIES))

    def on(self, today: date) -> DueTask:
        """The task as due on `today` (the same object for the same urgency)."""
        rank = _urgency_rank(self.due.toordinal() - today.toordinal())
        task = self._by_urgency[rank]
        if task is None:
            task = self._by_urgency[rank] = DueTask(
                plant_id=self.plant_id,
                kind=self.kind,
                due=self.due,
                urgency=_URGENCIES[rank],
                interval_days=self.interval_days,
                snoozed=self.snoozed,
            )
        return task


@dataclass(frozen=True, kw_only=True, slots=True)
class CarePlant:
    """A plant's care tasks and the facts that silence some of them."""

    plant_id: str
    phase: Phase
    tasks: tuple[CareTask, ...]
    # Set when a recirculating (hydro) tank keeps the roots wet: no watering reminders.
    on_recirculating_tank: bool = False
    # Worked out on first use, not in every whole-farm pass: due dates only
    # change when a task is confirmed or snoozed, which makes a new CarePlant.
    _outlooks: dict[Hemisphere, tuple[TaskOutlook, ...]] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def outlook(self, hemisphere: Hemisphere) -> tuple[TaskOutlook, ...]:
        """The tasks that apply to the plant now, soonest due first."""
        outlook = self._outlooks.get(hemisphere)
        if outlook is None:
            outlook = self._outlooks[hemisphere] = _outlook(self, hemisphere)
        return outlook


def preset_interval_days(preset: CarePreset, kind: CareKind) -> float:
    """The preset's interval for one kind of task, in days (0 = never)."""
    match kind:
        case CareKind.WATER:
            return preset.water_days
        case CareKind.FERTILIZE:
            return preset.fertilize_days
        case CareKind.REPOT:
            return preset.repot_days
        case _:  # CareKind.PEST_CHECK
            return preset.pest_check_days


def preset_winter_factor(preset: CarePreset, kind: CareKind) -> float:
    """The preset's winter multiplier for one kind of task.

    Only watering and feeding slow down in winter; repotting and pest checks
    keep their interval.
    """
    match kind:
        case CareKind.WATER:
            return preset.winter_water_factor
        case CareKind.FERTILIZE:
            return preset.winter_fertilize_factor
        case _:
            return 1.0


def is_winter(on: date, hemisphere: Hemisphere) -> bool:
    """Tell whether a date falls in meteorological winter.

    North: December to February; south: June to August.
    """
    return on.month in WINTER_MONTHS[hemisphere]


def care_tasks(
    preset: CarePreset,
    *,
    started: date,
    last_done: Mapping[CareKind, date] | None = None,
    snoozed_until: Mapping[CareKind, date] | None = None,
    learned_interval_days: Mapping[CareKind, float] | None = None,
    follow_ups: Mapping[CareKind, date] | None = None,
) -> tuple[CareTask, ...]:
    """Build a plant's tasks from its care preset.

    Kinds whose preset interval is 0 (never) are left out. A task that was
    never confirmed counts from `started`.

    Raises:
        FarmError: `invalid_interval` or `invalid_winter_factor` from a bad preset.
    """
    done = last_done or {}
    snoozes = snoozed_until or {}
    learned = learned_interval_days or {}
    follow = follow_ups or {}
    return tuple(
        CareTask(
            kind=kind,
            interval_days=preset_interval_days(preset, kind),
            winter_factor=preset_winter_factor(preset, kind),
            last_done=done.get(kind, started),
            snoozed_until=snoozes.get(kind),
            learned_interval_days=learned.get(kind),
            follow_up_on=follow.get(kind),
        )
        for kind in CareKind
        if preset_interval_days(preset, kind) != 0
    )


def _season_factor(on: date, winter_factor: float, hemisphere: Hemisphere) -> float:
    """The multiplier in force on a date."""
    return winter_factor if is_winter(on, hemisphere) else 1.0


def learned_interval_days(
    preset_interval_days: float,
    confirmations: Iterable[date],
    *,
    hemisphere: Hemisphere,
    winter_factor: float = 1.0,
) -> float:
    """Learn a task's interval (outside winter) from when it was actually done.

    Replays the confirmations in date order (same-day duplicates count once).
    Each observed interval is divided by the winter factor in force when it
    started, so winter slowness is not learned twice. From the third
    confirmation on, each confirmation moves the learned interval toward the
    mean of the latest `LEARN_WINDOW` observed intervals by at most
    `MAX_STEP_DAYS`, and the result is clamped to +-30 % of the preset.
    With fewer than three confirmations the preset is returned.

    `confirm_task` goes on from the learned interval kept in
    `CareTask.learned_interval_days` instead, with the latest confirmations
    only: for confirmations made in date order both give the same interval.

    Raises:
        FarmError: `invalid_interval` for a non-positive preset interval,
            `invalid_winter_factor` for a non-positive factor.
    """
    if not preset_interval_days > 0:
        raise FarmError("invalid_interval", interval_days=preset_interval_days)
    if not winter_factor > 0:
        raise FarmError("invalid_winter_factor", winter_factor=winter_factor)
    dates = sorted(set(confirmations))
    learned = preset_interval_days
    recent: deque[float] = deque(maxlen=LEARN_WINDOW)
    for index, (previous, current) in enumerate(pairwise(dates)):
        recent.append(_observed_days(previous, current, winter_factor, hemisphere))
        # Two confirmations give one interval: learning waits for the third.
        if index + 2 >= MIN_CONFIRMATIONS:
            learned = _learning_step(preset_interval_days, learned, recent)
    return learned


def _observed_days(
    previous: date, current: date, winter_factor: float, hemisphere: Hemisphere
) -> float:
    """The days between two confirmations, net of the winter they started in."""
    return (current - previous).days / _season_factor(
        previous, winter_factor, hemisphere
    )


def _learning_step(
    preset_interval_days: float, learned: float, recent: Sequence[float]
) -> float:
    """`learned` moved toward the mean of `recent` intervals, within the band."""
    target = sum(recent) / len(recent)
    step = min(MAX_STEP_DAYS, max(-MAX_STEP_DAYS, target - learned))
    low = preset_interval_days * (1 - LEARN_BAND)
    high = preset_interval_days * (1 + LEARN_BAND)
    return min(high, max(low, learned + step))


def effective_interval_days(task: CareTask, hemisphere: Hemisphere) -> float:
    """The interval counted from the task's last done date, in days.

    The learned interval (or the preset) times the winter factor when the last
    done date falls in winter: the season the interval starts in decides.
    """
    base = (
        task.interval_days
        if task.learned_interval_days is None
        else task.learned_interval_days
    )
    return base * _season_factor(task.last_done, task.winter_factor, hemisphere)


def _due_from_interval(task: CareTask, interval_days: float) -> tuple[date, bool]:
    """The due date for an effective interval, and whether a snooze set it."""
    days = max(1, math.floor(interval_days + 0.5))
    # Ordinal arithmetic: timedelta's calendar maths, cheaper in a whole-farm pass.
    due = date.fromordinal(task.last_done.toordinal() + days)
    if task.follow_up_on is not None and task.follow_up_on < due:
        due = task.follow_up_on
    if task.snoozed_until is not None and task.snoozed_until > due:
        return task.snoozed_until, True
    return due, False


def next_due(task: CareTask, hemisphere: Hemisphere) -> date:
    """The date a task is next due.

    Last done + the effective interval rounded half up to whole days (at least
    one day). A follow-up earlier than that brings it forward to the follow-up
    day. A snooze that ends later than that overrides it: the task is due
    on the snoozed-until date, and stays due from then on (overdue after it).
    Confirming a task clears its snooze and follow-up (`confirm_task`).
    """
    return _due_from_interval(task, effective_interval_days(task, hemisphere))[0]


def urgency(due: date, today: date) -> Urgency:
    """How urgent a due date is today."""
    return _URGENCIES[_urgency_rank(due.toordinal() - today.toordinal())]


_URGENCIES = tuple(Urgency)


def _urgency_rank(days_left: int) -> int:
    """The urgency of a due date `days_left` days away, as its place in `Urgency`."""
    if days_left < 0:
        return 0  # overdue
    if days_left == 0:
        return 1  # today
    if days_left <= UPCOMING_DAYS:
        return 2  # upcoming
    return 3  # later


_ALL_KINDS = frozenset(CareKind)
_DORMANT_KINDS = frozenset({CareKind.PEST_CHECK})
_RECIRCULATING_KINDS = _ALL_KINDS - {CareKind.WATER}


def active_kinds(plant: CarePlant) -> frozenset[CareKind]:
    """The kinds of task that may remind for this plant right now.

    A dormant plant only gets pest checks; a plant on a recirculating tank gets
    no watering reminders (the tank keeps its roots wet).
    """
    if plant.phase == Phase.DORMANCY:
        return _DORMANT_KINDS
    if plant.on_recirculating_tank:
        return _RECIRCULATING_KINDS
    return _ALL_KINDS


def _outlook(plant: CarePlant, hemisphere: Hemisphere) -> tuple[TaskOutlook, ...]:
    """The plant's applicable tasks and their due dates, soonest first."""
    kinds = active_kinds(plant)
    outlook: list[TaskOutlook] = []
    for task in plant.tasks:
        if task.kind not in kinds:
            continue
        interval = effective_interval_days(task, hemisphere)
        due, snoozed = _due_from_interval(task, interval)
        outlook.append(
            TaskOutlook(
                plant_id=plant.plant_id,
                kind=task.kind,
                due=due,
                interval_days=round(interval, 1),
                snoozed=snoozed,
            )
        )
    outlook.sort(key=attrgetter("due"))
    return tuple(outlook)


def care_schedule(
    plant: CarePlant, *, today: date, hemisphere: Hemisphere
) -> tuple[DueTask, ...]:
    """Every task that applies to the plant, with its due date, soonest first."""
    return tuple([task.on(today) for task in plant.outlook(hemisphere)])


def due_tasks(
    plant: CarePlant, *, today: date, hemisphere: Hemisphere
) -> tuple[DueTask, ...]:
    """The plant's tasks that are overdue, due today or upcoming, soonest first."""
    return due_from_schedule(care_schedule(plant, today=today, hemisphere=hemisphere))


def due_from_schedule(schedule: Iterable[DueTask]) -> tuple[DueTask, ...]:
    """The tasks of a schedule (from `care_schedule`) that are not due later.

    Equals `due_tasks` for the same plant and day, without working the
    schedule out again.
    """
    return tuple([task for task in schedule if task.urgency is not Urgency.LATER])


def snoozed_due(due: date, *, today: date, snooze_days: int) -> date:
    """The due date after a snooze: moved on by the snooze.

    A task not yet due moves from its due date (due Friday, snoozed 1 day:
    Saturday); an overdue task moves from today, so a snooze never leaves it
    overdue (due last Monday, snoozed 1 day on Wednesday: Thursday).

    Raises:
        FarmError: `invalid_snooze` for a snooze under one day.
    """
    if snooze_days < 1:
        raise FarmError("invalid_snooze", snooze_days=snooze_days)
    return date.fromordinal(max(due, today).toordinal() + snooze_days)


def confirm_task(
    task: CareTask,
    on: date,
    *,
    history: Sequence[date],
    hemisphere: Hemisphere,
) -> CareTask:
    """The task after the grower confirms doing it on a date.

    Done on or after the last done date: the last done date moves to `on`
    and the snooze and follow-up are cleared. Done earlier (logged late): the
    schedule stays as it is, since the task was done again after it.

    Learning goes on from the task's learned interval (the preset's when
    none was learned yet): a confirmation newer than all of `history` moves
    it as `learned_interval_days` would over every confirmation. Older or
    same-day ones leave it be.

    Args:
        task: The task as it stands.
        on: The day it was done.
        history: Earlier confirmation dates of this task; the latest
            `CONFIRMATIONS_KEPT` of them are enough.
        hemisphere: Decides which observed intervals started in winter.
    """
    earlier = sorted(set(history))
    learned = task.learned_interval_days
    if learned is None:
        learned = learned_interval_days(
            task.interval_days,
            earlier,
            hemisphere=hemisphere,
            winter_factor=task.winter_factor,
        )
    # Learning waits for the third confirmation, and the newest moves it.
    if len(earlier) + 1 >= MIN_CONFIRMATIONS and on > earlier[-1]:
        window = [*earlier[-CONFIRMATIONS_KEPT:], on]
        learned = _learning_step(
            task.interval_days,
            learned,
            [
                _observed_days(previous, current, task.winter_factor, hemisphere)
                for previous, current in pairwise(window)
            ],
        )
    if on < task.last_done:
        return replace(task, learned_interval_days=learned)
    return replace(
        task,
        last_done=on,
        snoozed_until=None,
        follow_up_on=None,
        learned_interval_days=learned,
    )
