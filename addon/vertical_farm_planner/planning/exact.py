"""The exact reference planner for tiny instances (tests and benchmarks).

A depth-first branch and bound over every sowing that can meet demand: for
each (crop, sowing week), in week order, every split of the wanted plants
over the shelves, largest amounts first. A branch is cut when even meeting
every remaining shortfall that still has room could not beat the best plan
found. Sowing more than a week wants never raises the score and never makes
a constraint easier, so leaving surplus out loses no optimum. Exponential:
only for a handful of shelves, crops and weeks.
"""

from __future__ import annotations

from dataclasses import dataclass

from .model import Planting, Problem
from .schedule import Schedule


class SearchTooLargeError(Exception):
    """The instance needs more search nodes than allowed."""


@dataclass(frozen=True, kw_only=True, slots=True)
class _Item:
    crop: int
    sow_week: int
    harvest_week: int


def solve_exact(problem: Problem, node_limit: int = 2_000_000) -> Schedule:
    """Return an optimal schedule of ``problem``.

    Raises:
        SearchTooLargeError: when the search would visit more than ``node_limit`` nodes.
    """
    schedule = Schedule(problem)
    items = [
        _Item(crop=crop.index, sow_week=week - crop.grow_weeks, harvest_week=week)
        for week in range(problem.horizon_weeks)
        for crop in problem.crops
        if week >= crop.grow_weeks and schedule.shortfall(crop.index, week) > 0
    ]
    items.sort(key=lambda item: (item.sow_week, item.crop))
    search = _Search(schedule, items, node_limit)
    search.item(0)
    best = Schedule(problem)
    for planting in search.best_sowings:
        best.add(planting.crop, planting.shelf, planting.week, planting.quantity)
    return best


class _Search:
    """The state of one branch and bound run."""

    def __init__(self, schedule: Schedule, items: list[_Item], node_limit: int) -> None:
        self.schedule = schedule
        self.items = items
        self.node_limit = node_limit
        self.nodes = 0
        self.best_score = schedule.met
        self.best_sowings: list[Planting] = []

    def _room(self, item: _Item) -> int:
        """Return the plants of an item that could still be sown now."""
        schedule = self.schedule
        return sum(
            schedule.room(item.crop, shelf.index, item.sow_week)[0]
            for shelf in schedule.problem.shelves
        )

    def item(self, index: int) -> None:
        """Branch over the splits of item ``index`` and everything after it."""
        schedule = self.schedule
        if schedule.met > self.best_score:
            self.best_score = schedule.met
            self.best_sowings = list(schedule.sowings.values())
        if index == len(self.items):
            return
        # Rooms only shrink as the search goes deeper, so this bound holds below.
        bounds = [
            min(schedule.shortfall(item.crop, item.harvest_week), self._room(item))
            for item in self.items[index:]
        ]
        if schedule.met + sum(bounds) <= self.best_score:
            return
        self._split(
            index,
            0,
            schedule.shortfall(self.items[index].crop, self.items[index].harvest_week),
            sum(bounds[1:]),
        )

    def _split(self, index: int, shelf: int, need: int, later: int) -> None:
        """Choose how many plants of item ``index`` go on ``shelf`` and the next ones."""
        self.nodes += 1
        if self.nodes > self.node_limit:
            raise SearchTooLargeError
        schedule = self.schedule
        shelves = schedule.problem.shelves
        if need == 0 or shelf == len(shelves):
            self.item(index + 1)
            return
        if schedule.met + need + later <= self.best_score:
            return
        item = self.items[index]
        room, _ = schedule.room(item.crop, shelf, item.sow_week)
        for quantity in range(min(need, room), 0, -1):
            key = schedule.add(item.crop, shelf, item.sow_week, quantity)
            self._split(index, shelf + 1, need - quantity, later)
            schedule.remove(key)
        self._split(index, shelf + 1, need, later)
