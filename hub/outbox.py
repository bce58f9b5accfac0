"""`hub outbox status|deliver|retry`: look at and move the outbound messages of the hub's store."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.settings import Settings
from subgraphs.cases.outbox.config import OutboxConfig
from subgraphs.cases.outbox.messages import TOPICS
from subgraphs.cases.outbox.relay import StepReport, TopicStatus, outbox_status, retry_dead
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade


class OutboxCommandError(ValueError):
    """A request the outbox commands cannot carry out (named in the message)."""


def status_json(rows: list[TopicStatus]) -> list[dict[str, Any]]:
    return [{"topic": r.topic, "pending": r.pending, "delivered": r.delivered, "dead": r.dead,
             "oldestPendingAt": r.oldest_pending_at.isoformat() if r.oldest_pending_at else None,
             "lastError": r.last_error} for r in rows]


@contextlib.asynccontextmanager
async def _store(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The hub's store, migrated to the current schema."""
    await upgrade(settings.store_url)
    engine = create_engine(settings.store_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def status(settings: Settings) -> list[TopicStatus]:
    async with _store(settings) as engine:
        return await outbox_status(engine)


async def deliver(settings: Settings, *, max_steps: int, say: Callable[[str], None]) -> StepReport:
    """Deliver what is due to every configured receiver, step by step, until nothing moves."""
    config = OutboxConfig.from_settings(settings)
    if not config.destinations:
        raise OutboxCommandError("no receiver is configured: set HUB_OUTBOX__DATA_CENTRE_URL and/or "
                                 "HUB_OUTBOX__CREDIT_URL (hub.toml [outbox])")
    moved = 0

    def progress(report: StepReport) -> None:
        nonlocal moved
        moved += report.moved
        if report.moved:
            say(f"  {moved:,} messages delivered or set aside so far")
        for topic, error in report.errors.items():
            say(f"  {topic}: {error}")

    async with _store(settings) as engine, httpx.AsyncClient(timeout=config.timeout_s) as client:
        relay = config.relay(engine, client)
        try:
            return await relay.drain(max_steps=max_steps, progress=progress)
        finally:
            await relay.release()


async def retry(settings: Settings, *, topic: str | None) -> int:
    if topic is not None and topic not in TOPICS:
        raise OutboxCommandError(f"unknown topic {topic!r}; known: {', '.join(TOPICS)}")
    async with _store(settings) as engine:
        return await retry_dead(engine, topic=topic)
