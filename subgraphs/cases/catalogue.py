"""The enforcement item catalogue (执法事项库) in the store: versions and the reviewed workflow.

A catalogue entry is identified by (code, version). Its content is never edited in place: every
change is a new version, drafted, submitted to legal review and published only after a reviewer
other than the drafter approves it (法制审核 of the catalogue; separation of duties):

    DRAFT --submit--> LEGAL_REVIEW --approve--> APPROVED --publish--> PUBLISHED --(newer published)--> SUPERSEDED
                                   \\--reject--> REJECTED

`review_item(approve=True)` approves and publishes in one transaction (imports of a reviewed
catalogue); the graph's workflow takes the two steps apart (`approve_item`, `publish_item`).

Cases keep the (code, version) they were registered under, so superseded versions stay readable.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime
from enum import StrEnum
from typing import Any

import orjson
from sqlalchemy import and_, func, insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from domain.sm import sm3_hex
from subgraphs.cases.errors import CatalogueError
from subgraphs.cases.items import to_domain_item
from subgraphs.cases.rows import CatalogueItemRow


class ItemStatus(StrEnum):
    DRAFT = "DRAFT"
    LEGAL_REVIEW = "LEGAL_REVIEW"
    APPROVED = "APPROVED"
    PUBLISHED = "PUBLISHED"
    REJECTED = "REJECTED"
    SUPERSEDED = "SUPERSEDED"


#: statuses whose items the case guards may use
USABLE = (ItemStatus.PUBLISHED.value, ItemStatus.SUPERSEDED.value)


@dataclass(frozen=True, slots=True)
class ItemVersion:
    code: str
    version: int
    status: ItemStatus
    payload: Mapping[str, Any]


#: a hook run inside the change's transaction with what it acted on (an idempotency key: `replay`)
Remember = Callable[[AsyncConnection, Mapping[str, Any]], Awaitable[None]]


def _now() -> datetime:
    return datetime.now(UTC)


async def draft_item(engine: AsyncEngine, payload: Mapping[str, Any], *, actor_id: str,
                     now: datetime | None = None, remember: Remember | None = None) -> ItemVersion:
    """A new DRAFT version of `payload["code"]` (version = highest existing + 1)."""
    code = str(payload.get("code") or "")
    if not code:
        raise CatalogueError("a catalogue item needs a code")
    async with engine.begin() as conn:
        latest = (await conn.execute(
            select(func.max(CatalogueItemRow.version)).where(CatalogueItemRow.code == code))).scalar()
        version = int(latest or 0) + 1
        content = {**payload, "version": version}
        to_domain_item(content)  # a malformed item is refused at drafting, not at the first case
        await conn.execute(insert(CatalogueItemRow).values(
            code=code, version=version, name=str(content.get("name") or ""),
            action_type=str(content.get("action_type") or "PENALTY"), domain=str(content.get("domain") or ""),
            status=ItemStatus.DRAFT.value, payload=content, payload_sm3=sm3_hex(orjson.dumps(content, option=orjson.OPT_SORT_KEYS)),
            drafted_by=actor_id, drafted_at=now or _now()))
        if remember is not None:
            await remember(conn, {"code": code, "version": version})
    return ItemVersion(code, version, ItemStatus.DRAFT, content)


async def _move(engine: AsyncEngine, code: str, version: int, frm: ItemStatus, values: dict[str, Any],
                remember: Remember | None = None) -> None:
    async with engine.begin() as conn:
        result = await conn.execute(
            update(CatalogueItemRow)
            .where(CatalogueItemRow.code == code, CatalogueItemRow.version == version,
                   CatalogueItemRow.status == frm.value)
            .values(**values))
        if result.rowcount != 1:
            raise CatalogueError(f"item {code} version {version} is not in status {frm.value}")
        if remember is not None:
            await remember(conn, {"code": code, "version": version})


async def submit_for_review(engine: AsyncEngine, code: str, version: int, *, now: datetime | None = None,
                            remember: Remember | None = None) -> None:
    await _move(engine, code, version, ItemStatus.DRAFT,
                {"status": ItemStatus.LEGAL_REVIEW.value, "submitted_at": now or _now()}, remember)


async def _reviewable(conn: AsyncConnection, code: str, version: int, reviewer_id: str) -> None:
    row = (await conn.execute(select(CatalogueItemRow.drafted_by, CatalogueItemRow.status).where(
        CatalogueItemRow.code == code, CatalogueItemRow.version == version))).first()
    if row is None:
        raise CatalogueError(f"no catalogue item {code} version {version}")
    if row.status != ItemStatus.LEGAL_REVIEW.value:
        raise CatalogueError(f"item {code} version {version} is {row.status}, not LEGAL_REVIEW")
    if row.drafted_by == reviewer_id:
        raise CatalogueError("the drafter of an item may not review it")


async def _publish(conn: AsyncConnection, code: str, version: int, when: datetime, start: date,
                   extra: Mapping[str, Any]) -> None:
    await conn.execute(update(CatalogueItemRow).where(
        CatalogueItemRow.code == code, CatalogueItemRow.status == ItemStatus.PUBLISHED.value).values(
        status=ItemStatus.SUPERSEDED.value, valid_to=start))
    await conn.execute(update(CatalogueItemRow).where(
        CatalogueItemRow.code == code, CatalogueItemRow.version == version).values(
        status=ItemStatus.PUBLISHED.value, published_at=when, valid_from=start, **extra))


async def review_item(engine: AsyncEngine, code: str, version: int, *, reviewer_id: str, approve: bool,
                      opinion: str = "", now: datetime | None = None, valid_from: date | None = None) -> None:
    """Legal review: approve → PUBLISHED at once (the previous published version becomes SUPERSEDED)."""
    when = now or _now()
    async with engine.begin() as conn:
        await _reviewable(conn, code, version, reviewer_id)
        common = {"reviewed_by": reviewer_id, "reviewed_at": when, "review_opinion": opinion}
        if not approve:
            await conn.execute(update(CatalogueItemRow).where(
                CatalogueItemRow.code == code, CatalogueItemRow.version == version).values(
                status=ItemStatus.REJECTED.value, **common))
            return
        await _publish(conn, code, version, when, valid_from or when.date(), common)


async def approve_item(engine: AsyncEngine, code: str, version: int, *, reviewer_id: str, approve: bool,
                       opinion: str = "", now: datetime | None = None, remember: Remember | None = None) -> None:
    """Legal review without publishing: LEGAL_REVIEW → APPROVED or REJECTED (reviewer ≠ drafter)."""
    when = now or _now()
    async with engine.begin() as conn:
        await _reviewable(conn, code, version, reviewer_id)
        target = ItemStatus.APPROVED if approve else ItemStatus.REJECTED
        await conn.execute(update(CatalogueItemRow).where(
            CatalogueItemRow.code == code, CatalogueItemRow.version == version,
            CatalogueItemRow.status == ItemStatus.LEGAL_REVIEW.value).values(
            status=target.value, reviewed_by=reviewer_id, reviewed_at=when, review_opinion=opinion))
        if remember is not None:
            await remember(conn, {"code": code, "version": version})


async def publish_item(engine: AsyncEngine, code: str, version: int, *, now: datetime | None = None,
                       valid_from: date | None = None, remember: Remember | None = None) -> None:
    """APPROVED → PUBLISHED; the version published before it becomes SUPERSEDED."""
    when = now or _now()
    async with engine.begin() as conn:
        status = (await conn.execute(select(CatalogueItemRow.status).where(
            CatalogueItemRow.code == code, CatalogueItemRow.version == version))).scalar()
        if status is None:
            raise CatalogueError(f"no catalogue item {code} version {version}")
        if status != ItemStatus.APPROVED.value:
            raise CatalogueError(f"item {code} version {version} is {status}, not APPROVED")
        await _publish(conn, code, version, when, valid_from or when.date(), {})
        if remember is not None:
            await remember(conn, {"code": code, "version": version})


async def publish_reviewed(engine: AsyncEngine, payload: Mapping[str, Any], *, drafter: str, reviewer: str,
                           now: datetime | None = None, valid_from: date | None = None) -> ItemVersion:
    """Draft, submit and approve in one call (imports of an already reviewed catalogue)."""
    drafted = await draft_item(engine, payload, actor_id=drafter, now=now)
    await submit_for_review(engine, drafted.code, drafted.version, now=now)
    await review_item(engine, drafted.code, drafted.version, reviewer_id=reviewer, approve=True,
                      opinion="imported reviewed catalogue", now=now, valid_from=valid_from)
    return ItemVersion(drafted.code, drafted.version, ItemStatus.PUBLISHED, drafted.payload)


async def item_versions(engine: AsyncEngine, code: str) -> list[ItemVersion]:
    async with engine.connect() as conn:
        rows = (await conn.execute(select(CatalogueItemRow.code, CatalogueItemRow.version, CatalogueItemRow.status,
                                          CatalogueItemRow.payload)
                                   .where(CatalogueItemRow.code == code)
                                   .order_by(CatalogueItemRow.version))).all()
    return [ItemVersion(r.code, r.version, ItemStatus(r.status), r.payload) for r in rows]


async def published_version(engine: AsyncEngine, code: str) -> int | None:
    async with engine.connect() as conn:
        return (await conn.execute(select(CatalogueItemRow.version).where(
            CatalogueItemRow.code == code, CatalogueItemRow.status == ItemStatus.PUBLISHED.value))).scalar()


async def items_page(engine: AsyncEngine, status: ItemStatus | None, *, after: tuple[str, int] | None,
                     limit: int) -> list[Any]:
    """Catalogue rows (every column) in (code, version) order after `after`, optionally of one status."""
    t = CatalogueItemRow
    query = select(*t.__table__.c)
    if status is not None:
        query = query.where(t.status == status.value)
    if after is not None:
        code, version = after
        query = query.where(or_(t.code > code, and_(t.code == code, t.version > version)))
    async with engine.connect() as conn:
        return list((await conn.execute(query.order_by(t.code, t.version).limit(limit))).all())


async def item_row(engine: AsyncEngine, code: str, version: int) -> Any:
    t = CatalogueItemRow
    async with engine.connect() as conn:
        row = (await conn.execute(select(*t.__table__.c).where(t.code == code, t.version == version))).first()
    if row is None:
        raise CatalogueError(f"no catalogue item {code} version {version}")
    return row
