"""Read one subgraph SDL (Federation 1 or 2) into the typed model, reporting INVALID_GRAPHQL and link errors.

FEDERATION_NOTE: Federation 1 subgraphs are upgraded the way the Federation 2 composer does it: every
field counts as shareable, `@external` on key fields is dropped, unused `@external` fields are removed,
and `extend type` only marks a type as an extension when written as `@extends`.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    FieldDefinitionNode,
    GraphQLError,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InputValueDefinitionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    parse,
    value_from_ast_untyped,
)

from gateway.compose.errors import CompositionError
from gateway.compose.fieldsets import FieldSetSyntax, parse_fieldset, walk
from gateway.compose.links import LinkInfo, read_links
from gateway.compose.model import (
    ComposedLink,
    EnumValue,
    Key,
    Meta,
    Scopes,
    SubArg,
    SubField,
    Subgraph,
    SubType,
)
from gateway.compose.sources import SubgraphSource
from gateway.compose.typeref import TypeRef, from_node
from gateway.compose.validate import validate_definitions

_KIND: dict[type, str] = {
    ObjectTypeDefinitionNode: "object", ObjectTypeExtensionNode: "object",
    InterfaceTypeDefinitionNode: "interface", InterfaceTypeExtensionNode: "interface",
    UnionTypeDefinitionNode: "union", UnionTypeExtensionNode: "union",
    EnumTypeDefinitionNode: "enum", EnumTypeExtensionNode: "enum",
    InputObjectTypeDefinitionNode: "input", InputObjectTypeExtensionNode: "input",
    ScalarTypeDefinitionNode: "scalar", ScalarTypeExtensionNode: "scalar",
}
_AS_DEFINITION: dict[type, type] = {
    ObjectTypeExtensionNode: ObjectTypeDefinitionNode, InterfaceTypeExtensionNode: InterfaceTypeDefinitionNode,
    UnionTypeExtensionNode: UnionTypeDefinitionNode, EnumTypeExtensionNode: EnumTypeDefinitionNode,
    InputObjectTypeExtensionNode: InputObjectTypeDefinitionNode, ScalarTypeExtensionNode: ScalarTypeDefinitionNode,
}
_FEDERATION_TYPES = {"_Service", "_Entity", "_Any", "_FieldSet", "FieldSet"}
_ROOT_DEFAULTS = {"query": "Query", "mutation": "Mutation", "subscription": "Subscription"}
_IGNORED_SCHEMA_ERRORS = ("Query root type must be provided.",)


def _is_federation_type(name: str) -> bool:
    return name in _FEDERATION_TYPES or name.startswith(("federation__", "link__"))


def _invalid(source: SubgraphSource, message: str) -> CompositionError:
    return CompositionError("INVALID_GRAPHQL", f"[{source.name}] {message}", source.name)


def read_subgraph(source: SubgraphSource) -> tuple[Subgraph | None, list[CompositionError]]:
    """The subgraph's model, or None with the errors that make it unusable."""
    try:
        document = parse(source.sdl, no_location=True)
    except GraphQLError as exc:
        return None, [_invalid(source, exc.message)]
    info = read_links(document)
    errors = [CompositionError("INVALID_LINK_DIRECTIVE_USAGE", f"[{source.name}] {p}", source.name)
              for p in info.problems]
    if errors:
        return None, errors
    cleaned = _clean(document, info)
    errors = _validate(source, cleaned, info)
    if errors:
        return None, errors
    return _Builder(source, cleaned, info).build()


def _clean(document: DocumentNode, info: LinkInfo) -> list[DefinitionNode]:
    """Drop the federation machinery a subgraph may print (definitions, `_entities`, `_service`)."""
    kept: list[DefinitionNode] = []
    for d in document.definitions:
        if isinstance(d, DirectiveDefinitionNode) and (d.name.value in info.directives or d.name.value == "link"):
            continue
        if isinstance(d, TypeDefinitionNode | TypeExtensionNode) and _is_federation_type(d.name.value):
            continue
        if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode) and d.fields:
            fields = tuple(f for f in d.fields if f.name.value not in ("_entities", "_service"))
            if len(fields) != len(d.fields):
                if not fields and d.name.value == "Query":
                    continue
                if isinstance(d, ObjectTypeDefinitionNode):
                    d = ObjectTypeDefinitionNode(name=d.name, description=d.description, directives=d.directives,
                                                 interfaces=d.interfaces, fields=fields)
                else:
                    d = ObjectTypeExtensionNode(name=d.name, directives=d.directives, interfaces=d.interfaces,
                                                fields=fields)
        kept.append(d)
    return kept


def _validate(source: SubgraphSource, definitions: list[DefinitionNode], info: LinkInfo) -> list[CompositionError]:
    directives = set(info.directives) | {"link"}
    return [_invalid(source, message) for message in dict.fromkeys(validate_definitions(definitions, directives))]


def _optional_text(value: Any) -> str | None:
    return None if value is None else str(value)


def _arg_value(directive: DirectiveNode, name: str) -> Any:
    for a in directive.arguments or ():
        if a.name.value == name:
            return value_from_ast_untyped(a.value)
    return None


def _scopes(value: Any) -> Scopes:
    return tuple(tuple(str(s) for s in inner) for inner in value or () if isinstance(inner, list))


class _Builder:
    def __init__(self, source: SubgraphSource, definitions: list[DefinitionNode], info: LinkInfo) -> None:
        self.source = source
        self.definitions = definitions
        self.info = info
        self.composed = set(info.compose) & set(info.custom)
        self.errors: list[CompositionError] = []
        self.renames: dict[str, str] = {}
        for d in definitions:
            if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
                for op in d.operation_types or ():
                    wanted = _ROOT_DEFAULTS[op.operation.value]
                    if op.type.name.value != wanted:
                        self.renames[op.type.name.value] = wanted

    def name(self, name: str) -> str:
        return self.renames.get(name, name)

    def ref(self, ref: TypeRef) -> TypeRef:
        if ref.kind == "named":
            return TypeRef("named", name=self.name(ref.name)) if ref.name in self.renames else ref
        assert ref.of is not None
        return TypeRef(ref.kind, of=self.ref(ref.of))

    def meta(self, description: StringValueNode | None,
             directives: tuple[DirectiveNode, ...] | None) -> tuple[Meta, dict[str, list[DirectiveNode]]]:
        meta = Meta(description=description.value if description else None)
        federation: dict[str, list[DirectiveNode]] = defaultdict(list)
        for d in directives or ():
            local = d.name.value
            canonical = self.info.canonical(local)
            if canonical is not None:
                federation[canonical].append(d)
            elif local in self.composed:
                meta.composed.append(d)
            elif local == "deprecated":
                meta.deprecated = d
            elif local == "specifiedBy":
                federation["specifiedBy"].append(d)
        meta.inaccessible = "inaccessible" in federation
        for tag in federation.get("tag", ()):
            value = _arg_value(tag, "name")
            if isinstance(value, str) and value not in meta.tags:
                meta.tags.append(value)
        meta.authenticated = "authenticated" in federation
        if "requiresScopes" in federation:
            meta.scopes = _scopes(_arg_value(federation["requiresScopes"][0], "scopes"))
        if "policy" in federation:
            meta.policies = _scopes(_arg_value(federation["policy"][0], "policies"))
        return meta, federation

    def argument(self, node: InputValueDefinitionNode) -> SubArg:
        meta, federation = self.meta(node.description, node.directives)
        from_context = federation.get("fromContext")
        return SubArg(node.name.value, self.ref(from_node(node.type)), node.default_value, meta,
                      from_context=str(_arg_value(from_context[0], "field") or "") if from_context else None)

    def field(self, node: FieldDefinitionNode | InputValueDefinitionNode) -> SubField:
        meta, federation = self.meta(node.description, node.directives)
        if isinstance(node, InputValueDefinitionNode):
            return SubField(node.name.value, self.ref(from_node(node.type)), {}, meta, default=node.default_value)
        override = federation.get("override")
        requires = federation.get("requires")
        provides = federation.get("provides")
        return SubField(
            name=node.name.value,
            type=self.ref(from_node(node.type)),
            args={a.name.value: self.argument(a) for a in node.arguments or ()},
            meta=meta,
            external="external" in federation,
            shareable="shareable" in federation,
            requires=str(_arg_value(requires[0], "fields")) if requires else None,
            provides=str(_arg_value(provides[0], "fields")) if provides else None,
            override=str(_arg_value(override[0], "from")) if override else None,
            override_label=_optional_text(_arg_value(override[0], "label")) if override else None,
        )

    def type(self, name: str, nodes: list[TypeDefinitionNode | TypeExtensionNode]) -> SubType:
        kind = _KIND[type(nodes[0])]
        description: StringValueNode | None = next(
            (n.description for n in nodes if isinstance(n, TypeDefinitionNode) and n.description), None)
        directives = tuple(d for n in nodes for d in n.directives or ())
        meta, federation = self.meta(description, directives)
        only_extensions = all(isinstance(n, TypeExtensionNode) for n in nodes)
        result = SubType(name=name, kind=kind, meta=meta)
        for n in nodes:
            # FEDERATION_NOTE: a type-level @external or @shareable covers the fields of its own block only.
            local = {self.info.canonical(d.name.value) for d in n.directives or ()}
            for f in getattr(n, "fields", None) or ():
                made = self.field(f)
                made.external = made.external or "external" in local
                made.shareable = made.shareable or "shareable" in local
                result.fields[f.name.value] = made
            for v in getattr(n, "values", None) or ():
                value_meta, _ = self.meta(v.description, v.directives)
                result.values[v.name.value] = EnumValue(v.name.value, value_meta)
            for t in getattr(n, "types", None) or ():
                if self.name(t.name.value) not in result.members:
                    result.members.append(self.name(t.name.value))
            for i in getattr(n, "interfaces", None) or ():
                if i.name.value not in result.interfaces:
                    result.interfaces.append(i.name.value)
        extends = "extends" in federation
        is_root = name in _ROOT_DEFAULTS.values()
        for n in nodes:
            on_extension = extends or isinstance(n, TypeExtensionNode)
            for key in (d for d in n.directives or () if self.info.canonical(d.name.value) == "key"):
                resolvable = _arg_value(key, "resolvable")
                result.keys.append(Key(str(_arg_value(key, "fields")), resolvable is not False, on_extension,
                                       extends or (self.info.fed2 and on_extension)))
        result.extension = extends or (self.info.fed2 and only_extensions and not is_root)
        result.extension_only_fed1 = not self.info.fed2 and only_extensions and not is_root
        result.only_extensions = only_extensions and not is_root
        result.interface_object = "interfaceObject" in federation
        result.shareable = "shareable" in federation
        if "specifiedBy" in federation:
            result.specified_by = federation["specifiedBy"][0]
        for context in federation.get("context", ()):
            result.contexts.append(str(_arg_value(context, "name") or ""))
        return result

    def build(self) -> tuple[Subgraph | None, list[CompositionError]]:
        grouped: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = defaultdict(list)
        directive_defs: dict[str, DirectiveDefinitionNode] = {}
        for d in self.definitions:
            if isinstance(d, TypeDefinitionNode | TypeExtensionNode):
                grouped[self.name(d.name.value)].append(d)
            elif isinstance(d, DirectiveDefinitionNode):
                directive_defs[d.name.value] = d
        types = {name: self.type(name, nodes) for name, nodes in grouped.items()}
        roots = {op: name for op, name in _ROOT_DEFAULTS.items() if name in types}
        subgraph = Subgraph(self.source.name, self.source.url, self.info.fed2, types, roots,
                            federation_minor=self.info.minor if self.info.fed2 else 0)
        for name in self.info.compose:
            if name not in self.info.custom:
                self.errors.append(CompositionError(
                    "DIRECTIVE_COMPOSITION_ERROR",
                    f'[{self.source.name}] Directive "@{name}" cannot be composed: it is not imported from a '
                    "core feature with @link", self.source.name))
                continue
            url, imported = self.info.custom[name]
            definition = directive_defs.get(name)
            if definition is None:
                continue
            link = subgraph.composed.setdefault(url, ComposedLink(url, [], {}))
            link.imports.append(imported)
            link.definitions[name] = definition
        if self.info.fed2:
            _local_extension_keys(subgraph)
        else:
            _upgrade_federation_1(subgraph)
        return (None, self.errors) if self.errors else (subgraph, [])


def _used_externals(subgraph: Subgraph) -> set[tuple[str, str]]:
    used: set[tuple[str, str]] = set()

    def mark(type_name: str, text: str) -> None:
        try:
            selection = parse_fieldset(text)
        except FieldSetSyntax:
            return
        used.update((s.parent, s.name) for s in walk(subgraph, type_name, selection))

    for t in subgraph.types.values():
        for key in t.keys:
            mark(t.name, key.fields)
        for f in t.fields.values():
            if f.requires:
                mark(t.name, f.requires)
            if f.provides:
                mark(f.type.named, f.provides)
    return used


def _local_extension_keys(subgraph: Subgraph) -> None:
    """FEDERATION_NOTE: like the reference composer, the `@external` fields a key of an extension type selects
    (nested ones included) are the subgraph's own: not external at all. (A Federation 1 subgraph gets this
    for its top-level key fields from the upgrade; its nested ones stay external, as in the reference.)"""
    for t in subgraph.types.values():
        for key in t.keys:
            if not key.on_extension:
                continue
            try:
                selection = parse_fieldset(key.fields)
            except FieldSetSyntax:
                continue
            for sel in walk(subgraph, t.name, selection):
                if sel.field is not None and sel.field.external:
                    sel.field.external = False
                    sel.field.fake_external = True


def _upgrade_federation_1(subgraph: Subgraph) -> None:
    used = _used_externals(subgraph)
    for t in subgraph.types.values():
        key_fields = {n for key in t.keys for n in _top_names(key.fields)}
        for name in list(t.fields):
            f = t.fields[name]
            f.shareable = True
            if f.external and name in key_fields:
                f.external = False
            elif f.external and (t.name, name) not in used:
                del t.fields[name]


def _top_names(text: str) -> list[str]:
    try:
        selection = parse_fieldset(text)
    except FieldSetSyntax:
        return []
    return [n.name.value for n in selection.selections if hasattr(n, "name") and n.name is not None]
