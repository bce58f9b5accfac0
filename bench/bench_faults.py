"""Faults under load: mixed load on the whole stack while a subgraph is SIGKILLed, PostgreSQL restarts
and a department hangs; the figures, and the invariants checked in the store afterwards.

The stack is every part `hub up` starts (simulated departments, subgraphs, gateway), each its own
process on 127.0.0.1, on a PostgreSQL server of the run's own (started here, since it is restarted).
Load: queries of an officer, a supervisor and an auditor (tokens from the identity simulator), and
officers driving cases through the state machine with idempotency keys, evidence files uploaded,
every timed-out step retried with the same key. The first 20 % is fault-free: its latency is the
reference of the ratios printed. Exits 1 when an invariant breaks (see bench/faults/invariants.py):

    python bench/bench_faults.py [--duration 300] [--json faults.json]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.faults import pg  # noqa: E402
from bench.faults.report import render  # noqa: E402
from bench.faults.run import Options, run  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--duration", type=float, default=300.0, help="seconds of load (default 300)")
    parser.add_argument("--kill", default="cases", help="the subgraph to SIGKILL (default cases)")
    parser.add_argument("--hang", default="legal_person", help="the department that hangs (default legal_person)")
    parser.add_argument("--drivers", type=int, default=3, help="officers driving cases at once (default 3)")
    parser.add_argument("--query-workers", type=int, default=2, help="query workers per role (default 2)")
    parser.add_argument("--pg-mode", choices=["fast", "immediate"], default="fast",
                        help="how PostgreSQL is stopped: fast (connections cut) or immediate (as a crash)")
    parser.add_argument("--json", type=Path, default=ROOT / "data" / "faults-under-load.json", help="where the report goes")
    parser.add_argument("--keep-logs", type=Path, default=None, help="copy every part's log to this directory")
    args = parser.parse_args()
    if not pg.available():
        print("faults under load: no PostgreSQL server binaries here (initdb, pg_ctl); nothing run")
        return 0
    opts = Options(duration_s=args.duration, kill=args.kill, hang=args.hang, drivers=args.drivers, query_workers=args.query_workers,
                   pg_mode=args.pg_mode, keep=args.keep_logs)
    figures, ok = asyncio.run(run(opts))
    print(render(figures))
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"report: {args.json}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
