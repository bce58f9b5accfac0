"""Parse a supergraph SDL and its join directives into the typed :class:`Supergraph` model."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    EnumValueNode,
    GraphQLError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    OperationDefinitionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SelectionSetNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    ValueNode,
    build_ast_schema,
    parse,
)

from gateway.errors import InvalidSupergraph
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.contexts import context_setters, read_context_arguments, type_contexts
from gateway.supergraph.features import Features, read_features
from gateway.supergraph.model import (
    ContextArgument,
    FieldInfo,
    FieldJoin,
    KeyInfo,
    Subgraph,
    Supergraph,
    TypeInfo,
    TypeKind,
)

_KINDS: dict[type, TypeKind] = {
    ObjectTypeDefinitionNode: "object", ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface", InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union", UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum", EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input", InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar", ScalarTypeExtensionNode: "scalar",
}


def parse_field_set(text: str, *, element: str) -> SelectionSetNode:
    """Parse a ``join__FieldSet`` string (``"id organization { id }"``) into a selection set."""
    try:
        doc = parse("{" + text + "}", no_location=True)
    except GraphQLError as exc:
        raise InvalidSupergraph(f"invalid field set {text!r}: {exc.message}", element=element) from exc
    op = doc.definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    return op.selection_set


def _value(node: ValueNode | None) -> Any:
    if node is None:
        return None
    if isinstance(node, StringValueNode | BooleanValueNode | EnumValueNode):
        return node.value
    return None


def _args(directive: DirectiveNode) -> dict[str, Any]:
    return {a.name.value: _value(a.value) for a in directive.arguments or ()}


def _named_type(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    return node.name.value  # type: ignore[attr-defined,no-any-return]


class _Reader:
    def __init__(self, document: DocumentNode, features: Features) -> None:
        self.document = document
        self.features = features
        self.join = features.prefix("join", "join")
        self.version = features.join.version
        self.spec_prefixes = features.prefixes() | {"join", "link", "core"}
        self.context_directive = features.prefix("context", "context")
        self.graphs: dict[str, Subgraph] = {}  # enum value -> subgraph

    def directive(self, local: str) -> str:
        return f"{self.join}__{local}"

    def is_spec_type(self, name: str) -> bool:
        return "__" in name and name.split("__", 1)[0] in self.spec_prefixes

    def graph_of(self, enum_value: Any, element: str) -> str:
        if not isinstance(enum_value, str) or enum_value not in self.graphs:
            raise InvalidSupergraph(f"names unknown graph {enum_value!r}", element=element)
        return self.graphs[enum_value].name

    def read_graphs(self) -> None:
        enum_name = f"{self.join}__Graph"
        for d in self.document.definitions:
            if isinstance(d, EnumTypeDefinitionNode) and d.name.value == enum_name:
                for value in d.values or ():
                    graph = [x for x in value.directives or () if x.name.value == self.directive("graph")]
                    element = f"{enum_name}.{value.name.value}"
                    if not graph:
                        raise InvalidSupergraph(f"has no @{self.directive('graph')}", element=element)
                    args = _args(graph[0])
                    if not isinstance(args.get("name"), str) or not isinstance(args.get("url"), str):
                        raise InvalidSupergraph("needs string name: and url:", element=element)
                    self.graphs[value.name.value] = Subgraph(args["name"], args["url"], value.name.value)
                return
        raise InvalidSupergraph("missing", element=enum_name)


def load_supergraph(sdl: str) -> Supergraph:
    """Parse and check a supergraph SDL; raise :class:`InvalidSupergraph` naming the broken element."""
    try:
        document = parse(sdl, no_location=False)
    except GraphQLError as exc:
        raise InvalidSupergraph(f"supergraph SDL does not parse: {exc.message}") from exc
    features = read_features(document)
    reader = _Reader(document, features)
    reader.read_graphs()
    try:
        schema = build_ast_schema(document, assume_valid_sdl=False)
    except (GraphQLError, TypeError) as exc:
        raise InvalidSupergraph(f"supergraph schema is invalid: {exc}") from exc
    all_graphs = frozenset(g.name for g in reader.graphs.values())
    definitions: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = defaultdict(list)
    for d in document.definitions:
        if isinstance(d, TypeDefinitionNode | TypeExtensionNode) and not reader.is_spec_type(d.name.value):
            definitions[d.name.value].append(d)
    types = {name: _read_type(reader, name, nodes, all_graphs) for name, nodes in definitions.items()}
    _check_graph_references(types, all_graphs)
    api_schema = build_api_schema(document, features)
    query = schema.query_type.name if schema.query_type else "Query"
    return Supergraph(
        subgraphs={g.name: g for g in reader.graphs.values()},
        types=types,
        schema=schema,
        api_schema=api_schema,
        join_version=reader.version,
        query_type=query,
        mutation_type=schema.mutation_type.name if schema.mutation_type else None,
        subscription_type=schema.subscription_type.name if schema.subscription_type else None,
        source_sdl=sdl,
        override_labels=frozenset(label for t in types.values() for f in t.fields.values() for label in f.when_label),
        context_setters=context_setters(types, schema),
    )


def _read_type(reader: _Reader, name: str, nodes: list[TypeDefinitionNode | TypeExtensionNode],
               all_graphs: frozenset[str]) -> TypeInfo:
    kind = _KINDS[type(nodes[0])]
    graphs: set[str] = set()
    keys: list[KeyInfo] = []
    extension_in: set[str] = set()
    interface_object_in: set[str] = set()
    implements: dict[str, set[str]] = defaultdict(set)
    members: dict[str, set[str]] = defaultdict(set)
    enum_values: dict[str, set[str]] = defaultdict(set)
    owner: str | None = None
    saw_join_type = False
    for node in nodes:
        for d in node.directives or ():
            dname = d.name.value
            args = _args(d)
            if dname == reader.directive("type"):
                saw_join_type = True
                graph = reader.graph_of(args.get("graph"), name)
                graphs.add(graph)
                if args.get("key"):
                    sel = parse_field_set(args["key"], element=f"{name} @key({args['key']})")
                    keys.append(KeyInfo(graph, args["key"], sel, args.get("resolvable") is not False))
                if args.get("extension") is True:
                    extension_in.add(graph)
                if args.get("isInterfaceObject") is True:
                    interface_object_in.add(graph)
            elif dname == reader.directive("owner"):
                owner = reader.graph_of(args.get("graph"), name)
            elif dname == reader.directive("implements"):
                implements[reader.graph_of(args.get("graph"), name)].add(str(args.get("interface")))
            elif dname == reader.directive("unionMember"):
                members[reader.graph_of(args.get("graph"), name)].add(str(args.get("member")))
        if isinstance(node, EnumTypeDefinitionNode | EnumTypeExtensionNode):
            for value in node.values or ():
                for d in value.directives or ():
                    if d.name.value == reader.directive("enumValue"):
                        graph = reader.graph_of(_args(d).get("graph"), f"{name}.{value.name.value}")
                        enum_values[graph].add(value.name.value)
    type_graphs = frozenset(graphs) if saw_join_type else all_graphs
    if reader.version != "0.1":
        for g in type_graphs:
            implements.setdefault(g, set())
        if reader.version not in ("0.2",) and kind == "union":
            for g in type_graphs:
                members.setdefault(g, set())
    fields: dict[str, FieldInfo] = {}
    if kind in ("object", "interface"):
        for node in nodes:
            for fdef in getattr(node, "fields", None) or ():
                info = _read_field(reader, name, fdef, type_graphs, keys, owner)
                fields[info.name] = info
    return TypeInfo(
        name=name, kind=kind, graphs=type_graphs, keys=tuple(keys), extension_in=frozenset(extension_in),
        interface_object_in=frozenset(interface_object_in), fields=fields,
        implements={g: frozenset(v) for g, v in implements.items()},
        union_members={g: frozenset(v) for g, v in members.items()},
        enum_values={g: frozenset(v) for g, v in enum_values.items()}, owner=owner,
        contexts=type_contexts(nodes, reader.context_directive, name),
    )


def _read_field(reader: _Reader, parent: str, fdef: Any, type_graphs: frozenset[str],
                keys: list[KeyInfo], owner: str | None) -> FieldInfo:
    fname: str = fdef.name.value
    element = f"{parent}.{fname}"
    joins: list[FieldJoin] = []
    context_arguments: dict[str, tuple[ContextArgument, ...]] = {}
    saw_join_field = False
    for d in fdef.directives or ():
        if d.name.value != reader.directive("field"):
            continue
        saw_join_field = True
        args = _args(d)
        contextual = read_context_arguments(d, element)
        if contextual:
            if args.get("graph") is None:
                raise InvalidSupergraph("has contextArguments without a graph", element=element)
            context_arguments[reader.graph_of(args.get("graph"), element)] = contextual
        if args.get("graph") is None:
            continue  # FEDERATION_NOTE: a bare @join__field only marks the field as not owned by a subgraph
        joins.append(FieldJoin(
            graph=reader.graph_of(args.get("graph"), element), requires=args.get("requires"),
            provides=args.get("provides"), type=args.get("type"), external=args.get("external") is True,
            override=args.get("override"), used_overridden=args.get("usedOverridden") is True,
            override_label=args.get("overrideLabel"),
        ))
    if saw_join_field:
        resolvable = _resolvable(joins, frozenset())
    elif owner is not None:
        resolvable = {owner}
    else:
        resolvable = set(type_graphs)
    # FEDERATION_NOTE: a subgraph can always return the fields of its own keys (Fed 1 marks them @external,
    # and the supergraph then carries no @join__field for them), unless the supergraph says explicitly that the
    # field is external in that graph: then the graph only refers to objects another graph owns, and an id it
    # returned for them would be made up.
    external_in = {j.graph for j in joins if j.external}
    key_graphs = {key.graph for key in keys
                  if key.graph not in external_in
                  and any(getattr(sel, "name", None) is not None and sel.name.value == fname  # type: ignore[attr-defined]
                          for sel in key.selection.selections)}
    resolvable |= key_graphs
    # progressive @override: while a label is active the field moves to the overriding graph
    when_label = {label: frozenset(_resolvable(joins, frozenset({label})) | key_graphs)
                  for label in {j.override_label for j in joins if j.override_label}}
    requires = {j.graph: parse_field_set(j.requires, element=f"{element} @requires")
                for j in joins if j.requires}
    provides = {j.graph: parse_field_set(j.provides, element=f"{element} @provides")
                for j in joins if j.provides}
    return FieldInfo(name=fname, parent=parent, type_name=_named_type(fdef.type), joins=tuple(joins),
                     resolvable_in=frozenset(resolvable), requires=requires, provides=provides,
                     when_label=when_label, context_arguments=context_arguments)


def _resolvable(joins: list[FieldJoin], active: frozenset[str]) -> set[str]:
    """The graphs that resolve a field with these `@join__field`s while the override labels `active` are on.

    An unlabelled override always moves the field; a labelled one (progressive @override: the new graph's
    join has `override` and `overrideLabel`, the old graph's only the same `overrideLabel`) moves it only
    while its label is active."""
    overridden = {j.override for j in joins if j.override and (j.override_label is None or j.override_label in active)}
    out: set[str] = set()
    for j in joins:
        # a used-overridden join without a label only keeps a field the old graph still references; with a
        # label it is the field's home until the label is on
        if j.external or (j.used_overridden and j.override_label is None) or j.graph in overridden:
            continue
        if j.override_label is not None and (j.override_label in active) != bool(j.override):
            continue  # the new graph before its label is on, or the old graph once it is
        out.add(j.graph)
    return out


def _check_graph_references(types: dict[str, TypeInfo], graphs: frozenset[str]) -> None:
    for t in types.values():
        for g, members in t.union_members.items():
            for m in members:
                if m not in types:
                    raise InvalidSupergraph(f"union member {m!r} of graph {g} is not a type", element=t.name)
        for g, interfaces in t.implements.items():
            for i in interfaces:
                if i not in types:
                    raise InvalidSupergraph(f"implements unknown interface {i!r} in graph {g}", element=t.name)
    del graphs
