"""One client subscription from start to end, whatever carries it (WebSocket or Server-Sent Events).

`SubscriptionStream.start` runs the stages of a query up to planning (extensions' request checks and
authorization pruning, planning, document validators, variables); `events` then opens the subgraph
subscription and yields one GraphQL payload per event, each completed through the plan and passed
through the extensions' response hooks (masking, denials, audit), as a query's response is.

The stream ends when the subgraph completes, when the caller's token expires (an ``UNAUTHENTICATED``
error payload, then the end), or when the subgraph goes away (a ``SUBGRAPH_UNAVAILABLE`` error payload).
A non-subscription operation is answered with one payload.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

from gateway.errors import BadUserInput, GatewayError, SubgraphError, ValidationFailed
from gateway.extensions import GraphQLRequest, RequestContext
from gateway.pipeline import Pipeline, error_response_parts
from gateway.planning.plan import FetchNode
from gateway.planning.planner import PreparedOperation
from gateway.runtime import GatewayRuntime
from gateway.security.errors import AuthenticationError, SecurityError
from gateway.security.state import security_state
from gateway.subscriptions.events import EventExecutor, subscription_fetch
from gateway.subscriptions.upstream import UpstreamSubscription

log = logging.getLogger("gateway.subscriptions")

Payload = dict[str, Any]


def expired_payload() -> Payload:
    return {"errors": AuthenticationError("The token expired during the subscription.",
                                          reason="TOKEN_EXPIRED").to_graphql_list()}


class SubscriptionStream:
    """One operation of one client; `start` once, then iterate `events`."""

    def __init__(self, pipeline: Pipeline, runtime: GatewayRuntime, request: GraphQLRequest,
                 context: RequestContext, *, upstream_timeout_s: float = 10.0,
                 clock: Callable[[], float] = time.time) -> None:
        self.pipeline = pipeline
        self.runtime = runtime
        self.request = request
        self.context = context
        self.upstream_timeout_s = upstream_timeout_s
        self.clock = clock
        self.prepared: PreparedOperation | None = None
        self.variables: dict[str, Any] = {}
        self.kind = "unknown"
        #: when the caller's token expires (seconds since the epoch), None for an anonymous caller
        self.expires_at: float | None = None
        self._single: Payload | None = None

    async def start(self) -> Payload | None:
        """Check and plan the operation; an error payload when it is refused (the stream is then over)."""
        pipeline, runtime, context = self.pipeline, self.runtime, self.context
        context.runtime = runtime
        request = self.request
        try:
            for inspector in pipeline._inspectors:
                request = inspector.inspect_request(request, context)
            if not request.query.strip():
                raise BadUserInput("The request has no query string.")
            labels = (runtime.active_labels(pipeline.override_labels, pipeline._rng)
                      if runtime.supergraph.override_labels else frozenset[str]())
            prepared = runtime.prepare(request.query, request.operation_name, labels)
            self.kind = prepared.operation_kind
            if prepared.operation_kind != "subscription":
                # a query or mutation on a subscription transport: one result, as over HTTP
                result = await pipeline.run(runtime, self.request, context)
                self._single = result.body
                return None
            for ext in pipeline._validators:
                errors = ext.validate_document(prepared.document, prepared, context)
                if errors:
                    raise ValidationFailed(errors[0].message, others=[
                        ValidationFailed(e.message) for e in errors[1:]])
            self.variables = pipeline._variables(runtime, prepared, request.variables)
            self.prepared = prepared
        except (GatewayError, SecurityError) as exc:
            body, _, _ = error_response_parts(exc)
            return await self._finish(body)
        state = security_state(context)
        if state is not None and state.principal is not None:
            self.expires_at = state.principal.expires_at.timestamp()
        return None

    async def events(self) -> AsyncIterator[Payload]:
        """The payloads of the stream, in the order the subgraph sent the events."""
        if self._single is not None:
            yield self._single
            return
        prepared = self.prepared
        if prepared is None:
            return
        root = subscription_fetch(prepared.plan, self.variables)
        if root is None:  # the root field is skipped (@include/@skip): nothing will ever happen
            return
        if self._expired():
            yield await self._finish(expired_payload())
            return
        try:
            async with self._upstream(root) as upstream:
                while True:  # one pass per event; ends on complete, expiry or loss of the subgraph
                    remaining = None if self.expires_at is None else self.expires_at - self.clock()
                    if remaining is not None and remaining <= 0:
                        yield await self._finish(expired_payload())
                        return
                    try:
                        event = await asyncio.wait_for(upstream.next(), remaining)
                    except TimeoutError:
                        yield await self._finish(expired_payload())
                        return
                    if event is None:
                        return
                    if self._expired():  # an event racing the expiry is not delivered
                        yield await self._finish(expired_payload())
                        return
                    yield await self._event(prepared, event)
        except SubgraphError as exc:
            log.info("subscription ended: %s", exc.message)
            yield await self._finish({"errors": [exc.to_graphql()]})

    def _expired(self) -> bool:
        return self.expires_at is not None and self.clock() >= self.expires_at

    def _upstream(self, root: FetchNode) -> UpstreamSubscription:
        body: dict[str, Any] = {"query": root.operation}
        if root.variable_usages:
            body["variables"] = {n: self.variables[n] for n in root.variable_usages if n in self.variables}
        if root.operation_name:
            body["operationName"] = root.operation_name
        url = self.runtime.urls[root.service_name]
        headers: dict[str, str] = {}
        # the WebSocket upgrade is what the subgraph verifies: a GET of the subgraph's path with no body (the
        # operation only follows once the connection is open)
        for ext in self.pipeline._headers:
            headers.update(ext.headers_for_subgraph(root.service_name, url, b"", self.context, method="GET"))
        return UpstreamSubscription(root.service_name, url, body, headers, timeout_s=self.upstream_timeout_s)

    async def _event(self, prepared: PreparedOperation, event: Payload) -> Payload:
        try:
            body = await self.pipeline._execute(self.runtime, prepared, self.variables, self.context,
                                                make_executor=functools.partial(EventExecutor, event))
        except (GatewayError, SecurityError) as exc:
            body, _, _ = error_response_parts(exc)
        return await self._finish(body, prepared)

    async def _finish(self, body: Payload, prepared: PreparedOperation | None = None) -> Payload:
        """The extensions' response hooks (masking, denials, clean errors, audit), as for a query."""
        for ext in self.pipeline._transforms:
            body = ext.transform_response(body, prepared, self.context)
        for completer in self.pipeline._completers:
            try:
                body = await completer.complete_response(body, prepared, self.context)
            except SecurityError as exc:
                body, _, _ = error_response_parts(exc)
        return body
