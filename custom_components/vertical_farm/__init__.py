"""Vertical Farm: racks, nutrient tanks and plants in Home Assistant."""

from __future__ import annotations

from collections import deque
import logging

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
    ConfigEntryState,
)
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import (
    config_validation as cv,
    entity_platform,
    issue_registry as ir,
)
from homeassistant.helpers.dispatcher import async_dispatcher_connect
from homeassistant.helpers.typing import ConfigType

from .agronomy_services import async_setup_agronomy_services
from .alerts import farm_issues
from .card import async_register_card
from .const import CONF_LIGHT_ENTITY, DOMAIN, SUBENTRY_RACK
from .driver import LIGHT_SCHEDULE, async_turn_off_lights
from .farm import (
    Farm,
    FarmConfigEntry,
    FarmRuntime,
    async_get_bundled_library,
    farm_library,
)
from .intents import async_setup_intents
from .llm import async_setup_llm
from .mobile_actions import async_setup_mobile_actions
from .pacing import Pacer
from .planner_actions import async_setup_planner_actions
from .planner_link import PlannerLink
from .services import async_setup_services
from .simulator import (
    async_prepare_simulator,
    async_remove_simulator,
    async_start_simulator,
)
from .store import FarmStore
from .topology import FarmConfig

_LOGGER = logging.getLogger(__name__)

CONFIG_SCHEMA = cv.config_entry_only_config_schema(DOMAIN)

PLATFORMS: list[Platform] = [
    Platform.BINARY_SENSOR,
    Platform.BUTTON,
    Platform.CALENDAR,
    Platform.EVENT,
    Platform.NUMBER,
    Platform.SELECT,
    Platform.SENSOR,
    Platform.SWITCH,
    Platform.TIME,
    Platform.TODO,
]


async def async_setup(hass: HomeAssistant, config: ConfigType) -> bool:
    """Register the actions once, whether or not a farm is loaded."""
    async_setup_services(hass)
    async_setup_planner_actions(hass)
    async_setup_agronomy_services(hass)
    async_setup_mobile_actions(hass)
    async_setup_intents(hass)
    async_setup_llm(hass)
    await async_register_card(hass)
    return True


async def async_setup_entry(hass: HomeAssistant, entry: FarmConfigEntry) -> bool:
    """Set up a farm from its config entry."""
    library = farm_library(await async_get_bundled_library(hass), entry.options)
    store = FarmStore(hass, entry.entry_id)
    await store.async_load()
    pacer = Pacer()
    config = await FarmConfig.async_from_entry(entry, pacer)
    farm = Farm(hass, entry, library, store, config=config, pacer=pacer)
    planner = PlannerLink(hass, entry, store, farm.async_notify)
    entry.runtime_data = FarmRuntime(
        library=library, store=store, farm=farm, planner=planner
    )
    # Devices and current readings first: entities show real values from the start.
    async_prepare_simulator(hass, entry)
    await farm.async_start()
    await async_start_simulator(hass, entry)
    await hass.config_entries.async_forward_entry_setups(entry, PLATFORMS)
    planner.async_start()

    @callback
    def _entry_changed(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        # Subentries change live; options reload through OptionsFlowWithReload,
        # which forbids update listeners, hence the dispatcher signal.
        if (
            change is ConfigEntryChange.UPDATED
            and changed.entry_id == entry.entry_id
            and changed.state is ConfigEntryState.LOADED
        ):
            farm.async_config_changed()
            # Notices about a removed rack or tank go with it.
            farm.notices.async_keep(farm.config.subjects)

    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, _entry_changed)
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: FarmConfigEntry) -> bool:
    """Unload a farm, writing anything batched first.

    Lights and pumps go to their safe state before the platforms unload, so a
    light or pump of the farm's own (the demo's simulated hardware) still
    answers when it is turned off.
    """
    farm = entry.runtime_data.farm
    await farm.async_stop_drivers()
    await _async_remove_entities_in_turns(hass, entry, farm.pacer)
    unloaded = await hass.config_entries.async_unload_platforms(entry, PLATFORMS)
    if unloaded:
        entry.runtime_data.planner.async_stop()
        # Letting go of a large farm's views and listeners, and writing its
        # store, each take a few milliseconds: each in a turn of its own.
        await farm.pacer.pace()
        farm.async_stop()
        if entry.runtime_data.simulator is not None:
            await entry.runtime_data.simulator.async_stop()
        await farm.pacer.pace()
        await entry.runtime_data.store.async_save_now()
    return unloaded


async def _async_remove_entities_in_turns(
    hass: HomeAssistant, entry: FarmConfigEntry, pacer: Pacer
) -> None:
    """Take the farm's entities away a few at a time, within the pacer's turns.

    Unloading a platform removes all its entities in one go: on a farm of a
    thousand plants that held up the event loop for about 0.4 s. Removed
    like this first, the platforms then have nothing left to remove. Each
    entity is let go of as it is removed: freeing a platform's thousand
    entities at once took milliseconds of a turn of its own.
    """
    entities = deque(
        entity
        for platform in entity_platform.async_get_platforms(hass, DOMAIN)
        if platform.config_entry is entry
        for entity in list(platform.entities.values())
    )
    while entities:
        await pacer.pace()
        entity = entities.popleft()
        try:
            await entity.async_remove()
        except Exception:
            _LOGGER.exception("Error while removing entity %s", entity.entity_id)
        del entity  # freed here, in this turn


async def async_remove_entry(hass: HomeAssistant, entry: FarmConfigEntry) -> None:
    """Delete the farm's stored journal and its repair issues with the farm.

    The lights its schedules drove are turned off first: its pumps were
    turned off at unload, and nothing will switch these off any more.
    """
    store = FarmStore(hass, entry.entry_id)
    await store.async_load()
    await async_turn_off_lights(
        hass,
        (
            light
            for subentry in entry.subentries.values()
            if subentry.subentry_type == SUBENTRY_RACK
            and (light := subentry.data.get(CONF_LIGHT_ENTITY))
            and store.state(subentry.subentry_id).get(LIGHT_SCHEDULE)
        ),
    )
    await store.async_remove()
    await async_remove_simulator(hass, entry.entry_id)
    for issue_id, _issue in farm_issues(hass, entry.entry_id, entry.subentries):
        ir.async_delete_issue(hass, DOMAIN, issue_id)
