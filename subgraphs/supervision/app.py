"""`create_app(settings)`: the supervision subgraph over the hub's store.

With the follower configured, `/graphql` also serves `Subscription.alertRaised` over WebSocket
(``graphql-transport-ws``), fed by the follower (`subgraphs.supervision.live`).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import HTTPConnection
from starlette.websockets import WebSocket

from subgraphs.common.app import build_subgraph_app
from subgraphs.common.config import is_dev_profile
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import caller_of
from subgraphs.supervision.config import SupervisionConfig
from subgraphs.supervision.context import DEV_HEADER, SupervisionContext, SupervisionResources
from subgraphs.supervision.follower import CaseEventFollower
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.live import AlertFeed, AlertPublisher, alert_feed
from subgraphs.supervision.schema import build_schema
from subgraphs.supervision.service_token import ServiceClient
from subgraphs.supervision.sweep import as_of_now

NAME = "supervision"


def _actor(request: HTTPConnection) -> str | None:
    """The gateway-verified caller's subject; on an unsigned dev call, the actor named by the dev header."""
    caller = caller_of(request)
    if caller is not None:
        return caller.subject
    raw = request.headers.get(DEV_HEADER)
    if not raw:
        return None
    try:
        data = json.loads(raw)
    except ValueError:
        return None
    actor = data.get("id") if isinstance(data, dict) else None
    return actor.strip()[:64] if isinstance(actor, str) and actor.strip() else None


def create_app(settings: Any = None, *, database_url: str | None = None, migrate: bool = True,
               config: SupervisionConfig | None = None, live: bool | None = None, live_queue: int = 256,
               ) -> Starlette:
    """The app; `live`: keep the feed of `alertRaised` (default: when the follower runs in this process;
    True without a follower lets a caller publish to ``resources.alerts`` itself), `live_queue`: the events a
    subscriber may fall behind before it is dropped."""
    url = database_url or settings.effective_database_url
    cfg = config or SupervisionConfig()

    follow = _follow_settings(settings)

    @contextlib.asynccontextmanager
    async def resources() -> AsyncIterator[SupervisionResources]:
        if migrate:
            await upgrade(url)
        engine = create_engine(url)
        feed = alert_feed(queue_size=live_queue) if (follow is not None if live is None else live) else None
        try:
            async with _following(engine, follow, feed):
                yield SupervisionResources(engine, cfg, feed)
        finally:
            if feed is not None:
                feed.close()
            await engine.dispose()

    # DEV ONLY: the dev gateway signs anonymous callers' calls too; they read as an unsigned dev call does
    # (unrestricted rows; production refuses anonymous callers at the gateway)
    dev = is_dev_profile(settings)

    async def context(res: SupervisionResources, request: HTTPConnection) -> SupervisionContext:
        caller = caller_of(request)
        if caller is not None and caller.subject is None and dev:
            caller = None
        return SupervisionContext.build(res, _actor(request), caller)

    async def ws_context(res: SupervisionResources, websocket: WebSocket) -> SupervisionContext:
        return await context(res, websocket)  # the caller of the signed upgrade (`ws_security`)

    return build_subgraph_app(name=NAME, schema=build_schema(), resources=resources, context=context,
                              ws_context=ws_context)


@dataclass(frozen=True)
class _Follow:
    service: ServiceClient
    interval_s: float
    batch: int
    settle_s: float
    gap_timeout_s: float = 120.0


def _follow_settings(settings: Any) -> _Follow | None:
    section = getattr(settings, "supervision", None)
    if section is None or getattr(settings, "gateway", None) is None or section.follow_interval_s <= 0:
        return None
    return _Follow(ServiceClient.from_settings(settings), section.follow_interval_s, section.follow_batch,
                   section.follow_settle_s, getattr(section, "follow_gap_timeout_s", 120.0))


@contextlib.asynccontextmanager
async def _following(engine: AsyncEngine, follow: _Follow | None, feed: AlertFeed | None = None
                     ) -> AsyncIterator[None]:
    """Run the case-event follower (facts through the gateway) for the app's lifetime, when configured."""
    if follow is None:
        yield
        return
    stop = asyncio.Event()
    async with httpx.AsyncClient(timeout=follow.service.timeout_s) as client:
        facts = GatewayFacts(client, follow.service.gateway_url, token=follow.service.token(client))
        follower = CaseEventFollower(engine, facts, batch=follow.batch, settle_s=follow.settle_s,
                                     gap_timeout_s=follow.gap_timeout_s, as_of=as_of_now,
                                     publish=AlertPublisher(engine, feed).publish if feed is not None else None)
        task = asyncio.create_task(follower.run(stop, interval_s=follow.interval_s), name="supervision-follower")
        try:
            yield
        finally:
            stop.set()
            await task


def from_settings(settings: Any, *, migrate: bool = True) -> Starlette:
    """The app as `hub subgraph supervision` and `hub up` run it: configured from the hub's settings."""
    return create_app(settings, migrate=migrate)
