"""The rows a change of a case writes, built from its snapshot and its events: the case row's query
columns, its parties, officers, penalty kinds and deadlines, its case-number prefix, and its
`case_event` rows chained by SM3 (`subgraphs.cases.chain`).

`CaseService` writes them command by command, the bulk writer (`subgraphs.cases.new_cases`) whole
cases at once; both build them here, so the two write the same rows.

Two functions link events, with the same rows and the same hashes:

* `chained_event_rows` checks each event's body for values canonical JSON refuses (a float in a
  recorded event's payload) before hashing it: what the service uses for any event;
* `linked_event_rows` is for events whose payloads are the case codec's output (float-free JSON
  with string keys by construction: the codec has no float form), hashed without that walk; a
  payload may come as its texts already written (`PendingEvent.payload_texts`: the stored JSON and
  the canonical JSON), which go into the row and the hash as they stand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from domain.hashchain import entry_hash_unchecked
from domain.sm import sm3_hex
from subgraphs.cases.chain import EventFields, chain_hash
from subgraphs.cases.codec import encode
from subgraphs.cases.domain.deadlines import Deadline
from subgraphs.cases.domain.enums import Procedure
from subgraphs.cases.domain.snapshot import CaseSnapshot


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """One event about to be written. With `payload_texts` (the payload's stored JSON text and its
    canonical JSON, both UTF-8), `payload` is not read by `linked_event_rows`."""

    kind: str
    transition: str
    actor_id: str
    at: datetime
    from_state: str | None
    to_state: str
    summary: str
    payload: Mapping[str, Any]
    payload_texts: tuple[bytes, bytes] | None = None


def body_seq(body_uscc: str) -> str:
    """The 3-digit body part of the case number ([P]: derived from the USCC until 粤执法 assigns one)."""
    return f"{int(sm3_hex(body_uscc.encode())[:8], 16) % 1000:03d}"


def case_no_prefix(snapshot: CaseSnapshot) -> str:
    kind = "02" if snapshot.procedure is Procedure.SIMPLE else "01"
    return f"{snapshot.region_code[:6]:0<6}{body_seq(snapshot.body_id)}{snapshot.clue_received_on.year}{kind}"


def officer_roles(snapshot: CaseSnapshot) -> dict[str, str]:
    """Every officer the snapshot names, with the first role it names them in."""
    roles: dict[str, str] = {}
    for officer in snapshot.investigators:
        roles.setdefault(officer, "INVESTIGATOR")
    if snapshot.verifier_id:
        roles.setdefault(snapshot.verifier_id, "VERIFIER")
    if snapshot.legal_review is not None and snapshot.legal_review.reviewer_id:
        roles.setdefault(snapshot.legal_review.reviewer_id, "LEGAL_REVIEWER")
    if snapshot.hearing is not None and snapshot.hearing.chair_id:
        roles.setdefault(snapshot.hearing.chair_id, "HEARING_CHAIR")
    for evidence in snapshot.evidence:
        for officer in evidence.collected_by:
            roles.setdefault(officer, "COLLECTOR")
    return roles


def query_columns(snapshot: CaseSnapshot) -> dict[str, Any]:
    """The columns of `penalty_case` that mirror the snapshot for queries."""
    decided = snapshot.decision.decided_on if snapshot.decision is not None else (
        snapshot.no_penalty.decided_on if snapshot.no_penalty is not None else None)
    party = snapshot.parties[0] if snapshot.parties else None
    return {
        "body_uscc": snapshot.body_id, "item_code": snapshot.item_code, "item_version": snapshot.item_version,
        "status": snapshot.state.value, "procedure": snapshot.procedure.value if snapshot.procedure else None,
        "region_code": snapshot.region_code, "filed_at": snapshot.filed_on, "decided_at": decided,
        "closed_at": snapshot.closure.closed_on if snapshot.closure is not None else None,
        "fine_fen": snapshot.decision.proposal.fine_fen if snapshot.decision is not None else None,
        "party_id_type": party.id_type if party is not None and party.id_hash else None,
        "party_id_hash": party.id_hash if party is not None else None,
        "party_uscc": party.uscc if party is not None else None,
    }


def party_rows(snapshot: CaseSnapshot) -> list[dict[str, Any]]:
    return [{"case_id": snapshot.case_id, "idx": i, "party_type": p.party_type.value, "id_type": p.id_type,
             "id_number_hash": p.id_hash, "uscc": p.uscc} for i, p in enumerate(snapshot.parties)]


def deadline_row(case_id: str, event_seq: int, d: Deadline) -> dict[str, Any]:
    return {"case_id": case_id, "event_seq": event_seq, "kind": d.kind.value, "basis": d.basis,
            "unit": d.unit.value, "amount": d.amount, "start": d.start, "due": d.due, "rolled": d.rolled,
            "provisional": d.provisional, "adjustments": encode(d.adjustments)}


def penalty_kinds(snapshot: CaseSnapshot | None) -> list[str]:
    if snapshot is None or snapshot.decision is None:
        return []
    return sorted(k.value for k in snapshot.decision.proposal.kinds)


def chained_event_rows(case_id: str, pending: Sequence[tuple[PendingEvent, str]], *, seq: int, prev: str,
                       now: datetime) -> tuple[list[dict[str, Any]], int, str]:
    """`case_event` rows for `pending` (each with the digest of the snapshot it left), chained after
    event `seq` whose hash is `prev`; returns the rows, the last seq and the last hash."""
    rows: list[dict[str, Any]] = []
    for p, digest in pending:
        seq += 1
        fields = EventFields(case_id, p.kind, p.transition, p.actor_id, p.at.isoformat(), p.from_state,
                             p.to_state, p.summary, p.payload, digest)
        link = chain_hash(prev, seq, fields)
        rows.append({
            "case_id": case_id, "seq": seq, "kind": p.kind, "transition": p.transition,
            "actor_id": p.actor_id, "at": fields.at, "from_state": p.from_state, "to_state": p.to_state,
            "summary": p.summary, "payload": dict(p.payload), "snapshot_sm3": digest, "prev_hash": prev,
            "hash": link, "recorded_at": now,
        })
        prev = link
    return rows, seq, prev


def linked_event_rows(case_id: str, pending: Sequence[tuple[PendingEvent, str]], *, seq: int, prev: str,
                      now: datetime) -> tuple[list[dict[str, Any]], int, str]:
    """`chained_event_rows` of events whose payloads are the codec's output (see the module docstring)."""
    rows: list[dict[str, Any]] = []
    for p, digest in pending:
        seq += 1
        at = p.at.isoformat()
        texts = p.payload_texts
        stored: Any = orjson.Fragment(texts[0]) if texts is not None else dict(p.payload)
        body = {"caseId": case_id, "kind": p.kind, "transition": p.transition, "actor": p.actor_id, "at": at,
                "from": p.from_state, "to": p.to_state, "summary": p.summary,
                "payload": orjson.Fragment(texts[1]) if texts is not None else stored, "snapshotSm3": digest}
        try:
            link = entry_hash_unchecked(prev, seq, body)
        except TypeError:  # orjson refused a value beside the fragment: the checked path decides
            payload = orjson.loads(texts[0]) if texts is not None else p.payload
            link = chain_hash(prev, seq, EventFields(case_id, p.kind, p.transition, p.actor_id, at, p.from_state,
                                                     p.to_state, p.summary, payload, digest))
        rows.append({
            "case_id": case_id, "seq": seq, "kind": p.kind, "transition": p.transition,
            "actor_id": p.actor_id, "at": at, "from_state": p.from_state, "to_state": p.to_state,
            "summary": p.summary, "payload": stored, "snapshot_sm3": digest, "prev_hash": prev,
            "hash": link, "recorded_at": now,
        })
        prev = link
    return rows, seq, prev
