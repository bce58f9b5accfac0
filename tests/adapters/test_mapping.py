"""Declarative mappings: validated at load with errors naming the key; bad data becomes problems."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from adapters.errors import MappingError
from adapters.mapping import Mapping, load_mapping, parse_mapping

GOOD = {
    "source": "population",
    "fields": {
        "name": {"from": "XM"},
        "birth_date": {"from": "CSRQ", "type": "date", "format": "%Y%m%d"},
        "gender": {"from": "XB", "type": "code", "table": "gender"},
        "dead": {"from": "SWBS", "type": "bool", "required": False},
        "areas": {"from": "QY", "type": "list", "separator": ";", "required": False},
    },
    "codes": {"gender": {"1": "MALE", "2": "FEMALE"}},
}


def mapping() -> Mapping:
    return parse_mapping(GOOD, Path("population.toml"))


def test_a_good_record_maps_cleanly() -> None:
    values, problems = mapping().apply({"XM": " 陈晓明 ", "CSRQ": "19900307", "XB": "1", "SWBS": "0", "QY": "445102; 445103"})
    assert problems == []
    assert values == {"name": "陈晓明", "birth_date": date(1990, 3, 7), "gender": "MALE", "dead": False,
                      "areas": ["445102", "445103"]}


def test_bad_values_are_problems_not_exceptions() -> None:
    values, problems = mapping().apply({"XM": "", "CSRQ": "19901340", "XB": "9"})
    assert values["birth_date"] is None
    assert problems == [
        "XM: missing",
        "CSRQ: not a date in %Y%m%d: '19901340'",
        "XB: unknown code '9' (table gender)",
    ]


def test_optional_fields_may_be_absent() -> None:
    values, problems = mapping().apply({"XM": "林", "CSRQ": "20000101", "XB": "2"})
    assert problems == []
    assert values["dead"] is None
    assert values["areas"] == []


@pytest.mark.parametrize(
    ("patch", "message"),
    [
        ({"source": ""}, "source: must be a non-empty string"),
        ({"fields": {}}, "fields: must be a non-empty table"),
        ({"fields": {"x": {"type": "str"}}}, "fields.x.from: must name the legacy field"),
        ({"fields": {"x": {"from": "X", "type": "float"}}}, "fields.x.type: must be one of"),
        ({"fields": {"x": {"from": "X", "type": "date"}}}, "fields.x.format: a date field needs"),
        ({"fields": {"x": {"from": "X", "type": "code", "table": "nope"}}}, "fields.x.table: names no code table"),
        ({"fields": {"x": {"from": "X", "colour": "red"}}}, "fields.x: unknown option(s) colour"),
    ],
)
def test_invalid_mapping_names_file_and_key(patch: dict[str, object], message: str) -> None:
    with pytest.raises(MappingError) as err:
        parse_mapping({**GOOD, **patch}, Path("dept.toml"))
    assert str(err.value).startswith("dept.toml: ")
    assert message in str(err.value)


def test_missing_and_broken_files(tmp_path: Path) -> None:
    with pytest.raises(MappingError, match="not found"):
        load_mapping(tmp_path / "absent.toml")
    broken = tmp_path / "broken.toml"
    broken.write_text("source = \n", encoding="utf-8")
    with pytest.raises(MappingError, match=r"broken\.toml: not valid TOML"):
        load_mapping(broken)


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2099, 12, 31)))
def test_dates_round_trip_through_the_legacy_format(day: date) -> None:
    values, problems = mapping().apply({"XM": "x", "CSRQ": day.strftime("%Y%m%d"), "XB": "2"})
    assert problems == []
    assert values["birth_date"] == day


@given(st.text(max_size=12))
def test_arbitrary_codes_never_raise(code: str) -> None:
    _, problems = mapping().apply({"XM": "x", "CSRQ": "20000101", "XB": code})
    assert (problems == []) == (code.strip() in {"1", "2"})
