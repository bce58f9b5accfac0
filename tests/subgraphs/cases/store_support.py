"""Helpers for the store/service tests: a migrated store on the test's backend and the ordinary path."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncEngine

from subgraphs.cases.domain import commands as c
from subgraphs.cases.facts import FixedFacts
from subgraphs.cases.service import CaseService, CommandResult
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade

from . import harness as h
from .world import make_context

#: the ordinary path of the harness (a 5 000 元 fine, filed 2024-03-01), up to the payment period
ORDINARY: tuple[c.CaseCommand, ...] = (
    h.clue("2024-02-26"), h.verify("2024-02-27"), h.file("2024-03-01"), h.investigate("2024-03-04"),
    h.evidence("2024-03-05"), h.conclude("2024-04-15"), h.submit("2024-04-16"), h.notice("2024-05-06"),
    h.statement("2024-05-08"), h.review_statement("2024-05-09"), h.reassess("2024-05-13"),
    h.decide("2024-05-27"), h.serve("2024-06-03"), h.payment_period("2024-06-03"),
)


@dataclass
class Store:
    url: str
    engine: AsyncEngine
    service: CaseService

    async def run(self, commands: tuple[c.CaseCommand, ...] | list[c.CaseCommand]) -> CommandResult:
        result = await self.service.execute(commands[0])
        for command in commands[1:]:
            result = await self.service.execute(command, case_id=result.case.case_id)
        return result


@asynccontextmanager
async def open_store(url: str) -> AsyncIterator[Store]:
    await upgrade(url)
    engine = create_engine(url)
    try:
        yield Store(url, engine, CaseService(engine, FixedFacts(make_context())))
    finally:
        await engine.dispose()
