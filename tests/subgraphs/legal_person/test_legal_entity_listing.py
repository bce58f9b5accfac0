"""`legalEntities(filter, first, after)` and `registrationStatus` over real HTTP, in front of the simulated registries."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from adapters.resilience import SourcePolicy
from simulators.base import SimConfig
from simulators.legal_person.app import create_app as create_city_registry
from simulators.national_credit.app import create_app as create_national_registry
from subgraphs.common.config import SubgraphConfig
from subgraphs.legal_person.app import create_app
from subgraphs.legal_person.schema import build_schema
from tests.adapters.seed_files import write_jsonl
from tests.adapters.subgraph_client import gql
from tests.adapters.test_entity_listing import BAD_DATE, CITY, ELSEWHERE
from tests.support.servers import serve

SECRET = b"test-pepper-for-entity-listing"
LIST = """query($f: LegalEntityFilter, $first: Int, $after: String) {
  legalEntities(filter: $f, first: $first, after: $after) {
    total leftOut nextCursor items { uscc status entityCategory regionCode registrationStatus { status since } } } }"""


@pytest.fixture(scope="module")
def subgraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("listing-registries")
    write_jsonl(data / "entities.jsonl", CITY + ELSEWHERE)
    (data / "corrupt.jsonl").write_text(json.dumps({"uscc": BAD_DATE["uscc"], "status_date": "2021-02-30"}) + "\n",
                                        encoding="utf-8")
    city_app = create_city_registry(SimConfig(admin=True, data_dir=data, credentials={"username": "u", "password": "p"}))
    national_app = create_national_registry(SimConfig(admin=True, data_dir=data, credentials={"app_key": "k", "app_secret": "s"}))
    with serve(city_app) as city, serve(national_app) as national:
        config = SubgraphConfig(
            database_url=f"sqlite:///{tmp_path_factory.mktemp('listing-store') / 'hub.db'}", id_hash_secret=SECRET,
            market_url=city, soap_username="u", soap_password="p", national_credit_url=national,
            national_credit_app_key="k", national_credit_app_secret="s",
            policies={"legal_person": SourcePolicy(read_retries=0, breaker_threshold=1000)})
        with serve(create_app(config=config)) as url:
            yield url


def _all_pages(url: str, filter_: dict[str, Any], first: int) -> tuple[set[int], list[dict[str, Any]], int]:
    totals: set[int] = set()
    items: list[dict[str, Any]] = []
    left_out = 0
    after = None
    for _ in range(100):
        body = gql(url, LIST, {"f": filter_, "first": first, "after": after})
        page = body["data"]["legalEntities"]
        totals.add(page["total"])
        items += page["items"]
        left_out += page["leftOut"]
        after = page["nextCursor"]
        if after is None:
            return totals, items, left_out
    raise AssertionError("paging did not end")


def test_revoked_or_cancelled_individual_businesses_of_the_city(subgraph: str) -> None:
    filter_ = {"statuses": ["REVOKED", "CANCELLED"], "regionCode": "445100", "category": "INDIVIDUAL_BUSINESS"}
    totals, items, left_out = _all_pages(subgraph, filter_, 4)
    expected = sorted(e["uscc"] for e in CITY
                      if e["status"] in ("吊销", "注销") and e["entity_category"] == "个体工商户")
    assert totals == {len(expected)}
    assert left_out == 0
    assert [i["uscc"] for i in items] == expected
    assert {i["registrationStatus"]["status"] for i in items} <= {"REVOKED", "CANCELLED"}
    assert {i["entityCategory"] for i in items} == {"个体工商户"}


def test_a_county_code_includes_its_towns_and_a_name_fragment_narrows(subgraph: str) -> None:
    totals, items, _ = _all_pages(subgraph, {"regionCode": "445102", "nameContains": "凤凰"}, 50)
    expected = [e for e in CITY if e["region_code"].startswith("445102") and "凤凰" in e["name"]]
    assert totals == {len(expected)}
    assert {i["regionCode"] for i in items} == {"445102", "445102003"}


def test_registration_status_has_its_date_and_a_malformed_date_errors_on_that_field_alone(subgraph: str) -> None:
    body = gql(subgraph, LIST, {"f": {"statuses": ["REVOKED"]}, "first": 200})
    items = body["data"]["legalEntities"]["items"]
    by_code = {i["uscc"]: i for i in items}
    bad = by_code[BAD_DATE["uscc"]]
    assert bad["registrationStatus"] == {"status": "REVOKED", "since": None}
    assert bad["status"] == "吊销"  # the existing field is kept
    errors = body["errors"]
    assert len(errors) == 1
    assert errors[0]["extensions"]["code"] == "MALFORMED_RECORD"
    assert errors[0]["path"] == ["legalEntities", "items", items.index(bad), "registrationStatus", "since"]
    good = next(e for e in CITY if e["status"] == "吊销" and e["uscc"] != BAD_DATE["uscc"])
    assert by_code[good["uscc"]]["registrationStatus"]["since"] == good["status_date"]


def test_no_filter_lists_the_whole_city_registry(subgraph: str) -> None:
    totals, items, _ = _all_pages(subgraph, {}, 1000)
    assert totals == {len(CITY)}
    assert len(items) == len(CITY)


@pytest.mark.parametrize(("variables", "argument"), [
    ({"first": 1001}, "first"),
    ({"f": {"regionCode": "4451"}}, "filter.regionCode"),
    ({"after": "not-a-cursor"}, None),
])
def test_bad_input_is_bad_user_input(subgraph: str, variables: dict[str, Any], argument: str | None) -> None:
    body = gql(subgraph, LIST, variables)
    assert body["data"]["legalEntities"] is None
    error = body["errors"][0]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert error["extensions"].get("argument") == argument


def test_a_cursor_only_continues_the_filter_it_came_from(subgraph: str) -> None:
    first = gql(subgraph, LIST, {"f": {"statuses": ["ACTIVE"]}, "first": 2})["data"]["legalEntities"]
    other = gql(subgraph, LIST, {"f": {"statuses": ["REVOKED"]}, "first": 2, "after": first["nextCursor"]})
    assert other["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_listing_needs_the_registry_scope_like_searching() -> None:
    sdl = build_schema().as_str()
    field = sdl[sdl.index("  legalEntities("):]
    assert field[field.index("): LegalEntityPage"):].splitlines()[0].endswith(
        '@requiresScopes(scopes: [["legal_person:read"]])')
