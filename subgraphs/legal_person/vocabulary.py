"""The registry's vocabulary in the graph: 登记状态 and 主体类别 as enums, and the registration status with its date.

GraphQL names cannot be Chinese, so each enum value names the registry's term in English and carries
the term itself and the registry's code in its description. The mapping, in both directions:

    EntityRegistrationStatus   登记状态        city registry DJZT   domain EntityStatus
    ACTIVE                     存续 (在业)      1                    ACTIVE
    REVOKED                    吊销            2                    REVOKED
    CANCELLED                  注销            3                    CANCELLED
    MOVED_OUT                  迁出            4                    MOVED_OUT

    EntityCategory             主体类别 / 行政相对人类别   city registry ZTLB
    ORGANISATION               法人及非法人组织            1
    INDIVIDUAL_BUSINESS        个体工商户                  2

The registry codes are the mapping file's (`market.toml`), read backwards by the adapter; this module
only names the graph's side.
"""

from __future__ import annotations

from datetime import date
from enum import Enum

import strawberry

from adapters.errors import MalformedRecord
from domain.entities import EntityStatus
from subgraphs.common.errors import from_source_error


@strawberry.enum(name="EntityRegistrationStatus",
                 description="登记状态 (registration status): the city registry's status of a legal entity.")
class EntityRegistrationStatus(Enum):
    ACTIVE = strawberry.enum_value(
        "ACTIVE", description="存续 (在业, 在营): registered and operating (registry code DJZT 1)")
    REVOKED = strawberry.enum_value(
        "REVOKED", description="吊销: business licence revoked by the registration authority (DJZT 2)")
    CANCELLED = strawberry.enum_value(
        "CANCELLED", description="注销: registration cancelled, the entity no longer exists (DJZT 3)")
    MOVED_OUT = strawberry.enum_value(
        "MOVED_OUT", description="迁出: registration moved to an authority outside the city (DJZT 4)")

    @classmethod
    def of(cls, status: EntityStatus) -> EntityRegistrationStatus:
        return cls[status.name]

    def domain(self) -> EntityStatus:
        return EntityStatus[self.name]


@strawberry.enum(name="EntityCategory",
                 description="主体类别 / 行政相对人类别 (subject category, 双公示 values) of a legal entity.")
class EntityCategory(Enum):
    ORGANISATION = strawberry.enum_value(
        "ORGANISATION", description="法人及非法人组织: a legal person or unincorporated organisation (ZTLB 1)")
    INDIVIDUAL_BUSINESS = strawberry.enum_value(
        "INDIVIDUAL_BUSINESS", description="个体工商户: an individual business run by a natural person (ZTLB 2)")

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {EntityCategory.ORGANISATION: "法人及非法人组织", EntityCategory.INDIVIDUAL_BUSINESS: "个体工商户"}


def _since(root: RegistrationStatus) -> date | None:
    if root.since_error is not None:
        raise from_source_error(root.since_error)
    return root.since_date


@strawberry.type(name="RegistrationStatus",
                 description="登记状态及日期 (registration status with its date): the status and the day it took "
                             "effect (核准日期 while 存续, 吊销日期 or 注销日期 once ended).")
class RegistrationStatus:
    status: EntityRegistrationStatus = strawberry.field(
        description="登记状态 (registration status), the registry's value as an enum")
    since: date | None = strawberry.field(
        resolver=_since,
        description="生效日期 (effective date): the day the status took effect — 核准日期 (approval) while 存续, "
                    "吊销日期 (revocation) or 注销日期 (cancellation) once ended; null when the registry has none, and "
                    "null with a MALFORMED_RECORD error when its value is not a date")
    since_date: strawberry.Private[date | None]
    since_error: strawberry.Private[MalformedRecord | None]
