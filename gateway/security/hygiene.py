"""Request hygiene for the GraphQL HTTP endpoint: CSRF, batching, GET mutations, introspection, errors.

CSRF rule (a browser sends "simple" cross-site requests without a CORS preflight, so those must
not be able to run an operation):

* POST passes when its Content-Type media type is ``application/json`` or
  ``application/graphql-response+json`` (parameters such as ``charset`` ignored), or when it has
  a non-empty preflight header: ``x-apollo-operation-name``, ``apollo-require-preflight`` or
  ``x-hub-preflight``. So form-encoded, multipart and text/plain posts are rejected.
* GET passes only with a non-empty preflight header. An ``Accept`` header does not count: a page
  can send any Accept value with ``fetch(..., {mode: "no-cors"})`` without a preflight, and a link or
  ``<img>`` sends ``*/*``. GET may only run queries: `ensure_not_mutation_over_get`.
* other methods are not GraphQL requests and are left to routing (405 there).

All checks raise the typed errors of `gateway.security.errors`; `security_error_response`
turns one into an HTTP response.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
)

from gateway.security.errors import (
    BatchingDisabled,
    CsrfPrevented,
    IntrospectionDisabled,
    MutationOverGet,
)

__all__ = [
    "JSON_MEDIA_TYPES",
    "PREFLIGHT_HEADERS",
    "HygienePolicy",
    "ensure_batch_allowed",
    "ensure_csrf_safe",
    "ensure_introspection_allowed",
    "ensure_not_mutation_over_get",
    "format_error",
    "introspection_fields",
    "media_type",
    "select_operation",
    "strip_suggestions",
]

PREFLIGHT_HEADERS: Final = ("x-apollo-operation-name", "apollo-require-preflight", "x-hub-preflight")
JSON_MEDIA_TYPES: Final = frozenset({"application/json", "application/graphql-response+json"})
INTROSPECTION_FIELDS: Final = frozenset({"__schema", "__type"})
_UNSAFE_EXTENSION_KEYS: Final = frozenset({"exception", "stacktrace", "traceback"})


@dataclass(frozen=True, slots=True)
class HygienePolicy:
    """Switches for the HTTP layer; the defaults are the production settings."""

    csrf_prevention: bool = True
    batching: bool = False
    max_batch_size: int = 10
    introspection: bool = False
    hide_suggestions: bool = True


def _lower_keys(headers: Mapping[str, str]) -> dict[str, str]:
    return {key.lower(): value for key, value in headers.items()}


def media_type(content_type: str | None) -> str:
    """The lower-cased media type of a Content-Type value, without parameters."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def _has_preflight_header(headers: Mapping[str, str]) -> bool:
    return any(headers.get(name, "").strip() for name in PREFLIGHT_HEADERS)


def ensure_csrf_safe(method: str, headers: Mapping[str, str]) -> None:
    """Raise `CsrfPrevented` for a request a browser could send cross-site without a preflight."""
    lowered = _lower_keys(headers)
    verb = method.upper()
    if verb == "POST":
        if media_type(lowered.get("content-type")) in JSON_MEDIA_TYPES or _has_preflight_header(lowered):
            return
        raise CsrfPrevented(
            "This operation has been blocked as a potential Cross-Site Request Forgery (CSRF). "
            "Send it with Content-Type: application/json, or add a non-empty "
            "'x-apollo-operation-name', 'apollo-require-preflight' or 'x-hub-preflight' header."
        )
    if verb == "GET":
        if _has_preflight_header(lowered):
            return
        raise CsrfPrevented(
            "This GET request has been blocked as a potential Cross-Site Request Forgery (CSRF). "
            "Add a non-empty 'apollo-require-preflight', 'x-apollo-operation-name' or 'x-hub-preflight' "
            "header (an Accept header is not enough), or send the query by POST with Content-Type: "
            "application/json."
        )


def ensure_batch_allowed(payload: object, policy: HygienePolicy) -> None:
    """Raise `BatchingDisabled` for a JSON array body when batching is off (or the batch is too big)."""
    if not isinstance(payload, list):
        return
    if not policy.batching:
        raise BatchingDisabled("Operation batching is disabled: send one operation per request.")
    if len(payload) > policy.max_batch_size:
        raise BatchingDisabled(
            f"A batch may hold at most {policy.max_batch_size} operations.",
            extensions={"limit": policy.max_batch_size},
        )


def select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode | None:
    """The operation a request runs: the named one, or the only one; None when ambiguous or absent."""
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is None:
        return operations[0] if len(operations) == 1 else None
    for operation in operations:
        if operation.name is not None and operation.name.value == operation_name:
            return operation
    return None


def ensure_not_mutation_over_get(method: str, document: DocumentNode, operation_name: str | None) -> None:
    """Raise `MutationOverGet` when a GET request would run a mutation or subscription.

    When the operation cannot be chosen (ambiguous), any non-query operation in the document is
    enough to refuse: the request is invalid anyway and must not be executed over GET.
    """
    if method.upper() != "GET":
        return
    chosen = select_operation(document, operation_name)
    candidates = [chosen] if chosen is not None else [
        d for d in document.definitions if isinstance(d, OperationDefinitionNode)
    ]
    for operation in candidates:
        if operation.operation is not OperationType.QUERY:
            raise MutationOverGet(
                f"Can only perform a {operation.operation.value} operation from a POST request."
            )


def introspection_fields(document: DocumentNode) -> list[str]:
    """Response paths (dotted) of every ``__schema`` / ``__type`` field anywhere in the document.

    All operations and all fragments are searched -- also unused ones -- so fragments, inline
    fragments and aliases cannot hide an introspection field. ``__typename`` is not introspection.
    """
    found: list[str] = []
    pending: list[tuple[Any, str]] = []
    for definition in document.definitions:
        if isinstance(definition, OperationDefinitionNode | FragmentDefinitionNode):
            label = definition.name.value if definition.name is not None else "<operation>"
            pending.append((definition, label))
    while pending:
        node, path = pending.pop()
        if isinstance(node, FieldNode):
            key = node.alias.value if node.alias is not None else node.name.value
            path = f"{path}.{key}"
            if node.name.value in INTROSPECTION_FIELDS:
                found.append(path)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend((child, path) for child in selection_set.selections)
    return sorted(found)


def ensure_introspection_allowed(document: DocumentNode, policy: HygienePolicy) -> None:
    """Raise `IntrospectionDisabled` when introspection is off and the document introspects."""
    if policy.introspection:
        return
    if introspection_fields(document):
        raise IntrospectionDisabled("GraphQL introspection is not allowed here.")


_SUGGESTION: Final = re.compile(r"\s*Did you mean\b[^?]*\?")


def strip_suggestions(message: str) -> str:
    """Remove "Did you mean …?" hints (they leak schema names when introspection is off)."""
    return _SUGGESTION.sub("", message).rstrip()


def _is_intended(error: BaseException | None) -> bool:
    """An error raised on purpose by our layers carries a string ``code`` class attribute."""
    return error is None or isinstance(error, GraphQLError) or isinstance(getattr(type(error), "code", None), str)


def format_error(error: GraphQLError, *, policy: HygienePolicy | None = None, expose_internal: bool = False) -> dict[str, Any]:
    """A client-safe error entry: no stack trace, no ``extensions.exception``; unexpected internal
    exceptions become "Internal server error"; suggestions removed when the policy says so."""
    policy = policy or HygienePolicy()
    formatted: dict[str, Any] = dict(error.formatted)
    extensions = {k: v for k, v in (formatted.get("extensions") or {}).items() if k not in _UNSAFE_EXTENSION_KEYS}
    if not expose_internal and not _is_intended(error.original_error):
        formatted["message"] = "Internal server error"
        extensions = {"code": "INTERNAL_SERVER_ERROR"}
    original = error.original_error
    if "code" not in extensions and original is not None and isinstance(getattr(type(original), "code", None), str):
        extensions["code"] = type(original).code  # type: ignore[attr-defined]
    if policy.hide_suggestions:
        formatted["message"] = strip_suggestions(str(formatted["message"]))
    if extensions:
        formatted["extensions"] = extensions
    else:
        formatted.pop("extensions", None)
    return formatted
