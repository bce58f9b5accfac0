"""Read side of the case store: pages of cases and the children of many cases at once (for loaders).

Every function takes the engine and returns plain dataclasses (never ORM rows). Pages are keyset
pages in the order the caller asks for (`subgraphs.cases.listing`), the case id breaking ties.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import ColumnElement, select
from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.chain import EventFields, StoredEvent
from subgraphs.cases.codec import decode
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.listing import (
    CASE_SORT_KEYS,
    CaseFilter,
    Ordering,
    case_conditions,
    count_of,
    keyset_page,
    ordering,
)
from subgraphs.cases.rows import (
    CaseEventRow,
    CaseLicenceRow,
    CaseRow,
    DeadlineRow,
    DocumentRow,
    EvidenceRow,
)
from subgraphs.cases.service import CaseRecord
from subgraphs.cases.snapshot_cache import PAGE_SNAPSHOTS

_CHUNK = 500
T = TypeVar("T")

__all__ = ["CaseFilter", "Listed", "case_order", "cases_listed"]


@dataclass(frozen=True, slots=True)
class EventView:
    case_id: str
    seq: int
    global_seq: int
    kind: str
    transition: str
    actor_id: str
    at: str
    from_state: str | None
    to_state: str
    summary: str
    payload: dict[str, Any]
    prev_hash: str
    hash: str
    snapshot_sm3: str


@dataclass(frozen=True, slots=True)
class DeadlineView:
    case_id: str
    event_seq: int
    kind: str
    basis: str
    unit: str
    amount: int
    start: date
    due: date
    rolled: bool
    provisional: bool


@dataclass(frozen=True, slots=True)
class DocumentView:
    id: str
    case_id: str
    doc_type: str
    doc_no: str | None
    title: str
    media_type: str
    sm3: str
    size: int
    seal_key_id: str | None
    seal_signature: str | None
    signed_at: str | None
    created_by: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EvidenceView:
    id: str
    case_id: str
    kind: str
    title: str
    media_type: str
    sm3: str
    size: int
    captured_at: str
    device_id: str | None
    method: str | None
    collected_by: list[str]


def _record(row: Any) -> CaseRecord:
    return CaseRecord(row.id, row.case_no, row.version, row.head_hash, decode(CaseSnapshot, row.snapshot))


_CASE_COLUMNS = (CaseRow.id, CaseRow.case_no, CaseRow.version, CaseRow.head_hash, CaseRow.snapshot)


async def cases_by_id(engine: AsyncEngine, ids: Sequence[str],
                      scope: ColumnElement[bool] | None = None) -> dict[str, CaseRecord]:
    """The cases with these ids (those `scope`, a condition on `penalty_case`, selects)."""
    out: dict[str, CaseRecord] = {}
    wanted = list(dict.fromkeys(ids))
    async with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            stmt = select(*_CASE_COLUMNS).where(CaseRow.id.in_(wanted[start:start + _CHUNK]))
            if scope is not None:
                stmt = stmt.where(scope)
            for row in (await conn.execute(stmt)).all():
                out[row.id] = _record(row)
    return out


@dataclass(frozen=True, slots=True)
class Listed(Generic[T]):
    """One page of a list: its items, the cursor position after the last one (None: last page) and
    the exact number of items the filter selects."""

    items: list[T]
    next_position: dict[str, Any] | None
    total: int


async def cases_listed(engine: AsyncEngine, flt: CaseFilter, order: Ordering, *, after: dict[str, Any] | None,
                       limit: int, scope: ColumnElement[bool] | None = None) -> Listed[CaseRecord]:
    """A page of the cases matching `flt` (and `scope`, a condition on `penalty_case`) in `order`."""
    conditions = case_conditions(flt) + ([scope] if scope is not None else [])
    heads = select(CaseRow.id, CaseRow.case_no, CaseRow.version, CaseRow.head_hash)
    async with engine.connect() as conn:
        rows, position = await keyset_page(conn, heads, conditions, order, after=after, limit=limit)
        total = len(rows) if position is None and after is None else await count_of(conn, CaseRow, conditions)
        records = await _with_snapshots(conn, rows)
    return Listed([records[r.id] for r in rows if r.id in records], position, total)


async def _with_snapshots(conn: Any, heads: Sequence[Any]) -> dict[str, CaseRecord]:
    """The records of these (id, case number, version, head hash) rows with their decoded snapshots:
    from the page cache, the rest read and decoded in one query per chunk (a case changed since
    the page was read comes with its new version, head hash and snapshot together)."""
    out: dict[str, CaseRecord] = {}
    missing: dict[str, Any] = {}
    for r in heads:
        found = PAGE_SNAPSHOTS.get((r.id, r.version, r.head_hash))
        if found is None:
            missing[r.id] = r
        else:
            out[r.id] = CaseRecord(r.id, r.case_no, r.version, r.head_hash, found)
    wanted = list(missing)
    for start in range(0, len(wanted), _CHUNK):
        stmt = select(CaseRow.id, CaseRow.version, CaseRow.head_hash, CaseRow.snapshot) \
            .where(CaseRow.id.in_(wanted[start:start + _CHUNK]))
        for row in (await conn.execute(stmt)).all():
            snapshot: CaseSnapshot = decode(CaseSnapshot, row.snapshot)
            PAGE_SNAPSHOTS.put((row.id, row.version, row.head_hash), snapshot)
            out[row.id] = CaseRecord(row.id, missing[row.id].case_no, row.version, row.head_hash, snapshot)
    return out


def case_order(wanted: Sequence[tuple[str, bool]] = ()) -> Ordering:
    return ordering(CASE_SORT_KEYS, wanted, CaseRow.id)


async def _grouped(engine: AsyncEngine, stmt_for: Any, key: str, case_ids: Sequence[str]) -> dict[str, list[Any]]:
    out: defaultdict[str, list[Any]] = defaultdict(list)
    wanted = list(dict.fromkeys(case_ids))
    async with engine.connect() as conn:
        for start in range(0, len(wanted), _CHUNK):
            for row in (await conn.execute(stmt_for(wanted[start:start + _CHUNK]))).all():
                out[getattr(row, key)].append(row)
    return out


async def events_of(engine: AsyncEngine, case_ids: Sequence[str]) -> dict[str, list[EventView]]:
    rows = await _grouped(engine, lambda c: select(*CaseEventRow.__table__.c).where(
        CaseEventRow.case_id.in_(c)).order_by(CaseEventRow.global_seq), "case_id", case_ids)
    return {k: [EventView(r.case_id, r.seq, r.global_seq, r.kind, r.transition, r.actor_id, r.at, r.from_state,
                          r.to_state, r.summary, dict(r.payload), r.prev_hash, r.hash, r.snapshot_sm3) for r in v]
            for k, v in rows.items()}


async def deadlines_of(engine: AsyncEngine, case_ids: Sequence[str]) -> dict[str, list[DeadlineView]]:
    rows = await _grouped(engine, lambda c: select(*DeadlineRow.__table__.c).where(
        DeadlineRow.case_id.in_(c)).order_by(DeadlineRow.id), "case_id", case_ids)
    return {k: [DeadlineView(r.case_id, r.event_seq, r.kind, r.basis, r.unit, r.amount, r.start, r.due, r.rolled,
                             r.provisional) for r in v] for k, v in rows.items()}


async def documents_of(engine: AsyncEngine, case_ids: Sequence[str]) -> dict[str, list[DocumentView]]:
    rows = await _grouped(engine, lambda c: select(*DocumentRow.__table__.c).where(
        DocumentRow.case_id.in_(c)).order_by(DocumentRow.created_at, DocumentRow.id), "case_id", case_ids)
    return {k: [_document(r) for r in v] for k, v in rows.items()}


def _document(r: Any) -> DocumentView:
    return DocumentView(r.id, r.case_id, r.doc_type, r.doc_no, r.title, r.media_type, r.sm3, r.size, r.seal_key_id,
                        r.seal_signature, r.signed_at, r.created_by, r.created_at)


async def document(engine: AsyncEngine, document_id: str) -> DocumentView | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(*DocumentRow.__table__.c).where(DocumentRow.id == document_id))).first()
    return None if row is None else _document(row)


async def evidence_of(engine: AsyncEngine, case_ids: Sequence[str]) -> dict[str, list[EvidenceView]]:
    rows = await _grouped(engine, lambda c: select(*EvidenceRow.__table__.c).where(
        EvidenceRow.case_id.in_(c)).order_by(EvidenceRow.created_at, EvidenceRow.id), "case_id", case_ids)
    return {k: [EvidenceView(r.id, r.case_id, r.kind, r.title, r.media_type, r.sm3, r.size, r.captured_at,
                             r.device_id, r.method, list(r.collected_by)) for r in v] for k, v in rows.items()}


async def licences_of(engine: AsyncEngine, case_ids: Sequence[str]) -> dict[str, list[tuple[str, str]]]:
    rows = await _grouped(engine, lambda c: select(CaseLicenceRow.case_id, CaseLicenceRow.licence_id,
                                                   CaseLicenceRow.action).where(CaseLicenceRow.case_id.in_(c)),
                          "case_id", case_ids)
    return {k: [(r.licence_id, r.action) for r in v] for k, v in rows.items()}


async def stored_events(engine: AsyncEngine, case_id: str) -> list[StoredEvent]:
    """A case's events as the chain verifier reads them."""
    async with engine.connect() as conn:
        rows = (await conn.execute(select(*CaseEventRow.__table__.c).where(CaseEventRow.case_id == case_id)
                                   .order_by(CaseEventRow.global_seq))).all()
    return [stored_event(r) for r in rows]


def stored_event(r: Any) -> StoredEvent:
    fields = EventFields(r.case_id, r.kind, r.transition, r.actor_id, r.at, r.from_state, r.to_state, r.summary,
                         r.payload, r.snapshot_sm3)
    return StoredEvent(r.global_seq, r.seq, r.prev_hash, r.hash, fields)
