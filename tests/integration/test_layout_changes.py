"""Changing the farm's layout: what racks, tanks and plants show afterwards."""

from typing import Any

from homeassistant.config_entries import SOURCE_RECONFIGURE
from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
import pytest
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN

from .conftest import (
    BASIL_DATA,
    PLANT_ID,
    RACK_DATA,
    RACK_ID,
    TANK_DATA,
    TANK_ID,
    farm_with,
    set_up,
    subentry,
    subject_state,
)

RACK_TWO_ID = "01RACK2000000000000000000A"
TOMATO_ID = "01PLANTTOMATO0000000000000"
TOMATO = {
    "name": "Tomato",
    "species": "tomato",
    "quantity": 1,
    "rack": RACK_ID,
    "shelf": 1,
    "planted": "2026-11-01",
    "phase": "fruiting",
    "care_preset": "annual_vegetable",
}


async def _reconfigure(
    hass: HomeAssistant, entry: MockConfigEntry, subentry_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    subentry_type = entry.subentries[subentry_id].subentry_type
    result = await hass.config_entries.subentries.async_init(
        (entry.entry_id, subentry_type),
        context={"source": SOURCE_RECONFIGURE, "subentry_id": subentry_id},
    )
    result = await hass.config_entries.subentries.async_configure(
        result["flow_id"], data
    )
    if result.get("step_id") == "warnings":
        result = await hass.config_entries.subentries.async_configure(
            result["flow_id"], {}
        )
    await hass.async_block_till_done()
    return result


@pytest.fixture
async def conflicted(hass: HomeAssistant) -> MockConfigEntry:
    """Basil seedlings and a fruiting tomato on rack one, drinking from tank A."""
    entry = farm_with(
        hass,
        "Basement",
        [
            subentry(TANK_ID, "tank", TANK_DATA),
            subentry(RACK_ID, "rack", RACK_DATA),
            subentry(RACK_TWO_ID, "rack", {"name": "Rack two", "shelves": 2}),
            subentry(PLANT_ID, "plant", BASIL_DATA),
            subentry(TOMATO_ID, "plant", TOMATO),
        ],
    )
    return await set_up(hass, entry)


def _conflict_issue(hass: HomeAssistant) -> ir.IssueEntry | None:
    return ir.async_get(hass).async_get_issue(DOMAIN, f"tank_conflict_{TANK_ID}")


async def test_rack_unlinked_from_its_tank_leaves_the_tank_without_plants(
    hass: HomeAssistant, conflicted: MockConfigEntry
) -> None:
    """The tank the rack drew from no longer counts its plants or their conflict."""
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "on"
    assert _conflict_issue(hass) is not None
    without_tank = {key: value for key, value in RACK_DATA.items() if key != "tank"}
    result = await _reconfigure(hass, conflicted, RACK_ID, without_tank)
    assert result["reason"] == "reconfigure_successful"
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "off"
    assert _conflict_issue(hass) is None


async def test_plant_moved_to_another_rack_leaves_the_old_tank(
    hass: HomeAssistant, conflicted: MockConfigEntry
) -> None:
    """The tomato moves to rack two (no tank): tank A's conflict goes."""
    result = await _reconfigure(
        hass, conflicted, TOMATO_ID, {**TOMATO, "rack": RACK_TWO_ID, "shelf": 2}
    )
    assert result["reason"] == "reconfigure_successful"
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "off"
    assert _conflict_issue(hass) is None


async def test_plant_removed_leaves_its_tank(
    hass: HomeAssistant, conflicted: MockConfigEntry
) -> None:
    """The fruiting tomato is removed: tank A's conflict goes with it."""
    assert hass.config_entries.async_remove_subentry(conflicted, TOMATO_ID)
    await hass.async_block_till_done()
    assert subject_state(hass, TANK_ID, "conflict", "binary_sensor") == "off"
    assert _conflict_issue(hass) is None


async def test_renames_reach_the_repair_notices(
    hass: HomeAssistant, conflicted: MockConfigEntry
) -> None:
    """A notice raised before a rename names the tank, rack and plants anew."""
    issues = ir.async_get(hass)
    missing = f"missing_entity_{conflicted.entry_id}_sensor.rack_one_temperature"
    assert issues.async_get_issue(DOMAIN, missing) is not None

    await _reconfigure(hass, conflicted, TOMATO_ID, {**TOMATO, "name": "Big tomato"})
    await _reconfigure(
        hass,
        conflicted,
        TANK_ID,
        {key: value for key, value in TANK_DATA.items() if value != []}
        | {"name": "Tank B"},
    )
    await _reconfigure(hass, conflicted, RACK_ID, {**RACK_DATA, "name": "Rack uno"})

    issue = _conflict_issue(hass)
    assert issue is not None
    assert issue.translation_placeholders == {
        "farm": "Basement",
        "name": "Tank B",
        "plants": "Basil tray, Big tomato",
    }
    issue = issues.async_get_issue(DOMAIN, missing)
    assert issue is not None
    assert issue.translation_placeholders is not None
    assert issue.translation_placeholders["name"] == "Rack uno"


async def test_farm_rename_reaches_the_repair_notices(
    hass: HomeAssistant, conflicted: MockConfigEntry
) -> None:
    """The farm renamed in its settings: every notice it shows names it anew."""
    hass.states.async_set("sensor.tank_a_ec", "1.2", {"unit_of_measurement": "dS/ft"})
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    shown = [
        f"tank_conflict_{TANK_ID}",
        f"missing_entity_{conflicted.entry_id}_sensor.rack_one_temperature",
        f"unit_{conflicted.entry_id}_sensor.tank_a_ec",
    ]
    for issue_id in shown:
        issue = issues.async_get_issue(DOMAIN, issue_id)
        assert issue is not None, issue_id
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["farm"] == "Basement"

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_RECONFIGURE, "entry_id": conflicted.entry_id},
    )
    result = await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {key: value for key, value in conflicted.data.items() if value is not None}
        | {"name": "Cellar"},
    )
    await hass.async_block_till_done()
    assert result["reason"] == "reconfigure_successful"
    assert conflicted.title == "Cellar"

    for issue_id in shown:
        issue = issues.async_get_issue(DOMAIN, issue_id)
        assert issue is not None, issue_id
        assert issue.translation_placeholders is not None
        assert issue.translation_placeholders["farm"] == "Cellar", issue_id


async def test_farm_rename_reaches_the_removed_rack_notice(
    hass: HomeAssistant, conflicted: MockConfigEntry
) -> None:
    """A removed rack's notice is never raised again: renamed with the farm."""
    assert hass.config_entries.async_remove_subentry(conflicted, RACK_ID)
    await hass.async_block_till_done()
    issues = ir.async_get(hass)
    issue_id = f"rack_removed_{RACK_ID}"
    before = issues.async_get_issue(DOMAIN, issue_id)
    assert before is not None
    assert before.translation_placeholders is not None
    assert before.translation_placeholders["farm"] == "Basement"

    result = await hass.config_entries.flow.async_init(
        DOMAIN,
        context={"source": SOURCE_RECONFIGURE, "entry_id": conflicted.entry_id},
    )
    await hass.config_entries.flow.async_configure(
        result["flow_id"],
        {key: value for key, value in conflicted.data.items() if value is not None}
        | {"name": "Cellar"},
    )
    await hass.async_block_till_done()

    after = issues.async_get_issue(DOMAIN, issue_id)
    assert after is not None
    assert after.translation_placeholders == {
        **before.translation_placeholders,
        "farm": "Cellar",
    }
    assert (after.is_persistent, after.is_fixable, after.data) == (
        before.is_persistent,
        before.is_fixable,
        before.data,
    )
