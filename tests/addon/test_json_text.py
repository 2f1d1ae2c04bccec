"""JSON text made in pieces is the text one `json.dumps` call makes."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, strategies as st
import pytest

from vertical_farm_planner import json_text

JSON_VALUES = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda children: (
        st.lists(children, max_size=40)
        | st.dictionaries(st.text(), children, max_size=20)
    ),
    max_leaves=200,
)


@given(JSON_VALUES)
def test_pieces_make_the_same_text(value: Any) -> None:
    assert json_text.encode(value) == json.dumps(value, separators=(",", ":"))


@pytest.mark.parametrize("value", [float("nan"), {"a": [float("inf")] * 40}])
def test_nan_and_infinity_are_refused(value: Any) -> None:
    with pytest.raises(ValueError, match="JSON"):
        json_text.encode(value)
