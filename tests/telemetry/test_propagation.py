"""Trace context and the request id cross every hop over real HTTP: into a part (`RequestTelemetry`), from the
gateway to a subgraph (`SubgraphTransport`), from an adapter to a departmental system (`adapters.rest.http`)."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan
from opentelemetry.trace import SpanKind
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from adapters.rest.http import send
from gateway.execution.transport import SubgraphTransport
from telemetry.asgi import RequestTelemetry
from telemetry.context import current_request_id, current_trace_id, request_scope
from telemetry.spans import span
from tests.support.servers import serve

ID_NUMBER = "445121197304149230"


def _hex(value: int, width: int) -> str:
    return format(value, f"0{width}x")


@pytest.fixture
def recorder() -> Iterator[tuple[str, list[dict[str, str]]]]:
    """A system that keeps the headers of every call it receives and answers a GraphQL-shaped body."""
    seen: list[dict[str, str]] = []

    async def anything(request: Request) -> Response:
        seen.append(dict(request.headers))
        return JSONResponse({"data": {"ok": True}})

    app = Starlette(routes=[Route("/{path:path}", anything, methods=["GET", "POST"])])
    with serve(app) as url:
        yield url, seen


def _traceparent(headers: dict[str, str]) -> tuple[str, str]:
    version, trace_id, parent_id, _flags = headers["traceparent"].split("-")
    assert version == "00"
    return trace_id, parent_id


async def test_the_gateway_passes_its_trace_and_request_id_to_the_subgraph(
        recorder: tuple[str, list[dict[str, str]]], spans: list[ReadableSpan]) -> None:
    url, seen = recorder
    transport = SubgraphTransport()
    try:
        with request_scope("req-42"), span("POST /graphql", kind=SpanKind.SERVER) as server:
            await transport.post("population", f"{url}/graphql", b'{"query":"{ ok }"}', {"x-hub-caller": "c"})
    finally:
        await transport.aclose()
    (headers,) = seen
    fetch = next(s for s in spans if s.name == "fetch population")
    assert fetch.kind is SpanKind.CLIENT
    trace_id, parent_id = _traceparent(headers)
    assert trace_id == _hex(server.get_span_context().trace_id, 32)
    assert parent_id == _hex(fetch.context.span_id, 16)  # the subgraph's span will hang under the fetch
    assert headers["x-request-id"] == "req-42"
    assert headers["x-hub-caller"] == "c"  # the extensions' headers are kept


async def test_an_adapter_passes_the_trace_to_the_departmental_system_without_the_path_in_its_span(
        recorder: tuple[str, list[dict[str, str]]], spans: list[ReadableSpan]) -> None:
    url, seen = recorder
    async with httpx.AsyncClient() as client:
        with request_scope("req-7"), span("graphql operation"):
            await send(client, "population", client.build_request("GET", f"{url}/rkk/v1/person/{ID_NUMBER}"))
    (headers,) = seen
    call = next(s for s in spans if s.kind is SpanKind.CLIENT)
    assert _traceparent(headers)[1] == _hex(call.context.span_id, 16)
    assert headers["x-request-id"] == "req-7"
    assert call.attributes is not None
    assert dict(call.attributes) == {"peer.service": "population", "http.request.method": "GET",
                                     "http.response.status_code": 200}


def _part_app(log: logging.Logger) -> Starlette:
    async def graphql(request: Request) -> Response:
        log.warning("looked up %s", ID_NUMBER)
        return JSONResponse({"request_id": current_request_id(), "trace_id": current_trace_id()})

    async def health(request: Request) -> Response:
        return JSONResponse({"request_id": current_request_id(), "trace_id": current_trace_id()})

    return Starlette(routes=[Route("/graphql", graphql, methods=["POST"]), Route("/health", health)],
                     middleware=[Middleware(RequestTelemetry)])


def test_a_part_continues_the_callers_trace_and_answers_with_its_request_id(spans: list[ReadableSpan]) -> None:
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with serve(_part_app(logging.getLogger("tests.part"))) as url, httpx.Client() as client:
        given = client.post(f"{url}/graphql", headers={"x-request-id": "from-client", "traceparent": caller})
        made = client.post(f"{url}/graphql", headers={"x-request-id": ID_NUMBER})
        health = client.get(f"{url}/health")
    assert given.headers["x-request-id"] == given.json()["request_id"] == "from-client"
    assert given.json()["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    # an ID number is no request id: the part makes its own, and says which
    assert made.headers["x-request-id"] == made.json()["request_id"] != ID_NUMBER
    assert health.headers["x-request-id"] == health.json()["request_id"]
    server = [s for s in spans if s.kind is SpanKind.SERVER]
    assert [s.name for s in server] == ["POST /graphql", "POST /graphql"]  # health checks are not traced
    first = server[0]
    assert first.parent is not None
    assert _hex(first.parent.span_id, 16) == "00f067aa0ba902b7"
    assert first.attributes is not None
    assert first.attributes["http.response.status_code"] == 200
