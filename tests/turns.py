"""Counting the event loop's turns, for tests of work done in turns."""

import asyncio
from typing import Self


class TurnCounter:
    """While entered, `turn` goes up by one each turn of the event loop."""

    def __init__(self) -> None:
        """Not counting yet."""
        self.turn = 0
        self._task: asyncio.Task[None] | None = None

    async def _count(self) -> None:
        while True:
            self.turn += 1
            await asyncio.sleep(0)

    async def __aenter__(self) -> Self:
        """Start counting from the next turn."""
        self._task = asyncio.get_running_loop().create_task(self._count())
        await asyncio.sleep(0)
        return self

    async def __aexit__(self, *_exc: object) -> None:
        """Stop counting."""
        if self._task is not None:
            self._task.cancel()
