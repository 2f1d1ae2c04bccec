"""Farm floor: the devices and entities of a farm, and nothing else.

The entry's data holds `counts`: for each kind of subject ("farm", "rack",
"tank", "plant") how many entities of each platform it has. Subentries are
the racks, tanks and plants; a plant's data may name its rack as `parent`.
"""

from __future__ import annotations

from homeassistant.config_entries import ConfigEntry
from homeassistant.const import Platform
from homeassistant.core import HomeAssistant
from homeassistant.helpers import device_registry as dr

from .entity import DOMAIN, platforms_of


async def async_setup_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Register the hub and one device per subentry, then forward the platforms."""
    registry = dr.async_get(hass)
    hub = registry.async_get_or_create(
        config_entry_id=entry.entry_id,
        identifiers={(DOMAIN, entry.entry_id)},
        name=entry.title,
        manufacturer="Floor",
        model="Hub",
    )
    device_ids = {entry.entry_id: hub.id}
    for subentry_id, subentry in entry.subentries.items():
        parent = subentry.data.get("parent") or entry.entry_id
        device = registry.async_get_or_create(
            config_entry_id=entry.entry_id,
            config_subentry_id=subentry_id,
            identifiers={(DOMAIN, subentry_id)},
            name=subentry.title,
            manufacturer="Floor",
            model=subentry.subentry_type,
            via_device_id=device_ids.get(parent, hub.id),
        )
        device_ids[subentry_id] = device.id
    await hass.config_entries.async_forward_entry_setups(entry, platforms_of(entry))
    return True


async def async_unload_entry(hass: HomeAssistant, entry: ConfigEntry) -> bool:
    """Unload the platforms."""
    platforms: list[Platform] = platforms_of(entry)
    return await hass.config_entries.async_unload_platforms(entry, platforms)
