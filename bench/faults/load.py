"""The load's plumbing: one GraphQL call measured and classified, the samples of the run, and the
query workers of three roles (officer, supervisor, auditor) with tokens from the identity provider.

Every call is recorded as a `Sample`: when (seconds since the run began), what (query:ROLE,
step:MUTATION, upload), the phase it fell in, its latency, its HTTP status (0: no HTTP answer — the
transport's error class is recorded instead) and the `extensions.code` of each error (NO_CODE for an
error without one).
"""

from __future__ import annotations

import asyncio
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import orjson

from bench.faults.world import World

#: the gateway answers a client within this (3 s per subgraph, retried, plus queueing on two cores)
CLIENT_TIMEOUT_S = 30.0


@dataclass(frozen=True)
class Sample:
    at: float
    kind: str
    phase: str
    latency_s: float
    status: int
    codes: tuple[str, ...]
    transport: str = ""  # the transport error's class when there was no HTTP answer

    @property
    def ok(self) -> bool:
        return self.status == 200 and not self.codes


@dataclass(frozen=True)
class Answer:
    status: int
    body: dict[str, Any] | None
    codes: tuple[str, ...]
    transport: str = ""

    @property
    def data(self) -> dict[str, Any] | None:
        return (self.body or {}).get("data")


@dataclass
class Recorder:
    """The samples of the run; `phase` is what the fault schedule says is going on now."""

    started: float = field(default_factory=time.monotonic)
    phase: str = "warmup"
    samples: list[Sample] = field(default_factory=list)
    examples: dict[str, str] = field(default_factory=dict)  # the first message seen per error code

    def now(self) -> float:
        return time.monotonic() - self.started


def error_codes(body: Any) -> tuple[str, ...]:
    errors = body.get("errors") if isinstance(body, dict) else None
    if not errors:
        return ()
    return tuple(str((e.get("extensions") or {}).get("code") or "NO_CODE") for e in errors)


async def call(http: httpx.AsyncClient, rec: Recorder, url: str, kind: str, query: str,
               variables: dict[str, Any], headers: dict[str, str], *, timeout_s: float | None = None) -> Answer:
    """POST one GraphQL request; record and return what came back. `timeout_s`: the client gives up
    that soon (a phone losing its network while the request is on its way or being answered)."""
    phase, started = rec.phase, time.monotonic()
    try:
        response = await http.post(url, content=orjson.dumps({"query": query, "variables": variables}),
                                   headers={"content-type": "application/json", **headers},
                                   timeout=timeout_s if timeout_s is not None else http.timeout)
    except httpx.HTTPError as exc:
        answer = Answer(0, None, (), type(exc).__name__)
    else:
        try:
            body = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            body = None
        answer = Answer(response.status_code, body if isinstance(body, dict) else None,
                        error_codes(body) if body is not None else ("NOT_JSON",))
    for error in (answer.body or {}).get("errors") or []:
        code = str((error.get("extensions") or {}).get("code") or "NO_CODE")
        rec.examples.setdefault(code, f"{kind}: {str(error.get('message'))[:300]}")
    rec.samples.append(Sample(started - rec.started, kind, phase, time.monotonic() - started, answer.status,
                              answer.codes, answer.transport))
    return answer


class Tokens:
    """Access tokens from the identity provider (password grant, one hour), one per user name."""

    def __init__(self, idp: str) -> None:
        self.idp = idp
        self._cache: dict[str, str] = {}

    async def headers(self, http: httpx.AsyncClient, username: str) -> dict[str, str]:
        if username not in self._cache:
            for _ in range(30):  # bounded: the identity provider is not one of the faults, but may be slow
                try:
                    response = await http.post(f"{self.idp}/oauth/token", data={
                        "grant_type": "password", "username": username, "password": f"{username}-pass",
                        "expires_in": "3600"})
                    if response.status_code == 200:
                        self._cache[username] = str(response.json()["access_token"])
                        break
                except httpx.HTTPError:
                    pass
                await asyncio.sleep(1)
            else:
                raise RuntimeError(f"no token for {username}")
        return {"authorization": f"Bearer {self._cache[username]}"}


CASES_OF_BODY = """query($b: String!) { penaltyCases(bodyUscc: $b, first: 20) { total items { id caseNo status version } } }"""
CASE_BY_ID = """query($id: ID!) { penaltyCase(id: $id) { id caseNo status version evidence { sm3 } } }"""
ENTITY = """query($u: String!) { legalEntity(uscc: $u) { uscc name status } }"""
BODIES = """{ searchEnforcementBodies(level: "CITY", first: 5) { items { name level officers { name } } } }"""
ALERTS = """{ supervisionAlerts(first: 10) { total items { id ruleId severity } } }"""
CITY_CASES = """{ penaltyCases(first: 20) { total items { id status bodyUscc } } }"""
COUNTS = """{ supervisionCaseCounts(dimension: BODY) { key cases } }"""
AUDIT_CASES = """{ penaltyCases(first: 10, status: INVESTIGATING) { total items { id caseNo } } }"""

Query = tuple[str, str, Callable[[random.Random], dict[str, Any]]]


def role_queries(world: World, case_ids: list[str]) -> dict[str, tuple[str, list[Query]]]:
    """Per role: the user who signs in and the queries it sends (picked at random)."""
    team = world.teams[0]

    def some_case(rng: random.Random) -> dict[str, Any]:
        return {"id": rng.choice(case_ids) if case_ids else "none"}

    return {
        "officer": (team.officers[1], [
            ("cases-of-body", CASES_OF_BODY, lambda rng: {"b": team.body}),
            ("case-by-id", CASE_BY_ID, some_case),
            ("legal-entity", ENTITY, lambda rng: {"u": rng.choice(world.entities)}),
            ("bodies", BODIES, lambda rng: {}),
        ]),
        "supervisor": ("supervisor1", [
            ("alerts", ALERTS, lambda rng: {}),
            ("city-cases", CITY_CASES, lambda rng: {}),
            ("case-by-id", CASE_BY_ID, some_case),
            ("legal-entity", ENTITY, lambda rng: {"u": rng.choice(world.entities)}),
        ]),
        "auditor": ("auditor1", [
            ("case-counts", COUNTS, lambda rng: {}),
            ("investigating", AUDIT_CASES, lambda rng: {}),
        ]),
    }


async def query_worker(http: httpx.AsyncClient, rec: Recorder, gateway: str, tokens: Tokens, role: str,
                       user: str, queries: list[Query], *, until: float, seed: int, pause_s: float = 0.05) -> None:
    """Send the role's queries one after another until `until` (seconds since the run began)."""
    rng = random.Random(seed)
    headers = await tokens.headers(http, user)
    while rec.now() < until:
        name, query, variables = rng.choice(queries)
        await call(http, rec, gateway, f"query:{role}/{name}", query, variables(rng), headers)
        await asyncio.sleep(pause_s)
