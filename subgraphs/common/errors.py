"""How subgraphs report errors: GraphQL errors with a stable `extensions.code`.

Adapter errors (`adapters.errors`) keep their code (SOURCE_UNAVAILABLE, MALFORMED_RECORD,
SOURCE_REJECTED) and name the source system; the message never carries personal data.
"""

from __future__ import annotations

from graphql import GraphQLError

from adapters.errors import MalformedRecord, SourceError


def graphql_error(code: str, message: str, **extensions: object) -> GraphQLError:
    return GraphQLError(message, extensions={"code": code, **extensions})


def from_source_error(exc: SourceError) -> GraphQLError:
    ext: dict[str, object] = {"code": exc.code, "source": exc.source}
    if isinstance(exc, MalformedRecord):
        ext["problems"] = exc.problems
    return GraphQLError(str(exc), extensions=ext, original_error=exc)
