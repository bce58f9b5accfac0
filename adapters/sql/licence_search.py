"""Licences listed by filter, in SQL at the licensing system's database: criteria -> WHERE, keyset pages.

Everything is built with SQLAlchemy Core over the names and codes of the mapping (`licence.toml`): the
status codes and the revoked flag's values from its code tables, the date format from its date fields.
Status "as of today" is the rule `status_on` applies to one licence, written as SQL:

    REVOKED   the revoked flag is set
    VALID     not revoked, the source status is VALID, and validTo is absent, 长期 (2099-12-31) or >= today
    EXPIRED   not revoked, and the source status is EXPIRED, or VALID with validTo < today (not 长期)

`sourceStatus` is the source's own value (REVOKED = the flag; VALID / EXPIRED = the status code).
Dates are compared as the legacy text, so the mapping's date format must sort as text (%Y%m%d or
%Y-%m-%d; checked at start-up). Pages are keyset: ORDER BY (sort key, id) and "after the last (sort
key, id)" — never OFFSET — with `limit + 1` rows read to know whether another page follows; `total`
is a COUNT(*) of the same WHERE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, Table, and_, false, func, or_, select, true

from adapters.errors import MappingError
from adapters.mapping import Mapping
from domain.entities import HolderKind, LicenceStatus

_SORTABLE_FORMATS = ("%Y%m%d", "%Y-%m-%d")
LONG_TERM = date(2099, 12, 31)
SORT_LABEL = "__sort_key"


class LicenceOrder(StrEnum):
    ID = "ID"
    VALID_TO = "VALID_TO"


@dataclass(frozen=True)
class LicenceCriteria:
    """Every condition given must hold; empty / None means "any". `today` dates the status rule."""

    today: date
    statuses: tuple[LicenceStatus, ...] = ()
    source_statuses: tuple[LicenceStatus, ...] = ()
    holder_uscc: str | None = None
    issuing_authority_uscc: str | None = None
    category: str | None = None
    expiring_before: date | None = None
    valid_on: date | None = None


@dataclass(frozen=True)
class LicenceKey:
    """Where a page ended: the sort key's legacy text and the licence id."""

    sort: str
    id: str


class LicenceQuery:
    """Builds the COUNT and the page SELECT for criteria over the mapped legacy table."""

    def __init__(self, table: Table, categories: Table, mapping: Mapping) -> None:
        self._table = table
        self._mapping = mapping
        c = table.c
        self._id = c[mapping.column("id")]
        self._status = func.trim(c[mapping.column("status")])
        revoked_rule = mapping.rule("revoked")
        self._revoked = func.coalesce(func.trim(c[revoked_rule.source]), "").in_(list(revoked_rule.true_values))
        self._valid_to = func.coalesce(func.trim(c[mapping.column("valid_to")]), "")
        self._valid_from = func.coalesce(func.trim(c[mapping.column("valid_from")]), "")
        self._holder = c[mapping.column("holder_code")]
        self._holder_kind = c[mapping.column("holder_kind")]
        self._issuer = c[mapping.column("issuing_authority_uscc")]
        self._category = c[mapping.column("licence_category")]
        options = mapping.options
        code_col = categories.c[str(options["category_code_column"])]
        label_col = categories.c[str(options["category_label_column"])]
        self._category_codes = (code_col, label_col)
        self._format = self._date_format()
        status_table = mapping.rule("status").table or "status"
        self._status_codes = mapping.reverse_codes(status_table)
        self._entity_codes = mapping.reverse_codes(mapping.rule("holder_kind").table or "holder_kind").get(
            HolderKind.ENTITY.value, [])

    def _date_format(self) -> str:
        formats = {self._mapping.rule(f).format for f in ("valid_to", "valid_from")}
        if len(formats) != 1 or next(iter(formats)) not in _SORTABLE_FORMATS:
            raise MappingError(f"{self._mapping.source}: valid_from/valid_to need one date format that sorts as "
                               f"text ({' or '.join(_SORTABLE_FORMATS)}) to be filtered in SQL")
        return str(next(iter(formats)))

    def _day(self, day: date) -> str:
        return day.strftime(self._format)

    def _source_is(self, status: LicenceStatus) -> ColumnElement[bool]:
        if status is LicenceStatus.REVOKED:
            return self._revoked
        codes = self._status_codes.get(status.value, [])
        return and_(~self._revoked, self._status.in_(codes)) if codes else false()

    def _lapsed(self, today: date) -> ColumnElement[bool]:
        vt = self._valid_to
        return and_(vt != "", vt != self._day(LONG_TERM), vt < self._day(today))

    def _is_now(self, status: LicenceStatus, today: date) -> ColumnElement[bool]:
        valid = self._source_is(LicenceStatus.VALID)
        if status is LicenceStatus.VALID:
            return and_(valid, ~self._lapsed(today))
        if status is LicenceStatus.EXPIRED:
            return or_(self._source_is(LicenceStatus.EXPIRED), and_(valid, self._lapsed(today)))
        return self._revoked

    def where(self, criteria: LicenceCriteria) -> ColumnElement[bool]:
        conditions: list[ColumnElement[bool]] = []
        if criteria.statuses:
            conditions.append(or_(*(self._is_now(s, criteria.today) for s in dict.fromkeys(criteria.statuses))))
        if criteria.source_statuses:
            conditions.append(or_(*(self._source_is(s) for s in dict.fromkeys(criteria.source_statuses))))
        if criteria.holder_uscc is not None:
            conditions.append(and_(self._holder == criteria.holder_uscc, self._holder_kind.in_(self._entity_codes)))
        if criteria.issuing_authority_uscc is not None:
            conditions.append(self._issuer == criteria.issuing_authority_uscc)
        if criteria.category is not None:
            code_col, label_col = self._category_codes
            coded = select(code_col).where(label_col == criteria.category).scalar_subquery()
            conditions.append(or_(self._category == criteria.category, self._category.in_(coded)))
        if criteria.expiring_before is not None:
            conditions.append(and_(self._valid_to != "", self._valid_to < self._day(criteria.expiring_before)))
        if criteria.valid_on is not None:
            day = self._day(criteria.valid_on)
            conditions.append(and_(or_(self._valid_from == "", self._valid_from <= day),
                                   or_(self._valid_to == "", self._valid_to >= day)))
        return and_(true(), *conditions)

    def _sort(self, order: LicenceOrder) -> ColumnElement[Any]:
        return self._id if order is LicenceOrder.ID else self._valid_to

    def count(self, criteria: LicenceCriteria) -> Select[Any]:
        return select(func.count()).select_from(self._table).where(self.where(criteria))

    def page(self, criteria: LicenceCriteria, *, order: LicenceOrder, after: LicenceKey | None,
             limit: int) -> Select[Any]:
        """`limit + 1` rows after `after` in (sort key, id) order, each with its sort key as SORT_LABEL."""
        sort = self._sort(order)
        condition = self.where(criteria)
        if after is not None:
            if order is LicenceOrder.ID:
                condition = and_(condition, self._id > after.id)
            else:
                condition = and_(condition, or_(sort > after.sort, and_(sort == after.sort, self._id > after.id)))
        stmt = select(self._table, sort.label(SORT_LABEL)).where(condition)
        if order is LicenceOrder.ID:
            return stmt.order_by(self._id).limit(limit + 1)
        return stmt.order_by(sort, self._id).limit(limit + 1)
