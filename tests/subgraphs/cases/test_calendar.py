"""The working-day calendar: the 2024–2027 data, validated loading, and its invariants."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from subgraphs.cases.domain.calendar_data import load_schedule, load_schedules
from subgraphs.cases.domain.errors import CalendarDataError, CalendarRangeError, DomainValueError
from subgraphs.cases.domain.standards import calendar_dir
from subgraphs.cases.domain.working_calendar import WorkingCalendar

CAL = WorkingCalendar.from_directory(calendar_dir())
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 10, 31))
MAKEUP_DAYS = sorted(d for y in (2024, 2025, 2026) for d in CAL.schedule(y).makeup_workdays)


@pytest.mark.parametrize(("day", "working"), [
    ("2024-02-04", True),   # Sunday 调休 before 春节
    ("2024-02-10", False), ("2024-02-17", False), ("2024-02-18", True),
    ("2024-04-07", True), ("2024-05-05", False), ("2024-05-11", True),
    ("2024-06-08", False), ("2024-06-10", False), ("2024-06-11", True),
    ("2024-09-14", True), ("2024-09-16", False), ("2024-09-29", True), ("2024-10-07", False), ("2024-10-12", True),
    ("2024-12-31", True),
    ("2025-01-01", False), ("2025-01-26", True), ("2025-01-28", False), ("2025-02-04", False), ("2025-02-08", True),
    ("2025-04-27", True), ("2025-05-02", False), ("2025-06-02", False), ("2025-09-28", True),
    ("2025-10-08", False), ("2025-10-11", True),
    ("2026-01-02", False), ("2026-01-04", True), ("2026-02-14", True), ("2026-02-23", False), ("2026-02-28", True),
    ("2026-05-09", True), ("2026-10-10", True),
    ("2027-02-05", False), ("2027-06-09", False), ("2027-06-10", True),
])
def test_published_schedules(day: str, working: bool) -> None:
    assert CAL.is_working_day(date.fromisoformat(day)) is working


def test_year_status_and_sources() -> None:
    assert CAL.loaded_years == (2024, 2025, 2026, 2027)
    assert CAL.schedule(2024).source_doc_no == "国办发明电〔2023〕7号"
    assert CAL.schedule(2025).source_doc_no == "国办发明电〔2024〕12号"
    assert not CAL.is_provisional(date(2026, 6, 1))
    assert CAL.is_provisional(date(2027, 6, 1))
    assert len(CAL.schedule(2025).holidays) == 28


def test_outside_the_loaded_years_is_an_error() -> None:
    with pytest.raises(CalendarRangeError, match="2028-01-03"):
        CAL.is_working_day(date(2028, 1, 3))
    with pytest.raises(CalendarRangeError):
        CAL.add_working_days(date(2027, 12, 29), 5)
    with pytest.raises(CalendarRangeError):
        CAL.is_working_day(date(2023, 12, 29))


def test_add_working_days_examples() -> None:
    assert CAL.add_working_days(date(2024, 4, 22), 7) == date(2024, 4, 30)  # 04-28 is a make-up Sunday
    assert CAL.add_working_days(date(2024, 9, 30), 1) == date(2024, 10, 8)
    assert CAL.add_working_days(date(2024, 5, 6), 0) == date(2024, 5, 6)
    with pytest.raises(DomainValueError):
        CAL.add_working_days(date(2024, 5, 6), -1)
    assert CAL.roll_forward_to_working_day(date(2024, 10, 1)) == date(2024, 10, 8)
    assert CAL.roll_forward_to_working_day(date(2024, 10, 12)) == date(2024, 10, 12)
    assert CAL.working_days_between(date(2024, 10, 8), date(2024, 9, 30)) == -1


@settings(max_examples=300, deadline=None)
@given(day=DAYS, n=st.integers(min_value=1, max_value=60))
def test_add_working_days_lands_on_a_working_day_and_is_inverted(day: date, n: int) -> None:
    due = CAL.add_working_days(day, n)
    assert CAL.is_working_day(due)
    assert due > day
    assert CAL.working_days_between(day, due) == n
    assert CAL.working_days_between(day, due - timedelta(days=1)) == n - 1


@settings(max_examples=200, deadline=None)
@given(day=DAYS, n=st.integers(min_value=1, max_value=40))
def test_add_working_days_is_monotone(day: date, n: int) -> None:
    assert CAL.add_working_days(day, n) < CAL.add_working_days(day, n + 1)
    assert CAL.add_working_days(day, n) <= CAL.add_working_days(day + timedelta(days=1), n)


@given(makeup=st.sampled_from(MAKEUP_DAYS))
def test_weekend_make_up_days_count_as_working_days(makeup: date) -> None:
    assert makeup.weekday() >= 5
    assert CAL.is_working_day(makeup)
    assert CAL.add_working_days(makeup - timedelta(days=1), 1) == makeup
    assert CAL.working_days_between(makeup - timedelta(days=1), makeup) == 1


def write(tmp: Path, name: str, doc: object) -> Path:
    path = tmp / name
    path.write_text(json.dumps(doc, ensure_ascii=False), encoding="utf-8")
    return path


def good_doc() -> dict[str, object]:
    return {"year": 2030, "status": "official", "source": {"title": "通知", "doc_no": None},
            "holidays": ["2030-01-01"], "makeup_workdays": ["2030-01-05"]}


@pytest.mark.parametrize(("change", "message"), [
    ({"holidays": ["2030-02-30"]}, "'2030-02-30' is not a valid date"),
    ({"holidays": ["2031-01-01"]}, "2031-01-01 is not in the file's year 2030"),
    ({"holidays": ["2030-01-01", "2030-01-01"]}, "listed twice"),
    ({"makeup_workdays": ["2030-01-07"]}, "2030-01-07 is a weekday"),
    ({"makeup_workdays": ["2030-01-01"], "holidays": ["2030-01-01"]}, "both a holiday and a make-up"),
    ({"status": "draft"}, "'status' must be official or provisional"),
    ({"year": "2030"}, "'year' must be an integer"),
    ({"blocks": [{"name": "元旦", "from": "2030-01-01", "to": "2030-01-02"}]}, "disagree on 2030-01-02"),
    ({"holidays": "2030-01-01"}, "'holidays' must be a list"),
])
def test_bad_files_name_the_file_and_the_value(tmp_path: Path, change: dict[str, object], message: str) -> None:
    doc = good_doc() | change
    with pytest.raises(CalendarDataError) as caught:
        load_schedule(write(tmp_path, "CN-2030.json", doc))
    assert "CN-2030.json" in str(caught.value)
    assert message in str(caught.value)


def test_file_name_must_match_the_year_and_json_must_parse(tmp_path: Path) -> None:
    with pytest.raises(CalendarDataError, match="does not match its year"):
        load_schedule(write(tmp_path, "CN-2031.json", good_doc()))
    (tmp_path / "CN-2032.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(CalendarDataError, match=r"CN-2032\.json: is not valid JSON"):
        load_schedule(tmp_path / "CN-2032.json")


def test_empty_directory_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CalendarDataError, match=r"no CN-<year>\.json"):
        load_schedules(tmp_path)


def test_a_valid_custom_file_loads(tmp_path: Path) -> None:
    write(tmp_path, "CN-2030.json", good_doc())
    cal = WorkingCalendar.from_directory(tmp_path)
    assert not cal.is_working_day(date(2030, 1, 1))
    assert cal.is_working_day(date(2030, 1, 5))  # a Saturday made a working day
