"""Merge the subgraph models into the supergraph model: types, fields, arguments and their join facts.

FEDERATION_NOTE: object and interface fields are the union over subgraphs; arguments and input object
fields the intersection (a required one missing somewhere is an error); enums are the union when only
returned, the intersection when only accepted, and must be equal when both; unions take every member.
"""

from __future__ import annotations

from collections import defaultdict

from graphql import print_ast

from gateway.compose.errors import Collector
from gateway.compose.fieldsets import FieldSetSyntax, parse_fieldset, walk
from gateway.compose.merge_fields import FieldMerger
from gateway.compose.metadata import merge_meta
from gateway.compose.model import Subgraph, SubType
from gateway.compose.naming import KIND_LABEL, graph_enum_values, subgraphs_phrase
from gateway.compose.supermodel import (
    ComposedDirective,
    Graph,
    JoinField,
    JoinType,
    SEnumValue,
    SField,
    SType,
    Supergraph,
)
from gateway.compose.typeref import merge_input

Entry = tuple[Subgraph, SubType]
_KIND_ORDER = {"object": 1, "interface": 2, "union": 3, "enum": 4, "input": 5, "scalar": 6}
_ROOTS = ("Query", "Mutation", "Subscription")


def referenced_fields(subgraph: Subgraph) -> set[tuple[str, str]]:
    """(type, field) pairs a subgraph's keys, `@requires` and `@provides` mention, and those that implement
    a field of an interface there (an overridden one still stands for the interface's field)."""
    used: set[tuple[str, str]] = set()

    def mark(type_name: str, text: str) -> None:
        try:
            selection = parse_fieldset(text)
        except FieldSetSyntax:
            return
        used.update((s.parent, s.name) for s in walk(subgraph, type_name, selection))

    for t in subgraph.types.values():
        for i in t.interfaces:
            iface = subgraph.types.get(i)
            if iface is not None:
                used.update((t.name, f) for f in iface.fields if f in t.fields)
        for key in t.keys:
            mark(t.name, key.fields)
        for f in t.fields.values():
            if f.requires:
                mark(t.name, f.requires)
            if f.provides:
                mark(f.type.named, f.provides)
    return used


class Merger:
    def __init__(self, subgraphs: list[Subgraph], errors: Collector) -> None:
        self.subgraphs = subgraphs
        self.errors = errors
        self.entries: dict[str, list[Entry]] = defaultdict(list)
        for sub in subgraphs:
            for t in sub.types.values():
                self.entries[t.name].append((sub, t))
        self.implementers: dict[str, set[str]] = defaultdict(set)
        self.union_members: dict[str, set[str]] = defaultdict(set)
        self.input_use: set[str] = set()
        self.output_use: dict[str, str] = {}
        self.input_example: dict[str, str] = {}
        self.referenced = {sub.name: referenced_fields(sub) for sub in subgraphs}
        self._scan_usage()

    def _scan_usage(self) -> None:
        for sub in self.subgraphs:
            for t in sub.types.values():
                for i in t.interfaces:
                    self.implementers[i].add(t.name)
                for m in t.members:
                    self.union_members[t.name].add(m)
                for f in t.fields.values():
                    if t.kind == "input":
                        self.input_use.add(f.type.named)
                        self.input_example.setdefault(f.type.named, f"{t.name}.{f.name}")
                        continue
                    self.output_use.setdefault(f.type.named, f"{t.name}.{f.name}")
                    for a in f.args.values():
                        self.input_use.add(a.type.named)
                        self.input_example.setdefault(a.type.named, f"{t.name}.{f.name}({a.name}:)")

    def is_subtype(self, sub: str, sup: str) -> bool:
        return sub in self.implementers.get(sup, ()) or sub in self.union_members.get(sup, ())

    def kind_of(self, name: str) -> str | None:
        entries = self.entries.get(name)
        if not entries:
            return None
        kinds = [t.effective_kind for _, t in entries]
        return "interface" if "interface" in kinds else kinds[0]

    # -- orchestration -------------------------------------------------------------------------
    def merge(self) -> Supergraph:
        names = [s.name for s in self.subgraphs]
        enums = graph_enum_values(names)
        graphs = [Graph(enums[s.name], s.name, s.url) for s in self.subgraphs]
        newest = max((s.federation_minor for s in self.subgraphs if s.fed2), default=0)
        join_minor = 5 if newest >= 8 else 4 if newest >= 7 else 3
        order = sorted(self.entries, key=lambda n: (
            _ROOTS.index(n) if n in _ROOTS else len(_ROOTS), _KIND_ORDER.get(self.kind_of(n) or "", 9)))
        types: dict[str, SType] = {}
        fields = FieldMerger(self)
        for name in order:
            merged = self._merge_type(name, self.entries[name], fields)
            if merged is not None:
                types[name] = merged
        self._add_interface_object_fields(types)
        roots = {op: n for op, n in zip(("query", "mutation", "subscription"), _ROOTS, strict=True) if n in types}
        return Supergraph(graphs, types, roots, self._composed(), join_minor=join_minor)

    def _merge_type(self, name: str, entries: list[Entry], fields: FieldMerger) -> SType | None:
        kinds = {t.effective_kind for _, t in entries}
        if len(kinds) > 1:
            first_sub, first = entries[0]
            other_sub, other = next((s, t) for s, t in entries if t.effective_kind != first.effective_kind)
            self.errors.add(
                "TYPE_KIND_MISMATCH",
                f'Type "{name}" has mismatched kind: it is defined as {KIND_LABEL[first.effective_kind]} in '
                f'subgraph "{first_sub.name}" but {KIND_LABEL[other.effective_kind]} in subgraph "{other_sub.name}"',
                subgraph=other_sub.name, type=name)
            return None
        kind = kinds.pop()
        if kind == "interface" and all(t.interface_object for _, t in entries):
            where = [s.name for s, _ in entries]
            self.errors.add(
                "INTERFACE_OBJECT_USAGE_ERROR",
                f'Type "{name}" is declared with @interfaceObject in all the subgraphs in which is is defined '
                f"(it is defined in {subgraphs_phrase(where)} but should be defined as an interface in at "
                "least one subgraph)", subgraph=where[0], type=name)
            return None
        result = SType(name, kind, merge_meta(t.meta for _, t in entries))
        # FEDERATION_NOTE: a context is named after its subgraph in the supergraph (`<subgraph>__<name>`)
        result.contexts = [f"{s.name}__{c}" for s, t in entries for c in t.contexts]
        result.joins = self._join_types(name, entries)
        result.specified_by = next((t.specified_by for _, t in entries if t.specified_by), None)
        if kind in ("object", "interface"):
            self._merge_composite(result, entries, fields)
        elif kind == "union":
            for sub, t in entries:
                for m in t.members:
                    if m not in result.members:
                        result.members.append(m)
                    result.member_joins.append((sub.name, m))
        elif kind == "enum":
            self._merge_enum(result, entries)
        elif kind == "input":
            self._merge_input(result, entries, fields)
        return result

    def _join_types(self, name: str, entries: list[Entry]) -> list[JoinType]:
        joins: list[JoinType] = []
        present = {s.name for s, _ in entries}
        by_graph = {s.name: t for s, t in entries}
        for sub in self.subgraphs:
            if sub.name not in present:
                if name == "Query":
                    joins.append(JoinType(sub.name))
                continue
            t = by_graph[sub.name]
            if t.keys:
                for key in t.keys:
                    joins.append(JoinType(sub.name, key.fields, key.extension, key.resolvable, t.interface_object))
            else:
                # FEDERATION_NOTE: like the reference composer, `extension: true` only on a join with a key
                joins.append(JoinType(sub.name, None, False, True, t.interface_object))
        return joins

    def _merge_composite(self, result: SType, entries: list[Entry], fields: FieldMerger) -> None:
        for sub, t in entries:
            for i in t.interfaces:
                if i not in result.interfaces:
                    result.interfaces.append(i)
                result.implements.append((sub.name, i))
        names: list[str] = []
        for _, t in entries:
            for f in t.fields:
                if f not in names:
                    names.append(f)
        for fname in names:
            sources = [(s, t.fields[fname]) for s, t in entries if fname in t.fields]
            merged = fields.merge_output_field(result, fname, sources)
            if merged is not None:
                result.fields[fname] = merged

    def _merge_enum(self, result: SType, entries: list[Entry]) -> None:
        name = result.name
        order: list[str] = []
        for _, t in entries:
            for v in t.values:
                if v not in order:
                    order.append(v)
        as_input, as_output = name in self.input_use, name in self.output_use
        for value in order:
            having = [s.name for s, t in entries if value in t.values]
            missing = [s.name for s, t in entries if value not in t.values]
            # FEDERATION_NOTE: like the reference composer, a value of an input and output enum that some
            # subgraph lacks is no mismatch when it is @inaccessible: it stays in the supergraph, hidden from
            # clients (the gateway turns it into a field error should a subgraph return it).
            hidden = any(t.values[value].meta.inaccessible for _, t in entries if value in t.values)
            if missing and as_input and as_output and not hidden:
                self.errors.add(
                    "ENUM_VALUE_MISMATCH",
                    f'Enum type "{name}" is used as both input type (for example, as type of '
                    f'"{self.input_example[name]}") and output type (for example, as type of '
                    f'"{self.output_use[name]}"), but value "{value}" is not defined in all the subgraphs '
                    f'defining "{name}": "{value}" is defined in {subgraphs_phrase(having)} but not in '
                    f"{subgraphs_phrase(missing)}", subgraph=missing[0], type=name)
                continue
            if missing and as_input and not (as_output and hidden):
                continue  # an @inaccessible value of an input and output enum stays, hidden from clients
            meta = merge_meta(t.values[value].meta for _, t in entries if value in t.values)
            result.values[value] = SEnumValue(value, meta, having)
        if not result.values and order:
            self.errors.add(
                "EMPTY_MERGED_ENUM_TYPE",
                f'None of the values of enum type "{name}" are defined consistently in all the subgraphs '
                f'defining that type. As only values common to all subgraphs are merged, this would result in '
                "an empty type.", type=name)

    def _merge_input(self, result: SType, entries: list[Entry], fields: FieldMerger) -> None:
        name = result.name
        order: list[str] = []
        for _, t in entries:
            for f in t.fields:
                if f not in order:
                    order.append(f)
        for fname in order:
            having = [(s, t.fields[fname]) for s, t in entries if fname in t.fields]
            missing = [s.name for s, t in entries if fname not in t.fields]
            if missing:
                required = [s.name for s, f in having if f.type.non_null and f.default is None]
                if required:
                    self.errors.add(
                        "REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH",
                        f'Input object field "{name}.{fname}" is required in some subgraphs but does not appear '
                        f"in all subgraphs: it is required in {subgraphs_phrase(required)} but does not appear "
                        f"in {subgraphs_phrase(missing)}", subgraph=missing[0], type=name, field=fname)
                continue
            merged = fields.merge_input_field(result, fname, having)
            if merged is not None:
                result.fields[fname] = merged
        if not result.fields and order:
            self.errors.add(
                "EMPTY_MERGED_INPUT_TYPE",
                f'None of the fields of input object type "{name}" are consistently defined in all the subgraphs '
                "defining that type. As only fields common to all subgraphs are merged, this would result in an "
                "empty type.", type=name)

    def _add_interface_object_fields(self, types: dict[str, SType]) -> None:
        for iface_name, entries in self.entries.items():
            objects = [t for _, t in entries if t.interface_object]
            iface = types.get(iface_name)
            if not objects or iface is None or iface.kind != "interface":
                continue
            for impl in types.values():
                if iface_name not in impl.interfaces or impl.kind != "object":
                    continue
                for obj in objects:
                    for fname in obj.fields:
                        if fname in impl.fields or fname not in iface.fields:
                            continue
                        source = iface.fields[fname]
                        impl.fields[fname] = SField(fname, source.type, merge_meta([source.meta]),
                                                    dict(source.args), [JoinField(None)])

    def _composed(self) -> list[ComposedDirective]:
        by_url: dict[str, ComposedDirective] = {}
        for sub in self.subgraphs:
            for url, link in sub.composed.items():
                target = by_url.setdefault(url, ComposedDirective(url, [], []))
                for imported in link.imports:
                    if imported not in target.imports:
                        target.imports.append(imported)
                known = {print_ast(d) for d in target.definitions}
                names = {d.name.value for d in target.definitions}
                for definition in link.definitions.values():
                    if definition.name.value not in names and print_ast(definition) not in known:
                        target.definitions.append(definition)
        return list(by_url.values())


__all__ = ["Merger", "merge_input", "referenced_fields"]
