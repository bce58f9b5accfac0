"""The statistics filter and the alert list over HTTP (the subgraph app in process): every bad input
is a BAD_USER_INPUT naming its field, and any argument at all answers data or such an error; the alert list filters by case and region and pages through
each order exactly once, in the order a plain sort of the same alerts gives."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subgraphs.supervision.app import create_app
from tests.subgraphs.supervision.stats_world import StatsWorld, seed_stats_world

BODY = "11445100MBYK2ADL3R"
_ALERT_FIELDS = "items { id ruleId severity caseId periodDue detectedAt } nextCursor total"


async def _gql(client: httpx.AsyncClient, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    response = await client.post("/graphql", json={"query": query, "variables": variables or {}})
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


@pytest.fixture
async def served(database_url: str, small_seed: Path, tmp_path: Path
                 ) -> AsyncIterator[tuple[httpx.AsyncClient, StatsWorld]]:
    world = await seed_stats_world(database_url, small_seed, tmp_path)
    app = create_app(database_url=database_url, migrate=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://supervision.test") as client:
        yield client, world


BAD_FILTERS = [
    ({"level": "VILLAGE"}, "filter.level"),
    ({"regionCode": "4451"}, "filter.regionCode"),
    ({"regionCode": "44510X"}, "filter.regionCode"),
    ({"regionCode": "445199"}, "filter.regionCode"),  # six digits, but no region of the city
    ({"regionCode": "445102\u0661\u0662\u0663"}, "filter.regionCode"),  # digits, but not ASCII ones
    ({"regionCode": "4451020011"}, "filter.regionCode"),  # ten digits
    ({"bodyId": "11445100MBYK2ADL3X"}, "filter.bodyId"),  # the check character does not match
    ({"bodyId": "1144"}, "filter.bodyId"),
    ({"from": "2026-03-02", "to": "2026-03-01"}, "filter.from"),
    ({"from": "2010-01-01", "to": "2020-01-02"}, "filter.to"),  # ten years and a day
]

_STATS = [
    "query($f: StatisticsFilter) { supervisionCaseCounts(dimension: BODY, filter: $f) { key cases } }",
    "query($f: StatisticsFilter) { supervisionBodyRates(filter: $f) { bodyId cases } }",
    "query($f: StatisticsFilter) { supervisionAlertsByRule(filter: $f) { ruleId severity alerts } }",
]


async def test_bad_filters_are_refused_naming_the_field(served: tuple[httpx.AsyncClient, StatsWorld]) -> None:
    client, _world = served
    for query in _STATS:
        for flt, field in BAD_FILTERS:
            answer = await _gql(client, query, {"f": flt})
            error = answer["errors"][0]
            assert error["extensions"]["code"] == "BAD_USER_INPUT", (query, flt)
            assert error["extensions"]["field"] == field, (query, flt)
            assert all(str(v) not in error["message"] for v in flt.values()), error  # never echoes the value
    ten_years = await _gql(client, _STATS[0], {"f": {"from": "2010-01-01", "to": "2020-01-01"}})
    assert "errors" not in ten_years
    # the ends of the calendar are periods like any other: nothing in them, or everything after the first day
    rules = _STATS[2]
    for far in ({"from": "9995-01-01", "to": "9999-12-31"}, {"from": "0001-01-01", "to": "0001-12-31"}):
        for query in _STATS:
            assert (await _gql(client, query, {"f": far}))["data"] == {query.split("{ ")[1].split("(")[0]: []}, far
    since_ever = await _gql(client, rules, {"f": {"from": "0001-01-01"}})
    assert since_ever["data"] == (await _gql(client, rules))["data"]
    unfiltered = await _gql(client, _STATS[0])
    assert unfiltered["data"] == (await _gql(client, _STATS[0], {"f": {}}))["data"]
    bad_region = await _gql(client, "{ supervisionAlerts(regionCode: \"12\") { total } }")
    assert bad_region["errors"][0]["extensions"]["field"] == "regionCode"


async def test_the_alert_list_filters_by_case_and_region(served: tuple[httpx.AsyncClient, StatsWorld]) -> None:
    client, world = served
    case_id = world.cases[7].id
    got = (await _gql(client, "query($c: String) { supervisionAlerts(caseId: $c, first: 100) { items { caseId } } }",
                      {"c": case_id}))["data"]["supervisionAlerts"]["items"]
    assert got == [{"caseId": case_id}] * sum(a.case == case_id for a in world.alerts)
    counties = sorted({b.region for b in world.bodies.values() if b.level == "COUNTY"})
    for region in (counties[0], "445100"):
        page = (await _gql(client, "query($r: String) { supervisionAlerts(regionCode: $r, first: 1000) "
                                   "{ items { id } total } }", {"r": region}))["data"]["supervisionAlerts"]
        prefix = region if region != "445100" else "4451"
        want = sum(1 for a in world.alerts if (world.alert_region(a) or "").startswith(prefix))
        assert page["total"] == len(page["items"]) == want > 0, region


_RANK = {"INFO": 1, "YELLOW": 2, "RED": 3}


def _expected(items: list[dict[str, Any]], order: str, descending: bool) -> list[str]:
    def key(a: dict[str, Any]) -> tuple[Any, str]:
        if order == "DETECTED_AT":
            value: Any = datetime.fromisoformat(a["detectedAt"])
        elif order == "PERIOD_DUE":  # none last, in either direction
            value = date.fromisoformat(a["periodDue"]) if a["periodDue"] else (date.min if descending else date.max)
        elif order == "SEVERITY":
            value = _RANK[a["severity"]]
        else:
            value = a["ruleId"]
        return value, a["id"]
    return [a["id"] for a in sorted(items, key=key, reverse=descending)]


async def test_every_order_pages_through_each_alert_once(served: tuple[httpx.AsyncClient, StatsWorld]) -> None:
    client, world = served
    everything = (await _gql(client, f"{{ supervisionAlerts(first: 1000) {{ {_ALERT_FIELDS} }} }}"))
    items = everything["data"]["supervisionAlerts"]["items"]
    assert len(items) == len(world.alerts)
    query = (f"query($o: AlertOrder, $d: Boolean, $a: String) {{ supervisionAlerts(orderBy: $o, descending: $d, "
             f"first: 7, after: $a) {{ {_ALERT_FIELDS} }} }}")
    cursors: dict[tuple[str, bool], str] = {}
    for order in ("DETECTED_AT", "PERIOD_DUE", "SEVERITY", "RULE"):
        for descending in (False, True):
            seen: list[str] = []
            after = None
            for _ in range(100):
                page = (await _gql(client, query, {"o": order, "d": descending, "a": after}))
                data = page["data"]["supervisionAlerts"]
                assert data["total"] == len(items)
                seen += [a["id"] for a in data["items"]]
                after = data["nextCursor"]
                if after is None:
                    break
                cursors[(order, descending)] = after
            assert seen == _expected(items, order, descending), (order, descending)
    # a cursor belongs to its order: handed to another, it is refused, never misread
    wrong = await _gql(client, query, {"o": "RULE", "d": False, "a": cursors[("SEVERITY", False)]})
    assert wrong["errors"][0]["extensions"] == {"code": "BAD_USER_INPUT", "field": "after"}
    flipped = await _gql(client, query, {"o": "RULE", "d": True, "a": cursors[("RULE", False)]})
    assert flipped["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"
    by_id = await _gql(client, f"query($a: String) {{ supervisionAlerts(first: 7, after: $a) {{ {_ALERT_FIELDS} }} }}",
                       {"a": cursors[("RULE", False)]})
    assert by_id["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.fixture(scope="module")
def sqlite_store(small_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("stats-inputs")
    url = f"sqlite:///{tmp / 'hub.db'}"
    asyncio.run(seed_stats_world(url, small_seed, tmp))
    return url


_TEXT = st.none() | st.text(max_size=20) | st.sampled_from(["445100", "445102", "445102001", "TOWN", "city", BODY])
_DAY = st.none() | st.dates() | st.sampled_from([date.min, date.max, date(9995, 1, 1), date(1, 12, 31)])


async def _ask_all(url: str, flt: dict[str, Any], alert_args: dict[str, Any]) -> list[dict[str, Any]]:
    app = create_app(database_url=url, migrate=False)
    async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://supervision.test") as client:
        answers = [await _gql(client, query, {"f": flt}) for query in _STATS]
        answers.append(await _gql(client, "query($c: String, $r: String, $o: AlertOrder, $a: String) { "
                                          "supervisionAlerts(caseId: $c, regionCode: $r, orderBy: $o, after: $a, "
                                          "first: 5) { items { id } total } }", alert_args))
    return answers


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(level=_TEXT, region=_TEXT, body=_TEXT, start=_DAY, end=_DAY, case_id=_TEXT, after=_TEXT,
       order=st.none() | st.sampled_from(["DETECTED_AT", "PERIOD_DUE", "SEVERITY", "RULE"]))
def test_any_argument_answers_data_or_a_bad_input_error(sqlite_store: str, level: str | None, region: str | None,
                                                       body: str | None, start: date | None, end: date | None,
                                                       case_id: str | None, after: str | None,
                                                       order: str | None) -> None:
    flt = {"level": level, "regionCode": region, "bodyId": body,
           "from": start.isoformat() if start else None, "to": end.isoformat() if end else None}
    answers = asyncio.run(_ask_all(sqlite_store, flt, {"c": case_id, "r": region, "o": order, "a": after}))
    for answer in answers:
        for error in answer.get("errors", []):
            assert error["extensions"]["code"] == "BAD_USER_INPUT", answer
        if "errors" not in answer:
            assert all(isinstance(v, list | dict) for v in answer["data"].values()), answer
