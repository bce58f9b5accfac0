"""`create_app(settings)`: the population subgraph with its HTTP client, store engine and vault."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from adapters.resilience import Resilient
from adapters.rest.population import PopulationAdapter
from subgraphs.common.app import build_subgraph_app
from subgraphs.common.clock import today_in_china
from subgraphs.common.config import SubgraphConfig
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import caller_of
from subgraphs.common.vault import PseudonymVault
from subgraphs.population.budget import LookupBudget
from subgraphs.population.context import PopulationContext
from subgraphs.population.schema import build_schema

NAME = "population"


@dataclass(frozen=True)
class PopulationResources:
    adapter: PopulationAdapter
    vault: PseudonymVault


@contextlib.asynccontextmanager
async def open_resources(config: SubgraphConfig) -> AsyncIterator[PopulationResources]:
    if config.migrate_on_start:
        await upgrade(config.database_url)
    policy = config.policy(NAME)
    engine = create_engine(config.database_url)
    try:
        async with httpx.AsyncClient(timeout=httpx.Timeout(policy.timeout_s)) as client:
            adapter = PopulationAdapter(
                client, base_url=config.population_url, api_key=config.population_api_key,
                resilient=Resilient(NAME, policy),
            )
            yield PopulationResources(adapter, PseudonymVault(engine, config.id_hash_secret))
    finally:
        await engine.dispose()


def create_app(settings: Any = None, *, config: SubgraphConfig | None = None,
               today: Callable[[], date] = today_in_china) -> Starlette:
    cfg = config or SubgraphConfig.from_settings(settings)

    budget = LookupBudget()

    async def context(res: PopulationResources, request: Request) -> PopulationContext:
        caller = caller_of(request)
        return PopulationContext.build(res.adapter, res.vault, today(), budget=budget,
                                       caller=caller.subject if caller is not None else None)

    return build_subgraph_app(name=NAME, schema=build_schema(), resources=lambda: open_resources(cfg),
                              context=context)
