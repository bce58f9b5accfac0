"""The merged supergraph before printing: types with their `join__*` facts per subgraph."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import DirectiveDefinitionNode, DirectiveNode, ValueNode

from gateway.compose.model import Meta
from gateway.compose.typeref import TypeRef


@dataclass(frozen=True)
class Graph:
    enum: str  # value of join__Graph
    name: str
    url: str


@dataclass
class JoinType:
    graph: str  # subgraph name
    key: str | None = None
    extension: bool = False
    resolvable: bool = True
    interface_object: bool = False


@dataclass
class JoinField:
    graph: str | None  # None for a bare @join__field (field only reachable through an @interfaceObject)
    requires: str | None = None
    provides: str | None = None
    type: str | None = None
    external: bool = False
    override: str | None = None
    used_overridden: bool = False
    override_label: str | None = None
    #: @fromContext arguments (join v0.5): (name, type, context, selection)
    context_arguments: list[tuple[str, str, str, str]] = field(default_factory=list)


@dataclass
class SArg:
    name: str
    type: TypeRef
    default: ValueNode | None
    meta: Meta


@dataclass
class SField:
    name: str
    type: TypeRef
    meta: Meta
    args: dict[str, SArg] = field(default_factory=dict)
    joins: list[JoinField] = field(default_factory=list)  # empty: resolvable in every graph of the type
    default: ValueNode | None = None


@dataclass
class SEnumValue:
    name: str
    meta: Meta
    graphs: list[str]


@dataclass
class SType:
    name: str
    kind: str
    meta: Meta
    joins: list[JoinType] = field(default_factory=list)
    fields: dict[str, SField] = field(default_factory=dict)
    values: dict[str, SEnumValue] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    member_joins: list[tuple[str, str]] = field(default_factory=list)  # (graph, member)
    interfaces: list[str] = field(default_factory=list)
    implements: list[tuple[str, str]] = field(default_factory=list)  # (graph, interface)
    specified_by: DirectiveNode | None = None
    contexts: list[str] = field(default_factory=list)  # @context names, prefixed with their subgraph

    @property
    def graphs(self) -> list[str]:
        seen: list[str] = []
        for j in self.joins:
            if j.graph not in seen:
                seen.append(j.graph)
        return seen


@dataclass
class ComposedDirective:
    url: str
    imports: list[str]
    definitions: list[DirectiveDefinitionNode]


@dataclass
class Supergraph:
    graphs: list[Graph]
    types: dict[str, SType]
    roots: dict[str, str]
    composed: list[ComposedDirective] = field(default_factory=list)
    #: the join spec minor version to print: 4 (`overrideLabel`) once a subgraph links federation v2.7+
    join_minor: int = 3

    def enum_of(self, graph: str) -> str:
        for g in self.graphs:
            if g.name == graph:
                return g.enum
        raise KeyError(graph)
