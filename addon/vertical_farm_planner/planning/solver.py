"""The production planner: greedy construction, then local improvement.

Construction walks the demand week by week and puts each shortfall on the
shelves that fit it best (keeping light groups and tanks to the crops they
already serve). Improvement is a ruin-and-recreate search: it takes a group
of sowings out (a light group's or tank's weeks, a shelf, a crop, the
sowings that block a shortfall, or a few at random), re-inserts every
shortfall the hole lets in, in a shuffled order, and keeps the change only if
the plan is no worse. This closes the gaps a single greedy pass leaves when
an early choice (a photoperiod on a rack, a solution on a tank, a crop on a
shelf) blocks later demand.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
import math
import random
import time

from .model import Planting, Problem, Shelf
from .schedule import Schedule

DEFAULT_ITERATIONS = 6000
DEFAULT_PATIENCE = 1500
DEFAULT_TIME_LIMIT_S = 1.4
# Far beyond the 20-rack, 30-crop farm the greedy passes alone can take long:
# the first stops after half of this, the last one after all of it, and the
# demand not reached is reported unmet.
MAX_PLAN_S = 20.0


@dataclass(frozen=True, kw_only=True, slots=True)
class SolveStats:
    """What the search did, for benchmarks and logs."""

    construction_score: int
    score: int
    iterations: int
    upper_bound: int
    complete: bool  # False when a greedy pass ran out of time (huge farms)


def upper_bound(problem: Problem) -> int:
    """Return a score no plan can beat: all demand a crop has time to grow for."""
    existing = Schedule(problem).supply
    return sum(
        problem.demand(crop.index, week)
        if week >= crop.grow_weeks
        # Before a new sowing can be ready, only what already grows counts.
        else min(problem.demand(crop.index, week), existing[crop.index][week])
        for crop in problem.crops
        for week in range(problem.horizon_weeks)
    )


def solve(
    problem: Problem,
    *,
    seed: int = 0,
    iterations: int = DEFAULT_ITERATIONS,
    patience: int = DEFAULT_PATIENCE,
    time_limit_s: float | None = DEFAULT_TIME_LIMIT_S,
    max_plan_s: float = MAX_PLAN_S,
) -> tuple[Schedule, SolveStats]:
    """Return a good schedule for ``problem`` and what the search did.

    Deterministic for a seed as long as the time limit does not cut the
    search short; ``time_limit_s`` bounds the improvement phase on large farms,
    ``max_plan_s`` the greedy passes on huge ones.
    """
    started = time.perf_counter()
    schedule = Schedule(problem)
    rng = random.Random(seed)  # noqa: S311 - a search, not a secret
    complete = construct(schedule, deadline=started + max_plan_s / 2)
    constructed = schedule.met
    bound = upper_bound(problem)
    deadline = None if time_limit_s is None else started + time_limit_s
    done = improve(
        schedule,
        rng,
        iterations=iterations,
        patience=patience,
        bound=bound,
        deadline=deadline,
    )
    # A last pass, so no shortfall is left that some shelf could still take.
    for crop, week, _ in list(schedule.shortfalls()):
        if time.perf_counter() > started + max_plan_s:
            complete = False
            break
        insert(schedule, crop, week)
    return schedule, SolveStats(
        construction_score=constructed,
        score=schedule.met,
        iterations=done,
        upper_bound=bound,
        complete=complete,
    )


def construct(schedule: Schedule, deadline: float | None = None) -> bool:
    """Fill the schedule greedily, sowing week by sowing week.

    Returns whether every shortfall was tried before ``deadline``.
    """
    problem = schedule.problem
    items = [
        (week - crop.grow_weeks, crop.index, week)
        for crop in problem.crops
        for week in range(crop.grow_weeks, problem.horizon_weeks)
        if problem.demand(crop.index, week) > 0
    ]
    # Within a sowing week, the crops that hold the most site-weeks go first.
    items.sort(
        key=lambda item: (
            item[0],
            -problem.crops[item[1]].grow_weeks * problem.crops[item[1]].sites_per_plant,
            item[1],
        )
    )
    for _, crop, week in items:
        if deadline is not None and time.perf_counter() > deadline:
            return False
        insert(schedule, crop, week)
    return True


def insert(
    schedule: Schedule,
    crop: int,
    harvest_week: int,
    rng: random.Random | None = None,
    added: list[int] | None = None,
    *,
    prefer: frozenset[int] = frozenset(),
    shelves: Sequence[Shelf] | None = None,
) -> None:
    """Sow as much of a shortfall as fits, best shelves first.

    Shelves in ``prefer`` come before all others (a search move that tries a
    crop on another rack); ``shelves`` limits the search to those that changed.
    """
    need = schedule.shortfall(crop, harvest_week)
    if need <= 0:
        return
    problem = schedule.problem
    spec = problem.crops[crop]
    sow_week = harvest_week - spec.grow_weeks
    if sow_week < 0:
        return
    weeks = range(sow_week, harvest_week)
    light: dict[int, bool] = {}
    tank: dict[int, bool] = {}
    candidates: list[tuple[float, int]] = []
    for shelf in problem.shelves if shelves is None else shelves:
        group_ok = light.get(shelf.group)
        if group_ok is None:
            group_ok = light[shelf.group] = schedule.light_allows(
                crop, shelf.group, weeks
            )
        if not group_ok:
            continue
        if shelf.tank >= 0:
            tank_ok = tank.get(shelf.tank)
            if tank_ok is None:
                tank_ok = tank[shelf.tank] = schedule.tank_allows(
                    crop, shelf.tank, weeks
                )
            if not tank_ok:
                continue
        room, _ = schedule.shelf_room(crop, shelf.index, weeks)
        if room <= 0:
            continue
        candidates.append(
            (
                (-100.0 if shelf.index in prefer else 0.0)
                + _preference(
                    schedule,
                    crop=crop,
                    shelf=shelf.index,
                    weeks=weeks,
                    room=room,
                    need=need,
                    rng=rng,
                ),
                shelf.index,
            )
        )
    candidates.sort()
    for _, shelf_index in candidates:
        # Earlier sowings of this item may have taken room on a shared shelf.
        room, _ = schedule.shelf_room(crop, shelf_index, weeks)
        if room <= 0:
            continue
        quantity = min(need, room)
        key = schedule.add(crop, shelf_index, sow_week, quantity)
        if added is not None:
            added.append(key)
        need -= quantity
        if need == 0:
            return


def _preference(
    schedule: Schedule,
    *,
    crop: int,
    shelf: int,
    weeks: range,
    room: int,
    need: int,
    rng: random.Random | None,
) -> float:
    """Return how good a shelf is for a sowing (lower is better)."""
    place = schedule.problem.shelves[shelf]
    group_weeks = schedule.group_crops[place.group]
    # Claiming an idle light group or tank fixes its photoperiod or solution
    # (a rack with fixed light hours has them already).
    cost = 0.0
    if schedule.problem.group_photoperiod_h[place.group] is None:
        cost += 2.0 * sum(1 for week in weeks if not group_weeks[week])
    if place.tank >= 0:
        tank_weeks = schedule.tank_crops[place.tank]
        cost += 1.0 * sum(1 for week in weeks if not tank_weeks[week])
    shelf_weeks = schedule.shelf_crops[shelf]
    if any(
        crop in shelf_weeks[week]
        for week in (weeks.start - 1, weeks.stop)
        if 0 <= week < len(shelf_weeks)
    ):
        cost -= 1.0
    if room >= need:
        # Best fit: the tightest shelf that takes it all keeps big gaps free.
        cost += (room - need) / max(place.sites, 1)
    else:
        cost += 3.0
    if rng is not None:
        cost += rng.random() * 3.0
    return cost


def improve(
    schedule: Schedule,
    rng: random.Random,
    *,
    iterations: int,
    patience: int,
    bound: int,
    deadline: float | None,
) -> int:
    """Improve the schedule by ruin and recreate; return the iterations done.

    A change that is no worse is always kept. A worse one is kept with a
    probability that shrinks with how much worse it is and with the time
    spent (simulated annealing), so the search can leave a plan whose every
    small change loses; the best plan seen is what remains at the end.
    """
    problem = schedule.problem
    demands = [crop.weekly_demand for crop in problem.crops if crop.weekly_demand]
    if not problem.shelves or not demands:
        return 0
    # Losing a fraction of a typical week's demand is a modest step.
    start_temperature = max(0.5, 0.3 * sum(demands) / len(demands))
    started = time.perf_counter()
    current = best = (schedule.met, -len(schedule.sowings))
    best_sowings = list(schedule.sowings.values())
    since_better = 0
    done = 0
    for round_number in range(1, iterations + 1):
        if best[0] >= bound or since_better >= patience:
            break
        now_s = time.perf_counter()
        if deadline is not None and now_s > deadline:
            break
        done = round_number
        progress = round_number / iterations
        if deadline is not None:
            progress = max(progress, (now_s - started) / max(deadline - started, 1e-9))
        temperature = start_temperature * (1.0 - progress)
        ruin = _ruin(schedule, rng)
        added: list[int] = []
        for crop, week in ruin.first:
            insert(
                schedule, crop, week, rng, added, prefer=ruin.prefer, shelves=ruin.scope
            )
        for crop, week in _reinsertion_order(schedule, ruin.window, rng):
            insert(schedule, crop, week, rng, added, shelves=ruin.scope)
        now = (schedule.met, -len(schedule.sowings))
        since_better += 1
        if now >= current or (
            temperature > 0
            and rng.random() < math.exp((now[0] - current[0]) / temperature)
        ):
            current = now
            if now > best:
                best = now
                best_sowings = list(schedule.sowings.values())
                since_better = 0
            continue
        for key in added:
            schedule.remove(key)
        for planting in ruin.removed:
            schedule.add(
                planting.crop, planting.shelf, planting.week, planting.quantity
            )
    if current < best:
        for key in list(schedule.sowings):
            schedule.remove(key)
        for planting in best_sowings:
            schedule.add(
                planting.crop, planting.shelf, planting.week, planting.quantity
            )
    return done


@dataclass(frozen=True, kw_only=True, slots=True)
class _Ruin:
    """What one ruin step took out and where re-insertion should look."""

    removed: list[Planting]
    window: range  # the weeks the removed sowings held or fed
    first: list[tuple[int, int]]  # (crop, harvest week) to fill before the rest
    prefer: frozenset[int]  # shelves `first` tries before any other
    scope: tuple[Shelf, ...]  # shelves whose state changed, with group and tank mates


def _ruin(schedule: Schedule, rng: random.Random) -> _Ruin:
    """Take some sowings out, chosen by one of several neighbourhoods."""
    problem = schedule.problem
    horizon = problem.horizon_weeks
    if rng.random() < 0.25:
        window = range(horizon)
    else:
        length = rng.randint(1, max(1, horizon // 3) + 2)
        start = rng.randrange(horizon)
        window = range(start, min(horizon, start + length))
    first: list[tuple[int, int]] = []
    prefer: frozenset[int] = frozenset()
    choice = rng.random()
    if choice < 0.15:
        # Move a crop to another light group: clear the group and the crop's
        # sowings, then sow the crop there first. One photoperiod per rack
        # makes this a move no single re-insertion finds.
        crop = rng.randrange(len(problem.crops))
        group = rng.randrange(problem.group_count)
        prefer = frozenset(s.index for s in problem.shelves if s.group == group)
        keys = [
            key
            for key, planting in schedule.sowings.items()
            if (planting.crop == crop or planting.shelf in prefer)
            and _touches(problem, planting, window)
        ]
        removed = [schedule.remove(key) for key in keys]
        first = sorted(
            (
                (crop, week)
                for week in range(
                    max(window.start, problem.crops[crop].grow_weeks),
                    min(horizon, window.stop + problem.crops[crop].grow_weeks),
                )
                if schedule.shortfall(crop, week)
            ),
            key=lambda item: item[1],
        )
        return _finish(problem, removed, window, first, prefer)
    selected: set[int] = set()
    if choice < 0.4:
        # The sowings that stand in the way of one shortfall.
        shortfalls = [
            (crop, week)
            for crop, week, _ in schedule.shortfalls()
            if week >= problem.crops[crop].grow_weeks
        ]
        if shortfalls:
            target = rng.choice(shortfalls)
            first = [target]
            spec = problem.crops[target[0]]
            window = range(target[1] - spec.grow_weeks, target[1])
            shelf = rng.choice(problem.shelves)
            scope = rng.random()
            if scope < 0.4:
                selected = {shelf.index}
            elif scope < 0.8 or shelf.tank < 0:
                selected = {s.index for s in problem.shelves if s.group == shelf.group}
            else:
                selected = {s.index for s in problem.shelves if s.tank == shelf.tank}
            keys = _overlapping(schedule, selected, window)
        else:
            keys = _random_keys(schedule, rng)
    elif choice < 0.5:
        # One or two light groups: lets two racks trade their photoperiods.
        groups = {rng.randrange(problem.group_count) for _ in range(rng.randint(1, 2))}
        selected = {s.index for s in problem.shelves if s.group in groups}
        keys = _overlapping(schedule, selected, window)
    elif choice < 0.6 and problem.tank_count:
        tank = rng.randrange(problem.tank_count)
        selected = {s.index for s in problem.shelves if s.tank == tank}
        keys = _overlapping(schedule, selected, window)
    elif choice < 0.7:
        selected = {rng.randrange(len(problem.shelves))}
        keys = _overlapping(schedule, selected, window)
    elif choice < 0.8 and schedule.sowings:
        crop = rng.choice(list(schedule.sowings.values())).crop
        keys = [
            key
            for key, planting in schedule.sowings.items()
            if planting.crop == crop and _touches(problem, planting, window)
        ]
    elif choice < 0.9 and len(problem.shelves) * horizon <= 400:
        # Small farms: everything in a window.
        keys = _overlapping(schedule, set(range(len(problem.shelves))), window)
    else:
        keys = _random_keys(schedule, rng)
    removed = [schedule.remove(key) for key in keys]
    return _finish(problem, removed, window, first, prefer | selected)


def _finish(
    problem: Problem,
    removed: list[Planting],
    window: range,
    first: list[tuple[int, int]],
    touched: frozenset[int] | set[int],
) -> _Ruin:
    """Return the ruin with its window widened and its scope of shelves."""
    for planting in removed:
        grow = problem.crops[planting.crop].grow_weeks
        window = range(
            max(0, min(window.start, planting.week)),
            min(problem.horizon_weeks, max(window.stop, planting.week + grow + 1)),
        )
    changed = {planting.shelf for planting in removed} | set(touched)
    # Freed room on a shelf can also lift a light group's or a tank's limit.
    groups = {problem.shelves[shelf].group for shelf in changed}
    tanks = {problem.shelves[shelf].tank for shelf in changed} - {-1}
    scope = tuple(
        shelf
        for shelf in problem.shelves
        if shelf.group in groups or shelf.tank in tanks
    )
    prefer = frozenset(touched) if first else frozenset()
    return _Ruin(
        removed=removed, window=window, first=first, prefer=prefer, scope=scope
    )


def _random_keys(schedule: Schedule, rng: random.Random) -> list[int]:
    """Return a few sowings picked at random."""
    keys = list(schedule.sowings)
    return rng.sample(keys, min(len(keys), rng.randint(1, 4)))


def _overlapping(schedule: Schedule, shelves: set[int], window: range) -> list[int]:
    """Return the sowings on ``shelves`` that hold sites in ``window``."""
    problem = schedule.problem
    return [
        key
        for key, planting in schedule.sowings.items()
        if planting.shelf in shelves and _touches(problem, planting, window)
    ]


def _touches(problem: Problem, planting: Planting, window: range) -> bool:
    """Return whether a sowing holds its sites in some week of ``window``."""
    weeks = problem.held_weeks(planting)
    return weeks.start < window.stop and window.start < weeks.stop


def _reinsertion_order(
    schedule: Schedule, window: range, rng: random.Random
) -> list[tuple[int, int]]:
    """Return the shortfalls a ruined window may take, in a shuffled order."""
    problem = schedule.problem
    items = [
        (crop, week)
        for crop, week, _ in schedule.shortfalls()
        if week >= problem.crops[crop].grow_weeks
        # Only sowings that overlap the freed weeks can use the room.
        and week - problem.crops[crop].grow_weeks < window.stop
        and week > window.start
    ]
    if rng.random() < 0.5:
        rng.shuffle(items)
    else:
        noise = {item: rng.random() * 2 for item in items}
        items.sort(
            key=lambda item: item[1] - problem.crops[item[0]].grow_weeks + noise[item]
        )
    return items
