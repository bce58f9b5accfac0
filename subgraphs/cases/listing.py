"""Lists of the case store as SQL: one filter shape per list, an ordering, keyset pages and exact totals.

A filter is a frozen dataclass of optional conditions that are ANDed; every condition becomes a
WHERE clause, so the database does the work and no list is filtered in Python. An ordering is a
list of (key, descending) pairs; the record id is always the last key, so the order is total and
a page continues strictly after the last row of the previous one (keyset paging: the cursor holds
the last row's sort values and id, never an offset). NULL sort values are replaced by a sentinel
that puts them last in either direction, so they compare like any value.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, exists, false, func, literal, or_, select

from subgraphs.cases.rows import CaseOfficerRow, CasePartyRow, CaseRow, InspectionRow, MeasureRow
from subgraphs.personnel.store import BodyRow
from subgraphs.supervision.rows import AlertRow

_LATE = date(9999, 12, 31)
_EARLY = date(1, 1, 1)
_BIG = 2**62


class ListInputError(ValueError):
    """A filter, ordering or cursor the list cannot use; names the argument."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument


def region_prefix(code: str, argument: str = "filter.region") -> str:
    """The prefix of the region codes under `code`: a province (440000) → "44", a city (445100) →
    "4451", a county (445102) → itself, so its towns (4451020xx…) are included; a 9- or 12-digit
    town code → itself."""
    text = code.strip()
    if not text.isdigit() or len(text) not in (2, 4, 6, 9, 12):
        raise ListInputError(argument, f"a region code is 2, 4, 6, 9 or 12 digits (got {code!r})")
    if len(text) == 6:
        while len(text) > 2 and text.endswith("00"):
            text = text[:-2]
    return text


@dataclass(frozen=True, slots=True)
class DaySpan:
    """An inclusive range of days; either end may be open."""

    start: date | None = None
    end: date | None = None

    def check(self, argument: str) -> None:
        if self.start is not None and self.end is not None and self.start > self.end:
            raise ListInputError(argument, f"from {self.start} is after to {self.end}")

    def where(self, column: Any) -> list[ColumnElement[bool]]:
        out: list[ColumnElement[bool]] = []
        if self.start is not None:
            out.append(column >= self.start)
        if self.end is not None:
            out.append(column <= self.end)
        return out


@dataclass(frozen=True, slots=True)
class CaseFilter:
    """Conditions on `penalty_case` (all optional, ANDed; an empty tuple means "any")."""

    body_uscc: str | None = None
    bodies: tuple[str, ...] = ()
    status: str | None = None
    statuses: tuple[str, ...] = ()
    region: str | None = None
    level: str | None = None
    items: tuple[str, ...] = ()
    procedures: tuple[str, ...] = ()
    filed: DaySpan | None = None
    decided: DaySpan | None = None
    closed: DaySpan | None = None
    party_id_type: str | None = None
    party_id_hash: str | None = None
    party_uscc: str | None = None
    officer_id: str | None = None
    fine_min_fen: int | None = None
    fine_max_fen: int | None = None
    has_active_alerts: bool | None = None
    alert_rules: tuple[str, ...] = ()
    alert_severities: tuple[str, ...] = ()
    case_no: str | None = None

    def check(self) -> None:
        if self.case_no is not None and not 3 <= len(self.case_no) <= 40:
            raise ListInputError("filter.caseNo", f"give 3 to 40 characters of the case number (got {len(self.case_no)})")
        for name, span in (("filed", self.filed), ("decided", self.decided), ("closed", self.closed)):
            if span is not None:
                span.check(f"filter.{name}")
        if self.fine_min_fen is not None and self.fine_max_fen is not None and self.fine_min_fen > self.fine_max_fen:
            raise ListInputError("filter.fineMinFen", "is larger than fineMaxFen")
        if self.region is not None:
            region_prefix(self.region)
        for name, values in (("bodies", self.bodies), ("items", self.items), ("alertRules", self.alert_rules)):
            if len(values) > 500:
                raise ListInputError(f"filter.{name}", f"at most 500 values (got {len(values)})")


def _body_level(body_column: Any, level: str) -> ColumnElement[bool]:
    column: ColumnElement[Any] = body_column
    return column.in_(select(BodyRow.uscc).where(BodyRow.level == level.strip().upper()))


def _alert_exists(flt: CaseFilter) -> ColumnElement[bool]:
    conds = [AlertRow.case_id == CaseRow.id, AlertRow.active.is_(True)]
    if flt.alert_rules:
        conds.append(AlertRow.rule_id.in_(flt.alert_rules))
    if flt.alert_severities:
        conds.append(AlertRow.severity.in_(flt.alert_severities))
    return exists(select(AlertRow.id).where(*conds))


def case_conditions(flt: CaseFilter) -> list[ColumnElement[bool]]:
    """The WHERE clauses of `flt` over `penalty_case`."""
    c = CaseRow
    out: list[ColumnElement[bool]] = []
    if flt.body_uscc is not None:
        out.append(c.body_uscc == flt.body_uscc)
    if flt.bodies:
        out.append(c.body_uscc.in_(flt.bodies))
    if flt.status is not None:
        out.append(c.status == flt.status)
    if flt.case_no is not None:
        out.append(c.case_no.contains(flt.case_no, autoescape=True))
    if flt.statuses:
        out.append(c.status.in_(flt.statuses))
    if flt.region is not None:
        out.append(c.region_code.startswith(region_prefix(flt.region), autoescape=True))
    if flt.level is not None:
        out.append(_body_level(c.body_uscc, flt.level))
    if flt.items:
        out.append(c.item_code.in_(flt.items))
    if flt.procedures:
        out.append(c.procedure.in_(flt.procedures))
    for span, column in ((flt.filed, c.filed_at), (flt.decided, c.decided_at), (flt.closed, c.closed_at)):
        if span is not None:
            out.extend(span.where(column))
    if flt.fine_min_fen is not None:
        out.append(c.fine_fen >= flt.fine_min_fen)
    if flt.fine_max_fen is not None:
        out.append(c.fine_fen <= flt.fine_max_fen)
    if flt.party_id_hash is not None or flt.party_uscc is not None:
        party = select(CasePartyRow.case_id)
        if flt.party_id_hash is not None:
            party = party.where(CasePartyRow.id_number_hash == flt.party_id_hash)
            if flt.party_id_type is not None:
                party = party.where(CasePartyRow.id_type == flt.party_id_type)
        if flt.party_uscc is not None:
            party = party.where(CasePartyRow.uscc == flt.party_uscc)
        out.append(c.id.in_(party))
    if flt.officer_id is not None:
        out.append(c.id.in_(select(CaseOfficerRow.case_id).where(CaseOfficerRow.officer_id == flt.officer_id)))
    if flt.has_active_alerts is not None or flt.alert_rules or flt.alert_severities:
        found = _alert_exists(flt)
        out.append(~found if flt.has_active_alerts is False else found)
    return out


@dataclass(frozen=True, slots=True)
class InspectionFilter:
    bodies: tuple[str, ...] = ()
    region: str | None = None
    level: str | None = None
    items: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    checked: DaySpan | None = None

    def check(self) -> None:
        if self.region is not None:
            region_prefix(self.region)
        if self.checked is not None:
            self.checked.check("filter.checked")


def _where_and_what(table: Any, flt: InspectionFilter | MeasureFilter) -> list[ColumnElement[bool]]:
    """The conditions every record list shares: bodies, region (with the areas below it), level, items."""
    out: list[ColumnElement[bool]] = []
    if flt.bodies:
        out.append(table.body_uscc.in_(flt.bodies))
    if flt.region is not None:
        out.append(table.region_code.startswith(region_prefix(flt.region), autoescape=True))
    if flt.level is not None:
        out.append(_body_level(table.body_uscc, flt.level))
    if flt.items:
        out.append(table.item_code.in_(flt.items))
    return out


def inspection_conditions(flt: InspectionFilter) -> list[ColumnElement[bool]]:
    i = InspectionRow
    out = _where_and_what(i, flt)
    if flt.states:
        out.append(i.state.in_(flt.states))
    if flt.checked is not None:
        out.extend(flt.checked.where(i.checked_on))
    return out


@dataclass(frozen=True, slots=True)
class MeasureFilter:
    bodies: tuple[str, ...] = ()
    region: str | None = None
    level: str | None = None
    items: tuple[str, ...] = ()
    kinds: tuple[str, ...] = ()
    states: tuple[str, ...] = ()
    case_id: str | None = None
    term_due: DaySpan | None = None
    #: in force (not yet ended) with its last day of term before this day: 超期 as of the day
    past_term_on: date | None = None

    def check(self) -> None:
        if self.region is not None:
            region_prefix(self.region)
        if self.term_due is not None:
            self.term_due.check("filter.termDue")


#: measure states in which the property is still held (the term runs)
IN_FORCE_STATES = ("IN_FORCE", "EXTENDED")


def measure_conditions(flt: MeasureFilter) -> list[ColumnElement[bool]]:
    m = MeasureRow
    out = _where_and_what(m, flt)
    if flt.kinds:
        out.append(m.kind.in_(flt.kinds))
    if flt.states:
        out.append(m.state.in_(flt.states))
    if flt.case_id is not None:
        out.append(m.case_id == flt.case_id)
    if flt.term_due is not None:
        out.extend(flt.term_due.where(m.term_due))
    if flt.past_term_on is not None:
        out.append(and_(m.state.in_(IN_FORCE_STATES), m.term_due < flt.past_term_on))
    return out


# --- ordering and keyset pages ----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SortKey:
    """One sort key: a column, what its values are (for the cursor) and the direction."""

    name: str
    column: Any
    kind: str  # "date" | "int" | "str"
    descending: bool = False

    def expression(self) -> ColumnElement[Any]:
        if self.kind == "date":
            return func.coalesce(self.column, literal(_EARLY if self.descending else _LATE, self.column.type))
        if self.kind == "int":
            return func.coalesce(self.column, -_BIG if self.descending else _BIG)
        return func.coalesce(self.column, "")

    def encode(self, value: Any) -> Any:
        return value.isoformat() if isinstance(value, date) else value

    def decode(self, value: Any) -> Any:
        if self.kind == "date":
            return date.fromisoformat(str(value))
        return int(value) if self.kind == "int" else str(value)


@dataclass(frozen=True, slots=True)
class Ordering:
    keys: tuple[SortKey, ...]
    id_column: Any
    signature: str = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "signature", ",".join(f"{k.name}{'-' if k.descending else '+'}" for k in self.keys))

    def columns(self) -> list[ColumnElement[Any]]:
        """The extra columns a page selects (labelled `_s0`, `_s1`, … for the cursor)."""
        return [k.expression().label(f"_s{i}") for i, k in enumerate(self.keys)]

    def order_by(self) -> list[ColumnElement[Any]]:
        return [k.expression().desc() if k.descending else k.expression().asc() for k in self.keys] + [
            self.id_column.asc()]

    def after(self, position: dict[str, Any]) -> ColumnElement[bool]:
        """Rows strictly after the cursor's row in this order."""
        if position.get("o", "") != self.signature:
            raise ListInputError("after", "the cursor was made for another orderBy")
        raw = position.get("v", [])
        if not isinstance(raw, list) or len(raw) != len(self.keys) or not isinstance(position.get("k"), str):
            raise ListInputError("after", "invalid cursor")
        try:
            values = [k.decode(v) for k, v in zip(self.keys, raw, strict=True)]
        except ValueError as exc:
            raise ListInputError("after", "invalid cursor") from exc
        exprs = [k.expression() for k in self.keys]
        branches: list[ColumnElement[bool]] = []
        for i, key in enumerate(self.keys):
            equal = [exprs[j] == values[j] for j in range(i)]
            step = exprs[i] < values[i] if key.descending else exprs[i] > values[i]
            branches.append(and_(*equal, step))
        branches.append(and_(*[e == v for e, v in zip(exprs, values, strict=True)], self.id_column > position["k"]))
        return or_(false(), *branches)

    def cursor_of(self, row: Any) -> dict[str, Any]:
        return {"o": self.signature, "k": row.id,
                "v": [k.encode(getattr(row, f"_s{i}")) for i, k in enumerate(self.keys)]}


CASE_SORT_KEYS: dict[str, tuple[Any, str]] = {
    "CASE_NO": (CaseRow.case_no, "str"), "FILED_ON": (CaseRow.filed_at, "date"),
    "DECIDED_ON": (CaseRow.decided_at, "date"), "CLOSED_ON": (CaseRow.closed_at, "date"),
    "FINE": (CaseRow.fine_fen, "int"), "STATUS": (CaseRow.status, "str"), "ITEM": (CaseRow.item_code, "str"),
    "BODY": (CaseRow.body_uscc, "str"), "REGION": (CaseRow.region_code, "str"),
}
MEASURE_SORT_KEYS: dict[str, tuple[Any, str]] = {
    "TERM_DUE": (MeasureRow.term_due, "date"), "STARTED_ON": (MeasureRow.started_on, "date"),
    "BODY": (MeasureRow.body_uscc, "str"), "STATE": (MeasureRow.state, "str"),
}
INSPECTION_SORT_KEYS: dict[str, tuple[Any, str]] = {
    "CHECKED_ON": (InspectionRow.checked_on, "date"), "BODY": (InspectionRow.body_uscc, "str"),
    "STATE": (InspectionRow.state, "str"), "ITEM": (InspectionRow.item_code, "str"),
}


def ordering(keys: dict[str, tuple[Any, str]], wanted: Sequence[tuple[str, bool]], id_column: Any) -> Ordering:
    """The ordering of `wanted` (field name, descending) over a table's sort keys; the id breaks ties."""
    if len(wanted) > 4:
        raise ListInputError("orderBy", f"at most 4 sort fields (got {len(wanted)})")
    names = [name for name, _ in wanted]
    if len(set(names)) != len(names):
        raise ListInputError("orderBy", "a field appears twice")
    return Ordering(tuple(SortKey(name, *keys[name], descending=desc) for name, desc in wanted), id_column)


async def keyset_page(conn: Any, base: Select[Any] | Any, conditions: Sequence[ColumnElement[bool]], order: Ordering,
                      *, after: dict[str, Any] | None, limit: int) -> tuple[list[Any], dict[str, Any] | None]:
    """Up to `limit` rows of `base` matching `conditions` after the cursor position, and the next
    cursor position (None on the last page)."""
    stmt = base.add_columns(*order.columns()).where(*conditions)
    if after is not None:
        stmt = stmt.where(order.after(after))
    rows = list((await conn.execute(stmt.order_by(*order.order_by()).limit(limit + 1))).all())
    more = len(rows) > limit
    rows = rows[:limit]
    return rows, order.cursor_of(rows[-1]) if more and rows else None


async def count_of(conn: Any, table: Any, conditions: Sequence[ColumnElement[bool]]) -> int:
    """The exact number of rows of `table` matching `conditions` (every page's `total`)."""
    return int((await conn.execute(select(func.count()).select_from(table).where(*conditions))).scalar_one())
