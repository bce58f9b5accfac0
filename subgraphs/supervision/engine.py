"""Run the rules: on one case (incremental, after a new event) or on many (a sweep).

Findings with the same key (rule, subject, case) are merged, keeping the most severe. A rule
that cannot evaluate a case (e.g. a date outside the loaded holiday calendar) is skipped for
that case and counted in `EngineReport.skipped`, never turned into a false alert.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from subgraphs.cases.domain.errors import DomainValueError
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules import CASE_RULES, PARTY_RULES
from subgraphs.supervision.rules.base import GroupRule, Rule
from subgraphs.supervision.rules.parties import party_keys
from subgraphs.supervision.rules.s33_inspection_frequency import check as inspections_check
from subgraphs.supervision.view import CaseView, EvalContext, Inspection

_RANK = {Severity.INFO: 0, Severity.YELLOW: 1, Severity.RED: 2}


@dataclass
class EngineReport:
    findings: list[Finding] = field(default_factory=list)
    skipped: dict[str, int] = field(default_factory=dict)

    def skip(self, rule_id: str) -> None:
        self.skipped[rule_id] = self.skipped.get(rule_id, 0) + 1


def merge(findings: Iterable[Finding]) -> list[Finding]:
    best: dict[tuple[str, str, str, str], Finding] = {}
    for f in findings:
        seen = best.get(f.key)
        if seen is None or _RANK[f.severity] > _RANK[seen.severity]:
            best[f.key] = f
    return list(best.values())


def evaluate_case(view: CaseView, ctx: EvalContext, *, rules: Sequence[Rule] = CASE_RULES,
                  report: EngineReport | None = None) -> list[Finding]:
    """The findings of the single-case rules on `view`."""
    out: list[Finding] = []
    for rule in rules:
        kept = len(out)
        try:
            out.extend(rule.check(view, ctx))  # `rule.evaluate` without the list of its own
        except DomainValueError:
            del out[kept:]  # a rule that cannot finish reports nothing
            if report is not None:
                report.skip(rule.rule_id)
    return merge(out) if len(out) > 1 else out


def party_groups(views: Iterable[CaseView]) -> list[list[CaseView]]:
    """Cases grouped by party key (a case with two parties may fall in two groups)."""
    groups: dict[str, list[CaseView]] = {}
    for view in views:
        for key in party_keys(view.snapshot):
            groups.setdefault(key, []).append(view)
    return [g for g in groups.values() if len(g) > 1]


def evaluate_groups(groups: Iterable[Sequence[CaseView]], ctx: EvalContext, *,
                    rules: Sequence[GroupRule] = PARTY_RULES) -> list[Finding]:
    out: list[Finding] = []
    for group in groups:
        for rule in rules:
            out.extend(rule.evaluate(group, ctx))
    return merge(out)


def evaluate_all(views: Sequence[CaseView], ctx: EvalContext, *,
                 inspections: Sequence[Inspection] = ()) -> EngineReport:
    """Every rule over `views` (and the inspections for S33): what a full sweep computes."""
    report = EngineReport()
    for view in views:
        report.findings.extend(evaluate_case(view, ctx, report=report))
    report.findings.extend(evaluate_groups(party_groups(views), ctx))
    report.findings.extend(inspections_check(inspections, ctx))
    report.findings = merge(report.findings)
    return report
