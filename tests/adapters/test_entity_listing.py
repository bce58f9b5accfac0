"""Listing the city registry by filter over real SOAP: the registry filters, counts and keyset-pages;
the adapter maps statuses and categories to the registry's codes and reads the status date."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from adapters.errors import MalformedRecord
from adapters.legal_entities import RegisteredEntity
from adapters.resilience import Resilient, SourcePolicy
from adapters.soap.envelope import UsernameToken
from adapters.soap.market import EntityCriteria, MarketRegistryAdapter
from domain.entities import EntityStatus
from simulators.base import SimConfig
from simulators.legal_person.app import create_app as create_city_registry
from tests.adapters.seed_files import entity, person_id, write_jsonl
from tests.support.servers import serve

USER, PASSWORD = "hub", "listing-test-password"
POLICY = SourcePolicy(timeout_s=5.0, read_retries=0, breaker_threshold=1000, batch_limit=100)
STATUSES = ("存续", "吊销", "注销", "迁出")
REGIONS = ("445102", "445103", "445122")
TOWN = "445102003"


def _row(i: int) -> dict[str, Any]:
    status = STATUSES[i % 7 % 4]
    individual = i % 3 == 0
    extra: dict[str, Any] = {
        "status": status,
        "status_date": "2015-06-01" if status == "存续" else f"20{10 + i % 14:02d}-0{1 + i % 9}-1{i % 10}",
        "entity_category": "个体工商户" if individual else "法人及非法人组织",
        "region_code": TOWN if i % 11 == 0 else REGIONS[i % 3],
    }
    if i % 4 == 1:
        extra["name"] = f"饶平县凤凰{i}号茶行"
    return entity(i, region=REGIONS[i % 3], **extra)


CITY = [_row(i) for i in range(160)]
ELSEWHERE = [entity(500 + i, region="440300", in_city=False) for i in range(4)]
BAD_DATE = next(e for e in CITY if e["status"] == "吊销")
BAD_REP = CITY[8]


@pytest.fixture(scope="module")
def city(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("listing")
    write_jsonl(data / "entities.jsonl", CITY + ELSEWHERE)
    bad_rep = person_id(8)[:17] + ("0" if person_id(8)[17] != "0" else "1")
    corrupt = [{"uscc": BAD_DATE["uscc"], "status_date": "2021-02-30"},
               {"uscc": BAD_REP["uscc"], "legal_rep_id_number": bad_rep}]
    (data / "corrupt.jsonl").write_text("".join(json.dumps(c) + "\n" for c in corrupt), encoding="utf-8")
    config = SimConfig(admin=True, data_dir=data, credentials={"username": USER, "password": PASSWORD})
    with serve(create_city_registry(config)) as url:
        yield url


def _adapter(client: httpx.AsyncClient, url: str) -> MarketRegistryAdapter:
    return MarketRegistryAdapter(client, base_url=url, token=UsernameToken(USER, PASSWORD),
                                 resilient=Resilient("legal_person", POLICY))


def _matches(row: dict[str, Any], c: EntityCriteria) -> bool:
    """The reference: the filter's meaning, evaluated over the seed written by this test."""
    return ((not c.statuses or row["status"] in {s.value for s in c.statuses})
            and (c.category is None or row["entity_category"] == c.category)
            and (c.region_prefix is None or row["region_code"].startswith(c.region_prefix))
            and (c.name_contains is None or c.name_contains in row["name"]))


async def _page_through(url: str, criteria: EntityCriteria, limit: int) -> tuple[list[int], list[str], int]:
    """Totals seen on every page, the codes reached (entities and malformed records), the calls made."""
    async with httpx.AsyncClient() as client:
        await client.post(f"{url}/__admin/reset")
        adapter = _adapter(client, url)
        totals: list[int] = []
        codes: list[str] = []
        after: str | None = None
        while True:
            page = await adapter.select(criteria, after=after, limit=limit)
            totals.append(page.total)
            codes += [r.key if isinstance(r, MalformedRecord) else r.uscc for r in page.records]
            assert len(page.records) <= limit
            if page.last_code is None:
                break
            assert len(page.records) == limit, "a page short of the limit is the last one"
            after = page.last_code
        calls = (await client.get(f"{url}/__admin/calls")).json()["by_operation"]
    return totals, codes, int(calls.get("QueryEntByCondition", 0))


criteria_strategy = st.builds(
    EntityCriteria,
    statuses=st.lists(st.sampled_from(list(EntityStatus)), max_size=3, unique=True).map(tuple),
    category=st.none() | st.sampled_from(["个体工商户", "法人及非法人组织"]),
    region_prefix=st.none() | st.sampled_from(["44", "4451", "445102", "445103", "445122", TOWN, "4403"]),
    name_contains=st.none() | st.sampled_from(["韩江", "凤凰", "1号", "茶行"]),
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(criteria=criteria_strategy, limit=st.integers(min_value=1, max_value=130))
def test_total_is_what_paging_through_every_page_reaches(city: str, criteria: EntityCriteria, limit: int) -> None:
    totals, codes, _ = asyncio.run(_page_through(city, criteria, limit))
    expected = sorted(e["uscc"] for e in CITY if _matches(e, criteria))
    assert set(totals) == {len(expected)}
    assert codes == expected  # every match once, in USCC order, none from outside the city


def test_a_long_page_is_read_in_calls_of_the_registrys_limit(city: str) -> None:
    totals, codes, calls = asyncio.run(_page_through(city, EntityCriteria(), 120))
    assert totals == [len(CITY), len(CITY)]
    assert len(codes) == len(CITY)
    assert calls == 4  # 50 + 50 + 20, then 50 + 10


async def test_statuses_and_category_go_as_the_registrys_codes(city: str) -> None:
    criteria = EntityCriteria(statuses=(EntityStatus.REVOKED, EntityStatus.CANCELLED), category="个体工商户",
                              region_prefix="445102")
    async with httpx.AsyncClient() as client:
        page = await _adapter(client, city).select(criteria, after=None, limit=100)
    found = [r for r in page.records if isinstance(r, RegisteredEntity)]
    assert found
    assert page.total == len(page.records)
    assert {e.status for e in found} <= {EntityStatus.REVOKED, EntityStatus.CANCELLED}
    assert {e.entity_category for e in found} == {"个体工商户"}
    assert all((e.region_code or "").startswith("445102") for e in found)


async def test_the_status_date_is_read_from_the_element_of_its_status(city: str) -> None:
    by_code = {e["uscc"]: e for e in CITY}
    async with httpx.AsyncClient() as client:
        page = await _adapter(client, city).select(EntityCriteria(), after=None, limit=200)
    checked = 0
    for record in page.records:
        if not isinstance(record, RegisteredEntity) or record.uscc == BAD_DATE["uscc"]:
            continue
        assert record.status_since == date.fromisoformat(by_code[record.uscc]["status_date"])
        checked += 1
    assert checked == len(CITY) - 2


async def test_a_malformed_status_date_leaves_the_entity_served_without_it(
        city: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="adapters.legal_entities")
    async with httpx.AsyncClient() as client:
        found = await _adapter(client, city).fetch_many([BAD_DATE["uscc"], BAD_REP["uscc"]])
    served = found[BAD_DATE["uscc"]]
    assert isinstance(served, RegisteredEntity)
    assert served.status is EntityStatus.REVOKED
    assert served.status_since is None
    assert isinstance(served.status_since_error, MalformedRecord)
    assert served.status_since_error.key == BAD_DATE["uscc"]
    assert any(p.startswith("DXRQ:") for p in served.status_since_error.problems)
    assert "status date left out" in caplog.text
    assert isinstance(found[BAD_REP["uscc"]], MalformedRecord)  # a bad ID number still spoils its record
