"""Personnel searches and certificate histories through the production-profile gateway, over real HTTP.

On loopback: the identity provider, the provincial certificate system (it drops a snapshot in which
a certificate was suspended on a known day), the personnel subgraph requiring signed calls, and the
gateway (JWT, signed calls to the subgraph) over the supergraph composed from the subgraph's SDL.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from gateway.compose.compose import compose
from gateway.compose.sources import SubgraphSource
from gateway.secure import create_secure_app
from gateway.security.config import SecurityConfig
from gateway.security.jwt_auth import JwtSettings
from gateway.security.ratelimit import RateLimit
from simulators.base import SimConfig
from simulators.certificates.app import create_app as create_certificate_system
from simulators.identity.app import create_app as create_identity
from subgraphs.common.config import SubgraphConfig
from subgraphs.common.security import protect
from subgraphs.personnel.app import create_app as create_personnel
from subgraphs.sdl import render_sdl
from tests.adapters.personnel_seed import COUNTY, write_personnel_seed
from tests.support.servers import serve
from trust.signing import SigningKey

SIGNING_KEY = SigningKey("gw-personnel", b"test-only-signing-secret-personnel-0123456789")
SUSPENDED = "44000100ZF"  # OFF-0001's certificate, valid from 2024-01-10


@dataclass(frozen=True)
class Stack:
    gateway: str
    idp: str

    def token(self, username: str) -> str:
        response = httpx.post(f"{self.idp}/oauth/token", timeout=5, data={
            "grant_type": "password", "username": username, "password": f"{username}-pass"})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def ask(self, username: str, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(f"{self.gateway}/graphql", json={"query": query, "variables": variables}, timeout=15,
                              headers={"authorization": f"Bearer {self.token(username)}"})
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    root = tmp_path_factory.mktemp("personnel-gateway")
    seed, drop = root / "seed", root / "drop"
    seed.mkdir()
    write_personnel_seed(seed)
    with contextlib.ExitStack() as running:
        certificates = running.enter_context(serve(create_certificate_system(SimConfig(admin=True, data_dir=seed),
                                                                             drop_dir=drop)))
        response = httpx.post(f"{certificates}/__admin/drop", timeout=10, json={
            "date": "20260304", "change": {SUSPENDED: {"status": "SUSPENDED", "status_changed_on": "2026-02-20"}}})
        assert response.status_code == 200, response.text
        idp = running.enter_context(serve(create_identity(SimConfig(
            data_dir=root, credentials={"ephemeral_keys": "1", "allow_test_expiry": "1"}))))
        config = SubgraphConfig(database_url=f"sqlite:///{root / 'hub.db'}", id_hash_secret=b"integration-pepper",
                                seed_dir=seed, certificate_drop_dir=drop)
        personnel = running.enter_context(serve(protect(create_personnel(config=config), keys=[SIGNING_KEY],
                                                        required=True))) + "/graphql"
        composed = compose([SubgraphSource("personnel", personnel, render_sdl("personnel"))])
        assert composed.ok, composed.errors
        path: Path = root / "supergraph.graphql"
        path.write_text(composed.supergraph_sdl or "", encoding="utf-8")
        security = SecurityConfig.production(
            jwt=JwtSettings(jwks_url=f"{idp}/jwks.json", issuer=idp, audience="enforcement-hub"),
            signing_key=SIGNING_KEY, rate_limit=RateLimit(capacity=10_000, refill_per_s=1000))
        gateway = running.enter_context(serve(create_secure_app(str(path), security, subgraph_timeout_s=10.0,
                                                                poll_interval_s=None)))
        yield Stack(gateway, idp)


SEARCH = """query($f: OfficerFilter, $after: String) {
  searchOfficers(filter: $f, orderBy: [{field: NAME, direction: DESC}], first: 2, after: $after) {
    items { id name certificates { certNo status statusOn(date: "2026-02-19")
      statusHistory { status from until } } } nextCursor total } }"""


def test_filtered_search_pages_through_the_gateway_with_the_certificate_history(stack: Stack) -> None:
    seen: list[dict[str, Any]] = []
    totals = set()
    after = None
    while True:
        answer = stack.ask("public1", SEARCH, {"f": {"region": "445100", "statuses": ["ACTIVE"]}, "after": after})
        assert "errors" not in answer, answer
        page = answer["data"]["searchOfficers"]
        seen += page["items"]
        totals.add(page["total"])
        after = page["nextCursor"]
        if after is None:
            break
    assert totals == {6}, "every seeded officer's body lies in the city; total is the same on every page"
    assert [o["name"] for o in seen] == sorted((o["name"] for o in seen), reverse=True)
    certificate = next(c for o in seen for c in o["certificates"] if c["certNo"] == SUSPENDED)
    assert certificate["status"] == "SUSPENDED"
    assert certificate["statusOn"] == "ACTIVE"  # the day before the suspension
    assert certificate["statusHistory"] == [{"status": "ACTIVE", "from": "2024-01-10", "until": "2026-02-19"},
                                            {"status": "SUSPENDED", "from": "2026-02-20", "until": None}]
    county = stack.ask("public1", "{ searchEnforcementBodies(filter: {region: \"445102\"}) { items { uscc } total } }")
    assert county["data"]["searchEnforcementBodies"]["total"] == 2  # the county and its town
    assert COUNTY in {b["uscc"] for b in county["data"]["searchEnforcementBodies"]["items"]}


def test_the_legal_reviewer_condition_needs_what_the_field_needs(stack: Stack) -> None:
    query = "{ searchOfficers(filter: {isLegalReviewer: false}) { total } }"
    refused = stack.ask("public1", query)
    assert refused["data"]["searchOfficers"] is None
    assert refused["errors"][0]["extensions"]["code"] == "FORBIDDEN"
    allowed = stack.ask("officer1", query)
    assert "errors" not in allowed, allowed
    assert allowed["data"]["searchOfficers"]["total"] == 6
