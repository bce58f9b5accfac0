"""`/metrics` behind a token: what `hub gateway` and `hub subgraph` put in front of their apps.

Prometheus metrics name operations, subgraphs and error codes: useful to an attacker mapping the
system. So `/metrics` is served only to a scraper that sends ``Authorization: Bearer <token>``
(`security.metrics_token`, compared in constant time; 401 otherwise). In production without a token
the page is not served at all (404, said once in the log at start); in dev without a token it is open.
Every other path passes through untouched.
"""

from __future__ import annotations

import hmac
import logging

from starlette.datastructures import Headers
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

__all__ = ["guard_metrics"]

log = logging.getLogger(__name__)
PATH = "/metrics"


class _MetricsGuard:
    def __init__(self, app: ASGIApp, token: str, *, closed: bool) -> None:
        self.app = app
        self.token = token.encode("utf-8")
        self.closed = closed

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or str(scope.get("path", "")).rstrip("/") != PATH:
            await self.app(scope, receive, send)
            return
        response: Response | None = None
        if self.closed:
            response = JSONResponse({"error": "not found"}, status_code=404)
        elif self.token:
            given = Headers(scope=scope).get("authorization", "")
            scheme, _, value = given.partition(" ")
            if scheme.lower() != "bearer" or not hmac.compare_digest(value.strip().encode("utf-8"), self.token):
                response = JSONResponse({"error": "metrics need the scraper's bearer token"}, status_code=401,
                                        headers={"www-authenticate": 'Bearer realm="metrics"'})
        if response is not None:
            await response(scope, receive, send)
            return
        await self.app(scope, receive, send)


def guard_metrics(app: ASGIApp, *, token: str, production: bool, name: str) -> ASGIApp:
    """`app` with `/metrics` guarded as the module docstring says."""
    closed = production and not token
    if closed:
        log.warning("%s: /metrics is off (production without security.metrics_token)", name)
    return _MetricsGuard(app, token, closed=closed)
