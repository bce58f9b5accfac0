"""`create_app(settings)`: the supervision subgraph over the hub's store."""

from __future__ import annotations

import contextlib
import json
from collections.abc import AsyncIterator
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request

from subgraphs.common.app import build_subgraph_app
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import caller_of
from subgraphs.supervision.config import SupervisionConfig
from subgraphs.supervision.context import DEV_HEADER, SupervisionContext, SupervisionResources
from subgraphs.supervision.schema import build_schema

NAME = "supervision"


def _actor(request: Request) -> str | None:
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
               config: SupervisionConfig | None = None) -> Starlette:
    url = database_url or settings.effective_database_url
    cfg = config or SupervisionConfig()

    @contextlib.asynccontextmanager
    async def resources() -> AsyncIterator[SupervisionResources]:
        if migrate:
            await upgrade(url)
        engine = create_engine(url)
        try:
            yield SupervisionResources(engine, cfg)
        finally:
            await engine.dispose()

    async def context(res: SupervisionResources, request: Request) -> SupervisionContext:
        return SupervisionContext.build(res, _actor(request))

    return build_subgraph_app(name=NAME, schema=build_schema(), resources=resources, context=context)


def from_settings(settings: Any, *, migrate: bool = True) -> Starlette:
    """The app as `hub subgraph supervision` and `hub up` run it: configured from the hub's settings."""
    return create_app(settings, migrate=migrate)
