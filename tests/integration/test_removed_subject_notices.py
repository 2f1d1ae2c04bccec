"""A removed tank or rack takes its conflict and mismatch notices with it."""

from homeassistant.core import HomeAssistant
from homeassistant.helpers import issue_registry as ir
from pytest_homeassistant_custom_component.common import MockConfigEntry

from custom_components.vertical_farm.const import DOMAIN

from .conftest import TANK_ID
from .test_tank_conflict import shared_tank  # noqa: F401 - a fixture


async def test_removing_a_tank_removes_its_conflict_notice(
    hass: HomeAssistant,
    shared_tank: MockConfigEntry,  # noqa: F811
) -> None:
    """The plant conflict of a tank that is gone is no problem any more."""
    issues = ir.async_get(hass)
    conflict = f"tank_conflict_{TANK_ID}"
    assert issues.async_get_issue(DOMAIN, conflict) is not None
    missing = [
        issue_id
        for (domain, issue_id) in issues.issues
        if domain == DOMAIN and issue_id.startswith("missing_entity_")
    ]
    assert missing

    hass.config_entries.async_remove_subentry(shared_tank, TANK_ID)
    await hass.async_block_till_done()
    assert issues.async_get_issue(DOMAIN, conflict) is None
    assert issues.async_get_issue(DOMAIN, f"tank_removed_{TANK_ID}") is not None
    # Notices about the rack's own sensors stay.
    assert (DOMAIN, next(m for m in missing if "rack_one" in m)) in issues.issues
