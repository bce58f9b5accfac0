"""The follower evaluates the cases that new events touch, as the full sweep would, and moves on."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import insert, select

from subgraphs.cases.domain import commands as c
from subgraphs.cases.facts import FixedFacts
from subgraphs.cases.ground_truth import AS_OF, World, seed_with_violations
from subgraphs.cases.rows import CaseEventRow
from subgraphs.cases.service import CaseService
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.follower import CaseEventFollower
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.rows import AlertRow
from subgraphs.supervision.sweep import eval_context, run_sweep
from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.fake_gateway import FakeGateway


def _keys(findings: list[object]) -> set[tuple[str, str, str | None]]:
    return {(f.rule_id, f.subject_id, f.case_id) for f in findings}  # type: ignore[attr-defined]


async def test_following_events_gives_the_sweeps_alerts_and_reacts_to_a_new_event(
        world: World, database_url: str, small_seed: Path, tmp_path: Path) -> None:
    url = database_url
    await upgrade(url)
    truth = await seed_with_violations(url, small_seed, tmp_path, seed=8, count=40, secret=SECRET)
    fake = FakeGateway(small_seed, SECRET)
    engine = create_engine(url)
    try:
        async with httpx.AsyncClient(transport=fake.transport()) as client:
            facts = GatewayFacts(client, "http://gateway.test/graphql")
            follower = CaseEventFollower(engine, facts, batch=100_000, settle_s=0, as_of=lambda: AS_OF)
            first = await follower.step()
            assert first.case_events > 0
            assert first.record_events > 0  # the coercive measures' events
            full = await run_sweep(engine, facts, eval_context(AS_OF), record=False)
            case_findings = [f for f in full.findings if f.case_id is not None]
            async with engine.connect() as conn:
                stored = (await conn.execute(select(AlertRow.rule_id, AlertRow.subject_id, AlertRow.case_id)
                                             .where(AlertRow.active.is_(True)))).all()
            assert {tuple(r) for r in stored} == _keys(case_findings)  # the same alerts as the full sweep
            assert first.cases == full.cases  # every case had events

            requests = fake.requests
            idle = await follower.step()  # nothing new: no evaluation, no gateway request
            assert (idle.events, idle.cases) == (0, 0)
            assert fake.requests == requests
            assert (await follower.position()) == (first.case_event_seq, first.record_event_seq)

            # the overdue fine (S20) is paid now: its alert goes once the follower sees the payment
            s20 = next(a["case_id"] for a in truth.alerts if a["rule"] == "S20")
            service = CaseService(engine, FixedFacts(world.ctx))
            unpaid = (await service.load(s20)).snapshot.payment
            assert unpaid is not None
            await service.execute(c.ConfirmPayment(at=AS_OF - timedelta(days=1), actor_id="BANK",
                                                   amount_fen=unpaid.amount_due_fen * 2, receipt_no="R-LATE"),
                                  case_id=s20)
            later = CaseEventFollower(engine, facts, batch=100_000, settle_s=0, as_of=lambda: AS_OF)
            step = await later.step()  # a new follower object resumes from the stored cursor
            assert (step.case_events, step.cases) == (1, 1)
            async with engine.connect() as conn:
                before = (await conn.execute(select(AlertRow.rule_id, AlertRow.active).where(
                    AlertRow.case_id == s20))).all()
            assert ("S20", False) in [tuple(r) for r in before]  # recorded earlier, now inactive
    finally:
        await engine.dispose()


async def test_events_younger_than_the_settle_time_wait(small_seed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    await seed_with_violations(url, small_seed, tmp_path, seed=8, count=30, secret=SECRET)
    fake = FakeGateway(small_seed, SECRET)
    engine = create_engine(url)
    try:
        async with httpx.AsyncClient(transport=fake.transport()) as client:
            facts = GatewayFacts(client, "http://gateway.test/graphql")
            waiting = CaseEventFollower(engine, facts, settle_s=3600, as_of=lambda: AS_OF)
            assert (await waiting.step()).events == 0
            assert fake.requests == 0
            batched = CaseEventFollower(engine, facts, batch=50, settle_s=0, as_of=lambda: AS_OF)
            step = await batched.step()
            assert step.case_events == 50
            assert (await batched.position())[0] == step.case_event_seq
    finally:
        await engine.dispose()


async def _copy_event(engine: Any, case_id: str, *, global_seq: int | None, seq: int) -> None:
    """Append a copy of the case's last event under another number (the follower reads only numbers,
    cases and times), as a transaction that drew `global_seq` would commit it."""
    async with engine.begin() as conn:
        last = (await conn.execute(select(CaseEventRow).where(CaseEventRow.case_id == case_id)
                                   .order_by(CaseEventRow.seq.desc()).limit(1))).one()
        values = {c.name: getattr(last, c.name) for c in CaseEventRow.__table__.c}
        values.update(seq=seq, recorded_at=datetime.now(UTC))
        if global_seq is None:
            values.pop("global_seq")
        else:
            values["global_seq"] = global_seq
        await conn.execute(insert(CaseEventRow).values(**values))


async def test_a_number_committed_late_is_evaluated_when_it_appears(world: World, database_url: str,
                                                                     small_seed: Path, tmp_path: Path) -> None:
    await upgrade(database_url)
    truth = await seed_with_violations(database_url, small_seed, tmp_path, seed=8, count=30, secret=SECRET)
    fake = FakeGateway(small_seed, SECRET)
    engine = create_engine(database_url)
    try:
        async with httpx.AsyncClient(transport=fake.transport()) as client:
            facts = GatewayFacts(client, "http://gateway.test/graphql")
            clock = [datetime.now(UTC) + timedelta(hours=1)]  # every event written below is "settled"
            follower = CaseEventFollower(engine, facts, batch=100_000, as_of=lambda: AS_OF,
                                         clock=lambda: clock[0], gap_timeout_s=60)
            top = (await follower.step()).case_event_seq
            late_case, other_case = sorted({a["case_id"] for a in truth.alerts if a.get("case_id")})[:2]
            # the transaction holding top+1 is slower than the one holding top+2
            await _copy_event(engine, other_case, global_seq=top + 2, seq=10_001)
            passed = await follower.step()
            assert (passed.case_events, passed.case_event_seq, passed.gaps) == (1, top + 2, 1)
            assert (await follower.gaps())[0] == {top + 1}
            await _copy_event(engine, late_case, global_seq=top + 1, seq=10_002)
            caught = await follower.step()
            assert caught.case_events == 1
            assert caught.cases >= 1  # the late case (with its party siblings) is evaluated
            assert caught.case_event_seq == top + 2  # the cursor stays; the gap is closed
            assert (await follower.gaps())[0] == frozenset()
            # a number nobody ever commits (a rolled-back transaction) is given up after the timeout
            await _copy_event(engine, other_case, global_seq=top + 4, seq=10_003)
            assert (await follower.step()).gaps == 1
            clock[0] += timedelta(seconds=30)
            assert (await follower.step()).gaps == 1
            clock[0] += timedelta(seconds=31)
            assert (await follower.step()).gaps == 0
            # a new follower object resumes with the stored cursor and gaps
            assert await CaseEventFollower(engine, facts).position() == await follower.position()
    finally:
        await engine.dispose()


@pytest.mark.postgres
async def test_real_out_of_order_commits_on_postgresql_are_not_missed(
        world: World, postgres_url: str, small_seed: Path, tmp_path: Path) -> None:
    """Two writers on PostgreSQL: the one that drew the lower number commits last."""
    from tests.support.db import fresh_postgres_database

    async with fresh_postgres_database(postgres_url) as url:
        await upgrade(url)
        truth = await seed_with_violations(url, small_seed, tmp_path, seed=8, count=30, secret=SECRET)
        fake = FakeGateway(small_seed, SECRET)
        engine = create_engine(url)
        try:
            async with httpx.AsyncClient(transport=fake.transport()) as client:
                facts = GatewayFacts(client, "http://gateway.test/graphql")
                follower = CaseEventFollower(engine, facts, batch=100_000, as_of=lambda: AS_OF)
                await follower.step()
                slow_case, fast_case = sorted({a["case_id"] for a in truth.alerts if a.get("case_id")})[:2]
                async with engine.connect() as slow:
                    transaction = await slow.begin()
                    last = (await slow.execute(select(CaseEventRow).where(CaseEventRow.case_id == slow_case)
                                               .order_by(CaseEventRow.seq.desc()).limit(1))).one()
                    values = {c.name: getattr(last, c.name) for c in CaseEventRow.__table__.c if c.name != "global_seq"}
                    values.update(seq=20_001, recorded_at=datetime.now(UTC))
                    drawn = (await slow.execute(insert(CaseEventRow).values(**values)
                                                .returning(CaseEventRow.global_seq))).scalar_one()
                    await _copy_event(engine, fast_case, global_seq=None, seq=20_002)  # commits first
                    passed = await follower.step()
                    assert passed.case_event_seq > drawn
                    assert drawn in (await follower.gaps())[0]
                    await transaction.commit()
                caught = await follower.step()
                assert caught.case_events == 1
                assert drawn not in (await follower.gaps())[0]
        finally:
            await engine.dispose()


@given(st.dictionaries(st.integers(min_value=1, max_value=5_000),
                       st.sampled_from([datetime(2026, 11, 27, 8, tzinfo=UTC), datetime(2026, 11, 27, 9, tzinfo=UTC)]),
                       max_size=300))
def test_gaps_are_stored_as_runs_and_read_back_unchanged(gaps: dict[int, datetime]) -> None:
    from subgraphs.supervision.follower import _read_gaps, _runs, _write_gaps

    stored = _write_gaps(gaps)
    assert _read_gaps(stored) == gaps
    assert len(stored) <= len(gaps)
    covered = [n for lo, hi in _runs(gaps) for n in range(lo, hi + 1)]
    assert covered == sorted(gaps)


def test_a_long_run_of_missing_numbers_is_stored_as_one_run() -> None:
    from subgraphs.supervision.follower import _read_gaps, _write_gaps

    at = datetime(2026, 11, 27, 8, tzinfo=UTC)
    gaps = dict.fromkeys(range(1_000, 51_000), at)
    assert _write_gaps(gaps) == [[1_000, 50_999, at.isoformat()]]
    assert len(_read_gaps(_write_gaps(gaps))) == 50_000
    assert _read_gaps([["x", 2, "bad"], [5, 6, at.isoformat()]]) == {5: at, 6: at}  # a malformed run is dropped
