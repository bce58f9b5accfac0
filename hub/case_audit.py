"""`verify_case_events(url)`: walk every case's SM3 event chain in the store and name the first bad event.

The lead wires this into `hub audit verify`. It reads only: each case row (version, head hash,
snapshot) and its events in insertion order, and checks them with `subgraphs.cases.chain`.
An intact store gives `ok=True`; otherwise `first` names the case, the event's seq (and global
seq) and whether it was EDITED, DELETED or REORDERED, and `faults` lists the first fault of every
damaged case.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from subgraphs.cases.chain import CaseChainFault, snapshot_sm3, verify_case_chain
from subgraphs.cases.queries import stored_event
from subgraphs.cases.rows import CaseEventRow, CaseRow
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
