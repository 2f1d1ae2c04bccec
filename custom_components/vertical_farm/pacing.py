"""Long work in short turns: a farm's share of each event-loop turn.

Setting up a thousand plants' entities, refreshing every view at midnight or
catching up phases at start is work of a second or more. Done in one go it
would stall Home Assistant (no state change, no automation, no UI update
meanwhile); done one item per turn it would take needlessly long. A `Pacer`
lets a farm's tasks work until the current turn of the event loop has used
`TURN_BUDGET_S` and then yield: tasks sharing one pacer share that budget, so
ten platforms adding entities at once take one budget per turn, plus at most
one unit of work each.
"""

from __future__ import annotations

import asyncio
from time import monotonic

# Work per event-loop turn before yielding. Small against the 10 ms a turn may
# take in all, since each waiting task does one more unit of work (a plant's
# or a tank's entities of one platform) in the next turn.
TURN_BUDGET_S = 0.003


class Pacer:
    """Shares each turn of the event loop between a farm's long tasks."""

    def __init__(self, budget_s: float = TURN_BUDGET_S) -> None:
        """Pace to `budget_s` of work per turn."""
        self._budget_s = budget_s
        self._turn_started: float | None = None

    def _turn_start(self, now: float) -> float:
        """When the farm's work in this turn began (now, if it begins now)."""
        if self._turn_started is None:
            self._turn_started = now
            # Runs at the start of the next turn, before any task that yields now.
            asyncio.get_running_loop().call_soon(self._end_turn)
        return self._turn_started

    def _end_turn(self) -> None:
        self._turn_started = None

    async def pace(self) -> None:
        """Return at once while this turn has budget left; else after one yield.

        After its yield a task does one unit of work in the new turn whatever
        the others did: each waiting task moves on every turn, none starves.
        """
        now = monotonic()
        if now - self._turn_start(now) < self._budget_s:
            return
        await asyncio.sleep(0)
        self._turn_start(monotonic())
