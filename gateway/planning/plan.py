"""The query plan as plain data (frozen dataclasses) and its stable text form."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse, print_ast

from gateway.planning.operation import Condition

OperationKind = Literal["query", "mutation", "subscription"]


@dataclass(frozen=True)
class RequireField:
    """A field copied from the response tree into an entity representation.

    ``name`` is the field's name in the representation; ``response_key`` is the key it was fetched under
    (the same unless the planner aliased the field away from a client alias, e.g. ``upc__hub: upc``).
    """

    name: str
    selection: tuple[RequireItem, ...] = ()
    response_key: str = ""

    def __post_init__(self) -> None:
        if not self.response_key:
            object.__setattr__(self, "response_key", self.name)


@dataclass(frozen=True)
class RequireFragment:
    """``... on Type { ... }`` in a representation selection; ``typename_as`` rewrites ``__typename``."""

    type_condition: str
    selection: tuple[RequireItem, ...]
    typename_as: str | None = None
    applies_to: frozenset[str] = frozenset()  # concrete __typename values this fragment matches


RequireItem = RequireField | RequireFragment


@dataclass(frozen=True)
class Rename:
    """Response keys a fetch sent under planner aliases, to put back before its response is merged.

    ``keys`` maps each alias at this level to the response key it stands for; ``below`` holds the renames
    inside the value at a response key (as sent, so an alias when the field itself was renamed).
    """

    keys: tuple[tuple[str, str], ...]
    below: tuple[tuple[str, Rename], ...] = ()

    def originals(self) -> dict[str, str]:
        """Every alias of the tree -> the response key it stands for (aliases are unique per fetch)."""
        out = dict(self.keys)
        for _, sub in self.below:
            out.update(sub.originals())
        return out


@dataclass(frozen=True)
class ContextRewrite:
    """A ``@fromContext`` argument of an entity fetch: the variable ``variable`` (of subgraph type ``type``)
    holds ``selection`` read from the nearest ancestor of each object whose ``__typename`` is in ``setters``."""

    variable: str
    type: str
    context: str
    setters: frozenset[str]
    selection: tuple[RequireItem, ...]


@dataclass(frozen=True)
class FetchNode:
    """One request to one subgraph (a root operation, or ``_entities`` when ``requires`` is set)."""

    service_name: str
    operation: str  # the subgraph operation text, as sent
    operation_kind: OperationKind = "query"
    variable_usages: tuple[str, ...] = ()
    requires: tuple[RequireFragment, ...] = ()
    operation_name: str | None = None
    kind: Literal["Fetch"] = "Fetch"
    #: aliases the planner gave conflicting fields (FieldsInSetCanMerge in the subgraph's schema)
    renames: Rename | None = None
    #: ``@fromContext`` arguments: objects are sent in one request per distinct set of context values
    contexts: tuple[ContextRewrite, ...] = ()

    @property
    def is_entity_fetch(self) -> bool:
        return bool(self.requires)


@dataclass(frozen=True)
class FlattenNode:
    """Run ``node`` for the objects found at ``paths`` (``@`` steps into list items)."""

    paths: tuple[tuple[str, ...], ...]
    node: FetchNode
    kind: Literal["Flatten"] = "Flatten"

    @property
    def path(self) -> str:
        return ".".join(self.paths[0])


@dataclass(frozen=True)
class SequenceNode:
    nodes: tuple[PlanNode, ...]
    kind: Literal["Sequence"] = "Sequence"


@dataclass(frozen=True)
class BatchedFetch:
    """Entity fetches of one ``ParallelNode`` to one subgraph, sent as ONE request (see planning/batching.py).

    ``members`` index the parallel node's children (each a ``FlattenNode``); member ``k`` is sent as
    ``aliases[k]: _entities(representations: $variables[k])`` inside ``operation``.
    """

    service_name: str
    operation: str
    members: tuple[int, ...]
    aliases: tuple[str, ...]
    variables: tuple[str, ...]
    variable_usages: tuple[str, ...] = ()
    operation_name: str | None = None


@dataclass(frozen=True)
class ParallelNode:
    nodes: tuple[PlanNode, ...]
    kind: Literal["Parallel"] = "Parallel"
    batches: tuple[BatchedFetch, ...] = ()


@dataclass(frozen=True)
class ConditionNode:
    """Run ``if_clause`` when the Boolean variable ``condition`` is true, else ``else_clause``."""

    condition: str
    if_clause: PlanNode | None
    else_clause: PlanNode | None
    kind: Literal["Condition"] = "Condition"


PlanNode = SequenceNode | ParallelNode | FetchNode | FlattenNode | ConditionNode


@dataclass(frozen=True)
class QueryPlan:
    node: PlanNode | None
    operation_kind: OperationKind = "query"
    fetch_count: int = 0
    conditions: tuple[Condition, ...] = field(default=())


def count_fetches(node: PlanNode | None) -> int:
    if node is None:
        return 0
    if isinstance(node, FetchNode):
        return 1
    if isinstance(node, FlattenNode):
        return 1
    if isinstance(node, ConditionNode):
        return count_fetches(node.if_clause) + count_fetches(node.else_clause)
    if isinstance(node, ParallelNode) and node.batches:  # one request per batch
        batched = {i for b in node.batches for i in b.members}
        return len(node.batches) + sum(count_fetches(n) for i, n in enumerate(node.nodes) if i not in batched)
    return sum(count_fetches(n) for n in node.nodes)


# ---------------------------------------------------------------- text form

def format_plan(plan: QueryPlan) -> str:
    """Stable, human-readable text of a plan (the form plan tests compare)."""
    lines = ["QueryPlan {"]
    if plan.node is not None:
        _node(plan.node, 1, lines)
    lines.append("}")
    return "\n".join(lines)


def _node(node: PlanNode, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    if isinstance(node, SequenceNode | ParallelNode):
        out.append(f"{pad}{node.kind} {{")
        batch_at = {b.members[0]: b for b in node.batches} if isinstance(node, ParallelNode) else {}
        batched = {i for b in batch_at.values() for i in b.members}
        for i, child in enumerate(node.nodes):
            batch = batch_at.get(i)
            if batch is not None:  # the members of one request, in their order
                out.append(f'{pad}  Batch(service: "{batch.service_name}") {{')
                for member in batch.members:
                    _node(node.nodes[member], depth + 2, out)
                out.append(f"{pad}  }},")
            elif i not in batched:
                _node(child, depth + 1, out)
        out.append(f"{pad}}},")
    elif isinstance(node, FlattenNode):
        paths = node.paths
        if len(paths) == 1:
            out.append(f'{pad}Flatten(path: "{".".join(paths[0])}") {{')
        else:
            joined = ", ".join(f'"{".".join(p)}"' for p in paths)
            out.append(f"{pad}Flatten(paths: [{joined}]) {{")
        _node(node.node, depth + 1, out)
        out.append(f"{pad}}},")
    elif isinstance(node, ConditionNode):
        if node.if_clause is not None:
            out.append(f"{pad}Include(if: ${node.condition}) {{")
            _node(node.if_clause, depth + 1, out)
            out.append(f"{pad}}},")
        if node.else_clause is not None:
            out.append(f"{pad}Skip(if: ${node.condition}) {{")
            _node(node.else_clause, depth + 1, out)
            out.append(f"{pad}}},")
    else:
        _fetch(node, depth, out)


def _fetch(node: FetchNode, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    out.append(f'{pad}Fetch(service: "{node.service_name}") {{')
    doc = parse(node.operation, no_location=True)
    op = doc.definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    selection = op.selection_set
    if node.requires:
        out.append(f"{pad}  {{")
        for frag in node.requires:
            _require(frag, depth + 2, out)
        out.append(f"{pad}  }} =>")
        for ctx in node.contexts:
            setters = " | ".join(sorted(ctx.setters))
            out.append(f"{pad}  ${ctx.variable}: {ctx.type} = nearest {setters} {{")
            for sub in ctx.selection:
                _require(sub, depth + 2, out)
            out.append(f"{pad}  }}")
        entities = selection.selections[0]
        assert isinstance(entities, FieldNode)
        assert entities.selection_set is not None
        selection = entities.selection_set
    keyword = "" if node.operation_kind == "query" else node.operation_kind + " "
    out.append(f"{pad}  {keyword}{{")
    _selection(selection, depth + 2, out)
    out.append(f"{pad}  }}")
    out.append(f"{pad}}},")


def _require(item: RequireItem, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    if isinstance(item, RequireFragment):
        out.append(f"{pad}... on {item.type_condition} {{")
        for sub in item.selection:
            _require(sub, depth + 1, out)
        out.append(f"{pad}}}")
    else:
        # ``name: key`` when the value is read from another response key than the representation's name
        text = item.name if item.response_key == item.name else f"{item.name}: {item.response_key}"
        if item.selection:
            out.append(f"{pad}{text} {{")
            for sub in item.selection:
                _require(sub, depth + 1, out)
            out.append(f"{pad}}}")
        else:
            out.append(f"{pad}{text}")


def _selection(selection: SelectionSetNode, depth: int, out: list[str]) -> None:
    pad = "  " * depth
    for sel in selection.selections:
        directives = "".join(" " + print_ast(d) for d in sel.directives or ())
        if isinstance(sel, FieldNode):
            text = (sel.alias.value + ": " if sel.alias else "") + sel.name.value
            if sel.arguments:
                text += "(" + ", ".join(print_ast(a) for a in sel.arguments) + ")"
            text += directives
        else:
            assert isinstance(sel, InlineFragmentNode)
            cond = f" on {sel.type_condition.name.value}" if sel.type_condition else ""
            text = f"...{cond}{directives}"
        if sel.selection_set is not None:
            out.append(f"{pad}{text} {{")
            _selection(sel.selection_set, depth + 1, out)
            out.append(f"{pad}}}")
        else:
            out.append(f"{pad}{text}")
