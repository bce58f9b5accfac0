"""Case-store benchmark: penalty-case lifecycle transitions per second on SQLite and on PostgreSQL.

Each case is driven clue → archive (18 transitions, each one service call = one transaction with
snapshot, hash-chained event and deadlines) by `--workers` concurrent writers, each on its own
cases. PostgreSQL comes from HUB_TEST_POSTGRES_URL (`make bench` starts a throwaway server);
without it only SQLite runs. Prints transitions/s per backend and the ratio PostgreSQL/SQLite.

    python bench/bench_cases.py [--cases 40] [--workers 4]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from subgraphs.cases.facts import FixedFacts  # noqa: E402
from subgraphs.cases.service import CaseService  # noqa: E402
from subgraphs.common.db import create_engine  # noqa: E402
from subgraphs.common.migrate import upgrade  # noqa: E402
from tests.subgraphs.cases import harness as h  # noqa: E402
from tests.subgraphs.cases.world import make_context  # noqa: E402
from tests.support.db import fresh_postgres_database  # noqa: E402


def lifecycle(case_id: str) -> list[h.c.CaseCommand]:
    return [
        h.clue("2024-02-26", case_id=case_id), h.verify("2024-02-27"), h.file("2024-03-01"),
        h.investigate("2024-03-04"), h.evidence("2024-03-05"), h.conclude("2024-04-15"), h.submit("2024-04-16"),
        h.notice("2024-05-06"), h.statement("2024-05-08"), h.review_statement("2024-05-09"),
        h.reassess("2024-05-13"), h.decide("2024-05-27"), h.serve("2024-06-03"), h.payment_period("2024-06-03"),
        h.publish("2024-06-04"), h.pay("2024-06-14", 5_000), h.close("2024-06-20"), h.archive("2024-07-01"),
    ]


async def run(url: str, cases: int, workers: int) -> tuple[int, float]:
    await upgrade(url)
    engine = create_engine(url, pool_size=workers + 2) if url.startswith("postgresql") else create_engine(url)
    service = CaseService(engine, FixedFacts(make_context()))
    queue: asyncio.Queue[int] = asyncio.Queue()
    for i in range(cases):
        queue.put_nowait(i)
    done = 0

    async def worker() -> None:
        nonlocal done
        while True:
            try:
                i = queue.get_nowait()
            except asyncio.QueueEmpty:
                return
            commands = lifecycle(f"BENCH-{i:06d}")
            result = await service.execute(commands[0])
            for command in commands[1:]:
                result = await service.execute(command, case_id=result.case.case_id)
            done += len(commands)

    start = time.perf_counter()
    try:
        await asyncio.gather(*(worker() for _ in range(workers)))
    finally:
        elapsed = time.perf_counter() - start
        await engine.dispose()
    return done, elapsed


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        n, secs = await run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.cases, args.workers)
        rates["sqlite"] = n / secs
        print(f"sqlite      {n:6d} transitions in {secs:7.2f} s = {rates['sqlite']:8.1f} transitions/s")
    server = os.environ.get("HUB_TEST_POSTGRES_URL")
    if server:
        async with fresh_postgres_database(server) as url:
            n, secs = await run(url, args.cases, args.workers)
        rates["postgresql"] = n / secs
        print(f"postgresql  {n:6d} transitions in {secs:7.2f} s = {rates['postgresql']:8.1f} transitions/s")
        print(f"ratio PostgreSQL/SQLite: {rates['postgresql'] / rates['sqlite']:.2f}")
    else:
        print("postgresql  skipped: HUB_TEST_POSTGRES_URL is unset (make bench starts a throwaway server)")


if __name__ == "__main__":
    asyncio.run(main())
