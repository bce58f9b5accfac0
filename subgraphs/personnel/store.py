"""Personnel rows in the hub's own store (ORM shape; the graph never sees these classes).

Officers' ID numbers are not stored: only the pseudonymous `id_number_hash` (HMAC-SM3, the
federation key of `Person`) and a masked form for display. Nothing here is ever deleted: an
officer or certificate missing from a full snapshot is marked `vanished_at`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from subgraphs.common.orm import Base, RegionCode, Timestamp, Uscc


class BodyRow(Base):
    __tablename__ = "enforcement_body"

    uscc: Mapped[Uscc] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(40))
    level: Mapped[str] = mapped_column(String(16), index=True)
    region_code: Mapped[RegionCode] = mapped_column(index=True)
    parent_uscc: Mapped[str | None] = mapped_column(ForeignKey("enforcement_body.uscc"))
    body_type: Mapped[str] = mapped_column(String(20))
    entrusted_by: Mapped[str | None] = mapped_column(String(18))
    is_comprehensive: Mapped[bool] = mapped_column(Boolean, default=False)
    domains: Mapped[list[str]]
    power_source: Mapped[str | None] = mapped_column(String(40))
    item_codes: Mapped[list[str]]
    status: Mapped[str] = mapped_column(String(16))
    updated_at: Mapped[Timestamp]


class OfficerRow(Base):
    __tablename__ = "officer"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(60), index=True)
    id_type: Mapped[str] = mapped_column(String(20))
    id_number_hash: Mapped[str] = mapped_column(String(64), index=True)
    id_number_masked: Mapped[str] = mapped_column(String(24))
    body_uscc: Mapped[str] = mapped_column(ForeignKey("enforcement_body.uscc"), index=True)
    post: Mapped[str | None] = mapped_column(String(60))
    staff_type: Mapped[str | None] = mapped_column(String(20))
    has_legal_qualification: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_qualification_no: Mapped[str | None] = mapped_column(String(40))
    is_legal_reviewer: Mapped[bool] = mapped_column(Boolean, default=False)
    training_hours: Mapped[dict[str, Any]]
    status: Mapped[str] = mapped_column(String(16))
    vanished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[Timestamp]


class CertificateRow(Base):
    __tablename__ = "enforcement_certificate"

    cert_no: Mapped[str] = mapped_column(String(20), primary_key=True)
    cert_type: Mapped[str] = mapped_column(String(20))
    officer_id: Mapped[str] = mapped_column(ForeignKey("officer.id"), index=True)
    body_uscc: Mapped[str] = mapped_column(String(18), index=True)
    area: Mapped[list[str]]
    categories: Mapped[list[str]]
    power_source: Mapped[str | None] = mapped_column(String(40))
    issued_by: Mapped[str | None] = mapped_column(String(100))
    issue_date: Mapped[date | None] = mapped_column(Date)
    valid_from: Mapped[date] = mapped_column(Date)
    valid_to: Mapped[date] = mapped_column(Date, index=True)
    status: Mapped[str] = mapped_column(String(16), index=True)
    #: the day a decided status (SUSPENDED, REVOKED, CANCELLED, LOST) took effect; None for ACTIVE and
    #: EXPIRED, and for rows imported before the provincial file carried the date
    status_since: Mapped[date | None] = mapped_column(Date)
    exam_passed_at: Mapped[date | None] = mapped_column(Date)
    row_hash: Mapped[str] = mapped_column(String(64))
    vanished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[Timestamp]


class ImportRunRow(Base):
    """One import of a certificate snapshot: what it changed and the rows it could not use."""

    __tablename__ = "certificate_import_run"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    file_name: Mapped[str] = mapped_column(String(200))
    file_sm3: Mapped[str] = mapped_column(String(64), index=True)
    imported_at: Mapped[Timestamp]
    rows_total: Mapped[int] = mapped_column(Integer)
    rows_failed: Mapped[int] = mapped_column(Integer)
    inserted: Mapped[int] = mapped_column(Integer)
    updated: Mapped[int] = mapped_column(Integer)
    unchanged: Mapped[int] = mapped_column(Integer)
    marked_vanished: Mapped[int] = mapped_column(Integer)
    report: Mapped[str] = mapped_column(Text)
