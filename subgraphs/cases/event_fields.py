"""The readable fields of a recorded command: each field of an event's payload by name, its value as
canonical JSON — with every value that may identify a person withheld, at any depth.

An event's full `payload` names the parties (names, birth dates, ID-number hashes) and the people
in statements; it is personal data and masked as such. `fields` is what anyone who may read the
case may read of it: what was decided, when, by whom, for how much. A key is withheld when it is
one of PERSONAL_KEYS, wherever it stands (a party inside a clue inside a command).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import strawberry

from domain.hashchain import canonical_json

#: keys whose values may identify a natural person or repeat what a party said
PERSONAL_KEYS = frozenset({
    "parties", "party", "name", "names", "birth_date", "id_hash", "id_number", "id_type", "object_name",
    "holder_name", "summary", "statement", "statements", "description", "address", "mobile", "clue", "violation",
    "witness", "witnesses", "representative",
})
WITHHELD = "withheld"


@strawberry.type(description="事件字段 — one field of the recorded command, by name, its value as JSON "
                             "(a value that may identify a person is withheld: read `payload` with the right to)")
class EventField:
    name: str = strawberry.field(description="字段名 — the command's field (snake_case, as recorded)")
    value: str | None = strawberry.field(description="值 — the value as canonical JSON; null when withheld")
    withheld: bool = strawberry.field(description="已隐去 — true when the value may identify a person")


def _scrub(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: WITHHELD if k in PERSONAL_KEYS else _scrub(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def event_fields(payload: Mapping[str, Any]) -> list[EventField]:
    """The fields of a payload (a command is stored as `{kind, fields}`; a record as its own object)."""
    inner = payload.get("fields")
    fields: Mapping[str, Any] = inner if isinstance(inner, Mapping) else payload
    out = []
    for name, value in sorted(fields.items()):
        if name in PERSONAL_KEYS:
            out.append(EventField(name=name, value=None, withheld=True))
        else:
            out.append(EventField(name=name, value=canonical_json(_scrub(value)).decode(), withheld=False))
    return out
