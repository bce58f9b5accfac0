"""Signed calls over WebSocket: a subscription connection to a subgraph is one signed call.

The gateway opens a subgraph's subscriptions with a WebSocket upgrade request (``GET /graphql``,
subprotocol ``graphql-transport-ws``) that carries the same signature headers as any subgraph call
(`trust.signing`): method ``GET``, the raw request target, an empty body, this subgraph as audience.
The upgrade is verified before the connection is accepted — fresh timestamp, unseen nonce — and the
verified `CallerContext` is the caller of every operation on the connection
(``scope["state"]["hub_caller"]``, read by `caller_of`). A refused upgrade is answered with the
same 401 JSON error as a refused HTTP call (or closed with 4401 where the server cannot send an
HTTP answer to an upgrade), so an unsigned, altered, stale or replayed connection never reaches the schema.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Receive, Scope, Send
from starlette.websockets import WebSocket

from trust.errors import CallSignatureError
from trust.responses import security_error_response
from trust.signing import KEY_ID_HEADER, SCOPE_STATE_KEY, SIGNATURE_HEADER, CallVerifier, request_target

__all__ = ["SignedUpgrade"]

#: the close code of a refused connection where no HTTP answer can be sent (graphql-transport-ws: Unauthorized)
REFUSED_CLOSE_CODE = 4401


class SignedUpgrade:
    """ASGI middleware: WebSocket connections to `paths` must be signed calls (``required``), or, when not
    required (dev), are checked only when they carry signature headers. Other scopes pass through."""

    def __init__(self, app: ASGIApp, *, verifier: CallVerifier, paths: Iterable[str] = ("/graphql",),
                 required: bool = True, clock: Callable[[], float] = time.time) -> None:
        self.app = app
        self.verifier = verifier
        self.paths = frozenset(p.rstrip("/") or "/" for p in paths)
        self.required = required
        self.clock = clock

    def _checked(self, scope: Scope) -> bool:
        if scope["type"] != "websocket" or (str(scope.get("path", "")).rstrip("/") or "/") not in self.paths:
            return False
        if self.required:
            return True
        headers = Headers(scope=scope)
        return bool(headers.get(SIGNATURE_HEADER) or headers.get(KEY_ID_HEADER))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._checked(scope):
            await self.app(scope, receive, send)
            return
        try:
            context = await self.verifier.verify_async(Headers(scope=scope), "GET", request_target(scope), b"",
                                                       self.clock())
        except CallSignatureError as exc:
            await _refuse(scope, receive, send, exc)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state[SCOPE_STATE_KEY] = context
        await self.app(scope, receive, send)


async def _refuse(scope: Scope, receive: Receive, send: Send, error: CallSignatureError) -> None:
    websocket = WebSocket(scope, receive, send)
    if "websocket.http.response" in scope.get("extensions", {}):
        await websocket.send_denial_response(security_error_response(error))
    else:
        await websocket.close(code=REFUSED_CLOSE_CODE, reason=error.code)
