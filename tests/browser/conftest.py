"""A real Home Assistant process with the demo farm, onboarded, with a card dashboard.

The server is started once per module from scripts/demo_config.py's
configuration on a free local port (never 8123), onboarded through Home
Assistant's onboarding API like the browser would, and given a dashboard
holding the Vertical Farm card (lovelace/config/save over the websocket).
Pages are opened in Debian's chromium, driven by Playwright through
executable_path: no browser is downloaded.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from dataclasses import dataclass
import json
import os
from pathlib import Path
import shutil
import socket
import subprocess
import sys
import time
from typing import Any
import urllib.error
import urllib.parse
import urllib.request

import aiohttp
import pytest
import pytest_socket

ROOT = Path(__file__).resolve().parents[2]
USERNAME = "grower"
PASSWORD = "grow-lettuce-42"
DASHBOARD = "farm-card"
STARTUP_TIMEOUT_S = 180


def chromium_path() -> str | None:
    """Debian's chromium, as scripts/provide-chromium finds it."""
    return os.environ.get("VERTICAL_FARM_CHROMIUM") or shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Server:
    """A running Home Assistant: its address, an access token and its log."""

    base: str
    client_id: str
    token: str
    log: Path
    config_dir: Path

    def request(self, method: str, path: str, data: Any = None) -> Any:
        """Call the REST API as the onboarded owner."""
        return _request(method, f"{self.base}{path}", data, token=self.token)


def _request(
    method: str,
    url: str,
    data: Any = None,
    *,
    token: str | None = None,
    form: bool = False,
) -> Any:
    headers = {}
    body = None
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if data is not None:
        if form:
            body = urllib.parse.urlencode(data).encode()
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        else:
            body = json.dumps(data).encode()
            headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, body, headers, method=method)  # noqa: S310
    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
        text = response.read().decode()
    return json.loads(text) if text else None


def _wait_for(base: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None or "Setup failed for 'http'" in log.read_text():
            pytest.fail(f"Home Assistant did not start:\n{log.read_text()[-4000:]}")
        try:
            steps = _request("GET", f"{base}/api/onboarding")
        except urllib.error.URLError, ConnectionError, TimeoutError:
            time.sleep(1)
            continue
        if steps:
            return
    pytest.fail(f"Home Assistant did not start:\n{log.read_text()[-4000:]}")


def _onboard(base: str) -> str:
    """Do onboarding's steps through its API; return an access token."""
    client_id = f"{base}/"
    created = _request(
        "POST",
        f"{base}/api/onboarding/users",
        {
            "client_id": client_id,
            "name": "Grower",
            "username": USERNAME,
            "password": PASSWORD,
            "language": "en",
        },
    )
    tokens = _request(
        "POST",
        f"{base}/auth/token",
        {
            "grant_type": "authorization_code",
            "code": created["auth_code"],
            "client_id": client_id,
        },
        form=True,
    )
    token: str = tokens["access_token"]
    steps = {
        item["step"]: item["done"] for item in _request("GET", f"{base}/api/onboarding")
    }
    if not steps.get("core_config"):
        _request("POST", f"{base}/api/onboarding/core_config", {}, token=token)
    _request("POST", f"{base}/api/onboarding/analytics", {}, token=token)
    _request(
        "POST",
        f"{base}/api/onboarding/integration",
        {"client_id": client_id, "redirect_uri": f"{base}/?auth_callback=1"},
        token=token,
    )
    return token


async def _websocket(base: str, token: str, messages: list[dict[str, Any]]) -> None:
    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(f"{base}/api/websocket") as ws,
    ):
        assert (await ws.receive_json())["type"] == "auth_required"
        await ws.send_json({"type": "auth", "access_token": token})
        assert (await ws.receive_json())["type"] == "auth_ok"
        for number, message in enumerate(messages, 1):
            await ws.send_json({"id": number, **message})
            while True:
                answer = await ws.receive_json()
                if answer.get("id") == number and answer["type"] == "result":
                    break
            assert answer["success"], answer


SPEED_ENTITY = "number.demo_farm_simulated_speed"
LEVEL_ENTITY = "sensor.demo_farm_simulated_level"


def _run_fast(base: str, token: str) -> None:
    """Speed the simulator up until its level has moved a few times (some history)."""
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while True:  # the API answers before every integration is set up
        try:
            _request("GET", f"{base}/api/states/{SPEED_ENTITY}", token=token)
            break
        except urllib.error.HTTPError:
            if time.monotonic() > deadline:
                raise
            time.sleep(1)
    _request(
        "POST",
        f"{base}/api/services/number/set_value",
        {"entity_id": SPEED_ENTITY, "value": 600},
        token=token,
    )
    seen: set[str] = set()
    deadline = time.monotonic() + 90
    while len(seen) < 3 and time.monotonic() < deadline:
        seen.add(
            _request("GET", f"{base}/api/states/{LEVEL_ENTITY}", token=token)["state"]
        )
        time.sleep(1)
    assert len(seen) >= 3, f"the simulated level did not move: {seen}"
    time.sleep(6)  # the recorder commits every 5 s; the card reads its history


def card_dashboard(card: dict[str, Any]) -> list[dict[str, Any]]:
    """The websocket messages that create the dashboard holding the card."""
    return [
        {
            "type": "lovelace/dashboards/create",
            "url_path": DASHBOARD,
            "title": "Farm",
            "icon": "mdi:sprout",
            "mode": "storage",
            "show_in_sidebar": True,
            "require_admin": False,
        },
        {
            "type": "lovelace/config/save",
            "url_path": DASHBOARD,
            "config": {
                "title": "Farm",
                "views": [
                    {
                        "title": "Farm",
                        "path": "farm",
                        "type": "masonry",
                        "cards": [card],
                    }
                ],
            },
        },
    ]


@pytest.fixture(autouse=True)
def _loopback_sockets(socket_enabled: None) -> None:
    """Let these tests open real sockets to 127.0.0.1 (the HA test plugin blocks them)."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """Home Assistant with the demo farm, onboarded, with the card's dashboard."""
    if chromium_path() is None:
        pytest.skip("chromium is not installed (scripts/provide-chromium installs it)")
    # Set up before the tests' own fixtures: the sockets are opened here already.
    pytest_socket.enable_socket()
    config_dir = tmp_path_factory.mktemp("hass-config")
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    subprocess.run(  # noqa: S603 - our own script
        [
            sys.executable,
            str(ROOT / "scripts" / "demo_config.py"),
            str(config_dir),
            str(port),
        ],
        check=True,
    )
    (config_dir / "custom_components").mkdir()
    (config_dir / "custom_components" / "vertical_farm").symlink_to(
        ROOT / "custom_components" / "vertical_farm"
    )
    log = config_dir / "hass.log"
    hass = Path(sys.executable).with_name("hass")
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603
            [str(hass), "--config", str(config_dir), "--skip-pip", "--log-no-color"],
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=config_dir,
        )
    try:
        _wait_for(base, process, log)
        token = _onboard(base)
        asyncio.run(
            _websocket(
                base, token, card_dashboard({"type": "custom:vertical-farm-card"})
            )
        )
        _run_fast(base, token)
        yield Server(
            base=base, client_id=f"{base}/", token=token, log=log, config_dir=config_dir
        )
    finally:
        process.terminate()
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture
def screenshots(tmp_path: Path) -> Path:
    """Where screenshots go: a temporary folder, or the one scripts/screenshots names."""
    chosen = os.environ.get("VERTICAL_FARM_SCREENSHOTS")
    folder = Path(chosen) if chosen else tmp_path / "screenshots"
    folder.mkdir(parents=True, exist_ok=True)
    return folder
