"""Inbound de-duplication: identical concurrent query operations are executed once.

A request is *identical* to one in flight when everything that can change its answer is equal: the
HTTP method, the negotiated response media type, the supergraph runtime, the progressive-override
labels drawn for it, the document text, operation name, document id and variables (their JSON text),
and every extension's `dedupe_key` (the security extensions: the authenticated principal with its
claims, the purpose code and record and whether it is bound, the end user). The per-call parts of
signed subgraph headers (nonce, time, request id) are not part of it.

The first such request leads: it runs the whole pipeline. It becomes joinable only once its operation
is planned and known to be a query (never a mutation or subscription) and only while it runs: a
request arriving after the answer is complete runs again. Every request that arrives meanwhile
follows: it still passes ``on_request`` (authentication, rate limit, purpose check) itself, then waits
for the leader and gets the leader's serialised bytes, status and headers; then each extension's
`share_response` runs for it (the access log writes this caller's own record). A follower that leaves
does not disturb the others; a leader whose client leaves mid-way hands over: the waiting requests look
again and one of them leads. A leader that fails unexpectedly gives itself and every follower the same
typed ``INTERNAL_SERVER_ERROR`` answer.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Hashable, Sequence
from dataclasses import dataclass
from typing import Any, Final

import orjson

from gateway.extensions import GatewayExtension, GraphQLRequest, RequestContext, overrides
from gateway.media import response_status
from gateway.pipeline import GraphQLResponse, error_response_parts
from gateway.planning.planner import PreparedOperation
from gateway.runtime import GatewayRuntime
from gateway.security.errors import SecurityError

__all__ = ["InboundDedupe", "SharedAnswer", "request_key"]

log = logging.getLogger("gateway.dedupe")

#: hooks whose extension changes a request's answer or acts per request: it must say what it keys on
_PER_REQUEST_HOOKS: Final = ("on_request", "inspect_request", "validate_document", "headers_for_subgraph",
                             "on_subgraph_response", "transform_response", "complete_response")
#: how often a follower looks again after its leader left without an answer
_MAX_HANDOVERS: Final = 3
OnPrepared = Callable[[PreparedOperation], None]
_INTERNAL: Final = orjson.dumps({"errors": [{"message": "Internal server error.",
                                             "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]})


@dataclass(frozen=True, slots=True)
class SharedAnswer:
    """One serialised answer; the same object reaches the leader and all its followers."""

    status: int
    content: bytes
    headers: dict[str, str] | None
    operation_type: str
    #: the response before serialisation (metrics, the followers' `share_response`); never changed
    body: dict[str, Any]
    prepared: PreparedOperation | None
    #: the leader's request context (what the security extensions found out about the request)
    context: RequestContext


class _Flight:
    __slots__ = ("future", "waiting")

    def __init__(self, future: asyncio.Future[SharedAnswer | None]) -> None:
        self.future = future
        self.waiting = 0


def request_key(method: str, media: str, runtime: GatewayRuntime, labels: frozenset[str], request: GraphQLRequest,
                parts: Sequence[Hashable]) -> tuple[Hashable, ...] | None:
    """The de-duplication key of one request (None: it cannot be keyed, so it is never shared)."""
    variables = request.variables
    try:
        encoded = orjson.dumps(variables) if variables is not None else b""
    except TypeError:
        return None
    # the runtime's id is unique while a request on it is in flight (the flight holds the leader's context)
    return (method, media, id(runtime), labels, request.query, request.operation_name, request.document_id,
            encoded, *parts)


def _unkeyed(extensions: Sequence[GatewayExtension]) -> list[str]:
    """Extensions that would make sharing unsafe: per-request hooks without `dedupe_key`, or a
    `complete_response` without `share_response` (its per-request work would be skipped for followers)."""
    unsafe = []
    for ext in extensions:
        unkeyed = any(overrides(ext, hook) for hook in _PER_REQUEST_HOOKS) and not overrides(ext, "dedupe_key")
        unshared = overrides(ext, "complete_response") and not overrides(ext, "share_response")
        if unkeyed or unshared:
            unsafe.append(type(ext).__name__)
    return unsafe


class InboundDedupe:
    """The requests in flight that identical ones may join (one per app, used from its event loop)."""

    def __init__(self, extensions: Sequence[GatewayExtension] = ()) -> None:
        unsafe = _unkeyed(extensions)
        #: False when an extension cannot say what its requests depend on: then nothing is shared
        self.enabled = not unsafe
        if unsafe:
            log.warning("inbound de-duplication is off: extension(s) %s do not define dedupe_key/share_response",
                        ", ".join(unsafe))
        self._keyed = tuple(e for e in extensions if overrides(e, "dedupe_key"))
        self._sharers = tuple(e for e in extensions if overrides(e, "share_response"))
        self._inflight: dict[tuple[Hashable, ...], _Flight] = {}
        #: requests that ran the pipeline / got another request's answer (for tests and benchmarks)
        self.executed = 0
        self.followed = 0

    def waiting(self) -> int:
        """How many requests wait for a leader right now."""
        return sum(flight.waiting for flight in self._inflight.values())

    def key(self, method: str, media: str, runtime: GatewayRuntime, labels: frozenset[str], request: GraphQLRequest,
            context: RequestContext) -> tuple[Hashable, ...] | None:
        parts = []
        for ext in self._keyed:
            part = ext.dedupe_key(context)
            if part is None:
                return None
            parts.append(part)
        return request_key(method, media, runtime, labels, request, parts)

    async def answer(self, key: tuple[Hashable, ...], media: str, context: RequestContext,
                     run: Callable[[OnPrepared], Awaitable[GraphQLResponse]]) -> SharedAnswer:
        """The answer for one request with this `key`: an in-flight leader's (then this caller's
        `share_response` hooks run), else its own from `run(on_prepared)` (a `GraphQLResponse`)."""
        for _ in range(_MAX_HANDOVERS):
            flight = self._inflight.get(key)
            if flight is None:
                break
            flight.waiting += 1
            try:
                # shielded: a follower that is cancelled (its client left) leaves the shared future alone
                shared = await asyncio.shield(flight.future)
            finally:
                flight.waiting -= 1
            if shared is not None:
                self.followed += 1
                return await self._share(shared, media, context)
            # the leader left without an answer: look again; the first to come back leads
        return await self._lead(key, media, context, run)

    async def _lead(self, key: tuple[Hashable, ...], media: str, context: RequestContext,
                    run: Callable[[OnPrepared], Awaitable[GraphQLResponse]]) -> SharedAnswer:
        flight: _Flight | None = None
        seen: PreparedOperation | None = None
        inflight = self._inflight

        def prepared(operation: PreparedOperation) -> None:
            nonlocal flight, seen
            seen = operation
            # only queries are shared (a mutation's effect must happen per request), and only while running
            if operation.operation_kind == "query" and key not in inflight:
                flight = inflight[key] = _Flight(asyncio.get_running_loop().create_future())

        self.executed += 1
        try:
            result = await run(prepared)
            status = response_status(media, result.status, request_error=result.request_error,
                                     has_data="data" in result.body)
            shared = SharedAnswer(status, orjson.dumps(result.body), result.headers, result.operation_type,
                                  result.body, seen, context)
        except Exception:
            log.exception("request failed unexpectedly%s",
                          " (the same error goes to the identical requests waiting)" if flight is not None else "")
            shared = SharedAnswer(500, _INTERNAL, None, seen.operation_kind if seen else "unknown",
                                  orjson.loads(_INTERNAL), seen, context)
        except BaseException:  # cancelled: whoever waits looks again and one of them leads
            if flight is not None:
                self._land(key, flight, None)
            raise
        if flight is not None:
            self._land(key, flight, shared)
        return shared

    def _land(self, key: tuple[Hashable, ...], flight: _Flight, shared: SharedAnswer | None) -> None:
        # leave the table first: a request arriving from now on must not get a completed answer
        if self._inflight.get(key) is flight:
            del self._inflight[key]
        if not flight.future.done():
            flight.future.set_result(shared)

    async def _share(self, shared: SharedAnswer, media: str, context: RequestContext) -> SharedAnswer:
        if not self._sharers:
            return shared
        try:
            for ext in self._sharers:
                await ext.share_response(shared.body, shared.prepared, shared.context, context)
        except SecurityError as exc:  # withheld from this caller (e.g. its access record cannot be written)
            body, status, headers = error_response_parts(exc)
            return SharedAnswer(status, orjson.dumps(body), headers, shared.operation_type, body, shared.prepared,
                                context)
        return shared

