"""End to end: Home Assistant with the farm, and the add-on as its own process.

No frozen clock here: the add-on runs in a subprocess on real time, and the
tests wait for it as a user's Home Assistant would.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
import os
from pathlib import Path
import signal
import sys

import aiohttp
from homeassistant.core import HomeAssistant
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from tests.integration.conftest import (
    BASIL_DATA,
    FARM_DATA,
    MONSTERA_DATA,
    PLANT_ID,
    POT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    seed_phases,
    subentry,
)
from tests.integration.planner_server import free_port

ADDON = Path(__file__).parents[2] / "addon"
TOKEN = "e2e-token-0123456789abcdef"
START_TIMEOUT_S = 30.0


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant find custom_components/vertical_farm."""


class AddonProcess:
    """`python -m vertical_farm_planner` with its own port and database file."""

    def __init__(self, database: Path) -> None:
        """Prepare on a free port (call `start`)."""
        self.database = database
        self.port = free_port()
        self.process: asyncio.subprocess.Process | None = None

    @property
    def url(self) -> str:
        """Where it listens."""
        return f"http://127.0.0.1:{self.port}"

    async def start(self) -> None:
        """Start the process and wait until its health check answers."""
        env = {
            **os.environ,
            "PYTHONPATH": str(ADDON),
            "PLANNER_TOKEN": TOKEN,
            "PLANNER_HOST": "127.0.0.1",
            "PLANNER_PORT": str(self.port),
            "PLANNER_DB": str(self.database),
            "PLANNER_OPTIONS_FILE": str(self.database.parent / "no-options.json"),
        }
        env.pop("SUPERVISOR_TOKEN", None)
        self.process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "vertical_farm_planner",
            cwd=self.database.parent,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        async with aiohttp.ClientSession() as session, asyncio.timeout(START_TIMEOUT_S):
            while True:
                try:
                    async with session.get(f"{self.url}/api/v1/health") as response:
                        if response.status == 200:
                            return
                except aiohttp.ClientError:
                    pass
                assert self.process.returncode is None, "the add-on exited"
                await asyncio.sleep(0.1)

    async def kill(self) -> None:
        """SIGKILL: no shutdown, no last write."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        await self.process.wait()
        self.process = None

    async def stop(self) -> None:
        """Stop it if it runs."""
        if self.process is not None and self.process.returncode is None:
            self.process.terminate()
            await self.process.wait()
        self.process = None


@pytest.fixture
async def addon(socket_enabled: None, tmp_path: Path) -> AsyncIterator[AddonProcess]:
    """The add-on running as its own process."""
    process = AddonProcess(tmp_path / "planner.db")
    await process.start()
    yield process
    await process.stop()


@pytest.fixture
def farm_entry(
    hass: HomeAssistant, hass_storage: dict[str, object], addon: AddonProcess
) -> MockConfigEntry:
    """The integration tests' farm, linked to the add-on process."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Basement",
        unique_id="basement",
        data=FARM_DATA,
        options={"planner_url": addon.url, "planner_token": TOKEN},
        subentries_data=[
            subentry(TANK_ID, "tank", TANK_DATA),
            subentry(RACK_ID, "rack", RACK_DATA),
            subentry(PLANT_ID, "plant", BASIL_DATA),
            subentry(POT_ID, "plant", MONSTERA_DATA),
        ],
    )
    entry.add_to_hass(hass)
    seed_phases(
        hass_storage,  # type: ignore[arg-type]
        entry.entry_id,
        {
            PLANT_ID: (str(BASIL_DATA["phase"]), str(BASIL_DATA["planted"])),
            POT_ID: (str(MONSTERA_DATA["phase"]), str(MONSTERA_DATA["planted"])),
        },
    )
    return entry
