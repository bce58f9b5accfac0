"""Coercive measures and inspections read from the store: batched, and raised by the sweep."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

from subgraphs.cases.aggregates import RecordStore
from subgraphs.cases.domain.coercive import MeasureState
from subgraphs.cases.domain.inspection import AssignInspectors, PlanInspection, StartOnSite
from subgraphs.cases.facts import FixedFacts
from subgraphs.cases.ground_truth import AS_OF, World, seed_with_violations
from subgraphs.cases.inspections import apply_to_inspection, plan_inspection
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.loader import load_cases, load_inspections, measure_extras
from subgraphs.supervision.rules.s33_inspection_frequency import check as s33
from subgraphs.supervision.sweep import eval_context
from subgraphs.supervision.view import CaseExtras
from tests.subgraphs.supervision.conftest import SECRET


async def test_measures_come_from_the_store_in_one_query(small_seed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    truth = await seed_with_violations(url, small_seed, tmp_path, seed=5, count=40, secret=SECRET)
    engine = create_engine(url)
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if "coercive_measure" in statement:
            statements.append(statement)

    try:
        planned = {case_id: (rule, injected) for rule, case_id, injected in truth.measure_plans}
        assert len(planned) == 10
        assert {a["rule"] for a in truth.alerts} >= {"S21", "S21b", "S22", "S26", "S33", "S34"}
        ids = [*planned, "NO-SUCH-CASE"]
        event.listen(engine.sync_engine, "before_cursor_execute", count)
        extras = await measure_extras(engine, ids)
        event.remove(engine.sync_engine, "before_cursor_execute", count)
        assert len(statements) == 1, "one query for the whole page"
        assert "NO-SUCH-CASE" not in extras
        states = {planned[c]: extras[c].measures[0].state for c in planned}
        assert states[("S21", True)] is MeasureState.IN_FORCE
        assert states[("S26", True)] is MeasureState.EMERGENCY_APPLIED
        assert states[("S21", False)] is MeasureState.RELEASED
        assert states[("S26", False)] is MeasureState.RELEASED
        s34 = next(c for c, p in planned.items() if p == ("S34", True))
        assert any(i.sealed_by_other_organ for i in extras[s34].measures[0].items)
        # extras supplied by the caller keep their measures; other fields are kept when filled
        given = {s34: CaseExtras(hard_to_collect=True)}
        merged = await measure_extras(engine, [s34], given)
        assert merged[s34].hard_to_collect
        assert merged[s34].measures
        assert (await measure_extras(engine, [])) == {}
    finally:
        await engine.dispose()


async def test_stored_inspections_feed_s33(world: World, small_seed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    truth = await seed_with_violations(url, small_seed, tmp_path, seed=5, count=40, secret=SECRET)
    engine = create_engine(url)
    try:
        snap = (await load_cases(engine, [truth.measure_plans[0][1]]))[0]
        store = RecordStore(engine, FixedFacts(world.ctx))
        day0 = snap.evidence[0].collected_on
        officers = tuple(snap.investigators[:2])
        for k, gap in enumerate((0, 30, 60)):
            at = AS_OF.replace(year=day0.year, month=day0.month, day=day0.day) + timedelta(days=gap)
            ins_id = f"INS-{k}"
            await plan_inspection(store, PlanInspection(
                at=at - timedelta(hours=1), actor_id="HEAD", inspection_id=ins_id, body_id=snap.body_id,
                item_code=snap.item_code, item_version=snap.item_version, region_code=snap.region_code,
                object_name="某某商店"))
            await apply_to_inspection(store, ins_id, AssignInspectors(at=at - timedelta(minutes=30), actor_id="HEAD",
                                                                       officer_ids=officers))
            await apply_to_inspection(store, ins_id, StartOnSite(at=at, actor_id=officers[0],
                                                                 certificates_shown=True))
        await plan_inspection(store, PlanInspection(
            at=AS_OF, actor_id="HEAD", inspection_id="INS-PLANNED", body_id=snap.body_id,
            item_code=snap.item_code, item_version=snap.item_version, region_code=snap.region_code,
            object_name="某某商店"))
        got = [i for i in await load_inspections(engine, page_size=2) if i.object_key == "name:某某商店"]
        assert sorted(i.inspection_id for i in got) == ["INS-0", "INS-1", "INS-2"], "only inspections carried out"
        assert {i.body_id for i in got} == {snap.body_id}
        findings = list(s33(got, eval_context(AS_OF)))
        assert [(f.rule_id, f.subject_id) for f in findings] == [("S33", snap.body_id)]
        assert not list(s33(got[:2], eval_context(AS_OF)))
    finally:
        await engine.dispose()
