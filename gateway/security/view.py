"""The supergraph as the security layer sees it: the API schema with its security directives kept.

The client-facing API schema (`gateway.supergraph.api_schema`) strips every linked feature's
directives. This view is built from the same supergraph document by the same filter, except that
``@authenticated``, ``@requiresScopes``, ``@policy`` and the hub's ``@sensitive(level:, mask:)``
are kept, renamed to those canonical names whatever local name the supergraph gave them (``@link``
``as:`` or an ``import`` rename). Its types and fields are exactly the API schema's.

Built once per loaded supergraph (the security extensions rebuild it when the runtime changes).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final

from graphql import (
    DirectiveDefinitionNode,
    DirectiveNode,
    DocumentNode,
    EnumValueNode,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLSchema,
    NameNode,
    StringValueNode,
    is_abstract_type,
    parse,
)

from gateway.security.directives import AuthorizationRules
from gateway.supergraph.api_schema import build_api_schema
from gateway.supergraph.features import Features, read_features

__all__ = ["SECURITY_DIRECTIVES", "SecurityView", "SensitiveMark"]

#: spec identity name -> canonical directive name kept in the view
SECURITY_DIRECTIVES: Final = {
    "authenticated": "authenticated",
    "requiresScopes": "requiresScopes",
    "policy": "policy",
    "sensitive": "sensitive",
}
_FALLBACK_DEFINITIONS: Final = {
    "authenticated": "directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "requiresScopes": "directive @requiresScopes(scopes: [[String!]!]!) "
                      "on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "policy": "directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM",
    "sensitive": "directive @sensitive(level: String!, mask: String!) on FIELD_DEFINITION",
}
PROTECTED_LEVELS: Final = frozenset({"S2", "S3"})


@dataclass(frozen=True, slots=True)
class SensitiveMark:
    """``@sensitive(level:, mask:)`` on one field: S0/S1 are never masked, S2/S3 are."""

    level: str
    mask: str

    @property
    def protected(self) -> bool:
        return self.level in PROTECTED_LEVELS


def _local_names(features: Features) -> dict[str, str]:
    """Local directive name -> canonical name, for the security features the supergraph links."""
    renames: dict[str, str] = {}
    for name, canonical in SECURITY_DIRECTIVES.items():
        feature = features.by_name.get(name)
        if feature is None:
            continue
        renames[feature.prefix] = canonical  # the spec's root directive is called by the prefix
        for spec_element, local in feature.imports:
            if spec_element == f"@{name}" and local.startswith("@"):
                renames[local[1:]] = canonical
    return renames


def _rename(node: Any, renames: Mapping[str, str]) -> Any:
    """A copy of an AST node with directive applications and definitions renamed (recursive)."""
    if isinstance(node, tuple | list):
        return tuple(_rename(item, renames) for item in node)
    if not hasattr(node, "keys"):
        return node
    changes: dict[str, Any] = {}
    for key in node.keys:
        value = getattr(node, key)
        if key == "loc":
            changes[key] = value
            continue
        changes[key] = _rename(value, renames)
    if isinstance(node, DirectiveNode | DirectiveDefinitionNode) and node.name.value in renames:
        changes["name"] = NameNode(value=renames[node.name.value])
    return type(node)(**changes)


def _string_arg(directive: DirectiveNode, name: str) -> str | None:
    for argument in directive.arguments or ():
        if argument.name.value == name and isinstance(argument.value, StringValueNode | EnumValueNode):
            return argument.value.value
    return None


class SecurityView:
    """The view schema, its authorization rules and its ``@sensitive`` fields."""

    def __init__(self, schema: GraphQLSchema) -> None:
        self.schema = schema
        self.rules = AuthorizationRules(schema)
        self.sensitive: dict[tuple[str, str], SensitiveMark] = {}
        for type_name, named in schema.type_map.items():
            if type_name.startswith("__") or not isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
                continue
            for field_name, definition in named.fields.items():
                for directive in getattr(definition.ast_node, "directives", None) or ():
                    if directive.name.value != "sensitive":
                        continue
                    level, mask = _string_arg(directive, "level"), _string_arg(directive, "mask")
                    if level is not None and mask is not None:
                        self.sensitive[(type_name, field_name)] = SensitiveMark(level, mask)

    @classmethod
    def from_supergraph_sdl(cls, sdl: str) -> SecurityView:
        """Build the view from supergraph SDL (raises `InvalidSupergraph` like the API schema does)."""
        document = parse(sdl)
        features = read_features(document)
        renames = _local_names(features)
        kept = Features({n: f for n, f in features.by_name.items() if n not in SECURITY_DIRECTIVES})
        renamed: DocumentNode = _rename(document, renames)
        defined = {d.name.value for d in renamed.definitions if isinstance(d, DirectiveDefinitionNode)}
        extra = [parse(text).definitions[0] for name, text in _FALLBACK_DEFINITIONS.items() if name not in defined]
        full = DocumentNode(definitions=(*renamed.definitions, *extra))
        return cls(build_api_schema(full, kept))

    @property
    def has_rules(self) -> bool:
        return not self.rules.empty

    def mark_for(self, parent: GraphQLNamedType, field_name: str, typename: str | None) -> SensitiveMark | None:
        """The strictest mark that can apply to `field_name` selected on `parent`.

        On an abstract parent every implementation that can answer counts (only `typename`'s when
        the object's concrete type is known), so an interface cannot be used to read a marked
        implementation field unmasked.
        """
        candidates: list[str] = [parent.name]
        if isinstance(parent, GraphQLObjectType):
            candidates += [i.name for i in parent.interfaces]
        if is_abstract_type(parent):
            possible = [t.name for t in self.schema.get_possible_types(parent)]
            candidates += [typename] if typename in possible else possible
        marks = [m for m in (self.sensitive.get((c, field_name)) for c in candidates) if m is not None]
        if not marks:
            return None
        return max(marks, key=lambda m: (m.protected, m.level))
