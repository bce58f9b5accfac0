"""Numbers and dates as Chinese users read them: 万元 for money, 2026-10-30 for dates, China time."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

__all__ = ["china_date", "china_datetime", "count", "percent", "yuan"]

CHINA = timezone(timedelta(hours=8), "CST")


def _fen(value: Any) -> int | None:
    if value is None or value == "":
        return None
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def yuan(fen: Any) -> str:
    """A sum in fen as shown on screen: below 10 000 yuan in 元 (two decimals), otherwise in 万元."""
    amount = _fen(fen)
    if amount is None:
        return "—"
    value = Decimal(amount) / 100
    if abs(value) >= 10_000:
        wan = (value / 10_000).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
        return f"{wan:,.2f} 万元"
    return f"{value.quantize(Decimal('0.01'), rounding=ROUND_HALF_UP):,.2f} 元"


def wan_yuan(fen: Any) -> float:
    """A sum in fen as a number of 万元 (for charts)."""
    amount = _fen(fen) or 0
    return float((Decimal(amount) / 1_000_000).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP))


def count(value: Any) -> str:
    if value is None:
        return "—"
    try:
        return f"{int(value):,}"
    except (TypeError, ValueError):
        return str(value)


def percent(rate: Any) -> str:
    """A share 0..1 as a percentage with one decimal."""
    if rate is None:
        return "—"
    try:
        return f"{float(rate) * 100:.1f}%"
    except (TypeError, ValueError):
        return "—"


def _parse(value: Any) -> datetime | date | None:
    if isinstance(value, datetime | date):
        return value
    if not isinstance(value, str) or not value:
        return None
    try:
        if len(value) == 10:
            return date.fromisoformat(value)
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def china_date(value: Any) -> str:
    parsed = _parse(value)
    if parsed is None:
        return "—" if not value else str(value)
    if isinstance(parsed, datetime):
        parsed = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(CHINA).date()
    return parsed.isoformat()


def china_datetime(value: Any) -> str:
    parsed = _parse(value)
    if parsed is None:
        return "—" if not value else str(value)
    if not isinstance(parsed, datetime):
        return parsed.isoformat()
    local = (parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)).astimezone(CHINA)
    return local.strftime("%Y-%m-%d %H:%M:%S")
