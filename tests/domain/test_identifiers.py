"""Identifier algorithms against the DOMAIN.md §3 vectors, plus property tests of the check characters."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.identifiers import (
    ID18_CHECK_CHARS,
    USCC_CHARSET,
    IdentifierError,
    ProblemCode,
    Severity,
    birth_date_of,
    build_resident_id,
    build_uscc,
    convert_legacy_15,
    gender_of,
    id18_check_char,
    is_valid_org_code,
    is_valid_resident_id,
    is_valid_uscc,
    org_code_check_char,
    to_legacy_15,
    uscc_check_char,
    validate_resident_id,
    validate_uscc,
)

TODAY = date(2026, 11, 1)

# --- vectors from DOMAIN.md §3 ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "check"),
    [("11010519491231002", "X"), ("44052418800101001", "4"), ("44510219900307123", "0")],
)
def test_id18_vectors(body: str, check: str) -> None:
    assert id18_check_char(body) == check
    result = validate_resident_id(body + check, today=TODAY)
    assert ProblemCode.BAD_CHECK_DIGIT not in result.codes()


def test_gb_example_born_1880_fails_only_the_1900_floor() -> None:
    # The GB 11643 text's own example predates the 1900-01-01 floor of the validation rule (§3.1 step 3).
    result = validate_resident_id("440524188001010014", today=TODAY)
    assert result.codes() == {ProblemCode.BAD_BIRTH_DATE, ProblemCode.UNKNOWN_COUNTY}
    assert [p.code for p in result.errors] == [ProblemCode.BAD_BIRTH_DATE]


@pytest.mark.parametrize("value", ["11010519491231002X", "445102199003071230"])
def test_modern_vectors_are_valid(value: str) -> None:
    assert is_valid_resident_id(value, today=TODAY)


@pytest.mark.parametrize(
    ("body", "check"), [("91350100M000100Y4", "3"), ("91512081MA62K0260", "E")]
)
def test_uscc_vectors(body: str, check: str) -> None:
    assert uscc_check_char(body) == check
    assert is_valid_uscc(body + check)
    assert validate_uscc(body + check).problems == ()


def test_published_bad_uscc_is_invalid() -> None:
    assert not is_valid_uscc("91350100M000100Y4Z")


@pytest.mark.parametrize(("body", "check"), [("M000100Y", "4"), ("MA62K026", "0")])
def test_org_code_vectors(body: str, check: str) -> None:
    assert org_code_check_char(body) == check
    assert is_valid_org_code(body + check)
    assert not is_valid_org_code(body + ("1" if check != "1" else "2"))


def test_lowercase_x_is_normalised() -> None:
    result = validate_resident_id("11010519491231002x", today=TODAY)
    assert result.valid
    assert result.value == "11010519491231002X"


# --- resident ID problems --------------------------------------------------------------------------


def test_wrong_check_digit() -> None:
    result = validate_resident_id("445102199003071231", today=TODAY)
    assert not result.valid
    assert ProblemCode.BAD_CHECK_DIGIT in result.codes()


@pytest.mark.parametrize(
    "value", ["", "44510219900307123", "4451021990030712300", "44510219900307123Y", "4451021990O3071230",
              "４４５１０２１９９００３０７１２３０"],
)
def test_bad_format(value: str) -> None:
    result = validate_resident_id(value, today=TODAY)
    assert not result.valid
    assert result.codes() == {ProblemCode.BAD_FORMAT}


def _with_check(body: str) -> str:
    return body + id18_check_char(body)


@pytest.mark.parametrize("birth", ["19900230", "18991231", "20261102", "19901301"])
def test_bad_birth_date(birth: str) -> None:
    result = validate_resident_id(_with_check(f"445102{birth}123"), today=TODAY)
    assert not result.valid
    assert result.codes() == {ProblemCode.BAD_BIRTH_DATE}


def test_birth_date_today_is_accepted() -> None:
    assert is_valid_resident_id(_with_check("44510220261101123"), today=TODAY)


def test_unknown_province_is_an_error() -> None:
    result = validate_resident_id(_with_check("99510219900307123"), today=TODAY)
    assert not result.valid
    assert result.codes() == {ProblemCode.UNKNOWN_PROVINCE}


def test_unknown_county_only_warns() -> None:
    result = validate_resident_id(_with_check("44519919900307123"), today=TODAY)
    assert result.valid
    assert [p.code for p in result.warnings] == [ProblemCode.UNKNOWN_COUNTY]
    assert result.errors == ()


def test_historical_chaoan_code_is_valid_with_a_warning() -> None:
    result = validate_resident_id(_with_check("44512119850612101"), today=TODAY)
    assert result.valid
    assert {p.code for p in result.warnings} == {ProblemCode.HISTORICAL_COUNTY}
    assert all(p.severity is Severity.WARNING for p in result.problems)


def test_birth_and_gender_of_vectors() -> None:
    assert birth_date_of("11010519491231002X") == date(1949, 12, 31)
    assert gender_of("11010519491231002X") == "2"
    assert gender_of("440524188001010014") == "1"
    assert gender_of("445102199003071230") == "1"


def test_convert_legacy_15_vector() -> None:
    assert convert_legacy_15("445102900307123") == "445102199003071230"
    assert birth_date_of("445102900307123") == date(1990, 3, 7)
    assert gender_of("445102900307123") == "1"


@pytest.mark.parametrize("value", ["44510290030712", "44510290030712A", "445102901307123"])
def test_convert_legacy_15_rejects(value: str) -> None:
    with pytest.raises(IdentifierError):
        convert_legacy_15(value)


def test_check_char_rejects_bad_body() -> None:
    with pytest.raises(IdentifierError):
        id18_check_char("4451021990030712X")
    with pytest.raises(IdentifierError):
        uscc_check_char("91350100M000100Y")  # 16 characters
    with pytest.raises(IdentifierError):
        uscc_check_char("91350100M00010OY4")  # O is not in the set


# --- property tests --------------------------------------------------------------------------------

digits17 = st.text(alphabet="0123456789", min_size=17, max_size=17)
uscc17 = st.text(alphabet=USCC_CHARSET, min_size=17, max_size=17)
valid_dates = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)
county = st.sampled_from(["445102", "445103", "445122", "445121", "110105", "440524", "350203"])


@given(digits17)
def test_any_id_body_gets_a_check_that_matches(body: str) -> None:
    full = body + id18_check_char(body)
    result = validate_resident_id(full, today=TODAY)
    assert ProblemCode.BAD_CHECK_DIGIT not in result.codes()


@given(county, valid_dates, st.integers(0, 999))
def test_built_ids_validate(code: str, born: date, seq: int) -> None:
    value = build_resident_id(code, born, seq)
    assert is_valid_resident_id(value, today=TODAY)
    assert birth_date_of(value) == born
    assert gender_of(value) == ("1" if seq % 2 else "2")


@given(county, valid_dates, st.integers(0, 999), st.integers(0, 17), st.sampled_from(ID18_CHECK_CHARS))
def test_any_single_change_breaks_an_id(code: str, born: date, seq: int, pos: int, new: str) -> None:
    value = build_resident_id(code, born, seq)
    if pos < 17 and new == "X":
        new = "7"  # only the check position may hold X
    if value[pos] == new:
        return
    changed = value[:pos] + new + value[pos + 1:]
    # One digit changes the weighted sum by (d' - d)·w with both factors non-zero mod the prime 11.
    assert id18_check_char(changed[:17]) != changed[17]
    assert not is_valid_resident_id(changed, today=TODAY)


@given(uscc17)
def test_any_uscc_body_gets_a_check_that_matches(body: str) -> None:
    full = body + uscc_check_char(body)
    if full[2:8].isdigit():
        assert is_valid_uscc(full)
    assert uscc_check_char(full[:17]) == full[17]


@given(
    st.sampled_from("159"),
    st.sampled_from("123"),
    county,
    st.text(alphabet=USCC_CHARSET, min_size=8, max_size=8),
    st.integers(0, 17),
    st.sampled_from(USCC_CHARSET),
)
def test_any_single_change_breaks_a_uscc(dept: str, cat: str, code: str, org8: str, pos: int, new: str) -> None:
    org = org8 + org_code_check_char(org8)
    if org[-1] not in USCC_CHARSET:
        return
    value = build_uscc(dept, cat, code, org)
    assert is_valid_uscc(value)
    assert validate_uscc(value).warnings == ()
    if value[pos] == new:
        return
    changed = value[:pos] + new + value[pos + 1:]
    # The weights 3^i mod 31 are never 0 and 31 is prime, so every single substitution moves the sum.
    assert uscc_check_char(changed[:17]) != changed[17]
    assert not is_valid_uscc(changed)


@given(st.text(alphabet="0123456789", min_size=8, max_size=8))
def test_broken_inner_org_code_only_warns(org8: str) -> None:
    good = org_code_check_char(org8)
    bad = "1" if good != "1" else "2"
    value = build_uscc("9", "1", "445102", org8 + bad)
    result = validate_uscc(value)
    assert result.valid
    assert result.codes() == {ProblemCode.BAD_ORG_CODE_CHECK}


@given(county, st.dates(min_value=date(1900, 1, 1), max_value=date(1999, 12, 31)), st.integers(0, 999))
def test_legacy_round_trip(code: str, born: date, seq: int) -> None:
    value = build_resident_id(code, born, seq)
    legacy = to_legacy_15(value)
    assert len(legacy) == 15
    assert convert_legacy_15(legacy) == value
    assert gender_of(legacy) == gender_of(value)
    assert birth_date_of(legacy) == born


@given(digits17)
def test_gender_follows_sequence_parity(body: str) -> None:
    full = body + id18_check_char(body)
    assert gender_of(full) == ("1" if int(body[16]) % 2 == 1 else "2")
