"""Tank chemistry through a real hass: mix extras, runoff, pH levels and drift, age, levels."""

from datetime import timedelta
import json
from pathlib import Path
import re
from typing import Any

from freezegun.api import FrozenDateTimeFactory
from homeassistant.config_entries import SOURCE_USER
from homeassistant.core import Event, HomeAssistant, callback
from homeassistant.data_entry_flow import FlowResultType
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    entity_registry as er,
    issue_registry as ir,
)
from homeassistant.util import dt as dt_util
from homeassistant.util.unit_system import US_CUSTOMARY_SYSTEM
import probatio
import pytest
from pytest_homeassistant_custom_component.common import (
    MockConfigEntry,
    async_capture_events,
    async_fire_time_changed,
)

from custom_components.vertical_farm.const import DOMAIN
from custom_components.vertical_farm.engine.chemistry import RunoffFinding
from custom_components.vertical_farm.intents import PROBLEM_PHRASES
from custom_components.vertical_farm.presenters import TankProblem

from .conftest import TANK_ID

INTEGRATION = Path(__file__).parents[2] / "custom_components" / DOMAIN
EN = json.loads((INTEGRATION / "translations" / "en.json").read_text(encoding="utf-8"))
GROW = [
    {"fertilizer": "hydro_grow_a", "ml_per_l": 2},
    {"fertilizer": "hydro_grow_b", "ml_per_l": 2},
]


def _bicarbonate(ph: float) -> float:
    return 1 / (1 + 10 ** (6.35 - ph))


def _tank(hass: HomeAssistant) -> str:
    (device,) = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, TANK_ID)})
    return device.id


def _entity(hass: HomeAssistant, key: str, platform: str) -> Any:
    entity_id = er.async_get(hass).async_get_entity_id(
        platform, DOMAIN, f"{TANK_ID}_{key}"
    )
    assert entity_id is not None
    return hass.states.get(entity_id)


async def _mix(hass: HomeAssistant, **data: Any) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "mix_nutrients",
        {"tank": _tank(hass), **data},
        blocking=True,
        return_response=True,
    )


async def _refused(
    hass: HomeAssistant, action: str, data: dict[str, Any], key: str
) -> dict[str, str]:
    with pytest.raises(ServiceValidationError) as err:
        await hass.services.async_call(
            DOMAIN, action, data, blocking=True, return_response=True
        )
    assert err.value.translation_key == key
    template = EN["exceptions"][key]["message"]
    assert set(re.findall(r"{(\w+)}", template)) <= set(
        err.value.translation_placeholders or {}
    )
    return err.value.translation_placeholders or {}


def _update_tank(hass: HomeAssistant, entry: MockConfigEntry, **data: Any) -> None:
    subentry = entry.subentries[TANK_ID]
    hass.config_entries.async_update_subentry(
        entry, subentry, data={**subentry.data, **data}
    )


# --- mix_nutrients: pH adjustment, reserve, ceiling ---------------------------------


async def test_mix_adjusts_the_ph_and_holds_ec_back_for_nitric_acid(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Tap pH 7.6, alkalinity 120 ppm, to the basil's pH 6.0 with 38 % nitric acid.

    The carbon 120 / 50.04 / f(7.6) = 2.533 meq/L loses f(7.6) - f(6.0) of its
    bicarbonate: 1.616 meq/L, plus 0.0014 of free H+: 1.617 meq/L, so
    1.617 / 7.4 = 0.22 ml/L (10.9 ml for 50 L). Nitrate replacing bicarbonate
    adds 1.617 x 0.027 = 0.044 mS/cm, which the base parts leave room for:
    they add 1.2 - 0.044 = 1.156, 1.156 / 1.16 x 2 = 1.99 ml/L each.
    """
    response = await _mix(
        hass, target_ec=1.6, volume_l=50, fertilizers=GROW, ph_adjuster="ph_down_nitric"
    )
    carbon = 120 / 50.04 / _bicarbonate(7.6)
    meq = carbon * (_bicarbonate(7.6) - _bicarbonate(6.0)) + 1000 * (
        (10**-6 - 10**-7.6) + (10**-6.4 - 10**-8)
    )
    assert meq == pytest.approx(1.6174, abs=1e-4)
    adjustment = response["ph_adjustment"]
    assert adjustment == {
        "direction": "down",
        "fertilizer": "ph_down_nitric",
        "from_ph": 7.6,
        "to_ph": 6.0,
        "alkalinity": 120.0,
        "meq_per_l": round(meq, 3),
        "ml_per_l": 0.22,
        "ml_total": round(meq / 7.4 * 50, 1),
        "ec_reserve": round(meq * 0.027, 3),
    }
    assert adjustment["ml_total"] == 10.9
    parts = (1.6 - 0.4 - meq * 0.027) / 1.16 * 2
    assert [step["ml_per_l"] for step in response["steps"]] == [
        round(parts, 2),
        round(parts, 2),
    ]
    assert response["steps"][0]["ml_per_l"] == 1.99
    assert response["expected_ec"] == 1.6
    # the basil seedlings on a hydro tank: at most 1.8 mS/cm
    assert response["ec_ceiling"] == {"ec": 1.8, "phase": "seedling"}
    # no RO unit, no level or EC reading, no CalMag: none of those parts
    assert response["water"] is None
    assert response["top_up"] is None
    assert response["calmag"] is None
    # A water already at the target pH needs nothing; pH up the other way.
    response = await _mix(hass, target_ec=1.6, fertilizers=GROW, ph=6.0)
    assert response["ph_adjustment"]["direction"] == "none"
    assert response["ph_adjustment"]["fertilizer"] is None
    response = await _mix(hass, target_ec=1.6, fertilizers=GROW, ph=5.0, alkalinity=0)
    assert response["ph_adjustment"]["direction"] == "up"
    assert response["ph_adjustment"]["fertilizer"] == "ph_up_potassium"
    # the default pH down (phosphoric acid) adds no EC: nothing is held back
    response = await _mix(hass, target_ec=1.6, fertilizers=GROW)
    assert response["ph_adjustment"]["fertilizer"] == "ph_down_phosphoric"
    assert response["ph_adjustment"]["ec_reserve"] == 0.0
    assert response["steps"][0]["ml_per_l"] == round(1.2 / 1.16 * 2, 2)


async def test_mix_refusals_of_the_tank_chemistry(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Too strong for seedlings, a pH adjuster that is none, additives past the target."""
    tank = _tank(hass)
    journal = list(loaded_farm.runtime_data.store.journal)
    placeholders = await _refused(
        hass,
        "mix_nutrients",
        {"tank": tank, "target_ec": 1.9, "fertilizers": GROW},
        "ec_above_ceiling",
    )
    assert placeholders == {
        "target_ec": "1.9",
        "ceiling": "1.8",
        "phase": "seedling",
        "system": "hydro",
    }
    placeholders = await _refused(
        hass,
        "mix_nutrients",
        {"tank": tank, "target_ec": 1.6, "fertilizers": GROW, "ph_adjuster": "calmag"},
        "not_a_ph_adjuster",
    )
    assert placeholders == {"fertilizer": "calmag", "kind": "ph_down"}
    await _refused(
        hass,
        "mix_nutrients",
        {"tank": tank, "target_ec": 1.6, "fertilizers": GROW, "ph_adjuster": "acid"},
        "unknown_fertilizer",
    )
    placeholders = await _refused(
        hass,
        "mix_nutrients",
        {
            "tank": tank,
            "target_ec": 0.9,
            "fertilizers": [{"fertilizer": "calmag", "ml_per_l": 2}, *GROW],
        },
        "additives_exceed_target",
    )
    assert placeholders == {"target_ec": "0.9", "ec": "1.2"}
    await _refused(
        hass,
        "mix_nutrients",
        {"tank": tank, "target_ec": 1.6, "fertilizers": GROW, "ph": 3.0},
        "ph_out_of_model_range",
    )
    for field, value in (("ph", 15), ("calcium", -1), ("level_l", -2)):
        with pytest.raises(probatio.Invalid):
            await _mix(hass, target_ec=1.6, fertilizers=GROW, **{field: value})
    assert loaded_farm.runtime_data.store.journal == journal


# --- mix_nutrients: RO blend and CalMag ---------------------------------------------


async def test_ro_blend_and_the_calmag_it_needs(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """RO 0.02 and tap 0.4: base 0.21 is half RO; CalMag tops the half-tap water up.

    The tap water is assumed at Ca 40 and Mg 10 mg/L, so the blend holds 20 and 5:
    CalMag (50 mg Ca, 19 mg Mg per ml) needs max(20 / 50, 10 / 19) = 0.53 ml/L, under
    the recipe's 1 ml/L. The blend's alkalinity is half of 120 ppm.
    """
    hass.config_entries.async_update_entry(
        loaded_farm, data={**loaded_farm.data, "ro_ec": 0.02}
    )
    await hass.async_block_till_done()
    response = await _mix(
        hass,
        target_ec=1.6,
        volume_l=40,
        base_ec=0.21,
        fertilizers=[{"fertilizer": "calmag", "ml_per_l": 1}, *GROW],
    )
    assert response["water"] == {
        "ro_share": 0.5,
        "ro_l": 20.0,
        "tap_l": 20.0,
        "alkalinity": 60.0,
    }
    calmag = response["calmag"]
    assert calmag["ml_per_l"] == round(10 / 19, 2)
    assert (calmag["water_calcium_mg_l"], calmag["water_magnesium_mg_l"]) == (
        20.0,
        5.0,
    )
    assert calmag["magnesium_mg_l"] == 15.0
    assert calmag["tap_assumed"] is True
    assert response["steps"][0] == {
        "order": 1,
        "fertilizer": "calmag",
        "name": "CalMag",
        "ml_per_l": 0.53,
        "ml_total": round(10 / 19 * 40, 1),
    }
    assert response["ph_adjustment"]["alkalinity"] == 60.0
    # Pure RO: the full 0.8 ml/L; the base parts take what the CalMag leaves.
    response = await _mix(
        hass,
        target_ec=1.6,
        volume_l=40,
        base_ec=0.02,
        fertilizers=[{"fertilizer": "calmag"}, *GROW],
    )
    assert response["water"]["ro_share"] == 1.0
    assert response["calmag"]["ml_per_l"] == 0.8
    parts = (1.6 - 0.02 - 0.8 * 0.4) / 1.16 * 2
    assert [step["ml_per_l"] for step in response["steps"]] == [
        0.8,
        round(parts, 2),
        round(parts, 2),
    ]
    # A base EC no blend of these waters gives: the caller's own water, no blend.
    response = await _mix(hass, target_ec=1.6, base_ec=0.5, fertilizers=GROW)
    assert response["water"] is None


async def test_tap_water_report_sets_the_calmag_dose(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Soft tap water with Ca 10 and Mg 2 mg/L: max(30 / 50, 13 / 19) = 0.68 ml/L."""
    response = await _mix(
        hass,
        target_ec=1.6,
        fertilizers=[{"fertilizer": "calmag", "ml_per_l": 1}, *GROW],
        calcium=10,
        magnesium=2,
    )
    assert response["calmag"]["ml_per_l"] == 0.68
    assert response["calmag"]["tap_assumed"] is False
    assert response["steps"][0]["ml_per_l"] == 0.68
    # Hard water: no CalMag at all; the base parts carry the whole EC.
    response = await _mix(
        hass,
        target_ec=1.6,
        fertilizers=[{"fertilizer": "calmag", "ml_per_l": 1}, *GROW],
        calcium=80,
        magnesium=20,
    )
    assert response["steps"][0]["ml_per_l"] == 0.0
    assert response["steps"][1]["ml_per_l"] == round(1.2 / 1.16 * 2, 2)


# --- mix_nutrients: top-up ----------------------------------------------------------------


async def test_top_up_of_a_half_empty_tank(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """30 of 60 L at 1.8 mS/cm to 1.6: 30 L of water pre-mixed to 1.4 mS/cm.

    Plain water alone would give (30 x 1.8 + 30 x 0.4) / 60 = 1.1; the added
    30 L must carry (1.6 x 60 - 30 x 1.8) / 30 = 1.4, so its base parts add
    1.0: 1.0 / 1.16 x 2 = 1.72 ml/L, 51.7 ml each.
    """
    response = await _mix(
        hass, target_ec=1.6, fertilizers=GROW, level_l=30, current_ec=1.8
    )
    ml_per_l = 1.0 / 1.16 * 2
    assert response["top_up"] == {
        "reason": "top_up",
        "level_l": 30.0,
        "level_percent": 50.0,
        "current_ec": 1.8,
        "add_l": 30.0,
        "drain_l": 0.0,
        "add_ec": 1.4,
        "ec_after_water": 1.1,
        "ec_rise": 0.5,
        "reachable": True,
        "steps": [
            {
                "order": 1,
                "fertilizer": "hydro_grow_a",
                "name": "Hydro grow A",
                "ml_per_l": round(ml_per_l, 2),
                "ml_total": round(ml_per_l * 30, 1),
            },
            {
                "order": 2,
                "fertilizer": "hydro_grow_b",
                "name": "Hydro grow B",
                "ml_per_l": round(ml_per_l, 2),
                "ml_total": round(ml_per_l * 30, 1),
            },
        ],
    }
    assert response["top_up"]["steps"][0]["ml_total"] == 51.7


async def test_top_up_dilutes_full_doses_in_place_and_reads_the_sensors(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Too strong: drain, then plain water; full and weak: dose the base parts in place."""
    # 50 L at 2.4: plain water to 60 L gives 2.07 > 1.6; keep 60 x 1.2 / 2.0 = 36 L
    response = await _mix(
        hass, target_ec=1.6, fertilizers=GROW, level_l=50, current_ec=2.4
    )
    top_up = response["top_up"]
    assert top_up["reason"] == "dilute"
    assert top_up["drain_l"] == 14.0
    assert top_up["steps"] == []
    # full at 1.3: the parts add 0.3 in place, 0.3 / 1.16 x 2 = 0.52 ml/L of 60 L
    response = await _mix(
        hass,
        target_ec=1.6,
        fertilizers=[{"fertilizer": "calmag", "ml_per_l": 1}, *GROW],
        level_l=60,
        current_ec=1.3,
    )
    top_up = response["top_up"]
    assert top_up["reason"] == "full"
    assert [(step["fertilizer"], step["ml_total"]) for step in top_up["steps"]] == [
        ("hydro_grow_a", round(0.3 / 1.16 * 2 * 60, 1)),
        ("hydro_grow_b", round(0.3 / 1.16 * 2 * 60, 1)),
    ]
    # From the tank's own sensors: 45 % of 60 L is 27 L; EC 1.0 at 25 C.
    hass.states.async_set("sensor.tank_a_level", "45", {"unit_of_measurement": "%"})
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "25", {"unit_of_measurement": "°C"}
    )
    hass.states.async_set("sensor.tank_a_ec", "1.0", {"unit_of_measurement": "mS/cm"})
    await hass.async_block_till_done()
    response = await _mix(hass, target_ec=1.6, fertilizers=GROW)
    top_up = response["top_up"]
    assert (top_up["level_l"], top_up["level_percent"], top_up["current_ec"]) == (
        27.0,
        45.0,
        1.0,
    )
    assert top_up["add_l"] == 33.0
    assert top_up["add_ec"] == round((1.6 * 60 - 27 * 1.0) / 33, 2)
    # An added water the products cannot make: said, not refused.
    response = await _mix(
        hass,
        target_ec=1.6,
        fertilizers=[{"fertilizer": "leafy_greens_one_part", "ml_per_l": 2}],
        level_l=59,
        current_ec=0.5,
    )
    # 1 L would have to carry (1.6 x 60 - 59 x 0.5) / 1 = 66.5 mS/cm
    assert response["top_up"]["add_ec"] == 66.5
    assert response["top_up"]["reachable"] is False


# --- analyze_runoff -------------------------------------------------------------------------


async def test_analyze_runoff_worked_example_and_refusals(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """10 L at 1.8 in, 2 L at 2.4 out: 20 % runoff, EC 33 % up: salts build up."""
    response = await hass.services.async_call(
        DOMAIN,
        "analyze_runoff",
        {
            "input_ec": 1.8,
            "input_ph": 6.0,
            "input_volume_l": 10,
            "runoff_ec": 2.4,
            "runoff_ph": 6.2,
            "runoff_volume_l": 2,
        },
        blocking=True,
        return_response=True,
    )
    assert response == {
        "runoff_percent": 20.0,
        "ec_change_percent": 33.3,
        "ph_change": 0.2,
        "salt_in_g": 11.5,  # 1.8 x 0.64 g/L x 10 L
        "salt_out_g": 3.1,  # 2.4 x 0.64 x 2
        "salt_retained_g": 8.4,
        "salt_build_up": True,
        "findings": ["salt_build_up"],
        "verdict": "salt_build_up",
    }
    # every verdict has its translated text
    assert set(EN["selector"]["runoff_verdict"]["options"]) == {
        str(finding) for finding in RunoffFinding
    }
    placeholders = await _refused(
        hass,
        "analyze_runoff",
        {
            "input_ec": 1.8,
            "input_ph": 6.0,
            "input_volume_l": 2,
            "runoff_ec": 2.4,
            "runoff_ph": 6.2,
            "runoff_volume_l": 3,
        },
        "runoff_above_input",
    )
    assert placeholders == {"runoff_volume_l": "3.0", "input_volume_l": "2.0"}
    with pytest.raises(probatio.Invalid):
        await hass.services.async_call(
            DOMAIN,
            "analyze_runoff",
            {
                "input_ec": 0,
                "input_ph": 6.0,
                "input_volume_l": 2,
                "runoff_ec": 2.4,
                "runoff_ph": 6.2,
                "runoff_volume_l": 1,
            },
            blocking=True,
            return_response=True,
        )


# --- pH levels and drift, live --------------------------------------------------------------


def _ph(hass: HomeAssistant, value: float) -> None:
    hass.states.async_set("sensor.tank_a_ph", str(value))


async def test_far_out_ph_is_critical_and_alerts_once(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Basil band 5.5-6.5 on hydro (margin 0.5): 6.8 is a warning, 7.2 critical."""
    events = async_capture_events(hass, f"{DOMAIN}_tank_alert")
    _ph(hass, 6.8)
    await hass.async_block_till_done()
    state = _entity(hass, "ph_problem", "binary_sensor")
    assert state.state == "on"
    assert state.attributes["level"] == "warning"
    (warning,) = [event.data for event in events]
    assert (warning["kind"], warning["reason"], warning["level"]) == (
        "ph_high",
        "range",
        "warning",
    )
    # Further out: critical, and a second alert saying so.
    _ph(hass, 7.2)
    await hass.async_block_till_done()
    assert (
        _entity(hass, "ph_problem", "binary_sensor").attributes["level"] == "critical"
    )
    assert [(event.data["reason"], event.data["level"]) for event in events] == [
        ("range", "warning"),
        ("critical", "critical"),
    ]
    # Back in the band, then straight to far below: one alert, critical.
    _ph(hass, 6.0)
    await hass.async_block_till_done()
    assert _entity(hass, "ph_problem", "binary_sensor").attributes["level"] == "ok"
    _ph(hass, 4.9)
    await hass.async_block_till_done()
    low = [event.data for event in events if event.data["kind"] == "ph_low"]
    assert [(item["reason"], item["level"], item["value"]) for item in low] == [
        ("critical", "critical", 4.9)
    ]


async def test_ph_drift_from_stored_readings_alerts_and_survives_restart(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """6.0, 6.2 after 6 h, 6.4 after 12 h, 6.5 after 18 h: 0.68 pH a day, above 0.5."""
    events = async_capture_events(hass, f"{DOMAIN}_tank_alert")
    for value in (6.0, 6.2, 6.4):
        _ph(hass, value)
        await hass.async_block_till_done()
        freezer.tick(timedelta(hours=6))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    _ph(hass, 6.5)  # a fresh reading (the probe went stale meanwhile): 18 h
    await hass.async_block_till_done()
    state = _entity(hass, "ph_problem", "binary_sensor")
    # least squares over days 0, 0.25, 0.5, 0.75 at 6.0, 6.2, 6.4, 6.5:
    # sum of products 0.2125 / spread 0.3125 = 0.68 pH a day
    assert state.attributes["drift_per_day"] == 0.68
    assert state.attributes["drifting"] is True
    assert state.attributes["level"] == "ok"
    assert state.state == "on"  # a fast drift is a pH problem before the pH is out
    drift = [event.data for event in events if event.data.get("reason") == "drift"]
    assert len(drift) == 1
    assert drift[0]["kind"] == "ph_high"
    # it started at 12 h, when three samples gave 0.4 / 0.5 = 0.8 pH a day
    assert drift[0]["drift_per_day"] == 0.8
    stored = loaded_farm.runtime_data.store.state(TANK_ID)
    assert [item[1] for item in stored["ph_history"]] == [6.0, 6.2, 6.4, 6.5]
    # The history is on disk: after a reload the drift is still known.
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    state = _entity(hass, "ph_problem", "binary_sensor")
    assert state.attributes["drift_per_day"] == 0.68
    # A feeding restarts the drift: the pH has been corrected.
    await hass.services.async_call(
        DOMAIN,
        "log_feeding",
        {"tank": _tank(hass), "kind": "adjustment", "ph": 6.0},
        blocking=True,
    )
    state = _entity(hass, "ph_problem", "binary_sensor")
    assert state.attributes["drift_per_day"] is None
    assert state.attributes["drifting"] is False


async def test_a_feeding_logged_late_for_before_the_ph_readings_keeps_the_drift(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """A top-up of two days ago, logged now: the last day's drift still stands.

    Every reading the drift is worked out from came after that feeding.
    """
    for value in (6.0, 6.2, 6.4):
        _ph(hass, value)
        await hass.async_block_till_done()
        freezer.tick(timedelta(hours=6))
        async_fire_time_changed(hass)
        await hass.async_block_till_done()
    _ph(hass, 6.5)
    await hass.async_block_till_done()
    assert (
        _entity(hass, "ph_problem", "binary_sensor").attributes["drift_per_day"] == 0.68
    )
    await hass.services.async_call(
        DOMAIN,
        "log_feeding",
        {
            "tank": _tank(hass),
            "kind": "top_up",
            "at": dt_util.now() - timedelta(days=2),
        },
        blocking=True,
    )
    await hass.async_block_till_done()
    state = _entity(hass, "ph_problem", "binary_sensor")
    assert state.attributes["drift_per_day"] == 0.68
    assert state.attributes["drifting"] is True


# --- solution age: organic feeds and warm water ----------------------------------------


async def test_organic_solution_ages_faster_and_faster_when_warm(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """An organic feed lasts 4 days at 20 C, 2 at 30 C: a warm day uses half its life."""
    _update_tank(
        hass,
        loaded_farm,
        fertilizers=[{"fertilizer": "organic_liquid_feed", "ml_per_l": 2}],
    )
    await hass.async_block_till_done()
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "30", {"unit_of_measurement": "°C"}
    )
    await hass.async_block_till_done()
    await hass.services.async_call(
        DOMAIN,
        "log_feeding",
        {"tank": _tank(hass), "kind": "full_change"},
        blocking=True,
    )
    freezer.tick(timedelta(days=1))
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "20", {"unit_of_measurement": "°C"}
    )
    await hass.async_block_till_done()
    state = _entity(hass, "solution_age", "sensor")
    assert float(state.state) == pytest.approx(1.0)
    assert state.attributes["life_days_at_20c"] == 4.0
    assert state.attributes["life_used_percent"] == 50.0
    assert state.attributes["days_left"] == 2.0  # half of 4 days at 20 C
    # A day at 20 C uses another quarter; the count survives a reload.
    freezer.tick(timedelta(days=1))
    assert await hass.config_entries.async_reload(loaded_farm.entry_id)
    await hass.async_block_till_done()
    state = _entity(hass, "solution_age", "sensor")
    assert state.attributes["life_used_percent"] == 75.0
    assert state.attributes["days_left"] == 1.0
    # The same water with a mineral recipe: 10 days at 20 C, 5 at 30 C:
    # 1 / 5 + 1 / 10 = 30 % used.
    _update_tank(hass, loaded_farm, fertilizers=GROW)
    await hass.async_block_till_done()
    state = _entity(hass, "solution_age", "sensor")
    assert state.attributes["life_days_at_20c"] == 10.0
    assert state.attributes["life_used_percent"] == 30.0


# --- fill level and a volume sensor ----------------------------------------------------


async def test_level_and_volume_sensors_checked_against_each_other(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """60 L tank, level 50 % (30 L): a volume sensor 3 L off agrees, 4 L off does not."""
    _update_tank(hass, loaded_farm, volume_sensor="sensor.tank_a_volume")
    await hass.async_block_till_done()
    issue_id = f"level_mismatch_{TANK_ID}"
    issues = ir.async_get(hass)
    hass.states.async_set("sensor.tank_a_level", "50", {"unit_of_measurement": "%"})
    hass.states.async_set("sensor.tank_a_volume", "27", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    state = _entity(hass, "level_low", "binary_sensor")
    assert state.attributes == state.attributes | {
        "level_l": 30.0,
        "level_percent": 50.0,
        "volume_reading_l": 27.0,
        "level_consistent": True,
    }
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    hass.states.async_set("sensor.tank_a_volume", "26", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    assert (
        _entity(hass, "level_low", "binary_sensor").attributes["level_consistent"]
        is False
    )
    issue = issues.async_get_issue(DOMAIN, issue_id)
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "name": "Tank A",
        "level": "30.0",
        "volume": "26.0",
        "tolerance": "3.0",
        "unit": "L",
    }
    # In gallons it is converted: 7.5 US gal = 28.4 L, close enough again.
    hass.states.async_set("sensor.tank_a_volume", "7.5", {"unit_of_measurement": "gal"})
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, issue_id) is None
    assert _entity(hass, "level_low", "binary_sensor").attributes[
        "volume_reading_l"
    ] == pytest.approx(28.4, abs=0.05)
    # A volume sensor in % is no volume: a unit notice, and no check.
    hass.states.async_set("sensor.tank_a_volume", "40", {"unit_of_measurement": "%"})
    await hass.async_block_till_done()
    assert (
        _entity(hass, "level_low", "binary_sensor").attributes["level_consistent"]
        is None
    )
    assert any(issue.translation_key == "unit" for issue in issues.issues.values())


async def test_level_mismatch_notice_speaks_the_users_volume_unit(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """With US customary units the notice gives gallons: 30 L, 26 L, 3 L apart."""
    hass.config.units = US_CUSTOMARY_SYSTEM
    _update_tank(hass, loaded_farm, volume_sensor="sensor.tank_a_volume")
    await hass.async_block_till_done()
    hass.states.async_set("sensor.tank_a_level", "50", {"unit_of_measurement": "%"})
    hass.states.async_set("sensor.tank_a_volume", "26", {"unit_of_measurement": "L"})
    await hass.async_block_till_done()
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"level_mismatch_{TANK_ID}")
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "name": "Tank A",
        "level": "7.9",
        "volume": "6.9",
        "tolerance": "0.8",
        "unit": "gal",
    }


async def test_level_mismatch_notice_is_raised_once_while_it_lasts(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Readings that keep the mismatch do not raise its notice again each time.

    Each raising rewrites the repair registry and tells every listener; the
    notice's figures are those of when it was raised.
    """
    _update_tank(hass, loaded_farm, volume_sensor="sensor.tank_a_volume")
    await hass.async_block_till_done()
    raised: list[str] = []

    @callback
    def note(event: Event) -> None:
        if event.data["issue_id"] == f"level_mismatch_{TANK_ID}":
            raised.append(event.data["action"])

    unsub = hass.bus.async_listen(ir.EVENT_REPAIRS_ISSUE_REGISTRY_UPDATED, note)
    hass.states.async_set("sensor.tank_a_level", "50", {"unit_of_measurement": "%"})
    for litres in ("26", "25", "24", "23", "22"):
        hass.states.async_set(
            "sensor.tank_a_volume", litres, {"unit_of_measurement": "L"}
        )
        await hass.async_block_till_done()
    unsub()
    assert raised == ["create"]


async def test_ph_adjuster_from_the_recipe_and_when_none_can_be_worked_out(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The recipe's own pH down is used; an empty tank or a tap pH past 9: no estimate."""
    response = await _mix(
        hass,
        target_ec=1.6,
        fertilizers=[*GROW, {"fertilizer": "ph_down_citric", "ml_per_l": 0.1}],
    )
    assert response["ph_adjustment"]["fertilizer"] == "ph_down_citric"
    # 1.617 meq/L (see the nitric example) / 6.5 meq/ml of 50 % citric acid
    assert response["ph_adjustment"]["ml_per_l"] == 0.25
    hass.config_entries.async_update_entry(
        loaded_farm, data={**loaded_farm.data, "tap_ph": 9.5}
    )
    await hass.async_block_till_done()
    response = await _mix(hass, target_ec=1.6, fertilizers=GROW)
    assert response["ph_adjustment"] is None
    # Given by the caller, the same pH is refused, not skipped.
    await _refused(
        hass,
        "mix_nutrients",
        {"tank": _tank(hass), "target_ec": 1.6, "fertilizers": GROW, "ph": 9.5},
        "ph_out_of_model_range",
    )


async def test_ph_samples_keep_a_day_and_skip_impossible_readings(
    hass: HomeAssistant,
    loaded_farm: MockConfigEntry,
    freezer: FrozenDateTimeFactory,
) -> None:
    """One sample per half hour, the last 24 h only; a pH of 15 is no sample."""
    for step, value in enumerate((6.0, 6.05, 15.0, 6.1, 6.2)):
        if step:
            freezer.tick(timedelta(hours=10))
        _ph(hass, value)
        await hass.async_block_till_done()
        _ph(hass, value + 0.01)  # ten minutes later in effect: within the half hour
        await hass.async_block_till_done()
    stored = loaded_farm.runtime_data.store.state(TANK_ID)
    # samples at 0, 10, 30 and 40 h (pH 15 at 20 h skipped, as are the readings
    # minutes after each); the day before 40 h keeps 30 and 40 h
    assert [item[1] for item in stored["ph_history"]] == [6.1, 6.2]


async def test_tank_form_links_a_volume_sensor(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """The tank form takes a volume sensor; a tank without one keeps its data as it was."""
    result = await hass.config_entries.subentries.async_init(
        (loaded_farm.entry_id, "tank"), context={"source": SOURCE_USER}
    )
    assert "volume_sensor" in result["data_schema"].schema
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"],
        {
            "name": "Tank C",
            "tank_type": "nutrient",
            "volume_l": 100,
            "system": "hydro",
            "level_sensor": "sensor.tank_c_level",
            "volume_sensor": "sensor.tank_c_volume",
        },
    )
    assert result["type"] is FlowResultType.CREATE_ENTRY
    assert result["data"]["volume_sensor"] == "sensor.tank_c_volume"
    await hass.async_block_till_done()
    farm = loaded_farm.runtime_data.farm
    (tank,) = [item for item in farm.config.tanks.values() if item.name == "Tank C"]
    assert tank.volume_sensor == "sensor.tank_c_volume"
    assert "volume_sensor" not in loaded_farm.subentries[TANK_ID].data
    assert farm.config.tanks[TANK_ID].volume_sensor is None


def test_every_tank_problem_can_be_said() -> None:
    """Voice answers name each problem a tank can have, the new ones included."""
    assert set(PROBLEM_PHRASES) == {str(problem) for problem in TankProblem}
