"""Helpers of the step-form tests: cases driven through the gateway to a state, events read from the store."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

from tests.web import service_kit
from tests.web.stack import ConsoleStack

#: 办理时间 of each step, as tests/integration/production_case.py takes them (inside the seeded certificates)
AT = {"startInvestigation": "2026-09-04T10:00", "concludeInvestigation": "2026-09-21T10:00",
      "submitForReview": "2026-09-22T10:00", "recordEvidence": "2026-09-05T10:00"}
CSRF = re.compile(r'name="csrf" value="([^"]+)"')
VERSION = re.compile(r'name="expectedVersion" value="(\d+)"')
KEY = re.compile(r'name="idempotencyKey" value="([0-9a-f-]{36})"')
CASE_NOW = "query($id: ID!) { penaltyCase(id: $id) { id version status } }"
START = ("mutation($c: ID!, $i: StartInvestigationInput!, $v: Int, $k: String) { startInvestigation(caseId: $c, "
         "input: $i, expectedVersion: $v, idempotencyKey: $k) { id version status } }")


def case_at(stack: ConsoleStack, stop_before: str) -> str:
    """A new demo case driven up to (not including) `stop_before`, officer1 and a partner as its cast."""
    return service_kit.drive(stack, stop_before)


def cast(stack: ConsoleStack) -> Any:
    """officer1, a partner of the same body, the body's penalty item and a party (production_case.Cast)."""
    return service_kit.cast(stack)


def officers(stack: ConsoleStack) -> tuple[str, str]:
    return service_kit.cast(stack).officers


def now(stack: ConsoleStack, case_id: str) -> dict[str, Any]:
    answer = stack.graph(CASE_NOW, {"id": case_id}, user="officer1", purpose="CASE_HANDLING")
    assert not answer.get("errors"), answer
    found: dict[str, Any] = answer["data"]["penaltyCase"]
    return found


def events(store: Path, case_id: str, kind: str | None = None) -> list[tuple[int, str, str]]:
    """(seq, kind, actor) of the case's stored events, oldest first; only `kind` when given."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True, timeout=30) as db:
        rows = db.execute("SELECT seq, kind, actor_id FROM case_event WHERE case_id = ? ORDER BY seq",
                          (case_id,)).fetchall()
    return [(int(r[0]), str(r[1]), str(r[2])) for r in rows if kind is None or r[1] == kind]
