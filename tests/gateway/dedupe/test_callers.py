"""Inbound de-duplication behind the security extensions (production profile, signed subgraph calls, the
access log): one caller's identical reads share one execution, yet each gets its own access record;
another token or another purpose is executed on its own."""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest

from gateway.audit.log import AccessLog
from gateway.audit.store import FileAccessLog
from gateway.inbound_dedupe import InboundDedupe
from gateway.secure import create_secure_app
from gateway.security.config import SecurityConfig
from gateway.security.jwt_auth import JwtSettings
from simulators.base import SimConfig
from simulators.identity.app import create_app as create_identity
from subgraphs.common.security import protect
from tests.gateway.dedupe.support import Gate, join_all, post_in_threads, wait_for
from tests.gateway.security.secure_graph import (
    SIGNING_KEY,
    cases_schema,
    graphql_app,
    people_schema,
    secure_supergraph,
)
from tests.support.servers import serve

N = 4
PERSON = orjson.dumps({"query": "query P($h: String!) { person(idHash: $h) { idHash name mobile } }",
                       "variables": {"h": "h-zhang"}})


@dataclass
class Secure:
    url: str
    idp: str
    people: Gate
    dedupe: InboundDedupe
    log_path: Path

    def token(self, username: str) -> str:
        response = httpx.post(f"{self.idp}/oauth/token", timeout=10, data={
            "grant_type": "password", "username": username, "password": f"{username}-pass"})
        assert response.status_code == 200, response.text
        return str(response.json()["access_token"])

    def records(self) -> list[dict[str, Any]]:
        if not self.log_path.is_file():
            return []
        return [json.loads(line)["body"] for line in self.log_path.read_text(encoding="utf-8").splitlines() if line]


@pytest.fixture(scope="module")
def secure(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Secure]:
    tmp = tmp_path_factory.mktemp("secure-dedupe")
    people = Gate(protect(graphql_app(people_schema()), keys=[SIGNING_KEY], required=True))
    cases = Gate(protect(graphql_app(cases_schema()), keys=[SIGNING_KEY], required=True))
    identity = create_identity(SimConfig(data_dir=tmp, credentials={"ephemeral_keys": "1"}))
    with contextlib.ExitStack() as stack:
        idp = stack.enter_context(serve(identity))
        urls = {"people": stack.enter_context(serve(people)) + "/graphql",
                "cases": stack.enter_context(serve(cases)) + "/graphql"}
        path = tmp / "supergraph.graphql"
        path.write_text(secure_supergraph(urls), encoding="utf-8")
        config = SecurityConfig.production(
            jwt=JwtSettings(jwks_url=f"{idp}/jwks.json", issuer=idp, audience="enforcement-hub"),
            signing_key=SIGNING_KEY, rate_limit=None)
        log_path = tmp / "access_log.jsonl"
        app = create_secure_app(str(path), config, access_log=AccessLog(FileAccessLog(log_path)),
                                local_subgraphs=["cases"], subgraph_timeout_s=10.0, poll_interval_s=None,
                                dedupe_inflight=True)
        dedupe = app.state.inbound_dedupe
        assert isinstance(dedupe, InboundDedupe)  # the security extensions all take part
        gateway = stack.enter_context(serve(app))
        try:
            yield Secure(gateway + "/graphql", idp, people, dedupe, log_path)
        finally:
            people.open()


def ask_together(secure: Secure, headers: list[dict[str, str]], *, executions: int) -> list[httpx.Response]:
    """Send PERSON once per headers, all while the people subgraph holds its answers; wait until
    `executions` of them run (and the rest wait for one of those), then let the subgraph answer."""
    before = secure.dedupe.executed
    secure.people.close()
    results, threads = post_in_threads([(PERSON, h, 20.0) for h in headers], secure.url)
    try:
        wait_for(lambda: secure.dedupe.executed - before == executions
                 and secure.dedupe.waiting() == len(headers) - executions, f"{executions} executions")
    finally:
        secure.people.open()
    join_all(threads)
    assert all(isinstance(r, httpx.Response) and r.status_code == 200 for r in results), results
    return results


def test_one_callers_identical_reads_share_one_execution_but_each_is_recorded(secure: Secure) -> None:
    token = secure.token("officer1")
    seen_before, records_before = secure.people.requests, len(secure.records())
    headers = [{"authorization": f"Bearer {token}", "x-request-id": f"caller-{i}"} for i in range(N)]
    results = ask_together(secure, headers, executions=1)
    assert {r.content for r in results} == {results[0].content}
    assert results[0].json()["data"]["person"]["idHash"] == "h-zhang"
    assert secure.people.requests - seen_before == 1
    records = secure.records()[records_before:]
    # one record per caller: its own request id, the same reader and what was read
    assert sorted(r["requestId"] for r in records) == [f"caller-{i}" for i in range(N)]
    assert len({json.dumps({k: v for k, v in r.items() if k not in ("requestId", "eventId", "ts")}, sort_keys=True)
                for r in records}) == 1
    assert records[0]["subgraphs"]["people"]["fields"]
    assert {r["requester"]["subject"] for r in records} == {records[0]["requester"]["subject"]}


def test_other_tokens_are_executed_on_their_own(secure: Secure) -> None:
    tokens = [secure.token("officer1"), secure.token("head1")]
    records_before = len(secure.records())
    results = ask_together(secure, [{"authorization": f"Bearer {t}"} for t in tokens], executions=2)
    assert all(r.json()["data"]["person"]["idHash"] == "h-zhang" for r in results)
    records = secure.records()[records_before:]
    assert len({r["requester"]["subject"] for r in records}) == 2


def test_another_purpose_is_executed_on_its_own(secure: Secure) -> None:
    token = secure.token("officer1")
    purposes: list[dict[str, str]] = [{}, {"x-purpose-code": "CASE_HANDLING"}]
    records_before = len(secure.records())
    ask_together(secure, [{"authorization": f"Bearer {token}", **p} for p in purposes], executions=2)
    records = secure.records()[records_before:]
    assert sorted(str(r["purposeCode"]) for r in records) == ["CASE_HANDLING", "None"]
