"""Long work in short turns: a farm's share of each event-loop turn.

Setting up a thousand plants' entities, refreshing every view at midnight or
catching up phases at start is work of a second or more. Done in one go it
would stall Home Assistant (no state change, no automation, no UI update
meanwhile); done one item per turn it would take needlessly long. A `Pacer`
lets a farm's tasks work until the current turn of the event loop has used
`TURN_BUDGET_S` and then yield: tasks sharing one pacer share that budget, so
ten platforms adding entities at once take one budget per turn, plus at most
one unit of work in all.
"""

from __future__ import annotations

import asyncio
from collections import deque
from time import monotonic

# Work per event-loop turn before yielding. Small against the 10 ms a turn may
# take in all, since the task that begins a turn does one unit of work (a
# plant's or a tank's entities of one platform) whatever it costs.
TURN_BUDGET_S = 0.002


class Pacer:
    """Shares each turn of the event loop between a farm's long tasks."""

    def __init__(self, budget_s: float | None = None) -> None:
        """Pace to `budget_s` of work per turn (default `TURN_BUDGET_S`)."""
        # Work per turn; a test may set it to 0 to run a unit of work a turn.
        self.budget_s = TURN_BUDGET_S if budget_s is None else budget_s
        self._turn_started: float | None = None
        # The loop turn after the farm's: its work waits, so what fell due
        # meanwhile (timers, another integration's callbacks) goes first.
        self._resting = False
        # The tasks waiting for a turn, oldest first: each waits on its own
        # future, woken one at a time, rather than looking again every turn
        # (ten platforms setting up would otherwise each run every turn).
        self._waiting: deque[asyncio.Future[None]] = deque()
        self._woken: asyncio.Future[None] | None = None

    def _turn_start(self, now: float) -> float:
        """When the farm's work in this turn began (now, if it begins now)."""
        if self._turn_started is None:
            self._turn_started = now
            # Runs at the start of the next turn, before any task that yields now.
            asyncio.get_running_loop().call_soon(self._end_turn)
        return self._turn_started

    def _end_turn(self) -> None:
        self._turn_started = None
        self._resting = True
        loop = asyncio.get_running_loop()
        loop.call_soon(self._end_rest)
        # Woken now, the oldest waiting task goes on right after the rest turn.
        self._wake_next()

    def _end_rest(self) -> None:
        self._resting = False
        self._wake_next()  # for a task that began waiting during the rest turn

    def _wake_next(self) -> None:
        """Let the oldest waiting task go on (unless one is on its way)."""
        if self._woken is not None:
            return
        while self._waiting:
            waiter = self._waiting.popleft()
            if not waiter.done():
                waiter.set_result(None)
                self._woken = waiter
                return

    async def pace(self) -> None:
        """Return at once while this turn has budget left; else in a later turn.

        A task that has to wait joins the queue. The oldest waiting task is
        woken when a turn of the farm's work ends and goes on after the turn
        that follows, whatever its own work costs; the others wait on. So the
        waiting tasks take turns in order and none starves, and together they
        do one budget of work per turn plus at most one unit. After each turn
        of the farm's work comes one without it: timers that fell due
        meanwhile run then, not after a second turn of the farm's work.
        """
        now = monotonic()
        if not self._resting and now - self._turn_start(now) < self.budget_s:
            return
        waiter = asyncio.get_running_loop().create_future()
        self._waiting.append(waiter)
        try:
            await waiter
        except asyncio.CancelledError:
            if waiter is self._woken:  # woken, then cancelled: pass the turn on
                self._woken = None
                self._wake_next()
            elif waiter in self._waiting:
                self._waiting.remove(waiter)
            raise
        self._woken = None
        if not self._resting:
            self._turn_start(monotonic())
