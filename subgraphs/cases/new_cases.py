"""The rows of whole new cases written at once (seeding, departments' historical cases): the same rows
`CaseService.execute` writes command by command, built without a database round trip per case.

* `new_case(entry)`: a `CaseHistory` (every transition the state machine made) or an `ImportedCase`
  (a department's record as it stands, one `CaseImported` event) as its final snapshot, that
  snapshot's JSON (written once, stored as it was hashed), the events with the digest of the
  snapshot each left, the deadlines with the seq of the event that set them, and the officers
  with the role each had when a snapshot first named them (as `execute` indexes them);
* `chained_events(case)`: the case's `case_event` rows, chained from genesis (no case number needed,
  so they can be built before the batch's transaction opens);
* `unnumbered_rows(case, events, now)`: the case row (but its number) and its children;
  `owed_messages(case, events, case_no, ...)`: the messages the new case owes the data centre and
  the credit platform, which name its number; `case_rows` adds both to a batch's rows;
* `reserve_case_nos(drv, snapshots)`: the case numbers, drawn by one counter upsert for all the
  prefixes, in the caller's transaction (a rolled-back batch gives its numbers back).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.hashchain import GENESIS_HASH
from subgraphs.cases import snapshot_json
from subgraphs.cases.case_rows import (
    PendingEvent,
    case_no_prefix,
    deadline_row,
    linked_event_rows,
    officer_roles,
    party_rows,
    penalty_kinds,
    query_columns,
)
from subgraphs.cases.codec import encode_command
from subgraphs.cases.domain.commands import CaseCommand
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.deadlines import Deadline
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.errors import BadInput
from subgraphs.cases.hot_sql import Driver
from subgraphs.cases.outbox.credit import PublicityPolicy
from subgraphs.cases.outbox.messages import Change, messages_for_change
from subgraphs.cases.outbox.rows import OutboxRow
from subgraphs.cases.rows import (
    CaseEventRow,
    CaseOfficerRow,
    CasePartyRow,
    CasePenaltyKindRow,
    CaseRow,
    DeadlineRow,
)
from subgraphs.cases.service import IMPORT_KIND, CaseHistory, ImportedCase
from subgraphs.common.orm import Base


class DeferredEntry(Protocol):
    """An entry decoded only when it is to be written: the writer asks for its `case_id` first and skips
    a case already stored without decoding it (a restarted import reads its first part again)."""

    @property
    def case_id(self) -> str: ...

    def entry(self) -> CaseHistory | ImportedCase: ...


CaseEntry = CaseHistory | ImportedCase | DeferredEntry

#: the tables of a new case in the order they are written (children after `penalty_case`), by row key
TABLES: tuple[tuple[str, type[Base]], ...] = (
    ("case", CaseRow), ("party", CasePartyRow), ("event", CaseEventRow), ("deadline", DeadlineRow),
    ("officer", CaseOfficerRow), ("kind", CasePenaltyKindRow), ("outbox", OutboxRow))


@dataclass(frozen=True, slots=True)
class NewCase:
    snapshot: CaseSnapshot
    snapshot_json: Any
    pending: list[tuple[PendingEvent, str]]
    deadlines: list[tuple[int, Deadline]]
    #: officer → role, each with the role it had in the first snapshot naming it (as `execute` indexes them)
    officers: dict[str, str]

    @property
    def case_id(self) -> str:
        return self.snapshot.case_id


def entry_case_id(entry: CaseEntry) -> str:
    """The id of the case an entry writes (without building anything)."""
    if isinstance(entry, ImportedCase):
        return entry.snapshot.case_id
    if not isinstance(entry, CaseHistory):
        return entry.case_id
    if not entry.steps:
        raise BadInput("a case history needs at least its registering transition")
    return entry.steps[-1].after.case_id


def decoded(entry: CaseEntry) -> CaseHistory | ImportedCase:
    """The entry itself, or a deferred one decoded (and holding the case it announced)."""
    if isinstance(entry, CaseHistory | ImportedCase):
        return entry
    wanted, found = entry.case_id, entry.entry()
    if entry_case_id(found) != wanted:
        raise BadInput(f"the entry announced case {wanted} but holds case {entry_case_id(found)}")
    return found


def new_case(entry: CaseEntry) -> NewCase:
    """The final snapshot and its JSON, the events with the digest of the snapshot each left, and the
    deadlines with the seq of the event that set them."""
    entry = decoded(entry)
    pending: list[tuple[PendingEvent, str]] = []
    deadlines: list[tuple[int, Deadline]] = []
    snap_json: Any
    if isinstance(entry, ImportedCase):
        snap = entry.snapshot
        snap_json, digest = snapshot_json.stored_and_digest(snap)
        pending.append((PendingEvent(IMPORT_KIND, "IMPORT", f"IMPORT:{entry.source}", entry.imported_at, None,
                                     snap.state.value, f"imported from {entry.source} ({entry.source_case_no})",
                                     {"source": entry.source, "sourceCaseNo": entry.source_case_no}), digest))
        deadlines.extend((1, d) for d in snap.deadlines)
        return NewCase(snap, snap_json, pending, deadlines, officer_roles(snap))
    if not entry.steps:
        raise BadInput("a case history needs at least its registering transition")
    first = entry.steps[0].after.case_id
    memo: dict[int, tuple[Any, Any]] = {}  # the steps' snapshots share most parts: encode each part once
    officers: dict[str, str] = {}
    last = len(entry.steps) - 1
    for n, step in enumerate(entry.steps):
        if step.after.case_id != first:
            raise BadInput(f"a case history mixes cases {first} and {step.after.case_id}")
        if n == last:
            snap_json, digest = snapshot_json.stored_and_digest(step.after, memo)
        else:
            digest = snapshot_json.digest(step.after, memo)
        for e in step.events:
            payload, texts = _command_payload(e.command)
            pending.append((PendingEvent(e.kind, e.transition, e.actor_id, e.at,
                                         e.from_state.value if e.from_state else None, e.to_state.value, e.summary,
                                         payload, texts), digest))
        deadlines.extend((len(pending), d) for d in step.deadlines)
        for officer, role in officer_roles(step.after).items():
            officers.setdefault(officer, role)
    return NewCase(entry.steps[-1].after, snap_json, pending, deadlines, officers)


_NO_PAYLOAD: dict[str, Any] = {}


def _command_payload(command: CaseCommand) -> tuple[dict[str, Any], tuple[bytes, bytes] | None]:
    """An event's payload: its texts written by msgspec where it writes them as the codec would
    (`snapshot_json.command_texts`), else the codec's value."""
    texts = snapshot_json.command_texts(command)
    if texts is not None:
        return _NO_PAYLOAD, texts
    return encode_command(command), None


def chained_events(case: NewCase, now: datetime) -> tuple[list[dict[str, Any]], int, str]:
    """The case's `case_event` rows chained from genesis; the last seq and hash."""
    return linked_event_rows(case.case_id, case.pending, seq=0, prev=GENESIS_HASH, now=now)


def empty_rows() -> dict[str, list[dict[str, Any]]]:
    return {key: [] for key, _table in TABLES}


def unnumbered_rows(case: NewCase, events: tuple[list[dict[str, Any]], int, str],
                    now: datetime) -> dict[str, list[dict[str, Any]]]:
    """Every row of one new case (its `chained_events`) that does not need its number: the case row
    itself without `case_no`, its parties, events, deadlines, officers and penalty kinds."""
    after = case.snapshot
    event_rows, seq, head = events
    return {
        "case": [{"id": after.case_id, "version": seq, "head_hash": head, "snapshot": case.snapshot_json,
                  "created_at": now, "updated_at": now, **query_columns(after)}],
        "party": party_rows(after),
        "event": event_rows,
        "deadline": [deadline_row(after.case_id, event_seq, d) for event_seq, d in case.deadlines],
        "officer": [{"case_id": after.case_id, "officer_id": o, "role": r} for o, r in case.officers.items()],
        "kind": [{"case_id": after.case_id, "kind": k} for k in penalty_kinds(after)],
    }


def owed_messages(case: NewCase, events: tuple[list[dict[str, Any]], int, str], case_no: str,
                  ctx: GuardContext, publicity: PublicityPolicy, now: datetime) -> list[dict[str, Any]]:
    """The `outbox_message` rows the new case owes once it has its number."""
    event_rows, seq, _head = events
    kinds = [(r["seq"], r["kind"]) for r in event_rows]
    return messages_for_change(Change(case.snapshot, case_no, seq, True, kinds), ctx, publicity, now)


def case_rows(rows: dict[str, list[dict[str, Any]]], case: NewCase,
              events: tuple[list[dict[str, Any]], int, str], case_no: str, ctx: GuardContext,
              publicity: PublicityPolicy, now: datetime) -> None:
    """Add every row of one new case, its number and the messages it owes included, to `rows`."""
    for key, part in unnumbered_rows(case, events, now).items():
        rows[key].extend(part)
    rows["case"][-1]["case_no"] = case_no
    rows["outbox"].extend(owed_messages(case, events, case_no, ctx, publicity, now))


async def reserve_case_nos(drv: Driver, snapshots: Sequence[CaseSnapshot]) -> list[str]:
    """Case numbers for new cases, drawn from every prefix's counter by one upsert (in `drv`'s
    transaction: a batch rolled back gives its numbers back; prefixes in one order, so two writers
    never wait on each other crosswise)."""
    prefixes = [case_no_prefix(s) for s in snapshots]
    wanted: dict[str, int] = {}
    for prefix in prefixes:
        wanted[prefix] = wanted.get(prefix, 0) + 1
    scopes = sorted(wanted)
    last: dict[str, int] = {}
    for start in range(0, len(scopes), _COUNTERS_PER_STATEMENT):
        part = scopes[start:start + _COUNTERS_PER_STATEMENT]
        if drv.pg:
            rows = await drv.raw.fetch(_PG_COUNTERS, part, [wanted[p] for p in part])
        else:
            marks = ", ".join("(?, ?)" for _p in part)
            cursor = await drv.raw.execute(_SQLITE_COUNTERS.format(marks=marks),
                                           [v for p in part for v in (p, wanted[p])])
            try:
                rows = await cursor.fetchall()
            finally:
                await cursor.close()
        last.update((scope, int(value)) for scope, value in rows)
    next_of = {prefix: last[prefix] - n + 1 for prefix, n in wanted.items()}
    out = []
    for prefix in prefixes:
        out.append(f"{prefix}{next_of[prefix]:06d}")
        next_of[prefix] += 1
    return out


_COUNTERS_PER_STATEMENT = 5000
_UPSERT = ("ON CONFLICT (scope) DO UPDATE SET next_value = case_no_counter.next_value + excluded.next_value "
           "RETURNING scope, next_value")
_PG_COUNTERS = ("INSERT INTO case_no_counter (scope, next_value) "
                f"SELECT * FROM unnest($1::varchar[], $2::integer[]) {_UPSERT}")
_SQLITE_COUNTERS = "INSERT INTO case_no_counter (scope, next_value) VALUES {marks} " + _UPSERT
