"""Which registry answers for a USCC: the city's for codes registered in Chaozhou, else the national one.

The registering authority's region code sits in positions 3–8 of the USCC (GB 32100); codes of
4451xx go to the city market-regulation registry (SOAP), all others to the national registry
(REST). A code the chosen registry does not know is asked of the other one (one batched call per
registry for all such codes), so an entity that moved or was registered by a provincial authority
is still found. A registry that fails keeps its error: an outage is not "not found".
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from typing import Protocol

from domain.entities import LegalEntity

CITY_PREFIX = "4451"


class Registry(Protocol):
    async def fetch_many(self, codes: Sequence[str]) -> dict[str, LegalEntity | Exception]: ...


def is_city_code(uscc: str) -> bool:
    return uscc[2:6] == CITY_PREFIX


class EntityDirectory:
    def __init__(self, city: Registry, national: Registry) -> None:
        self.city = city
        self.national = national

    async def fetch_many(self, codes: Sequence[str]) -> dict[str, LegalEntity | Exception]:
        unique = list(dict.fromkeys(code.strip().upper() for code in codes))
        first_city = [c for c in unique if is_city_code(c)]
        first_national = [c for c in unique if not is_city_code(c)]
        out: dict[str, LegalEntity | Exception] = {}
        for found in await asyncio.gather(self._ask(self.city, first_city), self._ask(self.national, first_national)):
            out.update(found)
        to_national = [c for c in first_city if c not in out]
        to_city = [c for c in first_national if c not in out]
        for found in await asyncio.gather(self._ask(self.national, to_national), self._ask(self.city, to_city)):
            out.update(found)
        return out

    @staticmethod
    async def _ask(registry: Registry, codes: list[str]) -> dict[str, LegalEntity | Exception]:
        return await registry.fetch_many(codes) if codes else {}
