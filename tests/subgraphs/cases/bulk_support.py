"""Helpers for the bulk-writer tests: the ground-truth cases of the small data set, a second fresh
database on the test's backend, and the rows of the case tables as comparable values."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import JSON, Table, Text, cast, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.outbox.rows import OutboxRow
from subgraphs.cases.rows import (
    CaseEventRow,
    CaseNoCounterRow,
    CaseOfficerRow,
    CasePartyRow,
    CasePenaltyKindRow,
    CaseRow,
    DeadlineRow,
)
from tests.support.db import fresh_postgres_database

SECRET = b"bulk-test-pepper"
CASE_TABLES: tuple[Table, ...] = tuple(
    m.__table__ for m in (CaseRow, CasePartyRow, CaseEventRow, DeadlineRow, CaseOfficerRow,  # type: ignore[misc]
                          CasePenaltyKindRow, CaseNoCounterRow, OutboxRow))
#: columns that differ between two writes of the same cases by design: when they were written, and
#: the keys the database numbers (the order of writing is compared through `seq` and the case number)
WRITE_TIME = {"created_at", "updated_at", "recorded_at", "next_attempt_at"}
DB_NUMBERED = {("case_event", "global_seq"), ("case_deadline", "id"), ("outbox_message", "id")}


@asynccontextmanager
async def another_database(first_url: str, tmp_path: Path) -> AsyncIterator[str]:
    """A second empty database on the backend of `first_url`."""
    if first_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'second.db'}"
        return
    async with fresh_postgres_database(os.environ["HUB_TEST_POSTGRES_URL"]) as url:
        yield url


async def table_rows(engine: AsyncEngine, table: Table, *, skip: Sequence[str] = (),
                     raw_json: bool = True) -> list[tuple[Any, ...]]:
    """Every row of `table` (without the `skip` columns), JSON columns as their stored text when
    `raw_json` (else as parsed values), sorted."""
    columns = []
    for c in table.columns:
        if c.name in skip:
            continue
        columns.append(cast(c, Text).label(c.name) if raw_json and isinstance(c.type, JSON) else c)
    async with engine.connect() as conn:
        rows = [tuple(r) for r in (await conn.execute(select(*columns))).all()]
    return sorted(rows, key=repr)


def write_specific(table: Table) -> list[str]:
    """The columns of `table` two writes of the same cases may differ in (WRITE_TIME, DB_NUMBERED)."""
    return [c.name for c in table.columns if c.name in WRITE_TIME or (table.name, c.name) in DB_NUMBERED]


async def count(engine: AsyncEngine, table: Table, *, distinct: str | None = None) -> int:
    target = func.count(func.distinct(table.c[distinct])) if distinct else func.count()
    async with engine.connect() as conn:
        return int((await conn.execute(select(target).select_from(table))).scalar_one())


async def case_numbers_are_dense(engine: AsyncEngine) -> bool:
    """Every number of every case-number scope given once, and none skipped: 1 … the counter's value."""
    async with engine.connect() as conn:
        numbers = (await conn.execute(select(CaseRow.case_no))).scalars().all()
        counters = dict((await conn.execute(text("SELECT scope, next_value FROM case_no_counter"))).all())
    given: dict[str, list[int]] = {}
    for case_no in numbers:
        given.setdefault(case_no[:-6], []).append(int(case_no[-6:]))
    return (len(numbers) == len(set(numbers))
            and all(sorted(v) == list(range(1, counters.get(k, 0) + 1)) for k, v in given.items())
            and all(k in given for k, v in counters.items() if v))
