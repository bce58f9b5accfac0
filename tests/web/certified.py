"""Two officers who may act today: the seed's certificates run out on dates of their own (some already have,
as the supervision rules expect), so a test that takes steps *now* signs in as two seeded officers of one
body whose certificates are active today and for a while yet, covering one of the body's penalty items."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from tests.web.stack import ConsoleStack

#: a certificate chosen must stay valid this long after today (the test's steps fall inside it)
MARGIN = timedelta(days=60)


@dataclass(frozen=True)
class Pair:
    body: dict[str, Any]
    officers: tuple[str, str]
    item: dict[str, Any]

    @property
    def head(self) -> str:
        return f"head-{self.body['uscc']}"


def _rows(seed: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(x) for x in (seed / name).read_text(encoding="utf-8").splitlines() if x.strip()]


def _usable(item: dict[str, Any]) -> bool:
    return (item.get("action_type") == "PENALTY" and "FINE" in (item.get("allowed_kinds") or [])
            and not item.get("major_decision") and bool(item.get("discretion_benchmarks")))


def certified_pair(stack: ConsoleStack, today: date | None = None) -> Pair:
    """The first body (in seed order) with two officers certified from today to today + MARGIN for the
    domain of one of its ordinary penalty items."""
    seed = stack.data_dir / "seed"
    day = today or date.today()
    items = {i["code"]: i for i in _rows(seed, "items.jsonl")}
    valid: dict[str, set[str]] = {}
    for cert in _rows(seed, "certificates.jsonl"):
        if cert["status"] == "ACTIVE" and date.fromisoformat(cert["valid_from"]) <= day \
                and date.fromisoformat(cert["valid_to"]) >= day + MARGIN:
            valid.setdefault(cert["officer_id"], set()).update(cert.get("categories") or [])
    officers = _rows(seed, "officers.jsonl")
    for body in _rows(seed, "bodies.jsonl"):
        staff = [o["id"] for o in officers if o["body_uscc"] == body["uscc"] and o["id"] in valid]
        for code in body.get("item_codes") or []:
            item = items.get(code)
            if item is None or not _usable(item):
                continue
            able = [o for o in staff if item.get("domain") in valid[o]]
            if len(able) >= 2:
                return Pair(body, (able[0], able[1]), item)
    raise AssertionError("the seed has no body with two officers certified today")
