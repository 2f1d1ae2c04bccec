"""Fixtures: a farm entry with a rack, a tank and plants, set up in a real hass."""

import asyncio
from collections.abc import Iterable, Iterator, Mapping
import copy
from datetime import timedelta
from typing import Any
from unittest.mock import patch

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntry, ConfigSubentryDataWithId
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr, entity_registry as er, storage
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.farm import Farm

from .planner_server import planner_server  # noqa: F401 - a fixture for every module

FARM_DATA: dict[str, Any] = {
    "name": "Basement",
    "hemisphere": "north",
    "tap_ec": 0.4,
    "tap_ph": 7.6,
    "alkalinity": 120.0,
    "ro_ec": None,
}
TANK_ID = "01TANKA000000000000000000A"
RACK_ID = "01RACK1000000000000000000A"
PLANT_ID = "01PLANTBASIL00000000000000"
POT_ID = "01PLANTMONSTERA00000000000"
HOME_TANK_ID = "01TANKA000000000000000000B"
HOME_RACK_ID = "01RACK1000000000000000000B"
HOME_BASIL_ID = "01PLANTBASIL0000000000000B"
HOME_RACK_TWO_ID = "01RACK2000000000000000000B"
HOME_MINT_ID = "01PLANTMINT00000000000000B"


def subentry(
    subentry_id: str, subentry_type: str, data: Mapping[str, Any]
) -> ConfigSubentryDataWithId:
    """A stored subentry as Home Assistant keeps it."""
    return ConfigSubentryDataWithId(
        subentry_id=subentry_id,
        subentry_type=subentry_type,
        title=str(data["name"]),
        unique_id=None,
        data=dict(data),
    )


TANK_DATA = {
    "name": "Tank A",
    "tank_type": "recirculation",
    "volume_l": 60.0,
    "system": "hydro",
    "ec_sensor": "sensor.tank_a_ec",
    "ph_sensor": "sensor.tank_a_ph",
    "temperature_sensor": "sensor.tank_a_water_temperature",
    "level_sensor": "sensor.tank_a_level",
    "fertilizers": [],
}
RACK_DATA = {
    "name": "Rack one",
    "shelves": 4,
    "tank": TANK_ID,
    "light_mode": "auto",
    "lights_on": "06:00:00",
    "photoperiod_h": 16.0,
    "pump_on_min": 15,
    "pump_off_min": 45,
    "temperature_sensor": "sensor.rack_one_temperature",
    "humidity_sensor": "sensor.rack_one_humidity",
    "light_sensor": "sensor.rack_one_ppfd",
}
BASIL_DATA = {
    "name": "Basil tray",
    "species": "basil",
    "quantity": 12,
    "rack": RACK_ID,
    "shelf": 2,
    "planted": "2026-11-01",
    "phase": "seedling",
    "care_preset": "herb",
}
MONSTERA_DATA = {
    "name": "Monstera",
    "species": "monstera",
    "quantity": 1,
    "rack": None,
    "shelf": None,
    "planted": "2026-06-15",
    "phase": "vegetative",
    "care_preset": "tropical",
    "container_l": 12.0,
}


# Tests run on a fixed day (Home Assistant's test time zone is US/Pacific), two
# days after the basil was sown, so no phase is due to advance unless a test
# moves time on.
TODAY = "2026-11-03T10:00:00-08:00"


@pytest.fixture(autouse=True)
def auto_enable_custom_integrations(enable_custom_integrations: None) -> None:
    """Let Home Assistant find custom_components/vertical_farm."""


@pytest.fixture(autouse=True)
def fixed_today(freezer: FrozenDateTimeFactory) -> FrozenDateTimeFactory:
    """Start every test at TODAY."""
    freezer.move_to(TODAY)
    return freezer


def seed_phases(
    hass_storage: dict[str, Any], entry_id: str, phases: Mapping[str, tuple[str, str]]
) -> None:
    """Store where plants stand as a farm that has run since then would have.

    A phase declared when a plant is added counts from that day; a farm that
    has run since the planting date has the phase and its start day stored.
    """
    stored = hass_storage.setdefault(
        f"{DOMAIN}.{entry_id}",
        {
            "version": 1,
            "minor_version": 2,
            "key": f"{DOMAIN}.{entry_id}",
            "data": {"journal": [], "state": {}},
        },
    )
    for plant_id, (phase, started) in phases.items():
        stored["data"]["state"].setdefault(plant_id, {}).update(
            phase=phase, phase_started=started, cycle=1
        )


def farm_with(
    hass: HomeAssistant, name: str, subentries: Iterable[ConfigSubentryDataWithId]
) -> MockConfigEntry:
    """A farm entry called `name` with these subentries, added (not set up)."""
    entry = MockConfigEntry(
        domain=DOMAIN,
        title=name,
        unique_id=name.casefold(),
        data={**FARM_DATA, "name": name},
        subentries_data=list(subentries),
    )
    entry.add_to_hass(hass)
    return entry


async def set_up(hass: HomeAssistant, entry: MockConfigEntry) -> MockConfigEntry:
    """Set a farm entry up and let it settle."""
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def link_pot_moisture(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """Give the monstera pot the soil-moisture sensor `sensor.pot_moisture`."""
    pot = entry.subentries[POT_ID]
    hass.config_entries.async_update_subentry(
        entry, pot, data={**pot.data, "moisture_sensor": "sensor.pot_moisture"}
    )


def farm_of(entry: MockConfigEntry) -> Farm:
    """The live farm of a loaded entry."""
    farm: Farm = entry.runtime_data.farm
    return farm


def device_of(hass: HomeAssistant, subject_id: str) -> str:
    """The device id of a farm's rack, tank or plant."""
    (device,) = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, subject_id)})
    return device.id


def subject_state(
    hass: HomeAssistant, subject_id: str, key: str, platform: str = "sensor"
) -> str:
    """The state of a rack's, tank's or plant's entity by its key ("ec_deviation")."""
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{subject_id}_{key}"
    )
    assert entity_id is not None
    state = hass.states.get(entity_id)
    assert state is not None
    return state.state


def disk_now(hass_storage: dict[str, Any], *keys: str) -> dict[str, Any]:
    """What these stores hold on disk now (a copy; None for one not written)."""
    return {key: copy.deepcopy(hass_storage.get(key)) for key in keys}


@pytest.fixture
def slow_disk(hass_storage: dict[str, Any]) -> Iterator[None]:
    """Writes to `hass_storage` land a turn later, as real ones do in the executor.

    The test disk otherwise writes at once, so a write started in a task is
    done before the code that started it goes on; on a real disk it is not.
    """
    write = storage.Store._async_write_data  # the test disk's write

    async def _async_write_later(store: storage.Store, data: dict[str, Any]) -> None:
        await asyncio.sleep(0)
        await write(store, data)

    with patch.object(storage.Store, "_async_write_data", _async_write_later):
        yield


async def async_start_again_after_a_crash(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    entry: ConfigEntry,
    disk: Mapping[str, Any],
    *,
    freezer: FrozenDateTimeFactory | None = None,
    later: timedelta = timedelta(0),
) -> None:
    """A crash: the entry stops, its stores are as `disk` had them, it starts again.

    `later` moves the clock on before it starts (with `freezer`).
    """
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    for key, stored in disk.items():
        if stored is None:
            hass_storage.pop(key, None)
        else:
            hass_storage[key] = stored
    if freezer is not None:
        freezer.tick(later)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done(wait_background_tasks=True)


async def call_action(
    hass: HomeAssistant, action: str, data: dict[str, Any], *, response: bool = False
) -> Any:
    """Call one of the farm's actions and wait for it (its response if asked)."""
    return await hass.services.async_call(
        DOMAIN, action, data, blocking=True, return_response=response
    )


def home_farm_entry(
    hass: HomeAssistant, hass_storage: dict[str, Any]
) -> MockConfigEntry:
    """A second farm, "Home farm", with the same names as the basement farm.

    It has its own Tank A, Rack one and Basil tray, and a Rack two (with mint)
    that the basement farm has not.
    """
    entry = farm_with(
        hass,
        "Home farm",
        [
            subentry(
                HOME_TANK_ID,
                "tank",
                {
                    **TANK_DATA,
                    "ec_sensor": None,
                    "ph_sensor": None,
                    "temperature_sensor": None,
                    "level_sensor": None,
                },
            ),
            subentry(
                HOME_RACK_ID,
                "rack",
                {
                    **RACK_DATA,
                    "tank": HOME_TANK_ID,
                    "temperature_sensor": None,
                    "humidity_sensor": None,
                    "light_sensor": None,
                },
            ),
            subentry(HOME_BASIL_ID, "plant", {**BASIL_DATA, "rack": HOME_RACK_ID}),
            subentry(HOME_RACK_TWO_ID, "rack", {"name": "Rack two"}),
            subentry(
                HOME_MINT_ID,
                "plant",
                {
                    "name": "Mint pot",
                    "species": "mint",
                    "rack": HOME_RACK_TWO_ID,
                    "shelf": 1,
                    "planted": "2026-11-01",
                    "phase": "seedling",
                    "care_preset": "herb",
                },
            ),
        ],
    )
    seed_phases(
        hass_storage,
        entry.entry_id,
        {
            HOME_BASIL_ID: ("seedling", "2026-11-01"),
            HOME_MINT_ID: ("seedling", "2026-11-01"),
        },
    )
    return entry


@pytest.fixture
def farm_entry(hass: HomeAssistant, hass_storage: dict[str, Any]) -> MockConfigEntry:
    """A farm with one tank, one rack, a tray of basil on it and a monstera pot.

    It has run since the plants went in: the basil has been a seedling since
    its sowing day and the monstera vegetative since it was potted.
    """
    entry = farm_with(
        hass,
        "Basement",
        [
            subentry(TANK_ID, "tank", TANK_DATA),
            subentry(RACK_ID, "rack", RACK_DATA),
            subentry(PLANT_ID, "plant", BASIL_DATA),
            subentry(POT_ID, "plant", MONSTERA_DATA),
        ],
    )
    seed_phases(
        hass_storage,
        entry.entry_id,
        {
            PLANT_ID: (BASIL_DATA["phase"], BASIL_DATA["planted"]),
            POT_ID: (MONSTERA_DATA["phase"], MONSTERA_DATA["planted"]),
        },
    )
    return entry


@pytest.fixture
async def loaded_farm(
    hass: HomeAssistant, farm_entry: MockConfigEntry
) -> MockConfigEntry:
    """The farm, set up."""
    return await set_up(hass, farm_entry)
