"""Per-request context of the population subgraph: the adapter, the vault and fresh DataLoaders."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import TypeAlias

from adapters.batching import BatchLoader
from adapters.rest.population import PopulationAdapter
from domain.entities import IdType, Person
from subgraphs.common.vault import PseudonymVault
from subgraphs.population.budget import LookupBudget

#: a person and the hash it is keyed by in the graph
Keyed: TypeAlias = tuple[Person, str]
#: Representations resolved per vault query; each turns into <= batch_limit population calls.
HASH_BATCH = 2000


@dataclass
class PopulationContext:
    adapter: PopulationAdapter
    vault: PseudonymVault
    today: date
    by_number: BatchLoader[str, Person]
    by_hash: BatchLoader[str, Keyed]
    #: the gateway-verified caller (None for an unsigned dev call) and the per-caller budgets
    caller: str | None = None
    budget: LookupBudget | None = None

    @classmethod
    def build(cls, adapter: PopulationAdapter, vault: PseudonymVault, today: date, *,
              caller: str | None = None, budget: LookupBudget | None = None) -> PopulationContext:
        async def fetch_by_number(numbers: list[str]) -> dict[str, Person | Exception]:
            found = await adapter.fetch_many(numbers)
            await _remember(vault, found.values())
            return found

        async def fetch_by_hash(hashes: list[str]) -> dict[str, Keyed | Exception]:
            identities = await vault.reveal(hashes)
            numbers = {
                ident.id_number: digest for digest, ident in identities.items() if ident.id_type is adapter.id_type
            }
            found = await adapter.fetch_many(list(numbers))
            out: dict[str, Keyed | Exception] = {}
            for number, value in found.items():
                digest = numbers[number]
                out[digest] = value if isinstance(value, Exception) else (value, digest)
            return out

        return cls(
            adapter=adapter,
            vault=vault,
            today=today,
            by_number=BatchLoader(fetch_by_number, batch_limit=adapter.batch_limit),
            by_hash=BatchLoader(fetch_by_hash, batch_limit=HASH_BATCH),
            caller=caller,
            budget=budget,
        )


async def _remember(vault: PseudonymVault, values: Iterable[Person | Exception]) -> None:
    persons = [v for v in values if isinstance(v, Person)]
    if persons:
        await vault.remember(((p.id_type, p.id_number) for p in persons), source="population")


def id_type_supported(adapter: PopulationAdapter, id_type: IdType) -> bool:
    return id_type is adapter.id_type
