"""``python -m vertical_farm_planner``: run the planner until SIGTERM or SIGINT."""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from .app import serve
from .config import PlannerConfig, load_config
from .errors import PlannerError

_LOGGER = logging.getLogger("vertical_farm_planner")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2


def main() -> int:
    """Load the configuration, serve until stopped, and return the exit code."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s (%(name)s) %(message)s", level=logging.INFO
    )
    try:
        config = load_config()
    except PlannerError as err:
        _LOGGER.error("Cannot start: %s", err.message)  # noqa: TRY400
        return EXIT_BAD_CONFIG
    _LOGGER.setLevel(config.log_level.python_level)
    try:
        asyncio.run(_run(config))
    except PlannerError as err:
        _LOGGER.error("Stopped: %s", err.message)  # noqa: TRY400
        return EXIT_FAILED
    return EXIT_OK


async def _run(config: PlannerConfig) -> None:
    """Serve until the process is asked to stop."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    signals = (signal.SIGTERM, signal.SIGINT)
    for number in signals:
        loop.add_signal_handler(number, stop.set)
    try:
        await serve(config, stop)
    finally:
        for number in signals:
            loop.remove_signal_handler(number)


if __name__ == "__main__":
    sys.exit(main())
