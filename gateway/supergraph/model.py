"""The typed supergraph model: which subgraph defines, keys and resolves what."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Literal

from graphql import GraphQLSchema, SelectionSetNode

TypeKind = Literal["object", "interface", "union", "enum", "input", "scalar"]


@dataclass(frozen=True)
class Subgraph:
    """One subgraph: its service name (used everywhere in plans) and its URL."""

    name: str
    url: str
    enum_value: str


@dataclass(frozen=True)
class KeyInfo:
    """One ``@key`` of a type in one subgraph (``@join__type(graph:, key:, resolvable:)``)."""

    graph: str
    fields: str
    selection: SelectionSetNode
    resolvable: bool = True


@dataclass(frozen=True)
class FieldJoin:
    """One ``@join__field`` application."""

    graph: str
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None


@dataclass(frozen=True)
class ContextArgument:
    """One ``@fromContext`` argument (``@join__field(contextArguments:)``, join v0.5): the field's argument
    ``name`` of subgraph type ``type`` takes the value ``selection`` reads from the nearest ancestor that
    sets ``context`` (the context's name as the supergraph spells it, ``<subgraph>__<name>``)."""

    name: str
    type: str
    context: str
    selection: str
    parsed: SelectionSetNode


@dataclass(frozen=True)
class FieldInfo:
    """A field of an object or interface type, with the subgraphs that can resolve it."""

    name: str
    parent: str
    type_name: str  # the named (unwrapped) output type
    joins: tuple[FieldJoin, ...]
    resolvable_in: frozenset[str]
    requires: Mapping[str, SelectionSetNode] = field(default_factory=dict)  # graph -> requires field set
    provides: Mapping[str, SelectionSetNode] = field(default_factory=dict)  # graph -> provides field set
    #: progressive @override: label -> the graphs that resolve the field while that label is active
    #: (`resolvable_in` is the field with every label inactive)
    when_label: Mapping[str, frozenset[str]] = field(default_factory=dict)
    #: graph -> the arguments that graph fills from a context (``@fromContext``)
    context_arguments: Mapping[str, tuple[ContextArgument, ...]] = field(default_factory=dict)


@dataclass(frozen=True)
class TypeInfo:
    """A named type and how the subgraphs share it."""

    name: str
    kind: TypeKind
    graphs: frozenset[str]
    keys: tuple[KeyInfo, ...] = ()
    extension_in: frozenset[str] = frozenset()
    interface_object_in: frozenset[str] = frozenset()
    fields: Mapping[str, FieldInfo] = field(default_factory=dict)
    implements: Mapping[str, frozenset[str]] = field(default_factory=dict)  # graph -> interfaces
    union_members: Mapping[str, frozenset[str]] = field(default_factory=dict)  # graph -> members
    enum_values: Mapping[str, frozenset[str]] = field(default_factory=dict)  # graph -> values
    owner: str | None = None  # join v0.1 @join__owner
    contexts: tuple[str, ...] = ()  # the contexts this type sets (``@context(name:)``)

    def keys_in(self, graph: str) -> tuple[KeyInfo, ...]:
        return tuple(k for k in self.keys if k.graph == graph)

    def resolvable_keys_in(self, graph: str) -> tuple[KeyInfo, ...]:
        return tuple(k for k in self.keys if k.graph == graph and k.resolvable)


@dataclass(frozen=True)
class Supergraph:
    """A loaded supergraph: subgraphs, type metadata, the full schema and the API schema."""

    subgraphs: Mapping[str, Subgraph]
    types: Mapping[str, TypeInfo]
    schema: GraphQLSchema  # the supergraph schema, join elements included
    api_schema: GraphQLSchema  # the client-facing schema
    join_version: str
    query_type: str = "Query"
    mutation_type: str | None = None
    subscription_type: str | None = None
    source_sdl: str = ""
    #: every progressive-override label of the supergraph's fields
    override_labels: frozenset[str] = frozenset()
    #: context name -> the object types whose objects set it (the types with ``@context``, interfaces and
    #: unions expanded to their possible types)
    context_setters: Mapping[str, frozenset[str]] = field(default_factory=dict)

    def with_active_labels(self, active: frozenset[str]) -> Supergraph:
        """This supergraph as planned while the override labels `active` are on (self when none applies)."""
        relevant = active & self.override_labels
        if not relevant:
            return self
        types = dict(self.types)
        for name, t in self.types.items():
            moved = {fname: replace(f, resolvable_in=next(f.when_label[label] for label in f.when_label
                                                          if label in relevant))
                     for fname, f in t.fields.items() if relevant.intersection(f.when_label)}
            if moved:
                types[name] = replace(t, fields={**t.fields, **moved})
        return replace(self, types=types)

    def type(self, name: str) -> TypeInfo:
        return self.types[name]

    def field(self, type_name: str, field_name: str) -> FieldInfo | None:
        info = self.types.get(type_name)
        return None if info is None else info.fields.get(field_name)

    def defines(self, graph: str, type_name: str) -> bool:
        info = self.types.get(type_name)
        return info is not None and graph in info.graphs

    def possible_types_in(self, graph: str, abstract: str) -> tuple[str, ...]:
        """Object types that subgraph ``graph`` can return for ``abstract`` (sorted; [abstract] if object)."""
        info = self.types.get(abstract)
        if info is None:
            return ()
        if info.kind == "object":
            return (abstract,) if graph in info.graphs else ()
        if info.kind == "union":
            members = info.union_members.get(graph)
            if members is None:
                members = frozenset(self._api_possible(abstract))
            return tuple(sorted(m for m in members if self.defines(graph, m)))
        out = []
        for name, t in self.types.items():
            if t.kind != "object" or graph not in t.graphs:
                continue
            impl = t.implements.get(graph)
            if impl is None:
                if name in self._api_possible(abstract):
                    out.append(name)
            elif abstract in impl:
                out.append(name)
        return tuple(sorted(out))

    def possible_types(self, abstract: str) -> tuple[str, ...]:
        """Object types the API schema allows for ``abstract`` (sorted)."""
        info = self.types.get(abstract)
        if info is not None and info.kind == "object":
            return (abstract,)
        return tuple(sorted(self._api_possible(abstract)))

    def client_possible_types(self, abstract: str) -> tuple[str, ...]:
        """Object types the client-facing schema allows for ``abstract`` (sorted; no @inaccessible ones)."""
        from graphql import GraphQLInterfaceType, GraphQLObjectType, GraphQLUnionType

        t = self.api_schema.get_type(abstract)
        if isinstance(t, GraphQLObjectType):
            return (abstract,)
        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            return tuple(sorted(o.name for o in self.api_schema.get_possible_types(t)))
        return ()

    def _api_possible(self, abstract: str) -> list[str]:
        t = self.schema.get_type(abstract)
        if t is None:
            return []
        from graphql import GraphQLInterfaceType, GraphQLUnionType

        if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
            return [o.name for o in self.schema.get_possible_types(t)]
        return []
