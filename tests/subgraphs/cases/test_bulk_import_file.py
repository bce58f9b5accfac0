"""`hub db import FILE.jsonl` on SQLite and PostgreSQL: bad lines are refused by line number and the rest
imported; a case the database refuses is left out alone; an import killed with SIGKILL halfway and
run again gives every case exactly once, with the chains intact."""

from __future__ import annotations

import asyncio
import os
import re
import signal
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import orjson
import pytest
from sqlalchemy import select

from hub.case_audit import verify_case_events
from subgraphs.cases.bulk import BulkWriter
from subgraphs.cases.ground_truth import AS_OF, World, build_dataset, load_world
from subgraphs.cases.import_file import (
    DeferredLine,
    checked_line,
    import_file,
    line_of,
    parse_line,
    read_line,
)
from subgraphs.cases.rows import CaseRow
from subgraphs.cases.service import ImportedCase
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from tests.support.import_files import as_imported, renumbered, write_import_file

from .bulk_support import SECRET, case_numbers_are_dense, count

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(scope="module")
def world_and_cases(small_seed: Path) -> tuple[World, list[ImportedCase]]:
    world = load_world(small_seed, SECRET)
    entries, _truth = build_dataset(world, seed=5, count=30, as_of=AS_OF)
    return world, [as_imported(e) for e in entries]


def test_a_line_reads_back_as_the_case_it_was_written_from(world_and_cases: tuple[World, list[ImportedCase]]) -> None:
    _world, cases = world_and_cases
    for case in cases[:20]:
        assert parse_line(line_of(case)) == case


async def test_bad_lines_are_refused_by_number_and_the_others_imported(
        database_url: str, tmp_path: Path, world_and_cases: tuple[World, list[ImportedCase]]) -> None:
    world, cases = world_and_cases
    good = cases[:6]
    snapshot_json = orjson.loads(line_of(good[0]))["snapshot"]

    def bad(n: int) -> dict[str, Any]:  # a snapshot of a case of its own (a stored case's line is not read)
        return {**snapshot_json, "case_id": f"BAD-{n}"}
    lines = [line_of(good[0]), "{not json", line_of(good[1]), "",
             orjson.dumps({"source": "X", "sourceCaseNo": "1", "importedAt": "2026-01-01T00:00:00+08:00",
                           "snapshot": {**bad(5), "state": "NO_SUCH_STATE"}}).decode(),
             orjson.dumps({"source": "X", "sourceCaseNo": "1", "snapshot": bad(6)}).decode(),
             orjson.dumps({"source": "X", "sourceCaseNo": "1", "importedAt": "2026-01-01T00:00:00",
                           "snapshot": bad(7)}).decode(),
             "[1, 2]", line_of(good[2]), line_of(good[0]), *(line_of(c) for c in good[3:])]
    path = tmp_path / "cases.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        summary = await import_file(BulkWriter(engine, world.ctx), path, batch=3)
        assert [r.label for r in summary.refused] == ["line 2", "line 5", "line 6", "line 7", "line 8"]
        reasons = [r.reason for r in summary.refused]
        assert reasons[0].startswith("not JSON")
        assert reasons[1].startswith("snapshot:")
        assert "NO_SUCH_STATE" in reasons[1]
        assert reasons[2] == "missing importedAt"
        assert "offset" in reasons[3]
        assert (summary.lines, summary.imported, summary.present) == (len(lines), len(good), 1)
        async with engine.connect() as conn:
            stored = set((await conn.execute(select(CaseRow.id))).scalars())
        assert stored == {c.snapshot.case_id for c in good}
    finally:
        await engine.dispose()
    assert (await verify_case_events(database_url)).ok


def test_a_line_is_read_once_as_the_step_by_step_reading_reads_it(
        world_and_cases: tuple[World, list[ImportedCase]]) -> None:
    _world, cases = world_and_cases
    for case in cases:
        text = line_of(case).encode()
        assert parse_line(text) == checked_line(text) == case
        deferred = read_line(text)
        assert isinstance(deferred, DeferredLine)
        assert (deferred.case_id, deferred.entry()) == (case.snapshot.case_id, case)


async def test_a_line_of_a_case_already_stored_is_skipped_unread(
        database_url: str, tmp_path: Path, world_and_cases: tuple[World, list[ImportedCase]]) -> None:
    """What a restart relies on: the lines already written are counted present, not decoded again (so
    even a line that would be refused is skipped when its case is stored); a new case is still read."""
    world, cases = world_and_cases
    first, second = tmp_path / "first.jsonl", tmp_path / "second.jsonl"
    write_import_file(first, cases[:3])
    stored_snapshot = orjson.loads(line_of(cases[0]))["snapshot"]
    second.write_text("\n".join([
        orjson.dumps({"source": "X", "sourceCaseNo": "1", "importedAt": "no date",
                      "snapshot": stored_snapshot}).decode(),
        orjson.dumps({"source": "X", "sourceCaseNo": "1", "importedAt": "no date",
                      "snapshot": {**stored_snapshot, "case_id": "NEW-1"}}).decode(),
        line_of(cases[3])]) + "\n", encoding="utf-8")
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        writer = BulkWriter(engine, world.ctx)
        assert (await import_file(writer, first)).imported == 3
        summary = await import_file(writer, second, batch=2)
        assert (summary.imported, summary.present, [r.label for r in summary.refused]) == (1, 1, ["line 2"])
        assert await count(engine, CaseRow.__table__) == 4
    finally:
        await engine.dispose()


async def test_a_case_the_database_refuses_is_left_out_alone(database_url: str, tmp_path: Path,
                                                             world_and_cases: tuple[World, list[ImportedCase]]) -> None:
    """A body code longer than its column: PostgreSQL refuses the row (the batch is split down to it);
    SQLite, which does not check lengths, stores it."""
    world, cases = world_and_cases
    chosen = cases[:9]
    bad = replace(chosen[4], snapshot=replace(chosen[4].snapshot, body_id="9" * 30))
    path = tmp_path / "cases.jsonl"
    write_import_file(path, [*chosen[:4], bad, *chosen[5:]])
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        summary = await import_file(BulkWriter(engine, world.ctx), path, batch=8)
        if database_url.startswith("postgresql"):
            assert [(r.label, r.case_id) for r in summary.refused] == [("line 5", bad.snapshot.case_id)]
            assert "too long" in summary.refused[0].reason
            assert summary.imported == 8
        else:
            assert (summary.refused, summary.imported) == ([], 9)
        assert await count(engine, CaseRow.__table__) == summary.imported
        assert await case_numbers_are_dense(engine)
    finally:
        await engine.dispose()
    assert (await verify_case_events(database_url)).ok


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    return {**env, "PYTHONPATH": str(ROOT)}


def _import_command(path: Path, url: str, *, batch: int, every: int) -> list[str]:
    return [sys.executable, "-m", "hub", "db", "import", str(path), "--database", url, "--batch", str(batch),
            "--progress-every", str(every)]


async def test_an_import_killed_halfway_and_run_again_stores_every_case_once(
        database_url: str, tmp_path: Path, world_and_cases: tuple[World, list[ImportedCase]]) -> None:
    _world, cases = world_and_cases
    total = 1500
    path = tmp_path / "cases.jsonl"
    write_import_file(path, renumbered([c.snapshot for c in cases], total, prefix="K"))
    await upgrade(database_url)
    child = await asyncio.create_subprocess_exec(*_import_command(path, database_url, batch=20, every=20),
                                                 cwd=tmp_path, env=_env(), stdout=asyncio.subprocess.DEVNULL,
                                                 stderr=asyncio.subprocess.PIPE)
    assert child.stderr is not None
    imported_when_killed = None
    for _ in range(100_000):  # a progress line every 20 cases; ends when the child does
        line = (await asyncio.wait_for(child.stderr.readline(), timeout=60)).decode()
        if not line:
            break
        found = re.search(r"([\d,]+) cases imported", line)
        if found and int(found.group(1).replace(",", "")) >= total // 2:
            imported_when_killed = int(found.group(1).replace(",", ""))
            child.send_signal(signal.SIGKILL)
            break
    await asyncio.wait_for(child.wait(), timeout=60)
    assert imported_when_killed is not None, "the import ended before it reported half its cases"
    assert child.returncode == -signal.SIGKILL
    engine = create_engine(database_url)
    try:
        stored_after_kill = await count(engine, CaseRow.__table__)
        assert imported_when_killed <= stored_after_kill < total  # killed in the middle: a restart is needed
        rerun = await asyncio.create_subprocess_exec(*_import_command(path, database_url, batch=20, every=1000),
                                                     cwd=tmp_path, env=_env(), stdout=asyncio.subprocess.PIPE,
                                                     stderr=asyncio.subprocess.PIPE)
        out, err = await asyncio.wait_for(rerun.communicate(), timeout=120)
        assert rerun.returncode == 0, err.decode()
        assert (f"{total:,} lines: {total - stored_after_kill:,} cases imported, "
                f"{stored_after_kill:,} already present, 0 refused") in out.decode()
        assert await count(engine, CaseRow.__table__) == total
        assert await count(engine, CaseRow.__table__, distinct="id") == total
        assert await case_numbers_are_dense(engine)
    finally:
        await engine.dispose()
    report = await verify_case_events(database_url)
    assert report.ok, str(report)
    assert report.cases == total


def test_the_command_names_each_refused_line_and_exits_1(tmp_path: Path,
                                                         world_and_cases: tuple[World, list[ImportedCase]]) -> None:
    _world, cases = world_and_cases
    path = tmp_path / "cases.jsonl"
    path.write_text(f"{line_of(cases[0])}\nnot json at all\n{line_of(cases[1])}\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'hub.db'}"
    asyncio.run(upgrade(url))
    done = subprocess.run(_import_command(path, url, batch=10, every=10), cwd=tmp_path, env=_env(),
                          capture_output=True, text=True, timeout=120, check=False)
    assert done.returncode == 1, done.stderr
    assert "refused line 2: not JSON" in done.stderr
    assert "Traceback" not in done.stderr
    assert "3 lines: 2 cases imported, 0 already present, 1 refused" in done.stdout
