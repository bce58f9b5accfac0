"""The alert list's parameters: what is accepted, what is named as wrong, and that links keep the list."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from web.alert_view import evidence_facts, parse_list

USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
filters = st.fixed_dictionaries({}, optional={
    "rule": st.builds(lambda n, letter: f"S{n:02d}{letter}", st.integers(1, 34), st.sampled_from(["", "b"])),
    "severity": st.sampled_from(["RED", "YELLOW", "INFO"]),
    "status": st.sampled_from(["OPEN", "ACKNOWLEDGED", "RECTIFIED", "DISMISSED"]),
    "body": st.text(USCC_CHARS, min_size=18, max_size=18),
    "region": st.sampled_from(["445100", "445102", "445102001", "445122100001"]),
    "case": st.uuids().map(str),
})


@settings(max_examples=80, deadline=None)
@given(filters, st.sampled_from(["rule", "severity", "due", "detected"]), st.sampled_from(["asc", "desc"]))
def test_a_link_of_the_list_gives_the_same_list_back(flt: dict[str, str], sort: str, direction: str) -> None:
    query = parse_list({**flt, "sort": sort, "dir": direction})
    assert query.filters == flt
    assert query.errors == {}
    again = parse_list(dict(parse_qsl(urlsplit(query.link()).query)))
    assert (again.filters, again.sort, again.direction) == (flt, sort, direction)
    flipped = parse_list(dict(parse_qsl(urlsplit(query.sort_link(sort)).query)))
    assert flipped.direction == ("asc" if direction == "desc" else "desc")
    assert flipped.filters == flt


def test_values_are_normalised_or_named_as_wrong() -> None:
    query = parse_list({"rule": "s07B", "severity": "red", "region": "44x", "body": "abc", "case": "a b",
                        "sort": "body"})
    assert query.filters == {"rule": "S07b", "severity": "RED"}
    assert set(query.errors) == {"region", "body", "case", "sort"}
    assert query.variables()["orderBy"] == "DETECTED_AT"
    assert query.variables()["descending"] is True


def test_evidence_reads_as_words_dates_and_money() -> None:
    facts = dict(evidence_facts({"period_due": "2026-03-01", "unit": "WORKING_DAYS", "fine_fen": 1_250_000,
                                 "major": True, "acts": ["SEAL", "SEIZE"], "done_on": None, "state": "CLUE_VERIFYING"}))
    assert facts == {"期限届满日": "2026-03-01", "期限单位": "工作日", "罚款金额": "1.25 万元", "重大案件": "是",
                     "执法行为": "SEAL、SEIZE", "实际完成日": "—", "案件状态": "核查（CLUE_VERIFYING）"}
