"""The day a certificate's status took effect (状态变更日期): read from the snapshot, stored, or reported per row."""

from __future__ import annotations

import csv
import hashlib
import io
import logging
from datetime import date
from pathlib import Path

import orjson
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from adapters.files.certificates import RowErrorCode, read_snapshot
from simulators.certificates.roster import Roster
from simulators.certificates.snapshot import HEADER, deliver
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault
from subgraphs.personnel.importer import import_snapshot
from subgraphs.personnel.seedload import load_seed
from subgraphs.personnel.store import CertificateRow, ImportRunRow
from tests.adapters.personnel_seed import write_personnel_seed

SECRET = b"test-pepper-status-dates"
DAY = date(2026, 3, 4)
SINCE = HEADER.index("状态变更日期")
STATUS = HEADER.index("证件状态")


def _write(drop: Path, day: date, header: list[str], rows: list[list[str]]) -> Path:
    """A snapshot in the provincial format with any header (older files lack the last column)."""
    drop.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    buffer.write(f"#TOTAL,{len(rows)}\r\n")
    data = buffer.getvalue().encode("gb18030")
    path = drop / f"ZFZ_SNAPSHOT_{day:%Y%m%d}.csv"
    path.write_bytes(data)
    path.with_suffix(".ok").write_text(f"rows={len(rows)}\nsha256={hashlib.sha256(data).hexdigest()}\n", "ascii")
    return path


def _rows(seed: Path, **status: tuple[str, str]) -> list[list[str]]:
    """The seed's snapshot rows; `status` maps a certificate number to (status label, 状态变更日期)."""
    rows = [row for _, row in Roster.load(seed).rows()]
    for row in rows:
        if row[0] in status:
            row[STATUS], row[SINCE] = status[row[0]]
    return rows


def test_a_row_needs_the_day_of_a_decided_status_and_it_must_lie_in_the_term(tmp_path: Path) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    write_personnel_seed(seed)
    rows = _rows(seed, **{"44000000ZF": ("暂扣", "20250601"), "44000001ZF": ("吊销", ""),
                          "44000100ZF": ("注销", "20231231"), "44000101ZF": ("有效", "20250101"),
                          "44000200ZF": ("注销", "20251340"), "44000300ZF": ("过期", "")})
    snapshot = read_snapshot(_write(tmp_path / "drop", DAY, list(HEADER), rows))
    codes = {e.cert_no: e.code for e in snapshot.errors}
    assert codes == {"44000001ZF": RowErrorCode.STATUS_DATE_MISSING,
                     "44000100ZF": RowErrorCode.STATUS_DATE_OUT_OF_RANGE,  # before validFrom 2024-01-10
                     "44000101ZF": RowErrorCode.STATUS_DATE_UNEXPECTED,
                     "44000200ZF": RowErrorCode.STATUS_DATE_INVALID}
    good = {r.certificate.cert_no: r.certificate for r in snapshot.rows}
    assert good["44000000ZF"].status_since == date(2025, 6, 1)
    assert good["44000300ZF"].status_since is None
    later = _rows(seed, **{"44000000ZF": ("暂扣", "20260305")})  # after the snapshot's own day
    assert read_snapshot(_write(tmp_path / "drop2", DAY, list(HEADER), later)).errors[0].code \
        is RowErrorCode.STATUS_DATE_OUT_OF_RANGE


async def test_legacy_snapshot_without_the_column_imports_and_reports_its_decided_rows(
    tmp_path: Path, database_url: str, caplog: pytest.LogCaptureFixture,
) -> None:
    seed = tmp_path / "seed"
    seed.mkdir()
    write_personnel_seed(seed)
    drop = tmp_path / "drop"
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        vault = PseudonymVault(engine, SECRET)
        await load_seed(engine, vault, seed)
        first = await import_snapshot(engine, vault, read_snapshot(deliver(drop, date(2026, 3, 2),
                                                                           _rows(seed)).csv_path))
        assert (first.inserted, first.rows_failed) == (8, 0)

        legacy = [row[:SINCE] for row in _rows(seed, **{"44000000ZF": ("暂扣", ""), "44000300ZF": ("过期", "")})]
        with caplog.at_level(logging.WARNING, logger="subgraphs.personnel.importer"):
            report = await import_snapshot(engine, vault, read_snapshot(_write(drop, DAY, list(HEADER[:SINCE]), legacy)))
        assert report.rows_failed == 1
        assert [(e.cert_no, e.code) for e in report.errors] == [("44000000ZF", RowErrorCode.STATUS_DATE_MISSING)]
        assert report.updated == 1  # the expired one; the others are unchanged
        assert report.marked_vanished == 0, "a reported row is not a vanished certificate"
        assert any("44000000ZF" in r.getMessage() and "STATUS_DATE_MISSING" in r.getMessage() for r in caplog.records)

        dated = _rows(seed, **{"44000000ZF": ("暂扣", "20260220")})
        report = await import_snapshot(engine, vault, read_snapshot(_write(drop, date(2026, 3, 5), list(HEADER), dated)))
        assert (report.rows_failed, report.updated) == (0, 2)  # suspended now, and the expired one is active again
        async with AsyncSession(engine) as session:
            stored = await session.get(CertificateRow, "44000000ZF")
            assert stored is not None
            assert (stored.status, stored.status_since) == ("SUSPENDED", date(2026, 2, 20))
            runs = (await session.scalars(select(ImportRunRow).order_by(ImportRunRow.id))).all()
            assert orjson.loads(runs[1].report)[0]["code"] == "STATUS_DATE_MISSING"
    finally:
        await engine.dispose()


def test_the_simulated_roster_dates_a_status_change_on_the_drop_day(tmp_path: Path) -> None:
    write_personnel_seed(tmp_path)
    roster = Roster.load(tmp_path).evolved(drop_officers=[], change={"44000000ZF": {"status": "REVOKED"}},
                                           day=date(2026, 3, 6))
    assert roster.certificates["44000000ZF"].status_changed_on == "2026-03-06"
    back = roster.evolved(drop_officers=[], change={"44000000ZF": {"status": "ACTIVE"}}, day=date(2026, 3, 7))
    assert back.certificates["44000000ZF"].status_changed_on == ""
