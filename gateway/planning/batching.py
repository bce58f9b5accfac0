"""Entity fetches that run side by side to one subgraph, sent as one request with aliased ``_entities``.

Fetches to one subgraph at the same step that could not become one ``_entities`` call (their
representations read one field from different response keys, e.g. ``price`` requested with two
different arguments) are still independent of each other, so they go out as one operation:

    query($r0:[_Any!]!,$r1:[_Any!]!){_e0:_entities(representations:$r0){...} _e1:_entities(representations:$r1){...}}

Each member keeps its own fetch node (requires, renames, error handling); only the request is shared.
Decided at plan time; the executor sends the operation and hands each alias's list to its member.
"""

from __future__ import annotations

from graphql import FieldNode, OperationDefinitionNode, parse, print_ast
from graphql.utilities import strip_ignored_characters

from gateway.planning.plan import BatchedFetch, FetchNode, FlattenNode, ParallelNode, PlanNode

_REPRESENTATIONS = "representations"


def parallel(nodes: list[PlanNode]) -> ParallelNode:
    """A parallel node of ``nodes`` whose entity fetches to one subgraph share one request."""
    by_service: dict[str, list[tuple[int, FlattenNode]]] = {}
    for i, node in enumerate(nodes):
        # a fetch with @fromContext arguments sends one request per set of context values: never batched
        if isinstance(node, FlattenNode) and node.node.operation_kind == "query" and node.node.requires \
                and not node.node.contexts:
            by_service.setdefault(node.node.service_name, []).append((i, node))
    batches = tuple(_batch(service, [f for _, f in members], tuple(i for i, _ in members))
                    for service, members in by_service.items() if len(members) > 1)
    return ParallelNode(tuple(nodes), batches=batches)


def _batch(service: str, members: list[FlattenNode], indices: tuple[int, ...]) -> BatchedFetch:
    usages: dict[str, None] = {}
    definitions: dict[str, str] = {}
    bodies: list[str] = []
    for flatten in members:
        fetch = flatten.node
        usages.update(dict.fromkeys(fetch.variable_usages))
        op = _operation(fetch)
        for v in op.variable_definitions or ():
            name = v.variable.name.value
            if name != _REPRESENTATIONS:  # the client's variables: the same value for every member
                definitions.setdefault(name, print_ast(v))
        entities = op.selection_set.selections[0]
        assert isinstance(entities, FieldNode)
        assert entities.selection_set is not None
        bodies.append(print_ast(entities.selection_set))
    taken = set(usages)
    aliases = tuple(f"_e{k}" for k in range(len(members)))
    variables = tuple(_free(f"r{k}", taken) for k in range(len(members)))
    header = ",".join([f"${v}:[_Any!]!" for v in variables] + list(definitions.values()))
    op_name = members[0].node.operation_name
    fields = " ".join(f"{a}:_entities(representations:${v}){body}"
                      for a, v, body in zip(aliases, variables, bodies, strict=True))
    text = strip_ignored_characters("query" + (f" {op_name}" if op_name else "") + f"({header}){{{fields}}}")
    return BatchedFetch(service, text, indices, aliases, variables, tuple(usages), op_name)


def _operation(fetch: FetchNode) -> OperationDefinitionNode:
    op = parse(fetch.operation, no_location=True).definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    return op


def _free(name: str, taken: set[str]) -> str:
    """``name``, or ``name`` with underscores appended, so it names none of the client's variables."""
    while name in taken:
        name += "_"
    taken.add(name)
    return name
