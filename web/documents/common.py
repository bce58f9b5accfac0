"""Shared helpers of the documents: dates as the documents print them, money in 元."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time

from web.documents.sheet import CHINA

EPOCH = datetime(2000, 1, 1, tzinfo=CHINA)


def moment(value: object) -> datetime | None:
    """A datetime (China time) from a datetime, a date or an ISO-8601 string; None if absent or unreadable."""
    if value is None or value == "":
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=CHINA)
    if isinstance(value, date):
        return datetime.combine(value, time(0, 0), CHINA)
    try:
        parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return (parsed if parsed.tzinfo else parsed.replace(tzinfo=CHINA)).astimezone(CHINA)


def day_text(value: object) -> str:
    when = moment(value)
    return f"{when.year}年{when.month}月{when.day}日" if when else "—"


def moment_text(value: object) -> str:
    when = moment(value)
    return f"{when.year}年{when.month}月{when.day}日 {when:%H:%M}" if when else "—"


def yuan_text(fen: object) -> str:
    """分 -> "5,000.00 元" (the amount in figures, as a decision states it)."""
    try:
        amount = int(str(fen))
    except ValueError:
        return "—"
    sign = "-" if amount < 0 else ""
    whole, cents = divmod(abs(amount), 100)
    return f"{sign}{whole:,}.{cents:02d} 元"


def first(record: Mapping[str, object], *keys: str, default: object = "") -> object:
    """The first of `keys` present and non-empty in `record`."""
    for key in keys:
        value = record.get(key)
        if value not in (None, ""):
            return value
    return default
