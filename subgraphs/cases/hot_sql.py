"""The case store's hot path: statements built once per table, run on the database driver itself.

A case transition is a handful of small statements (read the case; update it under its version;
append its events, deadlines and outbox messages). Through the ORM expression layer each of them
costs more Python than the database spends on it: building the statement, computing its cache key,
coercing every value. Here each statement is written once per (table, columns) as SQL text in the
driver's own parameter style, every value goes through the same bind processor SQLAlchemy would
apply for that column on that dialect (so the stored bytes read back through the ORM unchanged),
except JSON, which is serialised with orjson, and the statement is sent on the pooled connection's
driver (asyncpg, whose prepared-statement cache makes a repeated statement one round trip; the
standard library's sqlite3 behind aiosqlite).

`Driver` is the thin common face of the two drivers: `row`, `run` (returns the number of rows
changed), `many` (one statement, many rows: asyncpg pipelines them), and `transaction`.
An optional `trace` callback sees every (sql, args) sent, which is how the case benchmark measures
the floor: the same statements replayed straight on the driver without the hub around them.
"""

from __future__ import annotations

import sqlite3
from collections.abc import AsyncIterator, Callable, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import orjson
from sqlalchemy import JSON, Column
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection

try:  # asyncpg is installed with the hub, but the SQLite default must not need it at import time
    from asyncpg.exceptions import IntegrityConstraintViolationError as _PgIntegrity  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - asyncpg is a declared dependency
    _PgIntegrity = sqlite3.IntegrityError

#: what a driver raises for a primary-key, unique or foreign-key violation
DRIVER_INTEGRITY_ERRORS: tuple[type[BaseException], ...] = (_PgIntegrity, sqlite3.IntegrityError)

Trace = Callable[[str, Sequence[Any]], None]
#: a table (a mapped class's `__table__`)
Table = Any


def json_text(value: Any) -> str:
    return orjson.dumps(value).decode()


@dataclass(frozen=True, slots=True)
class Statement:
    """SQL text and, per parameter, the row key it takes and the processor its value goes through."""

    sql: str
    keys: tuple[str, ...]
    processors: tuple[Callable[[Any], Any] | None, ...]
    defaults: tuple[tuple[str, Any], ...] = ()

    def args(self, values: Mapping[str, Any]) -> tuple[Any, ...]:
        if self.defaults:
            values = {**dict(self.defaults), **values}
        out = []
        for key, proc in zip(self.keys, self.processors, strict=True):
            value = values[key]
            out.append(value if proc is None or value is None else proc(value))
        return tuple(out)


def _processor(column: Column[Any], dialect: Dialect) -> Callable[[Any], Any] | None:
    if isinstance(column.type, JSON):
        return json_text
    return column.type.dialect_impl(dialect).bind_processor(dialect)


def placeholders(pg: bool, n: int) -> tuple[str, ...]:
    """The driver's marks for `n` parameters: asyncpg numbers them ($1, $2, ...), sqlite3 takes ``?``."""
    return tuple(f"${i}" for i in range(1, n + 1)) if pg else ("?",) * n


class Sql:
    """The statements of one dialect, each built on first use and kept."""

    def __init__(self, dialect: Dialect) -> None:
        self.dialect = dialect
        self.dollar = dialect.name == "postgresql"
        self._quote = dialect.identifier_preparer.quote
        self._made: dict[tuple[Any, ...], Statement] = {}

    def _mark(self, n: int) -> str:
        return placeholders(self.dollar, n)[-1]

    def _statement(self, table: Table, sql: str, keys: Sequence[str], columns: Sequence[str]) -> Statement:
        procs = tuple(_processor(table.c[c], self.dialect) for c in columns)
        return Statement(sql, tuple(keys), procs)

    def _once(self, cache_key: tuple[Any, ...], build: Callable[[], Statement]) -> Statement:
        found = self._made.get(cache_key)
        if found is None:
            found = self._made[cache_key] = build()
        return found

    def _columns(self, columns: Iterable[str]) -> str:
        return ", ".join(self._quote(c) for c in columns)

    def insert(self, table: Table, keys: Iterable[str], *, ignore_conflict: Sequence[str] = ()) -> Statement:
        """INSERT of one row with `keys`; the Python-side scalar defaults of the other columns are filled in."""
        names = tuple(sorted(keys))

        def build() -> Statement:
            defaults = tuple((c.key, cast(Any, c.default).arg) for c in table.c
                             if c.key not in names and c.default is not None and c.default.is_scalar)
            columns = names + tuple(k for k, _v in defaults)
            sql = (f"INSERT INTO {self._quote(table.name)} ({self._columns(columns)}) "
                   f"VALUES ({', '.join(self._mark(i) for i in range(1, len(columns) + 1))})")
            if ignore_conflict:
                sql += f" ON CONFLICT ({self._columns(ignore_conflict)}) DO NOTHING"
            stmt = self._statement(table, sql, columns, columns)
            return Statement(stmt.sql, stmt.keys, stmt.processors, defaults)
        return self._once(("insert", table.name, names, tuple(ignore_conflict)), build)

    def update(self, table: Table, sets: Iterable[str], where: Sequence[str]) -> Statement:
        """UPDATE setting `sets` WHERE every `where` column equals its value (row keys ``where_<column>``)."""
        names = tuple(sorted(sets))

        def build() -> Statement:
            q = self._quote
            assigns = ", ".join(f"{q(c)} = {self._mark(i)}" for i, c in enumerate(names, start=1))
            conds = " AND ".join(f"{q(c)} = {self._mark(i)}" for i, c in enumerate(where, start=len(names) + 1))
            return self._statement(table, f"UPDATE {q(table.name)} SET {assigns} WHERE {conds}",
                                   names + tuple(f"where_{c}" for c in where), names + tuple(where))
        return self._once(("update", table.name, names, tuple(where)), build)

    def select(self, table: Table, columns: Sequence[str], where: str) -> Statement:
        """SELECT `columns` of the row whose `where` column equals the one parameter (key ``where``)."""
        return self._once(("select", table.name, tuple(columns), where), lambda: self._statement(
            table, f"SELECT {self._columns(columns)} FROM {self._quote(table.name)} "
                   f"WHERE {self._quote(where)} = {self._mark(1)}", ("where",), (where,)))

    def page(self, table: Table, columns: Sequence[str], key: str) -> Statement:
        """Keyset page: `columns` of the rows whose `key` is above ``after``, in key order, at most ``limit``."""
        k = self._quote(key)
        return self._once(("page", table.name, tuple(columns), key), lambda: Statement(
            f"SELECT {self._columns(columns)} FROM {self._quote(table.name)} WHERE {k} > {self._mark(1)} "
            f"ORDER BY {k} LIMIT {self._mark(2)}", ("after", "limit"), (None, None)))

    def delete(self, table: Table, where: str) -> Statement:
        return self._once(("delete", table.name, where), lambda: self._statement(
            table, f"DELETE FROM {self._quote(table.name)} WHERE {self._quote(where)} = {self._mark(1)}",
            ("where",), (where,)))

    def counter_next(self, table: Table, key: str, value: str) -> Statement:
        """Upsert-and-increment of a counter row by `n`, returning the new value (one round trip).
        Row keys: ``scope`` (the key column's value) and ``n``."""
        t, k, v = self._quote(table.name), self._quote(key), self._quote(value)
        return self._once(("counter", table.name, key, value), lambda: Statement(
            f"INSERT INTO {t} ({k}, {v}) VALUES ({self._mark(1)}, {self._mark(2)}) "
            f"ON CONFLICT ({k}) DO UPDATE SET {v} = {t}.{v} + excluded.{v} RETURNING {v}", ("scope", "n"), (None, None)))


@cache
def sql_for(dialect_name: str) -> Sql:
    if dialect_name == "postgresql":
        from sqlalchemy.dialects.postgresql.asyncpg import dialect as pg_dialect
        return Sql(pg_dialect())  # type: ignore[no-untyped-call]
    from sqlalchemy.dialects.sqlite.aiosqlite import dialect as sqlite_dialect
    return Sql(sqlite_dialect())


class Driver:
    """The pooled connection's driver connection, with the four operations the hot path needs."""

    def __init__(self, raw: Any, dialect_name: str, trace: Trace | None = None) -> None:
        self.raw = raw
        self.pg = dialect_name == "postgresql"
        self.sql = sql_for(dialect_name)
        self.trace = trace

    async def row(self, stmt: Statement, values: Mapping[str, Any]) -> Any:
        args = stmt.args(values)
        if self.trace is not None:
            self.trace(stmt.sql, args)
        if self.pg:
            return await self.raw.fetchrow(stmt.sql, *args)
        cursor = await self.raw.execute(stmt.sql, args)
        try:
            return await cursor.fetchone()
        finally:
            await cursor.close()

    async def rows(self, stmt: Statement, values: Mapping[str, Any]) -> list[Any]:
        args = stmt.args(values)
        if self.trace is not None:
            self.trace(stmt.sql, args)
        if self.pg:
            return list(await self.raw.fetch(stmt.sql, *args))
        cursor = await self.raw.execute(stmt.sql, args)
        try:
            return list(await cursor.fetchall())
        finally:
            await cursor.close()

    async def run(self, stmt: Statement, values: Mapping[str, Any]) -> int:
        args = stmt.args(values)
        if self.trace is not None:
            self.trace(stmt.sql, args)
        if self.pg:
            status = await self.raw.execute(stmt.sql, *args)
            return int(status.rsplit(" ", 1)[-1]) if status and status[-1].isdigit() else 0
        cursor = await self.raw.execute(stmt.sql, args)
        try:
            return int(cursor.rowcount)
        finally:
            await cursor.close()

    async def many(self, stmt: Statement, rows: Sequence[Mapping[str, Any]]) -> None:
        if not rows:
            return
        if len(rows) == 1:
            await self.run(stmt, rows[0])
            return
        batch = [stmt.args(r) for r in rows]
        if self.trace is not None:
            for args in batch:
                self.trace(stmt.sql, args)
        await self.raw.executemany(stmt.sql, batch)

    async def insert_rows(self, table: Table, rows: Sequence[Mapping[str, Any]], *,
                          ignore_conflict: Sequence[str] = ()) -> None:
        """INSERT every row, one batch per set of keys the rows carry."""
        groups: dict[tuple[str, ...], list[Mapping[str, Any]]] = {}
        for row in rows:
            groups.setdefault(tuple(sorted(row)), []).append(row)
        for keys, group in groups.items():
            await self.many(self.sql.insert(table, keys, ignore_conflict=ignore_conflict), group)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[None]:
        if self.pg:
            async with self.raw.transaction():
                yield
            return
        try:
            yield
        except BaseException:
            await self.raw.rollback()
            raise
        await self.raw.commit()


@asynccontextmanager
async def driver(conn: AsyncConnection, trace: Trace | None = None) -> AsyncIterator[Driver]:
    """The driver of `conn` (an SQLAlchemy connection checked out of the engine's pool)."""
    fairy = await conn.get_raw_connection()
    yield Driver(fairy.driver_connection, conn.dialect.name, trace)
