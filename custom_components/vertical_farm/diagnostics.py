"""Diagnostics for a farm: its configuration and a summary of its journal."""

from __future__ import annotations

from collections import Counter
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.core import HomeAssistant

from .const import CONF_PLANNER_TOKEN
from .farm import FarmConfigEntry

TO_REDACT = {CONF_PLANNER_TOKEN}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: FarmConfigEntry
) -> dict[str, Any]:
    """What a bug report needs, with the planner token redacted."""
    runtime = entry.runtime_data
    journal = runtime.store.journal
    return {
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": async_redact_data(dict(entry.options), TO_REDACT),
        },
        "subentries": [
            {
                "subentry_id": subentry.subentry_id,
                "type": subentry.subentry_type,
                "title": subentry.title,
                "data": dict(subentry.data),
            }
            for subentry in entry.subentries.values()
        ],
        "library": {
            "species": len(runtime.library.species),
            "fertilizers": len(runtime.library.fertilizers),
            "products": len(runtime.library.products),
        },
        "planner": {
            "configured": runtime.planner.configured,
            "connected": runtime.planner.connected,
            "auth_failed": runtime.planner.auth_failed,
            "records_waiting": runtime.store.outbox_size,
            # Refused as invalid: kept, never sent again.
            "records_refused": len(runtime.store.refused),
            "refused": [
                {
                    "id": item["record"]["id"],
                    "kind": item["record"]["kind"],
                    "at": item["record"]["at"],
                    "reason": item["reason"],
                }
                for item in runtime.store.refused
            ],
            "plan": (runtime.planner.plan or {}).get("plan_id"),
        },
        "journal": {
            "records": len(journal),
            "by_kind": dict(Counter(record["kind"] for record in journal)),
            "last": journal[-1]["at"] if journal else None,
        },
    }
