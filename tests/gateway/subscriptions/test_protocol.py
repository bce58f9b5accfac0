"""``graphql-transport-ws`` from the client's side: malformed or out-of-order messages get the close codes
the protocol defines, and the per-connection bounds hold."""

from __future__ import annotations

import asyncio
import json

import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from .harness import QUERY, Graph
from .ws_client import TIMEOUT_S, collect, open_ws, subscribe


async def close_code(ws: ClientConnection) -> int | None:
    """The close code the server ends the connection with (reading until it closes, bounded)."""
    try:
        for _ in range(50):
            await asyncio.wait_for(ws.recv(), TIMEOUT_S)
    except ConnectionClosed as exc:
        return exc.rcvd.code if exc.rcvd is not None else None
    raise AssertionError("the server did not close the connection")


SUB = {"type": "subscribe", "id": "1", "payload": {"query": QUERY}}
INIT = {"type": "connection_init"}
# (name, messages sent in order, close code expected)
VIOLATIONS = [
    ("not JSON", ["{not json"], 4400),
    ("not an object", ["[1, 2]"], 4400),
    ("unknown type", [{"type": "hello"}], 4400),
    ("subscribe without an id", [INIT, {"type": "subscribe", "payload": {"query": QUERY}}], 4400),
    ("subscribe without a query", [INIT, {"type": "subscribe", "id": "1", "payload": {}}], 4400),
    ("variables not an object", [INIT, {"type": "subscribe", "id": "1",
                                        "payload": {"query": QUERY, "variables": [1]}}], 4400),
    ("subscribe before connection_init", [SUB], 4401),
    ("second connection_init", [INIT, INIT], 4429),
    ("duplicate subscription id", [INIT, SUB, SUB], 4409),
    ("no connection_init in time", [], 4408),
]


async def test_protocol_violations_close_with_the_protocols_codes(graph: Graph) -> None:
    graph.servers["alerts"].hold_open = True
    codes = {}
    for name, messages, _ in VIOLATIONS:
        async with connect(graph.ws, subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                           open_timeout=TIMEOUT_S) as ws:
            for message in messages:
                await ws.send(message if isinstance(message, str) else json.dumps(message))
            codes[name] = await close_code(ws)
    assert codes == {name: code for name, _, code in VIOLATIONS}


async def test_ping_pong_bounds_and_refused_operations(graph: Graph) -> None:
    graph.servers["alerts"].hold_open = True
    ws = await open_ws(graph.ws)
    try:
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S)) == {"type": "pong"}
        # an operation refused as GraphQL ends with an error message for its id, the connection stays
        await subscribe(ws, "bad", "subscription { alertRaised { nope } }")
        [(kind, payload)] = await collect(ws, "bad")
        assert kind == "error"
        assert payload[0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED"
        for ident in ("1", "2", "3"):
            await subscribe(ws, ident, QUERY)
        await subscribe(ws, "4", QUERY)  # one more than max_subscriptions (3)
        refused = await collect(ws, "4")
        assert refused[0][0] == "error"
        assert refused[0][1][0]["extensions"]["code"] == "TOO_MANY_SUBSCRIPTIONS"
        # the client completing one frees its place
        await ws.send(json.dumps({"type": "complete", "id": "1"}))
        await asyncio.sleep(0.2)
        await subscribe(ws, "5", "subscription { alertRaised { seq } }")
        first = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S))
        for _ in range(40):  # skip events of subscriptions 2 and 3 still arriving
            if first.get("id") == "5":
                break
            first = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S))
        assert first == {"type": "next", "id": "5", "payload": {"data": {"alertRaised": {"seq": 1}}}}
    finally:
        await ws.close()


@pytest.mark.parametrize("protocols", [[], ["graphql-ws"]])
async def test_a_connection_without_the_subprotocol_is_refused(graph: Graph, protocols: list[str]) -> None:
    async with connect(graph.ws, subprotocols=protocols or None,  # type: ignore[arg-type]
                       open_timeout=TIMEOUT_S) as ws:
        assert await close_code(ws) == 4406
