"""`CaseService`: load a case, apply a domain command, write snapshot + event + deadlines at once.

One write = one database transaction:

* the case row is updated only `WHERE version = <the version read>` (optimistic locking; a stale
  write matches no row and raises `VersionConflict`); a new case is inserted with its number;
* the events are appended with their per-case `seq`, the store-wide `global_seq` and the SM3
  chain link to the previous event (`subgraphs.cases.chain`);
* the deadlines the transition set, the party/officer index rows and any extra rows (a document,
  an evidence file) go in the same transaction;
* the messages the change owes the data centre and the credit platform (`outbox_message`,
  `subgraphs.cases.outbox.messages`) go in the same transaction: written with the change or not at all;
* with an idempotency key, the first response is stored with it. A retry with the same key and
  the same request returns that response and writes nothing; the same key with another request
  is `IdempotencyKeyReused`. Two concurrent first attempts race on the key's primary key: the
  loser's transaction rolls back and it answers from the winner's row; a retry sent while its first
  attempt is still being written loses the version race instead (`VersionConflict`, or a transition
  the new state refuses) and likewise answers from the first attempt's row.

Commands are checked by `machine.apply` with the `GuardContext` of the facts provider; the
domain's `GuardFailed` / `IllegalTransition` / `DomainValueError` propagate unchanged.
"""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import orjson
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncEngine

from domain.hashchain import GENESIS_HASH, canonical_json, canonical_json_unchecked
from domain.sm import sm3_hex
from subgraphs.cases.case_rows import (
    PendingEvent,
    case_no_prefix,
    chained_event_rows,
    deadline_row,
    officer_roles,
    party_rows,
    penalty_kinds,
    query_columns,
)
from subgraphs.cases.case_write import CaseChange, read_case, write_case_change
from subgraphs.cases.codec import decode, decode_json, encode, encode_command
from subgraphs.cases.domain.commands import CaseCommand, DecideOnTheSpot, RegisterClue
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.deadlines import Deadline
from subgraphs.cases.domain.errors import CaseDomainError
from subgraphs.cases.domain.machine import apply
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.domain.transition import Transition
from subgraphs.cases.errors import (
    BadInput,
    CaseNotFound,
    CaseServiceError,
    IdempotencyKeyReused,
    VersionConflict,
)
from subgraphs.cases.facts import FactsProvider
from subgraphs.cases.hot_sql import DRIVER_INTEGRITY_ERRORS, Driver, Trace, driver
from subgraphs.cases.outbox.credit import PublicityPolicy
from subgraphs.cases.outbox.messages import Change, messages_for_change
from subgraphs.cases.rows import (
    IdempotencyRow,
)
from subgraphs.common.orm import Base

#: a refused write, from the ORM or straight from the driver
_INTEGRITY: tuple[type[BaseException], ...] = (IntegrityError, *DRIVER_INTEGRITY_ERRORS)


def uuid7() -> str:
    """A UUID version 7 (time-ordered), as DOMAIN.md §4 asks of entity ids."""
    ms = time.time_ns() // 1_000_000
    value = (ms & ((1 << 48) - 1)) << 80 | int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # variant
    return str(uuid.UUID(int=value))


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True, slots=True)
class CaseRecord:
    """A case as stored: the snapshot plus the row's number, version and chain head."""

    case_id: str
    case_no: str
    version: int
    head_hash: str
    snapshot: CaseSnapshot


@dataclass(frozen=True, slots=True)
class CommandResult:
    case: CaseRecord
    event_seq: int
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class Idempotency:
    """An idempotency key and the hash of the request it was first used for."""

    key: str
    request_hash: str

    def __post_init__(self) -> None:
        if not 1 <= len(self.key) <= 128:
            raise BadInput("an idempotency key has 1 to 128 characters")


@dataclass(frozen=True, slots=True)
class RecordEvent:
    """A change that is not a state transition (a document attached, a licence linked)."""

    kind: str
    actor_id: str
    at: datetime
    summary: str
    payload: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ExtraRow:
    table: type[Base]
    values: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CaseHistory:
    """A case as the state machine built it: every transition from the registering command on."""

    steps: Sequence[Transition]


@dataclass(frozen=True, slots=True)
class ImportedCase:
    """A case handled in a department's own system (历史/外部案件) and imported as its record stands:
    the platform's guards never ran on it, so supervision must check it like any other. Its chain
    starts with one `CaseImported` event that records where it came from and the snapshot's SM3."""

    snapshot: CaseSnapshot
    source: str
    source_case_no: str
    imported_at: datetime


IMPORT_KIND = "CaseImported"


def request_hash(payload: Mapping[str, Any]) -> str:
    """SM3 of a request's canonical JSON (what an idempotency key is bound to)."""
    return sm3_hex(canonical_json(dict(payload)))


class CaseService:
    """Reads and writes penalty cases. The engine and facts provider belong to the app."""

    def __init__(self, engine: AsyncEngine, facts: FactsProvider, *, clock: Callable[[], datetime] = utcnow,
                 new_id: Callable[[], str] = uuid7, publicity: PublicityPolicy | None = None,
                 trace: Trace | None = None) -> None:
        self.engine = engine
        self.trace = trace  # sees every statement of the hot path (the case benchmark's floor replays them)
        self.facts = facts
        self.clock = clock
        self.new_id = new_id
        self.publicity = publicity or PublicityPolicy()

    # -- reading -------------------------------------------------------------------------------

    async def find(self, case_id: str) -> CaseRecord | None:
        async with self.engine.connect() as conn, driver(conn, self.trace) as drv:
            return await _find(drv, case_id)

    async def load(self, case_id: str) -> CaseRecord:
        found = await self.find(case_id)
        if found is None:
            raise CaseNotFound(case_id)
        return found

    # -- writing -------------------------------------------------------------------------------

    async def execute(
        self, command: CaseCommand, *, case_id: str | None = None, expected_version: int | None = None,
        idempotency: Idempotency | None = None, extra: Sequence[ExtraRow] = (),
    ) -> CommandResult:
        """Apply `command` to case `case_id` (None for a command that registers the case)."""
        if idempotency is not None:
            earlier = await self._earlier(idempotency)
            if earlier is not None:
                return earlier
        return await self._first_answer_on_conflict(
            self._execute(command, case_id, expected_version, idempotency, extra), idempotency)

    async def _execute(self, command: CaseCommand, case_id: str | None, expected_version: int | None,
                       idempotency: Idempotency | None, extra: Sequence[ExtraRow]) -> CommandResult:
        creating = case_id is None
        async with self.engine.connect() as conn, driver(conn, self.trace) as drv:
            if creating:
                before = None
                new_case_id = _registered_id(command)
            else:
                assert case_id is not None
                before = await _find(drv, case_id)
                if before is None:
                    raise CaseNotFound(case_id)
                new_case_id = case_id
                if expected_version is not None and expected_version != before.version:
                    raise VersionConflict(case_id, expected_version, before.version)
            ctx = await self.facts.guard_context()
            step = apply(before.snapshot if before else None, command, ctx)
            if step.after.case_id != new_case_id:
                raise BadInput(f"the command registers case {step.after.case_id}, not {new_case_id}")
            pending = [
                PendingEvent(e.kind, e.transition, e.actor_id, e.at, e.from_state.value if e.from_state else None,
                         e.to_state.value, e.summary, encode_command(e.command))
                for e in step.events
            ]
            return await self._write(drv, before, step.after, pending, step.deadlines, idempotency, extra, ctx)

    async def record(
        self, case_id: str, event: RecordEvent, *, expected_version: int | None = None,
        idempotency: Idempotency | None = None, extra: Sequence[ExtraRow] = (),
    ) -> CommandResult:
        """Append a non-transition event (the snapshot is unchanged) with its extra rows."""
        if idempotency is not None:
            earlier = await self._earlier(idempotency)
            if earlier is not None:
                return earlier
        return await self._first_answer_on_conflict(
            self._record(case_id, event, expected_version, idempotency, extra), idempotency)

    async def _record(self, case_id: str, event: RecordEvent, expected_version: int | None,
                      idempotency: Idempotency | None, extra: Sequence[ExtraRow]) -> CommandResult:
        before = await self.load(case_id)
        if expected_version is not None and expected_version != before.version:
            raise VersionConflict(case_id, expected_version, before.version)
        state = before.snapshot.state.value
        pending = [PendingEvent(event.kind, "-", event.actor_id, event.at, state, state, event.summary, event.payload)]
        return await self._commit(before, before.snapshot, pending, (), idempotency, extra, None)

    async def _first_answer_on_conflict(self, write: Awaitable[CommandResult],
                                        idempotency: Idempotency | None) -> CommandResult:
        """`write`; but when it is refused and its key has been answered meanwhile — the request's first
        attempt, still being written when this retry came, changed the case: a version conflict, or a
        transition the new state no longer allows — the first attempt's answer."""
        try:
            return await write
        except (CaseServiceError, CaseDomainError):
            if idempotency is not None:
                earlier = await self._earlier(idempotency)
                if earlier is not None:
                    return earlier
            raise

    async def _earlier(self, idem: Idempotency) -> CommandResult | None:
        async with self.engine.connect() as conn, driver(conn, self.trace) as drv:
            row = await drv.row(drv.sql.select(IdempotencyRow.__table__, ("request_hash", "response"), "key"),
                                {"where": idem.key})
        if row is None:
            return None
        if row[0] != idem.request_hash:
            raise IdempotencyKeyReused(idem.key)
        raw = row[1]
        return _from_response(orjson.loads(raw) if isinstance(raw, str | bytes) else raw, replayed=True)

    async def _commit(
        self, before: CaseRecord | None, after: CaseSnapshot, pending: Sequence[PendingEvent],
        deadlines: Sequence[Deadline], idempotency: Idempotency | None, extra: Sequence[ExtraRow],
        ctx: GuardContext | None,
    ) -> CommandResult:
        """Write one change; `ctx` (the guards' facts) names the body and item in the outbound messages —
        None for an event that leaves the snapshot as it was (no message is owed)."""
        async with self.engine.connect() as conn, driver(conn, self.trace) as drv:
            return await self._write(drv, before, after, pending, deadlines, idempotency, extra, ctx)

    async def _write(
        self, drv: Driver, before: CaseRecord | None, after: CaseSnapshot, pending: Sequence[PendingEvent],
        deadlines: Sequence[Deadline], idempotency: Idempotency | None, extra: Sequence[ExtraRow],
        ctx: GuardContext | None,
    ) -> CommandResult:
        now = self.clock()
        snap_json = encode(after)
        digest = sm3_hex(canonical_json_unchecked(snap_json))  # the codec's output: float-free by construction
        event_rows, seq, prev = chained_event_rows(
            after.case_id, [(p, digest) for p in pending], seq=before.version if before else 0,
            prev=before.head_hash if before else GENESIS_HASH, now=now)
        known = officer_roles(before.snapshot) if before is not None else {}
        kinds = penalty_kinds(after)
        change = CaseChange(
            after.case_id, before is None, before.version if before else None,
            {"version": seq, "head_hash": prev, "snapshot": snap_json, "updated_at": now, **query_columns(after),
             **({"created_at": now} if before is None else {})},
            party_rows(after) if before is None else (),
            event_rows, [deadline_row(after.case_id, seq, d) for d in deadlines],
            [{"case_id": after.case_id, "officer_id": o, "role": r} for o, r in officer_roles(after).items()
             if o not in known],
            kinds if kinds != penalty_kinds(before.snapshot if before is not None else None) else None,
            [(row.table, row.values) for row in extra])
        records: list[CaseRecord] = []

        def outbox(case_no: str) -> Sequence[Mapping[str, Any]]:
            record = CaseRecord(after.case_id, case_no or (before.case_no if before else ""), seq, prev, after)
            records.append(record)
            if ctx is None:
                return ()
            message = Change(after, record.case_no, seq, before is None, [(r["seq"], r["kind"]) for r in event_rows])
            return messages_for_change(message, ctx, self.publicity, now)

        def idem_row(_case_no: str) -> Mapping[str, Any] | None:
            if idempotency is None:
                return None
            return {"key": idempotency.key, "request_hash": idempotency.request_hash, "case_id": after.case_id,
                    "response": _response(records[0], seq, snap_json), "created_at": now}

        try:
            async with drv.transaction():
                written = await write_case_change(
                    drv, change, case_no_prefix=case_no_prefix(after) if before is None else None,
                    outbox=outbox, idempotency=idem_row)
                if written is None:
                    assert before is not None
                    raise VersionConflict(before.case_id, before.version, None)
        except _INTEGRITY as exc:
            if idempotency is not None:
                earlier = await self._earlier(idempotency)
                if earlier is not None:
                    return earlier
            raise VersionConflict(after.case_id, before.version if before else None, None) from exc
        return CommandResult(records[0], seq)

    async def write_many(self, cases: Sequence[CaseHistory | ImportedCase], *, chunk: int = 500) -> int:
        """Write whole new cases at once (seeding, migration of departmental records): the same rows,
        chains and deadlines as `execute` writes command by command, `chunk` cases per transaction,
        written with `COPY` / `executemany` (`subgraphs.cases.bulk`). A case already stored is skipped.
        Returns the number of cases written; a case that cannot be written is `BadInput` (after the
        others are written)."""
        from subgraphs.cases.bulk import BulkWriter

        writer = BulkWriter(self.engine, await self.facts.guard_context(), publicity=self.publicity,
                            clock=self.clock)
        result = await writer.write(cases, batch=chunk)
        if result.refused:
            raise BadInput(f"{len(result.refused)} case(s) not written; first: {result.refused[0]}")
        return result.written


async def _find(drv: Driver, case_id: str) -> CaseRecord | None:
    row = await read_case(drv, case_id)
    if row is None:
        return None
    return CaseRecord(row.case_id, row.case_no, row.version, row.head_hash, decode_json(CaseSnapshot, row.snapshot_text))


def _registered_id(command: CaseCommand) -> str:
    if isinstance(command, RegisterClue):
        return command.case_id
    if isinstance(command, DecideOnTheSpot) and command.clue is not None:
        return command.clue.case_id
    raise BadInput(f"{type(command).__name__} needs the id of an existing case")


def _response(record: CaseRecord, seq: int, snap_json: Any) -> dict[str, Any]:
    return {"caseId": record.case_id, "caseNo": record.case_no, "version": record.version,
            "headHash": record.head_hash, "eventSeq": seq, "snapshot": snap_json}


def _from_response(raw: Mapping[str, Any], *, replayed: bool) -> CommandResult:
    record = CaseRecord(str(raw["caseId"]), str(raw["caseNo"]), int(raw["version"]), str(raw["headHash"]),
                        decode(CaseSnapshot, raw["snapshot"]))
    return CommandResult(record, int(raw["eventSeq"]), replayed=replayed)

