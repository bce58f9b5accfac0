"""What a production deployment exposes besides the graph: no simulated system, no open /metrics.

Over real processes: `hub sim` refuses the production profile; the gateway's and a subgraph's
`/metrics` are off in production without a token; a gateway started with production's defaults runs
only registered documents (`test_production_hardening.py` covers `hub up` and the engine's documents).
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time

import httpx
import pytest

from gateway.security.trusted import document_id
from hub.trusted_documents import MANIFEST, render
from tests.security.stack import Hub, start_process, wait_healthy
from tests.support.servers import free_port_block

pytestmark = pytest.mark.slow

UP_BUDGET_S = 180.0  # a timeout, not a speed target


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def test_a_simulator_refuses_the_production_profile(hub: Hub) -> None:
    port = free_port_block(1, seed=os.getpid() * 17 + 1)
    done = subprocess.run([sys.executable, "-m", "hub", "sim", "identity", "--port", str(port), "--data",
                           str(hub.seed_dir)], cwd=hub.root, env=hub.env, capture_output=True, text=True,
                          timeout=60, check=False)
    assert done.returncode != 0
    assert "production" in done.stdout + done.stderr
    assert not _listening(port)


def test_metrics_are_off_in_production_without_a_token(hub: Hub) -> None:
    for url in (hub.gateway, hub.subgraphs["population"].removesuffix("/graphql")):
        response = httpx.get(f"{url}/metrics", timeout=5)
        assert response.status_code == 404, (url, response.text)
        assert "# TYPE" not in response.text
        assert httpx.get(f"{url}/health", timeout=5).status_code == 200  # control: the process is there


def test_production_runs_only_registered_documents(hub: Hub) -> None:
    """A gateway started as production starts it (no trusted-documents setting): the manifest is enforced."""
    port = free_port_block(1, seed=os.getpid() * 19 + 3)
    env = {k: v for k, v in hub.env.items() if k != "HUB_SECURITY__TRUSTED_DOCUMENTS_MODE"}
    supergraph = hub.root / "supergraph.graphql"
    process = start_process(hub, "gateway-trusted", ["gateway", "--supergraph", str(supergraph), "--port", str(port)],
                            env)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, time.monotonic() + UP_BUDGET_S, hub.root / "gateway-trusted.log")
    token = hub.token("officer1")
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json",
               "authorization": f"Bearer {token}"}
    registered = json.loads(MANIFEST.read_text(encoding="utf-8"))
    case_list = next(text for text in registered.values() if "query CaseList" in text)

    unregistered = httpx.post(f"{url}/graphql", json={"query": "{ penaltyCases(first: 2) { items { caseNo } } }"},
                              headers=headers, timeout=10)
    assert unregistered.status_code == 400, unregistered.text
    assert [e["extensions"]["code"] for e in unregistered.json()["errors"]] == ["TRUSTED_DOCUMENT_REQUIRED"]
    assert "data" not in unregistered.json()
    by_text = httpx.post(f"{url}/graphql", json={"query": case_list}, headers=headers, timeout=10)
    assert by_text.status_code == 200, by_text.text
    assert "items" in by_text.json()["data"]["penaltyCases"]
    by_id = httpx.post(f"{url}/graphql", json={"documentId": document_id(case_list)}, headers=headers, timeout=10)
    assert by_id.json()["data"] == by_text.json()["data"]


def test_the_committed_manifest_is_the_generated_one() -> None:
    assert MANIFEST.read_text(encoding="utf-8") == render()
    done = subprocess.run([sys.executable, "-m", "hub", "trusted-documents", "--check"], capture_output=True,
                          text=True, timeout=120, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
