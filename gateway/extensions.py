"""Hooks for what sits around execution: authentication, limits, authorization, signed headers, masking, audit.

The gateway calls every extension in order; the defaults do nothing. An extension signals a refusal by
raising a :class:`gateway.errors.GatewayError` or :class:`gateway.security.errors.SecurityError`
subclass (its ``code`` and ``http_status`` are used).

Order of the hooks for one request::

    on_request (HTTP: headers, credentials)  -> inspect_request (text: may replace the document)
    -> parse/validate/plan (cached) -> validate_document -> execute
         (per subgraph call: headers_for_subgraph -> POST -> on_subgraph_response)
    -> transform_response (sync) -> complete_response (async, e.g. durable audit record)

With inbound de-duplication (`gateway.inbound_dedupe`) a request identical to one in flight skips
everything after ``on_request``: it waits for that leader's answer, then ``share_response`` runs for
it. ``dedupe_key`` says what an extension put in the context that can change the answer; an extension
with per-request hooks that does not override it switches inbound de-duplication off.

`startup`/`shutdown` run in the app's lifespan with the shared HTTP client; `routes` adds endpoints.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLError

if TYPE_CHECKING:
    import httpx
    from starlette.requests import Request
    from starlette.routing import BaseRoute

    from gateway.planning.planner import PreparedOperation
    from gateway.runtime import GatewayRuntime


@dataclass(frozen=True)
class GraphQLRequest:
    """One GraphQL request as read from HTTP; `query` is empty when only a `document_id` was sent."""

    query: str
    variables: dict[str, Any] | None = None
    operation_name: str | None = None
    document_id: str | None = None


@dataclass
class RequestContext:
    """Per-request state shared by the extensions (e.g. the authenticated principal)."""

    request: Request | None = None
    values: dict[str, Any] = field(default_factory=dict)
    runtime: GatewayRuntime | None = None


class GatewayExtension:
    """Base class with no-op hooks; override the ones you need."""

    def routes(self) -> Sequence[BaseRoute]:
        """Extra HTTP routes served by the gateway app (e.g. an audit endpoint)."""
        return ()

    async def startup(self, client: httpx.AsyncClient) -> None:
        """In the app's lifespan, once the shared HTTP client exists (open stores, fetch keys)."""

    async def shutdown(self) -> None:
        """At the end of the app's lifespan."""

    async def on_request(self, request: Request, context: RequestContext) -> None:
        """Before anything else (authenticate, rate-limit); raise to refuse."""

    def inspect_request(self, request: GraphQLRequest, context: RequestContext) -> GraphQLRequest:
        """Before parsing (limits, trusted documents, pruning); return the request to run."""
        return request

    def validate_document(self, document: DocumentNode, operation: PreparedOperation,
                          context: RequestContext) -> list[GraphQLError]:
        """After parsing, validation and planning; errors refuse."""
        return []

    def headers_for_subgraph(self, service: str, url: str, body: bytes,
                             context: RequestContext, *, method: str = "POST") -> Mapping[str, str]:
        """Extra headers for one subgraph request (e.g. signed caller context); `method` "GET" with an empty
        `body` is a subscription's WebSocket upgrade."""
        return {}

    def on_subgraph_response(self, service: str, body: bytes, payload: dict[str, Any] | None,
                             context: RequestContext) -> None:
        """After one subgraph call; `payload` is None when the call failed."""

    def transform_response(self, response: dict[str, Any], operation: PreparedOperation | None,
                           context: RequestContext) -> dict[str, Any]:
        """Change the response before it is serialised (e.g. masking)."""
        return response

    async def complete_response(self, response: dict[str, Any], operation: PreparedOperation | None,
                                context: RequestContext) -> dict[str, Any]:
        """Last, asynchronous step (e.g. a durable audit record); raise to withhold the response."""
        return response

    def dedupe_key(self, context: RequestContext) -> Hashable:
        """After ``on_request``: everything this extension put in `context` that can change the answer
        (the caller, the purpose). Requests share one answer only when every extension's key is equal;
        None: this request is never shared."""
        return None

    async def share_response(self, response: dict[str, Any], operation: PreparedOperation | None,
                             leader: RequestContext, context: RequestContext) -> None:
        """A de-duplicated request (`context`) gets the answer `response` of the identical request
        `leader` ran: do what must happen per caller (an audit record); raise to withhold it."""


def overrides(extension: GatewayExtension, name: str) -> bool:
    """True when ``extension`` overrides hook ``name`` (lets the hot path skip no-op hooks)."""
    return getattr(type(extension), name) is not getattr(GatewayExtension, name)
