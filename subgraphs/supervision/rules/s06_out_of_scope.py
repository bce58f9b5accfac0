"""S06 超区域/超类别执法: a certificate that does not cover the case's area or the item's domain."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, acts, officer_finding, officer_issue
from subgraphs.supervision.view import CaseView, EvalContext

ISSUES = {"AREA_NOT_COVERED", "DOMAIN_NOT_COVERED"}


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    seen: dict[str, list[str]] = {}
    for what, day, officers in acts(view):
        for officer_id in dict.fromkeys(officers):
            issue = officer_issue(view, officer_id, day)
            if issue in ISSUES:
                seen.setdefault(officer_id, []).append(f"{what}@{day.isoformat()}:{issue}")
    for officer_id, where in seen.items():
        yield officer_finding("S06", Severity.RED, view, officer_id, acts=where,
                              region_code=view.snapshot.region_code,
                              domain=view.item.domain if view.item else None)


RULE = Rule("S06", "超区域/超类别执法", "粤府令第196号第五条", Severity.RED, check)
