"""Where the planner's settings come from.

Inside the add-on the Supervisor writes the user's options to
``/data/options.json``; outside it (development, a plain container) the same
settings come from environment variables. Environment variables win over the
options file, which wins over the defaults:

- ``PLANNER_TOKEN``: bearer token clients must send (at least 16 visible
  characters). When neither it nor the ``token`` option is set, a token is
  generated once and kept in the data directory (the database's folder).
- ``PLANNER_PORT``: TCP port, default 8099 (the add-on's ingress port).
- ``PLANNER_HOST``: bind address, default ``0.0.0.0`` inside the add-on and
  ``127.0.0.1`` outside it.
- ``PLANNER_DB``: SQLite file, default ``/data/planner.db`` inside the add-on
  and ``./planner.db`` outside it.
- ``PLANNER_LOG_LEVEL``: like the ``log_level`` option.
- ``PLANNER_OPTIONS_FILE``: where to look for the options file.
- ``PLANNER_ADVERTISE_HOST``: host name announced to Home Assistant, default
  this machine's host name (the add-on container's DNS name).
- ``PLANNER_INGRESS_PROXY``: address of the Supervisor's ingress proxy whose
  requests need no token; default ``172.30.32.2`` under the Supervisor, empty
  to disable.
- ``SUPERVISOR_TOKEN`` and ``SUPERVISOR_URL``: set by the Supervisor; with a
  token the planner announces itself for discovery.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
import json
import logging
import os
from pathlib import Path
import secrets
import socket
from typing import Final

import voluptuous as vol

from .errors import PlannerError

DEFAULT_OPTIONS_FILE: Final = Path("/data/options.json")
DEFAULT_PORT: Final = 8099
DEFAULT_DATABASE_NAME: Final = "planner.db"
TOKEN_FILE_NAME: Final = "planner_token"  # noqa: S105
MIN_TOKEN_LENGTH: Final = 16
DEFAULT_MAX_BODY_BYTES: Final = 1024 * 1024
DEFAULT_SUPERVISOR_URL: Final = "http://supervisor"
SUPERVISOR_INGRESS_PROXY: Final = "172.30.32.2"
# The ingress proxy names the path prefix it serves the add-on under.
INGRESS_PATH_HEADER: Final = "X-Ingress-Path"
# Seconds to wait before each retry of the discovery announcement.
DEFAULT_DISCOVERY_DELAYS_S: Final = (2.0, 5.0, 15.0, 30.0, 60.0)


class LogLevel(StrEnum):
    """The add-on log levels Home Assistant add-ons conventionally offer."""

    TRACE = "trace"
    DEBUG = "debug"
    INFO = "info"
    NOTICE = "notice"
    WARNING = "warning"
    ERROR = "error"
    FATAL = "fatal"

    @property
    def python_level(self) -> int:
        """Return the closest level of Python's logging module."""
        return _PYTHON_LEVELS[self]


_PYTHON_LEVELS: Final[Mapping[LogLevel, int]] = {
    LogLevel.TRACE: logging.DEBUG,
    LogLevel.DEBUG: logging.DEBUG,
    LogLevel.INFO: logging.INFO,
    LogLevel.NOTICE: logging.INFO,
    LogLevel.WARNING: logging.WARNING,
    LogLevel.ERROR: logging.ERROR,
    LogLevel.FATAL: logging.CRITICAL,
}

# Extra keys are ignored: the Supervisor may keep options a newer version removed.
OPTIONS_SCHEMA: Final = vol.Schema(
    {
        vol.Optional("token", default=""): vol.Any(None, str),
        vol.Optional("log_level", default=LogLevel.INFO.value): vol.In(
            [level.value for level in LogLevel]
        ),
    },
    extra=vol.ALLOW_EXTRA,
)


@dataclass(frozen=True, kw_only=True, slots=True)
class PlannerConfig:
    """Everything the running planner needs to know about its setup."""

    host: str
    port: int
    database_path: Path
    token: str
    log_level: LogLevel = LogLevel.INFO
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    advertise_host: str = "localhost"
    supervisor_token: str | None = None
    supervisor_url: str = DEFAULT_SUPERVISOR_URL
    ingress_proxy: str | None = None
    discovery_delays_s: tuple[float, ...] = DEFAULT_DISCOVERY_DELAYS_S
    in_addon: bool = False


def load_config(environ: Mapping[str, str] | None = None) -> PlannerConfig:
    """Build the configuration from the options file and the environment.

    Raises:
        PlannerError: ``invalid_config`` when an option or variable is unusable.
    """
    env = os.environ if environ is None else environ
    options_path = Path(env.get("PLANNER_OPTIONS_FILE") or DEFAULT_OPTIONS_FILE)
    in_addon = options_path.is_file()
    options = read_options(options_path) if in_addon else OPTIONS_SCHEMA({})

    if database := env.get("PLANNER_DB"):
        database_path = Path(database).absolute()
    elif in_addon:
        database_path = options_path.parent.absolute() / DEFAULT_DATABASE_NAME
    else:
        database_path = Path.cwd() / DEFAULT_DATABASE_NAME

    supervisor_token = env.get("SUPERVISOR_TOKEN") or None
    if "PLANNER_INGRESS_PROXY" in env:
        ingress_proxy = env["PLANNER_INGRESS_PROXY"] or None
    else:
        ingress_proxy = SUPERVISOR_INGRESS_PROXY if supervisor_token else None

    return PlannerConfig(
        host=env.get("PLANNER_HOST") or ("0.0.0.0" if in_addon else "127.0.0.1"),  # noqa: S104
        port=_port(env.get("PLANNER_PORT")),
        database_path=database_path,
        token=_token(
            env.get("PLANNER_TOKEN") or str(options["token"] or ""),
            database_path.parent,
        ),
        log_level=_log_level(env.get("PLANNER_LOG_LEVEL") or options["log_level"]),
        advertise_host=env.get("PLANNER_ADVERTISE_HOST") or socket.gethostname(),
        supervisor_token=supervisor_token,
        supervisor_url=env.get("SUPERVISOR_URL") or DEFAULT_SUPERVISOR_URL,
        ingress_proxy=ingress_proxy,
        in_addon=in_addon,
    )


def read_options(path: Path) -> dict[str, object]:
    """Read and validate the add-on options file the Supervisor wrote.

    Raises:
        PlannerError: ``invalid_config`` when the file is not a valid options object.
    """
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise PlannerError(
            "invalid_config", option=str(path), reason=f"unreadable JSON ({err})"
        ) from err
    if not isinstance(raw, dict):
        raise PlannerError(
            "invalid_config", option=str(path), reason="not a JSON object"
        )
    try:
        options: dict[str, object] = OPTIONS_SCHEMA(raw)
    except vol.Invalid as err:
        option = ".".join(str(part) for part in err.path) or str(path)
        raise PlannerError("invalid_config", option=option, reason=err.msg) from err
    return options


def _port(value: str | None) -> int:
    """Return the TCP port from its variable, or the default."""
    if not value:
        return DEFAULT_PORT
    try:
        port = int(value)
    except ValueError:
        port = -1
    if not 1 <= port <= 65535:
        raise PlannerError(
            "invalid_config", option="port", reason=f"{value!r} is not a TCP port"
        )
    return port


def _log_level(value: object) -> LogLevel:
    """Return the log level named by an option or variable."""
    try:
        return LogLevel(str(value).lower())
    except ValueError as err:
        raise PlannerError(
            "invalid_config",
            option="log_level",
            reason=f"{value!r} is not one of {', '.join(LogLevel)}",
        ) from err


def _token(configured: str, data_dir: Path) -> str:
    """Return the configured token, or the one kept in the data directory."""
    if configured:
        if len(configured) < MIN_TOKEN_LENGTH or not _is_visible_ascii(configured):
            raise PlannerError(
                "invalid_config",
                option="token",
                reason=(
                    f"use at least {MIN_TOKEN_LENGTH} visible ASCII characters "
                    "without spaces"
                ),
            )
        return configured
    return stored_token(data_dir)


def stored_token(data_dir: Path) -> str:
    """Return the token kept in ``data_dir``, generating and saving it once.

    Raises:
        PlannerError: ``invalid_config`` when the token file cannot be written.
    """
    path = data_dir / TOKEN_FILE_NAME
    try:
        existing = path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        existing = ""
    except (OSError, UnicodeDecodeError) as err:
        raise PlannerError(
            "invalid_config", option="token", reason=f"cannot read {path} ({err})"
        ) from err
    if len(existing) >= MIN_TOKEN_LENGTH and _is_visible_ascii(existing):
        return existing

    token = secrets.token_urlsafe(32)
    temporary = path.with_name(f".{TOKEN_FILE_NAME}.tmp")
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        # Owner-only from the first byte: the token grants the whole API.
        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "w", encoding="ascii") as handle:
            handle.write(token + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        temporary.replace(path)
    except OSError as err:
        raise PlannerError(
            "invalid_config", option="token", reason=f"cannot write {path} ({err})"
        ) from err
    return token


def _is_visible_ascii(value: str) -> bool:
    """Return whether every character is printable ASCII other than a space."""
    return all(33 <= ord(character) <= 126 for character in value)
