"""The actions: every path through a real hass, its responses, events and errors."""

from datetime import date, datetime, timedelta
import json
from pathlib import Path
import re
from types import MappingProxyType
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import ConfigEntryState, ConfigSubentry
from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    selector,
    service,
)
from homeassistant.util import dt as dt_util
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.vertical_farm.agronomy_services import AGRONOMY_ACTIONS
from custom_components.vertical_farm.assistant import tank_status
from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.services import ACTIONS, MAX_BACKDATE

from .conftest import (
    BASIL_DATA,
    PLANT_ID,
    POT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    call_action,
    device_of,
    farm_with,
    set_up,
    subentry,
)

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
ICONS = json.loads((INTEGRATION / "icons.json").read_text(encoding="utf-8"))
SERVICES_SOURCE = (INTEGRATION / "services.py").read_text(encoding="utf-8")

# A second farm, for calls that mix farms.
OTHER_TANK_ID = "01TANKB000000000000000000B"
OTHER_RACK_ID = "01RACK2000000000000000000B"
OTHER_PLANT_ID = "01PLANTLETTUCE000000000000"


def _state(
    hass: HomeAssistant, subject_id: str, key: str, platform: str = "sensor"
) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{subject_id}_{key}"
    )
    assert entity_id is not None
    return hass.states.get(entity_id)


async def _refused(
    hass: HomeAssistant,
    action: str,
    data: dict[str, Any],
    key: str,
    *,
    response: bool = False,
) -> dict[str, str]:
    """Call, expect the translated refusal `key`, check nothing was recorded."""
    farm_journals = [
        (entry, list(entry.runtime_data.store.journal))
        for entry in hass.config_entries.async_loaded_entries(DOMAIN)
    ]
    with pytest.raises(ServiceValidationError) as err:
        await call_action(hass, action, data, response=response)
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == key
    assert str(err.value) != key, f"{key} has no translation"
    template = EN["exceptions"][key]["message"]
    wanted = set(re.findall(r"{(\w+)}", template))
    assert wanted <= set(err.value.translation_placeholders or {}), template
    for entry, journal in farm_journals:
        assert entry.runtime_data.store.journal == journal
    return err.value.translation_placeholders or {}


@pytest.fixture
async def second_farm(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> MockConfigEntry:
    """Another farm with its own tank, rack and lettuce, set up beside the first."""
    entry = farm_with(
        hass,
        "Attic",
        [
            subentry(OTHER_TANK_ID, "tank", {**TANK_DATA, "name": "Tank B"}),
            subentry(
                OTHER_RACK_ID,
                "rack",
                {**RACK_DATA, "name": "Rack two", "tank": OTHER_TANK_ID},
            ),
            subentry(
                OTHER_PLANT_ID,
                "plant",
                {
                    **BASIL_DATA,
                    "name": "Lettuce tray",
                    "species": "lettuce",
                    "rack": OTHER_RACK_ID,
                    "phase": None,
                    "care_preset": None,
                },
            ),
        ],
    )
    return await set_up(hass, entry)


# --- Registration, descriptions, translations and icons -----------------------


async def test_actions_registered_described_and_translated(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Every action has a schema in services.yaml, valid selectors, texts and an icon."""
    # The planner's actions register from planner_actions.py.
    names = {name for name, *_ in (*ACTIONS, *AGRONOMY_ACTIONS)} | {
        "plan_succession",
        "get_forecast",
        "log_stock",
    }
    assert names == {
        "set_phase",
        "log_watering",
        "log_feeding",
        "apply_treatment",
        "record_harvest",
        "mix_nutrients",
        "add_plants",
        "get_overview",
        "plan_succession",
        "get_forecast",
        "log_stock",
        "set_watering_plan",
        "check_placement",
        "log_inspection",
        "analyze_runoff",
    }
    assert set(hass.services.async_services_for_domain(DOMAIN)) == names
    descriptions = (await service.async_get_all_descriptions(hass))[DOMAIN]
    assert set(descriptions) == names
    strings = EN["services"]
    assert set(strings) == names
    assert set(ICONS["services"]) == names
    for name, description in descriptions.items():
        assert strings[name]["name"]
        assert strings[name]["description"]
        assert ICONS["services"][name]["service"].startswith("mdi:")
        for field, spec in description["fields"].items():
            selector.validate_selector(spec["selector"])
            assert strings[name]["fields"][field]["name"], (name, field)
            assert strings[name]["fields"][field]["description"], (name, field)
            config = next(iter(spec["selector"].values())) or {}
            if (translation_key := config.get("translation_key")) is not None:
                assert translation_key in EN["selector"], translation_key
        assert set(strings[name]["fields"]) == set(description["fields"])


def test_every_refusal_code_is_translated() -> None:
    """Each error code the actions raise has a message whose placeholders are filled."""
    codes = set(re.findall(r'FarmError\(\s*"(\w+)"', SERVICES_SOURCE))
    # refusals of one field's value by the schemas
    codes |= set(re.findall(r'_refuse\(\s*"(\w+)"', SERVICES_SOURCE))
    codes |= {"text_too_long", "text_control_characters", "text_direction_characters"}
    codes |= {f"not_a_{kind}" for kind in ("plant", "rack", "tank")}
    codes |= {
        f"plant_{error}"
        for error in (
            "name_invalid",
            "name_exists",
            "unknown_species",
            "unknown_rack",
            "shelf_without_rack",
            "shelf_out_of_range",
            "planted_in_future",
            "phase_not_in_sequence",
            "volume_invalid",
            "text_too_long",
            "text_control_characters",
            "text_direction_characters",
        )
    }
    # from the farm and the nutrient engine
    codes |= {
        "harvest_blocked",
        "transition_backward",
        "already_in_phase",
        "phase_not_in_sequence",
        "unknown_species",
        "ec_unreachable",
        "recipe_incomplete",
        "duplicate_fertilizer",
        "unknown_fertilizer",
    }
    missing = codes - set(EN["exceptions"])
    assert not missing, missing
    plant_placeholders = {
        "name",
        "species",
        "rack",
        "shelf",
        "shelves",
        "planted",
        "phase",
    }
    for code in codes:
        used = set(re.findall(r"{(\w+)}", EN["exceptions"][code]["message"]))
        if code.startswith("plant_"):
            assert used <= plant_placeholders, code


# --- Devices ------------------------------------------------------------------


async def test_device_resolution_errors(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, second_farm: MockConfigEntry
) -> None:
    """Unknown devices, devices of other integrations, types and farms are refused."""
    placeholders = await _refused(
        hass, "set_phase", {"plant": "nope", "phase": "vegetative"}, "unknown_device"
    )
    assert placeholders == {"device": "nope"}

    other = MockConfigEntry(domain="demo", title="Demo")
    other.add_to_hass(hass)
    lamp = dr.async_get(hass).async_get_or_create(
        config_entry_id=other.entry_id, identifiers={("demo", "lamp")}, name="Lamp"
    )
    placeholders = await _refused(
        hass,
        "set_phase",
        {"plant": lamp.id, "phase": "vegetative"},
        "not_a_farm_device",
    )
    assert placeholders == {"device": "Lamp"}

    for kind, data in (
        ("plant", {"plant": device_of(hass, TANK_ID), "phase": "vegetative"}),
        (
            "plant",
            {"plant": device_of(hass, loaded_farm.entry_id), "phase": "vegetative"},
        ),
        ("rack", {"racks": [device_of(hass, PLANT_ID)]}),
    ):
        action = "set_phase" if "plant" in data else "log_watering"
        placeholders = await _refused(hass, action, data, f"not_a_{kind}")
        assert placeholders["device"]
    placeholders = await _refused(
        hass,
        "mix_nutrients",
        {"tank": device_of(hass, RACK_ID)},
        "not_a_tank",
        response=True,
    )
    assert placeholders == {"device": "Rack one"}

    placeholders = await _refused(
        hass,
        "log_watering",
        {"plants": [device_of(hass, PLANT_ID), device_of(hass, OTHER_PLANT_ID)]},
        "devices_of_different_farms",
    )
    assert placeholders == {"farms": "Basement, Attic"}

    # A device left behind by a record the farm no longer has.
    stale = dr.async_get(hass).async_get_or_create(
        config_entry_id=loaded_farm.entry_id,
        identifiers={(DOMAIN, "01GONE00000000000000000000")},
        name="Old tray",
    )
    placeholders = await _refused(
        hass, "set_phase", {"plant": stale.id, "phase": "vegetative"}, "unknown_device"
    )
    assert placeholders == {"device": "Old tray"}

    plant_device = device_of(hass, OTHER_PLANT_ID)
    assert await hass.config_entries.async_unload(second_farm.entry_id)
    await hass.async_block_till_done()
    placeholders = await _refused(
        hass,
        "set_phase",
        {"plant": plant_device, "phase": "vegetative"},
        "farm_not_loaded",
    )
    assert placeholders == {"farm": "Attic"}


# --- set_phase ----------------------------------------------------------------


async def test_set_phase(hass: HomeAssistant, loaded_farm: MockConfigEntry) -> None:
    """Forward moves answer from/to, fire the event and update the sensor at once."""
    changed = async_capture_events(hass, f"{DOMAIN}_phase_changed")
    plant = device_of(hass, PLANT_ID)
    response = await call_action(
        hass, "set_phase", {"plant": plant, "phase": "vegetative"}, response=True
    )
    assert response == {
        "plant": plant,
        "from_phase": "seedling",
        "to_phase": "vegetative",
    }
    assert _state(hass, PLANT_ID, "phase").state == "vegetative"
    assert [event.data for event in changed] == [
        {
            "plant_id": PLANT_ID,
            "name": "Basil tray",
            "from_phase": "seedling",
            "to_phase": "vegetative",
        }
    ]
    farm = loaded_farm.runtime_data.farm
    assert farm.store.records(PLANT_ID, ["phase_changed"])[-1]["data"]["to_phase"] == (
        "vegetative"
    )

    placeholders = await _refused(
        hass, "set_phase", {"plant": plant, "phase": "seedling"}, "transition_backward"
    )
    assert placeholders == {
        "species": "basil",
        "from_phase": "vegetative",
        "to_phase": "seedling",
    }
    await _refused(
        hass, "set_phase", {"plant": plant, "phase": "vegetative"}, "already_in_phase"
    )
    # Basil goes from vegetative straight to harvest: it never flowers.
    await _refused(
        hass,
        "set_phase",
        {"plant": plant, "phase": "flowering"},
        "phase_not_in_sequence",
    )
    assert len(changed) == 1

    # Forced, a backward move goes through (without asking for the response).
    await call_action(
        hass, "set_phase", {"plant": plant, "phase": "seedling", "force": True}
    )
    assert _state(hass, PLANT_ID, "phase").state == "seedling"
    assert changed[-1].data["from_phase"] == "vegetative"


async def test_set_phase_needs_a_species(
    hass: HomeAssistant, farm_entry: MockConfigEntry
) -> None:
    """A plant whose species is not in the library has no phase rules to move by."""
    pot = farm_entry.subentries[POT_ID]
    hass.config_entries.async_update_subentry(
        farm_entry, pot, data={**pot.data, "species": "triffid", "phase": None}
    )
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    placeholders = await _refused(
        hass,
        "set_phase",
        {"plant": device_of(hass, POT_ID), "phase": "vegetative"},
        "unknown_species",
    )
    assert placeholders == {"species": "triffid"}


# --- log_watering -------------------------------------------------------------


async def test_log_watering(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A rack means every plant on it; the record is written and watering moves on."""
    farm = loaded_farm.runtime_data.farm
    today = dt_util.now().date()
    # the pot has never been watered since it was potted in June: overdue
    before = date.fromisoformat(_state(hass, POT_ID, "next_watering").state)
    assert before <= today
    await call_action(
        hass,
        "log_watering",
        {
            "racks": [device_of(hass, RACK_ID)],
            "plants": [device_of(hass, PLANT_ID), device_of(hass, POT_ID)],
            "volume_l": 2.5,
        },
    )
    records = farm.store.records(kinds=["watered"])
    assert [record["subject"] for record in records] == [PLANT_ID, POT_ID]
    assert all(record["data"] == {"volume_l": 2.5} for record in records)
    assert records[0]["at"] == dt_util.now().isoformat()
    # watered today: the next watering is after today, and the sensor shows it at once
    after = date.fromisoformat(_state(hass, POT_ID, "next_watering").state)
    assert after > today
    assert farm.store.state(POT_ID)["care"]["water"]["last_done"] == today.isoformat()

    # A watering logged for earlier in the day, as a naive local time.
    earlier = dt_util.now() - timedelta(hours=3)
    await call_action(
        hass,
        "log_watering",
        {
            "plants": device_of(hass, POT_ID),
            "at": earlier.replace(tzinfo=None).isoformat(),
        },
    )
    record = farm.store.records(POT_ID, ["watered"])[-1]
    assert datetime.fromisoformat(record["at"]) == earlier
    assert record["data"] == {}


async def test_a_watering_or_feeding_logged_late_never_brings_the_next_one_forward(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Done today, then one from 3 days ago logged: recorded, the next stays put."""
    farm = loaded_farm.runtime_data.farm
    pot = device_of(hass, POT_ID)
    three_days_ago = (dt_util.now() - timedelta(days=3)).isoformat()
    today = dt_util.now().date()

    await call_action(hass, "log_watering", {"plants": [pot]})
    # The tropical preset waters every 7 days.
    next_watering = (today + timedelta(days=7)).isoformat()
    assert _state(hass, POT_ID, "next_watering").state == next_watering
    await call_action(hass, "log_watering", {"plants": [pot], "at": three_days_ago})
    assert len(farm.store.records(POT_ID, ["watered"])) == 2
    assert _state(hass, POT_ID, "next_watering").state == next_watering
    assert farm.store.state(POT_ID)["care"]["water"]["last_done"] == today.isoformat()

    # A feeding confirms the basil's fertilize task (herb preset: every 14 days).
    def basil_feeding_due() -> date:
        (task,) = (
            task for task in farm.views.plant(PLANT_ID).care if task.kind == "fertilize"
        )
        return task.due

    tank = device_of(hass, TANK_ID)
    await call_action(hass, "log_feeding", {"tank": tank, "kind": "top_up"})
    assert basil_feeding_due() == today + timedelta(days=14)
    await call_action(
        hass, "log_feeding", {"tank": tank, "kind": "top_up", "at": three_days_ago}
    )
    assert len(farm.store.records(TANK_ID, ["fed"])) == 2
    assert basil_feeding_due() == today + timedelta(days=14)


async def test_log_watering_earlier_in_the_repeated_hour(
    hass: HomeAssistant, farm_entry: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """At 01:15 PST, 01:30 is the 01:30 PDT of 45 minutes ago, not a time to come."""
    freezer.move_to("2026-11-01T09:15:00+00:00")  # clocks went back at 09:00 UTC
    farm = (await set_up(hass, farm_entry)).runtime_data.farm
    await call_action(
        hass,
        "log_watering",
        {"plants": device_of(hass, POT_ID), "at": "2026-11-01T01:30:00"},
    )
    record = farm.store.records(POT_ID, ["watered"])[-1]
    assert datetime.fromisoformat(record["at"]) == datetime.fromisoformat(
        "2026-11-01T08:30:00+00:00"
    )


async def test_log_watering_refusals(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Future or very old times, empty racks and empty selections change nothing."""
    plant = device_of(hass, PLANT_ID)
    future = dt_util.now() + timedelta(seconds=1)
    placeholders = await _refused(
        hass, "log_watering", {"plants": [plant], "at": future}, "time_in_future"
    )
    assert placeholders == {"at": future.isoformat()}
    too_old = dt_util.now() - MAX_BACKDATE - timedelta(seconds=1)
    placeholders = await _refused(
        hass, "log_watering", {"plants": [plant], "at": too_old}, "time_too_old"
    )
    assert placeholders["earliest"] == (dt_util.now() - MAX_BACKDATE).date().isoformat()
    await _refused(
        hass, "log_watering", {"plants": [], "racks": []}, "no_devices_selected"
    )

    # An empty rack.
    farm = loaded_farm.runtime_data.farm
    for plant_id in (PLANT_ID,):
        basil = loaded_farm.subentries[plant_id]
        hass.config_entries.async_update_subentry(
            loaded_farm, basil, data={**basil.data, "rack": None, "shelf": None}
        )
    await hass.async_block_till_done()
    assert farm.config.plants_on_rack(RACK_ID) == []
    placeholders = await _refused(
        hass,
        "log_watering",
        {"racks": [device_of(hass, RACK_ID)]},
        "no_plants_on_racks",
    )
    assert placeholders == {"racks": "Rack one"}

    with pytest.raises(probatio.Invalid):
        await call_action(hass, "log_watering", {"volume_l": 1})
    with pytest.raises(probatio.Invalid):
        await call_action(hass, "log_watering", {"plants": [plant], "volume_l": 0})
    assert farm.store.records(kinds=["watered"]) == []


# --- log_feeding --------------------------------------------------------------


async def test_log_feeding(hass: HomeAssistant, loaded_farm: MockConfigEntry) -> None:
    """A full change is recorded with its figures and restarts the solution's age."""
    farm = loaded_farm.runtime_data.farm
    tank = device_of(hass, TANK_ID)
    assert _state(hass, TANK_ID, "solution_age").state == "unavailable"
    await call_action(
        hass,
        "log_feeding",
        {
            "tank": tank,
            "kind": "full_change",
            "volume_l": 60,
            "ec": 1.6,
            "ph": 5.9,
            "fertilizers": {"hydro_grow_a": 120, "hydro_grow_b": 120},
        },
    )
    (record,) = farm.store.records(TANK_ID, ["fed"])
    assert record["data"] == {
        "kind": "full_change",
        "volume_l": 60.0,
        "ec": 1.6,
        "ph": 5.9,
        "fertilizers": {"hydro_grow_a": 120.0, "hydro_grow_b": 120.0},
    }
    assert farm.store.state(TANK_ID)["ph_at_fill"] == 5.9
    assert float(_state(hass, TANK_ID, "solution_age").state) == 0.0

    await call_action(hass, "log_feeding", {"tank": tank, "kind": "top_up"})
    assert farm.store.records(TANK_ID, ["fed"])[-1]["data"] == {"kind": "top_up"}

    placeholders = await _refused(
        hass,
        "log_feeding",
        {"tank": tank, "kind": "top_up", "volume_l": 60.5},
        "volume_above_capacity",
    )
    assert placeholders == {"volume_l": "60.5", "capacity_l": "60.0", "tank": "Tank A"}
    placeholders = await _refused(
        hass,
        "log_feeding",
        {"tank": tank, "kind": "adjustment", "fertilizers": {"unobtainium": 5}},
        "unknown_fertilizer",
    )
    assert placeholders == {"fertilizer": "unobtainium"}
    await _refused(
        hass,
        "log_feeding",
        {"tank": tank, "kind": "adjustment", "at": dt_util.now() + timedelta(hours=1)},
        "time_in_future",
    )
    with pytest.raises(probatio.Invalid):
        await call_action(hass, "log_feeding", {"tank": tank, "kind": "flood"})
    with pytest.raises(probatio.Invalid):
        await call_action(
            hass, "log_feeding", {"tank": tank, "kind": "top_up", "ph": 15}
        )


async def test_an_older_water_change_logged_late_leaves_the_newer_one(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Water changed today, then a change of five days ago logged late.

    The solution in the tank is today's: its age and the next water change
    still count from today; the older change is kept in the journal.
    """
    farm = loaded_farm.runtime_data.farm
    tank = device_of(hass, TANK_ID)
    await call_action(
        hass, "log_feeding", {"tank": tank, "kind": "full_change", "ph": 5.9}
    )
    await hass.async_block_till_done()
    age = _state(hass, TANK_ID, "solution_age").state
    next_maintenance = _state(hass, TANK_ID, "next_maintenance")
    assert float(age) == 0.0
    await call_action(
        hass,
        "log_feeding",
        {
            "tank": tank,
            "kind": "full_change",
            "ph": 6.4,
            "at": dt_util.now() - timedelta(days=5),
        },
    )
    await hass.async_block_till_done()
    assert len(farm.store.records(TANK_ID, ["fed"])) == 2
    assert _state(hass, TANK_ID, "solution_age").state == age
    after = _state(hass, TANK_ID, "next_maintenance")
    assert (after.state, after.attributes) == (
        next_maintenance.state,
        next_maintenance.attributes,
    )
    assert farm.store.state(TANK_ID)["ph_at_fill"] == 5.9


# --- apply_treatment and record_harvest ---------------------------------------


async def test_treatment_blocks_harvest_until_the_safe_instant(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Safe = applied + interval days: refused one second before, allowed exactly then."""
    farm = loaded_farm.runtime_data.farm
    blocked_events = async_capture_events(hass, f"{DOMAIN}_harvest_blocked")
    plant = device_of(hass, PLANT_ID)
    applied = dt_util.now()
    interval_days = farm.library.products["spinosad"].interval_days
    assert interval_days == 3
    safe = applied + timedelta(days=interval_days)
    response = await call_action(
        hass,
        "apply_treatment",
        {"racks": [device_of(hass, RACK_ID)], "product": "spinosad"},
        response=True,
    )
    assert response == {
        "safe_harvest_date": safe.date().isoformat(),
        "safe_harvest_at": safe.isoformat(),
        "warnings": [],  # the first use of its mode of action
    }
    (record,) = farm.store.records(PLANT_ID, ["treated"])
    assert record["data"] == {
        "product": "spinosad",
        "active_ingredient": farm.library.products["spinosad"].active_ingredient,
        "interval_days": 3.0,
    }
    blocked = _state(hass, PLANT_ID, "harvest_blocked", "binary_sensor")
    assert blocked.state == "on"
    assert blocked.attributes["safe_date"] == safe.date().isoformat()
    assert blocked.attributes["blocking_products"] == ["spinosad"]

    freezer.move_to(safe - timedelta(seconds=1))
    placeholders = await _refused(
        hass, "record_harvest", {"plant": plant, "weight_g": 120}, "harvest_blocked"
    )
    assert placeholders == {
        "plant": "Basil tray",
        "safe_date": safe.date().isoformat(),
        "products": "spinosad",
    }
    assert [event.data for event in blocked_events] == [
        {"plant_id": PLANT_ID, "safe_date": safe.date().isoformat()}
    ]

    freezer.move_to(safe)
    await call_action(
        hass, "record_harvest", {"plant": plant, "weight_g": 120, "count": 12}
    )
    (harvest,) = farm.store.records(PLANT_ID, ["harvested"])
    assert harvest["data"] == {"weight_g": 120.0, "count": 12}
    assert datetime.fromisoformat(harvest["at"]) == safe
    assert len(blocked_events) == 1


async def test_a_pre_harvest_interval_ends_at_the_same_wall_time_across_dst(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Sprayed 00:30 on 30 Oct, 7 days: safe at 00:30 on 6 Nov, clocks back between.

    Days count on the farm's wall clock (as labels count them), not as 24 hours:
    the answer, the harvest refusal, the plant's entity and the calendar agree.
    """
    pot = device_of(hass, POT_ID)
    safe = datetime.fromisoformat("2026-11-06T00:30:00-08:00")  # PST, was PDT
    spray = {"plants": [pot], "product": "Garlic spray", "safety_interval_days": 7}
    response = await call_action(
        hass,
        "apply_treatment",
        {**spray, "at": "2026-10-30T00:30:00"},  # local, as the UI sends it
        response=True,
    )
    assert response["safe_harvest_at"] == safe.isoformat()
    assert response["safe_harvest_date"] == "2026-11-06"
    # The same spray sent with its offset, as an automation may: the same answer.
    again = await call_action(
        hass,
        "apply_treatment",
        {**spray, "at": "2026-10-30T00:30:00-07:00"},
        response=True,
    )
    assert again["safe_harvest_at"] == safe.isoformat()

    blocked = _state(hass, POT_ID, "harvest_blocked", "binary_sensor")
    assert blocked.state == "on"
    assert blocked.attributes["safe_date"] == "2026-11-06"
    calendar = er.async_get(hass).async_get_entity_id(
        "calendar", DOMAIN, f"{loaded_farm.entry_id}_calendar"
    )
    assert calendar is not None
    events = await hass.services.async_call(
        "calendar",
        "get_events",
        {
            "start_date_time": "2026-10-29T00:00:00-07:00",
            "end_date_time": "2026-11-10T00:00:00-08:00",
        },
        target={"entity_id": calendar},
        blocking=True,
        return_response=True,
    )
    assert events is not None
    ends = {
        event["end"]
        for event in events[calendar]["events"]  # type: ignore[index]
        if event["summary"] == "Pre-harvest interval: Garlic spray on Monstera"
    }
    assert ends == {safe.isoformat()}

    freezer.move_to(safe - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await _refused(hass, "record_harvest", {"plant": pot}, "harvest_blocked")
    assert _state(hass, POT_ID, "harvest_blocked", "binary_sensor").state == "on"

    freezer.move_to(safe)
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _state(hass, POT_ID, "harvest_blocked", "binary_sensor").state == "off"
    await call_action(hass, "record_harvest", {"plant": pot, "weight_g": 50})


async def test_treatment_products(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Library products by key or name, own interval, and free-text products."""
    farm = loaded_farm.runtime_data.farm
    pot = device_of(hass, POT_ID)
    now = dt_util.now()

    # By name, any case; a given interval overrides the label's.
    response = await call_action(
        hass,
        "apply_treatment",
        {"plants": [pot], "product": "neem OIL", "safety_interval_days": 1.5},
        response=True,
    )
    assert response["safe_harvest_at"] == (now + timedelta(days=1.5)).isoformat()
    record = farm.store.records(POT_ID, ["treated"])[-1]
    assert record["data"]["product"] == "neem_oil"
    assert record["data"]["interval_days"] == 1.5

    # Not in the library: the interval is required, the ingredient optional.
    placeholders = await _refused(
        hass,
        "apply_treatment",
        {"plants": [pot], "product": "Garlic spray"},
        "interval_required",
        response=True,
    )
    assert placeholders == {"product": "Garlic spray"}
    response = await call_action(
        hass,
        "apply_treatment",
        {
            "plants": [pot],
            "product": "Garlic spray",
            "active_ingredient": "Allicin",
            "safety_interval_days": 2,
        },
        response=True,
    )
    assert response["safe_harvest_date"] == (now + timedelta(days=2)).date().isoformat()
    assert farm.store.records(POT_ID, ["treated"])[-1]["data"] == {
        "product": "Garlic spray",
        "active_ingredient": "Allicin",
        "interval_days": 2.0,
    }
    # Without asking for the answer, and with a free-text product and no ingredient.
    await call_action(
        hass,
        "apply_treatment",
        {"plants": [pot], "product": "Soap water", "safety_interval_days": 0},
    )
    assert (
        farm.store.records(POT_ID, ["treated"])[-1]["data"]["active_ingredient"] == ""
    )
    with pytest.raises(probatio.Invalid):
        await call_action(
            hass,
            "apply_treatment",
            {"plants": [pot], "product": "x", "safety_interval_days": -1},
        )


async def test_final_harvest_clears_treatments(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A final harvest ends the crop: its treatments no longer block the next one."""
    farm = loaded_farm.runtime_data.farm
    plant = device_of(hass, PLANT_ID)
    await call_action(
        hass,
        "apply_treatment",
        {"plants": [plant], "product": "neem_oil"},
        response=True,
    )
    freezer.tick(timedelta(minutes=1))
    await call_action(hass, "record_harvest", {"plant": plant, "final": True})
    assert farm.records.treatments(PLANT_ID) == ()
    assert farm.store.records(PLANT_ID, ["harvested"])[-1]["data"] == {"final": True}
    await _refused(
        hass,
        "record_harvest",
        {"plant": plant, "at": dt_util.now() + timedelta(minutes=5)},
        "time_in_future",
    )


async def test_a_harvest_before_a_later_spray_is_not_held_up_by_it(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Picked five days ago, sprayed yesterday: the earlier harvest is logged.

    A harvest is judged by the treatments applied before it only; the plant
    stays blocked now by yesterday's spray.
    """
    farm = loaded_farm.runtime_data.farm
    blocked_events = async_capture_events(hass, f"{DOMAIN}_harvest_blocked")
    pot = device_of(hass, POT_ID)
    now = dt_util.now()
    await call_action(
        hass,
        "apply_treatment",
        {
            "plants": [pot],
            "product": "Home brew",
            "safety_interval_days": 7,
            "at": now - timedelta(days=1),
        },
    )
    picked = now - timedelta(days=5)
    await call_action(
        hass, "record_harvest", {"plant": pot, "weight_g": 200, "at": picked}
    )
    (harvest,) = farm.store.records(POT_ID, ["harvested"])
    assert datetime.fromisoformat(harvest["at"]) == picked
    assert blocked_events == []
    blocked = _state(hass, POT_ID, "harvest_blocked", "binary_sensor")
    assert blocked.state == "on"
    assert blocked.attributes["blocking_products"] == ["Home brew"]

    # A harvest after the spray, even one logged for the past, is refused.
    placeholders = await _refused(
        hass,
        "record_harvest",
        {"plant": pot, "at": now - timedelta(hours=1)},
        "harvest_blocked",
    )
    assert placeholders["safe_date"] == (now + timedelta(days=6)).date().isoformat()


async def test_a_spray_logged_late_stays_with_the_crop_it_was_on(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A final harvest today, then a spray of three days ago logged late.

    The spray was on the crop harvested today: the next crop is not blocked,
    and a harvest logged for between the spray and today is refused.
    """
    farm = loaded_farm.runtime_data.farm
    pot = device_of(hass, POT_ID)
    now = dt_util.now()
    await call_action(hass, "record_harvest", {"plant": pot, "final": True})
    response = await call_action(
        hass,
        "apply_treatment",
        {
            "plants": [pot],
            "product": "Home brew",
            "safety_interval_days": 7,
            "at": now - timedelta(days=3),
        },
        response=True,
    )
    assert response["safe_harvest_date"] == (now + timedelta(days=4)).date().isoformat()
    blocked = _state(hass, POT_ID, "harvest_blocked", "binary_sensor")
    assert blocked.state == "off"
    assert farm.records.treatments(POT_ID) == ()
    await _refused(
        hass,
        "record_harvest",
        {"plant": pot, "at": now - timedelta(days=1)},
        "harvest_blocked",
    )


# --- mix_nutrients ------------------------------------------------------------


async def test_mix_nutrients_worked_example(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Target 1.6 over tap 0.4: CalMag keeps its dose, the base parts add the rest."""
    farm = loaded_farm.runtime_data.farm
    library = farm.library.fertilizers
    tank = device_of(hass, TANK_ID)
    grow_a, grow_b, calmag = (
        library["hydro_grow_a"],
        library["hydro_grow_b"],
        library["calmag"],
    )
    response = await call_action(
        hass,
        "mix_nutrients",
        {
            "tank": tank,
            "target_ec": 1.6,
            "volume_l": 50,
            # given in an unsafe order: CalMag after the sulfate part
            "fertilizers": [
                {"fertilizer": "hydro_grow_a", "ml_per_l": 2},
                {"fertilizer": "hydro_grow_b", "ml_per_l": 2},
                {"fertilizer": "calmag", "ml_per_l": 1},
            ],
        },
        response=True,
    )
    # CalMag keeps 1 ml/L (0.4 mS/cm); the base parts' recipe EC 2 x 0.3 + 2 x 0.28
    # = 1.16 scales to the rest, 1.6 - 0.4 - 0.4 = 0.8. The phosphoric pH down
    # (the default) adds no EC, so no reserve is held back.
    recipe_ec = 2 * grow_a.ec_per_ml + 2 * grow_b.ec_per_ml
    scale = (1.6 - 0.4 - 1 * calmag.ec_per_ml) / recipe_ec
    ml_a, ml_b, ml_calmag = 2 * scale, 2 * scale, 1.0
    assert response["target_ec"] == 1.6
    assert response["base_ec"] == 0.4  # the farm's tap water
    assert response["volume_l"] == 50
    assert response["steps"] == [
        {
            "order": 1,
            "fertilizer": "calmag",
            "name": calmag.name,
            "ml_per_l": round(ml_calmag, 2),
            "ml_total": round(ml_calmag * 50, 1),
        },
        {
            "order": 2,
            "fertilizer": "hydro_grow_a",
            "name": grow_a.name,
            "ml_per_l": round(ml_a, 2),
            "ml_total": round(ml_a * 50, 1),
        },
        {
            "order": 3,
            "fertilizer": "hydro_grow_b",
            "name": grow_b.name,
            "ml_per_l": round(ml_b, 2),
            "ml_total": round(ml_b * 50, 1),
        },
    ]
    assert response["steps"][0]["ml_per_l"] == 1.0
    assert response["steps"][1]["ml_per_l"] == 1.38  # 2 x 0.8 / 1.16 = 1.379
    assert response["expected_ec"] == 1.6
    assert response["warnings"] == [
        {
            "code": "calmag_after_sulfate",
            "fertilizer": "calmag",
            "other": "hydro_grow_b",
        }
    ]
    json.dumps(response)


async def test_mix_nutrients_defaults_and_own_products(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Without figures the tank's target, volume, recipe and the tap water are used."""
    farm = loaded_farm.runtime_data.farm
    tank_entry = loaded_farm.subentries[TANK_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm,
        tank_entry,
        data={
            **tank_entry.data,
            "fertilizers": [{"fertilizer": "leafy_greens_one_part", "ml_per_l": 2}],
        },
    )
    await hass.async_block_till_done()
    target_ec = float(_state(hass, TANK_ID, "target_ec").state)
    tank = device_of(hass, TANK_ID)
    response = await call_action(hass, "mix_nutrients", {"tank": tank}, response=True)
    one_part = farm.library.fertilizers["leafy_greens_one_part"]
    # one product carries the whole available EC: (target - 0.4) / its EC per ml
    ml_per_l = (target_ec - 0.4) / one_part.ec_per_ml
    assert response["target_ec"] == pytest.approx(target_ec, abs=0.005)
    assert response["volume_l"] == 60.0
    assert response["steps"] == [
        {
            "order": 1,
            "fertilizer": "leafy_greens_one_part",
            "name": one_part.name,
            "ml_per_l": pytest.approx(round(ml_per_l, 2), abs=0.011),
            "ml_total": pytest.approx(round(ml_per_l * 60, 1), abs=0.7),
        }
    ]
    assert response["warnings"] == []

    # An own product between library ones; with no recipe doses the EC is shared
    # equally: each adds (1.4 - 0.2) / 2 = 0.6 mS/cm.
    response = await call_action(
        hass,
        "mix_nutrients",
        {
            "tank": tank,
            "target_ec": 1.4,
            "base_ec": 0.2,
            "volume_l": 10,
            "fertilizers": [
                {
                    "name": "Kelp tea",
                    "ec_per_ml": 0.2,
                    "mixing_priority": 55,
                    "kind": "additive",
                },
                {"fertilizer": "hydro_grow_a"},
                {
                    "name": "Drain cleaner",
                    "ec_per_ml": 0,
                    "ml_per_l": 0.2,
                    "kind": "ph_up",
                },
            ],
        },
        response=True,
    )
    grow_a = farm.library.fertilizers["hydro_grow_a"]
    assert [step["fertilizer"] for step in response["steps"]] == [
        "hydro_grow_a",
        "Kelp tea",
        "Drain cleaner",
    ]
    assert response["steps"][0]["ml_per_l"] == round(0.6 / grow_a.ec_per_ml, 2)
    assert response["steps"][1]["ml_per_l"] == round(0.6 / 0.2, 2)
    assert response["steps"][1]["name"] == "Kelp tea"
    assert response["steps"][2]["ml_total"] == round(0.2 * 10, 1)
    assert response["expected_ec"] == 1.4
    # Kelp tea came before the base part: not a problem; no warnings about it.
    assert response["warnings"] == []


async def test_mix_nutrients_refuses_an_own_product_named_like_a_library_one(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An own product may not take a library product's name: it would stand in for it.

    The grower is told which library product the name belongs to; a mix
    with the own product under another name is planned as usual.
    """
    tank = device_of(hass, TANK_ID)
    own = {"name": "calmag", "ec_per_ml": 0.1, "ml_per_l": 1, "kind": "calmag"}
    library = [{"fertilizer": "calmag", "ml_per_l": 1}, {"fertilizer": "hydro_grow_a"}]
    ph_down = {**own, "name": "PH down (phosphoric ACID)", "kind": "ph_down"}
    for fertilizers, name, key, library_name in (
        # Beside the library product it is named like, and in its place.
        ([*library, own], "calmag", "calmag", "CalMag"),
        ([own, {"fertilizer": "hydro_grow_a"}], "calmag", "calmag", "CalMag"),
        # The library product's name, written otherwise.
        ([{**own, "name": " CalMag "}, *library], "CalMag", "calmag", "CalMag"),
        (
            [*library, ph_down],
            ph_down["name"],
            "ph_down_phosphoric",
            "pH down (phosphoric acid)",
        ),
    ):
        placeholders = await _refused(
            hass,
            "mix_nutrients",
            {"tank": tank, "target_ec": 1.6, "fertilizers": fertilizers},
            "own_fertilizer_in_library",
            response=True,
        )
        assert placeholders["name"] == name
        assert placeholders["fertilizer"] == key
        assert placeholders["library_name"] == library_name
    # Under its own name it is a product of its own, dosed beside the library's.
    response = await call_action(
        hass,
        "mix_nutrients",
        {
            "tank": tank,
            "target_ec": 1.6,
            "volume_l": 10,
            "fertilizers": [
                *library,
                {"name": "My CalMag", "ec_per_ml": 0.1, "kind": "additive"},
            ],
        },
        response=True,
    )
    names = {step["fertilizer"]: step["name"] for step in response["steps"]}
    assert names == {
        "calmag": "CalMag",
        "My CalMag": "My CalMag",
        "hydro_grow_a": "Hydro grow A",
    }


async def test_mix_nutrients_own_product_caps(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An own product may go to twice its recipe dose, or to the cap it is given."""
    tank = device_of(hass, TANK_ID)
    brew = {"name": "Home brew", "ec_per_ml": 0.1, "ml_per_l": 4}
    # 1.0 over tap 0.4 needs 0.6 / 0.1 = 6 ml/L: above the default 5 ml/L,
    # within 2 x 4 = 8 ml/L.
    response = await call_action(
        hass,
        "mix_nutrients",
        {"tank": tank, "target_ec": 1.0, "volume_l": 10, "fertilizers": [brew]},
        response=True,
    )
    assert response["steps"] == [
        {
            "order": 1,
            "fertilizer": "Home brew",
            "name": "Home brew",
            "ml_per_l": 6.0,
            "ml_total": 60.0,
        }
    ]
    assert response["expected_ec"] == 1.0
    assert response["warnings"] == []
    # Beyond 8 ml/L: at most 0.4 + 8 x 0.1 = 1.2.
    placeholders = await _refused(
        hass,
        "mix_nutrients",
        {"tank": tank, "target_ec": 1.3, "fertilizers": [brew]},
        "ec_unreachable",
        response=True,
    )
    assert placeholders["max_ec"] == "1.2"
    # A cap the grower gives is kept: 5.5 ml/L reaches 0.4 + 0.55 = 0.95 at most.
    placeholders = await _refused(
        hass,
        "mix_nutrients",
        {
            "tank": tank,
            "target_ec": 1.0,
            "fertilizers": [{**brew, "max_ml_per_l": 5.5}],
        },
        "ec_unreachable",
        response=True,
    )
    assert placeholders["max_ec"] == "0.95"
    # Two products share 1.5 - 0.4 = 1.1 equally: 5.5 ml/L each; the one capped
    # at 5 ml/L stays there and the other takes the rest, 0.6 / 0.1 = 6 ml/L.
    response = await call_action(
        hass,
        "mix_nutrients",
        {
            "tank": tank,
            "target_ec": 1.5,
            "volume_l": 10,
            "fertilizers": [
                {**brew, "name": "Capped brew", "max_ml_per_l": 5},
                brew,
            ],
        },
        response=True,
    )
    assert [(step["fertilizer"], step["ml_per_l"]) for step in response["steps"]] == [
        ("Capped brew", 5.0),
        ("Home brew", 6.0),
    ]
    assert response["expected_ec"] == 1.5
    assert response["warnings"] == [
        {"code": "dose_capped", "fertilizer": "Capped brew", "other": None}
    ]
    # A cap is a positive dose within the form's bounds.
    for cap in (0, -1, 51):
        with pytest.raises(probatio.Invalid):
            await call_action(
                hass,
                "mix_nutrients",
                {
                    "tank": tank,
                    "target_ec": 1.0,
                    "fertilizers": [{**brew, "max_ml_per_l": cap}],
                },
                response=True,
            )


async def test_mix_nutrients_refusal_names_figures_as_measured(
    hass: HomeAssistant,
) -> None:
    """A target worked out by the engines is named at its precision, not its noise.

    Germinating basil's EC window gives a midpoint of 0.44999999999999996.
    """
    entry = farm_with(
        hass,
        "Basement",
        [
            subentry(TANK_ID, "tank", TANK_DATA),
            subentry(RACK_ID, "rack", RACK_DATA),
            subentry(PLANT_ID, "plant", {**BASIL_DATA, "phase": "germination"}),
        ],
    )
    hass.config_entries.async_update_entry(entry, data={**entry.data, "tap_ec": 0.5})
    await set_up(hass, entry)
    target = entry.runtime_data.farm.views.tank(TANK_ID).target_ec
    assert target is not None
    assert str(target) != str(round(target, 2))  # the engines' figure has noise
    with pytest.raises(ServiceValidationError) as refused:
        await call_action(
            hass,
            "mix_nutrients",
            {
                "tank": device_of(hass, TANK_ID),
                "fertilizers": [{"fertilizer": "leafy_greens_one_part", "ml_per_l": 2}],
            },
            response=True,
        )
    assert refused.value.translation_key == "ec_target_not_above_base"
    assert refused.value.translation_placeholders == {
        "target_ec": str(round(target, 2)),
        "base_ec": "0.5",
    }


async def test_mix_nutrients_refusals(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Unreachable targets, unknown or repeated products and missing data are named."""
    tank = device_of(hass, TANK_ID)
    library = loaded_farm.runtime_data.farm.library.fertilizers
    refusals: list[tuple[dict[str, Any], str, dict[str, str] | None]] = [
        # no recipe on the tank and none given
        ({"target_ec": 1.5}, "no_fertilizers", {"tank": "Tank A"}),
        ({"target_ec": 1.5, "fertilizers": []}, "no_fertilizers", {"tank": "Tank A"}),
        (
            {"target_ec": 0.3, "fertilizers": [{"fertilizer": "calmag"}]},
            "ec_target_not_above_base",
            {"target_ec": "0.3", "base_ec": "0.4"},
        ),
        (
            {"target_ec": 2.0, "fertilizers": [{"fertilizer": "seaweed_extract"}]},
            "ec_unreachable",
            {
                "target_ec": "2.0",
                "base_ec": "0.4",
                # at most 2 ml/L x 0.1 mS/cm per ml on top of 0.4
                "max_ec": str(
                    round(
                        0.4
                        + library["seaweed_extract"].max_ml_per_l
                        * library["seaweed_extract"].ec_per_ml,
                        2,
                    )
                ),
            },
        ),
        (
            {
                "target_ec": 1.5,
                "fertilizers": [
                    {"fertilizer": "hydro_grow_a", "ml_per_l": 2},
                    {"fertilizer": "hydro_grow_b"},
                ],
            },
            "recipe_incomplete",
            {"fertilizer": "hydro_grow_b"},
        ),
        (
            {
                "target_ec": 1.5,
                "fertilizers": [{"fertilizer": "calmag"}, {"fertilizer": "calmag"}],
            },
            "duplicate_fertilizer",
            {"fertilizer": "calmag"},
        ),
        (
            {"target_ec": 1.5, "fertilizers": [{"fertilizer": "unobtainium"}]},
            "unknown_fertilizer",
            {"fertilizer": "unobtainium"},
        ),
    ]
    for data, key, expected in refusals:
        placeholders = await _refused(
            hass, "mix_nutrients", {"tank": tank, **data}, key, response=True
        )
        assert placeholders == expected, key

    # A tank no plant draws from has no target to default to.
    await _add_empty_tank(hass, loaded_farm)
    empty = device_of(hass, "01TANKEMPTY000000000000000")
    placeholders = await _refused(
        hass, "mix_nutrients", {"tank": empty}, "target_ec_unknown", response=True
    )
    assert placeholders == {"tank": "Spare tank"}
    with pytest.raises(probatio.Invalid):
        await call_action(
            hass,
            "mix_nutrients",
            {"tank": tank, "fertilizers": [{"ml_per_l": 1}]},
            response=True,
        )


async def _add_empty_tank(hass: HomeAssistant, entry: MockConfigEntry) -> None:
    hass.config_entries.async_add_subentry(
        entry,
        ConfigSubentry(
            data=MappingProxyType(
                {**TANK_DATA, "name": "Spare tank", "ec_sensor": None}
            ),
            subentry_id="01TANKEMPTY000000000000000",
            subentry_type="tank",
            title="Spare tank",
            unique_id=None,
        ),
    )
    await hass.async_block_till_done()


# --- add_plants ---------------------------------------------------------------


async def test_add_plants(hass: HomeAssistant, loaded_farm: MockConfigEntry) -> None:
    """A tray on a rack shelf gets its device and entities before the call returns."""
    farm = loaded_farm.runtime_data.farm
    response = await call_action(
        hass,
        "add_plants",
        {
            "rack": device_of(hass, RACK_ID),
            "species": "basil",
            "quantity": 6,
            "shelf": 3,
        },
        response=True,
    )
    assert response["name"] == "Basil"
    device = dr.async_get(hass).async_get(response["plant"])
    assert device is not None
    assert device.name == "Basil"
    assert device.model == "Basil"
    (plant_id,) = (value for domain, value in device.identifiers if domain == DOMAIN)
    plant = farm.config.plants[plant_id]
    assert (plant.rack, plant.shelf, plant.quantity) == (RACK_ID, 3, 6)
    assert plant.planted == dt_util.now().date()
    assert _state(hass, plant_id, "phase").state == "germination"

    # The name is made unique; a standalone pot needs no rack when there is one farm.
    response = await call_action(
        hass,
        "add_plants",
        {
            "species": "basil",
            "quantity": 1,
            "phase": "seedling",
            "planted": "2026-10-20",
        },
        response=True,
    )
    assert response["name"] == "Basil 2"
    (second_id,) = (
        value
        for domain, value in dr.async_get(hass).async_get(response["plant"]).identifiers
        if domain == DOMAIN
    )
    second = farm.config.plants[second_id]
    assert second.rack is None
    assert second.planted == date(2026, 10, 20)
    assert _state(hass, second_id, "phase").state == "seedling"

    # Given a name, on the named farm, without asking for the answer.
    await call_action(
        hass,
        "add_plants",
        {
            "species": "mint",
            "quantity": 1,
            "name": "Kitchen mint",
            "farm": loaded_farm.entry_id,
            "planted": dt_util.now(),
        },
    )
    assert "Kitchen mint" in {plant.name for plant in farm.config.plants.values()}


async def test_add_plants_refusals(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The plant form's rules apply; a refused call adds nothing."""
    rack = device_of(hass, RACK_ID)
    subentries = len(loaded_farm.subentries)
    tomorrow = (dt_util.now().date() + timedelta(days=1)).isoformat()
    cases: list[tuple[dict[str, Any], str, dict[str, str]]] = [
        ({"species": "triffid"}, "plant_unknown_species", {"species": "triffid"}),
        (
            {"species": "basil", "rack": rack, "shelf": 5},
            "plant_shelf_out_of_range",
            {"shelf": "5", "shelves": "4", "rack": "Rack one"},
        ),
        ({"species": "basil", "shelf": 1}, "plant_shelf_without_rack", {"shelf": "1"}),
        (
            {"species": "basil", "planted": tomorrow},
            "plant_planted_in_future",
            {"planted": tomorrow},
        ),
        (
            {"species": "basil", "phase": "fruiting"},
            "plant_phase_not_in_sequence",
            {"species": "basil", "phase": "fruiting"},
        ),
        (
            {"species": "basil", "name": "basil TRAY"},
            "plant_name_exists",
            {"name": "basil TRAY"},
        ),
        ({"species": "basil", "name": "!!!"}, "plant_name_invalid", {"name": "!!!"}),
        (
            {"species": "basil", "farm": "01NOTAFARM"},
            "unknown_farm",
            {"farm": "01NOTAFARM"},
        ),
    ]
    for data, key, expected in cases:
        placeholders = await _refused(
            hass, "add_plants", {"quantity": 1, **data}, key, response=True
        )
        assert expected.items() <= placeholders.items(), (key, placeholders)
    assert len(loaded_farm.subentries) == subentries
    with pytest.raises(probatio.Invalid):
        await call_action(hass, "add_plants", {"species": "basil", "quantity": 0})
    placeholders = await _refused(
        hass,
        "add_plants",
        {"species": "basil", "quantity": 2.5},
        "whole_number_required",
        response=True,
    )
    assert placeholders == {"field": "quantity", "value": "2.5"}


async def test_add_plants_with_two_farms(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, second_farm: MockConfigEntry
) -> None:
    """With two farms a pot needs its farm; a rack of one farm cannot go to the other."""
    placeholders = await _refused(
        hass, "add_plants", {"species": "mint", "quantity": 1}, "farm_required"
    )
    assert placeholders == {"farms": "Attic, Basement"}
    placeholders = await _refused(
        hass,
        "add_plants",
        {
            "species": "mint",
            "quantity": 1,
            "rack": device_of(hass, RACK_ID),
            "farm": second_farm.entry_id,
        },
        "devices_of_different_farms",
    )
    assert placeholders == {"farms": "Basement, Attic"}
    response = await call_action(
        hass,
        "add_plants",
        {
            "species": "mint",
            "quantity": 1,
            "rack": device_of(hass, OTHER_RACK_ID),
            "farm": second_farm.entry_id,
        },
        response=True,
    )
    assert response["name"] == "Mint"
    assert dr.async_get(hass).async_get(response["plant"]).config_entry_id == (
        second_farm.entry_id
    )
    assert await hass.config_entries.async_unload(second_farm.entry_id)
    placeholders = await _refused(
        hass,
        "add_plants",
        {"species": "mint", "quantity": 1, "farm": second_farm.entry_id},
        "farm_not_loaded",
    )
    assert placeholders == {"farm": "Attic"}
    assert await hass.config_entries.async_unload(loaded_farm.entry_id)
    await _refused(
        hass, "add_plants", {"species": "mint", "quantity": 1}, "no_farm_loaded"
    )


# --- get_overview -------------------------------------------------------------


async def test_get_overview(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, second_farm: MockConfigEntry
) -> None:
    """Every farm with its racks, tanks, plants and the care due, as JSON values."""
    farm = loaded_farm.runtime_data.farm
    await call_action(
        hass,
        "apply_treatment",
        {"plants": [device_of(hass, PLANT_ID)], "product": "spinosad"},
        response=True,
    )
    response = await call_action(hass, "get_overview", {}, response=True)
    json.dumps(response)
    assert [item["name"] for item in response["farms"]] == ["Basement", "Attic"]
    overview = response["farms"][0]
    assert overview["id"] == loaded_farm.entry_id
    (rack,) = overview["racks"]
    view = farm.views.rack(RACK_ID)
    assert rack == {
        "device_id": device_of(hass, RACK_ID),
        "name": "Rack one",
        "shelves": 4,
        "tank": "Tank A",
        "photoperiod_h": view.photoperiod_h,
        "lights_on": "06:00:00",
        "lights_off": view.lights_off.isoformat(),
        "light_schedule": False,
        "irrigation_schedule": False,
        "next_light_change": None,
        "next_irrigation": None,
        "dli": None,
        "climate_problems": [],
        "conflict": False,
    }
    (tank,) = overview["tanks"]
    assert tank["device_id"] == device_of(hass, TANK_ID)
    assert tank["target_ec"] == pytest.approx(
        float(_state(hass, TANK_ID, "target_ec").state), abs=0.005
    )
    assert tank["ec"] is None
    assert tank["days_until_empty"] is None
    # what is wrong with the tank, in the codes the voice answers use
    assert tank["problems"] == [str(item) for item in farm.views.tank(TANK_ID).problems]
    # the farm started today: the first chore due is the water change, 14 days on
    assert tank["next_maintenance"]["task"] == "change_water"
    assert datetime.fromisoformat(tank["next_maintenance"]["due"]) == (
        dt_util.now() + timedelta(days=14)
    )
    plants = {item["name"]: item for item in overview["plants"]}
    basil = plants["Basil tray"]
    assert basil["device_id"] == device_of(hass, PLANT_ID)
    assert (basil["species"], basil["rack"], basil["shelf"], basil["phase"]) == (
        "basil",
        "Rack one",
        2,
        "seedling",
    )
    assert basil["days_in_phase"] == 2  # sown 2026-11-01, today 2026-11-03
    assert basil["harvest_blocked"] is True
    assert basil["safe_harvest_date"] == (
        (dt_util.now() + timedelta(days=3)).date().isoformat()
    )
    assert basil["blocking_products"] == ["spinosad"]
    assert basil["expected_harvest"] == _state(hass, PLANT_ID, "expected_harvest").state
    assert plants["Monstera"]["rack"] is None
    assert plants["Monstera"]["harvest_blocked"] is False
    assert plants["Monstera"]["safe_harvest_date"] is None
    expected_care = [
        item for item in farm.care.items() if item.urgency.value != "later"
    ]
    assert [item["task_id"] for item in overview["care"]] == [
        item.task_id for item in expected_care
    ]
    assert all(
        item["plant"] in {device_of(hass, PLANT_ID), device_of(hass, POT_ID)}
        for item in overview["care"]
    )
    assert overview["tasks_due"] == int(
        _state(hass, loaded_farm.entry_id, "tasks_due").state
    )
    assert overview["tasks_overdue"] == int(
        _state(hass, loaded_farm.entry_id, "tasks_overdue").state
    )

    # One farm by id; unknown and unloaded farms are named.
    response = await call_action(
        hass, "get_overview", {"farm": second_farm.entry_id}, response=True
    )
    assert [item["name"] for item in response["farms"]] == ["Attic"]
    assert response["farms"][0]["plants"][0]["phase"] == "germination"
    await _refused(
        hass, "get_overview", {"farm": "01NOFARM"}, "unknown_farm", response=True
    )
    assert await hass.config_entries.async_unload(second_farm.entry_id)
    assert second_farm.state is ConfigEntryState.NOT_LOADED
    await _refused(
        hass,
        "get_overview",
        {"farm": second_farm.entry_id},
        "farm_not_loaded",
        response=True,
    )
    response = await call_action(hass, "get_overview", {}, response=True)
    assert [item["name"] for item in response["farms"]] == ["Basement"]


async def test_overview_names_a_tanks_problems_like_the_assistant(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Warm water and a high EC: the overview says both, in the assistant's words.

    One definition of what is wrong with a tank: the overview, the voice
    answers and the assistant tools list the same codes.
    """
    hass.states.async_set("sensor.tank_a_ec", "1.8", {"unit_of_measurement": "mS/cm"})
    hass.states.async_set("sensor.tank_a_ph", "6.0")
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "28", {"unit_of_measurement": "°C"}
    )
    await hass.async_block_till_done()
    farm = loaded_farm.runtime_data.farm
    response = await call_action(hass, "get_overview", {}, response=True)
    (tank,) = response["farms"][0]["tanks"]
    assert tank["problems"] == ["ec_high", "water_too_warm"]
    assert tank["problems"] == tank_status(farm, TANK_ID)["problems"]
    # the binary sensor shows the EC problem; no sensor stands for the water
    assert _state(hass, TANK_ID, "ec_problem", "binary_sensor").state == "on"


async def test_overview_with_linked_hardware(
    hass: HomeAssistant, farm_entry: MockConfigEntry
) -> None:
    """A rack with light and pump shows its next changes; probes fill the tank."""
    rack = farm_entry.subentries[RACK_ID]
    hass.config_entries.async_update_subentry(
        farm_entry,
        rack,
        data={
            **rack.data,
            "light_entity": "light.rack_one",
            "pump_entity": "switch.pump",
        },
    )
    hass.states.async_set("sensor.tank_a_ec", "1.2")
    hass.states.async_set("sensor.tank_a_level", "30", {"unit_of_measurement": "L"})
    hass.states.async_set("light.rack_one", "off")
    hass.states.async_set("switch.pump", "off")
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    # Schedules off: nothing is coming.
    response = await call_action(hass, "get_overview", {}, response=True)
    (rack_overview,) = response["farms"][0]["racks"]
    assert rack_overview["next_light_change"] is None
    assert rack_overview["next_irrigation"] is None
    farm = farm_entry.runtime_data.farm
    await farm.async_set_schedule(RACK_ID, "light_schedule", True)
    await farm.async_set_schedule(RACK_ID, "irrigation_schedule", True)
    await hass.async_block_till_done()
    response = await call_action(hass, "get_overview", {}, response=True)
    (overview,) = response["farms"]
    (rack_overview,) = overview["racks"]
    view = farm.views.rack(RACK_ID)
    assert view.next_light_change is not None
    assert view.next_irrigation is not None
    assert rack_overview["next_light_change"] == view.next_light_change.isoformat()
    assert rack_overview["next_irrigation"] == view.next_irrigation.isoformat()
    (tank,) = overview["tanks"]
    assert tank["ec"] == 1.2
    tank_view = farm_entry.runtime_data.farm.views.tank(TANK_ID)
    assert tank["ec_deviation_percent"] == round(tank_view.ec_deviation.percent, 1)
