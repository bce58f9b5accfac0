"""The supervision sweep against the real gateway: precision and recall 1.0, a bounded request count.

Real HTTP everywhere: the population and certificate systems, the personnel, population, cases and
supervision subgraphs over one store, and the gateway as `hub gateway` builds it (dev profile).
The store holds the generator's cases with the ground-truth injections; `hub supervise sweep --json`
(the CLI's code path, no injected facts) reads the facts through the gateway.
"""

from __future__ import annotations

import asyncio
import io
import json
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from domain.sm import id_number_hash
from hub.settings import Settings
from hub.supervise import sweep, sweep_command
from subgraphs.cases.ground_truth import AS_OF, GROUND_TRUTH, GroundTruth, seed_with_violations
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.loader import case_pages, person_keys
from subgraphs.supervision.service_token import ServiceClient
from tests.subgraphs.supervision.conftest import SECRET
from tests.subgraphs.supervision.stack import Stack, remember_persons, running_stack

COUNT = 80
#: bodies page (1) + officers of the cases' bodies (≤ 20 bodies a request) + stray officers + persons
MAX_REQUESTS = 8

Alert = tuple[tuple[str, str], ...]


def _key(alert: dict[str, str]) -> Alert:
    return tuple(sorted(alert.items()))


@pytest.fixture(scope="module")
def seeded(small_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str, GroundTruth]:
    work = tmp_path_factory.mktemp("supervision-gateway")
    url = f"sqlite:///{work / 'hub.db'}"

    async def prepare() -> GroundTruth:
        await upgrade(url)
        truth = await seed_with_violations(url, small_seed, work, seed=11, count=COUNT, secret=SECRET)
        await remember_persons(url, small_seed, SECRET)
        return truth

    return work, url, asyncio.run(prepare())


@pytest.fixture(scope="module")
def stack(small_seed: Path, seeded: tuple[Path, str, GroundTruth]) -> Iterator[Stack]:
    work, url, _ = seeded
    with running_stack(small_seed, work, url, SECRET) as running:
        yield running


def _settings_for(stack: Stack) -> Settings:
    port = int(stack.gateway.rsplit(":", 1)[1])
    return stack.settings.model_copy(update={"gateway": stack.settings.gateway.model_copy(update={"port": port})})


@pytest.fixture(scope="module")
def swept(stack: Stack) -> dict[str, Any]:
    """`hub supervise sweep --json` as the CLI runs it (facts through the gateway), alerts recorded."""
    out = io.StringIO()
    code = sweep_command(_settings_for(stack), as_json=True, as_of=AS_OF, out=out)
    assert code == 0
    report: dict[str, Any] = json.loads(out.getvalue())
    return report


def test_sweep_through_the_real_gateway_finds_exactly_the_ground_truth(
        swept: dict[str, Any], seeded: tuple[Path, str, GroundTruth]) -> None:
    work, _, truth = seeded
    report = swept
    got = {_key(a) for a in report["alerts"]}
    want = {_key(a) for a in truth.as_json()["alerts"]}
    assert {dict(k)["rule"] for k in want} >= {"S05", "S06", "S12", "S27"}, "the truth covers fact-dependent rules"
    assert sorted(want - got) == [], "missed (recall < 1)"
    assert sorted(got - want) == [], "spurious (precision < 1)"
    near = {n["case_id"] for n in json.loads((work / GROUND_TRUTH).read_text(encoding="utf-8"))["near_misses"]}
    assert not [a for a in report["alerts"] if a.get("case_id") in near]
    assert report["cases"] >= COUNT
    assert 0 < report["gateway_requests"] <= MAX_REQUESTS, report["gateway_requests"]


async def _wire_requests(stack: Stack) -> tuple[int, GatewayFacts, list[dict[str, Any]]]:
    """Sweep (without recording) through a client that counts what really goes over the wire."""
    seen: list[dict[str, Any]] = []

    async def count(request: httpx.Request) -> None:
        if request.url.path.endswith("/graphql"):  # not the engine's token request
            seen.append(json.loads(request.content))

    async with httpx.AsyncClient(timeout=60, event_hooks={"request": [count]}) as client:
        facts = GatewayFacts(client, stack.graphql, token=ServiceClient.from_settings(stack.settings).token(client))
        result = await sweep(stack.settings, as_of=AS_OF, facts=facts, record=False)
    assert result.gateway_requests == facts.requests
    return len(seen), facts, seen


async def test_request_count_is_a_small_constant_and_birth_dates_come_from_population(
        stack: Stack, small_seed: Path) -> None:
    wire, facts, sent = await _wire_requests(stack)
    assert wire == facts.requests <= MAX_REQUESTS
    queries = " ".join(b["query"] for b in sent)
    assert "supervisionPersons" in queries
    assert "searchOfficers" in queries
    assert facts.persons_supported

    # every natural-person party the population system knows came back with its real birth date
    known = {}
    for line in (small_seed / "persons.jsonl").read_text(encoding="utf-8").splitlines():
        if line.strip():
            p = json.loads(line)
            known[(p["id_type"], id_number_hash(SECRET, p["id_type"], p["id_number"]))] = p["birth_date"]
    engine = create_engine(stack.database_url)
    keys: set[tuple[str, str]] = set()
    try:
        async for page in case_pages(engine, page_size=500):
            keys.update(k for s in page for k in person_keys(s) if k is not None and k in known)
    finally:
        await engine.dispose()
    assert keys
    births = await facts.birth_dates(keys)  # cached: no further request
    assert facts.requests == wire
    assert {k: v.isoformat() for k, v in births.items()} == {k: known[k] for k in keys}


async def test_request_count_does_not_grow_with_the_cases(stack: Stack, small_seed: Path, tmp_path: Path) -> None:
    """Three times the cases (other bodies' officers come in the same aliased requests): at most the
    bound again, never one request per case."""
    before, _, _ = await _wire_requests(stack)
    url = stack.database_url
    await seed_with_violations(url, small_seed, tmp_path, seed=29, count=2 * COUNT, secret=SECRET)
    after, facts, _ = await _wire_requests(stack)
    assert after <= MAX_REQUESTS, after
    assert after < COUNT / 4
    assert facts.requests == after >= before


def _gql(url: str, query: str, variables: dict[str, Any] | None = None,
         headers: dict[str, str] | None = None) -> dict[str, Any]:
    response = httpx.post(url, json={"query": query, "variables": variables or {}}, headers=headers, timeout=60)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def _seed_rows(seed_dir: Path, name: str) -> list[dict[str, Any]]:
    text = (seed_dir / name).read_text(encoding="utf-8")
    return [json.loads(x) for x in text.splitlines() if x.strip()]


def test_workforce_and_expiry_through_the_gateway_match_the_seed(
        stack: Stack, swept: dict[str, Any], small_seed: Path) -> None:
    today = AS_OF.date()
    answer = _gql(stack.graphql, """query($d: Date!) {
      supervisionWorkforce(asOf: $d) { byBody { bodyId officers legalReviewers qualifiedLegalReviewers trainingYear
        trainedOfficers averageTrainingHours belowTrainingTarget byStatus { status count } } expiring { withinDays certificates } }
      soon: supervisionExpiringCertificates(withinDays: 60, asOf: $d) { bodyId count }
      supervisionBodyRates { bodyId cases alerts alertRate }
      supervisionAlertsByRule { ruleId severity alerts } }""", {"d": today.isoformat()})
    assert "errors" not in answer, answer
    data = answer["data"]
    officers = _seed_rows(small_seed, "officers.jsonl")
    want_staff: dict[str, list[int]] = {}
    want_status: dict[str, dict[str, int]] = {}
    for o in officers:
        row = want_staff.setdefault(o["body_uscc"], [0, 0])
        row[0] += o["status"] == "ACTIVE"  # the workforce counts ACTIVE officers; the others are by status
        row[1] += bool(o["is_legal_reviewer"]) and o["status"] == "ACTIVE"
        statuses = want_status.setdefault(o["body_uscc"], {})
        statuses[o["status"]] = statuses.get(o["status"], 0) + 1
    got_staff = {r["bodyId"]: [r["officers"], r["legalReviewers"]] for r in data["supervisionWorkforce"]["byBody"]}
    assert got_staff == want_staff
    assert {r["bodyId"]: {s["status"]: s["count"] for s in r["byStatus"]}
            for r in data["supervisionWorkforce"]["byBody"]} == want_status
    # legal-review qualifications and the 2025 training hours (the last full year), recounted from the seed
    year = str(today.year - 1)
    for r in data["supervisionWorkforce"]["byBody"]:
        mine = [o for o in officers if o["body_uscc"] == r["bodyId"] and o["status"] == "ACTIVE"]
        hours = [o["training_hours"][year] for o in mine if year in (o.get("training_hours") or {})]
        assert r["trainingYear"] == int(year)
        assert r["qualifiedLegalReviewers"] == sum(o["is_legal_reviewer"] and o["has_legal_qualification"] for o in mine)
        assert r["trainedOfficers"] == len(hours)
        assert r["belowTrainingTarget"] == sum(
            (o.get("training_hours") or {}).get(year, 0) < 60 for o in mine)
        if hours:
            assert r["averageTrainingHours"] == pytest.approx(sum(hours) / len(hours), abs=0.01)
    assert any(r["belowTrainingTarget"] for r in data["supervisionWorkforce"]["byBody"]), "the seed has short-fallers"

    def ending(days: int) -> list[dict[str, Any]]:
        return [c for c in _seed_rows(small_seed, "certificates.jsonl") if c["status"] == "ACTIVE"
                and today <= date.fromisoformat(c["valid_to"]) <= today + timedelta(days=days)]

    assert {r["withinDays"]: r["certificates"] for r in data["supervisionWorkforce"]["expiring"]} == {
        d: len(ending(d)) for d in (30, 60, 90)}
    assert len(ending(60)) > 0, "the seed has certificates ending soon"
    by_body: dict[str, int] = {}
    for c in ending(60):
        body = next(o["body_uscc"] for o in officers if o["id"] == c["officer_id"])
        by_body[body] = by_body.get(body, 0) + 1
    assert {r["bodyId"]: r["count"] for r in data["soon"]} == by_body

    rules: dict[str, int] = {}
    for a in swept["alerts"]:
        rules[a["rule"]] = rules.get(a["rule"], 0) + 1
    got_rules: dict[str, int] = {}
    for r in data["supervisionAlertsByRule"]:
        got_rules[r["ruleId"]] = got_rules.get(r["ruleId"], 0) + r["alerts"]
    assert got_rules == rules
    rates = data["supervisionBodyRates"]
    assert sum(r["alerts"] for r in rates) == len(swept["alerts"])
    assert all(r["alertRate"] == pytest.approx(r["alerts"] / r["cases"]) for r in rates if r["cases"])


def test_review_campaign_over_http(stack: Stack, swept: dict[str, Any]) -> None:
    url = f"{stack.supervision}/graphql"
    create = """mutation($seed: Int!) { createReviewCampaign(name: "2026 年度评查", seed: $seed, perBody: 1) {
      id seed files { caseId bodyId reviewers vetoes total grade } } }"""
    anonymous = _gql(url, create, {"seed": 5})
    assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    lead = {"x-hub-dev-user": json.dumps({"id": "SUP-1", "roles": ["SUPERVISOR"]})}
    first = _gql(url, create, {"seed": 5}, lead)["data"]["createReviewCampaign"]
    again = _gql(url, create, {"seed": 5}, lead)["data"]["createReviewCampaign"]
    assert first["files"], "closed files were sampled"
    assert [f["caseId"] for f in first["files"]] == [f["caseId"] for f in again["files"]], "same seed, same sample"
    assert len({f["bodyId"] for f in first["files"]}) == len(first["files"]), "one file per body"
    assert all(f["total"] is None for f in first["files"])

    target = first["files"][0]
    score = """mutation($c: ID!, $f: ID!) { scoreReviewFile(campaignId: $c, caseId: $f,
      deductions: [{part: "B", points: 20}], vetoes: []) { total grade rectificationDue scored: reviewers } }"""
    stranger = {"x-hub-dev-user": json.dumps({"id": "OFF-NOT-ASSIGNED"})}
    refused = _gql(url, score, {"c": first["id"], "f": target["caseId"]}, stranger)
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    result: dict[str, Any] = {}
    for reviewer in target["reviewers"]:
        answer = _gql(url, score, {"c": first["id"], "f": target["caseId"]},
                      {"x-hub-dev-user": json.dumps({"id": reviewer})})
        assert "errors" not in answer, answer
        result = answer["data"]["scoreReviewFile"]
    assert result["total"] is not None
    assert result["total"] <= 80, "the manual 20 points of part B are deducted"
    assert result["rectificationDue"] is not None
    rectify = """mutation($c: ID!, $f: ID!) { markReviewRectified(campaignId: $c, caseId: $f) { rectifiedAt } }"""
    done = _gql(url, rectify, {"c": first["id"], "f": target["caseId"]}, lead)
    assert done["data"]["markReviewRectified"]["rectifiedAt"]
    other = next(f for f in first["files"] if f["caseId"] != target["caseId"]) if len(first["files"]) > 1 else None
    if other is not None:
        nothing = _gql(url, rectify, {"c": first["id"], "f": other["caseId"]}, lead)
        assert nothing["errors"][0]["extensions"]["code"] == "BAD_USER_INPUT"

    listed = _gql(stack.graphql, "{ reviewCampaigns { id files { caseId total } } supervisionReviewScores "
                                 "{ bodyId filesGraded averageScore } }")
    assert "errors" not in listed, listed
    assert {c["id"] for c in listed["data"]["reviewCampaigns"]} >= {first["id"], again["id"]}
    scores = {s["bodyId"]: s for s in listed["data"]["supervisionReviewScores"]}
    assert scores[target["bodyId"]]["filesGraded"] == 1
    assert scores[target["bodyId"]]["averageScore"] == result["total"]


README_QUERIES = {
    "s05_cases": """{ supervisionAlerts(ruleId: "S05", first: 5) { total items { caseId bodyId severity evidence } } }""",
    "body_alerts": """{ searchEnforcementBodies(regionCode: "445102", first: 50) { items { uscc name
      alerts { ruleId ruleName severity caseId } officers { name certificates { certNo status validTo } } } } }""",
    "case_view": """query($id: ID!) { penaltyCase(id: $id) { caseNo status bodyUscc
      alerts { ruleId ruleName severity } officers { name certificates { certNo status validTo } } } }""",
}


def test_cross_subgraph_supervision_queries(stack: Stack, swept: dict[str, Any]) -> None:
    s05 = _gql(stack.graphql, README_QUERIES["s05_cases"])
    assert "errors" not in s05, s05
    want_s05 = {a["case_id"] for a in swept["alerts"] if a["rule"] == "S05"}
    assert {i["caseId"] for i in s05["data"]["supervisionAlerts"]["items"]} == want_s05
    bodies = _gql(stack.graphql, README_QUERIES["body_alerts"])
    assert "errors" not in bodies, bodies
    items = bodies["data"]["searchEnforcementBodies"]["items"]
    assert items
    assert all(b["officers"] for b in items)
    flagged = {a["caseId"] for b in items for a in b["alerts"] if a["caseId"]}
    assert flagged, "湘桥区 bodies carry alerts"
    assert flagged <= {a["case_id"] for a in swept["alerts"] if "case_id" in a}
    case_id = sorted(want_s05)[0]
    case = _gql(stack.graphql, README_QUERIES["case_view"], {"id": case_id})
    assert "errors" not in case, case
    view = case["data"]["penaltyCase"]
    assert "S05" in {a["ruleId"] for a in view["alerts"]}
    evidence = next(i["evidence"] for i in s05["data"]["supervisionAlerts"]["items"] if i["caseId"] == case_id)
    certs = {c["certNo"]: c for o in view["officers"] for c in o["certificates"]}
    assert certs[evidence["cert_no"]]["status"] == evidence["cert_status"], "the personnel record shows the cause"


def _engine_token(stack: Stack) -> str:
    async def fetch() -> str:
        async with httpx.AsyncClient(timeout=10) as client:
            token = ServiceClient.from_settings(stack.settings).token(client)
            assert token is not None
            return await token.get()
    return asyncio.run(fetch())


def test_a_person_the_register_does_not_know_nulls_only_itself(stack: Stack, small_seed: Path) -> None:
    """A party hash the population vault never saw (a case registered from a hash only) answers a null birth
    date in its place (the field is nullable: it is withheld from callers who may not read it), with a field
    error on that item only; the other persons of the batch keep their birth dates."""
    person = _seed_rows(small_seed, "persons.jsonl")[0]
    known = {"idType": person["id_type"],
             "idNumberHash": id_number_hash(SECRET, person["id_type"], person["id_number"])}
    unknown = {"idType": "RESIDENT_ID", "idNumberHash": "0" * 64}
    body = _gql(f"{stack.gateway}/graphql",
                "query($keys: [PersonKeyInput!]!) { supervisionPersons(keys: $keys) { idNumberHash birthDate } }",
                {"keys": [unknown, known]},
                headers={"authorization": f"Bearer {_engine_token(stack)}", "x-purpose-code": "SUPERVISION",
                         "x-purpose-ref": "area:supervised"})
    assert [e["path"][:2] for e in body.get("errors", [])] in ([], [["supervisionPersons", 0]]), body
    rows = body["data"]["supervisionPersons"]
    assert rows[0] in (None, {"idNumberHash": unknown["idNumberHash"], "birthDate": None})
    assert rows[1] == {"idNumberHash": known["idNumberHash"], "birthDate": person["birth_date"]}


def test_too_large_a_page_errors_on_that_field_only(stack: Stack) -> None:
    """Root list fields are nullable: `first` beyond the limit nulls its own field; the rest of `data` stays."""
    body = _gql(f"{stack.gateway}/graphql", """{
        ok: searchOfficers(first: 5) { items { id } total }
        tooMany: searchOfficers(first: 5000) { total }
        cases: penaltyCases(first: 1000) { total } }""")
    assert len(body["data"]["ok"]["items"]) == 5
    assert body["data"]["ok"]["total"] >= 5
    assert body["data"]["tooMany"] is None
    assert body["data"]["cases"]["total"] >= COUNT
    [error] = body["errors"]
    assert error["path"] == ["tooMany"]
    assert error["extensions"]["code"] == "BAD_USER_INPUT"
    assert "first" in error["message"]
    assert "1000" in error["message"]


def test_every_filtered_figure_is_the_total_of_the_case_list_behind_it(stack: Stack, swept: dict[str, Any]) -> None:
    """Through the gateway: a filtered count per body is the `total` of the case list with the same
    conditions (the dashboard's link from a number to its list); the period by filing date for BODY,
    by decision date for DECIDED_MONTH."""
    counts = """query($f: StatisticsFilter) {
      byBody: supervisionCaseCounts(dimension: BODY, filter: $f) { key cases }
      byMonth: supervisionCaseCounts(dimension: DECIDED_MONTH, filter: $f) { key cases } }"""
    listed = "query($f: CaseFilter) { penaltyCases(filter: $f, first: 1) { total } }"
    everything = _gql(stack.graphql, listed, {"f": {}})["data"]["penaltyCases"]["total"]
    for flt in ({"regionCode": "445102", "from": "2025-01-01", "to": "2026-06-30"}, {"level": "TOWN"},
                {"regionCode": "445100", "level": "COUNTY", "from": "2026-01-01"}):
        answer = _gql(stack.graphql, counts, {"f": flt})
        assert "errors" not in answer, answer
        span = {k: flt[k] for k in ("from", "to") if k in flt}
        base = {"region": flt.get("regionCode"), "level": flt.get("level")}
        base = {k: v for k, v in base.items() if v is not None}
        by_body = answer["data"]["byBody"]
        assert 0 < sum(g["cases"] for g in by_body) < everything, flt  # the filter narrows, and leaves some
        for group in by_body:
            case_filter = {**base, "bodies": [group["key"]], **({"filed": span} if span else {})}
            total = _gql(stack.graphql, listed, {"f": case_filter})["data"]["penaltyCases"]["total"]
            assert group["cases"] == total, (flt, group)
        decided = sum(g["cases"] for g in answer["data"]["byMonth"])
        case_filter = {**base, **({"decided": span} if span else {})}
        total = _gql(stack.graphql, listed, {"f": case_filter})["data"]["penaltyCases"]["total"]
        if span:
            assert decided == total, flt
        else:  # no period: every case, decided or not (UNDECIDED)
            assert decided == sum(g["cases"] for g in by_body), flt


def test_the_alert_list_sorts_by_severity_through_the_gateway(stack: Stack, swept: dict[str, Any]) -> None:
    query = """query($a: String) { supervisionAlerts(regionCode: "445102", orderBy: SEVERITY, descending: true,
      first: 10, after: $a) { items { id severity } nextCursor total } }"""
    rank = {"RED": 3, "YELLOW": 2, "INFO": 1}
    seen: list[dict[str, str]] = []
    after = None
    for _ in range(200):
        answer = _gql(stack.graphql, query, {"a": after})
        assert "errors" not in answer, answer
        page = answer["data"]["supervisionAlerts"]
        seen += page["items"]
        after = page["nextCursor"]
        if after is None:
            break
    assert len(seen) == page["total"] == len({a["id"] for a in seen}) > 0
    assert page["total"] < len(swept["alerts"])  # the region narrows
    ranks = [rank[a["severity"]] for a in seen]
    assert ranks == sorted(ranks, reverse=True)
