"""The typed model of one subgraph after reading: types, fields and the federation facts on them."""

from __future__ import annotations

from dataclasses import dataclass, field

from graphql import DirectiveDefinitionNode, DirectiveNode, ValueNode

from gateway.compose.typeref import TypeRef

Kind = str  # "object" | "interface" | "union" | "enum" | "input" | "scalar"
Scopes = tuple[tuple[str, ...], ...]  # disjunction of conjunctions


@dataclass
class Meta:
    """What any schema element can carry besides its shape."""

    description: str | None = None
    inaccessible: bool = False
    tags: list[str] = field(default_factory=list)
    authenticated: bool = False
    scopes: Scopes | None = None
    policies: Scopes | None = None
    deprecated: DirectiveNode | None = None
    composed: list[DirectiveNode] = field(default_factory=list)  # @composeDirective-d usages (canonical names)


@dataclass
class SubArg:
    name: str
    type: TypeRef
    default: ValueNode | None
    meta: Meta
    from_context: str | None = None  # the `field:` of its @fromContext (federation 2.8)


@dataclass
class SubField:
    name: str
    type: TypeRef
    args: dict[str, SubArg]
    meta: Meta
    external: bool = False
    shareable: bool = False
    requires: str | None = None
    provides: str | None = None
    override: str | None = None
    override_label: str | None = None  # progressive @override (federation 2.7)
    default: ValueNode | None = None  # input fields only
    #: written `@external` but a key field of an extension type, so resolved here (a "fake" external)
    fake_external: bool = False


@dataclass
class Key:
    fields: str
    resolvable: bool = True
    #: written on an `extend type` (or on a type with `@extends`): its `@external` key fields are local
    on_extension: bool = False
    #: printed as `extension: true` on its join: `on_extension`, except an `extend type` of Federation 1
    extension: bool = False


@dataclass
class EnumValue:
    name: str
    meta: Meta


@dataclass
class SubType:
    name: str
    kind: Kind
    meta: Meta
    fields: dict[str, SubField] = field(default_factory=dict)
    values: dict[str, EnumValue] = field(default_factory=dict)
    members: list[str] = field(default_factory=list)
    interfaces: list[str] = field(default_factory=list)
    keys: list[Key] = field(default_factory=list)
    extension: bool = False          # declared only as an extension (join `extension: true`)
    extension_only_fed1: bool = False  # Federation 1 `extend type` with no definition in this subgraph
    only_extensions: bool = False  # declared with `extend` only (no definition) in this subgraph, not a root
    interface_object: bool = False
    shareable: bool = False
    specified_by: DirectiveNode | None = None
    contexts: list[str] = field(default_factory=list)  # the names of its @context (federation 2.8)

    @property
    def effective_kind(self) -> Kind:
        """An `@interfaceObject` is an interface in the supergraph."""
        return "interface" if self.interface_object else self.kind


@dataclass
class ComposedLink:
    """A non-federation `@link` whose directives a subgraph composes into the supergraph."""

    url: str
    imports: list[str]  # directive names with "@", as imported
    definitions: dict[str, DirectiveDefinitionNode]  # canonical name -> definition


@dataclass
class Subgraph:
    name: str
    url: str
    fed2: bool
    types: dict[str, SubType]
    roots: dict[str, str]  # operation ("query") -> type name in the supergraph
    composed: dict[str, ComposedLink] = field(default_factory=dict)  # directive name -> its link
    federation_minor: int = 0  # the minor version of the federation 2 spec it links (7 for v2.7)

    def type(self, name: str) -> SubType | None:
        return self.types.get(name)
