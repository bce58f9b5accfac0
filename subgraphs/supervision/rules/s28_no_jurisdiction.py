"""S28 无管辖/主体不适格: the body has no power for the item, or an entrusted body decides in its own name."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, case_finding
from subgraphs.supervision.view import CaseView, EvalContext


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    body, snap = view.body, view.snapshot
    if body is None or (snap.filed_on is None and snap.decision is None):
        return
    if snap.item_code not in body.item_codes:
        yield case_finding("S28", Severity.RED, view, problem="ITEM_NOT_IN_BODY_POWERS", item_code=snap.item_code)
    elif body.body_type == "ENTRUSTED_ORG" and snap.decision is not None:
        yield case_finding("S28", Severity.RED, view, problem="ENTRUSTED_BODY_OWN_NAME",
                           entrusted_by=body.entrusted_by)


RULE = Rule("S28", "无管辖/主体不适格", "《行政处罚法》第十七条至第二十条、第三十八条", Severity.RED, check)
