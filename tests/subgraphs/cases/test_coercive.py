"""Coercive measures (DOMAIN.md §6.1): terms, extension, emergency report and every guard."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest

from subgraphs.cases.domain.coercive import (
    AddTestingPeriod,
    ApplyEmergencyMeasure,
    ApproveMeasure,
    CoerciveMeasure,
    Extend,
    Handle,
    HandlingKind,
    MeasureCommand,
    MeasureItem,
    MeasureState,
    OnSiteFacts,
    PutInForce,
    Release,
    ReportEmergency,
    ServeFreezeDecision,
    TransferMeasure,
    apply_measure,
)
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.enums import BasisLevel, CoerciveKind
from subgraphs.cases.domain.errors import GuardFailed, IllegalTransition
from subgraphs.cases.domain.periods import DateRange

from .harness import at, d

CEL = "《行政强制法》"
GOODS = (MeasureItem("涉案食品", "20箱"),)


def on_site(**kw: object) -> OnSiteFacts:
    args: dict[str, object] = {"officer_ids": ("O1", "O2"), "items": GOODS, "party_present": True}
    args.update(kw)
    return OnSiteFacts(**args)  # type: ignore[arg-type]


def approval(kind: CoerciveKind = CoerciveKind.SEIZE, *, body: str = "B1", level: BasisLevel = BasisLevel.LAW,
             head: bool = True) -> ApproveMeasure:
    return ApproveMeasure(at=at("2024-04-10 09:00"), actor_id="HEAD", measure_id="M-1", case_id="CASE-1", kind=kind,
                          basis_level=level, basis_text="《食品安全法》第一百一十条", body_id=body, item_code="ITEM-A",
                          item_version="1", region_code="445100", head_approved=head)


def emergency(on: str = "2024-04-10 21:00", **kw: object) -> ApplyEmergencyMeasure:
    return ApplyEmergencyMeasure(at=at(on), actor_id="O1", measure_id="M-2", case_id="CASE-1", kind=CoerciveKind.SEAL,
                                 basis_level=BasisLevel.LAW, basis_text="《某法》第十条", body_id="B1",
                                 item_code="ITEM-A", item_version="1", region_code="445100", on_site=on_site(**kw))


def extend(days: int = 30, **kw: object) -> Extend:
    args: dict[str, object] = {"complex_case": True, "head_approved": True, "written_notice": True}
    args.update(kw)
    return Extend(at=at("2024-05-08"), actor_id="HEAD", days=days, **args)  # type: ignore[arg-type]


def run(ctx: GuardContext, *commands: MeasureCommand) -> CoerciveMeasure:
    measure: CoerciveMeasure | None = None
    for command in commands:
        measure = apply_measure(measure, command, ctx).after
    assert measure is not None
    return measure


def in_force(ctx: GuardContext, kind: CoerciveKind = CoerciveKind.SEIZE, body: str = "B1") -> CoerciveMeasure:
    return run(ctx, approval(kind, body=body), PutInForce(at=at("2024-04-10 10:00"), actor_id="O1", on_site=on_site()))


def test_seizure_term_and_extension_figures(ctx: GuardContext) -> None:
    measure = in_force(ctx)
    assert measure.state is MeasureState.IN_FORCE
    assert measure.term is not None
    assert measure.term.due == date(2024, 5, 10)  # DOMAIN.md §6.1 example
    extended = apply_measure(measure, extend(), ctx).after
    assert extended.state is MeasureState.EXTENDED
    assert extended.term is not None
    assert extended.term.due == date(2024, 6, 9)
    tested = apply_measure(extended, AddTestingPeriod(at=at("2024-05-09"), actor_id="O1", notified_in_writing=True,
                                                      span=DateRange(d("2024-05-10"), d("2024-05-16"))), ctx).after
    assert tested.term is not None
    assert tested.term.due == date(2024, 6, 16)  # seven testing days excluded
    handled = apply_measure(tested, Handle(at=at("2024-06-14"), actor_id="HEAD", handling=HandlingKind.CONFISCATE),
                            ctx).after
    assert handled.state is MeasureState.HANDLED
    assert handled.version == 5


def test_emergency_measure_reported_within_24_hours(ctx: GuardContext) -> None:
    step = apply_measure(None, emergency(), ctx)
    assert step.deadlines[0].due_at == at("2024-04-11 21:00")
    approved = apply_measure(step.after, ReportEmergency(at=at("2024-04-11 20:59"), actor_id="HEAD",
                                                         head_approves=True), ctx).after
    assert approved.state is MeasureState.IN_FORCE
    refused = apply_measure(step.after, ReportEmergency(at=at("2024-04-11 08:00"), actor_id="HEAD",
                                                        head_approves=False), ctx).after
    assert refused.state is MeasureState.RELEASED


def test_freeze_needs_its_decision_served_within_three_working_days(ctx: GuardContext) -> None:
    frozen = in_force(ctx, CoerciveKind.FREEZE, body="B3")
    assert frozen.term is not None
    assert frozen.term.due == date(2024, 5, 10)
    served = apply_measure(frozen, ServeFreezeDecision(at=at("2024-04-15"), actor_id="O1"), ctx).after
    assert served.decision_served_on == date(2024, 4, 15)


def test_release_and_transfer(ctx: GuardContext) -> None:
    measure = in_force(ctx)
    released = apply_measure(measure, Release(at=at("2024-05-11"), actor_id="HEAD", ground="期限届满"), ctx).after
    assert released.state is MeasureState.RELEASED
    transferred = apply_measure(measure, TransferMeasure(at=at("2024-04-20"), actor_id="HEAD", recipient="公安机关"),
                                ctx).after
    assert transferred.state is MeasureState.TRANSFERRED
    with pytest.raises(IllegalTransition):
        apply_measure(released, extend(), ctx)


Setup = Callable[[GuardContext], tuple[CoerciveMeasure | None, MeasureCommand]]

ROWS: list[tuple[str, str, Setup]] = [
    ("coercive.head_approval", f"{CEL}第十八条", lambda ctx: (None, approval(head=False))),
    ("coercive.legal_basis", f"{CEL}第十条", lambda ctx: (None, approval(CoerciveKind.FREEZE, body="B3",
                                                                         level=BasisLevel.ADMIN_REGULATION))),
    ("coercive.freeze_authorised_by_law", f"{CEL}第二十九条", lambda ctx: (None, approval(CoerciveKind.FREEZE))),
    ("coercive.emergency_report_24h", f"{CEL}第十九条", lambda ctx: (
        apply_measure(None, emergency(), ctx).after,
        ReportEmergency(at=at("2024-04-11 21:01"), actor_id="HEAD", head_approves=True))),
    ("coercive.two_certified_officers", f"{CEL}第十八条", lambda ctx: (
        run(ctx, approval()), PutInForce(at=at("2024-04-10"), actor_id="O1", on_site=on_site(officer_ids=("O1", "O3"))))),
    ("coercive.on_site_procedure", f"{CEL}第十八条", lambda ctx: (
        run(ctx, approval()), PutInForce(at=at("2024-04-10"), actor_id="O1", on_site=on_site(party_present=False)))),
    ("coercive.items_related", f"{CEL}第二十三条", lambda ctx: (
        run(ctx, approval()), PutInForce(at=at("2024-04-10"), actor_id="O1", on_site=on_site(
            items=(MeasureItem("口粮", "1袋", daily_necessity=True),))))),
    ("coercive.no_repeated_sealing", f"{CEL}第二十三条", lambda ctx: (
        None, emergency(items=(MeasureItem("厂房设备", "1套", sealed_by_other_organ=True),)))),
    ("coercive.decision_and_list_delivered", f"{CEL}第二十四条", lambda ctx: (
        run(ctx, approval()), PutInForce(at=at("2024-04-10"), actor_id="O1",
                                         on_site=on_site(decision_and_list_delivered=False)))),
    ("coercive.extension_once", f"{CEL}第二十五条", lambda ctx: (
        apply_measure(in_force(ctx), extend(10), ctx).after, extend(10))),
    ("coercive.extension_limit", f"{CEL}第二十五条", lambda ctx: (in_force(ctx), extend(31))),
    ("coercive.extension_justified", f"{CEL}第二十五条", lambda ctx: (in_force(ctx), extend(written_notice=False))),
    ("coercive.testing_notified", f"{CEL}第二十五条", lambda ctx: (in_force(ctx), AddTestingPeriod(
        at=at("2024-04-20"), actor_id="O1", span=DateRange(d("2024-04-20"), d("2024-04-25")),
        notified_in_writing=False))),
    ("coercive.handled_within_term", f"{CEL}第二十七条", lambda ctx: (
        in_force(ctx), Handle(at=at("2024-05-11"), actor_id="HEAD", handling=HandlingKind.DESTROY))),
    ("coercive.freeze_decision_3wd", f"{CEL}第三十一条", lambda ctx: (
        in_force(ctx, CoerciveKind.FREEZE, body="B3"), ServeFreezeDecision(at=at("2024-04-16"), actor_id="O1"))),
]

GUARDED = {rule: article for rule, article, _ in ROWS}


@pytest.mark.parametrize(("rule", "article", "setup"), ROWS, ids=[r[0] for r in ROWS])
def test_measure_guard_fails(ctx: GuardContext, rule: str, article: str, setup: Setup) -> None:
    measure, command = setup(ctx)
    with pytest.raises(GuardFailed) as caught:
        apply_measure(measure, command, ctx)
    assert (caught.value.rule, caught.value.article) == (rule, article)
