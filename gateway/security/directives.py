"""Federation authorization directives: which selected fields the caller may not see.

``@authenticated``, ``@requiresScopes(scopes: [[Scope!]!]!)`` and ``@policy(policies:
[[Policy!]!]!)`` are read from the API schema's SDL (graphql-core keeps applied directives on each
definition's AST node) on fields, object types, interfaces, scalars and enums. The scope and
policy lists are OR-of-ANDs: ``[["a", "b"], ["c"]]`` means (a AND b) OR c; as in GraphQL input
coercion a flat ``["a", "c"]`` means a OR c. Several directives on one element must all hold.
Policies are decided by a pluggable callable; each policy is asked once per evaluation.

A selection of field F on parent type P is checked against, all of which must hold:

* F's directives on P, and on every interface of P that declares F;
* P's own type directives (so ``__typename`` on a protected type is protected too);
* the directives of F's return type (unwrapped: object, interface, scalar or enum);
* when P is abstract: the same three for every concrete type P can still be at that position
  (narrowed by the enclosing type conditions), since any of them may answer.

Fragments and inline fragments are expanded (cycles skipped, results memoised per fragment),
aliases are reported by their response key, and a denied field is not descended into: the
gateway nulls it with an error and does not fetch it.

FEDERATION_NOTE: the abstract-type rule is stricter than "interface field directives only": a
selection on an interface is denied if any implementation that could be returned is protected,
so that an interface cannot be used to read a protected implementation's field.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Final

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    InlineFragmentNode,
    ListValueNode,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    StringValueNode,
    ValueNode,
    get_named_type,
    is_abstract_type,
)

from gateway.security.jwt_auth import Principal

__all__ = [
    "DIRECTIVE_NAMES",
    "AuthContext",
    "AuthorizationResult",
    "AuthorizationRules",
    "DeniedField",
    "PolicyEvaluator",
    "Rule",
    "authorize",
]

# accepted spellings of each directive (imported names and the federation__ prefixed form)
DIRECTIVE_NAMES: Final = {
    "authenticated": ("authenticated", "federation__authenticated"),
    "requiresScopes": ("requiresScopes", "federation__requiresScopes"),
    "policy": ("policy", "federation__policy"),
}
_ARGUMENT: Final = {"requiresScopes": "scopes", "policy": "policies"}
UNAUTHORIZED_CODE: Final = "UNAUTHORIZED_FIELD_OR_TYPE"

PolicyEvaluator = Callable[[str, Principal | None], bool]


def _deny_all_policies(_policy: str, _principal: Principal | None) -> bool:
    return False


@dataclass(frozen=True, slots=True)
class Rule:
    """One applied directive: `kind` in {authenticated, requiresScopes, policy}; `origin` names where."""

    kind: str
    alternatives: tuple[frozenset[str], ...]
    origin: str

    def describe(self) -> str:
        if self.kind == "authenticated":
            return f"@authenticated on {self.origin}"
        options = " OR ".join("(" + " AND ".join(sorted(alt)) + ")" for alt in self.alternatives)
        return f"@{self.kind}({options}) on {self.origin}"


@dataclass(slots=True)
class AuthContext:
    """The caller as the directives see it; `policy` decides @policy names (deny by default)."""

    principal: Principal | None
    policy: PolicyEvaluator = _deny_all_policies
    #: None: an anonymous caller is unauthenticated; a set: anonymous callers are let in (dev) with these scopes
    anonymous_scopes: frozenset[str] | None = None
    _policy_cache: dict[str, bool] = field(default_factory=dict)

    @property
    def authenticated(self) -> bool:
        return self.principal is not None or self.anonymous_scopes is not None

    @property
    def scopes(self) -> frozenset[str]:
        if self.principal is not None:
            return self.principal.scopes
        return self.anonymous_scopes or frozenset()

    def policy_allows(self, name: str) -> bool:
        if name not in self._policy_cache:
            self._policy_cache[name] = bool(self.policy(name, self.principal))
        return self._policy_cache[name]

    def satisfies(self, rule: Rule) -> bool:
        if rule.kind == "authenticated":
            return self.authenticated
        if rule.kind == "requiresScopes":
            return any(alternative <= self.scopes for alternative in rule.alternatives)
        return any(all(self.policy_allows(p) for p in sorted(alt)) for alt in rule.alternatives)


def _alternatives(value: ValueNode | None) -> tuple[frozenset[str], ...]:
    """Coerce a [[String!]!]! literal: a string is [[s]], a flat list item s is [s]."""
    if isinstance(value, StringValueNode):
        return (frozenset({value.value}),)
    if not isinstance(value, ListValueNode):
        return ()
    alternatives: list[frozenset[str]] = []
    for item in value.values:
        if isinstance(item, StringValueNode):
            alternatives.append(frozenset({item.value}))
        elif isinstance(item, ListValueNode):
            alternatives.append(frozenset(v.value for v in item.values if isinstance(v, StringValueNode)))
    return tuple(alternatives)


def _rules(nodes: Iterable[Any], origin: str) -> tuple[Rule, ...]:
    found: list[Rule] = []
    for node in nodes:
        directives: Iterable[DirectiveNode] = getattr(node, "directives", None) or ()
        for directive in directives:
            for kind, spellings in DIRECTIVE_NAMES.items():
                if directive.name.value not in spellings:
                    continue
                if kind == "authenticated":
                    found.append(Rule(kind, (), origin))
                    continue
                value = next((a.value for a in directive.arguments or () if a.name.value == _ARGUMENT[kind]), None)
                # a malformed argument gives no alternatives, which nobody satisfies (fail closed)
                found.append(Rule(kind, _alternatives(value), origin))
    return tuple(found)


class AuthorizationRules:
    """The directives of a schema, extracted once (build at start-up, reuse for every request)."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._type_rules: dict[str, tuple[Rule, ...]] = {}
        self._field_rules: dict[tuple[str, str], tuple[Rule, ...]] = {}
        for name, named in schema.type_map.items():
            if name.startswith("__"):
                continue
            nodes = [named.ast_node, *(named.extension_ast_nodes or ())]
            rules = _rules(nodes, f"type {name}")
            if rules:
                self._type_rules[name] = rules
            if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                for field_name, definition in named.fields.items():
                    field_rules = _rules([definition.ast_node], f"{name}.{field_name}")
                    if field_rules:
                        self._field_rules[(name, field_name)] = field_rules

    @property
    def empty(self) -> bool:
        return not (self._type_rules or self._field_rules)

    def type_rules(self, type_name: str) -> tuple[Rule, ...]:
        return self._type_rules.get(type_name, ())

    def _own_field_rules(self, named: GraphQLNamedType, field_name: str) -> list[Rule]:
        rules = list(self._field_rules.get((named.name, field_name), ()))
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for interface in named.interfaces:
                if field_name in interface.fields:
                    rules += self._field_rules.get((interface.name, field_name), ())
            definition = named.fields.get(field_name)
            if definition is not None:
                rules += self.type_rules(get_named_type(definition.type).name)
        return rules

    def rules_for(self, parent: GraphQLNamedType, field_name: str, possible: frozenset[str]) -> list[Rule]:
        """Every rule a selection of `field_name` on `parent` must satisfy."""
        rules = [*self.type_rules(parent.name), *self._own_field_rules(parent, field_name)]
        if is_abstract_type(parent):
            for type_name in sorted(possible):
                concrete = self.schema.get_type(type_name)
                if concrete is not None:
                    rules += [*self.type_rules(type_name), *self._own_field_rules(concrete, field_name)]
        return rules

    def possible_types(self, named: GraphQLNamedType) -> frozenset[str]:
        if is_abstract_type(named):
            return frozenset(t.name for t in self.schema.get_possible_types(named))
        return frozenset({named.name})


@dataclass(frozen=True, slots=True)
class DeniedField:
    """A selection the caller may not see: response path (aliases), coordinate and the failed rule."""

    path: tuple[str, ...]
    coordinate: str
    reason: str

    def to_graphql(self) -> dict[str, Any]:
        return {
            "message": f"Unauthorized field or type: {self.coordinate}",
            "path": list(self.path),
            "extensions": {"code": UNAUTHORIZED_CODE},
        }


@dataclass(frozen=True, slots=True)
class AuthorizationResult:
    denied: tuple[DeniedField, ...]

    @property
    def ok(self) -> bool:
        return not self.denied

    @property
    def paths(self) -> frozenset[tuple[str, ...]]:
        return frozenset(d.path for d in self.denied)

    @property
    def coordinates(self) -> frozenset[str]:
        return frozenset(d.coordinate for d in self.denied)

    def to_errors(self) -> list[dict[str, Any]]:
        return [d.to_graphql() for d in self.denied]


_Relative = frozenset[tuple[tuple[str, ...], str, str]]


class _Walker:
    def __init__(self, rules: AuthorizationRules, document: DocumentNode, context: AuthContext) -> None:
        self.rules = rules
        self.context = context
        self.fragments = {
            d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)
        }
        self.memo: dict[tuple[str, str, frozenset[str]], _Relative] = {}
        self.stack: set[str] = set()

    def selection_set(
        self, selection_set: SelectionSetNode, parent: GraphQLNamedType, possible: frozenset[str]
    ) -> _Relative:
        denied: set[tuple[tuple[str, ...], str, str]] = set()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                denied |= self._field(selection, parent, possible)
            elif isinstance(selection, InlineFragmentNode):
                narrowed_parent, narrowed = self._narrow(
                    selection.type_condition.name.value if selection.type_condition else None, parent, possible
                )
                if narrowed_parent is not None:
                    denied |= self.selection_set(selection.selection_set, narrowed_parent, narrowed)
            elif isinstance(selection, FragmentSpreadNode):
                denied |= self._spread(selection.name.value, parent, possible)
        return frozenset(denied)

    def _narrow(
        self, condition: str | None, parent: GraphQLNamedType, possible: frozenset[str]
    ) -> tuple[GraphQLNamedType | None, frozenset[str]]:
        if condition is None:
            return parent, possible
        named = self.rules.schema.get_type(condition)
        if named is None:
            return None, frozenset()  # unknown type: validation rejects the document
        return named, possible & self.rules.possible_types(named)

    def _spread(self, name: str, parent: GraphQLNamedType, possible: frozenset[str]) -> _Relative:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.stack:
            return frozenset()
        narrowed_parent, narrowed = self._narrow(fragment.type_condition.name.value, parent, possible)
        if narrowed_parent is None:
            return frozenset()
        key = (name, narrowed_parent.name, narrowed)
        if key not in self.memo:
            self.stack.add(name)
            try:
                self.memo[key] = self.selection_set(fragment.selection_set, narrowed_parent, narrowed)
            finally:
                self.stack.discard(name)
        return self.memo[key]

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType, possible: frozenset[str]
    ) -> set[tuple[tuple[str, ...], str, str]]:
        name = node.name.value
        key = node.alias.value if node.alias is not None else name
        coordinate = f"{parent.name}.{name}"
        if name in ("__schema", "__type"):
            return set()  # introspection is governed by the hygiene policy, not by these directives
        for rule in self.rules.rules_for(parent, name, possible):
            if not self.context.satisfies(rule):
                return {((key,), coordinate, rule.describe())}
        if node.selection_set is None or name == "__typename":
            return set()
        definition = parent.fields.get(name) if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) else None
        if definition is None:
            return set()  # unknown field: validation rejects it
        child = get_named_type(definition.type)
        inner = self.selection_set(node.selection_set, child, self.rules.possible_types(child))
        return {((key, *path), coord, reason) for path, coord, reason in inner}


def _chosen_operations(document: DocumentNode, operation_name: str | None) -> list[OperationDefinitionNode]:
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    if operation_name is not None:
        named = [o for o in operations if o.name is not None and o.name.value == operation_name]
        return named or operations
    return operations


def authorize(
    rules: AuthorizationRules,
    document: DocumentNode,
    context: AuthContext,
    *,
    operation_name: str | None = None,
) -> AuthorizationResult:
    """Denied selections of the operation (all operations when the name does not pick one)."""
    schema = rules.schema
    walker = _Walker(rules, document, context)
    denied: set[tuple[tuple[str, ...], str, str]] = set()
    for operation in _chosen_operations(document, operation_name):
        root = {
            OperationType.QUERY: schema.query_type,
            OperationType.MUTATION: schema.mutation_type,
            OperationType.SUBSCRIPTION: schema.subscription_type,
        }[operation.operation]
        if root is None:
            continue
        denied |= walker.selection_set(operation.selection_set, root, frozenset({root.name}))
    ordered = sorted(denied)
    return AuthorizationResult(tuple(DeniedField(path, coordinate, reason) for path, coordinate, reason in ordered))
