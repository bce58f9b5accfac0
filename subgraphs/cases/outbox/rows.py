"""Rows of the outbox (migration 0010).

* `outbox_message` — one row per message owed to a destination: `topic` names the destination, `key` is
  the message's idempotency key (unique; the receivers deduplicate by it), `payload` the record as it
  will be sent. `status` moves PENDING → DELIVERED, or → DEAD when the receiver rejects the record or
  the attempts run out (kept, with `last_error`, until someone retries it).
* `outbox_lease` — which relay process may deliver a topic until when, so replicas of the cases
  subgraph do not deliver the same topic at once (order per topic is kept by one deliverer).
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, DateTime, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.common.orm import Base

_TS = DateTime(timezone=True)
_ID = BigInteger().with_variant(Integer(), "sqlite")


class OutboxStatus(StrEnum):
    PENDING = "PENDING"
    DELIVERED = "DELIVERED"
    DEAD = "DEAD"


class OutboxRow(Base):
    __tablename__ = "outbox_message"
    __table_args__ = (Index("ix_outbox_topic_status_id", "topic", "status", "id"),)

    id: Mapped[int] = mapped_column(_ID, primary_key=True, autoincrement=True)
    topic: Mapped[str] = mapped_column(String(40))
    key: Mapped[str] = mapped_column(String(128), unique=True)
    aggregate_id: Mapped[str] = mapped_column(String(36), index=True)
    aggregate_version: Mapped[int] = mapped_column(Integer)
    op: Mapped[str] = mapped_column(String(1))
    payload: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(10))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(_TS)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(_TS)
    delivered_at: Mapped[datetime | None] = mapped_column(_TS)


class OutboxLeaseRow(Base):
    __tablename__ = "outbox_lease"

    topic: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(80))
    until: Mapped[datetime] = mapped_column(_TS)
