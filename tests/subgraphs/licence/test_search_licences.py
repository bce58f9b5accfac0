"""`searchLicences(filter, orderBy, first, after)` over real HTTP, reading the simulated licensing system's database."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from adapters.sql.licence_search import LicenceCriteria, LicenceOrder
from domain.entities import LicenceStatus
from simulators.base import SimConfig
from simulators.licence.app import create_app as create_licensing_system
from subgraphs.common.clock import today_in_china
from subgraphs.common.config import SubgraphConfig
from subgraphs.licence.app import create_app
from subgraphs.licence.schema import build_schema
from tests.adapters.seed_files import entity_uscc, write_jsonl
from tests.adapters.subgraph_client import gql
from tests.adapters.test_licence_adapter import licence
from tests.adapters.test_licence_search import ISSUERS, LICENCES, _expected
from tests.support.servers import serve

SECRET = b"test-pepper-for-licence-search"
SEARCH = """query($f: LicenceFilter, $o: LicenceOrder! = ID, $first: Int, $after: String) {
  searchLicences(filter: $f, orderBy: $o, first: $first, after: $after) {
    total leftOut nextCursor items { id status sourceStatus validTo holderEntity { uscc } } } }"""

TODAY = today_in_china()
#: dated from the real today, as the subgraph reads status as of today
AROUND_TODAY = [licence(1000 + k, valid_to=(TODAY + timedelta(days=d)).isoformat(), issuing_authority_uscc=ISSUERS[k % 3])
                for k, d in enumerate((-5, 0, 10, 60, 89, 90, 200))]
SEED = [*LICENCES, *AROUND_TODAY]


@pytest.fixture(scope="module")
def url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    data: Path = tmp_path_factory.mktemp("licensing-search")
    write_jsonl(data / "licences.jsonl", SEED)
    with serve(create_licensing_system(SimConfig(admin=True, data_dir=data))) as system:
        deadline = time.monotonic() + 20
        while not httpx.get(f"{system}/__admin/dsn").json()["ready"]:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        config = SubgraphConfig(database_url=f"sqlite:///{tmp_path_factory.mktemp('ls-store') / 'hub.db'}",
                                id_hash_secret=SECRET, licence_admin_url=system)
        with serve(create_app(config=config), startup_timeout=60) as served:
            yield served


def _all_pages(url: str, filter_: dict[str, Any], first: int, order: str = "ID") -> tuple[set[int], list[str], int]:
    totals: set[int] = set()
    ids: list[str] = []
    left_out = 0
    after = None
    for _ in range(500):
        body = gql(url, SEARCH, {"f": filter_, "o": order, "first": first, "after": after})
        assert "errors" not in body, body
        page = body["data"]["searchLicences"]
        totals.add(page["total"])
        ids += [i["id"] for i in page["items"]]
        left_out += page["leftOut"]
        if (after := page["nextCursor"]) is None:
            return totals, ids, left_out
    raise AssertionError("paging did not end")


def test_revoked_licences_with_their_holders_in_one_request(url: str) -> None:
    body = gql(url, SEARCH, {"f": {"statuses": ["REVOKED"]}, "first": 1000})
    page = body["data"]["searchLicences"]
    revoked = [r for r in SEED if r["status"] == "REVOKED"]
    assert page["total"] == len(revoked)
    assert page["nextCursor"] is None
    assert {i["status"] for i in page["items"]} == {"REVOKED"}
    holders = {r["id"]: r["holder_uscc"] for r in revoked}
    for item in page["items"]:
        expected = holders[item["id"]]
        assert item["holderEntity"] == ({"uscc": expected} if expected else None)


def test_expiring_soon_and_still_valid_sorted_by_expiry(url: str) -> None:
    filter_ = {"statuses": ["VALID"], "expiringBefore": (TODAY + timedelta(days=90)).isoformat()}
    body = gql(url, SEARCH, {"f": filter_, "o": "VALID_TO", "first": 1000})
    items = body["data"]["searchLicences"]["items"]
    assert [i["id"] for i in items] == ["LIC-01001", "LIC-01002", "LIC-01003", "LIC-01004"]  # today .. today+89
    assert [i["validTo"] for i in items] == sorted(i["validTo"] for i in items)
    lapsed = gql(url, SEARCH, {"f": {"statuses": ["EXPIRED"], "sourceStatuses": ["VALID"],
                                     "issuingAuthorityUscc": ISSUERS[0]}, "first": 1000})["data"]["searchLicences"]
    assert "LIC-01000" in [i["id"] for i in lapsed["items"]]  # VALID at the source, five days past validTo
    assert {(i["status"], i["sourceStatus"]) for i in lapsed["items"]} == {("EXPIRED", "VALID")}


statuses = st.lists(st.sampled_from(["VALID", "EXPIRED", "REVOKED"]), max_size=2, unique=True)
filters = st.fixed_dictionaries({}, optional={
    "statuses": statuses, "sourceStatuses": statuses,
    "holderUscc": st.sampled_from([entity_uscc(k) for k in (0, 3, 5)]),
    "issuingAuthorityUscc": st.sampled_from(ISSUERS),
    "category": st.sampled_from(["普通", "特许", "地方特色类"]),
    "expiringBefore": st.integers(-900, 300).map(lambda d: (TODAY + timedelta(days=d)).isoformat()),
    "validOn": st.integers(-900, 300).map(lambda d: (TODAY + timedelta(days=d)).isoformat()),
})


# pages of one and two items are drawn only under a filter that keeps the walk short (each page is a request)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(filter_=filters, first=st.integers(5, 60), order=st.sampled_from(["ID", "VALID_TO"]))
@example(filter_={"holderUscc": entity_uscc(3)}, first=1, order="ID")
@example(filter_={"statuses": ["REVOKED"]}, first=2, order="VALID_TO")
def test_total_is_what_paging_through_every_page_reaches(url: str, filter_: dict[str, Any], first: int,
                                                         order: str) -> None:
    totals, ids, left_out = _all_pages(url, filter_, first, order)
    assert len(totals) == 1
    assert totals.pop() == len(ids) + left_out
    assert len(set(ids)) == len(ids)
    criteria = LicenceCriteria(
        today=TODAY, statuses=tuple(LicenceStatus(s) for s in filter_.get("statuses", [])),
        source_statuses=tuple(LicenceStatus(s) for s in filter_.get("sourceStatuses", [])),
        holder_uscc=filter_.get("holderUscc"), issuing_authority_uscc=filter_.get("issuingAuthorityUscc"),
        category=filter_.get("category"),
        expiring_before=_day(filter_.get("expiringBefore")), valid_on=_day(filter_.get("validOn")))
    assert ids == [i for i in _expected(criteria, LicenceOrder(order), SEED) if i != "LIC-00901"]  # 901 is malformed


def _day(value: str | None) -> date | None:
    return None if value is None else date.fromisoformat(value)


@pytest.mark.parametrize(("variables", "argument"), [
    ({"first": 1001}, "first"),
    ({"first": 0}, "first"),
    ({"after": "bm9wZQ"}, None),
])
def test_bad_input_is_bad_user_input(url: str, variables: dict[str, Any], argument: str | None) -> None:
    body = gql(url, SEARCH, variables)
    assert body["data"]["searchLicences"] is None
    assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    assert body["errors"][0]["extensions"].get("argument") == argument


def test_a_cursor_only_continues_its_own_filter_and_order(url: str) -> None:
    page = gql(url, SEARCH, {"first": 3})["data"]["searchLicences"]
    for variables in ({"o": "VALID_TO"}, {"f": {"statuses": ["VALID"]}}):
        body = gql(url, SEARCH, {**variables, "first": 3, "after": page["nextCursor"]})
        assert body["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


def test_searching_in_bulk_needs_the_licence_scope() -> None:
    sdl = build_schema().as_str()
    field = sdl[sdl.index("  searchLicences("):]
    assert field[field.index("): LicencePage"):].splitlines()[0].endswith('@requiresScopes(scopes: [["licence:read"]])')
