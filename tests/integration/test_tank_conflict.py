"""A tank whose plants want EC ranges that do not meet keeps a target and says so."""

from typing import Any

from homeassistant.core import HomeAssistant
from homeassistant.exceptions import ServiceValidationError
from homeassistant.helpers import (
    device_registry as dr,
    issue_registry as ir,
)
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN

from .conftest import (
    BASIL_DATA,
    FARM_DATA,
    PLANT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    subentry,
    subject_state,
)

FRUITING_ID = "01PLANTTOMATO0000000000000"
YOUNG_ID = "01PLANTTOMATO0000000000001"
TOMATO = {
    "species": "tomato",
    "quantity": 1,
    "rack": RACK_ID,
    "shelf": 1,
    "planted": "2026-11-01",
    "care_preset": "annual_vegetable",
}

CONFLICT_WARNING = {"code": "tank_ec_conflict", "fertilizer": None, "other": None}


@pytest.fixture
async def shared_tank(hass: HomeAssistant) -> MockConfigEntry:
    """Basil seedlings and two tomatoes on one rack drinking from tank A.

    Basil seedlings want EC 0.8-1.2, a tomato seedling 1.0-1.6 and a fruiting
    tomato 2.5-3.5: the fruiting tomato meets neither.
    """
    entry = MockConfigEntry(
        domain=DOMAIN,
        title="Basement",
        unique_id="basement",
        data=FARM_DATA,
        subentries_data=[
            subentry(TANK_ID, "tank", TANK_DATA),
            subentry(RACK_ID, "rack", RACK_DATA),
            subentry(PLANT_ID, "plant", BASIL_DATA),
            subentry(
                FRUITING_ID,
                "plant",
                {**TOMATO, "name": "Tomato", "phase": "fruiting"},
            ),
            subentry(
                YOUNG_ID,
                "plant",
                {**TOMATO, "name": "Young tomato", "phase": "seedling"},
            ),
        ],
    )
    entry.add_to_hass(hass)
    assert await hass.config_entries.async_setup(entry.entry_id)
    await hass.async_block_till_done()
    return entry


def _device(hass: HomeAssistant, subject_id: str) -> str:
    (device,) = dr.async_get(hass).async_get_devices(identifiers={(DOMAIN, subject_id)})
    return device.id


async def _mix(hass: HomeAssistant, data: dict[str, Any]) -> Any:
    return await hass.services.async_call(
        DOMAIN,
        "mix_nutrients",
        {"tank": _device(hass, TANK_ID), **data},
        blocking=True,
        return_response=True,
    )


GROW = [{"fertilizer": "leafy_greens_one_part", "ml_per_l": 2}]


async def test_conflicting_plants_keep_ec_monitoring_and_mixing(
    hass: HomeAssistant, shared_tank: MockConfigEntry
) -> None:
    """The target serves the most plants; deviation, problem and mixing keep working."""
    # The conflict is still flagged.
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "on"
    # Basil and the young tomato meet in 1.0-1.2 (two plants against one):
    # set point 1.1.
    assert float(subject_state(hass, TANK_ID, "target_ec")) == pytest.approx(1.1)
    assert (
        subject_state(hass, TANK_ID, "ec_deviation") == "unavailable"
    )  # no reading yet

    # At 25 C no compensation: 1.65 is (1.65 - 1.1) / 1.1 = 50 % high, a problem.
    hass.states.async_set(
        "sensor.tank_a_water_temperature", "25", {"unit_of_measurement": "°C"}
    )
    hass.states.async_set("sensor.tank_a_ec", "1.65", {"unit_of_measurement": "mS/cm"})
    await hass.async_block_till_done()
    assert float(subject_state(hass, TANK_ID, "ec_deviation")) == pytest.approx(50.0)
    assert subject_state(hass, TANK_ID, "ec_problem", "binary_sensor") == "on"
    # 1.21 is 10 % high: fine.
    hass.states.async_set("sensor.tank_a_ec", "1.21", {"unit_of_measurement": "mS/cm"})
    await hass.async_block_till_done()
    assert float(subject_state(hass, TANK_ID, "ec_deviation")) == pytest.approx(10.0)
    assert subject_state(hass, TANK_ID, "ec_problem", "binary_sensor") == "off"

    # Mixing works to that target and warns that the plants' EC ranges do not meet.
    response = await _mix(hass, {"fertilizers": GROW})
    assert response["target_ec"] == pytest.approx(1.1)
    assert [step["fertilizer"] for step in response["steps"]] == [
        "leafy_greens_one_part"
    ]
    assert response["expected_ec"] == pytest.approx(1.1)
    assert response["warnings"] == [CONFLICT_WARNING]
    # A target given by hand is mixed as asked, still with the warning.
    response = await _mix(hass, {"fertilizers": GROW, "target_ec": 1.2})
    assert response["target_ec"] == 1.2
    assert response["warnings"] == [CONFLICT_WARNING]

    # The young tomato starts fruiting: two tomatoes now outweigh the basil,
    # 2.5-3.5, set point 3.0.
    await hass.services.async_call(
        DOMAIN,
        "set_phase",
        {"plant": _device(hass, YOUNG_ID), "phase": "fruiting"},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert float(subject_state(hass, TANK_ID, "target_ec")) == pytest.approx(3.0)
    # 1.21 is now (1.21 - 3.0) / 3.0 = -59.7 %: too weak for the tomatoes.
    assert float(subject_state(hass, TANK_ID, "ec_deviation")) == pytest.approx(
        -59.7, abs=0.05
    )
    assert subject_state(hass, TANK_ID, "ec_problem", "binary_sensor") == "on"
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "on"
    issue = ir.async_get(hass).async_get_issue(DOMAIN, f"tank_conflict_{TANK_ID}")
    assert issue is not None


async def test_agreeing_plants_get_no_conflict_warning(
    hass: HomeAssistant, loaded_farm: MockConfigEntry
) -> None:
    """Basil seedlings alone: the mix has no conflict warning."""
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "off"
    response = await _mix(hass, {"fertilizers": GROW})
    assert response["target_ec"] == pytest.approx(1.0)
    assert response["warnings"] == []


async def test_target_too_strong_for_seedlings_is_refused_as_a_conflict(
    hass: HomeAssistant, shared_tank: MockConfigEntry
) -> None:
    """Two fruiting tomatoes outvote the basil seedlings: target 3.0, seedlings stand 1.8.

    The tank keeps the tomatoes' target, but no mix to it is planned: the
    refusal names the conflict, the seedlings and what to do, and a target
    the seedlings stand is mixed with the conflict warning.
    """
    await hass.services.async_call(
        DOMAIN,
        "set_phase",
        {"plant": _device(hass, YOUNG_ID), "phase": "fruiting"},
        blocking=True,
    )
    await hass.async_block_till_done()
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "on"
    assert float(subject_state(hass, TANK_ID, "target_ec")) == pytest.approx(3.0)

    refusal = {
        "tank": "Tank A",
        "ec_low": "2.5",
        "ec_high": "3.5",
        "tank_target_ec": "3.0",
        "target_ec": "3.0",
        "plants": "Basil tray",
        "phase": "seedling",
        "system": "hydro",
        "ceiling": "1.8",
    }
    with pytest.raises(ServiceValidationError) as err:
        await _mix(hass, {"fertilizers": GROW})
    assert err.value.translation_domain == DOMAIN
    assert err.value.translation_key == "ec_conflict_above_ceiling"
    assert err.value.translation_placeholders == refusal
    message = str(err.value)
    assert "do not meet" in message
    assert "Basil tray" in message
    assert "{" not in message
    # A target given above what the seedlings stand is refused the same way.
    with pytest.raises(ServiceValidationError) as err:
        await _mix(hass, {"fertilizers": GROW, "target_ec": 2.0})
    assert err.value.translation_key == "ec_conflict_above_ceiling"
    assert err.value.translation_placeholders == {**refusal, "target_ec": "2.0"}

    # The way out the refusal names: a target the seedlings stand.
    response = await _mix(hass, {"fertilizers": GROW, "target_ec": 1.8})
    assert response["target_ec"] == 1.8
    assert response["expected_ec"] == pytest.approx(1.8)
    assert response["warnings"][0] == CONFLICT_WARNING
    assert response["ec_ceiling"] == {"ec": 1.8, "phase": "seedling"}
