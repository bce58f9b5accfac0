"""GraphQL over WebSocket (``graphql-transport-ws``) on ``/graphql``: one connection, many subscriptions.

The connection is authenticated at ``connection_init``: its payload may carry ``Authorization`` (or a
``headers`` object) that stands for the HTTP headers of a request; the extensions' ``on_request`` checks
run on those headers (refused: close 4403), and again for every ``subscribe``, so each operation has its
own request context. Bounds: ``connection_init`` within `init_timeout_s` (else 4408), at most
`max_subscriptions` running at once (more are answered with an ``error`` message), and a send queue of
`send_queue` messages: a client that reads slower than its events arrive is dropped with close code
1008 (policy violation) and its subscriptions end, closing their subgraph connections.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request
from starlette.websockets import WebSocket, WebSocketDisconnect

from gateway.errors import GatewayError
from gateway.extensions import GraphQLRequest, RequestContext
from gateway.pipeline import Pipeline
from gateway.runtime import GatewayRuntime
from gateway.security.errors import SecurityError
from gateway.subscriptions import protocol as p
from gateway.subscriptions.stream import SubscriptionStream

log = logging.getLogger("gateway.subscriptions")


@dataclass(frozen=True)
class WebSocketLimits:
    init_timeout_s: float = 10.0
    max_subscriptions: int = 100
    send_queue: int = 256
    #: how long a dropped slow client has to take its close frame before the connection is cut
    close_timeout_s: float = 10.0
    upstream_timeout_s: float = 10.0


class _SlowConsumer(Exception):
    pass


def connection_headers(scope_headers: list[tuple[bytes, bytes]], payload: Any) -> list[tuple[bytes, bytes]]:
    """The upgrade request's headers with those the ``connection_init`` payload carries put over them."""
    given: dict[str, str] = {}
    if isinstance(payload, dict):
        nested = payload.get("headers")
        if isinstance(nested, dict):
            given.update({str(k).lower(): v for k, v in nested.items() if isinstance(v, str)})
        for key, value in payload.items():
            if isinstance(value, str) and key.lower() == "authorization":
                given["authorization"] = value
    kept = [(k, v) for k, v in scope_headers if k.decode("latin-1").lower() not in given]
    # the request stands for a JSON POST to /graphql (what the HTTP-layer checks expect)
    kept = [(k, v) for k, v in kept if k.lower() != b"content-type"]
    kept.append((b"content-type", b"application/json"))
    return kept + [(k.encode("latin-1"), v.encode("latin-1", "replace")) for k, v in given.items()]


class Connection:
    """One client WebSocket connection."""

    def __init__(self, ws: WebSocket, runtime: Callable[[], GatewayRuntime | None], pipeline: Pipeline,
                 limits: WebSocketLimits) -> None:
        self.ws = ws
        self.runtime = runtime
        self.pipeline = pipeline
        self.limits = limits
        self.queue: asyncio.Queue[str] = asyncio.Queue(maxsize=limits.send_queue)
        self.running: dict[str, asyncio.Task[None]] = {}
        self.headers: list[tuple[bytes, bytes]] | None = None
        self._closing: tuple[int, str] | None = None
        self._receiver: asyncio.Task[None] | None = None

    async def serve(self) -> None:
        if p.SUBPROTOCOL not in self.ws.scope.get("subprotocols", ()):
            await self.ws.accept()
            await self.ws.close(4406, "Subprotocol not acceptable")
            return
        await self.ws.accept(subprotocol=p.SUBPROTOCOL)
        sender = asyncio.create_task(self._sender())
        receiver = self._receiver = asyncio.create_task(self._receive())
        try:
            await asyncio.wait({receiver})  # a slow client cancels the receiver (see `_put`)
            if not receiver.cancelled():
                exc = receiver.exception()
                if self._closing is not None or isinstance(exc, _SlowConsumer):
                    pass
                elif isinstance(exc, p.ProtocolViolation):
                    log.info("websocket closed %d: %s", exc.code, exc.reason)
                    self._closing = (exc.code, exc.reason)
                elif exc is not None and not isinstance(exc, WebSocketDisconnect):
                    log.error("websocket connection failed", exc_info=exc)
                    self._closing = (p.INTERNAL_ERROR, "Internal server error")
        finally:
            receiver.cancel()
            for task in list(self.running.values()):
                task.cancel()
            for task in [receiver, *self.running.values()]:
                with contextlib.suppress(asyncio.CancelledError, Exception):
                    await task
            sender.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await sender
            if self._closing is not None:
                code, reason = self._closing
                with contextlib.suppress(Exception):
                    await asyncio.wait_for(self.ws.close(code, reason), self.limits.close_timeout_s)

    async def _receive(self) -> None:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.limits.init_timeout_s
        while True:  # one client message per pass, until the client leaves or breaks the protocol
            if self.headers is None:
                remaining = deadline - loop.time()
                try:
                    raw = await asyncio.wait_for(self._next_raw(), max(remaining, 0.0))
                except TimeoutError:
                    raise p.ProtocolViolation(p.INIT_TIMEOUT, "Connection initialisation timeout") from None
            else:
                raw = await self._next_raw()
            await self._handle(p.parse_message(raw))

    async def _next_raw(self) -> str:
        message = await self.ws.receive()
        if message["type"] == "websocket.disconnect":
            raise WebSocketDisconnect(message.get("code", 1000))
        text = message.get("text")
        if text is None:
            raise p.ProtocolViolation(p.INVALID_MESSAGE, "Invalid message received: binary frame")
        return str(text)

    async def _handle(self, message: p.Message) -> None:
        kind = message.type
        if kind == "ping":
            self._put(p.encode("pong"))
        elif kind == "pong":
            return
        elif kind == "connection_init":
            if self.headers is not None:
                raise p.ProtocolViolation(p.TOO_MANY_INIT, "Too many initialisation requests")
            headers = connection_headers(list(self.ws.scope.get("headers", [])), message.payload)
            try:
                await self._context(headers)
            except (GatewayError, SecurityError) as exc:
                log.info("websocket connection refused: %s", getattr(exc, "message", exc))
                raise p.ProtocolViolation(p.FORBIDDEN, "Forbidden") from exc
            self.headers = headers
            self._put(p.encode("connection_ack"))
        elif kind == "subscribe":
            assert message.id is not None
            if self.headers is None:
                raise p.ProtocolViolation(p.UNAUTHORIZED, "Unauthorized")
            if message.id in self.running:
                raise p.ProtocolViolation(p.SUBSCRIBER_EXISTS, f"Subscriber for {message.id} already exists")
            if len(self.running) >= self.limits.max_subscriptions:
                self._put(p.encode("error", message.id, [{
                    "message": f"At most {self.limits.max_subscriptions} subscriptions per connection.",
                    "extensions": {"code": "TOO_MANY_SUBSCRIPTIONS"}}]))
                return
            self.running[message.id] = asyncio.create_task(self._run(message.id, message.payload))
        elif kind == "complete":
            assert message.id is not None
            task = self.running.pop(message.id, None)
            if task is not None:
                task.cancel()

    async def _context(self, headers: list[tuple[bytes, bytes]]) -> RequestContext:
        scope = {**self.ws.scope, "type": "http", "method": "POST", "headers": headers}
        request = Request(scope)
        runtime = self.runtime()
        context = RequestContext(request, runtime=runtime)
        for ext in self.pipeline.extensions:
            await ext.on_request(request, context)
        return context

    async def _run(self, ident: str, payload: dict[str, Any]) -> None:
        completed = False
        try:
            runtime = self.runtime()
            if runtime is None:
                self._put(p.encode("error", ident, [{"message": "The supergraph is not loaded yet.",
                                                     "extensions": {"code": "SUPERGRAPH_NOT_LOADED"}}]))
                return
            assert self.headers is not None
            try:
                context = await self._context(self.headers)
            except (GatewayError, SecurityError) as exc:
                self._put(p.encode("error", ident, exc.to_graphql_list()))
                return
            request = GraphQLRequest(payload["query"], payload.get("variables"), payload.get("operationName"))
            stream = SubscriptionStream(self.pipeline, runtime, request, context,
                                        upstream_timeout_s=self.limits.upstream_timeout_s)
            refused = await stream.start()
            if refused is not None:
                self._put(p.encode("error", ident, refused.get("errors") or []))
                return
            async for event in stream.events():
                self._put(p.encode("next", ident, event))
            completed = True
        except _SlowConsumer:
            return
        except Exception:
            log.exception("subscription %s failed", ident)
            self._put(p.encode("error", ident, [{"message": "Internal server error",
                                                 "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]))
        finally:
            if self.running.get(ident) is asyncio.current_task():
                del self.running[ident]
                if completed:
                    with contextlib.suppress(_SlowConsumer):
                        self._put(p.encode("complete", ident))

    def _put(self, text: str) -> None:
        if self._closing is not None:
            raise _SlowConsumer
        try:
            self.queue.put_nowait(text)
        except asyncio.QueueFull:
            log.warning("websocket client reads too slowly: dropped with close code %d", p.SLOW_CONSUMER)
            self._closing = (p.SLOW_CONSUMER, "Send queue full: the client reads too slowly")
            # end the receive loop so the connection ends now, not at the client's next message
            if self._receiver is not None:
                self._receiver.cancel()
            raise _SlowConsumer from None

    async def _sender(self) -> None:
        while True:  # until cancelled when the connection ends
            text = await self.queue.get()
            await self.ws.send_text(text)
