"""Normalise a supergraph SDL for comparison: parse, sort every list whose order carries no meaning, print."""

from __future__ import annotations

from typing import Any

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumValueDefinitionNode,
    FieldDefinitionNode,
    InputValueDefinitionNode,
    NamedTypeNode,
    Node,
    parse,
    print_ast,
)


def _key(node: Node) -> str:
    return print_ast(node)


def _sorted_directives(directives: Any) -> tuple[DirectiveNode, ...]:
    out = []
    for d in directives or ():
        args = tuple(sorted(d.arguments or (), key=lambda a: a.name.value))
        out.append(DirectiveNode(name=d.name, arguments=args))
    return tuple(sorted(out, key=_key))


def _normalise(node: Any) -> Any:
    changes: dict[str, Any] = {}
    for attr in node.keys:
        if attr == "loc":
            continue
        value = getattr(node, attr)
        if attr == "directives":
            changes[attr] = _sorted_directives(value)
        elif attr in ("fields", "arguments", "values") and value is not None:
            items = tuple(_normalise(v) for v in value)
            if items and isinstance(items[0], FieldDefinitionNode | InputValueDefinitionNode |
                                    EnumValueDefinitionNode):
                items = tuple(sorted(items, key=lambda n: n.name.value))
            changes[attr] = items
        elif attr in ("interfaces", "types") and value is not None:
            changes[attr] = tuple(sorted(value, key=lambda n: n.name.value))
        elif attr == "locations" and value is not None:
            changes[attr] = tuple(sorted(value, key=lambda n: n.value))
        elif attr == "description" and value is not None:
            changes[attr] = type(value)(value=value.value.strip(), block=True)
        elif isinstance(value, Node) and not isinstance(value, NamedTypeNode):
            changes[attr] = _normalise(value)
        else:
            changes[attr] = value
    return type(node)(**changes)


def normalise(sdl: str) -> str:
    """The supergraph SDL with definitions, fields, arguments, values and directives in sorted order."""
    document = parse(sdl, no_location=True)
    definitions = [_normalise(d) for d in document.definitions]

    def order(d: Any) -> tuple[str, str]:
        name = d.name.value if getattr(d, "name", None) is not None else ""
        return (type(d).__name__ if not isinstance(d, DirectiveDefinitionNode) else "0", name)

    return print_ast(DocumentNode(definitions=tuple(sorted(definitions, key=order))))
