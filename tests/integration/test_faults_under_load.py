"""Faults under load, short: the harness of bench/bench_faults.py for 40 s with each fault once.

The whole stack runs as separate processes on a PostgreSQL server of the test's own (it is restarted,
so never the shared test server): officers drive cases through the gateway with idempotency keys and
upload evidence, three roles query, while the cases subgraph is SIGKILLed and restarted, PostgreSQL
restarts and the SOAP registry hangs. Afterwards, in the store: every acknowledged step exactly once,
every retry answered with the first result, every chain intact (`hub audit verify`), the outbox
drained with nothing dead, and no undocumented 5xx. Each fault must have been felt by the load.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bench.faults import pg
from bench.faults.report import render
from bench.faults.run import Options, run

pytestmark = pytest.mark.slow

DURATION_S = 40.0


@pytest.mark.skipif(not pg.available(), reason="no PostgreSQL server binaries (initdb, pg_ctl) on this machine")
def test_faults_under_load_keep_every_step_once(tmp_path: Path) -> None:
    figures, ok = asyncio.run(run(Options(duration_s=DURATION_S, drivers=2, query_workers=1, keep=tmp_path)))
    text = render(figures)
    checks = figures["invariants"]
    assert ok, text
    assert all(v["ok"] for v in checks.values()), text
    steps = checks["acknowledged steps in the store"]
    assert steps["acknowledged"] > 0, text
    assert steps["missing"] == 0, text
    assert checks["no doubled step"]["doubled"] == 0, text
    assert checks["retries answered with the first result"]["replays"] > 0, text  # the faults made clients retry
    assert checks["outbox drained"]["delivered"] > 0, text
    assert figures["5xx"]["undocumented"] == 0, text

    # each fault happened and the load felt it, with the code that says what was away
    faults = figures["faults"]
    assert set(faults) == {"kill-cases", "restart-postgresql", "hang-legal_person"}, text
    assert "SUBGRAPH_UNAVAILABLE" in faults["kill-cases"]["codes"], text
    assert "STORE_UNAVAILABLE" in faults["restart-postgresql"]["codes"], text
    assert {"SOURCE_UNAVAILABLE", "SUBREQUEST_TIMEOUT"} & set(faults["hang-legal_person"]["codes"]), text
    assert figures["pg_restarts"] == 1, text
