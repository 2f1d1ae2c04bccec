"""Diagnostics for a farm: its configuration and a summary of its journal."""

from __future__ import annotations

from collections import Counter
from typing import Any

from homeassistant.components.diagnostics import async_redact_data
from homeassistant.config_entries import ConfigEntryState
from homeassistant.core import HomeAssistant
from yarl import URL

from .const import CONF_PLANNER_TOKEN, CONF_PLANNER_URL
from .farm import FarmConfigEntry

TO_REDACT = {CONF_PLANNER_TOKEN}


async def async_get_config_entry_diagnostics(
    hass: HomeAssistant, entry: FarmConfigEntry
) -> dict[str, Any]:
    """What a bug report needs, with the planner token and any login redacted.

    A farm that is not running (unloaded, or failed to start) gives its setup.
    """
    found: dict[str, Any] = {
        "loaded": entry.state is ConfigEntryState.LOADED,
        "entry": {
            "title": entry.title,
            "data": dict(entry.data),
            "options": _options(entry),
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
    }
    if not found["loaded"]:
        return found
    runtime = entry.runtime_data
    journal = runtime.store.journal
    ledger = runtime.farm.ledger
    planner = runtime.planner
    return {
        **found,
        "library": {
            "species": len(runtime.library.species),
            "fertilizers": len(runtime.library.fertilizers),
            "products": len(runtime.library.products),
        },
        "linked_entities": {
            "count": len(ledger.linked),
            "unavailable": sorted(ledger.unavailable),
            "missing": sorted(ledger.missing_entities),
        },
        "planner": {
            "configured": planner.configured,
            "connected": planner.connected,
            "auth_failed": planner.auth_failed,
            "unreachable_since": planner.unreachable_since,
            "retry_s": planner.retry_s,
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
            "plan": (planner.plan or {}).get("plan_id"),
        },
        "journal": {
            "records": len(journal),
            "by_kind": dict(Counter(record["kind"] for record in journal)),
            "last": journal[-1]["at"] if journal else None,
        },
    }


def _options(entry: FarmConfigEntry) -> dict[str, Any]:
    """The farm's options: no token, and the planner's address without a login."""
    options: dict[str, Any] = async_redact_data(dict(entry.options), TO_REDACT)
    if url := options.get(CONF_PLANNER_URL):
        options[CONF_PLANNER_URL] = str(URL(url).with_user(None))
    return options
