"""Which names a subgraph uses for the federation directives: its `@link` imports, renames and prefix.

Federation 2 subgraphs `@link` the federation spec and import directives (`"@key"` or
`{name: "@key", as: "@primaryKey"}`); the rest stay reachable as `@federation__key` (or under the
link's `as:` prefix). Federation 1 subgraphs have no link and use the plain names. Other links may
bring custom directives that `@composeDirective` carries into the supergraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    DirectiveNode,
    DocumentNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    value_from_ast_untyped,
)

FEDERATION_URL = "https://specs.apollo.dev/federation/"
_VERSION = re.compile(r"/v(\d+)\.(\d+)/?$")

# canonical directive -> (minimum federation 2 minor version, definition with {p} for the local name)
FEDERATION_DIRECTIVES: dict[str, tuple[int, str]] = {
    "key": (0, "directive @{p}(fields: federation__FieldSet!, resolvable: Boolean = true) repeatable on OBJECT | INTERFACE"),
    "requires": (0, "directive @{p}(fields: federation__FieldSet!) on FIELD_DEFINITION"),
    "provides": (0, "directive @{p}(fields: federation__FieldSet!) on FIELD_DEFINITION"),
    "external": (0, "directive @{p}(reason: String) on OBJECT | FIELD_DEFINITION"),
    "extends": (0, "directive @{p} on OBJECT | INTERFACE"),
    "shareable": (0, "directive @{p} repeatable on OBJECT | FIELD_DEFINITION"),
    "override": (0, "directive @{p}(from: String!, label: String) on FIELD_DEFINITION"),
    "inaccessible": (0, "directive @{p} on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION"
                        " | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION"),
    "tag": (0, "directive @{p}(name: String!) repeatable on FIELD_DEFINITION | OBJECT | INTERFACE | UNION"
               " | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION | SCHEMA"),
    "composeDirective": (1, "directive @{p}(name: String!) repeatable on SCHEMA"),
    "interfaceObject": (3, "directive @{p} on OBJECT"),
    "authenticated": (5, "directive @{p} on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"),
    "requiresScopes": (5, "directive @{p}(scopes: [[federation__Scope!]!]!)"
                          " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"),
    "policy": (6, "directive @{p}(policies: [[federation__Policy!]!]!)"
                  " on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM"),
    "context": (8, "directive @{p}(name: String!) repeatable on INTERFACE | OBJECT | UNION"),
    "fromContext": (8, "directive @{p}(field: federation__ContextFieldValue) on ARGUMENT_DEFINITION"),
}
FEDERATION_1_DIRECTIVES = ("key", "requires", "provides", "external", "extends", "tag", "inaccessible")
FEDERATION_TYPES = ("FieldSet", "Scope", "Policy", "ContextFieldValue")
SUPPORT_SCALARS = ("federation__FieldSet", "federation__Scope", "federation__Policy",
                   "federation__ContextFieldValue", "link__Import",
                   "_FieldSet", "FieldSet", "_Any")


@dataclass
class LinkInfo:
    """What the schema-level `@link`s of one subgraph say."""

    fed2: bool = False
    minor: int = 0
    directives: dict[str, str] = field(default_factory=dict)  # local name -> canonical federation name
    custom: dict[str, tuple[str, str]] = field(default_factory=dict)  # local directive -> (url, imported name)
    compose: list[str] = field(default_factory=list)  # names given to @composeDirective (without "@")
    problems: list[str] = field(default_factory=list)

    def canonical(self, local: str) -> str | None:
        return self.directives.get(local)


def _schema_directives(document: DocumentNode) -> list[DirectiveNode]:
    found: list[DirectiveNode] = []
    for d in document.definitions:
        if isinstance(d, SchemaDefinitionNode | SchemaExtensionNode):
            found.extend(d.directives or ())
    return found


def _arg(directive: DirectiveNode, name: str) -> Any:
    for a in directive.arguments or ():
        if a.name.value == name:
            return value_from_ast_untyped(a.value)
    return None


def read_links(document: DocumentNode) -> LinkInfo:
    """Resolve the federation directive names and custom links of a subgraph document."""
    info = LinkInfo()
    directives = _schema_directives(document)
    links = [d for d in directives if d.name.value == "link"]
    federation = [d for d in links if str(_arg(d, "url") or "").startswith(FEDERATION_URL)]
    if not federation:
        info.directives = {name: name for name in FEDERATION_1_DIRECTIVES}
    else:
        link = federation[0]
        url = str(_arg(link, "url"))
        match = _VERSION.search(url)
        info.fed2 = True
        info.minor = int(match.group(2)) if match and match.group(1) == "2" else 0
        prefix = str(_arg(link, "as") or "federation")
        for canonical, (minimum, _) in FEDERATION_DIRECTIVES.items():
            if minimum <= info.minor:
                info.directives[f"{prefix}__{canonical}"] = canonical
        for item in _arg(link, "import") or ():
            name, alias = (item.get("name"), item.get("as")) if isinstance(item, dict) else (item, None)
            if not isinstance(name, str):
                continue
            if not name.startswith("@"):
                if name not in FEDERATION_TYPES:
                    info.problems.append(f'Cannot import unknown element "{name}".')
                continue
            canonical = name[1:]
            spec = FEDERATION_DIRECTIVES.get(canonical)
            if spec is None or spec[0] > info.minor:
                info.problems.append(f'Cannot import unknown element "{name}".')
                continue
            local = str(alias)[1:] if isinstance(alias, str) and alias.startswith("@") else canonical
            info.directives[local] = canonical
    for link in links:
        url = str(_arg(link, "url") or "")
        if url.startswith((FEDERATION_URL, "https://specs.apollo.dev/link/")):
            continue
        for item in _arg(link, "import") or ():
            name, alias = (item.get("name"), item.get("as")) if isinstance(item, dict) else (item, None)
            if isinstance(name, str) and name.startswith("@"):
                local = str(alias)[1:] if isinstance(alias, str) and alias.startswith("@") else name[1:]
                info.custom[local] = (url, name)
    compose_names = {local for local, canon in info.directives.items() if canon == "composeDirective"}
    for d in directives:
        if d.name.value in compose_names:
            name = _arg(d, "name")
            if isinstance(name, str):
                info.compose.append(name.lstrip("@"))
    return info


def definitions_for(info: LinkInfo, defined: set[str]) -> str:
    """SDL defining every federation directive under its local names (skipping names already defined)."""
    lines: list[str] = []
    for local, canonical in sorted(info.directives.items()):
        if local in defined:
            continue
        lines.append(FEDERATION_DIRECTIVES[canonical][1].replace("{p}", local))
    if "link" not in defined:
        lines.append("directive @link(url: String!, as: String, for: link__Purpose, import: [link__Import])"
                     " repeatable on SCHEMA")
        if "link__Purpose" not in defined:
            lines.append("enum link__Purpose { SECURITY EXECUTION }")
    for scalar in SUPPORT_SCALARS:
        if scalar not in defined:
            lines.append(f"scalar {scalar}")
    return "\n".join(lines)
