"""`create_app(settings)`: the licence subgraph with the legacy database engine, store engine and vault.

The legacy database's read-only URL is configured (`licence_dsn`) or asked of the licensing system's
admin endpoint (`GET /__admin/dsn`) at start, waiting (bounded) until the system reports it ready.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from adapters.resilience import Resilient
from adapters.sql.licence import LicenceDatabase, open_legacy_engine
from subgraphs.common.app import build_subgraph_app
from subgraphs.common.config import SubgraphConfig
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault
from subgraphs.licence.context import LicenceContext
from subgraphs.licence.schema import build_schema

NAME = "licence"
DSN_WAIT_S = 60.0


class LicenceStartupError(RuntimeError):
    """The legacy database's URL could not be obtained at start."""


@dataclass(frozen=True)
class LicenceResources:
    db: LicenceDatabase
    vault: PseudonymVault


async def legacy_dsn(config: SubgraphConfig, *, wait_s: float = DSN_WAIT_S) -> str:
    if config.licence_dsn:
        return config.licence_dsn
    if not config.licence_admin_url:
        raise LicenceStartupError("set licence_dsn or licence_admin_url")
    deadline = time.monotonic() + wait_s
    async with httpx.AsyncClient(timeout=5.0) as client:
        while True:
            try:
                answer = (await client.get(config.licence_admin_url.rstrip("/") + "/__admin/dsn")).json()
                if answer.get("ready") and isinstance(answer.get("async_url"), str):
                    return str(answer["async_url"])
            except (httpx.HTTPError, ValueError):
                pass
            if time.monotonic() > deadline:
                raise LicenceStartupError(f"the licensing system did not report its database within {wait_s:g} s")
            await asyncio.sleep(0.2)


@contextlib.asynccontextmanager
async def open_resources(config: SubgraphConfig) -> AsyncIterator[LicenceResources]:
    if config.migrate_on_start:
        await upgrade(config.database_url)
    policy = config.policy(NAME)
    legacy = open_legacy_engine(await legacy_dsn(config), timeout_s=policy.timeout_s)
    engine = create_engine(config.database_url)
    try:
        yield LicenceResources(LicenceDatabase(legacy, resilient=Resilient(NAME, policy)),
                               PseudonymVault(engine, config.id_hash_secret))
    finally:
        await legacy.dispose()
        await engine.dispose()


def create_app(settings: Any = None, *, config: SubgraphConfig | None = None) -> Starlette:
    cfg = config or SubgraphConfig.from_settings(settings)

    async def context(res: LicenceResources, _: Request) -> LicenceContext:
        return LicenceContext.build(res.db, res.vault)

    return build_subgraph_app(name=NAME, schema=build_schema(), resources=lambda: open_resources(cfg),
                              context=context)
