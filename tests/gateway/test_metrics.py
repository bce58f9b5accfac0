"""The gateway's /metrics: requests by type and outcome, error codes, subgraph fetches, reloads; no request data."""

from __future__ import annotations

import collections
import contextlib
import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from gateway.app import create_app
from gateway.errors import SubgraphError, SubgraphUnavailable, SubrequestHttpError, SubrequestTimeout
from gateway.metrics import GatewayMetrics
from tests.gateway.shop import Recorder, subgraph_apps
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import free_port, serve

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]
PRODUCTS_TIMEOUT_S = 0.3


def parse(text: str) -> Samples:
    return {(s.name, frozenset(s.labels.items())): s.value
            for family in text_string_to_metric_families(text) for s in family.samples}


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


def scrape(url: str) -> Samples:
    response = httpx.get(url + "/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    return parse(response.text)


def codes_in(bodies: list[dict[str, Any]]) -> collections.Counter[str]:
    return collections.Counter(e.get("extensions", {}).get("code", "UNKNOWN") for b in bodies for e in b["errors"])


def _broken_subgraph() -> Starlette:
    async def graphql(_: Request) -> Response:
        return JSONResponse({"message": "down for maintenance"}, status_code=503)

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"])])


@dataclass
class Stack:
    url: str
    recorders: dict[str, Recorder]
    supergraph: Path


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """accounts and products answer, inventory is down (nobody listens), reviews answers HTTP 503."""
    logging.getLogger("strawberry").setLevel(logging.CRITICAL)
    recorders = subgraph_apps()
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve(recorders[name])) + "/graphql" for name in ("accounts", "products")}
        urls["inventory"] = f"http://127.0.0.1:{free_port()}/graphql"
        urls["reviews"] = stack.enter_context(serve(_broken_subgraph())) + "/graphql"
        path = tmp_path_factory.mktemp("metrics") / "supergraph.graphql"
        path.write_text(shop_supergraph(urls), encoding="utf-8")
        app = create_app(str(path), subgraph_timeout_s=5.0, subgraph_timeouts={"products": PRODUCTS_TIMEOUT_S},
                         poll_interval_s=None)
        url = stack.enter_context(serve(app))
        yield Stack(url, recorders, path)


def test_requests_are_counted_by_operation_type_and_outcome(stack: Stack) -> None:
    before = scrape(stack.url)
    good = [httpx.post(stack.url + "/graphql", json={"query": "{ me { name } }"}) for _ in range(3)]
    invalid = httpx.post(stack.url + "/graphql", json={"query": "{ me { nope } }"},
                         headers={"accept": "application/graphql-response+json"})
    malformed = httpx.post(stack.url + "/graphql", content=b"{not json",
                           headers={"content-type": "application/json"})
    partial = httpx.post(stack.url + "/graphql", json={"query": "{ users { name } topProducts { name inStock } }"})
    lost = httpx.post(stack.url + "/graphql", json={"query": "{ inventorySize }"})
    after = scrape(stack.url)

    assert all(r.json() == {"data": {"me": {"name": "Ada Lovelace"}}} for r in good)
    assert invalid.status_code == malformed.status_code == 400
    assert "data" not in invalid.json()
    assert "data" not in malformed.json()
    assert partial.json()["data"]["users"]
    assert partial.json()["errors"]
    assert lost.json()["data"] is None
    assert lost.json()["errors"]

    def delta(**labels: str) -> float:
        return value(after, "hub_gateway_requests_total", **labels) - value(
            before, "hub_gateway_requests_total", **labels)

    assert delta(operation_type="query", outcome="ok") == 3
    assert delta(operation_type="query", outcome="partial") == 1
    assert delta(operation_type="query", outcome="error") == 1
    # refused before the operation was planned: its type is not known
    assert delta(operation_type="unknown", outcome="error") == 2
    assert delta(operation_type="unknown", outcome="ok") == delta(operation_type="mutation", outcome="ok") == 0
    for op, count in (("query", 5), ("unknown", 2)):
        name = "hub_gateway_request_duration_seconds_count"
        assert value(after, name, operation_type=op) - value(before, name, operation_type=op) == count
    took = (value(after, "hub_gateway_request_duration_seconds_sum", operation_type="query")
            - value(before, "hub_gateway_request_duration_seconds_sum", operation_type="query"))
    assert 0 < took < 30


def test_error_codes_are_counted_as_the_responses_carried_them(stack: Stack) -> None:
    before = scrape(stack.url)
    responses = [
        httpx.post(stack.url + "/graphql", json={"query": "{ me { nope } users { alsoNope } }"}),
        httpx.post(stack.url + "/graphql", content=b"[1", headers={"content-type": "application/json"}),
        httpx.post(stack.url + "/graphql", json={"query": "{ topProducts { inStock } }"}),
        httpx.post(stack.url + "/graphql", json={"query": "{ reviewCount }"}),
        httpx.get(stack.url + "/graphql", params={"query": "mutation { x }"}),
        httpx.post(stack.url + "/graphql", json={"query": "{ me { name } }"}),
    ]
    after = scrape(stack.url)
    expected = codes_in([r.json() for r in responses if "errors" in r.json()])
    assert sum(expected.values()) >= 6  # two validation errors, bad JSON, inventory, reviews, mutation
    counted = {code: value(after, "hub_gateway_errors_total", code=code)
               - value(before, "hub_gateway_errors_total", code=code) for code in expected}
    assert counted == dict(expected)
    all_codes = {dict(labels)["code"] for name, labels in after if name == "hub_gateway_errors_total"}
    total = sum(value(after, "hub_gateway_errors_total", code=c) - value(before, "hub_gateway_errors_total", code=c)
                for c in all_codes)
    assert total == sum(expected.values())  # nothing counted that no response carried


def test_subgraph_fetches_are_timed_and_failures_counted_by_kind(stack: Stack) -> None:
    accounts = stack.recorders["accounts"]
    before = scrape(stack.url)
    calls_before = len(accounts.bodies)
    bodies = [httpx.post(stack.url + "/graphql", json={"query": q}).json() for q in (
        "{ me { name } }", "{ users { name } }", "{ topProducts { name inStock } }", "{ inventorySize }",
        "{ reviewCount }")]
    stack.recorders["products"].delay_s = 1.0
    try:
        bodies.append(httpx.post(stack.url + "/graphql", json={"query": "{ topProducts { name } }"},
                                 timeout=10).json())
    finally:
        stack.recorders["products"].delay_s = 0.0
    after = scrape(stack.url)

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # one failed fetch per answer here; it is reported once per field it left null, counted once
    failed = collections.Counter(kind for b in bodies for kind in {
        (e["extensions"]["serviceName"], e["extensions"]["code"]) for e in b.get("errors", ())
        if "serviceName" in e["extensions"]})
    assert failed == {("inventory", "SUBGRAPH_UNAVAILABLE"): 2, ("reviews", "SUBREQUEST_HTTP_ERROR"): 1,
                      ("products", "SUBREQUEST_TIMEOUT"): 1}
    errors = "hub_gateway_subgraph_fetch_errors_total"
    assert delta(errors, subgraph="inventory", kind="unavailable") == failed[("inventory", "SUBGRAPH_UNAVAILABLE")]
    assert delta(errors, subgraph="reviews", kind="http") == failed[("reviews", "SUBREQUEST_HTTP_ERROR")]
    assert delta(errors, subgraph="products", kind="timeout") == failed[("products", "SUBREQUEST_TIMEOUT")]
    assert delta(errors, subgraph="accounts", kind="unavailable") == delta(errors, subgraph="accounts", kind="http") == 0
    assert delta(errors, subgraph="products", kind="unavailable") == 0

    fetches = "hub_gateway_subgraph_fetch_duration_seconds"
    assert delta(fetches + "_count", subgraph="accounts") == len(accounts.bodies) - calls_before == 2
    assert delta(fetches + "_count", subgraph="inventory") == 2  # failed calls are timed too
    # the timed-out call took at least the products timeout, so it is missing from the lower buckets
    assert delta(fetches + "_sum", subgraph="products") >= PRODUCTS_TIMEOUT_S
    assert delta(fetches + "_bucket", subgraph="products", le="0.25") == delta(
        fetches + "_count", subgraph="products") - 1


def test_reloads_are_the_ones_health_reports(stack: Stack, tmp_path: Path) -> None:
    path = tmp_path / "supergraph.graphql"
    sdl = stack.supergraph.read_text(encoding="utf-8")
    path.write_text(sdl, encoding="utf-8")
    with serve(create_app(str(path), poll_interval_s=0.05)) as url:
        assert value(scrape(url), "hub_gateway_supergraph_reloads_total") == 0
        path.write_text(sdl.replace("  reviewCount: Int! @join__field(graph: REVIEWS)\n", ""), encoding="utf-8")
        deadline = time.monotonic() + 5
        while httpx.get(url + "/health").json()["reloads"] == 0 and time.monotonic() < deadline:
            time.sleep(0.05)
        reloads = httpx.get(url + "/health").json()["reloads"]
        assert reloads == 1
        assert value(scrape(url), "hub_gateway_supergraph_reloads_total") == reloads


def test_metrics_off_serves_no_page_and_still_answers(stack: Stack) -> None:
    with serve(create_app(str(stack.supergraph), poll_interval_s=None, metrics=False)) as url:
        assert httpx.get(url + "/metrics").status_code == 404
        assert httpx.post(url + "/graphql", json={"query": "{ me { name } }"}).json() == {
            "data": {"me": {"name": "Ada Lovelace"}}}


def test_labels_never_carry_request_data(stack: Stack) -> None:
    secret = "110101199003077777"
    httpx.post(stack.url + "/graphql", json={"query": f'query Person{secret} {{ me {{ name }} }}',
                                             "operationName": f"Person{secret}", "variables": {"id": secret}})
    httpx.post(stack.url + "/graphql", json={"query": f'{{ me {{ n{secret} }} }}'})
    text = httpx.get(stack.url + "/metrics").text
    assert secret not in text
    assert "Person" not in text


# ---------------------------------------------------------------- GatewayMetrics directly

OUTCOME_BODIES = ("ok", "partial", "error", "refused")
CODES = st.one_of(st.none(), st.sampled_from(["BAD_USER_INPUT", "SUBGRAPH_UNAVAILABLE", "FORBIDDEN"]))
FETCH_ERRORS: dict[str, type[SubgraphError] | None] = {
    "none": None, "timeout": SubrequestTimeout, "unavailable": SubgraphUnavailable, "http": SubrequestHttpError}


def _body(kind: str, codes: list[str | None]) -> dict[str, Any]:
    errors = [{"message": "x"} if c is None else {"message": "x", "extensions": {"code": c}} for c in codes]
    if kind == "ok":
        return {"data": {"a": 1}}
    if kind == "partial":
        return {"data": {"a": None}, "errors": errors}
    if kind == "error":
        return {"data": None, "errors": errors}
    return {"errors": errors}


REQUESTS = st.lists(st.tuples(st.sampled_from(["query", "mutation", "subscription", "unknown"]),
                              st.sampled_from(OUTCOME_BODIES), st.lists(CODES, min_size=1, max_size=3),
                              st.floats(min_value=0, max_value=40)), max_size=40)
FETCHES = st.lists(st.tuples(st.sampled_from(["accounts", "inventory", "products"]),
                             st.sampled_from(sorted(FETCH_ERRORS)), st.floats(min_value=0, max_value=40)),
                   max_size=40)


@settings(max_examples=60, deadline=None)
@given(REQUESTS, FETCHES)
def test_counters_equal_the_counts_of_what_was_recorded(
        requests: list[tuple[str, str, list[str | None], float]], fetches: list[tuple[str, str, float]]) -> None:
    metrics = GatewayMetrics()
    for op, kind, codes, took in requests:
        metrics.record_request(op, _body(kind, codes), took)
    for service, error, took in fetches:
        cls = FETCH_ERRORS[error]
        metrics.record_fetch(service, took, None if cls is None else cls("failed", service=service))
    samples = parse(metrics.render().decode())

    outcome = {"ok": "ok", "partial": "partial", "error": "error", "refused": "error"}
    by_label = collections.Counter((op, outcome[kind]) for op, kind, _, _ in requests)
    for op in ("query", "mutation", "subscription", "unknown"):
        for out in ("ok", "partial", "error"):
            assert value(samples, "hub_gateway_requests_total", operation_type=op, outcome=out) == by_label[(op, out)]
        assert value(samples, "hub_gateway_request_duration_seconds_count", operation_type=op) == sum(
            1 for r in requests if r[0] == op)
    codes = collections.Counter("UNKNOWN" if c is None else c
                                for _, kind, cs, _ in requests if kind != "ok" for c in cs)
    counted = {dict(labels)["code"]: v for (name, labels), v in samples.items() if name == "hub_gateway_errors_total"}
    assert counted == dict(codes)
    failures = collections.Counter((s, e) for s, e, _ in fetches if e != "none")
    counted_failures = {(dict(labels)["subgraph"], dict(labels)["kind"]): v for (name, labels), v in samples.items()
                        if name == "hub_gateway_subgraph_fetch_errors_total"}
    assert counted_failures == dict(failures)
    for service in ("accounts", "inventory", "products"):
        assert value(samples, "hub_gateway_subgraph_fetch_duration_seconds_count", subgraph=service) == sum(
            1 for f in fetches if f[0] == service)


def test_each_instance_counts_alone() -> None:
    first, second = GatewayMetrics(), GatewayMetrics()
    first.record_request("query", {"data": {}}, 0.01)
    assert value(parse(first.render().decode()), "hub_gateway_requests_total", operation_type="query",
                 outcome="ok") == 1
    assert value(parse(second.render().decode()), "hub_gateway_requests_total", operation_type="query",
                 outcome="ok") == 0


def test_odd_or_too_many_codes_do_not_become_labels() -> None:
    metrics = GatewayMetrics()
    leaked = "ID 110101199003077777"
    metrics.record_request("query", {"data": None, "errors": [{"extensions": {"code": leaked}}]}, 0.01)
    for i in range(200):
        metrics.record_request("query", {"data": None, "errors": [{"extensions": {"code": f"CODE_{i}"}}]}, 0.01)
    samples = parse(metrics.render().decode())
    labels = {dict(labels)["code"] for name, labels in samples if name == "hub_gateway_errors_total"}
    assert leaked not in labels
    assert "110101199003077777" not in metrics.render().decode()
    assert len(labels) <= 70
    assert sum(v for (name, _), v in samples.items() if name == "hub_gateway_errors_total") == 201
