"""The item catalogue's reviewed workflow, the time-versioned regulations, and facts from the store."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import update

from subgraphs.cases.catalogue import (
    ItemStatus,
    draft_item,
    item_versions,
    published_version,
    review_item,
    submit_for_review,
)
from subgraphs.cases.errors import BadInput, CatalogueError
from subgraphs.cases.facts import load_store_facts
from subgraphs.cases.regulations import RegulationIndex, VersionSpec, add_regulation, load_index, parse_ref
from subgraphs.cases.rows import CatalogueItemRow
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade

ITEM = {"code": "440000-SJ-9001", "name": "经营超过保质期的食品", "action_type": "PENALTY", "domain": "市场监管",
        "allowed_kinds": ["FINE", "WARNING"], "fine_rule": {"type": "FIXED_RANGE", "min_fen": 500000, "max_fen": 5000000},
        "discretion_benchmarks": [{"circumstance_level": "一般", "min_fen": 500000, "max_fen": 2000000}],
        "hearing_threshold_individual_fen": 1000000, "hearing_threshold_org_fen": 10000000,
        "penalty_provisions": [{"regulation": "中华人民共和国食品安全法", "article": "第一百二十四条第一款"}]}


async def test_items_are_versioned_and_published_only_after_review(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        v1 = await draft_item(engine, ITEM, actor_id="drafter")
        assert await published_version(engine, ITEM["code"]) is None
        with pytest.raises(CatalogueError):  # not submitted yet
            await review_item(engine, v1.code, v1.version, reviewer_id="lawyer", approve=True)
        await submit_for_review(engine, v1.code, v1.version)
        with pytest.raises(CatalogueError, match="drafter"):
            await review_item(engine, v1.code, v1.version, reviewer_id="drafter", approve=True)
        await review_item(engine, v1.code, v1.version, reviewer_id="lawyer", approve=True)
        assert await published_version(engine, ITEM["code"]) == 1

        changed = {**ITEM, "name": "经营超过保质期的食品（修订）"}
        v2 = await draft_item(engine, changed, actor_id="drafter")
        assert v2.version == 2
        await submit_for_review(engine, v2.code, v2.version)
        await review_item(engine, v2.code, v2.version, reviewer_id="lawyer", approve=True)
        versions = await item_versions(engine, ITEM["code"])
        assert [(v.version, v.status) for v in versions] == [(1, ItemStatus.SUPERSEDED), (2, ItemStatus.PUBLISHED)]
        assert versions[0].payload["name"] == ITEM["name"]  # the old content is kept as it was

        facts = (await load_store_facts(engine)).facts
        assert facts.item(ITEM["code"], "1") is not None  # cases filed under v1 keep their item
        assert facts.item(ITEM["code"], "2") is not None
        with pytest.raises(BadInput):
            await draft_item(engine, {**ITEM, "fine_rule": {"type": "SOMETIMES"}}, actor_id="drafter")
        async with engine.begin() as conn:  # a reviewed row cannot be moved back by the workflow
            await conn.execute(update(CatalogueItemRow).values(status="PUBLISHED").where(
                CatalogueItemRow.version == 1))
        with pytest.raises(CatalogueError):
            await submit_for_review(engine, ITEM["code"], 1)
    finally:
        await engine.dispose()


def test_a_basis_resolves_to_the_version_in_force_or_a_later_lighter_one() -> None:
    from subgraphs.cases.regulations import _Version

    index = RegulationIndex({"某条例": [
        _Version("2010", date(2010, 1, 1), date(2019, 12, 31), False, frozenset({"第十条", "第十一条"})),
        _Version("2020", date(2020, 1, 1), None, True, frozenset({"第十条", "第十二条"})),
    ]})
    assert index.resolve("《某条例》第十条第二款", date(2015, 6, 1)).version_label == "2010"  # type: ignore[union-attr]
    assert index.basis_applicable("《某条例》第十一条", date(2015, 6, 1))
    assert not index.basis_applicable("《某条例》第十一条", date(2021, 6, 1))  # repealed article
    later = index.resolve("《某条例》第十二条", date(2015, 6, 1))  # 从旧兼从轻: later and lighter
    assert later is not None
    assert later.later_lighter
    assert not index.basis_applicable("《别的法》第十条", date(2015, 6, 1))
    assert parse_ref("某条例第十条") is None


async def test_regulations_round_trip_through_the_store(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        await add_regulation(engine, title="某条例", level="地方性法规", versions=[
            VersionSpec("2010", date(2010, 1, 1), date(2019, 12, 31), articles={"第十条": "旧"}),
            VersionSpec("2020", date(2020, 1, 1), lighter_than_previous=False, articles={"第十一条": "新"}),
        ])
        index = await load_index(engine)
    finally:
        await engine.dispose()
    assert index.basis_applicable("《某条例》第十条", date(2012, 1, 1))
    assert not index.basis_applicable("《某条例》第十一条", date(2012, 1, 1))  # later but not lighter
    assert index.basis_applicable("《某条例》第十一条", date(2021, 1, 1))
