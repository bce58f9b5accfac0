"""Fast GraphQL validity checks of one subgraph document (INVALID_GRAPHQL), in a single pass over the AST.

FEDERATION_NOTE: these are the SDL rules composition depends on — known types and directives, unique
names, input/output positions, interface implementations, union members — checked directly instead of
through graphql-core's visitor-based validation, which is too slow for hundreds of large subgraphs.
"""

from __future__ import annotations

from collections import defaultdict

from graphql import (
    DefinitionNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    EnumTypeDefinitionNode,
    EnumTypeExtensionNode,
    InputObjectTypeDefinitionNode,
    InputObjectTypeExtensionNode,
    InterfaceTypeDefinitionNode,
    InterfaceTypeExtensionNode,
    ListTypeNode,
    NamedTypeNode,
    NonNullTypeNode,
    ObjectTypeDefinitionNode,
    ObjectTypeExtensionNode,
    ScalarTypeDefinitionNode,
    ScalarTypeExtensionNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    TypeDefinitionNode,
    TypeExtensionNode,
    TypeNode,
    UnionTypeDefinitionNode,
    UnionTypeExtensionNode,
)

BUILTIN_SCALARS = {"String", "Int", "Float", "Boolean", "ID"}
BUILTIN_DIRECTIVES = {"deprecated", "specifiedBy", "include", "skip", "oneOf"}
_OUTPUT = (ObjectTypeDefinitionNode, ObjectTypeExtensionNode, InterfaceTypeDefinitionNode, InterfaceTypeExtensionNode,
           UnionTypeDefinitionNode, UnionTypeExtensionNode)
_INPUT = (InputObjectTypeDefinitionNode, InputObjectTypeExtensionNode)
_LEAF = (ScalarTypeDefinitionNode, ScalarTypeExtensionNode, EnumTypeDefinitionNode, EnumTypeExtensionNode)


def _named(node: TypeNode) -> str:
    while isinstance(node, NonNullTypeNode | ListTypeNode):
        node = node.type
    assert isinstance(node, NamedTypeNode)
    return node.name.value


def validate_definitions(definitions: list[DefinitionNode], directives: set[str]) -> list[str]:
    """Messages for what makes the document invalid GraphQL; `directives` are the federation names known."""
    problems: list[str] = []
    kinds: dict[str, type] = {}
    nodes: dict[str, list[TypeDefinitionNode | TypeExtensionNode]] = defaultdict(list)
    known_directives = set(BUILTIN_DIRECTIVES) | directives
    for d in definitions:
        if isinstance(d, TypeDefinitionNode):
            if d.name.value in kinds and any(isinstance(n, TypeDefinitionNode) for n in nodes[d.name.value]):
                problems.append(f'There can be only one type named "{d.name.value}".')
            kinds[d.name.value] = type(d)
        if isinstance(d, TypeDefinitionNode | TypeExtensionNode):
            nodes[d.name.value].append(d)
            kinds.setdefault(d.name.value, type(d))
        elif isinstance(d, DirectiveDefinitionNode):
            if d.name.value in known_directives - directives:
                problems.append(f'Directive "@{d.name.value}" already exists in the schema.')
            known_directives.add(d.name.value)

    def known(name: str) -> bool:
        return name in kinds or name in BUILTIN_SCALARS

    def check_directives(found: tuple[DirectiveNode, ...] | None) -> None:
        for usage in found or ():
            if usage.name.value not in known_directives:
                problems.append(f'Unknown directive "@{usage.name.value}".')

    def check_input(type_node: TypeNode, where: str) -> None:
        name = _named(type_node)
        if not known(name):
            problems.append(f'Unknown type "{name}".')
        elif name not in BUILTIN_SCALARS and not issubclass(kinds[name], _INPUT + _LEAF):
            problems.append(f"The type of {where} must be Input Type but got: {type_node_text(type_node)}.")

    for d in definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            check_directives(d.directives)
        elif isinstance(d, DirectiveDefinitionNode):
            for a in d.arguments or ():
                check_input(a.type, f"@{d.name.value}({a.name.value}:)")
    for name, group in nodes.items():
        seen_fields: set[str] = set()
        for node in group:
            check_directives(node.directives)
            if not issubclass(type(node), type(group[0]).__mro__[0]) and _kind(node) != _kind(group[0]):
                problems.append(f'Cannot extend non-{_kind(group[0])} type "{name}".')
            for f in getattr(node, "fields", None) or ():
                where = f"{name}.{f.name.value}"
                if f.name.value in seen_fields:
                    problems.append(f'Field "{where}" can only be defined once.')
                seen_fields.add(f.name.value)
                check_directives(f.directives)
                if isinstance(node, _INPUT):
                    check_input(f.type, where)
                    continue
                target = _named(f.type)
                if not known(target):
                    problems.append(f'Unknown type "{target}".')
                elif target not in BUILTIN_SCALARS and issubclass(kinds[target], _INPUT):
                    problems.append(f"The type of {where} must be Output Type but got: {type_node_text(f.type)}.")
                arg_names: set[str] = set()
                for a in f.arguments or ():
                    if a.name.value in arg_names:
                        problems.append(f'Argument "{where}({a.name.value}:)" can only be defined once.')
                    arg_names.add(a.name.value)
                    check_directives(a.directives)
                    check_input(a.type, f"{where}({a.name.value}:)")
            values: set[str] = set()
            for v in getattr(node, "values", None) or ():
                if v.name.value in values:
                    problems.append(f'Enum value "{name}.{v.name.value}" can only be defined once.')
                values.add(v.name.value)
                check_directives(v.directives)
            for m in getattr(node, "types", None) or ():
                if not known(m.name.value):
                    problems.append(f'Unknown type "{m.name.value}".')
                elif not issubclass(kinds[m.name.value], ObjectTypeDefinitionNode | ObjectTypeExtensionNode):
                    problems.append(f"Union type {name} can only include Object types, it cannot include "
                                    f"{m.name.value}.")
            for i in getattr(node, "interfaces", None) or ():
                if not known(i.name.value):
                    problems.append(f'Unknown type "{i.name.value}".')
                elif not issubclass(kinds[i.name.value], InterfaceTypeDefinitionNode | InterfaceTypeExtensionNode):
                    problems.append(f"Type {name} must only implement Interface types, it cannot implement "
                                    f"{i.name.value}.")
                else:
                    _check_implements(name, seen_fields_of(group), i.name.value, nodes, problems)
    return problems


def seen_fields_of(group: list[TypeDefinitionNode | TypeExtensionNode]) -> set[str]:
    return {f.name.value for node in group for f in getattr(node, "fields", None) or ()}


def _check_implements(name: str, fields: set[str], interface: str,
                      nodes: dict[str, list[TypeDefinitionNode | TypeExtensionNode]], problems: list[str]) -> None:
    for f in sorted(seen_fields_of(nodes[interface]) - fields):
        problems.append(f"Interface field {interface}.{f} expected but {name} does not provide it.")


def _kind(node: DefinitionNode) -> str:
    for kinds, label in ((_OUTPUT[:2], "object"), (_OUTPUT[2:4], "interface"), (_OUTPUT[4:], "union"),
                         (_INPUT, "input object"), (_LEAF[:2], "scalar"), (_LEAF[2:], "enum")):
        if isinstance(node, kinds):
            return label
    return "unknown"


def type_node_text(node: TypeNode) -> str:
    if isinstance(node, NonNullTypeNode):
        return type_node_text(node.type) + "!"
    if isinstance(node, ListTypeNode):
        return "[" + type_node_text(node.type) + "]"
    assert isinstance(node, NamedTypeNode)
    return node.name.value
