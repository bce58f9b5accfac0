"""S05 证件失效执法: an officer acting without a certificate valid (ACTIVE, in its term) on the day."""

from __future__ import annotations

from collections.abc import Iterator

from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules.base import Rule, acts, officer_finding, officer_issue
from subgraphs.supervision.view import CaseView, EvalContext

ISSUES = {"NO_CERTIFICATE", "CERTIFICATE_NOT_VALID"}


def check(view: CaseView, ctx: EvalContext) -> Iterator[Finding]:
    seen: dict[str, list[str]] = {}
    for what, day, officers in acts(view):
        for officer_id in dict.fromkeys(officers):
            issue = officer_issue(view, officer_id, day)
            if issue in ISSUES:
                seen.setdefault(officer_id, []).append(f"{what}@{day.isoformat()}:{issue}")
    for officer_id, where in seen.items():
        officer = view.officers.get(officer_id)
        cert = officer.certificate_on(ctx.today) if officer is not None else None
        yield officer_finding("S05", Severity.RED, view, officer_id, acts=where,
                              cert_no=cert.cert_no if cert else None,
                              cert_status=cert.status.value if cert else None,
                              valid_to=cert.valid_to.isoformat() if cert else None)


RULE = Rule("S05", "证件失效执法", "《行政处罚法》第四十二条", Severity.RED, check)
