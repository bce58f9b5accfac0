"""What a rule is, and the helpers rules share (period checks with yellow pre-warnings, officers).

A `Rule` looks at one `CaseView`; a `GroupRule` looks at several cases at once (S17, S18, S33:
the engine hands it the cases of one party or one body). Both are pure and never do I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from subgraphs.cases.domain.deadlines import Deadline, DeadlineUnit
from subgraphs.cases.domain.facts import region_covers
from subgraphs.supervision.model import EvidenceValue, Finding, Severity, SubjectKind
from subgraphs.supervision.view import CaseView, EvalContext

Check = Callable[[CaseView, EvalContext], Iterable[Finding]]
GroupCheck = Callable[[Sequence[CaseView], EvalContext], Iterable[Finding]]


@dataclass(frozen=True)
class Rule:
    rule_id: str
    name: str
    basis: str
    severity: Severity  # the severity of a breach (period rules also pre-warn in YELLOW)
    check: Check
    has_period: bool = False

    def evaluate(self, view: CaseView, ctx: EvalContext) -> list[Finding]:
        return list(self.check(view, ctx))


@dataclass(frozen=True)
class GroupRule:
    rule_id: str
    name: str
    basis: str
    severity: Severity
    check: GroupCheck
    has_period: bool = False

    def evaluate(self, views: Sequence[CaseView], ctx: EvalContext) -> list[Finding]:
        return list(self.check(views, ctx))


def case_finding(rule_id: str, severity: Severity, view: CaseView, *, due: date | None = None,
                 **evidence: EvidenceValue) -> Finding:
    return Finding(rule_id, severity, SubjectKind.CASE, view.case_id, view.body_id, view.case_id, due, evidence)


def officer_finding(rule_id: str, severity: Severity, view: CaseView, officer_id: str,
                    **evidence: EvidenceValue) -> Finding:
    return Finding(rule_id, severity, SubjectKind.OFFICER, officer_id, view.body_id, view.case_id, None, evidence)


def _elapsed_share(ctx: EvalContext, deadline: Deadline, today: date) -> float:
    """Share of the period elapsed on `today` (working days for working-day periods)."""
    start, due = deadline.start, deadline.due
    if due <= start:
        return 1.0
    if deadline.unit is DeadlineUnit.WORKING_DAYS and ctx.calendar.covers(start) and ctx.calendar.covers(today):
        total = ctx.calendar.working_days_between(start, due)
        return ctx.calendar.working_days_between(start, today) / total if total else 1.0
    return (today - start).days / (due - start).days


def period_check(rule_id: str, view: CaseView, ctx: EvalContext, deadline: Deadline, done_on: date | None,
                 **evidence: EvidenceValue) -> Iterable[Finding]:
    """RED when the act came (or is still missing) after `deadline.due`; YELLOW while it is missing
    and at least `yellow_ratio_percent` of the period has elapsed (DOMAIN.md §8)."""
    def facts() -> dict[str, EvidenceValue]:  # written out only for a finding (most periods are kept)
        return {"period_start": deadline.start.isoformat(), "period_due": deadline.due.isoformat(),
                "unit": deadline.unit.value, "amount": deadline.amount, **evidence}

    if done_on is not None:
        if done_on > deadline.due:
            yield case_finding(rule_id, Severity.RED, view, due=deadline.due, done_on=done_on.isoformat(), **facts())
        return
    if ctx.today > deadline.due:
        yield case_finding(rule_id, Severity.RED, view, due=deadline.due, done_on=None, **facts())
        return
    if ctx.today >= deadline.start and _elapsed_share(ctx, deadline, ctx.today) * 100 >= ctx.config.yellow_ratio_percent:
        yield case_finding(rule_id, Severity.YELLOW, view, due=deadline.due, done_on=None, **facts())


def officer_issue(view: CaseView, officer_id: str, day: date) -> str | None:
    """Why `officer_id` could not act on `day` (no certificate / not valid / area / domain), or None.
    Worked out once per (officer, day) of a view: S04, S05 and S06 all ask it of every act."""
    key = ("officer_issue", officer_id, day)
    memo = view.memo
    if key in memo:
        return memo[key]  # type: ignore[no-any-return]
    issue = memo[key] = _officer_issue(view, officer_id, day)
    return issue


def _officer_issue(view: CaseView, officer_id: str, day: date) -> str | None:
    officer = view.officers.get(officer_id)
    cert = officer.certificate_on(day) if officer is not None else None
    if cert is None:
        return "NO_CERTIFICATE"
    if not cert.valid_on(day):
        return "CERTIFICATE_NOT_VALID"
    if not any(region_covers(area, view.snapshot.region_code) for area in cert.areas):
        return "AREA_NOT_COVERED"
    if view.item is not None and view.item.domain not in cert.domains:
        return "DOMAIN_NOT_COVERED"
    return None


def acts(view: CaseView) -> list[tuple[str, date, tuple[str, ...]]]:
    """The officer acts of a case: (what, day, officers). Evidence collection, the investigation,
    an on-the-spot decision. Coercive measures are added from `extras`. Worked out once per view
    (S04, S05 and S06 each walk them); callers only read the list."""
    found = view.memo.get("acts")
    if found is None:
        found = view.memo["acts"] = _acts(view)
    return found


def _acts(view: CaseView) -> list[tuple[str, date, tuple[str, ...]]]:
    snap = view.snapshot
    out: list[tuple[str, date, tuple[str, ...]]] = []
    for ev in snap.evidence:
        out.append((f"evidence:{ev.evidence_id}", ev.collected_on, ev.collected_by))
    if snap.decision is not None and snap.procedure is not None and snap.procedure.value == "SIMPLE":
        out.append(("simple_decision", snap.decision.decided_on, snap.investigators))
    for m in view.extras.measures:
        if m.started_at is not None:
            out.append((f"measure:{m.measure_id}", m.started_at.date(), m.officer_ids))
    return out
