"""Graph types more than one subgraph declares identically (Federation value types)."""

from __future__ import annotations

import strawberry

from domain.entities import IdType

#: `domain.entities.IdType` registered as the graph enum `IdType`; annotate fields with `IdType` itself.
IdTypeEnum = strawberry.enum(IdType, name="IdType", description="证件类型 (DOMAIN.md §4.1)")
GraphIdType = IdType
