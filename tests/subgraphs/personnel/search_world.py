"""A varied personnel store for search tests: bodies over two cities' trees, officers and certificates.

`World` holds the same rows as plain tuples, so a test can filter them in Python (the reference) and
compare with what the SQL search returns.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.security import region_prefix
from subgraphs.personnel.store import BodyRow, CertificateRow, OfficerRow
from tests.adapters.personnel_seed import body_uscc

NOW = datetime(2026, 3, 1, tzinfo=UTC)
REGIONS: tuple[tuple[str, str, str | None], ...] = (  # (region code, level, parent region)
    ("440000", "PROVINCE", None),
    ("440100", "CITY", "440000"), ("440103", "COUNTY", "440100"), ("440103005", "TOWN", "440103"),
    ("445100", "CITY", "440000"), ("445102", "COUNTY", "445100"), ("445103", "COUNTY", "445100"),
    ("445102001", "TOWN", "445102"), ("445102002", "TOWN", "445102"), ("445103101", "TOWN", "445103"),
)
DOMAINS = ("市场监管", "食品安全", "城市管理", "生态环境")
BODY_STATUSES = ("ACTIVE", "ACTIVE", "ACTIVE", "MERGED")
OFFICER_STATUSES = ("ACTIVE", "ACTIVE", "ACTIVE", "TRANSFERRED", "RETIRED")
CERT_STATUSES = ("ACTIVE", "ACTIVE", "EXPIRED", "SUSPENDED", "REVOKED", "CANCELLED")
NAMES = ("林", "林晓", "陈", "陈小", "黄", "A_", "A%", "Ab", "蔡")


@dataclass(frozen=True)
class Body:
    uscc: str
    name: str
    level: str
    region: str
    parent: str | None
    domains: tuple[str, ...]
    status: str


@dataclass(frozen=True)
class Officer:
    id: str
    name: str
    body: str
    status: str
    reviewer: bool
    vanished: bool
    cert_statuses: frozenset[str]  # of its certificates still listed


@dataclass
class World:
    bodies: list[Body] = field(default_factory=list)
    officers: list[Officer] = field(default_factory=list)

    def body(self, uscc: str) -> Body:
        return next(b for b in self.bodies if b.uscc == uscc)


def in_region(code: str, region: str) -> bool:
    return code.startswith(region_prefix(region))


def build_world(seed: int = 13) -> World:
    rng = random.Random(seed)
    world = World()
    by_region: dict[str, str] = {}
    for n, (region, level, parent) in enumerate(REGIONS):
        for k in range(2 if level in ("COUNTY", "TOWN") else 1):
            uscc = body_uscc(n * 10 + k, region[:6])
            parent_uscc = by_region.get(parent) if parent else None
            domains = tuple(sorted(rng.sample(DOMAINS, rng.randint(0, 3))))
            world.bodies.append(Body(uscc, f"{rng.choice(NAMES)}{level}{n}{k}局", level, region, parent_uscc, domains,
                                     rng.choice(BODY_STATUSES)))
            by_region.setdefault(region, uscc)
    for i in range(140):
        certs = frozenset(rng.sample(CERT_STATUSES, rng.randint(0, 2)))
        world.officers.append(Officer(
            f"OFF-{rng.randrange(10_000):04d}-{i:03d}", f"{rng.choice(NAMES)}{rng.choice('一二三')}",
            rng.choice(world.bodies).uscc, rng.choice(OFFICER_STATUSES), rng.random() < 0.2, rng.random() < 0.1,
            certs))
    return world


async def store_world(url: str, world: World) -> None:
    await upgrade(url)
    engine = create_engine(url)
    try:
        async with AsyncSession(engine) as session:
            for b in world.bodies:  # parents come first in REGIONS
                session.add(BodyRow(uscc=b.uscc, name=b.name, short_name=None, level=b.level, region_code=b.region,
                                    parent_uscc=b.parent, body_type="ADMIN_ORGAN", entrusted_by=None,
                                    is_comprehensive=False, domains=list(b.domains), power_source=None, item_codes=[],
                                    status=b.status, updated_at=NOW))
                await session.flush()
            for o in world.officers:
                session.add(OfficerRow(id=o.id, name=o.name, id_type="RESIDENT_ID", id_number_hash="",
                                       id_number_masked="4451**********0000", body_uscc=o.body, post=None,
                                       staff_type=None, has_legal_qualification=o.reviewer, legal_qualification_no=None,
                                       is_legal_reviewer=o.reviewer, training_hours={}, status=o.status,
                                       vanished_at=NOW if o.vanished else None, updated_at=NOW))
            await session.flush()
            for o in world.officers:
                for k, status in enumerate(sorted(o.cert_statuses)):
                    since = date(2025, 5, 1) if status in ("SUSPENDED", "REVOKED", "CANCELLED") else None
                    session.add(CertificateRow(
                        cert_no=f"C{o.id[-3:]}{k}", cert_type="GD_ADMIN", officer_id=o.id, body_uscc=o.body,
                        area=[], categories=[], power_source=None, issued_by=None, issue_date=None,
                        valid_from=date(2023, 1, 1), valid_to=date(2027, 12, 31) if status != "EXPIRED" else
                        date(2025, 12, 31), status=status, status_since=since, exam_passed_at=None, row_hash="",
                        vanished_at=None, updated_at=NOW))
                # a vanished certificate never counts for the certificate-status filter
                session.add(CertificateRow(
                    cert_no=f"V{o.id[-3:]}", cert_type="GD_ADMIN", officer_id=o.id, body_uscc=o.body, area=[],
                    categories=[], power_source=None, issued_by=None, issue_date=None, valid_from=date(2020, 1, 1),
                    valid_to=date(2024, 12, 31), status="LOST", status_since=date(2021, 1, 1), exam_passed_at=None,
                    row_hash="", vanished_at=NOW, updated_at=NOW))
            await session.commit()
    finally:
        await engine.dispose()
