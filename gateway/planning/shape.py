"""The response shape: the client's selection compiled per concrete type, for fast final shaping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from graphql import GraphQLEnumType, GraphQLInterfaceType, GraphQLObjectType, GraphQLSchema, GraphQLUnionType

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
    #: a leaf of an enum type: the enum's name and the values the API schema has (None for other leaves)
    enum: tuple[str, frozenset[str]] | None = None


@dataclass(frozen=True)
class FastFields:
    """One concrete type's output fields, pre-sorted for the executor's fast shaping path.

    Only built when no field of the type has ``@include``/``@skip`` conditions, so every key is output.
    ``keys`` lists every output key in selection order; a key not named in ``typename``, ``nested`` or
    ``enums`` is a leaf whose merged value is copied as is (``nonnull`` ones must not be null). ``enums``
    are enum leaves whose values must be values of the API enum (key, wrappers, values).
    """

    type_name: str
    keys: tuple[str, ...]
    nonnull: tuple[str, ...]
    typename: tuple[str, ...]
    nested: tuple[tuple[str, str, ShapeSelection | None], ...]  # key, wrappers, sub-selection
    enums: tuple[tuple[str, str, frozenset[str]], ...] = ()


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
    enums: list[tuple[str, str, frozenset[str]]] = []
    for f in fields:
        if f.name == "__typename":
            if f.parent_type != type_name:
                return None
            typename.append(f.key)
        elif f.introspection:
            continue
        elif f.enum is not None:
            enums.append((f.key, f.wrappers, f.enum[1]))
        elif f.sub is None and f.wrappers == "N":
            nonnull.append(f.key)
        elif f.sub is not None or "N" in f.wrappers:
            nested.append((f.key, f.wrappers, f.sub))
    return FastFields(type_name, tuple(f.key for f in fields), tuple(nonnull), tuple(typename), tuple(nested),
                      tuple(enums))


def compile_shape(schema: GraphQLSchema, selection: OpSelection) -> ShapeSelection:
    return _Compiler(schema).selection(selection.parent_type, [selection])


class _Compiler:
    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self._enums: dict[str, tuple[str, frozenset[str]] | None] = {}

    def enum(self, type_name: str) -> tuple[str, frozenset[str]] | None:
        """The API values of enum ``type_name`` (None when it is no enum)."""
        if type_name not in self._enums:
            t = self.schema.get_type(type_name)
            # FEDERATION_NOTE: a subgraph can return an enum value the client-facing schema does not have
            # (an @inaccessible value, or one another subgraph's schema lacks): result coercion (CompleteValue)
            # checks every enum leaf against the API schema's values, so such a value becomes a field error.
            # The built-in scalars need no check here: composition gives a field the same named type in every
            # subgraph, whose own result coercion already produced that type (custom scalars pass as they are).
            self._enums[type_name] = (type_name, frozenset(t.values)) if isinstance(t, GraphQLEnumType) else None
        return self._enums[type_name]

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
                                  f.name in INTROSPECTION_ROOT_FIELDS, None if subs else self.enum(f.type_name)))
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
