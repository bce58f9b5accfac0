"""Per-officer workforce figures agree with the seed and add up to the per-body counts, on SQLite and
PostgreSQL; the per-body figures work under a caller's row scope (the body register joined and
looked up in one query)."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.ground_truth import seed_with_violations
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import CaseScope
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.seedload import load_seed
from subgraphs.supervision.officer_activity import officer_figures
from subgraphs.supervision.stats import inactive_officers, officers_by_body_level
from tests.subgraphs.supervision.conftest import SECRET
from trust.signing import CallerContext

TODAY = date(2026, 10, 30)


def _officers(seed: Path) -> list[dict[str, object]]:
    lines = (seed / "officers.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(x) for x in lines if x.strip()]


async def test_officer_figures_match_the_seed_and_the_body_counts(database_url: str, small_seed: Path,
                                                                  tmp_path: Path) -> None:
    await upgrade(database_url)
    await seed_with_violations(database_url, small_seed, tmp_path, seed=3, count=60, secret=SECRET)
    officers = _officers(small_seed)
    since = datetime.combine(TODAY - timedelta(days=365), time(), tzinfo=CHINA_TZ)
    engine = create_engine(database_url)
    try:
        await load_seed(engine, PseudonymVault(engine, SECRET), small_seed)
        staff = {b.body_id: b for b in await officers_by_body_level(engine, training_year=2025)}
        inactive = dict(await inactive_officers(engine, today=TODAY))
        bodies = sorted({str(o["body_uscc"]) for o in officers})
        on_cases = 0
        for body in bodies:
            rows = await officer_figures(engine, body_uscc=body, training_year=2025, since=since)
            listed = sorted((o for o in officers if o["body_uscc"] == body), key=lambda o: str(o["id"]))
            assert [r.officer_id for r in rows] == [o["id"] for o in listed]
            for row, seeded in zip(rows, listed, strict=True):
                hours = seeded["training_hours"]
                assert isinstance(hours, dict)
                assert row.training_hours == hours.get("2025")
            assert sum(r.inactive for r in rows) == inactive.get(body, 0), body
            active = [r for r, o in zip(rows, listed, strict=True) if o["status"] == "ACTIVE"]
            assert sum((r.training_hours or 0) < 60 for r in active) == staff[body].below_training_target
            for r in rows:
                if r.last_case_activity is not None:
                    on_cases += 1
                    assert r.last_case_activity.tzinfo is not None
                    assert r.last_case_activity <= datetime.now(UTC) + timedelta(minutes=1)
                    assert r.inactive == (r.last_case_activity < since)
                else:
                    assert r.inactive
        assert on_cases > 0, "the seeded cases name officers"
        assert await officer_figures(engine, body_uscc="NO-SUCH-BODY", training_year=2025, since=since) == []
    finally:
        await engine.dispose()


async def test_workforce_figures_under_a_row_scope(database_url: str, small_seed: Path, tmp_path: Path) -> None:
    """A county supervisor's workforce is its county's bodies; a body head's its own body; a body out of
    scope has no officer rows."""
    await upgrade(database_url)
    await seed_with_violations(database_url, small_seed, tmp_path, seed=3, count=20, secret=SECRET)
    bodies = [json.loads(x) for x in (small_seed / "bodies.jsonl").read_text(encoding="utf-8").splitlines() if x]
    officers = _officers(small_seed)
    staffed = Counter(str(o["body_uscc"]) for o in officers)
    county = next(str(b["region_code"]) for b in bodies if b["level"] == "COUNTY" and staffed[b["uscc"]])
    in_county = {str(b["uscc"]) for b in bodies if str(b["region_code"]).startswith(county[:6]) and staffed[b["uscc"]]}
    since = datetime.combine(TODAY - timedelta(days=365), time(), tzinfo=CHINA_TZ)
    engine = create_engine(database_url)
    try:
        await load_seed(engine, PseudonymVault(engine, SECRET), small_seed)
        scope = CaseScope.for_caller(CallerContext("s", frozenset({"SUPERVISOR"}), None, county, None, "r"))
        got = {b.body_id for b in await officers_by_body_level(engine, training_year=2025, scope=scope)}
        assert got == in_county
        assert {b for b, _ in await inactive_officers(engine, today=TODAY, scope=scope)} <= in_county
        outside = next(b for b in sorted(staffed) if b not in in_county)
        assert await officer_figures(engine, body_uscc=outside, training_year=2025, since=since, scope=scope) == []
        inside = sorted(in_county)[0]
        rows = await officer_figures(engine, body_uscc=inside, training_year=2025, since=since, scope=scope)
        assert len(rows) == staffed[inside]
        head = CaseScope.for_caller(CallerContext("h", frozenset({"BODY_HEAD"}), inside, county, None, "r"))
        assert [b.body_id for b in await officers_by_body_level(engine, training_year=2025, scope=head)] == [inside]
    finally:
        await engine.dispose()
