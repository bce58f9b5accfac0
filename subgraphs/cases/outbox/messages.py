"""What a case change owes the outside world, as `outbox_message` rows written in its own transaction.

Two destinations (topics):

* `datacentre.case` — the provincial data centre receives the case's state after every change
  (`op` "i" for a new case, "u" after), keyed by the case id and versioned by the case version: the
  receiver keeps the highest version, so a late duplicate never rolls it back. Public and internal
  (S0/S1) fields only: a natural person appears by party type and masked name, never by ID number.
  Inspections and coercive measures report to the same destination (`records`, types INSPECTION and
  COERCIVE_MEASURE), written by `RecordStore` with their own changes.
* `credit.penalty` — the 双公示 credit platform receives the penalty records (`credit.penalty_records`,
  one per party) when the decision is published (T29 `PublishDecision`, op "i") and one withdrawal of
  the decision number when its publicity is withdrawn (`WithdrawPublicity`, op "d", 《行政处罚法》第四十八条).

Each message's `key` is unique and deterministic (`dc:<case>:<version>`, `cp:<case>:<seq>:i:<party>`,
`cp:<case>:<seq>:d`): it is
the record id the receivers deduplicate by, so a relay that resends after a crash changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from domain.masking import mask_name
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.enums import PartyType
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.outbox.credit import PublicityPolicy, penalty_records
from subgraphs.cases.outbox.rows import OutboxStatus

DATA_CENTRE = "datacentre.case"
CREDIT = "credit.penalty"
TOPICS = (DATA_CENTRE, CREDIT)

PUBLISH_KIND = "PublishDecision"
WITHDRAW_KIND = "WithdrawPublicity"
IMPORT_KIND = "CaseImported"


@dataclass(frozen=True, slots=True)
class Change:
    """One committed change of a case: the snapshot after it, its case number and version, and the
    kinds of the events it appended with the seq of each (in order)."""

    after: CaseSnapshot
    case_no: str
    version: int
    created: bool
    events: Sequence[tuple[int, str]]


def case_data(snapshot: CaseSnapshot, case_no: str) -> dict[str, Any]:
    """The data centre's view of a case (行政处罚行为, DOMAIN.md §11.2b proposal)."""
    party = snapshot.parties[0] if snapshot.parties else None
    decision = snapshot.decision
    data: dict[str, Any] = {
        "caseNo": case_no,
        "state": snapshot.state.value,
        "bodyUscc": snapshot.body_id,
        "itemCode": snapshot.item_code,
        "itemVersion": snapshot.item_version,
        "regionCode": snapshot.region_code[:6],
        "source": snapshot.source.value,
        "procedure": snapshot.procedure.value if snapshot.procedure else None,
        "clueReceivedOn": snapshot.clue_received_on.isoformat(),
        "filedOn": snapshot.filed_on.isoformat() if snapshot.filed_on else None,
        "partyCount": len(snapshot.parties),
    }
    if party is not None:
        data["partyType"] = party.party_type.value
        natural = party.party_type is PartyType.NATURAL_PERSON
        data["partyName"] = mask_name(party.name) if natural else party.name
        if party.uscc and not natural:
            data["partyUscc"] = party.uscc
    if decision is not None:
        data.update({
            "decisionDocNo": decision.doc_no, "decidedOn": decision.decided_on.isoformat(),
            "penaltyKinds": sorted(k.value for k in decision.proposal.kinds),
            "fineFen": decision.proposal.fine_fen,
            "confiscatedFen": decision.proposal.confiscated_gains_fen + decision.proposal.confiscated_property_fen,
        })
    if snapshot.no_penalty is not None:
        data["noPenaltyOn"] = snapshot.no_penalty.decided_on.isoformat()
    if snapshot.service is not None:
        data["servedOn"] = snapshot.service.served_on.isoformat()
    if snapshot.publicity is not None and snapshot.publicity.published_on is not None:
        data["publishedOn"] = snapshot.publicity.published_on.isoformat()
    if snapshot.closure is not None:
        data["closed"] = True
    return data


def _row(topic: str, key: str, aggregate_id: str, version: int, op: str, payload: dict[str, Any],
         now: datetime) -> dict[str, Any]:
    """A PENDING `outbox_message` row."""
    return {"topic": topic, "key": key, "aggregate_id": aggregate_id, "aggregate_version": version, "op": op,
            "payload": payload, "status": OutboxStatus.PENDING.value, "attempts": 0, "next_attempt_at": now,
            "last_error": None, "created_at": now, "delivered_at": None}


def _data_centre_row(key: str, record_id: str, version: int, op: str, record_type: str, data: dict[str, Any],
                     now: datetime) -> dict[str, Any]:
    """A data-centre record: versioned per (type, record id), the receiver keeps the highest version."""
    return _row(DATA_CENTRE, key, record_id, version, op,
                {"type": record_type, "op": op, "key": record_id, "version": version, "data": data}, now)


def messages_for_change(change: Change, ctx: GuardContext, policy: PublicityPolicy, now: datetime,
                        ) -> list[dict[str, Any]]:
    """The `outbox_message` rows `change` owes (in the order they must be delivered per topic)."""
    after = change.after
    case_id, version = after.case_id, change.version
    rows = [_data_centre_row(f"dc:{case_id}:{version}", case_id, version, "i" if change.created else "u",
                             "PENALTY_CASE", case_data(after, change.case_no), now)]
    for seq, kind in change.events:
        publish = kind == PUBLISH_KIND or (kind == IMPORT_KIND and _published(after))
        if publish and after.decision is not None and after.parties:
            for n, record in enumerate(penalty_records(after, ctx, policy)):  # one per party
                rows.append(_row(CREDIT, f"cp:{case_id}:{seq}:i:{n}", case_id, version, "i",
                                 {"op": "i", "record": record}, now))
        elif kind == WITHDRAW_KIND and after.decision is not None:
            rows.append(_row(CREDIT, f"cp:{case_id}:{seq}:d", case_id, version, "d",
                             {"op": "d", "record": {"CF_WSH": after.decision.doc_no}}, now))
    return rows


def record_message(aggregate_type: str, record_id: str, version: int, op: str, report: tuple[str, dict[str, Any]],
                   now: datetime) -> dict[str, Any]:
    """The `outbox_message` row of a measure's or inspection's record for the data centre."""
    record_type, data = report
    return _data_centre_row(f"dc:{aggregate_type}:{record_id}:{version}", record_id, version, op, record_type, data,
                            now)


def _published(snapshot: CaseSnapshot) -> bool:
    """An imported case whose decision is on public display now (published and not withdrawn)."""
    publicity = snapshot.publicity
    return publicity is not None and publicity.published_on is not None and publicity.withdrawn_on is None
