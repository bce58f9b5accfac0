"""T27–T33: suspension, termination, publicity, closure, archive, remedies, revocation/change."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from ..commands import (
    Archive,
    Close,
    ConcludeRemedy,
    FileRemedy,
    PublishDecision,
    Resume,
    ReviseDecision,
    Suspend,
    Terminate,
    WithdrawPublicity,
)
from ..common_guards import require_discretion
from ..context import GuardContext
from ..deadlines import (
    Deadline,
    archive_deadline,
    decision_deadline,
    publicity_withdrawal_deadline,
    service_deadline,
)
from ..enums import ACTIVE_STATES, POST_DECISION_STATES, CaseState, RemedyOutcome, TerminationGround
from ..errors import DomainValueError
from ..periods import DateRange
from ..records import Closure, Decision, Remedy, Suspension, Termination
from ..rules import check
from ..snapshot import CaseSnapshot
from ..transition import Transition
from .base import Handler, advance, day_of, moved, require_state
from .intake import closure_due

CLOSABLE = frozenset(
    {
        CaseState.PERFORMED,
        CaseState.NO_PENALTY_DECIDED,
        CaseState.TRANSFERRED,
        CaseState.NOT_FILED,
        CaseState.TERMINATED,
        CaseState.SERVED,
    }
)
PUBLISHABLE = frozenset(POST_DECISION_STATES | {CaseState.CLOSED}) - {CaseState.NO_PENALTY_DECIDED}
BEFORE_DECISION_CLOCK_ENDS = frozenset(
    {
        CaseState.FILED,
        CaseState.INVESTIGATING,
        CaseState.INVESTIGATION_CONCLUDED,
        CaseState.UNDER_REVIEW,
        CaseState.NOTIFIED,
        CaseState.HEARING_PENDING,
        CaseState.HEARING_HELD,
        CaseState.LEGAL_REVIEW,
        CaseState.COLLECTIVE_DISCUSSION,
    }
)


def suspend(case: CaseSnapshot | None, cmd: Suspend, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, ACTIVE_STATES)
    check(bool(cmd.reason.strip()), "T27.reason_recorded", "中止 needs a recorded reason")
    record = Suspension(case.state, day_of(cmd), cmd.reason, cmd.excluded_from_clock)
    return advance(case, moved(case, CaseState.SUSPENDED, suspension=record), cmd, transition="T27",
                   summary=f"suspended: {cmd.reason}")


def resume(case: CaseSnapshot | None, cmd: Resume, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.SUSPENDED})
    record = case.suspension
    assert record is not None
    day = day_of(cmd)
    excluded = case.excluded_periods
    deadlines: tuple[Deadline, ...] = ()
    if (record.excluded_from_clock and record.previous_state in BEFORE_DECISION_CLOCK_ENDS
            and case.filed_on is not None and day > record.since):
        excluded = (*excluded, DateRange(record.since, day - timedelta(days=1)))
        deadlines = (decision_deadline(ctx.calendar, ctx.config, filed_on=case.filed_on,
                                       extensions=case.extensions, excluded=excluded),)
    after = moved(case, record.previous_state, suspension=None, excluded_periods=excluded,
                  past_suspensions=(*case.past_suspensions, replace(record, resumed_on=day)))
    return advance(case, after, cmd, transition="T27", summary=f"resumed to {record.previous_state.value}",
                   deadlines=deadlines)


def terminate(case: CaseSnapshot | None, cmd: Terminate, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, ACTIVE_STATES | {CaseState.SUSPENDED})
    check(bool(cmd.reason.strip()), "T28.reason_recorded", "终止/终结 needs a recorded reason")
    day = day_of(cmd)
    after = moved(case, CaseState.TERMINATED, termination=Termination(cmd.ground, cmd.reason, day), suspension=None)
    return advance(case, after, cmd, transition="T28", summary=f"terminated: {cmd.ground.value}",
                   deadlines=(closure_due(ctx, day),))


def publish(case: CaseSnapshot | None, cmd: PublishDecision, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, PUBLISHABLE)
    if case.publicity is None or case.decision is None:
        raise DomainValueError("only a penalty decision is published")
    day = day_of(cmd)
    late = "" if case.publicity.deadline.is_met_by(day) else f" (late: due {case.publicity.deadline.due})"
    return advance(case, replace(case, publicity=replace(case.publicity, published_on=day)), cmd,
                   transition="T29", summary=f"decision published{late}")


def withdraw_publicity(case: CaseSnapshot | None, cmd: WithdrawPublicity, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, set(CaseState))
    if case.publicity is None or case.publicity.published_on is None or case.publicity.withdrawn_on is not None:
        raise DomainValueError("nothing published to withdraw")
    day = day_of(cmd)
    return advance(case, replace(case, publicity=replace(case.publicity, withdrawn_on=day)), cmd,
                   transition="T33", summary="publicity withdrawn")


def close(case: CaseSnapshot | None, cmd: Close, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, CLOSABLE)
    if case.state is CaseState.SERVED and case.no_penalty is None:
        raise DomainValueError("a served penalty decision closes after performance")
    check(cmd.documents_complete, "T30.documents_complete", "case documents are missing")
    unhashed = [e.evidence_id for e in case.evidence if not e.sm3]
    check(not unhashed, "T30.evidence_hashed", f"evidence without SM3 hash: {unhashed}")
    if case.state is CaseState.PERFORMED:
        paid = case.payment is not None and case.payment.paid_on is not None
        executed = case.enforcement is not None and case.enforcement.executed_on is not None
        non_monetary = case.decision is not None and case.decision.proposal.monetary_fen == 0
        check(paid or executed or non_monetary, "T30.performance_recorded",
              "no payment or execution record")
    day = day_of(cmd)
    archive = archive_deadline(ctx.calendar, ctx.config, closed_on=day)
    return advance(case, moved(case, CaseState.CLOSED, closure=Closure(day, archive)), cmd, transition="T30",
                   summary="closed", deadlines=(archive,))


def archive(case: CaseSnapshot | None, cmd: Archive, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.CLOSED})
    check(cmd.sealed and bool(cmd.manifest_sm3) and bool(cmd.archive_no), "T31.archive_sealed",
          "the archive package needs its SM3 manifest, e-seal and archive number")
    assert case.closure is not None
    closure = replace(case.closure, archived_on=day_of(cmd), archive_no=cmd.archive_no)
    return advance(case, moved(case, CaseState.ARCHIVED, closure=closure), cmd, transition="T31",
                   summary=f"archived as {cmd.archive_no}")


def file_remedy(case: CaseSnapshot | None, cmd: FileRemedy, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, POST_DECISION_STATES)
    remedy = Remedy(cmd.kind, day_of(cmd))
    return advance(case, replace(case, remedies=(*case.remedies, remedy)), cmd, transition="T32",
                   summary=f"{cmd.kind.value} filed: execution continues, surcharge paused")


def conclude_remedy(case: CaseSnapshot | None, cmd: ConcludeRemedy, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, POST_DECISION_STATES | {CaseState.CLOSED, CaseState.TERMINATED})
    pending = [r for r in case.remedies if r.pending]
    if not pending:
        raise DomainValueError("no pending review or lawsuit")
    day = day_of(cmd)
    target = pending[-1]
    remedies = tuple(replace(r, concluded_on=day, outcome=cmd.outcome) if r is target else r for r in case.remedies)
    return advance(case, replace(case, remedies=remedies), cmd, transition="T32",
                   summary=f"{target.kind.value} concluded: {cmd.outcome.value}")


def revise_decision(case: CaseSnapshot | None, cmd: ReviseDecision, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, POST_DECISION_STATES - {CaseState.NO_PENALTY_DECIDED})
    if case.decision is None:
        raise DomainValueError("only a penalty decision can be revoked or changed")
    day = day_of(cmd)
    deadlines: list[Deadline] = []
    publicity = case.publicity
    if publicity is not None and publicity.published_on is not None and publicity.withdrawn_on is None:
        withdraw = publicity_withdrawal_deadline(ctx.calendar, ctx.config, changed_on=day)
        publicity = replace(publicity, withdrawal_deadline=withdraw)
        deadlines.append(withdraw)
    if cmd.outcome is RemedyOutcome.REVOKED:
        after = moved(case, CaseState.TERMINATED, publicity=publicity,
                      termination=Termination(TerminationGround.DECISION_REVOKED, cmd.reason, day))
        deadlines.append(closure_due(ctx, day))
        return advance(case, after, cmd, transition="T33", summary=f"decision revoked: {cmd.reason}",
                       deadlines=deadlines)
    if cmd.outcome is not RemedyOutcome.CHANGED or cmd.proposal is None or not cmd.doc_no:
        raise DomainValueError("a change needs outcome CHANGED, the new penalty and a new document number")
    require_discretion(ctx.require_item(case.item_code, case.item_version), cmd.proposal)
    decision = Decision(cmd.doc_no, day, cmd.proposal, cmd.actor_id, True, case.decision.basis_refs)
    deadlines.append(service_deadline(ctx.calendar, ctx.config, decided_on=day))
    after = moved(case, CaseState.DECIDED, decision=decision, publicity=publicity, service=None, payment=None,
                  reminder_served_on=None, enforcement=None)
    return advance(case, after, cmd, transition="T33", summary=f"decision changed: {cmd.reason}",
                   deadlines=deadlines)


HANDLERS: dict[type, Handler] = {
    Suspend: suspend,
    Resume: resume,
    Terminate: terminate,
    PublishDecision: publish,
    WithdrawPublicity: withdraw_publicity,
    Close: close,
    Archive: archive,
    FileRemedy: file_remedy,
    ConcludeRemedy: conclude_remedy,
    ReviseDecision: revise_decision,
}
