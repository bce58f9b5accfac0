"""Full supervision sweep over many cases: wall time and the number of gateway requests.

    .venv/bin/python bench/bench_sweep.py [--cases 100000] [--size small] [--workers N]

Cases are built with the seeding functions (`subgraphs.cases.ground_truth`: the real state machine,
plus the injected violations) and written to PostgreSQL when HUB_TEST_POSTGRES_URL is set, else to
a SQLite file. Facts come through `GatewayFacts` over the wire from a gateway double answering
from the generated data set, so the request count is the one a real gateway would see.

The scan and the sweep run in a child process of their own, so its peak resident memory is the
sweep's (plus the fake gateway's data, printed beside it), not that of the data set this process
built: run it at two sizes to see whether memory stays flat. The sweep evaluates the cases in
`--workers` processes (default: one per core; 1: in the sweep's own process), whose largest peak is
printed too. The scan, the reference, reads and decodes every case in one process.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from simulators.datagen.generator import generate
from subgraphs.cases.ground_truth import (
    AS_OF,
    build_dataset,
    entry_snapshot,
    load_world,
    store_measures,
    write_cases,
)
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.supervision.gateway_client import GatewayFacts
from subgraphs.supervision.loader import case_pages
from subgraphs.supervision.sweep import DEFAULT_PAGE, eval_context, run_sweep
from subgraphs.supervision.sweep_workers import peak_memory_mb
from tests.subgraphs.supervision.fake_gateway import FakeGateway
from tests.support.db import fresh_postgres_database

SECRET = b"bench-pepper"


async def bench(url: str, seed_dir: Path, cases: int, workers: int) -> None:
    await upgrade(url)
    t0 = time.perf_counter()
    world = load_world(seed_dir, SECRET)
    entries, truth = build_dataset(world, seed=1, count=cases)
    t1 = time.perf_counter()
    print(f"built {len(entries)} cases in {t1 - t0:.1f} s; writing them with their event chains ...", flush=True)
    await write_cases(url, entries, world, seed_dir,
                      progress=lambda n: print(f"  {n} written", flush=True) if n % 10_000 == 0 else None)
    # the measures and inspections the truth lists
    await store_measures(url, world, [entry_snapshot(e) for e in entries], truth)
    t2 = time.perf_counter()
    print(f"built {len(entries)} cases in {t1 - t0:.1f} s, wrote them (with their event chains) in {t2 - t1:.1f} s",
          flush=True)
    child = await asyncio.to_thread(subprocess.run, [sys.executable, __file__, "--sweep-only", url, str(seed_dir),
                                                     "--workers", str(workers)],
                                    check=True, stdout=subprocess.PIPE, text=True)
    out = json.loads(child.stdout.strip().splitlines()[-1])
    expected = len(truth.alerts)
    scanned, scan_s, seconds = out["scanned"], out["scan_s"], out["seconds"]
    print(f"scan (reference): {scanned} cases read and decoded in {scan_s:.1f} s", flush=True)
    print(f"sweep: {out['cases']} cases in {seconds:.1f} s ({out['cases'] / seconds:.0f} cases/s) "
          f"with {out['workers']} worker process(es), "
          f"{sum(out['found'].values())} alerts (ground truth {expected}), {out['requests']} gateway requests; "
          f"sweep / scan = {seconds / scan_s:.2f}", flush=True)
    print(f"peak memory of the sweep process: {out['peak_mb']:.0f} MB "
          f"({out['base_mb']:.0f} MB before the scan, with the fake gateway's data loaded); "
          f"largest worker process: {out['worker_peak_mb']:.0f} MB", flush=True)
    found = Counter(out["found"])
    wanted = Counter(a["rule"] for a in truth.alerts)
    off = {rule: (found[rule], wanted[rule]) for rule in sorted(found | wanted) if found[rule] != wanted[rule]}
    print(f"alerts per rule equal to the ground truth: {not off}" + (f"; differing (found, truth): {off}" if off else ""),
          flush=True)


def _peak_mb() -> float:
    return peak_memory_mb()  # since this child started its program, not the forking parent's size


async def sweep_only(url: str, seed_dir: Path, workers: int) -> None:
    """The child: the scan (the reference) and the sweep over the store at `url`; one JSON line out."""
    fake = FakeGateway(seed_dir, SECRET)
    engine = create_engine(url)
    base = _peak_mb()
    try:
        # the reference, in the same run: reading and decoding every case the way the sweep pages them
        # (twice: the first pass warms the file cache the sweep then finds warm too; the second is timed)
        for _ in range(2):
            t3 = time.perf_counter()
            scanned = 0
            async for page in case_pages(engine, page_size=DEFAULT_PAGE):
                scanned += len(page)
            scan_s = time.perf_counter() - t3
        async with httpx.AsyncClient(transport=fake.transport()) as client:
            facts = GatewayFacts(client, "http://gateway.bench/graphql")
            result = await run_sweep(engine, facts, eval_context(AS_OF), requests=lambda: facts.requests,
                                     workers=workers)
    finally:
        await engine.dispose()
    print(json.dumps({"scanned": scanned, "scan_s": scan_s, "cases": result.cases, "seconds": result.seconds,
                      "requests": result.gateway_requests, "found": Counter(f.rule_id for f in result.findings),
                      "peak_mb": _peak_mb(), "base_mb": base, "workers": result.workers,
                      "worker_peak_mb": result.worker_peak_mb or 0.0}))


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=100_000)
    # medium: ~120,000 parties, so 100,000 cases rarely share one (with small, every party has ~80 cases
    # and the analytic rules S17/S18 rightly flag most of them)
    parser.add_argument("--size", default="medium")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1,
                        help="processes evaluating the cases (default: one per core)")
    parser.add_argument("--sweep-only", nargs=2, metavar=("URL", "SEED_DIR"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.sweep_only:
        await sweep_only(args.sweep_only[0], Path(args.sweep_only[1]), args.workers)
        return
    with tempfile.TemporaryDirectory(prefix="bench-sweep-") as tmp:
        seed_dir = Path(tmp) / "seed"
        generate(size=args.size, seed=7, out=seed_dir, progress=False)
        server = os.environ.get("HUB_TEST_POSTGRES_URL")
        if server:
            async with fresh_postgres_database(server) as url:
                print("store: PostgreSQL")
                await bench(url, seed_dir, args.cases, args.workers)
        else:
            print("store: SQLite")
            await bench(f"sqlite:///{Path(tmp) / 'hub.db'}", seed_dir, args.cases, args.workers)


if __name__ == "__main__":
    asyncio.run(main())
