"""Merge what elements carry besides their shape: descriptions, `@tag`, `@inaccessible`, authorization
directives, `@deprecated` and `@composeDirective`-d custom directives.

FEDERATION_NOTE: `@authenticated` applies when any subgraph asks for it; `@requiresScopes` and `@policy`
from several subgraphs are combined with AND (each a disjunction of conjunctions, so the product of
the alternatives); tags are the union of names; the first description (in subgraph order) wins.
"""

from __future__ import annotations

from collections.abc import Iterable

from graphql import DirectiveNode, print_ast

from gateway.compose.model import Meta, Scopes


def and_scopes(a: Scopes | None, b: Scopes | None) -> Scopes | None:
    if a is None:
        return b
    if b is None:
        return a
    result: list[tuple[str, ...]] = []
    for left in a:
        for right in b:
            conjunction = tuple(dict.fromkeys((*left, *right)))
            if conjunction not in result:
                result.append(conjunction)
    return tuple(result)


def merge_meta(metas: Iterable[Meta], *, repeatable: frozenset[str] = frozenset()) -> Meta:
    merged = Meta()
    seen_directives: set[str] = set()
    names_used: set[str] = set()
    for meta in metas:
        if merged.description is None and meta.description:
            merged.description = meta.description
        merged.inaccessible = merged.inaccessible or meta.inaccessible
        for tag in meta.tags:
            if tag not in merged.tags:
                merged.tags.append(tag)
        merged.authenticated = merged.authenticated or meta.authenticated
        merged.scopes = and_scopes(merged.scopes, meta.scopes)
        merged.policies = and_scopes(merged.policies, meta.policies)
        if merged.deprecated is None and meta.deprecated is not None:
            merged.deprecated = meta.deprecated
        for directive in meta.composed:
            printed = print_ast(directive)
            name = directive.name.value
            if printed in seen_directives or (name in names_used and name not in repeatable):
                continue
            seen_directives.add(printed)
            names_used.add(name)
            merged.composed.append(directive)
    return merged


def directive_names(directives: Iterable[DirectiveNode]) -> list[str]:
    return [d.name.value for d in directives]
