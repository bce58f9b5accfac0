"""The gateway's Starlette app: POST/GET /graphql, /health, /metrics, and supergraph reload without dropping requests."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from collections.abc import AsyncIterator, Callable, Iterable, Sequence
from time import perf_counter
from typing import Any

import httpx
import orjson
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from gateway.errors import BadUserInput, GatewayError, InvalidSupergraph, MethodNotAllowed, NotAcceptable
from gateway.execution.transport import SubgraphTransport
from gateway.extensions import GatewayExtension, RequestContext
from gateway.inbound_dedupe import InboundDedupe
from gateway.media import JSON, content_type, ensure_json_body, negotiate, response_status
from gateway.metrics import GatewayMetrics
from gateway.multipart import accepts_incremental, incremental_response
from gateway.pipeline import GraphQLRequest, Pipeline, error_response_parts
from gateway.runtime import GatewayRuntime
from gateway.security.errors import BatchingDisabled, SecurityError
from gateway.security.limits import read_body_limited
from gateway.source import SupergraphSource
from gateway.subscriptions.routes import WebSocketLimits, serve_event_stream, websocket_route
from telemetry.asgi import RequestTelemetry

log = logging.getLogger("gateway")
#: what /metrics counts for a request whose handling raised (Starlette answers it with a plain 500)
_CRASHED: dict[str, Any] = {"errors": [{"extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}


class GatewayState:
    """Holds the current runtime; replacing it is one reference assignment (atomic for readers)."""

    def __init__(self, source: SupergraphSource, runtime: GatewayRuntime | None, cache_size: int) -> None:
        self.source = source
        self.runtime = runtime
        self.cache_size = cache_size
        self.reloads = 0
        self.last_error: str | None = None
        self.on_reload: Callable[[], None] | None = None  # told of each successful reload (metrics)

    async def reload(self, client: httpx.AsyncClient | None = None, *, force: bool = False) -> bool:
        """Load the supergraph again if it changed; keep the old runtime when the new one is broken."""
        current = self.runtime
        if not force and current is not None and not self.source.is_url and self.source.version() == current.version:
            return False
        try:
            sdl, version = await self.source.read(client)
            if current is not None and sdl == current.supergraph.source_sdl:
                return False
            runtime = await asyncio.to_thread(GatewayRuntime.from_sdl, sdl, version=version,
                                              cache_size=self.cache_size)
        except InvalidSupergraph as exc:
            self.last_error = exc.message
            log.warning("supergraph not (re)loaded: %s", exc.message)
            return False
        self.runtime = runtime
        self.reloads += 1
        self.last_error = None
        if self.on_reload is not None:
            self.on_reload()
        return True


def _json(body: Any, status: int = 200, headers: dict[str, str] | None = None, media: str = JSON) -> Response:
    return Response(orjson.dumps(body), status_code=status, media_type=content_type(media), headers=headers)


def create_app(supergraph_source: str, *, subgraph_timeout_s: float = 10.0, dedupe_inflight: bool = False,
               subgraph_timeouts: dict[str, float] | None = None,
               extensions: Sequence[GatewayExtension] = (), poll_interval_s: float | None = 2.0,
               install_sighup: bool = False, plan_cache_size: int = 1000,
               max_connections: int = 512, max_body_bytes: int = 4 * 1024 * 1024,
               dedupe_ignore_headers: Sequence[str] = (), metrics: bool = True,
               override_labels: Iterable[str] = (), subscriptions: WebSocketLimits | None = None) -> Starlette:
    """Build the gateway app for a supergraph file path or http(s) URL.

    A file supergraph is loaded (and checked) now, raising :class:`InvalidSupergraph`; a URL is fetched at
    start-up and ``/health`` answers 503 until it loads. A request body above `max_body_bytes` is refused
    (413) as soon as that is known; a JSON array body (operation batching) is refused (400).
    With `metrics`, ``GET /metrics`` serves this app's Prometheus metrics (see :mod:`gateway.metrics`).
    Progressive @override: a field whose override carries a label moves to the overriding subgraph on a
    request where the label is on — `percent(x)` for x % of requests, any other label when it is one of
    `override_labels` (else never: the field stays where it was).
    Subscriptions: ``/graphql`` over WebSocket (``graphql-transport-ws``, bounded by `subscriptions`) and
    ``POST /graphql`` with ``Accept: text/event-stream`` (:mod:`gateway.subscriptions`).
    """
    source = SupergraphSource(supergraph_source)
    runtime = None
    if not source.is_url:
        sdl, version = source.read_file()
        runtime = GatewayRuntime.from_sdl(sdl, version=version, cache_size=plan_cache_size)
    state = GatewayState(source, runtime, plan_cache_size)
    holder: dict[str, Pipeline] = {}
    # --dedupe also shares identical in-flight client queries (gateway.inbound_dedupe)
    inbound = InboundDedupe(extensions) if dedupe_inflight else None
    if inbound is not None and not inbound.enabled:
        inbound = None
    recorder = GatewayMetrics() if metrics else None
    if recorder is not None:
        recorder.track_reloads(lambda: state.reloads)
        state.on_reload = recorder.reloaded

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        limits = httpx.Limits(max_connections=max_connections, max_keepalive_connections=max_connections,
                              keepalive_expiry=30.0)
        async with httpx.AsyncClient(limits=limits, timeout=subgraph_timeout_s) as client:
            # subgraph calls use the transport's own pooled HTTP/1.1 client; httpx serves the rest
            # (JWKS, a supergraph served over HTTP)
            transport = SubgraphTransport(client, timeout_s=subgraph_timeout_s, timeouts=subgraph_timeouts,
                                          dedupe_inflight=dedupe_inflight, max_connections=max_connections,
                                          dedupe_ignore_headers=dedupe_ignore_headers, metrics=recorder)
            holder["pipeline"] = Pipeline(transport, extensions, override_labels=frozenset(override_labels))
            started: list[GatewayExtension] = []
            for ext in extensions:
                await ext.startup(client)
                started.append(ext)
            if state.runtime is None:
                await state.reload(client, force=True)
            tasks: list[asyncio.Future[Any]] = []
            if poll_interval_s:
                tasks.append(asyncio.create_task(_poll(state, client, poll_interval_s)))
            loop = asyncio.get_running_loop()
            if install_sighup:
                loop.add_signal_handler(signal.SIGHUP,
                                        lambda: tasks.append(asyncio.ensure_future(state.reload(client, force=True))))
            try:
                yield
            finally:
                if install_sighup:
                    loop.remove_signal_handler(signal.SIGHUP)
                for t in tasks:
                    t.cancel()
                for t in tasks:
                    with contextlib.suppress(asyncio.CancelledError, Exception):
                        await t
                for ext in reversed(started):
                    await ext.shutdown()
                await transport.aclose()

    def answer(started: float, operation_type: str, body: dict[str, Any], status: int = 200,
               headers: dict[str, str] | None = None, media: str = JSON) -> Response:
        if recorder is not None:
            recorder.record_request(operation_type, body, perf_counter() - started)
        return _json(body, status, headers, media)

    async def graphql(request: Request) -> Response:
        """One GraphQL-over-HTTP request; media types and statuses as `gateway.media` sets them out."""
        started = perf_counter()
        accept = request.headers.get("accept")
        if accept is not None and "text/event-stream" in accept and request.method == "POST":
            return await serve_event_stream(request, state.runtime, holder["pipeline"],
                                            lambda: _read_request(request, max_body_bytes),
                                            lambda body, status, headers: _json(body, status, headers),
                                            upstream_timeout_s=subgraph_timeout_s)
        incremental = accepts_incremental(accept)
        try:
            media = negotiate(accept)
        except NotAcceptable as exc:
            if not incremental:  # a client that takes multipart/mixed reads JSON answers too
                body, status, headers = error_response_parts(exc)
                return answer(started, "unknown", body, status, headers)
            media = JSON
        runtime = state.runtime  # the request keeps this runtime even if a reload swaps it
        if runtime is None:
            return answer(started, "unknown", {"errors": [{"message": "The supergraph is not loaded yet.",
                                                           "extensions": {"code": "SUPERGRAPH_NOT_LOADED"}}]},
                          503, media=media)
        pipeline = holder["pipeline"]
        context = RequestContext(request, runtime=runtime)
        try:
            for ext in pipeline.extensions:
                await ext.on_request(request, context)
            gql = await _read_request(request, max_body_bytes)
        except (GatewayError, SecurityError) as exc:
            # refused at the HTTP layer (not a well-formed GraphQL request): the same status for both types
            body, status, headers = error_response_parts(exc)
            return answer(started, "unknown", body, status, headers, media)
        if inbound is not None and not incremental:  # a multipart answer is a stream, never shared bytes
            return await deduplicated(started, request.method, media, runtime, gql, context, pipeline)
        try:
            result = await pipeline.run(runtime, gql, context, allow_mutation=request.method == "POST",
                                        incremental=incremental)
        except Exception:
            if recorder is not None:
                recorder.record_request("unknown", _CRASHED, perf_counter() - started)
            raise
        if result.stream is not None:
            kind = result.operation_type

            def delivered(errors: list[dict[str, Any]]) -> None:
                if recorder is not None:
                    recorder.record_request(kind, {"data": {}, "errors": errors} if errors else {"data": {}},
                                            perf_counter() - started)

            return incremental_response(result.stream, delivered)
        status = response_status(media, result.status, request_error=result.request_error,
                                 has_data="data" in result.body)
        return answer(started, result.operation_type, result.body, status, result.headers, media)

    async def deduplicated(started: float, method: str, media: str, runtime: GatewayRuntime, gql: GraphQLRequest,
                           context: RequestContext, pipeline: Pipeline) -> Response:
        assert inbound is not None
        labels = pipeline.labels(runtime)
        allow_mutation = method == "POST"
        key = inbound.key(method, media, runtime, labels, gql, context)
        if key is None:
            result = await pipeline.run(runtime, gql, context, allow_mutation=allow_mutation, labels=labels)
            status = response_status(media, result.status, request_error=result.request_error,
                                     has_data="data" in result.body)
            return answer(started, result.operation_type, result.body, status, result.headers, media)
        shared = await inbound.answer(key, media, context, lambda on_prepared: pipeline.run(
            runtime, gql, context, allow_mutation=allow_mutation, labels=labels, on_prepared=on_prepared))
        if recorder is not None:
            recorder.record_request(shared.operation_type, shared.body, perf_counter() - started)
        return Response(shared.content, status_code=shared.status, media_type=content_type(media),
                        headers=shared.headers)

    async def metrics_page(request: Request) -> Response:
        assert recorder is not None
        return Response(recorder.render(), media_type=recorder.content_type)

    async def health(request: Request) -> Response:
        if state.runtime is None:
            return _json({"status": "loading", "error": state.last_error}, 503)
        return _json({"status": "ok", "reloads": state.reloads, "pid": os.getpid()})

    extra_routes = [route for ext in extensions for route in ext.routes()]
    own_routes = [Route("/graphql", graphql, methods=["GET", "POST"]), Route("/health", health, methods=["GET"]),
                  websocket_route(lambda: state.runtime, lambda: holder["pipeline"], subscriptions or WebSocketLimits())]
    if recorder is not None:
        own_routes.append(Route("/metrics", metrics_page, methods=["GET"]))
    # every request gets an id (answered in x-request-id, passed to subgraphs) and /graphql a trace span
    app = Starlette(routes=[*own_routes, *extra_routes], lifespan=lifespan, middleware=[Middleware(RequestTelemetry)])
    app.state.gateway = state
    app.state.inbound_dedupe = inbound
    return app


async def _read_request(request: Request, max_body_bytes: int) -> GraphQLRequest:
    if request.method == "GET":
        params = request.query_params
        query = params.get("query")
        variables: Any = params.get("variables")
        if variables:
            try:
                variables = orjson.loads(variables)
            except orjson.JSONDecodeError as exc:
                raise BadUserInput("variables is not valid JSON") from exc
        extensions: Any = params.get("extensions")
        if extensions:
            try:
                extensions = orjson.loads(extensions)
            except orjson.JSONDecodeError as exc:
                raise BadUserInput("extensions is not valid JSON") from exc
        return _validated(query, variables or None, params.get("operationName"),
                          params.get("documentId"), extensions or None)
    if request.method != "POST":
        raise MethodNotAllowed("Use GET or POST.")
    ensure_json_body(request.headers.get("content-type"))
    raw = await read_body_limited(request.stream(), max_body_bytes,
                                  content_length=request.headers.get("content-length"))
    try:
        payload = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise BadUserInput("The request body is not valid JSON.") from exc
    if isinstance(payload, list):
        raise BatchingDisabled("Operation batching is disabled: send one operation per request.")
    if not isinstance(payload, dict):
        raise BadUserInput("The request body must be a JSON object.")
    return _validated(payload.get("query"), payload.get("variables"), payload.get("operationName"),
                      payload.get("documentId"), payload.get("extensions"))


def _persisted_id(document_id: Any, extensions: Any) -> str | None:
    if isinstance(document_id, str) and document_id:
        return document_id
    if isinstance(extensions, dict):
        persisted = extensions.get("persistedQuery")
        if isinstance(persisted, dict) and isinstance(persisted.get("sha256Hash"), str):
            return str(persisted["sha256Hash"])
    return None


def _validated(query: Any, variables: Any, operation_name: Any, document_id: Any = None,
               extensions: Any = None) -> GraphQLRequest:
    persisted = _persisted_id(document_id, extensions)
    if (not isinstance(query, str) or not query.strip()) and persisted is None:
        raise BadUserInput("The request has no query string.")
    if query is not None and not isinstance(query, str):
        raise BadUserInput("query must be a string.")
    if variables is not None and not isinstance(variables, dict):
        raise BadUserInput("variables must be a JSON object.")
    if operation_name is not None and not isinstance(operation_name, str):
        raise BadUserInput("operationName must be a string.")
    if extensions is not None and not isinstance(extensions, dict):
        raise BadUserInput("extensions must be a JSON object.")
    return GraphQLRequest(query or "", variables, operation_name or None, persisted)


async def _poll(state: GatewayState, client: httpx.AsyncClient, interval: float) -> None:
    while True:
        await asyncio.sleep(interval)
        if not state.source.is_url:
            await state.reload(client)
