"""The response shape: the client's selection compiled per concrete type, for fast final shaping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, GraphQLUnionType

from gateway.planning.operation import INTROSPECTION_ROOT_FIELDS, Condition, OpField, OpFragment, OpSelection


@dataclass(frozen=True)
class ShapeField:
    key: str
    name: str
    parent_type: str
    conditions: tuple[Condition, ...]
    wrappers: str  # "N"/"L" modifiers outermost first
    sub: ShapeSelection | None
    introspection: bool = False


@dataclass(frozen=True)
class FastFields:
    """One concrete type's output fields, pre-sorted for the executor's fast shaping path.

    Only built when no field of the type has ``@include``/``@skip`` conditions, so every key is output.
    ``keys`` lists every output key in selection order; a key not named in ``typename`` or ``nested``
    is a leaf whose merged value is copied as is (``nonnull`` ones must not be null).
    """

    type_name: str
    keys: tuple[str, ...]
    nonnull: tuple[str, ...]
    typename: tuple[str, ...]
    nested: tuple[tuple[str, str, ShapeSelection | None], ...]  # key, wrappers, sub-selection


@dataclass(frozen=True)
class ShapeSelection:
    """Fields to output for an object of each possible concrete type (``fallback`` for unknown ones)."""

    type_name: str
    abstract: bool
    by_type: Mapping[str, tuple[ShapeField, ...]]
    fallback: tuple[ShapeField, ...]
    fast: Mapping[str, FastFields] = field(default_factory=dict)  # concrete types that can be shaped fast
    # scratch space where the executor keeps what it compiled from this shape (filled on first use)
    compiled: dict[str, object] = field(default_factory=dict, compare=False, repr=False)


def fast_fields(type_name: str, fields: tuple[ShapeField, ...]) -> FastFields | None:
    """The fast-path form of ``fields`` for objects of concrete type ``type_name``; None with conditions."""
    if any(f.conditions for f in fields) or len({f.key for f in fields}) != len(fields):
        return None
    nonnull: list[str] = []
    typename: list[str] = []
    nested: list[tuple[str, str, ShapeSelection | None]] = []
    for f in fields:
        if f.name == "__typename":
            if f.parent_type != type_name:
                return None
            typename.append(f.key)
        elif f.introspection:
            continue
        elif f.sub is None and f.wrappers == "N":
            nonnull.append(f.key)
        elif f.sub is not None or "N" in f.wrappers:
            nested.append((f.key, f.wrappers, f.sub))
    return FastFields(type_name, tuple(f.key for f in fields), tuple(nonnull), tuple(typename), tuple(nested))


def compile_shape(schema: GraphQLSchema, selection: OpSelection) -> ShapeSelection:
    return _Compiler(schema).selection(selection.parent_type, [selection])


class _Compiler:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema

    def possible(self, type_name: str) -> list[str]:
        t = self.schema.get_type(type_name)
        if isinstance(t, GraphQLObjectType):
            return [t.name]
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            return sorted(o.name for o in self.schema.get_possible_types(t))
        return []

    def selection(self, type_name: str, selections: list[OpSelection]) -> ShapeSelection:
        t = self.schema.get_type(type_name)
        abstract = isinstance(t, GraphQLInterfaceType | GraphQLUnionType)
        by_type = {c: self.fields(c, selections) for c in self.possible(type_name)}
        fallback = self.fields(type_name, selections, only_unconditioned=True) if abstract else ()
        fast = {c: ff for c, fields in by_type.items() if (ff := fast_fields(c, fields)) is not None}
        return ShapeSelection(type_name, abstract, by_type, fallback, fast)

    def fields(self, concrete: str, selections: list[OpSelection],
               only_unconditioned: bool = False) -> tuple[ShapeField, ...]:
        collected: dict[tuple[str, tuple[Condition, ...]], tuple[OpField, list[OpSelection]]] = {}
        for sel in selections:
            self._collect(concrete, sel, (), collected, only_unconditioned)
        out: list[ShapeField] = []
        for (_key, conds), (f, subs) in collected.items():
            sub = self.selection(f.type_name, subs) if subs else None
            out.append(ShapeField(f.key, f.name, concrete, conds, f.wrappers, sub,
                                  f.name in INTROSPECTION_ROOT_FIELDS))
        return tuple(out)

    def _collect(self, concrete: str, sel: OpSelection, conds: tuple[Condition, ...],
                 out: dict[tuple[str, tuple[Condition, ...]], tuple[OpField, list[OpSelection]]],
                 only_unconditioned: bool) -> None:
        for item in sel.items:
            if isinstance(item, OpFragment):
                tc = item.type_condition
                if tc is None or tc == concrete or concrete in self.possible(tc):
                    self._collect(concrete, item.selection, conds + item.conditions, out, only_unconditioned)
                continue
            ident = (item.key, conds + item.conditions)
            entry = out.get(ident)
            if entry is None:
                entry = out[ident] = (item, [])
            if item.selection is not None:
                entry[1].append(item.selection)
        del only_unconditioned
