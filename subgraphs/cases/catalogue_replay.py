"""Idempotency keys for the catalogue workflow (draft, submit, approve/reject, publish).

A key is stored with the (code, version) its request acted on, in the same transaction as the change
and in the store's one table of keys (`idempotency_key`, shared with cases, measures and
inspections). A retry with the same key and request returns that version as it is now, without
acting again (a retried draft makes no second version); the same key with another request is
IDEMPOTENCY_KEY_REUSED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from subgraphs.cases.catalogue import Remember
from subgraphs.cases.errors import IdempotencyKeyReused
from subgraphs.cases.rows import IdempotencyRow
from subgraphs.cases.service import Idempotency

RECORD = "catalogue_item"

Act = Callable[[Remember | None], Awaitable[tuple[str, int]]]


async def _earlier(engine: AsyncEngine, idem: Idempotency) -> tuple[str, int] | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(IdempotencyRow.request_hash, IdempotencyRow.response)
                                  .where(IdempotencyRow.key == idem.key))).first()
    if row is None:
        return None
    if row.request_hash != idem.request_hash or row.response.get("record") != RECORD:
        raise IdempotencyKeyReused(idem.key)
    return str(row.response["code"]), int(row.response["version"])


def _remember(idem: Idempotency) -> Remember:
    async def remember(conn: AsyncConnection, code: str, version: int) -> None:
        await conn.execute(insert(IdempotencyRow).values(
            key=idem.key, request_hash=idem.request_hash, case_id=RECORD,
            response={"record": RECORD, "code": code, "version": version}, created_at=datetime.now(UTC)))

    return remember


async def once(engine: AsyncEngine, idem: Idempotency | None, act: Act) -> tuple[str, int]:
    """Run `act` (which writes the key through the `Remember` it is given), or replay its first result."""
    if idem is None:
        return await act(None)
    earlier = await _earlier(engine, idem)
    if earlier is not None:
        return earlier
    try:
        return await act(_remember(idem))
    except IntegrityError:
        earlier = await _earlier(engine, idem)  # a concurrent retry stored the key first
        if earlier is None:
            raise
        return earlier
