"""Rows of the case store (ORM shape only; the service and the graph never hand these out).

Tables (migration 0004):

* `penalty_case` — one row per case: the columns queries need plus the full snapshot as JSON,
  `version` for optimistic locking and `head_hash`, the hash of the case's latest event. A party
  is referenced by `party_id_hash` (HMAC-SM3) or `party_uscc`; a raw ID number is never stored.
* `case_event` — the append-only full-process record: `seq` per case, `global_seq` over the
  store, and the SM3 chain (`prev_hash`, `hash`) of `subgraphs.cases.chain`.
* `case_deadline`, `case_party`, `case_officer`, `case_licence` — children for queries.
* `case_document`, `case_evidence` — files by SM3 (content-addressed blobs) with seal/capture data.
* `idempotency_key` — the first response of every keyed mutation.
* `catalogue_item` — enforcement items, one row per (code, version), never edited in place.
* `regulation`, `regulation_version`, `regulation_article` — the time-versioned 法规库.
* `seal_key` — public keys of the electronic seals (private keys live outside the database).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.common.orm import Base

GlobalSeq = BigInteger().with_variant(Integer(), "sqlite")
_TS = DateTime(timezone=True)


class CaseRow(Base):
    __tablename__ = "penalty_case"
    __table_args__ = (
        Index("ix_penalty_case_body_id", "body_uscc", "id"),
        Index("ix_penalty_case_status_id", "status", "id"),
        Index("ix_penalty_case_decided_at", "decided_at"),
    )

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_no: Mapped[str] = mapped_column(String(32), unique=True)
    body_uscc: Mapped[str] = mapped_column(String(18))
    item_code: Mapped[str] = mapped_column(String(40), index=True)
    item_version: Mapped[str] = mapped_column(String(16))
    status: Mapped[str] = mapped_column(String(32))
    procedure: Mapped[str | None] = mapped_column(String(16))
    region_code: Mapped[str] = mapped_column(String(12), index=True)
    filed_at: Mapped[date | None] = mapped_column(Date)
    decided_at: Mapped[date | None] = mapped_column(Date)
    closed_at: Mapped[date | None] = mapped_column(Date)  # migration 0013
    fine_fen: Mapped[int | None] = mapped_column(BigInteger)
    party_id_type: Mapped[str | None] = mapped_column(String(20))
    party_id_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    party_uscc: Mapped[str | None] = mapped_column(String(18), index=True)
    version: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(_TS)
    updated_at: Mapped[datetime] = mapped_column(_TS)


class CaseEventRow(Base):
    __tablename__ = "case_event"
    __table_args__ = (UniqueConstraint("case_id", "seq", name="uq_case_event_case_seq"),)

    global_seq: Mapped[int] = mapped_column(GlobalSeq, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    transition: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))  # ISO 8601 with offset, exactly as hashed
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    snapshot_sm3: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(_TS)


class DeadlineRow(Base):
    __tablename__ = "case_deadline"

    id: Mapped[int] = mapped_column(GlobalSeq, primary_key=True, autoincrement=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    event_seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date, index=True)
    rolled: Mapped[bool] = mapped_column(Boolean)
    provisional: Mapped[bool] = mapped_column(Boolean)
    adjustments: Mapped[list[Any]] = mapped_column(JSON)


class CasePartyRow(Base):
    __tablename__ = "case_party"

    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), primary_key=True)
    idx: Mapped[int] = mapped_column(Integer, primary_key=True)
    party_type: Mapped[str] = mapped_column(String(24))
    id_type: Mapped[str | None] = mapped_column(String(20))
    id_number_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    uscc: Mapped[str | None] = mapped_column(String(18), index=True)


class CasePenaltyKindRow(Base):
    """The penalty kinds of a case's decision (one row per kind), for grouped statistics."""

    __tablename__ = "case_penalty_kind"

    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class CaseOfficerRow(Base):
    __tablename__ = "case_officer"

    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), primary_key=True)
    officer_id: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)
    role: Mapped[str] = mapped_column(String(20))


class CaseLicenceRow(Base):
    __tablename__ = "case_licence"

    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), primary_key=True)
    licence_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    action: Mapped[str] = mapped_column(String(24))


class DocumentRow(Base):
    __tablename__ = "case_document"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    doc_type: Mapped[str] = mapped_column(String(40))
    doc_no: Mapped[str | None] = mapped_column(String(64))
    title: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    sm3: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    seal_key_id: Mapped[str | None] = mapped_column(String(40))
    seal_signature: Mapped[str | None] = mapped_column(String(128))
    signed_at: Mapped[str | None] = mapped_column(String(40))
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(_TS)


class EvidenceRow(Base):
    __tablename__ = "case_evidence"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    title: Mapped[str] = mapped_column(String(200))
    media_type: Mapped[str] = mapped_column(String(100))
    sm3: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    captured_at: Mapped[str] = mapped_column(String(40))
    device_id: Mapped[str | None] = mapped_column(String(64))
    method: Mapped[str | None] = mapped_column(String(40))
    collected_by: Mapped[list[str]]
    created_at: Mapped[datetime] = mapped_column(_TS)


class IdempotencyRow(Base):
    __tablename__ = "idempotency_key"

    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    request_hash: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str] = mapped_column(String(36))
    response: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(_TS, index=True)


class CatalogueItemRow(Base):
    __tablename__ = "catalogue_item"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    action_type: Mapped[str] = mapped_column(String(24))
    domain: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), index=True)
    payload: Mapped[dict[str, Any]]
    payload_sm3: Mapped[str] = mapped_column(String(64))
    drafted_by: Mapped[str] = mapped_column(String(64))
    drafted_at: Mapped[datetime] = mapped_column(_TS)
    submitted_at: Mapped[datetime | None] = mapped_column(_TS)
    reviewed_by: Mapped[str | None] = mapped_column(String(64))
    reviewed_at: Mapped[datetime | None] = mapped_column(_TS)
    review_opinion: Mapped[str | None] = mapped_column(Text)
    published_at: Mapped[datetime | None] = mapped_column(_TS)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)


class RegulationRow(Base):
    __tablename__ = "regulation"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(200), unique=True)
    level: Mapped[str] = mapped_column(String(24))
    issuer: Mapped[str | None] = mapped_column(String(100))
    doc_no: Mapped[str | None] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16))


class RegulationVersionRow(Base):
    __tablename__ = "regulation_version"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    regulation_id: Mapped[str] = mapped_column(ForeignKey("regulation.id"), index=True)
    version_label: Mapped[str] = mapped_column(String(60))
    promulgated_at: Mapped[date | None] = mapped_column(Date)
    effective_from: Mapped[date] = mapped_column(Date)
    effective_to: Mapped[date | None] = mapped_column(Date)
    lighter_than_previous: Mapped[bool] = mapped_column(Boolean)
    source_url: Mapped[str | None] = mapped_column(String(300))
    text_sm3: Mapped[str | None] = mapped_column(String(64))


class ArticleRow(Base):
    __tablename__ = "regulation_article"

    version_id: Mapped[str] = mapped_column(ForeignKey("regulation_version.id"), primary_key=True)
    number: Mapped[str] = mapped_column(String(40), primary_key=True)  # 第N条
    text: Mapped[str] = mapped_column(Text)


class SealKeyRow(Base):
    __tablename__ = "seal_key"

    key_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(200))
    public_key: Mapped[str] = mapped_column(String(130))
    created_at: Mapped[datetime] = mapped_column(_TS)


class CaseNoCounterRow(Base):
    __tablename__ = "case_no_counter"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    next_value: Mapped[int] = mapped_column(Integer)


# --- coercive measures and inspections (migration 0007) ------------------------------------------
#
# A coercive measure (§6.1) and an inspection (§7) are aggregates of their own: each row keeps its
# snapshot, `version` and `head_hash` like a case, and its events form a chain of their own in
# `aggregate_event`, keyed by (`aggregate_type`, `aggregate_id`). A measure names its case by
# `case_id`; the case's chain is not touched by measure commands (see `subgraphs.cases.aggregates`).


class MeasureRow(Base):
    __tablename__ = "coercive_measure"
    __table_args__ = (Index("ix_coercive_measure_term_due", "state", "term_due"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    case_id: Mapped[str] = mapped_column(ForeignKey("penalty_case.id"), index=True)
    body_uscc: Mapped[str] = mapped_column(String(18))
    kind: Mapped[str] = mapped_column(String(16))
    state: Mapped[str] = mapped_column(String(24))
    region_code: Mapped[str | None] = mapped_column(String(12))  # migration 0013 (and the next three)
    item_code: Mapped[str | None] = mapped_column(String(40))
    started_on: Mapped[date | None] = mapped_column(Date)
    term_due: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(_TS)
    updated_at: Mapped[datetime] = mapped_column(_TS)


class InspectionRow(Base):
    __tablename__ = "inspection"
    __table_args__ = (Index("ix_inspection_body_id", "body_uscc", "id"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body_uscc: Mapped[str] = mapped_column(String(18))
    item_code: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(24))
    region_code: Mapped[str | None] = mapped_column(String(12))  # migration 0013
    checked_on: Mapped[date | None] = mapped_column(Date)
    version: Mapped[int] = mapped_column(Integer)
    head_hash: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[dict[str, Any]]
    created_at: Mapped[datetime] = mapped_column(_TS)
    updated_at: Mapped[datetime] = mapped_column(_TS)


class AggregateEventRow(Base):
    __tablename__ = "aggregate_event"
    __table_args__ = (UniqueConstraint("aggregate_type", "aggregate_id", "seq", name="uq_aggregate_event_seq"),
                      Index("ix_aggregate_event_owner", "aggregate_type", "aggregate_id"))

    global_seq: Mapped[int] = mapped_column(GlobalSeq, primary_key=True, autoincrement=True)
    aggregate_type: Mapped[str] = mapped_column(String(24))
    aggregate_id: Mapped[str] = mapped_column(String(36))
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    transition: Mapped[str] = mapped_column(String(8))
    actor_id: Mapped[str] = mapped_column(String(64))
    at: Mapped[str] = mapped_column(String(40))
    from_state: Mapped[str | None] = mapped_column(String(32))
    to_state: Mapped[str] = mapped_column(String(32))
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]]
    snapshot_sm3: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
    recorded_at: Mapped[datetime] = mapped_column(_TS)


class AggregateDeadlineRow(Base):
    __tablename__ = "aggregate_deadline"
    __table_args__ = (Index("ix_aggregate_deadline_owner", "aggregate_type", "aggregate_id"),)

    id: Mapped[int] = mapped_column(GlobalSeq, primary_key=True, autoincrement=True)
    aggregate_type: Mapped[str] = mapped_column(String(24))
    aggregate_id: Mapped[str] = mapped_column(String(36))
    event_seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(40))
    basis: Mapped[str] = mapped_column(Text)
    unit: Mapped[str] = mapped_column(String(20))
    amount: Mapped[int] = mapped_column(Integer)
    start: Mapped[date] = mapped_column(Date)
    due: Mapped[date] = mapped_column(Date, index=True)
    due_at: Mapped[str | None] = mapped_column(String(40))
    rolled: Mapped[bool] = mapped_column(Boolean)
    provisional: Mapped[bool] = mapped_column(Boolean)
    adjustments: Mapped[list[Any]] = mapped_column(JSON)
