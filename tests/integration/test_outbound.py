"""Outbound data end to end, as an operator runs it, every part a process of its own.

`hub seed --size small --store` writes the ground-truth cases — and, in the same transactions, the
messages they owe; `hub sim data_centre` and `hub sim credit_publicity` receive; `hub outbox deliver`
sends. Then what the receivers hold must equal what the store says: every case, coercive measure and
inspection with a result at its current version at the data centre, and on the credit platform exactly the decisions on public display now (published,
not withdrawn) plus the withdrawn ones marked so — with no ID number anywhere (the receivers refuse one).
A second delivery finds nothing due; a receiver that was down is caught up on the next run.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from subgraphs.cases.codec import decode
from subgraphs.cases.domain.inspection import Inspection
from subgraphs.cases.domain.snapshot import CaseSnapshot
from tests.support.servers import free_port

pytestmark = pytest.mark.slow

SECRET = "outbound-test-pepper-0123456789abcdef"


def _hub(*args: str, env: dict[str, str], cwd: Path, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub", *args], capture_output=True, text=True, timeout=timeout,
                          check=False, env={**os.environ, **env}, cwd=cwd)


@contextmanager
def simulator(name: str, data: Path, cwd: Path) -> Iterator[str]:
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "hub", "sim", name, "--port", str(port), "--data", str(data),
                             "--admin"],
                            cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "HUB_DATA_DIR": str(cwd)})
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(200):  # bounded: about 20 s
            if proc.poll() is not None:
                raise AssertionError(f"{name} exited: {proc.stderr.read() if proc.stderr else ''}")
            try:
                if httpx.get(url + "/health", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.communicate(timeout=20)


def _listing(url: str, path: str, **params: Any) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for page in range(100):  # bounded
        answer = httpx.get(url + path, params={**params, "limit": 1000, "offset": page * 1000}, timeout=30).json()
        assert answer["code"] == 0, answer
        out.extend(answer["data"])
        if len(out) >= answer["total"]:
            return out
    raise AssertionError("listing did not end")


def _store_truth(db: Path) -> tuple[dict[str, dict[str, int]], dict[str, str]]:
    """Per data-centre record type, the version of each record the data centre is owed (cases and measures
    always, inspections once they have a result); per published decision number its state on display."""
    engine = create_engine(f"sqlite:///{db}")
    versions: dict[str, int] = {}
    display: dict[str, str] = {}
    owed: dict[str, dict[str, int]] = {"PENALTY_CASE": versions, "COERCIVE_MEASURE": {}, "INSPECTION": {}}
    with engine.connect() as conn:
        for record_id, version in conn.execute(text("SELECT id, version FROM coercive_measure")):
            owed["COERCIVE_MEASURE"][record_id] = version
        for record_id, version, raw in conn.execute(text("SELECT id, version, snapshot FROM inspection")):
            inspection = decode(Inspection, json.loads(raw) if isinstance(raw, str) else raw)
            if inspection.result is not None:
                owed["INSPECTION"][record_id] = version
        for case_id, version, raw in conn.execute(text("SELECT id, version, snapshot FROM penalty_case")):
            versions[case_id] = version
            snap = decode(CaseSnapshot, json.loads(raw) if isinstance(raw, str) else raw)
            publicity, decision = snap.publicity, snap.decision
            if decision is not None and snap.parties and publicity is not None and publicity.published_on:
                display[decision.doc_no] = "WITHDRAWN" if publicity.withdrawn_on else "PUBLISHED"
    engine.dispose()
    return owed, display


def test_seeded_cases_reach_the_data_centre_and_the_credit_platform(tmp_path: Path) -> None:
    work = tmp_path
    db = work / "hub.db"
    env = {"HUB_ID_HASH_SECRET": SECRET, "HUB_DATA_DIR": str(work), "HUB_DATABASE_URL": f"sqlite:///{db}"}
    seeded = _hub("seed", "--size", "small", "--out", str(work / "seed"), "--store", f"sqlite:///{db}",
                  "--no-progress", env=env, cwd=work)
    assert seeded.returncode == 0, seeded.stderr
    status = _hub("outbox", "status", "--json", env=env, cwd=work)
    assert status.returncode == 0, status.stderr
    before = {t["topic"]: t for t in json.loads(status.stdout)}
    owed, display = _store_truth(db)
    assert len(owed["PENALTY_CASE"]) > 200
    assert owed["COERCIVE_MEASURE"]  # (the seeded inspections stop on site: no result, nothing owed yet)
    assert not owed["INSPECTION"]
    # a case written in bulk owes one message; a measure one per change (an imported one: its one event)
    assert before["datacentre.case"]["pending"] == len(owed["PENALTY_CASE"]) + sum(owed["COERCIVE_MEASURE"].values())
    assert before["credit.penalty"]["pending"] >= len(display) > 0

    with simulator("data_centre", work, work) as dc, simulator("credit_publicity", work, work) as credit:
        deliver_env = {**env, "HUB_OUTBOX__DATA_CENTRE_URL": dc + "/api/exchange/v1/records",
                       "HUB_OUTBOX__CREDIT_URL": credit + "/api/credit/v1/penalties"}
        # the credit platform is down for the first run: the data centre still gets everything
        httpx.put(credit + "/__admin/knobs", json={"down": True}, timeout=10).raise_for_status()
        first = _hub("outbox", "deliver", env=deliver_env, cwd=work)
        assert first.returncode == 1, first.stdout + first.stderr  # failed attempts are an error exit
        assert f"datacentre.case: {before['datacentre.case']['pending']:,} delivered, 0 rejected" in first.stdout, \
            first.stdout
        assert "credit.penalty: 0 delivered" in first.stdout
        assert "503" in first.stderr
        httpx.put(credit + "/__admin/knobs", json={"down": False}, timeout=10).raise_for_status()
        # its messages wait for their retry time (2 s .. 4 s after the failure)
        for _ in range(30):  # bounded
            second = _hub("outbox", "deliver", env={**deliver_env, "HUB_OUTBOX__BACKOFF_S": "0.5"}, cwd=work)
            if "credit.penalty:" in second.stdout:
                break
            time.sleep(1)
        assert second.returncode == 0, second.stdout + second.stderr
        assert "rejected (dead)" in second.stdout
        assert "credit.penalty: " in second.stdout

        for record_type, versions in owed.items():
            current = _listing(dc, "/api/exchange/v1/records", type=record_type)
            assert {r["key"]: r["version"] for r in current} == versions, record_type
        published = _listing(credit, "/api/credit/v1/penalties")
        assert {r["CF_WSH"]: r["status"] for r in published} == display
        for r in published:
            record = r["record"]
            if record["CF_XDR_LB"] == "自然人":
                assert "*" in record["CF_XDR_MC"]
                assert "CF_XDR_ZJHM" not in record
            else:
                assert record["CF_XDR_SHXYM"]

        third = _hub("outbox", "deliver", env=deliver_env, cwd=work)
        assert third.returncode == 0, third.stdout + third.stderr
        assert "nothing was due" in third.stdout, third.stdout
    after = {t["topic"]: t for t in json.loads(_hub("outbox", "status", "--json", env=env, cwd=work).stdout)}
    assert after["datacentre.case"]["pending"] == after["datacentre.case"]["dead"] == 0
    assert after["credit.penalty"]["pending"] == after["credit.penalty"]["dead"] == 0
    assert after["credit.penalty"]["delivered"] == before["credit.penalty"]["pending"]
