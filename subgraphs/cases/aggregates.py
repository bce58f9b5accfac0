"""`RecordStore`: coercive measures and inspections, written with the discipline of `CaseService`.

A coercive measure (DOMAIN.md §6.1) and an inspection (§7) are records of their own, each with
its own SM3 event chain: a command is one transaction that

* updates the record's row only `WHERE version = <the version read>` (a stale write matches no row:
  `RecordVersionConflict`, code VERSION_CONFLICT), or inserts it when the command creates it;
* appends the events to `aggregate_event` with a per-record `seq` and the chain link of
  `subgraphs.cases.chain` (the hashed body's `caseId` is the record's id; its `kind` names the command);
* writes the deadlines the transition set (the measure's term, the 24-hour emergency report, the
  3-working-day service of a freeze decision) to `aggregate_deadline`;
* writes the record the data centre is owed (`outbox_message`, `RecordKind.outbound`), if any;
* stores the first response under the idempotency key (same `idempotency_key` table as cases).

Why a chain per record rather than events in the case's chain: inspections have no case, measures
are applied while the case moves on (a measure command must not conflict with a case command on
the case's version), and each record is verified on its own (`verify_case_chain` applies unchanged).
The measure's `case_id` ties it to the case; the case row and its chain are never touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.hashchain import GENESIS_HASH
from subgraphs.cases.chain import EventFields, StoredEvent, chain_hash, snapshot_sm3
from subgraphs.cases.codec import decode, encode
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.deadlines import Deadline
from subgraphs.cases.errors import IdempotencyKeyReused, RecordNotFound, RecordVersionConflict
from subgraphs.cases.facts import FactsProvider
from subgraphs.cases.outbox.messages import record_message
from subgraphs.cases.outbox.rows import OutboxRow
from subgraphs.cases.rows import AggregateDeadlineRow, AggregateEventRow, IdempotencyRow
from subgraphs.cases.service import Idempotency, utcnow

S = TypeVar("S")
IMPORTED = "Imported"  # the kind of the first event of an imported record


@dataclass(frozen=True)
class RecordKind(Generic[S]):
    """How one kind of record is stored: its table, snapshot type and state machine."""

    name: str  # the `aggregate_type` of its events and deadlines
    label: str  # for messages: "coercive measure", "inspection"
    table: Any  # the ORM class of its rows (id, version, head_hash, snapshot, created_at, updated_at, ...)
    snapshot_type: type[S]
    machine: Callable[[S | None, Any, GuardContext], Any]  # returns a transition: before, after, summary
    record_id: Callable[[S], str]
    state: Callable[[S], str]
    columns: Callable[[S], dict[str, Any]]  # the row's query columns
    #: what the record owes the provincial data centre: (record type, data), or None while nothing is owed
    outbound: Callable[[S, GuardContext], tuple[str, dict[str, Any]] | None] | None = None


@dataclass(frozen=True, slots=True)
class Stored(Generic[S]):
    record_id: str
    version: int
    head_hash: str
    snapshot: S


@dataclass(frozen=True, slots=True)
class StepResult(Generic[S]):
    record: Stored[S]
    event_seq: int
    replayed: bool = False


def stored_record_event(r: Any) -> StoredEvent:
    """An `aggregate_event` row as the chain verifier reads it (the record's id in the `caseId` slot)."""
    return StoredEvent(r.global_seq, r.seq, r.prev_hash, r.hash, EventFields(
        r.aggregate_id, r.kind, r.transition, r.actor_id, r.at, r.from_state, r.to_state, r.summary,
        r.payload, r.snapshot_sm3))


def _event_values(aggregate_type: str, seq: int, fields: EventFields, *, prev: str, link: str,
                  now: datetime) -> dict[str, Any]:
    """The `aggregate_event` row of one chained event (the inverse of `stored_record_event`)."""
    return {"aggregate_type": aggregate_type, "aggregate_id": fields.case_id, "seq": seq, "kind": fields.kind,
            "transition": fields.transition, "actor_id": fields.actor_id, "at": fields.at,
            "from_state": fields.from_state, "to_state": fields.to_state, "summary": fields.summary,
            "payload": dict(fields.payload), "snapshot_sm3": fields.snapshot_sm3, "prev_hash": prev, "hash": link,
            "recorded_at": now}


def _owed(kind: RecordKind[S], before: S | None, after: S, version: int, ctx: GuardContext,
          now: datetime) -> dict[str, Any] | None:
    """The data-centre message `after` owes (op "i" the first time the record has something to report)."""
    if kind.outbound is None:
        return None
    report = kind.outbound(after, ctx)
    if report is None:
        return None
    first = before is None or kind.outbound(before, ctx) is None
    return record_message(kind.name, kind.record_id(after), version, "i" if first else "u", report, now)


def _command_json(command: Any) -> dict[str, Any]:
    return {"kind": type(command).__name__, "fields": encode(command)}


class RecordStore:
    """Reads and writes measures and inspections. The engine and facts provider belong to the app."""

    def __init__(self, engine: AsyncEngine, facts: FactsProvider, *,
                 clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self.facts = facts
        self.clock = clock

    async def find(self, kind: RecordKind[S], record_id: str) -> Stored[S] | None:
        t = kind.table
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(t.id, t.version, t.head_hash, t.snapshot)
                                      .where(t.id == record_id))).first()
        if row is None:
            return None
        return Stored(row.id, row.version, row.head_hash, decode(kind.snapshot_type, row.snapshot))

    async def load(self, kind: RecordKind[S], record_id: str) -> Stored[S]:
        found = await self.find(kind, record_id)
        if found is None:
            raise RecordNotFound(kind.label, record_id)
        return found

    async def events(self, kind: RecordKind[S], record_id: str) -> list[StoredEvent]:
        e = AggregateEventRow
        async with self.engine.connect() as conn:
            rows = (await conn.execute(select(*e.__table__.c).where(
                e.aggregate_type == kind.name, e.aggregate_id == record_id).order_by(e.global_seq))).all()
        return [stored_record_event(r) for r in rows]

    async def execute(self, kind: RecordKind[S], command: Any, *, record_id: str | None = None,
                      expected_version: int | None = None, idempotency: Idempotency | None = None) -> StepResult[S]:
        """Apply `command` to record `record_id` (None for a command that creates the record)."""
        if idempotency is not None:
            earlier = await self._earlier(kind, idempotency)
            if earlier is not None:
                return earlier
        before = None if record_id is None else await self.load(kind, record_id)
        if before is not None and expected_version is not None and expected_version != before.version:
            raise RecordVersionConflict(kind.label, before.record_id, expected_version, before.version)
        ctx = await self.facts.guard_context()
        step = kind.machine(before.snapshot if before else None, command, ctx)
        after: S = step.after
        if before is not None and kind.record_id(after) != before.record_id:
            raise RecordVersionConflict(kind.label, before.record_id, expected_version, before.version)
        deadlines: Sequence[Deadline] = getattr(step, "deadlines", ())
        from_state = kind.state(before.snapshot) if before else None
        return await self._commit(kind, before, after, command, from_state, str(step.summary), deadlines,
                                  idempotency, ctx)

    async def import_record(self, kind: RecordKind[S], snapshot: S, *, source: str, source_id: str,
                            at: datetime) -> StepResult[S]:
        """Store a record kept in a department's own system as it stands (the platform's guards never
        ran on it; supervision checks it like any other): its chain starts with one `Imported` event
        naming the source and recording the snapshot's SM3."""
        record_id = kind.record_id(snapshot)
        if await self.find(kind, record_id) is not None:
            raise RecordVersionConflict(kind.label, record_id, None, None)
        now = self.clock()
        snap_json = encode(snapshot)
        digest = snapshot_sm3(snap_json)
        fields = EventFields(record_id, IMPORTED, "IMPORT", f"IMPORT:{source}", at.isoformat(), None,
                             kind.state(snapshot), f"imported from {source} ({source_id})",
                             {"source": source, "sourceId": source_id}, digest)
        link = chain_hash(GENESIS_HASH, 1, fields)
        t = kind.table
        owed = _owed(kind, None, snapshot, 1, await self.facts.guard_context(), now)
        async with self.engine.begin() as conn:
            await conn.execute(insert(t).values(id=record_id, version=1, head_hash=link, snapshot=snap_json,
                                                created_at=now, updated_at=now, **kind.columns(snapshot)))
            await conn.execute(insert(AggregateEventRow).values(
                **_event_values(kind.name, 1, fields, prev=GENESIS_HASH, link=link, now=now)))
            if owed is not None:
                await conn.execute(insert(OutboxRow).values(**owed))
        return StepResult(Stored(record_id, 1, link, snapshot), 1)

    async def _earlier(self, kind: RecordKind[S], idem: Idempotency) -> StepResult[S] | None:
        async with self.engine.connect() as conn:
            row = (await conn.execute(select(IdempotencyRow.request_hash, IdempotencyRow.response)
                                      .where(IdempotencyRow.key == idem.key))).first()
        if row is None:
            return None
        if row.request_hash != idem.request_hash or row.response.get("record") != kind.name:
            raise IdempotencyKeyReused(idem.key)
        raw: Mapping[str, Any] = row.response
        stored = Stored(str(raw["id"]), int(raw["version"]), str(raw["headHash"]),
                        decode(kind.snapshot_type, raw["snapshot"]))
        return StepResult(stored, int(raw["eventSeq"]), replayed=True)

    async def _commit(self, kind: RecordKind[S], before: Stored[S] | None, after: S, command: Any,
                      from_state: str | None, summary: str, deadlines: Sequence[Deadline],
                      idempotency: Idempotency | None, ctx: GuardContext) -> StepResult[S]:
        now = self.clock()
        record_id = kind.record_id(after)
        snap_json = encode(after)
        digest = snapshot_sm3(snap_json)
        seq = (before.version if before else 0) + 1
        prev = before.head_hash if before else GENESIS_HASH
        at: datetime = command.at
        fields = EventFields(record_id, type(command).__name__, "-" if before is None else "->", command.actor_id,
                             at.isoformat(), from_state, kind.state(after), summary, _command_json(command), digest)
        link = chain_hash(prev, seq, fields)
        t = kind.table
        owed = _owed(kind, before.snapshot if before is not None else None, after, seq, ctx, now)
        try:
            async with self.engine.begin() as conn:
                if before is None:
                    await conn.execute(insert(t).values(id=record_id, version=seq, head_hash=link, snapshot=snap_json,
                                                        created_at=now, updated_at=now, **kind.columns(after)))
                else:
                    result = await conn.execute(
                        update(t).where(t.id == record_id, t.version == before.version)
                        .values(version=seq, head_hash=link, snapshot=snap_json, updated_at=now,
                                **kind.columns(after)))
                    if result.rowcount != 1:
                        raise RecordVersionConflict(kind.label, record_id, before.version, None)
                await conn.execute(insert(AggregateEventRow).values(
                    **_event_values(kind.name, seq, fields, prev=prev, link=link, now=now)))
                if deadlines:
                    await conn.execute(insert(AggregateDeadlineRow), [
                        {"aggregate_type": kind.name, "aggregate_id": record_id, "event_seq": seq,
                         "kind": d.kind.value, "basis": d.basis, "unit": d.unit.value, "amount": d.amount,
                         "start": d.start, "due": d.due, "due_at": d.due_at.isoformat() if d.due_at else None,
                         "rolled": d.rolled, "provisional": d.provisional, "adjustments": encode(d.adjustments)}
                        for d in deadlines])
                if owed is not None:
                    await conn.execute(insert(OutboxRow).values(**owed))
                if idempotency is not None:
                    await conn.execute(insert(IdempotencyRow).values(
                        key=idempotency.key, request_hash=idempotency.request_hash, case_id=record_id,
                        response={"record": kind.name, "id": record_id, "version": seq, "headHash": link,
                                  "eventSeq": seq, "snapshot": snap_json}, created_at=now))
        except IntegrityError as exc:
            if idempotency is not None:
                earlier = await self._earlier(kind, idempotency)
                if earlier is not None:
                    return earlier
            raise RecordVersionConflict(kind.label, record_id, before.version if before else None, None) from exc
        return StepResult(Stored(record_id, seq, link, after), seq)
