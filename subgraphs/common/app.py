"""Build a subgraph's Starlette app: `POST/GET /graphql` (strawberry), `GET /health` and `GET /metrics`.

Resources (HTTP client pools, database engines, adapters) belong to the app's lifespan: the caller
passes an async context manager factory that opens them; the per-request context (with fresh
DataLoaders) is built from them for every request (STYLE.md habit 5).
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Any, Generic, TypeVar

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route, WebSocketRoute
from starlette.websockets import WebSocket
from strawberry.asgi import GraphQL
from strawberry.http import GraphQLHTTPResponse
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types import ExecutionResult

from subgraphs.common.metrics import MeteredGraphQL, SubgraphMetrics, mark_graphql_errors
from subgraphs.common.schema import SubgraphSchema
from telemetry.asgi import RequestTelemetry

R = TypeVar("R")


class _GraphQL(GraphQL[Any, None], Generic[R]):
    def __init__(self, schema: SubgraphSchema, holder: dict[str, Any],
                 context: Callable[[R, Request], Awaitable[Any]],
                 ws_context: Callable[[R, WebSocket], Awaitable[Any]] | None = None) -> None:
        # subscriptions: graphql-transport-ws only (the gateway's protocol to subgraphs)
        super().__init__(schema, graphql_ide=None, allow_queries_via_get=True,
                         subscription_protocols=(GRAPHQL_TRANSPORT_WS_PROTOCOL,),
                         connection_init_wait_timeout=timedelta(seconds=10), max_subscriptions_per_connection=100)
        self._holder = holder
        self._context = context
        self._ws_context = ws_context

    async def get_context(self, request: Request | WebSocket, response: Response | WebSocket) -> Any:
        if isinstance(request, WebSocket):
            assert self._ws_context is not None  # the WebSocket route exists only with a ws_context
            return await self._ws_context(self._holder["resources"], request)
        return await self._context(self._holder["resources"], request)

    async def process_result(self, request: Request, result: ExecutionResult) -> GraphQLHTTPResponse:
        if result.errors:
            mark_graphql_errors(request.scope)  # read by MeteredGraphQL; the response is unchanged
        return await super().process_result(request, result)


def build_subgraph_app(
    *,
    name: str,
    schema: SubgraphSchema,
    resources: Callable[[], AbstractAsyncContextManager[R]],
    context: Callable[[R, Request], Awaitable[Any]],
    metrics: bool = True,
    recorder: SubgraphMetrics | None = None,
    ws_context: Callable[[R, WebSocket], Awaitable[Any]] | None = None,
) -> Starlette:
    """A Starlette app serving `schema` at /graphql; /health answers 200 once `resources` are open.

    With `metrics`, /graphql requests are counted and timed and ``GET /metrics`` serves them
    (see :mod:`subgraphs.common.metrics`); pass `recorder` to serve metrics the app's own parts add to
    its registry as well (the cases subgraph's outbox relay). With `ws_context` (the context of a
    WebSocket connection), /graphql also serves the schema's subscriptions over WebSocket
    (``graphql-transport-ws``); `protect` verifies the upgrade as a signed call.
    """
    holder: dict[str, Any] = {}

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        async with resources() as opened:
            holder["resources"] = opened
            try:
                yield
            finally:
                holder.pop("resources", None)

    async def health(_: Request) -> Response:
        if "resources" not in holder:
            return JSONResponse({"status": "starting", "subgraph": name}, status_code=503)
        return JSONResponse({"status": "ok", "subgraph": name})

    graphql_app: _GraphQL[R] = _GraphQL(schema, holder, context, ws_context)
    if recorder is None and metrics:
        recorder = SubgraphMetrics(name)
    routes: list[BaseRoute] = [
        Route("/health", health, methods=["GET"]),
        Route("/graphql", graphql_app if recorder is None else MeteredGraphQL(graphql_app, recorder),
              methods=["GET", "POST"]),
    ]
    if ws_context is not None:
        routes.append(WebSocketRoute("/graphql", graphql_app))
    if recorder is not None:
        page = recorder

        async def metrics_page(_: Request) -> Response:
            return Response(page.render(), media_type=page.content_type)

        routes.append(Route("/metrics", metrics_page, methods=["GET"]))
    # the request id and trace context the gateway sent: in every log line and on to the departments' systems
    app = Starlette(routes=routes, lifespan=lifespan, middleware=[Middleware(RequestTelemetry)])
    app.state.resources = holder
    return app
