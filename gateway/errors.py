"""The gateway's error tree; every error carries a stable ``extensions.code``.

::

    GatewayError (INTERNAL_SERVER_ERROR)
    ├── InvalidSupergraph (INVALID_SUPERGRAPH)           the supergraph cannot be served; names the element
    ├── RequestError                                      the client's request is wrong (HTTP 400)
    │   ├── ParseFailed (GRAPHQL_PARSE_FAILED)
    │   ├── ValidationFailed (GRAPHQL_VALIDATION_FAILED)
    │   ├── BadUserInput (BAD_USER_INPUT)                 variables do not coerce, unknown operation name
    │   ├── MethodNotAllowed (METHOD_NOT_ALLOWED)         e.g. a mutation over GET (HTTP 405)
    │   ├── NotAcceptable (NOT_ACCEPTABLE)                the Accept header admits no media type served (406)
    │   └── UnsupportedMediaType (UNSUPPORTED_MEDIA_TYPE) a POST body that is not JSON in UTF-8 (415)
    ├── PlanningError (QUERY_PLANNING_FAILED)             no subgraph can resolve a selection
    └── SubgraphError                                     one subgraph request failed; carries the service
        ├── SubrequestHttpError (SUBREQUEST_HTTP_ERROR)   non-2xx answer or a body that is not GraphQL JSON
        ├── SubrequestTimeout (SUBREQUEST_TIMEOUT)        no answer within the per-subgraph timeout
        └── SubgraphUnavailable (SUBGRAPH_UNAVAILABLE)    connection refused / reset / DNS failure
"""

from __future__ import annotations

from typing import Any, ClassVar


class GatewayError(Exception):
    """Base of every error the gateway raises on purpose."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, extensions: dict[str, Any] | None = None,
                 locations: list[dict[str, int]] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra_extensions = dict(extensions or {})
        self.locations = locations

    def to_graphql(self) -> dict[str, Any]:
        """The error as a GraphQL response error entry."""
        entry: dict[str, Any] = {"message": self.message}
        if self.locations:
            entry["locations"] = self.locations
        entry["extensions"] = {"code": self.code, **self.extra_extensions}
        return entry

    def to_graphql_list(self) -> list[dict[str, Any]]:
        """All response error entries this error stands for (validation may report several)."""
        return [self.to_graphql()]


class InvalidSupergraph(GatewayError):
    code = "INVALID_SUPERGRAPH"

    def __init__(self, message: str, *, element: str | None = None) -> None:
        super().__init__(f"{element}: {message}" if element else message)
        self.element = element


class RequestError(GatewayError):
    http_status = 400


class ParseFailed(RequestError):
    code = "GRAPHQL_PARSE_FAILED"


class ValidationFailed(RequestError):
    code = "GRAPHQL_VALIDATION_FAILED"

    def __init__(self, message: str, *, locations: list[dict[str, int]] | None = None,
                 others: list[GatewayError] | None = None) -> None:
        super().__init__(message, locations=locations)
        self.others = list(others or [])

    def to_graphql_list(self) -> list[dict[str, Any]]:
        return [self.to_graphql(), *(o.to_graphql() for o in self.others)]


class BadUserInput(RequestError):
    code = "BAD_USER_INPUT"


class MethodNotAllowed(RequestError):
    code = "METHOD_NOT_ALLOWED"
    http_status = 405


class NotAcceptable(RequestError):
    code = "NOT_ACCEPTABLE"
    http_status = 406


class UnsupportedMediaType(RequestError):
    code = "UNSUPPORTED_MEDIA_TYPE"
    http_status = 415


class PlanningError(GatewayError):
    code = "QUERY_PLANNING_FAILED"
    http_status = 200  # a valid query the supergraph cannot serve: a GraphQL error, not a server fault


class SubgraphError(GatewayError):
    """A request to one subgraph failed; its fields become null in the response."""

    def __init__(self, message: str, *, service: str) -> None:
        super().__init__(message, extensions={"serviceName": service})
        self.service = service


class SubrequestHttpError(SubgraphError):
    code = "SUBREQUEST_HTTP_ERROR"

    def __init__(self, message: str, *, service: str, status: int | None = None) -> None:
        super().__init__(message, service=service)
        self.status = status
        if status is not None:
            self.extra_extensions["http"] = {"status": status}


class SubrequestTimeout(SubgraphError):
    code = "SUBREQUEST_TIMEOUT"


class SubgraphUnavailable(SubgraphError):
    code = "SUBGRAPH_UNAVAILABLE"
