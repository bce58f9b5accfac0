"""Per-request context of the legal-person subgraph: registries, the vault and a fresh loader."""

from __future__ import annotations

from dataclasses import dataclass

from adapters.batching import BatchLoader
from adapters.rest.national_credit import NationalCreditAdapter
from adapters.soap.market import MarketRegistryAdapter
from domain.entities import LegalEntity
from subgraphs.common.vault import PseudonymVault
from subgraphs.legal_person.directory import EntityDirectory

#: representations handed to the directory at once; it splits them per registry batch limit
DIRECTORY_BATCH = 2000


@dataclass
class LegalPersonContext:
    city: MarketRegistryAdapter
    national: NationalCreditAdapter
    vault: PseudonymVault
    by_uscc: BatchLoader[str, LegalEntity]
    rep_hashes: dict[str, str]

    @classmethod
    def build(cls, city: MarketRegistryAdapter, national: NationalCreditAdapter, vault: PseudonymVault) -> LegalPersonContext:
        directory = EntityDirectory(city, national)
        rep_hashes: dict[str, str] = {}

        async def fetch(codes: list[str]) -> dict[str, LegalEntity | Exception]:
            found = await directory.fetch_many(codes)
            await remember_representatives(vault, [v for v in found.values() if isinstance(v, LegalEntity)], rep_hashes)
            return found

        return cls(city=city, national=national, vault=vault,
                   by_uscc=BatchLoader(fetch, batch_limit=DIRECTORY_BATCH), rep_hashes=rep_hashes)


async def remember_representatives(vault: PseudonymVault, entities: list[LegalEntity], into: dict[str, str]) -> None:
    """Put legal representatives' ID numbers into the vault; keep number -> hash for this request."""
    pairs = [(e.legal_rep_id_type, e.legal_rep_id_number) for e in entities
             if e.legal_rep_id_type is not None and e.legal_rep_id_number]
    if pairs:
        into.update(await vault.remember(((t, n) for t, n in pairs if t is not None and n), source="legal_person"))
