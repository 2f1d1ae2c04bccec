"""The live farm's entities: the full set, push updates, phases, records, restarts."""

from datetime import timedelta
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.const import STATE_UNAVAILABLE
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import device_registry as dr, entity_registry as er
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)
from syrupy.assertion import SnapshotAssertion

from custom_components.vertical_farm.const import DOMAIN, EVENT_CARE_DUE, STORAGE_KEY
from custom_components.vertical_farm.entity import FarmEntity, FarmEntityDescription

from .conftest import (
    FARM_DATA,
    PLANT_ID,
    POT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_ID,
    async_start_again_after_a_crash,
    call_action,
    device_of,
    disk_now,
    farm_of,
    subentry,
)

SPEC_KEYS = {
    "farm": {
        ("todo", "care"),
        ("calendar", "calendar"),
        ("sensor", "tasks_due"),
        ("sensor", "tasks_overdue"),
        ("binary_sensor", "planner_connected"),
    },
    "rack": {
        ("switch", "light_schedule"),
        ("switch", "irrigation_schedule"),
        ("time", "lights_on"),
        ("time", "lights_off"),
        ("sensor", "photoperiod"),
        ("sensor", "dli"),
        ("sensor", "next_light_change"),
        ("sensor", "next_irrigation"),
        ("binary_sensor", "climate_problem"),
        ("binary_sensor", "conflict"),
    },
    "tank": {
        ("sensor", "target_ec"),
        ("sensor", "ec_deviation"),
        ("sensor", "ph_deviation"),
        ("sensor", "solution_age"),
        ("sensor", "water_use"),
        ("sensor", "days_until_empty"),
        ("sensor", "next_maintenance"),
        ("number", "target_ph"),
        ("binary_sensor", "ec_problem"),
        ("binary_sensor", "ph_problem"),
        ("binary_sensor", "level_low"),
        ("binary_sensor", "maintenance_due"),
        ("binary_sensor", "probe_stale"),
        ("binary_sensor", "conflict"),
        ("button", "log_water_change"),
    },
    "plant": {
        ("sensor", "phase"),
        ("sensor", "days_in_phase"),
        ("sensor", "age"),
        ("sensor", "gdd"),
        ("sensor", "expected_harvest"),
        ("sensor", "next_watering"),
        ("select", "phase"),
        ("binary_sensor", "harvest_blocked"),
        ("binary_sensor", "needs_attention"),
        ("button", "mark_watered"),
        ("event", "activity"),
    },
}
# Beyond SPEC section 5: what a tank's probes measured, shown on the tank.
MEASURED_KEYS = {
    ("sensor", "ec"),
    ("sensor", "ph"),
    ("sensor", "water_temperature"),
    ("sensor", "level"),
}


def _entities(
    hass: HomeAssistant, entry: MockConfigEntry
) -> dict[tuple[str, str], er.RegistryEntry]:
    return {
        (entity.domain, entity.unique_id): entity
        for entity in er.async_entries_for_config_entry(
            er.async_get(hass), entry.entry_id
        )
    }


def _entity_id(hass: HomeAssistant, subject_id: str, key: str, platform: str) -> str:
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{subject_id}_{key}"
    )
    assert entity_id is not None, (subject_id, key, platform)
    return entity_id


def _state(
    hass: HomeAssistant, subject_id: str, key: str, platform: str = "sensor"
) -> Any:
    state = hass.states.get(_entity_id(hass, subject_id, key, platform))
    assert state is not None
    return state


async def test_every_spec_entity(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Each SPEC entity key exists once per subject, on the subject's subentry and device."""
    entities = _entities(hass, loaded_farm)
    subjects = {
        "farm": [(loaded_farm.entry_id, None)],
        "rack": [(RACK_ID, RACK_ID)],
        "tank": [(TANK_ID, TANK_ID)],
        "plant": [(PLANT_ID, PLANT_ID), (POT_ID, POT_ID)],
    }
    seen = 0
    for kind, items in subjects.items():
        for subject_id, subentry_id in items:
            keys = SPEC_KEYS[kind] | (MEASURED_KEYS if kind == "tank" else set())
            for platform, key in keys:
                entity = entities[(platform, f"{subject_id}_{key}")]
                assert entity.config_subentry_id == subentry_id
                assert entity.translation_key is not None
                assert entity.has_entity_name
                seen += 1
    assert seen == len(entities), "no entity beyond the SPEC and the measured values"


async def test_entity_snapshot(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, snapshot: SnapshotAssertion
) -> None:
    """Pin the whole entity set: ids, classes, units, categories and first states."""
    rows = {}
    for entity in sorted(
        _entities(hass, loaded_farm).values(), key=lambda e: e.entity_id
    ):
        state = hass.states.get(entity.entity_id)
        assert state is not None
        rows[entity.entity_id] = {
            "unique_id": entity.unique_id.replace(loaded_farm.entry_id, "<entry>"),
            "translation_key": entity.translation_key,
            "device_class": entity.device_class or entity.original_device_class,
            "unit": entity.unit_of_measurement,
            "category": entity.entity_category,
            "state_class": state.attributes.get("state_class"),
            "state": state.state,
        }
    assert rows == snapshot


def _set_tank(
    hass: HomeAssistant,
    ec: float | str,
    ph: float | str = 6.0,
    temp: float = 20.0,
    level: float = 50.0,
) -> None:
    hass.states.async_set("sensor.tank_a_ec", str(ec), {"unit_of_measurement": "mS/cm"})
    hass.states.async_set("sensor.tank_a_ph", str(ph))
    hass.states.async_set(
        "sensor.tank_a_water_temperature", str(temp), {"unit_of_measurement": "°C"}
    )
    hass.states.async_set(
        "sensor.tank_a_level", str(level), {"unit_of_measurement": "L"}
    )


async def test_tank_follows_probes(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Probe readings push into deviation, problems and compensation; bad probes never count."""
    farm = loaded_farm.runtime_data.farm
    target = float(_state(hass, TANK_ID, "target_ec").state)
    low, high = (
        farm.views.tank(TANK_ID).targets.ec.low,
        farm.views.tank(TANK_ID).targets.ec.high,
    )
    assert low <= target <= high
    assert _state(hass, TANK_ID, "ec_deviation").state == STATE_UNAVAILABLE

    # At 25 C no compensation: deviation = (ec - target) / target.
    _set_tank(hass, ec=round(target * 1.5, 3), temp=25.0)
    await hass.async_block_till_done()
    deviation = float(_state(hass, TANK_ID, "ec_deviation").state)
    assert deviation == pytest.approx(
        (round(target * 1.5, 3) - target) / target * 100, abs=0.1
    )
    assert _state(hass, TANK_ID, "ec_problem", "binary_sensor").state == "on"

    # At 20 C the probe reads low: EC25 = EC / (1 + 0.02 * (20 - 25)) = EC / 0.9.
    _set_tank(hass, ec=round(target * 0.9, 3), temp=20.0)
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "ec_deviation").state) == pytest.approx(
        0, abs=0.5
    )
    assert _state(hass, TANK_ID, "ec_problem", "binary_sensor").state == "off"

    # A probe out of range is flagged and not used.
    hass.states.async_set("sensor.tank_a_ec", "42")
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "on"
    assert _state(hass, TANK_ID, "ec_deviation").state == STATE_UNAVAILABLE
    assert (
        _state(hass, TANK_ID, "ec_problem", "binary_sensor").state == STATE_UNAVAILABLE
    )

    # pH: target is the middle of the plants' range; 1.0 above is a problem.
    target_ph = float(_state(hass, TANK_ID, "target_ph", "number").state)
    hass.states.async_set("sensor.tank_a_ph", str(target_ph + 1.0))
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "ph_deviation").state) == pytest.approx(1.0)
    assert _state(hass, TANK_ID, "ph_problem", "binary_sensor").state == "on"


async def test_tank_alert_once_per_excursion(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """vertical_farm_tank_alert fires when an excursion starts, not on every reading."""
    events = async_capture_events(hass, f"{DOMAIN}_tank_alert")
    target = loaded_farm.runtime_data.farm.views.tank(TANK_ID).target_ec
    assert target is not None
    for factor in (
        1.0,
        1.4,
        1.45,
        1.5,
        1.18,
        1.22,
    ):  # 1.18 is inside 20 % but above 15 %
        _set_tank(hass, ec=round(target * factor, 3), temp=25.0)
        await hass.async_block_till_done()
    ec_events = [event.data for event in events if event.data["kind"].startswith("ec")]
    assert len(ec_events) == 1
    assert ec_events[0]["kind"] == "ec_high"
    assert ec_events[0]["tank_id"] == TANK_ID
    assert ec_events[0]["name"] == "Tank A"
    assert ec_events[0]["target"] == target
    # Back inside 15 %, then out again: a second excursion.
    for factor in (1.05, 1.5):
        _set_tank(hass, ec=round(target * factor, 3), temp=25.0)
        await hass.async_block_till_done()
    assert len([e for e in events if e.data["kind"] == "ec_high"]) == 2


async def test_tank_alert_names_figures_as_measured(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The alert's reading and target are at the precision of their unit."""
    events = async_capture_events(hass, f"{DOMAIN}_tank_alert")
    target = loaded_farm.runtime_data.farm.views.tank(TANK_ID).target_ec
    assert target is not None
    # 21.37 °C: the reading compensated to 25 °C has many decimals
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "21.37", {"unit_of_measurement": "°C"}
    )
    _set_tank(hass, ec=round(target * 1.6, 3), temp=21.37)
    await hass.async_block_till_done()
    (alert,) = [event.data for event in events if event.data["kind"] == "ec_high"]
    assert alert["value"] == round(alert["value"], 2)
    assert alert["target"] == round(target, 2)
    ec = loaded_farm.runtime_data.farm.views.tank(TANK_ID).ec
    assert ec is not None
    assert ec != round(ec, 2)  # what the event rounds
    assert alert["value"] == round(ec, 2)


async def test_probe_goes_stale_without_reports(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A probe silent for an hour is stale (a timer, no polling); a fresh report clears it."""
    _set_tank(hass, ec=1.5)
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "off"
    freezer.tick(timedelta(minutes=61))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "on"
    _set_tank(hass, ec=1.55)
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "off"


async def test_a_step_change_is_held_back_for_one_reading(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A pH adjusted 7.5 -> 5.8 and EC 0.4 -> 2.2: the probe saying it again confirms.

    Home Assistant reports an unchanged value without changing the state: that
    report is the second reading, as a changed one would be.
    """
    _set_tank(hass, ec=0.4, ph=7.5, temp=25.0)
    await hass.async_block_till_done()
    events = async_capture_events(hass, f"{DOMAIN}_tank_alert")
    _set_tank(hass, ec=2.2, ph=5.8, temp=25.0)
    await hass.async_block_till_done()
    for key in ("ec", "ph"):
        assert _state(hass, TANK_ID, key).state == STATE_UNAVAILABLE, "held back"
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "on"
    for _ in range(3):
        freezer.tick(timedelta(minutes=1))
        _set_tank(hass, ec=2.2, ph=5.8, temp=25.0)
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        assert float(_state(hass, TANK_ID, "ph").state) == pytest.approx(5.8)
        assert float(_state(hass, TANK_ID, "ec").state) == pytest.approx(2.2)
        assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "off"
    assert [event.data["kind"] for event in events].count("probe_stale") <= 1
    # A reading far from the one before is still held back, then confirmed.
    _set_tank(hass, ec=2.2, ph=4.0, temp=25.0)
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "ph").state == STATE_UNAVAILABLE
    freezer.tick(timedelta(minutes=1))
    _set_tank(hass, ec=2.2, ph=4.0, temp=25.0)
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "ph").state) == pytest.approx(4.0)


async def test_a_logged_feeding_shows_the_new_solution_at_once(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """The reading after a logged feeding is checked against what the grower logged.

    A fresh solution the probe agrees with shows at once; a probe that does
    not (still out of the water) is held back. A full change logged without a
    value leaves the next reading unchecked for a jump: the solution is new.
    """
    _set_tank(hass, ec=0.4, ph=7.5, temp=25.0)
    await hass.async_block_till_done()
    fresh = {"tank": device_of(hass, TANK_ID), "kind": "full_change", "volume_l": 60}
    await call_action(hass, "log_feeding", {**fresh, "ec": 2.2, "ph": 5.9})
    freezer.tick(timedelta(minutes=1))
    _set_tank(hass, ec=2.25, ph=5.8, temp=25.0)
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "ec").state) == pytest.approx(2.25)
    assert float(_state(hass, TANK_ID, "ph").state) == pytest.approx(5.8)
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "off"

    await call_action(hass, "log_feeding", {**fresh, "ec": 2.0})
    freezer.tick(timedelta(minutes=1))
    _set_tank(hass, ec=0.1, ph=5.8, temp=25.0)
    await hass.async_block_till_done()
    assert _state(hass, TANK_ID, "ec").state == STATE_UNAVAILABLE, "not as logged"
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "on"

    freezer.tick(timedelta(minutes=1))
    _set_tank(hass, ec=0.1, ph=5.8, temp=25.0)
    await hass.async_block_till_done()
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _entity_id(hass, TANK_ID, "log_water_change", "button")},
        blocking=True,
    )
    freezer.tick(timedelta(minutes=1))
    _set_tank(hass, ec=1.8, ph=5.8, temp=25.0)
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "ec").state) == pytest.approx(1.8)
    assert _state(hass, TANK_ID, "probe_stale", "binary_sensor").state == "off"


async def test_unavailable_linked_sensor(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An unavailable or non-numeric sensor makes its dependents unavailable, never raises."""
    hass.states.async_set("sensor.rack_one_temperature", "21.5")
    hass.states.async_set("sensor.rack_one_humidity", "60")
    await hass.async_block_till_done()
    assert _state(hass, RACK_ID, "climate_problem", "binary_sensor").state == "off"
    hass.states.async_set("sensor.rack_one_temperature", "unavailable")
    hass.states.async_set("sensor.rack_one_humidity", "garbage")
    await hass.async_block_till_done()
    assert (
        _state(hass, RACK_ID, "climate_problem", "binary_sensor").state
        == STATE_UNAVAILABLE
    )
    hass.states.async_set("sensor.rack_one_temperature", "35")
    await hass.async_block_till_done()
    state = _state(hass, RACK_ID, "climate_problem", "binary_sensor")
    assert state.state == "on"
    assert state.attributes["problems"] == ["too_warm"]


async def test_phase_select_and_events(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The select moves phases forward through the rules; refused moves keep the phase."""
    changed = async_capture_events(hass, f"{DOMAIN}_phase_changed")
    select_id = _entity_id(hass, PLANT_ID, "phase", "select")
    assert hass.states.get(select_id).attributes["options"] == [
        "germination",
        "seedling",
        "vegetative",
        "harvest",
    ]
    await hass.services.async_call(
        "select",
        "select_option",
        {"entity_id": select_id, "option": "vegetative"},
        blocking=True,
    )
    assert _state(hass, PLANT_ID, "phase").state == "vegetative"
    assert changed[-1].data == {
        "plant_id": PLANT_ID,
        "name": "Basil tray",
        "from_phase": "seedling",
        "to_phase": "vegetative",
    }
    activity = _state(hass, PLANT_ID, "activity", "event")
    assert activity.attributes["event_type"] == "phase_changed"
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "select",
            "select_option",
            {"entity_id": select_id, "option": "seedling"},
            blocking=True,
        )
    assert err.value.translation_key == "transition_backward"
    assert err.value.translation_placeholders["to_phase"] == "seedling"
    assert _state(hass, PLANT_ID, "phase").state == "vegetative"
    assert hass.states.get(select_id).state == "vegetative"
    assert len(changed) == 1


async def test_phase_advances_by_days_at_midnight(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Without GDD readings a phase ends by its days; the midnight timer moves it on."""
    changed = async_capture_events(hass, f"{DOMAIN}_phase_changed")
    species = loaded_farm.runtime_data.library.species["basil"]
    seedling_days = species.phase(species.sequence[1]).days
    # Sown 2026-11-01 in seedling: it is due on 2026-11-01 + seedling_days.
    due = dt_util.parse_datetime("2026-11-01T00:00:00-08:00") + timedelta(
        days=seedling_days
    )
    freezer.move_to(due - timedelta(seconds=5))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _state(hass, PLANT_ID, "phase").state == "seedling"
    freezer.move_to(due + timedelta(seconds=1))
    async_fire_time_changed(hass)
    # The new day's refresh runs in turns, as a background task.
    await hass.async_block_till_done(wait_background_tasks=True)
    assert _state(hass, PLANT_ID, "phase").state == "vegetative"
    assert [e.data["to_phase"] for e in changed] == ["vegetative"]
    assert _state(hass, PLANT_ID, "days_in_phase").state == "0"


async def test_gdd_from_rack_temperature(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Daily min/max from the rack's sensor give GDD = max(0, (Tmax + Tmin) / 2 - Tbase)."""
    base = loaded_farm.runtime_data.library.species["basil"].base_temp_c
    expected = 0.0
    # Each day closed adds its own degree-days to those before it.
    for day, ((low_hour, low), (high_hour, high)) in (
        (4, ((1, 18.0), (13, 26.0))),
        (5, ((3, 20.0), (14, 30.0))),
    ):
        for hour, value in ((low_hour, low), (high_hour, high)):
            freezer.move_to(f"2026-11-{day:02d}T{hour:02d}:00:00-08:00")
            hass.states.async_set("sensor.rack_one_temperature", str(value))
            await hass.async_block_till_done()
        freezer.move_to(f"2026-11-{day + 1:02d}T00:00:01-08:00")
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
        expected += max(0.0, (high + low) / 2 - base)
        assert float(_state(hass, PLANT_ID, "gdd").state) == pytest.approx(expected)
    # The pot has no rack, so no temperature sensor: unavailable, not zero.
    assert _state(hass, POT_ID, "gdd").state == STATE_UNAVAILABLE


async def test_buttons_record(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """Mark watered confirms the watering task; a water change restarts the solution age."""
    farm = loaded_farm.runtime_data.farm
    before = _state(hass, POT_ID, "next_watering").state
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _entity_id(hass, POT_ID, "mark_watered", "button")},
        blocking=True,
    )
    assert [r["kind"] for r in farm.store.records(POT_ID)] == ["watered"]
    after = _state(hass, POT_ID, "next_watering").state
    assert after > before or before < "2026-11-03"
    assert (
        _state(hass, POT_ID, "activity", "event").attributes["event_type"] == "watered"
    )
    # The basil sits on a recirculating tank: no watering to plan.
    assert _state(hass, PLANT_ID, "next_watering").state == STATE_UNAVAILABLE

    assert _state(hass, TANK_ID, "solution_age").state == STATE_UNAVAILABLE
    await hass.services.async_call(
        "button",
        "press",
        {"entity_id": _entity_id(hass, TANK_ID, "log_water_change", "button")},
        blocking=True,
    )
    assert float(_state(hass, TANK_ID, "solution_age").state) == 0
    freezer.tick(timedelta(days=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert float(_state(hass, TANK_ID, "solution_age").state) == pytest.approx(
        1.0, abs=0.01
    )


async def test_harvest_blocked_until_safe(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """A treatment blocks harvest until applied + interval; a timer lifts it exactly then."""
    farm = loaded_farm.runtime_data.farm
    applied = dt_util.now()
    await farm.store.async_record(
        "treated",
        PLANT_ID,
        applied,
        {"product": "spinosad", "active_ingredient": "spinosad", "interval_days": 3},
    )
    await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    state = _state(hass, PLANT_ID, "harvest_blocked", "binary_sensor")
    assert state.state == "on"
    assert (
        state.attributes["safe_date"]
        == (applied + timedelta(days=3)).date().isoformat()
    )
    assert state.attributes["blocking_products"] == ["spinosad"]
    freezer.move_to(applied + timedelta(days=3) - timedelta(seconds=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _state(hass, PLANT_ID, "harvest_blocked", "binary_sensor").state == "on"
    freezer.move_to(applied + timedelta(days=3))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert _state(hass, PLANT_ID, "harvest_blocked", "binary_sensor").state == "off"


async def test_light_times_and_target_ph(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Lights-on moves the window; lights-off is refused in auto mode; target pH persists."""
    on_id = _entity_id(hass, RACK_ID, "lights_on", "time")
    off_id = _entity_id(hass, RACK_ID, "lights_off", "time")
    photoperiod = float(_state(hass, RACK_ID, "photoperiod").state)
    await hass.services.async_call(
        "time", "set_value", {"entity_id": on_id, "time": "07:00:00"}, blocking=True
    )
    await hass.async_block_till_done()
    assert loaded_farm.subentries[RACK_ID].data["lights_on"] == "07:00:00"
    assert hass.states.get(on_id).state == "07:00:00"
    off_hour = (7 + photoperiod) % 24
    assert (
        hass.states.get(off_id).state
        == f"{int(off_hour):02d}:{int(off_hour % 1 * 60):02d}:00"
    )
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            "time",
            "set_value",
            {"entity_id": off_id, "time": "20:00:00"},
            blocking=True,
        )
    assert err.value.translation_key == "lights_off_follows_plants"
    subentry = loaded_farm.subentries[RACK_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm, subentry, data={**subentry.data, "light_mode": "fixed"}
    )
    await hass.async_block_till_done()
    await hass.services.async_call(
        "time", "set_value", {"entity_id": off_id, "time": "01:00:00"}, blocking=True
    )
    await hass.async_block_till_done()
    # 07:00 to 01:00 next day is 18 hours.
    assert loaded_farm.subentries[RACK_ID].data["photoperiod_h"] == 18.0
    assert float(_state(hass, RACK_ID, "photoperiod").state) == 18.0

    ph_id = _entity_id(hass, TANK_ID, "target_ph", "number")
    await hass.services.async_call(
        "number", "set_value", {"entity_id": ph_id, "value": 5.9}, blocking=True
    )
    await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert float(hass.states.get(ph_id).state) == 5.9
    # NaN is within no bounds, yet Home Assistant's own check lets it through.
    for value in ("nan", float("nan")):
        with pytest.raises(ServiceValidationError) as err:
            await hass.services.async_call(
                "number",
                "set_value",
                {"entity_id": ph_id, "value": value},
                blocking=True,
            )
        assert err.value.translation_key == "number_invalid"
    assert float(hass.states.get(ph_id).state) == 5.9
    assert loaded_farm.runtime_data.store.state(TANK_ID)["target_ph"] == 5.9


async def test_schedule_switches_survive_restart(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Schedule switches keep their state across a restart."""
    light = _entity_id(hass, RACK_ID, "light_schedule", "switch")
    pump = _entity_id(hass, RACK_ID, "irrigation_schedule", "switch")
    assert hass.states.get(light).state == STATE_UNAVAILABLE, "no light linked"
    subentry = loaded_farm.subentries[RACK_ID]
    hass.config_entries.async_update_subentry(
        loaded_farm,
        subentry,
        data={
            **subentry.data,
            "light_entity": "light.rack",
            "pump_entity": "switch.pump",
        },
    )
    await hass.async_block_till_done()
    await hass.services.async_call(
        "switch", "turn_on", {"entity_id": light}, blocking=True
    )
    assert hass.states.get(light).state == "on"
    assert hass.states.get(pump).state == "off"
    await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert hass.states.get(light).state == "on"
    await hass.services.async_call(
        "switch", "turn_off", {"entity_id": light}, blocking=True
    )
    assert hass.states.get(light).state == "off"


async def test_restart_keeps_states(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Unload and set up again with the same storage: every entity state is the same."""
    _set_tank(hass, ec=1.3)
    hass.states.async_set("sensor.rack_one_temperature", "22")
    await hass.async_block_till_done()
    farm = loaded_farm.runtime_data.farm
    await farm.phases.async_set(
        PLANT_ID, farm.views.phase_state(PLANT_ID).phase.__class__("vegetative")
    )
    await hass.async_block_till_done()
    ids = [entity.entity_id for entity in _entities(hass, loaded_farm).values()]
    before = {entity_id: hass.states.get(entity_id).state for entity_id in ids}
    assert await hass.config_entries.async_unload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    assert await hass.config_entries.async_setup(loaded_farm.entry_id)
    await hass.async_block_till_done()
    after = {entity_id: hass.states.get(entity_id).state for entity_id in ids}
    # Event entities show when they last fired; that is history, not a state to restore.
    event_ids = {entity_id for entity_id in ids if entity_id.startswith("event.")}
    assert {k: v for k, v in before.items() if k not in event_ids} == {
        k: v for k, v in after.items() if k not in event_ids
    }


async def test_new_plant_appears_without_reload(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A plant added through its flow gets its entities at once; removing it takes them away."""
    farm = loaded_farm.runtime_data.farm
    result = await hass.config_entries.subentries.async_init(
        (loaded_farm.entry_id, "plant"), context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], {"name": "Mint pot", "species": "mint"}
    )
    await hass.async_block_till_done()
    assert loaded_farm.runtime_data.farm is farm, "no reload"
    plant_id = next(
        k for k, v in loaded_farm.subentries.items() if v.title == "Mint pot"
    )
    assert (
        _state(hass, plant_id, "phase").state
        == farm.library.species["mint"].sequence[0]
    )
    mint_entities = [
        e
        for e in _entities(hass, loaded_farm).values()
        if e.config_subentry_id == plant_id
    ]
    assert len(mint_entities) == len(SPEC_KEYS["plant"])
    hass.config_entries.async_remove_subentry(loaded_farm, plant_id)
    await hass.async_block_till_done()
    assert not [
        e
        for e in _entities(hass, loaded_farm).values()
        if e.config_subentry_id == plant_id
    ]
    for entity in mint_entities:
        assert hass.states.get(entity.entity_id) is None


async def test_care_due_event_at_midnight(
    hass: HomeAssistant, loaded_farm: MockConfigEntry, freezer: FrozenDateTimeFactory
) -> None:
    """vertical_farm_care_due fires once for a task that becomes due."""
    events = async_capture_events(hass, f"{DOMAIN}_care_due")
    farm = loaded_farm.runtime_data.farm
    # Watered today, so the next watering lies ahead.
    await farm.records.async_log_watering([POT_ID], dt_util.now())
    water = next(
        item
        for item in farm.care.items()
        if item.plant_id == POT_ID and item.kind == "water"
    )
    assert water.due > dt_util.now().date()
    freezer.move_to(f"{water.due.isoformat()}T00:00:01-08:00")
    async_fire_time_changed(hass)
    # The midnight refresh runs in the background, in slices.
    await hass.async_block_till_done(wait_background_tasks=True)
    due = [e.data for e in events if e.data["task_id"] == f"{POT_ID}_water"]
    assert due == [
        {
            "task_id": f"{POT_ID}_water",
            "plant_id": POT_ID,
            "kind": "water",
            "due": water.due.isoformat(),
        }
    ]
    freezer.tick(timedelta(hours=1))
    async_fire_time_changed(hass)
    await hass.async_block_till_done()
    assert len([e for e in events if e.data["task_id"] == f"{POT_ID}_water"]) == 1
    assert int(_state(hass, loaded_farm.entry_id, "tasks_due").state) >= 1


async def test_care_due_is_not_told_again_after_a_crash(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    loaded_farm: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A task told as due is on disk as told at once: a crash then tells it no more.

    The clock stands still after the telling, so a save batched for later has
    not happened: what is on disk then is all a crash leaves, and the farm,
    starting again from that on the same day, must not tell the task twice.
    """
    key = f"{STORAGE_KEY}.{loaded_farm.entry_id}"
    task_id = f"{POT_ID}_water"
    told: list[str] = []

    @callback
    def record(event: Event) -> None:
        told.append(event.data["task_id"])

    unsub = hass.bus.async_listen(EVENT_CARE_DUE, record)
    await call_action(hass, "log_watering", {"plants": [device_of(hass, POT_ID)]})
    water = next(
        item
        for item in loaded_farm.runtime_data.farm.care.items()
        if item.task_id == task_id
    )
    freezer.move_to(f"{water.due.isoformat()}T00:00:01-08:00")
    async_fire_time_changed(hass)
    await hass.async_block_till_done(wait_background_tasks=True)
    assert told.count(task_id) == 1
    on_disk = disk_now(hass_storage, key)

    # The crash: nothing more is written; the disk is as it was after the telling.
    await async_start_again_after_a_crash(
        hass,
        hass_storage,
        loaded_farm,
        on_disk,
        freezer=freezer,
        later=timedelta(minutes=1),
    )
    unsub()
    assert told.count(task_id) == 1, "told again after the restart"


async def test_large_farm_starts_diagnostics_disabled(hass: HomeAssistant) -> None:
    """Past 500 plants the plants' diagnostic sensors start disabled (HA's entity cap)."""
    plants = [
        subentry(
            f"01PLANT{index:019d}",
            "plant",
            {
                "name": f"Tray {index}",
                "species": "lettuce",
                "quantity": 1,
                "rack": RACK_ID,
                "shelf": 1,
                "planted": "2026-11-01",
            },
        )
        for index in range(501)
    ]
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Big",
        data={**FARM_DATA, "name": "Big"},
        subentries_data=[
            subentry(RACK_ID, "rack", {**RACK_DATA, "tank": None}),
            *plants,
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    registry = er.async_get(hass)
    plant_id = plants[0]["subentry_id"]
    for key in ("days_in_phase", "age", "gdd"):
        entity_id = registry.async_get_entity_id("sensor", DOMAIN, f"{plant_id}_{key}")
        assert entity_id is not None
        assert (
            registry.async_get(entity_id).disabled_by
            is er.RegistryEntryDisabler.INTEGRATION
        )
    phase_id = registry.async_get_entity_id("sensor", DOMAIN, f"{plant_id}_phase")
    assert registry.async_get(phase_id).disabled_by is None


async def test_removed_activity_event_is_no_longer_fired(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """A plant's activity entity taken out stops following; the phase still moves."""
    farm = loaded_farm.runtime_data.farm
    event_id = _entity_id(hass, PLANT_ID, "activity", "event")
    assert len(farm._activity[PLANT_ID]) == 1
    er.async_get(hass).async_remove(event_id)
    await hass.async_block_till_done()
    assert farm._activity[PLANT_ID] == []
    await hass.services.async_call(
        "select",
        "select_option",
        {
            "entity_id": _entity_id(hass, PLANT_ID, "phase", "select"),
            "option": "vegetative",
        },
        blocking=True,
    )
    assert _state(hass, PLANT_ID, "phase").state == "vegetative"
    assert hass.states.get(event_id) is None


async def test_entities_take_the_registered_device(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """An entity is given its subject's device as registered, else its device info."""
    farm = farm_of(loaded_farm)
    registry = dr.async_get(hass)
    description = FarmEntityDescription(key="probe", subject="plant")
    entity = FarmEntity(farm, PLANT_ID, description)
    assert entity.device_entry is registry.async_get(device_of(hass, PLANT_ID))
    assert entity.device_info is None
    # Changed in the registry: the current entry, not the one seen before.
    renamed = registry.async_update_device(entity.device_entry.id, name_by_user="Mint")
    assert farm.device_entry(PLANT_ID) is renamed
    assert farm.device_entry(loaded_farm.entry_id) is registry.async_get(
        device_of(hass, loaded_farm.entry_id)
    )
    # No device (yet): Home Assistant finds or makes it from the device info.
    unknown = FarmEntity(farm, "not_registered", description)
    assert unknown.device_entry is None
    assert unknown.device_info == {"identifiers": {(DOMAIN, "not_registered")}}
