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


def walk(subgraph: Subgraph, type_name: str, selection: SelectionSetNode, depth: int = 0) -> Iterator[Selected]:
    """Every field selected, depth first; `field` is None when the subgraph's type has no such field."""
    parent = subgraph.types.get(type_name)
    for node in selection.selections:
        if isinstance(node, InlineFragmentNode):
            target = node.type_condition.name.value if node.type_condition else type_name
            yield from walk(subgraph, target, node.selection_set, depth)
            continue
        if not isinstance(node, FieldNode):
            continue
        name = node.name.value
        if name == "__typename":
            continue
        found = parent.fields.get(name) if parent else None
        yield Selected(type_name, name, found, node, depth)
        if found is not None and node.selection_set is not None:
            yield from walk(subgraph, found.type.named, node.selection_set, depth + 1)


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
        if fed2 and directive in ("requires", "provides") and sel.depth == 0 and not sel.field.external:
            verb = "provided" if directive == "provides" else "required"
            problems.append((f"{prefix}_FIELDS_MISSING_EXTERNAL",
                             head + f'field "{sel.parent}.{sel.name}" should not be part of a @{directive} '
                             f"since it is already {verb} by this subgraph (it is not marked @external)"))
    return problems
