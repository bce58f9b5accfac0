"""The gateway app's entry points for subscriptions: the ``/graphql`` WebSocket route and the SSE answer."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import WebSocketRoute
from starlette.websockets import WebSocket

from gateway.errors import GatewayError
from gateway.extensions import GraphQLRequest, RequestContext
from gateway.pipeline import Pipeline, error_response_parts
from gateway.runtime import GatewayRuntime
from gateway.security.errors import SecurityError
from gateway.subscriptions.sse import event_stream_response
from gateway.subscriptions.stream import SubscriptionStream
from gateway.subscriptions.websocket import Connection, WebSocketLimits

__all__ = ["WebSocketLimits", "serve_event_stream", "websocket_route"]


def websocket_route(runtime: Callable[[], GatewayRuntime | None], pipeline: Callable[[], Pipeline],
                    limits: WebSocketLimits) -> WebSocketRoute:
    async def endpoint(ws: WebSocket) -> None:
        await Connection(ws, runtime, pipeline(), limits).serve()

    return WebSocketRoute("/graphql", endpoint)


async def serve_event_stream(request: Request, runtime: GatewayRuntime | None, pipeline: Pipeline,
                             read: Callable[[], Awaitable[GraphQLRequest]],
                             answer: Callable[[dict[str, object], int, dict[str, str] | None], Response],
                             upstream_timeout_s: float = 10.0) -> Response:
    """``POST /graphql`` with ``Accept: text/event-stream``: the operation's results as an event stream."""
    if runtime is None:
        return answer({"errors": [{"message": "The supergraph is not loaded yet.",
                                   "extensions": {"code": "SUPERGRAPH_NOT_LOADED"}}]}, 503, None)
    context = RequestContext(request, runtime=runtime)
    try:
        for ext in pipeline.extensions:
            await ext.on_request(request, context)
        gql = await read()
    except (GatewayError, SecurityError) as exc:
        body, status, headers = error_response_parts(exc)
        return answer(body, status, headers)
    stream = SubscriptionStream(pipeline, runtime, gql, context, upstream_timeout_s=upstream_timeout_s)
    refused = await stream.start()
    return event_stream_response(stream, refused)
