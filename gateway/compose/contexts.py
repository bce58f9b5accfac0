"""`@context` / `@fromContext` (Federation 2.8) in composition: the subgraph rules and the join facts.

A type marked `@context(name: "unit")` sets the context for everything below it; an argument marked
`@fromContext(field: "$unit { currency }")` takes its value from the nearest ancestor that sets `unit`. In
the supergraph the context is `<subgraph>__unit` on the type, the argument leaves the field (clients never
give it) and the field's `@join__field` carries `contextArguments: [{context, name, type, selection}]`.
"""

from __future__ import annotations

import re

from graphql import (
    FieldNode,
    InlineFragmentNode,
    SelectionSetNode,
)

from gateway.compose.errors import Collector
from gateway.compose.fieldsets import FieldSetSyntax, parse_fieldset
from gateway.compose.model import SubArg, SubField, Subgraph, SubType
from gateway.compose.typeref import TypeRef

_REFERENCE = re.compile(r"^[\s,]*\$[\s,]*([_A-Za-z][_0-9A-Za-z]*)")
_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


def parse_reference(text: str) -> tuple[str | None, str | None]:
    """`"$unit { currency }"` -> `("unit", " { currency }")`; `(None, None)` when it names no context."""
    match = _REFERENCE.match(text)
    if match is None:
        return None, None
    return match.group(1), text[match.end():]


def contextual(f: SubField) -> bool:
    return any(a.from_context is not None for a in f.args.values())


def context_arguments(graph: str, f: SubField) -> list[tuple[str, str, str, str]]:
    """The `contextArguments` of `f`'s join in `graph`: (argument, its type, context, selection)."""
    out: list[tuple[str, str, str, str]] = []
    for a in f.args.values():
        if a.from_context is None:
            continue
        context, selection = parse_reference(a.from_context)
        if context is not None and selection is not None:
            out.append((a.name, str(a.type), f"{graph}__{context}", selection))
    return out


def check_contexts(sub: Subgraph, errors: Collector) -> None:
    """The subgraph rules of `@context` and `@fromContext` (the error codes of the federation spec)."""
    owners: dict[str, list[str]] = {}
    for t in sub.types.values():
        for name in t.contexts:
            if not _NAME.match(name):
                errors.add("CONTEXT_NAME_INVALID", f'[{sub.name}] Context name "{name}" is invalid. It should have '
                           "only alphanumeric characters.", subgraph=sub.name, type=t.name)
            owners.setdefault(name, []).append(t.name)
    for t in sub.types.values():
        for f in t.fields.values():
            for a in f.args.values():
                if a.from_context is not None:
                    _check_argument(sub, t, f, a, owners, errors)


def _check_argument(sub: Subgraph, t: SubType, f: SubField, a: SubArg, owners: dict[str, list[str]],
                    errors: Collector) -> None:
    where = f"{t.name}.{f.name}({a.name}:)"

    def fail(code: str, message: str) -> None:
        errors.add(code, f"[{sub.name}] {message}", subgraph=sub.name, type=t.name, field=f.name)

    if t.effective_kind != "object":
        fail("CONTEXT_NOT_SET", f'@fromContext argument cannot be used on a field that exists on an abstract type '
                                f'"{where}".')
        return
    for iface in t.interfaces:
        other = sub.types.get(iface)
        if other is not None and f.name in other.fields:
            fail("CONTEXT_NOT_SET", f'@fromContext argument cannot be used on a field implementing an interface '
                                    f'field "{iface}.{f.name}".')
    if a.default is not None:
        fail("CONTEXT_NOT_SET", f'@fromContext arguments may not have a default value: "{where}".')
    assert a.from_context is not None
    context, selection = parse_reference(a.from_context)
    if context is None or selection is None:
        fail("NO_CONTEXT_IN_SELECTION", f'@fromContext argument does not reference a context "{a.from_context}".')
        return
    if context not in owners:
        fail("CONTEXT_NOT_SET", f'Context "{context}" is used at location "{where}" but is never set.')
        return
    problem = _selection_problem(sub, owners[context], selection, a.type)
    if problem is not None:
        fail("CONTEXT_INVALID_SELECTION", f'Context "{context}" is used in "{where}" but the selection is invalid: '
                                          f"{problem}")
    if not any(k.resolvable for k in t.keys):
        fail("CONTEXT_NO_RESOLVABLE_KEY", f'Object "{t.name}" has no resolvable key but has a field with a contextual '
                                          "argument.")


def _parse_selection(text: str) -> SelectionSetNode:
    """A context's selection, written with or without its braces (parsed and cached as any field set)."""
    body = text.strip()
    return parse_fieldset(body[1:-1] if body.startswith("{") and body.endswith("}") else body)


def context_fields(sub: Subgraph) -> set[tuple[str, str]]:
    """(type, field) of every field a context selection of `sub` reads (so an @external one is used)."""
    owners: dict[str, list[str]] = {}
    for t in sub.types.values():
        for name in t.contexts:
            owners.setdefault(name, []).append(t.name)
    used: set[tuple[str, str]] = set()

    def mark(type_names: set[str], selection: SelectionSetNode) -> None:
        for node in selection.selections:
            if isinstance(node, InlineFragmentNode):
                tc = node.type_condition.name.value if node.type_condition else None
                mark({tc} if tc else type_names, node.selection_set)
            elif isinstance(node, FieldNode):
                below: set[str] = set()
                for name in type_names:
                    t = sub.types.get(name)
                    f = t.fields.get(node.name.value) if t is not None else None
                    if f is not None:
                        used.add((name, f.name))
                        below.add(f.type.named)
                if node.selection_set is not None:
                    mark(below, node.selection_set)

    for t in sub.types.values():
        for f in t.fields.values():
            for a in f.args.values():
                context, text = parse_reference(a.from_context or "")
                if context is None or text is None or context not in owners:
                    continue
                try:
                    selection = _parse_selection(text)
                except FieldSetSyntax:
                    continue
                kinds = set(owners[context]) | {r for o in owners[context] for r in _runtime(sub, o)}
                mark(kinds, selection)
    return used


def _selection_problem(sub: Subgraph, owners: list[str], text: str, wanted: TypeRef) -> str | None:
    """Why the context selection cannot give the argument its value from every owner (None: it can)."""
    try:
        selection = _parse_selection(text)
    except FieldSetSyntax as exc:
        return str(exc)
    fragments = [s for s in selection.selections if isinstance(s, InlineFragmentNode)]
    if not selection.selections:
        return "no selection is made"
    if fragments and len(fragments) != len(selection.selections):
        return "multiple fields could be selected"
    if not fragments and len(selection.selections) > 1:
        return "multiple selections are made"
    used: set[str] = set()
    for owner in owners:
        runtime = _runtime(sub, owner)
        if not fragments:
            problem = _leaf_problem(sub, owner, selection, wanted)
            if problem is not None:
                return problem
            continue
        applicable = False
        for frag in fragments:
            if frag.type_condition is None:
                return "inline fragments must have type conditions"
            tc = frag.type_condition.name.value
            if tc not in runtime:
                continue
            applicable = True
            used.add(tc)
            problem = _leaf_problem(sub, tc, frag.selection_set, wanted)
            if problem is not None:
                return problem
        if not applicable:
            return f'no type condition matches the location "{owner}"'
    unused = [f.type_condition.name.value for f in fragments if f.type_condition and f.type_condition.name.value
              not in used]
    if unused:
        return f'type condition "{unused[0]}" is never used.'
    return None


def _runtime(sub: Subgraph, name: str) -> set[str]:
    t = sub.types.get(name)
    if t is None:
        return set()
    if t.effective_kind == "object":
        return {name}
    if t.kind == "union":
        return set(t.members)
    return {n for n, o in sub.types.items() if o.kind == "object" and name in o.interfaces}


def _leaf_problem(sub: Subgraph, type_name: str, selection: SelectionSetNode, wanted: TypeRef) -> str | None:
    """The selection must pick one field path down to a value of the argument's type."""
    lists = 0
    current = type_name
    node: SelectionSetNode | None = selection
    leaf: TypeRef | None = None
    while node is not None:
        fields = [s for s in node.selections if isinstance(s, FieldNode)]
        if len(fields) != 1 or len(node.selections) != 1:
            return "multiple selections are made"
        name = fields[0].name.value
        t = sub.types.get(current)
        found = t.fields.get(name) if t is not None else None
        if found is None:
            return f'Cannot query field "{name}" on type "{current}".'
        ref = found.type
        while ref.kind != "named":
            lists += ref.kind == "list"
            assert ref.of is not None
            ref = ref.of
        current, leaf, node = ref.name, found.type, fields[0].selection_set
    assert leaf is not None
    depth, ref = 0, wanted
    while ref.kind != "named":
        depth += ref.kind == "list"
        assert ref.of is not None
        ref = ref.of
    if ref.name != current or depth != lists:
        return f'the type of the selection does not match the expected type "{wanted}"'
    return None
