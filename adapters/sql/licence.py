"""Adapter over the licensing system's legacy database (T_XK_ZZXX …): read-only SQL -> `Licence`.

The table, its columns and code tables are named by the mapping file `licence.toml`, not in code.
Statements are built with SQLAlchemy Core over those names (never string formatting). Every
statement sent is counted (`statements`, through a SQLAlchemy `before_cursor_execute` event) so
tests can check that a page of entities costs one query, not one per row.

`search` lists licences by `LicenceCriteria` (`adapters.sql.licence_search`): the filter, the count and
the keyset page are SQL at the source, two statements per page.

Failures: a database that cannot be opened, is locked past the busy timeout, or does not answer in
time is `SourceUnavailable`; a row that fails validation is a `MalformedRecord` for that row only.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from opentelemetry.trace import SpanKind
from sqlalchemy import Column, MetaData, Table, Text, event, select
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import NullPool

from adapters.errors import MalformedRecord, SourceUnavailable
from adapters.mapping import Mapping, load_mapping
from adapters.resilience import Resilient
from adapters.sql.licence_search import SORT_LABEL, LicenceCriteria, LicenceKey, LicenceOrder, LicenceQuery
from domain.entities import HolderKind, IdType, Licence, LicenceStatus, Provenance
from domain.identifiers import validate_resident_id, validate_uscc
from domain.masking import mask_id_number
from telemetry.spans import span

SOURCE = "licence"
T = TypeVar("T")
_CHUNK = 500
log = logging.getLogger("adapters.licence")


def open_legacy_engine(url: str, *, timeout_s: float) -> AsyncEngine:
    """An engine on the legacy database. NullPool: every read opens the file afresh, as the
    department's own reporting tools do, so a database moved aside is noticed at once."""
    return create_async_engine(url, poolclass=NullPool, connect_args={"timeout": timeout_s})


@dataclass(frozen=True)
class LicencePage:
    """One page of a search: `total` counts every match; `last` is where the next page starts (the last
    row read, malformed or not), None when no page follows."""

    total: int
    records: list[Licence | MalformedRecord]
    last: LicenceKey | None


class LicenceDatabase:
    def __init__(self, engine: AsyncEngine, *, resilient: Resilient, mapping: Mapping | None = None,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC)) -> None:
        self._engine = engine
        self._resilient = resilient
        self._mapping = mapping or load_mapping("licence")
        self._clock = clock
        options = self._mapping.options
        self.data_source = str(options.get("data_source", SOURCE))
        columns = [Column(rule.source, Text) for rule in self._mapping.fields]
        self._table = Table(str(options["table"]), MetaData(), *columns)
        self._key = self._table.c[str(options["key_column"])]
        self._holder = self._table.c[str(options["holder_column"])]
        self._categories_table = Table(
            str(options["category_table"]), MetaData(),
            Column(str(options["category_code_column"]), Text), Column(str(options["category_label_column"]), Text))
        self._categories: dict[str, str] | None = None
        self._query = LicenceQuery(self._table, self._categories_table, self._mapping)
        self.statements = 0
        event.listen(engine.sync_engine, "before_cursor_execute", self._count)

    def _count(self, *_: Any) -> None:
        self.statements += 1

    async def by_ids(self, ids: Sequence[str]) -> dict[str, Licence | Exception]:
        rows = await self._select(self._key, list(dict.fromkeys(ids)))
        out: dict[str, Licence | Exception] = {}
        for row in rows:
            licence = self._to_licence(row)
            out[str(row[self._key.name])] = licence
        return out

    async def by_holder_codes(self, codes: Sequence[str]) -> dict[str, list[Licence | MalformedRecord]]:
        """Licences of each holder (USCC or ID number); every code given is in the result."""
        wanted = list(dict.fromkeys(codes))
        out: dict[str, list[Licence | MalformedRecord]] = {code: [] for code in wanted}
        for row in await self._select(self._holder, wanted):
            out.setdefault(str(row[self._holder.name]), []).append(self._to_licence(row))
        return out

    async def search(self, criteria: LicenceCriteria, *, order: LicenceOrder = LicenceOrder.ID,
                     after: LicenceKey | None = None, limit: int) -> LicencePage:
        """Up to `limit` licences matching `criteria` after `after`, in (sort key, id) order, and the total."""

        async def run(conn: AsyncConnection) -> tuple[int, list[dict[str, Any]]]:
            total = int((await conn.execute(self._query.count(criteria))).scalar_one())
            stmt = self._query.page(criteria, order=order, after=after, limit=limit)
            return total, [dict(r) for r in (await conn.execute(stmt)).mappings().all()]

        total, rows = await self._read(run)
        more = len(rows) > limit
        rows = rows[:limit]
        last = LicenceKey(sort=str(rows[-1][SORT_LABEL]), id=str(rows[-1][self._key.name])) if more else None
        return LicencePage(total=total, records=[self._to_licence(row) for row in rows], last=last)

    async def _select(self, column: Column[Any], values: list[str]) -> list[dict[str, Any]]:
        if not values:
            return []

        async def run(conn: AsyncConnection) -> list[dict[str, Any]]:
            rows: list[dict[str, Any]] = []
            for start in range(0, len(values), _CHUNK):
                stmt = select(self._table).where(column.in_(values[start : start + _CHUNK])).order_by(self._key)
                rows.extend(dict(r) for r in (await conn.execute(stmt)).mappings().all())
            return rows

        return await self._read(run)

    async def _read(self, run: Callable[[AsyncConnection], Awaitable[T]]) -> T:
        """Run statements on one connection (the category code table read first, once), resiliently."""

        async def read() -> T:
            # a CLIENT span per attempt (the statements and their parameters stay out of it)
            with span("licence database read", kind=SpanKind.CLIENT, attributes={"peer.service": SOURCE}):
                try:
                    async with self._engine.connect() as conn:
                        if self._categories is None:
                            cat = self._categories_table.c
                            result = await conn.execute(select(*cat))
                            self._categories = {str(code): str(label) for code, label in result.all()}
                        return await run(conn)
                except (OperationalError, DBAPIError) as exc:
                    raise SourceUnavailable(SOURCE, f"database error ({type(exc.orig).__name__ if exc.orig else 'unknown'})") from exc

        return await self._resilient.call(read)

    def _to_licence(self, row: dict[str, Any]) -> Licence | MalformedRecord:
        values, problems = self._mapping.apply(row)
        key = str(values.get("id") or "(no id)")
        kind = values.get("holder_kind")
        code = values.get("holder_code")
        id_type = values.get("holder_id_type")
        if isinstance(code, str):
            code = code.strip().upper()
            if kind == HolderKind.ENTITY.value:
                problems.extend(f"{self._mapping.column('holder_code')}: {p.code.value}" for p in validate_uscc(code).errors)
            elif kind == HolderKind.PERSON.value and id_type in (None, IdType.RESIDENT_ID.value):
                id_type = IdType.RESIDENT_ID.value
                check = validate_resident_id(code, today=self._clock().date())
                problems.extend(f"{self._mapping.column('holder_code')}: {p.code.value}" for p in check.errors)
        if problems:
            log.warning("licence: malformed row %s (holder %s): %s", key,
                        mask_id_number(code) if isinstance(code, str) and kind == "PERSON" else code, "; ".join(problems))
            return MalformedRecord(SOURCE, key, problems)
        assert isinstance(code, str)
        category = values.get("licence_category")
        if isinstance(category, str) and self._categories is not None:
            category = self._categories.get(category, category)
        valid_to = values.get("valid_to")
        status = LicenceStatus(values["status"])
        if values.get("revoked"):
            status = LicenceStatus.REVOKED
        is_person = kind == HolderKind.PERSON.value
        return Licence(
            id=key,
            holder_kind=HolderKind(str(kind)),
            holder_name=values["holder_name"],
            holder_uscc=None if is_person else code,
            holder_id_type=IdType(id_type) if is_person and id_type else None,
            holder_id_number=code if is_person else None,
            licence_category=category,
            certificate_name=values["certificate_name"],
            certificate_no=values["certificate_no"],
            content=values.get("content"),
            decision_doc_no=values.get("decision_doc_no"),
            decision_date=_as_date(values.get("decision_date")),
            valid_from=_as_date(values.get("valid_from")),
            valid_to=_as_date(valid_to),
            issuing_authority=values.get("issuing_authority"),
            issuing_authority_uscc=values.get("issuing_authority_uscc"),
            status=status,
            provenance=Provenance(data_source=self.data_source, fetched_at=self._clock()),
        )


def _as_date(value: Any) -> date | None:
    return value if isinstance(value, date) else None
