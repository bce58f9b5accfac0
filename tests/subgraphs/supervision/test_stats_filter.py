"""Filtered statistics (StatisticsFilter): each figure agrees with a count made in Python over the
same seeded rows, on SQLite and PostgreSQL; a filter narrows within the caller's row scope and
never widens it; a property: per-body counts add up to the filtered total, narrowing never grows it."""

from __future__ import annotations

import asyncio
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subgraphs.common.db import create_engine
from subgraphs.common.security import CaseScope
from subgraphs.supervision.stats import CaseDimension, alerts_by_rule, cases_by, rates_by_body
from subgraphs.supervision.stats_filter import LEVELS, StatisticsFilter, StatsFilter, parse_filter
from tests.subgraphs.supervision.stats_world import (
    Flt,
    StatsWorld,
    expected_by_body,
    expected_by_decided_month,
    expected_by_kind,
    expected_by_rule,
    seed_stats_world,
)
from trust.signing import CallerContext


def _checked(f: Flt) -> StatsFilter | None:
    return parse_filter(StatisticsFilter(level=f.level, region_code=f.region, body_id=f.body, from_=f.start, to=f.end))


def _filters(world: StatsWorld) -> list[Flt]:
    filed = sorted(c.filed for c in world.cases if c.filed)
    decided = sorted(c.decided for c in world.cases if c.decided)
    counties = sorted({b.region for b in world.bodies.values() if b.level == "COUNTY"})
    busiest = Counter(c.body for c in world.cases).most_common(1)[0][0]
    return [Flt(), Flt(level="CITY"), Flt(level="COUNTY"), Flt(level="TOWN"), Flt(region="445100"),
            Flt(region=counties[0]), Flt(region=counties[-1], level="TOWN"), Flt(body=busiest),
            Flt(start=filed[len(filed) // 3], end=filed[2 * len(filed) // 3]),
            Flt(start=decided[len(decided) // 2]), Flt(end=decided[len(decided) // 2], region=counties[0]),
            Flt(start=world.alerts[0].day, end=world.alerts[0].day)]


async def test_filtered_figures_match_a_count_over_the_seeded_rows(database_url: str, small_seed: Path,
                                                                   tmp_path: Path) -> None:
    world = await seed_stats_world(database_url, small_seed, tmp_path)
    engine = create_engine(database_url)
    try:
        for f in _filters(world):
            flt = _checked(f)
            got = {g.key: g.cases for g in await cases_by(engine, CaseDimension.BODY, flt=flt)}
            assert got == dict(expected_by_body(world, f)), f
            got = {g.key: g.cases for g in await cases_by(engine, CaseDimension.DECIDED_MONTH, flt=flt)}
            assert got == dict(expected_by_decided_month(world, f)), f
            got = {g.key: g.cases for g in await cases_by(engine, CaseDimension.PENALTY_KIND, flt=flt)}
            assert got == dict(expected_by_kind(world, f)), f
            # one rule per dimension: FILED_MONTH and the other non-decision dimensions by the filing date
            filed_months = await cases_by(engine, CaseDimension.FILED_MONTH, flt=flt)
            assert sum(g.cases for g in filed_months) == sum(expected_by_body(world, f).values()), f
            levels = {g.key: g.cases for g in await cases_by(engine, CaseDimension.LEVEL, flt=flt)}
            want_levels = Counter(world.bodies[c.body].level for c in world.cases if c.body in world.bodies
                                  and f.case_ok(world, c, by_decision=False))
            assert levels == dict(want_levels), f
            rules = {(r, s): n for r, s, n in await alerts_by_rule(engine, flt=flt)}
            assert rules == dict(expected_by_rule(world, f)), f
        assert len({g.key for g in await cases_by(engine, CaseDimension.LEVEL)}) > 1  # the register is loaded
        # with a caller's row scope too (its subquery on the register beside the level's join)
        city = CaseScope.for_caller(CallerContext("s", frozenset({"SUPERVISOR"}), None, "445100", None, "r"))
        scoped = {g.key: g.cases for g in await cases_by(engine, CaseDimension.LEVEL, scope=city)}
        assert scoped == {g.key: g.cases for g in await cases_by(engine, CaseDimension.LEVEL)}
    finally:
        await engine.dispose()


async def test_body_rates_count_the_period_s_cases_and_their_alerts(database_url: str, small_seed: Path,
                                                                    tmp_path: Path) -> None:
    world = await seed_stats_world(database_url, small_seed, tmp_path)
    filed = sorted(c.filed for c in world.cases if c.filed)
    f = Flt(start=filed[len(filed) // 4], end=filed[3 * len(filed) // 4])
    in_period = {c.id for c in world.cases if f.case_ok(world, c, by_decision=False)}
    engine = create_engine(database_url)
    try:
        got = {r.body_id: r for r in await rates_by_body(engine, flt=_checked(f))}
        unfiltered = {r.body_id: r for r in await rates_by_body(engine)}
    finally:
        await engine.dispose()
    cases = expected_by_body(world, f)
    alerts = [a for a in world.alerts if a.case in in_period]
    assert set(got) == set(cases) | {a.body for a in alerts}
    for body, rates in got.items():
        mine = [a for a in alerts if a.body == body]
        assert rates.cases == cases[body]
        assert rates.alerts == len(mine)
        assert rates.red_alerts == sum(a.severity == "RED" for a in mine)
        assert rates.decision_late == len({a.case for a in mine if a.rule == "S02" and a.severity == "RED"})
        assert rates.service_late == len({a.case for a in mine if a.rule == "S03" and a.severity == "RED"})
    # without a period the alerts about no case count too (the S30 body alerts)
    assert sum(r.alerts for r in unfiltered.values()) == len(world.alerts)


async def test_a_filter_narrows_within_the_row_scope(small_seed: Path, tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    world = await seed_stats_world(url, small_seed, tmp_path)
    mine, other = Counter(c.body for c in world.cases).most_common(2)
    region = world.bodies[mine[0]].region
    head = CaseScope.for_caller(CallerContext("h", frozenset({"BODY_HEAD"}), mine[0], region, None, "r"))
    engine = create_engine(url)
    try:
        on_other = _checked(Flt(body=other[0]))
        assert await cases_by(engine, CaseDimension.BODY, scope=head, flt=on_other) == []
        assert await rates_by_body(engine, scope=head, flt=on_other) == []
        assert await alerts_by_rule(engine, scope=head, flt=on_other) == []
        city = _checked(Flt(region="445100"))  # the whole city: still only the own body
        assert {g.key: g.cases for g in await cases_by(engine, CaseDimension.BODY, scope=head, flt=city)} \
            == {mine[0]: mine[1]}
        assert {r.body_id for r in await rates_by_body(engine, scope=head, flt=city)} == {mine[0]}
        own_alerts = Counter((a.rule, a.severity) for a in world.alerts if a.body == mine[0])
        assert {(r, s): n for r, s, n in await alerts_by_rule(engine, scope=head, flt=city)} == dict(own_alerts)
    finally:
        await engine.dispose()


@pytest.fixture(scope="module")
def sqlite_world(small_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[str, StatsWorld]:
    tmp = tmp_path_factory.mktemp("stats-filter")
    url = f"sqlite:///{tmp / 'hub.db'}"
    return url, asyncio.run(seed_stats_world(url, small_seed, tmp))


_REGIONS = ["445100", "445102", "445103", "445122"]
_DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2026, 12, 31))
_filters_st = st.builds(Flt, level=st.none() | st.sampled_from(LEVELS), region=st.none() | st.sampled_from(_REGIONS),
                        body=st.none(), start=st.none() | _DAYS, end=st.none() | _DAYS)


async def _totals(url: str, flt: StatsFilter | None) -> tuple[dict[str, int], int, int]:
    engine = create_engine(url)
    try:
        by_body = {g.key: g.cases for g in await cases_by(engine, CaseDimension.BODY, flt=flt)}
        by_item = sum(g.cases for g in await cases_by(engine, CaseDimension.ITEM, flt=flt))
        alerts = sum(n for _r, _s, n in await alerts_by_rule(engine, flt=flt))
    finally:
        await engine.dispose()
    return by_body, by_item, alerts


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(f=_filters_st, body_pick=st.integers(min_value=0, max_value=10_000), days=st.integers(0, 400))
def test_narrowing_a_filter_never_increases_a_count(sqlite_world: tuple[str, StatsWorld], f: Flt, body_pick: int,
                                                    days: int) -> None:
    url, world = sqlite_world
    if f.start and f.end and f.start > f.end:
        f = Flt(f.level, f.region, f.body, f.end, f.start)
    by_body, by_item, alerts = asyncio.run(_totals(url, _checked(f)))
    # every case counts once under BODY and once under ITEM: the per-body counts add up to the total
    assert sum(by_body.values()) == by_item == sum(expected_by_body(world, f).values())
    assert alerts == sum(expected_by_rule(world, f).values())
    bodies = sorted(world.bodies)
    narrower = [Flt(f.level, f.region, bodies[body_pick % len(bodies)], f.start, f.end),
                Flt(f.level or "TOWN", f.region, f.body, f.start, f.end),
                Flt(f.level, f.region or "445102", f.body, f.start, f.end)]
    if f.start is not None and (f.end is None or f.start + timedelta(days=days) <= f.end):
        narrower.append(Flt(f.level, f.region, f.body, f.start + timedelta(days=days), f.end))
    for n in narrower:
        nb, ni, na = asyncio.run(_totals(url, _checked(n)))
        assert ni <= by_item, n
        assert na <= alerts, n
        assert all(count <= by_body.get(body, 0) for body, count in nb.items()), n
