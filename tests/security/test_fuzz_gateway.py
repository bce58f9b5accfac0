"""Generated queries and mutations against the running hub: every error typed, none internal, no 5xx, no hang.

`hub up` (the dev profile: every simulated departmental system, every subgraph, the gateway) serves the
test over real HTTP. The API schema is read from the gateway by introspection; hypothesis-graphql
draws valid operations from it (queries and mutations, one root field each, arguments with any
string, control characters and NUL included, dates and 64-bit integers of any shape); half of them
go with their arguments as variables. Each goes over HTTP as Apollo Client 4 sends it, as a demo
officer who may write. The answers must hold:

* every error carries ``extensions.code``; none is ``INTERNAL_SERVER_ERROR``;
* no 5xx status;
* no request takes over 10 s (the client's timeout bounds each; a timeout is counted, not waited out).

Sized by HUB_FUZZ_EXAMPLES (default 2,500 with CI=true, 400 elsewhere), drawn by HUB_FUZZ_WORKERS
processes (default 2: drawing is CPU-bound); derandomized (the same operations every run,
HUB_FUZZ_SEED changes them). Failures are collected and reported together with the operations that
caused them (no shrinking: the run is bounded by the count, not by a search).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    ArgumentNode,
    DocumentNode,
    FieldNode,
    GraphQLSchema,
    IntValueNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    VariableDefinitionNode,
    VariableNode,
    build_client_schema,
    build_schema,
    get_introspection_query,
    parse,
    parse_type,
    print_ast,
    print_schema,
    value_from_ast_untyped,
)
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis_graphql import mutations, queries

from tests.security.hub_up import RunningHub, hub_up

pytestmark = pytest.mark.slow

IN_CI = os.environ.get("CI") == "true"
EXAMPLES = int(os.environ.get("HUB_FUZZ_EXAMPLES") or (2_500 if IN_CI else 400))
SEED = int(os.environ.get("HUB_FUZZ_SEED") or 14)
WORKERS = int(os.environ.get("HUB_FUZZ_WORKERS") or 2)  # processes drawing operations (drawing is CPU-bound)
CLIENT_TIMEOUT_S = 10.0
SHARD_TIMEOUT_S = 1800.0  # a bound on one worker's whole run, not a speed target
IN_FLIGHT = 4  # requests in flight per worker: drawing and answers overlap, the machine stays usable
HEADERS = {
    "content-type": "application/json",
    "accept": "application/graphql-response+json,application/json;q=0.9",  # as Apollo Client 4 sends it
}
KEPT = 5  # operations kept per kind of failure for the report


@dataclass
class Tally:
    """What one shard saw; plain data, so a worker process can hand it back."""

    sent: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    counts: Counter[str] = field(default_factory=Counter)  # failures by kind
    kept: dict[str, list[str]] = field(default_factory=dict)  # the first failures of each kind
    messages: Counter[str] = field(default_factory=Counter)  # failures by kind and message

    def note(self, kind: str, query: str, variables: dict[str, Any] | None, detail: str) -> None:
        self.counts[kind] += 1
        self.messages[f"{kind}: {detail[:160]}"] += 1
        kept = self.kept.setdefault(kind, [])
        if len(kept) < KEPT:
            shown = f"\n    variables {json.dumps(variables, ensure_ascii=False)[:300]}" if variables else ""
            kept.append(f"{detail}\n    {query[:600]}{shown}")

    def merge(self, other: Tally) -> None:
        self.sent += other.sent
        self.statuses.update(other.statuses)
        self.codes.update(other.codes)
        self.counts.update(other.counts)
        self.messages.update(other.messages)
        for kind, kept in other.kept.items():
            self.kept.setdefault(kind, []).extend(kept[:KEPT - len(self.kept.get(kind, []))])

    def summary(self) -> str:
        return (f"fuzz: {self.sent} operations sent (seed {SEED}); statuses {dict(sorted(self.statuses.items()))}; "
                f"codes {dict(self.codes.most_common())}; failures {dict(self.counts) or 'none'}")


def _record(tally: Tally, query: str, variables: dict[str, Any] | None, response: httpx.Response,
            elapsed: float) -> None:
    tally.sent += 1
    tally.statuses[response.status_code] += 1
    if elapsed > CLIENT_TIMEOUT_S:
        tally.note("over 10 s", query, variables, f"{elapsed:.1f} s")
    if response.status_code >= 500:
        tally.note("5xx", query, variables, f"HTTP {response.status_code}: {response.text[:300]}")
    try:
        body = response.json()
    except ValueError:
        body = None
    if not isinstance(body, dict):
        tally.note("no extensions.code", query, variables, f"HTTP {response.status_code}, not JSON: {response.text[:300]}")
        return
    for error in body.get("errors") or []:
        code = (error.get("extensions") or {}).get("code") if isinstance(error, dict) else None
        if not isinstance(code, str):
            tally.note("no extensions.code", query, variables, json.dumps(error, ensure_ascii=False)[:400])
            continue
        tally.codes[code] += 1
        if code == "INTERNAL_SERVER_ERROR":
            tally.note("INTERNAL_SERVER_ERROR", query, variables, str(error.get("message"))[:400])


def _send(client: httpx.Client, url: str, query: str, variables: dict[str, Any] | None,
          headers: dict[str, str], tally: Tally, lock: threading.Lock) -> None:
    started = time.monotonic()
    try:
        response = client.post(url, content=json.dumps({"query": query, "variables": variables}), headers=headers)
    except httpx.TimeoutException:
        with lock:
            tally.sent += 1
            tally.note("over 10 s", query, variables, f"no answer within {CLIENT_TIMEOUT_S:.0f} s")
        return
    elapsed = time.monotonic() - started
    with lock:
        _record(tally, query, variables, response, elapsed)


def as_variables(schema: GraphQLSchema, query: str) -> tuple[str, dict[str, Any]]:
    """The same operation with every root field argument sent as a variable (JSON values, as clients send)."""
    document = parse(query)
    [operation] = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    root = schema.mutation_type if operation.operation == OperationType.MUTATION else schema.query_type
    assert root is not None
    definitions: list[VariableDefinitionNode] = []
    values: dict[str, Any] = {}
    selections = []
    for selection in operation.selection_set.selections:
        if isinstance(selection, FieldNode) and selection.arguments and selection.name.value in root.fields:
            args = root.fields[selection.name.value].args
            lifted = []
            for argument in selection.arguments:
                name = f"v{len(definitions)}"
                type_node = parse_type(str(args[argument.name.value].type))
                definitions.append(VariableDefinitionNode(variable=VariableNode(name=NameNode(value=name)),
                                                          type=type_node))
                values[name] = value_from_ast_untyped(argument.value)
                lifted.append(ArgumentNode(name=argument.name, value=VariableNode(name=NameNode(value=name))))
            selection = FieldNode(alias=selection.alias, name=selection.name, arguments=tuple(lifted),
                                  directives=selection.directives, selection_set=selection.selection_set)
        selections.append(selection)
    lifted_operation = OperationDefinitionNode(operation=operation.operation, name=operation.name,
                                               variable_definitions=tuple(definitions),
                                               directives=operation.directives,
                                               selection_set=SelectionSetNode(selections=tuple(selections)))
    return print_ast(DocumentNode(definitions=(lifted_operation,))), values


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


def _operations(schema: GraphQLSchema) -> st.SearchStrategy[str]:
    """One root field per operation (smaller documents, drawn faster; every field as likely as another)."""
    custom = _scalars()
    assert schema.query_type is not None
    assert schema.mutation_type is not None
    per_field = [queries(schema, fields=[name], custom_scalars=custom) for name in schema.query_type.fields]
    per_field += [mutations(schema, fields=[name], custom_scalars=custom) for name in schema.mutation_type.fields]
    return st.one_of(per_field)


def run_shard(url: str, sdl: str, headers: dict[str, str], shard_seed: int, examples: int) -> Tally:
    """Draw `examples` operations (seeded) and send each; runs in a worker process of its own."""
    schema = build_schema(sdl)
    tally = Tally()
    lock = threading.Lock()
    slots = threading.BoundedSemaphore(IN_FLIGHT)
    pending: list[Future[None]] = []
    limits = httpx.Limits(max_connections=IN_FLIGHT, max_keepalive_connections=IN_FLIGHT)
    with httpx.Client(timeout=CLIENT_TIMEOUT_S, limits=limits) as client, \
            ThreadPoolExecutor(max_workers=IN_FLIGHT) as pool:

        @seed(shard_seed)
        @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
                  suppress_health_check=list(HealthCheck))
        @given(_operations(schema), st.booleans())
        def run(query: str, lift: bool) -> None:
            variables: dict[str, Any] | None = None
            if lift:
                query, variables = as_variables(schema, query)
            slots.acquire()  # bounded: at most IN_FLIGHT requests wait for an answer
            future = pool.submit(_send, client, url, query, variables, headers, tally, lock)
            future.add_done_callback(lambda _done: slots.release())
            pending.append(future)

        run()
        for future in pending:
            future.result()
    return tally


@pytest.fixture(scope="module")
def hub(tmp_path_factory: pytest.TempPathFactory, small_seed: Path) -> Iterator[RunningHub]:
    with hub_up(tmp_path_factory.mktemp("fuzz"), small_seed) as running:
        yield running


def _api_sdl(url: str) -> str:
    answer = httpx.post(url, json={"query": get_introspection_query()}, timeout=30).json()
    assert "errors" not in answer, answer
    return print_schema(build_client_schema(answer["data"]))


def test_generated_operations_get_typed_errors_only(hub: RunningHub) -> None:
    gateway = hub.gateway + "/graphql"
    sdl = _api_sdl(gateway)
    # an officer who may write (cases:write), stating a purpose, so mutations reach the cases' own checks
    headers = {**HEADERS, "authorization": f"Bearer {hub.token('officer1')}", "x-purpose-code": "CASE_HANDLING"}
    shares = [EXAMPLES // WORKERS + (1 if i < EXAMPLES % WORKERS else 0) for i in range(WORKERS)]
    started = time.monotonic()
    tally = Tally()
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=multiprocessing.get_context("spawn")) as workers:
        shards = [workers.submit(run_shard, gateway, sdl, headers, SEED * 1000 + i, share)
                  for i, share in enumerate(shares) if share]
        for shard in shards:
            tally.merge(shard.result(timeout=SHARD_TIMEOUT_S))
    print(f"{tally.summary()}; {time.monotonic() - started:.0f} s with {WORKERS} workers")
    assert tally.sent == EXAMPLES, tally.summary()  # every drawn operation was sent and answered or timed out
    report = "\n".join(f"{kind} ({tally.counts[kind]}; the first {len(kept)}):\n  " + "\n  ".join(kept)
                       for kind, kept in tally.kept.items())
    distinct = "\n  ".join(f"{n} x {message}" for message, n in tally.messages.most_common(20))
    assert not tally.counts, f"{tally.summary()}\nby message:\n  {distinct}\n{report}"
