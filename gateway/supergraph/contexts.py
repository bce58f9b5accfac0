"""``@context`` / ``@fromContext`` (Federation 2.8) as the supergraph carries them (join v0.5, context v0.1).

A subgraph type marked ``@context(name: "unit")`` appears in the supergraph as ``@context(name: "sub__unit")``
(the name prefixed with its subgraph, so contexts of different subgraphs never meet); an argument marked
``@fromContext(field: "$unit { currency }")`` is dropped from the supergraph field and described by
``@join__field(graph: SUB, contextArguments: [{context: "sub__unit", name: "currency", type: "String",
selection: " { currency }"}])``. The client never gives that argument: the gateway reads ``selection`` from
the nearest ancestor object that sets the context and passes it to the subgraph.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from graphql import (
    DirectiveNode,
    GraphQLError,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    ListValueNode,
    ObjectValueNode,
    OperationDefinitionNode,
    StringValueNode,
    parse,
)

from gateway.errors import InvalidSupergraph
from gateway.supergraph.model import ContextArgument, TypeInfo


def read_context_arguments(directive: DirectiveNode, element: str) -> tuple[ContextArgument, ...]:
    """The ``contextArguments`` of one ``@join__field`` (empty when it has none)."""
    node = next((a.value for a in directive.arguments or () if a.name.value == "contextArguments"), None)
    if node is None:
        return ()
    items = node.values if isinstance(node, ListValueNode) else (node,)
    out: list[ContextArgument] = []
    for item in items:
        if not isinstance(item, ObjectValueNode):
            raise InvalidSupergraph("contextArguments must be a list of join__ContextArgument", element=element)
        fields = {f.name.value: f.value.value for f in item.fields if isinstance(f.value, StringValueNode)}
        missing = [k for k in ("name", "type", "context", "selection") if not fields.get(k, "").strip()]
        if missing:
            raise InvalidSupergraph(f"a context argument lacks {', '.join(missing)}", element=element)
        out.append(ContextArgument(fields["name"], fields["type"], fields["context"], fields["selection"],
                                   parse_context_selection(fields["selection"], element)))
    return tuple(out)


def parse_context_selection(text: str, element: str) -> Any:
    """The selection of a context argument (``" { currency }"``, ``"... on A { x } ... on B { y }"``)."""
    body = text.strip()
    if not body.startswith("{"):
        body = "{" + body + "}"
    try:
        doc = parse(body, no_location=True)
    except GraphQLError as exc:
        raise InvalidSupergraph(f"invalid context selection {text!r}: {exc.message}", element=element) from exc
    op = doc.definitions[0]
    if not isinstance(op, OperationDefinitionNode):
        raise InvalidSupergraph(f"invalid context selection {text!r}", element=element)
    return op.selection_set


def type_contexts(nodes: Sequence[Any], directive: str, element: str) -> tuple[str, ...]:
    """The context names set by a type (its ``@context(name:)`` applications)."""
    out: list[str] = []
    for node in nodes:
        for d in node.directives or ():
            if d.name.value != directive:
                continue
            name = next((a.value.value for a in d.arguments or ()
                         if a.name.value == "name" and isinstance(a.value, StringValueNode)), None)
            if not name:
                raise InvalidSupergraph("@context needs a string name", element=element)
            if name not in out:
                out.append(name)
    return tuple(out)


def context_setters(types: Mapping[str, TypeInfo], schema: GraphQLSchema) -> dict[str, frozenset[str]]:
    """Context name -> the object types whose objects set it."""
    out: dict[str, set[str]] = {}
    for name, info in types.items():
        for context in info.contexts:
            t = schema.get_type(name)
            if isinstance(t, GraphQLObjectType):
                concrete = {name}
            elif isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
                concrete = {o.name for o in schema.get_possible_types(t)}
            else:
                concrete = set()
            out.setdefault(context, set()).update(concrete)
    return {k: frozenset(v) for k, v in out.items()}
