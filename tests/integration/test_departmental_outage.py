"""A population outage at the subgraph level: licences still answer, their holders fail with
SOURCE_UNAVAILABLE, and once the population system is back the circuit closes and data returns.

Until the gateway lands, the test plays the gateway's part: it asks the licence subgraph for the
licences and then the population subgraph's `_entities` for the holders it references.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.resilience import SourcePolicy
from simulators.base import SimConfig
from simulators.licence.app import create_app as create_licensing_system
from simulators.population.app import create_app as create_population_system
from subgraphs.common.config import SubgraphConfig
from subgraphs.licence.app import create_app as create_licence_subgraph
from subgraphs.population.app import create_app as create_population_subgraph
from tests.adapters.seed_files import persons, write_jsonl
from tests.adapters.subgraph_client import entities, errors_by_index, gql
from tests.adapters.test_licence_adapter import licence, person_licence
from tests.support.servers import serve

TTL = 0.5
IDS = [f"LIC-{100 + i:05d}" for i in range(6)] + ["LIC-00001"]


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data: Path = tmp_path_factory.mktemp("outage-seed")
    write_jsonl(data / "persons.jsonl", persons(30))
    write_jsonl(data / "licences.jsonl", [licence(1), *(person_licence(100 + i, holder=i) for i in range(6))])
    store = tmp_path_factory.mktemp("outage-store") / "hub.db"
    with serve(create_population_system(SimConfig(admin=True, data_dir=data, credentials={"api_key": "k"}))) as population, \
            serve(create_licensing_system(SimConfig(admin=True, data_dir=data))) as licensing:
        config = SubgraphConfig(
            database_url=f"sqlite:///{store}", id_hash_secret=b"outage-test-pepper", population_url=population,
            population_api_key="k", licence_admin_url=licensing,
            policies={"population": SourcePolicy(timeout_s=1.0, read_retries=0, breaker_threshold=1, breaker_ttl_s=TTL)},
        )
        with serve(create_licence_subgraph(config=config), startup_timeout=60) as licence_sg, \
                serve(create_population_subgraph(config=config.with_(migrate_on_start=False))) as population_sg:
            yield {"population": population, "licence": licence_sg, "population_sg": population_sg}


def licences_with_holders(hub: dict[str, str]) -> tuple[list[dict[str, object]], dict[str, object]]:
    body = gql(hub["licence"], """query($ids: [ID!]!) { licences(ids: $ids) {
        id certificateName holderPerson { __typename idType idNumberHash } } }""", {"ids": IDS})
    assert "errors" not in body
    rows = body["data"]["licences"]
    refs = [row["holderPerson"] for row in rows if row["holderPerson"]]
    reps = [{k: v for k, v in ref.items() if k != "__typename"} for ref in refs]
    return rows, entities(hub["population_sg"], reps, "name", "Person")


def test_population_down_keeps_licences_and_fails_holders_then_recovers(hub: dict[str, str]) -> None:
    rows, persons_ = licences_with_holders(hub)
    assert len(rows) == 7
    assert all(p["name"] for p in persons_["data"]["_entities"])

    httpx.put(f"{hub['population']}/__admin/knobs", json={"down": True})
    try:
        rows, persons_ = licences_with_holders(hub)
        assert [r["id"] for r in rows] == IDS  # licence data is unaffected
        assert all(r["certificateName"] for r in rows)
        assert persons_["data"]["_entities"] == [None] * 6
        codes = {e["extensions"]["code"] for e in errors_by_index(persons_).values()}
        assert codes == {"SOURCE_UNAVAILABLE"}
        assert len(errors_by_index(persons_)) == 6
    finally:
        httpx.put(f"{hub['population']}/__admin/knobs", json={"down": False})

    deadline = time.monotonic() + 20 * TTL + 5
    while True:
        _, persons_ = licences_with_holders(hub)
        if "errors" not in persons_ or time.monotonic() > deadline:
            break
        time.sleep(TTL / 2)
    assert "errors" not in persons_, "the circuit closes once the population system is back"
    assert all(p["name"] for p in persons_["data"]["_entities"])
