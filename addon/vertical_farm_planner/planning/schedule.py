"""A schedule: the plantings on every shelf, week by week, and the hard constraints.

Every new sowing goes through `Schedule.room`, which answers how many plants
of a crop still fit on a shelf in the weeks the sowing needs, or which
constraint refuses it. Existing plantings are fixed and may break a
constraint themselves (they are what the user already grows); new sowings
never add a violation.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from enum import StrEnum

from .model import Planting, Problem


class Constraint(StrEnum):
    """Why a sowing does not fit on a shelf (the API's stable names)."""

    RACK_PHOTOPERIOD = "rack_photoperiod"
    TANK_SOLUTION = "tank_solution"
    ANTAGONIST = "antagonist"
    SHELF_CAPACITY = "shelf_capacity"
    NOT_ENOUGH_TIME = "not_enough_time"


def score(problem: Problem, supply: Iterable[Iterable[int]]) -> int:
    """Return the objective: plants harvested in a week that wants them.

    Summed over crops and weeks, each week counting at most its demand; the
    shared yardstick of every solver (higher is better).
    """
    return sum(
        min(problem.demand(crop, week), harvested)
        for crop, weeks in enumerate(supply)
        for week, harvested in enumerate(weeks)
    )


class Schedule:
    """The plantings of a plan and the per-week state the constraints need."""

    def __init__(self, problem: Problem) -> None:
        """Start from the existing plantings only."""
        self.problem = problem
        weeks = range(problem.horizon_weeks)
        self.used = [[0 for _ in weeks] for _ in problem.shelves]
        self.shelf_crops: list[list[dict[int, int]]] = [
            [{} for _ in weeks] for _ in problem.shelves
        ]
        self.group_crops: list[list[dict[int, int]]] = [
            [{} for _ in weeks] for _ in range(problem.group_count)
        ]
        self.tank_crops: list[list[dict[int, int]]] = [
            [{} for _ in weeks] for _ in range(problem.tank_count)
        ]
        self.supply = [[0 for _ in weeks] for _ in problem.crops]
        self.met = 0
        self.sowings: dict[int, Planting] = {}
        self._serial = 0
        for planting in problem.existing:
            self._apply(planting, 1)

    # --- Reading -------------------------------------------------------------

    def room(self, crop: int, shelf: int, week: int) -> tuple[int, Constraint | None]:
        """Return how many plants of ``crop`` sown in ``week`` fit on ``shelf``.

        With 0, also the first constraint that refuses the sowing.
        """
        problem = self.problem
        spec = problem.crops[crop]
        if week < 0 or week + spec.grow_weeks >= problem.horizon_weeks:
            return 0, Constraint.NOT_ENOUGH_TIME
        weeks = range(week, week + spec.grow_weeks)
        place = problem.shelves[shelf]
        if not self.light_allows(crop, place.group, weeks):
            return 0, Constraint.RACK_PHOTOPERIOD
        if place.tank >= 0 and not self.tank_allows(crop, place.tank, weeks):
            return 0, Constraint.TANK_SOLUTION
        return self.shelf_room(crop, shelf, weeks)

    def light_allows(self, crop: int, group: int, weeks: range) -> bool:
        """Return whether ``crop`` shares the light group's photoperiod in ``weeks``.

        A group with a fixed photoperiod takes every crop that accepts it; one
        that follows its crops needs a photoperiod all of them accept.
        """
        problem = self.problem
        if not problem.light_fits[crop][group]:
            return False
        if problem.group_photoperiod_h[group] is not None:
            return True
        compatible = problem.light_compatible[crop]
        group_weeks = self.group_crops[group]
        return all(compatible[other] for week in weeks for other in group_weeks[week])

    def tank_allows(self, crop: int, tank: int, weeks: range) -> bool:
        """Return whether ``crop`` keeps one EC and pH window on the tank in ``weeks``."""
        compatible = self.problem.tank_compatible[crop]
        tank_weeks = self.tank_crops[tank]
        return all(compatible[other] for week in weeks for other in tank_weeks[week])

    def shelf_room(
        self, crop: int, shelf: int, weeks: range
    ) -> tuple[int, Constraint | None]:
        """Return the room on one shelf, checking antagonists and sites only."""
        compatible = self.problem.shelf_compatible[crop]
        shelf_weeks = self.shelf_crops[shelf]
        used = self.used[shelf]
        sites = self.problem.shelves[shelf].sites
        free = sites
        for week in weeks:
            for other in shelf_weeks[week]:
                if not compatible[other]:
                    return 0, Constraint.ANTAGONIST
            free = min(free, sites - used[week])
        room = max(free, 0) // self.problem.crops[crop].sites_per_plant
        return (room, None) if room > 0 else (0, Constraint.SHELF_CAPACITY)

    def shortfall(self, crop: int, week: int) -> int:
        """Return how many plants of ``crop`` harvested in ``week`` are still wanted."""
        return max(0, self.problem.demand(crop, week) - self.supply[crop][week])

    def shortfalls(self) -> Iterator[tuple[int, int, int]]:
        """Yield (crop, harvest week, plants missing) for every unmet week."""
        for crop in range(len(self.problem.crops)):
            for week in range(self.problem.horizon_weeks):
                missing = self.shortfall(crop, week)
                if missing:
                    yield crop, week, missing

    # --- Changing ------------------------------------------------------------

    def add(self, crop: int, shelf: int, week: int, quantity: int) -> int:
        """Add a new sowing and return its key; the caller checked `room`."""
        self._serial += 1
        planting = Planting(crop=crop, shelf=shelf, week=week, quantity=quantity)
        self.sowings[self._serial] = planting
        self._apply(planting, 1)
        return self._serial

    def remove(self, key: int) -> Planting:
        """Remove a new sowing and return it."""
        planting = self.sowings.pop(key)
        self._apply(planting, -1)
        return planting

    def _apply(self, planting: Planting, sign: int) -> None:
        """Add (sign 1) or take away (sign -1) a planting's effect."""
        problem = self.problem
        crop = planting.crop
        place = problem.shelves[planting.shelf]
        sites = planting.quantity * problem.crops[crop].sites_per_plant * sign
        used = self.used[planting.shelf]
        for week in problem.held_weeks(planting):
            used[week] += sites
            _count(self.shelf_crops[planting.shelf][week], crop, sign)
            _count(self.group_crops[place.group][week], crop, sign)
            if place.tank >= 0:
                _count(self.tank_crops[place.tank][week], crop, sign)
        harvest = planting.week + problem.crops[crop].grow_weeks
        if 0 <= harvest < problem.horizon_weeks:
            demand = problem.demand(crop, harvest)
            before = self.supply[crop][harvest]
            after = before + planting.quantity * sign
            self.supply[crop][harvest] = after
            self.met += min(demand, after) - min(demand, before)


def _count(counts: dict[int, int], crop: int, sign: int) -> None:
    """Change how many plantings of ``crop`` a week holds, dropping zeros."""
    value = counts.get(crop, 0) + sign
    if value:
        counts[crop] = value
    else:
        del counts[crop]
