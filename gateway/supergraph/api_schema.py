"""Build the client-facing API schema: no join/link elements, ``@inaccessible`` elements removed."""

from __future__ import annotations

from typing import Any, TypeVar

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    GraphQLError,
    GraphQLSchema,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    Node,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
    build_ast_schema,
)

from gateway.errors import InvalidSupergraph
from gateway.supergraph.features import Features
from gateway.supergraph.incremental import with_incremental_directives

N = TypeVar("N", bound=Node)


def _replace(node: N, **changes: Any) -> N:
    values = {k: getattr(node, k) for k in node.keys}
    values.update(changes)
    return type(node)(**values)


def _named(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    return node.name.value  # type: ignore[attr-defined,no-any-return]


class _Filter:
    def __init__(self, features: Features) -> None:
        self.prefixes = features.prefixes() | {"link", "core", "join"}
        self.stripped = features.directive_names() | {"link", "core"}
        inaccessible = features.by_name.get("inaccessible")
        self.inaccessible = {inaccessible.prefix if inaccessible else "inaccessible"}
        if inaccessible:
            self.inaccessible |= {local[1:] for spec, local in inaccessible.imports if spec == "@inaccessible"}

    def strip_directive(self, name: str) -> bool:
        return name in self.stripped or ("__" in name and name.split("__", 1)[0] in self.prefixes)

    def spec_type(self, name: str) -> bool:
        return "__" in name and name.split("__", 1)[0] in self.prefixes

    def hidden(self, node: Any) -> bool:
        return any(d.name.value in self.inaccessible for d in getattr(node, "directives", None) or ())

    def directives(self, node: Any) -> tuple[DirectiveNode, ...]:
        return tuple(d for d in getattr(node, "directives", None) or () if not self.strip_directive(d.name.value))


def build_api_schema(document: DocumentNode, features: Features) -> GraphQLSchema:
    """Filter the supergraph document into the API schema and build it with graphql-core."""
    f = _Filter(features)
    removed: set[str] = set()
    for d in document.definitions:
        if isinstance(d, TypeDefinitionNode | TypeExtensionNode) and (f.spec_type(d.name.value) or f.hidden(d)):
            removed.add(d.name.value)
    out: list[Any] = []
    for d in document.definitions:
        if isinstance(d, DirectiveDefinitionNode):
            if not f.strip_directive(d.name.value):
                out.append(d)
        elif isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            ops = tuple(o for o in d.operation_types or () if o.type.name.value not in removed)
            out.append(_replace(d, directives=(), operation_types=ops))
        elif isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            if d.name.value not in removed:
                out.append(_filter_type(f, d, removed))
        else:
            out.append(d)
    try:
        return with_incremental_directives(build_ast_schema(DocumentNode(definitions=tuple(out)),
                                                            assume_valid_sdl=False))
    except (GraphQLError, TypeError) as exc:
        raise InvalidSupergraph(f"the API schema is invalid after removing inaccessible elements: {exc}") from exc


def _filter_type(f: _Filter, d: Any, removed: set[str]) -> Any:
    changes: dict[str, Any] = {"directives": f.directives(d)}
    if isinstance(d, ObjectTypeDefinitionNode | ObjectTypeExtensionNode | InterfaceTypeDefinitionNode
                  | InterfaceTypeExtensionNode):
        changes["fields"] = tuple(
            _replace(fd, directives=f.directives(fd),
                     arguments=tuple(_replace(a, directives=f.directives(a)) for a in fd.arguments or ()
                                     if not f.hidden(a) and _named(a.type) not in removed))
            for fd in d.fields or () if not f.hidden(fd) and _named(fd.type) not in removed)
        changes["interfaces"] = tuple(i for i in d.interfaces or () if i.name.value not in removed)
    elif isinstance(d, UnionTypeDefinitionNode | UnionTypeExtensionNode):
        changes["types"] = tuple(t for t in d.types or () if t.name.value not in removed)
    elif isinstance(d, EnumTypeDefinitionNode | EnumTypeExtensionNode):
        changes["values"] = tuple(_replace(v, directives=f.directives(v)) for v in d.values or ()
                                  if not f.hidden(v))
    elif isinstance(d, InputObjectTypeDefinitionNode | InputObjectTypeExtensionNode):
        changes["fields"] = tuple(_replace(v, directives=f.directives(v)) for v in d.fields or ()
                                  if not f.hidden(v) and _named(v.type) not in removed)
    return _replace(d, **changes)
