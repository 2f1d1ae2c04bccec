"""The pacer on a plain event loop (real time): budgets, turns and fairness."""

import asyncio
import sys

from custom_components.vertical_farm.pacing import Pacer

from ..turns import TurnCounter


async def test_pacer_shares_one_budget_per_turn() -> None:
    """Tasks sharing a pacer yield once its budget is used, and none starves."""

    async def work(
        pacer: Pacer, name: str, done: list[tuple[str, int]], counter: TurnCounter
    ) -> None:
        for _ in range(3):
            await pacer.pace()
            done.append((name, counter.turn))

    async with TurnCounter() as counter:
        tight: list[tuple[str, int]] = []
        tight_pacer = Pacer(budget_s=0.0)
        await asyncio.gather(
            work(tight_pacer, "a", tight, counter),
            work(tight_pacer, "b", tight, counter),
        )
        roomy: list[tuple[str, int]] = []
        roomy_pacer = Pacer(budget_s=60.0)
        await asyncio.gather(
            work(roomy_pacer, "a", roomy, counter),
            work(roomy_pacer, "b", roomy, counter),
        )
    # No budget: one unit of work a turn in all; the tasks take turns, none
    # starves (ten waiting platforms must not each add a plant in one turn).
    turns = [when for _, when in tight]
    assert len(set(turns)) == len(turns) == 6
    order = [who for who, _ in sorted(tight, key=lambda done: done[1])]
    assert order.count("a") == order.count("b") == 3
    assert order[:2] in (["a", "b"], ["b", "a"])
    # Budget to spare: both tasks do all their work without waiting a turn.
    assert len({when for _, when in roomy}) == 1


async def test_timers_due_meanwhile_go_before_the_next_turn() -> None:
    """A timer that fell due during a unit of work runs before the next unit."""
    pacer = Pacer(budget_s=0.0)
    log: list[str] = []
    loop = asyncio.get_running_loop()

    async def work(name: str) -> None:
        for _ in range(3):
            await pacer.pace()
            log.append(name)
            if len(log) == 1:  # due now: it runs once the loop looks at timers
                loop.call_at(loop.time(), log.append, "timer")

    await asyncio.gather(work("a"), work("b"))
    assert log[:2] == ["a", "timer"]
    assert log.count("a") == log.count("b") == 3


async def test_waiting_tasks_rest_until_their_turn() -> None:
    """A waiting task is woken for its turn, not looked at every turn.

    Ten platforms setting up at once wait most of the time: were each to wake
    every turn to look whether it may go on, they would cost ten task steps
    a turn. Counted here as resumptions of `pace` while it waits.
    """
    tasks, units = 10, 3
    pacer = Pacer(budget_s=0.0)
    resumed = 0

    def on_resume(_code: object, _offset: int) -> None:
        nonlocal resumed
        resumed += 1

    async def work() -> None:
        for _ in range(units):
            await pacer.pace()

    monitoring = sys.monitoring
    tool = monitoring.DEBUGGER_ID
    monitoring.use_tool_id(tool, "pacer test")
    try:
        monitoring.register_callback(tool, monitoring.events.PY_RESUME, on_resume)
        monitoring.set_local_events(
            tool, Pacer.pace.__code__, monitoring.events.PY_RESUME
        )
        await asyncio.gather(*(work() for _ in range(tasks)))
    finally:
        monitoring.set_local_events(tool, Pacer.pace.__code__, 0)
        monitoring.register_callback(tool, monitoring.events.PY_RESUME, None)
        monitoring.free_tool_id(tool)
    # Each unit of work waits for its turn once and is woken once.
    assert 0 < resumed <= tasks * units


async def test_a_cancelled_waiting_task_holds_up_no_other() -> None:
    """Cancelled while waiting or just woken, a task passes its turn on."""
    for turns_before_cancel in range(6):
        pacer = Pacer(budget_s=0.0)
        done: list[str] = []

        async def work(name: str, pacer: Pacer = pacer, done: list[str] = done) -> None:
            for _ in range(3):
                await pacer.pace()
                done.append(name)

        first = asyncio.create_task(work("first"))
        second = asyncio.create_task(work("second"))
        third = asyncio.create_task(work("third"))
        for _ in range(turns_before_cancel):
            await asyncio.sleep(0)
        first.cancel()
        await asyncio.wait_for(asyncio.gather(second, third), timeout=5)
        assert done.count("second") == done.count("third") == 3
        assert first.cancelled() or first.done()
