"""Graph types more than one subgraph declares identically (Federation value types)."""

from __future__ import annotations

from collections.abc import Mapping
from enum import Enum
from typing import TypeVar, cast

import strawberry
from strawberry.types.enum import StrawberryEnumDefinition

from domain.entities import IdType

E = TypeVar("E", bound=Enum)


def described_enum(cls: type[E], *, name: str, description: str, values: Mapping[E, str]) -> type[E]:
    """Register the Python enum `cls`, left as it is, as the graph enum `name` with a description for
    every value (`strawberry.enum_value` needs the definition changed, which a `StrEnum` refuses)."""
    if set(values) != set(cls):
        raise ValueError(f"{name}: describe every value, exactly: {sorted(m.name for m in set(cls) ^ set(values))}")
    strawberry.enum(cls, name=name, description=description)
    definition = cast(StrawberryEnumDefinition, cls.__strawberry_definition__)  # type: ignore[attr-defined]
    for member, value in zip(cls, definition.values, strict=True):
        value.description = values[member]
    return cls


_ID_TYPES: dict[IdType, str] = {
    IdType.RESIDENT_ID: "居民身份证 — PRC resident identity card (18 characters, GB 11643)",
    IdType.HK_MO_PERMIT: "港澳居民来往内地通行证 — mainland travel permit for Hong Kong and Macao residents",
    IdType.TW_PERMIT: "台湾居民来往大陆通行证 — mainland travel permit for Taiwan residents",
    IdType.HMT_RESIDENCE: "港澳台居民居住证 — residence permit for Hong Kong, Macao and Taiwan residents",
    IdType.PASSPORT: "护照 — passport",
    IdType.FOREIGNER_PR: "外国人永久居留身份证 — foreign permanent resident ID card",
    IdType.OTHER: "其他证件 — any other identity document",
}

#: `domain.entities.IdType` registered as the graph enum `IdType`; annotate fields with `IdType` itself.
IdTypeEnum = described_enum(IdType, name="IdType", values=_ID_TYPES,
                            description="证件类型 — kind of identity document (DOMAIN.md §4.1)")
GraphIdType = IdType
