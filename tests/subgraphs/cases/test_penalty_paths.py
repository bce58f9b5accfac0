"""Scenario tests: every transition T1–T33 of DOMAIN.md §5.2 walked on concrete cases."""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import date

import pytest

from subgraphs.cases.domain import commands as c
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.deadlines import DeadlineKind
from subgraphs.cases.domain.enums import (
    BasisLevel,
    CaseState,
    CircumstanceLevel,
    CoerciveKind,
    EnforcementRoute,
    NoPenaltyGround,
    RemedyKind,
    RemedyOutcome,
    ReviewOpinion,
)
from subgraphs.cases.domain.errors import IllegalTransition
from subgraphs.cases.domain.machine import apply, replay
from subgraphs.cases.domain.money import yuan

from .harness import (
    COMPANY,
    HEAVY,
    Story,
    archive,
    at,
    close,
    clue,
    conclude_remedy,
    d,
    decide,
    discussion,
    enforce,
    evidence,
    executed,
    file_remedy,
    hearing_case,
    legal_review,
    no_penalty,
    ordinary,
    overdue,
    pay,
    payment_period,
    penalty,
    publish,
    remind,
    resume,
    review_opinion,
    revise,
    serve,
    suspend,
    terminate,
    withdraw,
)
from .world import make_context

S = CaseState
SCENARIOS: list[Callable[[GuardContext], Story]] = []


def scenario(fn: Callable[[GuardContext], Story]) -> Callable[[GuardContext], None]:
    """Register a scenario for the coverage check and expose it as a test."""
    SCENARIOS.append(fn)

    @functools.wraps(fn)
    def run_scenario(ctx: GuardContext) -> None:
        fn(ctx)  # each scenario asserts its path, states and deadlines itself

    return run_scenario


@scenario
def test_ordinary_path_from_clue_to_archive(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "PERFORMING")
    story.do(publish("2024-06-04"), pay("2024-06-14", 5_000), close("2024-06-20"), archive("2024-07-01"))
    assert story.path == ["T1", "T2", "T6", "T7", "T7", "T8", "T9", "T13", "T16", "T16", "T16", "T20",
                          "T21", "T22", "T29", "T23", "T30", "T31"]
    assert story.state is S.ARCHIVED
    case = story.now
    decision_clock = case.deadline(DeadlineKind.DECISION)
    assert decision_clock is not None
    assert decision_clock.due == date(2024, 5, 30)
    payment = case.deadline(DeadlineKind.PAYMENT)
    assert payment is not None
    assert payment.due == date(2024, 6, 18)
    statement = case.deadline(DeadlineKind.STATEMENT)
    assert statement is not None
    assert statement.due == date(2024, 5, 11)
    assert case.version == len(story.transitions)
    assert [e.transition for t in story.transitions for e in t.events] == story.path
    return story


def test_replay_rebuilds_the_same_snapshot(ctx: GuardContext) -> None:
    story = ordinary(ctx, "SERVED")
    commands = [e.command for t in story.transitions for e in t.events]
    assert replay(commands, ctx) == story.now


@scenario
def test_simple_procedure_from_nothing(ctx: GuardContext) -> Story:
    spot = c.DecideOnTheSpot(
        at=at("2024-07-01 15:00"), actor_id="O1", officer_ids=("O1", "O2"),
        proposal=penalty(200, level=CircumstanceLevel.ORDINARY), doc_no="No.0001234", facts_certain=True,
        basis_refs=("《某条例》第八条",), certificate_shown=True, statement_heard=True,
        clue=clue("2024-07-01", item="ITEM-S"),
    )
    story = Story(ctx).do(spot, c.StartPerformance(at=at("2024-07-01 15:10"), actor_id="O1"),
                          pay("2024-07-05", 200), close("2024-07-08"))
    assert story.path == ["T4", "T5", "T23", "T30"]
    record = story.transitions[0].deadlines[0]
    assert record.kind is DeadlineKind.SIMPLE_RECORD
    assert record.due == date(2024, 7, 4)
    assert story.now.payment is not None
    assert story.now.payment.due == date(2024, 7, 16)
    return story


@scenario
def test_simple_warning_is_performed_on_delivery_from_a_clue(ctx: GuardContext) -> Story:
    story = Story(ctx).do(clue("2024-07-01", item="ITEM-S"))
    story.do(c.DecideOnTheSpot(at=at("2024-07-01"), actor_id="O1", officer_ids=("O1", "O2"), proposal=penalty(0),
                               doc_no="No.0001235", facts_certain=True, basis_refs=("《某条例》第八条",),
                               certificate_shown=True, statement_heard=True),
             c.StartPerformance(at=at("2024-07-01"), actor_id="O1"))
    assert story.path == ["T1", "T4", "T5"]
    assert story.state is S.PERFORMED
    return story


@scenario
def test_hearing_legal_review_and_collective_discussion(ctx: GuardContext) -> Story:
    story = hearing_case(ctx, "REASSESSED")
    story.do(legal_review("2024-05-24", major_rights_after_hearing=True, major_case=True),
             review_opinion("2024-05-27", ReviewOpinion.RETURN),
             legal_review("2024-05-27", major_rights_after_hearing=True, major_case=True),
             review_opinion("2024-05-28"), discussion("2024-05-28"), decide("2024-05-29", HEAVY))
    assert story.path[-11:] == ["T13", "T14", "T14", "T15", "T16", "T17", "T18", "T17", "T19", "T19", "T20"]
    assert story.state is S.DECIDED
    earliest = story.now.deadline(DeadlineKind.HEARING_EARLIEST)
    assert earliest is not None
    assert earliest.due == date(2024, 5, 22)
    return story


@scenario
def test_no_penalty_after_legal_review(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "UNDER_REVIEW")
    story.do(legal_review("2024-04-17", complex_legal_relations=True), review_opinion("2024-04-19"),
             no_penalty("2024-04-22"), serve("2024-04-23"), close("2024-04-25"))
    assert story.path[-5:] == ["T11", "T17", "T12", "T21", "T30"]
    assert story.state is S.CLOSED
    return story


@scenario
def test_no_penalty_directly_and_closed_unserved(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "UNDER_REVIEW")
    story.do(no_penalty("2024-04-22", NoPenaltyGround.FACTS_NOT_ESTABLISHED, education=None), close("2024-04-23"))
    assert story.path[-2:] == ["T12", "T30"]
    return story


@scenario
def test_transfer_to_judicial_organs(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "INVESTIGATING")
    story.do(c.LinkCoerciveMeasure(at=at("2024-03-06"), actor_id="O1", measure_id="M-1",
                                   basis_level=BasisLevel.LAW, measure_kind=CoerciveKind.SEIZE))
    term = story.transitions[-1].deadlines[0]
    assert term.kind is DeadlineKind.SEAL_SEIZE_TERM
    assert term.due == date(2024, 4, 5)
    story.do(evidence("2024-03-06"), c.ConcludeInvestigation(at=at("2024-03-07"), actor_id="O1", report_doc_id="R"),
             c.SubmitForReview(at=at("2024-03-08"), actor_id="O1"))
    story.do(c.TransferToJudiciary(at=at("2024-03-11"), actor_id="HEAD", suspected_crime=True, recipient="公安机关"),
             close("2024-03-12"))
    assert story.path[-6:] == ["T7b", "T7", "T8", "T9", "T10", "T30"]
    assert "party is told in writing" in story.transitions[-2].events[0].summary
    return story


@scenario
def test_preservation_is_handled_within_seven_working_days(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "INVESTIGATING")
    story.do(c.PreserveEvidence(at=at("2024-03-05"), actor_id="O1", preservation_id="P-1", approved_by="HEAD",
                                head_approved=True),
             c.HandlePreservation(at=at("2024-03-14"), actor_id="O1", preservation_id="P-1"))
    assert story.now.preservations[0].deadline.due == date(2024, 3, 14)
    assert story.path[-2:] == ["T7a", "T7a"]
    return story


@scenario
def test_not_filed_is_closed_and_archived(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "CLUE_VERIFYING")
    story.do(c.DecideNotToFile(at=at("2024-03-01"), actor_id="HEAD", reason="不属于本机关管辖"),
             close("2024-03-04"), archive("2024-03-05"))
    assert story.path == ["T1", "T2", "T3", "T30", "T31"]
    return story


@scenario
def test_overdue_then_enforced_by_own_power(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "REMINDED")
    story.do(enforce("2024-07-22"), executed("2024-07-23 09:30"), close("2024-07-25"))
    assert story.path[-6:] == ["T22", "T24", "T25", "T25", "T26", "T30"]
    assert story.now.enforcement is not None
    assert story.now.enforcement.executed_on == date(2024, 7, 23)
    return story


def test_overdue_paid_with_the_capped_surcharge(ctx: GuardContext) -> None:
    story = ordinary(ctx, "OVERDUE")
    story.fails(pay("2024-07-22", 9_999), "T23.paid_in_full", "《行政处罚法》第七十二条")
    story.do(pay("2024-07-22", 10_000))  # 5 000 元 fine + 5 000 元 surcharge (capped on day 34)
    assert story.state is S.PERFORMED
    assert story.now.payment is not None
    assert story.now.payment.paid_fen == yuan(10_000)


@scenario
def test_court_enforcement_route(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "OVERDUE", body="B2")
    story.do(remind("2024-11-20"), enforce("2024-12-05", EnforcementRoute.COURT), executed("2025-01-10 23:00"))
    window = story.transitions[-2].deadlines[0]
    assert (window.start, window.due) == (date(2024, 12, 3), date(2025, 3, 3))
    assert story.state is S.PERFORMED  # the court executes: no night rule on the agency
    return story


@scenario
def test_deferral_moves_the_due_date_and_pauses_the_surcharge(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "PERFORMING")
    story.do(c.ApproveDeferral(at=at("2024-06-14"), actor_id="HEAD", applied_on=d("2024-06-12"),
                               approved_by="HEAD", new_due=d("2024-07-31")))
    story.fails(overdue("2024-07-31"), "T24.due_date_passed", "《行政处罚法》第七十二条")
    story.do(overdue("2024-08-01"))
    story.fails(pay("2024-08-01", 5_000), "T23.paid_in_full", "《行政处罚法》第七十二条")  # one day: 150 元
    story.do(pay("2024-08-01", 5_150))
    assert story.path[-3:] == ["T22a", "T24", "T23"]
    return story


@scenario
def test_suspension_returns_to_the_previous_state_and_moves_the_clock(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "INVESTIGATING")
    story.do(suspend("2024-03-11", excluded=True))
    assert story.state is S.SUSPENDED
    with pytest.raises(IllegalTransition):
        apply(story.case, c.ConcludeInvestigation(at=at("2024-03-12"), actor_id="O1", report_doc_id="R"), ctx)
    story.do(resume("2024-03-21"))
    assert story.now.state is S.INVESTIGATING
    clock = story.now.deadline(DeadlineKind.DECISION)
    assert clock is not None
    assert clock.due == date(2024, 6, 9)
    assert story.path[-2:] == ["T27", "T27"]
    return story


def test_suspension_not_excluded_keeps_the_clock(ctx: GuardContext) -> None:
    story = ordinary(ctx, "INVESTIGATING").do(suspend("2024-03-11"), resume("2024-03-21"))
    clock = story.now.deadline(DeadlineKind.DECISION)
    assert clock is not None
    assert clock.due == date(2024, 5, 30)


@scenario
def test_terminated_while_suspended(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "INVESTIGATING").do(suspend("2024-03-11", reason="当事人下落不明"),
                                              terminate("2024-04-01"), close("2024-04-02"))
    assert story.path[-3:] == ["T27", "T28", "T30"]
    return story


@scenario
def test_revoked_after_review_withdraws_publicity(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "SERVED")
    story.do(publish("2024-06-04"), file_remedy("2024-06-05"), conclude_remedy("2024-07-10", RemedyOutcome.REVOKED),
             revise("2024-07-10", RemedyOutcome.REVOKED), withdraw("2024-07-12"), close("2024-07-15"))
    assert story.path[-6:] == ["T29", "T32", "T32", "T33", "T33", "T30"]
    publicity = story.now.publicity
    assert publicity is not None
    assert publicity.withdrawal_deadline is not None
    assert publicity.withdrawal_deadline.due == date(2024, 7, 15)
    assert publicity.withdrawn_on == date(2024, 7, 12)
    return story


@scenario
def test_changed_decision_is_served_again(ctx: GuardContext) -> Story:
    story = ordinary(ctx, "PERFORMING")
    story.do(revise("2024-06-10", RemedyOutcome.CHANGED, penalty(3_000), "潮市监罚〔2024〕13号"),
             serve("2024-06-11"), payment_period("2024-06-11"), pay("2024-06-20", 3_000))
    assert story.path[-4:] == ["T33", "T21", "T22", "T23"]
    assert story.now.decision is not None
    assert story.now.decision.proposal.fine_fen == yuan(3_000)
    return story


def test_remedy_pauses_the_surcharge_but_not_execution(ctx: GuardContext) -> None:
    story = ordinary(ctx, "OVERDUE").do(file_remedy("2024-06-25", RemedyKind.LITIGATION))
    # 6 days accrued (06-19..06-24); the lawsuit pauses accrual from 06-25 on.
    story.fails(pay("2024-08-30", 5_899), "T23.paid_in_full", "《行政处罚法》第七十二条")
    story.do(pay("2024-08-30", 5_900))
    assert story.state is S.PERFORMED


def test_a_decision_with_an_approved_extension_after_ninety_days(ctx: GuardContext) -> None:
    from .harness import extension
    story = ordinary(ctx, "REASSESSED").do(extension("2024-05-20"), decide("2024-06-10"))
    clock = story.now.deadline(DeadlineKind.DECISION)
    assert clock is not None
    assert clock.due == date(2024, 6, 29)
    assert story.state is S.DECIDED


def test_every_transition_is_walked_by_a_scenario() -> None:
    """The registered scenarios together cover T1–T33 with T7a, T7b and T22a."""
    covered: set[str] = set()
    for run in SCENARIOS:
        covered.update(run(make_context()).path)
    expected = {f"T{i}" for i in range(1, 34)} | {"T7a", "T7b", "T22a"}
    assert expected - covered == set()


def test_illegal_transitions_name_the_state(ctx: GuardContext) -> None:
    story = ordinary(ctx, "FILED")
    with pytest.raises(IllegalTransition) as caught:
        apply(story.case, decide("2024-03-02"), ctx)
    assert caught.value.state == "FILED"
    with pytest.raises(IllegalTransition):
        apply(None, decide("2024-03-02"), ctx)
    assert story.now.state is S.FILED  # inputs are never mutated


def test_hearing_company_is_organisation(ctx: GuardContext) -> None:
    story = hearing_case(ctx, "NOTIFIED")
    assert story.now.parties == (COMPANY,)
    assert story.now.notice is not None
    assert story.now.notice.hearing_eligible
