"""Vertical Farm: racks, nutrient tanks and plants in Home Assistant."""

from __future__ import annotations

from homeassistant.config_entries import (
    SIGNAL_CONFIG_ENTRY_CHANGED,
    ConfigEntry,
    ConfigEntryChange,
)
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers.dispatcher import async_dispatcher_connect

from .farm import (
    Farm,
    FarmConfigEntry,
    FarmRuntime,
    async_get_bundled_library,
    farm_library,
)
from .store import FarmStore


async def async_setup_entry(hass: HomeAssistant, entry: FarmConfigEntry) -> bool:
    """Set up a farm from its config entry."""
    library = farm_library(await async_get_bundled_library(hass), entry.options)
    store = FarmStore(hass, entry.entry_id)
    await store.async_load()
    farm = Farm(hass, entry, library, store)
    entry.runtime_data = FarmRuntime(library=library, store=store, farm=farm)
    farm.async_sync_devices()

    @callback
    def _entry_changed(change: ConfigEntryChange, changed: ConfigEntry) -> None:
        # Subentries change live; options reload through OptionsFlowWithReload,
        # which forbids update listeners, hence the dispatcher signal.
        if change is ConfigEntryChange.UPDATED and changed.entry_id == entry.entry_id:
            farm.async_config_changed()

    entry.async_on_unload(
        async_dispatcher_connect(hass, SIGNAL_CONFIG_ENTRY_CHANGED, _entry_changed)
    )
    return True


async def async_unload_entry(hass: HomeAssistant, entry: FarmConfigEntry) -> bool:
    """Unload a farm, writing anything batched first."""
    await entry.runtime_data.store.async_flush()
    return True


async def async_remove_entry(hass: HomeAssistant, entry: FarmConfigEntry) -> None:
    """Delete the farm's stored journal with the farm."""
    await FarmStore(hass, entry.entry_id).async_remove()
