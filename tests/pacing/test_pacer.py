"""The pacer on a plain event loop (real time): budgets, turns and fairness."""

import asyncio

from custom_components.vertical_farm.pacing import Pacer


async def test_pacer_shares_one_budget_per_turn() -> None:
    """Tasks sharing a pacer yield once its budget is used, and none starves."""
    turn = 0

    async def count_turns() -> None:
        nonlocal turn
        while True:
            turn += 1
            await asyncio.sleep(0)

    async def work(pacer: Pacer, name: str, done: list[tuple[str, int]]) -> None:
        for _ in range(3):
            await pacer.pace()
            done.append((name, turn))

    counter = asyncio.create_task(count_turns())
    await asyncio.sleep(0)
    tight: list[tuple[str, int]] = []
    tight_pacer = Pacer(budget_s=0.0)
    await asyncio.gather(work(tight_pacer, "a", tight), work(tight_pacer, "b", tight))
    # No budget: one unit of work a turn in all; the tasks take turns, none
    # starves (ten waiting platforms must not each add a plant in one turn).
    turns = [when for _, when in tight]
    assert len(set(turns)) == len(turns) == 6
    order = [who for who, _ in sorted(tight, key=lambda done: done[1])]
    assert order.count("a") == order.count("b") == 3
    assert order[:2] in (["a", "b"], ["b", "a"])

    roomy: list[tuple[str, int]] = []
    roomy_pacer = Pacer(budget_s=60.0)
    await asyncio.gather(work(roomy_pacer, "a", roomy), work(roomy_pacer, "b", roomy))
    # Budget to spare: both tasks do all their work without waiting a turn.
    assert len({when for _, when in roomy}) == 1
    counter.cancel()


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
