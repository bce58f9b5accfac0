"""Row-level scope of the cases subgraph over real HTTP, through the production gateway.

Tokens come from the simulated identity provider (seeded officers, body heads, supervisor1,
auditor1); the cases subgraph runs behind signed-call verification over a seeded store, with the
body register loaded (so a body's region is known). An officer sees the cases of bodies located
in their own region and never a neighbouring region's case: not by id, not in lists, not through
`Officer.cases`; the city's supervisor sees every case; a mutation on an out-of-scope case is
FORBIDDEN; and an unsigned call naming itself with the DEV ONLY header gets nothing outside dev.
"""

from __future__ import annotations

import contextlib
import json
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select

from domain.sm import sm2_generate_keypair
from gateway.audit.log import AccessLog, AnchorKey
from gateway.audit.sql_store import SqlAccessLog
from gateway.secure import create_secure_app
from gateway.security.config import SecurityConfig
from gateway.security.jwt_auth import JwtSettings
from gateway.security.ratelimit import RateLimit
from simulators.base import SimConfig
from simulators.identity.app import create_app as create_identity
from subgraphs.cases.app import create_app as create_cases
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.rows import CaseOfficerRow, CaseRow
from subgraphs.cases.seed import seed_cases
from subgraphs.common.db import create_engine
from subgraphs.common.security import protect
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.seedload import load_seed
from tests.support.servers import serve
from trust.signing import SigningKey

SECRET = b"cases-scope-test-secret"
SIGNING_KEY = SigningKey("gw-scope-test", b"test-only-scope-signing-secret-0123456789")
SUPERGRAPH = Path(__file__).resolve().parents[2] / "schema" / "supergraph.graphql"
JSON = {"content-type": "application/json", "accept": "application/json"}
DEV_HEADER = "x-hub-dev-user"
CASE_COUNT = 60
ITEM = "440000-SJ-0001"


def _jsonl(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _with_urls(sdl: str, urls: dict[str, str]) -> str:
    """The supergraph with its subgraph URLs replaced; subgraphs not running point at a dead port."""
    def swap(m: re.Match[str]) -> str:
        return f'{m.group(1)}{urls.get(m.group(2), "http://127.0.0.1:9/graphql")}"'

    return re.sub(r'(@join__graph\(name: "([^"]+)", url: ")[^"]*"', swap, sdl)


@dataclass(frozen=True)
class Case:
    id: str
    body: str
    region: str  # the region of the case's body, from the body register


@dataclass
class World:
    gateway: str
    idp: str
    subgraph: str  # the protected cases subgraph (signed calls only)
    plain_production: str  # the cases app unprotected, production config (no dev header)
    plain_dev: str  # the cases app unprotected, dev config (dev header accepted)
    cases: list[Case]
    officer: str  # an officer's user name (= officer id)
    own: Case  # a case of the officer's body
    neighbour: Case  # a case of a body in another region of the same city
    linked_officer: str  # an investigator of `own`, also put on `neighbour`

    def token(self, username: str) -> str:
        response = httpx.post(f"{self.idp}/oauth/token", timeout=10, data={
            "grant_type": "password", "username": username, "password": f"{username}-pass"})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])


def gql(base: str, query: str, variables: dict[str, Any] | None = None, *, token: str | None = None,
        headers: dict[str, str] | None = None) -> httpx.Response:
    all_headers = {**JSON, **(headers or {})}
    if token is not None:
        all_headers["authorization"] = f"Bearer {token}"
    return httpx.post(f"{base}/graphql" if not base.endswith("/graphql") else base,
                      json={"query": query, "variables": variables or {}}, headers=all_headers, timeout=30)


def codes(response: httpx.Response) -> list[str]:
    return [e.get("extensions", {}).get("code") for e in response.json().get("errors") or []]


async def _prepare(url: str, seed_dir: Path) -> None:
    report = await seed_cases(url, seed_dir, seed=11, count=CASE_COUNT, id_hash_secret=SECRET)
    assert report.created == CASE_COUNT
    engine = create_engine(url)
    try:
        await load_seed(engine, PseudonymVault(engine, SECRET), seed_dir)
    finally:
        await engine.dispose()


async def _cases(url: str, regions: dict[str, str]) -> list[Case]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(CaseRow.id, CaseRow.body_uscc).order_by(CaseRow.id))).all()
    finally:
        await engine.dispose()
    return [Case(r.id, r.body_uscc, regions[r.body_uscc]) for r in rows]


async def _link(url: str, case_id: str, officer_id: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            await conn.execute(insert(CaseOfficerRow).values(case_id=case_id, officer_id=officer_id,
                                                             role="INVESTIGATOR"))
    finally:
        await engine.dispose()


def _investigators(url: str, case_id: str) -> list[str]:
    import asyncio

    async def read() -> list[str]:
        engine = create_engine(url)
        try:
            async with engine.connect() as conn:
                return [str(r) for r in (await conn.execute(select(CaseOfficerRow.officer_id).where(
                    CaseOfficerRow.case_id == case_id).order_by(CaseOfficerRow.officer_id))).scalars()]
        finally:
            await engine.dispose()

    return asyncio.run(read())


@pytest.fixture(scope="module")
def world(small_seed: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    import asyncio

    tmp = tmp_path_factory.mktemp("cases-scope")
    url = f"sqlite:///{tmp / 'hub.db'}"
    asyncio.run(_prepare(url, small_seed))
    bodies = {str(b["uscc"]): str(b["region_code"]) for b in _jsonl(small_seed / "bodies.jsonl")}
    cases = asyncio.run(_cases(url, bodies))
    officers = _jsonl(small_seed / "officers.jsonl")
    # an officer whose body has cases, and a case of a body located in another county of the city
    own = next(c for c in cases if any(o["body_uscc"] == c.body for o in officers) and bodies[c.body] != "445100"
               and any(n.region not in (bodies[c.body], "445100") for n in cases))
    officer = next(str(o["id"]) for o in officers if o["body_uscc"] == own.body)
    neighbour = next(c for c in cases if c.region not in (own.region, "445100"))
    linked = _investigators(url, own.id)[0]
    asyncio.run(_link(url, neighbour.id, linked))

    idp_dir = tmp / "idp"
    idp_dir.mkdir()
    for name in ("bodies.jsonl", "officers.jsonl"):
        shutil.copy(small_seed / name, idp_dir / name)
    identity = create_identity(SimConfig(data_dir=idp_dir, credentials={"ephemeral_keys": "1"}))
    base = CasesConfig(database_url=url, data_dir=tmp / "data", id_hash_secret=SECRET, migrate_on_start=False)
    keys = sm2_generate_keypair()
    with contextlib.ExitStack() as stack:
        idp = stack.enter_context(serve(identity))
        signed = stack.enter_context(serve(protect(create_cases(config=base), keys=[SIGNING_KEY], required=True),
                                           startup_timeout=60))
        plain_production = stack.enter_context(serve(create_cases(config=base), startup_timeout=60))
        plain_dev = stack.enter_context(serve(create_cases(config=base.with_(allow_dev_header=True)),
                                              startup_timeout=60))
        supergraph = tmp / "supergraph.graphql"
        supergraph.write_text(_with_urls(SUPERGRAPH.read_text(encoding="utf-8"), {"cases": f"{signed}/graphql"}),
                              encoding="utf-8")
        config = SecurityConfig.production(
            jwt=JwtSettings(jwks_url=f"{idp}/jwks.json", issuer=idp, audience="enforcement-hub"),
            signing_key=SIGNING_KEY, rate_limit=RateLimit(capacity=10_000, refill_per_s=1000))
        access_log = AccessLog(SqlAccessLog(url), anchor_key=AnchorKey("scope-test", keys.private_key),
                               anchor_every=50)
        gateway = stack.enter_context(serve(create_secure_app(
            str(supergraph), config, access_log=access_log, local_subgraphs=["cases"], subgraph_timeout_s=20.0,
            poll_interval_s=None)))
        yield World(gateway, idp, f"{signed}/graphql", plain_production, plain_dev, cases, officer, own, neighbour,
                    linked)


CASE_BY_ID = "query($id: ID!) { penaltyCase(id: $id) { id bodyUscc version } }"
ALL_CASES = """query($after: String) { penaltyCases(first: 100, after: $after) {
  items { id bodyUscc } nextCursor } }"""
OFFICER_CASES = """query($id: ID!) { penaltyCase(id: $id) { officers { id cases(first: 100) { items { id } } } } }"""
LINK = """mutation($id: ID!) { linkLicence(caseId: $id, licenceId: "LIC-SCOPE-1", action: "SUSPEND") { id version } }"""


def _all_ids(world: World, token: str) -> set[str]:
    seen: set[str] = set()
    after: str | None = None
    for _ in range(20):  # bounded: CASE_COUNT cases at 100 a page
        response = gql(world.gateway, ALL_CASES, {"after": after}, token=token)
        assert response.status_code == 200, response.text
        body = response.json()
        assert "errors" not in body, body
        page = body["data"]["penaltyCases"]
        seen |= {i["id"] for i in page["items"]}
        after = page["nextCursor"]
        if after is None:
            return seen
    raise AssertionError("paging did not end")


def test_officer_sees_own_body_only(world: World) -> None:
    token = world.token(world.officer)
    own = gql(world.gateway, CASE_BY_ID, {"id": world.own.id}, token=token).json()
    assert own["data"]["penaltyCase"]["bodyUscc"] == world.own.body

    hidden = gql(world.gateway, CASE_BY_ID, {"id": world.neighbour.id}, token=token)
    assert hidden.json() == {"data": {"penaltyCase": None}}  # null, and no error telling it exists

    visible = _all_ids(world, token)
    expected = {c.id for c in world.cases if c.body == world.own.body}  # not other bodies of the region
    assert visible == expected
    assert world.neighbour.id not in visible
    by_body = gql(world.gateway, """query($b: String!) { penaltyCases(bodyUscc: $b) { items { id } } }""",
                  {"b": world.neighbour.body}, token=token).json()
    assert by_body == {"data": {"penaltyCases": {"items": []}}}


def test_officer_cases_leave_out_the_neighbouring_case(world: World) -> None:
    def cases_of_linked(token: str) -> set[str]:
        body = gql(world.gateway, OFFICER_CASES, {"id": world.own.id}, token=token).json()
        assert "errors" not in body, body
        officer = next(o for o in body["data"]["penaltyCase"]["officers"] if o["id"] == world.linked_officer)
        return {i["id"] for i in officer["cases"]["items"]}

    assert world.neighbour.id in cases_of_linked(world.token("supervisor1"))  # the link is there...
    seen_by_officer = cases_of_linked(world.token(world.officer))
    assert world.own.id in seen_by_officer
    assert world.neighbour.id not in seen_by_officer  # ...but outside the officer's scope


def test_city_supervisor_sees_every_case(world: World) -> None:
    token = world.token("supervisor1")
    assert _all_ids(world, token) == {c.id for c in world.cases}
    found = gql(world.gateway, CASE_BY_ID, {"id": world.neighbour.id}, token=token).json()
    assert found["data"]["penaltyCase"]["id"] == world.neighbour.id


def test_mutation_on_out_of_scope_case_is_forbidden(world: World) -> None:
    before = gql(world.gateway, CASE_BY_ID, {"id": world.neighbour.id}, token=world.token("supervisor1")).json()
    refused = gql(world.gateway, LINK, {"id": world.neighbour.id}, token=world.token(world.officer))
    assert codes(refused) == ["FORBIDDEN"]
    assert (refused.json().get("data") or {}).get("linkLicence") is None
    after = gql(world.gateway, CASE_BY_ID, {"id": world.neighbour.id}, token=world.token("supervisor1")).json()
    assert after == before  # untouched

    head_of_neighbour = world.token(f"head-{world.own.body}")
    assert codes(gql(world.gateway, LINK, {"id": world.neighbour.id}, token=head_of_neighbour)) == ["FORBIDDEN"]
    # a read-only role may see the case but not change it: the field's rule (cases:write) refuses it before any fetch
    by_auditor = gql(world.gateway, LINK, {"id": world.neighbour.id}, token=world.token("auditor1"))
    assert codes(by_auditor) == ["UNAUTHORIZED_FIELD_OR_TYPE"]
    assert gql(world.gateway, CASE_BY_ID, {"id": world.neighbour.id}, token=world.token("supervisor1")).json() == before


def test_new_case_only_for_own_body(world: World) -> None:
    register = """mutation($input: RegisterClueInput!) { registerClue(input: $input) { id bodyUscc } }"""

    def clue(body: str, region: str) -> dict[str, Any]:
        return {"bodyId": body, "itemCode": ITEM, "itemVersion": "1", "regionCode": region, "source": "INSPECTION",
                "parties": [{"partyType": "ORGANISATION", "name": "某公司"}], "violation": {"start": "2025-02-20"},
                "discoveredOn": "2025-03-01", "at": "2025-03-03T10:00:00+08:00"}

    refused = gql(world.gateway, register, {"input": clue(world.neighbour.body, world.neighbour.region)},
                  token=world.token(world.officer))
    assert codes(refused) == ["FORBIDDEN"]
    allowed = gql(world.gateway, register, {"input": clue(world.own.body, world.own.region)},
                  token=world.token(world.officer))
    assert "FORBIDDEN" not in codes(allowed), allowed.text


def test_unsigned_dev_header_refused_outside_dev(world: World) -> None:
    header = {DEV_HEADER: json.dumps({"id": "OFF-FAKE", "roles": ["SUPERVISOR"]})}
    direct = gql(world.subgraph, CASE_BY_ID, {"id": world.own.id}, headers=header)
    assert direct.status_code == 401
    assert codes(direct) == ["UNSIGNED_CALL"]
    assert world.own.body not in direct.text

    # the same app unprotected but configured for production ignores the header: nothing seen or done
    read = gql(world.plain_production, CASE_BY_ID, {"id": world.own.id}, headers=header).json()
    assert read == {"data": {"penaltyCase": None}}
    listed = gql(world.plain_production, ALL_CASES, headers=header).json()
    assert listed["data"]["penaltyCases"]["items"] == []
    write = gql(world.plain_production, LINK, {"id": world.own.id}, headers=header)
    assert codes(write) == ["UNAUTHENTICATED"]
    upload = httpx.post(f"{world.plain_production}/files", content=b"x", headers=header, timeout=10)
    assert upload.status_code == 401

    # control: in the dev profile the very same header is honoured
    dev = gql(world.plain_dev, CASE_BY_ID, {"id": world.own.id}, headers=header).json()
    assert dev["data"]["penaltyCase"]["id"] == world.own.id
