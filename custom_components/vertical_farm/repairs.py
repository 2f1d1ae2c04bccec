"""Repair flows: the notices Vertical Farm raises are read and dismissed."""

from __future__ import annotations

from homeassistant.components.repairs import ConfirmRepairFlow, RepairsFlow
from homeassistant.core import HomeAssistant


async def async_create_fix_flow(
    hass: HomeAssistant, issue_id: str, data: dict[str, str | int | float | None] | None
) -> RepairsFlow:
    """Removed racks and tanks: the user confirms they have read what changed."""
    return ConfirmRepairFlow()
