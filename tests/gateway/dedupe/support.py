"""Helpers for the de-duplication tests: a gate in front of a subgraph, a small counting subgraph, and a
bounded wait for a condition."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections.abc import Callable
from typing import Any

import orjson

from tests.gateway.sdl import supergraph_v03

HOLD_LIMIT_S = 20.0  # a gate never holds an answer longer than this (a bound, not a timing assumption)


def wait_for(check: Callable[[], bool], what: str, timeout_s: float = 15.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.01)


class Gate:
    """ASGI wrapper in front of a subgraph: counts its HTTP requests and holds every answer while closed."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.requests = 0
        self._open = threading.Event()
        self._open.set()

    def close(self) -> None:
        self._open.clear()

    def open(self) -> None:
        self._open.set()

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":  # answered here: not every wrapped app speaks it
            with contextlib.suppress(asyncio.CancelledError):
                while True:
                    message = await receive()
                    await send({"type": message["type"] + ".complete"})
                    if message["type"] == "lifespan.shutdown":
                        return
            return
        if scope["type"] == "http":
            self.requests += 1
            if not self._open.is_set():
                await asyncio.to_thread(self._open.wait, HOLD_LIMIT_S)
        await self.app(scope, receive, send)


class CounterSubgraph:
    """A one-subgraph graph answered by hand: ``item(id)`` echoes its id, the mutation ``bump`` counts."""

    def __init__(self) -> None:
        self.bumps = 0

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                await send({"type": message["type"] + ".complete"})
                if message["type"] == "lifespan.shutdown":
                    return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        raw = b"".join(chunks)
        if not raw:  # a request cut short (a test stopping its servers)
            await send({"type": "http.response.start", "status": 400, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        payload = orjson.loads(raw)
        query, variables = payload["query"], payload.get("variables") or {}
        if query.lstrip().startswith("mutation"):
            self.bumps += 1
            answer: dict[str, Any] = {"data": {"bump": self.bumps}}
        else:
            item_id = next(iter(variables.values()))
            answer = {"data": {"item": {"id": item_id, "name": f"item-{item_id}"}}}
        body = orjson.dumps(answer)
        await send({"type": "http.response.start", "status": 200,
                    "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]})
        await send({"type": "http.response.body", "body": body})


COUNTER_TYPES = '''
type Query @join__type(graph: COUNTER) {
  item(id: ID!): Item
}

type Mutation @join__type(graph: COUNTER) {
  bump: Int!
}

type Item @join__type(graph: COUNTER) {
  id: ID!
  name: String
}
'''


def counter_supergraph(url: str) -> str:
    return supergraph_v03({"counter": url}, COUNTER_TYPES, mutation=True)


def post_in_threads(bodies: list[tuple[bytes, dict[str, str], float]], url: str) -> tuple[list[Any], list[threading.Thread]]:
    """POST each (body, headers, timeout) from its own thread; results[i] is the httpx response or the exception."""
    import httpx

    results: list[Any] = [None] * len(bodies)

    def one(i: int, body: bytes, headers: dict[str, str], timeout: float) -> None:
        try:
            results[i] = httpx.post(url, content=body, headers={"content-type": "application/json", **headers},
                                    timeout=timeout)
        except Exception as exc:  # a client timeout is a result here
            results[i] = exc

    threads = [threading.Thread(target=one, args=(i, *spec), daemon=True) for i, spec in enumerate(bodies)]
    for t in threads:
        t.start()
    return results, threads


def join_all(threads: list[threading.Thread], timeout_s: float = 30.0) -> None:
    deadline = time.monotonic() + timeout_s
    for t in threads:
        t.join(max(0.0, deadline - time.monotonic()))
        assert not t.is_alive(), "a client thread did not finish"
