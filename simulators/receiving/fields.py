"""Field checks used by the receivers' record validation; each raises RecordRejected naming the field.

Reasons name the field and the rule, never the value (a value may be personal data). An optional field
given as JSON null counts as absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from domain.identifiers import is_valid_uscc
from simulators.receiving.errors import RecordRejected

_ISO_DATE = re.compile(r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")


def present(fields: Mapping[str, Any], name: str) -> bool:
    return fields.get(name) is not None


def text(fields: Mapping[str, Any], name: str, *, label: str | None = None) -> str:
    """A required non-empty (after trimming) string."""
    value = fields.get(name)
    if not isinstance(value, str) or not value.strip():
        raise RecordRejected(f"{label or name}: required, a non-empty string")
    return value


def choice(fields: Mapping[str, Any], name: str, allowed: tuple[str, ...], *, label: str | None = None) -> str:
    value = fields.get(name)
    if not isinstance(value, str) or value not in allowed:
        raise RecordRejected(f"{label or name}: must be one of {', '.join(allowed)}")
    return value


def uscc(fields: Mapping[str, Any], name: str, *, label: str | None = None) -> str:
    """A required valid unified social credit code (GB 32100)."""
    value = fields.get(name)
    if not isinstance(value, str) or not is_valid_uscc(value):
        raise RecordRejected(f"{label or name}: not a valid unified social credit code")
    return value


def timestamp(fields: Mapping[str, Any], name: str, *, label: str | None = None) -> datetime:
    """A required ISO-8601 date-time string."""
    value = fields.get(name)
    if not isinstance(value, str):
        raise RecordRejected(f"{label or name}: required, an ISO-8601 date-time string")
    try:
        return datetime.fromisoformat(value)
    except ValueError as exc:
        raise RecordRejected(f"{label or name}: not an ISO-8601 date-time") from exc


def calendar_date(fields: Mapping[str, Any], name: str, *, label: str | None = None) -> date:
    """A required YYYY-MM-DD date."""
    value = fields.get(name)
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise RecordRejected(f"{label or name}: required, a date written YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise RecordRejected(f"{label or name}: not a calendar date") from exc


def positive_int(fields: Mapping[str, Any], name: str, *, label: str | None = None) -> int:
    """A required integer >= 1 (JSON true/false are not integers)."""
    value = fields.get(name)
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise RecordRejected(f"{label or name}: required, an integer of at least 1")
    return value


def obj(fields: Mapping[str, Any], name: str, *, label: str | None = None) -> Mapping[str, Any]:
    """A required JSON object."""
    value = fields.get(name)
    if not isinstance(value, dict):
        raise RecordRejected(f"{label or name}: required, a JSON object")
    return value
