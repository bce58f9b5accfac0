"""Planning entry point: validated document -> prepared operation (plan + response shape)."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import (
    DocumentNode,
    FragmentDefinitionNode,
    OperationDefinitionNode,
    OperationType,
    VariableDefinitionNode,
    print_ast,
)

from gateway.errors import BadUserInput
from gateway.planning.builder import GroupBuilder
from gateway.planning.conflicts import ConflictAliaser, response_keys
from gateway.planning.defer import IncrementalOperation, prepare_incremental, uses_incremental
from gateway.planning.groups import FetchGroup
from gateway.planning.operation import INTROSPECTION_ROOT_FIELDS, Normalizer, OpField, OpSelection
from gateway.planning.plan import FetchNode, OperationKind, QueryPlan, Rename, count_fetches
from gateway.planning.schedule import merge_same_level, schedule
from gateway.planning.selection import SelectionBuilder
from gateway.planning.shape import ShapeSelection, compile_shape
from gateway.supergraph.model import Supergraph


@dataclass(frozen=True)
class PreparedOperation:
    """Everything about one (document, operation name) that does not depend on variables."""

    plan: QueryPlan
    shape: ShapeSelection
    operation_kind: OperationKind
    operation_name: str | None
    variable_definitions: tuple[VariableDefinitionNode, ...]
    document: DocumentNode
    has_introspection: bool
    interface_names: frozenset[str] = field(default_factory=frozenset)
    #: the @defer/@stream sites when the operation has any (see `gateway.planning.defer`)
    incremental: IncrementalOperation | None = None
    #: the key a client's ``__typename`` alias on another field travels under (gateway.typename_alias)
    typename_alias_key: str | None = None


def select_operation(document: DocumentNode, operation_name: str | None) -> OperationDefinitionNode:
    ops = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name:
        for op in ops:
            if op.name is not None and op.name.value == operation_name:
                return op
        raise BadUserInput(f'Unknown operation named "{operation_name}".')
    if len(ops) != 1:
        raise BadUserInput("Must provide operation name if query contains multiple operations."
                           if ops else "Must provide an operation.")
    return ops[0]


def plan_operation(supergraph: Supergraph, document: DocumentNode, operation_name: str | None = None, *,
                   merge_fetches: bool = True) -> PreparedOperation:
    """Plan one operation of an already validated document."""
    op = select_operation(document, operation_name)
    kind: OperationKind = {OperationType.QUERY: "query", OperationType.MUTATION: "mutation",
                           OperationType.SUBSCRIPTION: "subscription"}[op.operation]  # type: ignore[assignment]
    api = supergraph.api_schema
    root = api.get_root_type(op.operation)
    if root is None:
        raise BadUserInput(f"the schema has no {kind} type")
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    selection = Normalizer(api, fragments).selection(root.name, op.selection_set)
    builder = GroupBuilder(supergraph)
    roots = builder.plan_root(kind, root.name, selection)
    groups = builder.groups
    if merge_fetches and kind != "mutation":
        groups = merge_same_level(groups)
    var_defs = {v.variable.name.value: _var_def_text(v) for v in op.variable_definitions or ()}
    emitter = _Emitter(op.name.value if op.name else None, kind, var_defs, supergraph)
    node = schedule(groups, roots, kind, emitter.fetch)
    plan = QueryPlan(node, kind, count_fetches(node))
    interfaces = frozenset(n for n, t in supergraph.types.items() if t.kind == "interface")
    return PreparedOperation(
        plan=plan, shape=compile_shape(api, selection), operation_kind=kind,
        operation_name=op.name.value if op.name else None,
        variable_definitions=tuple(op.variable_definitions or ()), document=document,
        has_introspection=_has_introspection(selection), interface_names=interfaces,
        incremental=prepare_incremental(supergraph, document, op, kind) if uses_incremental(document) else None,
    )


def _has_introspection(selection: OpSelection) -> bool:
    return any(isinstance(i, OpField) and i.name in INTROSPECTION_ROOT_FIELDS for i in selection.items)


def _var_def_text(v: VariableDefinitionNode) -> str:
    text = f"${v.variable.name.value}:{print_ast(v.type)}"
    if v.default_value is not None:
        text += f"={print_ast(v.default_value)}"
    return text


class _Emitter:
    """Writes the subgraph operation text of each group."""

    def __init__(self, name: str | None, kind: OperationKind, var_defs: dict[str, str],
                 supergraph: Supergraph) -> None:
        self.name = name
        self.kind = kind
        self.var_defs = var_defs
        self.supergraph = supergraph
        self.count = 0
        self._field_names: set[str] | None = None

    def fetch(self, group: FetchGroup) -> FetchNode:
        self.count += 1
        used: list[str] = []
        op_name = f"{self.name}__{group.service}__{self.count - 1}" if self.name else None
        if not group.is_entity:
            aliaser, renames = self._aliases(group.service, [(group.root_type, group.selection)])
            group.selection.variables(used)
            defs = ",".join(self.var_defs[v] for v in used if v in self.var_defs)
            header = self.kind + (" " + op_name if op_name else "") + (f"({defs})" if defs else "")
            text = header + group.selection.text(aliaser)
            return FetchNode(group.service, text, self.kind, tuple(used), (), op_name, renames=renames)
        # the parts are fragments of one selection set (on ``_Entity``): they must merge with each other
        aliaser, renames = self._aliases(group.service, [(t, part.selection) for t, part in group.entities.items()])
        body: list[str] = []
        for type_name, part in group.entities.items():
            part.selection.variables(used)
            if not part.selection.is_empty():
                body.append(f"...on {type_name}{part.selection.text(aliaser)}")
        defs = "".join("," + self.var_defs[v] for v in used if v in self.var_defs)
        if group.contexts:  # @fromContext values: declared here, filled by the executor (not client variables)
            defs += "".join(f",${c.variable}:{c.type}" for c in group.contexts)
            used = [v for v in used if v not in {c.variable for c in group.contexts}]
        header = "query" + (" " + op_name if op_name else "") + f"($representations:[_Any!]!{defs})"
        text = header + "{_entities(representations:$representations){" + " ".join(body) + "}}"
        requires = group.frozen_requires(self.supergraph.possible_types)
        return FetchNode(group.service, text, "query", tuple(used), requires, op_name, renames=renames,
                         contexts=tuple(group.contexts))

    def _aliases(self, service: str, roots: list[tuple[str, SelectionBuilder]]) -> tuple[dict[int, str] | None,
                                                                                         Rename | None]:
        """Aliases for the fields of one fetch that cannot merge in ``service``'s schema (None: nothing
        conflicts, the common case), and the renames that undo them."""
        if self._field_names is None:
            self._field_names = {f for t in self.supergraph.types.values() for f in t.fields}
        taken = set(self._field_names)
        for _, sel in roots:
            response_keys(sel, taken)
        aliaser = ConflictAliaser(self.supergraph, service, taken)
        renames = aliaser.resolve(roots)
        return (aliaser.aliases or None), renames
