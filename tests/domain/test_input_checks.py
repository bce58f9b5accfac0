"""The pure checks mutations run on identifiers and dates: every valid value passes, every broken one fails."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain import input_checks as chk
from domain.identifiers import build_resident_id

from .bad_identifiers import (
    CONTROLS,
    days_before_2000,
    future_days,
    invalid_item_codes,
    invalid_region_codes,
    invalid_resident_ids,
    invalid_usccs,
    valid_resident_ids,
    valid_usccs,
)

TODAY = date(2026, 12, 6)
NOW = datetime(2026, 12, 6, 10, 0, tzinfo=timezone(timedelta(hours=8)))


@given(valid_usccs())
def test_valid_usccs_pass(value: str) -> None:
    assert chk.uscc_problem(value) is None


@given(invalid_usccs())
def test_broken_usccs_fail(value: str) -> None:
    assert chk.uscc_problem(value) is not None


def test_the_testers_uscc_fails_on_its_check_character() -> None:
    reason = chk.uscc_problem("92445102977987400B")
    assert reason is not None
    assert "check character" in reason


@given(valid_resident_ids())
def test_valid_resident_ids_pass(value: str) -> None:
    assert chk.id_number_problem("RESIDENT_ID", value, today=TODAY) is None


@given(invalid_resident_ids())
def test_broken_resident_ids_fail(value: str) -> None:
    assert chk.id_number_problem("RESIDENT_ID", value, today=TODAY) is not None


@given(valid_resident_ids(), st.sampled_from([" ", "-", "·"]), st.data())
def test_separators_are_normalised_away(value: str, separator: str, data: st.DataObject) -> None:
    """People write ID numbers in groups; the hash ignores the separators, so the check does too."""
    i = data.draw(st.integers(1, len(value) - 1))
    assert chk.id_number_problem("RESIDENT_ID", value[:i] + separator + value[i:], today=TODAY) is None


@given(valid_resident_ids(), CONTROLS, st.data())
def test_a_control_character_is_never_normalised_away(value: str, control: str, data: st.DataObject) -> None:
    i = data.draw(st.integers(0, len(value)))
    assert chk.id_number_problem("RESIDENT_ID", value[:i] + control + value[i:], today=TODAY) is not None


def test_id_numbers_of_other_documents() -> None:
    assert chk.id_number_problem("PASSPORT", "E12345678", today=TODAY) is None
    assert chk.id_number_problem("PASSPORT", "E1", today=TODAY) is not None
    assert chk.id_number_problem("HK_MO_PERMIT", "H1234567*", today=TODAY) is not None
    assert chk.id_number_problem("OTHER", "任意证件 1", today=TODAY) is None
    assert chk.id_number_problem("HMT_RESIDENCE", build_resident_id("810000", date(1990, 1, 1), 1),
                                 today=TODAY) is None
    assert chk.id_number_problem("HMT_RESIDENCE", build_resident_id("445102", date(1990, 1, 1), 1),
                                 today=TODAY) is not None


def test_birth_date_in_the_number() -> None:
    number = build_resident_id("445102", date(1980, 1, 1), 123)
    assert chk.id_number_birth_date("RESIDENT_ID", number) == date(1980, 1, 1)
    assert chk.id_number_birth_date("PASSPORT", "E12345678") is None


@pytest.mark.parametrize("code", ["445100", "445102", "445103", "445122", "440000", "440104", "510104"])
def test_region_codes_pass(code: str) -> None:
    assert chk.region_code_problem(code) is None


@given(invalid_region_codes())
def test_broken_region_codes_fail(value: str) -> None:
    assert chk.region_code_problem(value) is not None


def test_the_2013_code_names_its_successor() -> None:
    assert chk.region_code_problem("445121") == "a historical region code, now 445103"


@pytest.mark.parametrize("code", ["440000-SJ-0001", "A", "x.y_z-1", "4" * 64])
def test_item_codes_pass(code: str) -> None:
    assert chk.item_code_problem(code) is None


@given(invalid_item_codes())
def test_broken_item_codes_fail(value: str) -> None:
    assert chk.item_code_problem(value) is not None


@pytest.mark.parametrize(("value", "ok"), [("1", True), ("12", True), ("0", False), ("01", False), ("", False),
                                           ("1a", False)])
def test_item_versions(value: str, ok: bool) -> None:
    assert (chk.item_version_problem(value) is None) is ok


@pytest.mark.parametrize(("value", "ok"), [("4451-02-2024-0001", False), ("4451022024000001", True),
                                           ("YC4451002024000002", True), ("12345", False), ("A" * 21, False),
                                           ("44510220240000 1", False), ("yc4451002024000002", False)])
def test_certificate_numbers(value: str, ok: bool) -> None:
    assert (chk.cert_no_problem(value) is None) is ok


def test_hash_is_lowercase_hex() -> None:
    assert chk.id_number_hash_problem("a" * 64) is None
    assert chk.id_number_hash_problem("A" * 64) is not None
    assert chk.id_number_hash_problem("a" * 63) is not None


# --- dates ----------------------------------------------------------------------------------------------


@given(st.dates(min_value=date(2000, 1, 1), max_value=TODAY + timedelta(days=1)))
def test_past_days_within_bounds_pass(day: date) -> None:
    assert chk.past_date_problem(day, today=TODAY) is None


@given(st.one_of(future_days(TODAY), days_before_2000()))
def test_past_days_out_of_bounds_fail(day: date) -> None:
    assert chk.past_date_problem(day, today=TODAY) is not None


@given(st.integers(0, 3653))
def test_due_days_up_to_ten_years_pass(n: int) -> None:
    assert chk.future_date_problem(TODAY + timedelta(days=n), today=TODAY) is None


@given(st.one_of(st.integers(3654, 100_000).map(lambda n: TODAY + timedelta(days=n)), days_before_2000()))
def test_due_days_out_of_bounds_fail(day: date) -> None:
    assert chk.future_date_problem(day, today=TODAY) is not None


def test_birth_dates() -> None:
    assert chk.birth_date_problem(date(1900, 1, 1), today=TODAY) is None
    assert chk.birth_date_problem(date(1899, 12, 31), today=TODAY) is not None
    assert chk.birth_date_problem(TODAY + timedelta(days=1), today=TODAY) is not None


@given(st.integers(-10**7, 600))
def test_instants_up_to_ten_minutes_ahead_pass(seconds: int) -> None:
    instant = NOW + timedelta(seconds=seconds)
    assert chk.instant_problem(instant, now=NOW) is None


@given(st.integers(601, 10**9))
def test_instants_further_ahead_fail(seconds: int) -> None:
    assert chk.instant_problem(NOW + timedelta(seconds=seconds), now=NOW) == "in the future"


def test_instants_need_an_offset_and_are_not_before_2000() -> None:
    assert chk.instant_problem(datetime(2025, 3, 3, 10, 0), now=NOW) == "needs a UTC offset"
    assert chk.instant_problem(datetime(1999, 12, 31, tzinfo=NOW.tzinfo), now=NOW) == "before 2000-01-01"
