"""Certificate import from the simulated provincial snapshot drop, on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adapters.files.certificates import latest_snapshot, read_snapshot
from simulators.base import SimConfig
from simulators.certificates.app import create_app as create_certificate_system
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.importer import import_snapshot
from subgraphs.personnel.seedload import load_seed
from subgraphs.personnel.store import BodyRow, CertificateRow, ImportRunRow, OfficerRow
from tests.adapters.personnel_seed import write_personnel_seed
from tests.support.servers import serve

SECRET = b"test-pepper-for-personnel"


@pytest.fixture
def drop(tmp_path: Path) -> Iterator[tuple[str, Path, Path]]:
    seed = tmp_path / "seed"
    seed.mkdir()
    write_personnel_seed(seed)
    drop_dir = tmp_path / "drop"
    with serve(create_certificate_system(SimConfig(admin=True, data_dir=seed), drop_dir=drop_dir)) as url:
        yield url, seed, drop_dir


async def _counts(engine: AsyncEngine) -> dict[str, int]:
    async with AsyncSession(engine) as session:
        return {
            row.__tablename__: int((await session.scalar(select(func.count()).select_from(row))) or 0)
            for row in (BodyRow, OfficerRow, CertificateRow)
        }


async def _hashes(engine: AsyncEngine) -> dict[str, tuple[str, Any]]:
    async with AsyncSession(engine) as session:
        rows = (await session.execute(select(CertificateRow.cert_no, CertificateRow.row_hash, CertificateRow.updated_at))).all()
        return {cert_no: (digest, updated) for cert_no, digest, updated in rows}


async def _drop(url: str, body: dict[str, Any]) -> dict[str, Any]:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{url}/__admin/drop", json=body)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_import_is_idempotent_reports_broken_rows_and_marks_vanished(
    drop: tuple[str, Path, Path], database_url: str,
) -> None:
    url, seed, drop_dir = drop
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        vault = PseudonymVault(engine, SECRET)
        loaded = await load_seed(engine, vault, seed)
        assert (loaded.bodies, loaded.officers) == (3, 6)

        first = latest_snapshot(drop_dir)
        assert first is not None
        report = await import_snapshot(engine, vault, read_snapshot(first))
        assert (report.inserted, report.rows_failed, report.marked_vanished) == (8, 0, 0)
        counts, hashes = await _counts(engine), await _hashes(engine)
        assert counts == {"enforcement_body": 3, "officer": 6, "enforcement_certificate": 8}

        # the same file again: skipped as a whole
        again = await import_snapshot(engine, vault, read_snapshot(first))
        assert again.already_imported
        assert (again.inserted, again.updated) == (0, 0)
        # the same content under another day's name is the same bytes: recognised by its SM3
        same = await _drop(url, {"date": "20260303"})
        next_day = await import_snapshot(engine, vault, read_snapshot(drop_dir / same["file"]))
        assert next_day.already_imported
        assert await _counts(engine) == counts
        assert await _hashes(engine) == hashes

        # three broken rows: reported with their line numbers, the others imported
        broken = await _drop(url, {"date": "20260304", "broken_rows": 3,
                                   "change": {"44000500ZF": {"status": "SUSPENDED"}}})
        report = await import_snapshot(engine, vault, read_snapshot(drop_dir / broken["file"]))
        assert sorted(e.line for e in report.errors) == sorted(broken["broken_lines"])
        assert report.rows_failed == 3
        assert report.marked_vanished == 0  # a broken row is not a vanished certificate
        changed = "44000500ZF" not in {b["cert_no"] for b in broken["broken"]}
        assert report.updated == (1 if changed else 0)
        assert report.unchanged == 8 - 3 - report.updated
        assert await _counts(engine) == counts
        after = await _hashes(engine)
        untouched = {k for k in hashes if k != "44000500ZF"}
        assert {k: after[k] for k in untouched} == {k: hashes[k] for k in untouched}, "unchanged rows are not rewritten"
        for error in report.errors:
            assert error.problems
            assert not any(re.search(r"\d{15}", p) for p in error.problems), "no ID number in the report"

        # an officer dropped from the roster: marked, never deleted
        gone = await _drop(url, {"date": "20260305", "drop_officers": ["OFF-0001"]})
        report = await import_snapshot(engine, vault, read_snapshot(drop_dir / gone["file"]))
        assert report.marked_vanished == 3  # the officer and both certificates
        assert await _counts(engine) == counts
        async with AsyncSession(engine) as session:
            officer = await session.get(OfficerRow, "OFF-0001")
            assert officer is not None
            assert officer.vanished_at is not None
            certs = (await session.scalars(select(CertificateRow).where(CertificateRow.officer_id == "OFF-0001"))).all()
            assert len(certs) == 2
            assert all(c.vanished_at is not None for c in certs)
            others = (await session.scalars(select(OfficerRow).where(OfficerRow.vanished_at.is_(None)))).all()
            assert len(others) == 5
            runs = (await session.scalars(select(ImportRunRow))).all()
            assert len(runs) == 3  # first, broken, gone: the repeated files added no run
    finally:
        await engine.dispose()
