"""What the case page shows, computed from the graph's answer: purpose per role, deadline standing,
the timeline with the chain's verdict, whether party data came masked.

The page never re-checks the chain itself: `verifyCaseEvents` (the cases subgraph) walks it; this
module only places its verdict on the timeline (the event at `seq` is the broken one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Final

from starlette.routing import BaseRoute

from web.pages.cases_terms import (
    CASE_ROLES,
    DEADLINE_MET_BY,
    DEADLINES,
    EVENT_KINDS,
    FINISHED_STATES,
    STATES,
    UNITS,
    name,
)
from web.sessions import User

ROUTES: list[BaseRoute] = []  # a helper of web/pages/cases.py: no pages of its own

CHINA: Final = timezone(timedelta(hours=8))
SUPERVISING: Final = frozenset({"SUPERVISOR", "BODY_HEAD"})
#: roles whose token may read the population register (a party's person record)
PERSON_READERS: Final = frozenset({"SUPERVISOR", "BODY_HEAD", "LEGAL_REVIEWER", "OFFICER"})
#: roles that may read a case's supervision alerts (supervision:read, or the head's cases:approve)
ALERT_READERS: Final = frozenset({"SUPERVISOR", "BODY_HEAD"})
MASK_MARK: Final = "*"
#: roles whose token may read the item catalogue (catalogue:read)
CATALOGUE_READERS: Final = frozenset({"SUPERVISOR", "BODY_HEAD", "LEGAL_REVIEWER", "OFFICER"})


@dataclass(frozen=True)
class Purpose:
    """The purpose code (and the record it is bound to) the console states for this user and case."""

    code: str | None
    ref: str | None
    label: str


def purpose_for(user: User, case_id: str) -> Purpose:
    if user.has_any(SUPERVISING):
        return Purpose("SUPERVISION", None, "执法监督")
    if user.has_any({"LEGAL_REVIEWER"}):
        return Purpose("CASE_FILE_REVIEW", f"case:{case_id}", "案卷评查")
    return Purpose(None, None, "未声明用途")


def today_china() -> date:
    return datetime.now(CHINA).date()


def _event_day(event: dict[str, Any]) -> date | None:
    try:
        return datetime.fromisoformat(str(event.get("at", ""))).astimezone(CHINA).date()
    except ValueError:
        return None


def deadline_rows(case: dict[str, Any], today: date) -> list[dict[str, Any]]:
    """Each deadline with its name, unit, and standing: met (on time or late), running, or overdue."""
    events = case.get("events") or []
    finished = case.get("status") in FINISHED_STATES
    rows = []
    for d in case.get("deadlines") or []:
        due = date.fromisoformat(str(d["due"]))
        met_kinds = DEADLINE_MET_BY.get(str(d["kind"]))
        met = None
        if met_kinds is not None:
            met = next((e for e in events if e.get("kind") in met_kinds and int(e.get("seq", 0)) > int(d["eventSeq"])),
                       None)
        met_on = _event_day(met) if met else None
        if met_on is not None:
            standing, overdue = ("按期完成" if met_on <= due else "逾期完成"), met_on > due
        elif met_kinds is None:
            standing, overdue = ("已届满" if due < today else "未届满"), False
        elif finished:
            standing, overdue = "案件已终结", False
        elif due < today:
            standing, overdue = f"已逾期 {(today - due).days} 日", True
        else:
            standing, overdue = f"剩余 {(due - today).days} 日", False
        rows.append({**d, "name": name(DEADLINES, str(d["kind"])), "unit_name": name(UNITS, str(d["unit"])),
                     "standing": standing, "overdue": overdue, "met_on": met_on.isoformat() if met_on else None})
    return rows


def timeline(case: dict[str, Any], check: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The events in seq order, each with its Chinese step name and whether the chain breaks there."""
    broken_seq = check.get("seq") if check and not check.get("ok") else None
    out = []
    for e in sorted(case.get("events") or [], key=lambda e: int(e["seq"])):
        out.append({**e, "kind_name": EVENT_KINDS.get(str(e["kind"])), "from_name": name(STATES, e.get("fromState")),
                    "to_name": name(STATES, e.get("toState")), "broken": broken_seq == e["seq"]})
    return out


def chain_verdict(check: dict[str, Any] | None, events: int) -> dict[str, Any]:
    """The sentence and colour of the chain's verification, as the page shows it."""
    if check is None:
        return {"ok": None, "text": "链条校验结果暂缺", "seq": None}
    if check.get("ok"):
        return {"ok": True, "text": f"链条完整 — {events} 个事件，哈希校验通过", "seq": None}
    seq = check.get("seq")
    where = f"第 {seq} 个事件处" if seq is not None else "某处"
    return {"ok": False, "text": f"链条在{where}断裂：{check.get('reason', '')}", "seq": seq,
            "fault": check.get("fault")}


def officer_rows(case: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for a in case.get("assignments") or []:
        officer = a.get("officer") or {}
        out.append({**a, "name": officer.get("name") or a["officerId"], "post": officer.get("post"),
                    "role_name": name(CASE_ROLES, str(a["role"]))})
    return out


def _masked(value: Any) -> bool:
    return isinstance(value, str) and MASK_MARK in value


def parties_masked(case: dict[str, Any]) -> bool:
    """Did the graph give any party value masked (or a person's record not at all)?"""
    for p in case.get("parties") or []:
        person = p.get("person")
        if _masked(p.get("name")) or (person and any(_masked(v) for v in person.values())):
            return True
        if p.get("partyType") != "ORGANISATION" and person is None and not p.get("entity"):
            return True
    return False


def item_names(data: dict[str, Any] | None) -> dict[str, str]:
    """"code" and "code@version" -> the item's name, from the catalogue answer (the latest version per code)."""
    out: dict[str, str] = {}
    page = (data or {}).get("enforcementItems") or {}
    for item in sorted(page.get("items") or [], key=lambda i: (str(i.get("code")), int(i.get("version") or 0))):
        code, label = str(item.get("code")), str(item.get("name") or "")
        if label:
            out[f"{code}@{item.get('version')}"] = label
            out[code] = label
    return out
