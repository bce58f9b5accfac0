"""The hot path's statements store what SQLAlchemy stores: the same row written both ways reads back equal.

Each row goes once through `hot_sql` (SQL text on the driver, SQLAlchemy's column conversions, JSON by
orjson) and once through an ORM `insert`, on SQLite and PostgreSQL; both are read back through the ORM
and compared column by column — dates, instants with their offset, booleans, JSON with Chinese text,
NULLs. The version-checked update changes exactly one row, and none when the version is stale.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import insert, select

from subgraphs.cases.hot_sql import DRIVER_INTEGRITY_ERRORS, driver
from subgraphs.cases.outbox.rows import OutboxRow
from subgraphs.cases.rows import CaseRow, DeadlineRow
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade

CST = timezone(timedelta(hours=8))


def _case(case_id: str, no: str) -> dict[str, Any]:
    return {"id": case_id, "case_no": no, "body_uscc": "11445100MB2C94716X", "item_code": "C-1", "item_version": "1",
            "status": "FILED", "procedure": None, "region_code": "445102", "filed_at": date(2024, 3, 1),
            "decided_at": None, "closed_at": None, "fine_fen": 2**40, "party_id_type": None, "party_id_hash": None,
            "party_uscc": "91445100MA4X000000", "version": 3, "head_hash": "a" * 64,
            "snapshot": {"名称": "潮州市某店", "list": [1, None, True], "nested": {"z": "\n\"", "a": -1}},
            "created_at": datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=CST),
            "updated_at": datetime(2024, 3, 2, 1, 0, tzinfo=UTC)}


def _deadline(case_id: str) -> dict[str, Any]:
    return {"case_id": case_id, "event_seq": 2, "kind": "DECISION", "basis": "《行政处罚法》第六十条", "unit": "DAYS",
            "amount": 90, "start": date(2024, 3, 1), "due": date(2024, 5, 29), "rolled": True, "provisional": False,
            "adjustments": [{"reason": "中止", "days": 5}]}


async def _read(engine: Any, table: Any, where: Any) -> dict[str, Any]:
    async with engine.connect() as conn:
        row = (await conn.execute(select(*table.__table__.c).where(where))).mappings().one()
    return dict(row)


async def test_rows_written_on_the_driver_read_back_as_the_orm_writes_them(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn, driver(conn) as drv, drv.transaction():
            hot = _case("hot", "N-1")
            await drv.run(drv.sql.insert(CaseRow.__table__, hot), hot)
            await drv.insert_rows(DeadlineRow.__table__, [_deadline("hot"), _deadline("hot")])
        async with engine.begin() as conn:
            await conn.execute(insert(CaseRow).values(**_case("orm", "N-2")))
            await conn.execute(insert(DeadlineRow), [_deadline("orm")])
        hot_row = await _read(engine, CaseRow, CaseRow.id == "hot")
        orm_row = await _read(engine, CaseRow, CaseRow.id == "orm")
        for column in ("id", "case_no"):
            hot_row.pop(column), orm_row.pop(column)
        assert hot_row == orm_row
        written = datetime(2024, 3, 1, 9, 30, 15, 123456, tzinfo=CST)
        if database_url.startswith("postgresql"):
            assert hot_row["created_at"] == written  # the same instant
        else:  # SQLite's DATETIME keeps the wall time without the offset, whichever way it is written
            assert hot_row["created_at"] == written.replace(tzinfo=None)
        hot_deadline = await _read(engine, DeadlineRow, (DeadlineRow.case_id == "hot") & (DeadlineRow.id == 1))
        orm_deadline = await _read(engine, DeadlineRow, DeadlineRow.case_id == "orm")
        for column in ("id", "case_id"):
            hot_deadline.pop(column), orm_deadline.pop(column)
        assert hot_deadline == orm_deadline
    finally:
        await engine.dispose()


async def test_version_checked_update_and_defaults(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn, driver(conn) as drv:
            row = _case("c1", "N-1")
            async with drv.transaction():
                await drv.run(drv.sql.insert(CaseRow.__table__, row), row)
            change = {"version": 4, "head_hash": "b" * 64}
            stmt = drv.sql.update(CaseRow.__table__, change, ("id", "version"))
            async with drv.transaction():
                assert await drv.run(stmt, {**change, "where_id": "c1", "where_version": 3}) == 1
            async with drv.transaction():  # stale: version 3 is gone
                assert await drv.run(stmt, {**change, "where_id": "c1", "where_version": 3}) == 0
            message = {"topic": "t", "key": "k-1", "aggregate_id": "c1", "aggregate_version": 4, "op": "U",
                       "payload": {"a": 1}, "status": "PENDING", "next_attempt_at": datetime(2024, 1, 1, tzinfo=UTC),
                       "last_error": None, "created_at": datetime(2024, 1, 1, tzinfo=UTC), "delivered_at": None}
            async with drv.transaction():
                await drv.insert_rows(OutboxRow.__table__, [message])
        assert (await _read(engine, CaseRow, CaseRow.id == "c1"))["version"] == 4
        assert (await _read(engine, OutboxRow, OutboxRow.key == "k-1"))["attempts"] == 0  # the column's default
    finally:
        await engine.dispose()


async def _insert_in_one_transaction(drv: Any, rows: list[dict[str, Any]]) -> None:
    async with drv.transaction():
        for row in rows:
            await drv.run(drv.sql.insert(CaseRow.__table__, row), row)


async def test_a_failed_statement_rolls_the_whole_transaction_back(database_url: str) -> None:
    await upgrade(database_url)
    engine = create_engine(database_url)
    try:
        async with engine.connect() as conn, driver(conn) as drv:
            clash = [_case("c1", "N-1"), _case("c2", "N-1")]  # the same case number: unique
            with pytest.raises(DRIVER_INTEGRITY_ERRORS, match=r"(?i)unique"):
                await _insert_in_one_transaction(drv, clash)
        async with engine.connect() as conn:
            assert (await conn.execute(select(CaseRow.id))).all() == []
    finally:
        await engine.dispose()
