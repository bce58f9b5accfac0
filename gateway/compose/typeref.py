"""Type references (`[Int!]!`) as small values: parse, print, unwrap, and merge them across subgraphs.

FEDERATION_NOTE: output positions merge to the most general type (nullable wins, so every subgraph's
value fits), input positions to the most restrictive one (non-null wins, so every subgraph accepts the
value); a different named type or list depth is FIELD_TYPE_MISMATCH / ARGUMENT_TYPE_MISMATCH.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from graphql import ListTypeNode, NamedTypeNode, NameNode, NonNullTypeNode, TypeNode


@dataclass(frozen=True)
class TypeRef:
    """`kind` is "named", "list" or "non_null"; `of` is the wrapped type for the wrappers."""

    kind: str
    name: str = ""
    of: TypeRef | None = None

    def __str__(self) -> str:
        if self.kind == "named":
            return self.name
        assert self.of is not None
        return f"[{self.of}]" if self.kind == "list" else f"{self.of}!"

    @property
    def named(self) -> str:
        ref: TypeRef = self
        while ref.of is not None:
            ref = ref.of
        return ref.name

    @property
    def non_null(self) -> bool:
        return self.kind == "non_null"

    def nullable(self) -> TypeRef:
        return self.of if self.kind == "non_null" and self.of is not None else self

    def is_list(self) -> bool:
        return self.nullable().kind == "list"

    def to_node(self) -> TypeNode:
        if self.kind == "named":
            return NamedTypeNode(name=NameNode(value=self.name))
        assert self.of is not None
        inner = self.of.to_node()
        if self.kind == "list":
            return ListTypeNode(type=inner)
        assert isinstance(inner, NamedTypeNode | ListTypeNode)
        return NonNullTypeNode(type=inner)


def from_node(node: TypeNode) -> TypeRef:
    if isinstance(node, NonNullTypeNode):
        return TypeRef("non_null", of=from_node(node.type))
    if isinstance(node, ListTypeNode):
        return TypeRef("list", of=from_node(node.type))
    assert isinstance(node, NamedTypeNode)
    return TypeRef("named", name=node.name.value)


IsSubtype = Callable[[str, str], bool]


def merge_output(a: TypeRef, b: TypeRef, is_subtype: IsSubtype) -> TypeRef | None:
    """The most general of two output types, or None when they are incompatible."""
    if a.non_null and b.non_null:
        assert a.of is not None
        assert b.of is not None
        inner = merge_output(a.of, b.of, is_subtype)
        return TypeRef("non_null", of=inner) if inner else None
    if a.non_null or b.non_null:
        return merge_output(a.nullable(), b.nullable(), is_subtype)
    if a.kind == "list" and b.kind == "list":
        assert a.of is not None
        assert b.of is not None
        inner = merge_output(a.of, b.of, is_subtype)
        return TypeRef("list", of=inner) if inner else None
    if a.kind == "named" and b.kind == "named":
        if a.name == b.name:
            return a
        if is_subtype(b.name, a.name):
            return a
        if is_subtype(a.name, b.name):
            return b
    return None


def merge_input(a: TypeRef, b: TypeRef) -> TypeRef | None:
    """The most restrictive of two input types, or None when they are incompatible."""
    if a.non_null or b.non_null:
        inner = merge_input(a.nullable(), b.nullable())
        return TypeRef("non_null", of=inner) if inner else None
    if a.kind == "list" and b.kind == "list":
        assert a.of is not None
        assert b.of is not None
        inner = merge_input(a.of, b.of)
        return TypeRef("list", of=inner) if inner else None
    if a.kind == "named" and b.kind == "named" and a.name == b.name:
        return a
    return None
