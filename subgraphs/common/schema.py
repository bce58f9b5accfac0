"""The Federation v2 schema every hub subgraph uses: strawberry's, with privacy-safe error logging.

Strawberry logs each GraphQL error with its printed form, which quotes the operation around the
error location — and an operation may carry an ID number as a literal. `SubgraphSchema` logs the
code, the path and the scrubbed message instead, with the traceback only for unexpected errors.
"""

from __future__ import annotations

import logging
from typing import Any

import strawberry
from graphql import GraphQLError
from strawberry.types import ExecutionContext

from adapters.errors import SourceError
from subgraphs.common.access import AccessRules, govern
from subgraphs.common.logsafe import scrub
from subgraphs.common.store_errors import STORE_UNAVAILABLE, store_unavailable
from subgraphs.common.tracing import OperationSpan

FEDERATION_VERSION = "2.6"
log = logging.getLogger("subgraphs.errors")
# 2.6: @policy (with @authenticated and @requiresScopes, the access rules of `subgraphs.common.access`)


class SubgraphSchema(strawberry.federation.Schema):
    def __init__(self, *, subgraph: str, access: AccessRules | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("federation_version", FEDERATION_VERSION)
        kwargs["extensions"] = [*kwargs.get("extensions", ()), OperationSpan]
        if access is not None:
            govern([kwargs.get("query"), kwargs.get("mutation"), kwargs.get("subscription"), *kwargs.get("types", ())],
                   access)
        super().__init__(**kwargs)
        self.subgraph = subgraph

    def process_errors(self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None) -> None:
        for error in errors:
            _typed(error)
            code = (error.extensions or {}).get("code", "INTERNAL_SERVER_ERROR" if error.original_error else "GRAPHQL")
            path = ".".join(str(p) for p in error.path or ())
            original = error.original_error
            expected = original is None or isinstance(original, SourceError | GraphQLError) \
                or code == STORE_UNAVAILABLE
            log.log(
                logging.WARNING if expected else logging.ERROR,
                "%s: %s at %s: %s", self.subgraph, code, path or "-", scrub(error.message),
                exc_info=None if expected else original,
            )


#: what graphql-core says when an argument or variable does not fit its type (a date that is no date)
_COERCION = ("Value cannot represent", "got invalid value", "has invalid value", "Expected value of type",
             "Expected type")


def _typed(error: GraphQLError) -> None:
    """Give every error an `extensions.code`: a value that does not fit its type (`2026-13-45` for a
    Date) is the client's BAD_USER_INPUT; the hub's store away (restarting) is STORE_UNAVAILABLE; any
    other error without a code is a validation failure, or the server's own when it wraps an unexpected
    exception."""
    if (error.extensions or {}).get("code"):
        return
    original = error.original_error
    if store_unavailable(original):
        code = STORE_UNAVAILABLE  # the store is restarting or away: passing, the client may retry
        error.message = "the hub's store is unavailable for now; send the same request again"
    elif original is not None and not isinstance(original, GraphQLError):
        code = "BAD_USER_INPUT" if isinstance(original, ValueError | TypeError) and any(
            m in error.message for m in _COERCION) else "INTERNAL_SERVER_ERROR"
    elif any(m in error.message for m in _COERCION):
        code = "BAD_USER_INPUT"
    else:
        code = "GRAPHQL_VALIDATION_FAILED"
    error.extensions = {**(error.extensions or {}), "code": code}

