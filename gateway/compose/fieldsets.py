"""Field sets (`@key`, `@requires`, `@provides` arguments): parse them and check them against a subgraph.

The checks follow the composition error codes: `<PREFIX>_INVALID_FIELDS` for syntax errors and unknown
fields, `<PREFIX>_FIELDS_HAS_ARGS`, `KEY_FIELDS_SELECT_INVALID_TYPE` for abstract fields in a key, and
`<PREFIX>_FIELDS_MISSING_EXTERNAL` for `@requires`/`@provides` naming fields the subgraph resolves itself.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from graphql import (
    FieldNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)

from gateway.compose.model import SubField, Subgraph

_cache: dict[str, SelectionSetNode | str] = {}


class FieldSetSyntax(Exception):
    """The field set string does not parse as a selection set."""


def parse_fieldset(text: str) -> SelectionSetNode:
    """Parse `"id org { id }"` into a selection set; raise FieldSetSyntax with the parser's message."""
    cached = _cache.get(text)
    if cached is None:
        try:
            doc = parse("{" + text + "}", no_location=True)
            op = doc.definitions[0]
            cached = op.selection_set if isinstance(op, OperationDefinitionNode) else "not a selection set"
        except GraphQLError as exc:
            cached = exc.message
        _cache[text] = cached
    if isinstance(cached, str):
        raise FieldSetSyntax(cached)
    return cached


@dataclass(frozen=True)
class Selected:
    """One field a field set selects: the type it is on, the field, and how deep it sits."""

    parent: str
    name: str
    field: SubField | None
    node: FieldNode
    depth: int
    #: a field on the path to it is `@external` (or, on an interface, external in an implementation)
    under_external: bool = False


def walk(subgraph: Subgraph, type_name: str, selection: SelectionSetNode, depth: int = 0,
         under_external: bool = False) -> Iterator[Selected]:
    """Every field selected, depth first; `field` is None when the subgraph's type has no such field."""
    parent = subgraph.types.get(type_name)
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            target = node.type_condition.name.value if node.type_condition else type_name
            yield from walk(subgraph, target, node.selection_set, depth, under_external)
            continue
        if not isinstance(node, FieldNode):
            continue
        name = node.name.value
        if name == "__typename":
            continue
        found = parent.fields.get(name) if parent else None
        yield Selected(type_name, name, found, node, depth, under_external)
        if found is not None and node.selection_set is not None:
            below = under_external or found.external or _external_in_implementations(subgraph, type_name, name)
            yield from walk(subgraph, found.type.named, node.selection_set, depth + 1, below)


def _external_in_implementations(subgraph: Subgraph, type_name: str, field: str) -> bool:
    parent = subgraph.types.get(type_name)
    if parent is None or parent.kind != "interface":
        return False
    return any(type_name in t.interfaces and field in t.fields and t.fields[field].external
               for t in subgraph.types.values())


def key_reached_fields(subgraph: Subgraph) -> set[tuple[str, str]]:
    """(type, field) pairs some `@key` of the subgraph selects, nested ones and `resolvable: false` keys
    included, and the implementations of the interface fields they select: all shareable."""
    reached: set[tuple[str, str]] = set()
    for t in subgraph.types.values():
        for key in t.keys:
            try:
                selection = parse_fieldset(key.fields)
            except FieldSetSyntax:
                continue
            for sel in walk(subgraph, t.name, selection):
                reached.add((sel.parent, sel.name))
                parent = subgraph.types.get(sel.parent)
                if parent is not None and parent.kind == "interface":
                    reached.update((i.name, sel.name) for i in subgraph.types.values()
                                   if sel.parent in i.interfaces)
    return reached


def top_level_names(text: str) -> list[str]:
    """The field names at the top of a field set (empty when it does not parse)."""
    try:
        selection = parse_fieldset(text)
    except FieldSetSyntax:
        return []
    return [n.name.value for n in selection.selections if isinstance(n, FieldNode)]


def check_fieldset(subgraph: Subgraph, type_name: str, text: str, *, directive: str, where: str,
                   fed2: bool) -> list[tuple[str, str]]:
    """(code, message) pairs for a field set used by `directive` ("key", "requires", "provides")."""
    prefix = directive.upper()
    head = f'[{subgraph.name}] On {where}, for @{directive}(fields: "{text}"): '
    try:
        selection = parse_fieldset(text)
    except FieldSetSyntax as exc:
        return [(f"{prefix}_INVALID_FIELDS", head + str(exc))]
    problems: list[tuple[str, str]] = []
    for sel in walk(subgraph, type_name, selection):
        if sel.field is None:
            problems.append((f"{prefix}_INVALID_FIELDS",
                             head + f'Cannot query field "{sel.name}" on type "{sel.parent}" (the field should '
                             "either be added to this subgraph or, if it should not be resolved by this "
                             "subgraph, you need to add it to this subgraph with @external)."))
            continue
        if sel.node.directives:
            problems.append((f"{prefix}_DIRECTIVE_IN_FIELDS_ARG",
                             head + f'cannot have directive applications in the @{directive}(fields:) argument'))
        # FEDERATION_NOTE: a Federation 2 @requires may select fields with arguments
        # (``price(currency: "EUR")``); keys and @provides may not.
        if (sel.field.args or sel.node.arguments) and not (fed2 and directive == "requires"):
            problems.append((f"{prefix}_FIELDS_HAS_ARGS",
                             head + f"field {sel.parent}.{sel.name} cannot be included because it has "
                             f"arguments (fields with argument are not allowed in @{directive})"))
        target = subgraph.types.get(sel.field.type.named)
        kind = target.effective_kind if target else "scalar"
        if directive == "key" and kind in ("interface", "union"):
            label = {"interface": "Interface", "union": "Union"}[kind]
            problems.append(("KEY_FIELDS_SELECT_INVALID_TYPE",
                             head + f'field "{sel.parent}.{sel.name}" is a {label} type which is not allowed '
                             "in @key"))
        if kind in ("object", "interface", "union") and sel.node.selection_set is None:
            problems.append((f"{prefix}_INVALID_FIELDS",
                             head + f'Field "{sel.parent}.{sel.name}" of type "{sel.field.type}" must have a '
                             "selection of subfields."))
        if kind not in ("object", "interface", "union") and sel.node.selection_set is not None:
            problems.append((f"{prefix}_INVALID_FIELDS",
                             head + f'Field "{sel.parent}.{sel.name}" must not have a selection since type '
                             f'"{sel.field.type}" has no subfields.'))
        # FEDERATION_NOTE: `@external` is needed on the leaves of a `@requires`/`@provides`, unless a field
        # on the path to them is external already; the path fields themselves may be local.
        leaf = sel.node.selection_set is None
        if fed2 and directive in ("requires", "provides") and leaf and not sel.field.external \
                and not sel.under_external:
            reason = ('"effectively" provided by this subgraph (while it is marked @external, it is a @key field '
                      "of an extension type, which are not internally considered external for "
                      "historical/backward compatibility reasons)") if sel.field.fake_external else \
                "provided by this subgraph (it is not marked @external)"
            problems.append((f"{prefix}_FIELDS_MISSING_EXTERNAL",
                             head + f'field "{sel.parent}.{sel.name}" should not be part of a @{directive} '
                             f"since it is already {reason}"))
    return problems
