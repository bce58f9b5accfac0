"""A small, bounded ``graphql-transport-ws`` test client."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

from websockets.asyncio.client import ClientConnection, connect

TIMEOUT_S = 10.0


async def open_ws(url: str, init: dict[str, Any] | None = None, *, ack: bool = True) -> ClientConnection:
    ws = await connect(url, subprotocols=["graphql-transport-ws"], open_timeout=TIMEOUT_S)  # type: ignore[list-item]
    if ack:
        await ws.send(json.dumps({"type": "connection_init", **({"payload": init} if init is not None else {})}))
        reply = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S))
        assert reply == {"type": "connection_ack"}, reply
    return ws


async def subscribe(ws: ClientConnection, ident: str, query: str, variables: dict[str, Any] | None = None) -> None:
    payload: dict[str, Any] = {"query": query}
    if variables is not None:
        payload["variables"] = variables
    await ws.send(json.dumps({"type": "subscribe", "id": ident, "payload": payload}))


async def collect(ws: ClientConnection, ident: str, *, limit: int = 100) -> list[tuple[str, Any]]:
    """(type, payload) of every message for `ident` until its complete or error (bounded)."""
    out: list[tuple[str, Any]] = []
    for _ in range(limit):
        message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S))
        if message.get("id") != ident:
            continue
        out.append((message["type"], message.get("payload")))
        if message["type"] in ("complete", "error"):
            return out
    raise AssertionError(f"no complete within {limit} messages: {out}")


async def wait_until(condition: Callable[[], bool], timeout_s: float = 5.0) -> None:
    """Poll `condition` every 20 ms for at most `timeout_s` (the caller asserts it afterwards)."""
    for _ in range(int(timeout_s / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
