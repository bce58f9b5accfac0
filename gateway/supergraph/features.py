"""Read the ``@link`` / ``@core`` feature declarations of a supergraph and check they are supported."""

from __future__ import annotations

import re
from dataclasses import dataclass

from graphql import (
    DocumentNode,
    EnumValueNode,
    ListValueNode,
    ObjectValueNode,
    SchemaDefinitionNode,
    SchemaExtensionNode,
    StringValueNode,
    ValueNode,
)

from gateway.errors import InvalidSupergraph

_URL = re.compile(r"^https?://[^/]+(?:/.*)?/(?P<name>[A-Za-z_][A-Za-z0-9_-]*)/v(?P<version>\d+\.\d+)/?$")

SUPPORTED_JOIN = ("0.1", "0.2", "0.3", "0.4", "0.5")
# FEDERATION_NOTE: features marked for SECURITY or EXECUTION must be understood or the supergraph refused.
# The authorization features are understood in the sense that their directives are stripped from the API
# schema; enforcing them belongs to gateway/security through the extension hooks.
_UNDERSTOOD = {
    "link": ("1.0",),
    "core": ("0.1", "0.2"),
    "join": SUPPORTED_JOIN,
    "inaccessible": ("0.1", "0.2"),
    "tag": ("0.1", "0.2", "0.3"),
    "authenticated": ("0.1",),
    "requiresScopes": ("0.1",),
    "policy": ("0.1",),
    "context": ("0.1",),
    "cost": ("0.1",),
}


@dataclass(frozen=True)
class Feature:
    """One linked spec: its identity name, version, the prefix used in this document and its purpose."""

    name: str
    version: str
    prefix: str
    purpose: str | None
    imports: tuple[tuple[str, str], ...] = ()  # (spec element name, local name), e.g. ("@tag", "@tag")


@dataclass(frozen=True)
class Features:
    """The features of one supergraph, by identity name."""

    by_name: dict[str, Feature]

    def prefix(self, name: str, default: str) -> str:
        f = self.by_name.get(name)
        return f.prefix if f else default

    @property
    def join(self) -> Feature:
        return self.by_name["join"]

    def directive_names(self) -> set[str]:
        """Every directive name belonging to a linked feature (stripped from the API schema)."""
        out: set[str] = set()
        for f in self.by_name.values():
            out.add(f.prefix)
            for _spec, local in f.imports:
                if local.startswith("@"):
                    out.add(local[1:])
        return out

    def prefixes(self) -> set[str]:
        return {f.prefix for f in self.by_name.values()}


def _string(value: ValueNode | None) -> str | None:
    if isinstance(value, StringValueNode):
        return value.value
    return None


def _imports(value: ValueNode | None) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, ListValueNode):
        return ()
    out: list[tuple[str, str]] = []
    for item in value.values:
        if isinstance(item, StringValueNode):
            out.append((item.value, item.value))
        elif isinstance(item, ObjectValueNode):
            fields = {f.name.value: _string(f.value) for f in item.fields}
            name = fields.get("name")
            if name:
                out.append((name, fields.get("as") or name))
    return tuple(out)


def read_features(document: DocumentNode) -> Features:
    """Collect the ``@link``/``@core`` applications on the schema definition(s)."""
    found: dict[str, Feature] = {}
    for definition in document.definitions:
        if not isinstance(definition, SchemaDefinitionNode | SchemaExtensionNode):
            continue
        for directive in definition.directives or ():
            if directive.name.value not in ("link", "core"):
                continue
            args = {a.name.value: a.value for a in directive.arguments or ()}
            url = _string(args.get("url")) or _string(args.get("feature"))
            if url is None:
                raise InvalidSupergraph("a @link/@core without a url", element="schema")
            match = _URL.match(url)
            if match is None:
                raise InvalidSupergraph(f"unrecognised feature url {url!r}", element="schema")
            name, version = match["name"], match["version"]
            purpose_node = args.get("for")
            purpose = purpose_node.value if isinstance(purpose_node, EnumValueNode) else None
            prefix = _string(args.get("as")) or name
            feature = Feature(name, version, prefix, purpose, _imports(args.get("import")))
            understood = _UNDERSTOOD.get(name)
            if understood is not None and version not in understood and (name in ("join", "link", "core")
                                                                          or purpose is not None):
                raise InvalidSupergraph(f"unsupported version v{version} of {name} (supported: "
                                        f"{', '.join('v' + v for v in understood)})", element=f"@link({url})")
            if understood is None and purpose in ("SECURITY", "EXECUTION"):
                raise InvalidSupergraph(f"feature {url} is required for {purpose} but not supported",
                                        element=f"@link({url})")
            found[name] = feature
    if "join" not in found:
        raise InvalidSupergraph("not a supergraph: no join spec is linked", element="schema")
    return Features(found)
