"""Rack, tank and plant subentry flows; devices; removal without orphans."""

from typing import Any

from homeassistant.components.repairs import repairs_flow_manager
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType, InvalidData
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    issue_registry as ir,
)
from homeassistant.setup import async_setup_component
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN

from .conftest import PLANT_ID, POT_ID, RACK_ID, TANK_ID


async def _add(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    subentry_type: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, subentry_type), context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "user"
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


async def _reconfigure(
    hass: HomeAssistant,
    entry: MockConfigEntry,
    subentry_id: str,
    data: dict[str, Any],
) -> dict[str, Any]:
    subentry_type = entry.subentries[subentry_id].subentry_type
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, subentry_type),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    assert result["step_id"] == "reconfigure"
    return await hass.config_entries.subentries.async_configure(result["flow_id"], data)


def _find(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry | None:
    found = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, identifier)})
    assert len(found) <= 1
    return found[0] if found else None


def _device(hass: HomeAssistant, identifier: str) -> dr.DeviceEntry:
    device = _find(hass, identifier)
    assert device is not None
    return device


def _by_title(entry: MockConfigEntry, title: str) -> str:
    return next(k for k, v in entry.subentries.items() if v.title == title)


async def test_device_hierarchy(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Hub -> rack -> plant; hub -> tank; hub -> standalone pot; models say what it is."""
    hub = _device(hass, loaded_farm.entry_id)
    rack = _device(hass, RACK_ID)
    tank = _device(hass, TANK_ID)
    basil = _device(hass, PLANT_ID)
    pot = _device(hass, POT_ID)
    assert (hub.name, hub.model) == ("Basement", "Farm")
    assert (rack.name, rack.model, rack.via_device_id) == ("Rack one", "Rack", hub.id)
    assert (tank.name, tank.via_device_id) == ("Tank A", hub.id)
    assert tank.model == "Recirculation tank"
    assert (basil.name, basil.model, basil.via_device_id) == (
        "Basil tray",
        "Basil",
        rack.id,
    )
    assert (pot.name, pot.model, pot.via_device_id) == ("Monstera", "Monstera", hub.id)
    assert (rack.config_entry_id, rack.config_subentry_id) == (
        loaded_farm.entry_id,
        RACK_ID,
    )
    assert hub.config_subentry_id is None


async def test_add_rack_tank_plant(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Each subentry flow stores the SPEC keys and gets its device at once."""
    kitchen = ar.async_get(hass).async_create("Kitchen")
    result = await _add(
        hass,
        loaded_farm,
        "tank",
        {
            "name": "Tank B",
            "tank_type": "nutrient",
            "volume_l": 20,
            "system": "coco",
            "ec_sensor": "sensor.tank_b_ec",
            "fertilizers": [{"fertilizer": "calmag", "ml_per_l": 0.5}],
            "area": kitchen.id,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Tank B"
    assert result["data"]["fertilizers"] == [{"fertilizer": "calmag", "ml_per_l": 0.5}]
    assert result["data"]["ph_sensor"] is None
    await hass.async_block_till_done()
    tank_id = _by_title(loaded_farm, "Tank B")
    tank_device = _device(hass, tank_id)
    assert tank_device.area_id == kitchen.id
    assert tank_device.model == "Nutrient tank"

    result = await _add(
        hass,
        loaded_farm,
        "rack",
        {
            "name": "Rack two",
            "shelves": 3,
            "tank": tank_id,
            "light_entity": "light.rack_two",
            "light_mode": "fixed",
            "lights_on": "05:30:00",
            "photoperiod_h": 14,
            "pump_entity": "switch.rack_two_pump",
            "pump_on_min": 5,
            "pump_off_min": 25,
            "temperature_sensor": "sensor.rack_two_temperature",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["shelves"] == 3
    assert result["data"]["lights_on"] == "05:30:00"
    await hass.async_block_till_done()
    rack_id = _by_title(loaded_farm, "Rack two")

    result = await _add(
        hass,
        loaded_farm,
        "plant",
        {
            "name": "Lettuce tray",
            "species": "lettuce",
            "cultivar": "Butterhead",
            "quantity": 24,
            "rack": rack_id,
            "shelf": 3,
            "planted": "2026-11-02",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    data = result["data"]
    assert data["quantity"] == 24
    assert data["phase"] == "germination", "defaults to the species' first phase"
    assert data["care_preset"], "defaults from the species"
    await hass.async_block_till_done()
    plant = _device(hass, _by_title(loaded_farm, "Lettuce tray"))
    assert plant.via_device_id == _device(hass, rack_id).id
    assert plant.model == "Lettuce 'Butterhead'"


@pytest.mark.parametrize(
    ("subentry_type", "data", "errors"),
    [
        ("rack", {"name": "rack ONE", "shelves": 2}, {"name": "name_exists"}),
        (
            "rack",
            {"name": "Rack 2", "shelves": 2, "tank": "nope"},
            {"tank": "unknown_tank"},
        ),
        ("rack", {"name": " ", "shelves": 2}, {"name": "name_invalid"}),
        ("tank", {"name": "Tank B", "volume_l": 0}, {"volume_l": "volume_invalid"}),
        ("tank", {"name": "Tank B", "volume_l": -5}, {"volume_l": "volume_invalid"}),
        ("tank", {"name": "tank a", "volume_l": 5}, {"name": "name_exists"}),
        (
            "tank",
            {
                "name": "Tank B",
                "volume_l": 5,
                "fertilizers": [{"fertilizer": "unobtainium", "ml_per_l": 1}],
            },
            {"fertilizers": "unknown_fertilizer"},
        ),
        (
            "tank",
            {
                "name": "Tank B",
                "volume_l": 5,
                "fertilizers": [{"fertilizer": "calmag", "ml_per_l": 40}],
            },
            {"fertilizers": "dose_out_of_range"},
        ),
        ("plant", {"name": "X", "species": "triffid"}, {"species": "unknown_species"}),
        (
            "plant",
            {"name": "X", "species": "basil", "rack": RACK_ID, "shelf": 5},
            {"shelf": "shelf_out_of_range"},
        ),
        (
            "plant",
            {"name": "X", "species": "basil", "shelf": 1},
            {"shelf": "shelf_without_rack"},
        ),
        (
            "plant",
            {"name": "X", "species": "basil", "rack": "gone"},
            {"rack": "unknown_rack"},
        ),
        ("plant", {"name": "basil TRAY", "species": "basil"}, {"name": "name_exists"}),
        (
            "plant",
            {"name": "X", "species": "basil", "phase": "fruiting"},
            {"phase": "phase_not_in_sequence"},
        ),
        (
            "plant",
            {"name": "X", "species": "basil", "planted": "2999-01-01"},
            {"planted": "planted_in_future"},
        ),
        (
            "plant",
            {"name": "X", "species": "basil", "container_l": 0},
            {"container_l": "volume_invalid"},
        ),
    ],
)
async def test_validation_errors_change_nothing(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    subentry_type: str,
    data: dict[str, Any],
    errors: dict[str, str],
) -> None:
    """Bad input shows a translated error on the form and creates nothing."""
    before = dict(loaded_farm.subentries)
    result = await _add(hass, loaded_farm, subentry_type, data)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    assert dict(loaded_farm.subentries) == before


async def test_reconfigure_each_type(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Reconfigure pre-fills the form, validates, and updates title, data and device."""
    subentries = hass.config_entries.subentries
    result = await subentries.async_init(
        (loaded_farm.entry_id, "plant"),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": PLANT_ID},
    )
    suggested = {
        str(marker): (marker.description or {}).get("suggested_value")
        for marker in result["data_schema"].schema
    }
    assert suggested["species"] == "basil"
    assert suggested["shelf"] == 2
    # Same name is fine for itself; a move to a missing shelf is not.
    result = await subentries.async_configure(
        result["flow_id"],
        {"name": "Basil tray", "species": "basil", "rack": RACK_ID, "shelf": 9},
    )
    assert result["errors"] == {"shelf": "shelf_out_of_range"}
    result = await subentries.async_configure(
        result["flow_id"],
        {"name": "Basil pot", "species": "basil", "phase": "vegetative"},
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_farm.subentries[PLANT_ID].title == "Basil pot"
    assert loaded_farm.subentries[PLANT_ID].data["rack"] is None
    basil = _device(hass, PLANT_ID)
    assert basil.name == "Basil pot"
    assert basil.via_device_id == _device(hass, loaded_farm.entry_id).id

    # A rack cannot lose shelves that plants stand on.
    await _reconfigure(
        hass,
        loaded_farm,
        PLANT_ID,
        {"name": "Basil pot", "species": "basil", "rack": RACK_ID, "shelf": 4},
    )
    result = await _reconfigure(
        hass, loaded_farm, RACK_ID, {"name": "Rack one", "shelves": 2}
    )
    assert result["errors"] == {"shelves": "shelves_in_use"}
    result = await _reconfigure(
        hass, loaded_farm, RACK_ID, {"name": "Rack uno", "shelves": 6}
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert _device(hass, RACK_ID).name == "Rack uno"

    result = await _reconfigure(
        hass,
        loaded_farm,
        TANK_ID,
        {"name": "Tank A", "tank_type": "nutrient", "volume_l": 80},
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_farm.subentries[TANK_ID].data["volume_l"] == 80
    assert _device(hass, TANK_ID).model == "Nutrient tank"


async def test_remove_rack_makes_standalone_pots(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Plants on a removed rack become standalone pots, with a repair notice."""
    assert await async_setup_component(hass, "repairs", {})
    assert hass.config_entries.async_remove_subentry(loaded_farm, RACK_ID)
    await hass.async_block_till_done()
    plant = loaded_farm.subentries[PLANT_ID]
    assert plant.data["rack"] is None
    assert plant.data["shelf"] is None
    assert _find(hass, RACK_ID) is None
    assert (
        _device(hass, PLANT_ID).via_device_id == _device(hass, loaded_farm.entry_id).id
    )
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"rack_removed_{RACK_ID}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "name": "Rack one",
        "children": "Basil tray",
    }
    # The notice is confirmed away through its repair flow.
    manager = repairs_flow_manager(hass)
    assert manager is not None
    flow = await manager.async_init(DOMAIN, data={"issue_id": issue.issue_id})
    assert flow["type"] is FlowResultType.FORM
    assert flow["step_id"] == "confirm"
    assert flow["description_placeholders"]["children"] == "Basil tray"
    flow = await manager.async_configure(flow["flow_id"], {})
    assert flow["type"] is FlowResultType.CREATE_ENTRY
    assert ir.async_get(hass).async_get_issue(DOMAIN, issue.issue_id) is None


async def test_remove_tank_unlinks_racks(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Racks on a removed tank lose the link, with a repair notice."""
    assert hass.config_entries.async_remove_subentry(loaded_farm, TANK_ID)
    await hass.async_block_till_done()
    assert loaded_farm.subentries[RACK_ID].data["tank"] is None
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"tank_removed_{TANK_ID}")
    assert issue is not None
    assert issue.translation_placeholders["children"] == "Rack one"


async def test_deleting_the_farm_takes_its_removed_notices(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The notices of a rack and a tank removed earlier go with their farm.

    Their ids name the removed subentries, which the farm no longer has; the
    notices are persistent, so nothing else would ever take them away.
    """
    assert hass.config_entries.async_remove_subentry(loaded_farm, TANK_ID)
    assert hass.config_entries.async_remove_subentry(loaded_farm, RACK_ID)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    removed = {f"tank_removed_{TANK_ID}", f"rack_removed_{RACK_ID}"}
    assert {issue_id for _domain, issue_id in issues.issues} >= removed

    assert await hass.config_entries.async_remove(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert not [key for key in issues.issues if key[0] == DOMAIN]


async def test_remove_plant_leaves_others(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Removing a plant removes only its device; no notice is needed."""
    assert hass.config_entries.async_remove_subentry(loaded_farm, POT_ID)
    await hass.async_block_till_done()
    assert _find(hass, POT_ID) is None
    assert _find(hass, PLANT_ID) is not None
    assert not [
        i for i in ir.async_get(hass).issues if i[0] == DOMAIN and "removed" in i[1]
    ]


@pytest.mark.parametrize(
    ("subentry_type", "data"),
    [
        ("rack", {"name": "Rack 2", "shelves": 13}),
        ("rack", {"name": "Rack 2", "lights_on": "25:00"}),
        ("rack", {"name": "Rack 2", "photoperiod_h": 30}),
        ("rack", {"name": "Rack 2", "light_mode": "disco"}),
        ("tank", {"name": "Tank B", "volume_l": 5, "tank_type": "bathtub"}),
        ("plant", {"name": "X", "species": "basil", "quantity": 0}),
        ("plant", {"name": "X", "species": "basil", "planted": "yesterday"}),
    ],
)
async def test_schema_rejects_out_of_range(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    subentry_type: str,
    data: dict[str, Any],
) -> None:
    """Ranges and choices are enforced by the form's selectors before anything is stored."""
    before = dict(loaded_farm.subentries)
    with pytest.raises(InvalidData):
        await _add(hass, loaded_farm, subentry_type, data)
    assert dict(loaded_farm.subentries) == before


async def test_remove_empty_rack_raises_no_notice(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A rack with nothing on it goes quietly."""
    result = await _add(hass, loaded_farm, "rack", {"name": "Empty", "shelves": 2})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    empty_id = _by_title(loaded_farm, "Empty")
    assert _find(hass, empty_id) is not None
    assert hass.config_entries.async_remove_subentry(loaded_farm, empty_id)
    await hass.async_block_till_done()
    assert _find(hass, empty_id) is None
    assert not [
        i for i in ir.async_get(hass).issues if i[0] == DOMAIN and "removed" in i[1]
    ]
