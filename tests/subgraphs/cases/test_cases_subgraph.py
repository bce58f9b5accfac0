"""The cases subgraph over real HTTP: commands, typed errors, idempotency, files, paging and entities."""

from __future__ import annotations

import base64
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import insert

from domain.sm import id_number_hash, sm3_hex
from subgraphs.cases.app import create_app
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.domain.clock import CHINA_TZ
from subgraphs.cases.domain.common_guards import officer_problem
from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.standards import calendar_dir, deadlines_file
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.facts import load_store_facts
from subgraphs.cases.seed import seed_cases
from subgraphs.common.db import create_engine
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.seedload import load_seed
from subgraphs.personnel.store import CertificateRow
from tests.support.servers import serve

SECRET = b"cases-subgraph-test-secret"
ITEM = "440000-SJ-0001"
PERSON_ID = "44510219800101123X"  # a valid check character: mutations refuse a wrong one


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [orjson.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


@dataclass
class World:
    url: str
    body: str
    other_body: str
    region: str
    officers: tuple[str, str]
    entity_uscc: str


async def _prepare(url: str, seed_dir: Path) -> World:
    await seed_cases(url, seed_dir, seed=1, count=0)  # migrates, imports the reviewed catalogue and regulations
    engine = create_engine(url)
    try:
        await load_seed(engine, PseudonymVault(engine, SECRET), seed_dir)
        async with engine.begin() as conn:
            for cert in _jsonl(seed_dir / "certificates.jsonl"):
                await conn.execute(insert(CertificateRow).values(
                    cert_no=cert["cert_no"], cert_type=cert["cert_type"], officer_id=cert["officer_id"],
                    body_uscc=cert["body_uscc"], area=cert["area"], categories=cert["categories"],
                    power_source=cert.get("power_source"), issued_by=cert.get("issued_by"), issue_date=None,
                    valid_from=date.fromisoformat(cert["valid_from"]), valid_to=date.fromisoformat(cert["valid_to"]),
                    status=cert["status"], exam_passed_at=None, row_hash=sm3_hex(orjson.dumps(cert)),
                    vanished_at=None, updated_at=datetime.now(CHINA_TZ)))
        data = await load_store_facts(engine)
    finally:
        await engine.dispose()
    ctx = data.context(WorkingCalendar.from_directory(calendar_dir()), load_config(deadlines_file()))
    bodies = [b for b in _jsonl(seed_dir / "bodies.jsonl") if ITEM in b["item_codes"]]
    when = [datetime.combine(date(2025, m, 3), time(10), CHINA_TZ) for m in (3, 6)]
    for body in bodies:
        ok = sorted(o.officer_id for o in data.facts.officers.values() if o.body_id == body["uscc"] and all(
            officer_problem(ctx, o.officer_id, w, region=body["region_code"], domain="市场监管") is None for w in when))
        if len(ok) >= 2:
            other = next(b["uscc"] for b in _jsonl(seed_dir / "bodies.jsonl") if b["uscc"] != body["uscc"])
            entity = next(e["uscc"] for e in _jsonl(seed_dir / "entities.jsonl"))
            return World(url, body["uscc"], other, body["region_code"], (ok[0], ok[1]), entity)
    raise AssertionError("the seed has no market-regulation body with two qualified officers")


@pytest.fixture
async def hub(database_url: str, small_seed: Path, tmp_path: Path) -> AsyncIterator[tuple[str, World]]:
    world = await _prepare(database_url, small_seed)
    app = create_app(config=CasesConfig(database_url=database_url, data_dir=tmp_path / "data", id_hash_secret=SECRET,
                                          allow_dev_header=True))
    with serve(app) as base:
        yield base, world


class Client:
    def __init__(self, http: httpx.AsyncClient, base: str, user: dict[str, Any] | None) -> None:
        self.http, self.base = http, base
        self.headers = {"x-hub-dev-user": orjson.dumps(user).decode()} if user else {}

    async def gql(self, query: str, **variables: Any) -> dict[str, Any]:
        response = await self.http.post(f"{self.base}/graphql", json={"query": query, "variables": variables},
                                        headers=self.headers)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body

    async def ok(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.gql(query, **variables)
        assert "errors" not in body, body
        data: dict[str, Any] = body["data"]
        return data

    async def error(self, query: str, **variables: Any) -> dict[str, Any]:
        body = await self.gql(query, **variables)
        assert body.get("errors"), body
        ext: dict[str, Any] = body["errors"][0]["extensions"]
        return ext


CASE = "id version status caseNo bodyUscc"
REGISTER = f"""mutation($input: RegisterClueInput!, $key: String) {{
  registerClue(input: $input, idempotencyKey: $key) {{ {CASE} parties {{ name person {{ idType idNumberHash }}
  entity {{ uscc }} }} }} }}"""
VERIFY = f"""mutation($id: ID!, $input: AssignVerifierInput!) {{
  assignVerifier(caseId: $id, input: $input) {{ {CASE} }} }}"""
FILE = f"""mutation($id: ID!, $input: FileCaseInput!, $v: Int, $key: String) {{
  fileCase(caseId: $id, input: $input, expectedVersion: $v, idempotencyKey: $key) {{ {CASE} }} }}"""
INVESTIGATE = f"""mutation($id: ID!, $input: StartInvestigationInput!) {{
  startInvestigation(caseId: $id, input: $input) {{ {CASE} }} }}"""


def _at(day: str) -> str:
    return f"{day}T10:00:00+08:00"


def clue(world: World, party: dict[str, Any]) -> dict[str, Any]:
    return {"bodyId": world.body, "itemCode": ITEM, "itemVersion": "1", "regionCode": world.region,
            "source": "INSPECTION", "parties": [party], "violation": {"start": "2025-02-20"},
            "discoveredOn": "2025-03-01", "at": _at("2025-03-03")}


async def test_case_lifecycle_errors_and_idempotency_over_http(hub: tuple[str, World]) -> None:
    base, world = hub
    officer = {"id": world.officers[0], "body": world.body, "roles": ["OFFICER"]}
    async with httpx.AsyncClient(timeout=30) as http:
        c = Client(http, base, officer)
        person = {"partyType": "NATURAL_PERSON", "name": "张三", "idType": "RESIDENT_ID", "idNumber": PERSON_ID}
        raw = await c.gql(REGISTER, input=clue(world, person), key="reg-1")
        assert PERSON_ID not in orjson.dumps(raw).decode()
        case = raw["data"]["registerClue"]
        assert (case["status"], case["version"]) == ("CLUE", 1)
        assert case["parties"][0]["person"] == {"idType": "RESIDENT_ID",
                                                "idNumberHash": id_number_hash(SECRET, "RESIDENT_ID", PERSON_ID)}
        again = (await c.ok(REGISTER, input=clue(world, person), key="reg-1"))["registerClue"]
        assert again["id"] == case["id"]  # the retried registration returns the first case
        cid = case["id"]

        ext = await c.error(REGISTER, input={**clue(world, {**person, "idType": None})})
        assert ext["code"] == "BAD_USER_INPUT"
        anonymous = await Client(http, base, None).gql(VERIFY, id=cid, input={"verifierId": "x"})
        assert anonymous["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
        # the hint names both ways in: a token through the gateway, the dev header straight to the subgraph
        assert "hub token USER" in anonymous["errors"][0]["message"]
        assert "x-hub-dev-user" in anonymous["errors"][0]["message"]
        stranger = Client(http, base, {"id": "OFF-X", "body": world.other_body})
        assert (await stranger.error(VERIFY, id=cid, input={"verifierId": "x"}))["code"] == "FORBIDDEN"

        await c.ok(VERIFY, id=cid, input={"verifierId": world.officers[0], "at": _at("2025-03-04")})
        ext = await c.error(FILE, id=cid, input={"filingStandardMet": False, "at": _at("2025-03-05")})
        assert (ext["code"], ext["rule"], ext["article"]) == (
            "GUARD_FAILED", "T6.filing_standard_met", "《行政处罚法》第五十四条")
        ext = await c.error(FILE, id=cid, v=1, input={"filingStandardMet": True, "at": _at("2025-03-05")})
        assert (ext["code"], ext["expected"], ext["actual"]) == ("VERSION_CONFLICT", 1, 2)
        filed = (await c.ok(FILE, id=cid, v=2, key="file-1",
                            input={"filingStandardMet": True, "at": _at("2025-03-05")}))["fileCase"]
        assert (filed["status"], filed["version"]) == ("FILED", 3)
        retried = (await c.ok(FILE, id=cid, v=2, key="file-1",
                              input={"filingStandardMet": True, "at": _at("2025-03-05")}))["fileCase"]
        assert retried == filed
        ext = await c.error(FILE, id=cid, v=2, key="file-1",
                            input={"filingStandardMet": True, "at": _at("2025-03-06")})
        assert ext["code"] == "IDEMPOTENCY_KEY_REUSED"
        ext = await c.error("""mutation($id: ID!) { submitForReview(caseId: $id) { id } }""", id=cid)
        assert (ext["code"], ext["state"]) == ("ILLEGAL_TRANSITION", "FILED")

        investigating = (await c.ok(INVESTIGATE, id=cid, input={
            "officerIds": list(world.officers), "recusalChecked": True, "at": _at("2025-03-06")}))
        assert investigating["startInvestigation"]["status"] == "INVESTIGATING"

        # files: a small one through GraphQL, a larger one through POST /files
        photo = b"photo bytes" * 10
        up = (await c.ok("""mutation($b: String!, $h: String) { uploadFile(contentBase64: $b, sm3: $h)
                            { sm3 size fileRef } }""", b=base64.b64encode(photo).decode(), h=sm3_hex(photo)))
        assert up["uploadFile"]["sm3"] == sm3_hex(photo)
        bad = await c.error("""mutation($b: String!) { uploadFile(contentBase64: $b, sm3: "00") { sm3 } }""",
                            b=base64.b64encode(photo).decode())
        assert bad["code"] == "BLOB_INVALID"
        big = b"x" * 300_000
        refused = await http.post(f"{base}/files", content=big, headers={**c.headers, "x-content-sm3": "0" * 64})
        assert refused.status_code == 422
        stored = await http.post(f"{base}/files", content=big, headers={**c.headers, "x-content-sm3": sm3_hex(big)})
        assert stored.status_code == 201
        assert stored.json()["sm3"] == sm3_hex(big)
        assert (await http.post(f"{base}/files", content=big)).status_code == 401
        fetched = await http.get(f"{base}/files/{sm3_hex(big)}", headers=c.headers)
        assert fetched.content == big

        evidence = await c.ok("""mutation($id: ID!, $input: AttachEvidenceInput!) {
            attachEvidence(caseId: $id, input: $input) { version evidence { sm3 deviceId capturedAt } } }""",
                              id=cid, input={"kind": "AUDIOVISUAL", "title": "现场视频", "sm3": sm3_hex(big),
                                             "capturedAt": "2025-03-06T09:00:00+08:00",
                                             "collectedBy": list(world.officers), "deviceId": "CAM-1",
                                             "at": _at("2025-03-06")})
        assert evidence["attachEvidence"]["evidence"][0]["deviceId"] == "CAM-1"
        doc = await c.ok("""mutation($id: ID!, $input: AttachDocumentInput!) {
            attachDocument(caseId: $id, input: $input) { documents { id sealed sm3 } } }""",
                         id=cid, input={"docType": "INSPECTION_RECORD", "title": "现场笔录", "sm3": sm3_hex(photo),
                                        "seal": True, "at": _at("2025-03-06")})
        document = doc["attachDocument"]["documents"][0]
        assert document["sealed"]
        check = await c.ok("query($d: ID!) { verifyDocumentSeal(documentId: $d) { ok reason } }", d=document["id"])
        assert check["verifyDocumentSeal"]["ok"], check

        full = (await c.ok("""query($id: ID!) { penaltyCase(id: $id) { version status deadlines { kind due basis }
            events { seq transition prevHash hash actorId } } verifyCaseEvents(caseId: $id) { ok reason } }""",
                           id=cid))
        events = full["penaltyCase"]["events"]
        assert [e["seq"] for e in events] == list(range(1, full["penaltyCase"]["version"] + 1))
        assert all(events[i]["prevHash"] == events[i - 1]["hash"] for i in range(1, len(events)))
        assert {"DECISION", "LIMITATION"} <= {d["kind"] for d in full["penaltyCase"]["deadlines"]}
        assert full["verifyCaseEvents"]["ok"]

        company = {"partyType": "ORGANISATION", "name": "潮州某食品有限公司", "uscc": world.entity_uscc}
        second = (await c.ok(REGISTER, input={**clue(world, company), "at": _at("2025-03-07")}))["registerClue"]

        page1 = (await c.ok("""query($b: String!) { penaltyCases(bodyUscc: $b, first: 1)
            { items { id } nextCursor total } }""", b=world.body))["penaltyCases"]
        page2 = (await c.ok("""query($b: String!, $a: String) { penaltyCases(bodyUscc: $b, first: 1, after: $a)
            { items { id } nextCursor total } }""", b=world.body, a=page1["nextCursor"]))["penaltyCases"]
        assert {page1["items"][0]["id"], page2["items"][0]["id"]} == {cid, second["id"]}
        assert page2["nextCursor"] is None
        assert page1["total"] == page2["total"] == 2
        by_status = (await c.ok("{ penaltyCases(status: CLUE) { items { id } total } }"))["penaltyCases"]
        assert [i["id"] for i in by_status["items"]] == [second["id"]]
        assert by_status["total"] == 1

        entities = (await c.ok("""query($r: [_Any!]!) { _entities(representations: $r) {
            ... on Person { cases { items { id } } } ... on LegalEntity { penalties { items { id } } }
            ... on Officer { cases { items { id } } } ... on PenaltyCase { caseNo } } }""", r=[
            {"__typename": "Person", "idType": "RESIDENT_ID",
             "idNumberHash": id_number_hash(SECRET, "RESIDENT_ID", PERSON_ID)},
            {"__typename": "LegalEntity", "uscc": world.entity_uscc},
            {"__typename": "Officer", "id": world.officers[1]},
            {"__typename": "PenaltyCase", "id": cid}]))["_entities"]
        assert entities[0]["cases"]["items"] == [{"id": cid}]
        assert entities[1]["penalties"]["items"] == [{"id": second["id"]}]
        assert entities[2]["cases"]["items"] == [{"id": cid}]
        assert entities[3]["caseNo"] == case["caseNo"]
