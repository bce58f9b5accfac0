"""Production hardening: no simulator, no open /metrics, only registered documents, no simulator admin API.

The plan checks need nothing running. The others run over real processes: the attack suite's
production hub (`tests/security/stack.py`, PostgreSQL needed), plus processes started here as
production starts them -- `hub up` with the departments' systems placed where nothing listens,
a subgraph with a metrics token, a gateway with the default trusted-documents setting that the
supervision engine then reads through -- and a dev `hub sim` with and without its admin API.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.security.trusted import document_id
from hub.runner import expected_systems, plan_up
from hub.settings import Profile, Settings
from hub.trusted_documents import MANIFEST
from simulators.registry import SIMULATORS
from subgraphs.supervision.gateway_client import (
    ALIASES_PER_REQUEST,
    BODIES_QUERY,
    SERVICE_DOCUMENTS,
    GatewayFacts,
)
from tests.security.stack import SIM_OFFSETS, SUBGRAPHS, Hub, start_process, wait_healthy
from tests.support.servers import free_port_block

BUDGET_S = 180.0  # a timeout, not a speed target
METRICS_TOKEN = "scraper-token-0123456789abcdef0123456789"


def _production_settings(tmp_path: Path, **overrides: object) -> Settings:
    return Settings(profile=Profile.PRODUCTION, database_url="postgresql://hub@db.example/hub",
                    id_hash_secret="p" * 40, data_dir=tmp_path, **overrides)  # type: ignore[arg-type]


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


# --- the plan of `hub up` -------------------------------------------------------------------------

def test_a_production_plan_starts_no_simulator_and_points_at_no_simulated_system(tmp_path: Path) -> None:
    settings = _production_settings(tmp_path)
    for seed_dir in (None, tmp_path / "seed"):  # even with seeded data at hand
        plan = plan_up(settings, seed_dir)
        assert plan.simulators == []
        assert [p for p in plan.parts if p.args[0] == "sim"] == []
        assert {p.name for p in plan.subgraphs} == set(SUBGRAPHS)
        assert all(p.env == {} for p in plan.subgraphs)  # no simulated receivers or identity client
        assert plan.gateway.env == {}  # tokens are checked against the configured identity provider


def test_a_dev_plan_starts_every_simulator_with_its_admin_api(tmp_path: Path) -> None:
    plan = plan_up(Settings(data_dir=tmp_path), tmp_path / "seed")
    assert {p.name for p in plan.simulators} == set(SIMULATORS)
    assert all("--admin" in p.args for p in plan.simulators)


def test_production_names_the_systems_it_expects(tmp_path: Path) -> None:
    settings = _production_settings(tmp_path, simulators={"host": "population.dept.example", "base_port": 9100,
                                                          "licence_dsn": "postgresql://ro:pw@lic.example/lic"},
                                    outbox={"data_centre_url": "https://dc.example/api/exchange/v1/records",
                                            "data_centre_app_secret": "the-data-centre-s-own-secret"})
    systems = dict(expected_systems(settings))
    assert systems["population system"] == "http://population.dept.example:9100"
    assert systems["licensing system database"] == "postgresql://ro:***@lic.example/lic"  # no password printed
    assert systems["provincial data centre"] == "https://dc.example/api/exchange/v1/records"
    assert systems["credit publicity platform"].startswith("not set")


# --- over real processes --------------------------------------------------------------------------

@contextlib.contextmanager
def _stopping(process: subprocess.Popen[bytes]) -> Iterator[subprocess.Popen[bytes]]:
    try:
        yield process
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


@pytest.mark.slow
def test_production_hub_up_listens_on_no_simulator_port(hub: Hub, tmp_path: Path) -> None:
    """The departments' systems are placed on a fresh port block where nothing listens; `hub up` starts
    everything else and still nothing listens there."""
    sims = free_port_block(len(SIM_OFFSETS), seed=os.getpid() * 23 + 7)
    subs = free_port_block(len(SUBGRAPHS) + 1, seed=os.getpid() * 29 + 11)
    gateway = subs + len(SUBGRAPHS)
    # the licensing system's database, configured by URL as production does (here: the running hub's)
    licensing = int(hub.env["HUB_SIMULATORS__BASE_PORT"]) + SIM_OFFSETS["licence"]
    dsn = httpx.get(f"http://127.0.0.1:{licensing}/__admin/dsn", timeout=10).json()["async_url"]
    env = {**hub.env, "HUB_SIMULATORS__BASE_PORT": str(sims), "HUB_SIMULATORS__LICENCE_DSN": dsn,
           "HUB_SUBGRAPHS__BASE_PORT": str(subs), "HUB_GATEWAY__PORT": str(gateway)}
    log = tmp_path / "up.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "hub", "up"], cwd=hub.root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    with _stopping(process):
        deadline = time.monotonic() + BUDGET_S
        while time.monotonic() < deadline and process.poll() is None and "up in" not in log.read_text("utf-8", "replace"):
            time.sleep(0.5)
        text = log.read_text("utf-8", "replace")
        assert "up in" in text, text[-3000:]
        assert "no simulated system is started" in text
        assert f"population system: http://127.0.0.1:{sims}" in text  # it says where it expects them
        assert httpx.get(f"http://127.0.0.1:{gateway}/health", timeout=5).status_code == 200
        assert [sims + off for off in SIM_OFFSETS.values() if _listening(sims + off)] == []


@pytest.mark.slow
def test_metrics_need_the_scrapers_token_over_http(hub: Hub) -> None:
    port = free_port_block(1, seed=os.getpid() * 31 + 5)
    env = {**hub.env, "HUB_SECURITY__METRICS_TOKEN": METRICS_TOKEN}
    process = start_process(hub, "subgraph-metrics", ["subgraph", "population", "--port", str(port), "--no-migrate"],
                            env)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, time.monotonic() + BUDGET_S, hub.root / "subgraph-metrics.log")
    for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": f"Basic {METRICS_TOKEN}"},
                    {"authorization": f"Bearer {METRICS_TOKEN}x"}):
        refused = httpx.get(f"{url}/metrics", headers=headers, timeout=5)
        assert refused.status_code == 401, (headers, refused.text)
        assert "# TYPE" not in refused.text
    served = httpx.get(f"{url}/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"}, timeout=5)
    assert served.status_code == 200
    assert "# TYPE" in served.text
    # the attack suite's processes have no token: no /metrics at all, and their logs say so
    assert httpx.get(f"{hub.gateway}/metrics", headers={"authorization": f"Bearer {METRICS_TOKEN}"},
                     timeout=5).status_code == 404
    assert "/metrics is off" in (hub.root / "gateway.log").read_text("utf-8", "replace")


@pytest.mark.slow
def test_production_refuses_unregistered_documents_and_runs_the_engines(hub: Hub) -> None:
    """A gateway started as production starts it (no trusted-documents setting) enforces the manifest:
    an unregistered document is refused with the typed error; the supervision engine's reads pass."""
    port = free_port_block(1, seed=os.getpid() * 37 + 9)
    env = {k: v for k, v in hub.env.items() if k != "HUB_SECURITY__TRUSTED_DOCUMENTS_MODE"}
    process = start_process(hub, "gateway-enforcing", ["gateway", "--supergraph", str(hub.root / "supergraph.graphql"),
                                                       "--port", str(port)], env)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, time.monotonic() + BUDGET_S, hub.root / "gateway-enforcing.log")
    token = hub.service_token("supervision-engine")
    headers = {"content-type": "application/json", "accept": "application/graphql-response+json",
               "authorization": f"Bearer {token}",
               "x-purpose-code": "SUPERVISION", "x-purpose-ref": "area:supervised"}
    # the engine's own bodies query with a literal changed is another, unregistered document
    altered = BODIES_QUERY.replace("first: 200", "first: 199")
    for query in ("{ searchEnforcementBodies(first: 5) { items { uscc } } }", altered):
        refused = httpx.post(f"{url}/graphql", json={"query": query, "variables": {}}, headers=headers, timeout=10)
        assert refused.status_code == 400, refused.text
        assert [e["extensions"]["code"] for e in refused.json()["errors"]] == ["TRUSTED_DOCUMENT_REQUIRED"]
        assert "data" not in refused.json()
    unknown_id = httpx.post(f"{url}/graphql", json={"documentId": document_id(altered)}, headers=headers, timeout=10)
    assert [e["extensions"]["code"] for e in unknown_id.json()["errors"]] == ["PERSISTED_QUERY_NOT_FOUND"]
    assert not unknown_id.json().get("data"), unknown_id.text
    assert set(SERVICE_DOCUMENTS) <= set(json.loads(MANIFEST.read_text(encoding="utf-8")).values())

    async def engine_reads() -> tuple[int, int, int]:
        async with httpx.AsyncClient(timeout=30) as client:
            facts = GatewayFacts(client, f"{url}/graphql", token=token)
            bodies = await facts.bodies(await _all_usccs(client, url, headers))
            officers = await facts.officers(["OFF-DOES-NOT-EXIST"], body_hints=sorted(bodies)[:ALIASES_PER_REQUEST + 10])
            return len(bodies), len(officers), facts.requests

    bodies, officers, requests = asyncio.run(engine_reads())
    assert bodies > 0
    assert requests >= 4  # the bodies, two aliased batches of their officers (more than one batch), the officer
    assert officers == 0  # the unknown officer is looked up (a registered document) and reported missing


async def _all_usccs(client: httpx.AsyncClient, url: str, headers: dict[str, str]) -> list[str]:
    """The bodies' USCCs, read with the engine's registered bodies document (by id)."""
    response = await client.post(f"{url}/graphql", headers=headers,
                                 json={"documentId": document_id(BODIES_QUERY), "variables": {"after": None}})
    assert response.status_code == 200, response.text
    return [row["uscc"] for row in response.json()["data"]["searchEnforcementBodies"]["items"]]


@pytest.mark.slow
def test_a_simulators_admin_api_is_there_only_when_asked_for(hub: Hub) -> None:
    dev = {k: v for k, v in hub.env.items() if k != "HUB_PROFILE" and not k.startswith("HUB_SECURITY")}
    dev.pop("SIM_ADMIN", None)
    closed = [("POST", "/__admin/rotate-key"), ("PUT", "/__admin/knobs"), ("GET", "/__admin/knobs"),
              ("GET", "/__admin/calls"), ("POST", "/__admin/reset")]
    # open: only reads (the identity provider shares its key directory with the running hub's)
    opened = [("GET", "/__admin/knobs"), ("GET", "/__admin/calls")]
    for name, extra, paths, expected in (("closed", {}, closed, 404), ("open", {"SIM_ADMIN": "1"}, opened, 200)):
        port = free_port_block(1, seed=os.getpid() * 41 + len(name))
        args = ["sim", "identity", "--port", str(port), "--data", str(hub.seed_dir)]
        process = start_process(hub, f"sim-admin-{name}", args, {**dev, **extra})
        url = f"http://127.0.0.1:{port}"
        with _stopping(process):
            wait_healthy(url, process, time.monotonic() + BUDGET_S, hub.root / f"sim-admin-{name}.log")
            for method, path in paths:
                answer = httpx.request(method, url + path, json={"down": True} if method == "PUT" else None,
                                       timeout=10)
                assert answer.status_code == expected, (name, method, path, answer.text)
            assert httpx.get(f"{url}/jwks.json", timeout=10).status_code == 200  # control: the system serves
