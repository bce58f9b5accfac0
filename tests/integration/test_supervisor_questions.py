"""Five questions a supervisor asks, each answered by ONE request to the gateway on medium data.

`hub seed --size medium` (a subprocess) fills a fresh store (SQLite, and PostgreSQL when the test
server is there); `hub supervise sweep` raises the alerts; the stack serves the store over real
HTTP. Each expected answer is computed here, independently of the hub's code: raw SQL over the
store's tables and the JSON snapshots in them, and the generated seed files.

(a) cases decided in a quarter in one county, by item, with their fines;
(b) entities with two or more cases whose licence was revoked, with the cases;
(c) officers who acted in a case on a day their certificate was not active (its status history at the
    time of the act, not its status today), with the act and the day;
(d) bodies ranked by on-time decision rate, with their open red alerts;
(e) coercive measures past their term, with the case's party and the measure's body.
"""

from __future__ import annotations

import asyncio
import json
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from tests.integration.questions_support import (
    Seeded,
    async_url,
    busiest_county_quarter,
    operation,
    seeded_stack,
)
from tests.subgraphs.supervision.stack import Stack

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def hub(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, Seeded]]:
    with seeded_stack(request, tmp_path_factory) as running:
        yield running


def ask(stack: Stack, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
    """One request to the gateway; the answer must carry no error."""
    response = httpx.post(stack.graphql, json={"query": query, "variables": variables or {}}, timeout=120)
    body = response.json()
    assert response.status_code == 200, body
    assert not body.get("errors"), body["errors"]
    return dict(body["data"])


def sql(url: str, statement: str, **params: Any) -> list[Any]:
    """Rows of a raw SQL statement over the store (its own engine: nothing of the hub's code)."""
    async def run() -> list[Any]:
        engine = create_async_engine(async_url(url))
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(text(statement), params)).all())
        finally:
            await engine.dispose()
    return asyncio.run(run())


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def _seed(seed: Path, name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (seed / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def _day(value: Any) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def test_a_cases_decided_in_a_quarter_in_one_county_by_item(hub: tuple[Stack, Seeded]) -> None:
    stack, seeded = hub
    decided = sql(seeded.url, "SELECT region_code, decided_at FROM penalty_case WHERE decided_at IS NOT NULL")
    county, start, end = busiest_county_quarter((r.region_code, _day(r.decided_at)) for r in decided)
    want = {(r.case_no, r.item_code, _day(r.decided_at).isoformat(), int(r.fine_fen) if r.fine_fen is not None else None)
            for r in sql(seeded.url, "SELECT case_no, item_code, decided_at, fine_fen FROM penalty_case "
                                     "WHERE region_code LIKE :p AND decided_at BETWEEN :a AND :b",
                         p=f"{county}%", a=start, b=end)}
    assert len(want) >= 5
    data = ask(stack, operation("supervisor-a-cases-decided"),
               {"region": county, "from": start.isoformat(), "to": end.isoformat()})
    page = data["penaltyCases"]
    got = [(c["caseNo"], c["itemCode"], c["decidedOn"], c["fineFen"]) for c in page["items"]]
    assert page["total"] == len(want)
    assert page["nextCursor"] is None
    assert set(got) == want
    keys = [(item, -date.fromisoformat(day).toordinal()) for _no, item, day, _f in got]
    assert keys == sorted(keys), "ordered by item, then the latest decision first"
    by_item: dict[str, int] = defaultdict(int)
    for _no, item, _decided, fine in got:
        by_item[item] += fine or 0
    sums = {r.item_code: int(r.f) for r in sql(
        seeded.url, "SELECT item_code, COALESCE(SUM(fine_fen), 0) AS f FROM penalty_case WHERE region_code LIKE :p "
                    "AND decided_at BETWEEN :a AND :b GROUP BY item_code", p=f"{county}%", a=start, b=end)}
    assert dict(by_item) == sums


def test_b_repeat_parties_whose_licence_was_revoked(hub: tuple[Stack, Seeded]) -> None:
    stack, seeded = hub
    revoked = {r["holder_uscc"] for r in _seed(seeded.seed, "licences.jsonl") if r["status"] == "REVOKED"}
    cases_of: dict[str, set[str]] = defaultdict(set)
    for r in sql(seeded.url, "SELECT p.uscc, c.case_no FROM case_party p JOIN penalty_case c ON c.id = p.case_id "
                             "WHERE p.uscc IS NOT NULL"):
        cases_of[r.uscc].add(r.case_no)
    want = {u: numbers for u, numbers in cases_of.items() if len(numbers) >= 2 and u in revoked}
    assert len(want) >= 3
    data = ask(stack, operation("supervisor-b-repeat-parties"))
    page = data["repeatParties"]
    assert page["nextCursor"] is None
    assert page["total"] == len(page["items"])
    assert page["total"] == sum(1 for numbers in cases_of.values() if len(numbers) >= 2)
    got = {p["uscc"]: {c["caseNo"] for c in p["cases"]} for p in page["items"]
           if any(lic["status"] == "REVOKED" for lic in p["entity"]["licences"])}
    assert got == want


def _active_until(cert: dict[str, Any]) -> date:
    """The last day a provincial certificate row was active: the end of its term, or the day before a
    suspension, revocation or cancellation took effect (`status_changed_on`)."""
    end = date.fromisoformat(cert["valid_to"])
    changed = cert.get("status_changed_on")
    if cert["status"] in ("SUSPENDED", "REVOKED", "CANCELLED", "LOST") and changed:
        end = min(end, date.fromisoformat(changed) - timedelta(days=1))
    return end


def _certificate_valid(certs: list[dict[str, Any]], day: date) -> bool:
    return any(date.fromisoformat(c["valid_from"]) <= day <= _active_until(c) for c in certs)


def _active_in_history(history: list[dict[str, Any]], day: date) -> bool:
    return any(p["status"] == "ACTIVE" and date.fromisoformat(p["from"]) <= day
               and (p["until"] is None or day <= date.fromisoformat(p["until"])) for p in history)


def _acts(snapshot: dict[str, Any]) -> Iterator[tuple[str, str, date]]:
    """(officer, act, day) of one case snapshot, as the case record holds them."""
    for ev in snapshot.get("evidence") or []:
        for officer in ev["collected_by"]:
            yield officer, "EVIDENCE", _day(ev["collected_on"])
    decision = snapshot.get("decision")
    if decision and snapshot.get("procedure") == "SIMPLE":
        for officer in snapshot.get("investigators") or []:
            yield officer, "SIMPLE_DECISION", _day(decision["decided_on"])
    hearing = snapshot.get("hearing")
    if hearing and hearing.get("chair_id") and hearing.get("hearing_on"):
        yield hearing["chair_id"], "HEARING", _day(hearing["hearing_on"])
    review = snapshot.get("legal_review")
    if review and review.get("reviewer_id") and review.get("reviewed_on"):
        yield review["reviewer_id"], "LEGAL_REVIEW", _day(review["reviewed_on"])


def test_c_officers_acting_on_a_day_their_certificate_was_not_valid(hub: tuple[Stack, Seeded]) -> None:
    stack, seeded = hub
    certs: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for c in _seed(seeded.seed, "certificates.jsonl"):
        certs[c["officer_id"]].append(c)
    want: set[tuple[str, str, str, str]] = set()
    for r in sql(seeded.url, "SELECT case_no, snapshot FROM penalty_case"):
        for officer, act, day in _acts(_json(r.snapshot)):
            if not _certificate_valid(certs[officer], day):
                want.add((officer, r.case_no, act, day.isoformat()))
    case_no = {r.id: r.case_no for r in sql(seeded.url, "SELECT id, case_no FROM penalty_case")}
    for r in sql(seeded.url, "SELECT case_id, snapshot FROM coercive_measure"):
        m = _json(r.snapshot)
        if m.get("started_at"):
            day = _day(m["started_at"])
            want |= {(o, case_no[r.case_id], "COERCIVE_MEASURE", day.isoformat()) for o in m["officer_ids"]
                     if not _certificate_valid(certs[o], day)}
    assert want, "the seed injects acts without a valid certificate (rule S05)"
    data = ask(stack, operation("supervisor-c-officer-acts"))
    page = data["searchOfficers"]
    assert page["nextCursor"] is None
    got = set()
    for officer in page["items"]:
        assert officer["participations"]["nextCursor"] is None
        history = [period for c in officer["certificates"] for period in c["statusHistory"]]
        for p in officer["participations"]["items"]:
            for act in p["acts"]:
                if not _active_in_history(history, date.fromisoformat(act["on"])):
                    got.add((officer["id"], p["case"]["caseNo"], act["kind"], act["on"]))
    assert got == want


def test_d_bodies_ranked_by_on_time_decision_rate_with_open_red_alerts(hub: tuple[Stack, Seeded]) -> None:
    stack, seeded = hub
    cases = {r.body_uscc: int(r.n) for r in sql(seeded.url, "SELECT body_uscc, COUNT(*) AS n FROM penalty_case "
                                                             "GROUP BY body_uscc")}
    late = {r.body_id: int(r.n) for r in sql(
        seeded.url, "SELECT body_id, COUNT(DISTINCT case_id) AS n FROM supervision_alert WHERE active = :t "
                    "AND severity = 'RED' AND rule_id = 'S02' GROUP BY body_id", t=True)}
    red_open: dict[str, set[str]] = defaultdict(set)
    for r in sql(seeded.url, "SELECT id, body_id FROM supervision_alert WHERE active = :t AND severity = 'RED' "
                             "AND status = 'OPEN'", t=True):
        red_open[r.body_id].add(r.id)
    alerted = {r.body_id for r in sql(seeded.url, "SELECT DISTINCT body_id FROM supervision_alert WHERE active = :t",
                                      t=True)}
    rate = {b: 1 - late.get(b, 0) / cases[b] if cases.get(b) else 1.0 for b in set(cases) | alerted}
    want_order = sorted(rate, key=lambda b: (-rate[b], b))
    assert late
    assert any(red_open.values())
    data = ask(stack, operation("supervisor-d-body-ranking"))
    rows = data["supervisionBodyRates"]
    assert [r["bodyId"] for r in rows] == want_order
    for r in rows:
        assert r["decisionOnTimeRate"] == pytest.approx(rate[r["bodyId"]])
        assert {a["id"] for a in r["body"]["alerts"]} == red_open.get(r["bodyId"], set())
        assert r["body"]["name"], "the body's name comes from the personnel subgraph"


def _name_masked(name: str) -> str:
    """A party's name as an anonymous caller sees it (DOMAIN.md §10: the family name, then one * a character)."""
    return name[:1] + "*" * (len(name) - 1)


def test_e_coercive_measures_past_their_term(hub: tuple[Stack, Seeded]) -> None:
    stack, seeded = hub
    on = date.today()
    party = {r.id: [_name_masked(p["name"]) for p in _json(r.snapshot)["parties"]]
             for r in sql(seeded.url, "SELECT id, snapshot FROM penalty_case")}
    want = set()
    for r in sql(seeded.url, "SELECT id, case_id, body_uscc, snapshot FROM coercive_measure"):
        m = _json(r.snapshot)
        due = (m.get("term") or {}).get("due")
        if m["state"] in ("IN_FORCE", "EXTENDED") and due and date.fromisoformat(due) < on:
            want.add((r.id, r.body_uscc, tuple(party[r.case_id])))
    assert want
    data = ask(stack, operation("supervisor-e-measures-past-term"), {"on": on.isoformat()})
    page = data["searchCoerciveMeasures"]
    assert page["total"] == len(want)
    got = {(m["id"], m["body"]["uscc"], tuple(p["name"] for p in m["case"]["parties"])) for m in page["items"]}
    assert got == want
    assert all(m["body"]["name"] for m in page["items"])
    dues = [m["termDue"] for m in page["items"]]
    assert dues == sorted(dues)


PAGED = {
    "penaltyCases": ("penaltyCases(filter: $f, orderBy: $o, first: $n, after: $a)", "CaseFilter", "[CaseOrder!]",
                     "caseNo"),
    "searchCoerciveMeasures": ("searchCoerciveMeasures(filter: $f, orderBy: $o, first: $n, after: $a)",
                               "MeasureFilter", "[MeasureOrder!]", "id"),
    "inspections": ("inspections(filter: $f, orderBy: $o, first: $n, after: $a)", "InspectionFilter",
                    "[InspectionOrder!]", "id"),
}
CASE_FILTERS = st.fixed_dictionaries({}, optional={
    "region": st.sampled_from(["445100", "445102", "445103", "445122", "4451"]),
    "level": st.sampled_from(["CITY", "COUNTY", "TOWN"]),
    "procedures": st.lists(st.sampled_from(["SIMPLE", "ORDINARY"]), min_size=1, max_size=2),
    "statuses": st.lists(st.sampled_from(["CLOSED", "DECIDED", "FILED", "ARCHIVED", "TERMINATED"]), min_size=1),
    "decided": st.sampled_from([{"from": "2025-01-01", "to": "2025-06-30"}, {"from": "2026-01-01"}, {"to": "2025-03-31"}]),
    "fineMinFen": st.sampled_from([0, 10_000, 500_000]),
    "hasActiveAlerts": st.booleans(),
})
CASE_ORDERS = st.lists(st.fixed_dictionaries({
    "field": st.sampled_from(["CASE_NO", "FILED_ON", "DECIDED_ON", "CLOSED_ON", "FINE", "STATUS", "ITEM", "BODY"]),
    "direction": st.sampled_from(["ASC", "DESC"])}), max_size=2, unique_by=lambda o: o["field"])


def _walk(stack: Stack, field: str, flt: dict[str, Any], order: list[dict[str, str]], size: int) -> tuple[list[str], set[int]]:
    call, ftype, otype, key = PAGED[field]
    query = f"query($f: {ftype}, $o: {otype}, $n: Int, $a: String) {{ {call} {{ total nextCursor items {{ {key} }} }} }}"
    seen: list[str] = []
    totals: set[int] = set()
    after = None
    for _ in range(5_000):  # bounded: far more pages than the medium data set can fill
        page = ask(stack, query, {"f": flt, "o": order, "n": size, "a": after})[field]
        totals.add(page["total"])
        seen.extend(item[key] for item in page["items"])
        after = page["nextCursor"]
        if after is None:
            return seen, totals
    raise AssertionError("paging did not end")


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(flt=CASE_FILTERS, order=CASE_ORDERS, size=st.integers(min_value=1, max_value=400))
def test_every_case_page_reports_the_total_that_paging_reaches(hub: tuple[Stack, Seeded], flt: dict[str, Any],
                                                               order: list[dict[str, str]], size: int) -> None:
    stack, _seeded = hub
    seen, totals = _walk(stack, "penaltyCases", flt, order, max(size, 60))
    assert len(seen) == len(set(seen)), "no case twice"
    assert totals == {len(seen)}, "every page's total is the number of items paging reaches"


@pytest.mark.parametrize(("field", "flt"), [
    ("searchCoerciveMeasures", {}), ("searchCoerciveMeasures", {"states": ["RELEASED"]}),
    ("inspections", {}), ("penaltyCases", {"region": "445122", "level": "TOWN"})])
def test_measure_and_inspection_pages_report_the_total_that_paging_reaches(
        hub: tuple[Stack, Seeded], field: str, flt: dict[str, Any]) -> None:
    stack, _seeded = hub
    seen, totals = _walk(stack, field, flt, [], 3)
    assert seen
    assert totals == {len(seen)}
    assert len(seen) == len(set(seen))


def test_a_county_includes_its_towns_and_a_city_its_counties(hub: tuple[Stack, Seeded]) -> None:
    stack, seeded = hub
    town_bodies = {r.uscc for r in sql(seeded.url, "SELECT uscc FROM enforcement_body WHERE level = 'TOWN'")}
    rows = sql(seeded.url, "SELECT body_uscc, region_code FROM penalty_case")
    county = Counter(r.region_code[:6] for r in rows if r.body_uscc in town_bodies).most_common(1)[0][0]
    data = ask(stack, """query($c: String!, $city: String!) {
        county: penaltyCases(filter: {region: $c}) { total }
        towns: penaltyCases(filter: {region: $c, level: "TOWN"}) { total }
        city: penaltyCases(filter: {region: $city}) { total } }""", {"c": county, "city": county[:4] + "00"})
    assert data["towns"]["total"] == sum(1 for r in rows if r.body_uscc in town_bodies and r.region_code.startswith(county))
    assert 0 < data["towns"]["total"] < data["county"]["total"]
    assert data["county"]["total"] == sum(1 for r in rows if r.region_code.startswith(county))
    assert data["city"]["total"] == sum(1 for r in rows if r.region_code.startswith(county[:4]))


def test_too_large_or_bad_arguments_error_on_their_own_field(hub: tuple[Stack, Seeded]) -> None:
    stack, _seeded = hub
    body = httpx.post(stack.graphql, timeout=60, json={"query": """{
        ok: penaltyCases(first: 3) { total items { caseNo } }
        tooMany: penaltyCases(first: 5000) { total }
        badRegion: penaltyCases(filter: {region: "44A"}) { total }
        badRange: searchCoerciveMeasures(filter: {termDue: {from: "2026-02-01", to: "2026-01-01"}}) { total } }"""}).json()
    assert len(body["data"]["ok"]["items"]) == 3
    assert body["data"]["tooMany"] is None
    assert body["data"]["badRegion"] is None
    assert body["data"]["badRange"] is None
    errors = {e["path"][0]: e for e in body["errors"]}
    assert set(errors) == {"tooMany", "badRegion", "badRange"}
    assert all(e["extensions"]["code"] == "BAD_USER_INPUT" for e in errors.values())
    assert "first" in errors["tooMany"]["message"]
    assert "1000" in errors["tooMany"]["message"]
    assert "filter.region" in errors["badRegion"]["message"]
    assert "filter.termDue" in errors["badRange"]["message"]


def test_the_full_process_record_does_not_leak_the_names_it_masks(hub: tuple[Stack, Seeded]) -> None:
    """A caller who sees a party's name masked must not read it in the case's event payloads either
    (the registering command names the parties, with their birth dates)."""
    stack, seeded = hub
    [row] = sql(seeded.url, "SELECT c.id, c.snapshot FROM penalty_case c WHERE c.party_id_hash IS NOT NULL AND EXISTS "
                            "(SELECT 1 FROM case_event e WHERE e.case_id = c.id AND e.kind = 'RegisterClue') "
                            "ORDER BY c.id LIMIT 1")
    person = _json(row.snapshot)["parties"][0]
    data = ask(stack, """query($id: ID!) { penaltyCase(id: $id) { parties { name }
        events { kind payload fields { name value withheld } } } }""", {"id": row.id})
    case = data["penaltyCase"]
    assert case["parties"][0]["name"] == _name_masked(person["name"])
    assert case["events"], "the case has its full-process record"
    for event in case["events"]:
        assert person["name"] not in event["payload"]
        assert person["birth_date"] not in event["payload"]
        readable = json.dumps(event["fields"], ensure_ascii=False)
        assert person["name"] not in readable
        assert person["birth_date"] not in readable
    [registered] = [e["fields"] for e in case["events"] if e["kind"] == "RegisterClue"]
    assert {"name": "parties", "value": None, "withheld": True} in registered
    assert any(f["name"] == "at" and not f["withheld"] and f["value"] for f in registered), "the rest stays readable"


def test_a_case_shows_every_role_its_hearing_and_its_evidence_as_recorded(hub: tuple[Stack, Seeded]) -> None:
    stack, seeded = hub
    rows = sql(seeded.url, "SELECT id, snapshot FROM penalty_case")
    snaps = {r.id: _json(r.snapshot) for r in rows}
    heard = next(i for i, s in snaps.items() if (s.get("hearing") or {}).get("chair_id"))  # the seed holds hearings
    reviewed = next((i for i, s in snaps.items() if (s.get("legal_review") or {}).get("reviewer_id")), heard)
    with_evidence = next(i for i, s in snaps.items() if s.get("evidence"))
    query = """query($id: ID!) { penaltyCase(id: $id) {
        assignments { officerId role from until }
        hearing { requestedOn noticeServedOn heldOn chairId chair { id } }
        evidence { id kind collectedOn collectedByIds sm3 } } }"""
    for case_id in dict.fromkeys([heard, reviewed, with_evidence]):
        s = snaps[case_id]
        case = ask(stack, query, {"id": case_id})["penaltyCase"]
        roles = {(a["officerId"], a["role"]) for a in case["assignments"]}
        assert {(o, "INVESTIGATOR") for o in s["investigators"]} <= roles
        if s.get("verifier_id"):
            assert (s["verifier_id"], "VERIFIER") in roles
        review = s.get("legal_review") or {}
        if review.get("reviewer_id"):
            assert (review["reviewer_id"], "LEGAL_REVIEWER") in roles
        hearing = s.get("hearing")
        if hearing and hearing.get("chair_id"):
            assert (hearing["chair_id"], "HEARING_CHAIR") in roles
            assert case["hearing"] == {"requestedOn": hearing["requested_on"], "noticeServedOn": hearing["notice_served_on"],
                                       "heldOn": hearing["hearing_on"], "chairId": hearing["chair_id"],
                                       "chair": {"id": hearing["chair_id"]}}
        want = [(e["evidence_id"], e["kind"], e["collected_on"], e["collected_by"], e["sm3"]) for e in s["evidence"]]
        got = [(e["id"], e["kind"], e["collectedOn"], e["collectedByIds"], e["sm3"]) for e in case["evidence"]]
        assert got == want


def test_links_both_ways_agree_with_the_store(hub: tuple[Stack, Seeded]) -> None:
    """A body's cases, an entity's cases and a measure's case are the same rows the store links."""
    stack, seeded = hub
    per_body = Counter(r.body_uscc for r in sql(seeded.url, "SELECT body_uscc FROM penalty_case"))
    body, n = per_body.most_common(1)[0]
    entity = next(r.uscc for r in sql(seeded.url, "SELECT uscc FROM case_party WHERE uscc IS NOT NULL "
                                                  "GROUP BY uscc HAVING COUNT(*) >= 2"))
    linked = sql(seeded.url, "SELECT c.id, c.case_no FROM case_party p JOIN penalty_case c ON c.id = p.case_id "
                             "WHERE p.uscc = :u", u=entity)
    entity_cases = {r.case_no for r in linked}
    measures = {r.id: r.case_no for r in sql(seeded.url, "SELECT m.id, c.case_no FROM coercive_measure m "
                                                         "JOIN penalty_case c ON c.id = m.case_id")}
    data = ask(stack, """query($body: String!, $case: ID!) {
        body: enforcementBody(uscc: $body) { name cases(first: 1) { total }
          coerciveMeasures(first: 100) { total items { id } } inspections { total } }
        case: penaltyCase(id: $case) { parties { entity { uscc cases(first: 100) { total items { caseNo } } } } }
        measures: searchCoerciveMeasures(first: 100) { total items { id case { caseNo } } } }""",
               {"body": body, "case": linked[0].id})
    assert data["body"]["cases"]["total"] == n
    body_measures = {r.id for r in sql(seeded.url, "SELECT id FROM coercive_measure WHERE body_uscc = :b", b=body)}
    assert {m["id"] for m in data["body"]["coerciveMeasures"]["items"]} == body_measures
    assert data["body"]["inspections"]["total"] == len(sql(seeded.url, "SELECT id FROM inspection WHERE body_uscc = :b",
                                                            b=body))
    [party] = [p["entity"] for p in data["case"]["parties"] if p["entity"] and p["entity"]["uscc"] == entity]
    assert {c["caseNo"] for c in party["cases"]["items"]} == entity_cases
    assert {m["id"]: m["case"]["caseNo"] for m in data["measures"]["items"]} == measures


def test_a_root_field_refusing_its_arguments_nulls_only_itself(hub: tuple[Stack, Seeded]) -> None:
    """Root fields are nullable: `supervisionPersons` with too many keys errors alone, the rest stays."""
    stack, _seeded = hub
    keys = [{"idType": "RESIDENT_ID", "idNumberHash": f"{i:064x}"} for i in range(1_001)]
    body = httpx.post(stack.graphql, timeout=60, json={"query": """query($keys: [PersonKeyInput!]!) {
        persons: supervisionPersons(keys: $keys) { idNumberHash }
        rates: supervisionBodyRates { bodyId }
        cases: penaltyCases(first: 1) { total } }""", "variables": {"keys": keys}}).json()
    assert body["data"]["persons"] is None
    assert body["data"]["rates"]
    assert body["data"]["cases"]["total"] > 0
    [error] = body["errors"]
    assert error["path"] == ["persons"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"


@pytest.mark.parametrize(("query", "variables"), [
    ("query($d: Date!) { searchCoerciveMeasures(filter: {pastTermOn: $d}) { total } }", {"d": "2026-13-45"}),
    ('{ searchCoerciveMeasures(filter: {pastTermOn: "yesterday"}) { total } }', {}),
    ('{ penaltyCases(filter: {decided: {from: "2026-02-30"}}) { total } }', {})])
def test_a_date_that_is_no_date_is_bad_user_input(hub: tuple[Stack, Seeded], query: str,
                                                  variables: dict[str, Any]) -> None:
    stack, _seeded = hub
    body = httpx.post(stack.graphql, timeout=60, json={"query": query, "variables": variables}).json()
    assert body["errors"]
    assert {e["extensions"]["code"] for e in body["errors"]} == {"BAD_USER_INPUT"}
    assert "Date" in body["errors"][0]["message"]
