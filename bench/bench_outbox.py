"""Outbox benchmark: messages delivered per second by the relay, against plain HTTP posting of the same batches.

A SQLite store holds `--messages` data-centre messages (valid records, as the case service writes
them); the simulated data centre runs as its own process (`hub sim data_centre`). The reference posts
the very same signed batches of 100 records straight to a second, empty receiver — the HTTP and the
receiver's work with none of the relay's: reading the queue in order, the lease, marking each batch.
Then the relay drains the store. Prints both rates and relay / reference (the bookkeeping's cost):

    python bench/bench_outbox.py [--messages 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import orjson  # noqa: E402
from sqlalchemy import func, insert, select  # noqa: E402

from adapters.rest.national_credit import signature  # noqa: E402
from bench.support.procs import free_port, started, wait_until  # noqa: E402
from domain.identifiers import uscc_check_char  # noqa: E402
from subgraphs.cases.outbox.messages import DATA_CENTRE  # noqa: E402
from subgraphs.cases.outbox.relay import Destination, OutboxRelay  # noqa: E402
from subgraphs.cases.outbox.rows import OutboxRow  # noqa: E402
from subgraphs.common.db import create_engine  # noqa: E402
from subgraphs.common.migrate import upgrade  # noqa: E402

PATH = "/api/exchange/v1/records"
KEY, SECRET = "dc-dev-app", "dc-dev-secret"
BODY = "11445100007000000" + uscc_check_char("11445100007000000")


def message(n: int, now: datetime) -> dict[str, Any]:
    case_id = f"BENCH-{n // 10:07d}"
    version = n % 10 + 1
    return {"topic": DATA_CENTRE, "key": f"dc:{case_id}:{version}", "aggregate_id": case_id,
            "aggregate_version": version, "op": "u", "status": "PENDING", "attempts": 0, "next_attempt_at": now,
            "last_error": None, "created_at": now, "delivered_at": None,
            "payload": {"type": "PENALTY_CASE", "op": "u", "key": case_id, "version": version,
                        "data": {"caseNo": f"4451021232026010{n:06d}", "state": "INVESTIGATING", "bodyUscc": BODY,
                                 "regionCode": "445102", "itemCode": "C1234500", "partyType": "ORGANISATION",
                                 "partyName": "潮州某食品有限公司", "fineFen": 500_000}}}


def receiver(name: str, work: Path) -> tuple[str, Any]:
    port = free_port()
    data = work / name
    data.mkdir()
    cm = started([sys.executable, "-m", "hub", "sim", "data_centre", "--port", str(port), "--data", str(data)],
                 cwd=ROOT)
    url = f"http://127.0.0.1:{port}"
    return url, cm


async def reference(url: str, rows: list[dict[str, Any]]) -> float:
    """Post the records as the relay would, with no store: the seconds it took."""
    start = time.perf_counter()
    async with httpx.AsyncClient(timeout=30) as client:
        for i in range(0, len(rows), 100):
            chunk = rows[i:i + 100]
            body = orjson.dumps({"batchNo": f"ref:{i}", "records": [
                {**r["payload"], "recordId": r["key"], "sentAt": datetime.now(UTC).isoformat()} for r in chunk]})
            stamp = str(int(time.time() * 1000))
            response = await client.post(url + PATH, content=body, headers={
                "content-type": "application/json", "X-App-Key": KEY, "X-Timestamp": stamp,
                "X-Signature": signature(app_key=KEY, app_secret=SECRET, timestamp=stamp, body=body)})
            answer = response.json()
            if response.status_code != 200 or len(answer["accepted"]) != len(chunk):
                raise RuntimeError(f"the reference receiver refused a batch: {answer}")
    return time.perf_counter() - start


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=20_000)
    args = parser.parse_args()
    now = datetime.now(UTC)
    rows = [message(n, now) for n in range(args.messages)]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        url = f"sqlite:///{work / 'hub.db'}"
        await upgrade(url)
        engine = create_engine(url)
        async with engine.begin() as conn:
            for i in range(0, len(rows), 5_000):
                await conn.execute(insert(OutboxRow), rows[i:i + 5_000])
        ref_url, ref_proc = receiver("reference", work)
        relay_url, relay_proc = receiver("relay", work)
        with ref_proc, relay_proc:
            for u in (ref_url, relay_url):
                wait_until(lambda u=u: httpx.get(u + "/health", timeout=1).status_code == 200, "data_centre")
            ref_s = await reference(ref_url, rows)
            print(f"reference: {len(rows):,} records posted in batches of 100 in {ref_s:.2f} s "
                  f"({len(rows) / ref_s:,.0f} records/s)")
            async with httpx.AsyncClient(timeout=30) as client:
                relay = OutboxRelay(engine, [Destination(DATA_CENTRE, relay_url + PATH, KEY, SECRET)], client)
                start = time.perf_counter()
                report = await relay.drain(max_steps=len(rows))
                relay_s = time.perf_counter() - start
            async with engine.connect() as conn:
                left = (await conn.execute(select(func.count()).select_from(OutboxRow)
                                           .where(OutboxRow.status != "DELIVERED"))).scalar_one()
            delivered = report.delivered.get(DATA_CENTRE, 0)
            print(f"relay: {delivered:,} messages delivered in {relay_s:.2f} s ({delivered / relay_s:,.0f} messages/s), "
                  f"{left} not delivered")
            print(f"relay / reference (time): {relay_s / ref_s:.2f}")
        await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
