"""Voice: sentences said to the default Assist agent, answers and records.

Every test speaks through `conversation.async_converse` on Home Assistant's
default agent, exactly as the Assist dialog or a voice satellite would, and
checks the answer text and what changed in the farm.
"""

from datetime import date, datetime, timedelta
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.components import conversation
from homeassistant.components.conversation import ConversationInput
from homeassistant.components.conversation.agent_manager import get_agent_manager
from homeassistant.config_entries import ConfigSubentry
from homeassistant.core import Context, HomeAssistant
from homeassistant.helpers import entity_registry as er, intent
from homeassistant.setup import async_setup_component
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_fire_time_changed,
)

from custom_components.vertical_farm.assistant import (
    SubjectKind,
    normalize_name,
    plural,
    species_aliases,
    spoken_forms,
)
from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.care import CareKind
from custom_components.vertical_farm.engine.profiles import Phase
from custom_components.vertical_farm.intents import (
    CARE_DUE_SENTENCES,
    INTENT_CARE_DUE,
    INTENT_LOG_WATERING,
    INTENT_PLANT_STATUS,
    INTENT_TANK_STATUS,
    SORRY,
    VOICE,
    Phrase,
    alternation,
    async_setup_intents,
    gate_sentences,
    join_words,
    spoken_date,
    spoken_number,
)

from .conftest import (
    FARM_DATA,
    HOME_BASIL_ID,
    HOME_RACK_ID,
    PLANT_ID,
    POT_ID,
    RACK_ID,
    TANK_ID,
    TODAY,
    home_farm_entry,
    set_up,
)

NOW = datetime.fromisoformat(TODAY)  # Tuesday 2026-11-03 10:00 US/Pacific
DAY = NOW.date()
TOMATO_ID = "01PLANTTOMATO0000000000000"


@pytest.fixture
async def assist(hass: HomeAssistant, loaded_farm: MockConfigEntry) -> MockConfigEntry:
    """Assist (the default agent) and the farm's sentences, over the test farm."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})
    async_setup_intents(hass)
    await hass.async_block_till_done()
    return loaded_farm


async def say(hass: HomeAssistant, text: str) -> str:
    """What Assist answers to a sentence."""
    result = await conversation.async_converse(hass, text, None, Context(), "en")
    speech: str = result.response.speech["plain"]["speech"]
    return speech


async def captured(hass: HomeAssistant, text: str) -> bool:
    """Whether the farm's sentences take this sentence (before any built-in intent)."""
    agent = get_agent_manager(hass).default_agent
    assert agent is not None
    matched = await agent.async_recognize_sentence_trigger(
        ConversationInput(
            text=text,
            context=Context(),
            conversation_id=None,
            device_id=None,
            satellite_id=None,
            language="en",
            agent_id=conversation.HOME_ASSISTANT_AGENT,
        )
    )
    return matched is not None


def new_subentry(
    subentry_id: str, subentry_type: str, data: dict[str, Any]
) -> ConfigSubentry:
    """A subentry to add while the farm runs."""
    return ConfigSubentry(
        data=MappingProxyType(data),
        subentry_id=subentry_id,
        subentry_type=subentry_type,
        title=str(data["name"]),
        unique_id=None,
    )


def _entity_id(hass: HomeAssistant, platform: str, unique_id: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(platform, DOMAIN, unique_id)
    assert entity_id is not None
    return entity_id


def _records(entry: MockConfigEntry, subject: str, kind: str) -> list[dict[str, Any]]:
    return list(entry.runtime_data.farm.store.records(subject, [kind]))


def _set_tank(
    hass: HomeAssistant, ec: str, ph: str, water_c: str, level_l: str
) -> None:
    hass.states.async_set("sensor.tank_a_ec", ec, {"unit_of_measurement": "mS/cm"})
    hass.states.async_set("sensor.tank_a_ph", ph)
    hass.states.async_set(
        "sensor.tank_a_water_temperature", water_c, {"unit_of_measurement": "°C"}
    )
    hass.states.async_set("sensor.tank_a_level", level_l, {"unit_of_measurement": "L"})


async def _ripening_since(
    hass: HomeAssistant, entry: MockConfigEntry, data: dict[str, Any], since: str
) -> None:
    """Add a tomato row, fruiting, that moved on to ripening on `since`.

    A phase declared when a plant is added counts from that day, so the
    ripening that began earlier is recorded as the move it was.
    """
    hass.config_entries.async_add_subentry(
        entry,
        new_subentry(
            TOMATO_ID,
            "plant",
            {"name": "Tomato row", "species": "tomato", **data, "phase": "fruiting"},
        ),
    )
    await hass.async_block_till_done()
    await entry.runtime_data.farm.phases.async_set(
        TOMATO_ID,
        Phase.RIPENING,
        at=dt_util.parse_datetime(f"{since}T09:00:00-07:00"),
    )
    await hass.async_block_till_done()


async def _add_tomatoes(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    """A row of tomatoes ripening since 2026-10-20 (ripening lasts 21 days)."""
    await _ripening_since(
        hass,
        entry,
        {
            "quantity": 6,
            "planted": "2026-10-01",
            "care_preset": "annual_vegetable",
            "container_l": 20.0,
        },
        "2026-10-20",
    )


# --- What is due ----------------------------------------------------------------


async def test_what_do_my_plants_need_today(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """The monstera (planted 2026-06-15, tropical preset) is behind on everything."""
    # Water every 7 days: 06-15 + 7 = 06-22; feed and pest check every 14: 06-29.
    assert await say(hass, "What do my plants need today?") == (
        "3 care tasks are due: water Monstera (overdue since June 22), "
        "feed Monstera (overdue since June 29) and "
        "check Monstera for pests (overdue since June 29)."
    )
    assert await say(hass, "which plants need attention") == await say(
        hass, "what does my farm need today"
    )


async def test_own_items_due_are_said_with_the_care_tasks(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """The grower's own to-dos due by today are on the care list: said too."""
    care_list = _entity_id(hass, "todo", f"{assist.entry_id}_care")
    for summary, due in (
        ("Check Genovese for pests", "2026-11-03"),
        ("Order seed trays", "2026-11-01"),
        ("Clean the fan", "2026-11-04"),  # tomorrow: not due yet
        ("Sweep the floor", None),  # no due date: never due
    ):
        await hass.services.async_call(
            "todo",
            "add_item",
            {"item": summary} | ({"due_date": due} if due else {}),
            target={"entity_id": care_list},
            blocking=True,
        )
    await hass.services.async_call(
        "todo",
        "add_item",
        {"item": "Fix the pump", "due_date": "2026-11-02"},
        target={"entity_id": care_list},
        blocking=True,
    )
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": "Fix the pump", "status": "completed"},
        target={"entity_id": care_list},
        blocking=True,
    )
    assert await say(hass, "what do my plants need today") == (
        "5 care tasks are due: water Monstera (overdue since June 22), "
        "feed Monstera (overdue since June 29), "
        "check Monstera for pests (overdue since June 29), "
        "order seed trays (overdue since November 1) and "
        "check Genovese for pests."
    )


async def test_nothing_due_names_the_next_task(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Once the monstera is seen to, the basil's first pest check is next."""
    farm = assist.runtime_data.farm
    for kind in (CareKind.WATER, CareKind.FERTILIZE, CareKind.PEST_CHECK):
        await farm.care.async_complete([POT_ID], kind, DAY)
    # Basil planted 2026-11-01, herb preset: pest check every 7 days -> 11-08.
    assert await say(hass, "what plant care is due today") == (
        "Nothing is due today. Next: check Basil tray for pests, November 8."
    )


async def test_due_in_each_farm(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """With two farms the answer names each farm."""
    attic = MockConfigEntry(
        domain=DOMAIN,
        title="Attic",
        unique_id="attic",
        data={**FARM_DATA, "name": "Attic"},
    )
    attic.add_to_hass(hass)
    assert await hass.config_entries.async_setup(attic.entry_id)
    await hass.async_block_till_done()
    answer = await say(hass, "what do my plants need")
    assert answer.startswith("Basement: 3 care tasks are due: water Monstera")
    assert answer.endswith(" Attic: Nothing is due today.")


# --- Plant status ---------------------------------------------------------------


async def test_how_is_the_basil(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """By name or by species, any case and punctuation."""
    # Seedling since 11-01: 2 days on 11-03. Harvest after 14 seedling days and
    # 21 vegetative ones: 11-01 + 35 days = 12-06.
    expected = (
        "Basil tray has been in the seedling phase for 2 days. "
        "It should be ready around December 6."
    )
    assert await say(hass, "how is the basil tray") == expected
    assert await say(hass, "How is the Basil?") == expected
    assert await say(hass, "what's the status of my basil") == expected


async def test_how_is_the_monstera(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Watering overdue, other care due, dry soil; a houseplant has no harvest."""
    hass.states.async_set(
        "sensor.monstera_moisture", "12", {"unit_of_measurement": "%"}
    )
    pot = assist.subentries[POT_ID]
    hass.config_entries.async_update_subentry(
        assist, pot, data={**pot.data, "moisture_sensor": "sensor.monstera_moisture"}
    )
    await hass.async_block_till_done()
    # Vegetative since planting on 06-15: 141 days to 11-03.
    days = (DAY - date(2026, 6, 15)).days
    assert await say(hass, "how is the monstera doing") == (
        f"Monstera has been in the vegetative phase for {days} days. "
        "Watering is overdue since June 22. "
        "Also due: feeding and pest check. Its soil is dry."
    )
    assert await say(hass, "when can I harvest the monstera") == (
        "Monstera is not grown for a harvest."
    )


async def test_watering_dates_in_plant_status(
    hass: HomeAssistant, assist: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """After a watering the next one is an interval away; on that day it is due."""
    await say(hass, "I watered the monstera")
    answer = await say(hass, "how is the monstera")
    assert "Next watering: November 10." in answer  # 11-03 + 7 days
    farm = assist.runtime_data.farm
    # A watering of a week ago logged late: it was watered since, nothing moves.
    await farm.records.async_log_watering([POT_ID], NOW - timedelta(days=7))
    assert "Next watering: November 10." in await say(hass, "how is the monstera")
    freezer.move_to(NOW + timedelta(days=7))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert "It needs watering today." in await say(hass, "how is the monstera")


# --- Tanks ----------------------------------------------------------------------


async def test_tank_readings(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """EC compensated to 25 C, pH, level and temperature, with targets."""
    # EC 1.35 at 20 C: 1.35 / (1 + 0.02 x (20 - 25)) = 1.5 mS/cm at 25 C.
    _set_tank(hass, ec="1.35", ph="6.2", water_c="20", level_l="40")
    await hass.async_block_till_done()
    assert await say(hass, "what is the EC of tank A") == (
        "The EC of Tank A is 1.5 mS/cm; the target is 1.0."  # basil seedlings
    )
    assert await say(hass, "What's the pH in Tank A?") == (
        "The pH of Tank A is 6.2; the target is 6.0."
    )
    # 40 of 60 litres: 67 percent.
    assert await say(hass, "how full is tank a") == (
        "Tank A holds 40 litres, 67 percent of its volume."
    )
    assert await say(hass, "what is the water temperature of tank A") == (
        "The water in Tank A is 20 °C."
    )
    assert await say(hass, "how is tank A") == (
        "Tank A: EC 1.5 mS/cm (target 1.0), pH 6.2 (target 6.0), level 40 litres, "
        "water temperature 20 °C. Problems: the EC is high."
    )


async def test_tank_water_too_warm_and_days_until_empty(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Warm water is called out; a falling level tells how long it lasts."""
    _set_tank(hass, ec="1.0", ph="6.0", water_c="27", level_l="50")
    await hass.async_block_till_done()
    assert await say(hass, "how warm is tank A") == (
        "The water in Tank A is 27 °C. That is too warm."
    )
    # EC 1.0 at 27 C: 1.0 / (1 + 0.02 x 2) = 0.962, 4 % under 1.0: within range.
    assert await say(hass, "how is tank A") == (
        "Tank A: EC 0.96 mS/cm (target 1.0), pH 6.0 (target 6.0), level 50 litres, "
        "water temperature 27 °C. Problems: the water is too warm."
    )


async def test_tank_readings_in_us_units(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A US grower hears the water in °F and the level in gallons."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    hass.states.async_set("sensor.tank_a_ec", "1.0", {"unit_of_measurement": "mS/cm"})
    hass.states.async_set("sensor.tank_a_ph", "6.0")
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "80.6", {"unit_of_measurement": "°F"}
    )
    hass.states.async_set("sensor.tank_a_level", "10", {"unit_of_measurement": "gal"})
    await hass.async_block_till_done()
    assert await say(hass, "how warm is tank A") == (
        "The water in Tank A is 80.6 °F. That is too warm."
    )
    # 10 gal is 37.85 L of the tank's 60 L: 63 percent.
    assert await say(hass, "how full is tank a") == (
        "Tank A holds 10 gallons, 63 percent of its volume."
    )
    assert await say(hass, "how is tank A") == (
        "Tank A: EC 0.96 mS/cm (target 1.0), pH 6.0 (target 6.0), level 10 gallons, "
        "water temperature 80.6 °F. Problems: the water is too warm."
    )


async def test_tank_without_readings(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Probes that report nothing, and a tank with no probe of a kind."""
    assert await say(hass, "what is the EC of tank A") == (
        "Tank A has no current EC reading."
    )
    assert await say(hass, "how is tank a") == (
        "Tank A has no current readings. Problems: a probe reading is stale."
    )
    tank = assist.subentries[TANK_ID]
    hass.config_entries.async_update_subentry(
        assist, tank, data={**tank.data, "level_sensor": None}
    )
    await hass.async_block_till_done()
    assert await say(hass, "how much water is left in tank A") == (
        "Tank A has no level sensor."
    )


# --- Records --------------------------------------------------------------------


async def test_i_watered_rack_one(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """A rack's watering is logged for every plant on it."""
    assert await say(hass, "I watered rack one") == "Logged watering of Basil tray."
    (record,) = _records(assist, PLANT_ID, "watered")
    assert datetime.fromisoformat(record["at"]) == NOW
    assert await say(hass, "I watered rack 1") == "Logged watering of Basil tray."
    assert len(_records(assist, PLANT_ID, "watered")) == 2
    state = hass.states.get(_entity_id(hass, "event", f"{PLANT_ID}_activity"))
    assert state is not None
    assert state.attributes["event_type"] == "watered"


async def test_i_watered_the_monstera(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A plant's watering is logged and confirms its watering task."""
    next_watering = _entity_id(hass, "sensor", f"{POT_ID}_next_watering")
    assert hass.states.get(next_watering).state == "2026-06-22"
    assert await say(hass, "I just watered the Monstera.") == (
        "Logged watering of Monstera."
    )
    assert len(_records(assist, POT_ID, "watered")) == 1
    # Tropical preset: every 7 days from today.
    expected = (DAY + timedelta(days=7)).isoformat()
    assert hass.states.get(next_watering).state == expected


async def test_watering_sentences(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """Other ways of saying it, each one record."""
    for text in (
        "the basil was watered",
        "log a watering of the basil tray",
        "I gave the basil some water",
    ):
        assert await say(hass, text) == "Logged watering of Basil tray.", text
    # As a care task: recorded as a watering too (the basil has no watering task:
    # its recirculating tank waters it, so no next date).
    assert await say(hass, "I did the watering of the basil") == (
        "Marked the watering of Basil tray done."
    )
    assert len(_records(assist, PLANT_ID, "watered")) == 4


async def test_watering_a_rack_without_plants(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """An empty rack: nothing is logged and the answer says why."""
    hass.config_entries.async_add_subentry(
        assist,
        new_subentry("01RACK2000000000000000000A", "rack", {"name": "Rack two"}),
    )
    await hass.async_block_till_done()
    assert await say(hass, "I watered rack two") == "There are no plants on Rack two."
    assert assist.runtime_data.farm.store.records(kinds=["watered"]) == []


async def test_mark_care_done(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """Feeding, repotting and pest checks are confirmed with the next date."""
    # Tropical preset: feed every 14 days, check for pests every 14 days.
    assert await say(hass, "mark the monstera feeding done") == (
        "Marked the feeding of Monstera done. The next feeding is due November 17."
    )
    assert await say(hass, "I checked the monstera for pests") == (
        "Marked the pest check of Monstera done. "
        "The next pest check is due November 17."
    )
    stored = assist.runtime_data.farm.store.state(POT_ID)["care"]
    assert stored["fertilize"]["last_done"] == DAY.isoformat()
    assert stored["pest_check"]["last_done"] == DAY.isoformat()
    # Herb preset: repot every 180 days.
    assert await say(hass, "I repotted the basil") == (
        "Marked the repotting of Basil tray done. The next repotting is due "
        f"{(DAY + timedelta(days=180)):%B} {(DAY + timedelta(days=180)).day}, 2027."
    )
    assert await say(hass, "mark the pest check of the basil as done") == (
        "Marked the pest check of Basil tray done. The next pest check is due "
        "November 10."  # herb preset: weekly
    )


# --- Two farms -------------------------------------------------------------------


@pytest.fixture
async def home_farm(
    hass: HomeAssistant, hass_storage: dict[str, Any], assist: MockConfigEntry
) -> MockConfigEntry:
    """A second farm, "Home farm", added while Assist runs, with the same names."""
    return await set_up(hass, home_farm_entry(hass, hass_storage))


def _waterings(entry: MockConfigEntry) -> list[dict[str, Any]]:
    return list(entry.runtime_data.farm.store.records(kinds=["watered"]))


async def test_name_in_two_farms_records_nothing(
    hass: HomeAssistant, assist: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """A write naming something both farms have is refused, and says how to choose."""
    assert await say(hass, "I watered rack one") == (
        "Rack one is in more than one farm: Basement and Home farm. Nothing was "
        'recorded. Say which one, for example "rack one in Basement".'
    )
    assert await say(hass, "the basil was watered") == (
        "Basil is in more than one farm: Basement and Home farm. Nothing was "
        'recorded. Say which one, for example "basil in Basement".'
    )
    assert (await say(hass, "mark the basil tray feeding done")).startswith(
        "Basil tray is in more than one farm: Basement and Home farm."
    )
    assert (await say(hass, "I repotted the basil")).startswith(
        "Basil is in more than one farm"
    )
    assert _waterings(assist) == _waterings(home_farm) == []
    for entry, plant_id in ((assist, PLANT_ID), (home_farm, HOME_BASIL_ID)):
        care = entry.runtime_data.farm.store.state(plant_id).get("care", {})
        assert all("last_done" not in task for task in care.values())
    # Names only one farm has need no choice.
    assert await say(hass, "I watered rack two") == "Logged watering of Mint pot."
    assert await say(hass, "I watered the monstera") == "Logged watering of Monstera."


async def test_farm_named_after_the_subject(
    hass: HomeAssistant, assist: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """Saying "in" (or "in the", "on", "at") and the farm picks it, in any case."""
    assert await say(hass, "I watered rack one in Home farm") == (
        "Logged watering of Basil tray."
    )
    assert len(_waterings(home_farm)) == 1
    assert _waterings(assist) == []
    for text in (
        "I watered rack 1 in the basement",
        "the basil tray on Basement was watered",
        "I gave the basil some water at the Basement",
    ):
        assert await say(hass, text) == "Logged watering of Basil tray.", text
    assert len(_waterings(assist)) == 3
    assert len(_waterings(home_farm)) == 1
    # After the ending too, where the sentence reads better so.
    assert await say(hass, "mark the basil feeding done in home farm") == (
        "Marked the feeding of Basil tray done. The next feeding is due November 17."
    )
    home_care = home_farm.runtime_data.farm.store.state(HOME_BASIL_ID)["care"]
    assert home_care["fertilize"]["last_done"] == DAY.isoformat()
    basement_care = assist.runtime_data.farm.store.state(PLANT_ID).get("care", {})
    assert "last_done" not in basement_care.get("fertilize", {})


async def test_farm_without_that_name(
    hass: HomeAssistant, assist: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """A farm named that has no such rack: a clear answer and nothing recorded."""
    assert await say(hass, "I watered rack two in Basement") == (
        "Basement has no plant or rack called rack two."
    )
    assert await say(hass, "how is the monstera in home farm") == (
        "Home farm has no plant called monstera."
    )
    assert _waterings(assist) == _waterings(home_farm) == []


async def test_questions_answer_for_each_farm(
    hass: HomeAssistant, assist: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """A question about a name in both farms answers for each; a farm narrows it."""
    both = await say(hass, "how is tank A")
    assert both == (
        "Basement: Tank A has no current readings. Problems: a probe reading is "
        "stale. Home farm: Tank A has no current readings. No problems."
    )
    assert await say(hass, "how is tank A in home farm") == (
        "Tank A has no current readings. No problems."
    )
    assert await say(hass, "what is the EC of tank A in the basement") == (
        "Tank A has no current EC reading."
    )
    assert (await say(hass, "when can I harvest the basil")).startswith(
        "Basement: Basil tray should be ready around December 6. Home farm: "
    )


async def test_farm_names_in_the_gate(
    hass: HomeAssistant, assist: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """The farm's names join the sentences, and follow renames and removals."""
    assert await captured(hass, "I watered rack one in home farm")
    assert await captured(hass, "how is the basil on the Basement")
    assert not await captured(hass, "how is the weather in home farm")
    assert not await captured(hass, "I watered rack one in the garage")
    assert not await captured(hass, "turn on the lights in home farm")

    result = await home_farm.start_reconfigure_flow(hass)
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {
            "name": "Greenhouse",
            "hemisphere": "north",
            "tap_ec": 0.4,
            "tap_ph": 7.6,
            "alkalinity": 120.0,
        },
    )
    assert result["reason"] == "reconfigure_successful"
    await hass.async_block_till_done()
    assert not await captured(hass, "I watered rack one in home farm")
    assert await say(hass, "I watered rack one in greenhouse") == (
        "Logged watering of Basil tray."
    )
    assert (await say(hass, "I watered rack one")).startswith(
        "Rack one is in more than one farm: Basement and Greenhouse."
    )

    assert await hass.config_entries.async_unload(home_farm.entry_id)
    await hass.async_block_till_done()
    assert not await captured(hass, "I watered rack one in greenhouse")
    # One farm again: the name alone is enough.
    assert await say(hass, "I watered rack one") == "Logged watering of Basil tray."
    assert await say(hass, "I watered rack one in basement") == (
        "Logged watering of Basil tray."
    )
    assert len(_waterings(assist)) == 2


async def test_farm_slot_for_other_callers(
    hass: HomeAssistant, assist: MockConfigEntry, home_farm: MockConfigEntry
) -> None:
    """Scripts and other agents pass the farm as a `farm` slot."""
    response = await _handle(
        hass, INTENT_LOG_WATERING, name="Rack one", farm="Home Farm"
    )
    assert [target.id for target in response.success_results] == [HOME_RACK_ID]
    with pytest.raises(
        intent.IntentHandleError, match="Rack one is in more than one farm"
    ):
        await _handle(hass, INTENT_LOG_WATERING, name="Rack one")
    with pytest.raises(
        intent.IntentHandleError, match="I don't know a farm called Shed"
    ):
        await _handle(hass, INTENT_LOG_WATERING, name="Rack one", farm="Shed")
    response = await _handle(hass, INTENT_TANK_STATUS, name="tank a")
    assert len(response.success_results) == 2
    assert len(_waterings(home_farm)) == 1
    assert _waterings(assist) == []


# --- Harvest --------------------------------------------------------------------


async def test_when_can_i_harvest_the_tomatoes(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A plant added while running is known at once, by its species' plural."""
    assert not await captured(hass, "when can I harvest the tomatoes")
    await _add_tomatoes(hass, assist)
    # Ripening since 10-20 for 21 days: ready 11-10.
    assert await say(hass, "when can I harvest the tomatoes") == (
        "Tomato row should be ready around November 10."
    )
    farm = assist.runtime_data.farm
    await farm.records.async_apply_treatment(
        [TOMATO_ID],
        product="Neem oil",
        active_ingredient="azadirachtin",
        interval_days=3,
        at=NOW,
    )
    # Safe from 11-06 (3 days), before the fruit is ripe.
    assert await say(hass, "are the tomatoes ready to harvest") == (
        "Harvest not before November 6: Tomato row was treated with Neem oil. "
        "It should be ready around November 10."
    )
    await farm.records.async_apply_treatment(
        [TOMATO_ID],
        product="Spinosad",
        active_ingredient="spinosad",
        interval_days=14,
        at=NOW,
    )
    # Now 11-17 (14 days), after ripeness: only the safe date matters. Both
    # products still block today, the one that blocks longest first.
    assert await say(hass, "can I pick the tomato row yet") == (
        "Harvest not before November 17: Tomato row was treated with Spinosad "
        "and Neem oil."
    )
    assert "Harvest not before November 17: it was treated" in await say(
        hass, "how is the tomato row"
    )


async def test_ready_now(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """In the harvest phase, or past the expected day, the plant is ready."""
    await _add_tomatoes(hass, assist)
    await assist.runtime_data.farm.phases.async_set(TOMATO_ID, Phase.HARVEST)
    assert await say(hass, "when will the tomatoes be ready") == (
        "Tomato row is ready to harvest now."
    )


# --- Only our sentences -----------------------------------------------------------


async def test_other_sentences_are_left_alone(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Sentences that name nothing of the farm reach the built-in intents."""
    assert await captured(hass, "I watered rack one")
    assert not await captured(hass, "how is the weather")
    assert not await captured(hass, "turn on the rack one light schedule")
    assert not await captured(hass, "I watered the garden hose")
    assert not await captured(hass, "what is on my shopping list")


async def test_odd_sentence_with_a_farm_name(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A sentence that passes the name check but fits no pattern gets a polite no."""
    assert await say(hass, "how is the basil ready to harvest") == SORRY


async def test_names_follow_the_farm(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Renamed and removed plants, and an unloaded farm, leave the sentences."""
    basil = assist.subentries[PLANT_ID]
    hass.config_entries.async_update_subentry(
        assist,
        basil,
        title="Genovese tray",
        data={**basil.data, "name": "Genovese tray"},
    )
    await hass.async_block_till_done()
    assert (await say(hass, "how is the genovese tray")).startswith("Genovese tray has")
    assert not await captured(hass, "how is the basil tray")
    assert await say(hass, "how is the basil") != SORRY  # still basil, by species

    gate = hass.data[VOICE].gate
    hass.config_entries.async_update_subentry(assist, basil, data=dict(basil.data))
    other = MockConfigEntry(domain="other")  # another integration's entry changes
    other.add_to_hass(hass)
    hass.config_entries.async_update_entry(other, title="Other")
    await hass.async_block_till_done()
    assert hass.data[VOICE].gate == gate  # no change, nothing re-registered

    assert await hass.config_entries.async_unload(assist.entry_id)
    await hass.async_block_till_done()
    assert hass.data[VOICE].gate == ()
    assert not await captured(hass, "what do my plants need today")


# --- The intents on their own -------------------------------------------------------


async def _handle(
    hass: HomeAssistant, intent_type: str, **slots: str
) -> intent.IntentResponse:
    return await intent.async_handle(
        hass,
        "test",
        intent_type,
        {key: {"value": value} for key, value in slots.items()},
    )


async def test_intents_for_other_callers(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Custom sentences, scripts and other agents call the intents by name."""
    response = await _handle(hass, INTENT_PLANT_STATUS, name="basil tray")
    assert response.response_type is intent.IntentResponseType.QUERY_ANSWER
    assert [target.id for target in response.success_results] == [PLANT_ID]
    response = await _handle(hass, INTENT_LOG_WATERING, name="Rack one")
    assert response.response_type is intent.IntentResponseType.ACTION_DONE
    assert [target.id for target in response.success_results] == [RACK_ID]
    with pytest.raises(
        intent.IntentHandleError, match="I don't know a tank called Tank Z"
    ):
        await _handle(hass, INTENT_TANK_STATUS, name="Tank Z")
    with pytest.raises(
        intent.IntentHandleError, match="I don't know a plant or rack called the hose"
    ):
        await _handle(hass, INTENT_LOG_WATERING, name="the hose")
    with pytest.raises(intent.InvalidSlotInfo):
        await _handle(hass, INTENT_TANK_STATUS, name="Tank A", measure="colour")


async def test_no_farm(hass: HomeAssistant) -> None:
    """Without a farm the sentences are not registered; the intent says why."""
    assert await async_setup_component(hass, "homeassistant", {})
    assert await async_setup_component(hass, "conversation", {})
    assert await async_setup_component(hass, "intent", {})
    async_setup_intents(hass)
    async_setup_intents(hass)  # once per run: a second call does nothing
    await hass.async_block_till_done()
    assert hass.data[VOICE].gate == ()
    with pytest.raises(intent.IntentHandleError, match="No farm is set up yet"):
        await _handle(hass, INTENT_CARE_DUE)


# --- More tank and plant answers --------------------------------------------------


async def test_tank_without_plants_has_no_targets(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """With no plant on it a tank has no EC target, and nothing to be wrong with."""
    basil = assist.subentries[PLANT_ID]
    hass.config_entries.async_update_subentry(
        assist, basil, data={**basil.data, "rack": None, "shelf": None}
    )
    _set_tank(hass, ec="1.35", ph="6.2", water_c="14", level_l="40")
    await hass.async_block_till_done()
    # 1.35 / (1 + 0.02 x (14 - 25)) = 1.35 / 0.78 = 1.73 mS/cm at 25 C.
    assert await say(hass, "what is the conductivity of tank A") == (
        "The EC of Tank A is 1.73 mS/cm."
    )
    assert await say(hass, "how is tank A") == (
        "Tank A: EC 1.73 mS/cm, pH 6.2, level 40 litres, water temperature 14 °C. "
        "Problems: the water is too cold."
    )
    assert await say(hass, "how cold is the water in tank A") == (
        "The water in Tank A is 14 °C. That is too cold."
    )


async def test_tank_problems(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """Low pH, low level, an old solution and plants that cannot share the tank."""
    farm = assist.runtime_data.farm
    await farm.records.async_log_feeding(
        TANK_ID, "full_change", NOW - timedelta(days=15), {}
    )
    hass.config_entries.async_add_subentry(
        assist,
        new_subentry(
            TOMATO_ID,
            "plant",
            {
                "name": "Tomato row",
                "species": "tomato",
                "rack": RACK_ID,
                "shelf": 1,
                "planted": "2026-10-20",
                "phase": "fruiting",
                "care_preset": "annual_vegetable",
            },
        ),
    )
    _set_tank(hass, ec="1.0", ph="5.0", water_c="20", level_l="10")
    await hass.async_block_till_done()
    # Basil seedlings want EC 0.8-1.2, fruiting tomatoes 2.5-3.5: no common EC.
    # pH 5.0 under the shared 5.5-6.5; 10 of 60 L is under a fifth; the solution
    # (10 days' life at 20 C) and its 14-day change are both overdue after 15 days.
    assert (await say(hass, "how is tank A")).endswith(
        "Problems: the pH is low, the level is low, the solution is due for a "
        "change, maintenance is due and its plants want different EC or pH."
    )


async def test_days_until_empty(
    hass: HomeAssistant, assist: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A level falling 10 L a day from 50 L: 40 L left lasts 4 days."""
    _set_tank(hass, ec="1.0", ph="6.0", water_c="20", level_l="50")
    await hass.async_block_till_done()
    freezer.move_to(NOW + timedelta(days=1))
    hass.states.async_set("sensor.tank_a_level", "40", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    # Used 50 - 40 = 10 L in one day; 40 / 10 = 4 days.
    assert await say(hass, "how much water is in tank A") == (
        "Tank A holds 40 litres, 67 percent of its volume; that lasts about 4 days."
    )
    _set_tank(hass, ec="1.0", ph="6.0", water_c="20", level_l="40")  # fresh again
    await hass.async_block_till_done()
    # EC 1.0 / 0.9 = 1.11, 11 % over target: inside the 20 % band.
    assert await say(hass, "how is tank A") == (
        "Tank A: EC 1.11 mS/cm (target 1.0), pH 6.0 (target 6.0), level 40 litres, "
        "water temperature 20 °C. No problems."
    )


async def test_many_tasks_are_cut_short(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """Twelve overdue tasks: eight are read out and the rest counted."""
    for number in range(3):
        hass.config_entries.async_add_subentry(
            assist,
            new_subentry(
                f"01PLANTPOT{number}0000000000000000",
                "plant",
                {
                    "name": f"Pothos {number}",
                    "species": "monstera",
                    "planted": "2026-06-15",
                    "phase": "vegetative",
                    "care_preset": "tropical",
                },
            ),
        )
    await hass.async_block_till_done()
    answer = await say(hass, "what do my plants need today")
    # Four pots with three overdue tasks each: 12, of which 8 are read out.
    assert answer.startswith("12 care tasks are due: water Monstera")
    assert answer.endswith(" and 4 more.")
    assert answer.count("overdue since") == 8


async def test_plant_of_an_unknown_species(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """No phase and no harvest date without library data; still found by name."""
    hass.config_entries.async_add_subentry(
        assist,
        new_subentry(
            "01PLANTMYSTERY000000000000",
            "plant",
            {
                "name": "Mystery pot",
                "species": "dragon_fruit",
                "cultivar": "Red Jaina",
                "planted": "2026-10-01",
            },
        ),
    )
    await hass.async_block_till_done()
    assert await say(hass, "how is the mystery pot") == (
        "Mystery pot has no growth phase set. I can't tell when it will be ready."
    )
    # Its species key and its cultivar are names too.
    assert await say(hass, "when can I harvest the dragon fruits") == (
        "I can't tell when Mystery pot will be ready."
    )
    assert await say(hass, "how is the red jaina") == await say(
        hass, "how is the mystery pot"
    )
    hass.config_entries.async_add_subentry(
        assist,
        new_subentry(
            "01PLANTSEEDS00000000000000",
            "plant",
            {"name": "Seed tray", "planted": "2026-11-02"},
        ),
    )
    await hass.async_block_till_done()
    assert await say(hass, "when can I harvest the seed tray") == (
        "I can't tell when Seed tray will be ready."
    )
    farm = assist.runtime_data.farm
    assert species_aliases(farm, "chili_pepper") == {"chili pepper", "chili peppers"}
    assert species_aliases(farm, "??") == set()  # nothing sayable: no name
    assert species_aliases(farm, None) == set()


async def test_ripe_today(hass: HomeAssistant, assist: MockConfigEntry) -> None:
    """Ripening for its whole 21 days (since 10-13): ready today, then harvest."""
    await _ripening_since(
        hass,
        assist,
        {"planted": "2026-09-01", "care_preset": "annual_vegetable"},
        "2026-10-13",
    )
    assert await say(hass, "when can I harvest the tomato row") == (
        "Tomato row should be ready to harvest now."
    )
    await assist.runtime_data.farm.phases.async_set(TOMATO_ID, Phase.HARVEST)
    assert (await say(hass, "how is the tomato row")).startswith(
        "Tomato row has been in the harvest phase since today."
    )


# --- The pieces on their own ------------------------------------------------------


def test_spoken_dates() -> None:
    """Close dates by name, others by month and day, another year with it."""
    assert spoken_date(DAY, DAY) == "today"
    assert spoken_date(DAY + timedelta(days=1), DAY) == "tomorrow"
    assert spoken_date(DAY - timedelta(days=1), DAY) == "yesterday"
    assert spoken_date(date(2026, 6, 22), DAY) == "June 22"
    assert spoken_date(date(2027, 1, 5), DAY) == "January 5, 2027"


def test_names_as_spoken() -> None:
    """Case, punctuation and number words do not matter; plurals of species."""
    assert normalize_name("  Basil (Genovese) / Tray #2 ") == "basil genovese tray 2"
    assert spoken_forms("Rack 1") == {"rack 1", "rack one"}
    assert spoken_forms("Rack one") == {"rack one", "rack 1"}
    assert spoken_forms("Shelf 42") == {"shelf 42"}  # beyond twenty: digits only
    assert spoken_forms("!!") == set()
    assert [plural(word) for word in ("tomato", "strawberry", "chili pepper")] == [
        "tomatoes",
        "strawberries",
        "chili peppers",
    ]
    assert [plural(word) for word in ("day", "radish", "basil")] == [
        "days",
        "radishes",
        "basils",
    ]
    assert join_words([]) == ""
    assert join_words(["a", "b", "c"]) == "a, b and c"
    assert spoken_number(1.0) == "1"
    assert spoken_number(1.0, decimal=True) == "1.0"
    assert spoken_number(0.9615) == "0.96"


def test_alternation_shares_leading_words() -> None:
    """Names become one alternation, nested where they share words."""
    assert alternation(["basil", "basil tray", "basils", "rack 1", "rack one"]) == (
        "(basil [tray]|basils|rack (1|one))"
    )
    assert alternation(["lettuce tray 1", "lettuce tray 2"]) == "lettuce tray (1|2)"


async def test_grammar_built_for_the_names_of_the_moment(
    hass: HomeAssistant, assist: MockConfigEntry
) -> None:
    """A grammar built while the names change is not taken for the new names."""
    voice = hass.data[VOICE]
    building = hass.async_create_task(voice.async_grammar())
    hass.config_entries.async_add_subentry(
        assist,
        new_subentry(
            TOMATO_ID, "plant", {"name": "Tomato row", "planted": "2026-10-01"}
        ),
    )
    # The new name lands while the old grammar is built: through the refresh
    # the change schedules (one begun here too would be superseded by it,
    # and the test would race with that one's result).
    await hass.async_block_till_done()
    old = await building
    new = await voice.async_grammar()
    assert new is not old
    assert await voice.async_grammar() is new  # kept while the names stay
    assert (await say(hass, "how is the tomato row")).startswith("Tomato row has")


def test_gate_sentences() -> None:
    """One sentence per kind and position of the name; none for a kind without names."""
    phrases = (
        Phrase(intent="A", before="hello", names=SubjectKind.PLANT),
        Phrase(intent="B", before="[the]", names=SubjectKind.PLANT, after="grew"),
    )
    gate = gate_sentences({SubjectKind.PLANT: {"mint", "basil"}}, phrases)
    assert gate[-2:] == ["(hello) (basil|mint)", "([the]) (basil|mint) (grew)"]
    assert gate[:-2] == list(CARE_DUE_SENTENCES)
    gate = gate_sentences(
        {SubjectKind.PLANT: {"mint"}}, phrases, farms={"attic", "home farm"}
    )
    in_farm = "[(in|on|at) [the|my] (attic|home farm)]"
    assert gate[-2:] == [
        f"(hello) mint {in_farm}",
        f"([the]) mint {in_farm} (grew) {in_farm}",
    ]
    full = gate_sentences({SubjectKind.TANK: {"tank a"}})
    assert len(full) == len(CARE_DUE_SENTENCES) + 1  # tanks: the name never leads
    assert ") tank a [" in full[-1]
    assert "{" not in "".join(full)  # small lists spelled out: no wildcards
