"""A client that reads slower than its events arrive is dropped with close code 1008 once its bounded
send queue is full, and its subscription's subgraph connection is closed."""

from __future__ import annotations

import asyncio
import json
import socket
from pathlib import Path
from urllib.parse import urlsplit

from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from gateway.subscriptions.websocket import WebSocketLimits

from .harness import running_graph
from .ws_client import TIMEOUT_S, subscribe, wait_until

BIG = "x" * 65_536
COUNT = 120  # 120 events of 64 KB: far more than the socket buffers and a queue of 4 hold


async def test_slow_client_is_dropped_with_1008(tmp_path: Path) -> None:
    events = [(f"a{i}", BIG, "c1") for i in range(COUNT)]
    with running_graph(tmp_path, events=events, limits=WebSocketLimits(send_queue=4)) as graph:
        alerts = graph.servers["alerts"]
        alerts.event_interval_s = 0.0
        alerts.hold_open = True
        port = urlsplit(graph.ws).port
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)  # a small window: the client falls behind
        sock.connect(("127.0.0.1", port or 0))
        sock.setblocking(False)
        async with connect(graph.ws, sock=sock, subprotocols=["graphql-transport-ws"],  # type: ignore[list-item]
                           open_timeout=TIMEOUT_S, max_size=None, max_queue=1) as ws:
            await ws.send(json.dumps({"type": "connection_init"}))
            assert json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S)) == {"type": "connection_ack"}
            await subscribe(ws, "s1", "subscription { alertRaised { seq level } }")
            await asyncio.sleep(1.5)  # not reading: the events pile up in the gateway
            received, code = 0, None
            try:
                for _ in range(COUNT + 5):  # bounded: at most every event, then the close
                    await asyncio.wait_for(ws.recv(), TIMEOUT_S)
                    received += 1
            except ConnectionClosed as exc:
                code = exc.rcvd.code if exc.rcvd is not None else None
        await wait_until(lambda: alerts.ws_open == 0)
        still_open = alerts.ws_open
    assert code == 1008
    assert received < COUNT  # dropped before every event was delivered
    assert still_open == 0
