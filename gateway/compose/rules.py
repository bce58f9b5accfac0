"""Composition rules: field sets, `@external`, `@override`, `@shareable`, interfaces and `@inaccessible`.

Subgraph rules run on each subgraph model before merging; supergraph rules on the merged model. Each
error names the subgraph, type and field and carries the code the Federation documentation uses.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from gateway.compose.contexts import check_contexts, context_fields
from gateway.compose.errors import Collector
from gateway.compose.fieldsets import check_fieldset, key_reached_fields
from gateway.compose.model import Subgraph, SubType
from gateway.compose.naming import subgraphs_phrase
from gateway.compose.supermodel import SType, Supergraph

if TYPE_CHECKING:
    from gateway.compose.merge import Merger

_COMPOSITE = ("object", "interface", "union")


def check_subgraphs(subgraphs: list[Subgraph], errors: Collector) -> None:
    """Rules that need one subgraph at a time (plus, for extensions, the list of all of them)."""
    defined_somewhere = {t.name for s in subgraphs for t in s.types.values() if not t.only_extensions}
    for sub in subgraphs:
        check_contexts(sub, errors)
        for t in sub.types.values():
            # FEDERATION_NOTE: like the reference composer, an `extend type` (Federation 1 or 2) needs a
            # definition in some subgraph; a type written with `@extends` is one.
            if t.only_extensions and t.name not in defined_somewhere:
                errors.add("EXTENSION_WITH_NO_BASE",
                           f'[{sub.name}] Type "{t.name}" is an extension type, but there is no type definition '
                           f'for "{t.name}" in any subgraph.', subgraph=sub.name, type=t.name)
            for key in t.keys:
                for code, message in check_fieldset(sub, t.name, key.fields, directive="key",
                                                    where=f'type "{t.name}"', fed2=sub.fed2):
                    errors.add(code, message, subgraph=sub.name, type=t.name)
            for f in t.fields.values():
                where = f'field "{t.name}.{f.name}"'
                if f.requires:
                    for code, message in check_fieldset(sub, t.name, f.requires, directive="requires",
                                                        where=where, fed2=sub.fed2):
                        errors.add(code, message, subgraph=sub.name, type=t.name, field=f.name)
                if f.provides:
                    target = sub.types.get(f.type.named)
                    if target is None or target.effective_kind not in _COMPOSITE:
                        errors.add("PROVIDES_ON_NON_OBJECT_FIELD",
                                   f'[{sub.name}] Invalid @provides directive on field "{t.name}.{f.name}": field '
                                   f'has type "{f.type}" which is not a Composite Type',
                                   subgraph=sub.name, type=t.name, field=f.name)
                    else:
                        for code, message in check_fieldset(sub, target.name, f.provides, directive="provides",
                                                            where=where, fed2=sub.fed2):
                            errors.add(code, message, subgraph=sub.name, type=t.name, field=f.name)
                if f.override is not None:
                    _check_override(sub, t.name, f.name, f.override, f.external or bool(f.requires), errors)
                if f.override_label is not None and not valid_override_label(f.override_label):
                    errors.add("OVERRIDE_LABEL_INVALID",
                               f'[{sub.name}] Invalid @override label "{f.override_label}" on field '
                               f'"{t.name}.{f.name}" on subgraph "{sub.name}": labels must start with a letter '
                               "and after that may contain alphanumerics, underscores, minuses, colons, periods, "
                               'or slashes. Alternatively, labels may be of the form "percent(x)" where x is a '
                               "float between 0-100 inclusive.", subgraph=sub.name, type=t.name, field=f.name)
        if sub.fed2:
            _check_unused_externals(sub, errors)


_LABEL = re.compile(r"[a-zA-Z][a-zA-Z0-9_\-:./]*")
_PERCENT_LABEL = re.compile(r"percent\((?:\d{1,2}(?:\.\d{1,8})?|100(?:\.0{1,8})?)\)")


def valid_override_label(label: str) -> bool:
    """A progressive @override label: a name, or `percent(x)` with x from 0 to 100 (at most two integer digits
    and 8 decimals, or 100 with zero decimals), as the reference composer accepts them."""
    if label.startswith("percent("):
        return _PERCENT_LABEL.fullmatch(label) is not None
    return _LABEL.fullmatch(label) is not None


def _check_override(sub: Subgraph, type_name: str, field: str, source: str, collides: bool,
                    errors: Collector) -> None:
    if source == sub.name:
        errors.add("OVERRIDE_FROM_SELF_ERROR",
                   f'Source and destination subgraphs "{sub.name}" are the same for overridden field '
                   f'"{type_name}.{field}"', subgraph=sub.name, type=type_name, field=field)
    if collides:
        errors.add("OVERRIDE_COLLISION_WITH_ANOTHER_DIRECTIVE",
                   f'@override cannot be used on field "{type_name}.{field}" on subgraph "{sub.name}" since '
                   f'"{type_name}.{field}" on "{sub.name}" is marked with directive "@external"',
                   subgraph=sub.name, type=type_name, field=field)


def _check_unused_externals(sub: Subgraph, errors: Collector) -> None:
    from gateway.compose.merge import referenced_fields

    used = referenced_fields(sub) | context_fields(sub)
    implemented: set[tuple[str, str]] = set()
    for t in sub.types.values():
        for i in t.interfaces:
            iface = sub.types.get(i)
            if iface is not None:
                implemented.update((t.name, f) for f in iface.fields)
    for t in sub.types.values():
        for f in t.fields.values():
            if f.external and (t.name, f.name) not in used and (t.name, f.name) not in implemented:
                errors.add("EXTERNAL_UNUSED",
                           f'[{sub.name}] Field "{t.name}.{f.name}" is marked @external but is not used in any '
                           "federation directive (@key, @provides, @requires) or to satisfy an interface; the "
                           "field declaration has no use and should be removed (or the field should not be "
                           "@external).", subgraph=sub.name, type=t.name, field=f.name)


def check_merged(merger: Merger, supergraph: Supergraph, errors: Collector) -> None:
    """Rules that need every subgraph's view of a type or field."""
    if "query" not in supergraph.roots or not supergraph.types[supergraph.roots["query"]].fields:
        errors.add("NO_QUERIES", "No queries found in any subgraph: a supergraph must have a query root type.")
    _check_sharing_and_external(merger, errors)
    _check_interface_fields(merger, supergraph, errors)
    _check_inaccessible(supergraph, errors)


def _check_sharing_and_external(merger: Merger, errors: Collector) -> None:
    key_fields = {s.name: key_reached_fields(s) for s in merger.subgraphs if s.fed2}
    for type_name, entries in merger.entries.items():
        kinds = {t.effective_kind for _, t in entries}
        if kinds != {"object"}:
            continue
        names: list[str] = []
        for _, t in entries:
            names.extend(f for f in t.fields if f not in names)
        for fname in names:
            sources = [(s, t) for s, t in entries if fname in t.fields]
            if all(t.fields[fname].external for _, t in sources):
                where = [s.name for s, _ in sources]
                errors.add("EXTERNAL_MISSING_ON_BASE",
                           f'Field "{type_name}.{fname}" is marked @external on all the subgraphs in which it is '
                           f"listed ({subgraphs_phrase(where)}).", subgraph=where[0], type=type_name, field=fname)
                continue
            overridden = {t.fields[fname].override for s, t in sources if t.fields[fname].override}
            resolving = [(s, t) for s, t in sources if not t.fields[fname].external and s.name not in overridden]
            if len(resolving) < 2:
                continue
            unshared = [s.name for s, t in resolving if not _is_shareable(s, t, fname, key_fields)]
            if not unshared:
                continue
            where = [s.name for s, _ in resolving]
            tail = "in all of them" if len(unshared) == len(resolving) else "in " + subgraphs_phrase(unshared)
            errors.add("INVALID_FIELD_SHARING",
                       f'Non-shareable field "{type_name}.{fname}" is resolved from multiple subgraphs: it is '
                       f"resolved from {subgraphs_phrase(where)} and defined as non-shareable {tail}",
                       subgraph=unshared[0], type=type_name, field=fname)


def _is_shareable(sub: Subgraph, t: SubType, fname: str, key_fields: dict[str, set[tuple[str, str]]]) -> bool:
    """FEDERATION_NOTE: like the reference composer, every field any `@key` of the subgraph reaches is
    shareable (nested fields of composite keys, `resolvable: false` keys), not only a type's own key fields."""
    if not sub.fed2 or t.fields[fname].shareable:
        return True
    return (t.name, fname) in key_fields.get(sub.name, set())


def _check_interface_fields(merger: Merger, supergraph: Supergraph, errors: Collector) -> None:
    for t in supergraph.types.values():
        if t.kind not in ("object", "interface"):
            continue
        for iface_name in t.interfaces:
            iface = supergraph.types.get(iface_name)
            if iface is None:
                continue
            for fname in iface.fields:
                if fname in t.fields:
                    continue
                declared = next((s.name for s, st in merger.entries[iface_name] if fname in st.fields), "?")
                implementing = next((g for g, i in t.implements if i == iface_name), "?")
                errors.add("INTERFACE_FIELD_NO_IMPLEM",
                           f'Interface field "{iface_name}.{fname}" is declared in subgraph "{declared}" but type '
                           f'"{t.name}", which implements "{iface_name}" in subgraph "{implementing}" does not '
                           f'have field "{fname}".', subgraph=implementing, type=t.name, field=fname)


def _check_inaccessible(supergraph: Supergraph, errors: Collector) -> None:
    types = supergraph.types

    def hidden(name: str) -> bool:
        found = types.get(name)
        return found is not None and found.meta.inaccessible

    for t in types.values():
        if t.meta.inaccessible:
            continue
        _check_children(t, errors)
        for f in t.fields.values():
            if f.meta.inaccessible:
                if t.kind == "input" and f.type.non_null and f.default is None:
                    errors.add("REQUIRED_INACCESSIBLE",
                               f'Input field "{t.name}.{f.name}" is @inaccessible but is a required input field of '
                               "its type.", type=t.name, field=f.name)
                continue
            if hidden(f.type.named):
                errors.add("REFERENCED_INACCESSIBLE",
                           f'Type "{f.type.named}" is @inaccessible but is referenced by "{t.name}.{f.name}", which '
                           "is in the API schema.", type=t.name, field=f.name)
            for a in f.args.values():
                if a.meta.inaccessible:
                    if a.type.non_null and a.default is None:
                        errors.add("REQUIRED_INACCESSIBLE",
                                   f'Argument "{t.name}.{f.name}({a.name}:)" is @inaccessible but is a required '
                                   "argument of its field.", type=t.name, field=f.name)
                elif hidden(a.type.named):
                    errors.add("REFERENCED_INACCESSIBLE",
                               f'Type "{a.type.named}" is @inaccessible but is referenced by '
                               f'"{t.name}.{f.name}({a.name}:)", which is in the API schema.',
                               type=t.name, field=f.name)


def _check_children(t: SType, errors: Collector) -> None:
    children: list[bool] = []
    if t.kind in ("object", "interface", "input"):
        children = [f.meta.inaccessible for f in t.fields.values()]
    elif t.kind == "enum":
        children = [v.meta.inaccessible for v in t.values.values()]
    if children and all(children):
        what = {"object": "Type", "interface": "Type", "input": "Type", "enum": "Type"}[t.kind]
        errors.add("ONLY_INACCESSIBLE_CHILDREN",
                   f'{what} "{t.name}" is in the API schema but all of its '
                   f'{"values" if t.kind == "enum" else "fields"} are @inaccessible.', type=t.name)
