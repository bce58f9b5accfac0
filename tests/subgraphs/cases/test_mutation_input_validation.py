"""Mutations refuse invalid identifiers and impossible dates with BAD_USER_INPUT naming the field, and
write nothing; a valid value is taken. Over real HTTP to the running cases subgraph, with the store's
row counts compared before and after every refused request."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

import httpx
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subgraphs.cases.domain.clock import CHINA_TZ
from tests.domain.bad_identifiers import (
    days_before_2000,
    future_days,
    invalid_item_codes,
    invalid_region_codes,
    invalid_resident_ids,
    invalid_usccs,
    valid_resident_ids,
    valid_usccs,
)

from .store_counts import StoreCounter
from .test_cases_subgraph import ITEM, World, clue, hub  # noqa: F401  (hub is a fixture)

EXAMPLES = settings(max_examples=25, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])

REGISTER = """mutation($input: RegisterClueInput!, $key: String) {
  registerClue(input: $input, idempotencyKey: $key) { id version } }"""
ON_THE_SPOT = """mutation($input: DecideOnTheSpotInput!) { decideOnTheSpot(input: $input) { id } }"""
PLAN = """mutation($input: PlanInspectionInput!) { planInspection(input: $input) { id } }"""


def _today() -> date:
    return datetime.now(CHINA_TZ).date()


class Live:
    """The running subgraph, a caller of the world's body, and the store to count rows in."""

    def __init__(self, base: str, world: World, store: StoreCounter) -> None:
        self.world, self.store = world, store
        user = {"id": world.officers[0], "body": world.body, "roles": ["OFFICER"]}
        self.http = httpx.Client(base_url=base, timeout=30, headers={"x-hub-dev-user": orjson.dumps(user).decode()})

    def post(self, query: str, **variables: Any) -> dict[str, Any]:
        response = self.http.post("/graphql", json={"query": query, "variables": variables})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    def assert_refused(self, query: str, field: str, **variables: Any) -> dict[str, Any]:
        """Send a request that must be refused as BAD_USER_INPUT naming `field`, with nothing written."""
        before = self.store.counts()
        body = self.post(query, **variables)
        after = self.store.counts()
        assert body.get("errors"), body
        ext = body["errors"][0]["extensions"]
        assert ext["code"] == "BAD_USER_INPUT", body
        fields = [p["field"] for p in ext["problems"]]
        assert field in fields, body
        assert ext["field"] == fields[0]
        assert after == before, "a refused mutation wrote to the store"
        return body

    def assert_accepted(self, query: str, **variables: Any) -> dict[str, Any]:
        """A request whose input passes the checks: no BAD_USER_INPUT naming a field."""
        body = self.post(query, **variables)
        for error in body.get("errors") or []:
            assert not (error["extensions"].get("code") == "BAD_USER_INPUT" and "field" in error["extensions"]), body
        return body


@pytest.fixture
def live(hub: tuple[str, World], database_url: str) -> Iterator[Live]:  # noqa: F811
    base, world = hub
    with StoreCounter(database_url) as store:
        live = Live(base, world, store)
        yield live
        live.http.close()


def _clue(world: World, **changes: Any) -> dict[str, Any]:
    value = clue(world, {"partyType": "ORGANISATION", "name": "潮州某食品有限公司", "uscc": world.entity_uscc})
    return {**value, **changes}


def _person(number: str) -> dict[str, Any]:
    return {"partyType": "NATURAL_PERSON", "name": "张三", "idType": "RESIDENT_ID", "idNumber": number}


def _company(uscc: str) -> dict[str, Any]:
    return {"partyType": "ORGANISATION", "name": "潮州某食品有限公司", "uscc": uscc}


def _on_the_spot(world: World, clue_value: dict[str, Any]) -> dict[str, Any]:
    clue_value = {k: v for k, v in clue_value.items() if k != "at"}
    return {"officerIds": list(world.officers), "docNo": "潮市监当罚〔2025〕1号", "factsCertain": True,
            "basisRefs": ["《某条例》第二十条"], "certificateShown": True, "statementHeard": True,
            "proposal": {"kinds": ["WARNING"], "circumstance": "LIGHTER"}, "clue": clue_value,
            "at": "2025-03-03T10:00:00+08:00"}


def _plan(world: World, **changes: Any) -> dict[str, Any]:
    return {"bodyId": world.body, "itemCode": ITEM, "itemVersion": "1", "regionCode": world.region,
            "objectName": "某餐饮店", "objectUscc": world.entity_uscc, "at": "2025-03-01T10:00:00+08:00", **changes}


# --- the tester's examples (issue 14) -----------------------------------------------------------------


def test_regression_party_uscc_with_a_wrong_check_character_is_refused(live: Live) -> None:
    """registerClue stored party USCC 92445102977987400B, which the data centre then refused."""
    body = live.assert_refused(REGISTER, "input.parties[0].uscc",
                        input=_clue(live.world, parties=[_company("92445102977987400B")]))
    assert "unified social credit code" in body["errors"][0]["message"]


def test_regression_id_number_with_a_wrong_check_digit_is_refused(live: Live, caplog: pytest.LogCaptureFixture
                                                                   ) -> None:
    """registerClue stored an ID number whose check digit was wrong; the refusal's log line omits it."""
    wrong = "445102198001011234"
    with caplog.at_level(logging.INFO):
        body = live.assert_refused(REGISTER, "input.parties[0].idNumber", input=_clue(live.world, parties=[_person(wrong)]))
    assert wrong not in orjson.dumps(body).decode()
    assert "BAD_USER_INPUT" in caplog.text  # the refusal is logged ...
    assert wrong not in caplog.text  # ... without the number


def test_regression_not_an_id_is_refused(live: Live) -> None:
    """registerClue stored idNumber "not-an-id"."""
    live.assert_refused(REGISTER, "input.parties[0].idNumber", input=_clue(live.world, parties=[_person("not-an-id")]))


def test_regression_violation_after_discovery_both_in_the_future_is_refused(live: Live) -> None:
    """registerClue stored a violation date after the discovery date, both in the future."""
    today = _today()
    found, started = today + timedelta(days=30), today + timedelta(days=60)
    body = live.assert_refused(REGISTER, "input.violation.start", input=_clue(
        live.world, violation={"start": started.isoformat()}, discoveredOn=found.isoformat(), at=None))
    fields = {p["field"] for p in body["errors"][0]["extensions"]["problems"]}
    assert {"input.discoveredOn", "input.violation.start"} <= fields


def test_valid_clue_is_registered_and_counted(live: Live) -> None:
    """The other way round: valid identifiers are taken, and the row counts do move."""
    before = live.store.counts()
    number = "44510219800101123X"
    body = live.assert_accepted(REGISTER, input=_clue(live.world, parties=[_person(number), _company(live.world.entity_uscc)]))
    assert body["data"]["registerClue"]["version"] == 1, body
    after = live.store.counts()
    assert after["penalty_case"] == before["penalty_case"] + 1
    assert after["case_event"] == before["case_event"] + 1


# --- property tests: every mutation that takes an identifier ------------------------------------------


def _check(live: Live, values: st.SearchStrategy[Any], valid: st.SearchStrategy[Any],
           query: str, field: str, build: Callable[[Any], dict[str, Any]]) -> None:
    """Every drawn invalid value is refused naming `field`; every drawn valid one passes the checks."""

    @EXAMPLES
    @given(values)
    def refused(value: Any) -> None:
        live.assert_refused(query, field, input=build(value))

    @settings(max_examples=5, deadline=None, derandomize=True, suppress_health_check=list(HealthCheck))
    @given(valid)
    def taken(value: Any) -> None:
        live.assert_accepted(query, input=build(value))

    refused()
    taken()


def test_register_clue_party_uscc(live: Live) -> None:
    _check(live, invalid_usccs(), valid_usccs(), REGISTER, "input.parties[0].uscc",
           lambda v: _clue(live.world, parties=[_company(v)]))


def test_register_clue_party_id_number(live: Live) -> None:
    _check(live, invalid_resident_ids(), valid_resident_ids(), REGISTER, "input.parties[0].idNumber",
           lambda v: _clue(live.world, parties=[_person(v)]))


def test_register_clue_body_uscc(live: Live) -> None:
    _check(live, invalid_usccs(), st.just(live.world.body), REGISTER, "input.bodyId",
           lambda v: _clue(live.world, bodyId=v))


def test_register_clue_region_code(live: Live) -> None:
    _check(live, invalid_region_codes(), st.just(live.world.region), REGISTER, "input.regionCode",
           lambda v: _clue(live.world, regionCode=v))


def test_register_clue_item_code(live: Live) -> None:
    _check(live, invalid_item_codes(), st.just(ITEM), REGISTER, "input.itemCode",
           lambda v: _clue(live.world, itemCode=v))


def test_register_clue_dates_out_of_order_or_implausible(live: Live) -> None:
    today = _today()
    cases = st.one_of(
        future_days(today).map(lambda d: ("input.discoveredOn", {"discoveredOn": d.isoformat(), "at": None})),
        days_before_2000().map(lambda d: ("input.discoveredOn", {"discoveredOn": d.isoformat()})),
        st.integers(1, 900).map(lambda n: ("input.violation.start", {
            "violation": {"start": (date(2025, 3, 1) + timedelta(days=n)).isoformat()}})),
        st.integers(1, 900).map(lambda n: ("input.violation.end", {
            "violation": {"start": "2025-02-20", "end": (date(2025, 2, 20) - timedelta(days=n)).isoformat()}})),
        st.integers(1, 5000).map(lambda n: ("input.at", {
            "at": (datetime.now(CHINA_TZ) + timedelta(hours=1, minutes=n)).isoformat()})),
    )

    @EXAMPLES
    @given(cases)
    def refused(case: tuple[str, dict[str, Any]]) -> None:
        field, changes = case
        live.assert_refused(REGISTER, field, input=_clue(live.world, **changes))

    refused()
    live.assert_accepted(REGISTER, input=_clue(live.world, violation={"start": "2025-02-20", "end": "2025-02-28"}))


def test_decide_on_the_spot_clue_identifiers(live: Live) -> None:
    world = live.world
    _check(live, invalid_usccs(), valid_usccs(), ON_THE_SPOT, "input.clue.parties[0].uscc",
           lambda v: _on_the_spot(world, _clue(world, parties=[_company(v)])))
    _check(live, invalid_resident_ids(), valid_resident_ids(), ON_THE_SPOT, "input.clue.parties[0].idNumber",
           lambda v: _on_the_spot(world, _clue(world, parties=[_person(v)])))
    _check(live, invalid_region_codes(), st.just(world.region), ON_THE_SPOT, "input.clue.regionCode",
           lambda v: _on_the_spot(world, _clue(world, regionCode=v)))


def test_plan_inspection_identifiers(live: Live) -> None:
    world = live.world
    _check(live, invalid_usccs(), valid_usccs(), PLAN, "input.objectUscc", lambda v: _plan(world, objectUscc=v))
    _check(live, invalid_usccs(), st.just(world.body), PLAN, "input.bodyId", lambda v: _plan(world, bodyId=v))
    _check(live, invalid_region_codes(), st.just(world.region), PLAN, "input.regionCode",
           lambda v: _plan(world, regionCode=v))
    _check(live, invalid_item_codes(), st.just(ITEM), PLAN, "input.itemCode", lambda v: _plan(world, itemCode=v))


# --- property tests: every mutation that takes a date, on a case, a measure and an inspection ---------


def _at(day: str) -> str:
    return f"{day}T10:00:00+08:00"


def _day(n: int, base: str = "2025-03-10") -> str:
    return (date.fromisoformat(base) + timedelta(days=n)).isoformat()


def _ahead(n: int) -> str:
    """A day `n` (≥ 2) days after today: beyond the day of clock skew a past event may have."""
    return (_today() + timedelta(days=n)).isoformat()


@dataclass(frozen=True)
class Dated:
    """A mutation with dates: a good input, and bad variants (the field they break, n → the change)."""

    name: str
    target: str  # the id argument: caseId, measureId or inspectionId
    good: dict[str, Any]
    bad: tuple[tuple[str, Callable[[int], dict[str, Any]]], ...]

    @property
    def query(self) -> str:
        kind = self.name[0].upper() + self.name[1:] + "Input"
        return f"mutation($id: ID!, $input: {kind}!) {{ {self.name}({self.target}: $id, input: $input) {{ __typename }} }}"


_FUTURE_AT = ("input.at", lambda n: {"at": (datetime.now(CHINA_TZ) + timedelta(minutes=11 + n)).isoformat()})
_OLD_AT = ("input.at", lambda n: {"at": f"{1999 - n % 90}-06-01T10:00:00+08:00"})

DATED = (
    Dated("fileCase", "caseId", {"filingStandardMet": True, "at": _at("2025-03-05")}, (_FUTURE_AT, _OLD_AT)),
    Dated("scheduleHearing", "caseId",
          {"noticeServedOn": "2025-03-10", "hearingOn": "2025-03-20", "chairId": "CH1", "at": _at("2025-03-10")}, (
              ("input.hearingOn", lambda n: {"hearingOn": _day(-(n % 3000) - 1)}),
              ("input.noticeServedOn", lambda n: {"noticeServedOn": _ahead(n % 3000 + 2), "at": None}),
              ("input.noticeServedOn", lambda n: {"noticeServedOn": _day(n % 30 + 1)}),
              ("input.hearingOn", lambda n: {"hearingOn": _ahead(3700 + n)}))),
    Dated("approveDeferral", "caseId",
          {"appliedOn": "2025-03-10", "approvedBy": "HEAD", "newDue": "2025-06-10",
           "instalments": [{"due": "2025-04-10", "amountFen": 100}], "at": _at("2025-03-11")}, (
              ("input.newDue", lambda n: {"newDue": _day(-(n % 3000) - 1)}),
              ("input.instalments[0].due", lambda n: {"instalments": [{"due": _day(-(n % 3000) - 1),
                                                                        "amountFen": 100}]}),
              ("input.appliedOn", lambda n: {"appliedOn": _ahead(n % 3000 + 2), "newDue": _ahead(3650)}),
              ("input.newDue", lambda n: {"newDue": _ahead(3700 + n)}))),
    Dated("recordEvidence", "caseId",
          {"evidence": {"evidenceId": "E1", "kind": "DOCUMENTARY", "collectedOn": "2025-03-06",
                        "collectedBy": ["OFF-1"], "signed": True}, "at": _at("2025-03-06")}, (
              ("input.evidence.collectedOn", lambda n: {"evidence": {
                  "evidenceId": "E1", "kind": "DOCUMENTARY", "collectedOn": _day(n % 300 + 1, "2025-03-06"),
                  "collectedBy": ["OFF-1"], "signed": True}}),
              ("input.evidence.collectedOn", lambda n: {"evidence": {
                  "evidenceId": "E1", "kind": "DOCUMENTARY", "collectedOn": f"{1999 - n % 90}-01-01",
                  "collectedBy": ["OFF-1"], "signed": True}}),
              _FUTURE_AT)),
    Dated("attachEvidence", "caseId",
          {"kind": "AUDIOVISUAL", "title": "现场视频", "sm3": "0" * 64, "capturedAt": "2025-03-06T09:00:00+08:00",
           "collectedBy": ["OFF-1"], "at": _at("2025-03-06")}, (
              ("input.capturedAt", lambda n: {"capturedAt": f"{_day(n % 300 + 1, '2025-03-06')}T09:00:00+08:00"}),
              ("input.capturedAt", lambda n: {
                  "capturedAt": (datetime.now(CHINA_TZ) + timedelta(minutes=11 + n)).isoformat(), "at": None}))),
    Dated("startPayment", "caseId", {"decisionDue": "2025-04-01"}, (
        ("input.decisionDue", lambda n: {"decisionDue": f"{1999 - n % 90}-04-01"}),
        ("input.decisionDue", lambda n: {"decisionDue": _ahead(3700 + n)}))),
    Dated("addMeasureTestingPeriod", "measureId",
          {"span": {"start": "2025-03-10", "end": "2025-03-20"}, "notifiedInWriting": True}, (
              ("input.span.end", lambda n: {"span": {"start": "2025-03-10", "end": _day(-(n % 3000) - 1)}}),
              ("input.span.start", lambda n: {"span": {"start": f"{1999 - n % 90}-03-10"}}))),
    Dated("closeInspection", "inspectionId", {"rectificationDue": "2025-04-01"}, (
        ("input.rectificationDue", lambda n: {"rectificationDue": f"{1999 - n % 90}-04-01"}),
        ("input.rectificationDue", lambda n: {"rectificationDue": _ahead(3700 + n)}))),
    Dated("recordInspectionFindings", "inspectionId",
          {"result": "NO_ISSUE", "recordDocId": "R-1", "submittedAt": _at("2025-03-03")}, (
              ("input.submittedAt", lambda n: {
                  "submittedAt": (datetime.now(CHINA_TZ) + timedelta(minutes=11 + n)).isoformat()}),
              ("input.submittedAt", lambda n: {"submittedAt": f"{1999 - n % 90}-03-03T10:00:00+08:00"}))),
)


def _targets(live: Live) -> dict[str, str]:
    """A case, an inspection and a measure id to aim at (checks come before any look-up)."""
    case = live.post(REGISTER, input=_clue(live.world))["data"]["registerClue"]["id"]
    inspection = live.post(PLAN, input=_plan(live.world))["data"]["planInspection"]["id"]
    return {"caseId": case, "inspectionId": inspection, "measureId": "01900000-0000-7000-8000-000000000000"}


def test_dated_mutations_refuse_impossible_dates(live: Live) -> None:
    targets = _targets(live)
    for spec in DATED:
        _refusing(live, spec, targets[spec.target])()
        live.assert_accepted(spec.query, id=targets[spec.target], input=spec.good)


def _refusing(live: Live, spec: Dated, target: str) -> Callable[[], None]:
    @EXAMPLES
    @given(st.sampled_from(spec.bad), st.integers(0, 10_000))
    def refused(variant: tuple[str, Callable[[int], dict[str, Any]]], n: int) -> None:
        field, change = variant
        live.assert_refused(spec.query, field, id=target, input={**spec.good, **change(n)})

    return refused


CATALOGUE_SUBMIT = """mutation($code: String!, $v: Int!) { submitItemForLegalReview(code: $code, version: $v) { code } }"""
CATALOGUE_PUBLISH = """mutation($code: String!, $v: Int!, $from: Date) {
  publishEnforcementItem(code: $code, version: $v, validFrom: $from) { code } }"""
CATALOGUE_DRAFT = """mutation($content: String!) { draftEnforcementItem(content: $content) { code } }"""


def test_catalogue_mutations_refuse_bad_codes_versions_and_days(live: Live) -> None:
    @EXAMPLES
    @given(invalid_item_codes())
    def bad_code(code: str) -> None:
        live.assert_refused(CATALOGUE_SUBMIT, "code", code=code, v=1)
        live.assert_refused(CATALOGUE_DRAFT, "content.code", content=orjson.dumps({"code": code}).decode())

    @EXAMPLES
    @given(st.one_of(days_before_2000(), st.integers(3700, 40_000).map(lambda n: _today() + timedelta(days=n))))
    def bad_day(day: date) -> None:
        live.assert_refused(CATALOGUE_PUBLISH, "validFrom", code=ITEM, v=1, **{"from": day.isoformat()})

    bad_code()
    bad_day()
    live.assert_refused(CATALOGUE_SUBMIT, "version", code=ITEM, v=0)
    live.assert_accepted(CATALOGUE_SUBMIT, code=ITEM, v=1)
    live.assert_accepted(CATALOGUE_PUBLISH, code=ITEM, v=1, **{"from": _today().isoformat()})
