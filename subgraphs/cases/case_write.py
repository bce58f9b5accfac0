"""One change of one case written in one transaction on the driver (`subgraphs.cases.hot_sql`).

What is written is exactly what `CaseService` has always written — the case row under its version
(or a new row with its number), the chained events, the deadlines, the party/officer/penalty-kind
index rows, the caller's extra rows, the outbox messages and the idempotency record — with one
statement per table (several rows of a table go as one pipelined batch), the case number drawn
by a single upsert, and no statement rebuilt per call.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from subgraphs.cases.hot_sql import Driver, json_text
from subgraphs.cases.outbox.rows import OutboxRow
from subgraphs.cases.rows import (
    CaseEventRow,
    CaseNoCounterRow,
    CaseOfficerRow,
    CasePartyRow,
    CasePenaltyKindRow,
    CaseRow,
    DeadlineRow,
    IdempotencyRow,
)
from subgraphs.common.orm import Base

CASE = CaseRow.__table__
CASE_COLUMNS = ("id", "case_no", "version", "head_hash", "snapshot")


@dataclass(frozen=True, slots=True)
class StoredCase:
    """The row of a case as the hot path reads it: the snapshot still as its stored JSON text."""

    case_id: str
    case_no: str
    version: int
    head_hash: str
    snapshot_text: str | bytes


async def read_case(drv: Driver, case_id: str) -> StoredCase | None:
    row = await drv.row(drv.sql.select(CASE, CASE_COLUMNS, "id"), {"where": case_id})
    if row is None:
        return None
    text = row[4]
    if not isinstance(text, str | bytes):  # a driver that parsed the JSON itself
        text = json_text(text)
    return StoredCase(row[0], row[1], int(row[2]), row[3], text)


@dataclass(frozen=True, slots=True)
class CaseChange:
    """The rows of one change, built by the service before the transaction opens."""

    case_id: str
    creating: bool
    before_version: int | None
    case_values: Mapping[str, Any]  # version, head_hash, snapshot, updated_at and the query columns
    parties: Sequence[Mapping[str, Any]]
    events: Sequence[Mapping[str, Any]]
    deadlines: Sequence[Mapping[str, Any]]
    officers: Sequence[Mapping[str, Any]]
    kinds: Sequence[str] | None  # None: the penalty kinds did not change
    extra: Sequence[tuple[type[Base], Mapping[str, Any]]]


async def draw_case_no(drv: Driver, prefix: str) -> str:
    """案件编号 `{prefix}{seq6}` from the prefix's counter, drawn and incremented in one statement."""
    value = (await drv.row(drv.sql.counter_next(CaseNoCounterRow.__table__, "scope", "next_value"),
                           {"scope": prefix, "n": 1}))[0]
    return f"{prefix}{int(value):06d}"


async def write_case_change(drv: Driver, change: CaseChange, *, case_no_prefix: str | None,
                            outbox: Callable[[str], Sequence[Mapping[str, Any]]],
                            idempotency: Callable[[str], Mapping[str, Any] | None]) -> str | None:
    """Write `change` inside the caller's transaction. A new case draws its number from
    `case_no_prefix`; `outbox` and `idempotency` build their rows once the number is known.
    Returns the new case's number, or None for an update refused by the version check (nothing
    is written then: the caller's transaction is rolled back by the caller's error)."""
    sql = drv.sql
    case_no: str | None = None
    if change.creating:
        assert case_no_prefix is not None
        case_no = await draw_case_no(drv, case_no_prefix)
        values = {"id": change.case_id, "case_no": case_no, **change.case_values}
        await drv.run(sql.insert(CASE, values), values)
        if change.parties:
            await drv.insert_rows(CasePartyRow.__table__, change.parties)
    else:
        values = {**change.case_values, "where_id": change.case_id, "where_version": change.before_version}
        if await drv.run(sql.update(CASE, change.case_values, ("id", "version")), values) != 1:
            return None
    await drv.insert_rows(CaseEventRow.__table__, change.events)
    await drv.insert_rows(DeadlineRow.__table__, change.deadlines)
    await drv.insert_rows(CaseOfficerRow.__table__, change.officers, ignore_conflict=("case_id", "officer_id"))
    if change.kinds is not None:
        table = CasePenaltyKindRow.__table__
        await drv.run(sql.delete(table, "case_id"), {"where": change.case_id})
        rows = [{"case_id": change.case_id, "kind": k} for k in change.kinds]
        await drv.insert_rows(table, rows)
    for model, row in change.extra:
        await drv.run(sql.insert(model.__table__, row), row)
    number = case_no or ""
    messages = outbox(number)
    await drv.insert_rows(OutboxRow.__table__, messages)
    idem = idempotency(number)
    if idem is not None:
        await drv.run(sql.insert(IdempotencyRow.__table__, idem), idem)
    return number
