"""The case event chain: what each event hashes, and how a stored chain is verified.

Each case has its own SM3 chain (`domain.hashchain`): event `seq` n stores the hash of event n-1
as `prev_hash` (64 zeros for the first) and `hash = SM3(prev_hash || canonical_json({"body": body,
"seq": n}))`, where `body` is built from the event row's columns by `event_body`, so editing any
column of a stored event changes the recomputed hash. The case row keeps `head_hash`, `version`
(= the seq of the latest event) and the snapshot whose SM3 the latest event records, so deleting
the last event or editing the snapshot is caught as well.

`verify_case_chain` walks one case in insertion order (`global_seq`) and names the FIRST event
that was EDITED, DELETED or REORDERED (`domain.hashchain.verify_chain`, with a broken link or an
edit that is really a moved entry classified as REORDERED).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from domain.hashchain import GENESIS_HASH, ChainEntry, ChainFault, canonical_json, entry_hash, verify_chain
from domain.sm import sm3_hex


def snapshot_sm3(snapshot_json: Mapping[str, Any]) -> str:
    return sm3_hex(canonical_json(snapshot_json))


@dataclass(frozen=True, slots=True)
class EventFields:
    """The hashed content of one event (the columns of `case_event` except the chain links)."""

    case_id: str
    kind: str
    transition: str
    actor_id: str
    at: str
    from_state: str | None
    to_state: str
    summary: str
    payload: Mapping[str, Any]
    snapshot_sm3: str


def event_body(fields: EventFields) -> dict[str, Any]:
    return {
        "caseId": fields.case_id, "kind": fields.kind, "transition": fields.transition, "actor": fields.actor_id,
        "at": fields.at, "from": fields.from_state, "to": fields.to_state, "summary": fields.summary,
        "payload": dict(fields.payload), "snapshotSm3": fields.snapshot_sm3,
    }


def chain_hash(prev_hash: str, seq: int, fields: EventFields) -> str:
    return entry_hash(prev_hash, seq, event_body(fields))


@dataclass(frozen=True, slots=True)
class StoredEvent:
    """An event row as read back for verification."""

    global_seq: int
    seq: int
    prev_hash: str
    hash: str
    fields: EventFields

    def entry(self) -> ChainEntry:
        return ChainEntry(seq=self.seq, prev_hash=self.prev_hash, body=event_body(self.fields), hash=self.hash)


@dataclass(frozen=True, slots=True)
class CaseChainFault:
    """The first bad event of a case: `seq`/`global_seq` of the row at fault (None when missing)."""

    case_id: str
    fault: str  # EDITED / DELETED / REORDERED
    seq: int | None
    global_seq: int | None
    reason: str

    def __str__(self) -> str:
        where = f"event seq {self.seq}" if self.seq is not None else "an event"
        if self.global_seq is not None:
            where += f" (global seq {self.global_seq})"
        return f"case {self.case_id}: {where} {self.fault}: {self.reason}"


def verify_case_chain(
    case_id: str, events: Sequence[StoredEvent], *, version: int, head_hash: str, snapshot_digest: str,
) -> CaseChainFault | None:
    """Check one case's chain against its row; None when intact."""
    ordered = sorted(events, key=lambda e: e.global_seq)
    report = verify_chain([e.entry() for e in ordered], start_hash=GENESIS_HASH, first_seq=1)
    if not report.ok:
        assert report.bad_index is not None
        bad = ordered[report.bad_index]
        fault, reason = _classify(report.fault, report.reason, bad, ordered)
        if fault == "DELETED":
            missing = report.head_seq + 1 if report.head_seq is not None else 1
            return CaseChainFault(case_id, fault, missing, None,
                                  f"event seq {missing} is missing (next stored event is seq {bad.seq}): {reason}")
        return CaseChainFault(case_id, fault, bad.seq, bad.global_seq, reason)
    last = ordered[-1] if ordered else None
    last_seq = last.seq if last is not None else 0
    if last_seq < version:
        return CaseChainFault(case_id, "DELETED", last_seq + 1, None,
                              f"the case is at version {version} but its events end at seq {last_seq}")
    if last_seq > version or (last is not None and last.hash != head_hash):
        return CaseChainFault(case_id, "EDITED", last_seq, last.global_seq if last else None,
                              "the case row's version/head hash does not match its latest event")
    if last is not None and last.fields.snapshot_sm3 != snapshot_digest:
        return CaseChainFault(case_id, "EDITED", None, None,
                              "the stored snapshot differs from the one recorded by the latest event")
    return None


def _classify(
    fault: ChainFault | None, reason: str, bad: StoredEvent, events: Sequence[StoredEvent],
) -> tuple[str, str]:
    if fault in (ChainFault.DELETED, ChainFault.REORDERED):
        return fault.value, reason
    others = [e for e in events if e is not bad]
    if fault is ChainFault.BROKEN_LINK and any(e.hash == bad.prev_hash for e in others):
        return "REORDERED", "the event links to an event that is not its predecessor (events moved)"
    if fault is ChainFault.EDITED:
        body = event_body(bad.fields)
        for seq in range(1, len(events) + 2):
            if seq != bad.seq and entry_hash(bad.prev_hash, seq, body) == bad.hash:
                return "REORDERED", f"the event was recorded as seq {seq} and now sits at seq {bad.seq}"
    return "EDITED", reason
