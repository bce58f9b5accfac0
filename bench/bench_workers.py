"""Worker-process benchmark: requests/s of `hub gateway --workers 2` over `--workers 1`, in one run.

The benchmark subgraphs of `bench_gateway.py` (the public graphql-gateways-benchmark's four, memoised)
serve the TestQuery; the same supergraph (composed in process), the same wrk load and the same machine
serve both runs, one after the other: first one worker, then two, then one again, so a change in the
machine's load during the run shows as a difference between the two one-worker figures. Nothing is
pinned: the gateway's processes, the subgraphs and wrk share every core there is, which is what a second
worker has to win against. The report names the core count and the load average around each run.

    python bench/bench_workers.py [--seconds 10] [--connections 50] [--variant hub|hub-core]

`hub` is `hub gateway` as served (the dev profile's security extensions on); `hub-core` the federation
core alone (`gateway.cli.serve`). Prints a ratio only, never a pass/fail threshold.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support.benchdata import TEST_QUERY  # noqa: E402
from bench.support.memo_server import NAMES, sdl  # noqa: E402
from bench.support.procs import free_port, peak_rss_mb, started, wait_until  # noqa: E402
from bench.support.wrk import ensure_wrk, run_load  # noqa: E402
from gateway.compose import SubgraphSource, compose  # noqa: E402

BODY = json.dumps({"query": TEST_QUERY, "operationName": "TestQuery"})


@dataclass
class Run:
    workers: int
    rps: float
    p50: float
    p99: float
    errors: int
    peak_mb: float
    load_before: float
    load_after: float


def gateway_cmd(variant: str, supergraph: Path, port: int, workers: int) -> list[str]:
    if variant == "hub":
        return [sys.executable, "-m", "hub", "gateway", "--supergraph", str(supergraph), "--port", str(port),
                "--workers", str(workers)]
    return [sys.executable, "-c", "import sys; from gateway.cli import serve; "
            "sys.exit(serve(sys.argv[1], port=int(sys.argv[2]), workers=int(sys.argv[3])))",
            str(supergraph), str(port), str(workers)]


def measure(variant: str, workers: int, args: argparse.Namespace, supergraph: Path, logs: Path) -> Run:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "HUB_DATA_DIR": str(logs / f"data-{workers}")}
    with started(gateway_cmd(variant, supergraph, port, workers), cwd=ROOT, env=env,
                 log=logs / f"gateway-{workers}-{time.monotonic_ns()}.log") as proc:
        def ready() -> bool:
            # every worker must answer before the load starts: new connections until `workers` pids are seen
            seen = set()
            for _ in range(20 * workers):
                with httpx.Client(timeout=10) as client:
                    seen.add(client.get(base + "/health").json().get("pid"))
                    r = client.post(base + "/graphql", content=BODY, headers={"content-type": "application/json"})
                    if r.status_code != 200 or "data" not in r.json():
                        return False
                if len(seen) >= workers:
                    return True
            return False

        wait_until(ready, f"gateway with {workers} workers", timeout=120)
        run_load(base + "/graphql", BODY, connections=args.connections, seconds=args.warmup)
        load_before = os.getloadavg()[0]
        result = run_load(base + "/graphql", BODY, connections=args.connections, seconds=args.seconds)
        load_after = os.getloadavg()[0]
        return Run(workers, result.rps, result.p50_ms, result.p99_ms, result.errors, peak_rss_mb(proc.pid),
                   load_before, load_after)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--variant", choices=("hub", "hub-core"), default="hub")
    args = parser.parse_args()
    ensure_wrk()
    sub_ports = {n: free_port() for n in NAMES}
    logs = Path(tempfile.mkdtemp(prefix="hub-bench-workers-"))
    subs = [started([sys.executable, "-m", "bench.support.memo_server", n, str(p)], cwd=ROOT,
                    log=logs / f"sub-{n}.log") for n, p in sub_ports.items()]
    for cm in subs:
        cm.__enter__()
    try:
        with httpx.Client(timeout=5) as client:
            for n, p in sub_ports.items():
                wait_until(lambda p=p: client.get(f"http://127.0.0.1:{p}/health").status_code == 200, f"subgraph {n}")
        result = compose([SubgraphSource(n, f"http://127.0.0.1:{p}/graphql", sdl(n)) for n, p in sub_ports.items()])
        if not result.ok or result.supergraph_sdl is None:
            raise SystemExit(f"composition failed: {result.errors}")
        supergraph = logs / "supergraph.graphql"
        supergraph.write_text(result.supergraph_sdl, encoding="utf-8")
        runs = []
        for workers in (1, 2, 1):
            print(f"measuring {args.variant} with --workers {workers} ...", flush=True)
            runs.append(measure(args.variant, workers, args, supergraph, logs))
            print(f"  {runs[-1].rps:.0f} req/s", flush=True)
        report(runs, args)
        print(f"\nlogs: {logs}")
        return 0
    finally:
        for cm in reversed(subs):
            cm.__exit__(None, None, None)


def report(runs: list[Run], args: argparse.Namespace) -> None:
    print(f"\n{os.cpu_count()} cores, shared by the gateway's processes, the 4 subgraphs and wrk "
          f"({args.connections} connections, {args.seconds:g} s after {args.warmup:g} s warm-up; nothing pinned)")
    print(f"{'workers':>8}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'errors':>8}{'peak MB':>9}{'load 1m':>15}")
    for r in runs:
        print(f"{r.workers:>8}{r.rps:>9.0f}{r.p50:>9.2f}{r.p99:>9.2f}{r.errors:>8}{r.peak_mb:>9.0f}"
              f"{f'{r.load_before:.1f} -> {r.load_after:.1f}':>15}")
    one = [r.rps for r in runs if r.workers == 1]
    two = [r.rps for r in runs if r.workers == 2]
    if one and two and min(one) > 0:
        mean_one = sum(one) / len(one)
        print(f"\n--workers 2 / --workers 1: {two[0] / mean_one:.2f}× (against the mean of the two one-worker runs; "
              f"they differ by {abs(one[0] - one[-1]) / mean_one:.0%})")


if __name__ == "__main__":
    raise SystemExit(main())
