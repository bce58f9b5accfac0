"""Rows of the supervision store (migration 0006); the ORM shape only, never handed to the graph."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.common.orm import Base

_TS = DateTime(timezone=True)


class AlertRow(Base):
    __tablename__ = "supervision_alert"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    alert_key: Mapped[str] = mapped_column(String(200), unique=True)
    rule_id: Mapped[str] = mapped_column(String(8))
    severity: Mapped[str] = mapped_column(String(8))
    subject_kind: Mapped[str] = mapped_column(String(8))
    subject_id: Mapped[str] = mapped_column(String(64))
    case_id: Mapped[str | None] = mapped_column(String(36))
    body_id: Mapped[str] = mapped_column(String(18))
    status: Mapped[str] = mapped_column(String(16))
    active: Mapped[bool] = mapped_column(Boolean)
    evidence: Mapped[dict[str, Any]] = mapped_column(JSON)
    period_due: Mapped[date | None] = mapped_column(Date)
    detected_at: Mapped[datetime] = mapped_column(_TS)
    last_seen_at: Mapped[datetime] = mapped_column(_TS)
    rectification_due: Mapped[date | None] = mapped_column(Date)
    acknowledged_by: Mapped[str | None] = mapped_column(String(64))
    acknowledged_at: Mapped[datetime | None] = mapped_column(_TS)
    rectified_by: Mapped[str | None] = mapped_column(String(64))
    rectified_at: Mapped[datetime | None] = mapped_column(_TS)
    dismissed_by: Mapped[str | None] = mapped_column(String(64))
    dismissed_at: Mapped[datetime | None] = mapped_column(_TS)
    dismiss_reason: Mapped[str | None] = mapped_column(Text)


class SweepRow(Base):
    __tablename__ = "supervision_sweep"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    as_of: Mapped[datetime] = mapped_column(_TS)
    started_at: Mapped[datetime] = mapped_column(_TS)
    finished_at: Mapped[datetime | None] = mapped_column(_TS)
    cases: Mapped[int] = mapped_column(Integer)
    findings: Mapped[int] = mapped_column(Integer)
    gateway_requests: Mapped[int] = mapped_column(Integer)


class CampaignRow(Base):
    __tablename__ = "review_campaign"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    seed: Mapped[int] = mapped_column(BigInteger)
    per_body: Mapped[int] = mapped_column(Integer)
    reviewers_per_case: Mapped[int] = mapped_column(Integer)
    due_on: Mapped[date | None] = mapped_column(Date)
    body_ids: Mapped[list[str] | None] = mapped_column(JSON)  # migration 0015: null = every body
    closed_from: Mapped[date | None] = mapped_column(Date)  # migration 0015
    closed_to: Mapped[date | None] = mapped_column(Date)  # migration 0015
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(_TS)


class SampleRow(Base):
    __tablename__ = "review_sample"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("review_campaign.id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    body_id: Mapped[str] = mapped_column(String(18))
    auto_vetoes: Mapped[list[str]] = mapped_column(JSON)
    auto_deductions: Mapped[dict[str, Any]] = mapped_column(JSON)
    manual_vetoes: Mapped[list[str]] = mapped_column(JSON)
    manual_deductions: Mapped[dict[str, Any]] = mapped_column(JSON)
    scored_by: Mapped[list[str]] = mapped_column(JSON)
    total: Mapped[int | None] = mapped_column(Integer)
    grade: Mapped[str | None] = mapped_column(String(8))
    rectification_due: Mapped[date | None] = mapped_column(Date)
    rectified_at: Mapped[datetime | None] = mapped_column(_TS)


class AssignmentRow(Base):
    __tablename__ = "review_assignment"

    campaign_id: Mapped[str] = mapped_column(ForeignKey("review_campaign.id"), primary_key=True)
    case_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    reviewer_id: Mapped[str] = mapped_column(String(40), primary_key=True)
    reviewer_body: Mapped[str] = mapped_column(String(18))


class CursorRow(Base):
    """How far a supervision follower has evaluated the case store's event streams (migrations 0009, 0011)."""

    __tablename__ = "supervision_cursor"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    case_event_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    record_event_seq: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"))
    #: numbers below the cursor not seen yet (migration 0011): {"case"|"record": [[first, last, first missed]]}
    gaps: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(_TS)
