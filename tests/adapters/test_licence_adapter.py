"""The licence adapter over the simulated licensing system's legacy database (read-only SQL)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import httpx
import pytest

from adapters.errors import MalformedRecord, SourceUnavailable
from adapters.resilience import Resilient, SourcePolicy
from adapters.sql.licence import LicenceDatabase, open_legacy_engine
from domain.entities import HolderKind, IdType, Licence, LicenceStatus
from simulators.base import SimConfig
from simulators.licence.app import create_app
from tests.adapters.seed_files import entity_uscc, person_id, write_jsonl
from tests.support.servers import serve

POLICY = SourcePolicy(timeout_s=2.0, read_retries=0, breaker_threshold=100)


def licence(n: int, **extra: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "id": f"LIC-{n:05d}", "holder_kind": "ENTITY", "holder_id_type": None, "holder_id_number": None,
        "holder_uscc": entity_uscc(n % 7), "holder_name": f"潮州市韩江{n % 7}号陶瓷有限公司",
        "licence_category": "普通", "certificate_name": "食品经营许可证", "certificate_no": f"JY1445102{n:07d}",
        "content": "预包装食品销售", "decision_doc_no": f"潮湘市监许〔2023〕{n}号", "decision_date": "2023-03-15",
        "valid_from": "2023-03-15", "valid_to": "2028-03-14", "issuing_authority": "潮州市湘桥区市场监督管理局",
        "issuing_authority_uscc": "11445102MB2D1234X1", "status": "VALID",
    }
    record.update(extra)
    return record


def person_licence(n: int, holder: int, **extra: Any) -> dict[str, Any]:
    return licence(n, holder_kind="PERSON", holder_id_type="RESIDENT_ID", holder_id_number=person_id(holder),
                   holder_uscc=None, holder_name=f"陈{holder}", certificate_name="导游证", **extra)


LICENCES = [
    *(licence(i) for i in range(60)),
    *(person_licence(100 + i, holder=i % 10) for i in range(30)),
    licence(200, status="EXPIRED", valid_to="2020-01-04", licence_category="地方特色类"),
    person_licence(201, holder=11, decision_date="2023-02-30"),  # a date that does not exist
]


def wait_ready(url: str) -> dict[str, Any]:
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        dsn = httpx.get(f"{url}/__admin/dsn").json()
        if dsn["ready"]:
            return dict(dsn)
        time.sleep(0.05)
    raise TimeoutError("licence database not built")


@pytest.fixture(scope="module")
def system(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, str]]:
    data: Path = tmp_path_factory.mktemp("licence")
    write_jsonl(data / "licences.jsonl", LICENCES)
    with serve(create_app(SimConfig(admin=True, data_dir=data))) as url:
        yield url, wait_ready(url)["async_url"]


async def test_one_statement_per_batch_and_mapped_rows(system: tuple[str, str]) -> None:
    _, dsn = system
    engine = open_legacy_engine(dsn, timeout_s=1.0)
    try:
        db = LicenceDatabase(engine, resilient=Resilient("licence", POLICY))
        found = await db.by_ids([f"LIC-{i:05d}" for i in range(60)] + ["LIC-00200", "LIC-99999"])
        assert db.statements == 2  # the category code table once, then one IN (...) query
        assert "LIC-99999" not in found
        first = found["LIC-00000"]
        assert isinstance(first, Licence)
        assert first.holder_kind is HolderKind.ENTITY
        assert first.holder_uscc == entity_uscc(0)
        assert first.valid_to == date(2028, 3, 14)
        assert first.licence_category == "普通"
        expired = found["LIC-00200"]
        assert isinstance(expired, Licence)
        assert expired.status is LicenceStatus.EXPIRED
        assert expired.licence_category == "地方特色类"  # a local code, labelled from T_DM_XKLB
        by_holder = await db.by_holder_codes([person_id(3), entity_uscc(2)])
        assert db.statements == 3
        persons = by_holder[person_id(3)]
        assert len(persons) == 3
        assert all(isinstance(p, Licence) and p.holder_id_type is IdType.RESIDENT_ID for p in persons)
        assert len(by_holder[entity_uscc(2)]) == len([i for i in range(60) if i % 7 == 2])
    finally:
        await engine.dispose()


async def test_a_row_with_an_impossible_date_is_malformed_alone(system: tuple[str, str]) -> None:
    _, dsn = system
    engine = open_legacy_engine(dsn, timeout_s=1.0)
    try:
        db = LicenceDatabase(engine, resilient=Resilient("licence", POLICY))
        found = await db.by_ids(["LIC-00201", "LIC-00101"])
    finally:
        await engine.dispose()
    assert isinstance(found["LIC-00201"], MalformedRecord)
    assert isinstance(found["LIC-00101"], Licence)


async def test_database_down_is_unavailable(system: tuple[str, str]) -> None:
    url, dsn = system
    engine = open_legacy_engine(dsn, timeout_s=0.5)
    async with httpx.AsyncClient() as client:
        await client.put(f"{url}/__admin/knobs", json={"down": True})
        try:
            for _ in range(100):  # the simulator applies knobs within a tick
                if (await client.get(f"{url}/health")).status_code == 503:
                    break
                await asyncio.sleep(0.05)
            db = LicenceDatabase(engine, resilient=Resilient("licence", POLICY))
            with pytest.raises(SourceUnavailable):
                await db.by_ids(["LIC-00001"])
        finally:
            await client.put(f"{url}/__admin/knobs", json={"down": False})
            await engine.dispose()
