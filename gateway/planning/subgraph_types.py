"""A field's type as one subgraph declares it, and how the planner selects below it in that subgraph.

A subgraph may declare a field with another type than the supergraph's: ``String!`` where the supergraph
says ``String``, an object type where the supergraph has an interface it implements, or a union where the
supergraph has one of its members. The supergraph records it with ``@join__field(type:)``.
"""

from __future__ import annotations

from dataclasses import dataclass

from graphql import GraphQLField, GraphQLInterfaceType, GraphQLObjectType

from gateway.supergraph.model import Supergraph


@dataclass(frozen=True)
class SubgraphType:
    """A field's output type as one subgraph declares it: modifiers (outermost first) and named type."""

    wrappers: str
    named: str


_TYPENAME = SubgraphType("N", "String")


def subgraph_type(sg: Supergraph, service: str, parent: str, name: str) -> SubgraphType | None:
    """The type ``service`` gives ``parent.name`` (``@join__field(type:)`` where it differs from the
    supergraph's); None for a field the supergraph does not know."""
    if name == "__typename":
        return _TYPENAME
    info = sg.field(parent, name)
    text: str | None = None
    if info is not None:
        text = next((j.type for j in info.joins if j.graph == service and j.type), None)
    if text is None:
        t = sg.schema.get_type(parent)
        field: GraphQLField | None = t.fields.get(name) if isinstance(
            t, GraphQLObjectType | GraphQLInterfaceType) else None
        if field is None:
            return None
        text = str(field.type)
    wrappers: list[str] = []
    while True:
        if text.endswith("!"):
            wrappers.append("N")
            text = text[:-1]
        elif text.startswith("["):
            wrappers.append("L")
            text = text[1:-1]
        else:
            return SubgraphType("".join(wrappers), text)


def selection_types(sg: Supergraph, service: str, parent: str, name: str, api_type: str) -> tuple[tuple[str, bool], ...]:
    """Where to plan the selection of ``parent.name`` in ``service`` (``api_type`` is the supergraph's
    named type of the field): (type, whether in a fragment on that type) pairs.

    Usually just the supergraph's type. The subgraph's own type when it is narrower (fragments on types
    it cannot hold are then pruned); when the subgraph's type is wider (a union holding the supergraph's
    object type, say) the selection goes into a fragment on the supergraph's type, or on each of its
    possible types the subgraph's type holds when the subgraph does not know the supergraph's type.
    """
    own = subgraph_type(sg, service, parent, name)
    plain = ((api_type, False),)
    if own is None or own.named == api_type or own.named not in sg.types or api_type not in sg.types:
        return plain
    mine, theirs = set(sg.possible_types(own.named)), set(sg.possible_types(api_type))
    # FEDERATION_NOTE: fragments inside a field's selection must be possible in the subgraph's own type of
    # the field ("Fragment cannot be spread here"): plan on the narrower type, or spread the supergraph's.
    if mine <= theirs:
        return ((own.named, False),)
    if not theirs <= mine:
        return plain
    if sg.defines(service, api_type):
        return ((api_type, True),)
    held = set(sg.possible_types_in(service, own.named))
    return tuple((t, True) for t in sorted(theirs & held))
