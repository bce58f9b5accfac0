"""The five supervisor questions through the gateway, against the same data read by SQL directly.

    .venv/bin/python bench/bench_queries.py [--size medium] [--rounds 30]

`hub seed --size medium` fills a fresh store (PostgreSQL when HUB_TEST_POSTGRES_URL is set, else a
SQLite file), the stack serves it over loopback HTTP and the alerts come from `hub supervise sweep`.
Each question is one registered operation (schema/operations/supervisor-*.graphql) sent to the
gateway `--rounds` times; its reference is the SQL that reads the same rows straight from the
store, run as many times in the same run, interleaved. Printed: p50 and p99 of both, and the
ratio gateway / direct SQL at p50 (target ≤ 3×).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

from tests.integration.questions_support import async_url, busiest_county_quarter, operation, serve_seeded
from tests.support.db import postgres_database

#: the direct-SQL reference of each question: the rows the answer is made of, read from the store
DIRECT: dict[str, list[str]] = {
    "supervisor-a-cases-decided": [
        "SELECT case_no, item_code, decided_at, fine_fen FROM penalty_case WHERE region_code LIKE :region_like "
        "AND decided_at BETWEEN :from_ AND :to ORDER BY item_code, decided_at DESC, id"],
    "supervisor-b-repeat-parties": [
        "SELECT p.uscc, COUNT(DISTINCT p.case_id) AS n FROM case_party p WHERE p.uscc IS NOT NULL "
        "GROUP BY p.uscc HAVING COUNT(DISTINCT p.case_id) >= 2",
        "SELECT p.uscc, c.case_no, c.snapshot FROM case_party p JOIN penalty_case c ON c.id = p.case_id "
        "WHERE p.uscc IN (SELECT uscc FROM case_party WHERE uscc IS NOT NULL GROUP BY uscc "
        "HAVING COUNT(DISTINCT case_id) >= 2)"],
    "supervisor-c-officer-acts": [
        "SELECT o.id, c.cert_no, c.status, c.valid_from, c.valid_to, c.status_since FROM officer o "
        "LEFT JOIN enforcement_certificate c ON c.officer_id = o.id",
        "SELECT co.officer_id, pc.case_no, pc.snapshot FROM case_officer co JOIN penalty_case pc ON pc.id = co.case_id"],
    "supervisor-d-body-ranking": [
        "SELECT body_uscc, COUNT(*) FROM penalty_case GROUP BY body_uscc",
        "SELECT body_id, COUNT(DISTINCT case_id) FROM supervision_alert WHERE active = :t AND severity = 'RED' "
        "AND rule_id = 'S02' GROUP BY body_id",
        "SELECT a.id, a.body_id, a.rule_id, b.name FROM supervision_alert a JOIN enforcement_body b ON b.uscc = a.body_id "
        "WHERE a.active = :t AND a.severity = 'RED' AND a.status = 'OPEN'"],
    "supervisor-e-measures-past-term": [
        "SELECT m.id, m.term_due, m.state, b.name, c.case_no, c.snapshot FROM coercive_measure m "
        "JOIN penalty_case c ON c.id = m.case_id JOIN enforcement_body b ON b.uscc = m.body_uscc "
        "WHERE m.state IN ('IN_FORCE', 'EXTENDED') AND m.term_due < :on ORDER BY m.term_due, m.id"],
}


def _pct(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


async def _direct(engine: AsyncEngine, statements: list[str], params: dict[str, Any]) -> int:
    rows = 0
    async with engine.connect() as conn:
        for statement in statements:
            wanted = {k: v for k, v in params.items() if f":{k}" in statement}
            rows += len((await conn.execute(text(statement), wanted)).all())
    return rows


def _busiest_quarter(url: str) -> dict[str, Any]:
    """The question (a) parameters: the county and quarter with the most decisions."""
    async def run() -> list[Any]:
        engine = create_async_engine(async_url(url))
        try:
            async with engine.connect() as conn:
                return list((await conn.execute(text("SELECT region_code, decided_at FROM penalty_case "
                                                     "WHERE decided_at IS NOT NULL"))).all())
        finally:
            await engine.dispose()
    rows = asyncio.run(run())
    county, start, end = busiest_county_quarter(
        (r.region_code, r.decided_at if isinstance(r.decided_at, date) else date.fromisoformat(str(r.decided_at)))
        for r in rows)
    return {"region": county, "from": start.isoformat(), "to": end.isoformat()}


def run(url: str, work: Path, size: str, rounds: int) -> None:
    t0 = time.perf_counter()
    with serve_seeded(work, url, size=size) as (stack, _seeded):
        print(f"seeded ({size}), served and swept in {time.perf_counter() - t0:.0f} s; {rounds} rounds a question",
              flush=True)
        a = _busiest_quarter(url)
        variables: dict[str, dict[str, Any]] = {
            "supervisor-a-cases-decided": a, "supervisor-b-repeat-parties": {}, "supervisor-c-officer-acts": {},
            "supervisor-d-body-ranking": {}, "supervisor-e-measures-past-term": {"on": date.today().isoformat()}}
        params = {"region_like": f"{a['region']}%", "from_": date.fromisoformat(a["from"]),
                  "to": date.fromisoformat(a["to"]), "t": True, "on": date.today()}
        loop = asyncio.new_event_loop()
        engine = create_async_engine(async_url(url))
        print(f"{'question':34} {'gateway p50':>12} {'p99':>8} {'SQL p50':>9} {'p99':>8} {'ratio p50':>10}")
        ratios = []
        with httpx.Client(timeout=120) as client:
            for name, statements in DIRECT.items():
                document = operation(name)
                gateway_s: list[float] = []
                sql_s: list[float] = []

                def ask(document: str = document, name: str = name) -> None:
                    body = client.post(stack.graphql, json={"query": document, "variables": variables[name]}).json()
                    if body.get("errors"):
                        raise SystemExit(f"{name}: {body['errors']}")

                def direct(statements: list[str] = statements) -> None:
                    loop.run_until_complete(_direct(engine, statements, params))

                for fn in (ask, direct):  # warm both paths once
                    fn()
                for _ in range(rounds):
                    for fn, samples in ((ask, gateway_s), (direct, sql_s)):
                        started = time.perf_counter()
                        fn()
                        samples.append(time.perf_counter() - started)
                ratio = statistics.median(gateway_s) / statistics.median(sql_s)
                ratios.append(ratio)
                print(f"{name:34} {_ms(gateway_s, 0.5):>12} {_ms(gateway_s, 0.99):>8} {_ms(sql_s, 0.5):>9} "
                      f"{_ms(sql_s, 0.99):>8} {ratio:>9.1f}x", flush=True)
        loop.run_until_complete(engine.dispose())
        loop.close()
        worst = max(ratios)
        print(f"worst ratio gateway / direct SQL at p50: {worst:.1f}x (target <= 3x: "
              f"{'met' if worst <= 3 else 'not met'})")


def _ms(samples: list[float], q: float) -> str:
    return f"{_pct(samples, q) * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", default="medium", choices=["small", "medium"])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args(argv)
    if args.rounds < 1:
        parser.error("--rounds must be at least 1")
    with tempfile.TemporaryDirectory(prefix="bench-queries-") as tmp, contextlib.ExitStack() as stack:
        server = os.environ.get("HUB_TEST_POSTGRES_URL")
        url = stack.enter_context(postgres_database(server)) if server else f"sqlite:///{Path(tmp) / 'hub.db'}"
        print(f"store: {'PostgreSQL' if server else 'SQLite'}", flush=True)
        run(url, Path(tmp), args.size, args.rounds)


if __name__ == "__main__":
    main()
