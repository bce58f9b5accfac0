"""The declarative base of the hub's own store and the column aliases its models share."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, ClassVar

from sqlalchemy import JSON, DateTime, String
from sqlalchemy.orm import DeclarativeBase, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {dict[str, Any]: JSON, list[str]: JSON}


Uscc = Annotated[str, mapped_column(String(18))]
RegionCode = Annotated[str, mapped_column(String(12))]
Timestamp = Annotated[datetime, mapped_column(DateTime(timezone=True), default=utcnow)]
