"""The incremental-delivery directives the client-facing schema offers: ``@defer`` and ``@stream``."""

from __future__ import annotations

from graphql import GraphQLDeferDirective, GraphQLSchema, GraphQLStreamDirective


def with_incremental_directives(schema: GraphQLSchema) -> GraphQLSchema:
    """`schema` with ``@defer(if: Boolean! = true, label: String)`` and
    ``@stream(if: Boolean! = true, label: String, initialCount: Int = 0)`` unless it defines them itself.

    They are executable directives of the incremental-delivery RFC (the gateway plans and delivers them,
    see :mod:`gateway.planning.defer`); a supergraph never passes them on to the API schema.
    """
    have = {d.name for d in schema.directives}
    extra = tuple(d for d in (GraphQLDeferDirective, GraphQLStreamDirective) if d.name not in have)
    if not extra:
        return schema
    kwargs = schema.to_kwargs()
    kwargs["directives"] = (*schema.directives, *extra)
    return GraphQLSchema(**kwargs)
