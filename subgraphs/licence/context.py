"""Per-request context of the licence subgraph: the legacy database, the vault and fresh loaders."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field

from adapters.batching import BatchLoader
from adapters.errors import MalformedRecord
from adapters.sql.licence import LicenceDatabase
from domain.entities import Licence
from domain.sm import normalise_id_number
from subgraphs.common.vault import PseudonymVault

BATCH = 1000
HolderLicences = list[Licence | MalformedRecord]


@dataclass
class LicenceContext:
    db: LicenceDatabase
    vault: PseudonymVault
    by_id: BatchLoader[str, Licence]
    by_holder: BatchLoader[str, HolderLicences]
    by_person_hash: BatchLoader[str, HolderLicences]
    #: puts person holders' ID numbers into the vault and `holder_hashes` (for licences read in bulk)
    remember: Callable[[list[Licence]], Awaitable[None]]
    #: ID number -> hash for person holders seen in this request
    holder_hashes: dict[str, str] = field(default_factory=dict)

    @classmethod
    def build(cls, db: LicenceDatabase, vault: PseudonymVault) -> LicenceContext:
        holder_hashes: dict[str, str] = {}

        async def remember(licences: list[Licence]) -> None:
            pairs = [(lic.holder_id_type, lic.holder_id_number) for lic in licences
                     if lic.holder_id_type is not None and lic.holder_id_number]
            fresh = [(t, n) for t, n in pairs if t is not None and n and normalise_id_number(n) not in holder_hashes]
            if fresh:
                holder_hashes.update(await vault.remember(fresh, source="licence"))

        async def fetch_ids(ids: list[str]) -> dict[str, Licence | Exception]:
            found = await db.by_ids(ids)
            await remember([v for v in found.values() if isinstance(v, Licence)])
            return found

        async def fetch_holders(codes: list[str]) -> dict[str, HolderLicences | Exception]:
            found = await db.by_holder_codes(codes)
            await remember([lic for rows in found.values() for lic in rows if isinstance(lic, Licence)])
            return dict(found)

        async def fetch_person_hashes(hashes: list[str]) -> dict[str, HolderLicences | Exception]:
            identities = await vault.reveal(hashes)
            numbers = {ident.id_number: digest for digest, ident in identities.items()}
            found = await db.by_holder_codes(list(numbers))
            holder_hashes.update(numbers)
            out: dict[str, HolderLicences | Exception] = {digest: [] for digest in hashes}
            for number, rows in found.items():
                out[numbers[number]] = rows
            return out

        return cls(db=db, vault=vault, by_id=BatchLoader(fetch_ids, batch_limit=BATCH),
                   by_holder=BatchLoader(fetch_holders, batch_limit=BATCH),
                   by_person_hash=BatchLoader(fetch_person_hashes, batch_limit=BATCH), remember=remember,
                   holder_hashes=holder_hashes)
