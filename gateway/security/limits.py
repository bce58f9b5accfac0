"""Operation limits: tokens, depth, aliases, root fields, total fields, directives, cost, body size.

Order of use in the HTTP layer: `read_body_limited` (413 BODY_TOO_LARGE) -> `check_tokens` on the
raw text (counts lexer tokens without building an AST, so a huge document is rejected cheaply) ->
parse -> `check_operation_limits` on the DocumentNode, BEFORE validation (validation of a hostile
document is itself expensive). Fragments are expanded (each fragment analysed once and memoised,
so "fragment bombs" cost linear time) and cycles are skipped (validation rejects them later).

Counting rules:

* depth: nesting of fields; ``{ a { b } }`` is 2; fragments add no level of their own.
* aliases / total fields: counted after expansion, ``__typename`` included.
* root fields: fields of the operation's root selection set after expansion.
* directives: per location (operation, field, fragment spread, inline fragment, fragment or
  variable definition); all offending locations together give ONE error.
* every operation in the document is checked, each metric reports the worst.

Cost (only with a schema; IBM / GraphQL cost-spec style):
``cost(field) = field_weight + multiplier * (type_weight + cost(selections))`` where

* field_weight: ``@cost(weight:)`` on the field definition, else 10 for a root mutation field,
  else 0 (the price of calling the resolver once);
* type_weight: ``@cost(weight:)`` on the (unwrapped) return type, else 1 for an object /
  interface / union, 0 for a scalar or enum (the price of each returned object);
* multiplier (list results only): the largest value among the ``@listSize(slicingArguments:)``
  arguments (literals, variables, variable defaults, else the argument's schema default), else
  ``assumedSize``, else `default_list_size`; with ``@listSize(sizedFields:)`` the multiplier
  moves to those child fields (connection pattern: ``edges``/``nodes``);
* selections under type conditions are summed (an over-estimate for abstract types).

These are a person's limits. A service client (the supervision engine, a department's system) may
have its own, chosen by the client id of its verified service token (`SecurityConfig.client_limits`,
set from ``security.client_limits``): its batched documents pass where a person's identical query is
refused.

Production values (`OperationLimits.production()`), chosen from the shape of the hub's heaviest
supervision queries (a case with parties, entity lookups, documents and review scores is ~150
fields, depth 8, under 1000 tokens) with head-room, and so that the standard introspection query
(depth 13) still passes where introspection is enabled:

=================  ==========  =================================================================
max_tokens         2000        lexer tokens of the raw text
max_depth          15
max_aliases        30          101 aliases (batching by aliases) is rejected
max_root_fields    20
max_fields         300         500 x ``__typename`` is rejected
max_directives     5           per location
max_cost           5000
max_body_bytes     262144      256 KiB of request body
default_list_size  10
=================  ==========  =================================================================
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Final

from graphql import (
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLField,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLSyntaxError,
    InlineFragmentNode,
    IntValueNode,
    ListValueNode,
    Node,
    OperationDefinitionNode,
    OperationType,
    SelectionSetNode,
    Source,
    StringValueNode,
    ValueNode,
    VariableNode,
    get_named_type,
    is_composite_type,
)
from graphql.language import Lexer, TokenKind
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef

from gateway.security.errors import BodyTooLarge

__all__ = [
    "LimitCode",
    "LimitViolation",
    "OperationLimits",
    "check_operation_limits",
    "check_tokens",
    "count_tokens",
    "estimate_cost",
    "read_body_limited",
]

MUTATION_DEFAULT_WEIGHT: Final = 10


class LimitCode(StrEnum):
    MAX_TOKENS_EXCEEDED = "MAX_TOKENS_EXCEEDED"
    MAX_DEPTH_EXCEEDED = "MAX_DEPTH_EXCEEDED"
    MAX_ALIASES_EXCEEDED = "MAX_ALIASES_EXCEEDED"
    MAX_ROOT_FIELDS_EXCEEDED = "MAX_ROOT_FIELDS_EXCEEDED"
    MAX_FIELDS_EXCEEDED = "MAX_FIELDS_EXCEEDED"
    MAX_DIRECTIVES_EXCEEDED = "MAX_DIRECTIVES_EXCEEDED"
    COST_LIMIT_EXCEEDED = "COST_LIMIT_EXCEEDED"


@dataclass(frozen=True, slots=True)
class OperationLimits:
    """Limits for one request; see the module docstring for the production values."""

    max_tokens: int = 2000
    max_depth: int = 15
    max_aliases: int = 30
    max_root_fields: int = 20
    max_fields: int = 300
    max_directives: int = 5
    max_cost: int = 5000
    max_body_bytes: int = 256 * 1024
    default_list_size: int = 10

    @classmethod
    def production(cls) -> OperationLimits:
        return cls()

    @classmethod
    def dev(cls) -> OperationLimits:
        """Relaxed limits for local work (GraphiQL, generated queries); still bounded."""
        return cls(
            max_tokens=50_000,
            max_depth=40,
            max_aliases=500,
            max_root_fields=200,
            max_fields=10_000,
            max_directives=20,
            max_cost=1_000_000,
            max_body_bytes=4 * 1024 * 1024,
        )


@dataclass(frozen=True, slots=True)
class LimitViolation:
    """One exceeded limit; `actual` may be a lower bound when counting stopped early."""

    code: LimitCode
    message: str
    limit: int
    actual: int

    def to_graphql(self) -> dict[str, Any]:
        return {"message": self.message, "extensions": {"code": self.code.value, "limit": self.limit}}

    def to_graphql_error(self) -> GraphQLError:
        return GraphQLError(self.message, extensions={"code": self.code.value, "limit": self.limit})


# --- tokens and body ---------------------------------------------------------------------------------


def count_tokens(source: str, *, stop_after: int | None = None) -> int:
    """Lexer tokens in `source` (comments excluded), stopping once `stop_after` is passed.

    A lexical error ends the count (the parser reports it afterwards).
    """
    lexer = Lexer(Source(source))
    count = 0
    try:
        token = lexer.advance()
        while token.kind is not TokenKind.EOF:
            count += 1
            if stop_after is not None and count > stop_after:
                break
            token = lexer.advance()
    except GraphQLSyntaxError:
        pass
    return count


def check_tokens(source: str, limits: OperationLimits) -> list[LimitViolation]:
    """MAX_TOKENS_EXCEEDED when the raw text has more than `max_tokens` tokens."""
    count = count_tokens(source, stop_after=limits.max_tokens)
    if count > limits.max_tokens:
        return [
            LimitViolation(
                LimitCode.MAX_TOKENS_EXCEEDED,
                f"Document has more than {limits.max_tokens} tokens.",
                limits.max_tokens,
                count,
            )
        ]
    return []


async def read_body_limited(
    chunks: AsyncIterator[bytes], max_bytes: int, *, content_length: str | None = None
) -> bytes:
    """Read a request body (e.g. Starlette's ``request.stream()``), raising `BodyTooLarge` past
    `max_bytes` -- at once when the declared Content-Length says so, else as soon as it is read."""
    if content_length is not None:
        try:
            declared = int(content_length)
        except ValueError:
            declared = -1
        if declared > max_bytes:
            raise BodyTooLarge(f"request body larger than {max_bytes} bytes", extensions={"limit": max_bytes})
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > max_bytes:
            raise BodyTooLarge(f"request body larger than {max_bytes} bytes", extensions={"limit": max_bytes})
    return bytes(body)


# --- the document walk -------------------------------------------------------------------------------


@dataclass(slots=True)
class _Stats:
    depth: int = 0
    fields: int = 0
    aliases: int = 0
    cost: int = 0

    def add(self, other: _Stats) -> None:
        self.depth = max(self.depth, other.depth)
        self.fields += other.fields
        self.aliases += other.aliases
        self.cost += other.cost


@dataclass(frozen=True, slots=True)
class _Sized:
    """A @listSize(sizedFields:) multiplier to apply to the named child fields."""

    names: frozenset[str]
    size: int


def _directive(node: Node | None, extensions: tuple[Node, ...], name: str) -> DirectiveNode | None:
    for candidate in (node, *extensions):
        for directive in getattr(candidate, "directives", None) or ():
            if directive.name.value == name:
                return directive  # type: ignore[no-any-return]
    return None


def _arg(directive: DirectiveNode, name: str) -> ValueNode | None:
    for argument in directive.arguments or ():
        if argument.name.value == name:
            return argument.value
    return None


@dataclass
class _Analyzer:
    document: DocumentNode
    schema: GraphQLSchema | None
    variables: Mapping[str, Any]
    limits: OperationLimits
    fragments: dict[str, FragmentDefinitionNode] = field(default_factory=dict)
    memo: dict[tuple[str, _Sized | None], _Stats] = field(default_factory=dict)
    root_memo: dict[str, int] = field(default_factory=dict)
    stack: set[str] = field(default_factory=set)
    variable_defaults: dict[str, ValueNode] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for definition in self.document.definitions:
            if isinstance(definition, FragmentDefinitionNode):
                self.fragments.setdefault(definition.name.value, definition)

    @property
    def _hard_depth(self) -> int:
        # stop descending past the limit: the result is already a violation, and this bounds recursion
        return min(self.limits.max_depth + 1, 500)

    # -- types --
    def _type(self, name: str) -> GraphQLNamedType | None:
        return self.schema.get_type(name) if self.schema is not None else None

    def _field_def(self, parent: GraphQLNamedType | None, name: str) -> GraphQLField | None:
        if self.schema is None or parent is None:
            return None
        if parent is self.schema.query_type:
            if name == "__schema":
                return SchemaMetaFieldDef
            if name == "__type":
                return TypeMetaFieldDef
        if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType):
            found: GraphQLField | None = parent.fields.get(name)
            return found
        return None

    # -- values --
    def _int_value(self, node: ValueNode | None) -> int | None:
        if isinstance(node, IntValueNode):
            return int(node.value)
        if isinstance(node, StringValueNode):  # @cost(weight: "2.5") in the IBM spec is a string
            try:
                return round(float(node.value))
            except ValueError:
                return None
        if isinstance(node, VariableNode):
            value = self.variables.get(node.name.value)
            if isinstance(value, int) and not isinstance(value, bool):
                return value
            return self._int_value(self.variable_defaults.get(node.name.value))
        return None

    def _weights(self, field_def: GraphQLField | None, is_mutation_root: bool) -> tuple[int, int]:
        """(field weight, counted once; type weight, counted per list element)."""
        if field_def is None:
            return 0, 0
        field_weight = MUTATION_DEFAULT_WEIGHT if is_mutation_root else 0
        directive = _directive(field_def.ast_node, (), "cost")
        if directive is not None:
            field_weight = max(0, self._int_value(_arg(directive, "weight")) or 0)
        named = get_named_type(field_def.type)
        type_weight = 1 if is_composite_type(named) else 0
        type_directive = (
            _directive(named.ast_node, tuple(named.extension_ast_nodes or ()), "cost") if named is not None else None
        )
        if type_directive is not None:
            type_weight = max(0, self._int_value(_arg(type_directive, "weight")) or 0)
        return field_weight, type_weight

    def _schema_default(self, argument: GraphQLArgument) -> int | None:
        """An argument's default from the SDL (graphql-core keeps it as a value or a literal)."""
        candidates: list[object] = [argument.default_value]
        default = getattr(argument, "default", None)
        if default is not None:
            candidates += [getattr(default, "value", None), getattr(default, "literal", None)]
        for candidate in candidates:
            if isinstance(candidate, int) and not isinstance(candidate, bool):
                return candidate
            if isinstance(candidate, IntValueNode):
                return int(candidate.value)
        return None

    def _list_size(self, field_def: GraphQLField, node: FieldNode) -> tuple[int, frozenset[str]]:
        """(multiplier, sizedFields) from @listSize, defaults when absent."""
        directive = _directive(field_def.ast_node, (), "listSize")
        if directive is None:
            return self.limits.default_list_size, frozenset()
        sizes: list[int] = []
        slicing = _arg(directive, "slicingArguments")
        names = [v.value for v in slicing.values if isinstance(v, StringValueNode)] if isinstance(
            slicing, ListValueNode) else []
        given = {argument.name.value: argument.value for argument in node.arguments or ()}
        for name in names:
            value = self._int_value(given[name]) if name in given else None
            if value is None and name not in given and name in field_def.args:
                value = self._schema_default(field_def.args[name])
            if value is not None:
                sizes.append(max(0, value))
        assumed = self._int_value(_arg(directive, "assumedSize"))
        size = max(sizes) if sizes else (assumed if assumed is not None else self.limits.default_list_size)
        sized = _arg(directive, "sizedFields")
        sized_names = frozenset(
            v.value for v in sized.values if isinstance(v, StringValueNode)
        ) if isinstance(sized, ListValueNode) else frozenset()
        return size, sized_names

    # -- walk --
    def selection_set(
        self,
        selection_set: SelectionSetNode,
        parent: GraphQLNamedType | None,
        level: int,
        sized: _Sized | None = None,
        mutation_root: bool = False,
    ) -> _Stats:
        stats = _Stats()
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                stats.add(self._field(selection, parent, level, sized, mutation_root))
            elif isinstance(selection, InlineFragmentNode):
                condition = self._type(selection.type_condition.name.value) if selection.type_condition else parent
                stats.add(self.selection_set(selection.selection_set, condition, level, sized, mutation_root))
            elif isinstance(selection, FragmentSpreadNode):
                stats.add(self._spread(selection.name.value, level, sized, mutation_root))
        return stats

    def _spread(self, name: str, level: int, sized: _Sized | None, mutation_root: bool) -> _Stats:
        fragment = self.fragments.get(name)
        if fragment is None or name in self.stack:
            return _Stats()  # unknown fragment or a cycle: left to validation
        key = (name, sized)
        if key not in self.memo:
            self.stack.add(name)
            try:
                condition = self._type(fragment.type_condition.name.value)
                self.memo[key] = self.selection_set(fragment.selection_set, condition, level, sized, mutation_root)
            finally:
                self.stack.discard(name)
        cached = self.memo[key]
        return _Stats(cached.depth, cached.fields, cached.aliases, cached.cost)

    def _field(
        self, node: FieldNode, parent: GraphQLNamedType | None, level: int, sized: _Sized | None, mutation_root: bool
    ) -> _Stats:
        field_def = self._field_def(parent, node.name.value)
        child = _Stats()
        multiplier = 1
        child_sized: _Sized | None = None
        if field_def is not None:
            unwrapped = field_def.type.of_type if isinstance(field_def.type, GraphQLNonNull) else field_def.type
            size, sized_names = self._list_size(field_def, node)
            if sized_names:
                child_sized = _Sized(sized_names, size)
            elif isinstance(unwrapped, GraphQLList):
                multiplier = size
        if sized is not None and node.name.value in sized.names:
            multiplier = sized.size
        if node.selection_set is not None and level < self._hard_depth:
            child_type = get_named_type(field_def.type) if field_def is not None else None
            child = self.selection_set(node.selection_set, child_type, level + 1, child_sized)
        elif node.selection_set is not None:
            child.depth = 1  # not explored: already deeper than the limit
        field_weight, type_weight = self._weights(field_def, mutation_root)
        return _Stats(
            depth=1 + child.depth,
            fields=1 + child.fields,
            aliases=(1 if node.alias is not None else 0) + child.aliases,
            cost=field_weight + multiplier * (type_weight + child.cost),
        )

    def root_fields(self, selection_set: SelectionSetNode) -> int:
        count = 0
        for selection in selection_set.selections:
            if isinstance(selection, FieldNode):
                count += 1
            elif isinstance(selection, InlineFragmentNode):
                count += self.root_fields(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                name = selection.name.value
                fragment = self.fragments.get(name)
                if fragment is None or name in self.stack:
                    continue
                if name not in self.root_memo:
                    self.stack.add(name)
                    try:
                        self.root_memo[name] = self.root_fields(fragment.selection_set)
                    finally:
                        self.stack.discard(name)
                count += self.root_memo[name]
        return count

    def operation(self, operation: OperationDefinitionNode) -> tuple[_Stats, int]:
        self.variable_defaults = {
            d.variable.name.value: d.default_value
            for d in operation.variable_definitions or ()
            if d.default_value is not None
        }
        self.memo.clear()  # variable defaults differ per operation
        root: GraphQLNamedType | None = None
        if self.schema is not None:
            root = {
                OperationType.QUERY: self.schema.query_type,
                OperationType.MUTATION: self.schema.mutation_type,
                OperationType.SUBSCRIPTION: self.schema.subscription_type,
            }[operation.operation]
        stats = self.selection_set(
            operation.selection_set, root, 1, mutation_root=operation.operation is OperationType.MUTATION
        )
        return stats, self.root_fields(operation.selection_set)


def _max_directives(document: DocumentNode) -> int:
    """The largest number of directives on any one location of the document (iterative walk)."""
    worst = 0
    pending: list[Any] = list(document.definitions)
    while pending:
        node = pending.pop()
        directives = getattr(node, "directives", None)
        if directives:
            worst = max(worst, len(directives))
        for definition in getattr(node, "variable_definitions", None) or ():
            pending.append(definition)
        selection_set = getattr(node, "selection_set", None)
        if selection_set is not None:
            pending.extend(selection_set.selections)
    return worst


def _operations(document: DocumentNode) -> list[OperationDefinitionNode]:
    return [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]


def check_operation_limits(
    document: DocumentNode,
    limits: OperationLimits,
    *,
    schema: GraphQLSchema | None = None,
    variables: Mapping[str, Any] | None = None,
) -> list[LimitViolation]:
    """All limit violations of a parsed document (empty when it may proceed to validation).

    Cost is only checked when `schema` is given.
    """
    violations: list[LimitViolation] = []
    directives = _max_directives(document)
    if directives > limits.max_directives:
        violations.append(
            LimitViolation(
                LimitCode.MAX_DIRECTIVES_EXCEEDED,
                f"A location has {directives} directives; at most {limits.max_directives} are allowed.",
                limits.max_directives,
                directives,
            )
        )
    analyzer = _Analyzer(document, schema, variables or {}, limits)
    worst = _Stats()
    worst_root = 0
    for operation in _operations(document):
        stats, root = analyzer.operation(operation)
        worst = _Stats(
            max(worst.depth, stats.depth),
            max(worst.fields, stats.fields),
            max(worst.aliases, stats.aliases),
            max(worst.cost, stats.cost),
        )
        worst_root = max(worst_root, root)
    checks = [
        (LimitCode.MAX_DEPTH_EXCEEDED, "Query depth", worst.depth, limits.max_depth),
        (LimitCode.MAX_ALIASES_EXCEEDED, "Number of aliases", worst.aliases, limits.max_aliases),
        (LimitCode.MAX_ROOT_FIELDS_EXCEEDED, "Number of root fields", worst_root, limits.max_root_fields),
        (LimitCode.MAX_FIELDS_EXCEEDED, "Number of fields", worst.fields, limits.max_fields),
    ]
    if schema is not None:
        checks.append((LimitCode.COST_LIMIT_EXCEEDED, "Estimated query cost", worst.cost, limits.max_cost))
    for code, what, actual, limit in checks:
        if actual > limit:
            qualifier = "at least " if code is LimitCode.MAX_DEPTH_EXCEEDED else ""
            violations.append(
                LimitViolation(code, f"{what} {qualifier}{actual} exceeds the maximum of {limit}.", limit, actual)
            )
    return violations


def estimate_cost(
    document: DocumentNode,
    schema: GraphQLSchema,
    *,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    limits: OperationLimits | None = None,
) -> int:
    """Estimated cost of one operation (the named one, or the only/first one)."""
    operations = _operations(document)
    chosen = [o for o in operations if operation_name is None or (o.name and o.name.value == operation_name)]
    if not chosen:
        return 0
    analyzer = _Analyzer(document, schema, variables or {}, limits or OperationLimits.dev())
    return analyzer.operation(chosen[0])[0].cost
