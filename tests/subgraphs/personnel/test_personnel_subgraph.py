"""The personnel subgraph over real HTTP: bodies and officers from the seed, certificates from the drop."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from domain.sm import id_number_hash
from simulators.base import SimConfig
from simulators.certificates.app import create_app as create_certificate_system
from subgraphs.common.config import SubgraphConfig
from subgraphs.personnel.app import create_app
from tests.adapters.personnel_seed import CITY, COUNTY, TOWN, write_personnel_seed
from tests.adapters.seed_files import person_id
from tests.adapters.subgraph_client import entities, gql
from tests.support.servers import serve

SECRET = b"test-pepper-personnel-subgraph"


@pytest.fixture(scope="module")
def subgraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    root: Path = tmp_path_factory.mktemp("personnel")
    seed, drop = root / "seed", root / "drop"
    seed.mkdir()
    write_personnel_seed(seed)
    with serve(create_certificate_system(SimConfig(data_dir=seed), drop_dir=drop)):
        pass  # starting it writes the reference day's snapshot
    config = SubgraphConfig(database_url=f"sqlite:///{root / 'hub.db'}", id_hash_secret=SECRET,
                            seed_dir=seed, certificate_drop_dir=drop)
    with serve(create_app(config=config)) as url:
        yield url


def test_officer_with_certificates_body_and_person_reference(subgraph: str) -> None:
    body = gql(subgraph, """{ officer(id: "OFF-0000") { name idNumberMasked
        person { idType idNumberHash } body { uscc level } certificates { certNo status validTo } } }""")
    officer = body["data"]["officer"]
    assert officer["person"]["idNumberHash"] == id_number_hash(SECRET, "RESIDENT_ID", person_id(500))
    assert officer["idNumberMasked"] == person_id(500)[:4] + "*" * 10 + person_id(500)[-4:]
    assert officer["body"] == {"uscc": CITY, "level": "CITY"}
    assert [c["certNo"] for c in officer["certificates"]] == ["44000000ZF", "44000001ZF"]
    assert {c["status"] for c in officer["certificates"]} == {"ACTIVE"}


def test_body_tree_has_three_levels(subgraph: str) -> None:
    body = entities(subgraph, [{"uscc": TOWN}], "name level itemCodes parent { uscc parent { uscc parent { uscc } } }",
                    "EnforcementBody")
    town = body["data"]["_entities"][0]
    assert town["level"] == "TOWN"
    assert town["itemCodes"] == ["44000000000003"]
    assert town["parent"]["uscc"] == COUNTY
    assert town["parent"]["parent"]["uscc"] == CITY
    assert town["parent"]["parent"]["parent"] is None
    city = gql(subgraph, f'{{ enforcementBody(uscc: "{CITY}") {{ children {{ uscc children {{ uscc }} }} }} }}')
    assert city["data"]["enforcementBody"]["children"] == [{"uscc": COUNTY, "children": [{"uscc": TOWN}]}]


def test_search_officers_pages_by_cursor(subgraph: str) -> None:
    query = """query($after: String) { searchOfficers(namePrefix: "林执法", first: 4, after: $after) {
        items { id } nextCursor total } }"""
    first = gql(subgraph, query)["data"]["searchOfficers"]
    second = gql(subgraph, query, {"after": first["nextCursor"]})["data"]["searchOfficers"]
    assert [o["id"] for o in first["items"] + second["items"]] == [f"OFF-{i:04d}" for i in range(6)]
    assert second["nextCursor"] is None
    assert first["total"] == second["total"] == 6  # every match, whatever the page
    in_county = gql(subgraph, '{ searchOfficers(regionCode: "445102") { items { id } total } }')
    assert [o["id"] for o in in_county["data"]["searchOfficers"]["items"]] == ["OFF-0001", "OFF-0002", "OFF-0004", "OFF-0005"]
    assert in_county["data"]["searchOfficers"]["total"] == 4
    bodies = gql(subgraph, "{ searchEnforcementBodies(first: 1) { items { uscc } total } }")["data"]
    assert len(bodies["searchEnforcementBodies"]["items"]) == 1
    assert bodies["searchEnforcementBodies"]["total"] == 3  # the city, the county and the town
