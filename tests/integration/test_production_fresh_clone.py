"""`hub secrets init` then `hub up --profile production` on a fresh copy of the repository starts everything.

The copy holds the repository's tracked files only (no data directory, no hub.toml, no generated
seed), and runs its own code. No database is configured, so the hub starts its own throwaway
PostgreSQL server (the machine's server binaries; skipped, saying why, without them). Every part must
answer its health check, the identity provider must issue a token, and one registered operation must
run through the gateway with it.
"""

from __future__ import annotations

import re
import shutil
import stat
import subprocess
from pathlib import Path

import httpx
import pytest

from gateway.security.trusted import document_id
from hub.trial_pg import find_bindir
from tests.integration.production_trial import N_SIMULATORS, N_SUBGRAPHS, secrets_init, start_trial

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parents[2]


def _fresh_copy(into: Path) -> Path:
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=REPO, capture_output=True, check=True).stdout
    for name in filter(None, listed.decode().split("\0")):
        source = REPO / name
        if source.is_file():
            target = into / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    return into


def test_secrets_init_then_up_in_production_on_a_fresh_copy(tmp_path: Path) -> None:
    if find_bindir() is None:
        pytest.skip("no PostgreSQL server binaries (initdb, pg_ctl): the trial cannot start its own store")
    code = _fresh_copy(tmp_path / "hub")
    assert not (code / "data").exists()
    assert not (code / "hub.toml").exists()

    init = secrets_init(code, code)
    assert init.returncode == 0, init.stderr
    secrets = code / "hub.toml"
    assert stat.S_IMODE(secrets.stat().st_mode) == 0o600
    again = secrets_init(code, code)
    assert again.returncode != 0
    assert "--force" in again.stderr

    trial = start_trial(code, code)
    try:
        text = trial.text()
        ports = sorted(set(re.findall(r"http://127\.0\.0\.1:(\d+)", text)) - {str(trial.gateway_port)})
        with httpx.Client(timeout=10) as client:
            parts = [*(trial.base + i for i in range(N_SIMULATORS)),
                     *(trial.sub_base + i for i in range(N_SUBGRAPHS)), trial.gateway_port]
            assert {str(p) for p in parts} <= {*ports, str(trial.gateway_port)}, text[-4000:]
            for port in parts:
                assert client.get(f"http://127.0.0.1:{port}/health").status_code == 200, port
            token = trial.token("officer1")
            operation = (code / "schema" / "operations" / "case-list.graphql").read_text(encoding="utf-8").strip()
            answer = client.post(f"{trial.gateway}/graphql", json={"documentId": document_id(operation)},
                                 headers={"authorization": f"Bearer {token}"})
            assert answer.status_code == 200, answer.text
            assert answer.json() == {"data": {"penaltyCases": {"items": []}}}  # a new store holds no case yet
            # production's rules hold: no token, no answer
            assert client.post(f"{trial.gateway}/graphql",
                               json={"documentId": document_id(operation)}).status_code == 401
    finally:
        code_at_stop = trial.stop()
    assert code_at_stop == 0, trial.text()[-4000:]
