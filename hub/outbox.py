"""`hub outbox status|deliver|retry`: look at and move the outbound messages of the hub's store."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine

from hub.settings import Profile, Settings
from subgraphs.cases.outbox.config import OutboxConfig
from subgraphs.cases.outbox.messages import TOPICS
from subgraphs.cases.outbox.relay import StepReport, TopicStatus, outbox_status, retry_dead
from subgraphs.common.db import create_engine


class OutboxCommandError(ValueError):
    """A request the outbox commands cannot carry out (named in the message)."""


def status_json(rows: list[TopicStatus]) -> list[dict[str, Any]]:
    return [{"topic": r.topic, "pending": r.pending, "delivered": r.delivered, "dead": r.dead,
             "oldestPendingAt": r.oldest_pending_at.isoformat() if r.oldest_pending_at else None,
             "lastError": r.last_error} for r in rows]


@contextlib.asynccontextmanager
async def _store(settings: Settings) -> AsyncIterator[AsyncEngine]:
    """The hub's store (the command has checked that it is there, migrated)."""
    engine = create_engine(settings.store_url)
    try:
        yield engine
    finally:
        await engine.dispose()


async def status(settings: Settings) -> list[TopicStatus]:
    async with _store(settings) as engine:
        return await outbox_status(engine)


def with_receivers(settings: Settings) -> tuple[Settings, list[str]]:
    """The settings with the receivers `hub up` gives the cases subgraph in dev (the simulated data centre
    and credit platform) wherever none is configured, and the URLs so filled in; production: unchanged."""
    if settings.profile is Profile.PRODUCTION:
        return settings, []
    from hub.runner import plan_subgraphs

    env = next(part.env for part in plan_subgraphs(settings) if part.name == "cases")
    filled = {key: env[var] for key, var in (("data_centre_url", "HUB_OUTBOX__DATA_CENTRE_URL"),
                                            ("credit_url", "HUB_OUTBOX__CREDIT_URL"))
              if env.get(var) and not getattr(settings.outbox, key)}
    if not filled:
        return settings, []
    outbox = settings.outbox.model_copy(update=filled)
    return settings.model_copy(update={"outbox": outbox}), list(filled.values())


async def deliver(settings: Settings, *, max_steps: int, say: Callable[[str], None]) -> StepReport:
    """Deliver what is due to every configured receiver, step by step, until nothing moves (in dev, to the
    simulated receivers of `hub up` where none is configured)."""
    settings, simulated = with_receivers(settings)
    if simulated:
        say(f"dev: delivering to the simulated receivers `hub up` starts ({', '.join(simulated)})")
    config = OutboxConfig.from_settings(settings)
    if not config.destinations:
        raise OutboxCommandError("no receiver is configured: set HUB_OUTBOX__DATA_CENTRE_URL and/or "
                                 "HUB_OUTBOX__CREDIT_URL (hub.toml [outbox] data_centre_url, credit_url)")
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
