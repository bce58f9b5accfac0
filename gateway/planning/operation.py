"""Normalise a validated client operation: fragments inlined, conditions explicit, types resolved."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import (
    ArgumentNode,
    BooleanValueNode,
    DirectiveNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    SelectionSetNode,
    VariableNode,
    get_named_type,
)

from gateway.errors import PlanningError

INTROSPECTION_ROOT_FIELDS = frozenset({"__schema", "__type"})


@dataclass(frozen=True)
class Condition:
    """``@include(if: $variable)`` (include=True) or ``@skip(if: $variable)`` (include=False)."""

    variable: str
    include: bool

    def passes(self, variables: dict[str, object]) -> bool:
        return bool(variables.get(self.variable)) is self.include


@dataclass(frozen=True)
class OpField:
    key: str  # response key (alias or name)
    name: str
    arguments: tuple[ArgumentNode, ...]
    conditions: tuple[Condition, ...]
    type_name: str  # named return type
    wrappers: str  # output type modifiers, outermost first: "N" non-null, "L" list; e.g. "NLN" for [T!]!
    selection: OpSelection | None

    @property
    def alias(self) -> str | None:
        return self.key if self.key != self.name else None


@dataclass(frozen=True)
class OpFragment:
    type_condition: str | None
    conditions: tuple[Condition, ...]
    selection: OpSelection


OpItem = OpField | OpFragment


@dataclass(frozen=True)
class OpSelection:
    parent_type: str
    items: tuple[OpItem, ...]


def wrappers_of(t: GraphQLOutputType) -> str:
    out = []
    while isinstance(t, GraphQLNonNull | GraphQLList):
        out.append("N" if isinstance(t, GraphQLNonNull) else "L")
        t = t.of_type
    return "".join(out)


def conditions_of(directives: tuple[DirectiveNode, ...] | None) -> tuple[Condition, ...] | None:
    """The variable conditions of a selection; None when a literal condition removes it."""
    out: list[Condition] = []
    for d in directives or ():
        if d.name.value not in ("skip", "include"):
            continue
        include = d.name.value == "include"
        value = next((a.value for a in d.arguments or () if a.name.value == "if"), None)
        if isinstance(value, BooleanValueNode):
            if value.value is not include:
                return None
        elif isinstance(value, VariableNode):
            out.append(Condition(value.name.value, include))
    return tuple(out)


class Normalizer:
    """Turns AST selection sets into :class:`OpSelection` trees over a given schema."""

    def __init__(self, schema: GraphQLSchema, fragments: dict[str, FragmentDefinitionNode] | None = None) -> None:
        self.schema = schema
        self.fragments = fragments or {}

    def selection(self, parent_type: str, node: SelectionSetNode, depth: int = 0) -> OpSelection:
        if depth > 200:
            raise PlanningError("selection nesting is too deep")
        parent = self.schema.get_type(parent_type)
        items: list[OpItem] = []
        for sel in node.selections:
            conds = conditions_of(sel.directives)
            if conds is None:
                continue
            if isinstance(sel, FieldNode):
                items.append(self._field(parent, parent_type, sel, conds, depth))
                continue
            if isinstance(sel, FragmentSpreadNode):
                frag = self.fragments.get(sel.name.value)
                if frag is None:
                    raise PlanningError(f"unknown fragment {sel.name.value}")
                type_condition: str | None = frag.type_condition.name.value
                sub_node = frag.selection_set
            else:
                assert isinstance(sel, InlineFragmentNode)
                type_condition = sel.type_condition.name.value if sel.type_condition else None
                sub_node = sel.selection_set
            if type_condition == parent_type:
                type_condition = None
            sub = self.selection(type_condition or parent_type, sub_node, depth + 1)
            if type_condition is None and not conds:
                items.extend(sub.items)
            else:
                items.append(OpFragment(type_condition, conds, sub))
        return OpSelection(parent_type, tuple(items))

    def _field(self, parent: object, parent_type: str, sel: FieldNode, conds: tuple[Condition, ...],
               depth: int) -> OpField:
        name = sel.name.value
        key = sel.alias.value if sel.alias else name
        if name == "__typename":
            return OpField(key, name, (), conds, "String", "N", None)
        if name in INTROSPECTION_ROOT_FIELDS:
            return OpField(key, name, tuple(sel.arguments or ()), conds, "__Schema", "", None)
        if not isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) or name not in parent.fields:
            raise PlanningError(f"unknown field {parent_type}.{name}")
        ftype = parent.fields[name].type
        named = get_named_type(ftype)
        sub = None
        if sel.selection_set is not None and isinstance(named, GraphQLObjectType | GraphQLInterfaceType
                                                         | GraphQLUnionType):
            sub = self.selection(named.name, sel.selection_set, depth + 1)
        return OpField(key, name, tuple(sel.arguments or ()), conds, named.name, wrappers_of(ftype), sub)
