"""The whole hub in the production profile, as separate processes on 127.0.0.1, for the attack suite.

The outside world first: the seeded departmental systems and the identity provider (`hub sim`,
each its own process, as the departments run them). Then the hub as production runs it: the
store on a fresh PostgreSQL database (migrated, seeded with cases by `hub seed`), each subgraph
(`hub subgraph`, signed calls required) and the gateway (`hub gateway`, JWT required, operation
limits, masking, need-to-know), all with ``HUB_PROFILE=production`` and real secrets. Trusted
documents are turned off here (``trusted_documents_mode = "off"``) so that each attack tests the
layer it aims at; the default-on check has its own test. The per-client rate limit is off for the
same reason (the ID-rebuild attack makes a few hundred requests).

Tokens come from the identity simulator's password grant; `mint` signs a token with the
simulator's own key for the attacks that need a token the identity provider would not issue.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import asyncpg
import httpx
from sqlalchemy.engine import make_url

from domain.sm import sm2_generate_keypair
from tests.support.servers import free_port_block

SIMULATORS = ("population", "legal_person", "licence", "certificates", "national_credit", "identity")
SUBGRAPHS = ("population", "legal_person", "licence", "personnel", "cases", "supervision")
SIM_OFFSETS = {"population": 0, "legal_person": 1, "licence": 2, "certificates": 3, "national_credit": 4,
               "identity": 5, "data_centre": 6, "credit_publicity": 7}
SUBGRAPH_OFFSETS = {name: i for i, name in enumerate(SUBGRAPHS)}
SIGNING_SECRET = "attack-suite-signing-secret-0123456789abcdef"
ID_HASH_SECRET = "attack-suite-id-hash-pepper-0123456789abcdef"
STARTUP_BUDGET_S = 180.0  # a timeout, not a speed target
CASES = 60
# a client following GraphQL over HTTP: a refused request is a 4xx (under application/json it would be 200)
JSON = {"content-type": "application/json", "accept": "application/graphql-response+json"}


@dataclass
class Hub:
    root: Path
    seed_dir: Path
    gateway: str
    idp: str
    subgraphs: dict[str, str]
    env: dict[str, str]
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    _tokens: dict[str, str] = field(default_factory=dict)

    def token(self, username: str, password: str | None = None) -> str:
        if username not in self._tokens:
            response = httpx.post(f"{self.idp}/oauth/token", timeout=10, data={
                "grant_type": "password", "username": username, "password": password or f"{username}-pass"})
            assert response.status_code == 200, response.text
            self._tokens[username] = response.json()["access_token"]
        return self._tokens[username]

    def service_token(self, client_id: str) -> str:
        response = httpx.post(f"{self.idp}/oauth/token", timeout=10, data={
            "grant_type": "client_credentials", "client_id": client_id, "client_secret": f"{client_id}-secret"})
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token

    def post(self, token: str | None, query: str, variables: dict[str, Any] | None = None, *,
             purpose: str | None = None, ref: str | None = None, **headers: str) -> httpx.Response:
        sent = {**JSON, **headers}
        if token is not None:
            sent["authorization"] = f"Bearer {token}"
        if purpose is not None:
            sent["x-purpose-code"] = purpose
        if ref is not None:
            sent["x-purpose-ref"] = ref
        return httpx.post(f"{self.gateway}/graphql", json={"query": query, "variables": variables or {}},
                          headers=sent, timeout=30)

    def ask(self, token: str | None, query: str, variables: dict[str, Any] | None = None,
            **kwargs: Any) -> dict[str, Any]:
        response = self.post(token, query, variables, **kwargs)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


def wait_healthy(url: str, process: subprocess.Popen[bytes], deadline: float, log: Path) -> None:
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise AssertionError(f"{url} exited with {process.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
            with contextlib.suppress(httpx.HTTPError):
                if client.get(f"{url}/health").status_code == 200:
                    return
            time.sleep(0.3)
    raise AssertionError(f"{url} not healthy in time:\n{log.read_text(errors='replace')[-4000:]}")


def start_process(hub: Hub, name: str, args: list[str], env: dict[str, str]) -> subprocess.Popen[bytes]:
    log = hub.root / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen([sys.executable, "-m", "hub", *args], cwd=hub.root, env=env, stdout=out,
                                   stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True)
    hub.processes.append(process)
    return process


def _stop(processes: list[subprocess.Popen[bytes]]) -> None:
    for process in processes:
        if process.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGTERM)
    for process in processes:
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


def _run(args: list[str], env: dict[str, str], cwd: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "hub", *args], cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=600, check=False)
    assert done.returncode == 0, f"hub {' '.join(args)} failed:\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"


def _database(server_url: str) -> tuple[str, Callable[[], None]]:
    """A fresh database on the test server (plain postgresql:// URL) and the function that drops it."""
    base = make_url(server_url)
    name = f"hub_attack_{uuid.uuid4().hex[:10]}"
    admin = base.set(drivername="postgresql").render_as_string(hide_password=False)

    async def run(statement: str) -> None:
        conn = await asyncpg.connect(admin)
        try:
            await conn.execute(statement)
        finally:
            await conn.close()

    asyncio.run(run(f'CREATE DATABASE "{name}"'))
    url = base.set(drivername="postgresql", database=name).render_as_string(hide_password=False)
    return url, lambda: asyncio.run(run(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def start_replica(hub: Hub, name: str) -> str:
    """A second replica of subgraph `name` (same settings, same database), as a deployment scales out."""
    port = free_port_block(1, seed=os.getpid() * 11 + len(hub.processes))
    process = start_process(hub, f"subgraph-{name}-replica", ["subgraph", name, "--port", str(port), "--no-migrate"],
                     hub.env)
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, process, time.monotonic() + STARTUP_BUDGET_S, hub.root / f"subgraph-{name}-replica.log")
    return f"{url}/graphql"


@contextlib.contextmanager
def production_hub(root: Path, postgres_server: str) -> Iterator[Hub]:
    """Start everything; stop it and drop the database afterwards."""
    database, drop = _database(postgres_server)
    base = free_port_block(len(SIM_OFFSETS) + len(SUBGRAPHS) + 1, seed=os.getpid() * 7 + 3)
    sub_base = base + len(SIM_OFFSETS)
    gateway_port = sub_base + len(SUBGRAPHS)
    data_dir = root / "data"
    seed_dir = data_dir / "seed"
    private_key = sm2_generate_keypair().private_key
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    pythonpath = str(Path(__file__).resolve().parents[2])
    env.update(PYTHONPATH=pythonpath, PYTHONUNBUFFERED="1", HUB_DATA_DIR=str(data_dir),
               HUB_SIMULATORS__BASE_PORT=str(base), HUB_SUBGRAPHS__BASE_PORT=str(sub_base),
               HUB_GATEWAY__PORT=str(gateway_port))
    # the departments' systems as dev runs them, admin API on (the licence subgraph asks /__admin/dsn)
    sim_env = {**env, "SIM_ADMIN": "1"}
    prod = dict(env)
    idp = f"http://127.0.0.1:{base + SIM_OFFSETS['identity']}"
    prod.update(HUB_PROFILE="production", HUB_DATABASE_URL=database.replace("postgresql://", "postgresql+asyncpg://"),
                HUB_ID_HASH_SECRET=ID_HASH_SECRET, HUB_SECURITY__SIGNING__SECRET=SIGNING_SECRET,
                HUB_SECURITY__AUDIT__ANCHOR_PRIVATE_KEY=private_key, HUB_SECURITY__TRUSTED_DOCUMENTS_MODE="off",
                HUB_SECURITY__RATE_LIMIT__ENABLED="false", HUB_SECURITY__JWKS_URL=f"{idp}/jwks.json",
                HUB_SECURITY__ISSUER=idp)
    hub = Hub(root, seed_dir, f"http://127.0.0.1:{gateway_port}", idp,
              {name: f"http://127.0.0.1:{sub_base + off}/graphql" for name, off in SUBGRAPH_OFFSETS.items()}, prod)
    try:
        _run(["db", "upgrade"], prod, root)
        _run(["seed", "--size", "small", "--seed", "7", "--out", str(seed_dir), "--cases", str(CASES),
              "--no-progress"], prod, root)
        deadline = time.monotonic() + STARTUP_BUDGET_S
        for name in SIMULATORS:
            port = base + SIM_OFFSETS[name]
            process = start_process(hub, f"sim-{name}", ["sim", name, "--port", str(port), "--data", str(seed_dir)], sim_env)
            wait_healthy(f"http://127.0.0.1:{port}", process, deadline, root / f"sim-{name}.log")
        for name in SUBGRAPHS:
            port = sub_base + SUBGRAPH_OFFSETS[name]
            process = start_process(hub, f"subgraph-{name}", ["subgraph", name, "--port", str(port), "--no-migrate"], prod)
            wait_healthy(f"http://127.0.0.1:{port}", process, deadline, root / f"subgraph-{name}.log")
        supergraph = root / "supergraph.graphql"
        text = (Path(pythonpath) / "schema" / "supergraph.graphql").read_text(encoding="utf-8")
        for name, port_off in SUBGRAPH_OFFSETS.items():
            text = text.replace(f"http://127.0.0.1:{4001 + port_off}/graphql", hub.subgraphs[name])
        supergraph.write_text(text, encoding="utf-8")
        process = start_process(hub, "gateway", ["gateway", "--supergraph", str(supergraph), "--port", str(gateway_port)],
                         prod)
        wait_healthy(hub.gateway, process, deadline, root / "gateway.log")
        yield hub
    finally:
        _stop(hub.processes)
        drop()
