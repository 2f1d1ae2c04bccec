"""The farm core under a grower's real conditions.

Units other than the metric ones, declared phases, links to entities that do
not exist, times that must never lie in the past, measured tank values, care
task ids of any form and derived state on disk at stop.
"""

import asyncio
from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.const import (
    EVENT_HOMEASSISTANT_FINAL_WRITE,
    EVENT_HOMEASSISTANT_STOP,
    STATE_UNAVAILABLE,
)
from homeassistant.core import CoreState, HomeAssistant
from homeassistant.helpers import entity_registry as er, issue_registry as ir
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN, STORAGE_KEY

from .conftest import (
    BASIL_DATA,
    FARM_DATA,
    MONSTERA_DATA,
    PLANT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    subentry,
)


def _entity_id(
    hass: HomeAssistant, subject_id: str, key: str, platform: str = "sensor"
) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{subject_id}_{key}"
    )
    assert entity_id is not None, f"{platform} {key} of {subject_id}"
    return entity_id


def _state(
    hass: HomeAssistant, subject_id: str, key: str, platform: str = "sensor"
) -> Any:
    state = hass.states.get(_entity_id(hass, subject_id, key, platform))
    assert state is not None
    return state


async def _setup(hass: HomeAssistant, *subentries: Any) -> MockConfigEntry:
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Basement",
        unique_id="basement",
        data=FARM_DATA,
        subentries_data=list(subentries),
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


# --- 1. Units ----------------------------------------------------------------


async def test_fahrenheit_rack_temperature_is_read_as_celsius(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """71.6 F is 22 C: within basil's 18-30 C, and 22 C goes into the GDD day."""
    hass.states.async_set(
        "sensor.rack_one_humidity", "55", {"unit_of_measurement": "%"}
    )
    hass.states.async_set(
        "sensor.rack_one_temperature", "71.6", {"unit_of_measurement": "°F"}
    )
    await hass.async_block_till_done()
    assert _state(hass, RACK_ID, "climate_problem", "binary_sensor").state == "off"
    today = loaded_farm.runtime_data.store.state(RACK_ID)["today"]
    assert today[1] == pytest.approx(22.0)
    assert today[2] == pytest.approx(22.0)
    # Kelvin too: 308.15 K is 35 C, too warm for basil.
    hass.states.async_set(
        "sensor.rack_one_temperature", "308.15", {"unit_of_measurement": "K"}
    )
    await hass.async_block_till_done()
    problem = _state(hass, RACK_ID, "climate_problem", "binary_sensor")
    assert problem.state == "on"


async def test_tank_probes_in_other_units_are_converted(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """1400 uS/cm at 77 F is 1.4 mS/cm at 25 C; 5 gal is 18.9 L."""
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "77", {"unit_of_measurement": "°F"}
    )
    hass.states.async_set("sensor.tank_a_ec", "1400", {"unit_of_measurement": "µS/cm"})
    hass.states.async_set("sensor.tank_a_ph", "6.0")
    hass.states.async_set("sensor.tank_a_level", "5", {"unit_of_measurement": "gal"})
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "ec").state) == pytest.approx(1.4)
    assert float(_state(hass, TANK_ID, "water_temperature").state) == pytest.approx(
        25.0
    )
    assert float(_state(hass, TANK_ID, "ph").state) == pytest.approx(6.0)
    assert float(_state(hass, TANK_ID, "level").state) == pytest.approx(18.93, abs=0.01)
    view = loaded_farm.runtime_data.farm.views.tank(TANK_ID)
    assert view.ec == pytest.approx(1.4)
    # A TDS meter in ppm on the 500 scale: 700 ppm is 1.4 mS/cm.
    hass.states.async_set(
        "sensor.tank_a_ec", "700", {"unit_of_measurement": "ppm", "ppm_scale": 500}
    )
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "ec").state) == pytest.approx(1.4)


async def test_unconvertible_unit_is_a_repair_not_a_number(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A ppm reading without a declared scale is no EC: a repair names the sensor."""
    issues = ir.async_get(hass)
    issue_id = f"unit_{loaded_farm.entry_id}_sensor.tank_a_ec"
    hass.states.async_set("sensor.tank_a_ec", "900", {"unit_of_measurement": "ppm"})
    await hass.async_block_till_done()
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["entity"] == "sensor.tank_a_ec"
    assert issue.translation_placeholders["unit"] == "ppm"
    assert issue.translation_placeholders["quantity"] == "EC (conductivity)"
    assert _state(hass, TANK_ID, "ec").state == STATE_UNAVAILABLE
    assert loaded_farm.runtime_data.farm.views.tank(TANK_ID).ec is None
    hass.states.async_set("sensor.tank_a_ec", "1.2", {"unit_of_measurement": "mS/cm"})
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert float(_state(hass, TANK_ID, "ec").state) == pytest.approx(1.2)
    # A temperature in an unknown unit is not taken as Celsius either.
    hass.states.async_set(
        "sensor.rack_one_temperature", "300", {"unit_of_measurement": "°R"}
    )
    await hass.async_block_till_done()
    issue = issues.async_get_issue(
        DOMAIN, f"unit_{loaded_farm.entry_id}_sensor.rack_one_temperature"
    )
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["quantity"] == "air temperature"
    assert "today" not in loaded_farm.runtime_data.store.state(RACK_ID)
    # The tank's probes: water temperature and level.
    for entity_id, quantity in (
        ("sensor.tank_a_water_temperature", "water temperature"),
        ("sensor.tank_a_level", "level"),
    ):
        hass.states.async_set(entity_id, "3", {"unit_of_measurement": "furlong"})
        await hass.async_block_till_done()
        issue = issues.async_get_issue(
            DOMAIN, f"unit_{loaded_farm.entry_id}_{entity_id}"
        )
        assert issue is not None
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["quantity"] == quantity


async def test_notices_raised_before_a_reload_are_judged_again(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Put right while the farm was unloaded, a problem's notice goes at setup.

    Repair notices outlive the farm that raised them. The farm set up next
    judges each again: one whose problem is gone goes, one that lasts stays
    with today's names, and one about a sensor no longer linked goes too.
    """
    issues = ir.async_get(hass)
    entry_id = loaded_farm.entry_id
    ec_unit = f"unit_{entry_id}_sensor.tank_a_ec"
    temperature_unit = f"unit_{entry_id}_sensor.rack_one_temperature"
    ppfd_missing = f"missing_entity_{entry_id}_sensor.rack_one_ppfd"
    hass.states.async_set("sensor.tank_a_ec", "900", {"unit_of_measurement": "ppm"})
    hass.states.async_set(
        "sensor.rack_one_temperature", "300", {"unit_of_measurement": "°R"}
    )
    await hass.async_block_till_done()
    for issue_id in (ec_unit, temperature_unit, ppfd_missing):
        assert issues.async_get_issue(DOMAIN, issue_id) is not None, issue_id
    assert await hass.config_entries.async_unload(entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, ec_unit) is not None

    hass.states.async_set("sensor.tank_a_ec", "1.2", {"unit_of_measurement": "mS/cm"})
    rack = {key: value for key, value in RACK_DATA.items() if key != "light_sensor"}
    hass.config_entries.async_update_subentry(
        loaded_farm,
        loaded_farm.subentries[RACK_ID],
        data={**rack, "name": "Rack uno"},
    )
    assert await hass.config_entries.async_setup(entry_id)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, ec_unit) is None
    assert float(_state(hass, TANK_ID, "ec").state) == pytest.approx(1.2)
    assert issues.async_get_issue(DOMAIN, ppfd_missing) is None, "no longer linked"
    lasting = issues.async_get_issue(DOMAIN, temperature_unit)
    assert lasting is not None
    assert lasting.translation_placeholders is not None
    assert lasting.translation_placeholders["name"] == "Rack uno"


async def test_measured_values_follow_the_users_unit_system(
    hass: HomeAssistant, farm_entry: MockConfigEntry
) -> None:
    """A US user sees the tank's water temperature in F and its level in gal."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    assert await hass.config_entries.async_setup(farm_entry.entry_id)
    await hass.async_block_till_done()
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "20", {"unit_of_measurement": "°C"}
    )
    hass.states.async_set("sensor.tank_a_level", "37.85", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    temperature = _state(hass, TANK_ID, "water_temperature")
    assert temperature.attributes["unit_of_measurement"] == "°F"
    assert float(temperature.state) == pytest.approx(68.0)
    level = _state(hass, TANK_ID, "level")
    assert level.attributes["unit_of_measurement"] == "gal"
    assert float(level.state) == pytest.approx(10.0, abs=0.01)


# --- 2. A declared phase stands ------------------------------------------------


async def test_declared_phase_stands_whatever_the_planting_date(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Basil declared vegetative, planted in January, is vegetative today."""
    old = {**BASIL_DATA, "planted": "2026-01-10", "phase": "vegetative"}
    entry = await _setup(hass, subentry(PLANT_ID, "plant", old))
    assert _state(hass, PLANT_ID, "phase").state == "vegetative"
    assert _state(hass, PLANT_ID, "days_in_phase").state == "0"
    # Counting starts today: after a midnight it is one day in, still vegetative.
    midnight = dt_util.start_of_local_day() + timedelta(days=1)
    freezer.move_to(midnight)
    async_fire_time_changed(hass, midnight)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, PLANT_ID, "phase").state == "vegetative"
    assert _state(hass, PLANT_ID, "days_in_phase").state == "1"
    # And the start day survives a restart.
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert _state(hass, PLANT_ID, "days_in_phase").state == "1"


async def test_first_phase_catches_up_from_the_planting_date(
    hass: HomeAssistant,
) -> None:
    """Without a declared phase (or with the first one), days since planting count."""
    old = {**BASIL_DATA, "planted": "2026-10-20", "phase": "germination"}
    await _setup(hass, subentry(PLANT_ID, "plant", old))
    assert _state(hass, PLANT_ID, "phase").state != "germination"


# --- 4. Links to lights and pumps that do not exist ----------------------------


async def test_missing_light_and_pump_raise_repairs_and_show_on_the_switch(
    hass: HomeAssistant,
) -> None:
    """A rack driving entities that do not exist says so instead of pretending."""
    rack = {
        **RACK_DATA,
        "tank": None,
        "light_entity": "light.nowhere",
        "pump_entity": "switch.no_pump",
    }
    entry = await _setup(hass, subentry(RACK_ID, "rack", rack))
    issues = ir.async_get(hass)
    for entity_id in ("light.nowhere", "switch.no_pump"):
        issue = issues.async_get_issue(
            DOMAIN, f"missing_entity_{entry.entry_id}_{entity_id}"
        )
        assert issue is not None, entity_id
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["name"] == "Rack one"
    light_switch = _state(hass, RACK_ID, "light_schedule", "switch")
    assert light_switch.attributes["missing_entity"] == "light.nowhere"
    pump_switch = _state(hass, RACK_ID, "irrigation_schedule", "switch")
    assert pump_switch.attributes["missing_entity"] == "switch.no_pump"
    # The light appears: its notice and the attribute go.
    hass.states.async_set("light.nowhere", "off")
    await hass.async_block_till_done()
    assert (
        issues.async_get_issue(DOMAIN, f"missing_entity_{entry.entry_id}_light.nowhere")
        is None
    )
    light_switch = _state(hass, RACK_ID, "light_schedule", "switch")
    assert "missing_entity" not in light_switch.attributes
    # And disappears again.
    hass.states.async_remove("light.nowhere")
    await hass.async_block_till_done()
    assert (
        issues.async_get_issue(DOMAIN, f"missing_entity_{entry.entry_id}_light.nowhere")
        is not None
    )
    light_switch = _state(hass, RACK_ID, "light_schedule", "switch")
    assert light_switch.attributes["missing_entity"] == "light.nowhere"


async def test_a_disabled_light_or_pump_is_as_good_as_missing(
    hass: HomeAssistant,
) -> None:
    """Disabled by the user, a linked light or pump has no state and never will.

    It is known to Home Assistant, but nothing drives it: the rack says so as
    for one that does not exist, and stops saying so once it is back.
    """
    registry = er.async_get(hass)
    light = registry.async_get_or_create(
        "light",
        "demo",
        "grow_light",
        suggested_object_id="grow_light",
        disabled_by=er.RegistryEntryDisabler.USER,
    ).entity_id
    pump = registry.async_get_or_create(
        "switch", "demo", "drip_pump", suggested_object_id="drip_pump"
    ).entity_id
    hass.states.async_set(pump, "off")
    rack = {**RACK_DATA, "tank": None, "light_entity": light, "pump_entity": pump}
    entry = await _setup(hass, subentry(RACK_ID, "rack", rack))
    issues = ir.async_get(hass)

    def notice(entity_id: str) -> ir.IssueEntry | None:
        return issues.async_get_issue(
            DOMAIN, f"missing_entity_{entry.entry_id}_{entity_id}"
        )

    assert notice(light) is not None
    assert notice(pump) is None
    light_switch = _state(hass, RACK_ID, "light_schedule", "switch")
    assert light_switch.attributes["missing_entity"] == light
    # The user disables the pump: Home Assistant takes its state away.
    registry.async_update_entity(pump, disabled_by=er.RegistryEntryDisabler.USER)
    hass.states.async_remove(pump)
    await hass.async_block_till_done()
    assert notice(pump) is not None
    pump_switch = _state(hass, RACK_ID, "irrigation_schedule", "switch")
    assert pump_switch.attributes["missing_entity"] == pump
    # Enabled again, the light reports: its notice goes.
    registry.async_update_entity(light, disabled_by=None)
    hass.states.async_set(light, "off")
    await hass.async_block_till_done()
    assert notice(light) is None


# --- 5. Next irrigation and next light change are never in the past ----------


async def test_next_times_never_lie_in_the_past(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Schedules off: unavailable. On: a future instant that moves on by itself."""
    hass.states.async_set("light.rack", "off")
    hass.states.async_set("switch.pump", "off")
    rack = {
        **RACK_DATA,
        "tank": None,
        "light_mode": "fixed",
        "light_entity": "light.rack",
        "pump_entity": "switch.pump",
    }
    entry = await _setup(hass, subentry(RACK_ID, "rack", rack))
    farm = entry.runtime_data.farm
    assert _state(hass, RACK_ID, "next_irrigation").state == STATE_UNAVAILABLE
    assert _state(hass, RACK_ID, "next_light_change").state == STATE_UNAVAILABLE
    await farm.async_set_schedule(RACK_ID, "light_schedule", True)
    await farm.async_set_schedule(RACK_ID, "irrigation_schedule", True)
    await hass.async_block_till_done()
    now = dt_util.utcnow()
    for _ in range(40):  # ten hours in 15-minute steps, across pump cycles
        for key in ("next_irrigation", "next_light_change"):
            value = dt_util.parse_datetime(_state(hass, RACK_ID, key).state)
            assert value is not None, key
            assert value > now, (key, value, now)
        now += timedelta(minutes=15)
        freezer.move_to(now)
        async_fire_time_changed(hass, now)
        await hass.async_block_till_done()


@pytest.mark.parametrize(
    ("rack", "key"),
    [
        # Watered at the top of every hour: 01:00 PDT, then 01:00 PST.
        (
            {"pump_entity": "switch.pump", "pump_on_min": 10, "pump_off_min": 50},
            "next_irrigation",
        ),
        # On at 01:30 PDT for an hour: off at 01:30 PST.
        (
            {
                "light_entity": "light.rack",
                "lights_on": "01:30:00",
                "photoperiod_h": 1.0,
            },
            "next_light_change",
        ),
    ],
)
async def test_next_times_move_on_through_the_repeated_hour(
    hass: HomeAssistant,
    freezer: FrozenDateTimeFactory,
    rack: dict[str, Any],
    key: str,
) -> None:
    """When clocks go back, a next time moves on to the same wall time an hour on."""
    # US/Pacific falls back at 02:00 PDT on 1 November 2026: 01:00-02:00 comes twice.
    now = dt_util.parse_datetime("2026-11-01T00:30:00-07:00")
    assert now is not None
    freezer.move_to(now)
    hass.states.async_set("light.rack", "off")
    hass.states.async_set("switch.pump", "off")
    data = {**RACK_DATA, "tank": None, "light_mode": "fixed", **rack}
    entry = await _setup(hass, subentry(RACK_ID, "rack", data))
    farm = entry.runtime_data.farm
    await farm.async_set_schedule(RACK_ID, "light_schedule", True)
    await farm.async_set_schedule(RACK_ID, "irrigation_schedule", True)
    await hass.async_block_till_done()
    for _ in range(30):  # 00:30 PDT to 01:30 PST in 5-minute steps
        value = dt_util.parse_datetime(_state(hass, RACK_ID, key).state)
        assert value is not None
        assert value > now, (value.isoformat(), now.isoformat())
        now += timedelta(minutes=5)
        freezer.move_to(now)
        async_fire_time_changed(hass, now)
        await hass.async_block_till_done()


async def _rack_watered_hourly(hass: HomeAssistant) -> None:
    """A rack with no tank, watered 10 minutes at the top of every hour, schedule on."""
    hass.states.async_set("switch.pump", "off")
    rack = {
        **RACK_DATA,
        "tank": None,
        "pump_entity": "switch.pump",
        "pump_on_min": 10,
        "pump_off_min": 50,
    }
    entry = await _setup(hass, subentry(RACK_ID, "rack", rack))
    await entry.runtime_data.farm.async_set_schedule(
        RACK_ID, "irrigation_schedule", True
    )
    await hass.async_block_till_done()


async def test_a_reading_as_clocks_go_back_moves_next_irrigation_on(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """A reading recomputing the rack just after 01:00 PDT shows 01:00 PST."""
    freezer.move_to("2026-11-01T00:30:00-07:00")
    await _rack_watered_hourly(hass)
    # The run's own timer has not come yet when the rack's temperature does.
    freezer.move_to("2026-11-01T08:00:01+00:00")
    hass.states.async_set(
        "sensor.rack_one_temperature", "21", {"unit_of_measurement": "°C"}
    )
    await hass.async_block_till_done()
    assert _state(hass, RACK_ID, "next_irrigation").state == (
        "2026-11-01T09:00:00+00:00"
    )


async def test_readings_in_the_repeated_hour_keep_its_run(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Watered at the top of every hour: after 01:00 PDT the next run is 01:00 PST."""
    now = dt_util.parse_datetime("2026-11-01T07:30:00+00:00")  # 00:30 PDT
    assert now is not None
    freezer.move_to(now)
    await _rack_watered_hourly(hass)
    for temperature in range(18, 30):  # a reading every 10 minutes until 02:30 PST
        now += timedelta(minutes=10)
        freezer.move_to(now)
        async_fire_time_changed(hass, now)
        hass.states.async_set(
            "sensor.rack_one_temperature",
            str(temperature),
            {"unit_of_measurement": "°C"},
        )
        await hass.async_block_till_done()
        # Whole-hour offsets: the top of the next hour in UTC is the local one.
        expected = now.replace(minute=0) + timedelta(hours=1)
        shown = dt_util.parse_datetime(_state(hass, RACK_ID, "next_irrigation").state)
        assert shown == expected, (now.isoformat(), shown)


async def test_next_times_of_one_rack_move_on_through_the_repeated_hour(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Lit 00:30 PDT to 01:30 PST: the 01:40 PDT run comes before lights-off."""
    hass.states.async_set("light.rack", "off")
    hass.states.async_set("switch.pump", "off")
    now = dt_util.parse_datetime("2026-11-01T07:00:00+00:00")  # 00:00 PDT
    assert now is not None
    freezer.move_to(now)
    rack = {
        **RACK_DATA,
        "tank": None,
        "light_mode": "fixed",
        "light_entity": "light.rack",
        "lights_on": "00:30:00",
        "photoperiod_h": 2.0,
        "pump_entity": "switch.pump",
        "pump_on_min": 10,
        "pump_off_min": 60,
    }
    entry = await _setup(hass, subentry(RACK_ID, "rack", rack))
    farm = entry.runtime_data.farm
    await farm.async_set_schedule(RACK_ID, "light_schedule", True)
    await hass.async_block_till_done()
    for step in range(36):  # to 01:55 PST in 5-minute steps
        if step == 10:  # 07:50 UTC: watering starts to count
            await farm.async_set_schedule(RACK_ID, "irrigation_schedule", True)
            await hass.async_block_till_done()
        for key in ("next_light_change", "next_irrigation"):
            state = _state(hass, RACK_ID, key)
            if state.state != STATE_UNAVAILABLE:
                value = dt_util.parse_datetime(state.state)
                assert value is not None
                assert value > now, (key, value.isoformat(), now.isoformat())
        now += timedelta(minutes=5)
        freezer.move_to(now)
        async_fire_time_changed(hass, now)
        await hass.async_block_till_done()
    shown = _state(hass, RACK_ID, "next_irrigation").state
    assert shown == "2026-11-02T08:30:00+00:00"  # the next lights-on, 00:30 PST


# --- 9. Care task ids of any form ---------------------------------------------


async def test_care_task_of_a_plant_id_with_underscores_completes(
    hass: HomeAssistant,
) -> None:
    """A plant id is whatever Home Assistant made it; its tasks still work."""
    plant_id = "01PLANT_WITH_UNDERSCORES_A"
    entry = await _setup(hass, subentry(plant_id, "plant", MONSTERA_DATA))
    farm = entry.runtime_data.farm
    items = [item for item in farm.care.items() if item.plant_id == plant_id]
    assert items
    for item in items:
        assert farm.care.parse_task_id(item.task_id) == (plant_id, item.kind)
    water = next(item for item in items if item.kind == "water")
    todo_id = _entity_id(hass, entry.entry_id, "care", "todo")
    await hass.services.async_call(
        "todo",
        "update_item",
        {"item": water.task_id, "status": "completed"},
        target={"entity_id": todo_id},
        blocking=True,
    )
    stored = entry.runtime_data.store.state(plant_id)["care"]["water"]
    assert stored["last_done"] == dt_util.now().date().isoformat()


# --- 11. Derived state reaches the disk at stop --------------------------------


def _rack_day_on_disk(
    hass_storage: dict[str, Any], entry: MockConfigEntry
) -> list[Any] | None:
    """The rack's day [date, lowest, highest, count of readings] as on disk."""
    document = hass_storage.get(f"{STORAGE_KEY}.{entry.entry_id}", {})
    today: list[Any] | None = (
        document.get("data", {}).get("state", {}).get(RACK_ID, {}).get("today")
    )
    return today


async def test_derived_state_is_flushed_at_stop(
    hass: HomeAssistant, hass_storage: dict[str, Any], loaded_farm: MockConfigEntry
) -> None:
    """A reading's day extremes are batched, but written when Home Assistant stops."""
    hass.states.async_set("sensor.rack_one_temperature", "21.5")
    await hass.async_block_till_done()
    assert _rack_day_on_disk(hass_storage, loaded_farm) is None, (
        "batched, not yet written"
    )
    # As Home Assistant stops: the stop stage, then the final write.
    hass.set_state(CoreState.stopping)
    hass.bus.async_fire(EVENT_HOMEASSISTANT_STOP)
    await hass.async_block_till_done()
    hass.bus.async_fire(EVENT_HOMEASSISTANT_FINAL_WRITE)
    await hass.async_block_till_done()
    written = _rack_day_on_disk(hass_storage, loaded_farm)
    assert written is not None
    assert written[1] == 21.5


async def test_derived_state_is_on_disk_within_ten_seconds_while_readings_come(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    loaded_farm: MockConfigEntry,
) -> None:
    """A probe reporting every 5 s does not hold off the batched write.

    The day's extremes are at most 10 s behind on disk: counted from the
    first unsaved change, not from the latest reading.
    """

    def written() -> list[Any] | None:
        return _rack_day_on_disk(hass_storage, loaded_farm)

    hass.states.async_set("sensor.rack_one_temperature", "21.5")
    await hass.async_block_till_done()
    assert written() is None, "batched, not yet written"
    for seconds, value in ((5, "22.0"), (10, "22.5"), (15, "23.0")):
        now = dt_util.utcnow() + timedelta(seconds=5)
        freezer.move_to(now)
        async_fire_time_changed(hass, now)
        await hass.async_block_till_done()
        if seconds >= 10:
            found = written()
            assert found is not None, f"nothing on disk {seconds} s after the change"
            assert found[1] == 21.5
        hass.states.async_set("sensor.rack_one_temperature", value)
        await hass.async_block_till_done()
    # The readings since that write are on disk within another 10 s.
    now = dt_util.utcnow() + timedelta(seconds=11)
    freezer.move_to(now)
    async_fire_time_changed(hass, now)
    await hass.async_block_till_done()
    found = written()
    assert found is not None
    assert found[1:] == [21.5, 23.0, 4]


async def test_a_reading_during_a_write_is_still_on_disk_within_ten_seconds(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    freezer: FrozenDateTimeFactory,
    loaded_farm: MockConfigEntry,
) -> None:
    """A reading that comes while a write waits for the one before it is not lost.

    Two writes overlap when records are made at once (several phase moves at
    midnight); the second waits for the first. A reading meanwhile must still
    reach the disk within the batching window, and so must every later one.
    """
    store = loaded_farm.runtime_data.store

    def written() -> list[Any] | None:
        return _rack_day_on_disk(hass_storage, loaded_farm)

    # The test core's storage never waits: a write under way on a slow disk
    # is the store's write lock held.
    async with store._write_lock:
        waiting = hass.async_create_task(store.async_save_now())
        await asyncio.sleep(0)
        hass.states.async_set("sensor.rack_one_temperature", "21.5")
        for _ in range(5):
            await asyncio.sleep(0)
        assert not waiting.done()
    await waiting
    for value in ("22.0", "23.0"):
        now = dt_util.utcnow() + timedelta(seconds=11)
        freezer.move_to(now)
        async_fire_time_changed(hass, now)
        await hass.async_block_till_done()
        found = written()
        assert found is not None, "the reading never reached the disk"
        assert found[2] == float(hass.states.get("sensor.rack_one_temperature").state)
        hass.states.async_set("sensor.rack_one_temperature", value)
        await hass.async_block_till_done()


@pytest.mark.parametrize(
    "lost",
    [
        {"state": STATE_UNAVAILABLE},
        {"state": "30", "attributes": {"unit_of_measurement": "furlong"}},
        "unlinked",
    ],
)
async def test_a_level_probe_lost_leaves_no_level_behind(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, lost: dict[str, Any] | str
) -> None:
    """A level probe gone dark, in a unit no one can read, or unlinked: no level.

    The last level read stays in the history (for water use), but the tank
    does not show it as today's, and "level low" says it cannot tell.
    """
    alerts = async_capture_events(hass, f"{DOMAIN}_tank_alert")
    hass.states.async_set("sensor.tank_a_level", "30", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "level").state) == 30.0
    assert _state(hass, TANK_ID, "level_low", "binary_sensor").state == "off"
    hass.states.async_set("sensor.tank_a_level", "5", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "level_low", "binary_sensor").state == "on"
    assert [event.data["kind"] for event in alerts] == ["level_low"]
    if lost == "unlinked":
        subentry = loaded_farm.subentries[TANK_ID]
        hass.config_entries.async_update_subentry(
            loaded_farm, subentry, data={**subentry.data, "level_sensor": None}
        )
    else:
        assert isinstance(lost, dict)
        hass.states.async_set(
            "sensor.tank_a_level", lost["state"], lost.get("attributes", {})
        )
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "level").state == STATE_UNAVAILABLE
    assert (
        _state(hass, TANK_ID, "level_low", "binary_sensor").state == STATE_UNAVAILABLE
    )


async def test_tank_measured_values_are_unavailable_without_probes(
    hass: HomeAssistant,
) -> None:
    """A tank without probes has the measured sensors, unavailable."""
    tank = {
        **TANK_DATA,
        "ec_sensor": None,
        "ph_sensor": None,
        "temperature_sensor": None,
        "level_sensor": None,
    }
    await _setup(hass, subentry(TANK_ID, "tank", tank))
    for key in ("ec", "ph", "water_temperature", "level"):
        assert _state(hass, TANK_ID, key).state == STATE_UNAVAILABLE, key
