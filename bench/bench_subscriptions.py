"""Subscriptions held at scale: 1,000 subscriptions (one WebSocket connection each) held 60 s through
`hub gateway` (its own process, dev profile), each receiving one event whose fields come from two other
subgraphs; reports the gateway's memory per subscription against a no-subscription reference run of the
same process in the same run (resident memory after a warm-up, before the subscriptions):

    python bench/bench_subscriptions.py [--count 1000] [--hold 60] [--per-connection 1] [--json FILE]

The fixture subgraphs and the bounded client run in this process. An event that arrives with errors
instead of its data (a subgraph fetch timing out on a loaded machine) is counted by error code. Exits 1
when a subscription gets no event at all, a connection is lost during the hold, or a subgraph
subscription stays open after the clients left.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support.procs import free_port, started, wait_until  # noqa: E402
from tests.gateway.differential.subgraph_server import SubgraphServer, serve_subgraphs  # noqa: E402
from tests.gateway.subscriptions.harness import QUERY, expected_event, specs, supergraph  # noqa: E402
from tests.gateway.subscriptions.load import hold_subscriptions  # noqa: E402


def rss_mb(pid: int) -> float:
    """Resident memory now (VmRSS) of one process."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024.0
    return 0.0


def _codes(messages: list[Any]) -> list[str]:
    """The error codes of events that were not the expected payload (e.g. a subgraph fetch timing out)."""
    out = []
    for message in messages:
        errors = (message.get("payload") or {}).get("errors") or [{}]
        out.extend(str((e.get("extensions") or {}).get("code", "NONE")) for e in errors)
    return out


def healthy(url: str) -> bool:
    return httpx.get(url + "/health", timeout=2).status_code == 200


async def measure(ws: str, pid: int, count: int, hold_s: float, per_connection: int,
                  alerts: SubgraphServer) -> dict[str, Any]:
    expected = expected_event(0)
    # warm-up: the code paths and caches a subscription uses, so the reference holds them too
    warm = await hold_subscriptions(ws, 10, 0.5, QUERY, expected, per_connection=1)
    await asyncio.sleep(3)
    reference = rss_mb(pid)
    samples: list[float] = []

    async def sample() -> None:
        for _ in range(int(hold_s) + 1):  # one sample a second during the hold
            samples.append(rss_mb(pid))
            await asyncio.sleep(1)

    started_at = time.monotonic()
    held = await hold_subscriptions(ws, count, hold_s, QUERY, expected, per_connection=per_connection,
                                    during_hold=sample)
    elapsed = time.monotonic() - started_at
    for _ in range(100):  # bounded: the subgraph subscriptions close once the clients left
        if alerts.ws_open == 0:
            break
        await asyncio.sleep(0.1)
    await asyncio.sleep(3)
    peak = max(samples) if samples else rss_mb(pid)
    return {
        "subscriptions": count, "connections": held.connections, "hold_s": hold_s,
        "opened_s": round(held.opened_s, 2), "total_s": round(elapsed, 2),
        "first_events_ok": held.first_events, "wrong_events": len(held.wrong_events),
        "wrong_event_codes": dict(Counter(_codes(held.wrong_events))),
        "failures": held.failures[:5], "alive_after_hold": held.alive_after_hold,
        "subgraph_subscriptions_left_open": alerts.ws_open, "warm_up_ok": warm.first_events == 10,
        "reference_rss_mb": round(reference, 1), "held_rss_mb": round(peak, 1),
        "after_release_rss_mb": round(rss_mb(pid), 1),
        "kb_per_subscription": round((peak - reference) * 1024 / max(count, 1), 1),
        "held_over_reference": round(peak / reference, 2) if reference else None,
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--count", type=int, default=1000, help="subscriptions held at once (default 1000)")
    parser.add_argument("--hold", type=float, default=60.0, help="seconds they are held (default 60)")
    parser.add_argument("--per-connection", type=int, default=1, help="subscriptions per WebSocket (default 1)")
    parser.add_argument("--json", type=Path, default=ROOT / "data" / "bench-subscriptions.json")
    args = parser.parse_args()
    servers = {n: SubgraphServer(s) for n, s in specs([("a1", "HIGH", "c1")]).items()}
    servers["alerts"].hold_open = True
    with tempfile.TemporaryDirectory() as tmp, serve_subgraphs(servers) as urls:
        path = Path(tmp) / "supergraph.graphql"
        path.write_text(supergraph(urls), encoding="utf-8")
        port = free_port()
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(HUB_DATA_DIR=tmp, PYTHONUNBUFFERED="1", PYTHONPATH=str(ROOT))
        cmd = [sys.executable, "-m", "hub", "gateway", "--supergraph", str(path), "--port", str(port),
               "--timeout", "30"]
        with started(cmd, cwd=ROOT, env=env, log=Path(tmp) / "gateway.log") as proc:
            url = f"http://127.0.0.1:{port}"
            wait_until(lambda: healthy(url), "hub gateway")
            figures = asyncio.run(measure(f"ws://127.0.0.1:{port}/graphql", proc.pid, args.count, args.hold,
                                          args.per_connection, servers["alerts"]))
    print(json.dumps(figures, indent=2))
    print(f"subscriptions: {figures['subscriptions']} held {figures['hold_s']:g} s over {figures['connections']} "
          f"connections; gateway RSS {figures['reference_rss_mb']} MB without subscriptions (reference), "
          f"{figures['held_rss_mb']} MB holding them: {figures['kb_per_subscription']} KB per subscription, "
          f"{figures['held_over_reference']}x the reference")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, indent=2), encoding="utf-8")
    ok = (figures["first_events_ok"] + figures["wrong_events"] == args.count and figures["alive_after_hold"] == figures["connections"]
          and figures["subgraph_subscriptions_left_open"] == 0 and not figures["failures"])
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
