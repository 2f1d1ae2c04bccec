"""Request schemas: what every API body and query string must look like.

Each schema turns raw JSON (or query parameters) into checked Python values,
or raises `PlannerError("invalid_request")` naming the field and the reason.
The OpenAPI document in `openapi.py` describes the same shapes for clients.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, date, datetime
import json
import math
import re
from typing import Any, Final

import voluptuous as vol

from .errors import PlannerError

MAX_JOURNAL_BATCH: Final = 1000
MAX_JOURNAL_PAGE: Final = 1000
DEFAULT_JOURNAL_PAGE: Final = 100
MAX_PLAN_PAGE: Final = 100
DEFAULT_PLAN_PAGE: Final = 20
MAX_HORIZON_WEEKS: Final = 104
MAX_RACKS: Final = 100
MAX_SHELVES: Final = 12
MAX_SITES_PER_SHELF: Final = 10_000
MAX_CROPS: Final = 200
MAX_EXISTING: Final = 5000
MAX_HISTORY_DAYS: Final = 3660
DEFAULT_HISTORY_DAYS: Final = 90
MAX_RECORD_DATA_BYTES: Final = 16 * 1024
MAX_RECORD_DATA_DEPTH: Final = 16
# Far beyond any litre, millilitre or reading, and exact as a JSON number.
MAX_RECORD_NUMBER: Final = 1e15
# Times and dates from 1970 to 2999: far from the calendar's ends, so a history
# window, a horizon or a forecast counted from them stays on the calendar.
EARLIEST_DATE: Final = date(1970, 1, 1)
LATEST_DATE: Final = date(2999, 12, 31)
_TIME_RANGE: Final = f"from {EARLIEST_DATE} to {LATEST_DATE} (UTC)"

PHASES: Final = (
    "germination",
    "seedling",
    "vegetative",
    "flowering",
    "fruiting",
    "ripening",
    "harvest",
    "dormancy",
)
_IDENTIFIER: Final = re.compile(r"[\x21-\x7e]{1,64}")
_KIND: Final = re.compile(r"[a-z][a-z0-9_]{0,63}")


def _identifier(value: Any) -> str:
    """Accept an id: 1-64 visible ASCII characters."""
    if not isinstance(value, str) or not _IDENTIFIER.fullmatch(value):
        raise vol.Invalid("expected 1-64 visible ASCII characters")
    return value


def _kind(value: Any) -> str:
    """Accept a record kind in lower-case snake_case."""
    if not isinstance(value, str) or not _KIND.fullmatch(value):
        raise vol.Invalid("expected lower-case snake_case, at most 64 characters")
    return value


def _name(value: Any) -> str:
    """Accept a display name without control characters."""
    if (
        not isinstance(value, str)
        or not 1 <= len(value) <= 100
        or any(ord(character) < 32 or ord(character) == 127 for character in value)
    ):
        raise vol.Invalid("expected 1-100 characters without control characters")
    return value


def _whole(minimum: int, maximum: int) -> Callable[[Any], int]:
    """Return a validator of a whole number in a range (not a boolean)."""

    def validate(value: Any) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise vol.Invalid("expected a whole number")
        if not minimum <= value <= maximum:
            raise vol.Invalid(f"expected a whole number from {minimum} to {maximum}")
        return value

    return validate


def _number(minimum: float, maximum: float) -> Callable[[Any], float]:
    """Return a validator of a finite number in a range (not a boolean)."""

    def validate(value: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise vol.Invalid("expected a number")
        if not math.isfinite(value) or not minimum <= value <= maximum:
            raise vol.Invalid(f"expected a number from {minimum} to {maximum}")
        return float(value)

    return validate


def _range(minimum: float, maximum: float) -> Callable[[Any], tuple[float, float]]:
    """Return a validator of a ``[low, high]`` pair inside a range."""
    number = _number(minimum, maximum)

    def validate(value: Any) -> tuple[float, float]:
        if not isinstance(value, list) or len(value) != 2:
            raise vol.Invalid("expected [low, high]")
        low, high = number(value[0]), number(value[1])
        if low > high:
            raise vol.Invalid("low must not be above high")
        return (low, high)

    return validate


def aware_datetime(value: Any) -> datetime:
    """Accept an ISO 8601 date and time with a UTC offset; return it in UTC."""
    if not isinstance(value, str) or len(value) > 40:
        raise vol.Invalid("expected an ISO 8601 date and time")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError as err:
        raise vol.Invalid("expected an ISO 8601 date and time") from err
    if parsed.tzinfo is None:
        raise vol.Invalid("the date and time needs a UTC offset")
    try:
        utc = parsed.astimezone(UTC)
    except OverflowError as err:  # the offset moves it off the calendar
        raise vol.Invalid(f"expected a time {_TIME_RANGE}") from err
    if not EARLIEST_DATE <= utc.date() <= LATEST_DATE:
        raise vol.Invalid(f"expected a time {_TIME_RANGE}")
    return utc


def iso_date(value: Any) -> date:
    """Accept an ISO 8601 calendar date."""
    if not isinstance(value, str) or len(value) != 10:
        raise vol.Invalid("expected an ISO 8601 date (YYYY-MM-DD)")
    try:
        parsed = date.fromisoformat(value)
    except ValueError as err:
        raise vol.Invalid("expected an ISO 8601 date (YYYY-MM-DD)") from err
    if not EARLIEST_DATE <= parsed <= LATEST_DATE:
        raise vol.Invalid(f"expected a date from {EARLIEST_DATE} to {LATEST_DATE}")
    return parsed


def _json_object(value: Any) -> dict[str, Any]:
    """Accept a JSON object of at most 16 KiB as UTF-8 JSON, nested at most 16 deep."""
    if not isinstance(value, dict):
        raise vol.Invalid("expected an object")
    # Numbers are checked because SQLite's JSON refuses NaN and infinity and
    # forecasts read them as floats.
    _check_finite(value, 0)
    # UTF-8 bytes, not ASCII-escaped JSON, which counts a letter of a
    # non-Latin script as six bytes; surrogatepass: a lone surrogate the JSON
    # escaped is counted, not a crash.
    encoded = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    if len(encoded.encode("utf-8", "surrogatepass")) > MAX_RECORD_DATA_BYTES:
        raise vol.Invalid(f"larger than {MAX_RECORD_DATA_BYTES} bytes")
    return value


def _check_finite(value: Any, depth: int) -> None:
    """Refuse NaN, infinity, huge numbers and deep nesting inside a JSON value."""
    if depth > MAX_RECORD_DATA_DEPTH:
        raise vol.Invalid(f"nested deeper than {MAX_RECORD_DATA_DEPTH} levels")
    # Not `abs(value) <= ...` alone: NaN compares false both ways.
    if isinstance(value, int | float) and not (
        -MAX_RECORD_NUMBER <= value <= MAX_RECORD_NUMBER
    ):
        raise vol.Invalid(
            f"numbers must be finite, from -{MAX_RECORD_NUMBER:g} "
            f"to {MAX_RECORD_NUMBER:g}"
        )
    if isinstance(value, dict):
        for item in value.values():
            _check_finite(item, depth + 1)
    elif isinstance(value, list):
        for item in value:
            _check_finite(item, depth + 1)


def _query_whole(minimum: int, maximum: int) -> Callable[[Any], int]:
    """Return a validator of a whole number given as query text."""
    whole = _whole(minimum, maximum)

    def validate(value: Any) -> int:
        if isinstance(value, int):  # the default
            return whole(value)
        if not isinstance(value, str) or not value.isdigit() or len(value) > 9:
            raise vol.Invalid("expected a whole number")
        return whole(int(value))

    return validate


JOURNAL_RECORD: Final = vol.Schema(
    {
        vol.Required("id"): _identifier,
        vol.Required("at"): aware_datetime,
        vol.Required("kind"): _kind,
        vol.Optional("subject", default=None): vol.Any(None, _identifier),
        vol.Optional("data", default=dict): _json_object,
    }
)

JOURNAL_BATCH: Final = vol.Schema(
    {
        vol.Required("farm_id"): _identifier,
        vol.Required("records"): vol.All(
            [JOURNAL_RECORD], vol.Length(min=1, max=MAX_JOURNAL_BATCH)
        ),
    }
)

JOURNAL_QUERY: Final = vol.Schema(
    {
        vol.Optional("farm_id"): _identifier,
        vol.Optional("subject"): _identifier,
        vol.Optional("kind"): _kind,
        vol.Optional("since"): aware_datetime,
        vol.Optional("until"): aware_datetime,
        vol.Optional("limit", default=DEFAULT_JOURNAL_PAGE): _query_whole(
            1, MAX_JOURNAL_PAGE
        ),
        vol.Optional("cursor"): vol.All(str, vol.Length(min=1, max=200)),
    }
)

RACK: Final = vol.Schema(
    {
        vol.Required("id"): _identifier,
        vol.Optional("name"): _name,
        vol.Required("shelves"): _whole(1, MAX_SHELVES),
        vol.Required("sites_per_shelf"): vol.Any(
            _whole(1, MAX_SITES_PER_SHELF),
            vol.All(
                [_whole(0, MAX_SITES_PER_SHELF)],
                vol.Length(min=1, max=MAX_SHELVES),
            ),
            msg="expected a whole number of sites, or one per shelf",
        ),
        vol.Optional("light_group", default=None): vol.Any(None, _identifier),
        vol.Optional("tank", default=None): vol.Any(None, _identifier),
        # A rack whose lights run fixed hours: its crops must accept them.
        vol.Optional("photoperiod_h", default=None): vol.Any(
            None,
            _number(0.0, 24.0),
            msg="expected null or a number of hours from 0.0 to 24.0",
        ),
    }
)

TANK: Final = vol.Schema(
    {
        vol.Required("id"): _identifier,
        vol.Optional("name"): _name,
    }
)

CROP: Final = vol.Schema(
    {
        vol.Required("id"): _identifier,
        vol.Optional("name"): _name,
        vol.Required("phase_days"): vol.All(
            {vol.In(PHASES): _whole(0, 730)}, vol.Length(min=1)
        ),
        vol.Optional("sites_per_plant", default=1): _whole(1, 100),
        vol.Required("ec_range"): _range(0.0, 10.0),
        vol.Required("ph_range"): _range(0.0, 14.0),
        vol.Required("photoperiod_h"): _number(0.0, 24.0),
        vol.Optional("photoperiod_range_h"): _range(0.0, 24.0),
        vol.Optional("antagonists", default=list): vol.All(
            [_identifier], vol.Length(max=MAX_CROPS)
        ),
        vol.Optional("weekly_demand", default=0): _whole(0, 100_000),
    }
)

EXISTING_PLANTING: Final = vol.Schema(
    {
        vol.Required("crop"): _identifier,
        vol.Required("rack"): _identifier,
        vol.Required("shelf"): _whole(1, MAX_SHELVES),
        vol.Required("quantity"): _whole(1, 100_000),
        vol.Required("sown"): iso_date,
        vol.Optional("until"): iso_date,
    }
)

SUCCESSION_REQUEST: Final = vol.Schema(
    {
        vol.Required("farm_id"): _identifier,
        vol.Optional("start"): iso_date,
        vol.Required("horizon_weeks"): _whole(1, MAX_HORIZON_WEEKS),
        vol.Required("racks"): vol.All([RACK], vol.Length(min=1, max=MAX_RACKS)),
        vol.Optional("tanks", default=list): vol.All([TANK], vol.Length(max=MAX_RACKS)),
        vol.Required("crops"): vol.All([CROP], vol.Length(min=1, max=MAX_CROPS)),
        vol.Optional("existing", default=list): vol.All(
            [EXISTING_PLANTING], vol.Length(max=MAX_EXISTING)
        ),
    }
)

PLAN_QUERY: Final = vol.Schema({vol.Optional("farm_id"): _identifier})

PLAN_LIST_QUERY: Final = vol.Schema(
    {
        vol.Optional("farm_id"): _identifier,
        vol.Optional("limit", default=DEFAULT_PLAN_PAGE): _query_whole(
            1, MAX_PLAN_PAGE
        ),
    }
)

FORECAST_QUERY: Final = vol.Schema(
    {
        vol.Optional("at"): aware_datetime,
        vol.Optional("history_days", default=DEFAULT_HISTORY_DAYS): _query_whole(
            1, MAX_HISTORY_DAYS
        ),
    }
)


def validate(schema: vol.Schema, value: Any) -> dict[str, Any]:
    """Return ``value`` checked by ``schema``.

    Raises:
        PlannerError: ``invalid_request`` naming the first bad field.
    """
    if not isinstance(value, Mapping):
        raise PlannerError(
            "invalid_request", field="(body)", reason="expected an object"
        )
    try:
        checked: dict[str, Any] = schema(dict(value))
    except vol.MultipleInvalid as err:
        raise _refusal(err.errors[0]) from err
    return checked


def refuse(field: str, reason: str) -> PlannerError:
    """Return the error for a request that is well formed but inconsistent."""
    return PlannerError("invalid_request", field=field, reason=reason)


def _refusal(err: vol.Invalid) -> PlannerError:
    """Return the planner error for one voluptuous failure."""
    field = ".".join(str(part) for part in err.path) or "(body)"
    reason = err.error_message or "invalid value"
    if reason.startswith("extra keys not allowed"):
        reason = "unknown field"
    elif reason.startswith("required key not provided"):
        reason = "required field is missing"
    return PlannerError("invalid_request", field=field, reason=reason)
