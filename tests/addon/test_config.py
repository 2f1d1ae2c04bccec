"""Loading the planner configuration from options.json and the environment."""

from __future__ import annotations

import json
import logging
from pathlib import Path
import socket
import stat

import pytest

from vertical_farm_planner.config import (
    DEFAULT_PORT,
    SUPERVISOR_INGRESS_PROXY,
    TOKEN_FILE_NAME,
    LogLevel,
    load_config,
    stored_token,
)
from vertical_farm_planner.errors import PlannerError

CONFIGURED_TOKEN = "configured-token-0123456789"


def write_options(folder: Path, options: object) -> Path:
    """Write an options file like the Supervisor does and return its path."""
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "options.json"
    path.write_text(json.dumps(options), encoding="utf-8")
    return path


def outside(tmp_path: Path, **env: str) -> dict[str, str]:
    """Return an environment with no options file (outside the add-on)."""
    return {"PLANNER_OPTIONS_FILE": str(tmp_path / "absent.json"), **env}


def invalid_option(environ: dict[str, str]) -> str:
    """Return the option named by the invalid_config error loading raises."""
    with pytest.raises(PlannerError) as caught:
        load_config(environ)
    assert caught.value.code == "invalid_config"
    return str(caught.value.params["option"])


def test_options_file_means_inside_the_addon(tmp_path: Path) -> None:
    data = tmp_path / "data"
    options = write_options(data, {"token": CONFIGURED_TOKEN, "log_level": "debug"})

    config = load_config({"PLANNER_OPTIONS_FILE": str(options)})

    assert config.in_addon
    # Inside the container: reachable by Home Assistant and the ingress proxy.
    assert config.host == "0.0.0.0"  # noqa: S104
    assert config.port == DEFAULT_PORT == 8099
    assert config.database_path == data / "planner.db"
    assert config.token == CONFIGURED_TOKEN
    assert config.log_level is LogLevel.DEBUG
    assert config.supervisor_token is None
    assert config.ingress_proxy is None


def test_empty_token_option_generates_and_keeps_one(tmp_path: Path) -> None:
    data = tmp_path / "data"
    options = write_options(data, {"token": "", "log_level": "info"})
    environ = {"PLANNER_OPTIONS_FILE": str(options)}

    first = load_config(environ).token
    second = load_config(environ).token

    token_file = data / TOKEN_FILE_NAME
    assert first == second
    # 32 random bytes in URL-safe base64 without padding: ceil(32 * 4 / 3) = 43.
    assert len(first) == 43
    assert token_file.read_text(encoding="ascii") == first + "\n"
    assert stat.S_IMODE(token_file.stat().st_mode) == 0o600
    assert not (data / f".{TOKEN_FILE_NAME}.tmp").exists()


def test_missing_options_use_defaults_and_extras_are_ignored(tmp_path: Path) -> None:
    options = write_options(tmp_path / "data", {"token": None, "removed_option": 3})
    config = load_config({"PLANNER_OPTIONS_FILE": str(options)})
    assert config.log_level is LogLevel.INFO
    assert len(config.token) == 43


def test_environment_wins_over_options(tmp_path: Path) -> None:
    options = write_options(
        tmp_path / "data", {"token": CONFIGURED_TOKEN, "log_level": "debug"}
    )
    config = load_config(
        {
            "PLANNER_OPTIONS_FILE": str(options),
            "PLANNER_TOKEN": "environment-token-0123456789",
            "PLANNER_PORT": "18099",
            "PLANNER_HOST": "127.0.0.2",
            "PLANNER_DB": str(tmp_path / "elsewhere.db"),
            "PLANNER_LOG_LEVEL": "WARNING",
            "PLANNER_ADVERTISE_HOST": "planner.local",
        }
    )
    assert config.token == "environment-token-0123456789"
    assert config.port == 18099
    assert config.host == "127.0.0.2"
    assert config.database_path == tmp_path / "elsewhere.db"
    assert config.log_level is LogLevel.WARNING
    assert config.advertise_host == "planner.local"


def test_outside_the_addon_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config(outside(tmp_path))
    assert not config.in_addon
    assert config.host == "127.0.0.1"
    assert config.database_path == tmp_path / "planner.db"
    assert config.database_path.is_absolute()
    assert config.token == (tmp_path / TOKEN_FILE_NAME).read_text().strip()
    assert config.advertise_host == socket.gethostname()
    assert config.supervisor_url == "http://supervisor"


def test_relative_database_path_becomes_absolute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "state").mkdir()
    config = load_config(
        outside(tmp_path, PLANNER_DB="state/farm.db", PLANNER_TOKEN=CONFIGURED_TOKEN)
    )
    assert config.database_path == tmp_path / "state" / "farm.db"


def test_under_the_supervisor(tmp_path: Path) -> None:
    base = outside(tmp_path, PLANNER_TOKEN=CONFIGURED_TOKEN, SUPERVISOR_TOKEN="s3cr3t")
    config = load_config(base)
    assert config.supervisor_token == "s3cr3t"
    assert config.ingress_proxy == SUPERVISOR_INGRESS_PROXY == "172.30.32.2"

    moved = load_config(
        {**base, "SUPERVISOR_URL": "http://127.0.0.1:1", "PLANNER_INGRESS_PROXY": ""}
    )
    assert moved.supervisor_url == "http://127.0.0.1:1"
    assert moved.ingress_proxy is None


@pytest.mark.parametrize("port", ["abc", "0", "65536", "-5", "80.5"])
def test_bad_port_is_refused(tmp_path: Path, port: str) -> None:
    environ = outside(tmp_path, PLANNER_TOKEN=CONFIGURED_TOKEN, PLANNER_PORT=port)
    assert invalid_option(environ) == "port"


@pytest.mark.parametrize("port", ["1", "65535"])
def test_port_bounds_are_accepted(tmp_path: Path, port: str) -> None:
    environ = outside(tmp_path, PLANNER_TOKEN=CONFIGURED_TOKEN, PLANNER_PORT=port)
    assert load_config(environ).port == int(port)


def test_bad_log_level_is_refused(tmp_path: Path) -> None:
    environ = outside(
        tmp_path, PLANNER_TOKEN=CONFIGURED_TOKEN, PLANNER_LOG_LEVEL="loud"
    )
    assert invalid_option(environ) == "log_level"


@pytest.mark.parametrize(
    "token",
    ["short", "fifteen-chars-x", "has a space in it 0123", "tab\tinside-0123456789"],
)
def test_weak_or_odd_token_is_refused(tmp_path: Path, token: str) -> None:
    assert invalid_option(outside(tmp_path, PLANNER_TOKEN=token)) == "token"


def test_sixteen_visible_characters_are_enough(tmp_path: Path) -> None:
    token = "0123456789abcdef"
    assert load_config(outside(tmp_path, PLANNER_TOKEN=token)).token == token


@pytest.mark.parametrize(
    ("content", "option"),
    [
        ("{not json", "options.json"),
        ("[1, 2]", "options.json"),
        ('{"log_level": "loud"}', "log_level"),
        ('{"token": 5}', "token"),
    ],
)
def test_bad_options_file_is_refused(tmp_path: Path, content: str, option: str) -> None:
    path = tmp_path / "options.json"
    path.write_text(content, encoding="utf-8")
    named = invalid_option({"PLANNER_OPTIONS_FILE": str(path)})
    assert named.endswith(option)


def test_short_stored_token_is_replaced(tmp_path: Path) -> None:
    (tmp_path / TOKEN_FILE_NAME).write_text("tiny\n", encoding="ascii")
    token = stored_token(tmp_path)
    assert len(token) == 43
    assert (tmp_path / TOKEN_FILE_NAME).read_text(encoding="ascii") == token + "\n"


def test_token_folder_is_created(tmp_path: Path) -> None:
    token = stored_token(tmp_path / "new" / "folder")
    assert (tmp_path / "new" / "folder" / TOKEN_FILE_NAME).read_text().strip() == token


def test_unreadable_token_file_is_reported(tmp_path: Path) -> None:
    (tmp_path / TOKEN_FILE_NAME).mkdir()
    with pytest.raises(PlannerError) as caught:
        stored_token(tmp_path)
    assert caught.value.code == "invalid_config"
    assert caught.value.params["option"] == "token"


def test_unwritable_token_file_is_reported(tmp_path: Path) -> None:
    # A folder where the temporary file must go makes the write fail.
    (tmp_path / f".{TOKEN_FILE_NAME}.tmp").mkdir()
    with pytest.raises(PlannerError) as caught:
        stored_token(tmp_path)
    assert caught.value.code == "invalid_config"
    assert "cannot write" in caught.value.message


@pytest.mark.parametrize(
    ("level", "python_level"),
    [
        (LogLevel.TRACE, logging.DEBUG),
        (LogLevel.DEBUG, logging.DEBUG),
        (LogLevel.INFO, logging.INFO),
        (LogLevel.NOTICE, logging.INFO),
        (LogLevel.WARNING, logging.WARNING),
        (LogLevel.ERROR, logging.ERROR),
        (LogLevel.FATAL, logging.CRITICAL),
    ],
)
def test_log_levels_map_to_python(level: LogLevel, python_level: int) -> None:
    assert level.python_level == python_level
