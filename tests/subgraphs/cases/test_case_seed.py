"""`seed_cases` reaches every state through the real machine, deterministically, with intact chains."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from hub.case_audit import verify_case_events
from subgraphs.cases.domain.enums import CaseState
from subgraphs.cases.rows import CaseRow
from subgraphs.cases.seed import seed_cases
from subgraphs.common.db import create_engine


async def _cases(url: str) -> list[tuple[str, str, str]]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(CaseRow.id, CaseRow.status, CaseRow.item_code)
                                       .order_by(CaseRow.id))).all()
    finally:
        await engine.dispose()
    return [tuple(r) for r in rows]


async def test_every_state_is_seeded_and_the_chains_verify(database_url: str, small_seed: Path) -> None:
    report = await seed_cases(database_url, small_seed, seed=11, count=len(CaseState))
    assert report.skipped == []
    assert set(report.by_state) == {s.value for s in CaseState}
    stored = await _cases(database_url)
    assert {status for _, status, _ in stored} == {s.value for s in CaseState}
    audit = await verify_case_events(database_url)
    assert audit.ok, str(audit)
    assert audit.events > 5 * len(CaseState)


async def test_the_same_seed_gives_the_same_cases(small_seed: Path, tmp_path: Path) -> None:
    first, second, other = (f"sqlite:///{tmp_path / name}" for name in ("a.db", "b.db", "c.db"))
    await seed_cases(first, small_seed, seed=5, count=8)
    await seed_cases(second, small_seed, seed=5, count=8)
    await seed_cases(other, small_seed, seed=6, count=8)
    assert await _cases(first) == await _cases(second)
    assert await _cases(first) != await _cases(other)
