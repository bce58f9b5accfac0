"""Idempotency keys for mutations outside the case and record stores: the catalogue workflow and the
supervision subgraph's alerts and review campaigns.

A key is stored with what its request acted on (a small JSON object: `{"code", "version"}` of a
catalogue item, `{"id"}` of an alert or a campaign, ...), in the same transaction as the change, in
the store's one table of keys (`idempotency_key`, which cases, measures and inspections use too). A
retry with the same key and request acts no more and returns that target, which the mutation reads
again and answers with; the same key with another request, or for another kind of record, is
IDEMPOTENCY_KEY_REUSED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from subgraphs.cases.errors import IdempotencyKeyReused
from subgraphs.cases.rows import IdempotencyRow
from subgraphs.cases.service import Idempotency

Target = Mapping[str, Any]
#: written by the store function inside the change's transaction, with what the change acted on
Remember = Callable[[AsyncConnection, Target], Awaitable[None]]
Act = Callable[[Remember | None], Awaitable[Target]]


async def _earlier(engine: AsyncEngine, idem: Idempotency, record: str) -> Target | None:
    async with engine.connect() as conn:
        row = (await conn.execute(select(IdempotencyRow.request_hash, IdempotencyRow.response)
                                  .where(IdempotencyRow.key == idem.key))).first()
    if row is None:
        return None
    if row.request_hash != idem.request_hash or row.response.get("record") != record:
        raise IdempotencyKeyReused(idem.key)
    target: Target = row.response["target"]
    return target


def _remember(idem: Idempotency, record: str) -> Remember:
    async def remember(conn: AsyncConnection, target: Target) -> None:
        await conn.execute(insert(IdempotencyRow).values(
            key=idem.key, request_hash=idem.request_hash, case_id=record[:36],
            response={"record": record, "target": dict(target)}, created_at=datetime.now(UTC)))

    return remember


async def once(engine: AsyncEngine, idem: Idempotency | None, record: str, act: Act) -> Target:
    """Run `act` (which writes the key through the `Remember` it is given), or replay what it acted on."""
    if idem is None:
        return await act(None)
    earlier = await _earlier(engine, idem, record)
    if earlier is not None:
        return earlier
    try:
        return await act(_remember(idem, record))
    except IntegrityError:
        earlier = await _earlier(engine, idem, record)  # a concurrent retry stored the key first
        if earlier is None:
            raise
        return earlier
