"""The outbox relay against the simulated receivers over real HTTP: order, retries, duplicates, rejections."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import insert, select, update

from simulators.base import SimConfig
from subgraphs.cases.outbox.messages import CREDIT, DATA_CENTRE
from subgraphs.cases.outbox.relay import Destination, OutboxRelay, outbox_status, retry_dead
from subgraphs.cases.outbox.rows import OutboxRow, OutboxStatus
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from tests.support.servers import serve

from . import harness as h
from .store_support import ORDINARY, open_store

BODY = "11445100007000000H"  # a valid USCC (check character computed by domain.identifiers)
DC_PATH = "/api/exchange/v1/records"
CREDIT_PATH = "/api/credit/v1/penalties"


def _valid_body() -> str:
    from domain.identifiers import uscc_check_char

    return BODY[:17] + uscc_check_char(BODY[:17])


@contextmanager
def receivers(tmp_path: Path) -> Iterator[tuple[str, str]]:
    from simulators.credit_publicity.app import create_app as credit_app
    from simulators.data_centre.app import create_app as dc_app

    with serve(dc_app(SimConfig(admin=True, data_dir=tmp_path / "dc"))) as dc, \
            serve(credit_app(SimConfig(admin=True, data_dir=tmp_path / "credit"))) as credit:
        yield dc, credit


def destinations(dc: str, credit: str) -> list[Destination]:
    return [Destination(DATA_CENTRE, dc + DC_PATH, "dc-dev-app", "dc-dev-secret"),
            Destination(CREDIT, credit + CREDIT_PATH, "credit-pub-dev-app", "credit-pub-dev-secret")]


class Clock:
    """A settable clock, a second ahead of the messages written just before it."""

    def __init__(self) -> None:
        self.now = datetime.now(UTC) + timedelta(seconds=1)

    def __call__(self) -> datetime:
        return self.now


@asynccontextmanager
async def store(url: str) -> AsyncIterator[Any]:
    await upgrade(url)
    engine = create_engine(url)
    try:
        yield engine
    finally:
        await engine.dispose()


def case_message(case_id: str, version: int, *, body: str | None = None) -> dict[str, Any]:
    now = datetime.now(UTC)
    return {"topic": DATA_CENTRE, "key": f"dc:{case_id}:{version}", "aggregate_id": case_id,
            "aggregate_version": version, "op": "i" if version == 1 else "u",
            "payload": {"type": "PENALTY_CASE", "op": "i" if version == 1 else "u", "key": case_id,
                        "version": version,
                        "data": {"caseNo": f"NO-{case_id}", "state": "FILED", "bodyUscc": body or _valid_body(),
                                 "regionCode": "445102", "itemCode": "ITEM-A", "step": version}},
            "status": "PENDING", "attempts": 0, "next_attempt_at": now, "last_error": None, "created_at": now,
            "delivered_at": None}


async def _rows(engine: Any) -> list[Any]:
    async with engine.connect() as conn:
        return list((await conn.execute(select(OutboxRow).order_by(OutboxRow.id))).all())


async def _current(dc: str) -> list[dict[str, Any]]:
    async with httpx.AsyncClient(timeout=10) as client:
        answer = (await client.get(dc + DC_PATH, params={"type": "PENALTY_CASE"})).json()
    assert answer["code"] == 0
    return list(answer["data"])


async def _down(url: str, down: bool) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        (await client.put(f"{url}/__admin/knobs", json={"down": down})).raise_for_status()


async def _receive_calls(url: str) -> int:
    async with httpx.AsyncClient(timeout=10) as client:
        return int((await client.get(f"{url}/__admin/calls")).json()["by_operation"]["receive"])


async def test_messages_arrive_in_order_and_the_receiver_keeps_the_newest(tmp_path: Path) -> None:
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message(f"C{n}", v) for n in range(3) for v in (1, 2, 3)])
        with receivers(tmp_path) as (dc, credit):
            async with httpx.AsyncClient(timeout=10) as client:
                relay = OutboxRelay(engine, destinations(dc, credit), client, batch=4)
                report = await relay.drain()
            assert report.delivered == {DATA_CENTRE: 9}
            assert all(r.status == OutboxStatus.DELIVERED.value for r in await _rows(engine))
            current = await _current(dc)
            assert sorted((r["key"], r["version"], r["data"]["step"]) for r in current) == [
                (f"C{n}", 3, 3) for n in range(3)]


async def test_a_receiver_down_delays_and_nothing_is_lost(tmp_path: Path) -> None:
    clock = Clock()
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message("C1", 1), case_message("C1", 2)])
        with receivers(tmp_path) as (dc, credit):
            await _down(dc, True)
            async with httpx.AsyncClient(timeout=10) as client:
                relay = OutboxRelay(engine, destinations(dc, credit), client, clock=clock, backoff_s=4.0)
                report = await relay.step()
                assert report.failed == {DATA_CENTRE: 2}
                assert not report.delivered
                rows = await _rows(engine)
                assert [(r.status, r.attempts) for r in rows] == [("PENDING", 1), ("PENDING", 1)]
                assert "503" in (rows[0].last_error or "")
                waits_until = rows[0].next_attempt_at.replace(tzinfo=UTC)
                assert clock.now + timedelta(seconds=2) <= waits_until <= clock.now + timedelta(seconds=4)
                await _down(dc, False)
                assert (await relay.step()).moved == 0  # still waiting for its retry time
                assert await _current(dc) == []
                clock.now += timedelta(seconds=5)
                assert (await relay.drain()).delivered == {DATA_CENTRE: 2}
            assert [(r["key"], r["version"]) for r in (await _current(dc))] == [("C1", 2)]
            assert [r.status for r in await _rows(engine)] == ["DELIVERED", "DELIVERED"]


async def test_a_long_outage_stalls_the_destination_and_nothing_dies(tmp_path: Path) -> None:
    clock = Clock()
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message("C1", 1), case_message("C2", 1)])
        with receivers(tmp_path) as (dc, credit):
            await _down(dc, True)
            async with httpx.AsyncClient(timeout=10) as client:
                relay = OutboxRelay(engine, destinations(dc, credit), client, clock=clock, batch=1)
                for _ in range(40):  # forty failed attempts, hours apart
                    await relay.step()
                    clock.now += timedelta(hours=1)
                rows = await _rows(engine)
                assert [(r.status, r.attempts) for r in rows] == [("PENDING", 40), ("PENDING", 0)]  # C2 waits
                (status,) = await outbox_status(engine)
                assert (status.pending, status.dead) == (2, 0)
                assert "503" in (status.last_error or "")
                waits = rows[0].next_attempt_at.replace(tzinfo=UTC) - (clock.now - timedelta(hours=1))
                assert timedelta(seconds=300) <= waits <= timedelta(seconds=600)  # backing off at the cap
                await _down(dc, False)
                clock.now += timedelta(minutes=11)
                assert (await relay.drain()).delivered == {DATA_CENTRE: 2}
            assert [r["key"] for r in await _current(dc)] == ["C1", "C2"]


async def test_a_rejected_record_retried_unchanged_is_rejected_again(tmp_path: Path) -> None:
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message("C1", 1, body="B1")])
        with receivers(tmp_path) as (dc, credit):
            async with httpx.AsyncClient(timeout=10) as client:
                relay = OutboxRelay(engine, destinations(dc, credit), client)
                assert (await relay.drain()).dead == {DATA_CENTRE: 1}
                assert await retry_dead(engine, topic=DATA_CENTRE) == 1
                assert [r.status for r in await _rows(engine)] == ["PENDING"]
                assert (await relay.drain()).dead == {DATA_CENTRE: 1}
            (row,) = await _rows(engine)
            assert row.status == "DEAD"
            assert "bodyUscc" in (row.last_error or "")


async def test_a_relay_that_lost_its_lease_during_its_request_marks_nothing(tmp_path: Path) -> None:
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message(f"C{n}", 1) for n in range(3)])
        with receivers(tmp_path) as (dc, credit):
            async with httpx.AsyncClient(timeout=10) as client:
                (await client.put(f"{dc}/__admin/knobs", json={"latency_ms": 800})).raise_for_status()
                slow = OutboxRelay(engine, destinations(dc, credit), client, holder="replica-a", lease_s=0.2)
                other = OutboxRelay(engine, destinations(dc, credit), client, holder="replica-b", lease_s=30)

                async def takes_over() -> Any:
                    await asyncio.sleep(0.4)  # replica-a's lease has run out while its request is out
                    return await other.step()

                first, second = await asyncio.gather(slow.step(), takes_over())
            assert first.leased_elsewhere == {DATA_CENTRE}
            assert first.delivered == {}
            assert second.delivered == {DATA_CENTRE: 3}
            rows = await _rows(engine)
            assert [(r.status, r.attempts) for r in rows] == [("DELIVERED", 1)] * 3  # marked once, by replica-b
            assert sorted(r["key"] for r in await _current(dc)) == ["C0", "C1", "C2"]


async def test_a_resend_after_a_lost_acknowledgement_is_recognised_not_doubled(tmp_path: Path) -> None:
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message("C1", 1), case_message("C2", 1)])
        with receivers(tmp_path) as (dc, credit):
            async with httpx.AsyncClient(timeout=10) as client:
                relay = OutboxRelay(engine, destinations(dc, credit), client)
                assert (await relay.drain()).delivered == {DATA_CENTRE: 2}
                # the relay crashed after sending, before its marks were committed
                async with engine.begin() as conn:
                    await conn.execute(update(OutboxRow).values(status="PENDING", delivered_at=None))
                assert (await relay.drain()).delivered == {DATA_CENTRE: 2}
            assert await _receive_calls(dc) == 2
            assert sorted(r["key"] for r in (await _current(dc))) == ["C1", "C2"]


async def test_a_rejected_record_is_dead_with_the_reason_and_the_rest_goes_on(tmp_path: Path) -> None:
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message("C1", 1), case_message("C2", 1, body="B1"),
                                                   case_message("C3", 1)])
        with receivers(tmp_path) as (dc, credit):
            async with httpx.AsyncClient(timeout=10) as client:
                report = await OutboxRelay(engine, destinations(dc, credit), client).drain()
            assert (report.delivered, report.dead) == ({DATA_CENTRE: 2}, {DATA_CENTRE: 1})
            rows = {r.aggregate_id: r for r in await _rows(engine)}
            assert rows["C2"].status == "DEAD"
            assert "bodyUscc" in (rows["C2"].last_error or "")
            assert sorted(r["key"] for r in (await _current(dc))) == ["C1", "C3"]


async def test_a_wrong_secret_is_refused_and_kept_pending(tmp_path: Path) -> None:
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message("C1", 1)])
        with receivers(tmp_path) as (dc, _credit):
            async with httpx.AsyncClient(timeout=10) as client:
                wrong = [Destination(DATA_CENTRE, dc + DC_PATH, "dc-dev-app", "not-the-secret")]
                report = await OutboxRelay(engine, wrong, client).step()
            assert report.failed == {DATA_CENTRE: 1}
            assert "401" in report.errors[DATA_CENTRE]
            (row,) = await _rows(engine)
            assert row.status == "PENDING"
            assert await _current(dc) == []


async def test_two_relays_never_deliver_one_topic_at_once(tmp_path: Path) -> None:
    async with store(f"sqlite:///{tmp_path / 'hub.db'}") as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message(f"C{n}", 1) for n in range(5)])
        with receivers(tmp_path) as (dc, credit):
            async with httpx.AsyncClient(timeout=10) as client:
                first = OutboxRelay(engine, destinations(dc, credit), client, batch=2, holder="replica-a")
                second = OutboxRelay(engine, destinations(dc, credit), client, batch=2, holder="replica-b")
                assert (await first.step()).delivered == {DATA_CENTRE: 2}
                assert (await second.step()).moved == 0  # the lease is replica-a's
                await first.release()
                assert (await second.step()).delivered == {DATA_CENTRE: 2}
                assert (await first.step()).moved == 0  # now replica-b holds it


async def test_the_case_store_s_own_messages_reach_both_receivers(database_url: str, tmp_path: Path) -> None:
    """The test world's bodies are not USCCs (B1): the data centre refuses those records by name, the credit
    platform too, and nothing else happens to them — while a body with a real code is published."""
    async with open_store(database_url) as s:
        await s.run((*ORDINARY[:13], h.publish("2024-06-04")))
        with receivers(tmp_path) as (dc, credit):
            async with httpx.AsyncClient(timeout=10) as client:
                report = await OutboxRelay(s.engine, destinations(dc, credit), client).drain()
        assert report.dead.get(DATA_CENTRE) == 14
        assert report.dead.get(CREDIT) == 1
        rows = await _rows(s.engine)
        assert all("CF_CFJGDM" in (r.last_error or "") for r in rows if r.topic == CREDIT)


@pytest.fixture(autouse=True)
def _no_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy", "all_proxy"):
        monkeypatch.delenv(name, raising=False)


async def test_the_cases_subgraph_delivers_in_the_background_and_counts_it_on_metrics(tmp_path: Path) -> None:
    from subgraphs.cases.app import create_app
    from subgraphs.cases.config import CasesConfig
    from subgraphs.cases.outbox.config import OutboxConfig

    url = f"sqlite:///{tmp_path / 'hub.db'}"
    async with store(url) as engine:
        async with engine.begin() as conn:
            await conn.execute(insert(OutboxRow), [case_message(f"C{n}", 1) for n in range(3)])
            await conn.execute(insert(OutboxRow), [case_message("C9", 1, body="B1")])
        with receivers(tmp_path) as (dc, credit):
            outbox = OutboxConfig(destinations=tuple(destinations(dc, credit)), interval_s=0.2)
            app = create_app(config=CasesConfig(database_url=url, data_dir=tmp_path / "data",
                                                id_hash_secret=b"x" * 32, outbox=outbox))
            text = ""
            with serve(app) as base:
                async with httpx.AsyncClient(timeout=10) as client:
                    for _ in range(100):  # bounded: about 10 s
                        text = (await client.get(f"{base}/metrics")).text
                        if ('outcome="dead",topic="datacentre.case"} 1.0' in text
                                and 'hub_outbox_oldest_pending_seconds{topic="datacentre.case"} 0.0' in text):
                            break
                        await asyncio.sleep(0.1)
            assert 'hub_outbox_messages_total{outcome="delivered",topic="datacentre.case"} 3.0' in text, text
            assert 'hub_outbox_messages_total{outcome="dead",topic="datacentre.case"} 1.0' in text
            assert 'hub_outbox_oldest_pending_seconds{topic="datacentre.case"} 0.0' in text
            assert sorted(r["key"] for r in await _current(dc)) == ["C0", "C1", "C2"]
