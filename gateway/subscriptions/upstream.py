"""The gateway's WebSocket client to a subgraph's subscriptions (``graphql-transport-ws``).

One connection per client subscription: connect at the subgraph's URL with http→ws, ``connection_init``
(the gateway's per-call headers travel on the upgrade request and in the init payload), ``subscribe``,
then read ``next`` payloads until ``complete``. A connection that cannot be made, or that is lost before
``complete``, raises :class:`SubgraphUnavailable`.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any

import orjson
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed, InvalidHandshake, InvalidURI

from gateway.errors import SubgraphUnavailable
from gateway.subscriptions.protocol import SUBPROTOCOL, encode

_ID = "1"
#: the largest message a subgraph may send (one event)
MAX_MESSAGE_BYTES = 4 * 1024 * 1024


def ws_url(url: str) -> str:
    """The WebSocket URL of a subgraph's HTTP URL."""
    if url.startswith("https://"):
        return "wss://" + url[len("https://"):]
    if url.startswith("http://"):
        return "ws://" + url[len("http://"):]
    return url


class UpstreamSubscription:
    """One subscription on one subgraph; use as an async context manager, then call `next` until None."""

    def __init__(self, service: str, url: str, body: Mapping[str, Any], headers: Mapping[str, str], *,
                 timeout_s: float = 10.0) -> None:
        self.service = service
        self.url = ws_url(url)
        self.body = dict(body)
        self.headers = dict(headers)
        self.timeout_s = timeout_s
        self._ws: ClientConnection | None = None
        self._done = False

    def _unavailable(self, detail: str) -> SubgraphUnavailable:
        return SubgraphUnavailable(f"Subgraph {self.service} is unavailable: {detail}", service=self.service)

    async def __aenter__(self) -> UpstreamSubscription:
        try:
            ws: ClientConnection = await asyncio.wait_for(
                connect(self.url, subprotocols=[SUBPROTOCOL], additional_headers=self.headers,  # type: ignore[list-item]
                        max_size=MAX_MESSAGE_BYTES, open_timeout=self.timeout_s, ping_interval=20.0),
                self.timeout_s)
            self._ws = ws
            await ws.send(encode("connection_init", payload={"headers": self.headers} if self.headers else None))
            while True:  # bounded by the timeout
                message = await asyncio.wait_for(self._read(), self.timeout_s)
                if message.get("type") == "connection_ack":
                    break
                if message.get("type") == "ping":
                    await ws.send(encode("pong"))
            await ws.send(encode("subscribe", _ID, self.body))
        except (OSError, TimeoutError, InvalidHandshake, InvalidURI, ConnectionClosed) as exc:
            await self.aclose()
            raise self._unavailable(f"{type(exc).__name__}: {exc}") from exc
        except BaseException:
            await self.aclose()
            raise
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _read(self) -> dict[str, Any]:
        assert self._ws is not None
        raw = await self._ws.recv()
        try:
            message = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise self._unavailable("it sent a message that is not JSON") from exc
        if not isinstance(message, dict):
            raise self._unavailable("it sent a message that is not an object")
        return message

    async def next(self) -> dict[str, Any] | None:
        """The next event's GraphQL payload; None once the subgraph completed the subscription."""
        if self._done or self._ws is None:
            return None
        while True:  # each pass reads one message; ping/pong and foreign ids are skipped
            try:
                message = await self._read()
            except ConnectionClosed as exc:
                self._done = True
                raise self._unavailable("the connection closed before the subscription completed") from exc
            kind = message.get("type")
            if kind == "ping":
                with contextlib.suppress(ConnectionClosed):
                    await self._ws.send(encode("pong"))
                continue
            if message.get("id") != _ID:
                continue
            if kind == "next":
                payload = message.get("payload")
                if isinstance(payload, dict):
                    return payload
                raise self._unavailable("it sent a next message without a payload object")
            if kind == "complete":
                self._done = True
                return None
            if kind == "error":
                self._done = True
                errors = message.get("payload")
                return {"errors": errors if isinstance(errors, list) and errors
                        else [{"message": f"Subgraph {self.service} refused the subscription"}]}

    async def aclose(self) -> None:
        """Tell the subgraph the subscription is over (when it is not already) and close the connection."""
        ws, self._ws = self._ws, None
        if ws is None:
            return
        with contextlib.suppress(ConnectionClosed, OSError, TimeoutError):
            if not self._done:
                await asyncio.wait_for(ws.send(encode("complete", _ID)), 1.0)
        self._done = True
        with contextlib.suppress(Exception):
            await asyncio.wait_for(ws.close(), 2.0)
