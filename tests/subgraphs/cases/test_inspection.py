"""Inspections (DOMAIN.md §7): the flow and its guards."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.errors import GuardFailed, IllegalTransition
from subgraphs.cases.domain.inspection import (
    AssignInspectors,
    CheckResult,
    Inspection,
    InspectionCommand,
    InspectionState,
    PlanInspection,
    PublishInspection,
    Recheck,
    RecordResult,
    Resolve,
    StartOnSite,
    apply_inspection,
)

from .harness import at, d
from .world import make_context

CPL = "《行政处罚法》"


def run(ctx: GuardContext, *commands: InspectionCommand, start: Inspection | None = None) -> Inspection:
    inspection = start
    for command in commands:
        inspection = apply_inspection(inspection, command, ctx).after
    assert inspection is not None
    return inspection


def planned(ctx: GuardContext, officers: tuple[str, ...] = ("O1", "O2")) -> Inspection:
    return run(ctx,
               PlanInspection(at=at("2024-03-01"), actor_id="PLANNER", inspection_id="I-1", body_id="B1",
                              item_code="ITEM-A", item_version="1", region_code="445102", object_name="某餐饮店",
                              plan_id="双随机-2024-01"),
               AssignInspectors(at=at("2024-03-01"), actor_id="PLANNER", officer_ids=officers))


def on_site(ctx: GuardContext) -> Inspection:
    return run(ctx, StartOnSite(at=at("2024-03-05 09:00"), actor_id="O1", certificates_shown=True),
               start=planned(ctx))


def result(kind: CheckResult, *, submitted: str = "2024-03-05 17:00", record: str = "笔录-1") -> RecordResult:
    return RecordResult(at=at(submitted), actor_id="O1", result=kind, record_doc_id=record, submitted_at=at(submitted))


def test_rectification_then_recheck_then_publish(ctx: GuardContext) -> None:
    inspection = run(ctx, result(CheckResult.RECTIFY),
                     Resolve(at=at("2024-03-06"), actor_id="O1", rectification_due=d("2024-03-20")),
                     Recheck(at=at("2024-03-21"), actor_id="O1", rectified=True),
                     PublishInspection(at=at("2024-03-25"), actor_id="O1"), start=on_site(ctx))
    assert inspection.state is InspectionState.PUBLISHED
    assert inspection.cert_nos == ("44O10001", "44O20001")


def test_finding_a_violation_opens_a_case_clue(ctx: GuardContext) -> None:
    inspection = run(ctx, result(CheckResult.FILE_CASE),
                     Resolve(at=at("2024-03-06"), actor_id="O1", clue_case_id="CASE-9"), start=on_site(ctx))
    assert inspection.state is InspectionState.CLUE_CREATED
    assert inspection.clue_case_id == "CASE-9"


def test_no_issue_closes(ctx: GuardContext) -> None:
    inspection = run(ctx, result(CheckResult.NO_ISSUE), Resolve(at=at("2024-03-06"), actor_id="O1"),
                     start=on_site(ctx))
    assert inspection.state is InspectionState.CLOSED_NO_ISSUE
    with pytest.raises(IllegalTransition):
        apply_inspection(inspection, Recheck(at=at("2024-03-07"), actor_id="O1", rectified=True), ctx)


Setup = Callable[[GuardContext], tuple[Inspection, InspectionCommand]]

ROWS: list[tuple[str, str, Setup]] = [
    ("inspection.two_certified_officers", f"{CPL}第四十二条", lambda ctx: (
        planned(ctx, ("O1", "O5")), StartOnSite(at=at("2024-03-05"), actor_id="O1", certificates_shown=True))),
    ("inspection.certificates_shown", f"{CPL}第五十五条", lambda ctx: (
        planned(ctx), StartOnSite(at=at("2024-03-05"), actor_id="O1", certificates_shown=False))),
    ("inspection.record_made", f"{CPL}第五十五条", lambda ctx: (on_site(ctx), result(CheckResult.NO_ISSUE, record=" "))),
    ("inspection.submitted_after_check", "“互联网+监管”行政检查行为数据规范", lambda ctx: (
        on_site(ctx), result(CheckResult.NO_ISSUE, submitted="2024-03-05 09:00"))),
]

GUARDED = {rule: article for rule, article, _ in ROWS}


@pytest.mark.parametrize(("rule", "article", "setup"), ROWS, ids=[r[0] for r in ROWS])
def test_inspection_guard_fails(ctx: GuardContext, rule: str, article: str, setup: Setup) -> None:
    inspection, command = setup(ctx)
    with pytest.raises(GuardFailed) as caught:
        apply_inspection(inspection, command, ctx)
    assert (caught.value.rule, caught.value.article) == (rule, article)


def test_submission_one_minute_after_the_check_is_accepted(ctx: GuardContext) -> None:
    start = on_site(ctx)
    assert start.checked_at is not None
    later = start.checked_at + timedelta(minutes=1)
    step = apply_inspection(start, RecordResult(at=later, actor_id="O1", result=CheckResult.NO_ISSUE,
                                                record_doc_id="笔录", submitted_at=later), ctx)
    assert step.after.state is InspectionState.RESULT_RECORDED


@given(st.text(alphabet="0123456789ABCDEFGHJKLMNPQRTUWXY", min_size=17, max_size=17))
def test_an_inspected_enterprise_is_known_by_a_checked_uscc(body17: str) -> None:
    from domain.identifiers import uscc_check_char
    from subgraphs.cases.domain.errors import DomainValueError

    ctx = make_context()
    good = body17 + uscc_check_char(body17)
    wrong = body17 + next(ch for ch in "0123456789ABCDEFGHJKLMNPQRTUWXY" if ch != good[-1])

    def plan(uscc: str) -> Inspection:
        return run(ctx, PlanInspection(at=at("2024-03-01"), actor_id="PLANNER", inspection_id="I-9", body_id="B1",
                                       item_code="ITEM-A", item_version="1", region_code="445102",
                                       object_name="某餐饮店", object_uscc=uscc))

    if body17[2:8].isdigit():
        assert plan(good.lower()).object_uscc == good  # normalised to upper case
        with pytest.raises(DomainValueError, match="check character"):
            plan(wrong)
    else:
        with pytest.raises(DomainValueError, match="not a valid unified social credit code"):
            plan(good)
