"""The demo farm's simulated hardware, through a real hass with time moved on."""

from datetime import timedelta
import math
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_RECONFIGURE, SOURCE_USER, ConfigEntry
from homeassistant.core import HomeAssistant
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    area_registry as ar,
    device_registry as dr,
    entity_registry as er,
)
from homeassistant.util import dt as dt_util
import pytest
from pytest_homeassistant_custom_component.common import async_fire_time_changed

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.simulator import (
    SimulatedState,
    advance,
    water_change,
)

from .conftest import async_start_again_after_a_crash, disk_now

WATER = {"hemisphere": "north", "tap_ec": 0.35, "tap_ph": 7.2, "alkalinity": 90}
PREFIX = "demo_farm_simulated"


async def _create_demo(hass: HomeAssistant, name: str = "Demo farm") -> ConfigEntry:
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "kit"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"kit": "demo_farm", "name": name, **WATER}
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    await hass.async_block_till_done()
    entry: ConfigEntry = result["result"]
    return entry


def _value(hass: HomeAssistant, key: str) -> float:
    state = hass.states.get(f"sensor.{PREFIX}_{key}")
    assert state is not None, key
    return float(state.state)


def _subentry(entry: ConfigEntry, kind: str) -> tuple[str, dict[str, Any]]:
    for subentry_id, subentry in entry.subentries.items():
        if subentry.subentry_type == kind:
            return subentry_id, dict(subentry.data)
    raise AssertionError(kind)


async def _run(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory, seconds: int, step: int = 10
) -> None:
    for _ in range(seconds // step):
        freezer.tick(timedelta(seconds=step))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()


async def _set_speed(hass: HomeAssistant, speed: float) -> None:
    await hass.services.async_call(
        "number",
        "set_value",
        {"entity_id": f"number.{PREFIX}_speed", "value": speed},
        blocking=True,
    )


async def _manual(hass: HomeAssistant, entry: ConfigEntry) -> None:
    """Take the demo rack's light and pump out of the farm's schedules."""
    rack_id, _ = _subentry(entry, "rack")
    for schedule in ("light_schedule", "irrigation_schedule"):
        await entry.runtime_data.farm.async_set_schedule(rack_id, schedule, False)


async def _switch(hass: HomeAssistant, key: str, on: bool) -> None:
    await hass.services.async_call(
        "switch",
        "turn_on" if on else "turn_off",
        {"entity_id": f"switch.{PREFIX}_{key}"},
        blocking=True,
    )


async def test_demo_kit_links_rack_and_tank_to_simulated_hardware(
    hass: HomeAssistant,
) -> None:
    """The demo kit's rack and tank use the simulator's entities; all in Grow room."""
    entry = await _create_demo(hass)
    rack_id, rack = _subentry(entry, "rack")
    tank_id, tank = _subentry(entry, "tank")
    assert entry.data["simulator"] == {"rack": rack_id, "tank": tank_id}
    assert rack["light_entity"] == f"switch.{PREFIX}_light"
    assert rack["pump_entity"] == f"switch.{PREFIX}_pump"
    assert rack["light_sensor"] == f"sensor.{PREFIX}_ppfd"
    assert rack["humidity_sensor"] == f"sensor.{PREFIX}_humidity"
    assert tank["ec_sensor"] == f"sensor.{PREFIX}_ec"
    assert tank["level_sensor"] == f"sensor.{PREFIX}_level"

    area = ar.async_get(hass).async_get_area_by_name("Grow room")
    assert area is not None
    devices = dr.async_get(hass)
    for subentry_id in entry.subentries:
        device = devices.async_get_device_by_identifier(
            (DOMAIN, subentry_id), entry.entry_id
        )
        assert device is not None
        assert device.area_id == area.id
    hardware = devices.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_simulator"), entry.entry_id
    )
    assert hardware is not None
    assert hardware.name == "Demo farm simulated hardware"
    assert hardware.model == "Simulator"
    assert hardware.area_id == area.id
    hub = devices.async_get_device_by_identifier(
        (DOMAIN, entry.entry_id), entry.entry_id
    )
    assert hub is not None
    assert hardware.via_device_id == hub.id
    entities = er.async_entries_for_device(er.async_get(hass), hardware.id)
    assert len(entities) == 10  # light, pump, speed and seven probes
    state = hass.states.get(f"sensor.{PREFIX}_ec")
    assert state is not None
    assert state.attributes["friendly_name"] == (
        "Demo farm simulated hardware Simulated EC"
    )
    assert state.attributes["unit_of_measurement"] == "mS/cm"
    # the demo drives its light and pump from the start
    for schedule in ("light_schedule", "irrigation_schedule"):
        switch = [
            e.entity_id
            for e in er.async_entries_for_config_entry(
                er.async_get(hass), entry.entry_id
            )
            if e.unique_id == f"{rack_id}_{schedule}"
        ]
        assert hass.states.get(switch[0]).state == "on"  # type: ignore[union-attr]


async def test_farm_reads_the_simulated_probes(hass: HomeAssistant) -> None:
    """The tank's EC deviation and the rack's readings come from the simulator."""
    entry = await _create_demo(hass)
    response = await hass.services.async_call(
        DOMAIN, "get_overview", {}, blocking=True, return_response=True
    )
    assert response is not None
    tank = response["farms"][0]["tanks"][0]  # type: ignore[index]
    # the farm compensates the probe's EC to 25 °C
    water_c = _value(hass, "water_temperature")
    assert tank["ec"] == pytest.approx(
        _value(hass, "ec") / (1 + 0.02 * (water_c - 25)), abs=0.01
    )
    assert tank["ph"] == pytest.approx(_value(hass, "ph"), abs=0.01)
    assert tank["level_l"] == pytest.approx(_value(hass, "level"), abs=0.05)
    assert tank["level_percent"] == round(_value(hass, "level") / 60 * 100)
    assert tank["sensors"]["level"] == f"sensor.{PREFIX}_level"
    assert entry.runtime_data.simulator is not None


async def test_level_falls_ec_climbs_and_ph_drifts(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Evaporation and the plants' drinking lower the level and concentrate the EC."""
    await _manual(hass, await _create_demo(hass))
    await _switch(hass, "pump", False)
    await _switch(hass, "light", False)
    level, ec, ph = _value(hass, "level"), _value(hass, "ec"), _value(hass, "ph")
    await _set_speed(hass, 600)
    await _run(hass, freezer, 600)  # 60 ticks x 100 min = about 4 days
    level_dark, ec_dark, ph_dark = (
        _value(hass, "level"),
        _value(hass, "ec"),
        _value(hass, "ph"),
    )
    assert level_dark < level
    assert ec_dark > ec
    # salts stay when water evaporates: EC x litres is unchanged
    assert ec_dark * level_dark == pytest.approx(ec * level, rel=0.02)
    assert ph_dark > ph
    # a pump cycle sends water to the channels, and the plants drink more
    await _switch(hass, "pump", True)
    assert _value(hass, "level") == pytest.approx(level_dark - 3.0, abs=0.1)
    before = _value(hass, "level")
    await _run(hass, freezer, 100)
    pumped_loss = before - _value(hass, "level")
    await _switch(hass, "pump", False)
    before = _value(hass, "level")
    await _run(hass, freezer, 100)
    assert pumped_loss > 2 * (before - _value(hass, "level"))


async def test_air_and_light_follow_the_light(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """PPFD follows the light at once; air warms and humidity rises under it."""
    await _manual(hass, await _create_demo(hass))
    await _switch(hass, "light", False)
    await _set_speed(hass, 60)
    await _run(hass, freezer, 300)
    assert _value(hass, "ppfd") == 0
    cool, dry = _value(hass, "air_temperature"), _value(hass, "humidity")
    await _switch(hass, "light", True)
    assert _value(hass, "ppfd") == 320
    await _run(hass, freezer, 300)  # 5 simulated hours
    assert _value(hass, "air_temperature") == pytest.approx(26.0, abs=0.2)
    assert _value(hass, "air_temperature") > cool
    assert _value(hass, "humidity") > dry


async def test_water_change_refills_at_target_ec(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Logging a water change fills the tank with fresh solution at the target EC."""
    entry = await _create_demo(hass)
    tank_id, _ = _subentry(entry, "tank")
    await _switch(hass, "pump", False)
    await _set_speed(hass, 600)
    await _run(hass, freezer, 600)
    concentrated = _value(hass, "ec")
    assert _value(hass, "level") < 55
    button = er.async_get(hass).async_get_entity_id(
        "button", DOMAIN, f"{tank_id}_log_water_change"
    )
    assert button is not None
    await hass.services.async_call(
        "button", "press", {"entity_id": button}, blocking=True
    )
    await hass.async_block_till_done()
    target = entry.runtime_data.farm.views.tank(tank_id).target_ec
    assert _value(hass, "level") == 60.0
    assert _value(hass, "ec") == pytest.approx(target, abs=0.01)
    assert _value(hass, "ec") < concentrated
    assert _value(hass, "ph") == 5.9


async def test_restart_continues_from_stored_state(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """Unloading stores the model; setting up again continues from it."""
    entry = await _create_demo(hass)
    await _set_speed(hass, 300)
    await _switch(hass, "pump", False)
    await _run(hass, freezer, 300)
    level, ec = _value(hass, "level"), _value(hass, "ec")
    # the grower moved the hardware to another room: a restart keeps it there
    devices = dr.async_get(hass)
    hardware = devices.async_get_device_by_identifier(
        (DOMAIN, f"{entry.entry_id}_simulator"), entry.entry_id
    )
    assert hardware is not None
    kitchen = ar.async_get(hass).async_create("Kitchen")
    devices.async_update_device(hardware.id, area_id=kitchen.id)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    moved = devices.async_get(hardware.id)
    assert moved is not None
    assert moved.area_id == kitchen.id
    assert _value(hass, "level") == level
    assert _value(hass, "ec") == ec
    speed = hass.states.get(f"number.{PREFIX}_speed")
    assert speed is not None
    assert float(speed.state) == 300


async def test_a_speed_that_is_no_number_is_refused(
    hass: HomeAssistant, freezer: FrozenDateTimeFactory
) -> None:
    """NaN passes Home Assistant's bounds check; the simulation refuses it itself."""
    entry = await _create_demo(hass)
    simulator = entry.runtime_data.simulator
    assert simulator is not None
    await _set_speed(hass, 60)
    with pytest.raises(ServiceValidationError) as refused:
        await _set_speed(hass, math.nan)
    assert refused.value.translation_key == "number_invalid"
    state = hass.states.get(f"number.{PREFIX}_speed")
    assert state is not None
    assert float(state.state) == 60
    # The model runs on at the speed it had, every figure a number.
    before = simulator.state
    await _run(hass, freezer, 60)
    assert simulator.state != before
    assert simulator.state.speed == 60
    for key in ("level", "ec", "ph", "water_temperature"):
        assert math.isfinite(_value(hass, key)), key


async def test_reconfigure_keeps_the_simulator(hass: HomeAssistant) -> None:
    """Renaming the demo farm keeps its simulated hardware."""
    entry = await _create_demo(hass)
    links = entry.data["simulator"]
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_RECONFIGURE, "entry_id": entry.entry_id}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"name": "Demo farm", **WATER, "tap_ec": 0.5}
    )
    assert result["type"] is FlowResultType.ABORT
    await hass.async_block_till_done()
    assert entry.data["simulator"] == links
    assert entry.data["tap_ec"] == 0.5
    assert entry.runtime_data.simulator is not None


async def test_removing_the_farm_deletes_the_model(
    hass: HomeAssistant, hass_storage: dict[str, Any], freezer: FrozenDateTimeFactory
) -> None:
    """The stored model goes with the farm."""
    entry = await _create_demo(hass)
    key = f"{DOMAIN}.simulator.{entry.entry_id}"
    await _run(hass, freezer, 20)
    assert await hass.config_entries.async_reload(entry.entry_id)
    await hass.async_block_till_done()
    assert hass_storage[key]["data"]["water_l"] > 0
    await hass.config_entries.async_remove(entry.entry_id)
    await hass.async_block_till_done()
    assert key not in hass_storage


async def test_other_farms_have_no_simulator(hass: HomeAssistant) -> None:
    """A farm from another kit has no simulated hardware."""
    result = await hass.config_entries.flow.async_init(
        DOMAIN, context={"source": SOURCE_USER}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"next_step_id": "kit"}
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"], {"kit": "lettuce_nft_rack", "name": "Real", **WATER}
    )
    await hass.async_block_till_done()
    entry = result["result"]
    assert "simulator" not in entry.data
    assert entry.runtime_data.simulator is None
    assert not hass.states.async_entity_ids("number") or all(
        "simulated" not in entity_id for entity_id in hass.states.async_entity_ids()
    )


def test_stored_state_refuses_broken_values() -> None:
    """A stored field of the wrong type or not finite keeps the default."""
    default = SimulatedState.fresh(60, 1.2)
    state = SimulatedState.from_stored(
        {
            "water_l": 40,
            "ec": "high",
            "ph": math.nan,
            "light_on": 1,
            "pump_on": True,
            "speed": True,
            "filled_at": 5,
            "unknown": 1,
        },
        default,
    )
    assert state.water_l == 40.0
    assert state.ec == 1.2
    assert state.ph == default.ph
    assert state.light_on is False
    assert state.pump_on is True
    assert state.speed == 1.0
    assert state.filled_at is None
    at = dt_util.utcnow().isoformat()
    assert SimulatedState.from_stored({"filled_at": at}, default).filled_at == at


def test_an_empty_tank_keeps_its_last_ec() -> None:
    """A dry tank reads no new EC and never goes below empty."""
    state = SimulatedState(water_l=0.5, ec=2.0, pump_on=True)
    dry = advance(state, 30 * 86400, 60)
    assert dry.water_l == 0
    assert dry.ec == 2.0
    assert dry.level_l(60) == 0
    assert water_change(dry, 60, 1.1).water_l == 60
    assert advance(state, 86400 * 100, 60).ph == 8.5


async def test_unload_turns_the_simulated_pump_off_first(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    caplog: pytest.LogCaptureFixture,
) -> None:
    """The farm turns its pump off on unload while the pump still answers."""
    entry = await _create_demo(hass)
    await _switch(hass, "pump", True)
    assert entry.runtime_data.simulator is not None
    assert entry.runtime_data.simulator.state.pump_on
    assert await hass.config_entries.async_unload(entry.entry_id)
    await hass.async_block_till_done()
    assert "skipped turn_off" not in caplog.text
    stored = hass_storage[f"{DOMAIN}.simulator.{entry.entry_id}"]["data"]
    assert stored["pump_on"] is False


@pytest.mark.parametrize(
    ("call", "changed"),
    [
        (
            (
                "number",
                "set_value",
                {"entity_id": f"number.{PREFIX}_speed", "value": 300},
            ),
            {"speed": 300},
        ),
        (
            ("switch", "turn_on", {"entity_id": f"switch.{PREFIX}_light"}),
            {"light_on": True},
        ),
    ],
)
async def test_a_change_to_the_hardware_survives_a_crash(
    hass: HomeAssistant,
    hass_storage: dict[str, Any],
    call: tuple[str, str, dict[str, Any]],
    changed: dict[str, Any],
) -> None:
    """A speed set or a switch flipped is on disk when the call returns.

    The clock stands still after the call, so a batched save has not run:
    what is on disk then is all a crash leaves.
    """
    entry = await _create_demo(hass)
    await _manual(hass, entry)
    await hass.async_block_till_done()
    await hass.services.async_call(*call, blocking=True)
    await hass.async_block_till_done()
    keys = (f"{DOMAIN}.simulator.{entry.entry_id}", f"{DOMAIN}.{entry.entry_id}")
    on_disk = disk_now(hass_storage, *keys)

    await async_start_again_after_a_crash(hass, hass_storage, entry, on_disk)
    simulator = entry.runtime_data.simulator
    assert simulator is not None
    for field, value in changed.items():
        assert getattr(simulator.state, field) == value, field
