"""The legal-person subgraph over real HTTP, in front of the simulated city and national registries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.resilience import SourcePolicy
from domain.sm import id_number_hash
from simulators.base import SimConfig
from simulators.legal_person.app import create_app as create_city_registry
from simulators.national_credit.app import create_app as create_national_registry
from subgraphs.common.config import SubgraphConfig
from subgraphs.legal_person.app import create_app
from tests.adapters.seed_files import entity, person_id, write_jsonl
from tests.adapters.subgraph_client import entities, errors_by_index, gql
from tests.support.servers import serve

SECRET = b"test-pepper-for-legal-person"
CITY = [entity(i) for i in range(1000)]
ELSEWHERE = [entity(2000 + i, region="440300", in_city=False) for i in range(3)]
#: a Chaozhou code the city registry does not hold (e.g. registered by a provincial authority)
MISSING_IN_CITY = entity(3000, in_city=False)
CORRUPT = CITY[5]["uscc"]


@pytest.fixture(scope="module")
def registries(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data: Path = tmp_path_factory.mktemp("registries")
    write_jsonl(data / "entities.jsonl", [*CITY, *ELSEWHERE, MISSING_IN_CITY])
    (data / "corrupt.jsonl").write_text(json.dumps({"uscc": CORRUPT, "established_date": "2015-13-40"}) + "\n",
                                        encoding="utf-8")
    city_app = create_city_registry(SimConfig(admin=True, data_dir=data, credentials={"username": "u", "password": "p"}))
    national_app = create_national_registry(SimConfig(admin=True, data_dir=data, credentials={"app_key": "k", "app_secret": "s"}))
    with serve(city_app) as city, serve(national_app) as national:
        yield city, national


@pytest.fixture(scope="module")
def subgraph(registries: tuple[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    city, national = registries
    db = tmp_path_factory.mktemp("lp-store") / "hub.db"
    config = SubgraphConfig(
        database_url=f"sqlite:///{db}", id_hash_secret=SECRET, market_url=city, soap_username="u",
        soap_password="p", national_credit_url=national, national_credit_app_key="k",
        national_credit_app_secret="s",
        policies={"national_credit": SourcePolicy(batch_limit=100), "legal_person": SourcePolicy(read_retries=0)},
    )
    with serve(create_app(config=config)) as url:
        yield url


def counted(url: str) -> dict[str, int]:
    return dict(httpx.get(f"{url}/__admin/calls").json()["by_operation"])


def test_thousand_representations_cost_at_most_fifty_soap_calls(subgraph: str, registries: tuple[str, str]) -> None:
    city, national = registries
    httpx.post(f"{city}/__admin/reset")
    httpx.post(f"{national}/__admin/reset")
    body = entities(subgraph, [{"uscc": e["uscc"]} for e in CITY], "uscc name legalRepIdNumber", "LegalEntity")
    assert sum(counted(city).values()) <= 50
    assert counted(national) == {}
    results = body["data"]["_entities"]
    errors = errors_by_index(body)
    assert set(errors) == {5}
    assert errors[5]["extensions"]["code"] == "MALFORMED_RECORD"
    assert results[5] is None
    assert all(r["uscc"] == e["uscc"] for i, (r, e) in enumerate(zip(results, CITY, strict=True)) if i != 5)


def test_codes_are_routed_by_region_and_fall_back(subgraph: str, registries: tuple[str, str]) -> None:
    city, national = registries
    httpx.post(f"{city}/__admin/reset")
    httpx.post(f"{national}/__admin/reset")
    reps = [{"uscc": ELSEWHERE[0]["uscc"]}, {"uscc": MISSING_IN_CITY["uscc"]}, {"uscc": CITY[0]["uscc"]}]
    body = entities(subgraph, reps, "uscc name dataSource", "LegalEntity")
    results = body["data"]["_entities"]
    assert [r["uscc"] for r in results] == [r["uscc"] for r in reps]
    assert results[0]["name"] == ELSEWHERE[0]["name"]
    assert results[1]["name"] == MISSING_IN_CITY["name"]  # found through the fallback
    assert results[0]["dataSource"] != results[2]["dataSource"]
    assert counted(city) == {"QueryEntByCodes": 1}
    assert counted(national) == {"batch": 2}  # the out-of-city code, then the fallback


def test_legal_representative_is_a_person_reference_by_hash(subgraph: str) -> None:
    body = gql(subgraph, """query($u: String!) { legalEntity(uscc: $u) {
        legalRepName legalRepIdType legalRepresentative { idType idNumberHash } } }""", {"u": CITY[9]["uscc"]})
    found = body["data"]["legalEntity"]
    assert found["legalRepresentative"] == {
        "idType": "RESIDENT_ID", "idNumberHash": id_number_hash(SECRET, "RESIDENT_ID", person_id(9))}
    assert person_id(9) not in json.dumps(found["legalRepresentative"])


def test_search_by_name_with_cursor(subgraph: str) -> None:
    query = """query($after: String) { searchLegalEntities(name: "韩江99", first: 5, after: $after) {
        items { uscc name } nextCursor total } }"""
    first = gql(subgraph, query)["data"]["searchLegalEntities"]
    assert first["total"] == 11  # 韩江99号 and 韩江990号 .. 韩江999号
    second = gql(subgraph, query, {"after": first["nextCursor"]})["data"]["searchLegalEntities"]
    names = [i["name"] for i in first["items"] + second["items"]]
    assert len(set(names)) == 10
    assert all("韩江99" in n for n in names)
    bad = gql(subgraph, query, {"after": "not-a-cursor"})
    assert bad["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_invalid_uscc_is_bad_user_input(subgraph: str) -> None:
    body = gql(subgraph, '{ legalEntity(uscc: "91350100M000100Y4Z") { name } }')
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
