"""Gateway benchmark: the public graphql-gateways-benchmark TestQuery through `hub gateway`,
@apollo/gateway and @graphql-hive/gateway, in one run, on the same subgraphs and the same load.

Each gateway runs as one process pinned to core 0; the four subgraphs (memoised, so each serves far
more than any gateway) and wrk share core 1. For every gateway it reports requests/s and p50/p99
latency at 50 connections after a warm-up, median latency at 1 connection, peak memory, subgraph
fetches per TestQuery, and ratios to @apollo/gateway; it checks that all gateways return identical
data. In-flight de-duplication is measured off, and separately on: `hub gateway --dedupe` (inbound and
outbound) against @graphql-hive/gateway with its inbound `inboundInflightRequestDeduplication` and its
outbound `deduplicateInflightRequests`; subgraph requests per client request under load show both work.

    python bench/bench_gateway.py [--seconds 10] [--connections 50] [--only hub,apollo,hive]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
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
from bench.support.nodeenv import ensure_node_modules  # noqa: E402
from bench.support.procs import free_port, peak_rss_mb, pinned, started, wait_until  # noqa: E402
from bench.support.wrk import ensure_wrk, run_load  # noqa: E402

GATEWAY_CORE = 0
LOAD_CORE = 1
BODY = json.dumps({"query": TEST_QUERY, "operationName": "TestQuery"})


@dataclass
class Row:
    name: str
    dedupe: bool
    rps: float = 0.0
    p50: float = 0.0
    p99: float = 0.0
    lat1_p50: float = 0.0
    peak_mb: float = 0.0
    fetches: int = 0
    errors: int = 0
    same_data: bool = False
    #: subgraph HTTP requests per client request during the 50-connection run (de-duplication shares them)
    load_fetches: float = 0.0


def compose(node_dir: Path, urls: dict[str, str]) -> str:
    services = [{"name": n, "url": urls[n], "sdl": sdl(n)} for n in NAMES]
    out = subprocess.run(["node", str(node_dir / "compose.mjs")], input=json.dumps(services), capture_output=True,
                         text=True, check=True, cwd=node_dir)
    result = json.loads(out.stdout)
    if "errors" in result:
        raise SystemExit(f"composition failed: {result['errors']}")
    return str(result["supergraph"])


def gateway_cmd(name: str, dedupe: bool, supergraph: Path, port: int, node_dir: Path) -> list[str]:
    if name == "hub":
        cmd = [sys.executable, "-m", "hub", "gateway", "--supergraph", str(supergraph), "--port", str(port)]
        return cmd + (["--dedupe"] if dedupe else [])
    if name == "hub-core":  # the federation core alone, without the security extensions of the profile
        return [sys.executable, "-c", "import sys; from gateway.cli import serve; "
                "serve(sys.argv[1], port=int(sys.argv[2]), dedupe=sys.argv[3] == '1')",
                str(supergraph), str(port), "1" if dedupe else "0"]
    if name == "apollo":
        return ["node", str(node_dir / "apollo.mjs"), str(supergraph), str(port)]
    return ["node", str(node_dir / "hive.mjs"), str(supergraph), str(port), "1" if dedupe else "0"]


def subgraph_requests(ports: dict[str, int], client: httpx.Client) -> int:
    return sum(client.get(f"http://127.0.0.1:{p}/__count").json()["requests"] for p in ports.values())


def reset_counts(ports: dict[str, int], client: httpx.Client) -> None:
    for p in ports.values():
        client.post(f"http://127.0.0.1:{p}/__reset")


def measure(name: str, dedupe: bool, args: argparse.Namespace, supergraph: Path, node_dir: Path,
            sub_ports: dict[str, int], reference: dict[str, object] | None, logs: Path) -> tuple[Row, dict[str, object]]:
    row = Row(name, dedupe)
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    cmd = pinned(gateway_cmd(name, dedupe, supergraph, port, node_dir), GATEWAY_CORE)
    env = {**os.environ, "HUB_DATA_DIR": str(logs / f"data-{name}-{int(dedupe)}")}
    with started(cmd, cwd=node_dir if not name.startswith("hub") else ROOT, env=env,
                 log=logs / f"{name}-{int(dedupe)}.log") as proc, \
            httpx.Client(timeout=30) as client:
        def ready() -> bool:
            r = client.post(url, content=BODY, headers={"content-type": "application/json"})
            return r.status_code == 200 and "data" in r.json()

        wait_until(ready, f"{name} gateway", timeout=90)
        reset_counts(sub_ports, client)
        answer = client.post(url, content=BODY, headers={"content-type": "application/json"}).json()
        row.fetches = subgraph_requests(sub_ports, client)
        data = answer.get("data") or {}
        row.same_data = reference is None or data == reference
        if "errors" in answer:
            print(f"  {name}: response has errors: {answer['errors'][:2]}", flush=True)
        load_prefix = pinned([], LOAD_CORE)
        run_load(url, BODY, connections=args.connections, seconds=args.warmup, prefix=load_prefix)
        reset_counts(sub_ports, client)
        result = run_load(url, BODY, connections=args.connections, seconds=args.seconds, prefix=load_prefix)
        row.load_fetches = subgraph_requests(sub_ports, client) / max(result.requests, 1)
        row.rps, row.p50, row.p99, row.errors = result.rps, result.p50_ms, result.p99_ms, result.errors
        one = run_load(url, BODY, connections=1, seconds=max(3.0, args.seconds / 2), prefix=load_prefix)
        row.lat1_p50 = one.p50_ms
        row.peak_mb = peak_rss_mb(proc.pid)
    return row, data


def report(rows: list[Row], size_kb: float) -> None:
    print()
    print(f"TestQuery response: {size_kb:.1f} KB")
    header = f"{'gateway':<22}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}{'1-conn p50':>12}{'peak MB':>9}{'fetches':>9}" \
             f"{'errors':>8}{'same data':>11}{'× apollo':>10}{'× hive':>8}"
    for dedupe in (False, True):
        group = [r for r in rows if r.dedupe == dedupe]
        if not group:
            continue
        print(f"\nin-flight de-duplication {'ON' if dedupe else 'OFF'}")
        print(header)
        apollo = next((r for r in rows if r.name == "apollo"), None)
        hive = next((r for r in group if r.name == "hive"), None)
        for r in group:
            label = {"hub": "hub gateway", "hub-core": "hub gateway (core)", "apollo": "@apollo/gateway",
                     "hive": "@graphql-hive/gateway"}[r.name]
            ra = f"{r.rps / apollo.rps:.2f}" if apollo and apollo.rps else "-"
            rh = f"{r.rps / hive.rps:.2f}" if hive and hive.rps else "-"
            print(f"{label:<22}{r.rps:>9.0f}{r.p50:>9.2f}{r.p99:>9.2f}{r.lat1_p50:>12.2f}{r.peak_mb:>9.0f}"
                  f"{r.fetches:>9}{r.errors:>8}{'yes' if r.same_data else 'NO':>11}{ra:>10}{rh:>8}")
    dedupe_report(rows)
    hub = next((r for r in rows if r.name == "hub" and not r.dedupe), None)
    apollo = next((r for r in rows if r.name == "apollo"), None)
    hive = next((r for r in rows if r.name == "hive" and not r.dedupe), None)
    if hub and apollo and hive and apollo.rps and hive.rps:
        print("\ntargets (de-duplication off): "
              f"≥3.0× apollo: {hub.rps / apollo.rps:.2f} {'ok' if hub.rps >= 3.0 * apollo.rps else 'MISSED'}; "
              f"≥2.5× hive: {hub.rps / hive.rps:.2f} {'ok' if hub.rps >= 2.5 * hive.rps else 'MISSED'}; "
              f"p99 ≤ both: {'ok' if hub.p99 <= min(apollo.p99, hive.p99) else 'MISSED'}; "
              f"fetches ≤ 5: {hub.fetches} {'ok' if hub.fetches <= 5 else 'MISSED'}; "
              f"1-conn p50 ≤ 3 ms: {hub.lat1_p50:.2f} {'ok' if hub.lat1_p50 <= 3 else 'MISSED'}; "
              f"peak ≤ 150 MB: {hub.peak_mb:.0f} {'ok' if hub.peak_mb <= 150 else 'MISSED'}")


def dedupe_report(rows: list[Row]) -> None:
    """Subgraph requests per client request under load, and the de-duplication-on target."""
    print("\nsubgraph requests per client request under load (off -> on):")
    for name in dict.fromkeys(r.name for r in rows):
        off = next((f"{r.load_fetches:.2f}" for r in rows if r.name == name and not r.dedupe), "-")
        on = next((f"{r.load_fetches:.2f}" for r in rows if r.name == name and r.dedupe), "-")
        print(f"  {name:<10}{off:>8} -> {on}")
    hub = next((r for r in rows if r.name == "hub" and r.dedupe), None)
    hive = next((r for r in rows if r.name == "hive" and r.dedupe), None)
    if hub and hive and hive.rps:
        ratio = hub.rps / hive.rps
        print(f"targets (de-duplication on, hive's inbound de-duplication on too): ≥1.0× hive: {ratio:.2f} "
              f"{'ok' if ratio >= 1.0 else 'MISSED'}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--warmup", type=float, default=3.0)
    parser.add_argument("--connections", type=int, default=50)
    parser.add_argument("--only", default="apollo,hive,hub,hub-core",
                        help="hub = `hub gateway` as served (security extensions of the dev profile on); "
                             "hub-core = the federation core alone")
    args = parser.parse_args()
    wanted = [n.strip() for n in args.only.split(",") if n.strip()]
    ensure_wrk()
    print(f"load average at start: {' '.join(f'{x:.1f}' for x in os.getloadavg())} ({os.cpu_count()} cores)")
    node_dir = ensure_node_modules()
    sub_ports = {n: free_port() for n in NAMES}
    logs = Path(tempfile.mkdtemp(prefix="hub-bench-"))
    subs = [started(pinned([sys.executable, "-m", "bench.support.memo_server", n, str(p)], LOAD_CORE), cwd=ROOT,
                    log=logs / f"sub-{n}.log") for n, p in sub_ports.items()]
    for cm in subs:
        cm.__enter__()
    try:
        with httpx.Client(timeout=5) as client:
            for n, p in sub_ports.items():
                wait_until(lambda p=p: client.get(f"http://127.0.0.1:{p}/health").status_code == 200, f"subgraph {n}")
        supergraph = logs / "supergraph.graphql"
        supergraph.write_text(compose(node_dir, {n: f"http://127.0.0.1:{p}/graphql" for n, p in sub_ports.items()}))
        rows: list[Row] = []
        reference: dict[str, object] | None = None
        size_kb = 0.0
        for dedupe in (False, True):
            for name in wanted:
                if dedupe and name == "apollo":
                    continue  # @apollo/gateway has no in-flight de-duplication switch
                print(f"measuring {name} (de-duplication {'on' if dedupe else 'off'}) ...", flush=True)
                started_at = time.monotonic()
                row, data = measure(name, dedupe, args, supergraph, node_dir, sub_ports, reference, logs)
                if reference is None:
                    reference = data
                    size_kb = len(json.dumps({"data": data}, separators=(",", ":"))) / 1024
                    row.same_data = True
                rows.append(row)
                print(f"  {row.rps:.0f} req/s in {time.monotonic() - started_at:.0f} s", flush=True)
        report(rows, size_kb)
        print(f"load average at end: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
        print(f"\nlogs: {logs}")
        return 0 if all(r.same_data for r in rows) else 1
    finally:
        for cm in reversed(subs):
            cm.__exit__(None, None, None)


if __name__ == "__main__":
    sys.exit(main())
