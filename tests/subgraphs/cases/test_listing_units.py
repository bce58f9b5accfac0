"""Units of the case lists: region prefixes, keyset orderings and the page cache of decoded snapshots."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subgraphs.cases.listing import CASE_SORT_KEYS, ListInputError, ordering, region_prefix
from subgraphs.cases.rows import CaseRow
from subgraphs.cases.snapshot_cache import SnapshotCache


@pytest.mark.parametrize(("code", "prefix"), [("440000", "44"), ("445100", "4451"), ("445102", "445102"),
                                              ("445102001", "445102001"), ("4451", "4451")])
def test_a_region_code_selects_everything_below_it(code: str, prefix: str) -> None:
    assert region_prefix(code) == prefix


@given(st.from_regex(r"\A44[0-9]{4}\Z"))
def test_a_six_digit_code_is_under_its_own_prefix(code: str) -> None:
    prefix = region_prefix(code)
    assert code.startswith(prefix)
    assert len(prefix) in (2, 4, 6)
    assert code[len(prefix):].strip("0") == ""  # only the trailing 00 pairs are dropped


@pytest.mark.parametrize("code", ["", "44A100", "4451000", "x", "44510"])
def test_a_malformed_region_code_names_the_argument(code: str) -> None:
    with pytest.raises(ListInputError, match=r"filter\.region"):
        region_prefix(code)


def test_a_cursor_made_for_another_order_is_refused() -> None:
    by_fine = ordering(CASE_SORT_KEYS, [("FINE", True)], CaseRow.id)
    by_day = ordering(CASE_SORT_KEYS, [("DECIDED_ON", False)], CaseRow.id)
    cursor = {"o": by_fine.signature, "k": "C-1", "v": [100]}
    by_fine.after(cursor)  # its own order accepts it
    with pytest.raises(ListInputError, match="another orderBy"):
        by_day.after(cursor)
    with pytest.raises(ListInputError, match="invalid cursor"):
        by_fine.after({"o": by_fine.signature, "k": "C-1", "v": ["not a number"]})


def test_an_order_is_at_most_four_distinct_fields() -> None:
    with pytest.raises(ListInputError, match="twice"):
        ordering(CASE_SORT_KEYS, [("FINE", True), ("FINE", False)], CaseRow.id)
    with pytest.raises(ListInputError, match="at most 4"):
        ordering(CASE_SORT_KEYS, [(k, False) for k in list(CASE_SORT_KEYS)[:5]], CaseRow.id)


def test_the_page_cache_keeps_the_most_recent_snapshots_and_keys_by_version_and_head() -> None:
    cache = SnapshotCache(capacity=2)
    a, b, c = object(), object(), object()
    cache.put(("A", 1, "h1"), a)  # type: ignore[arg-type]
    cache.put(("B", 1, "h1"), b)  # type: ignore[arg-type]
    assert cache.get(("A", 1, "h1")) is a  # A is now the most recent
    cache.put(("C", 1, "h1"), c)  # type: ignore[arg-type]
    assert cache.get(("B", 1, "h1")) is None  # the least recent went
    assert cache.get(("A", 1, "h1")) is a
    assert cache.get(("A", 2, "h2")) is None  # a new version is another entry
    assert cache.get(("A", 1, "other head")) is None
    assert len(cache) == 2
