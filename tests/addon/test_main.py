"""``python -m vertical_farm_planner``: in this process and as a real subprocess."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
import json
import logging
import os
from pathlib import Path
import runpy
import signal
import sys
import threading
import time
import urllib.error
import urllib.request

import aiohttp
import pytest

from vertical_farm_planner import __main__ as entry, __version__

from .conftest import TOKEN, auth, free_port

ADDON_DIR = Path(__file__).resolve().parents[2] / "addon"


@pytest.fixture(autouse=True)
def _restore_log_level() -> Iterator[None]:
    """Undo the log level main() sets on the package logger."""
    logger = logging.getLogger("vertical_farm_planner")
    level = logger.level
    yield
    logger.setLevel(level)


def planner_environment(tmp_path: Path, port: int) -> dict[str, str]:
    """Return the variables that point a planner at ``tmp_path`` and ``port``."""
    return {
        "PLANNER_OPTIONS_FILE": str(tmp_path / "no-options.json"),
        "PLANNER_PORT": str(port),
        "PLANNER_DB": str(tmp_path / "planner.db"),
        "PLANNER_TOKEN": TOKEN,
        "PLANNER_LOG_LEVEL": "debug",
    }


def wait_for_health(port: int, timeout_s: float) -> dict[str, str] | None:
    """Poll the health endpoint from a thread; return its body once it answers."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"http://127.0.0.1:{port}/api/v1/health", timeout=1
            ) as response:
                body: dict[str, str] = json.loads(response.read())
                return body
        except OSError:
            time.sleep(0.05)
    return None


def test_module_serves_until_sigterm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    port = free_port()
    for name, value in planner_environment(tmp_path, port).items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("SUPERVISOR_TOKEN", raising=False)
    # `python -m vertical_farm_planner` with no options (not pytest's own).
    monkeypatch.setattr(sys, "argv", ["vertical_farm_planner"])
    seen: list[dict[str, str] | None] = []
    finished = threading.Event()

    def probe_then_stop() -> None:
        seen.append(wait_for_health(port, timeout_s=10))
        if not finished.is_set():
            # Exactly what the Supervisor (through s6) does to stop the add-on.
            os.kill(os.getpid(), signal.SIGTERM)

    # Run the module fresh, as `python -m` does, not the copy imported above.
    monkeypatch.delitem(sys.modules, "vertical_farm_planner.__main__")
    prober = threading.Thread(target=probe_then_stop)
    prober.start()
    try:
        with pytest.raises(SystemExit) as exited:
            runpy.run_module("vertical_farm_planner", run_name="__main__")
    finally:
        finished.set()
        prober.join()

    assert exited.value.code == entry.EXIT_OK == 0
    assert seen == [{"status": "ok", "version": __version__, "database": "ok"}]
    assert (tmp_path / "planner.db").is_file()


def test_bad_configuration_exits_with_2(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name, value in planner_environment(tmp_path, free_port()).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PLANNER_PORT", "not-a-port")
    assert entry.main() == entry.EXIT_BAD_CONFIG == 2
    assert "Cannot start" in caplog.text
    assert "'port'" in caplog.text


def test_unusable_database_exits_with_1(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name, value in planner_environment(tmp_path, free_port()).items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("PLANNER_DB", str(tmp_path / "missing" / "planner.db"))
    assert entry.main() == entry.EXIT_FAILED == 1
    assert "Stopped: The planner database cannot be used" in caplog.text


async def test_subprocess_answers_health_and_stops_cleanly(
    tmp_path: Path, session: aiohttp.ClientSession
) -> None:
    port = free_port()
    environment = {
        key: value for key, value in os.environ.items() if key != "SUPERVISOR_TOKEN"
    }
    environment.update(planner_environment(tmp_path, port))
    environment["PYTHONPATH"] = str(ADDON_DIR)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "vertical_farm_planner",
        cwd=tmp_path,
        env=environment,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        body = None
        for _ in range(200):
            try:
                async with session.get(
                    f"http://127.0.0.1:{port}/api/v1/health"
                ) as response:
                    body = await response.json()
                    break
            except aiohttp.ClientConnectionError:
                await asyncio.sleep(0.05)
        assert body == {"status": "ok", "version": __version__, "database": "ok"}
        async with session.get(
            f"http://127.0.0.1:{port}/api/v1/openapi.json"
        ) as response:
            assert response.status == 401
        async with session.get(
            f"http://127.0.0.1:{port}/api/v1/openapi.json", headers=auth()
        ) as response:
            assert response.status == 200
    finally:
        if process.returncode is None:
            process.terminate()
        output, _ = await asyncio.wait_for(process.communicate(), timeout=10)

    log = output.decode()
    assert process.returncode == 0, log
    assert f"listening on 127.0.0.1:{port}" in log
    assert "Stopping the planner" in log
    # Debug level logs every request.
    assert "GET /api/v1/health" in log
    assert (tmp_path / "planner.db").is_file()


def test_command_line_overrides_the_environment(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    for name, value in planner_environment(tmp_path, free_port()).items():
        monkeypatch.setenv(name, value)
    # The environment names a usable file; the option names an unusable one.
    bad = tmp_path / "missing" / "planner.db"
    assert entry.main(["--db", str(bad)]) == entry.EXIT_FAILED
    assert "Stopped: The planner database cannot be used" in caplog.text
    assert entry.main(["--port", "0x50"]) == entry.EXIT_BAD_CONFIG
    assert entry.main(["--colour", "green"]) == entry.EXIT_BAD_CONFIG
    assert entry.parse_arguments(
        ["--host", "127.0.0.2", "--port", "8100", "--log-level", "debug"]
    ) == {
        "PLANNER_HOST": "127.0.0.2",
        "PLANNER_PORT": "8100",
        "PLANNER_LOG_LEVEL": "debug",
    }
