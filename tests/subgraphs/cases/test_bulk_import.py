"""The bulk writer (`subgraphs.cases.bulk`) on SQLite and PostgreSQL: the rows it writes are the rows
the service writes command by command and the rows the ORM writes, the chains verify, and any
sequence of partial runs (a restart after a crash) writes every case exactly once with every case
number given once."""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import insert, select

from hub.case_audit import verify_case_events
from subgraphs.cases.bulk import BulkWriter
from subgraphs.cases.domain.machine import apply
from subgraphs.cases.facts import FixedFacts
from subgraphs.cases.ground_truth import AS_OF, World, build_dataset, entry_snapshot, load_world
from subgraphs.cases.hot_sql import driver
from subgraphs.cases.new_cases import (
    TABLES,
    case_rows,
    chained_events,
    empty_rows,
    new_case,
    reserve_case_nos,
)
from subgraphs.cases.outbox.credit import PublicityPolicy
from subgraphs.cases.rows import CaseRow
from subgraphs.cases.service import CaseHistory, CaseService, ImportedCase
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade

from . import harness as h
from .bulk_support import (
    CASE_TABLES,
    DB_NUMBERED,
    SECRET,
    another_database,
    case_numbers_are_dense,
    count,
    table_rows,
    write_specific,
)
from .store_support import ORDINARY
from .world import make_context

Entry = CaseHistory | ImportedCase


@pytest.fixture(scope="module")
def dataset(small_seed: Path) -> tuple[World, list[Entry]]:
    world = load_world(small_seed, SECRET)
    entries, _truth = build_dataset(world, seed=3, count=40, as_of=AS_OF)
    return world, entries


def _histories(entries: list[Entry], n: int) -> list[CaseHistory]:
    """`n` histories ending in as many different states as there are."""
    by_state: dict[str, CaseHistory] = {}
    for e in entries:
        if isinstance(e, CaseHistory):
            by_state.setdefault(e.steps[-1].after.state.value, e)
    chosen = list(by_state.values())[:n]
    return chosen + [e for e in entries if isinstance(e, CaseHistory) and e not in chosen][:n - len(chosen)]


async def _through_the_service(url: str, world: World, histories: list[CaseHistory]) -> None:
    engine = create_engine(url)
    try:
        service = CaseService(engine, FixedFacts(world.ctx))
        for history in histories:
            case_id = None
            for step in history.steps:
                result = await service.execute(step.events[0].command, case_id=case_id)
                case_id = result.case.case_id
    finally:
        await engine.dispose()


async def test_bulk_rows_are_the_rows_the_service_writes_command_by_command(
        database_url: str, tmp_path: Path, dataset: tuple[World, list[Entry]]) -> None:
    world, entries = dataset
    histories = _histories(entries, 8)
    assert len({h.steps[-1].after.state for h in histories}) >= 4
    async with another_database(database_url, tmp_path) as reference_url:
        for url in (database_url, reference_url):
            await upgrade(url)
        await _through_the_service(reference_url, world, histories)
        engine, reference = create_engine(database_url), create_engine(reference_url)
        try:
            result = await BulkWriter(engine, world.ctx).write(histories, batch=3)
            assert (result.written, result.present, result.refused) == (len(histories), 0, [])
            for table in CASE_TABLES:
                if table.name == "outbox_message":
                    continue  # the service owes a message per command, a bulk-written case one in all
                skip = write_specific(table)
                mine, theirs = await table_rows(engine, table, skip=skip), await table_rows(reference, table, skip=skip)
                assert mine == theirs, table.name
                assert mine or table.name == "case_penalty_kind", table.name
        finally:
            await engine.dispose()
            await reference.dispose()


async def _as_the_orm_writes(url: str, world: World, entries: list[Entry]) -> None:
    """The same rows inserted through the ORM (what `write_many` did before it used the bulk writer)."""
    engine = create_engine(url)
    try:
        now = AS_OF
        built = [new_case(e) for e in entries]
        async with engine.connect() as conn, driver(conn) as drv, drv.transaction():
            numbers = await reserve_case_nos(drv, [b.snapshot for b in built])
        rows = empty_rows()
        for b, case_no in zip(built, numbers, strict=True):
            case_rows(rows, b, chained_events(b, now), case_no, world.ctx, PublicityPolicy(), now)
        for key, column in (("case", "snapshot"), ("event", "payload")):
            for row in rows[key]:  # the JSON the bulk writer wrote itself, as the value the ORM serialises
                row[column] = orjson.loads(orjson.dumps(row[column]))
        async with engine.begin() as conn:
            for key, model in TABLES:
                if rows[key]:
                    await conn.execute(insert(model), rows[key])
    finally:
        await engine.dispose()


async def test_bulk_rows_read_back_as_the_rows_the_orm_writes(database_url: str, tmp_path: Path,
                                                              dataset: tuple[World, list[Entry]]) -> None:
    world, entries = dataset
    chosen = [e for e in entries if isinstance(e, ImportedCase)][:6] + _histories(entries, 6)
    async with another_database(database_url, tmp_path) as reference_url:
        for url in (database_url, reference_url):
            await upgrade(url)
        await _as_the_orm_writes(reference_url, world, chosen)
        engine, reference = create_engine(database_url), create_engine(reference_url)
        try:
            await BulkWriter(engine, world.ctx, clock=lambda: AS_OF).write(chosen, batch=4)
            for table in CASE_TABLES:  # written at the same instant: only the database's numbering differs
                skip = [c for t, c in DB_NUMBERED if t == table.name]
                mine = await table_rows(engine, table, skip=skip, raw_json=False)
                assert mine == await table_rows(reference, table, skip=skip, raw_json=False), table.name
                assert mine or table.name == "case_penalty_kind", table.name
        finally:
            await engine.dispose()
            await reference.dispose()


async def test_bulk_written_chains_verify_and_every_case_is_there(database_url: str,
                                                                  dataset: tuple[World, list[Entry]]) -> None:
    world, entries = dataset
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        result = await BulkWriter(engine, world.ctx).write(entries, batch=25)
        assert (result.written, result.present, result.refused) == (len(entries), 0, [])
        assert await count(engine, CaseRow.__table__) == len(entries)
        assert await case_numbers_are_dense(engine)
    finally:
        await engine.dispose()
    report = await verify_case_events(database_url)
    assert report.ok, str(report)
    assert report.cases == len(entries)
    events = sum(1 if isinstance(e, ImportedCase) else sum(len(s.events) for s in e.steps) for e in entries)
    assert report.events == events


async def test_a_restart_after_a_partial_run_writes_the_rest_once(database_url: str,
                                                                  dataset: tuple[World, list[Entry]]) -> None:
    world, entries = dataset
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        writer = BulkWriter(engine, world.ctx)
        first = await writer.write(entries[:17], batch=5)
        again = await writer.write(entries, batch=7)
        assert (first.written, again.written, again.present) == (17, len(entries) - 17, 17)
        assert await count(engine, CaseRow.__table__) == len(entries)
        assert await count(engine, CaseRow.__table__, distinct="id") == len(entries)
        assert await case_numbers_are_dense(engine)
    finally:
        await engine.dispose()
    assert (await verify_case_events(database_url)).ok


_examples = itertools.count()


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(runs=st.lists(st.lists(st.integers(0, 11), max_size=14), min_size=1, max_size=4),
       batch=st.integers(1, 5))
def test_any_sequence_of_partial_runs_writes_each_case_once_and_every_number_once(
        database_url: str, dataset: tuple[World, list[Entry]], runs: list[list[int]], batch: int) -> None:
    """Each run writes some of twelve cases (repeats and all, in any order): whatever was written
    before is skipped, so after the runs the store holds each case named once, and the case numbers
    of every scope are 1 … n with none given twice or skipped."""
    world, entries = dataset
    example = next(_examples)
    base = [entry_snapshot(e) for e in entries[:12]]
    cases = [ImportedCase(replace(s, case_id=f"H{example}-{i}"), "TEST", f"T-{i}", AS_OF) for i, s in enumerate(base)]

    async def run() -> tuple[int, set[str], int]:
        await upgrade(database_url)
        engine = create_engine(database_url)
        try:
            writer = BulkWriter(engine, world.ctx)
            written = 0
            for indices in runs:
                result = await writer.write([cases[i] for i in indices], batch=batch)
                assert not result.refused
                assert result.written + result.present == len(indices)
                written += result.written
            async with engine.connect() as conn:
                stored = set((await conn.execute(select(CaseRow.id).where(
                    CaseRow.id.like(f"H{example}-%")))).scalars())
            assert await case_numbers_are_dense(engine)
            return written, stored, await count(engine, CaseRow.__table__)
        finally:
            await engine.dispose()

    written, stored, _total = asyncio.run(run())
    wanted = {f"H{example}-{i}" for r in runs for i in r}
    assert stored == wanted
    assert written == len(wanted)


def test_the_row_keys_name_columns_of_their_tables() -> None:
    """Every key a builder puts in a row is a column of the table it is written to (a key the COPY
    would not know is a bug, not a silently dropped value)."""
    ctx = make_context()
    steps: list[Any] = []
    snapshot = None
    for command in ORDINARY:
        step = apply(snapshot, command, ctx)
        steps.append(step)
        snapshot = step.after
    case = new_case(CaseHistory(steps))
    rows = empty_rows()
    case_rows(rows, case, chained_events(case, h.at("2024-06-04")), "X000001", ctx, PublicityPolicy(),
              h.at("2024-06-04"))
    for key, model in TABLES:
        names = set(model.__table__.c.keys())  # type: ignore[attr-defined]
        for row in rows[key]:
            assert set(row) <= names, (key, set(row) - names)
