"""Devices of a farm: the hub and one per rack, tank and plant, kept in step."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
import logging

from homeassistant.config_entries import ConfigEntry, ConfigSubentry
from homeassistant.core import HomeAssistant, callback
from homeassistant.helpers import device_registry as dr, issue_registry as ir

from .const import CONF_RACK, CONF_SHELF, DOMAIN, ISSUE_ENTRY_ID, MANUFACTURER
from .engine.profiles import Library
from .models import FarmSettings, PlantConfig, RackConfig, TankConfig
from .pacing import Pacer

_LOGGER = logging.getLogger(__name__)


def species_label(library: Library, plant: PlantConfig) -> str:
    """Human label of a plant's species and cultivar ("Basil 'Genovese'")."""
    species = library.species.get(plant.species or "")
    label = species.name if species is not None else (plant.species or "Plant")
    return f"{label} '{plant.cultivar}'" if plant.cultivar else label


@callback
def async_sync_devices(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    settings: FarmSettings,
    racks: dict[str, RackConfig],
    tanks: dict[str, TankConfig],
    plants: dict[str, PlantConfig],
    library: Library,
) -> None:
    """Create or update the hub and one device per subentry, linked by via_device_id."""
    for _ in _sync_devices(hass, entry, settings, racks, tanks, plants, library):
        pass


async def async_sync_devices_in_slices(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    settings: FarmSettings,
    racks: dict[str, RackConfig],
    tanks: dict[str, TankConfig],
    plants: dict[str, PlantConfig],
    library: Library,
    pacer: Pacer,
) -> None:
    """The same, within the farm's share of each event-loop turn.

    A large farm's thousand devices must not block the loop in one go.
    """
    for _ in _sync_devices(hass, entry, settings, racks, tanks, plants, library):
        await pacer.pace()


def _sync_devices(  # noqa: PLR0917
    hass: HomeAssistant,
    entry: ConfigEntry,
    settings: FarmSettings,
    racks: dict[str, RackConfig],
    tanks: dict[str, TankConfig],
    plants: dict[str, PlantConfig],
    library: Library,
) -> Iterator[None]:
    """Sync the devices, pausing (yielding) before each subentry's device."""
    registry = dr.async_get(hass)
    entry_id = entry.entry_id
    hub = registry.async_get_or_create(
        config_entry_id=entry_id,
        identifiers={(DOMAIN, entry_id)},
        name=settings.name,
        manufacturer=MANUFACTURER,
        model="Farm",
    )
    device_ids = {entry_id: hub.id}
    described: list[tuple[str, str, str, str | None, str]] = [
        *((key, rack.name, "Rack", rack.area, entry_id) for key, rack in racks.items()),
        *(
            (key, tank.name, f"{tank.tank_type.capitalize()} tank", tank.area, entry_id)
            for key, tank in tanks.items()
        ),
        *(
            (
                key,
                plant.name,
                species_label(library, plant),
                plant.area,
                plant.rack if plant.rack in racks else entry_id,
            )
            for key, plant in plants.items()
        ),
    ]
    # Racks come before plants: a plant's parent device exists first.
    for subentry_id, name, model, area_id, parent in described:
        yield
        identifier = (DOMAIN, subentry_id)
        known = registry.async_get_device_by_identifier(identifier, entry_id)
        if (
            known is not None
            and known.config_subentry_id == subentry_id
            and known.name == name
            and known.manufacturer == MANUFACTURER
            and known.model == model
            and known.via_device_id == device_ids[parent]
        ):
            # As it is (every restart): asking the registry would compare it all.
            device_ids[subentry_id] = known.id
            continue
        device = registry.async_get_or_create(
            config_entry_id=entry_id,
            config_subentry_id=subentry_id,
            identifiers={identifier},
            name=name,
            manufacturer=MANUFACTURER,
            model=model,
            via_device_id=device_ids[parent],
        )
        device_ids[subentry_id] = device.id
        if known is None and area_id:
            registry.async_update_device(device.id, area_id=area_id)


@callback
def async_unlink_children(
    hass: HomeAssistant,
    entry: ConfigEntry,
    *,
    farm_name: str,
    removed: Iterable[tuple[str, str]],
    child_type: str,
    link_key: str,
) -> None:
    """Clear the link of every child of removed racks or tanks, with a repair notice."""
    for removed_id, name in removed:
        children: list[ConfigSubentry] = [
            subentry
            for subentry in entry.subentries.values()
            if subentry.subentry_type == child_type
            and subentry.data.get(link_key) == removed_id
        ]
        if not children:
            continue
        for child in children:
            data = {**child.data, link_key: None}
            if link_key == CONF_RACK:
                data[CONF_SHELF] = None  # a standalone pot has no shelf
            hass.config_entries.async_update_subentry(entry, child, data=data)
        kind = "rack_removed" if link_key == CONF_RACK else "tank_removed"
        ir.async_create_issue(
            hass,
            DOMAIN,
            f"{kind}_{removed_id}",
            is_fixable=True,
            is_persistent=True,
            severity=ir.IssueSeverity.WARNING,
            translation_key=kind,
            # Its id names a subentry gone from the farm: the farm is found
            # by this when it is deleted, and the notice goes with it.
            data={ISSUE_ENTRY_ID: entry.entry_id},
            translation_placeholders={
                "farm": farm_name,
                "name": name,
                "children": ", ".join(sorted(child.title for child in children)),
            },
        )
        _LOGGER.info(
            "%s removed from %s; unlinked %s",
            name,
            farm_name,
            ", ".join(child.title for child in children),
        )
