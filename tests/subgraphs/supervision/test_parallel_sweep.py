"""The sweep in worker processes finds and records exactly what the sweep in one process does; a
worker that fails or dies stops the sweep with a clear error and records nothing."""

from __future__ import annotations

import asyncio
import multiprocessing
import os
import signal
from collections.abc import Collection
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select

from subgraphs.cases.ground_truth import AS_OF, seed_with_violations
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.errors import FactsUnavailable, SweepWorkerError
from subgraphs.supervision.facts import FactsSource, PersonKey
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.model import Finding
from subgraphs.supervision.rows import AlertRow, SweepRow
from subgraphs.supervision.sweep import SweepResult, eval_context, run_sweep
from subgraphs.supervision.view import BodyView, OfficerView
from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.fake_gateway import FakeGateway

CASES = 40


def _found(findings: list[Finding]) -> list[tuple[Any, ...]]:
    """Findings as comparable values, order aside."""
    return sorted((f.key, f.severity.value, f.body_id, f.due, sorted(f.evidence.items(), key=lambda kv: kv[0]))
                  for f in findings)


async def _stored(url: str) -> list[tuple[Any, ...]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(
                AlertRow.alert_key, AlertRow.rule_id, AlertRow.severity, AlertRow.subject_kind, AlertRow.subject_id,
                AlertRow.case_id, AlertRow.body_id, AlertRow.status, AlertRow.active, AlertRow.evidence,
                AlertRow.period_due, AlertRow.rectification_due).order_by(AlertRow.alert_key))).all()
        return [tuple(r) for r in rows]
    finally:
        await engine.dispose()


async def _sweep(url: str, seed: Path, facts_wrapper: Any = None, **kw: Any) -> SweepResult:
    engine = create_engine(url)
    try:
        async with httpx.AsyncClient(transport=FakeGateway(seed, SECRET).transport()) as client:
            facts: FactsSource = GatewayFacts(client, "http://gateway.test/graphql")
            if facts_wrapper is not None:
                facts = facts_wrapper(facts)
            return await run_sweep(engine, facts, eval_context(AS_OF), **kw)
    finally:
        await engine.dispose()


async def _seeded(url: str, seed: Path, out: Path) -> None:
    await upgrade(url)
    await seed_with_violations(url, seed, out, seed=8, count=CASES, secret=SECRET)


async def test_parallel_sweep_records_the_same_alerts(database_url: str, small_seed: Path, tmp_path: Path) -> None:
    await _seeded(database_url, small_seed, tmp_path)
    one = await _sweep(database_url, small_seed, workers=1)
    alone = await _stored(database_url)
    many = await _sweep(database_url, small_seed, workers=2)
    assert (one.workers, many.workers) == (1, 2)
    assert many.cases == one.cases >= CASES
    assert _found(many.findings) == _found(one.findings)
    assert any(f.rule_id in ("S17", "S18") for f in one.findings)  # the party rules saw cases of two workers
    assert many.recorded is not None
    assert (many.recorded.created, many.recorded.deactivated) == (0, 0)
    assert many.recorded.updated == len(one.findings)
    assert await _stored(database_url) == alone  # seen again: the same rows, nothing new, nothing dropped


@pytest.fixture(scope="module")
def seeded_sqlite(small_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, list[tuple[Any, ...]]]:
    """One seeded SQLite store for the module, with the findings (and alerts) of the sweep in one process."""
    root = tmp_path_factory.mktemp("parallel-sweep")
    url = f"sqlite:///{root / 'hub.db'}"
    asyncio.run(_seeded(url, small_seed, root))
    alone = asyncio.run(_sweep(url, small_seed, workers=1))
    return url, _found(alone.findings)


@settings(max_examples=2, deadline=None)
@given(workers=st.integers(min_value=2, max_value=3), page_size=st.integers(min_value=3, max_value=60))
def test_any_worker_count_and_page_size_give_the_same_findings(
        seeded_sqlite: tuple[str, list[tuple[Any, ...]]], small_seed: Path, workers: int, page_size: int) -> None:
    url, alone = seeded_sqlite
    result = asyncio.run(_sweep(url, small_seed, workers=workers, page_size=page_size, record=False))
    assert result.workers == workers
    assert _found(result.findings) == alone


class _KillsWorkers:
    """Facts that kill the sweep's worker processes (this test's own children) when birth dates are asked."""

    def __init__(self, inner: FactsSource) -> None:
        self.inner = inner

    async def bodies(self, usccs: Collection[str]) -> dict[str, BodyView]:
        return await self.inner.bodies(usccs)

    async def officers(self, officer_ids: Collection[str], *, body_hints: Collection[str] = ()
                       ) -> dict[str, OfficerView]:
        return await self.inner.officers(officer_ids, body_hints=body_hints)

    async def birth_dates(self, keys: Collection[PersonKey]) -> dict[PersonKey, date]:
        for child in multiprocessing.active_children():
            if child.name.startswith("sweep-worker-"):
                os.kill(child.pid or 0, signal.SIGKILL)
        return await self.inner.birth_dates(keys)


class _Refuses(_KillsWorkers):
    async def birth_dates(self, keys: Collection[PersonKey]) -> dict[PersonKey, date]:
        raise FactsUnavailable("persons: gateway errors ['UNAVAILABLE']")


async def _sweep_rows(url: str) -> int:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            return int((await conn.execute(select(func.count()).select_from(SweepRow))).scalar_one())
    finally:
        await engine.dispose()


async def test_a_worker_that_dies_or_fails_stops_the_sweep_and_records_nothing(
        seeded_sqlite: tuple[str, list[tuple[Any, ...]]], small_seed: Path) -> None:
    url = seeded_sqlite[0]
    before, sweeps = await _stored(url), await _sweep_rows(url)
    assert before

    with pytest.raises(SweepWorkerError, match=r"sweep worker \d died \(exit code -\d+\).*nothing was recorded"):
        await _sweep(url, small_seed, _KillsWorkers, workers=2)
    with pytest.raises(FactsUnavailable, match="UNAVAILABLE"):  # the parent's own error, not a generic one
        await _sweep(url, small_seed, _Refuses, workers=2)
    assert not [c for c in multiprocessing.active_children() if c.name.startswith("sweep-worker-")]
    assert await _stored(url) == before
    assert await _sweep_rows(url) == sweeps
