"""T10–T20: transfer, legal review, no-penalty decision, notice, statements, hearing, decision."""

from __future__ import annotations

from dataclasses import replace

from ..commands import (
    ApproveExtension,
    Decide,
    DecideNoPenalty,
    HoldCollectiveDiscussion,
    HoldHearing,
    Reassess,
    RecordLegalReview,
    RecordStatement,
    RequestHearing,
    ReviewStatement,
    ScheduleHearing,
    ServeNotice,
    SubmitLegalReview,
    TransferToJudiciary,
    WaiveStatements,
)
from ..common_guards import hearing_eligible, require_discretion, require_minor_rules
from ..context import GuardContext
from ..deadlines import (
    decision_deadline,
    hearing_earliest_date,
    hearing_request_deadline,
    legal_review_deadline,
    publicity_deadline,
    service_deadline,
    statement_deadline,
)
from ..enums import EDUCATION_GROUNDS, CaseState, HearingStatus, ReviewOpinion
from ..errors import DomainValueError
from ..money import format_yuan
from ..records import (
    CollectiveDiscussion,
    Decision,
    Hearing,
    LegalReview,
    NoPenaltyDecision,
    Notice,
    Publicity,
    Statement,
)
from ..rules import check
from ..snapshot import CaseSnapshot
from ..transition import Transition
from .base import Handler, advance, day_of, moved, require_state
from .intake import closure_due

PRE_DECISION = frozenset(
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
DECIDING = frozenset({CaseState.UNDER_REVIEW, CaseState.LEGAL_REVIEW, CaseState.COLLECTIVE_DISCUSSION})


def legal_review_required(case: CaseSnapshot, ctx: GuardContext) -> bool:
    """Art. 58: declared criteria, the item's major-decision flag, or a hearing actually held."""
    item = ctx.require_item(case.item_code, case.item_version)
    held = case.hearing is not None and case.hearing.status is HearingStatus.HELD
    declared = case.legal_review is not None and case.legal_review.required
    return item.major_decision or held or declared


def discussion_required(case: CaseSnapshot, ctx: GuardContext) -> bool:
    item = ctx.require_item(case.item_code, case.item_version)
    return case.major or case.complex_case or item.major_decision


def _require_review_passed(case: CaseSnapshot, ctx: GuardContext) -> None:
    if legal_review_required(case, ctx):
        review = case.legal_review
        check(review is not None and review.opinion is ReviewOpinion.PASS, "T20.legal_review_passed",
              "法制审核 is required and has not passed")


def transfer(case: CaseSnapshot | None, cmd: TransferToJudiciary, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.UNDER_REVIEW})
    check(cmd.suspected_crime, "T10.suspected_crime", "transfer to judicial organs needs a suspected crime")
    summary = f"transferred to {cmd.recipient}"
    if case.coercive_measure_ids:
        summary += "; sealed/seized/frozen items go with the case and the party is told in writing"
    after = moved(case, CaseState.TRANSFERRED, transferred_to=cmd.recipient)
    return advance(case, after, cmd, transition="T10", summary=summary,
                   deadlines=(closure_due(ctx, day_of(cmd)),))


def submit_legal_review(case: CaseSnapshot | None, cmd: SubmitLegalReview, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.UNDER_REVIEW})
    item = ctx.require_item(case.item_code, case.item_version)
    reasons = tuple(
        name
        for name, flag in (
            ("58(1) major public interest", cmd.major_public_interest),
            ("58(2) major rights after a hearing", cmd.major_rights_after_hearing),
            ("58(3) complex legal relations", cmd.complex_legal_relations),
            ("58(4) other statutory case", cmd.other_statutory),
            ("item major decision", item.major_decision),
        )
        if flag
    )
    day = day_of(cmd)
    due = legal_review_deadline(ctx.calendar, ctx.config, submitted_on=day)
    review = LegalReview(day, bool(reasons), reasons, due)
    after = moved(case, CaseState.LEGAL_REVIEW, legal_review=review,
                  major=case.major or cmd.major_case, complex_case=case.complex_case or cmd.complex_case)
    label = "T17" if case.reassessed is not None else "T11"
    return advance(case, after, cmd, transition=label, summary=f"legal review until {due.due}", deadlines=(due,))


def record_legal_review(case: CaseSnapshot | None, cmd: RecordLegalReview, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.LEGAL_REVIEW})
    assert case.legal_review is not None
    reviewer = ctx.personnel.officer(cmd.reviewer_id)
    qualified = (
        reviewer is not None
        and reviewer.is_legal_reviewer
        and (not reviewer.first_time_reviewer or reviewer.has_legal_qualification)
    )
    check(qualified, "legal_review.qualified_reviewer",
          f"{cmd.reviewer_id} is not a legal reviewer, or is a first-time reviewer without the 法律职业资格")
    day = day_of(cmd)
    review = replace(case.legal_review, reviewer_id=cmd.reviewer_id, opinion=cmd.opinion, reviewed_on=day)
    if cmd.opinion is not ReviewOpinion.PASS:
        return advance(case, moved(case, CaseState.UNDER_REVIEW, legal_review=review), cmd, transition="T18",
                       summary=f"legal review {cmd.opinion.value}")
    if discussion_required(case, ctx):
        return advance(case, moved(case, CaseState.COLLECTIVE_DISCUSSION, legal_review=review), cmd,
                       transition="T19", summary="legal review passed; collective discussion required")
    return advance(case, replace(case, legal_review=review), cmd, transition="T17",
                   summary="legal review passed")


def hold_collective_discussion(case: CaseSnapshot | None, cmd: HoldCollectiveDiscussion, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.COLLECTIVE_DISCUSSION})
    check(len(set(cmd.attendees)) >= 2 and bool(cmd.minutes_doc_id.strip()), "T19.discussion_minutes",
          "collective discussion needs the attendees of the agency's leadership and signed minutes")
    record = CollectiveDiscussion(day_of(cmd), tuple(cmd.attendees), cmd.minutes_doc_id)
    return advance(case, replace(case, collective_discussion=record), cmd, transition="T19",
                   summary="collective discussion held")


def decide_no_penalty(case: CaseSnapshot | None, cmd: DecideNoPenalty, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, DECIDING)
    if cmd.ground in EDUCATION_GROUNDS:
        check(bool(cmd.education_record_id), "T12.education_record",
              f"no penalty on ground {cmd.ground.value} requires an education record (第三十三条第三款)")
    _require_review_passed(case, ctx)
    if discussion_required(case, ctx):
        check(case.collective_discussion is not None, "T20.collective_discussion",
              "a complex or major case needs collective discussion before the decision")
    day = day_of(cmd)
    decision = NoPenaltyDecision(cmd.ground, day, cmd.education_record_id)
    service = service_deadline(ctx.calendar, ctx.config, decided_on=day)
    return advance(case, moved(case, CaseState.NO_PENALTY_DECIDED, no_penalty=decision), cmd,
                   transition="T12", summary=f"no penalty: {cmd.ground.value}", deadlines=(service,))


def serve_notice(case: CaseSnapshot | None, cmd: ServeNotice, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.UNDER_REVIEW})
    check(cmd.facts_stated and cmd.reasons_stated and cmd.basis_stated and cmd.rights_stated,
          "T13.notice_contents", "the notice must state the intended penalty, facts, reasons, basis and rights")
    item = ctx.require_item(case.item_code, case.item_version)
    eligible = hearing_eligible(item, case.parties, cmd.proposal)
    check(not eligible or cmd.includes_hearing_right, "T13.hearing_right_stated",
          "the proposed penalty gives a hearing right, which the notice must state")
    day = day_of(cmd)
    statements = statement_deadline(ctx.calendar, ctx.config, notice_served_on=day)
    hearing_window = hearing_request_deadline(ctx.calendar, ctx.config, notice_served_on=day) if eligible else None
    notice = Notice(day, cmd.proposal, eligible, cmd.includes_hearing_right, statements, hearing_window)
    after = moved(case, CaseState.NOTIFIED, notice=notice, reassessed=None, hearing=None,
                  statements_waived=False)
    deadlines = (statements,) if hearing_window is None else (statements, hearing_window)
    return advance(case, after, cmd, transition="T13", summary="告知书 served", deadlines=deadlines)


def record_statement(case: CaseSnapshot | None, cmd: RecordStatement, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.NOTIFIED, CaseState.HEARING_PENDING, CaseState.HEARING_HELD})
    after = replace(case, statements=(*case.statements, Statement(day_of(cmd), cmd.summary)))
    return advance(case, after, cmd, transition="T16", summary="statement received")


def review_statement(case: CaseSnapshot | None, cmd: ReviewStatement, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.NOTIFIED, CaseState.HEARING_PENDING, CaseState.HEARING_HELD})
    if not 0 <= cmd.index < len(case.statements):
        raise DomainValueError(f"no statement number {cmd.index}")
    updated = tuple(
        replace(s, reviewed=True, adopted=cmd.adopted) if i == cmd.index else s
        for i, s in enumerate(case.statements)
    )
    return advance(case, replace(case, statements=updated), cmd, transition="T16",
                   summary=f"statement {cmd.index} reviewed (adopted={cmd.adopted})")


def waive_statements(case: CaseSnapshot | None, cmd: WaiveStatements, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.NOTIFIED})
    return advance(case, replace(case, statements_waived=True), cmd, transition="T16",
                   summary="the party expressly waived statement and defence")


def request_hearing(case: CaseSnapshot | None, cmd: RequestHearing, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.NOTIFIED})
    assert case.notice is not None
    check(case.notice.hearing_eligible, "T14.hearing_eligible", "the notified penalty gives no hearing right")
    window = case.notice.hearing_request_deadline
    day = day_of(cmd)
    assert window is not None
    check(window.is_met_by(day), "T14.request_within_window",
          f"hearing requested on {day}, after the window ending {window.due}")
    return advance(case, moved(case, CaseState.HEARING_PENDING, hearing=Hearing(day, HearingStatus.REQUESTED)),
                   cmd, transition="T14", summary="hearing requested")


def schedule_hearing(case: CaseSnapshot | None, cmd: ScheduleHearing, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.HEARING_PENDING})
    assert case.hearing is not None
    earliest = hearing_earliest_date(ctx.calendar, ctx.config, hearing_notice_served_on=cmd.notice_served_on)
    check(cmd.hearing_on >= earliest.due, "T14.hearing_notice_7wd",
          f"hearing on {cmd.hearing_on} is less than {earliest.amount} wd after its notice "
          f"of {cmd.notice_served_on} (earliest {earliest.due})")
    hearing = replace(case.hearing, status=HearingStatus.SCHEDULED, notice_served_on=cmd.notice_served_on,
                      hearing_on=cmd.hearing_on, chair_id=cmd.chair_id)
    return advance(case, replace(case, hearing=hearing), cmd, transition="T14",
                   summary=f"hearing set for {cmd.hearing_on}", deadlines=(earliest,))


def hold_hearing(case: CaseSnapshot | None, cmd: HoldHearing, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.HEARING_PENDING})
    hearing = case.hearing
    check(hearing is not None and hearing.status is HearingStatus.SCHEDULED and hearing.chair_id is not None,
          "T15.hearing_scheduled", "the hearing was never notified and scheduled")
    assert hearing is not None
    check(hearing.chair_id not in case.investigators, "T15.chair_not_investigator",
          f"the chair {hearing.chair_id} investigated the case")
    if not cmd.deemed_waived:
        check(cmd.record_signed or cmd.refusal_noted, "T15.record_signed",
              "the hearing record must be signed, or the refusal to sign noted")
    status = HearingStatus.WAIVED if cmd.deemed_waived else HearingStatus.HELD
    return advance(case, moved(case, CaseState.HEARING_HELD, hearing=replace(hearing, status=status)), cmd,
                   transition="T15", summary=f"hearing {status.value.lower()}")


def reassess(case: CaseSnapshot | None, cmd: Reassess, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.NOTIFIED, CaseState.HEARING_HELD})
    notice = case.notice
    assert notice is not None
    day = day_of(cmd)
    if case.state is CaseState.NOTIFIED and not case.statements_waived:
        statement_done = bool(case.statements) or day > notice.statement_deadline.due
        window = notice.hearing_request_deadline
        hearing_done = window is None or day > window.due
        check(statement_done and hearing_done, "T16.statement_window_closed",
              f"the statement period (until {notice.statement_deadline.due}) or hearing window is still open")
    unreviewed = [i for i, s in enumerate(case.statements) if not s.reviewed]
    check(not unreviewed, "T16.statements_reviewed", f"statements {unreviewed} have not been reviewed (复核)")
    if cmd.proposal.is_heavier_than(notice.proposal):
        check(cmd.new_facts, "T16.no_aggravation",
              f"the proposal ({format_yuan(cmd.proposal.fine_fen)}) is heavier than the notified "
              f"({format_yuan(notice.proposal.fine_fen)}) without new facts")
        after = moved(case, CaseState.UNDER_REVIEW, reassessed=None, notice=None, hearing=None)
        return advance(case, after, cmd, transition="T16",
                       summary="new facts: a new notice is required before a heavier penalty")
    return advance(case, moved(case, CaseState.UNDER_REVIEW, reassessed=cmd.proposal), cmd, transition="T16",
                   summary="re-assessed after statements/hearing")


def approve_extension(case: CaseSnapshot | None, cmd: ApproveExtension, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, PRE_DECISION)
    check(cmd.extension.qualifies, "T20.extension_basis",
          f"an extension needs an approver and a law, regulation or rule; got {cmd.extension.basis_level.value}")
    assert case.filed_on is not None
    extensions = (*case.extensions, cmd.extension)
    clock = decision_deadline(ctx.calendar, ctx.config, filed_on=case.filed_on, extensions=extensions,
                              excluded=case.excluded_periods)
    return advance(case, replace(case, extensions=extensions), cmd, transition="T20",
                   summary=f"decision period extended to {clock.due}", deadlines=(clock,))


def decide(case: CaseSnapshot | None, cmd: Decide, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, DECIDING)
    day = day_of(cmd)
    notice = case.notice
    check(notice is not None and notice.served_on <= day, "T20.notice_served",
          "no penalty decision without the notice of 《行政处罚法》第四十四条")
    assert notice is not None
    heard = case.statements_waived or bool(case.statements) or day > notice.statement_deadline.due
    check(heard, "T20.statements_heard", "statements not heard and the statement period has not elapsed")
    if case.hearing is not None:
        check(case.hearing.status in (HearingStatus.HELD, HearingStatus.WAIVED), "T20.hearing_held",
              "a hearing was requested and has not been held")
    _require_review_passed(case, ctx)
    if discussion_required(case, ctx):
        check(case.collective_discussion is not None, "T20.collective_discussion",
              "a complex or major case needs collective discussion before the decision")
    check(not cmd.proposal.is_heavier_than(notice.proposal), "T20.no_aggravation",
          "the decision is heavier than the notified penalty")
    item = ctx.require_item(case.item_code, case.item_version)
    require_discretion(item, cmd.proposal)
    require_minor_rules(case.parties, case.violation.start, cmd.proposal)
    inapplicable = [r for r in cmd.basis_refs if not ctx.regulations.basis_applicable(r, case.violation.start)]
    check(bool(cmd.basis_refs) and not inapplicable, "T20.basis_effective",
          f"basis not in force at the violation ({case.violation.start}): {inapplicable or 'none given'}")
    assert case.filed_on is not None
    clock = decision_deadline(ctx.calendar, ctx.config, filed_on=case.filed_on, extensions=case.extensions,
                              excluded=case.excluded_periods)
    check(clock.is_met_by(day), "T20.within_decision_deadline",
          f"decision on {day} is after the deadline {clock.due} (filed {case.filed_on})")
    check(cmd.contents_complete and cmd.sealed and bool(cmd.doc_no) and bool(cmd.signed_by),
          "T20.decision_contents", "the decision must contain items (1)–(6) of Art. 59, be signed and sealed")
    decision = Decision(cmd.doc_no, day, cmd.proposal, cmd.signed_by, cmd.sealed, cmd.basis_refs)
    service = service_deadline(ctx.calendar, ctx.config, decided_on=day)
    publicity = publicity_deadline(ctx.calendar, ctx.config, decided_on=day)
    after = moved(case, CaseState.DECIDED, decision=decision, publicity=Publicity(publicity))
    return advance(case, after, cmd, transition="T20", summary=f"decision {cmd.doc_no}",
                   deadlines=(service, publicity))


HANDLERS: dict[type, Handler] = {
    TransferToJudiciary: transfer,
    SubmitLegalReview: submit_legal_review,
    RecordLegalReview: record_legal_review,
    HoldCollectiveDiscussion: hold_collective_discussion,
    DecideNoPenalty: decide_no_penalty,
    ServeNotice: serve_notice,
    RecordStatement: record_statement,
    ReviewStatement: review_statement,
    WaiveStatements: waive_statements,
    RequestHearing: request_hearing,
    ScheduleHearing: schedule_hearing,
    HoldHearing: hold_hearing,
    Reassess: reassess,
    ApproveExtension: approve_extension,
    Decide: decide,
}
