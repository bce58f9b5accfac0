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

from .harness import EVENTS, QUERY, Graph, expected_event, running_graph, sse_events
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


def token(lifetime_s: float) -> str:
    now = int(time.time())
    claims: dict[str, Any] = {"iss": ISSUER, "sub": "officer-0001", "aud": AUDIENCE, "iat": now, "nbf": now,
                              "exp": now + lifetime_s, "roles": ["OFFICER"], "scope": "case:read"}
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


async def test_expired_token_ends_the_stream_over_websocket_and_sse(tmp_path: Path, jwks_url: str) -> None:
    with running_graph(tmp_path, extensions=secured(jwks_url)) as graph:
        alerts = graph.servers["alerts"]
        alerts.hold_open = True
        started = time.time()
        ws = await open_ws(graph.ws, {"Authorization": f"Bearer {token(2)}"})
        try:
            await subscribe(ws, "s1", QUERY)
            ws_messages = await collect(ws, "s1")
        finally:
            await ws.close()
        assert time.time() - started >= 1.0  # it ended at the expiry, not at once
        status, body = await sse(graph, {"authorization": f"Bearer {token(2)}"})
        await wait_until(lambda: alerts.ws_open == 0)
        assert alerts.ws_open == 0  # the subgraph subscriptions were closed
    ends_with(ws_messages, "UNAUTHENTICATED")
    assert status == 200
    ends_with(sse_events(body), "UNAUTHENTICATED")


async def test_authentication_applies_at_subscribe_time(tmp_path: Path, jwks_url: str) -> None:
    with running_graph(tmp_path, extensions=secured(jwks_url)) as graph:
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
        # a valid token subscribes
        ws = await open_ws(graph.ws, {"headers": {"Authorization": f"Bearer {token(600)}"}})
        try:
            await subscribe(ws, "s1", QUERY)
            messages = await collect(ws, "s1")
        finally:
            await ws.close()
    assert messages == [*(("next", expected_event(i)) for i in range(len(EVENTS))), ("complete", None)]


@pytest.mark.parametrize("transport", ["ws", "sse"])
async def test_subgraph_killed_mid_stream_ends_with_subgraph_unavailable(tmp_path: Path, transport: str) -> None:
    with running_graph(tmp_path) as graph:
        alerts = graph.servers["alerts"]
        alerts.hold_open = True

        async def kill_after_events() -> None:
            await wait_until(lambda: len(alerts.ws_handshakes) == 1)
            await asyncio.sleep(0.02 * len(EVENTS) + 0.3)  # every event sent, the stream held open
            await asyncio.to_thread(graph.kill_alerts)

        killer = asyncio.create_task(kill_after_events())
        if transport == "ws":
            ws = await open_ws(graph.ws)
            try:
                await subscribe(ws, "s1", QUERY)
                messages = await collect(ws, "s1")
            finally:
                await ws.close()
        else:
            _, body = await sse(graph)
            messages = sse_events(body)
        await killer
        # and a new subscription while the subgraph is gone ends the same way at once
        if transport == "sse":
            _, body = await sse(graph)
            gone = sse_events(body)
            assert gone[0][1]["errors"][0]["extensions"]["code"] == "SUBGRAPH_UNAVAILABLE"
            assert gone[0][1]["errors"][0]["extensions"]["serviceName"] == "alerts"
            assert gone[-1] == ("complete", None)
    ends_with(messages, "SUBGRAPH_UNAVAILABLE")
