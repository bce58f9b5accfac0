"""A bounded load client: N subscriptions held H seconds over WebSocket connections (used by the load
test and by ``bench/bench_subscriptions.py``)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from websockets.asyncio.client import ClientConnection
from websockets.exceptions import ConnectionClosed

from .ws_client import TIMEOUT_S, open_ws, subscribe


@dataclass
class Held:
    """What the client saw: subscriptions that got their first event, connections alive after the hold."""

    subscriptions: int = 0
    first_events: int = 0
    wrong_events: list[Any] = field(default_factory=list)
    alive_after_hold: int = 0
    connections: int = 0
    failures: list[str] = field(default_factory=list)
    opened_s: float = 0.0


async def hold_subscriptions(url: str, count: int, hold_s: float, query: str, expected: Any, *,
                             per_connection: int = 10, concurrency: int = 50,
                             during_hold: Callable[[], Awaitable[None]] | None = None) -> Held:
    """Open `count` subscriptions (`per_connection` on each connection, at most `concurrency` connections
    being opened at once), wait for each one's first event, hold them `hold_s` seconds, check every
    connection still answers a ping, then close them all."""
    held = Held()
    gate = asyncio.Semaphore(concurrency)
    sockets: list[ClientConnection] = []
    started = time.monotonic()

    async def one(index: int, n: int) -> None:
        async with gate:
            try:
                ws = await open_ws(url)
            except (OSError, TimeoutError, ConnectionClosed) as exc:
                held.failures.append(f"connect: {type(exc).__name__}: {exc}")
                return
            sockets.append(ws)
            for k in range(n):
                await subscribe(ws, f"{index}-{k}", query)
            held.subscriptions += n
            waiting = n
            try:
                for _ in range(n * 4):  # bounded: one event per subscription is expected
                    if not waiting:
                        break
                    message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S * 3))
                    if message.get("type") == "next":
                        waiting -= 1
                        if message.get("payload") == expected:
                            held.first_events += 1
                        else:
                            held.wrong_events.append(message)
            except (TimeoutError, ConnectionClosed) as exc:
                held.failures.append(f"first events: {type(exc).__name__}")

    shares = [min(per_connection, count - i) for i in range(0, count, per_connection)]
    held.connections = len(shares)
    try:
        await asyncio.gather(*(one(i, n) for i, n in enumerate(shares)))
        held.opened_s = time.monotonic() - started
        if during_hold is not None:
            await asyncio.gather(asyncio.sleep(hold_s), during_hold())
        else:
            await asyncio.sleep(hold_s)

        async def alive(ws: ClientConnection) -> bool:
            try:
                await ws.send(json.dumps({"type": "ping"}))
                for _ in range(10):  # bounded
                    message = json.loads(await asyncio.wait_for(ws.recv(), TIMEOUT_S))
                    if message.get("type") == "pong":
                        return True
            except (TimeoutError, ConnectionClosed):
                return False
            return False

        results = await asyncio.gather(*(alive(ws) for ws in sockets))
        held.alive_after_hold = sum(results)
    finally:
        for ws in sockets:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(ws.close(), TIMEOUT_S)
    return held
