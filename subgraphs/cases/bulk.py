"""Writing whole new cases in bulk: `COPY` on PostgreSQL, `executemany` on SQLite, one transaction
per batch, resumable after a crash.

`BulkWriter(engine, ctx).write(entries)` writes `CaseHistory` and `ImportedCase` entries with every
row `CaseService.execute` would have written for them (`subgraphs.cases.new_cases`): the case, its
parties, its SM3 event chain, deadlines, the officer and penalty-kind index rows, the messages owed
to the data centre and the credit platform, and the case-number counters.

* One batch is one transaction: its presence check, its counter updates and every row are
  committed together or not at all, so a crash loses at most the batch being written and gives no
  case number twice (numbers reserved by a rolled-back batch are reserved again by the next).
* A case whose id is already stored is skipped (counted as present), and so is a second entry with
  the same id: running the same input again after a crash writes only what is missing.
* A case the database refuses (a value too long for its column, a clash with a row written
  meanwhile) fails its batch; the batch is then split until the refused case stands alone, and
  only that case is left out, with the database's reason. Anything else (the store is down) is
  raised: what was committed stays, and the next run goes on from there.
* Values go through the same column conversions as every other write of the case store
  (`hot_sql.Sql.insert`: SQLAlchemy's bind processors, JSON as orjson text), and a snapshot is
  stored as the text its digest was computed from (`subgraphs.cases.snapshot_json`), so readers,
  `hub audit verify` and the sweep read the rows as the service's own.

While one batch is being written, the next one is built: snapshots written and hashed, chains
linked, and every row that does not need a case number converted for the driver; the builder
yields to the event loop every millisecond, so the database works meanwhile. Inside a batch's
transaction only the numbers are drawn, the case rows and the messages (which carry the number)
made, and the rows loaded.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import operator
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.hashchain import HashChainError
from subgraphs.cases.codec import CodecError
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.errors import CaseDomainError
from subgraphs.cases.errors import CaseServiceError
from subgraphs.cases.hot_sql import DRIVER_INTEGRITY_ERRORS, Driver, Sql, Statement, driver, sql_for
from subgraphs.cases.new_cases import (
    TABLES,
    CaseEntry,
    NewCase,
    chained_events,
    decoded,
    entry_case_id,
    new_case,
    owed_messages,
    reserve_case_nos,
    unnumbered_rows,
)
from subgraphs.cases.outbox.credit import PublicityPolicy

try:  # a value the column cannot hold (too long, out of range) on PostgreSQL
    from asyncpg.exceptions import DataError as _PgDataError  # type: ignore[import-untyped]
except ImportError:  # pragma: no cover - asyncpg is a declared dependency
    _PgDataError = sqlite3.DataError

DEFAULT_BATCH = 1000
#: what building a case may raise for a bad entry (the entry is refused, the others written)
ENTRY_ERRORS = (CaseServiceError, CaseDomainError, CodecError, HashChainError, ValueError)
#: what the database raises for a row it refuses: the batch is split to find that row
REFUSED_ROW_ERRORS: tuple[type[BaseException], ...] = (*DRIVER_INTEGRITY_ERRORS, _PgDataError, sqlite3.DataError)
#: allocations between two young-generation collections while a bulk write lasts
_GC_GEN0 = 100_000
#: how long (seconds) the builder runs before it lets the event loop turn (the batch being written
#: waits for the loop to send its rows: a long turn leaves the database idle)
_SLICE = 0.001


@dataclass(frozen=True, slots=True)
class Refusal:
    """An entry left out: `label` is the caller's name for it (a line number), `reason` why."""

    label: str
    case_id: str | None
    reason: str

    def __str__(self) -> str:
        case = f" (case {self.case_id})" if self.case_id else ""
        return f"{self.label}{case}: {self.reason}"


@dataclass
class BulkResult:
    written: int = 0
    present: int = 0
    refused: list[Refusal] = field(default_factory=list)

    @property
    def seen(self) -> int:
        return self.written + self.present + len(self.refused)

    def add(self, other: BulkResult) -> None:
        self.written += other.written
        self.present += other.present
        self.refused.extend(other.refused)


@dataclass(frozen=True, slots=True)
class _Built:
    """One case ready to write: every row that does not need its number already converted for the
    driver (`records`: table key → (statement, records)); the case row and messages wait for it."""

    label: str
    case: NewCase
    events: tuple[list[dict[str, Any]], int, str]
    case_row: dict[str, Any]
    records: dict[str, tuple[Statement, list[tuple[Any, ...]]]]
    now: datetime


class _RowRefused(Exception):
    """The database refused a row of the batch (integrity or data error); `reason` is its message."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def utcnow() -> datetime:
    return datetime.now(UTC)


class BulkWriter:
    """Writes new cases in batches; `ctx` names bodies and items in the outbound messages."""

    def __init__(self, engine: AsyncEngine, ctx: GuardContext, *, publicity: PublicityPolicy | None = None,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.ctx = ctx
        self.publicity = publicity or PublicityPolicy()
        self.clock = clock

    async def write(self, entries: Iterable[CaseEntry], *, batch: int = DEFAULT_BATCH,
                    progress: Callable[[BulkResult], None] | None = None) -> BulkResult:
        """Write `entries` (labelled by their position, from 1) in batches of `batch` cases."""
        return await self.write_labelled(((f"entry {n}", e) for n, e in enumerate(entries, start=1)),
                                         batch=batch, progress=progress)

    async def write_labelled(self, entries: Iterable[tuple[str, CaseEntry]], *, batch: int = DEFAULT_BATCH,
                             progress: Callable[[BulkResult], None] | None = None) -> BulkResult:
        if batch < 1:
            raise ValueError("a batch holds at least one case")
        with _fewer_collections():
            return await self._write_labelled(entries, batch, progress)

    async def _write_labelled(self, entries: Iterable[tuple[str, CaseEntry]], batch: int,
                              progress: Callable[[BulkResult], None] | None) -> BulkResult:
        total = BulkResult()
        writing: asyncio.Task[BulkResult] | None = None
        iterator = iter(entries)
        try:
            for _ in range(1 << 62):  # bounded: ends when the entries do
                chunk = [pair for _n, pair in zip(range(batch), iterator, strict=False)]
                if not chunk:
                    break
                built = await self._build(chunk)  # while the previous batch is written
                if writing is not None:
                    done, writing = writing, None
                    total.add(await done)
                    if progress is not None:
                        progress(total)
                writing = asyncio.ensure_future(self._commit(built))
            if writing is not None:
                done, writing = writing, None
                total.add(await done)
                if progress is not None:
                    progress(total)
        finally:
            if writing is not None:  # building failed: the batch being written still ends (or rolls back)
                with contextlib.suppress(Exception):
                    await writing
        return total

    async def present(self, case_ids: Sequence[str]) -> set[str]:
        """Which of `case_ids` the store holds already."""
        async with self.engine.connect() as conn, driver(conn) as drv:
            return await _present(drv, case_ids)

    # -- building (no transaction open) ----------------------------------------------------------

    async def _build(self, chunk: Sequence[tuple[str, CaseEntry]]) -> tuple[list[_Built], BulkResult]:
        result = BulkResult()
        named: list[tuple[str, str, CaseEntry]] = []
        for label, entry in chunk:
            try:
                named.append((label, entry_case_id(entry), entry))
            except ENTRY_ERRORS as exc:
                result.refused.append(Refusal(label, None, str(exc)))
        stored = await self.present(list(dict.fromkeys(case_id for _l, case_id, _e in named)))
        ids: list[tuple[str, str, CaseEntry]] = []
        seen: set[str] = set()
        for label, case_id, entry in named:
            if case_id in stored:
                result.present += 1  # stored already (a deferred entry is not even decoded)
                continue
            try:
                entry = decoded(entry)
            except ENTRY_ERRORS as exc:
                result.refused.append(Refusal(label, None, str(exc)))
                continue
            if case_id in seen:
                result.present += 1  # the same case twice in the input: the first one is written
                continue
            seen.add(case_id)
            ids.append((label, case_id, entry))
        now = self.clock()
        sql = sql_for(self.engine.dialect.name)
        built: list[_Built] = []
        turn = time.perf_counter()
        for label, case_id, entry in ids:
            if time.perf_counter() - turn > _SLICE:
                await asyncio.sleep(0)  # let the batch being written make progress
                turn = time.perf_counter()
            try:
                case = new_case(entry)
                events = chained_events(case, now)
                rows = unnumbered_rows(case, events, now)
                records = {key: _converted(sql, _table(key), part) for key, part in rows.items()
                           if key != "case" and part}
                built.append(_Built(label, case, events, rows["case"][0], records, now))
            except ENTRY_ERRORS as exc:
                result.refused.append(Refusal(label, case_id, str(exc)))
        return built, result

    # -- writing ---------------------------------------------------------------------------------

    async def _commit(self, prepared: tuple[list[_Built], BulkResult]) -> BulkResult:
        built, result = prepared
        pending = [built]
        for _ in range(4 * len(built) + 1):  # bounded: every split halves a part that failed
            if not pending:
                break
            part = pending.pop()
            if not part:
                continue
            try:
                written, present = await self._write_part(part)
                result.written += written
                result.present += present
            except _RowRefused as exc:
                if len(part) > 1:
                    half = len(part) // 2
                    pending.extend((part[half:], part[:half]))
                    continue
                lone = part[0]
                if await self.present([lone.case.case_id]):
                    result.present += 1  # written meanwhile by another writer
                else:
                    result.refused.append(Refusal(lone.label, lone.case.case_id, exc.reason))
        return result

    async def _write_part(self, part: Sequence[_Built]) -> tuple[int, int]:
        """Write `part` in one transaction; the cases written and those found stored already."""
        try:
            async with self.engine.connect() as conn, driver(conn) as drv, drv.transaction():
                stored = await _present(drv, [b.case.case_id for b in part])
                fresh = [b for b in part if b.case.case_id not in stored]
                numbers = await reserve_case_nos(drv, [b.case.snapshot for b in fresh])
                cases, messages = [], []
                for b, case_no in zip(fresh, numbers, strict=True):
                    cases.append({**b.case_row, "case_no": case_no})
                    messages.extend(owed_messages(b.case, b.events, case_no, self.ctx, self.publicity, b.now))
                loads: dict[str, list[tuple[Statement, list[tuple[Any, ...]]]]] = {key: [] for key, _m in TABLES}
                loads["case"].append(_converted(drv.sql, _table("case"), cases))
                loads["outbox"].append(_converted(drv.sql, _table("outbox"), messages))
                for b in fresh:
                    for key, converted in b.records.items():
                        loads[key].append(converted)
                await _load(drv, loads)
        except REFUSED_ROW_ERRORS as exc:
            raise _RowRefused(_reason(exc)) from exc
        return len(fresh), len(stored)


@contextlib.contextmanager
def _fewer_collections() -> Iterator[None]:
    """Run the cyclic garbage collector less often while a write lasts. A bulk write allocates rows by
    the million (acyclic: reference counting frees them), and every full collection walks every
    object alive — with a large input in memory, a quarter of the write. Restored afterwards."""
    before = gc.get_threshold()
    gc.set_threshold(max(before[0], _GC_GEN0), max(before[1], 50), max(before[2], 100))
    try:
        yield
    finally:
        gc.set_threshold(*before)


async def _present(drv: Driver, case_ids: Sequence[str]) -> set[str]:
    """Which of `case_ids` are stored (read on `drv`, in its transaction if one is open)."""
    found: set[str] = set()
    for start in range(0, len(case_ids), 500):
        part = list(case_ids[start:start + 500])
        if drv.pg:
            rows = await drv.raw.fetch("SELECT id FROM penalty_case WHERE id = ANY($1::varchar[])", part)
        else:
            cursor = await drv.raw.execute(
                f"SELECT id FROM penalty_case WHERE id IN ({', '.join('?' for _p in part)})", part)
            try:
                rows = await cursor.fetchall()
            finally:
                await cursor.close()
        found.update(r[0] for r in rows)
    return found


def _reason(exc: BaseException) -> str:
    """The first line of the database's message (never the statement or its values)."""
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


def _records(stmt: Statement, rows: Sequence[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """`[stmt.args(row) for row in rows]`, with the columns picked in one call per row and only the
    columns that have a processor converted (a row missing a defaulted column goes through `args`)."""
    if len(stmt.keys) < 2:
        return [stmt.args(r) for r in rows]
    pick = operator.itemgetter(*stmt.keys)
    converted = [(i, p) for i, p in enumerate(stmt.processors) if p is not None]
    out: list[tuple[Any, ...]] = []
    for row in rows:
        try:
            values = pick(row)
        except KeyError:
            out.append(stmt.args(row))
            continue
        if converted:
            mutable = list(values)
            for i, proc in converted:
                value = mutable[i]
                if value is not None:
                    mutable[i] = proc(value)
            values = tuple(mutable)
        out.append(values)
    return out


_TABLE_OF: dict[str, Table] = {key: cast(Table, model.__table__) for key, model in TABLES}


def _table(key: str) -> Table:
    return _TABLE_OF[key]


def _converted(sql: Sql, table: Table, rows: Sequence[dict[str, Any]]) -> tuple[Statement, list[tuple[Any, ...]]]:
    """The INSERT statement of `rows` (its column order, processors and defaults) and the rows as its
    driver records."""
    if not rows:
        return sql.insert(table, ()), []
    stmt = sql.insert(table, rows[0])
    return stmt, _records(stmt, rows)


async def _load(drv: Driver, loads: dict[str, list[tuple[Statement, list[tuple[Any, ...]]]]]) -> None:
    """Load the records of every table (in `TABLES` order, children after their case) in `drv`'s
    open transaction: one `COPY` per table and column set on PostgreSQL, one `executemany` on SQLite."""
    for key, _model in TABLES:
        groups: dict[Statement, list[tuple[Any, ...]]] = {}
        for stmt, records in loads[key]:
            if records:
                groups.setdefault(stmt, []).extend(records)
        table = _table(key)
        for stmt, records in groups.items():
            if drv.pg:
                await drv.raw.copy_records_to_table(table.name, records=records, columns=list(stmt.keys))
            else:
                await drv.raw.executemany(stmt.sql, records)
