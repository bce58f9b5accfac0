"""Attacks on the production profile over real HTTP: each weakness a security review found, tried again.

One hub (every part its own process, `stack.production_hub`) serves all the attacks of this file.
An attack passes when it fails: no ID number rebuilt from what the graph returns, no look-up or
name search that confirms a guess without a case, no supervision mutation by PUBLIC or by the body
an alert is about, no case of a neighbouring body read or written, no clear read without a purpose
bound to a record the caller holds, no 10-year token, no GET let through on an Accept header alone.
Each attack also has its control (the same request by someone entitled succeeds), so a test that
could never fail would show.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest

from domain.identifiers import id18_check_char
from simulators.identity.keys import KeyRing
from tests.security.stack import SIGNING_SECRET, Hub, start_replica
from trust.signing import CallerContext, CallSigner, SigningKey

pytestmark = pytest.mark.slow

PERSON = "idNumber name gender birthDate age ageBand ethnicity regionCode householdAddress mobile"
TODAY = date.today()


@pytest.fixture(scope="module")
def alerts(hub: Hub) -> list[tuple[str, str]]:
    """Open alerts about two bodies' cases, as the rules engine records them: (alert id, body)."""
    import asyncio
    import uuid
    from datetime import UTC, datetime

    from sqlalchemy import insert, select

    from subgraphs.cases.rows import CaseRow
    from subgraphs.common.db import create_engine
    from subgraphs.supervision.rows import AlertRow

    async def plant() -> list[tuple[str, str]]:
        engine = create_engine(hub.env["HUB_DATABASE_URL"])
        try:
            async with engine.begin() as conn:
                rows = (await conn.execute(select(CaseRow.id, CaseRow.body_uscc).order_by(CaseRow.id))).all()
                firsts: dict[str, str] = {}
                for case_id, body in rows:
                    firsts.setdefault(body, case_id)
                planted = []
                now = datetime.now(UTC)
                for body, case_id in sorted(firsts.items())[:2]:
                    alert_id = str(uuid.uuid4())
                    await conn.execute(insert(AlertRow).values(
                        id=alert_id, alert_key=f"S05|CASE|{case_id}", rule_id="S05", severity="RED",
                        subject_kind="CASE", subject_id=case_id, case_id=case_id, body_id=body, status="OPEN",
                        active=True, evidence={"planted": "attack suite"}, detected_at=now, last_seen_at=now))
                    planted.append((alert_id, body))
                return planted
        finally:
            await engine.dispose()

    planted = asyncio.run(plant())
    assert len(planted) == 2, "the seeded store has cases of at least two bodies"
    return planted


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _codes(body: dict[str, Any]) -> list[str]:
    return [str((e.get("extensions") or {}).get("code")) for e in body.get("errors") or []]


# --- 1. rebuilding ID numbers from a mask and the quasi-identifiers -------------------------------------

def _harvest(hub: Hub, token: str, purpose: str | None) -> list[dict[str, Any]]:
    """Every object the graph returns to this caller that carries an ID number, masked or not."""
    queries = [
        f"{{ penaltyCases(first: 100) {{ items {{ parties {{ person {{ {PERSON} }} }} }} }} }}",
        f"{{ searchOfficers(first: 200) {{ items {{ idNumberMasked person {{ {PERSON} }} }} }} }}",
        f"{{ searchLegalEntities(name: \"潮州\", first: 200) {{ items {{ legalRepIdNumber "
        f"legalRepresentative {{ {PERSON} }} }} }} }}",
    ]
    found: list[dict[str, Any]] = []

    def walk(value: Any) -> None:
        if isinstance(value, dict):
            if any(isinstance(value.get(k), str) for k in ("idNumber", "idNumberMasked", "legalRepIdNumber")):
                found.append(value)
            for item in value.values():
                walk(item)
        elif isinstance(value, list):
            for item in value:
                walk(item)

    for query in queries:
        walk(hub.ask(token, query, purpose=purpose).get("data"))
    return found


def _dates(record: dict[str, Any]) -> list[date]:
    if isinstance(record.get("birthDate"), str):
        return [date.fromisoformat(record["birthDate"])]
    band = record.get("ageBand")
    low, high = (0, 100)
    if isinstance(band, str) and "-" in band:
        low, high = (int(x) for x in band.split("-"))
    first, last = TODAY - timedelta(days=365 * (high + 1) + 366), TODAY - timedelta(days=365 * low - 1)
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _candidates(masked: str, record: dict[str, Any], counties: list[str], limit: int = 2) -> list[str]:
    """Full numbers consistent with the mask and everything else the record shows (at most `limit`)."""
    if len(masked) != 18 or "*" not in masked:
        return [masked] if len(masked) == 18 else []
    head, tail = masked[:4], masked[-4:]
    region = record.get("regionCode")
    places = [region[4:6]] if isinstance(region, str) and region.isdigit() and not region.endswith("00") \
        else counties
    out: list[str] = []
    for place in places:
        for day in _dates(record):
            body = f"{head}{place}{day:%Y%m%d}{tail[:3]}"
            if id18_check_char(body) == tail[3]:
                out.append(body + tail[3])
                if len(out) >= limit:
                    return out
    return out


def _rebuilt(hub: Hub, records: list[dict[str, Any]]) -> int:
    truth = {p["id_number"] for p in _jsonl(hub.seed_dir / "persons.jsonl")}
    truth |= {o["id_number"] for o in _jsonl(hub.seed_dir / "officers.jsonl")}
    counties = sorted({b["region_code"][4:6] for b in _jsonl(hub.seed_dir / "bodies.jsonl")
                       if not b["region_code"].endswith("00")})
    rebuilt = 0
    for record in records:
        masked = next(record[k] for k in ("idNumber", "idNumberMasked", "legalRepIdNumber")
                      if isinstance(record.get(k), str))
        found = _candidates(masked, record, counties)
        if len(found) == 1 and found[0] in truth:
            rebuilt += 1
    return rebuilt


@pytest.mark.parametrize("who", ["public1", "officer1"])
def test_no_role_rebuilds_an_id_number_from_what_the_graph_returns(hub: Hub, who: str) -> None:
    records = _harvest(hub, hub.token(who), purpose="CASE_HANDLING" if who == "officer1" else None)
    if who == "officer1":
        assert len(records) >= 20, "the officer sees masked numbers of parties and colleagues"
        assert all("*" in (r.get("idNumber") or r.get("idNumberMasked") or "*") for r in records)
        assert all(r.get("birthDate") is None and r.get("age") is None for r in records if "birthDate" in r)
        assert any(isinstance(r.get("ageBand"), str) for r in records), "the coarse value is what remains"
    else:
        assert not [r for r in records if "idNumber" in r or "legalRepIdNumber" in r], "PUBLIC reads no person"
    assert _rebuilt(hub, records) == 0


def test_the_rebuild_would_succeed_on_clear_quasi_identifiers(hub: Hub) -> None:
    """Control for the attack above: with the birth date and region the review saw in clear, it works."""
    persons = _jsonl(hub.seed_dir / "persons.jsonl")[:50]
    records = [{"idNumber": p["id_number"][:4] + "*" * 10 + p["id_number"][-4:],
                "birthDate": f"{p['id_number'][6:10]}-{p['id_number'][10:12]}-{p['id_number'][12:14]}",
                "regionCode": p["id_number"][:6]} for p in persons]
    assert _rebuilt(hub, records) >= 45


# --- 1b. confirming a guess by look-up or by name search ---------------------------------------------------

def test_lookup_by_id_number_and_name_search_refused_without_a_bound_purpose(hub: Hub) -> None:
    person = _jsonl(hub.seed_dir / "persons.jsonl")[0]
    for who in ("public1", "officer1", "supervisor1", "auditor1"):
        lookup = hub.ask(hub.token(who), "query($n: String!) { personByIdNumber(idNumber: $n) { idNumberHash } }",
                         {"n": person["id_number"]}, purpose="CASE_HANDLING")
        assert lookup["data"] is None or lookup["data"]["personByIdNumber"] is None
        assert "UNAUTHORIZED_FIELD_OR_TYPE" in _codes(lookup), (who, lookup)
        search = hub.ask(hub.token(who), "query($p: String!) { searchPersons(namePrefix: $p) { items { name } } }",
                         {"p": person["name"][:2]}, purpose="CASE_HANDLING", ref="case:not-mine")
        assert "UNAUTHORIZED_FIELD_OR_TYPE" in _codes(search), (who, search)


def _assigned_case(hub: Hub) -> tuple[str, str]:
    """A seeded case and one officer investigating it, read by the city's supervisor."""
    body = hub.ask(hub.token("supervisor1"), "{ penaltyCases(first: 100) { items { id officers { id } "
                                             "parties { person { idNumberHash } } } } }")
    for case in body["data"]["penaltyCases"]["items"]:
        if case["officers"] and any(p["person"] for p in case["parties"]):
            return case["id"], case["officers"][0]["id"]
    raise AssertionError("no seeded case with an officer and a natural-person party")


def test_name_search_budgeted_and_minimum_length_even_with_a_bound_purpose(hub: Hub) -> None:
    case_id, officer = _assigned_case(hub)
    token = hub.token(officer)
    short = hub.ask(token, '{ searchPersons(namePrefix: "林") { items { ageBand } } }',
                    purpose="CASE_HANDLING", ref=f"case:{case_id}")
    assert "BAD_USER_INPUT" in _codes(short)
    codes: list[str] = []
    for _ in range(60):  # the daily budget is 50 searches
        codes += _codes(hub.ask(token, '{ searchPersons(namePrefix: "林小") { items { ageBand } } }',
                                purpose="CASE_HANDLING", ref=f"case:{case_id}"))
    assert "RATE_LIMITED" in codes
    assert codes.count("RATE_LIMITED") <= 10


# --- 3. need-to-know on clear reads --------------------------------------------------------------------------

CASE_PARTIES = "query($id: ID!) { penaltyCase(id: $id) { parties { person { idNumber mobile birthDate } } } }"


def _party(body: dict[str, Any]) -> dict[str, Any]:
    case = body["data"]["penaltyCase"]
    assert case is not None, body
    return next(p["person"] for p in case["parties"] if p["person"])


def test_clear_read_needs_a_purpose_bound_to_an_assigned_case(hub: Hub) -> None:
    case_id, officer = _assigned_case(hub)
    token = hub.token(officer)
    stated_only = _party(hub.ask(token, CASE_PARTIES, {"id": case_id}, purpose="CASE_HANDLING"))
    assert "*" in stated_only["idNumber"]
    assert stated_only["birthDate"] is None
    wrong_ref = _party(hub.ask(token, CASE_PARTIES, {"id": case_id}, purpose="CASE_HANDLING", ref="case:elsewhere"))
    assert "*" in wrong_ref["idNumber"]
    wrong_purpose = _party(hub.ask(token, CASE_PARTIES, {"id": case_id}, purpose="SUPERVISION",
                                   ref=f"case:{case_id}"))
    assert "*" in wrong_purpose["idNumber"]
    bound = _party(hub.ask(token, CASE_PARTIES, {"id": case_id}, purpose="CASE_HANDLING", ref=f"case:{case_id}"))
    assert "*" not in bound["idNumber"], "control: the assigned officer reads it"
    assert len(bound["idNumber"]) == 18
    assert bound["birthDate"] is not None


def test_a_colleague_not_on_the_case_reads_it_masked(hub: Hub) -> None:
    case_id, officer = _assigned_case(hub)
    officers = _jsonl(hub.seed_dir / "officers.jsonl")
    body_of = {o["id"]: o["body_uscc"] for o in officers}
    assigned = {o["id"] for o in hub.ask(hub.token("supervisor1"), "query($id: ID!) { penaltyCase(id: $id) "
                                         "{ officers { id } } }", {"id": case_id})["data"]["penaltyCase"]["officers"]}
    colleague = next((o["id"] for o in officers if o["body_uscc"] == body_of.get(officer)
                      and o["id"] not in assigned and o["status"] == "ACTIVE"), None)
    if colleague is None:
        pytest.skip("the seeded body has no other active officer")
    body = hub.ask(hub.token(colleague), CASE_PARTIES, {"id": case_id}, purpose="CASE_HANDLING",
                   ref=f"case:{case_id}")
    if body["data"]["penaltyCase"] is not None:
        assert "*" in _party(body)["idNumber"]


# --- 4. jurisdiction: a town officer and the neighbouring town ------------------------------------------------

def _town_pair(hub: Hub) -> tuple[str, str, str]:
    """(an officer of a town body, a case id of another body in the same county) from the seeded data."""
    bodies = {b["uscc"]: b for b in _jsonl(hub.seed_dir / "bodies.jsonl")}
    officers = [o for o in _jsonl(hub.seed_dir / "officers.jsonl") if o["status"] == "ACTIVE"]
    cases = hub.ask(hub.token("supervisor1"), "{ penaltyCases(first: 200) { items { id bodyUscc } } }")
    by_body: dict[str, str] = {}
    for case in cases["data"]["penaltyCases"]["items"]:
        by_body.setdefault(case["bodyUscc"], case["id"])
    # a neighbouring town's case first; else another body of the same county (the county's own bureau)
    for wanted in ("TOWN", None):
        for officer in officers:
            mine = bodies.get(officer["body_uscc"])
            if mine is None or mine["level"] != "TOWN":
                continue
            for uscc, case_id in sorted(by_body.items()):
                other = bodies.get(uscc)
                if uscc != mine["uscc"] and other and other["region_code"][:6] == mine["region_code"][:6] \
                        and wanted in (None, other["level"]):
                    return officer["id"], case_id, uscc
    pytest.skip("the seeded data has no town officer with a case of another body in the county")


def test_town_officer_cannot_read_or_write_a_neighbouring_bodys_case(hub: Hub) -> None:
    officer, case_id, other = _town_pair(hub)
    token = hub.token(officer)
    control = hub.ask(hub.token(f"head-{other}"), "query($id: ID!) { penaltyCase(id: $id) { id } }", {"id": case_id})
    assert control["data"]["penaltyCase"] == {"id": case_id}, "control: the case's own body reads it"
    read = hub.ask(token, "query($id: ID!) { penaltyCase(id: $id) { id parties { name } } }", {"id": case_id},
                   purpose="CASE_HANDLING", ref=f"case:{case_id}")
    assert read["data"]["penaltyCase"] is None
    listed = hub.ask(token, "{ penaltyCases(first: 200) { items { id } } }")
    assert case_id not in {c["id"] for c in listed["data"]["penaltyCases"]["items"]}
    write = hub.ask(token, 'mutation($id: ID!) { recordStatement(caseId: $id, input: {summary: "陈述"}) { id } }',
                    {"id": case_id})
    assert write.get("data") is None or write["data"].get("recordStatement") is None
    assert set(_codes(write)) & {"FORBIDDEN", "NOT_FOUND"}, write


# --- 2/4. supervision mutations ------------------------------------------------------------------------------

def _mutations(hub: Hub) -> list[str]:
    text = (Path(__file__).resolve().parents[2] / "schema" / "subgraphs" / "supervision.graphql").read_text("utf-8")
    block = text.split("type Mutation", 1)[1].split("\n}", 1)[0]
    return sorted(set(re.findall(r"^  (\w+)[(:]", block, flags=re.MULTILINE)))


SUPERVISION_CALLS = {
    "acknowledgeAlert": 'mutation($id: ID!) { acknowledgeAlert(id: $id) { id } }',
    "rectifyAlert": 'mutation($id: ID!) { rectifyAlert(id: $id) { id } }',
    "dismissAlert": 'mutation($id: ID!) { dismissAlert(id: $id, reason: "误报") { id } }',
    "createReviewCampaign": 'mutation { createReviewCampaign(name: "突击", seed: 1, perBody: 1) { id } }',
    "scoreReviewFile": 'mutation($id: ID!) { scoreReviewFile(campaignId: $id, caseId: $id) { caseId } }',
    "markReviewRectified": 'mutation($id: ID!) { markReviewRectified(campaignId: $id, caseId: $id) { caseId } }',
}


def test_every_supervision_mutation_refused_to_public_and_to_the_alerts_own_body(
        hub: Hub, alerts: list[tuple[str, str]]) -> None:
    assert set(_mutations(hub)) <= set(SUPERVISION_CALLS), "a new supervision mutation needs its attack here"
    listed = hub.ask(hub.token("supervisor1"), "{ supervisionAlerts(first: 200) { items { id bodyId status } } }")
    items = sorted(listed["data"]["supervisionAlerts"]["items"], key=lambda a: a["id"])
    alert = {"id": alerts[1][0], "bodyId": alerts[1][1]}
    own_officer = next((o["id"] for o in _jsonl(hub.seed_dir / "officers.jsonl")
                        if o["body_uscc"] == alert["bodyId"]), None)
    attackers = {"public1": hub.token("public1"), "head-of-the-body": hub.token(f"head-{alert['bodyId']}")}
    if own_officer is not None:
        attackers["officer-of-the-body"] = hub.token(own_officer)
    before = json.dumps(items, sort_keys=True)
    for who, token in attackers.items():
        for name, mutation in SUPERVISION_CALLS.items():
            body = hub.ask(token, mutation, {"id": alert["id"]} if "$id" in mutation else None)
            assert body.get("data") is None or body["data"].get(name) is None, (who, name, body)
            assert set(_codes(body)) & {"UNAUTHORIZED_FIELD_OR_TYPE", "FORBIDDEN"}, (who, name, body)
    after = hub.ask(hub.token("supervisor1"), "{ supervisionAlerts(first: 200) { items { id bodyId status } } }")
    unchanged = sorted(after["data"]["supervisionAlerts"]["items"], key=lambda a: a["id"])
    assert json.dumps(unchanged, sort_keys=True) == before
    # control: the city's supervisor may act on it
    done = hub.ask(hub.token("supervisor1"), SUPERVISION_CALLS["acknowledgeAlert"], {"id": alert["id"]})
    assert done.get("data", {}).get("acknowledgeAlert") == {"id": alert["id"]}, done


def test_a_body_head_reads_only_the_alerts_about_the_own_body(hub: Hub, alerts: list[tuple[str, str]]) -> None:
    query = "{ supervisionAlerts(first: 200) { items { id bodyId } total } }"
    everything = hub.ask(hub.token("supervisor1"), query)["data"]["supervisionAlerts"]
    assert {a for a, _ in alerts} <= {a["id"] for a in everything["items"]}, "control: the city sees them all"
    (mine_id, body), (_, other) = alerts
    head = hub.token(f"head-{body}")
    mine = hub.ask(head, query)
    assert "errors" not in mine, mine
    assert {a["bodyId"] for a in mine["data"]["supervisionAlerts"]["items"]} == {body}
    assert mine_id in {a["id"] for a in mine["data"]["supervisionAlerts"]["items"]}
    through_body = hub.ask(head, "query($u: String!) { enforcementBody(uscc: $u) { alerts { id } } }", {"u": other})
    assert ((through_body.get("data") or {}).get("enforcementBody") or {}).get("alerts") in (None, [])
    # the list's filters narrow within the scope, never widen it: another body's alerts stay out of reach
    narrowed = "query($u: String, $r: String) { supervisionAlerts(first: 200, bodyId: $u, regionCode: $r) " \
               "{ items { bodyId } total } }"
    on_other = hub.ask(head, narrowed, {"u": other, "r": None})["data"]["supervisionAlerts"]
    assert on_other == {"items": [], "total": 0}
    whole_city = hub.ask(head, narrowed, {"u": None, "r": "445100"})["data"]["supervisionAlerts"]
    assert {a["bodyId"] for a in whole_city["items"]} == {body}
    assert hub.ask(hub.token("supervisor1"), narrowed, {"u": other, "r": None})["data"]["supervisionAlerts"]["total"] \
        > 0, "control: the city's supervisor sees the other body's alerts"


# --- 6. signed calls bound to their target, replay-proof across replicas ----------------------------------

def test_a_captured_subgraph_call_is_refused_by_a_second_replica_and_by_another_subgraph(hub: Hub) -> None:
    """The gateway's call to the population subgraph, as a network observer would capture it, replayed."""
    replica = start_replica(hub, "population")
    signer = CallSigner(SigningKey("gw-1", SIGNING_SECRET.encode()))
    body = json.dumps({"query": "{ __typename }"}).encode()
    caller = CallerContext("officer1", frozenset({"OFFICER"}), None, "445100", "CASE_HANDLING", "captured-1")
    captured = {**signer.sign(audience="population", method="POST", target="/graphql", body=body, context=caller),
                "content-type": "application/json"}
    first = httpx.post(hub.subgraphs["population"], content=body, headers=captured, timeout=10)
    assert first.status_code == 200, first.text
    assert first.json()["data"] == {"__typename": "Query"}

    again = httpx.post(replica, content=body, headers=captured, timeout=10)
    assert again.status_code == 401, again.text
    assert _codes(again.json()) == ["REPLAYED_CALL"]
    assert "data" not in again.json()
    for headers in (captured, {**captured, "x-hub-audience": "licence"}):
        elsewhere = httpx.post(hub.subgraphs["licence"], content=body, headers=headers, timeout=10)
        assert elsewhere.status_code == 401, elsewhere.text
        assert _codes(elsewhere.json()) == ["BAD_SIGNATURE"]
    # control: the replica is up and takes a fresh call of its own
    fresh = {**signer.sign(audience="population", method="POST", target="/graphql", body=body, context=caller),
             "content-type": "application/json"}
    assert httpx.post(replica, content=body, headers=fresh, timeout=10).json()["data"] == {"__typename": "Query"}


# --- 7. hardening ------------------------------------------------------------------------------------------

def test_a_token_valid_for_ten_years_is_refused(hub: Hub) -> None:
    ring = KeyRing(hub.seed_dir / "identity_keys")
    key = ring.current
    now = int(time.time())
    claims = {"iss": hub.idp, "sub": "officer1", "aud": "enforcement-hub", "iat": now, "nbf": now,
              "exp": now + 10 * 365 * 86400, "roles": ["OFFICER"], "scope": "cases:read", "jti": "ten-years"}
    token = jwt.encode(claims, key.private_key, algorithm="ES256", headers={"kid": key.kid})
    response = hub.post(token, "{ penaltyCases(first: 1) { items { id } } }")
    assert response.status_code == 401, response.text
    ordinary = hub.post(hub.token("officer1"), "{ penaltyCases(first: 1) { items { id } } }")
    assert ordinary.status_code == 200, "control: a token the identity provider issues is accepted"


def test_get_with_only_an_accept_header_is_refused(hub: Hub) -> None:
    url = f"{hub.gateway}/graphql"
    params = {"query": "{ enforcementItems(first: 1) { items { code } } }"}
    bearer = {"authorization": f"Bearer {hub.token('officer1')}"}
    simple = httpx.get(url, params=params, headers={**bearer, "accept": "application/json"}, timeout=10)
    assert simple.status_code == 400, simple.text
    preflighted = httpx.get(url, params=params, headers={**bearer, "accept": "application/json",
                                                         "apollo-require-preflight": "true"}, timeout=10)
    assert preflighted.status_code == 200, preflighted.text
