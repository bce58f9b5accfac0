"""Search inputs of the personnel subgraph (`OfficerFilter`, `BodyFilter`, their orders) and their SQL.

Each filter field becomes one SQL condition, all of them ANDed; nothing is filtered in Python. A
region code includes everything below it (`440100` → every code starting `4401`, `445100` → `4451`,
a county's six digits include its towns), as `region_prefix` defines. A list that is given but
empty matches nothing; a field left out (null) does not filter.
"""

from __future__ import annotations

from enum import Enum
from typing import Any

import strawberry
from sqlalchemy import ColumnElement, exists, func, literal, select
from sqlalchemy.dialects.postgresql import JSONB

from subgraphs.common.errors import graphql_error
from subgraphs.common.security import region_prefix
from subgraphs.personnel.store import BodyRow, CertificateRow, OfficerRow

LEVELS = ("PROVINCE", "CITY", "COUNTY", "TOWN")


@strawberry.enum(description="排序方向 — sort direction")
class SortDirection(Enum):
    ASC = strawberry.enum_value("ASC", description="升序 — ascending")
    DESC = strawberry.enum_value("DESC", description="降序 — descending")


@strawberry.enum(description="人员排序字段 — what officers can be sorted by")
class OfficerOrderField(Enum):
    NAME = strawberry.enum_value("NAME", description="姓名 — by name (then by id)")
    ID = strawberry.enum_value("ID", description="人员编号 — by officer id")


@strawberry.enum(description="主体排序字段 — what enforcement bodies can be sorted by")
class BodyOrderField(Enum):
    USCC = strawberry.enum_value("USCC", description="统一社会信用代码 — by USCC")
    NAME = strawberry.enum_value("NAME", description="机构名称 — by name (then by USCC)")
    LEVEL = strawberry.enum_value("LEVEL", description="层级 — by level, province first, town last (then by USCC)")


@strawberry.input(description="人员排序 — one sort key of an officer search")
class OfficerOrder:
    field: OfficerOrderField = strawberry.field(description="排序字段 — the field to sort by")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC,
                                                description="排序方向 — ascending (default) or descending")


@strawberry.input(description="主体排序 — one sort key of an enforcement-body search")
class BodyOrder:
    field: BodyOrderField = strawberry.field(description="排序字段 — the field to sort by")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC,
                                                description="排序方向 — ascending (default) or descending")


@strawberry.input(description="人员筛选 — conditions on officers; all given conditions must hold")
class OfficerFilter:
    bodies: list[str] | None = strawberry.field(default=None, description=(
        "所属执法机构 — officers of any of these bodies (USCCs)"))
    region: str | None = strawberry.field(default=None, description=(
        "行政区划 — officers of bodies in this region or below it (445100: the whole city)"))
    level: str | None = strawberry.field(default=None, description=(
        "机构层级 — officers of bodies of this level: PROVINCE / CITY / COUNTY / TOWN"))
    statuses: list[str] | None = strawberry.field(default=None, description=(
        "人员状态 — officers with any of these statuses (ACTIVE, TRANSFERRED, RETIRED …)"))
    name_prefix: str | None = strawberry.field(default=None, description="姓名前缀 — officers whose name starts so")
    is_legal_reviewer: bool | None = strawberry.field(default=None, description=(
        "法制审核人员 — legal reviewers only (true) or everyone else (false); needs personnel:read, as the field does"))
    certificate_status: str | None = strawberry.field(default=None, description=(
        "证件状态 — officers holding at least one listed certificate the provincial system reports with "
        "this status (ACTIVE, EXPIRED, SUSPENDED, REVOKED, CANCELLED, LOST)"))
    include_vanished: bool = strawberry.field(default=False, description=(
        "含已消失 — also officers the provincial snapshot no longer lists"))


@strawberry.input(description="主体筛选 — conditions on enforcement bodies; all given conditions must hold")
class BodyFilter:
    region: str | None = strawberry.field(default=None, description=(
        "行政区划 — bodies in this region or below it (440100 → every code starting 4401)"))
    level: str | None = strawberry.field(default=None, description="层级 — PROVINCE / CITY / COUNTY / TOWN")
    parent_uscc: str | None = strawberry.field(default=None, description=(
        "上级机构代码 — bodies directly below this one (its USCC)"))
    statuses: list[str] | None = strawberry.field(default=None, description=(
        "状态 — bodies with any of these statuses"))
    name_prefix: str | None = strawberry.field(default=None, description="名称前缀 — bodies whose name starts so")
    domain: str | None = strawberry.field(default=None, description="执法领域 — bodies working in this domain")


def like_prefix(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _region(code: str, argument: str) -> str:
    if not code.isdigit() or len(code) not in (6, 9, 12):
        raise graphql_error("BAD_USER_INPUT", f"{argument} must be a region code of 6, 9 or 12 digits",
                            argument=argument)
    return like_prefix(region_prefix(code))


def _level(level: str, argument: str) -> str:
    if level not in LEVELS:
        raise graphql_error("BAD_USER_INPUT", f"{argument} must be one of {', '.join(LEVELS)}", argument=argument)
    return level


def _contains(column: Any, value: str, dialect: str) -> ColumnElement[bool]:
    """A JSON list column holds `value` (the element, not a substring of it)."""
    if dialect == "postgresql":
        return column.cast(JSONB).contains(func.jsonb_build_array(value))  # type: ignore[no-any-return]
    each = func.json_each(column).table_valued("value")
    return exists(select(literal(1)).select_from(each).where(each.c.value == value))


def body_conditions(flt: BodyFilter | None, dialect: str) -> list[ColumnElement[bool]]:
    if flt is None:
        return []
    out: list[ColumnElement[bool]] = []
    if flt.region is not None:
        out.append(BodyRow.region_code.like(_region(flt.region, "filter.region"), escape="\\"))
    if flt.level is not None:
        out.append(BodyRow.level == _level(flt.level, "filter.level"))
    if flt.parent_uscc is not None:
        out.append(BodyRow.parent_uscc == flt.parent_uscc)
    if flt.statuses is not None:
        out.append(BodyRow.status.in_(flt.statuses))
    if flt.name_prefix:
        out.append(BodyRow.name.like(like_prefix(flt.name_prefix), escape="\\"))
    if flt.domain is not None:
        out.append(_contains(BodyRow.domains, flt.domain, dialect))
    return out


def officer_conditions(flt: OfficerFilter | None) -> list[ColumnElement[bool]]:
    if flt is None:
        return [OfficerRow.vanished_at.is_(None)]
    out: list[ColumnElement[bool]] = []
    if flt.bodies is not None:
        out.append(OfficerRow.body_uscc.in_(flt.bodies))
    of_bodies: list[ColumnElement[bool]] = []
    if flt.region is not None:
        of_bodies.append(BodyRow.region_code.like(_region(flt.region, "filter.region"), escape="\\"))
    if flt.level is not None:
        of_bodies.append(BodyRow.level == _level(flt.level, "filter.level"))
    if of_bodies:
        out.append(OfficerRow.body_uscc.in_(select(BodyRow.uscc).where(*of_bodies)))
    if flt.statuses is not None:
        out.append(OfficerRow.status.in_(flt.statuses))
    if flt.name_prefix:
        out.append(OfficerRow.name.like(like_prefix(flt.name_prefix), escape="\\"))
    if flt.is_legal_reviewer is not None:
        out.append(OfficerRow.is_legal_reviewer == flt.is_legal_reviewer)
    if flt.certificate_status is not None:
        out.append(exists(select(literal(1)).where(
            CertificateRow.officer_id == OfficerRow.id, CertificateRow.status == flt.certificate_status,
            CertificateRow.vanished_at.is_(None))))
    if not flt.include_vanished:
        out.append(OfficerRow.vanished_at.is_(None))
    return out
