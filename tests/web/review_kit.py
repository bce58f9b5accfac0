"""What the review page tests share: reading forms and figures off the pages, counting in the store.

The expected figures are worked out here from the store (SQLite, read only) and DOMAIN.md §9's
rules, never from the console's or the subgraph's code.
"""

from __future__ import annotations

import re
import sqlite3
from datetime import date
from pathlib import Path
from typing import Any

import httpx

#: DOMAIN.md §9: the parts' points and the grade cut-offs
POINTS = {"A": 10, "B": 25, "C": 15, "D": 20, "E": 10, "F": 5, "G": 15}
REVIEWABLE = ("CLOSED", "ARCHIVED", "PERFORMED")

FILES = """query($id: ID!) { reviewCampaignFiles(campaignId: $id) { caseId bodyId reviewers scoredBy vetoes autoVetoes
  total grade rectificationDue rectifiedAt sheet { part maxPoints autoDeduction manualDeduction } } }"""
COUNT = "{ reviewCampaigns { id } }"


def hidden(html: str, name: str) -> str:
    """The value of the page's last hidden field `name` (the page's own form comes after the header's)."""
    found = re.findall(rf'<input type="hidden" name="{name}" value="([^"]*)"', html)
    assert found, f"no hidden {name} on the page"
    assert found[-1], f"the hidden {name} is empty"
    return str(found[-1])


def case_ids(html: str) -> list[str]:
    """The sampled files listed on a campaign page, in page order."""
    return re.findall(r'<tr data-case="([^"]+)"', html)


def field_message(html: str, name: str) -> str | None:
    found = re.search(rf'<p class="field-error" id="err-{re.escape(name)}" role="alert">([^<]*)</p>', html)
    return found.group(1) if found else None


def create_campaign(client: httpx.Client, **fields: Any) -> httpx.Response:
    page = client.get("/review/new")
    assert page.status_code == 200, page.text[:400]
    form: dict[str, Any] = {"csrf": hidden(page.text, "csrf"), "idempotencyKey": hidden(page.text, "idempotencyKey"),
            "reviewersPerCase": "2", **fields}
    return client.post("/review", data=form)


def campaign_id(answer: httpx.Response) -> str:
    assert answer.status_code == 303, answer.text[:600]
    location = answer.headers["location"]
    assert location.startswith("/review/")
    return location.removeprefix("/review/")


def closed_cases(store: Path) -> dict[str, tuple[str, date | None]]:
    """case id -> (body USCC, closing day) of every reviewable case in the store."""
    with sqlite3.connect(f"file:{store}?mode=ro", uri=True) as db:
        rows = db.execute(f"SELECT id, body_uscc, closed_at FROM penalty_case WHERE status IN "
                          f"({','.join('?' * len(REVIEWABLE))})", REVIEWABLE).fetchall()
    return {r[0]: (r[1], date.fromisoformat(r[2][:10]) if r[2] else None) for r in rows}


def expected_total(sheet: list[dict[str, Any]], manual: dict[str, int]) -> int:
    """100 points less the automatic and all reviewers' deductions, each part floored at 0."""
    auto = {item["part"]: item["autoDeduction"] for item in sheet}
    return sum(max(0, points - auto.get(part, 0) - manual.get(part, 0)) for part, points in POINTS.items())


def expected_grade(total: int, vetoes: list[str]) -> str:
    """优秀 ≥ 90 and no veto; 良好 80–89; 合格 60–79; 不合格 < 60 or any veto."""
    if vetoes or total < 60:
        return "不合格"
    return "优秀" if total >= 90 else "良好" if total >= 80 else "合格"
