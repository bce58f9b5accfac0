"""T1–T9: clue, verification, simple procedure, filing and investigation (incl. T7a, T7b)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from ..commands import (
    AssignVerifier,
    ConcludeInvestigation,
    DecideNotToFile,
    DecideOnTheSpot,
    FileCase,
    FileSimpleRecord,
    HandlePreservation,
    LinkCoerciveMeasure,
    PreserveEvidence,
    RecordEvidence,
    RegisterClue,
    StartInvestigation,
    StartPerformance,
    SubmitForReview,
)
from ..common_guards import require_certified_officers, require_discretion, require_minor_rules
from ..context import GuardContext
from ..deadlines import (
    Deadline,
    closure_deadline,
    decision_deadline,
    filing_decision_deadline,
    freeze_term,
    limitation_deadline,
    payment_deadline,
    preservation_deadline,
    seal_seize_term,
    simple_record_deadline,
)
from ..enums import (
    MEASURE_BASIS_LEVELS,
    SIMPLE_KINDS,
    CaseState,
    CoerciveKind,
    PartyType,
    Procedure,
    ServiceMethod,
)
from ..errors import DomainValueError, IllegalTransition
from ..money import format_yuan
from ..records import Decision, Payment, Preservation, Service
from ..rules import check, guard_failed
from ..snapshot import CaseSnapshot
from ..transition import Transition
from .base import Handler, advance, day_of, moved, require_state


def _new_case(cmd: RegisterClue, ctx: GuardContext) -> CaseSnapshot:
    check(ctx.catalogue.item(cmd.item_code, cmd.item_version) is not None, "T1.item_in_catalogue",
          f"item {cmd.item_code}@{cmd.item_version} is not in the enforcement-item catalogue")
    ctx.require_body(cmd.body_id)
    if not cmd.parties:
        raise DomainValueError("a clue names at least one party")
    return CaseSnapshot(
        case_id=cmd.case_id,
        state=CaseState.CLUE,
        body_id=cmd.body_id,
        item_code=cmd.item_code,
        item_version=cmd.item_version,
        region_code=cmd.region_code,
        source=cmd.source,
        parties=cmd.parties,
        violation=cmd.violation,
        discovered_on=cmd.discovered_on,
        clue_received_on=day_of(cmd),
    )


def register_clue(case: CaseSnapshot | None, cmd: RegisterClue, ctx: GuardContext) -> Transition:
    if case is not None:
        raise IllegalTransition("RegisterClue", case.state.value, ("<no case>",))
    return advance(None, _new_case(cmd, ctx), cmd, transition="T1", summary="clue registered")


def assign_verifier(case: CaseSnapshot | None, cmd: AssignVerifier, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.CLUE})
    due = filing_decision_deadline(ctx.calendar, ctx.config, received_on=case.clue_received_on)
    after = moved(case, CaseState.CLUE_VERIFYING, verifier_id=cmd.verifier_id)
    return advance(case, after, cmd, transition="T2", summary=f"verifier {cmd.verifier_id} assigned",
                   deadlines=(due,))


def closure_due(ctx: GuardContext, final_event_on: date) -> Deadline:
    """T30 period: close within the configured working days after the final event."""
    return closure_deadline(ctx.calendar, ctx.config, final_event_on=final_event_on)


def decide_not_to_file(case: CaseSnapshot | None, cmd: DecideNotToFile, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.CLUE_VERIFYING})
    check(bool(cmd.reason.strip()), "T3.reason_recorded", "a decision not to file must record its reason")
    return advance(case, moved(case, CaseState.NOT_FILED), cmd, transition="T3",
                   summary=f"not filed: {cmd.reason}", deadlines=(closure_due(ctx, day_of(cmd)),))


def decide_on_the_spot(case: CaseSnapshot | None, cmd: DecideOnTheSpot, ctx: GuardContext) -> Transition:
    if case is None:
        if cmd.clue is None:
            raise DomainValueError("an on-the-spot decision without a registered case must carry the clue")
        base = _new_case(cmd.clue, ctx)
    else:
        base = require_state(case, cmd, {CaseState.CLUE})
    item = ctx.require_item(base.item_code, base.item_version)
    proposal = cmd.proposal
    check(cmd.facts_certain and bool(cmd.basis_refs), "T4.facts_and_basis",
          "simple procedure needs certain facts and a legal basis")
    extra = proposal.kinds - SIMPLE_KINDS
    check(not extra, "T4.simple_kinds", f"simple procedure allows only WARNING and FINE, not {sorted(k.value for k in extra)}")
    limits = ctx.config.simple_procedure
    organisation = all(p.party_type is PartyType.ORGANISATION for p in base.parties)
    limit = limits.organisation_max_fen if organisation else limits.natural_person_max_fen
    check(proposal.fine_fen <= limit, "T4.simple_fine_limit",
          f"fine {format_yuan(proposal.fine_fen)} exceeds the simple-procedure limit {format_yuan(limit)}")
    require_certified_officers(ctx, cmd.officer_ids, cmd.at, region=base.region_code, item=item)
    check(cmd.certificate_shown and bool(cmd.doc_no.strip()), "T4.form_and_certificate",
          "the certificate must be shown and a pre-numbered decision form used")
    check(cmd.statement_heard, "T4.statement_heard", "the party's statement must be heard before deciding")
    require_minor_rules(base.parties, base.violation.start, proposal)
    require_discretion(item, proposal)
    day = day_of(cmd)
    after = moved(
        base,
        CaseState.SIMPLE_DECIDED,
        procedure=Procedure.SIMPLE,
        investigators=tuple(cmd.officer_ids),
        decision=Decision(cmd.doc_no, day, proposal, cmd.actor_id, sealed=True, basis_refs=cmd.basis_refs),
        service=Service(ServiceMethod.DIRECT, day, on_spot=True),
    )
    record = simple_record_deadline(ctx.calendar, ctx.config, decided_on=day)
    return advance(case, after, cmd, transition="T4", summary=f"on-the-spot decision {cmd.doc_no}",
                   deadlines=(record,))


def file_simple_record(case: CaseSnapshot | None, cmd: FileSimpleRecord, ctx: GuardContext) -> Transition:
    """A fact recorded when it happens: a late 备案 is accepted (and flagged by supervision rule S07b)."""
    case = require_state(case, cmd, {CaseState.SIMPLE_DECIDED, CaseState.PERFORMING, CaseState.PERFORMED,
                                     CaseState.CLOSED})
    check(case.procedure is Procedure.SIMPLE and case.decision is not None, "T4a.simple_decision",
          "only an on-the-spot (simple-procedure) decision is filed with the agency")
    check(case.simple_filed_on is None, "T4a.filed_once", f"already filed with the agency on {case.simple_filed_on}")
    assert case.decision is not None
    day = day_of(cmd)
    check(day >= case.decision.decided_on, "T4a.after_decision",
          f"filing on {day} is before the decision of {case.decision.decided_on}")
    return advance(case, replace(case, simple_filed_on=day), cmd, transition="T4a",
                   summary=f"on-the-spot decision filed with the agency on {day}")


def start_performance(case: CaseSnapshot | None, cmd: StartPerformance, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.SIMPLE_DECIDED})
    assert case.decision is not None
    proposal = case.decision.proposal
    if cmd.on_spot_collection:
        small = proposal.fine_fen <= ctx.config.simple_procedure.on_spot_collection_max_fen
        check(small or cmd.hard_to_collect or cmd.remote_area_request, "T5.on_spot_collection",
              f"on-the-spot collection of {format_yuan(proposal.fine_fen)} needs a fine ≤ "
              f"{format_yuan(ctx.config.simple_procedure.on_spot_collection_max_fen)}, "
              "a later collection being hard, or a remote-area request")
    day = day_of(cmd)
    if proposal.monetary_fen == 0:
        after = moved(case, CaseState.PERFORMED, performed_on=day)
        return advance(case, after, cmd, transition="T5", summary="non-monetary penalty performed on delivery",
                       deadlines=(closure_due(ctx, day),))
    due = payment_deadline(ctx.calendar, ctx.config, served_on=case.decision.decided_on)
    payment = Payment(proposal.monetary_fen, due, due.due, on_spot=cmd.on_spot_collection,
                      hard_to_collect=cmd.on_spot_collection and cmd.hard_to_collect,
                      remote_area_request=cmd.on_spot_collection and cmd.remote_area_request)
    return advance(case, moved(case, CaseState.PERFORMING, payment=payment), cmd, transition="T5",
                   summary=f"payment due {due.due}", deadlines=(due,))


def file_case(case: CaseSnapshot | None, cmd: FileCase, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.CLUE_VERIFYING})
    check(cmd.filing_standard_met, "T6.filing_standard_met", "the filing standard is not met")
    body = ctx.require_body(case.body_id)
    check(case.item_code in body.item_codes, "T6.body_competent",
          f"body {body.name} has no power for item {case.item_code}")
    v = case.violation
    limitation = limitation_deadline(
        ctx.config, violation_start=v.start, violation_end=v.end, continuous=v.continuous,
        extended=v.endangers_life_or_finance and v.harmful_consequences,
    )
    check(case.discovered_on <= limitation.due, "T6.not_time_barred",
          f"discovered {case.discovered_on}, after the limitation period ended {limitation.due}")
    check(not cmd.filed_first_elsewhere, "T6.first_to_file", "another competent agency filed the case first")
    day = day_of(cmd)
    clock = decision_deadline(ctx.calendar, ctx.config, filed_on=day)
    after = moved(case, CaseState.FILED, filed_on=day, procedure=Procedure.ORDINARY)
    return advance(case, after, cmd, transition="T6", summary=f"filed; decide by {clock.due}",
                   deadlines=(limitation, clock))


def start_investigation(case: CaseSnapshot | None, cmd: StartInvestigation, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.FILED})
    item = ctx.require_item(case.item_code, case.item_version)
    require_certified_officers(ctx, cmd.officer_ids, cmd.at, region=case.region_code, item=item)
    check(cmd.recusal_checked, "T7.recusal_checked", "recusal (回避) must be checked before investigating")
    after = moved(case, CaseState.INVESTIGATING, investigators=tuple(cmd.officer_ids))
    return advance(case, after, cmd, transition="T7", summary="investigation started")


def record_evidence(case: CaseSnapshot | None, cmd: RecordEvidence, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.INVESTIGATING})
    item = ctx.require_item(case.item_code, case.item_version)
    require_certified_officers(ctx, cmd.evidence.collected_by, cmd.at, region=case.region_code, item=item)
    after = replace(case, evidence=(*case.evidence, cmd.evidence))
    return advance(case, after, cmd, transition="T7", summary=f"evidence {cmd.evidence.evidence_id} recorded")


def preserve_evidence(case: CaseSnapshot | None, cmd: PreserveEvidence, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.INVESTIGATING})
    check(cmd.head_approved and bool(cmd.approved_by), "T7a.head_approval",
          "先行登记保存 needs the approval of the agency head")
    day = day_of(cmd)
    due = preservation_deadline(ctx.calendar, ctx.config, preserved_on=day)
    record = Preservation(cmd.preservation_id, day, cmd.approved_by, due)
    return advance(case, replace(case, preservations=(*case.preservations, record)), cmd, transition="T7a",
                   summary=f"先行登记保存 {cmd.preservation_id}; handle by {due.due}", deadlines=(due,))


def handle_preservation(case: CaseSnapshot | None, cmd: HandlePreservation, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.INVESTIGATING, CaseState.INVESTIGATION_CONCLUDED})
    found = [p for p in case.preservations if p.preservation_id == cmd.preservation_id]
    if not found:
        raise DomainValueError(f"no preservation {cmd.preservation_id} on case {case.case_id}")
    day = day_of(cmd)
    record = found[0]
    check(record.deadline.is_met_by(day), "T7a.handled_within_7wd",
          f"handling on {day} is after the 7 wd period ending {record.deadline.due}")
    updated = tuple(replace(p, handled_on=day) if p is record else p for p in case.preservations)
    return advance(case, replace(case, preservations=updated), cmd, transition="T7a",
                   summary=f"先行登记保存 {cmd.preservation_id} handled")


def link_coercive_measure(case: CaseSnapshot | None, cmd: LinkCoerciveMeasure, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.INVESTIGATING})
    allowed = MEASURE_BASIS_LEVELS[cmd.measure_kind]
    if cmd.basis_level not in allowed:
        raise guard_failed("T7b.legal_basis",
                           f"a {cmd.measure_kind.value} measure cannot rest on a {cmd.basis_level.value}")
    day = day_of(cmd)
    if cmd.measure_kind is CoerciveKind.FREEZE:
        term = freeze_term(ctx.calendar, ctx.config, frozen_on=day)
    else:
        term = seal_seize_term(ctx.calendar, ctx.config, started_on=day)
    after = replace(case, coercive_measure_ids=(*case.coercive_measure_ids, cmd.measure_id))
    return advance(case, after, cmd, transition="T7b", summary=f"coercive measure {cmd.measure_id}",
                   deadlines=(term,))


def conclude_investigation(case: CaseSnapshot | None, cmd: ConcludeInvestigation, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.INVESTIGATING})
    check(bool(case.evidence), "T8.evidence_present", "the investigation report needs at least one piece of evidence")
    unsigned = [e.evidence_id for e in case.evidence if not e.signed]
    check(not unsigned, "T8.records_signed", f"records not signed: {unsigned}")
    after = moved(case, CaseState.INVESTIGATION_CONCLUDED, investigation_report_id=cmd.report_doc_id)
    return advance(case, after, cmd, transition="T8", summary="investigation concluded")


def submit_for_review(case: CaseSnapshot | None, cmd: SubmitForReview, ctx: GuardContext) -> Transition:
    case = require_state(case, cmd, {CaseState.INVESTIGATION_CONCLUDED})
    return advance(case, moved(case, CaseState.UNDER_REVIEW), cmd, transition="T9",
                   summary="submitted to the agency head")


HANDLERS: dict[type, Handler] = {
    RegisterClue: register_clue,
    AssignVerifier: assign_verifier,
    DecideNotToFile: decide_not_to_file,
    DecideOnTheSpot: decide_on_the_spot,
    FileSimpleRecord: file_simple_record,
    StartPerformance: start_performance,
    FileCase: file_case,
    StartInvestigation: start_investigation,
    RecordEvidence: record_evidence,
    PreserveEvidence: preserve_evidence,
    HandlePreservation: handle_preservation,
    LinkCoerciveMeasure: link_coercive_measure,
    ConcludeInvestigation: conclude_investigation,
    SubmitForReview: submit_for_review,
}
