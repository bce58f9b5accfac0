"""Hypothesis strategies: valid identifiers built by the standards' algorithms, and invalid ones.

Each invalid value is wrong in one way a person or a system gets it wrong: a wrong check character,
a wrong length, a character outside the code's set, a control character, an impossible birth date.
"""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import strategies as st

from domain import regions
from domain.identifiers import (
    ID18_CHECK_CHARS,
    USCC_CHARSET,
    build_org_code,
    build_resident_id,
    build_uscc,
    id18_check_char,
)

#: C0 and C1 controls, DEL and a few format characters (zero-width space, BOM, bidi marks)
CONTROLS = st.one_of(st.characters(min_codepoint=0, max_codepoint=0x1F), st.sampled_from(
    ["\x7f", "\x85", "\x9f", "\u200b", "\u200e", "\u202e", "\ufeff"]))


def with_control(value: str) -> st.SearchStrategy[str]:
    """`value` with one control character inserted somewhere (start, middle or end)."""
    return st.tuples(st.integers(0, len(value)), CONTROLS).map(lambda t: value[:t[0]] + t[1] + value[t[0]:])


def _replace(value: str, i: int, c: str) -> str:
    return value[:i] + c + value[i + 1:]


# --- unified social credit codes (GB 32100) ----------------------------------------------------------

_ORG_BODY = st.text(USCC_CHARSET, min_size=8, max_size=8)  # a USCC carries no I, O, S, V or Z
_REGION_FOR_USCC = st.sampled_from((*regions.CHAOZHOU_COUNTIES, regions.CHAOZHOU_CITY, *regions.OTHER_COUNTIES))


def valid_usccs() -> st.SearchStrategy[str]:
    return st.builds(lambda dept, cat, region, body: build_uscc(dept, cat, region, build_org_code(body)),
                     st.sampled_from("159"), st.sampled_from("123"), _REGION_FOR_USCC, _ORG_BODY)


def _wrong_check(valid: str, charset: str) -> st.SearchStrategy[str]:
    return st.sampled_from([c for c in charset if c != valid[-1]]).map(lambda c: valid[:-1] + c)


def _wrong_length(valid: str) -> st.SearchStrategy[str]:
    return st.one_of(st.integers(0, len(valid) - 1).map(lambda n: valid[:n]),
                     st.text("0123456789", min_size=1, max_size=4).map(lambda extra: valid + extra))


def _illegal_char(valid: str, illegal: str) -> st.SearchStrategy[str]:
    return st.tuples(st.integers(0, len(valid) - 1), st.sampled_from(illegal)).map(
        lambda t: _replace(valid, t[0], t[1]))


def invalid_usccs() -> st.SearchStrategy[str]:
    """Wrong check character, wrong length, I/O/S/V/Z or punctuation, a control character."""
    return valid_usccs().flatmap(lambda v: st.one_of(
        _wrong_check(v, USCC_CHARSET), _wrong_length(v), _illegal_char(v, "IOSVZ*#/中 "), with_control(v)))


# --- resident ID numbers (GB 11643) ------------------------------------------------------------------

_BIRTHS = st.dates(min_value=date(1930, 1, 1), max_value=date(2005, 12, 31))
_ADDRESS = st.sampled_from((*regions.CHAOZHOU_COUNTIES, regions.CHAOAN_LEGACY, *regions.OTHER_COUNTIES))


def valid_resident_ids() -> st.SearchStrategy[str]:
    return st.builds(build_resident_id, _ADDRESS, _BIRTHS, st.integers(0, 999))


def _with_check(body17: str) -> str:
    return body17 + id18_check_char(body17)


def _impossible_birth(valid: str) -> st.SearchStrategy[str]:
    """A correct check character over a body whose birth date is no date, in the future or before 1900."""
    dates = st.sampled_from(["19901301", "19900230", "19900431", "19900000", "20991231", "18991231", "30000101"])
    return dates.map(lambda ymd: _with_check(valid[:6] + ymd + valid[14:17]))


def _unknown_province(valid: str) -> st.SearchStrategy[str]:
    return st.sampled_from(["00", "09", "20", "39", "99"]).map(lambda p: _with_check(p + valid[2:17]))


def invalid_resident_ids() -> st.SearchStrategy[str]:
    """Wrong check digit, impossible birth date, unknown province, wrong length, letters, a control."""
    return valid_resident_ids().flatmap(lambda v: st.one_of(
        _wrong_check(v, ID18_CHECK_CHARS), _impossible_birth(v), _unknown_province(v), _wrong_length(v),
        _illegal_char(v[:17], "ABCDEFGHJ*#/中").map(lambda body: body + v[17]), with_control(v),
        st.just("not-an-id")))


# --- region codes, item codes, dates -------------------------------------------------------------------


def invalid_region_codes() -> st.SearchStrategy[str]:
    """Not six digits, an unknown province, a Chaozhou code the city does not have, the 2013 code."""
    base = st.sampled_from((*regions.CHAOZHOU_COUNTIES, *regions.OTHER_COUNTIES))
    return st.one_of(
        base.flatmap(_wrong_length), base.flatmap(lambda v: _illegal_char(v, "AX -中")),
        st.sampled_from(["00", "09", "20", "39", "99"]).flatmap(
            lambda p: st.text("0123456789", min_size=4, max_size=4).map(lambda rest: p + rest)),
        st.integers(0, 99).filter(lambda n: f"4451{n:02d}" not in {"445100", "445102", "445103", "445122"})
        .map(lambda n: f"4451{n:02d}"),
        base.flatmap(with_control))


def invalid_item_codes() -> st.SearchStrategy[str]:
    """Empty, over 64 characters, spaces, slashes, Chinese characters, a control character."""
    valid = "440000-SJ-0001"
    return st.one_of(st.just(""), st.just("A" * 65), _illegal_char(valid, " /中*#"), with_control(valid),
                     st.just("-440000"))


def future_days(today: date) -> st.SearchStrategy[date]:
    """Days two or more days after `today` (beyond the one day of clock skew allowed)."""
    return st.integers(2, 4000).map(lambda n: today + timedelta(days=n))


def days_before_2000() -> st.SearchStrategy[date]:
    return st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31))
