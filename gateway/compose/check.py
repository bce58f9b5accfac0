"""Breaking-change check between two supergraphs, from the clients' point of view (their API schemas).

Severity `BREAKING`: an operation that validated against the old API schema may fail against the new
one (a type, field, argument or union member is gone or renamed, a type got stricter where clients
send values or looser where they read them, a required argument or input field appeared, an enum value
clients may send disappeared). `DANGEROUS`: operations still validate but may behave differently (a new
enum value clients may receive, a changed default). `SAFE`: additions.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    GraphQLWrappingType,
    get_named_type,
    is_introspection_type,
    is_specified_scalar_type,
)
from graphql.pyutils import Undefined

from gateway.compose.errors import ComposeError
from gateway.errors import InvalidSupergraph
from gateway.supergraph.loader import load_supergraph


class Severity(StrEnum):
    BREAKING = "BREAKING"
    DANGEROUS = "DANGEROUS"
    SAFE = "SAFE"


@dataclass(frozen=True, order=True)
class Change:
    """One difference between the API schemas; `path` is `Type`, `Type.field` or `Type.field(arg:)`."""

    severity: Severity
    kind: str
    path: str
    message: str

    def describe(self) -> str:
        return f"{self.severity}: {self.kind} {self.path}: {self.message}"


def api_schema(supergraph_sdl: str) -> GraphQLSchema:
    try:
        return load_supergraph(supergraph_sdl).api_schema
    except InvalidSupergraph as exc:
        raise ComposeError(f"not a loadable supergraph: {exc.message}") from exc


def check(new_supergraph: str, against_supergraph: str) -> list[Change]:
    """The changes a client of `against_supergraph` sees in `new_supergraph`, sorted, breaking first."""
    return _Diff(api_schema(against_supergraph), api_schema(new_supergraph)).run()


def _types(schema: GraphQLSchema) -> dict[str, GraphQLNamedType]:
    return {n: t for n, t in schema.type_map.items()
            if not is_introspection_type(t) and not is_specified_scalar_type(t)}


def _input_enums(schema: GraphQLSchema) -> set[str]:
    used: set[str] = set()
    for t in schema.type_map.values():
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            for f in t.fields.values():
                used.update(get_named_type(a.type).name for a in f.args.values())
        elif isinstance(t, GraphQLInputObjectType):
            used.update(get_named_type(f.type).name for f in t.fields.values())
    return used


def _output_named(schema: GraphQLSchema) -> set[str]:
    used: set[str] = set()
    for t in schema.type_map.values():
        if isinstance(t, GraphQLObjectType | GraphQLInterfaceType):
            used.update(get_named_type(f.type).name for f in t.fields.values())
    return used


def _safe_output_change(old: object, new: object) -> bool:
    """New output type still gives clients what the old promised (same, or non-null where it was nullable)."""
    if isinstance(new, GraphQLNonNull):
        inner = old.of_type if isinstance(old, GraphQLNonNull) else old
        return _safe_output_change(inner, new.of_type)
    if isinstance(old, GraphQLNonNull):
        return False
    if isinstance(old, GraphQLList) and isinstance(new, GraphQLList):
        return _safe_output_change(old.of_type, new.of_type)
    if isinstance(old, GraphQLWrappingType) or isinstance(new, GraphQLWrappingType):
        return False
    return getattr(old, "name", None) == getattr(new, "name", None)


def _safe_input_change(old: object, new: object) -> bool:
    """New input type accepts everything the old one did (same, or nullable where it was non-null)."""
    if isinstance(old, GraphQLNonNull):
        inner = new.of_type if isinstance(new, GraphQLNonNull) else new
        return _safe_input_change(old.of_type, inner)
    if isinstance(new, GraphQLNonNull):
        return False
    if isinstance(old, GraphQLList) and isinstance(new, GraphQLList):
        return _safe_input_change(old.of_type, new.of_type)
    if isinstance(old, GraphQLWrappingType) or isinstance(new, GraphQLWrappingType):
        return False
    return getattr(old, "name", None) == getattr(new, "name", None)


def _required(arg: GraphQLArgument) -> bool:
    return isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined


def _field_shape(f: GraphQLField) -> tuple[str, tuple[tuple[str, str], ...]]:
    return str(f.type), tuple(sorted((n, str(a.type)) for n, a in f.args.items()))


class _Diff:
    def __init__(self, old: GraphQLSchema, new: GraphQLSchema) -> None:
        self.old, self.new = old, new
        self.changes: list[Change] = []
        self.input_enums = _input_enums(old)
        self.output_named = _output_named(new)

    def add(self, severity: Severity, kind: str, path: str, message: str) -> None:
        self.changes.append(Change(severity, kind, path, message))

    def run(self) -> list[Change]:
        old_types, new_types = _types(self.old), _types(self.new)
        removed = [n for n in old_types if n not in new_types]
        added = [n for n in new_types if n not in old_types]
        for name in removed:
            twin = next((a for a in added if self._same_shape(old_types[name], new_types[a])), None)
            if twin is not None:
                self.add(Severity.BREAKING, "TYPE_RENAMED", name, f"type {name} was renamed to {twin}")
            else:
                self.add(Severity.BREAKING, "TYPE_REMOVED", name, f"type {name} was removed")
        for name in added:
            self.add(Severity.SAFE, "TYPE_ADDED", name, f"type {name} was added")
        for name in old_types:
            if name in new_types:
                self._type(name, old_types[name], new_types[name])
        order = {Severity.BREAKING: 0, Severity.DANGEROUS: 1, Severity.SAFE: 2}
        return sorted(self.changes, key=lambda c: (order[c.severity], c.path, c.kind, c.message))

    @staticmethod
    def _same_shape(old: GraphQLNamedType, new: GraphQLNamedType) -> bool:
        if type(old) is not type(new):
            return False
        if isinstance(old, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
            new_fields = new.fields  # type: ignore[attr-defined]
            return bool(old.fields) and {n: str(f.type) for n, f in old.fields.items()} == {
                n: str(f.type) for n, f in new_fields.items()}
        if isinstance(old, GraphQLEnumType):
            return bool(old.values) and set(old.values) == set(new.values)  # type: ignore[attr-defined]
        return False

    def _type(self, name: str, old: GraphQLNamedType, new: GraphQLNamedType) -> None:
        if type(old) is not type(new):
            self.add(Severity.BREAKING, "TYPE_KIND_CHANGED", name,
                     f"{name} changed from {type(old).__name__} to {type(new).__name__}")
            return
        if isinstance(old, GraphQLObjectType | GraphQLInterfaceType):
            assert isinstance(new, GraphQLObjectType | GraphQLInterfaceType)
            self._fields(name, old, new)
            for iface in old.interfaces:
                if iface.name not in {i.name for i in new.interfaces}:
                    self.add(Severity.BREAKING, "INTERFACE_REMOVED", name, f"{name} no longer implements {iface.name}")
        elif isinstance(old, GraphQLInputObjectType):
            assert isinstance(new, GraphQLInputObjectType)
            self._input_fields(name, old, new)
        elif isinstance(old, GraphQLEnumType):
            assert isinstance(new, GraphQLEnumType)
            self._enum(name, old, new)
        elif isinstance(old, GraphQLUnionType):
            assert isinstance(new, GraphQLUnionType)
            old_members, new_members = {t.name for t in old.types}, {t.name for t in new.types}
            for m in sorted(old_members - new_members):
                self.add(Severity.BREAKING, "UNION_MEMBER_REMOVED", name, f"{m} was removed from union {name}")
            for m in sorted(new_members - old_members):
                self.add(Severity.DANGEROUS, "UNION_MEMBER_ADDED", name, f"{m} was added to union {name}")

    def _fields(self, name: str, old: GraphQLObjectType | GraphQLInterfaceType,
                new: GraphQLObjectType | GraphQLInterfaceType) -> None:
        added = [f for f in new.fields if f not in old.fields]
        for fname, field in old.fields.items():
            path = f"{name}.{fname}"
            if fname not in new.fields:
                twin = next((a for a in added if _field_shape(field) == _field_shape(new.fields[a])), None)
                if twin is not None:
                    self.add(Severity.BREAKING, "FIELD_RENAMED", path, f"{path} was renamed to {name}.{twin}")
                else:
                    self.add(Severity.BREAKING, "FIELD_REMOVED", path, f"{path} was removed")
                continue
            other = new.fields[fname]
            if not _safe_output_change(field.type, other.type):
                self.add(Severity.BREAKING, "FIELD_TYPE_CHANGED", path,
                         f"{path} changed type from {field.type} to {other.type}")
            self._arguments(path, field, other)
        for fname in added:
            self.add(Severity.SAFE, "FIELD_ADDED", f"{name}.{fname}", f"{name}.{fname} was added")

    def _arguments(self, path: str, old: GraphQLField, new: GraphQLField) -> None:
        for aname, arg in old.args.items():
            where = f"{path}({aname}:)"
            if aname not in new.args:
                self.add(Severity.BREAKING, "ARGUMENT_REMOVED", where, f"argument {where} was removed")
                continue
            other = new.args[aname]
            if not _safe_input_change(arg.type, other.type):
                self.add(Severity.BREAKING, "ARGUMENT_TYPE_CHANGED", where,
                         f"argument {where} changed type from {arg.type} to {other.type}")
            if arg.default_value != other.default_value:
                self.add(Severity.DANGEROUS, "ARGUMENT_DEFAULT_CHANGED", where, f"the default of {where} changed")
        for aname, arg in new.args.items():
            if aname in old.args:
                continue
            where = f"{path}({aname}:)"
            if _required(arg):
                self.add(Severity.BREAKING, "REQUIRED_ARGUMENT_ADDED", where, f"required argument {where} was added")
            else:
                self.add(Severity.SAFE, "OPTIONAL_ARGUMENT_ADDED", where, f"optional argument {where} was added")

    def _input_fields(self, name: str, old: GraphQLInputObjectType, new: GraphQLInputObjectType) -> None:
        for fname, field in old.fields.items():
            path = f"{name}.{fname}"
            if fname not in new.fields:
                self.add(Severity.BREAKING, "INPUT_FIELD_REMOVED", path, f"input field {path} was removed")
            elif not _safe_input_change(field.type, new.fields[fname].type):
                self.add(Severity.BREAKING, "INPUT_FIELD_TYPE_CHANGED", path,
                         f"input field {path} changed type from {field.type} to {new.fields[fname].type}")
        for fname, field in new.fields.items():
            if fname in old.fields:
                continue
            path = f"{name}.{fname}"
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined:
                self.add(Severity.BREAKING, "REQUIRED_INPUT_FIELD_ADDED", path, f"required input field {path} was added")
            else:
                self.add(Severity.SAFE, "OPTIONAL_INPUT_FIELD_ADDED", path, f"optional input field {path} was added")

    def _enum(self, name: str, old: GraphQLEnumType, new: GraphQLEnumType) -> None:
        for value in old.values:
            if value in new.values:
                continue
            path = f"{name}.{value}"
            if name in self.input_enums:
                self.add(Severity.BREAKING, "ENUM_VALUE_REMOVED", path,
                         f"{path} was removed and clients may send it (the enum is used as input)")
            else:
                self.add(Severity.DANGEROUS, "ENUM_VALUE_REMOVED", path,
                         f"{path} was removed; clients comparing against it will no longer see it")
        for value in new.values:
            if value in old.values:
                continue
            path = f"{name}.{value}"
            if name in self.output_named:
                self.add(Severity.DANGEROUS, "ENUM_VALUE_ADDED", path,
                         f"{path} was added and clients may receive a value they do not know")
            else:
                self.add(Severity.SAFE, "ENUM_VALUE_ADDED", path, f"{path} was added")
