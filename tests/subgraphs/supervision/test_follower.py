"""The follower evaluates the cases that new events touch, as the full sweep would, and moves on."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from simulators.datagen.violations import AS_OF, World, seed_with_violations
from subgraphs.cases.domain import commands as c
from subgraphs.cases.facts import FixedFacts
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
