"""Loading and validating the yearly holiday schedules (节假日安排) kept as data files.

Each file `CN-<year>.json` holds one year:

    {"year": 2024, "status": "official" | "provisional",
     "source": {"title": "...", "doc_no": "国办发明电〔2023〕7号" | null, "issued": "YYYY-MM-DD" | null},
     "note": "...",                                   (optional)
     "blocks": [{"name": "春节", "from": "...", "to": "..."}],   (optional; must match `holidays`)
     "holidays": ["YYYY-MM-DD", ...],                 days off, weekend days inside a block included
     "makeup_workdays": ["YYYY-MM-DD", ...]}          weekend days that are working days (调休)

Every problem raises `CalendarDataError` naming the file and the bad value.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum
from pathlib import Path

from .errors import CalendarDataError

FILE_PATTERN = "CN-*.json"


class ScheduleStatus(StrEnum):
    OFFICIAL = "official"
    PROVISIONAL = "provisional"


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """The State Council's holiday schedule for one year."""

    year: int
    status: ScheduleStatus
    source_title: str
    source_doc_no: str | None
    holidays: frozenset[date]
    makeup_workdays: frozenset[date]
    origin: str

    @property
    def provisional(self) -> bool:
        return self.status is ScheduleStatus.PROVISIONAL


def _date(origin: str, where: str, value: object, year: int | None) -> date:
    if not isinstance(value, str):
        raise CalendarDataError(origin, f"{where}: expected an ISO date string, got {value!r}")
    try:
        day = date.fromisoformat(value)
    except ValueError as exc:
        raise CalendarDataError(origin, f"{where}: {value!r} is not a valid date") from exc
    if len(value) != 10:
        raise CalendarDataError(origin, f"{where}: {value!r} is not in YYYY-MM-DD form")
    if year is not None and day.year != year:
        raise CalendarDataError(origin, f"{where}: {value} is not in the file's year {year}")
    return day


def _date_list(origin: str, key: str, raw: Mapping[str, object], year: int) -> frozenset[date]:
    values = raw.get(key)
    if not isinstance(values, list):
        raise CalendarDataError(origin, f"'{key}' must be a list of dates")
    days: set[date] = set()
    for value in values:
        day = _date(origin, key, value, year)
        if day in days:
            raise CalendarDataError(origin, f"{key}: {day} is listed twice")
        days.add(day)
    return frozenset(days)


def _block_days(origin: str, blocks: object, year: int) -> set[date]:
    if not isinstance(blocks, list):
        raise CalendarDataError(origin, "'blocks' must be a list")
    days: set[date] = set()
    for block in blocks:
        if not isinstance(block, dict):
            raise CalendarDataError(origin, f"blocks: {block!r} is not an object")
        start = _date(origin, f"blocks[{block.get('name')}].from", block.get("from"), year)
        end = _date(origin, f"blocks[{block.get('name')}].to", block.get("to"), year)
        if end < start:
            raise CalendarDataError(origin, f"blocks[{block.get('name')}]: {end} is before {start}")
        day = start
        while day <= end:
            days.add(day)
            day += timedelta(days=1)
    return days


def parse_schedule(raw: object, origin: str) -> YearSchedule:
    """Validate one decoded JSON document; `origin` names it in error messages."""
    if not isinstance(raw, dict):
        raise CalendarDataError(origin, "the document must be a JSON object")
    year = raw.get("year")
    if not isinstance(year, int) or isinstance(year, bool) or not 1990 <= year <= 2100:
        raise CalendarDataError(origin, f"'year' must be an integer year, got {year!r}")
    status_raw = raw.get("status")
    if status_raw not in {s.value for s in ScheduleStatus}:
        raise CalendarDataError(origin, f"'status' must be official or provisional, got {status_raw!r}")
    status = ScheduleStatus(str(status_raw))
    source = raw.get("source")
    if not isinstance(source, dict) or not isinstance(source.get("title"), str) or not source["title"]:
        raise CalendarDataError(origin, "'source.title' must name the State Council notice")
    doc_no = source.get("doc_no")
    if doc_no is not None and not isinstance(doc_no, str):
        raise CalendarDataError(origin, f"'source.doc_no' must be a string or null, got {doc_no!r}")
    if source.get("issued") is not None:
        _date(origin, "source.issued", source.get("issued"), None)
    holidays = _date_list(origin, "holidays", raw, year)
    makeup = _date_list(origin, "makeup_workdays", raw, year)
    for day in sorted(holidays & makeup):
        raise CalendarDataError(origin, f"{day} is both a holiday and a make-up working day")
    for day in sorted(makeup):
        if day.weekday() < 5:
            raise CalendarDataError(origin, f"makeup_workdays: {day} is a weekday, not a weekend day")
    if "blocks" in raw:
        block_days = _block_days(origin, raw["blocks"], year)
        if block_days != set(holidays):
            diff = sorted(block_days.symmetric_difference(holidays))
            raise CalendarDataError(origin, f"'blocks' and 'holidays' disagree on {diff[0]}")
    return YearSchedule(
        year=year,
        status=status,
        source_title=source["title"],
        source_doc_no=doc_no,
        holidays=holidays,
        makeup_workdays=makeup,
        origin=origin,
    )


def load_schedule(path: Path) -> YearSchedule:
    """Read and validate one `CN-<year>.json` file; the file name must match the year inside."""
    origin = path.name
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise CalendarDataError(origin, f"cannot be read: {exc.strerror}") from exc
    except json.JSONDecodeError as exc:
        raise CalendarDataError(origin, f"is not valid JSON: {exc.msg} at line {exc.lineno}") from exc
    schedule = parse_schedule(raw, origin)
    if path.stem != f"CN-{schedule.year}":
        raise CalendarDataError(origin, f"file name does not match its year {schedule.year}")
    return schedule


def load_schedules(directory: Path) -> tuple[YearSchedule, ...]:
    """Load every `CN-*.json` file of a directory, ordered by year."""
    paths = sorted(directory.glob(FILE_PATTERN))
    if not paths:
        raise CalendarDataError(str(directory.name), "no CN-<year>.json calendar files found")
    return order_schedules(load_schedule(p) for p in paths)


def order_schedules(schedules: Iterable[YearSchedule]) -> tuple[YearSchedule, ...]:
    ordered = sorted(schedules, key=lambda s: s.year)
    for first, second in itertools.pairwise(ordered):
        if first.year == second.year:
            raise CalendarDataError(second.origin, f"year {second.year} is also defined by {first.origin}")
    return tuple(ordered)
