"""One clock per evaluation: a sweep evaluates at its as-of, the live follower at "now"; whichever
evaluated a case last decides its alerts.

After a sweep at the data set's as-of and a later-run evaluation of some cases for another instant, the
active alerts of those cases are exactly what the later evaluation found (an alert it contradicts is
closed, not left beside the new one), each recording the instant it was raised or last seen for;
the other cases keep the sweep's alerts. Cases, facts and rules are the real ones (a seeded store,
facts over the wire from a gateway double built from the same data set).
"""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import select

from subgraphs.cases.ground_truth import AS_OF, seed_with_violations
from subgraphs.cases.rows import CaseRow
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.rows import AlertRow
from subgraphs.supervision.sweep import eval_context, evaluate_cases, run_sweep
from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.fake_gateway import FakeGateway


async def _active(engine: object) -> dict[str, set[tuple[str, str, str]]]:
    async with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = (await conn.execute(select(AlertRow.case_id, AlertRow.rule_id, AlertRow.subject_kind,
                                          AlertRow.subject_id, AlertRow.last_seen_at)
                                   .where(AlertRow.active.is_(True), AlertRow.case_id.is_not(None)))).all()
    out: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for r in rows:
        out[r.case_id].add((r.rule_id, r.subject_kind, r.subject_id))
    return out


async def test_the_latest_evaluation_of_a_case_decides_its_alerts(database_url: str, small_seed: Path,
                                                                  tmp_path: Path) -> None:
    await upgrade(database_url)
    await seed_with_violations(database_url, small_seed, tmp_path, seed=11, count=80, secret=SECRET)
    engine = create_engine(database_url)
    fake = FakeGateway(small_seed, SECRET)
    try:
        async with httpx.AsyncClient(transport=fake.transport()) as client:
            facts = GatewayFacts(client, "http://gateway.test/graphql")
            swept = await run_sweep(engine, facts, eval_context(AS_OF))
            by_sweep: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
            for f in swept.findings:
                if f.case_id:
                    by_sweep[f.case_id].add((f.rule_id, f.subject_kind.value, f.subject_id))
            assert await _active(engine) == by_sweep

            # the next evaluation runs after the sweep but for another instant (a sweep "as of" a year
            # earlier, or the follower's "now"): the seeded cases are complete, so it is the earlier
            # instant, when part of what the sweep found had not happened yet, that changes the findings
            later = AS_OF - timedelta(days=400)
            async with engine.connect() as conn:
                case_ids = sorted((await conn.execute(select(CaseRow.id))).scalars())
            chosen = sorted(random.Random(5).sample(case_ids, k=len(case_ids) // 2))
            found = await evaluate_cases(engine, facts, eval_context(later), chosen)
    finally:
        active = await _active(engine)
        async with engine.connect() as conn:
            seen = {(r.case_id, r.rule_id): r.last_seen_at for r in (await conn.execute(
                select(AlertRow.case_id, AlertRow.rule_id, AlertRow.last_seen_at)
                .where(AlertRow.active.is_(True)))).all()}
        await engine.dispose()
    by_later: dict[str, set[tuple[str, str, str]]] = defaultdict(set)
    for f in found:
        if f.case_id in chosen:
            by_later[f.case_id].add((f.rule_id, f.subject_kind.value, f.subject_id))
    changed = [c for c in chosen if by_later.get(c, set()) != by_sweep.get(c, set())]
    assert changed, "the later instant changes some findings (else this test could not tell the clocks apart)"
    for case_id in chosen:
        assert active.get(case_id, set()) == by_later.get(case_id, set()), case_id
    for case_id in set(by_sweep) - set(chosen) - {f.case_id for f in found if f.case_id}:
        assert active.get(case_id, set()) == by_sweep[case_id], case_id
    for case_id in chosen:
        for rule_id, _kind, _subject in active.get(case_id, set()):
            assert _as_utc(seen[(case_id, rule_id)]) == _as_utc(later), "an alert records the instant it was seen for"


def _as_utc(value: datetime) -> datetime:
    return value.replace(tzinfo=value.tzinfo or AS_OF.tzinfo).astimezone(AS_OF.tzinfo)
