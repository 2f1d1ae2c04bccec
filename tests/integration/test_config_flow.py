"""The farm config flow: by hand, from a kit, reconfigure, discovery, options."""

import json
from pathlib import Path
from typing import Any

from homeassistant.config_entries import SOURCE_HASSIO, SOURCE_USER, ConfigFlowResult
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.helpers import device_registry as dr
from homeassistant.helpers.service_info.hassio import HassioServiceInfo
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.config_flow import kit_subentries
from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.profiles import (
    KitPlant,
    KitRack,
    StarterKit,
)
from custom_components.vertical_farm.farm import async_get_bundled_library

from .conftest import FARM_DATA
from .planner_server import TOKEN, PlannerServer

WATER = {"hemisphere": "north", "tap_ec": 0.35, "tap_ph": 7.2, "alkalinity": 90}
EN = json.loads(
    (Path(__file__).parents[2] / "custom_components" / DOMAIN / "translations")
    .joinpath("en.json")
    .read_text(encoding="utf-8")
)
KITS = [
    "windowsill_herbs",
    "lettuce_nft_rack",
    "microgreens_shelf",
    "chili_tent",
    "strawberry_tower",
    "houseplant_corner",
    "demo_farm",
]


async def _start(hass: HomeAssistant, step: str) -> dict[str, Any]:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    assert result["type"] is FlowResultType.MENU
    assert result["menu_options"] == ["farm", "kit"]
    return await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": step}
    )


def _suggested(result: dict[str, Any], key: str) -> Any:
    for marker in result["data_schema"].schema:
        if marker == key:
            return (marker.description or {}).get("suggested_value")
    raise KeyError(key)


async def test_create_farm_by_hand(hass: HomeAssistant) -> None:
    """The farm step stores the SPEC keys and titles the entry with the name."""
    result = await _start(hass, "farm")
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "farm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "  Basement ", **WATER, "ro_ec": 0.02}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["title"] == "Basement"
    assert result["data"] == {
        "name": "Basement",
        "hemisphere": "north",
        "tap_ec": 0.35,
        "tap_ph": 7.2,
        "alkalinity": 90.0,
        "ro_ec": 0.02,
    }
    entry = result["result"]
    assert entry.unique_id == "basement"
    await hass.async_block_till_done()
    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert hub is not None
    assert hub.name == "Basement"


@pytest.mark.parametrize(("latitude", "expected"), [(52.1, "north"), (-33.9, "south")])
async def test_hemisphere_defaults_from_location(
    hass: HomeAssistant, latitude: float, expected: str
) -> None:
    """The hemisphere is suggested from Home Assistant's latitude."""
    hass.config.latitude = latitude
    result = await _start(hass, "farm")
    assert _suggested(result, "hemisphere") == expected
    result = await _start(hass, "kit")
    assert _suggested(result, "hemisphere") == expected


async def test_farm_errors_then_success(hass: HomeAssistant) -> None:
    """Blank names, RO above tap and taken names are refused with translated errors."""
    MockConfigEntry(
        domain=DOMAIN, title="Basement", unique_id="basement", data=FARM_DATA
    ).add_to_hass(hass)
    result = await _start(hass, "farm")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "   ", **WATER, "ro_ec": 0.5}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "name_invalid", "ro_ec": "ro_not_below_tap"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "BASEMENT", **WATER}
    )
    assert result["errors"] == {"name": "name_exists"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Attic", **WATER}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert len(hass.config_entries.async_entries(DOMAIN)) == 2


@pytest.mark.parametrize("kit", KITS)
async def test_starter_kit_creates_linked_farm(hass: HomeAssistant, kit: str) -> None:
    """Each kit creates its racks, tanks and plants, linked and with devices."""
    result = await _start(hass, "kit")
    assert result["step_id"] == "kit"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"kit": kit, "name": "Kit farm", **WATER}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry = result["result"]
    by_type: dict[str, dict[str, Any]] = {"rack": {}, "tank": {}, "plant": {}}
    for subentry_id, subentry in entry.subentries.items():
        by_type[subentry.subentry_type][subentry_id] = subentry
    assert by_type["plant"], "every kit has plants"
    names = [subentry.title for subentry in entry.subentries.values()]
    assert len(names) == len(set(names)), "names are unique"
    for rack in by_type["rack"].values():
        assert rack.data["tank"] is None or rack.data["tank"] in by_type["tank"]
    devices = dr.async_get(hass)
    hub = devices.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert hub is not None
    for plant_id, plant in by_type["plant"].items():
        assert plant.data["planted"]
        assert plant.data["phase"]
        device = devices.async_get_device_by_identifier(
            (DOMAIN, plant_id), entry.entry_id
        )
        assert device is not None
        if plant.data["rack"] is None:
            assert device.via_device_id == hub.id
        else:
            assert plant.data["rack"] in by_type["rack"]
            rack_device = devices.async_get_device_by_identifier(
                (DOMAIN, plant.data["rack"]), entry.entry_id
            )
            assert rack_device is not None
            assert device.via_device_id == rack_device.id
            shelves = by_type["rack"][plant.data["rack"]].data["shelves"]
            assert 1 <= plant.data["shelf"] <= shelves


async def test_kit_refuses_taken_name(hass: HomeAssistant) -> None:
    """The kit step checks the name like the farm step."""
    MockConfigEntry(
        domain=DOMAIN, title="Basement", unique_id="basement", data=FARM_DATA
    ).add_to_hass(hass)
    result = await _start(hass, "kit")
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"kit": KITS[0], "name": "basement", **WATER}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"name": "name_exists"}


async def test_reconfigure(hass: HomeAssistant, loaded_farm: MockConfigEntry) -> None:
    """Reconfigure renames the farm (title, unique id, hub device) and its water."""
    MockConfigEntry(
        domain=DOMAIN,
        title="Attic",
        unique_id="attic",
        data={**FARM_DATA, "name": "Attic"},
    ).add_to_hass(hass)
    result = await loaded_farm.start_reconfigure_flow(hass)
    assert result["step_id"] == "reconfigure"
    assert _suggested(result, "tap_ec") == 0.4
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "attic", **WATER}
    )
    assert result["errors"] == {"name": "name_exists"}
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Cellar", **WATER}
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert loaded_farm.title == "Cellar"
    assert loaded_farm.unique_id == "cellar"
    assert loaded_farm.data["tap_ec"] == 0.35
    hub = dr.async_get(hass).async_get_device_by_identifier(
        (DOMAIN, loaded_farm.entry_id), loaded_farm.entry_id
    )
    assert hub is not None
    assert hub.name == "Cellar"


def _discovery(planner: PlannerServer, token: str = TOKEN) -> HassioServiceInfo:
    return HassioServiceInfo(
        config={"host": "127.0.0.1", "port": planner.port, "token": token},
        name="Vertical Farm Planner",
        slug="vertical_farm_planner",
        uuid="1234",
    )


async def test_hassio_discovery_without_farm_creates_one(
    hass: HomeAssistant, planner_server: PlannerServer
) -> None:
    """With no farm yet, confirming the planner leads on to creating the farm."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=_discovery(planner_server)
    )
    assert result["type"] is FlowResultType.FORM
    assert result["step_id"] == "hassio_confirm"
    assert result["description_placeholders"] == {"url": planner_server.url}
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["step_id"] == "farm"
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Basement", **WATER}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["options"] == {
        "planner_url": planner_server.url,
        "planner_token": TOKEN,
    }
    await hass.async_block_till_done(wait_background_tasks=True)
    assert hass.states.get("binary_sensor.basement_planner_connected").state == "on"


async def test_hassio_discovery_links_existing_farms(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """Confirming links every farm; discovering the same planner again aborts."""
    connected = "binary_sensor.basement_planner_connected"
    assert hass.states.get(connected).state == "off"
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=_discovery(planner_server)
    )
    assert result["step_id"] == "hassio_confirm"
    result = await hass.config_entries.flow.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "planner_linked"
    await hass.async_block_till_done(wait_background_tasks=True)
    assert loaded_farm.options["planner_url"] == planner_server.url
    assert loaded_farm.options["planner_token"] == TOKEN
    assert hass.states.get(connected).state == "on"

    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_HASSIO}, data=_discovery(planner_server)
    )
    assert result["type"] is FlowResultType.ABORT
    assert result["reason"] == "already_configured"

    # A new token (the add-on was reinstalled) is offered again.
    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_HASSIO},
        data=_discovery(planner_server, "n3w-token-0123456789"),
    )
    assert result["step_id"] == "hassio_confirm"


async def _submit_planner(
    hass: HomeAssistant, entry: MockConfigEntry, url: str, token: str
) -> ConfigFlowResult:
    """Open the farm's options at the planner step and submit an address and token."""
    result = await hass.config_entries.options.async_init(entry.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "planner"}
    )
    return await hass.config_entries.options.async_configure(
        result["flow_id"], {"planner_url": url, "planner_token": token}
    )


async def test_options_planner(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """The planner connection is checked against the planner, stored, and cleared."""
    connected = "binary_sensor.basement_planner_connected"
    result = await hass.config_entries.options.async_init(loaded_farm.entry_id)
    assert result["type"] is FlowResultType.MENU
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "planner"}
    )
    assert result["step_id"] == "planner"
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"planner_url": "ftp://planner", "planner_token": "x"}
    )
    assert result["errors"] == {"planner_url": "invalid_url"}
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"planner_url": f"{planner_server.url}/"}
    )
    assert result["errors"] == {"planner_token": "token_required"}
    # The planner is asked before anything is saved, and the wrong field named.
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"planner_url": f"{planner_server.url}/", "planner_token": "wrong-token"},
    )
    assert result["errors"] == {"planner_token": "invalid_auth"}
    await planner_server.stop()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"planner_url": f"{planner_server.url}/", "planner_token": TOKEN},
    )
    assert result["errors"] == {"planner_url": "cannot_connect"}
    assert loaded_farm.options == {}
    assert hass.states.get(connected).state == "off"
    await planner_server.start()
    result = await hass.config_entries.options.async_configure(
        result["flow_id"],
        {"planner_url": f"{planner_server.url}/", "planner_token": TOKEN},
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done(wait_background_tasks=True)
    assert loaded_farm.options == {
        "planner_url": planner_server.url,
        "planner_token": TOKEN,
    }
    assert hass.states.get(connected).state == "on"
    # Emptying both disconnects.
    result = await hass.config_entries.options.async_init(loaded_farm.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "planner"}
    )
    result = await hass.config_entries.options.async_configure(result["flow_id"], {})
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_farm.options == {}
    assert hass.states.get(connected).state == "off"


@pytest.mark.parametrize(
    "url",
    [
        "http://[::1",  # an address left open
        "http://planner:99999",  # no such port
        "http://plan\u2028ner:8099",  # a line separator in the host
        "planner:8099",  # no scheme
    ],
)
async def test_options_planner_address_that_cannot_be_read(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, url: str
) -> None:
    """An address that is no URL is named in the form; nothing is saved."""
    result = await _submit_planner(hass, loaded_farm, url, TOKEN)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"planner_url": "invalid_url"}
    assert loaded_farm.options == {}


@pytest.mark.parametrize("login", ["grower:secret@", "grower@", ":secret@"])
async def test_options_planner_address_with_a_login(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    planner_server: PlannerServer,
    login: str,
) -> None:
    """A user name or password in the address is refused: the token is the login.

    No request could carry both, so such an address never connects.
    """
    url = planner_server.url.replace("http://", f"http://{login}")
    result = await _submit_planner(hass, loaded_farm, url, TOKEN)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"planner_url": "url_with_login"}
    assert loaded_farm.options == {}


async def test_options_planner_not_a_planner(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """An address where something else answers is refused as not a planner."""
    planner_server.impostor = True
    result = await _submit_planner(hass, loaded_farm, planner_server.url, TOKEN)
    assert result["errors"] == {"planner_url": "not_a_planner"}
    assert loaded_farm.options == {}


@pytest.mark.parametrize(
    "token",
    [
        f"{TOKEN[:8]}\n{TOKEN[8:]}",
        f"{TOKEN[:8]}\r\n{TOKEN[8:]}",
        f"{TOKEN[:8]}\x00{TOKEN[8:]}",
        f"{TOKEN[:8]}\t{TOKEN[8:]}",
        f"{TOKEN[:8]}\x7f{TOKEN[8:]}",
        f"{TOKEN[:8]}\u2028{TOKEN[8:]}",
    ],
)
async def test_options_planner_token_with_control_characters(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    planner_server: PlannerServer,
    token: str,
) -> None:
    """A token with control characters is named on the token field; nothing is saved."""
    result = await _submit_planner(hass, loaded_farm, planner_server.url, token)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"planner_token": "token_control_characters"}
    assert loaded_farm.options == {}


async def test_options_planner_that_fails_on_its_own(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, planner_server: PlannerServer
) -> None:
    """A planner answering with a server error is not told as a wrong address."""
    planner_server.replies["/api/v1/health"] = (
        503,
        {"error": {"code": "database_unavailable", "message": "test"}},
    )
    result = await _submit_planner(hass, loaded_farm, planner_server.url, TOKEN)
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"base": "planner_server_error"}
    assert loaded_farm.options == {}


async def test_options_planner_token_without_an_address(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A token alone connects nothing: the missing address is named."""
    result = await hass.config_entries.options.async_init(loaded_farm.entry_id)
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"next_step_id": "planner"}
    )
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"planner_token": TOKEN}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == {"planner_url": "url_required"}
    assert loaded_farm.options == {}


async def test_kit_names_stay_unique(hass: HomeAssistant) -> None:
    """Two trays of one species on one shelf get numbered names."""
    library = await async_get_bundled_library(hass)
    kit = StarterKit(
        key="twins",
        name="Twins",
        racks=(KitRack(name="Rack", shelves=2),),
        plants=(
            KitPlant(species="basil", quantity=6, rack="Rack", shelf=1),
            KitPlant(species="basil", quantity=6, rack="Rack", shelf=1),
            KitPlant(species="mint", quantity=1),
        ),
    )
    subentries = kit_subentries(kit, library, "2026-11-23")
    titles = [subentry["title"] for subentry in subentries]
    assert titles == [
        "Rack",
        "Basil (Rack, shelf 1)",
        "Basil (Rack, shelf 1) 2",
        "Mint",
    ]
    rack_id = subentries[0]["subentry_id"]
    assert [s["data"]["rack"] for s in subentries[1:]] == [rack_id, rack_id, None]
    assert subentries[3]["data"]["phase"] == library.species["mint"].sequence[0]


async def _options_step(hass: HomeAssistant, entry: MockConfigEntry, step: str) -> Any:
    menu = await hass.config_entries.options.async_init(entry.entry_id)
    assert step in menu["menu_options"]
    return await hass.config_entries.options.async_configure(
        menu["flow_id"], {"next_step_id": step}
    )


async def test_options_own_species(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A user species copies its template's phases with the user's ranges, then can be planted."""
    options = hass.config_entries.options
    result = await _options_step(hass, loaded_farm, "add_species")
    result = await options.async_configure(
        result["flow_id"], {"name": "Basil", "based_on": "basil"}
    )
    assert result["errors"] == {"name": "key_exists"}
    result = await options.async_configure(
        result["flow_id"], {"name": "Shiso", "based_on": "nothing"}
    )
    assert result["errors"] == {"based_on": "unknown_species"}
    result = await options.async_configure(
        result["flow_id"], {"name": "!!", "based_on": "basil"}
    )
    assert result["errors"] == {"name": "name_invalid"}
    result = await options.async_configure(
        result["flow_id"],
        {"name": "Shiso", "based_on": "basil", "ec_min": 2.0, "ec_max": 1.0},
    )
    assert result["errors"] == {"ec_max": "ec_max_below_min"}
    result = await options.async_configure(
        result["flow_id"],
        {
            "name": "Shiso",
            "based_on": "basil",
            "family": "lamiaceae",
            "ec_min": 0.8,
            "ec_max": 1.4,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    stored = loaded_farm.options["species"]["shiso"]
    assert stored["name"] == "Shiso"
    assert {phase["ec_min"] for phase in stored["phases"]} == {0.8}
    library = loaded_farm.runtime_data.library
    assert library.species["shiso"].sequence == library.species["basil"].sequence

    # The farm reloaded with it: it can be planted.
    result = await hass.config_entries.subentries.async_init(
        (loaded_farm.entry_id, "plant"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Shiso pot", "species": "shiso"}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()

    # In use: it cannot be removed until the plant goes.
    result = await _options_step(hass, loaded_farm, "remove_custom")
    result = await options.async_configure(
        result["flow_id"], {"entries": ["species:shiso"]}
    )
    assert result["errors"] == {"entries": "entry_in_use"}
    assert result["description_placeholders"] == {"in_use": "Shiso pot"}
    plant_id = next(
        k for k, v in loaded_farm.subentries.items() if v.title == "Shiso pot"
    )
    hass.config_entries.async_remove_subentry(loaded_farm, plant_id)
    await hass.async_block_till_done()
    result = await _options_step(hass, loaded_farm, "remove_custom")
    result = await options.async_configure(
        result["flow_id"], {"entries": ["species:shiso"]}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert "species" not in loaded_farm.options
    assert "shiso" not in loaded_farm.runtime_data.library.species


@pytest.mark.parametrize(
    ("ranges", "errors"),
    [
        ({"ec_min": 2.0, "ec_max": 1.0}, {"ec_max": "ec_max_below_min"}),
        ({"ph_min": 7.0, "ph_max": 6.0}, {"ph_max": "ph_max_below_min"}),
        # Basil germinates at EC 0.3-0.6 and pH 5.8-6.5: one bound alone can cross it.
        ({"ec_min": 1.0}, {"ec_min": "ec_min_above_template"}),
        ({"ec_max": 0.5}, {"ec_max": "ec_max_below_template"}),
        ({"ph_min": 6.8}, {"ph_min": "ph_min_above_template"}),
        ({"ph_max": 5.6}, {"ph_max": "ph_max_below_template"}),
    ],
)
async def test_options_own_species_ranges_the_library_refuses(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    ranges: dict[str, float],
    errors: dict[str, str],
) -> None:
    """An EC or pH range the library refuses is named on its field; nothing is saved."""
    result = await _options_step(hass, loaded_farm, "add_species")
    result = await hass.config_entries.options.async_configure(
        result["flow_id"], {"name": "Shiso", "based_on": "basil", **ranges}
    )
    assert result["type"] is FlowResultType.FORM
    assert result["errors"] == errors
    for key in errors.values():
        assert EN["options"]["error"][key]
    assert loaded_farm.options == {}


async def test_options_own_fertilizer(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A user fertilizer gets a default mixing order from its kind and can be dosed."""
    options = hass.config_entries.options
    result = await _options_step(hass, loaded_farm, "add_fertilizer")
    result = await options.async_configure(
        result["flow_id"], {"name": "CalMag", "kind": "calmag", "ec_per_ml": 0.3}
    )
    assert result["errors"] == {"name": "key_exists"}
    result = await options.async_configure(
        result["flow_id"], {"name": "??", "kind": "base", "ec_per_ml": 0.3}
    )
    assert result["errors"] == {"name": "name_invalid"}
    result = await options.async_configure(
        result["flow_id"],
        {
            "name": "Fish hydrolysate",
            "kind": "additive",
            "ec_per_ml": 0.2,
            "tank_safe": False,
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    assert loaded_farm.options["fertilizers"]["fish_hydrolysate"] == {
        "name": "Fish hydrolysate",
        "kind": "additive",
        "ec_per_ml": 0.2,
        "mixing_priority": 50,
        "tank_safe": False,
        "max_ml_per_l": 5.0,
    }
    fertilizer = loaded_farm.runtime_data.library.fertilizers["fish_hydrolysate"]
    assert fertilizer.mixing_priority == 50
    # A tank that uses it keeps it from being removed.
    result = await hass.config_entries.subentries.async_init(
        (loaded_farm.entry_id, "tank"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Soil can",
            "volume_l": 10,
            "tank_type": "irrigation",
            "system": "soil",
            "fertilizers": [{"fertilizer": "fish_hydrolysate", "ml_per_l": 2}],
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    result = await _options_step(hass, loaded_farm, "remove_custom")
    result = await options.async_configure(
        result["flow_id"], {"entries": ["fertilizer:fish_hydrolysate"]}
    )
    assert result["description_placeholders"] == {"in_use": "Soil can"}
