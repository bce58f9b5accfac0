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


Transaction = list[tuple[str, tuple[object, ...]]]


class Recorder:
    """Groups the traced statements into transactions per case (a write starts after the read of its case)."""

    def __init__(self) -> None:
        self.by_case: dict[str, list[Transaction]] = {}
        self.current: dict[str, Transaction] = {}

    def start(self, case: str) -> None:
        self.current[case] = []
        self.by_case.setdefault(case, []).append(self.current[case])


async def run(url: str, cases: int, workers: int, recorder: Recorder | None = None) -> tuple[int, float]:
    await upgrade(url)
    engine = create_engine(url, pool_size=workers + 2) if url.startswith("postgresql") else create_engine(url)
    task_case: dict[int, str] = {}

    def trace(sql: str, args: object) -> None:
        if recorder is None:
            return
        case = task_case.get(id(asyncio.current_task()))
        if case is not None and not sql.startswith("SELECT"):
            recorder.current[case].append((sql, tuple(args)))  # type: ignore[arg-type]

    service = CaseService(engine, FixedFacts(make_context()), trace=trace if recorder else None)
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
            case = f"BENCH-{i:06d}"
            commands = lifecycle(case)
            task_case[id(asyncio.current_task())] = case
            if recorder is not None:
                recorder.start(case)
            result = await service.execute(commands[0])
            for command in commands[1:]:
                if recorder is not None:
                    recorder.start(case)
                result = await service.execute(command, case_id=result.case.case_id)
            done += len(commands)

    start = time.perf_counter()
    try:
        await asyncio.gather(*(worker() for _ in range(workers)))
    finally:
        elapsed = time.perf_counter() - start
        await engine.dispose()
    return done, elapsed


async def floor(url: str, recorder: Recorder, workers: int) -> tuple[int, float]:
    """Replay the recorded transactions into the fresh database `url`, straight on the driver."""
    await upgrade(url)
    queue: asyncio.Queue[list[Transaction]] = asyncio.Queue()
    for txs in recorder.by_case.values():
        queue.put_nowait(txs)
    done = 0
    if url.startswith("postgresql"):
        import asyncpg

        conns = [await asyncpg.connect(url.replace("postgresql+asyncpg", "postgresql")) for _ in range(workers)]

        async def pg_worker(conn: asyncpg.Connection) -> None:
            nonlocal done
            for _ in range(len(recorder.by_case)):
                try:
                    txs = queue.get_nowait()
                except asyncio.QueueEmpty:
                    return
                for tx in txs:
                    async with conn.transaction():
                        for sql, args in tx:
                            await conn.execute(sql, *args)
                    done += 1

        start = time.perf_counter()
        await asyncio.gather(*(pg_worker(c) for c in conns))
        elapsed = time.perf_counter() - start
        for c in conns:
            await c.close()
        return done, elapsed
    import sqlite3
    import threading

    path = url.split("///", 1)[1]
    lock = threading.Lock()

    def lite_worker() -> None:
        nonlocal done
        conn = sqlite3.connect(path, timeout=5, check_same_thread=False)
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA foreign_keys=ON")
        for _ in range(len(recorder.by_case)):
            try:
                txs = queue.get_nowait()
            except asyncio.QueueEmpty:
                break
            for tx in txs:
                with conn:
                    for sql, args in tx:
                        conn.execute(sql, args)
                with lock:
                    done += 1
        conn.close()

    start = time.perf_counter()
    threads = [threading.Thread(target=lite_worker) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done, time.perf_counter() - start


def report(name: str, n: int, secs: float, floor_n: int, floor_secs: float) -> float:
    rate, floor_rate = n / secs, floor_n / floor_secs
    print(f"{name:11s} {n:6d} transitions in {secs:7.2f} s = {rate:8.1f} transitions/s; floor (the same statements "
          f"on the driver) {floor_rate:8.1f}/s; hub / floor = {rate / floor_rate:.2f}", flush=True)
    return rate


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=40)
    parser.add_argument("--workers", type=int, default=4)
    args = parser.parse_args()
    rates: dict[str, float] = {}
    with tempfile.TemporaryDirectory() as tmp:
        recorder = Recorder()
        n, secs = await run(f"sqlite:///{Path(tmp) / 'bench.db'}", args.cases, args.workers, recorder)
        fn, fsecs = await floor(f"sqlite:///{Path(tmp) / 'floor.db'}", recorder, args.workers)
        rates["sqlite"] = report("sqlite", n, secs, fn, fsecs)
    server = os.environ.get("HUB_TEST_POSTGRES_URL")
    if server:
        recorder = Recorder()
        async with fresh_postgres_database(server) as url:
            n, secs = await run(url, args.cases, args.workers, recorder)
        async with fresh_postgres_database(server) as url:
            fn, fsecs = await floor(url, recorder, args.workers)
        rates["postgresql"] = report("postgresql", n, secs, fn, fsecs)
        print(f"ratio PostgreSQL/SQLite: {rates['postgresql'] / rates['sqlite']:.2f}")
    else:
        print("postgresql  skipped: HUB_TEST_POSTGRES_URL is unset (make bench starts a throwaway server)")


if __name__ == "__main__":
    asyncio.run(main())
