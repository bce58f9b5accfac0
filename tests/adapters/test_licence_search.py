"""Licences listed by filter in SQL at the simulated licensing system's legacy database: status as of a
given day, the source's status, holder, authority, category and dates; exact totals and keyset pages."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.errors import MalformedRecord
from adapters.resilience import Resilient, SourcePolicy
from adapters.sql.licence import LicenceDatabase, open_legacy_engine
from adapters.sql.licence_search import LicenceCriteria, LicenceKey, LicenceOrder
from domain.entities import Licence, LicenceStatus
from simulators.base import SimConfig
from simulators.licence.app import create_app
from tests.adapters.seed_files import entity_uscc, write_jsonl
from tests.adapters.test_licence_adapter import licence, person_licence
from tests.support.servers import serve

POLICY = SourcePolicy(timeout_s=5.0, read_retries=0, breaker_threshold=1000)
TODAY = date(2025, 6, 15)
ISSUERS = ("11445102MB2D1234X1", "11445100MB2C0000X2", "11445122MB2E5555X3")
CATEGORIES = ("普通", "特许", "地方特色类")
LONG = "2099-12-31"


def _seeded(i: int) -> dict[str, Any]:
    valid_to = LONG if i % 9 == 0 else (TODAY + timedelta(days=(i * 37) % 900 - 400)).isoformat()
    status = "REVOKED" if i % 10 == 3 else "EXPIRED" if i % 10 in (4, 5) else "VALID"  # the source may lag
    fields = {"valid_to": valid_to, "status": status, "issuing_authority_uscc": ISSUERS[i % 3],
              "licence_category": CATEGORIES[i % 5 % 3],
              "valid_from": (TODAY - timedelta(days=(i * 53) % 1500)).isoformat()}
    return person_licence(i, holder=i % 6, **fields) if i % 8 == 7 else licence(i, **fields)


LICENCES = [
    *(_seeded(i) for i in range(130)),
    licence(900, valid_to=None, valid_from=None),
    licence(901, decision_date="2023-02-30"),  # malformed: left out of items, counted in the total
]


def _legacy(day: str | None) -> str:
    return "" if day is None else day.replace("-", "")


def _now(row: dict[str, Any], today: date) -> str:
    if row["status"] == "VALID" and row["valid_to"] not in (None, LONG) and date.fromisoformat(row["valid_to"]) < today:
        return "EXPIRED"
    return str(row["status"])


def _matches(row: dict[str, Any], c: LicenceCriteria) -> bool:
    """The reference: what the filter means, evaluated over the seed of this test."""
    vt, vf = row["valid_to"], row["valid_from"]
    return ((not c.statuses or _now(row, c.today) in {s.value for s in c.statuses})
            and (not c.source_statuses or row["status"] in {s.value for s in c.source_statuses})
            and (c.holder_uscc is None or (row["holder_kind"] == "ENTITY" and row["holder_uscc"] == c.holder_uscc))
            and (c.issuing_authority_uscc is None or row["issuing_authority_uscc"] == c.issuing_authority_uscc)
            and (c.category is None or row["licence_category"] == c.category)
            and (c.expiring_before is None or (vt is not None and date.fromisoformat(vt) < c.expiring_before))
            and (c.valid_on is None or ((vf is None or date.fromisoformat(vf) <= c.valid_on)
                                        and (vt is None or date.fromisoformat(vt) >= c.valid_on))))


def _expected(c: LicenceCriteria, order: LicenceOrder, seed: list[dict[str, Any]] = LICENCES) -> list[str]:
    rows = [r for r in seed if _matches(r, c)]
    key = (lambda r: (r["id"],)) if order is LicenceOrder.ID else (lambda r: (_legacy(r["valid_to"]), r["id"]))
    return [r["id"] for r in sorted(rows, key=key)]


@pytest.fixture(scope="module")
def dsn(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("licence-search")
    write_jsonl(data / "licences.jsonl", LICENCES)
    with serve(create_app(SimConfig(admin=True, data_dir=data))) as url:
        deadline = time.monotonic() + 20
        while not (answer := httpx.get(f"{url}/__admin/dsn").json())["ready"]:
            assert time.monotonic() < deadline, "licence database not built"
            time.sleep(0.05)
        yield str(answer["async_url"])


async def _page_through(dsn: str, c: LicenceCriteria, order: LicenceOrder, limit: int) -> tuple[set[int], list[str], int]:
    engine = open_legacy_engine(dsn, timeout_s=2.0)
    try:
        db = LicenceDatabase(engine, resilient=Resilient("licence", POLICY))
        totals: set[int] = set()
        ids: list[str] = []
        after: LicenceKey | None = None
        pages = 0
        while True:
            page = await db.search(c, order=order, after=after, limit=limit)
            pages += 1
            totals.add(page.total)
            ids += [r.key if isinstance(r, MalformedRecord) else r.id for r in page.records]
            if page.last is None:
                break
            assert len(page.records) == limit
            after = page.last
        assert db.statements == 1 + 2 * pages  # the category table once; a COUNT and a page each
        return totals, ids, pages
    finally:
        await engine.dispose()


statuses = st.lists(st.sampled_from(list(LicenceStatus)), max_size=2, unique=True).map(tuple)
days = st.none() | st.integers(min_value=-600, max_value=600).map(lambda d: TODAY + timedelta(days=d))
criteria_strategy = st.builds(
    LicenceCriteria, today=st.just(TODAY), statuses=statuses, source_statuses=statuses,
    holder_uscc=st.none() | st.sampled_from([entity_uscc(k) for k in (0, 3, 6)]),
    issuing_authority_uscc=st.none() | st.sampled_from(ISSUERS),
    category=st.none() | st.sampled_from([*CATEGORIES, "认可"]), expiring_before=days, valid_on=days)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(criteria=criteria_strategy, order=st.sampled_from(list(LicenceOrder)), limit=st.integers(1, 60))
def test_total_is_what_paging_through_every_page_reaches(
        dsn: str, criteria: LicenceCriteria, order: LicenceOrder, limit: int) -> None:
    totals, ids, _ = asyncio.run(_page_through(dsn, criteria, order, limit))
    expected = _expected(criteria, order)
    assert totals == {len(expected)}
    assert ids == expected  # each match once, in (sort key, id) order


async def test_status_as_of_the_day_counts_a_lapsed_valid_licence_as_expired(dsn: str) -> None:
    engine = open_legacy_engine(dsn, timeout_s=2.0)
    try:
        db = LicenceDatabase(engine, resilient=Resilient("licence", POLICY))
        expired = await db.search(LicenceCriteria(today=TODAY, statuses=(LicenceStatus.EXPIRED,),
                                                  source_statuses=(LicenceStatus.VALID,)), limit=200)
        long_term = await db.search(LicenceCriteria(today=date(2099, 6, 1), statuses=(LicenceStatus.VALID,)),
                                    limit=200)
    finally:
        await engine.dispose()
    lapsed = [r for r in expired.records if isinstance(r, Licence)]
    assert lapsed
    assert expired.total == len(lapsed)
    assert all(r.status is LicenceStatus.VALID and r.valid_to is not None and r.valid_to < TODAY for r in lapsed)
    still_valid = {r.id for r in long_term.records if isinstance(r, Licence)}
    assert still_valid
    assert all(_seeded(int(i[4:]))["valid_to"] == LONG for i in still_valid if i != "LIC-00900")


async def test_a_malformed_row_is_counted_and_left_out_alone(dsn: str) -> None:
    engine = open_legacy_engine(dsn, timeout_s=2.0)
    try:
        db = LicenceDatabase(engine, resilient=Resilient("licence", POLICY))
        page = await db.search(LicenceCriteria(today=TODAY, holder_uscc=entity_uscc(901 % 7)), limit=500)
    finally:
        await engine.dispose()
    bad = [r for r in page.records if isinstance(r, MalformedRecord)]
    assert [r.key for r in bad] == ["LIC-00901"]
    assert page.total == len(page.records)
