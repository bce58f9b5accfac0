"""ASGI middleware for a serving part: the request id (taken or made, answered in ``x-request-id``)
and a SERVER span continuing the caller's W3C trace context."""

from __future__ import annotations

from collections.abc import Iterable

from opentelemetry.trace import SpanKind
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from telemetry.context import REQUEST_ID_HEADER, accept_request_id, extract, request_scope
from telemetry.spans import set_status_code, span

_HEADER = REQUEST_ID_HEADER.encode("latin-1")


class RequestTelemetry:
    """Gives every HTTP request an id and, on `traced_paths`, a span (health checks and metrics are left out)."""

    def __init__(self, app: ASGIApp, *, traced_paths: Iterable[str] = ("/graphql",)) -> None:
        self.app = app
        self.traced_paths = frozenset(traced_paths)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        given = headers.get(REQUEST_ID_HEADER)
        request_id = accept_request_id(given)
        if given != request_id:  # the app (and its audit record) sees the id the response names
            scope = dict(scope)
            scope["headers"] = [*(h for h in scope["headers"] if h[0].lower() != _HEADER),
                                (_HEADER, request_id.encode("latin-1"))]
        path = str(scope.get("path", ""))
        method = str(scope.get("method", "GET"))
        with request_scope(request_id):
            if path not in self.traced_paths:
                await self.app(scope, receive, _answering(send, request_id))
                return
            attributes = {"http.request.method": method, "http.route": path}
            with span(f"{method} {path}", kind=SpanKind.SERVER, context=extract(headers),
                      attributes=attributes) as current:

                async def send_traced(message: Message) -> None:
                    if message["type"] == "http.response.start":
                        set_status_code(current, int(message["status"]))
                    await send(message)

                await self.app(scope, receive, _answering(send_traced, request_id))


def _answering(send: Send, request_id: str) -> Send:
    async def send_with_id(message: Message) -> None:
        if message["type"] == "http.response.start":
            MutableHeaders(scope=message)[REQUEST_ID_HEADER] = request_id
        await send(message)

    return send_with_id
