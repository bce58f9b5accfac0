"""Hooks for what sits around execution: authentication, limits, authorization, signed headers, masking.

The gateway calls every extension in order; the defaults do nothing. An extension signals a refusal by
raising a :class:`gateway.errors.GatewayError` subclass (its ``code`` and ``http_status`` are used).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from graphql import DocumentNode, GraphQLError

if TYPE_CHECKING:
    from starlette.requests import Request

    from gateway.planning.planner import PreparedOperation


@dataclass
class RequestContext:
    """Per-request state shared by the extensions (e.g. the authenticated principal)."""

    request: Request | None = None
    values: dict[str, Any] = field(default_factory=dict)


class GatewayExtension:
    """Base class with no-op hooks; override the ones you need."""

    async def on_request(self, request: Request, context: RequestContext) -> None:
        """Before anything else (authenticate, rate-limit); raise a GatewayError to refuse."""

    def validate_document(self, document: DocumentNode, operation: PreparedOperation,
                          context: RequestContext) -> list[GraphQLError]:
        """After parsing, validation and planning (limits, authorization directives); errors refuse."""
        return []

    def headers_for_subgraph(self, service: str, body: bytes, context: RequestContext) -> Mapping[str, str]:
        """Extra headers for one subgraph request (e.g. signed caller context)."""
        return {}

    def transform_response(self, response: dict[str, Any], operation: PreparedOperation | None,
                           context: RequestContext) -> dict[str, Any]:
        """Last change to the response before it is serialised (e.g. masking)."""
        return response


def overrides(extension: GatewayExtension, name: str) -> bool:
    """True when ``extension`` overrides hook ``name`` (lets the hot path skip no-op hooks)."""
    return getattr(type(extension), name) is not getattr(GatewayExtension, name)
