"""Bulk import of many cases with their event chains, against the raw COPY of the same rows.

    .venv/bin/python bench/bench_import.py [--cases 100000] [--size medium] [--batch 1000]
                                           [--forms histories,imported] [--no-crash-test]

Cases are built with the seeding functions (`subgraphs.cases.ground_truth.build_dataset`: the real
state machine, plus the injected violations), then written with the bulk writer
(`subgraphs.cases.bulk`) to PostgreSQL when HUB_TEST_POSTGRES_URL is set, else to a SQLite file.
Each form is timed on a fresh database, the write only (building the rows from the cases
included, building the cases not):

* `histories`: the cases as built, each with every event the state machine recorded (what
  `hub seed` writes);
* `imported`: the same cases as departments' historical records (`hub db import`): the final
  snapshot and a chain of one `CaseImported` event.

The reference, in the same run and per form, is the floor: the same rows, built beforehand, loaded
into another fresh database with nothing but the driver's `COPY` (`executemany` on SQLite) in
transactions of the same size. Then `verify_case_events` walks every chain written. Last, the crash
test: `hub db import` of the cases as a JSON-lines file, in a child process, is killed with SIGKILL
once its progress reports half the cases imported, and run again; the distinct cases and the case
rows stored must both be N, and the chains intact.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import cast

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import Table, func, select

from hub.case_audit import verify_case_events
from simulators.datagen.generator import generate
from subgraphs.cases.bulk import BulkResult, BulkWriter
from subgraphs.cases.case_rows import case_no_prefix
from subgraphs.cases.ground_truth import World, build_dataset, load_world
from subgraphs.cases.hot_sql import driver
from subgraphs.cases.new_cases import (
    TABLES,
    CaseEntry,
    case_rows,
    chained_events,
    empty_rows,
    new_case,
)
from subgraphs.cases.outbox.credit import PublicityPolicy
from subgraphs.cases.rows import CaseRow
from subgraphs.cases.service import CaseHistory, ImportedCase
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from tests.support.db import fresh_postgres_database
from tests.support.import_files import as_imported, write_import_file

SECRET = b"bench-pepper"
ROOT = Path(__file__).resolve().parents[1]


@asynccontextmanager
async def fresh_store(tmp: Path, name: str) -> AsyncIterator[str]:
    server = os.environ.get("HUB_TEST_POSTGRES_URL")
    if server:
        async with fresh_postgres_database(server) as url:
            await upgrade(url)
            yield url
        return
    url = f"sqlite:///{tmp / f'{name}.db'}"
    await upgrade(url)
    yield url


def events_of(entries: Sequence[CaseEntry]) -> int:
    return sum(sum(len(s.events) for s in e.steps) if hasattr(e, "steps") else 1 for e in entries)


async def timed_import(url: str, world: World, entries: Sequence[CaseEntry], batch: int) -> tuple[float, BulkResult]:
    engine = create_engine(url)
    step = max(len(entries) // 10, batch)
    shown = [0]

    def progress(result: BulkResult) -> None:
        if result.seen - shown[0] >= step:
            shown[0] = result.seen
            print(f"    {result.seen:,} / {len(entries):,} cases written", flush=True)

    try:
        t0 = time.perf_counter()
        result = await BulkWriter(engine, world.ctx).write(entries, batch=batch, progress=progress)
        return time.perf_counter() - t0, result
    finally:
        await engine.dispose()


async def floor_copy(url: str, world: World, entries: Sequence[CaseEntry], batch: int) -> float:
    """The same rows, built (and numbered) before the clock runs, loaded with the driver alone."""
    engine = create_engine(url)
    numbers: dict[str, int] = {}
    spent = 0.0
    try:
        async with engine.connect() as conn, driver(conn) as drv:
            for start in range(0, len(entries), batch):
                stamp = datetime.now(UTC)  # untimed: build the batch's rows and their records
                rows = empty_rows()
                for entry in entries[start:start + batch]:
                    case = new_case(entry)
                    prefix = case_no_prefix(case.snapshot)
                    numbers[prefix] = numbers.get(prefix, 0) + 1
                    case_rows(rows, case, chained_events(case, stamp), f"{prefix}{numbers[prefix]:06d}", world.ctx,
                              PublicityPolicy(), stamp)
                loads = []
                for key, model in TABLES:
                    if rows[key]:
                        table = cast(Table, model.__table__)
                        stmt = drv.sql.insert(table, rows[key][0])
                        loads.append((table.name, stmt, [stmt.args(r) for r in rows[key]]))
                t0 = time.perf_counter()
                async with drv.transaction():
                    for name, stmt, records in loads:
                        if drv.pg:
                            await drv.raw.copy_records_to_table(name, records=records, columns=list(stmt.keys))
                        else:
                            await drv.raw.executemany(stmt.sql, records)
                spent += time.perf_counter() - t0
    finally:
        await engine.dispose()
    return spent


async def stored_counts(url: str) -> tuple[int, int]:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            rows = (await conn.execute(select(func.count()).select_from(CaseRow))).scalar_one()
            distinct = (await conn.execute(select(func.count(func.distinct(CaseRow.id))))).scalar_one()
        return int(distinct), int(rows)
    finally:
        await engine.dispose()


async def run_child(path: Path, url: str, tmp: Path, batch: int, every: int, *, kill_at: int | None,
                    ) -> tuple[int | None, float, str]:
    """`hub db import` in a child; with `kill_at`, SIGKILLed once it reports that many cases imported.
    Returns (cases imported when killed, seconds, last line of its output)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env["PYTHONPATH"] = str(ROOT)
    t0 = time.perf_counter()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hub", "db", "import", str(path), "--database", url, "--batch", str(batch),
        "--progress-every", str(every), cwd=tmp, env=env, stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE)
    assert child.stderr is not None
    assert child.stdout is not None
    killed_at = None
    for _ in range(10_000_000):  # one progress line every `every` cases; ends with the child
        line = (await child.stderr.readline()).decode()
        if not line:
            break
        found = re.search(r"([\d,]+) cases imported", line)
        if found:
            done = int(found.group(1).replace(",", ""))
            print(f"    child: {line.strip()}", flush=True)
            if kill_at is not None and done >= kill_at:
                killed_at = done
                child.send_signal(signal.SIGKILL)
                break
    out = (await child.stdout.read()).decode().strip().splitlines()
    await child.wait()
    return killed_at, time.perf_counter() - t0, out[-1] if out else f"(exit status {child.returncode})"


async def crash_test(tmp: Path, entries: Sequence[CaseHistory | ImportedCase], batch: int) -> None:
    n = len(entries)
    path = tmp / "cases.jsonl"
    t0 = time.perf_counter()
    write_import_file(path, (as_imported(e) for e in entries))
    print(f"crash test: wrote {n:,} cases as {path.name} ({path.stat().st_size / 1e6:.0f} MB) in "
          f"{time.perf_counter() - t0:.1f} s; importing in a child, SIGKILL at half ...", flush=True)
    batch = max(1, min(batch, n // 20))  # enough batches that the kill lands in the middle
    every = batch
    async with fresh_store(tmp, "crash") as url:
        killed_at, first_s, _last = await run_child(path, url, tmp, batch, every, kill_at=n // 2)
        after_kill = await stored_counts(url)
        print(f"  killed after {first_s:.1f} s with {killed_at} cases reported; stored then: {after_kill[1]:,}",
              flush=True)
        _none, second_s, last = await run_child(path, url, tmp, batch, every, kill_at=None)
        print(f"  run again: {last} in {second_s:.1f} s "
              f"({(n - after_kill[1]) / second_s:.0f} cases/s, process start and the skipped cases included)",
              flush=True)
        distinct, rows = await stored_counts(url)
        report = await verify_case_events(url)
    print(f"  after the restart: {distinct:,} distinct cases, {rows:,} case rows (wanted {n:,} each: "
          f"{'ok' if distinct == rows == n else 'WRONG'}); {report}", flush=True)


async def bench(tmp: Path, seed_dir: Path, cases: int, batch: int, forms: list[str], crash: bool) -> None:
    t0 = time.perf_counter()
    world = load_world(seed_dir, SECRET)
    built, _truth = build_dataset(world, seed=1, count=cases)
    print(f"built {len(built):,} cases ({events_of(built):,} events) in {time.perf_counter() - t0:.1f} s", flush=True)
    for form in forms:
        entries: Sequence[CaseEntry] = built if form == "histories" else [as_imported(e) for e in built]
        events = events_of(entries)
        async with fresh_store(tmp, f"import-{form}") as url:
            print(f"{form}: writing {len(entries):,} cases, {events:,} events ...", flush=True)
            seconds, result = await timed_import(url, world, entries, batch)
            print(f"{form}: {result.written:,} cases written in {seconds:.1f} s ({result.written / seconds:,.0f} "
                  f"cases/s, {events / seconds:,.0f} events/s); {len(result.refused)} refused", flush=True)
            t1 = time.perf_counter()
            report = await verify_case_events(url)
            print(f"{form}: {report} (verified in {time.perf_counter() - t1:.1f} s)", flush=True)
        async with fresh_store(tmp, f"floor-{form}") as url:
            floor = await floor_copy(url, world, entries, batch)
        print(f"{form}: floor (the same rows, built beforehand, loaded by the driver alone): {floor:.1f} s "
              f"({len(entries) / floor:,.0f} cases/s); import / floor = {seconds / floor:.2f}", flush=True)
    if crash:
        await crash_test(tmp, built, batch)


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    parser.add_argument("--size", default="medium")
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--forms", default="histories,imported")
    parser.add_argument("--no-crash-test", dest="crash", action="store_false")
    args = parser.parse_args()
    forms = [f for f in args.forms.split(",") if f]
    if not set(forms) <= {"histories", "imported"}:
        parser.error("--forms: histories and/or imported")
    print(f"store: {'PostgreSQL' if os.environ.get('HUB_TEST_POSTGRES_URL') else 'SQLite'}", flush=True)
    with tempfile.TemporaryDirectory(prefix="bench-import-") as tmp:
        seed_dir = Path(tmp) / "seed"
        generate(size=args.size, seed=7, out=seed_dir, progress=False)
        await bench(Path(tmp), seed_dir, args.cases, args.batch, forms, args.crash)


if __name__ == "__main__":
    asyncio.run(main())
