"""Mutable builders for subgraph selections while planning, and their compact wire text."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import ArgumentNode, ListValueNode, ObjectValueNode, ValueNode, VariableNode, print_ast

from gateway.planning.operation import Condition


def _cond_text(conditions: tuple[Condition, ...]) -> str:
    return "".join(f"@{'include' if c.include else 'skip'}(if:${c.variable})" for c in conditions)


def _args_text(arguments: tuple[ArgumentNode, ...]) -> str:
    if not arguments:
        return ""
    return "(" + ",".join(f"{a.name.value}:{print_ast(a.value)}" for a in arguments) + ")"


@dataclass(eq=False)
class FieldBuilder:
    key: str
    name: str
    arguments: tuple[ArgumentNode, ...] = ()
    conditions: tuple[Condition, ...] = ()
    sub: SelectionBuilder | None = None

    def signature(self) -> str:
        return self.name + _args_text(self.arguments)


@dataclass(eq=False)
class FragmentBuilder:
    type_condition: str | None
    conditions: tuple[Condition, ...]
    sub: SelectionBuilder


@dataclass(eq=False)
class SelectionBuilder:
    """An ordered selection in one subgraph query; fields merge by (response key, conditions)."""

    items: dict[tuple[str, str, tuple[Condition, ...]], FieldBuilder | FragmentBuilder] = field(
        default_factory=dict)
    up: object = field(default=None, repr=False)  # planning only: where this selection hangs (a climb Step)

    def add_field(self, key: str, name: str, arguments: tuple[ArgumentNode, ...] = (),
                  conditions: tuple[Condition, ...] = (), composite: bool = False) -> FieldBuilder:
        ident = ("f", key, conditions)
        existing = self.items.get(ident)
        if isinstance(existing, FieldBuilder):
            if composite and existing.sub is None:
                existing.sub = SelectionBuilder()
            return existing
        fb = FieldBuilder(key, name, arguments, conditions, SelectionBuilder() if composite else None)
        self.items[ident] = fb
        return fb

    def add_fragment(self, type_condition: str | None, conditions: tuple[Condition, ...] = ()) -> SelectionBuilder:
        ident = ("i", type_condition or "", conditions)
        existing = self.items.get(ident)
        if isinstance(existing, FragmentBuilder):
            return existing.sub
        fb = FragmentBuilder(type_condition, conditions, SelectionBuilder(up=self.up))
        self.items[ident] = fb
        return fb.sub

    def add_typename(self) -> None:
        self.add_field("__typename", "__typename")

    def is_empty(self) -> bool:
        return not self.items

    def merge(self, other: SelectionBuilder) -> None:
        for item in other.items.values():
            if isinstance(item, FieldBuilder):
                mine = self.add_field(item.key, item.name, item.arguments, item.conditions, item.sub is not None)
                if item.sub is not None and mine.sub is not None:
                    mine.sub.merge(item.sub)
            else:
                self.add_fragment(item.type_condition, item.conditions).merge(item.sub)

    def compatible(self, other: SelectionBuilder) -> bool:
        """True when merging ``other`` in cannot make one response key mean two different fields."""
        for ident, item in other.items.items():
            mine = self.items.get(ident)
            if mine is None:
                continue
            if isinstance(item, FieldBuilder) and isinstance(mine, FieldBuilder):
                if mine.signature() != item.signature():
                    return False
                if item.sub is not None and mine.sub is not None and not mine.sub.compatible(item.sub):
                    return False
            elif (isinstance(item, FragmentBuilder) and isinstance(mine, FragmentBuilder)
                  and not mine.sub.compatible(item.sub)):
                return False
        return True

    def text(self, aliases: Mapping[int, str] | None = None) -> str:
        """Compact GraphQL text, e.g. ``{a b:c(x:$v){d}}``; empty sub-selections get ``__typename``.

        ``aliases`` (id of a field builder -> key) sends some fields under another key than their own.
        """
        parts: list[str] = []
        for item in self.items.values():
            if isinstance(item, FieldBuilder):
                key = aliases.get(id(item), item.key) if aliases else item.key
                alias = f"{key}:" if key != item.name else ""
                sub = ""
                if item.sub is not None:
                    sub = item.sub.text(aliases) if not item.sub.is_empty() else "{__typename}"
                parts.append(f"{alias}{item.name}{_args_text(item.arguments)}{_cond_text(item.conditions)}{sub}")
            else:
                if item.sub.is_empty():
                    continue
                on = f" on {item.type_condition}" if item.type_condition else ""
                parts.append(f"...{on}{_cond_text(item.conditions)}{item.sub.text(aliases)}")
        return "{" + " ".join(parts) + "}"

    def variables(self, out: list[str]) -> None:
        """Append the variable names used by arguments and conditions, in first-use order."""
        for item in self.items.values():
            for c in item.conditions:
                if c.variable not in out:
                    out.append(c.variable)
            if isinstance(item, FieldBuilder):
                for a in item.arguments:
                    _value_variables(a.value, out)
                if item.sub is not None:
                    item.sub.variables(out)
            else:
                item.sub.variables(out)


def _value_variables(value: ValueNode, out: list[str]) -> None:
    if isinstance(value, VariableNode):
        if value.name.value not in out:
            out.append(value.name.value)
    elif isinstance(value, ListValueNode):
        for v in value.values:
            _value_variables(v, out)
    elif isinstance(value, ObjectValueNode):
        for f in value.fields:
            _value_variables(f.value, out)
