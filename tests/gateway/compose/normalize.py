"""Normalise a supergraph SDL for comparison: parse, sort every list whose order carries no meaning, spell
the `@join__*` field sets without ignored characters, print."""

from __future__ import annotations

from typing import Any

from graphql import (
    ArgumentNode,
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumValueDefinitionNode,
    FieldDefinitionNode,
    GraphQLError,
    InputValueDefinitionNode,
    NamedTypeNode,
    Node,
    StringValueNode,
    parse,
    print_ast,
    strip_ignored_characters,
)


def _key(node: Node) -> str:
    return print_ast(node)


#: `@join__*` arguments holding a field set: its whitespace carries no meaning (`"a { b }"` is `"a{b}"`)
_FIELD_SETS = {"key", "requires", "provides"}


_UNAPPLIED_JOIN_DIRECTIVE = {"join__directive", "join__DirectiveArguments"}


def _field_set(argument: ArgumentNode) -> ArgumentNode:
    if argument.name.value not in _FIELD_SETS or not isinstance(argument.value, StringValueNode):
        return argument
    try:
        compact = strip_ignored_characters("{" + argument.value.value + "}")[1:-1]
    except GraphQLError:
        return argument
    return ArgumentNode(name=argument.name, value=StringValueNode(value=compact))


def _sorted_directives(directives: Any) -> tuple[DirectiveNode, ...]:
    out = []
    for d in directives or ():
        args = tuple(sorted(d.arguments or (), key=lambda a: a.name.value))
        if d.name.value.startswith("join__"):
            args = tuple(_field_set(a) for a in args)
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
    if "@join__directive(" not in sdl.replace("directive @join__directive(", ""):
        # @apollo/composition defines `@join__directive` (and its argument scalar) from join v0.4 on, applied
        # or not; an unapplied definition means nothing to a gateway.
        definitions = [d for d in definitions
                       if getattr(getattr(d, "name", None), "value", "") not in _UNAPPLIED_JOIN_DIRECTIVE]

    def order(d: Any) -> tuple[str, str]:
        name = d.name.value if getattr(d, "name", None) is not None else ""
        return (type(d).__name__ if not isinstance(d, DirectiveDefinitionNode) else "0", name)

    return print_ast(DocumentNode(definitions=tuple(sorted(definitions, key=order))))
