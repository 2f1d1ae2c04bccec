"""Compact JSON text of large answers, encoded in pieces off the event loop.

Python's C encoder holds the interpreter lock for a whole call, so one call
over a plan of many megabytes would stall the event loop even from a worker
thread. Encoding each member of an object and each item of a long list on
its own lets the loop run between the pieces; the text is the same as one
compact `json.dumps` call gives.
"""

from __future__ import annotations

import json
from typing import Any, Final

# Lists longer than this are encoded item by item.
_PIECE_ITEMS: Final = 16


def encode(value: Any) -> str:
    """Return ``value`` as compact JSON text.

    Raises:
        ValueError: for NaN or infinity, which JSON cannot carry.
        TypeError: for a value JSON has no form for.
    """
    if isinstance(value, dict) and all(isinstance(key, str) for key in value):
        members = ",".join(
            f"{_dumps(key)}:{encode(item)}" for key, item in value.items()
        )
        return f"{{{members}}}"
    if isinstance(value, list | tuple) and len(value) > _PIECE_ITEMS:
        # Each item is small (a sowing, a shelf's weeks): one C call each.
        return f"[{','.join(_dumps(item) for item in value)}]"
    return _dumps(value)


def _dumps(value: Any) -> str:
    """Return one piece of compact JSON text."""
    return json.dumps(value, separators=(",", ":"), allow_nan=False)
