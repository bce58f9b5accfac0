"""`verify_case_events(url)`: walk every case's SM3 event chain in the store and name the first bad event;
`verify_record_events(url)` does the same for coercive measures and inspections.

The lead wires this into `hub audit verify`. It reads only: each case row (version, head hash,
snapshot) and its events in insertion order, and checks them with `subgraphs.cases.chain`.
An intact store gives `ok=True`; otherwise `first` names the case, the event's seq (and global
seq) and whether it was EDITED, DELETED or REORDERED, and `faults` lists the first fault of every
damaged case.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select

from subgraphs.cases.chain import CaseChainFault, StoredEvent, snapshot_sm3, verify_case_chain
from subgraphs.cases.queries import stored_event
from subgraphs.cases.rows import AggregateEventRow, CaseEventRow, CaseRow
from subgraphs.common.db import create_engine

CASE_BATCH = 200


@dataclass(frozen=True)
class CaseAuditReport:
    ok: bool
    cases: int
    events: int
    faults: list[CaseChainFault] = field(default_factory=list)

    @property
    def first(self) -> CaseChainFault | None:
        return self.faults[0] if self.faults else None

    def __str__(self) -> str:
        if self.ok:
            return f"case events intact: {self.cases} cases, {self.events} events"
        return f"case events damaged in {len(self.faults)} case(s); first: {self.first}"


async def verify_case_events(url: str) -> CaseAuditReport:
    engine = create_engine(url)
    faults: list[CaseChainFault] = []
    cases = events = 0
    try:
        async with engine.connect() as conn:
            after = ""
            while True:
                rows = (await conn.execute(
                    select(CaseRow.id, CaseRow.version, CaseRow.head_hash, CaseRow.snapshot)
                    .where(CaseRow.id > after).order_by(CaseRow.id).limit(CASE_BATCH))).all()
                if not rows:
                    break
                after = rows[-1].id
                ids = [r.id for r in rows]
                grouped: dict[str, list[object]] = {i: [] for i in ids}
                stmt = select(*CaseEventRow.__table__.c).where(CaseEventRow.case_id.in_(ids)) \
                    .order_by(CaseEventRow.global_seq)
                for event in (await conn.execute(stmt)).all():
                    grouped[event.case_id].append(event)
                for row in rows:
                    stored = [stored_event(e) for e in grouped[row.id]]
                    cases += 1
                    events += len(stored)
                    fault = verify_case_chain(row.id, stored, version=row.version, head_hash=row.head_hash,
                                              snapshot_digest=snapshot_sm3(row.snapshot))
                    if fault is not None:
                        faults.append(fault)
    finally:
        await engine.dispose()
    return CaseAuditReport(ok=not faults, cases=cases, events=events, faults=faults)


@dataclass(frozen=True)
class RecordAuditReport:
    """The chains of the records kept beside cases: coercive measures and inspections."""

    ok: bool
    records: dict[str, int]  # label -> records walked
    events: int
    faults: list[tuple[str, CaseChainFault]] = field(default_factory=list)  # (label, first fault)

    def __str__(self) -> str:
        counts = ", ".join(f"{n} {label}s" for label, n in self.records.items())
        if self.ok:
            return f"record events intact: {counts}, {self.events} events"
        label, fault = self.faults[0]
        return f"record events damaged in {len(self.faults)} record(s); first: {label} {str(fault).removeprefix('case ')}"


async def verify_record_events(url: str) -> RecordAuditReport:
    """Walk the SM3 chain of every coercive measure and inspection (`aggregate_event`), as for cases."""
    from subgraphs.cases.aggregates import RecordKind, stored_record_event
    from subgraphs.cases.inspections import INSPECTION
    from subgraphs.cases.measures import MEASURE

    kinds: list[RecordKind[Any]] = [MEASURE, INSPECTION]
    engine = create_engine(url)
    faults: list[tuple[str, CaseChainFault]] = []
    records: dict[str, int] = {}
    events = 0
    try:
        async with engine.connect() as conn:
            for kind in kinds:
                t = kind.table
                records[kind.label] = 0
                after = ""
                for _ in range(100_000_000):  # bounded; ends on a short page
                    rows = (await conn.execute(select(t.id, t.version, t.head_hash, t.snapshot)
                                               .where(t.id > after).order_by(t.id).limit(CASE_BATCH))).all()
                    if not rows:
                        break
                    after = rows[-1].id
                    grouped: dict[str, list[StoredEvent]] = {r.id: [] for r in rows}
                    e = AggregateEventRow
                    stmt = select(*e.__table__.c).where(e.aggregate_type == kind.name,
                                                        e.aggregate_id.in_(list(grouped))).order_by(e.global_seq)
                    for r in (await conn.execute(stmt)).all():
                        grouped[r.aggregate_id].append(stored_record_event(r))
                    for row in rows:
                        records[kind.label] += 1
                        events += len(grouped[row.id])
                        fault = verify_case_chain(row.id, grouped[row.id], version=row.version,
                                                  head_hash=row.head_hash, snapshot_digest=snapshot_sm3(row.snapshot))
                        if fault is not None:
                            faults.append((kind.label, fault))
                    if len(rows) < CASE_BATCH:
                        break
    finally:
        await engine.dispose()
    return RecordAuditReport(ok=not faults, records=records, events=events, faults=faults)
