"""Each subgraph's access rules, as one table per department, applied to its schema's types and fields.

The department whose law governs a piece of data owns its rule (DOMAIN.md §10): a subgraph states
them in one mapping from a GraphQL coordinate (``Type`` or ``Type.field``) to the Federation
authorization directives that guard it -- ``@authenticated``, ``@requiresScopes``, ``@policy`` --
and `govern(schema_kwargs, rules)` attaches them to the Strawberry definitions before the schema is
built. They travel in the subgraph's SDL, are composed into the supergraph, and the gateway enforces
them before any fetch; the subgraph's own resolvers add the checks that need the row (scope).

A rule on a type guards every field of the type and every field that returns it. ``public`` is the
rule for data the law makes public (S0: names and codes of organisations, officers' certificates,
published catalogues): any signed-in caller, the PUBLIC role included. The access-model table
(`schema/access-model.md`, `hub access-model`) is generated from the composed supergraph, and a
test fails when any field of the graph has no rule.

``Type.*`` is the rule of every field of ``Type`` that has no rule of its own (used for the root
types, whose fields are guarded one by one). A coordinate that names no type or field of the schema is an error, so a renamed field cannot
silently lose its rule.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Final

import strawberry
from strawberry.federation.schema_directives import Authenticated, Policy, RequiresScopes
from strawberry.types.base import StrawberryObjectDefinition

__all__ = ["AccessRules", "govern", "policy", "public", "scopes"]

AccessRules = Mapping[str, Sequence[object]]
_MARK: Final = "__hub_access_rules__"


def public() -> list[object]:
    """Any signed-in caller (PUBLIC included): data the law makes public."""
    return [Authenticated()]


def scopes(*alternatives: str) -> list[object]:
    """``@requiresScopes``: each argument is one alternative, its space-separated scopes all required."""
    return [RequiresScopes(scopes=[alt.split() for alt in alternatives])]


def policy(*alternatives: str) -> list[object]:
    """``@policy``: each argument is one alternative, its space-separated policies all required."""
    return [Policy(policies=[alt.split() for alt in alternatives])]


def _definitions(types: Iterable[Any]) -> dict[str, StrawberryObjectDefinition]:
    """GraphQL name -> object definition, for the given classes and every object type they reach."""
    found: dict[str, StrawberryObjectDefinition] = {}
    pending = [t for t in types if t is not None]
    while pending:
        current = pending.pop()
        definition = getattr(current, "__strawberry_definition__", None)
        if not isinstance(definition, StrawberryObjectDefinition) or definition.name in found:
            continue
        if definition.is_graphql_generic:
            continue  # a generic (Page[T]) carries its own rule; its specialisations copy it
        found[definition.name] = definition
        for field in definition.fields:
            pending.extend(_reachable(field.type))
    return found


def _reachable(annotation: Any, depth: int = 0) -> list[Any]:
    if depth > 8:
        return []
    out: list[Any] = []
    inner = getattr(annotation, "of_type", None)
    if inner is not None:
        out += _reachable(inner, depth + 1)
    resolve = getattr(annotation, "resolve_type", None)
    if callable(resolve) and type(annotation).__name__ == "LazyType":
        out += _reachable(resolve(), depth + 1)
    types = getattr(annotation, "types", None)  # unions
    if isinstance(types, tuple | list):
        for member in types:
            out += _reachable(member, depth + 1)
    if hasattr(annotation, "__strawberry_definition__"):
        out.append(annotation)
    return out


def _add(target: Any, directives: Sequence[object]) -> None:
    existing = list(getattr(target, "directives", None) or [])
    for directive in directives:
        if directive not in existing:
            existing.append(directive)
    target.directives = existing


def govern(roots: Iterable[Any], rules: AccessRules) -> None:
    """Attach `rules` to the definitions reachable from `roots` (Query, Mutation, extra types).

    Idempotent: building the schema again (tests do) adds nothing twice.
    """
    definitions = _definitions(roots)
    converter = strawberry.schema.config.StrawberryConfig().name_converter
    explicit = {c: d for c, d in rules.items() if not c.endswith(".*")}
    defaults = {c[:-2]: d for c, d in rules.items() if c.endswith(".*")}
    for coordinate, directives in explicit.items():
        type_name, _, field_name = coordinate.partition(".")
        definition = definitions.get(type_name)
        if definition is None:
            raise ValueError(f"access rule for {coordinate}: no type {type_name} in this schema")
        if not field_name:
            _add(definition, directives)
            continue
        field = next((f for f in definition.fields if converter.get_graphql_name(f) == field_name), None)
        if field is None:
            raise ValueError(f"access rule for {coordinate}: {type_name} has no field {field_name}")
        _add(field, directives)
        setattr(field, _MARK, True)
    for type_name, directives in defaults.items():
        definition = definitions.get(type_name)
        if definition is None:
            raise ValueError(f"access rule for {type_name}.*: no type {type_name} in this schema")
        for field in definition.fields:
            if not getattr(field, _MARK, False) and not converter.get_graphql_name(field).startswith("_"):
                _add(field, directives)
