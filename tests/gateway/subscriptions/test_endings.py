"""How a subscription ends besides completing: the caller's token expires (``UNAUTHENTICATED``), the
subgraph goes away mid-stream (``SUBGRAPH_UNAVAILABLE``); authentication applies at subscribe time."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.exceptions import ConnectionClosed

from gateway.secure import security_extensions
from gateway.security.config import SecurityConfig
from gateway.security.jwt_auth import JwtSettings
from tests.support.servers import serve

from .harness import CASES, EVENTS, OFFICERS, PHONES, QUERY, Graph, expected_event, running_graph, sse_events
from .ws_client import TIMEOUT_S, collect, open_ws, subscribe, wait_until

ISSUER = "https://idp.test.local/realms/enforcement"
AUDIENCE = "enforcement-hub"
KEY = ec.generate_private_key(ec.SECP256R1())


@pytest.fixture(scope="module")
def jwks_url() -> Iterator[str]:
    jwk = jwt.algorithms.ECAlgorithm.to_jwk(KEY.public_key(), as_dict=True)

    async def jwks(_: Request) -> JSONResponse:
        return JSONResponse({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "ES256"}]})

    with serve(Starlette(routes=[Route("/jwks.json", jwks)])) as base:
        yield f"{base}/jwks.json"


def token(lifetime_s: float, scope: str = "case:read") -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": ISSUER, "sub": "officer-0001", "aud": AUDIENCE, "iat": now, "nbf": now,
                              "exp": now + lifetime_s, "roles": ["OFFICER"], "scope": scope}
    return jwt.encode(claims, KEY, algorithm="ES256", headers={"kid": "k1"})


def secured(jwks: str) -> list[Any]:
    config = SecurityConfig(jwt=JwtSettings(jwks_url=jwks, issuer=ISSUER, audience=AUDIENCE),
                            rate_limit=None)
    return security_extensions(config)


async def sse(graph: Graph, headers: dict[str, str] | None = None) -> tuple[int, str]:
    async with httpx.AsyncClient(timeout=15) as client:
        response = await client.post(f"{graph.gateway}/graphql", json={"query": QUERY},
                                     headers={"accept": "text/event-stream", **(headers or {})})
    return response.status_code, response.text


def ends_with(messages: list[tuple[str, Any]], code: str) -> None:
    """All events first, then one error payload with `code`, then complete."""
    assert messages[:len(EVENTS)] == [("next", expected_event(i)) for i in range(len(EVENTS))]
    assert len(messages) == len(EVENTS) + 2, messages
    kind, payload = messages[len(EVENTS)]
    assert kind == "next"
    assert [e["extensions"]["code"] for e in payload["errors"]] == [code]
    assert "data" not in payload
    assert messages[-1] == ("complete", None)


@pytest.fixture(scope="module")
def secured_graph(tmp_path_factory: pytest.TempPathFactory, jwks_url: str) -> Iterator[Graph]:
    with running_graph(tmp_path_factory.mktemp("secured"), extensions=secured(jwks_url)) as graph:
        yield graph


async def ws_stream(graph: Graph, init: dict[str, Any], query: str = QUERY) -> list[tuple[str, Any]]:
    ws = await open_ws(graph.ws, init)
    try:
        await subscribe(ws, "s1", query)
        return await collect(ws, "s1")
    finally:
        await ws.close()


async def test_expired_token_ends_the_stream_over_websocket_and_sse(secured_graph: Graph) -> None:
    graph = secured_graph
    alerts = graph.servers["alerts"]
    alerts.hold_open = True
    try:
        started = time.time()
        ws_messages, (status, body) = await asyncio.gather(
            ws_stream(graph, {"Authorization": f"Bearer {token(2)}"}),
            sse(graph, {"authorization": f"Bearer {token(2)}"}))
        assert time.time() - started >= 1.0  # it ended at the expiry, not at once
        await wait_until(lambda: alerts.ws_open == 0)
        assert alerts.ws_open == 0  # the subgraph subscriptions were closed
    finally:
        alerts.hold_open = False
    ends_with(ws_messages, "UNAUTHENTICATED")
    assert status == 200
    ends_with(sse_events(body), "UNAUTHENTICATED")


async def test_authentication_applies_at_subscribe_time(secured_graph: Graph) -> None:
    graph = secured_graph
    # WebSocket: connection_init without a valid token is refused with 4403
    ws = await open_ws(graph.ws, ack=False)
    await ws.send(json.dumps({"type": "connection_init", "payload": {"Authorization": "Bearer nonsense"}}))
    with pytest.raises(ConnectionClosed) as closed:
        await asyncio.wait_for(ws.recv(), TIMEOUT_S)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 4403
    # SSE: refused at the HTTP layer, as a query would be
    status, body = await sse(graph)
    assert status == 401
    assert json.loads(body)["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"
    # a valid token subscribes (here in the init payload's headers object)
    messages = await ws_stream(graph, {"headers": {"Authorization": f"Bearer {token(600)}"}})
    assert messages == [*(("next", expected_event(i)) for i in range(len(EVENTS))), ("complete", None)]


async def test_subgraph_killed_mid_stream_ends_with_subgraph_unavailable(tmp_path: Path) -> None:
    with running_graph(tmp_path) as graph:
        alerts = graph.servers["alerts"]
        alerts.hold_open = True

        async def kill_after_events() -> None:
            await wait_until(lambda: len(alerts.ws_handshakes) == 2)
            await asyncio.sleep(0.02 * len(EVENTS) + 0.3)  # every event sent, the streams held open
            await asyncio.to_thread(graph.kill_alerts)

        ws_messages, (_, body), _ = await asyncio.gather(ws_stream(graph, {}), sse(graph), kill_after_events())
        # and a new subscription while the subgraph is gone ends the same way at once
        _, after = await sse(graph)
    ends_with(ws_messages, "SUBGRAPH_UNAVAILABLE")
    ends_with(sse_events(body), "SUBGRAPH_UNAVAILABLE")
    gone = sse_events(after)
    assert len(gone) == 2
    assert gone[0][1]["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
    assert gone[0][1]["errors"][0]["extensions"]["serviceName"] == "alerts"
    assert gone[-1] == ("complete", None)


async def test_authorization_applies_to_every_event(secured_graph: Graph) -> None:
    graph = secured_graph
    graph.servers["people"].reset()
    query = "subscription { alertRaised { seq case { owner { name phone } } } }"
    results = {}
    for scope in ("case:read", "case:read people:read"):
        results[scope] = await ws_stream(graph, {"Authorization": f"Bearer {token(600, scope)}"}, query)
    people_bodies = [json.dumps(r) for r in graph.servers["people"].requests]
    owners = [OFFICERS[CASES[case][1]] for _, _, case in EVENTS]
    phones = [PHONES[CASES[case][1]] for _, _, case in EVENTS]
    denied, allowed = results["case:read"], results["case:read people:read"]
    assert len(denied) == len(allowed) == len(EVENTS) + 1
    for i, (kind, payload) in enumerate(denied[:-1]):
        assert kind == "next"
        assert payload["data"]["alertRaised"] == {"seq": i + 1, "case": {"owner": {"name": owners[i], "phone": None}}}
        assert [(e["path"], e["extensions"]["code"]) for e in payload["errors"]] == [
            (["alertRaised", "case", "owner", "phone"], "UNAUTHORIZED_FIELD_OR_TYPE")]
    assert [p["data"]["alertRaised"]["case"]["owner"] for _, p in allowed[:-1]] == [
        {"name": n, "phone": ph} for n, ph in zip(owners, phones, strict=True)]
    # the denied field was never fetched for the caller without the scope
    assert sum("phone" in b for b in people_bodies) == len(EVENTS)
