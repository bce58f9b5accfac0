"""GraphQL filter and order inputs of the case store's lists, and their conversion to SQL filters.

The same names mean the same thing on every list: `bodies` (USCCs of enforcement bodies), `region`
(a province, city or county code includes everything below it, a county its towns), `level` (the
body's level), `items` (enforcement item codes), day ranges `{from to}` (inclusive, either end
open). A bad value is a BAD_USER_INPUT error naming the argument, on its own field.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import Enum
from typing import Any

import strawberry
from graphql import GraphQLError

from subgraphs.cases import graph_enums  # noqa: F401  (the domain enums as graph enums)
from subgraphs.cases.domain import enums as e
from subgraphs.cases.enum_values import describe_values
from subgraphs.cases.listing import CaseFilter, DaySpan, InspectionFilter, ListInputError, MeasureFilter
from subgraphs.common.pagination import decode_cursor


def bad_input(exc: ListInputError) -> GraphQLError:
    return GraphQLError(str(exc), extensions={"code": "BAD_USER_INPUT", "argument": exc.argument})


@strawberry.enum(description="排序方向 — sort direction.")
class SortDirection(Enum):
    ASC = "ASC"
    DESC = "DESC"


describe_values(SortDirection)


@strawberry.input(name="DayRange", description="日期范围 — an inclusive range of days; leave an end out to keep it open.")
class DayRange:
    from_: date | None = strawberry.field(default=None, name="from", description="起 — the first day included")
    to: date | None = strawberry.field(default=None, description="止 — the last day included")

    def span(self) -> DaySpan:
        return DaySpan(self.from_, self.to)


def _span(value: DayRange | None) -> DaySpan | None:
    return value.span() if value is not None else None


def _codes(values: Sequence[str] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(v.strip().upper() for v in values or ())) if values else ()


def _values(values: Sequence[Enum] | None) -> tuple[str, ...]:
    return tuple(dict.fromkeys(str(v.value) for v in values or ()))


@strawberry.input(name="CaseFilter", description="案件筛选 — conditions on penalty cases; all optional, all must hold.")
class CaseFilterInput:
    bodies: list[str] | None = strawberry.field(default=None, description="执法主体 — USCCs of the handling bodies")
    region: str | None = strawberry.field(
        default=None, description="区划 — a province, city or county code; includes every area below it (a county its towns)")
    level: str | None = strawberry.field(default=None, description="层级 — the body's level: CITY, COUNTY or TOWN")
    items: list[str] | None = strawberry.field(default=None, description="执法事项 — enforcement item codes")
    procedures: list[e.Procedure] | None = strawberry.field(default=None, description="程序 — SIMPLE (简易) or ORDINARY (普通)")
    statuses: list[e.CaseState] | None = strawberry.field(default=None, description="案件状态 — any of these states")
    filed: DayRange | None = strawberry.field(default=None, description="立案日期 — filed within this range")
    decided: DayRange | None = strawberry.field(default=None, description="决定日期 — decided within this range")
    closed: DayRange | None = strawberry.field(default=None, description="结案日期 — closed within this range")
    party_uscc: str | None = strawberry.field(default=None, description="当事人 — a party's unified social credit code")
    party_id_number_hash: str | None = strawberry.field(
        default=None, description="当事人 — a natural-person party by the hash of the ID number (never the number)")
    fine_min_fen: int | None = strawberry.field(default=None, description="罚款下限 — a fine of at least this many 分")
    fine_max_fen: int | None = strawberry.field(default=None, description="罚款上限 — a fine of at most this many 分")
    has_active_alerts: bool | None = strawberry.field(
        default=None, description="有预警 — true: cases with an active supervision alert; false: cases with none")
    alert_rules: list[str] | None = strawberry.field(
        default=None, description="预警规则 — cases with an active alert of one of these rule ids (e.g. S02)")
    alert_severities: list[str] | None = strawberry.field(
        default=None, description="预警等级 — cases with an active alert of one of these severities (RED, YELLOW)")
    case_no: str | None = strawberry.field(
        default=None, description="案件编号 — cases whose number contains this text (3 to 40 characters)")

    def query(self, **fixed: Any) -> CaseFilter:
        flt = CaseFilter(
            bodies=_codes(self.bodies), region=self.region.strip() if self.region else None,
            level=self.level, items=_codes(self.items), procedures=_values(self.procedures),
            statuses=_values(self.statuses), filed=_span(self.filed), decided=_span(self.decided),
            closed=_span(self.closed), party_uscc=self.party_uscc.strip().upper() if self.party_uscc else None,
            party_id_hash=self.party_id_number_hash, fine_min_fen=self.fine_min_fen, fine_max_fen=self.fine_max_fen,
            has_active_alerts=self.has_active_alerts, alert_rules=_codes(self.alert_rules),
            alert_severities=_codes(self.alert_severities),
            case_no=self.case_no.strip() if self.case_no is not None else None, **fixed)
        flt.check()
        return flt


def case_filter(value: CaseFilterInput | None, **fixed: Any) -> CaseFilter:
    """The SQL filter of a `CaseFilter` argument plus the conditions the field itself fixes."""
    try:
        if value is None:
            flt = CaseFilter(**fixed)
            flt.check()
            return flt
        return value.query(**fixed)
    except ListInputError as exc:
        raise bad_input(exc) from exc


@strawberry.enum(description="案件排序字段 — what a case list can be ordered by (ties: by id).")
class CaseOrderField(Enum):
    CASE_NO = "CASE_NO"
    FILED_ON = "FILED_ON"
    DECIDED_ON = "DECIDED_ON"
    CLOSED_ON = "CLOSED_ON"
    FINE = "FINE"
    STATUS = "STATUS"
    ITEM = "ITEM"
    BODY = "BODY"
    REGION = "REGION"


describe_values(CaseOrderField)


@strawberry.input(description="案件排序 — one sort key of a case list; missing dates and fines sort last.")
class CaseOrder:
    field: CaseOrderField = strawberry.field(description="排序字段 — the key")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="方向 — ASC or DESC")


@strawberry.enum(description="强制措施排序字段 — what a list of coercive measures can be ordered by.")
class MeasureOrderField(Enum):
    TERM_DUE = "TERM_DUE"
    STARTED_ON = "STARTED_ON"
    BODY = "BODY"
    STATE = "STATE"


describe_values(MeasureOrderField)


@strawberry.input(description="强制措施排序 — one sort key of a measure list.")
class MeasureOrder:
    field: MeasureOrderField = strawberry.field(description="排序字段 — the key")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="方向 — ASC or DESC")


@strawberry.enum(description="检查排序字段 — what a list of inspections can be ordered by.")
class InspectionOrderField(Enum):
    CHECKED_ON = "CHECKED_ON"
    BODY = "BODY"
    STATE = "STATE"
    ITEM = "ITEM"


describe_values(InspectionOrderField)


@strawberry.input(description="检查排序 — one sort key of an inspection list.")
class InspectionOrder:
    field: InspectionOrderField = strawberry.field(description="排序字段 — the key")
    direction: SortDirection = strawberry.field(default=SortDirection.ASC, description="方向 — ASC or DESC")


def sort_keys(order: Sequence[CaseOrder | MeasureOrder | InspectionOrder] | None) -> list[tuple[str, bool]]:
    return [(o.field.value, o.direction is SortDirection.DESC) for o in order or ()]


@strawberry.input(name="MeasureFilter", description="强制措施筛选 — conditions on coercive measures (查封/扣押/冻结).")
class MeasureFilterInput:
    bodies: list[str] | None = strawberry.field(default=None, description="执法主体 — USCCs of the deciding bodies")
    region: str | None = strawberry.field(default=None, description="区划 — a region code; includes the areas below it")
    level: str | None = strawberry.field(default=None, description="层级 — the body's level")
    items: list[str] | None = strawberry.field(default=None, description="执法事项 — enforcement item codes")
    kinds: list[e.CoerciveKind] | None = strawberry.field(default=None, description="措施种类 — SEAL, SEIZE, FREEZE …")
    states: list[str] | None = strawberry.field(
        default=None, description="状态 — measure states (IN_FORCE, EXTENDED, RELEASED, HANDLED …)")
    case_id: str | None = strawberry.field(default=None, description="案件 — the measures of one case")
    term_due: DayRange | None = strawberry.field(default=None, description="期限届满日 — last day of term in this range")
    past_term_on: date | None = strawberry.field(
        default=None, description="超期 — still in force on this day although the last day of term is before it")

    def query(self) -> MeasureFilter:
        flt = MeasureFilter(bodies=_codes(self.bodies), region=self.region, level=self.level, items=_codes(self.items),
                            kinds=_values(self.kinds), states=_codes(self.states), case_id=self.case_id,
                            term_due=_span(self.term_due), past_term_on=self.past_term_on)
        flt.check()
        return flt


@strawberry.input(name="InspectionFilter", description="检查筛选 — conditions on administrative inspections.")
class InspectionFilterInput:
    bodies: list[str] | None = strawberry.field(default=None, description="执法主体 — USCCs of the inspecting bodies")
    region: str | None = strawberry.field(default=None, description="区划 — a region code; includes the areas below it")
    level: str | None = strawberry.field(default=None, description="层级 — the body's level")
    items: list[str] | None = strawberry.field(default=None, description="执法事项 — enforcement item codes")
    states: list[str] | None = strawberry.field(default=None, description="状态 — inspection states")
    checked: DayRange | None = strawberry.field(default=None, description="检查日期 — checked on site within this range")

    def query(self, **fixed: Any) -> InspectionFilter:
        flt = InspectionFilter(bodies=_codes(self.bodies), region=self.region, level=self.level,
                               items=_codes(self.items), states=_codes(self.states), checked=_span(self.checked),
                               **fixed)
        flt.check()
        return flt


def position(after: str | None) -> dict[str, Any] | None:
    """The decoded cursor of `after` (a damaged one is BAD_USER_INPUT)."""
    return None if after is None else dict(decode_cursor(after))
