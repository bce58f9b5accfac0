"""The population adapter against the simulated population system, over its real REST protocol."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path

import httpx
import pytest

from adapters.errors import MalformedRecord, SourceRejected, SourceUnavailable
from adapters.resilience import Resilient, SourcePolicy
from adapters.rest.population import PopulationAdapter
from domain.entities import Gender, IdType, Person
from domain.identifiers import id18_check_char
from simulators.base import SimConfig
from simulators.population.app import create_app
from tests.adapters.seed_files import person_id, persons, write_jsonl
from tests.support.servers import serve

API_KEY = "test-population-key"
COUNT = 130
BAD_DATE = person_id(3)
BAD_CHECK = person_id(4)
FAST = SourcePolicy(timeout_s=2.0, read_retries=0, breaker_threshold=100, breaker_ttl_s=0.2)


def wrong_check(id_number: str) -> str:
    right = id18_check_char(id_number[:17])
    return id_number[:17] + ("0" if right != "0" else "1")


@pytest.fixture(scope="module")
def population(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("population")
    write_jsonl(data / "persons.jsonl", persons(COUNT))
    (data / "corrupt.jsonl").write_text(
        json.dumps({"GMSFHM": BAD_DATE, "CSRQ": "19901345"}) + "\n"
        + json.dumps({"GMSFHM": BAD_CHECK, "SERVED_GMSFHM": wrong_check(BAD_CHECK)}) + "\n",
        encoding="utf-8",
    )
    app = create_app(SimConfig(admin=True, data_dir=data, credentials={"api_key": API_KEY}))
    with serve(app) as url:
        yield url


def calls(url: str) -> dict[str, int]:
    return dict(httpx.get(f"{url}/__admin/calls").json()["by_operation"])


def reset(url: str) -> None:
    httpx.post(f"{url}/__admin/reset")


async def _adapter(client: httpx.AsyncClient, url: str, *, key: str = API_KEY) -> PopulationAdapter:
    return PopulationAdapter(client, base_url=url, api_key=key, resilient=Resilient("population", FAST),
                             clock=lambda: datetime(2026, 1, 1, tzinfo=UTC))


async def test_batches_honour_the_limit_and_map_legacy_fields(population: str) -> None:
    reset(population)
    wanted = [person_id(i) for i in range(COUNT)] + ["445102199003071230"]  # one the system does not know
    async with httpx.AsyncClient() as client:
        adapter = await _adapter(client, population)
        found = await adapter.fetch_many(wanted)
    assert calls(population) == {"batch": 3}  # 131 IDs, at most 50 per call
    assert "445102199003071230" not in found
    first = found[person_id(0)]
    assert isinstance(first, Person)
    assert first.id_type is IdType.RESIDENT_ID
    assert first.name == "陈甲0"
    assert first.gender is Gender.MALE
    assert first.birth_date == date(1950, 1, 1)
    assert first.mobile == "13800000000"
    assert first.region_code == "445102"
    assert first.provenance.fetched_at == datetime(2026, 1, 1, tzinfo=UTC)
    assert first.provenance.data_source


async def test_a_corrupt_record_is_malformed_alone(population: str) -> None:
    async with httpx.AsyncClient() as client:
        adapter = await _adapter(client, population)
        found = await adapter.fetch_many([person_id(i) for i in range(10)])
    bad_date, bad_check = found[BAD_DATE], found[BAD_CHECK]
    assert isinstance(bad_date, MalformedRecord)
    assert any(p.startswith("CSRQ") for p in bad_date.problems)
    assert isinstance(bad_check, MalformedRecord)
    assert any("BAD_CHECK_DIGIT" in p for p in bad_check.problems)
    for error in (bad_date, bad_check):
        assert BAD_DATE not in str(error)
        assert BAD_CHECK not in str(error)
        assert error.key.startswith("4451")
        assert "*" in error.key
    good = [v for k, v in found.items() if k not in {BAD_DATE, BAD_CHECK}]
    assert len(good) == 8
    assert all(isinstance(v, Person) for v in good)


async def test_paging_and_search(population: str) -> None:
    async with httpx.AsyncClient() as client:
        adapter = await _adapter(client, population)
        page = await adapter.page(region_code="445103", page=1, size=20)
        by_name = await adapter.search(name_prefix="林", page=1, size=10)
    assert page.total == COUNT // 3  # persons 1, 4, 7, ... live in 445103
    assert page.has_more
    assert all(isinstance(p, Person) and p.region_code == "445103" for p in page.records if not isinstance(p, MalformedRecord))
    assert by_name.total == COUNT // 5 + (1 if COUNT % 5 > 1 else 0)
    assert all(isinstance(p, Person) and p.name.startswith("林") for p in by_name.records)


async def test_a_wrong_key_is_rejected_not_unavailable(population: str) -> None:
    async with httpx.AsyncClient() as client:
        adapter = await _adapter(client, population, key="wrong")
        found = await adapter.fetch_many([person_id(0)])
    assert isinstance(found[person_id(0)], SourceRejected)


async def test_down_and_unreachable_are_unavailable(population: str) -> None:
    async with httpx.AsyncClient() as client:
        await client.put(f"{population}/__admin/knobs", json={"down": True})
        try:
            adapter = await _adapter(client, population)
            with pytest.raises(SourceUnavailable):
                await adapter.get(person_id(0))
        finally:
            await client.put(f"{population}/__admin/knobs", json={"down": False})
    async with httpx.AsyncClient() as client:
        adapter = await _adapter(client, "http://127.0.0.1:9")  # nothing listens on the discard port
        with pytest.raises(SourceUnavailable):
            await adapter.get(person_id(0))
