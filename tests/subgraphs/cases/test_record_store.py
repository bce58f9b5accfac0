"""Coercive measures and inspections in the store, on SQLite and PostgreSQL: one transaction per
command, a chain per record, optimistic locking, idempotency and the deadlines each command set."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, update

from subgraphs.cases.aggregates import RecordStore
from subgraphs.cases.chain import snapshot_sm3, verify_case_chain
from subgraphs.cases.codec import decode, encode
from subgraphs.cases.domain.coercive import (
    CoerciveMeasure,
    Handle,
    HandlingKind,
    MeasureCommand,
    MeasureItem,
    MeasureState,
    PutInForce,
    Release,
    ReportEmergency,
    apply_measure,
)
from subgraphs.cases.domain.errors import GuardFailed, IllegalTransition
from subgraphs.cases.domain.inspection import (
    AssignInspectors,
    CheckResult,
    InspectionState,
    PlanInspection,
    PublishInspection,
    RecordResult,
    Resolve,
    StartOnSite,
)
from subgraphs.cases.errors import (
    BadInput,
    CaseNotFound,
    IdempotencyKeyReused,
    RecordNotFound,
    VersionConflict,
)
from subgraphs.cases.facts import FixedFacts
from subgraphs.cases.inspections import INSPECTION, apply_to_inspection, inspections_page, plan_inspection
from subgraphs.cases.measures import (
    MEASURE,
    apply_to_measure,
    measures_of,
    record_deadlines,
    register_measure,
)
from subgraphs.cases.rows import AggregateDeadlineRow, AggregateEventRow, MeasureRow
from subgraphs.cases.service import Idempotency, request_hash

from .harness import at, d
from .store_support import ORDINARY, Store, open_store
from .test_coercive import approval, emergency, extend, on_site
from .world import make_context


async def _count(store: Store, table: Any) -> int:
    async with store.engine.connect() as conn:
        return int((await conn.execute(select(func.count()).select_from(table))).scalar_one())


def _records(store: Store) -> RecordStore:
    return RecordStore(store.engine, FixedFacts(make_context()))


async def _case(store: Store) -> str:
    return (await store.run(ORDINARY[:3])).case.case_id  # CASE-1 of body B1, filed


async def _verify(records: RecordStore, kind: Any, record_id: str) -> Any:
    found = await records.load(kind, record_id)
    events = await records.events(kind, record_id)
    return verify_case_chain(record_id, events, version=found.version, head_hash=found.head_hash,
                             snapshot_digest=snapshot_sm3(encode(found.snapshot)))


async def test_a_measure_is_stored_as_the_machine_computes_it(database_url: str) -> None:
    async with open_store(database_url) as store:
        case_id = await _case(store)
        records = _records(store)
        commands = [approval(), PutInForce(at=at("2024-04-10 10:00"), actor_id="O1", on_site=on_site()),
                    extend(), Handle(at=at("2024-05-20"), actor_id="HEAD", handling=HandlingKind.CONFISCATE)]
        result = await register_measure(records, approval())
        for command in commands[1:]:
            result = await apply_to_measure(records, "M-1", command)
        expected: CoerciveMeasure | None = None
        for command in commands:
            expected = apply_measure(expected, command, make_context()).after
        loaded = await records.load(MEASURE, "M-1")
        assert loaded.snapshot == expected
        assert (loaded.version, loaded.snapshot.state) == (4, MeasureState.HANDLED)
        assert result.record == loaded
        assert await _verify(records, MEASURE, "M-1") is None
        events = await records.events(MEASURE, "M-1")
        assert [e.fields.kind for e in events] == ["ApproveMeasure", "PutInForce", "Extend", "Handle"]
        assert [e.fields.to_state for e in events] == ["APPROVED", "IN_FORCE", "EXTENDED", "HANDLED"]
        assert events[0].prev_hash == "0" * 64
        assert events[1].prev_hash == events[0].hash
        # DOMAIN.md §6.1: sealed on 2024-04-10 → term ends 2024-05-10; extended by 30 days → 2024-06-09
        dues = [(r.event_seq, str(r.due)) for r in await record_deadlines(store.engine, MEASURE.name, "M-1")]
        assert dues == [(2, "2024-05-10"), (3, "2024-06-09")]
        by_case = await measures_of(store.engine, [case_id, "NO-CASE"])
        assert [m.record_id for m in by_case[case_id]] == ["M-1"]
        assert "NO-CASE" not in by_case
        async with store.engine.connect() as conn:
            row = (await conn.execute(select(MeasureRow.state, MeasureRow.case_id, MeasureRow.kind))).one()
        assert tuple(row) == ("HANDLED", case_id, "SEIZE")
        case = await store.service.load(case_id)
        assert case.version == 3  # the case's own chain is untouched by measure commands


async def test_the_emergency_report_deadline_is_stored_with_its_instant(database_url: str) -> None:
    async with open_store(database_url) as store:
        await _case(store)
        records = _records(store)
        await register_measure(records, emergency("2024-04-10 21:00"))
        rows = await record_deadlines(store.engine, MEASURE.name, "M-2")
        assert [r.due_at for r in rows] == ["2024-04-11T21:00:00+08:00"]
        with pytest.raises(GuardFailed) as late:
            await apply_to_measure(records, "M-2", ReportEmergency(at=at("2024-04-11 21:01"), actor_id="HEAD",
                                                                   head_approves=True))
        assert late.value.rule == "coercive.emergency_report_24h"
        released = await apply_to_measure(records, "M-2", ReportEmergency(at=at("2024-04-11 20:00"),
                                                                          actor_id="HEAD", head_approves=False))
        assert released.record.snapshot.state is MeasureState.RELEASED
        assert released.record.version == 2


async def test_guard_failures_and_illegal_steps_write_nothing(database_url: str) -> None:
    async with open_store(database_url) as store:
        await _case(store)
        records = _records(store)
        await register_measure(records, approval())
        await apply_to_measure(records, "M-1", PutInForce(at=at("2024-04-10 10:00"), actor_id="O1",
                                                          on_site=on_site()))
        await apply_to_measure(records, "M-1", extend())
        events, deadlines = await _count(store, AggregateEventRow), await _count(store, AggregateDeadlineRow)
        with pytest.raises(GuardFailed) as twice:
            await apply_to_measure(records, "M-1", extend(10))
        assert (twice.value.rule, twice.value.article) == ("coercive.extension_once", "《行政强制法》第二十五条")
        with pytest.raises(IllegalTransition):
            await apply_to_measure(records, "M-1", PutInForce(at=at("2024-04-12"), actor_id="O1", on_site=on_site()))
        with pytest.raises(GuardFailed) as repeated:
            await register_measure(records, emergency(items=(MeasureItem("仓库", "1间", sealed_by_other_organ=True),)))
        assert repeated.value.rule == "coercive.no_repeated_sealing"
        assert (await _count(store, AggregateEventRow), await _count(store, AggregateDeadlineRow)) == (
            events, deadlines)
        assert (await records.load(MEASURE, "M-1")).version == 3


async def test_a_measure_needs_its_case_of_the_same_body(database_url: str) -> None:
    async with open_store(database_url) as store:
        records = _records(store)
        with pytest.raises(CaseNotFound):
            await register_measure(records, approval())
        await _case(store)
        with pytest.raises(BadInput):
            await register_measure(records, approval(body="B2"))
        with pytest.raises(RecordNotFound):
            await apply_to_measure(records, "M-9", extend())
        assert await _count(store, MeasureRow) == 0


async def test_stale_versions_conflict_and_idempotent_retries_replay(database_url: str) -> None:
    async with open_store(database_url) as store:
        await _case(store)
        records = _records(store)
        key = Idempotency("approve-1", request_hash({"op": "approve", "measure": "M-1"}))
        first = await register_measure(records, approval(), idempotency=key)
        again = await register_measure(records, approval(), idempotency=key)
        assert again.replayed
        assert again.record == first.record
        with pytest.raises(IdempotencyKeyReused):
            await register_measure(records, approval(), idempotency=Idempotency("approve-1", request_hash({"x": 1})))
        put = PutInForce(at=at("2024-04-10 10:00"), actor_id="O1", on_site=on_site())
        with pytest.raises(VersionConflict) as stale:
            await apply_to_measure(records, "M-1", put, expected_version=2)
        assert (stale.value.expected, stale.value.actual) == (2, 1)
        # two writers that read version 1: exactly one wins, the other conflicts
        outcomes = await asyncio.gather(
            apply_to_measure(records, "M-1", put, expected_version=1),
            apply_to_measure(records, "M-1", Release(at=at("2024-04-10 11:00"), actor_id="HEAD", ground="x"),
                             expected_version=1),
            return_exceptions=True)
        winners = [o for o in outcomes if not isinstance(o, BaseException)]
        assert len(winners) == 1
        assert all(isinstance(o, VersionConflict | IllegalTransition) for o in outcomes if o not in winners)
        assert (await records.load(MEASURE, "M-1")).version == 2
        assert await _verify(records, MEASURE, "M-1") is None


async def test_a_tampered_measure_event_is_named(database_url: str) -> None:
    async with open_store(database_url) as store:
        await _case(store)
        records = _records(store)
        await register_measure(records, approval())
        await apply_to_measure(records, "M-1", PutInForce(at=at("2024-04-10 10:00"), actor_id="O1",
                                                          on_site=on_site()))
        async with store.engine.begin() as conn:
            await conn.execute(update(AggregateEventRow).where(AggregateEventRow.seq == 1)
                               .values(summary="approved by someone else"))
        fault = await _verify(records, MEASURE, "M-1")
        assert fault is not None
        assert (fault.fault, fault.seq) == ("EDITED", 1)


def _plan(inspection_id: str, body: str = "B1") -> PlanInspection:
    return PlanInspection(at=at("2024-03-01"), actor_id="PLANNER", inspection_id=inspection_id, body_id=body,
                          item_code="ITEM-A", item_version="1", region_code="445102", object_name="某餐饮店")


async def test_an_inspection_runs_to_publication_and_pages_by_body(database_url: str) -> None:
    async with open_store(database_url) as store:
        records = _records(store)
        await plan_inspection(records, _plan("I-1"))
        steps = [AssignInspectors(at=at("2024-03-01"), actor_id="PLANNER", officer_ids=("O1", "O2")),
                 StartOnSite(at=at("2024-03-05 09:00"), actor_id="O1", certificates_shown=True),
                 RecordResult(at=at("2024-03-05 11:00"), actor_id="O1", result=CheckResult.RECTIFY,
                              record_doc_id="DOC-1", submitted_at=at("2024-03-05 11:00")),
                 Resolve(at=at("2024-03-06"), actor_id="O1", rectification_due=d("2024-03-20"))]
        for step in steps:
            done = await apply_to_inspection(records, "I-1", step)
        assert (done.record.snapshot.state, done.record.version) == (InspectionState.RECTIFICATION_ORDERED, 5)
        with pytest.raises(IllegalTransition):
            await apply_to_inspection(records, "I-1", PublishInspection(at=at("2024-03-07"), actor_id="O1"))
        assert await _verify(records, INSPECTION, "I-1") is None
        stored = await records.load(INSPECTION, "I-1")
        assert stored.snapshot.cert_nos
        assert stored.snapshot.rectification_due == d("2024-03-20")
        await plan_inspection(records, _plan("I-0"))
        await plan_inspection(records, _plan("I-2", body="B2"))
        page = await inspections_page(store.engine, "B1", after_id=None, limit=1)
        rest = await inspections_page(store.engine, "B1", after_id=page[0].record_id, limit=5)
        assert [i.record_id for i in page + rest] == ["I-0", "I-1"]
        assert [i.record_id for i in await inspections_page(store.engine, None, after_id="I-1", limit=5)] == ["I-2"]


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(["extend", "release", "handle", "put", "report"]), min_size=1, max_size=6))
def test_the_stored_measure_always_equals_the_replayed_commands(tmp_path_factory: Any, steps: list[str]) -> None:
    """Whatever sequence is tried (refused steps included), the store holds exactly the accepted ones."""
    url = f"sqlite:///{tmp_path_factory.mktemp('prop')}/p.db"
    make: dict[str, Callable[[], MeasureCommand]] = {"extend": lambda: extend(), "release": lambda: Release(at=at("2024-04-20"), actor_id="H", ground="ok"),
            "handle": lambda: Handle(at=at("2024-04-21"), actor_id="H", handling=HandlingKind.DESTROY),
            "put": lambda: PutInForce(at=at("2024-04-10 10:00"), actor_id="O1", on_site=on_site()),
            "report": lambda: ReportEmergency(at=at("2024-04-10 12:00"), actor_id="H", head_approves=True)}

    async def run() -> None:
        async with open_store(url) as store:
            await _case(store)
            records = _records(store)
            await register_measure(records, approval())
            accepted: list[MeasureCommand] = [approval()]
            for name in steps:
                try:
                    await apply_to_measure(records, "M-1", make[name]())
                    accepted.append(make[name]())
                except (GuardFailed, IllegalTransition):
                    pass
            expected: CoerciveMeasure | None = None
            for command in accepted:
                expected = apply_measure(expected, command, make_context()).after
            loaded = await records.load(MEASURE, "M-1")
            assert loaded.snapshot == expected
            assert loaded.version == len(accepted)
            assert decode(CoerciveMeasure, encode(loaded.snapshot)) == loaded.snapshot
            assert await _verify(records, MEASURE, "M-1") is None

    asyncio.run(run())
