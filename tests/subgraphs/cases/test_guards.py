"""One failing case per guard of the penalty-case machine, asserting the rule id and the article."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date

import pytest

from subgraphs.cases.domain import commands as c
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.enums import (
    BasisLevel,
    CaseState,
    CashStage,
    CircumstanceLevel,
    CoerciveKind,
    EnforcementRoute,
    HearingStatus,
    PartyType,
    PenaltyKind,
    ServiceMethod,
)
from subgraphs.cases.domain.errors import GuardFailed
from subgraphs.cases.domain.machine import apply
from subgraphs.cases.domain.records import Party, PenaltyProposal, Violation
from subgraphs.cases.domain.rules import RULES

from . import test_coercive, test_inspection
from .harness import (
    COMPANY,
    HEAVY,
    PERSON,
    Story,
    archive,
    at,
    close,
    clue,
    d,
    decide,
    discussion,
    enforce,
    evidence,
    executed,
    extension,
    file,
    file_remedy,
    hearing_case,
    hold_hearing,
    investigate,
    no_penalty,
    notice,
    ordinary,
    overdue,
    pay,
    payment_period,
    penalty,
    reassess,
    remind,
    request_hearing,
    review_opinion,
    schedule_hearing,
    serve,
    suspend,
    terminate,
)
from .world import REPEALED_BASIS

L = CircumstanceLevel
CPL = "《行政处罚法》"
CEL = "《行政强制法》"
Setup = Callable[[GuardContext], tuple[Story, c.CaseCommand]]


def spot(proposal: PenaltyProposal | None = None, *, party: Party = PERSON, item: str = "ITEM-S",
         officers: tuple[str, ...] = ("O1", "O2"), **kw: object) -> c.DecideOnTheSpot:
    args: dict[str, object] = {"facts_certain": True, "certificate_shown": True, "statement_heard": True,
                               "basis_refs": ("《某条例》第八条",), "doc_no": "No.0001234"}
    args.update(kw)
    return c.DecideOnTheSpot(at=at("2024-07-01"), actor_id="O1", officer_ids=officers,
                             proposal=proposal or penalty(200, level=L.ORDINARY),
                             clue=clue("2024-07-01", item=item, party=party), **args)  # type: ignore[arg-type]


def deciding(ctx: GuardContext, proposal: PenaltyProposal, party: Party = PERSON) -> Story:
    """Notice of `proposal`, express waiver, re-assessment: ready for T20."""
    story = ordinary(ctx, "UNDER_REVIEW", party=party)
    return story.do(notice("2024-05-06", proposal, includes_hearing_right=True),
                    c.WaiveStatements(at=at("2024-05-07"), actor_id="O1"), reassess("2024-05-08", proposal))


def built(story: Story, command: c.CaseCommand) -> tuple[Story, c.CaseCommand]:
    return story, command


def patched(story: Story, **changes: object) -> Story:
    """A snapshot the legal path cannot produce, to test a defensive guard."""
    return Story(story.ctx, replace(story.now, **changes))  # type: ignore[arg-type]


def with_hearing_status(story: Story, status: HearingStatus) -> Story:
    hearing = story.now.hearing
    assert hearing is not None
    return patched(story, hearing=replace(hearing, status=status))


def without_payment_record(story: Story) -> Story:
    payment = story.now.payment
    assert payment is not None
    return patched(story, payment=replace(payment, paid_on=None))


def collected_on_the_spot(ctx: GuardContext) -> Story:
    """A simple-procedure fine of 200 元 collected on the spot (hard to collect later) on 2024-07-01."""
    return Story(ctx).do(spot(), c.StartPerformance(at=at("2024-07-01"), actor_id="O1", on_spot_collection=True,
                                                     hard_to_collect=True), pay("2024-07-01", 200))


MINOR_13 = Party(PartyType.NATURAL_PERSON, "李四", birth_date=date(2010, 6, 1))
MINOR_16 = Party(PartyType.NATURAL_PERSON, "王五", birth_date=date(2007, 6, 1))

ROWS: list[tuple[str, str, Setup]] = [
    ("T1.item_in_catalogue", f"{CPL}第三十九条", lambda ctx: built(Story(ctx), clue("2024-02-26", item="NOPE"))),
    ("T3.reason_recorded", f"{CPL}第五十四条", lambda ctx: built(
        ordinary(ctx, "CLUE_VERIFYING"), c.DecideNotToFile(at=at("2024-03-01"), actor_id="HEAD", reason=" "))),
    ("T4.facts_and_basis", f"{CPL}第五十一条", lambda ctx: built(Story(ctx), spot(facts_certain=False))),
    ("T4.simple_kinds", f"{CPL}第五十一条", lambda ctx: built(Story(ctx), spot(
        penalty(200, level=L.ORDINARY, kinds=frozenset({PenaltyKind.FINE, PenaltyKind.SUSPEND_LICENCE}))))),
    ("T4.simple_fine_limit", f"{CPL}第五十一条", lambda ctx: built(Story(ctx), spot(penalty(201, level=L.ORDINARY)))),
    ("T4.form_and_certificate", f"{CPL}第五十二条", lambda ctx: built(Story(ctx), spot(certificate_shown=False))),
    ("T4.statement_heard", f"{CPL}第四十五条", lambda ctx: built(Story(ctx), spot(statement_heard=False))),
    ("officers.two_certified", f"{CPL}第四十二条", lambda ctx: built(Story(ctx), spot(officers=("O1",)))),
    ("T5.on_spot_collection", f"{CPL}第六十八条", lambda ctx: built(
        Story(ctx).do(spot()), c.StartPerformance(at=at("2024-07-01"), actor_id="O1", on_spot_collection=True))),
    ("T4a.simple_decision", f"{CPL}第五十二条", lambda ctx: built(
        ordinary(ctx, "PERFORMING").do(pay("2024-06-14", 5_000)), c.FileSimpleRecord(at=at("2024-07-01"), actor_id="O1"))),
    ("T4a.filed_once", f"{CPL}第五十二条", lambda ctx: built(
        Story(ctx).do(spot(), c.FileSimpleRecord(at=at("2024-07-02"), actor_id="O1")),
        c.FileSimpleRecord(at=at("2024-07-03"), actor_id="O1"))),
    ("T4a.after_decision", f"{CPL}第五十二条", lambda ctx: built(
        Story(ctx).do(spot()), c.FileSimpleRecord(at=at("2024-06-28"), actor_id="O1"))),
    ("T6.filing_standard_met", f"{CPL}第五十四条", lambda ctx: built(
        ordinary(ctx, "CLUE_VERIFYING"), file("2024-03-01", filing_standard_met=False))),
    ("T6.body_competent", f"{CPL}第十七条", lambda ctx: built(
        ordinary(ctx, "CLUE_VERIFYING", item="ITEM-X"), file("2024-03-01"))),
    ("T6.not_time_barred", f"{CPL}第三十六条", lambda ctx: built(
        Story(ctx).do(clue("2024-02-26", violation=Violation(d("2022-02-25"))), c.AssignVerifier(
            at=at("2024-02-27"), actor_id="HEAD", verifier_id="O1")), file("2024-03-01"))),
    ("T6.first_to_file", f"{CPL}第二十五条", lambda ctx: built(
        ordinary(ctx, "CLUE_VERIFYING"), file("2024-03-01", filed_first_elsewhere=True))),
    ("T7.recusal_checked", f"{CPL}第四十三条", lambda ctx: built(
        ordinary(ctx, "FILED"), investigate("2024-03-04", recusal_checked=False))),
    ("T7a.head_approval", f"{CPL}第五十六条", lambda ctx: built(ordinary(ctx, "INVESTIGATING"), c.PreserveEvidence(
        at=at("2024-03-05"), actor_id="O1", preservation_id="P-1", approved_by="O1", head_approved=False))),
    ("T7a.handled_within_7wd", f"{CPL}第五十六条", lambda ctx: built(
        ordinary(ctx, "INVESTIGATING").do(c.PreserveEvidence(at=at("2024-03-05"), actor_id="O1", preservation_id="P-1",
                                                             approved_by="HEAD", head_approved=True)),
        c.HandlePreservation(at=at("2024-03-15"), actor_id="O1", preservation_id="P-1"))),
    ("T7b.legal_basis", f"{CEL}第十条", lambda ctx: built(ordinary(ctx, "INVESTIGATING"), c.LinkCoerciveMeasure(
        at=at("2024-03-06"), actor_id="O1", measure_id="M-1", basis_level=BasisLevel.LOCAL_REGULATION,
        measure_kind=CoerciveKind.FREEZE))),
    ("T8.evidence_present", f"{CPL}第四十条", lambda ctx: built(
        ordinary(ctx, "INVESTIGATING"), c.ConcludeInvestigation(at=at("2024-04-15"), actor_id="O1", report_doc_id="R"))),
    ("T8.records_signed", f"{CPL}第五十五条", lambda ctx: built(
        ordinary(ctx, "INVESTIGATING").do(evidence("2024-03-05", signed=False)),
        c.ConcludeInvestigation(at=at("2024-04-15"), actor_id="O1", report_doc_id="R"))),
    ("T10.suspected_crime", f"{CPL}第二十七条", lambda ctx: built(ordinary(ctx, "UNDER_REVIEW"), c.TransferToJudiciary(
        at=at("2024-04-17"), actor_id="HEAD", suspected_crime=False, recipient="公安机关"))),
    ("T12.education_record", f"{CPL}第三十三条", lambda ctx: built(
        ordinary(ctx, "UNDER_REVIEW"), no_penalty("2024-04-17", education=None))),
    ("T13.notice_contents", f"{CPL}第四十四条", lambda ctx: built(
        ordinary(ctx, "UNDER_REVIEW"), notice("2024-05-06", rights_stated=False))),
    ("T13.hearing_right_stated", f"{CPL}第六十三条", lambda ctx: built(
        ordinary(ctx, "UNDER_REVIEW", party=COMPANY), notice("2024-05-06", HEAVY))),
    ("T14.hearing_eligible", f"{CPL}第六十三条", lambda ctx: built(
        ordinary(ctx, "NOTIFIED"), request_hearing("2024-05-07"))),
    ("T14.request_within_window", f"{CPL}第六十四条", lambda ctx: built(
        hearing_case(ctx, "NOTIFIED"), request_hearing("2024-05-13"))),
    ("T14.hearing_notice_7wd", f"{CPL}第六十四条", lambda ctx: built(
        hearing_case(ctx, "REQUESTED"), schedule_hearing("2024-05-13", "2024-05-21"))),
    ("T15.hearing_scheduled", f"{CPL}第六十四条", lambda ctx: built(
        hearing_case(ctx, "REQUESTED"), hold_hearing("2024-05-22"))),
    ("T15.chair_not_investigator", f"{CPL}第六十四条", lambda ctx: built(
        hearing_case(ctx, "REQUESTED").do(schedule_hearing("2024-05-13", "2024-05-22", chair="O2")),
        hold_hearing("2024-05-22"))),
    ("T15.record_signed", f"{CPL}第六十四条", lambda ctx: built(
        hearing_case(ctx, "SCHEDULED"), hold_hearing("2024-05-22", record_signed=False))),
    ("T16.statement_window_closed", f"{CPL}第六十二条", lambda ctx: built(
        ordinary(ctx, "NOTIFIED"), reassess("2024-05-10"))),
    ("T16.statements_reviewed", f"{CPL}第四十五条", lambda ctx: built(
        ordinary(ctx, "STATEMENT"), reassess("2024-05-13"))),
    ("T16.no_aggravation", f"{CPL}第四十五条", lambda ctx: built(
        ordinary(ctx, "STATEMENT_REVIEWED"), reassess("2024-05-13", penalty(8_000)))),
    ("legal_review.qualified_reviewer", f"{CPL}第五十八条", lambda ctx: built(
        hearing_case(ctx, "LEGAL_REVIEW"), review_opinion("2024-05-27", reviewer="R2"))),
    ("T19.discussion_minutes", f"{CPL}第五十七条", lambda ctx: built(
        hearing_case(ctx, "DISCUSSION"), discussion("2024-05-28", minutes_doc_id=""))),
    ("T20.extension_basis", f"{CPL}第六十条", lambda ctx: built(
        ordinary(ctx, "REASSESSED"), extension("2024-05-20", level=BasisLevel.NORMATIVE_DOC))),
    ("T20.legal_review_passed", f"{CPL}第五十八条", lambda ctx: built(
        hearing_case(ctx, "REASSESSED"), decide("2024-05-24", HEAVY))),
    ("T20.collective_discussion", f"{CPL}第五十七条", lambda ctx: built(
        hearing_case(ctx, "DISCUSSION"), decide("2024-05-28", HEAVY))),
    ("T20.notice_served", f"{CPL}第六十二条", lambda ctx: built(ordinary(ctx, "UNDER_REVIEW"), decide("2024-04-22"))),
    ("T20.statements_heard", f"{CPL}第六十二条", lambda ctx: built(
        patched(ordinary(ctx, "REASSESSED"), statements=()), decide("2024-05-10"))),
    ("T20.hearing_held", f"{CPL}第六十五条", lambda ctx: built(
        with_hearing_status(hearing_case(ctx, "REASSESSED"), HearingStatus.SCHEDULED), decide("2024-05-29", HEAVY))),
    ("T20.no_aggravation", f"{CPL}第四十五条", lambda ctx: built(
        ordinary(ctx, "REASSESSED"), decide("2024-05-27", penalty(6_000)))),
    ("T20.kinds_allowed", f"{CPL}第四条", lambda ctx: built(
        deciding(ctx, p := penalty(5_000, kinds=frozenset({PenaltyKind.FINE, PenaltyKind.RESTRICT_PRODUCTION}))),
        decide("2024-05-27", p))),
    ("T20.fine_within_statutory_range", f"{CPL}第五条", lambda ctx: built(
        deciding(ctx, p := penalty(120_000, level=L.HEAVIER)), decide("2024-05-27", p))),
    ("T20.fine_within_benchmark", f"{CPL}第三十四条", lambda ctx: built(
        deciding(ctx, p := penalty(5_000, level=L.ORDINARY)), decide("2024-05-27", p))),
    ("T20.mitigation_applied", f"{CPL}第三十二条", lambda ctx: built(
        deciding(ctx, p := penalty(40_000, level=L.ORDINARY, factors=("主动消除违法行为危害后果",))),
        decide("2024-05-27", p))),
    ("T20.basis_effective", f"{CPL}第三十七条", lambda ctx: built(
        ordinary(ctx, "REASSESSED"), decide("2024-05-27", basis_refs=(REPEALED_BASIS,)))),
    ("T20.within_decision_deadline", f"{CPL}第六十条", lambda ctx: built(
        ordinary(ctx, "REASSESSED"), decide("2024-05-31"))),
    ("T20.decision_contents", f"{CPL}第五十九条", lambda ctx: built(
        ordinary(ctx, "REASSESSED"), decide("2024-05-27", sealed=False))),
    ("minors.under_14_no_penalty", f"{CPL}第三十条", lambda ctx: built(
        deciding(ctx, penalty(), party=MINOR_13), decide("2024-05-27"))),
    ("minors.mitigation_required", f"{CPL}第三十条", lambda ctx: built(
        deciding(ctx, p := penalty(40_000, level=L.ORDINARY), party=MINOR_16), decide("2024-05-27", p))),
    ("T21.served_within_7wd", f"{CPL}第六十一条", lambda ctx: built(ordinary(ctx, "DECIDED"), serve("2024-06-06"))),
    ("T21.electronic_consent", f"{CPL}第六十一条", lambda ctx: built(
        ordinary(ctx, "DECIDED"), serve("2024-06-03", method=ServiceMethod.ELECTRONIC))),
    ("T22.monetary_penalty", f"{CPL}第六十七条", lambda ctx: built(
        deciding(ctx, penalty(0)).do(decide("2024-05-27", penalty(0)), serve("2024-06-03")),
        payment_period("2024-06-03"))),
    ("T22.payment_within_15_days", f"{CPL}第六十七条", lambda ctx: built(
        ordinary(ctx, "SERVED"), payment_period("2024-06-03", decision_due=d("2024-06-25")))),
    ("T22a.party_application", f"{CPL}第六十六条", lambda ctx: built(ordinary(ctx, "PERFORMING"), c.ApproveDeferral(
        at=at("2024-06-14"), actor_id="HEAD", applied_on=None, approved_by="HEAD", new_due=d("2024-07-31")))),
    ("T22a.agency_approval", f"{CPL}第六十六条", lambda ctx: built(ordinary(ctx, "PERFORMING"), c.ApproveDeferral(
        at=at("2024-06-14"), actor_id="HEAD", applied_on=d("2024-06-12"), approved_by="", new_due=d("2024-07-31")))),
    ("T23.paid_in_full", f"{CPL}第七十二条", lambda ctx: built(ordinary(ctx, "PERFORMING"), pay("2024-06-14", 4_999))),
    ("T23a.collected_on_the_spot", f"{CPL}第七十一条", lambda ctx: built(
        ordinary(ctx, "PERFORMING").do(pay("2024-06-14", 5_000)), c.RecordCashHandover(at=at("2024-07-01"), actor_id="O1", stage=CashStage.AGENCY))),
    ("T23a.order", f"{CPL}第七十一条", lambda ctx: built(
        collected_on_the_spot(ctx), c.RecordCashHandover(at=at("2024-07-02"), actor_id="O1", stage=CashStage.BANK))),
    ("T24.due_date_passed", f"{CPL}第七十二条", lambda ctx: built(ordinary(ctx, "PERFORMING"), overdue("2024-06-18"))),
    ("T24.not_paused", f"{CPL}第七十三条", lambda ctx: built(
        ordinary(ctx, "PERFORMING").do(file_remedy("2024-06-10")), overdue("2024-06-19"))),
    ("T25.reminder_served", f"{CEL}第三十五条", lambda ctx: built(ordinary(ctx, "OVERDUE"), enforce("2024-07-22"))),
    ("T25.execution_power", f"{CEL}第十三条", lambda ctx: built(ordinary(ctx, "REMINDED", body="B2"), enforce("2024-07-22"))),
    ("T25.surcharge_over_30_days", f"{CEL}第四十六条", lambda ctx: built(
        ordinary(ctx, "REMINDED"), enforce("2024-07-18"))),
    ("T25.remedy_periods_lapsed", f"{CEL}第五十三条", lambda ctx: built(
        ordinary(ctx, "OVERDUE", body="B2").do(remind("2024-11-20")), enforce("2024-12-03", EnforcementRoute.COURT))),
    ("T25.reminder_10wd", f"{CEL}第五十四条", lambda ctx: built(
        ordinary(ctx, "OVERDUE", body="B2").do(remind("2024-12-02")), enforce("2024-12-05", EnforcementRoute.COURT))),
    ("T25.within_3_months", f"{CEL}第五十三条", lambda ctx: built(
        ordinary(ctx, "OVERDUE", body="B2").do(remind("2024-11-20")), enforce("2025-03-04", EnforcementRoute.COURT))),
    ("execution.no_night_or_holiday", f"{CEL}第四十三条", lambda ctx: built(
        ordinary(ctx, "REMINDED"), enforce("2024-07-22 23:00"))),
    ("T27.reason_recorded", f"{CEL}第三十九条", lambda ctx: built(ordinary(ctx, "FILED"), suspend("2024-03-02", reason=""))),
    ("T28.reason_recorded", f"{CEL}第四十条", lambda ctx: built(ordinary(ctx, "FILED"), terminate("2024-03-02", reason=" "))),
    ("T30.documents_complete", f"{CPL}第四十七条", lambda ctx: built(
        ordinary(ctx, "PERFORMING").do(pay("2024-06-14", 5_000)), close("2024-06-20", documents_complete=False))),
    ("T30.evidence_hashed", f"{CPL}第四十七条", lambda ctx: built(
        ordinary(ctx, "INVESTIGATING").do(evidence("2024-03-05", sm3=None), c.ConcludeInvestigation(
            at=at("2024-03-07"), actor_id="O1", report_doc_id="R"), c.SubmitForReview(at=at("2024-03-08"), actor_id="O1"),
            c.TransferToJudiciary(at=at("2024-03-11"), actor_id="HEAD", suspected_crime=True, recipient="公安机关")),
        close("2024-03-12"))),
    ("T30.performance_recorded", f"{CPL}第四十七条", lambda ctx: built(
        without_payment_record(ordinary(ctx, "PERFORMING").do(pay("2024-06-14", 5_000))), close("2024-06-20"))),
    ("T31.archive_sealed", f"{CPL}第四十七条", lambda ctx: built(
        ordinary(ctx, "PERFORMING").do(pay("2024-06-14", 5_000), close("2024-06-20")),
        archive("2024-07-01", sealed=False))),
]


@pytest.mark.parametrize(("rule", "article", "setup"), ROWS, ids=[r[0] for r in ROWS])
def test_guard_fails_with_rule_and_article(ctx: GuardContext, rule: str, article: str, setup: Setup) -> None:
    story, command = setup(ctx)
    error = story.fails(command, rule, article)
    assert rule in str(error)
    assert article in str(error)


def test_every_rule_has_a_failing_case() -> None:
    covered = {r[0] for r in ROWS} | set(test_coercive.GUARDED) | set(test_inspection.GUARDED)
    assert covered == set(RULES)


def test_rule_catalogue_articles_match_the_table() -> None:
    table = {r[0]: r[1] for r in ROWS} | test_coercive.GUARDED | test_inspection.GUARDED
    assert {rule.id: rule.article for rule in RULES.values()} == table


# --- the guards' boundaries: the passing side of each limit ------------------------------------

@pytest.mark.parametrize(("officers", "ok"), [
    (("O1", "O2"), True), (("O1", "O7"), True),  # a province-wide certificate covers 445100
    (("O1", "O3"), False), (("O1", "O4"), False), (("O1", "O5"), False), (("O1", "O6"), False),
    (("O1", "O1"), False), (("O1", "NOBODY"), False),
])
def test_officer_certificates_must_be_active_and_cover_area_and_domain(
        ctx: GuardContext, officers: tuple[str, ...], ok: bool) -> None:
    story = ordinary(ctx, "FILED")
    if ok:
        assert story.do(investigate("2024-03-04", officers)).state is CaseState.INVESTIGATING
    else:
        story.fails(investigate("2024-03-04", officers), "officers.two_certified", f"{CPL}第四十二条")


@pytest.mark.parametrize(("party", "fine", "ok"), [
    (PERSON, 200, True), (PERSON, 201, False), (COMPANY, 3_000, True), (COMPANY, 3_001, False),
])
def test_simple_procedure_fine_limits(ctx: GuardContext, party: Party, fine: int, ok: bool) -> None:
    item = "ITEM-S" if fine <= 500 else "ITEM-A"
    level = L.ORDINARY if item == "ITEM-S" else L.LIGHTER
    command = spot(penalty(fine, level=level), party=party, item=item)
    if ok:
        assert apply(None, command, ctx).state is CaseState.SIMPLE_DECIDED
    else:
        Story(ctx).fails(command, "T4.simple_fine_limit", f"{CPL}第五十一条")


def test_on_the_spot_collection_allowed_for_remote_areas(ctx: GuardContext) -> None:
    story = Story(ctx).do(spot(), c.StartPerformance(at=at("2024-07-01"), actor_id="O1", on_spot_collection=True,
                                                     remote_area_request=True))
    assert story.state is CaseState.PERFORMING


def test_limitation_counts_from_the_end_of_a_continuous_violation(ctx: GuardContext) -> None:
    violation = Violation(d("2021-01-01"), d("2022-03-01"), continuous=True)
    story = Story(ctx).do(clue("2024-02-26", violation=violation), c.AssignVerifier(
        at=at("2024-02-27"), actor_id="HEAD", verifier_id="O1"), file("2024-03-01"))
    assert story.state is CaseState.FILED


def test_five_year_limitation_for_life_and_health_with_harm(ctx: GuardContext) -> None:
    harmful = Violation(d("2020-06-01"), endangers_life_or_finance=True, harmful_consequences=True)
    story = Story(ctx).do(clue("2024-02-26", violation=harmful), c.AssignVerifier(
        at=at("2024-02-27"), actor_id="HEAD", verifier_id="O1"))
    assert story.branch().do(file("2024-03-01")).state is CaseState.FILED
    without_harm = Story(ctx).do(clue("2024-02-26", violation=replace(harmful, harmful_consequences=False)),
                                 c.AssignVerifier(at=at("2024-02-27"), actor_id="HEAD", verifier_id="O1"))
    without_harm.fails(file("2024-03-01"), "T6.not_time_barred", f"{CPL}第三十六条")


def test_reduced_level_may_go_below_the_statutory_minimum(ctx: GuardContext) -> None:
    p = penalty(500, level=L.REDUCED, factors=("受他人胁迫",))
    assert deciding(ctx, p).do(decide("2024-05-27", p)).state is CaseState.DECIDED


def test_minor_aged_sixteen_with_lighter_penalty_is_decided(ctx: GuardContext) -> None:
    p = penalty(5_000, level=L.LIGHTER)
    assert deciding(ctx, p, party=MINOR_16).do(decide("2024-05-27", p)).state is CaseState.DECIDED


def test_fourteenth_birthday_on_the_violation_day_counts_as_fourteen(ctx: GuardContext) -> None:
    born = Party(PartyType.NATURAL_PERSON, "赵六", birth_date=date(2010, 2, 20))  # violation 2024-02-20
    p = penalty(5_000, level=L.LIGHTER)
    assert deciding(ctx, p, party=born).do(decide("2024-05-27", p)).state is CaseState.DECIDED


def test_experienced_reviewer_without_qualification_may_review_but_unknown_may_not(ctx: GuardContext) -> None:
    story = hearing_case(ctx, "LEGAL_REVIEW")
    assert story.branch().do(review_opinion("2024-05-27", reviewer="R3")).state is CaseState.COLLECTIVE_DISCUSSION
    story.fails(review_opinion("2024-05-27", reviewer="X9"), "legal_review.qualified_reviewer", f"{CPL}第五十八条")


def test_major_item_needs_legal_review_even_without_hearing(ctx: GuardContext) -> None:
    story = ordinary(ctx, "REASSESSED", item="ITEM-M")
    failure = story.fails(decide("2024-05-27"), "T20.legal_review_passed", f"{CPL}第五十八条")
    assert "legal review" in str(failure).lower() or failure.rule == "T20.legal_review_passed"


def test_statutory_holiday_execution_fails_unless_urgent(ctx: GuardContext) -> None:
    story = ordinary(ctx, "REMINDED")
    story.fails(enforce("2024-10-02"), "execution.no_night_or_holiday", f"{CEL}第四十三条")
    assert story.branch().do(enforce("2024-10-02", urgent=True)).state is CaseState.ENFORCING
    running = story.do(enforce("2024-07-22"))
    running.fails(executed("2024-07-23 05:59"), "execution.no_night_or_holiday", f"{CEL}第四十三条")
    assert running.do(executed("2024-07-23 06:00")).state is CaseState.PERFORMED


def test_new_facts_allow_a_heavier_penalty_only_through_a_new_notice(ctx: GuardContext) -> None:
    story = ordinary(ctx, "STATEMENT_REVIEWED").do(reassess("2024-05-13", penalty(8_000), new_facts=True))
    assert story.state is CaseState.UNDER_REVIEW
    story.fails(decide("2024-05-14", penalty(8_000)), "T20.notice_served", f"{CPL}第六十二条")
    story.do(notice("2024-05-14", penalty(8_000)))
    assert story.now.state is CaseState.NOTIFIED


def test_guard_failures_carry_the_error_code(ctx: GuardContext) -> None:
    with pytest.raises(GuardFailed) as caught:
        apply(None, spot(facts_certain=False), ctx)
    assert caught.value.code == "GUARD_FAILED"


def test_execution_records_its_instant_and_urgency(ctx: GuardContext) -> None:
    running = ordinary(ctx, "REMINDED").do(enforce("2024-07-22"))
    night = running.branch().do(executed("2024-07-23 23:30", urgent=True)).now.enforcement
    assert night is not None
    assert (night.executed_at, night.urgent) == (at("2024-07-23 23:30"), True)
    day = running.do(executed("2024-07-23 06:00")).now.enforcement
    assert day is not None
    assert (day.executed_at, day.executed_on, day.urgent) == (at("2024-07-23 06:00"), d("2024-07-23"), False)


def test_a_late_simple_record_filing_is_accepted_and_dated(ctx: GuardContext) -> None:
    story = Story(ctx).do(spot())
    assert story.now.simple_filed_on is None
    filed = story.do(c.FileSimpleRecord(at=at("2024-08-30"), actor_id="O1"))
    assert filed.state is CaseState.SIMPLE_DECIDED  # 备案 changes no state
    assert filed.now.simple_filed_on == d("2024-08-30")


def test_cash_collected_on_the_spot_is_handed_over_then_banked(ctx: GuardContext) -> None:
    story = collected_on_the_spot(ctx)
    payment = story.now.payment
    assert payment is not None
    assert (payment.on_spot, payment.hard_to_collect, payment.paid_on) == (True, True, d("2024-07-01"))
    story.fails(c.RecordCashHandover(at=at("2024-06-30"), actor_id="O1", stage=CashStage.AGENCY),
                "T23a.order", f"{CPL}第七十一条")
    late = story.do(c.RecordCashHandover(at=at("2024-07-10"), actor_id="O1", stage=CashStage.AGENCY),
                    c.RecordCashHandover(at=at("2024-07-11"), actor_id="HEAD", stage=CashStage.BANK))
    done = late.now.payment
    assert done is not None
    assert (done.cash_handed_on, done.cash_banked_on) == (d("2024-07-10"), d("2024-07-11"))
    late.fails(c.RecordCashHandover(at=at("2024-07-12"), actor_id="HEAD", stage=CashStage.BANK),
               "T23a.order", f"{CPL}第七十一条")
