"""What the served documents print, assembled from the graph's answer about a case (移动执法 · 送达).

The page asks the graph once (`officer-service-case`) and this module turns the answer into the
plain dicts `web.documents` renders: the notice from the last ServeNotice event's recorded fields
(the proposal as notified), the decision from `penaltyCase.decision`. Party names are printed as the
graph returns them: a name the gateway masks for this officer stays masked on paper.
"""

from __future__ import annotations

import json
from typing import Any, Final

from starlette.routing import BaseRoute

from web.documents.common import day_text

__all__ = ["KINDS", "ROUTES", "ServiceKind", "document_data", "find_document", "item_basis", "officer_names", "ready"]


class ServiceKind:
    """A document the phone serves: its key in the URL, the docType it is attached as, its title."""

    def __init__(self, key: str, doc_type: str, title: str, event: str) -> None:
        self.key, self.doc_type, self.title, self.event = key, doc_type, title, event


KINDS: Final = {
    "notice": ServiceKind("notice", "行政处罚事先告知书", "行政处罚事先告知书", "ServeNotice"),
    "decision": ServiceKind("decision", "行政处罚决定书", "行政处罚决定书", "ServeDecision"),
}
RECEIPT_TYPE: Final = "送达回证"
ROUTES: list[BaseRoute] = []  # a helper of web/pages/officer_service.py: no pages of its own


def _value(raw: object) -> Any:
    if not isinstance(raw, str):
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _get(record: dict[str, Any], *names: str) -> Any:
    for name in names:
        if name in record and record[name] is not None:
            return record[name]
    return None


def _last_event(case: dict[str, Any], kind: str) -> dict[str, Any] | None:
    events = [e for e in case.get("events") or [] if e.get("kind") == kind]
    return max(events, key=lambda e: int(e.get("seq") or 0)) if events else None


def event_fields(event: dict[str, Any] | None) -> dict[str, Any]:
    """An event's recorded fields by name (withheld ones left out)."""
    return {str(f.get("name")): _value(f.get("value")) for f in (event or {}).get("fields") or []
            if not f.get("withheld")}


def ready(case: dict[str, Any], kind: ServiceKind) -> str | None:
    """Why the document cannot be served yet, or None when it can."""
    if kind.key == "notice" and _last_event(case, "ServeNotice") is None:
        return "本案尚未作出行政处罚告知，暂无事先告知书可送达。"
    if kind.key == "decision" and not case.get("decision"):
        return "本案尚未作出行政处罚决定，暂无决定书可送达。"
    return None


def item_basis(content: object) -> list[str]:
    """The penalty provisions of an enforcement item's content (JSON): 《regulation》article each."""
    data = _value(content) if isinstance(content, str) else content
    if not isinstance(data, dict):
        return []
    provisions = _get(data, "penalty_provisions", "penaltyProvisions") or []
    out = []
    for p in provisions if isinstance(provisions, list) else []:
        if isinstance(p, dict) and _get(p, "regulation"):
            out.append(f"《{str(_get(p, 'regulation')).strip('《》')}》{_get(p, 'article') or ''}")
    return out


def officer_names(case: dict[str, Any]) -> list[str]:
    names = []
    for a in case.get("assignments") or []:
        name = ((a.get("officer") or {}).get("name")) or a.get("officerId")
        if name and name not in names:
            names.append(str(name))
    return names


def _facts(case: dict[str, Any], item_name: str) -> str:
    clue = event_fields(_last_event(case, "RegisterClue"))  # the violation is withheld where it may identify a person
    violation = clue.get("violation") if isinstance(clue.get("violation"), dict) else {}
    start = _get(violation or {}, "start")
    parties = "、".join(str(p.get("name")) for p in case.get("parties") or []) or "当事人"
    since = f"自{start}起" if start else ""
    found = f"，本机关于{day_text(case.get('discoveredOn'))}发现" if case.get("discoveredOn") else ""
    return f"{parties}{since}存在“{item_name or case.get('itemCode') or '违法行为'}”所列违法行为{found}"


def document_data(case: dict[str, Any], kind: ServiceKind, item_name: str, basis: list[str]) -> dict[str, Any]:
    """The dict `penalty_notice_pdf` / `penalty_decision_pdf` renders for this case."""
    base: dict[str, Any] = {
        "caseNo": case.get("caseNo"), "bodyName": (case.get("body") or {}).get("name"),
        "parties": [str(p.get("name")) for p in case.get("parties") or []],
        "itemName": item_name or case.get("itemCode"), "facts": _facts(case, item_name),
    }
    if kind.key == "notice":
        event = _last_event(case, "ServeNotice") or {}
        fields = event_fields(event)
        proposal = fields.get("proposal") if isinstance(fields.get("proposal"), dict) else {}
        proposal = proposal or {}
        base.update(
            docNo=None, date=event.get("at"), basis=basis,
            kinds=_get(proposal, "kinds") or [], fineFen=_get(proposal, "fine_fen", "fineFen") or 0,
            confiscatedGainsFen=_get(proposal, "confiscated_gains_fen", "confiscatedGainsFen") or 0,
            confiscatedPropertyFen=_get(proposal, "confiscated_property_fen", "confiscatedPropertyFen") or 0,
            includesHearingRight=bool(_get(fields, "includes_hearing_right", "includesHearingRight")))
        return base
    decision = case.get("decision") or {}
    base.update(docNo=decision.get("docNo"), date=decision.get("decidedOn") or case.get("decidedOn"),
                basis=list(decision.get("basisRefs") or []) or basis, kinds=decision.get("kinds") or [],
                fineFen=decision.get("fineFen") or 0, confiscatedGainsFen=decision.get("confiscatedGainsFen") or 0,
                confiscatedPropertyFen=decision.get("confiscatedPropertyFen") or 0, signedBy=decision.get("signedBy"))
    return base


def find_document(case: dict[str, Any], doc_type: str, sm3: str | None = None) -> dict[str, Any] | None:
    """The case's latest attached document of `doc_type` (and with `sm3`, when given)."""
    docs = [d for d in case.get("documents") or [] if d.get("docType") == doc_type
            and (sm3 is None or d.get("sm3") == sm3)]
    return docs[-1] if docs else None
