"""Subscriptions through the gateway over real WebSocket and SSE connections: events in order, each with
entity fields from the two other subgraphs, and the client leaving closes the subgraph connection."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from .harness import EVENTS, QUERY, Graph, expected_event, sse_events
from .ws_client import collect, open_ws, subscribe, wait_until


async def test_websocket_events_arrive_in_order_with_fields_from_two_other_subgraphs(graph: Graph) -> None:
    ws = await open_ws(graph.ws)
    try:
        await subscribe(ws, "s1", QUERY)
        messages = await collect(ws, "s1")
    finally:
        await ws.close()
    assert messages == [*(("next", expected_event(i)) for i in range(len(EVENTS))), ("complete", None)]
    # every event's case title and owner name came from the other two subgraphs, one fetch each per event
    assert len(graph.servers["cases"].requests) == len(EVENTS)
    assert len(graph.servers["people"].requests) == len(EVENTS)


async def test_sse_events_arrive_in_order(graph: Graph) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(f"{graph.gateway}/graphql", json={"query": QUERY},
                                     headers={"accept": "text/event-stream"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/event-stream")
    assert sse_events(response.text) == [*(("next", expected_event(i)) for i in range(len(EVENTS))),
                                         ("complete", None)]


async def test_two_subscriptions_on_one_connection_with_variables_and_a_query(graph: Graph) -> None:
    ws = await open_ws(graph.ws)
    try:
        await subscribe(ws, "q", "query($id: ID!) { case(id: $id) { title owner { name } } }", {"id": "c2"})
        await subscribe(ws, "a", QUERY)
        await subscribe(ws, "b", "subscription { alertRaised { seq } }")
        got: dict[str, list[tuple[str, object]]] = {"q": [], "a": [], "b": []}
        for _ in range(40):  # bounded: 5 + 5 events, a query answer and three completes
            message = json.loads(await asyncio.wait_for(ws.recv(), 10))
            got[message["id"]].append((message["type"], message.get("payload")))
            if all(v and v[-1][0] == "complete" for v in got.values()):
                break
    finally:
        await ws.close()
    assert got["q"] == [("next", {"data": {"case": {"title": "无证经营", "owner": {"name": "Grace"}}}}),
                        ("complete", None)]
    assert got["a"] == [*(("next", expected_event(i)) for i in range(len(EVENTS))), ("complete", None)]
    assert got["b"] == [*(("next", {"data": {"alertRaised": {"seq": i + 1}}}) for i in range(len(EVENTS))),
                        ("complete", None)]


@pytest.mark.parametrize("transport", ["ws", "sse"])
async def test_client_leaving_closes_the_subgraph_connection(graph: Graph, transport: str) -> None:
    alerts = graph.servers["alerts"]
    alerts.hold_open = True
    if transport == "ws":
        ws = await open_ws(graph.ws)
        await subscribe(ws, "s1", QUERY)
        for _ in range(len(EVENTS)):
            await asyncio.wait_for(ws.recv(), 10)
        assert alerts.ws_open == 1
        await ws.close()
    else:
        async with httpx.AsyncClient(timeout=10) as client, client.stream(
                "POST", f"{graph.gateway}/graphql", json={"query": QUERY},
                headers={"accept": "text/event-stream"}) as response:
            seen = 0
            async for line in response.aiter_lines():
                seen += line.startswith("event: next")
                if seen == len(EVENTS):
                    break
            assert alerts.ws_open == 1
    await wait_until(lambda: alerts.ws_open == 0)
    assert alerts.ws_open == 0
