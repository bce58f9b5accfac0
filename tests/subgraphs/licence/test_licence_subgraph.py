"""The licence subgraph over real HTTP, reading the simulated licensing system's legacy database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from domain.identifiers import build_org_code, build_uscc
from domain.sm import id_number_hash
from simulators.base import SimConfig
from simulators.licence.app import create_app as create_licensing_system
from subgraphs.common.config import SubgraphConfig
from subgraphs.licence.app import create_app
from tests.adapters.seed_files import entity_uscc, person_id, write_jsonl
from tests.adapters.subgraph_client import entities, gql
from tests.adapters.test_licence_adapter import licence, person_licence
from tests.support.servers import serve

SECRET = b"test-pepper-for-licence"
LICENCES = [
    *(licence(i) for i in range(70)),
    *(person_licence(100 + i, holder=i % 10) for i in range(30)),
    licence(300, status="REVOKED", valid_to="2099-12-31"),
    licence(500, valid_to="2020-06-30"),  # the source still says VALID
    licence(400, holder_uscc=build_uscc("9", "2", "445102", build_org_code("MA000400")), holder_name="陈四的小店"),
]


@pytest.fixture(scope="module")
def app_and_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Starlette, str, str]]:
    data: Path = tmp_path_factory.mktemp("licensing")
    write_jsonl(data / "licences.jsonl", LICENCES)
    with serve(create_licensing_system(SimConfig(admin=True, data_dir=data))) as system:
        db = tmp_path_factory.mktemp("licence-store") / "hub.db"
        config = SubgraphConfig(database_url=f"sqlite:///{db}", id_hash_secret=SECRET, licence_admin_url=system)
        app = create_app(config=config)
        with serve(app, startup_timeout=60) as url:
            yield app, url, system


def statements(app: Starlette) -> int:
    resources: Any = app.state.resources["resources"]
    return int(resources.db.statements)


def test_licences_point_at_holders_by_hash_only(app_and_url: tuple[Starlette, str, str]) -> None:
    _, url, _ = app_and_url
    body = gql(url, """{ licences(ids: ["LIC-00100", "LIC-00003", "LIC-00300", "LIC-XXXXX"]) {
        id holderKind holderPerson { idType idNumberHash } holderEntity { uscc } status isLongTerm } }""")
    person, entity_, revoked, missing = body["data"]["licences"]
    assert person["holderPerson"] == {"idType": "RESIDENT_ID",
                                      "idNumberHash": id_number_hash(SECRET, "RESIDENT_ID", person_id(0))}
    assert person["holderEntity"] is None
    assert entity_["holderEntity"] == {"uscc": entity_uscc(3)}
    assert entity_["holderPerson"] is None
    assert revoked["isLongTerm"] is True
    assert missing is None


def test_an_organisation_holder_is_named_in_clear_a_person_or_individual_business_only_masked(
        app_and_url: tuple[Starlette, str, str]) -> None:
    _, url, _ = app_and_url
    body = gql(url, '{ licences(ids: ["LIC-00003", "LIC-00100", "LIC-00400"]) { id holderName holderEntityName } }')
    organisation, person, individual_business = body["data"]["licences"]
    assert organisation["holderEntityName"] == organisation["holderName"] == "潮州市韩江3号陶瓷有限公司"
    assert person["holderEntityName"] is None  # a natural person: only the masked holderName
    assert individual_business["holderEntityName"] is None  # a 个体工商户 (USCC 92…): its name may be the operator's


def test_person_and_entity_gain_licences(app_and_url: tuple[Starlette, str, str]) -> None:
    app, url, _ = app_and_url
    gql(url, '{ licences(ids: ["LIC-00101"]) { id } }')  # brings holder 1 into the vault
    before = statements(app)
    reps = [{"idType": "RESIDENT_ID", "idNumberHash": id_number_hash(SECRET, "RESIDENT_ID", person_id(1))}]
    body = entities(url, reps, "licences { id certificateName }", "Person")
    ids = sorted(lic["id"] for lic in body["data"]["_entities"][0]["licences"])
    assert ids == ["LIC-00101", "LIC-00111", "LIC-00121"]
    codes = [{"uscc": entity_uscc(k)} for k in range(7)]
    body = entities(url, codes, "uscc licences { id }", "LegalEntity")
    counts = [len(e["licences"]) for e in body["data"]["_entities"]]
    assert counts == [len([i for i in range(70) if i % 7 == k]) + (1 if k == 300 % 7 else 0) + (1 if k == 500 % 7 else 0)
                      for k in range(7)]
    assert statements(app) - before <= 3, "one query per batch of representations, not one per entity"


def test_database_down_gives_source_unavailable(app_and_url: tuple[Starlette, str, str]) -> None:
    _, url, system = app_and_url
    httpx.put(f"{system}/__admin/knobs", json={"down": True})
    try:
        deadline = time.monotonic() + 10
        while httpx.get(f"{system}/health").status_code != 503 and time.monotonic() < deadline:
            time.sleep(0.05)
        body = entities(url, [{"uscc": entity_uscc(0)}, {"uscc": entity_uscc(1)}], "uscc licences { id }", "LegalEntity")
        # only the field that needs the licensing system is null: the entities themselves stay
        assert body["data"]["_entities"] == [{"uscc": entity_uscc(0), "licences": None},
                                             {"uscc": entity_uscc(1), "licences": None}]
        assert {e["extensions"]["code"] for e in body["errors"]} == {"SOURCE_UNAVAILABLE"}
        assert [e["path"] for e in body["errors"]] == [["_entities", 0, "licences"], ["_entities", 1, "licences"]]
    finally:
        httpx.put(f"{system}/__admin/knobs", json={"down": False})


def test_a_licence_past_its_term_reads_expired_with_the_sources_value_kept(
        app_and_url: tuple[Starlette, str, str]) -> None:
    _, url, _ = app_and_url
    body = gql(url, '{ licences(ids: ["LIC-00500", "LIC-00003", "LIC-00300"]) { id status sourceStatus validTo } }')
    lapsed, current, revoked = body["data"]["licences"]
    assert lapsed == {"id": "LIC-00500", "status": "EXPIRED", "sourceStatus": "VALID", "validTo": "2020-06-30"}
    assert current["status"] == current["sourceStatus"] == "VALID"  # valid to 2028-03-14
    assert revoked["status"] == revoked["sourceStatus"] == "REVOKED"  # long term, revoked: stays revoked
