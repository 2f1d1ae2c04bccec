"""Assistant tools: listed and called through Home Assistant's LLM API helper."""

from datetime import datetime
from typing import Any

from homeassistant.components.homeassistant.exposed_entities import (
    async_expose_entity,
)
from homeassistant.core import Context, HomeAssistant
from homeassistant.exceptions import HomeAssistantError
from homeassistant.helpers import entity_registry as er, llm
from homeassistant.setup import async_setup_component
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import probatio
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.llm import (
    API_ID,
    LLM_API,
    async_get_tools,
    async_setup_llm,
)

from .conftest import (
    FARM_DATA,
    HOME_BASIL_ID,
    HOME_MINT_ID,
    HOME_TANK_ID,
    PLANT_ID,
    POT_ID,
    TANK_DATA,
    TANK_ID,
    TODAY,
    home_farm_entry,
    set_up,
    subentry,
)

NOW = datetime.fromisoformat(TODAY)  # 2026-11-03 10:00 US/Pacific
TOOLS = [
    "vertical_farm__get_overview",
    "vertical_farm__get_plant_status",
    "vertical_farm__get_tank_status",
    "vertical_farm__log_watering",
    "vertical_farm__complete_care_task",
    "vertical_farm__log_feeding",
]


def _context() -> llm.LLMContext:
    return llm.LLMContext(
        platform="test",
        context=Context(),
        language="en",
        assistant="conversation",
        device_id=None,
    )


@pytest.fixture
async def farm_api(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> llm.APIInstance:
    """The Vertical Farm API over the loaded test farm."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "llm", {})
    async_setup_llm(hass)
    return await llm.async_get_api(hass, API_ID, _context())


async def _call(api: llm.APIInstance, tool: str, **args: Any) -> llm.ToolResult:
    return await api.async_call_tool(
        llm.ToolInput(tool_name=f"vertical_farm__{tool}", tool_args=args)
    )


async def test_the_api_lists_the_tools(farm_api: llm.APIInstance) -> None:
    """Six tools, read-only ones marked so, none that reaches outside."""
    assert [tool.name for tool in farm_api.tools] == TOOLS
    assert all(tool.integration == DOMAIN for tool in farm_api.tools)
    assert all(not tool.annotations.open_world for tool in farm_api.tools)
    read_only = [tool.name for tool in farm_api.tools if tool.annotations.read_only]
    assert read_only == TOOLS[:3]
    assert "Today is 2026-11-03." in farm_api.api_prompt
    assert farm_api.api.name == "Vertical Farm"


async def test_overview(farm_api: llm.APIInstance) -> None:
    """Racks, tanks, plants and the care due, as data."""
    result = await _call(farm_api, "get_overview")
    assert not result.error
    (farm,) = result.data["farms"]
    assert farm["farm"] == "Basement"
    assert farm["date"] == "2026-11-03"
    assert [rack["name"] for rack in farm["racks"]] == ["Rack one"]
    assert farm["racks"][0]["plants"] == ["Basil tray"]
    assert farm["racks"][0]["tank"] == "Tank A"
    assert [tank["name"] for tank in farm["tanks"]] == ["Tank A"]
    assert farm["tanks"][0]["target_ec"] == 1.0
    assert [plant["name"] for plant in farm["plants"]] == ["Basil tray", "Monstera"]
    assert farm["plants"][0]["expected_harvest"] == "2026-12-06"  # 11-01 + 14 + 21 days
    # Monstera planted 06-15, tropical: water 06-22, feed and pest check 06-29.
    assert [(item["summary"], item["due"]) for item in farm["care_due"]] == [
        ("Water Monstera", "2026-06-22"),
        ("Feed Monstera", "2026-06-29"),
        ("Check Monstera for pests", "2026-06-29"),
    ]
    assert all(item["overdue"] for item in farm["care_due"])


async def test_overview_of_one_farm(farm_api: llm.APIInstance) -> None:
    """A farm asked for by name; an unknown one lists the farms there are."""
    result = await _call(farm_api, "get_overview", farm="basement")
    assert [farm["farm"] for farm in result.data["farms"]] == ["Basement"]
    result = await _call(farm_api, "get_overview", farm="Greenhouse")
    assert result.error
    assert result.data == {
        "error": "No farm is called 'Greenhouse'",
        "known": ["Basement"],
    }


async def test_plant_status(farm_api: llm.APIInstance) -> None:
    """By species name: phase, days, harvest and pre-harvest interval."""
    result = await _call(farm_api, "get_plant_status", name="basil")
    (plant,) = result.data["plants"]
    assert plant["name"] == "Basil tray"
    assert plant["species"] == "Basil"
    assert plant["quantity"] == 12
    assert plant["location"] == "Rack one, shelf 2"
    assert plant["phase"] == "seedling"
    assert plant["days_in_phase"] == 2  # since 11-01
    assert plant["harvest_blocked"] is False
    assert plant["safe_harvest_date"] is None
    result = await _call(farm_api, "get_plant_status", name="Tomatoes")
    assert result.error
    assert result.data["error"] == "No plant is called 'Tomatoes'"
    assert result.data["known"] == ["Basil tray", "Monstera"]
    result = await _call(farm_api, "get_plant_status", name="?!")
    assert result.error
    assert result.data["known"] == ["Basil tray", "Monstera"]


async def test_tank_status(hass: HomeAssistant, farm_api: llm.APIInstance) -> None:
    """Readings compensated to 25 C, level, problems."""
    hass.states.async_set("sensor.tank_a_ec", "1.35", {"unit_of_measurement": "mS/cm"})
    hass.states.async_set("sensor.tank_a_ph", "6.2")
    hass.states.async_set("sensor.tank_a_water_temperature", "20")
    hass.states.async_set("sensor.tank_a_level", "15", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    result = await _call(farm_api, "get_tank_status", name="tank a")
    (tank,) = result.data["tanks"]
    assert tank["ec"] == 1.5  # 1.35 / (1 + 0.02 x (20 - 25))
    assert tank["target_ec"] == 1.0
    assert tank["ph"] == 6.2
    assert tank["water_temperature_c"] == 20.0
    assert tank["level_l"] == 15.0
    assert tank["level_percent"] == 25  # 15 of 60 L
    assert tank["problems"] == ["ec_high"]
    assert tank["plants"] == ["Basil tray"]
    assert tank["next_maintenance"] == {"task": "change_water", "due": "2026-11-17"}
    result = await _call(farm_api, "get_tank_status", name="Basil tray")
    assert result.error  # a plant is not a tank
    assert result.data["known"] == ["Tank A"]


async def test_tank_status_in_us_units(
    hass: HomeAssistant, farm_api: llm.APIInstance
) -> None:
    """For a US user the temperature and volumes come in °F and gal as well."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "68", {"unit_of_measurement": "°F"}
    )
    hass.states.async_set("sensor.tank_a_level", "4", {"unit_of_measurement": "gal"})
    await hass.async_block_till_done()
    result = await _call(farm_api, "get_tank_status", name="tank a")
    (tank,) = result.data["tanks"]
    assert tank["water_temperature_c"] == 20.0
    assert tank["water_temperature"] == 68.0
    assert tank["temperature_unit"] == "°F"
    assert tank["level_l"] == 15.1  # 4 gal
    assert tank["level"] == 4.0
    assert tank["volume_l"] == 60.0
    assert tank["volume"] == 15.9
    assert tank["volume_unit"] == "gal"


async def test_log_watering(
    farm_api: llm.APIInstance, loaded_farm: MockConfigEntry
) -> None:
    """A rack's plants and a pot, with the volume given."""
    result = await _call(
        farm_api, "log_watering", names=["rack one", "Monstera"], volume_l=0.5
    )
    assert result.data == {"watered": ["Basil tray", "Monstera"]}
    store = loaded_farm.runtime_data.farm.store
    for plant_id in (PLANT_ID, POT_ID):
        (record,) = store.records(plant_id, ["watered"])
        assert record["data"] == {"volume_l": 0.5}
        assert datetime.fromisoformat(record["at"]) == NOW
    result = await _call(farm_api, "log_watering", names=["Monstera", "the hose"])
    assert result.error
    assert result.data["error"] == "No plant or rack is called 'the hose'"
    with pytest.raises(probatio.Invalid):  # as the action: a volume given is some
        await _call(farm_api, "log_watering", names=["Monstera"], volume_l=0)
    assert len(store.records(POT_ID, ["watered"])) == 1  # nothing logged


async def test_log_watering_of_an_empty_rack(
    hass: HomeAssistant, farm_api: llm.APIInstance, loaded_farm: MockConfigEntry
) -> None:
    """Nothing to water: an error, no record."""
    hass.config_entries.async_update_subentry(
        loaded_farm,
        loaded_farm.subentries[PLANT_ID],
        data={**loaded_farm.subentries[PLANT_ID].data, "rack": None, "shelf": None},
    )
    await hass.async_block_till_done()
    result = await _call(farm_api, "log_watering", names=["Rack one"])
    assert result.error
    assert result.data == {"error": "There are no plants there to water"}


async def test_complete_care_task(
    farm_api: llm.APIInstance, loaded_farm: MockConfigEntry
) -> None:
    """Confirmed today; the next one planned from today."""
    result = await _call(
        farm_api, "complete_care_task", name="monstera", task="fertilize"
    )
    # Tropical preset: feed every 14 days from 11-03.
    assert result.data == {
        "done": ["Monstera"],
        "task": "fertilize",
        "next_due": {"Monstera": "2026-11-17"},
    }
    stored = loaded_farm.runtime_data.farm.store.state(POT_ID)["care"]["fertilize"]
    assert stored["last_done"] == "2026-11-03"
    result = await _call(farm_api, "complete_care_task", name="basil", task="water")
    # The basil has no watering task (its recirculating tank waters it).
    assert result.data == {
        "done": ["Basil tray"],
        "task": "water",
        "next_due": {"Basil tray": None},
    }
    assert len(loaded_farm.runtime_data.farm.store.records(PLANT_ID, ["watered"])) == 1
    result = await _call(farm_api, "complete_care_task", name="Rack one", task="repot")
    assert result.error


async def test_log_feeding(
    farm_api: llm.APIInstance, loaded_farm: MockConfigEntry
) -> None:
    """A top-up with what was measured and said."""
    result = await _call(
        farm_api,
        "log_feeding",
        tank="Tank A",
        kind="top_up",
        volume_l=10,
        ec=1.2,
        note="half strength grow A and B",
    )
    data = {"volume_l": 10.0, "ec": 1.2, "note": "half strength grow A and B"}
    assert result.data == {
        "tank": "Tank A",
        "kind": "top_up",
        "at": NOW.isoformat(),
        **data,
    }
    (record,) = loaded_farm.runtime_data.farm.store.records(TANK_ID, ["fed"])
    assert record["data"] == {"kind": "top_up", **data}
    result = await _call(farm_api, "log_feeding", tank="Tank B", kind="top_up")
    assert result.error
    # A note is one short line, as in the action.
    for note in ("two\nlines", "x" * 101):
        with pytest.raises(probatio.Invalid):
            await _call(
                farm_api, "log_feeding", tank="Tank A", kind="top_up", note=note
            )
    # What the action refuses the tool refuses: more than the tank holds, or nothing.
    result = await _call(
        farm_api, "log_feeding", tank="Tank A", kind="top_up", volume_l=500
    )
    assert result.error
    assert result.data["capacity_l"] == 60.0
    with pytest.raises(probatio.Invalid):
        await _call(farm_api, "log_feeding", tank="Tank A", kind="top_up", volume_l=0)
    assert len(loaded_farm.runtime_data.farm.store.records(TANK_ID, ["fed"])) == 1


async def test_log_feeding_needs_one_tank(
    hass: HomeAssistant, farm_api: llm.APIInstance
) -> None:
    """Two farms with a "Tank A": the tool asks which, and records nothing."""
    attic = MockConfigEntry(
        domain=DOMAIN,
        title="Attic",
        unique_id="attic",
        data={**FARM_DATA, "name": "Attic"},
        subentries_data=[subentry("01TANKATTIC000000000000000", "tank", TANK_DATA)],
    )
    attic.add_to_hass(hass)
    assert await hass.config_entries.async_setup(attic.entry_id)
    await hass.async_block_till_done()
    result = await _call(farm_api, "log_feeding", tank="Tank A", kind="adjustment")
    assert result.error
    assert result.data["farms"] == ["Basement", "Attic"]
    assert attic.runtime_data.farm.store.records(kinds=["fed"]) == []


# --- Two farms -------------------------------------------------------------------


@pytest.fixture
async def home_farm(
    hass: HomeAssistant, hass_storage: dict[str, Any], farm_api: llm.APIInstance
) -> MockConfigEntry:
    """A second farm, "Home farm", with its own Tank A, Rack one and Basil tray."""
    return await set_up(hass, home_farm_entry(hass, hass_storage))


def _records(entry: MockConfigEntry, kind: str) -> list[dict[str, Any]]:
    return list(entry.runtime_data.farm.store.records(kinds=[kind]))


def _care_done(entry: MockConfigEntry, plant_id: str) -> list[str]:
    care = entry.runtime_data.farm.store.state(plant_id).get("care", {})
    return [task for task, state in care.items() if "last_done" in state]


async def test_the_model_is_told_about_the_farm_argument(
    farm_api: llm.APIInstance,
) -> None:
    """Every tool taking a name takes an optional farm, described for the model."""
    for tool in farm_api.tools:
        schema = probatio.to_openapi(
            tool.parameters, custom_serializer=farm_api.custom_serializer
        )
        assert schema["properties"]["farm"]["type"] == "string", tool.name
        assert "farm" in schema["properties"]["farm"]["description"], tool.name
        assert "farm" not in schema.get("required", []), tool.name


async def test_a_record_naming_two_farms_records_nothing(
    farm_api: llm.APIInstance, loaded_farm: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """Rack one, the basil and Tank A are in both farms: an error asking which."""
    result = await _call(farm_api, "log_watering", names=["rack one"])
    assert result.error
    assert result.data == {
        "error": "'rack one' is in more than one farm: Basement, Home farm. "
        "Nothing was recorded. Ask which farm, then call again with `farm`.",
        "farms": ["Basement", "Home farm"],
    }
    # One name that is in both farms stops the others too.
    result = await _call(farm_api, "log_watering", names=["Monstera", "basil"])
    assert result.error
    assert result.data["farms"] == ["Basement", "Home farm"]
    result = await _call(farm_api, "complete_care_task", name="basil", task="repot")
    assert result.error
    assert result.data["farms"] == ["Basement", "Home farm"]
    result = await _call(farm_api, "log_feeding", tank="tank a", kind="top_up")
    assert result.error
    assert result.data["farms"] == ["Basement", "Home farm"]
    for entry in (loaded_farm, home_farm):
        assert _records(entry, "watered") == _records(entry, "fed") == []
    assert _care_done(loaded_farm, PLANT_ID) == _care_done(home_farm, HOME_BASIL_ID)
    assert _care_done(home_farm, HOME_BASIL_ID) == []
    # Names only one farm has need no farm; the answer says each plant's farm.
    result = await _call(farm_api, "log_watering", names=["rack two", "Monstera"])
    assert result.data == {
        "watered": ["Mint pot", "Monstera"],
        "plants": [
            {"name": "Mint pot", "farm": "Home farm"},
            {"name": "Monstera", "farm": "Basement"},
        ],
    }


async def test_a_record_in_the_farm_named(
    farm_api: llm.APIInstance, loaded_farm: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """The farm argument picks the farm, named as the user says it."""
    result = await _call(farm_api, "log_watering", names=["rack one"], farm="home farm")
    assert result.data == {"watered": ["Basil tray"]}
    (record,) = _records(home_farm, "watered")
    assert record["subject"] == HOME_BASIL_ID
    assert _records(loaded_farm, "watered") == []
    result = await _call(
        farm_api, "complete_care_task", name="basil", task="repot", farm="the Basement"
    )
    assert result.data["done"] == ["Basil tray"]
    assert _care_done(loaded_farm, PLANT_ID) == ["repot"]
    assert _care_done(home_farm, HOME_BASIL_ID) == ["water"]  # the watering above
    result = await _call(
        farm_api, "log_feeding", tank="Tank A", kind="top_up", farm="Home Farm"
    )
    assert result.data["tank"] == "Tank A"
    (record,) = _records(home_farm, "fed")
    assert record["subject"] == HOME_TANK_ID
    assert _records(loaded_farm, "fed") == []


async def test_an_unknown_farm_is_an_error(
    farm_api: llm.APIInstance, loaded_farm: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """A farm nobody has, or a farm without that name: an error, nothing recorded."""
    unknown = {"error": "No farm is called 'Shed'", "known": ["Basement", "Home farm"]}
    for tool, args in (
        ("log_watering", {"names": ["rack one"]}),
        ("complete_care_task", {"name": "basil", "task": "repot"}),
        ("log_feeding", {"tank": "Tank A", "kind": "top_up"}),
        ("get_plant_status", {"name": "basil"}),
        ("get_tank_status", {"name": "Tank A"}),
        ("get_overview", {}),
    ):
        result = await _call(farm_api, tool, farm="Shed", **args)
        assert result.error, tool
        assert result.data == unknown, tool
    result = await _call(farm_api, "log_watering", names=["rack two"], farm="basement")
    assert result.error
    assert result.data == {
        "error": "Basement has no plant or rack called 'rack two'",
        "known": ["Basil tray", "Monstera", "Rack one"],
    }
    result = await _call(
        farm_api, "complete_care_task", name="monstera", task="repot", farm="Home farm"
    )
    assert result.error
    assert result.data["known"] == ["Basil tray", "Mint pot"]
    for entry in (loaded_farm, home_farm):
        assert _records(entry, "watered") == _records(entry, "fed") == []
    assert _care_done(loaded_farm, POT_ID) == []
    assert _care_done(home_farm, HOME_MINT_ID) == []


async def test_questions_answer_for_each_farm(
    farm_api: llm.APIInstance, home_farm: MockConfigEntry
) -> None:
    """Status of a name in both farms comes labelled with each farm; a farm narrows."""
    result = await _call(farm_api, "get_tank_status", name="tank a")
    assert [(tank["farm"], tank["name"]) for tank in result.data["tanks"]] == [
        ("Basement", "Tank A"),
        ("Home farm", "Tank A"),
    ]
    result = await _call(farm_api, "get_tank_status", name="tank a", farm="home farm")
    assert [tank["farm"] for tank in result.data["tanks"]] == ["Home farm"]
    result = await _call(farm_api, "get_plant_status", name="basil")
    assert [plant["farm"] for plant in result.data["plants"]] == [
        "Basement",
        "Home farm",
    ]
    result = await _call(farm_api, "get_plant_status", name="basil", farm="Basement")
    assert [plant["farm"] for plant in result.data["plants"]] == ["Basement"]
    result = await _call(farm_api, "get_overview", farm="the home farm")
    assert [farm["farm"] for farm in result.data["farms"]] == ["Home farm"]


async def test_assist_api_offers_the_tools_while_exposed(
    hass: HomeAssistant, farm_api: llm.APIInstance, loaded_farm: MockConfigEntry
) -> None:
    """The Assist API carries the farm tools while a farm entity is exposed.

    Of the farm's entities only the care list (a to-do list) and the tanks'
    measured water temperature (a temperature sensor) are exposed by default.
    """
    assist = await llm.async_get_api(hass, llm.LLM_API_ASSIST, _context())
    names = [tool.name for tool in assist.tools]
    assert [name for name in names if name.startswith(DOMAIN)] == TOOLS
    assert "vertical_farm__get_overview" in assist.api_prompt
    result = await assist.async_call_tool(
        llm.ToolInput(
            tool_name="vertical_farm__get_plant_status", tool_args={"name": "Monstera"}
        )
    )
    assert result.data["plants"][0]["phase"] == "vegetative"

    registry = er.async_get(hass)
    care_list = registry.async_get_entity_id(
        "todo", DOMAIN, f"{loaded_farm.entry_id}_care"
    )
    assert care_list is not None
    water = registry.async_get_entity_id(
        "sensor", DOMAIN, f"{TANK_ID}_water_temperature"
    )
    assert water is not None
    async_expose_entity(hass, "conversation", care_list, False)
    async_expose_entity(hass, "conversation", water, False)
    assist = await llm.async_get_api(hass, llm.LLM_API_ASSIST, _context())
    assert not [tool for tool in assist.tools if tool.name.startswith(DOMAIN)]
    phase = registry.async_get_entity_id("sensor", DOMAIN, f"{PLANT_ID}_phase")
    assert phase is not None
    async_expose_entity(hass, "conversation", phase, True)  # any farm entity will do
    assist = await llm.async_get_api(hass, llm.LLM_API_ASSIST, _context())
    assert [tool.name for tool in assist.tools if tool.name.startswith(DOMAIN)] == TOOLS
    async_expose_entity(hass, "conversation", phase, False)
    assist = await llm.async_get_api(hass, llm.LLM_API_ASSIST, _context())
    assert not [tool for tool in assist.tools if tool.name.startswith(DOMAIN)]
    assert async_get_tools(hass, _context(), API_ID) is None  # ours is not Assist


async def test_api_follows_the_farms(
    hass: HomeAssistant, farm_api: llm.APIInstance, loaded_farm: MockConfigEntry
) -> None:
    """Registered while a farm is loaded, gone when the last one unloads."""
    async_setup_llm(hass)  # set up once per run: nothing more registered
    other = MockConfigEntry(domain="other")  # another integration's entry changes
    other.add_to_hass(hass)
    hass.config_entries.async_update_entry(other, title="Other")
    await hass.async_block_till_done()
    assert hass.data[LLM_API].registered
    assert await hass.config_entries.async_unload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert not hass.data[LLM_API].registered
    with pytest.raises(HomeAssistantError, match="API vertical_farm not found"):
        await llm.async_get_api(hass, API_ID, _context())
    assert await hass.config_entries.async_setup(loaded_farm.entry_id)
    await hass.async_block_till_done()
    api = await llm.async_get_api(hass, API_ID, _context())
    assert [tool.name for tool in api.tools] == TOOLS
