"""Case statistics are grouped SQL: each dimension agrees with the same count made in Python from
the stored snapshots (the reference), on SQLite and PostgreSQL; the penalty-kind index is filled by
the store and, for cases written before it existed, by its migration."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import select

from subgraphs.cases.codec import decode
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.ground_truth import seed_with_violations
from subgraphs.cases.rows import CasePenaltyKindRow, CaseRow
from subgraphs.cases.seed import seed_cases
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import downgrade, upgrade
from subgraphs.common.security import CaseScope
from subgraphs.supervision.stats import CaseDimension, cases_by
from tests.subgraphs.supervision.conftest import SECRET
from trust.signing import CallerContext


def _reference(snapshots: list[CaseSnapshot], dimension: CaseDimension) -> Counter[str]:
    out: Counter[str] = Counter()
    for s in snapshots:
        decided = s.decision.decided_on if s.decision else (s.no_penalty.decided_on if s.no_penalty else None)
        if dimension is CaseDimension.PENALTY_KIND:
            kinds = sorted(k.value for k in s.decision.proposal.kinds) if s.decision else ["NONE"]
            out.update(kinds)
            continue
        key = {CaseDimension.BODY: s.body_id, CaseDimension.REGION: s.region_code, CaseDimension.ITEM: s.item_code,
               CaseDimension.PROCEDURE: s.procedure.value if s.procedure else "NONE", CaseDimension.STATUS: s.state.value,
               CaseDimension.MONTH: decided.strftime("%Y-%m") if decided else "UNDECIDED",
               CaseDimension.DECIDED_MONTH: decided.strftime("%Y-%m") if decided else "UNDECIDED",
               CaseDimension.FILED_MONTH: s.filed_on.strftime("%Y-%m") if s.filed_on else "NOT_FILED"}[dimension]
        out[key] += 1
    return out


async def test_case_groups_match_a_count_over_the_snapshots(database_url: str, small_seed: Path,
                                                            tmp_path: Path) -> None:
    await upgrade(database_url)
    await seed_with_violations(database_url, small_seed, tmp_path, seed=3, count=60, secret=SECRET)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn:
            snapshots = [decode(CaseSnapshot, raw) for raw in (await conn.execute(select(CaseRow.snapshot))).scalars()]
        kinds = set()
        for dimension in CaseDimension:
            if dimension is CaseDimension.LEVEL:
                continue  # needs the personnel subgraph's bodies (covered through the gateway tests)
            groups = await cases_by(engine, dimension)
            assert {g.key: g.cases for g in groups} == dict(_reference(snapshots, dimension)), dimension
            if dimension is CaseDimension.PENALTY_KIND:
                kinds = {g.key for g in groups}
        assert {"FINE", "PUBLIC_CRITICISM", "NONE"} <= kinds  # the S07 injection adds 通报批评
        # a county supervisor's figures count the county's cases only (no body register here: the
        # case's own region places it), the city's all of them, a body head's the own body's
        by_region = Counter(s.region_code for s in snapshots)
        county = sorted(r for r in by_region if r != "445100")[0]
        county_scope = CaseScope.for_caller(CallerContext("s", frozenset({"SUPERVISOR"}), None, county, None, "r"))
        groups = await cases_by(engine, CaseDimension.REGION, scope=county_scope)
        assert {g.key: g.cases for g in groups} == {county: by_region[county]}
        city = CaseScope.for_caller(CallerContext("s", frozenset({"SUPERVISOR"}), None, "445100", None, "r"))
        assert sum(g.cases for g in await cases_by(engine, CaseDimension.BODY, scope=city)) == len(snapshots)
        body = snapshots[0].body_id
        head = CaseScope.for_caller(CallerContext("h", frozenset({"BODY_HEAD"}), body, county, None, "r"))
        assert {g.key for g in await cases_by(engine, CaseDimension.BODY, scope=head)} == {body}
    finally:
        await engine.dispose()


@pytest.mark.slow
async def test_migration_indexes_the_kinds_of_cases_written_before_it(small_seed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await upgrade(url)
    await seed_with_violations(url, small_seed, tmp_path, seed=3, count=40, secret=SECRET)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            before = sorted((await conn.execute(select(CasePenaltyKindRow.case_id, CasePenaltyKindRow.kind))).all())
        assert before
        await downgrade(url, "0007")  # drops the index table
        await upgrade(url)  # 0008 rebuilds it from the stored snapshots
        async with engine.connect() as conn:
            after = sorted((await conn.execute(select(CasePenaltyKindRow.case_id, CasePenaltyKindRow.kind))).all())
        assert after == before
    finally:
        await engine.dispose()


async def test_commands_keep_the_kind_index(small_seed: Path, tmp_path: Path) -> None:
    """Cases written command by command (`CaseService.execute`) are indexed as they are decided."""
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    await seed_cases(url, small_seed, seed=5, count=30)
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            snapshots = [decode(CaseSnapshot, raw) for raw in (await conn.execute(select(CaseRow.snapshot))).scalars()]
        groups = await cases_by(engine, CaseDimension.PENALTY_KIND)
        assert {g.key: g.cases for g in groups} == dict(_reference(snapshots, CaseDimension.PENALTY_KIND))
        assert sum(g.cases for g in groups if g.key != "NONE") > 0
    finally:
        await engine.dispose()


async def test_workforce_training_and_qualifications_match_the_seed(database_url: str, small_seed: Path) -> None:
    """The training hours sit in a JSON column: the grouped query reads them on SQLite and PostgreSQL alike."""
    import json

    from subgraphs.common.vault import PseudonymVault
    from subgraphs.personnel.seedload import load_seed
    from subgraphs.supervision.stats import TRAINING_TARGET_HOURS, officers_by_body_level

    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        await load_seed(engine, PseudonymVault(engine, SECRET), small_seed)
        got = {b.body_id: b for b in await officers_by_body_level(engine, training_year=2025)}
    finally:
        await engine.dispose()
    officers = [json.loads(x) for x in (small_seed / "officers.jsonl").read_text(encoding="utf-8").splitlines() if x]
    bodies = {o["body_uscc"] for o in officers}
    assert set(got) == bodies
    assert {o["status"] for o in officers} > {"ACTIVE"}, "the seed has transferred or retired officers"
    for body in bodies:
        listed = [o for o in officers if o["body_uscc"] == body]
        mine = [o for o in listed if o["status"] == "ACTIVE"]  # the workforce counts ACTIVE officers only
        hours = [o["training_hours"]["2025"] for o in mine if "2025" in o["training_hours"]]
        staff = got[body]
        assert staff.officers == len(mine)
        assert staff.legal_reviewers == sum(bool(o["is_legal_reviewer"]) for o in mine)
        assert staff.qualified_legal_reviewers == sum(o["is_legal_reviewer"] and o["has_legal_qualification"]
                                                      for o in mine)
        assert staff.trained_officers == len(hours)
        assert staff.below_training_target == sum(h < TRAINING_TARGET_HOURS for h in hours) + len(mine) - len(hours)
        assert dict(staff.by_status) == dict(Counter(o["status"] for o in listed))
        assert [s for s, _ in staff.by_status] == sorted(dict(staff.by_status))
        if not hours:
            assert staff.average_training_hours is None
            continue
        assert staff.average_training_hours == pytest.approx(sum(hours) / len(hours), abs=0.01)
