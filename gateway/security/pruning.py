"""Remove unauthorised selections from an operation before it is planned, then null them in the answer.

`prune` walks the chosen operation like `directives.authorize` does (same rules, same abstract-type
narrowing), with every fragment spread inlined so that a fragment used in two places is judged in
each. A denied field is dropped, so the planner never fetches it. Two hidden response keys keep the
document valid and the answer exact:

* ``placeholder_key: __typename`` where a selection set would become empty;
* ``typename_key: __typename`` in every selection set on the way to a denial, so that a denial
  under a type condition (``... on Person { idNumber }``) is only applied to objects of that type.

`apply_denials` then writes null at each denied response path (through lists), propagating a
non-null field's null to its parent as GraphQL execution does, and removes the hidden keys.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLString,
    InlineFragmentNode,
    NamedTypeNode,
    NameNode,
    OperationDefinitionNode,
    OperationType,
    SelectionNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from gateway.security.directives import UNAUTHORIZED_CODE, AuthContext, AuthorizationRules
from gateway.security.hygiene import select_operation

__all__ = ["Denial", "PruneResult", "Step", "apply_denials", "prune"]

_TYPENAME: Final = "__typename"


@dataclass(frozen=True, slots=True)
class Step:
    """One field on the way to a denial: response key, declared type, concrete types it applies to."""

    key: str
    type: GraphQLOutputType
    applies_to: frozenset[str] | None


@dataclass(frozen=True, slots=True)
class Denial:
    steps: tuple[Step, ...]
    coordinate: str
    reason: str

    @property
    def path(self) -> tuple[str, ...]:
        return tuple(s.key for s in self.steps)

    def to_graphql(self) -> dict[str, Any]:
        return {"message": f"Unauthorized field or type: {self.coordinate}", "path": list(self.path),
                "extensions": {"code": UNAUTHORIZED_CODE}}


@dataclass(frozen=True, slots=True)
class PruneResult:
    """The document to plan (the original when nothing is denied) and what was removed."""

    document: DocumentNode
    denials: tuple[Denial, ...]
    typename_key: str
    placeholder_key: str

    @property
    def changed(self) -> bool:
        return bool(self.denials)


def _names(document: DocumentNode) -> set[str]:
    seen: set[str] = set()
    pending: list[Any] = list(document.definitions)
    while pending:
        node = pending.pop()
        if isinstance(node, FieldNode):
            seen.add(node.name.value)
            if node.alias is not None:
                seen.add(node.alias.value)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return seen


def _unused(base: str, taken: set[str]) -> str:
    name, n = base, 0
    while name in taken:
        n += 1
        name = f"{base}{n}"
    return name


def _hidden(alias: str) -> FieldNode:
    return FieldNode(alias=NameNode(value=alias), name=NameNode(value=_TYPENAME), arguments=(), directives=())


class _Pruner:
    def __init__(self, rules: AuthorizationRules, document: DocumentNode, context: AuthContext,
                 typename_key: str, placeholder_key: str) -> None:
        self.rules = rules
        self.context = context
        self.fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
        self.typename_key = typename_key
        self.placeholder_key = placeholder_key
        self.denials: list[Denial] = []
        self.stack: list[str] = []

    def selections(self, node: SelectionSetNode, parent: GraphQLNamedType, possible: frozenset[str],
                   full: frozenset[str], steps: tuple[Step, ...]) -> tuple[list[SelectionNode], bool]:
        kept: list[SelectionNode] = []
        denied = False
        applies = possible if possible != full else None
        for selection in node.selections:
            if isinstance(selection, FieldNode):
                field, below = self._field(selection, parent, possible, applies, steps)
                if field is not None:
                    kept.append(field)
                denied |= below
            elif isinstance(selection, InlineFragmentNode | FragmentSpreadNode):
                fragment, below = self._fragment(selection, parent, possible, full, steps)
                if fragment is not None:
                    kept.append(fragment)
                denied |= below
        return kept, denied

    def _fragment(self, node: InlineFragmentNode | FragmentSpreadNode, parent: GraphQLNamedType,
                  possible: frozenset[str], full: frozenset[str],
                  steps: tuple[Step, ...]) -> tuple[InlineFragmentNode | None, bool]:
        if isinstance(node, FragmentSpreadNode):
            definition = self.fragments.get(node.name.value)
            if definition is None or node.name.value in self.stack:
                return None, False
            condition: str | None = definition.type_condition.name.value
            type_condition: NamedTypeNode | None = definition.type_condition
            body = definition.selection_set
            self.stack.append(node.name.value)
        else:
            type_condition = node.type_condition
            condition = type_condition.name.value if type_condition is not None else None
            body = node.selection_set
        try:
            narrowed_parent = parent
            narrowed = possible
            if condition is not None:
                found = self.rules.schema.get_type(condition)
                if found is None:
                    return None, False
                narrowed_parent = found
                narrowed = possible & self.rules.possible_types(found)
            kept, denied = self.selections(body, narrowed_parent, narrowed, full, steps)
        finally:
            if isinstance(node, FragmentSpreadNode):
                self.stack.pop()
        if not kept:
            return None, denied
        return InlineFragmentNode(type_condition=type_condition, directives=node.directives or (),
                                  selection_set=SelectionSetNode(selections=tuple(kept))), denied

    def _field(self, node: FieldNode, parent: GraphQLNamedType, possible: frozenset[str],
               applies: frozenset[str] | None, steps: tuple[Step, ...]) -> tuple[FieldNode | None, bool]:
        name = node.name.value
        if name in ("__schema", "__type"):
            return node, False
        key = node.alias.value if node.alias is not None else name
        definition = parent.fields.get(name) if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else None
        field_type: GraphQLOutputType = definition.type if definition is not None else GraphQLNonNull(GraphQLString)
        step = Step(key, field_type, applies)
        for rule in self.rules.rules_for(parent, name, possible):
            if not self.context.satisfies(rule):
                self.denials.append(Denial((*steps, step), f"{parent.name}.{name}", rule.describe()))
                return None, True
        if node.selection_set is None or definition is None:
            return node, False
        child = get_named_type(definition.type)
        child_possible = self.rules.possible_types(child)
        kept, denied = self.selections(node.selection_set, child, child_possible, child_possible, (*steps, step))
        if not denied:
            return node, False
        if not kept:
            kept = [_hidden(self.placeholder_key)]
        kept.insert(0, _hidden(self.typename_key))
        return FieldNode(alias=node.alias, name=node.name, arguments=node.arguments, directives=node.directives,
                         selection_set=SelectionSetNode(selections=tuple(kept))), True


def _variables_used(root: Any) -> set[str]:
    """Variable names used anywhere under `root` (a pruned operation must not declare unused ones)."""
    used: set[str] = set()
    pending: list[Any] = [root]
    while pending:
        node = pending.pop()
        if isinstance(node, tuple | list):
            pending.extend(node)
        elif isinstance(node, VariableNode):
            used.add(node.name.value)
        elif hasattr(node, "keys"):
            pending.extend(getattr(node, key) for key in node.keys if key != "loc")
    return used


def prune(rules: AuthorizationRules, document: DocumentNode, context: AuthContext,
          operation_name: str | None) -> PruneResult:
    """Drop what `context` may not see from the chosen operation (a validated document)."""
    taken = _names(document)
    typename_key = _unused("_hubTypename", taken)
    placeholder_key = _unused("_hubPlaceholder", taken)
    operation = select_operation(document, operation_name)
    schema = rules.schema
    root = None
    if operation is not None:
        root = {OperationType.QUERY: schema.query_type, OperationType.MUTATION: schema.mutation_type,
                OperationType.SUBSCRIPTION: schema.subscription_type}[operation.operation]
    if operation is None or root is None:
        return PruneResult(document, (), typename_key, placeholder_key)
    pruner = _Pruner(rules, document, context, typename_key, placeholder_key)
    full = frozenset({root.name})
    kept, denied = pruner.selections(operation.selection_set, root, full, full, ())
    if not denied:
        return PruneResult(document, (), typename_key, placeholder_key)
    if not kept:
        kept = [_hidden(placeholder_key)]
    selection_set = SelectionSetNode(selections=tuple(kept))
    used = _variables_used((selection_set, operation.directives))
    pruned = OperationDefinitionNode(operation=operation.operation, name=operation.name,
                                     variable_definitions=tuple(v for v in operation.variable_definitions or ()
                                                                if v.variable.name.value in used),
                                     directives=operation.directives, selection_set=selection_set)
    return PruneResult(DocumentNode(definitions=(pruned,)), tuple(pruner.denials), typename_key, placeholder_key)


# --- the answer ----------------------------------------------------------------------------------


def _value(value: Any, gtype: GraphQLOutputType, steps: tuple[Step, ...], index: int, typename_key: str) -> bool:
    """Apply the rest of the path to `value`; True when `value` itself must become null."""
    inner = gtype.of_type if isinstance(gtype, GraphQLNonNull) else gtype
    if value is None:
        return False
    if isinstance(inner, GraphQLList):
        if not isinstance(value, list):
            return False
        bubble = False
        for position, item in enumerate(value):
            if _value(item, inner.of_type, steps, index, typename_key):
                value[position] = None
                bubble |= isinstance(inner.of_type, GraphQLNonNull)
        return bubble
    if isinstance(value, dict):
        return _object(value, steps, index, typename_key)
    return False


def _object(obj: dict[str, Any], steps: tuple[Step, ...], index: int, typename_key: str) -> bool:
    step = steps[index]
    if step.applies_to is not None and obj.get(typename_key) not in step.applies_to:
        return False
    if index == len(steps) - 1:
        obj[step.key] = None
        return isinstance(step.type, GraphQLNonNull)
    if step.key not in obj:
        return False
    if _value(obj[step.key], step.type, steps, index + 1, typename_key):
        obj[step.key] = None
        return isinstance(step.type, GraphQLNonNull)
    return False


def _objects(value: Any) -> Iterator[dict[str, Any]]:
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, dict):
            yield item
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def apply_denials(data: dict[str, Any] | None, result: PruneResult) -> dict[str, Any] | None:
    """Null every denied path in `data` (null propagation included) and drop the hidden keys."""
    if data is None or not result.changed:
        return data
    for denial in result.denials:
        if _object(data, denial.steps, 0, result.typename_key):
            return None
    hidden = (result.typename_key, result.placeholder_key)
    for obj in _objects(data):
        for key in hidden:
            obj.pop(key, None)
    return data
