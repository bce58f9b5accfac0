"""A subgraph app served by uvicorn on 127.0.0.1 and a bounded `graphql-transport-ws` client, for the
subscription tests: the app's loop is captured so a test can run coroutines in it (publish, follow)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
from collections.abc import AsyncIterator, Coroutine, Iterator
from typing import Any, TypeVar

from starlette.types import ASGIApp, Receive, Scope, Send
from websockets.asyncio.client import ClientConnection, connect

from tests.support.servers import serve
from trust.signing import CallerContext, CallSigner, SigningKey

T = TypeVar("T")
KEY = SigningKey("live-test", b"l" * 32)
TIMEOUT_S = 10.0


class LoopCapture:
    """ASGI wrapper noting the server's event loop (uvicorn runs it in another thread)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.loop: asyncio.AbstractEventLoop | None = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        self.loop = asyncio.get_running_loop()
        await self.app(scope, receive, send)

    async def run(self, coro: Coroutine[Any, Any, T], wait_s: float = 60.0) -> T:
        """Run `coro` in the server's loop; wait for it without blocking the caller's loop."""
        assert self.loop is not None, "the app has not started"
        future = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return await asyncio.wait_for(asyncio.wrap_future(future), wait_s)


@contextlib.contextmanager
def served(app: ASGIApp) -> Iterator[tuple[str, LoopCapture]]:
    captured = LoopCapture(app)
    with serve(captured) as base:
        yield base.replace("http://", "ws://") + "/graphql", captured


def signed_headers(audience: str, caller: CallerContext, *, key: SigningKey = KEY) -> dict[str, str]:
    """The signature of a WebSocket upgrade to /graphql, as the gateway sends it (GET, empty body)."""
    return CallSigner(key).sign(audience=audience, method="GET", target="/graphql", body=b"", context=caller)


def caller(roles: set[str], *, body: str | None = None, region: str | None = None) -> CallerContext:
    return CallerContext("tester", frozenset(roles), body, region, None, "req-1")


class LiveClient:
    """One graphql-transport-ws connection; every wait is bounded."""

    def __init__(self, ws: ClientConnection) -> None:
        self.ws = ws

    async def receive(self, wait_s: float = TIMEOUT_S) -> dict[str, Any]:
        while True:
            message = json.loads(await asyncio.wait_for(self.ws.recv(), wait_s))
            if message.get("type") == "ping":
                await self.ws.send(json.dumps({"type": "pong"}))
                continue
            return message  # type: ignore[no-any-return]

    async def subscribe(self, op_id: str, query: str, variables: dict[str, Any] | None = None) -> None:
        await self.ws.send(json.dumps({"id": op_id, "type": "subscribe",
                                       "payload": {"query": query, "variables": variables or {}}}))

    async def quiet(self, seconds: float) -> dict[str, Any] | None:
        """The next message if one comes within `seconds`, else None."""
        try:
            return await self.receive(seconds)
        except TimeoutError:
            return None


@contextlib.asynccontextmanager
async def live_client(url: str, headers: dict[str, str] | None = None, *,
                      receive_buffer: int | None = None) -> AsyncIterator[LiveClient]:
    """A connected, acknowledged client; `receive_buffer` shrinks the socket's receive buffer (a slow reader)."""
    sock = None
    if receive_buffer is not None:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        host, port = url.split("//", 1)[1].split("/", 1)[0].split(":")
        sock.connect((host, int(port)))
    async with connect(url, subprotocols=["graphql-transport-ws"], additional_headers=headers or {},  # type: ignore[list-item]
                       open_timeout=TIMEOUT_S, close_timeout=2, sock=sock, max_size=None,
                       max_queue=1) as ws:
        client = LiveClient(ws)
        await ws.send(json.dumps({"type": "connection_init", "payload": {}}))
        ack = await client.receive()
        assert ack["type"] == "connection_ack", ack
        yield client
