"""The SOAP (city registry) and signed REST (national registry) adapters against their simulators."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.errors import MalformedRecord, SourceRejected, SourceUnavailable
from adapters.resilience import Resilient, SourcePolicy
from adapters.rest.national_credit import NationalCreditAdapter
from adapters.soap.envelope import UsernameToken
from adapters.soap.market import MarketRegistryAdapter
from domain.entities import EntityStatus, IdType, LegalEntity
from simulators.base import SimConfig
from simulators.legal_person.app import create_app as create_city_registry
from simulators.national_credit.app import create_app as create_national_registry
from tests.adapters.seed_files import entity, person_id, write_jsonl
from tests.support.servers import serve

USER, PASSWORD = "hub", "market-test-password"
APP_KEY, APP_SECRET = "credit-test-app", "credit-test-secret"
POLICY = SourcePolicy(timeout_s=3.0, read_retries=0, breaker_threshold=100, batch_limit=100)
CITY = [entity(i) for i in range(45)]
ELSEWHERE = [entity(100 + i, region="440300", in_city=False) for i in range(5)]
CORRUPT_REP = CITY[7]["uscc"]


@pytest.fixture(scope="module")
def seed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    data = tmp_path_factory.mktemp("entities")
    write_jsonl(data / "entities.jsonl", CITY + ELSEWHERE)
    bad = person_id(7)[:17] + ("0" if person_id(7)[17] != "0" else "1")
    (data / "corrupt.jsonl").write_text(json.dumps({"uscc": CORRUPT_REP, "legal_rep_id_number": bad}) + "\n",
                                        encoding="utf-8")
    return data


@pytest.fixture(scope="module")
def city(seed: Path) -> Iterator[str]:
    with serve(create_city_registry(SimConfig(admin=True, data_dir=seed, credentials={"username": USER, "password": PASSWORD}))) as url:
        yield url


@pytest.fixture(scope="module")
def national(seed: Path) -> Iterator[str]:
    creds = {"app_key": APP_KEY, "app_secret": APP_SECRET}
    with serve(create_national_registry(SimConfig(admin=True, data_dir=seed, credentials=creds))) as url:
        yield url


def _city(client: httpx.AsyncClient, url: str, password: str = PASSWORD) -> MarketRegistryAdapter:
    return MarketRegistryAdapter(client, base_url=url, token=UsernameToken(USER, password),
                                 resilient=Resilient("legal_person", POLICY))


def _national(client: httpx.AsyncClient, url: str, secret: str = APP_SECRET) -> NationalCreditAdapter:
    return NationalCreditAdapter(client, base_url=url, app_key=APP_KEY, app_secret=secret,
                                 resilient=Resilient("national_credit", POLICY))


async def test_soap_batches_of_twenty_with_mapped_codes(city: str) -> None:
    async with httpx.AsyncClient() as client:
        await client.post(f"{city}/__admin/reset")
        found = await _city(client, city).fetch_many([e["uscc"] for e in CITY] + [ELSEWHERE[0]["uscc"]])
        counted = (await client.get(f"{city}/__admin/calls")).json()["by_operation"]
    assert counted == {"QueryEntByCodes": 3}  # 46 codes, at most 20 per call
    assert ELSEWHERE[0]["uscc"] not in found  # not registered in the city
    first = found[CITY[0]["uscc"]]
    assert isinstance(first, LegalEntity)
    assert first.name == CITY[0]["name"]
    assert first.status is EntityStatus.ACTIVE
    assert first.entity_category == "法人及非法人组织"
    assert first.legal_rep_id_type is IdType.RESIDENT_ID
    assert first.legal_rep_id_number == person_id(0)
    assert first.established_date is not None
    assert first.established_date.isoformat() == "2015-06-01"


async def test_soap_corrupt_representative_is_malformed_alone(city: str) -> None:
    async with httpx.AsyncClient() as client:
        found = await _city(client, city).fetch_many([e["uscc"] for e in CITY[:10]])
    bad = found[CORRUPT_REP]
    assert isinstance(bad, MalformedRecord)
    assert bad.key == CORRUPT_REP
    assert any("BAD_CHECK_DIGIT" in p for p in bad.problems)
    assert person_id(7)[:17] not in str(bad)
    assert sum(isinstance(v, LegalEntity) for v in found.values()) == 9


async def test_soap_search_pages(city: str) -> None:
    async with httpx.AsyncClient() as client:
        page = await _city(client, city).search(name="韩江", page=2, size=20)
    assert page.total == len(CITY)
    assert len(page.records) == 20
    assert page.has_more


async def test_soap_faults_map_to_the_error_tree(city: str) -> None:
    async with httpx.AsyncClient() as client:
        found = await _city(client, city, password="wrong").fetch_many([CITY[0]["uscc"]])
        assert isinstance(found[CITY[0]["uscc"]], SourceRejected)
        await client.put(f"{city}/__admin/knobs", json={"down": True})
        try:
            found = await _city(client, city).fetch_many([CITY[0]["uscc"]])
        finally:
            await client.put(f"{city}/__admin/knobs", json={"down": False})
    assert isinstance(found[CITY[0]["uscc"]], SourceUnavailable)


async def test_national_signed_batch_and_search(national: str) -> None:
    async with httpx.AsyncClient() as client:
        adapter = _national(client, national)
        found = await adapter.fetch_many([e["uscc"] for e in ELSEWHERE] + ["91440300MA0000999X"])
        page = await adapter.search(name="深圳市", page=1, size=2)
    assert len([v for v in found.values() if isinstance(v, LegalEntity)]) == len(ELSEWHERE)
    entity_ = found[ELSEWHERE[0]["uscc"]]
    assert isinstance(entity_, LegalEntity)
    assert entity_.status is EntityStatus.ACTIVE  # "存续（在营、开业、在册）" through the code table
    assert entity_.legal_rep_id_number is None  # the national registry does not publish it
    assert page.total == len(ELSEWHERE)
    assert len(page.records) == 2


async def test_national_bad_signature_is_rejected(national: str) -> None:
    async with httpx.AsyncClient() as client:
        found = await _national(client, national, secret="wrong").fetch_many([ELSEWHERE[0]["uscc"]])
    assert isinstance(found[ELSEWHERE[0]["uscc"]], SourceRejected)
