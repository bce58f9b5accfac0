"""Generated queries and mutations against the running hub: every error typed, none internal, no 5xx, no hang.

`hub up` (the dev profile: every simulated departmental system, every subgraph, the gateway) serves the
test over real HTTP. The API schema is read from the gateway by introspection; hypothesis-graphql
draws valid operations from it (queries and mutations, arguments with any string, control characters
and NUL included, dates and 64-bit integers of any shape). Each goes over HTTP as Apollo Client 4 sends
it, as a demo officer who may write. The answers must hold:

* every error carries ``extensions.code``; none is ``INTERNAL_SERVER_ERROR``;
* no 5xx status;
* no request takes over 10 s (the client's timeout bounds each; a timeout is counted, not waited out).

Sized by HUB_FUZZ_EXAMPLES (default 10,000 with CI=true, 400 elsewhere); derandomized (the same
operations every run, HUB_FUZZ_SEED changes them). Failures are collected and reported together with
the operations that caused them (no shrinking: the run is bounded by the count, not by a search).
"""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLSchema,
    IntValueNode,
    StringValueNode,
    build_client_schema,
    get_introspection_query,
)
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from tests.security.hub_up import RunningHub, hub_up

pytestmark = pytest.mark.slow

IN_CI = os.environ.get("CI") == "true"
EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES") or (10_000 if IN_CI else 400))
SEED = int(os.environ.get("HUB_FUZZ_SEED") or 14)
CLIENT_TIMEOUT_S = 10.0
IN_FLIGHT = 4  # requests in flight at once: generation and answers overlap, the machine stays usable
HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json,application/json;q=0.9",  # as Apollo Client 4 sends it
}
KEPT = 5  # operations kept per kind of failure for the report


@dataclass
class Tally:
    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    uncoded: list[str] = field(default_factory=list)
    internal: list[str] = field(default_factory=list)
    server_errors: list[str] = field(default_factory=list)
    slow: list[str] = field(default_factory=list)
    uncoded_count: int = 0
    internal_count: int = 0
    server_error_count: int = 0
    slow_count: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def note(self, kind: str, query: str, detail: str) -> None:
        setattr(self, f"{kind}_count", getattr(self, f"{kind}_count") + 1)
        kept: list[str] = getattr(self, kind)
        if len(kept) < KEPT:
            kept.append(f"{detail}\n    {query[:600]}")

    def summary(self) -> str:
        return (f"fuzz: {self.sent} operations sent (seed {SEED}); statuses {dict(sorted(self.statuses.items()))}; "
                f"codes {dict(self.codes.most_common())}; uncoded {self.uncoded_count}, internal "
                f"{self.internal_count}, 5xx {self.server_error_count}, over {CLIENT_TIMEOUT_S:.0f} s "
                f"{self.slow_count}")


def _send(client: httpx.Client, url: str, query: str, headers: dict[str, str], tally: Tally) -> None:
    started = time.monotonic()
    try:
        response = client.post(url, content=json.dumps({"query": query}), headers=headers)
    except httpx.TimeoutException:
        with tally.lock:
            tally.sent += 1
            tally.note("slow", query, f"no answer within {CLIENT_TIMEOUT_S:.0f} s")
        return
    elapsed = time.monotonic() - started
    try:
        body = response.json()
    except ValueError:
        body = None
    with tally.lock:
        tally.sent += 1
        tally.statuses[response.status_code] += 1
        if elapsed > CLIENT_TIMEOUT_S:
            tally.note("slow", query, f"{elapsed:.1f} s")
        if response.status_code >= 500:
            tally.note("server_error", query, f"HTTP {response.status_code}: {response.text[:300]}")
        if not isinstance(body, dict):
            tally.note("uncoded", query, f"HTTP {response.status_code}, not a JSON object: {response.text[:300]}")
            return
        for error in body.get("errors") or []:
            code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
            if not isinstance(code, str):
                tally.note("uncoded", query, f"no extensions.code: {json.dumps(error, ensure_ascii=False)[:400]}")
                continue
            tally.codes[code] += 1
            if code == "INTERNAL_SERVER_ERROR":
                tally.note("internal", query, json.dumps(error, ensure_ascii=False)[:400])


def _scalars() -> dict[str, st.SearchStrategy[Any]]:
    text = st.text(max_size=40)
    dates = st.dates().map(lambda d: d.isoformat())
    instants = st.datetimes(timezones=st.timezones()).map(lambda t: t.isoformat())
    big = st.integers(min_value=-(2**70), max_value=2**70)
    return {
        "Date": st.one_of(dates, text, st.just("2026-13-45"), st.just("2026-02-30")).map(
            lambda v: StringValueNode(value=v)),
        "DateTime": st.one_of(instants, text).map(lambda v: StringValueNode(value=v)),
        "Int64": st.one_of(big.map(lambda n: IntValueNode(value=str(n))),
                           st.one_of(big.map(str), text).map(lambda v: StringValueNode(value=v))),
    }


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, small_seed: Path) -> Iterator[RunningHub]:
    with hub_up(tmp_path_factory.mktemp("fuzz"), small_seed) as running:
        yield running


def _api_schema(url: str) -> GraphQLSchema:
    answer = httpx.post(url, json={"query": get_introspection_query()}, timeout=30).json()
    assert "errors" not in answer, answer
    return build_client_schema(answer["data"])


def _operations(schema: GraphQLSchema) -> st.SearchStrategy[str]:
    """One root field per operation (smaller documents, drawn faster; every field as likely as another)."""
    custom = _scalars()
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    per_field = [queries(schema, fields=[name], custom_scalars=custom) for name in schema.query_type.fields]
    per_field += [mutations(schema, fields=[name], custom_scalars=custom) for name in schema.mutation_type.fields]
    return st.one_of(per_field)


def test_generated_operations_get_typed_errors_only(hub: RunningHub) -> None:
    gateway = hub.gateway + "/graphql"
    schema = _api_schema(gateway)
    operations = _operations(schema)
    # an officer who may write (cases:write), stating a purpose, so mutations reach the cases' own checks
    headers = {**HEADERS, "authorization": f"Bearer {hub.token('officer1')}", "x-purpose-code": "CASE_HANDLING"}
    tally = Tally()
    slots = threading.BoundedSemaphore(IN_FLIGHT)
    pending: list[Future[None]] = []
    started = time.monotonic()
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    with httpx.Client(timeout=CLIENT_TIMEOUT_S, limits=limits) as client, \
            ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:

        def release(_done: Future[None]) -> None:
            slots.release()

        @seed(SEED)
        @settings(max_examples=EXAMPLES, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(operations)
        def run(query: str) -> None:
            slots.acquire()  # bounded: at most IN_FLIGHT requests wait for an answer
            future = pool.submit(_send, client, gateway, query, headers, tally)
            future.add_done_callback(release)
            pending.append(future)

        run()
        for future in pending:
            future.result()
    print(f"{tally.summary()}; {time.monotonic() - started:.0f} s")
    assert tally.sent >= min(EXAMPLES, 100), tally.summary()  # the run did send what it drew
    problems = {"errors without extensions.code": tally.uncoded, "INTERNAL_SERVER_ERROR": tally.internal,
                "5xx": tally.server_errors, f"over {CLIENT_TIMEOUT_S:.0f} s": tally.slow}
    report = "\n".join(f"{kind} (first {len(kept)}):\n  " + "\n  ".join(kept)
                       for kind, kept in problems.items() if kept)
    assert not report, f"{tally.summary()}\n{report}"
