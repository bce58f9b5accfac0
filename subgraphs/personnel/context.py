"""Per-request context of the personnel subgraph: the store engine and fresh loaders."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from adapters.batching import BatchLoader
from subgraphs.personnel.store import BodyRow, CertificateRow, OfficerRow
from trust.signing import CallerContext

BATCH = 1000


@dataclass
class PersonnelContext:
    engine: AsyncEngine
    body: BatchLoader[str, BodyRow]
    officer: BatchLoader[str, OfficerRow]
    children: BatchLoader[str, list[BodyRow]]
    certificates: BatchLoader[str, list[CertificateRow]]
    officers_of: BatchLoader[str, list[OfficerRow]]
    #: the gateway-verified caller (None on an unsigned dev call)
    caller: CallerContext | None = None

    @classmethod
    def build(cls, engine: AsyncEngine, caller: CallerContext | None = None) -> PersonnelContext:
        async def bodies(keys: list[str]) -> dict[str, BodyRow | Exception]:
            async with AsyncSession(engine) as s:
                return {b.uscc: b for b in (await s.scalars(select(BodyRow).where(BodyRow.uscc.in_(keys)))).all()}

        async def officers(keys: list[str]) -> dict[str, OfficerRow | Exception]:
            async with AsyncSession(engine) as s:
                return {o.id: o for o in (await s.scalars(select(OfficerRow).where(OfficerRow.id.in_(keys)))).all()}

        async def children(keys: list[str]) -> dict[str, list[BodyRow] | Exception]:
            out: dict[str, list[BodyRow] | Exception] = {k: [] for k in keys}
            grouped: defaultdict[str, list[BodyRow]] = defaultdict(list)
            async with AsyncSession(engine) as s:
                stmt = select(BodyRow).where(BodyRow.parent_uscc.in_(keys)).order_by(BodyRow.uscc)
                for b in (await s.scalars(stmt)).all():
                    grouped[str(b.parent_uscc)].append(b)
            out.update(grouped)
            return out

        async def certificates(keys: list[str]) -> dict[str, list[CertificateRow] | Exception]:
            out: dict[str, list[CertificateRow] | Exception] = {k: [] for k in keys}
            grouped: defaultdict[str, list[CertificateRow]] = defaultdict(list)
            async with AsyncSession(engine) as s:
                stmt = select(CertificateRow).where(CertificateRow.officer_id.in_(keys)).order_by(CertificateRow.cert_no)
                for c in (await s.scalars(stmt)).all():
                    grouped[c.officer_id].append(c)
            out.update(grouped)
            return out

        async def officers_of(keys: list[str]) -> dict[str, list[OfficerRow] | Exception]:
            out: dict[str, list[OfficerRow] | Exception] = {k: [] for k in keys}
            grouped: defaultdict[str, list[OfficerRow]] = defaultdict(list)
            async with AsyncSession(engine) as s:
                stmt = select(OfficerRow).where(OfficerRow.body_uscc.in_(keys)).order_by(OfficerRow.id)
                for o in (await s.scalars(stmt)).all():
                    grouped[o.body_uscc].append(o)
            out.update(grouped)
            return out

        return cls(engine=engine, body=BatchLoader(bodies, batch_limit=BATCH),
                   officer=BatchLoader(officers, batch_limit=BATCH), children=BatchLoader(children, batch_limit=BATCH),
                   certificates=BatchLoader(certificates, batch_limit=BATCH),
                   officers_of=BatchLoader(officers_of, batch_limit=BATCH), caller=caller)
