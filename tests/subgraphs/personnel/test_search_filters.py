"""Officer and body searches: filters and orders run as SQL, keyset pages, and `total` the same on every page.

For random filters, orders and page sizes, paging through every page reaches exactly the rows the
filter selects (checked against a Python reference over the same data), each once, in the order
asked for, and `total` equals their number on every page. On SQLite, and on PostgreSQL when a
server is available.
"""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subgraphs.common.db import create_engine
from subgraphs.personnel.context import PersonnelContext
from subgraphs.personnel.schema import build_schema
from subgraphs.personnel.search import _LEVEL_RANK
from tests.adapters.personnel_seed import body_uscc
from tests.subgraphs.personnel.search_world import (
    BODY_STATUSES,
    CERT_STATUSES,
    DOMAINS,
    NAMES,
    OFFICER_STATUSES,
    REGIONS,
    World,
    build_world,
    in_region,
    store_world,
)
from tests.support.db import fresh_postgres_database
from trust.signing import CallerContext

WORLD = build_world()
SCHEMA = build_schema()
LEVELS = ("PROVINCE", "CITY", "COUNTY", "TOWN")
OFFICERS = """query($f: OfficerFilter, $o: [OfficerOrder!], $first: Int, $after: String) {
  searchOfficers(filter: $f, orderBy: $o, first: $first, after: $after) { items { id name } nextCursor total } }"""
BODIES = """query($f: BodyFilter, $o: [BodyOrder!], $first: Int, $after: String) {
  searchEnforcementBodies(filter: $f, orderBy: $o, first: $first, after: $after) {
    items { uscc name level } nextCursor total } }"""


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def store(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path_factory.mktemp('search') / 'hub.db'}"
        asyncio.run(store_world(url, WORLD))
        yield url
        return
    # one loop holds the database open while the synchronous tests run theirs in other threads' loops
    server = request.getfixturevalue("postgres_url")
    ready: queue.Queue[str | BaseException] = queue.Queue()
    done = threading.Event()

    async def hold() -> None:
        try:
            async with fresh_postgres_database(server) as url:
                await store_world(url, WORLD)
                ready.put(url)
                await asyncio.to_thread(done.wait)
        except BaseException as exc:  # handed to the fixture, which raises it
            ready.put(exc)

    keeper = threading.Thread(target=asyncio.run, args=(hold(),))
    keeper.start()
    try:
        got = ready.get(timeout=120)
        if isinstance(got, BaseException):
            raise got
        yield got
    finally:
        done.set()
        keeper.join(timeout=60)


async def _run(url: str, query: str, variables: dict[str, Any], caller: CallerContext | None = None) -> Any:
    engine = create_engine(url)
    try:
        return await SCHEMA.execute(query, variable_values=variables,
                                    context_value=PersonnelContext.build(engine, caller))
    finally:
        await engine.dispose()


def _all_pages(url: str, query: str, field: str, flt: dict[str, Any], order: list[dict[str, str]],
               size: int) -> tuple[list[dict[str, Any]], set[int]]:
    async def go() -> tuple[list[dict[str, Any]], set[int]]:
        items: list[dict[str, Any]] = []
        totals: set[int] = set()
        after = None
        for _ in range(400):
            result = await _run(url, query, {"f": flt, "o": order, "first": size, "after": after})
            assert result.errors is None, result.errors
            page = result.data[field]
            items += page["items"]
            totals.add(page["total"])
            after = page["nextCursor"]
            if after is None:
                return items, totals
        raise AssertionError("paging did not end")
    return asyncio.run(go())


regions = st.sampled_from([r for r, _, _ in REGIONS] + ["440100", "445100", "445102"])
officer_filters = st.fixed_dictionaries({}, optional={
    "bodies": st.lists(st.sampled_from([b.uscc for b in WORLD.bodies]), max_size=4, unique=True),
    "region": regions, "level": st.sampled_from(LEVELS),
    "statuses": st.lists(st.sampled_from(OFFICER_STATUSES), max_size=3, unique=True),
    "namePrefix": st.sampled_from(NAMES), "isLegalReviewer": st.booleans(),
    "certificateStatus": st.sampled_from((*CERT_STATUSES, "LOST")), "includeVanished": st.booleans()})
officer_orders = st.lists(st.fixed_dictionaries({"field": st.sampled_from(["NAME", "ID"]),
                                                 "direction": st.sampled_from(["ASC", "DESC"])}), max_size=2)
body_filters = st.fixed_dictionaries({}, optional={
    "region": regions, "level": st.sampled_from(LEVELS),
    "parentUscc": st.sampled_from([b.uscc for b in WORLD.bodies]),
    "statuses": st.lists(st.sampled_from(BODY_STATUSES), max_size=2, unique=True),
    "namePrefix": st.sampled_from(NAMES), "domain": st.sampled_from(DOMAINS)})
body_orders = st.lists(st.fixed_dictionaries({"field": st.sampled_from(["USCC", "NAME", "LEVEL"]),
                                              "direction": st.sampled_from(["ASC", "DESC"])}), max_size=3)


def expected_officers(world: World, f: dict[str, Any]) -> set[str]:
    out = set()
    for o in world.officers:
        body = world.body(o.body)
        if ("bodies" in f and o.body not in f["bodies"]) or ("region" in f and not in_region(body.region, f["region"])) \
                or ("level" in f and body.level != f["level"]) or ("statuses" in f and o.status not in f["statuses"]) \
                or ("namePrefix" in f and not o.name.startswith(f["namePrefix"])) \
                or ("isLegalReviewer" in f and o.reviewer != f["isLegalReviewer"]) \
                or ("certificateStatus" in f and f["certificateStatus"] not in o.cert_statuses) \
                or (o.vanished and not f.get("includeVanished", False)):
            continue
        out.add(o.id)
    return out


def expected_bodies(world: World, f: dict[str, Any]) -> set[str]:
    return {b.uscc for b in world.bodies
            if not (("region" in f and not in_region(b.region, f["region"])) or ("level" in f and b.level != f["level"])
                    or ("parentUscc" in f and b.parent != f["parentUscc"])
                    or ("statuses" in f and b.status not in f["statuses"])
                    or ("namePrefix" in f and not b.name.startswith(f["namePrefix"]))
                    or ("domain" in f and f["domain"] not in b.domains))}


def _sorted(items: list[dict[str, Any]], order: list[dict[str, str]], unique: str) -> list[dict[str, Any]]:
    """The order the search promises: the given keys (first occurrence of each), then the unique key ascending."""
    keys: list[tuple[str, bool]] = []
    for o in order:
        if o["field"] not in [k for k, _ in keys]:
            keys.append((o["field"], o["direction"] == "DESC"))
    if unique not in [k for k, _ in keys]:
        keys.append((unique, False))
    ordered = list(items)
    for name, desc in reversed(keys):
        column = {"NAME": "name", "ID": "id", "USCC": "uscc", "LEVEL": "level"}[name]
        ordered.sort(key=lambda i, c=column: _LEVEL_RANK[i[c]] if c == "level" else i[c], reverse=desc)  # type: ignore[misc]
    return ordered


_PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


@_PROPERTY
@given(flt=officer_filters, order=officer_orders, size=st.integers(min_value=1, max_value=25))
def test_paging_all_officer_pages_reaches_exactly_the_filtered_rows_once(
    store: str, flt: dict[str, Any], order: list[dict[str, str]], size: int,
) -> None:
    items, totals = _all_pages(store, OFFICERS, "searchOfficers", flt, order, size)
    ids = [i["id"] for i in items]
    assert len(ids) == len(set(ids)), "no row on two pages"
    assert set(ids) == expected_officers(WORLD, flt)
    assert totals == {len(ids)}, "total is the number of matches on every page"
    whole, _ = _all_pages(store, OFFICERS, "searchOfficers", flt, order, 1000)
    assert items == whole, "pages concatenated are the one big page"
    if store.startswith("sqlite"):  # PostgreSQL sorts text by its collation, not by code point
        assert items == _sorted(items, order, "ID")


@_PROPERTY
@given(flt=body_filters, order=body_orders, size=st.integers(min_value=1, max_value=7))
def test_paging_all_body_pages_reaches_exactly_the_filtered_rows_once(
    store: str, flt: dict[str, Any], order: list[dict[str, str]], size: int,
) -> None:
    items, totals = _all_pages(store, BODIES, "searchEnforcementBodies", flt, order, size)
    usccs = [i["uscc"] for i in items]
    assert len(usccs) == len(set(usccs))
    assert set(usccs) == expected_bodies(WORLD, flt)
    assert totals == {len(usccs)}
    whole, _ = _all_pages(store, BODIES, "searchEnforcementBodies", flt, order, 1000)
    assert items == whole
    if store.startswith("sqlite"):
        assert items == _sorted(items, order, "USCC")


def test_a_city_code_includes_its_counties_and_towns(store: str) -> None:
    items, _ = _all_pages(store, BODIES, "searchEnforcementBodies", {"region": "445100"}, [], 100)
    assert {i["uscc"] for i in items} == {b.uscc for b in WORLD.bodies if b.region.startswith("4451")}
    county, _ = _all_pages(store, BODIES, "searchEnforcementBodies", {"region": "445102"}, [], 100)
    assert {b.region for b in WORLD.bodies if b.uscc in {i["uscc"] for i in county}} == {"445102", "445102001",
                                                                                       "445102002"}


def _errors(url: str, query: str, variables: dict[str, Any], caller: CallerContext | None = None) -> list[Any]:
    result = asyncio.run(_run(url, query, variables, caller))
    return [e.extensions for e in result.errors or ()]


def test_bad_inputs_are_user_errors_naming_the_argument(store: str) -> None:
    assert _errors(store, OFFICERS, {"first": 1001})[0]["argument"] == "first"
    assert _errors(store, OFFICERS, {"f": {"region": "44A"}})[0] == {"code": "BAD_USER_INPUT",
                                                                       "argument": "filter.region"}
    assert _errors(store, BODIES, {"f": {"level": "VILLAGE"}})[0]["argument"] == "filter.level"
    page = asyncio.run(_run(store, OFFICERS, {"first": 2, "o": [{"field": "NAME", "direction": "ASC"}]}))
    cursor = page.data["searchOfficers"]["nextCursor"]
    other = _errors(store, OFFICERS, {"first": 2, "after": cursor})  # made for NAME order, used with ID order
    assert other[0] == {"code": "BAD_USER_INPUT", "argument": "after"}
    assert _errors(store, OFFICERS, {"after": "bm90LWpzb24"})[0]["code"] == "BAD_USER_INPUT"


def _caller(*roles: str) -> CallerContext:
    return CallerContext(subject="u1", roles=frozenset(roles), body_uscc=None, region_code=None, purpose_code=None,
                         request_id="r1")


def test_filtering_by_legal_reviewer_needs_what_reading_the_field_needs(store: str) -> None:
    flt = {"f": {"isLegalReviewer": True}}
    assert _errors(store, OFFICERS, flt, _caller("PUBLIC"))[0] == {"code": "FORBIDDEN",
                                                                     "argument": "filter.isLegalReviewer"}
    assert _errors(store, OFFICERS, flt, _caller("OFFICER")) == []
    assert _errors(store, OFFICERS, {"f": {"namePrefix": "林"}}, _caller("PUBLIC")) == []


def test_legacy_arguments_still_filter_and_combine_with_the_filter(store: str) -> None:
    region = "445102"
    query = """query($f: OfficerFilter) { searchOfficers(regionCode: "445102", filter: $f, first: 1000) {
        items { id } total } }"""
    result = asyncio.run(_run(store, query, {"f": {"statuses": ["ACTIVE"]}}))
    ids = {i["id"] for i in result.data["searchOfficers"]["items"]}
    assert ids == {o.id for o in WORLD.officers if WORLD.body(o.body).region == region and o.status == "ACTIVE"
                   and not o.vanished}


def test_certificate_history_and_status_on_through_the_graph(store: str) -> None:
    holder = next(o for o in WORLD.officers if "SUSPENDED" in o.cert_statuses)
    query = """query($id: ID!) { officer(id: $id) { certificates { certNo status
        statusHistory { status from until } before: statusOn(date: "2022-12-31") on: statusOn(date: "2025-05-01")
        day: statusOn(date: "2025-04-30") } } }"""
    result = asyncio.run(_run(store, query, {"id": holder.id}))
    assert result.errors is None, result.errors
    suspended = next(c for c in result.data["officer"]["certificates"] if c["status"] == "SUSPENDED")
    assert suspended["statusHistory"] == [{"status": "ACTIVE", "from": "2023-01-01", "until": "2025-04-30"},
                                          {"status": "SUSPENDED", "from": "2025-05-01", "until": None}]
    assert (suspended["before"], suspended["day"], suspended["on"]) == ("NOT_YET_VALID", "ACTIVE", "SUSPENDED")


def test_the_world_makes_every_filter_field_select_a_proper_subset() -> None:
    """The property tests above would prove little over data every filter keeps or drops whole."""
    everyone = expected_officers(WORLD, {"includeVanished": True})
    for flt in ({"region": "445100"}, {"level": "TOWN"}, {"statuses": ["RETIRED"]}, {"namePrefix": "林"},
                {"namePrefix": "A_"}, {"isLegalReviewer": True}, {"certificateStatus": "SUSPENDED"}, {}):
        assert 0 < len(expected_officers(WORLD, flt)) < len(everyone), flt
    assert expected_officers(WORLD, {"certificateStatus": "LOST"}) == set(), "vanished certificates do not count"
    bodies = expected_bodies(WORLD, {})
    for flt in ({"region": "440100"}, {"level": "COUNTY"}, {"statuses": ["MERGED"]}, {"domain": "食品安全"},
                {"parentUscc": body_uscc(50, "445102")}):
        assert 0 < len(expected_bodies(WORLD, flt)) < len(bodies), flt
