"""The request schemas on values JSON parsing alone would not produce."""

from __future__ import annotations

from typing import Any

import pytest

from vertical_farm_planner.errors import PlannerError
from vertical_farm_planner.schemas import JOURNAL_BATCH, SUCCESSION_REQUEST, validate


def refusal(schema: Any, value: Any) -> tuple[str, str]:
    """Return the field and message of the refusal of ``value``."""
    with pytest.raises(PlannerError) as caught:
        validate(schema, value)
    assert caught.value.code == "invalid_request"
    return str(caught.value.params["field"]), caught.value.message


@pytest.mark.parametrize(
    "data",
    [
        {"ec": float("nan")},
        {"nested": {"readings": [1.0, float("inf")]}},
        # Beyond any real figure: a float cannot hold it, or forecasts from
        # it run off the calendar.
        {"level_l": int("9" * 400)},
        {"nested": {"readings": [1.0, -1e16]}},
        {"level_l": 1.7e308},
    ],
)
def test_journal_data_must_be_finite(data: dict[str, Any]) -> None:
    batch = {
        "farm_id": "f",
        "records": [
            {"id": "e", "at": "2026-05-01T00:00:00Z", "kind": "fed", "data": data}
        ],
    }
    field, message = refusal(JOURNAL_BATCH, batch)
    assert field == "records.0.data"
    assert "finite" in message


def test_journal_data_is_bounded() -> None:
    deep: dict[str, Any] = {}
    inner = deep
    for _ in range(20):
        inner["next"] = {}
        inner = inner["next"]
    large = {"note": "x" * 17_000}
    for data, words in ((deep, "nested deeper"), (large, "larger than")):
        batch = {
            "farm_id": "f",
            "records": [
                {"id": "e", "at": "2026-05-01T00:00:00Z", "kind": "fed", "data": data}
            ],
        }
        field, message = refusal(JOURNAL_BATCH, batch)
        assert field == "records.0.data"
        assert words in message


def plan(**crop: Any) -> dict[str, Any]:
    """Return a succession request with one crop, overridden by ``crop``."""
    return {
        "farm_id": "f",
        "horizon_weeks": 4,
        "racks": [{"id": "r", "shelves": 1, "sites_per_shelf": 2}],
        "crops": [
            {
                "id": "c",
                "phase_days": {"vegetative": 7},
                "ec_range": [1, 2],
                "ph_range": [5, 6],
                "photoperiod_h": 16,
                **crop,
            }
        ],
    }


@pytest.mark.parametrize(
    ("crop", "field", "words"),
    [
        ({"photoperiod_h": "16"}, "crops.0.photoperiod_h", "number"),
        ({"photoperiod_h": False}, "crops.0.photoperiod_h", "number"),
        ({"ec_range": "1-2"}, "crops.0.ec_range", "[low, high]"),
        ({"ec_range": [1, 2, 3]}, "crops.0.ec_range", "[low, high]"),
        ({"weekly_demand": 1.5}, "crops.0.weekly_demand", "whole number"),
        ({"antagonists": ["has space"]}, "crops.0.antagonists.0", "ASCII"),
    ],
)
def test_crop_fields_are_checked(crop: dict[str, Any], field: str, words: str) -> None:
    found, message = refusal(SUCCESSION_REQUEST, plan(**crop))
    assert found == field
    assert words in message


def test_dates_and_bodies_are_checked() -> None:
    request = plan()
    request["start"] = 20261207
    assert refusal(SUCCESSION_REQUEST, request)[0] == "start"
    request["start"] = "2026-13-07"
    assert refusal(SUCCESSION_REQUEST, request)[0] == "start"
    assert refusal(SUCCESSION_REQUEST, "plan")[0] == "(body)"
    del request["start"]
    del request["farm_id"]
    field, message = refusal(SUCCESSION_REQUEST, request)
    assert field == "farm_id"
    assert "required field is missing" in message


def test_a_valid_request_gets_its_defaults() -> None:
    checked = validate(SUCCESSION_REQUEST, plan())
    assert checked["existing"] == []
    assert checked["tanks"] == []
    (crop,) = checked["crops"]
    assert crop["sites_per_plant"] == 1
    assert crop["weekly_demand"] == 0
    assert crop["antagonists"] == []
    assert crop["ec_range"] == (1.0, 2.0)
    assert checked["racks"][0]["light_group"] is None
