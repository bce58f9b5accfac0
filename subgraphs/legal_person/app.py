"""`create_app(settings)`: the legal-person subgraph with its HTTP client, store engine and vault."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request

from adapters.resilience import Resilient
from adapters.rest.national_credit import NationalCreditAdapter
from adapters.soap.envelope import UsernameToken
from adapters.soap.market import MarketRegistryAdapter
from subgraphs.common.app import build_subgraph_app
from subgraphs.common.config import SubgraphConfig
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault
from subgraphs.legal_person.context import LegalPersonContext
from subgraphs.legal_person.schema import build_schema

NAME = "legal_person"


@dataclass(frozen=True)
class LegalPersonResources:
    city: MarketRegistryAdapter
    national: NationalCreditAdapter
    vault: PseudonymVault


@contextlib.asynccontextmanager
async def open_resources(config: SubgraphConfig) -> AsyncIterator[LegalPersonResources]:
    if config.migrate_on_start:
        await upgrade(config.database_url)
    city_policy, national_policy = config.policy("legal_person"), config.policy("national_credit")
    engine = create_engine(config.database_url)
    timeout = httpx.Timeout(max(city_policy.timeout_s, national_policy.timeout_s))
    try:
        async with httpx.AsyncClient(timeout=timeout) as client:
            city = MarketRegistryAdapter(
                client, base_url=config.market_url,
                token=UsernameToken(config.soap_username, config.soap_password),
                resilient=Resilient("legal_person", city_policy))
            national = NationalCreditAdapter(
                client, base_url=config.national_credit_url, app_key=config.national_credit_app_key,
                app_secret=config.national_credit_app_secret, resilient=Resilient("national_credit", national_policy))
            yield LegalPersonResources(city, national, PseudonymVault(engine, config.id_hash_secret))
    finally:
        await engine.dispose()


def create_app(settings: Any = None, *, config: SubgraphConfig | None = None) -> Starlette:
    cfg = config or SubgraphConfig.from_settings(settings)

    async def context(res: LegalPersonResources, _: Request) -> LegalPersonContext:
        return LegalPersonContext.build(res.city, res.national, res.vault)

    return build_subgraph_app(name=NAME, schema=build_schema(), resources=lambda: open_resources(cfg),
                              context=context)
