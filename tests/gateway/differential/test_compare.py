"""The response comparison the differential test relies on."""

from __future__ import annotations

from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from .compare import MISSING, differences, null_paths, pointer

leaves = st.none() | st.booleans() | st.integers() | st.text(max_size=5)
json_values = st.recursive(
    leaves,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(min_size=1, max_size=4), inner, max_size=4),
    max_leaves=20,
)


@given(json_values)
def test_a_response_agrees_with_itself(data: Any) -> None:
    assert differences({"data": data}, {"data": data}) == []


@given(json_values, json_values)
def test_differing_data_is_reported(a: Any, b: Any) -> None:
    assert (differences({"data": a}, {"data": b}) == []) == (a == b)


@given(json_values)
def test_every_null_path_points_at_a_null(data: Any) -> None:
    for path in null_paths(data):
        ref = "".join("/" + str(step).replace("~", "~0").replace("/", "~1") for step in path)
        assert pointer(data, ref) is None


def test_error_presence_and_paths() -> None:
    base = {"data": {"a": None}, "errors": [{"message": "x", "path": ["a"]}]}
    assert differences(base, {"data": {"a": None}, "errors": [{"message": "other words", "path": ["a"]}]}) == []
    assert differences(base, {"data": {"a": None}})
    assert differences(base, {"data": {"a": None}, "errors": [{"message": "x", "path": ["b"]}]})
    # an error without a path on one side is not a path mismatch
    assert differences(base, {"data": {"a": None}, "errors": [{"message": "x"}]}) == []


def test_pointer_missing_step() -> None:
    assert pointer({"data": {"a": [1]}}, "/data/a/3") is MISSING
    assert pointer({"data": {"a": [1]}}, "/data/a/0") == 1
