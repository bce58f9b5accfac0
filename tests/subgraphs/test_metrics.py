"""A subgraph's /metrics: GraphQL requests counted ok/error and timed; the GraphQL answers stay the same."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import strawberry
from prometheus_client.parser import text_string_to_metric_families
from starlette.applications import Starlette
from starlette.requests import Request

from subgraphs.common.app import build_subgraph_app
from subgraphs.common.schema import SubgraphSchema
from tests.support.servers import serve

NAME = "probe"
Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


@strawberry.type
class Query:
    @strawberry.field
    def hello(self) -> str:
        return "world"

    @strawberry.field
    def broken(self) -> str | None:
        raise ValueError("the source system refused")


@contextlib.asynccontextmanager
async def _resources() -> AsyncIterator[None]:
    yield None


async def _context(_: None, request: Request) -> dict[str, Any]:
    return {"request": request}


def _app(*, metrics: bool = True) -> Starlette:
    return build_subgraph_app(name=NAME, schema=SubgraphSchema(subgraph=NAME, query=Query), resources=_resources,
                              context=_context, metrics=metrics)


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


@pytest.fixture(scope="module")
def subgraph() -> Iterator[str]:
    logging.getLogger("subgraphs.errors").setLevel(logging.CRITICAL)
    with serve(_app()) as url:
        yield url


def _ask(url: str) -> list[httpx.Response]:
    graphql = url + "/graphql"
    return [
        httpx.post(graphql, json={"query": "{ hello }"}),
        httpx.get(graphql, params={"query": "{ hello }"}),
        httpx.post(graphql, json={"query": "{ hello broken }"}),
        httpx.post(graphql, json={"query": "{ nope }"}),
        httpx.post(graphql, content=b"{not json", headers={"content-type": "application/json"}),
    ]


def test_requests_are_counted_ok_or_error_and_timed(subgraph: str) -> None:
    before = scrape(subgraph)
    answers = _ask(subgraph)
    httpx.get(subgraph + "/health")  # not a GraphQL request: not counted
    after = scrape(subgraph)

    failed = [r for r in answers if r.status_code >= 400 or "errors" in r.json()]
    assert len(failed) == 3
    assert answers[2].status_code == 200  # a resolver error is still HTTP 200

    def delta(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    assert delta("hub_subgraph_requests_total", subgraph=NAME, outcome="ok") == len(answers) - len(failed)
    assert delta("hub_subgraph_requests_total", subgraph=NAME, outcome="error") == len(failed)
    assert delta("hub_subgraph_request_duration_seconds_count", subgraph=NAME) == len(answers)
    assert 0 < delta("hub_subgraph_request_duration_seconds_sum", subgraph=NAME) < 30
    names = {dict(labels).get("subgraph") for name, labels in after if name.startswith("hub_subgraph_")}
    assert names == {NAME}


def test_the_graphql_answers_are_the_same_with_metrics_off() -> None:
    with serve(_app()) as on, serve(_app(metrics=False)) as off:
        assert httpx.get(off + "/metrics").status_code == 404
        for with_metrics, without in zip(_ask(on), _ask(off), strict=True):
            assert with_metrics.status_code == without.status_code
            assert with_metrics.content == without.content


def test_each_app_counts_alone(subgraph: str) -> None:
    with serve(_app()) as other:
        httpx.post(other + "/graphql", json={"query": "{ hello }"})
        assert value(scrape(other), "hub_subgraph_requests_total", subgraph=NAME, outcome="ok") == 1
