"""``python -m vertical_farm_planner``: run the planner until SIGTERM or SIGINT."""

from __future__ import annotations

import argparse
import asyncio
from collections.abc import Sequence
import logging
import os
import signal
import sys

from .app import serve
from .config import PlannerConfig, load_config
from .errors import PlannerError

_LOGGER = logging.getLogger("vertical_farm_planner")

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_CONFIG = 2


# Command-line options and the environment variables they override.
_ARGUMENTS = (
    ("--host", "PLANNER_HOST", "address to listen on"),
    ("--port", "PLANNER_PORT", "TCP port (default 8099)"),
    ("--db", "PLANNER_DB", "SQLite file (default ./planner.db)"),
    ("--token", "PLANNER_TOKEN", "bearer token (visible to other local users)"),
    ("--log-level", "PLANNER_LOG_LEVEL", "trace, debug, info, ..., fatal"),
    ("--options-file", "PLANNER_OPTIONS_FILE", "add-on options file to read"),
)


def parse_arguments(argv: Sequence[str]) -> dict[str, str]:
    """Return the environment overrides the command line asks for.

    Exits with status 2 on unknown or malformed options, like a bad setting.
    """
    parser = argparse.ArgumentParser(
        prog="python -m vertical_farm_planner",
        description=(
            "Run the Vertical Farm Planner. Options override the PLANNER_* "
            "environment variables, which override /data/options.json."
        ),
    )
    for flag, variable, text in _ARGUMENTS:
        parser.add_argument(flag, dest=variable, help=f"{text}; or {variable}")
    values = vars(parser.parse_args(list(argv)))
    return {variable: value for variable, value in values.items() if value is not None}


def main(argv: Sequence[str] = ()) -> int:
    """Load the configuration, serve until stopped, and return the exit code."""
    logging.basicConfig(
        format="%(asctime)s %(levelname)s (%(name)s) %(message)s", level=logging.INFO
    )
    try:
        overrides = parse_arguments(argv)
    except SystemExit:
        return EXIT_BAD_CONFIG
    try:
        config = load_config({**os.environ, **overrides})
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
    sys.exit(main(sys.argv[1:]))
