"""Through the gateway: with the population system down, licences and their holders come back as
licence data, null persons and SOURCE_UNAVAILABLE errors; after recovery the circuit closes and the
persons return. Real HTTP everywhere: simulators, subgraphs and the gateway on loopback ports.
"""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from adapters.resilience import SourcePolicy
from gateway.app import create_app as create_gateway
from simulators.base import SimConfig
from simulators.licence.app import create_app as create_licensing_system
from simulators.population.app import create_app as create_population_system
from subgraphs.common.config import SubgraphConfig
from subgraphs.licence.app import create_app as create_licence_subgraph
from subgraphs.population.app import create_app as create_population_subgraph
from tests.adapters.seed_files import persons, write_jsonl
from tests.adapters.test_licence_adapter import licence, person_licence
from tests.support.servers import serve

TTL = 0.5
IDS = [f"LIC-{100 + i:05d}" for i in range(6)] + ["LIC-00001"]
SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
QUERY = """query Holders($ids: [ID!]!) {
  licences(ids: $ids) { id certificateName holderPerson { name gender } }
}"""


def _with_urls(sdl: str, urls: dict[str, str]) -> str:
    def swap(m: re.Match[str]) -> str:
        name = m.group(2)
        return f'{m.group(1)}{urls.get(name, "http://127.0.0.1:9/graphql")}"'

    return re.sub(r'(@join__graph\(name: "([^"]+)", url: ")[^"]*"', swap, sdl)


@pytest.fixture(scope="module")
def gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    data = tmp_path_factory.mktemp("gw-outage-seed")
    write_jsonl(data / "persons.jsonl", persons(30))
    write_jsonl(data / "licences.jsonl", [licence(1), *(person_licence(100 + i, holder=i) for i in range(6))])
    store = tmp_path_factory.mktemp("gw-outage-store") / "hub.db"
    with serve(create_population_system(SimConfig(admin=True, data_dir=data, credentials={"api_key": "k"}))) as population, \
            serve(create_licensing_system(SimConfig(admin=True, data_dir=data))) as licensing:
        config = SubgraphConfig(
            database_url=f"sqlite:///{store}", id_hash_secret=b"gateway-outage-pepper", population_url=population,
            population_api_key="k", licence_admin_url=licensing,
            policies={"population": SourcePolicy(timeout_s=1.0, read_retries=0, breaker_threshold=1, breaker_ttl_s=TTL)},
        )
        with serve(create_licence_subgraph(config=config), startup_timeout=60) as licence_sg, \
                serve(create_population_subgraph(config=config.with_(migrate_on_start=False))) as population_sg:
            supergraph = tmp_path_factory.mktemp("gw-outage-sg") / "supergraph.graphql"
            supergraph.write_text(_with_urls(SUPERGRAPH.read_text(encoding="utf-8"), {
                "licence": f"{licence_sg}/graphql", "population": f"{population_sg}/graphql"}), encoding="utf-8")
            with serve(create_gateway(str(supergraph), subgraph_timeout_s=5.0)) as gw:
                yield {"gateway": gw, "population": population}


def ask(gw: str) -> dict[str, object]:
    response = httpx.post(f"{gw}/graphql", json={"query": QUERY, "variables": {"ids": IDS}}, timeout=20)
    assert response.status_code == 200, response.text
    body: dict[str, object] = response.json()
    return body


def test_population_outage_through_the_gateway(gateway: dict[str, str]) -> None:
    healthy = ask(gateway["gateway"])
    assert "errors" not in healthy, healthy
    rows = healthy["data"]["licences"]  # type: ignore[index]
    assert [r["id"] for r in rows] == IDS
    assert sum(1 for r in rows if r["holderPerson"] and r["holderPerson"]["name"]) == 6

    httpx.put(f"{gateway['population']}/__admin/knobs", json={"down": True})
    try:
        down = ask(gateway["gateway"])
        rows = down["data"]["licences"]  # type: ignore[index]
        assert [r["id"] for r in rows] == IDS, "licence data must survive the population outage"
        assert all(r["certificateName"] for r in rows)
        assert all(r["holderPerson"] is None for r in rows)
        codes = {e["extensions"]["code"] for e in down["errors"]}  # type: ignore[union-attr, index]
        assert "SOURCE_UNAVAILABLE" in codes, down["errors"]
    finally:
        httpx.put(f"{gateway['population']}/__admin/knobs", json={"down": False})

    deadline = time.monotonic() + 20 * TTL + 5
    while True:
        recovered = ask(gateway["gateway"])
        rows = recovered["data"]["licences"]  # type: ignore[index]
        if "errors" not in recovered and sum(1 for r in rows if r["holderPerson"]) == 6:
            break
        assert time.monotonic() < deadline, f"circuit did not close: {recovered.get('errors')}"
        time.sleep(TTL / 2)
