"""Each rule fires on exactly its violation, stays quiet on a clean case, and pre-warns at 80 %."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.domain.coercive import CoerciveMeasure, MeasureItem, MeasureState
from subgraphs.cases.domain.enums import BasisLevel, CoerciveKind
from subgraphs.cases.ground_truth import AS_OF, INJECTIONS, Builder, Env, World
from subgraphs.supervision.engine import evaluate_case
from subgraphs.supervision.model import Finding, Severity
from subgraphs.supervision.rules import CASE_RULES, CATALOGUE
from subgraphs.supervision.rules.s33_inspection_frequency import check as s33
from subgraphs.supervision.sweep import eval_context
from subgraphs.supervision.view import (
    BodyView,
    CaseExtras,
    CaseView,
    CashHandling,
    CertView,
    EvalContext,
    Execution,
    Inspection,
    OfficerView,
)


@pytest.fixture(scope="module")
def ctx() -> EvalContext:
    return eval_context(AS_OF)


def view_of(world: World, snap: object, extras: CaseExtras = CaseExtras()) -> CaseView:
    from subgraphs.cases.domain.snapshot import CaseSnapshot

    assert isinstance(snap, CaseSnapshot)
    facts = world.facts
    officers = {}
    for o, fact in facts.officers.items():
        certs = tuple(CertView(c.cert_no, c.status, c.valid_from, c.valid_to, c.areas, c.domains)
                      for c in facts.certificates.get(o, ()))
        officers[o] = OfficerView(o, fact.body_id, fact.has_legal_qualification, fact.is_legal_reviewer, False, certs)
    body = next(b for b in world.bodies if b["uscc"] == snap.body_id)
    return CaseView(snap, world.items.get(snap.item_code),
                    BodyView(body["uscc"], body["body_type"], frozenset(body["item_codes"])),
                    officers, tuple(p.birth_date for p in snap.parties), extras=extras)


def rules(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule_id, f.severity.value) for f in findings}


def test_catalogue_lists_the_forty_rules_of_section_8() -> None:
    expected = {f"S{n:02d}" for n in range(1, 35)} | {"S07b", "S08b", "S11b", "S19b", "S21b", "S24b"}
    assert set(CATALOGUE) == expected
    assert all(name and basis for name, basis in CATALOGUE.values())


def test_a_clean_case_raises_nothing(world: World, ctx: EvalContext) -> None:
    builder = Builder(world, 1)
    rng = random.Random(1)
    for i in range(30):
        b = builder.ordinary(f"CLEAN-{i:04d}", rng)
        assert evaluate_case(view_of(world, b.snapshot), ctx) == []


@pytest.mark.parametrize("rule", sorted(INJECTIONS))
def test_each_injection_breaks_exactly_its_rule(world: World, ctx: EvalContext, rule: str) -> None:
    builder = Builder(world, 2)
    b = builder.ordinary(f"INJ-{rule}", random.Random(rule))
    env = Env(world, builder, world.ctx.calendar, world.ctx.config)
    edited = INJECTIONS[rule][1](env, b)
    findings = evaluate_case(view_of(world, edited), ctx)
    assert {f.rule_id for f in findings} == {rule}
    assert all(f.severity in (Severity.RED, Severity.INFO) for f in findings)
    for f in findings:  # evidence holds no raw ID numbers
        assert not any(isinstance(v, str) and len(v) == 18 and v[:17].isdigit() for v in f.evidence.values())


def test_decision_clock_prewarns_yellow_at_80_percent_then_turns_red(world: World) -> None:
    builder = Builder(world, 3)
    start = datetime(2026, 3, 2, tzinfo=CHINA_TZ).date()
    b = builder.ordinary("OPEN-1", random.Random(3), start=start, stop="EVIDENCE")
    filed = b.snapshot.filed_on
    assert filed is not None
    view = view_of(world, b.snapshot)

    def at(days: int) -> set[tuple[str, str]]:
        now = datetime.combine(filed + timedelta(days=days), datetime.min.time(), CHINA_TZ) + timedelta(hours=10)
        return rules(evaluate_case(view, eval_context(now)))

    assert at(60) == set()
    assert at(72) == {("S02", "YELLOW")}  # 72/90 = 80 %
    assert at(90) == {("S02", "YELLOW")}  # the last day is still in time
    assert at(91) == {("S02", "RED")}


OFFICERS: tuple[str, ...] = ()


def _measure(kind: CoerciveKind, started: datetime, **kw: object) -> CoerciveMeasure:
    base = CoerciveMeasure("M1", "X", kind, BasisLevel.LAW, "《法》", "B", "I", "1", "445100", MeasureState.IN_FORCE,
                           started_at=started, officer_ids=OFFICERS)
    return replace(base, **kw)  # type: ignore[arg-type]


def test_rules_over_facts_the_store_does_not_carry_yet(world: World, ctx: EvalContext) -> None:
    global OFFICERS
    b = Builder(world, 4).ordinary("X-1", random.Random(4))
    start = datetime(2026, 9, 1, 10, tzinfo=CHINA_TZ)
    body = next(x for x in world.bodies if x["uscc"] == b.snapshot.body_id)
    OFFICERS = tuple(world.qualified(body["uscc"], b.item, b.snapshot.region_code, start.date() - timedelta(days=60),
                                     AS_OF.date())[:2])
    assert len(OFFICERS) == 2
    cases = {
        "S21": CaseExtras(measures=(_measure(CoerciveKind.SEIZE, start),)),
        "S21b": CaseExtras(measures=(_measure(CoerciveKind.SEIZE, start, state=MeasureState.HANDLED,
                                              ended_on=start.date(), extension_days=45, extensions=1),)),
        "S22": CaseExtras(measures=(_measure(CoerciveKind.FREEZE, start, decision_served_on=start.date()),)),
        "S26": CaseExtras(measures=(_measure(CoerciveKind.SEAL, AS_OF - timedelta(hours=30), emergency=True,
                                             state=MeasureState.EMERGENCY_APPLIED),)),
        "S34": CaseExtras(measures=(_measure(CoerciveKind.SEAL, AS_OF - timedelta(days=1), state=MeasureState.HANDLED,
                                             ended_on=AS_OF.date(),
                                             items=(MeasureItem("仓库", "1", sealed_by_other_organ=True),)),)),
        "S23": CaseExtras(executions=(Execution(datetime(2026, 10, 1, 10, tzinfo=CHINA_TZ)),)),
        "S19b": CaseExtras(cash=CashHandling(AS_OF.date() - timedelta(days=10))),
        "S07b": CaseExtras(simple_record_tracked=True),
    }
    for rule, extras in cases.items():
        snap = b.snapshot
        if rule == "S07b":
            from subgraphs.cases.domain.enums import CircumstanceLevel, PenaltyKind, Procedure
            from subgraphs.cases.domain.records import PenaltyProposal

            warning = PenaltyProposal(frozenset({PenaltyKind.WARNING}), CircumstanceLevel.LIGHTER)
            snap = replace(snap, procedure=Procedure.SIMPLE, notice=None,
                           decision=replace(snap.decision, proposal=warning),  # type: ignore[type-var]
                           service=replace(snap.service, on_spot=True))  # type: ignore[type-var]
        fired = {f.rule_id for f in evaluate_case(view_of(world, snap, extras), ctx)}
        assert fired == {rule}, rule
    basis = b.snapshot.decision.basis_refs[0]  # type: ignore[union-attr]
    found = evaluate_case(replace(view_of(world, b.snapshot), inapplicable_basis=frozenset({basis})), ctx)
    assert {f.rule_id for f in found} == {"S15"}


def test_s33_counts_inspections_of_one_object_by_one_body(ctx: EvalContext) -> None:
    day = AS_OF.date()
    three = [Inspection(f"I{i}", "B1", "uscc:X", day - timedelta(days=30 * i)) for i in range(3)]
    assert [f.subject_id for f in s33(three, ctx)] == ["B1"]
    assert list(s33(three[:2], ctx)) == []
    spread = [Inspection(f"I{i}", "B1", "uscc:X", day - timedelta(days=400 * i)) for i in range(3)]
    assert list(s33(spread, ctx)) == []


def test_every_case_rule_has_a_unique_id() -> None:
    ids = [r.rule_id for r in CASE_RULES]
    assert len(ids) == len(set(ids))
