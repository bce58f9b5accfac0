"""The whole hub (`hub up`: simulators, subgraphs, gateway and the web console) for the console's tests.

`console_stack` starts `hub up` once per test process over a copy of the small seed, on a block of
free ports, and waits until the gateway answers, the console is healthy and the demo cases are
seeded. Two ways in for a test:

* the real one (browser journeys): open `stack.web` and sign in on the identity provider's page;
* `stack.session_cookie(username)`: for page tests that are not about signing in, an in-process
  console (`InProcessConsole`) over the same gateway, with a session made from a real token of the
  identity provider (password grant) — the pages still get all their data through the real gateway.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

from tests.security.hub_up import started_hub
from tests.support.servers import free_port_block, serve

STARTUP_BUDGET_S = 240.0  # a bound, not a speed target: test workers share two cores
PROBE = '{ searchEnforcementBodies(level: "CITY", first: 1) { items { name } } }'
CASES_PROBE = '{ penaltyCases(first: 1) { total } }'


@dataclass
class ConsoleStack:
    gateway: str      # the gateway's base URL
    identity: str     # the identity simulator's base URL
    web: str          # the console started by `hub up`
    data_dir: Path    # HUB_DATA_DIR of the run (hub.db is the SQLite store)
    env: dict[str, str] = field(default_factory=dict)

    @property
    def store(self) -> Path:
        return self.data_dir / "hub.db"

    def token(self, username: str) -> str:
        """An access token for a demo user (password `<username>-pass`), password grant."""
        answer = httpx.post(f"{self.identity}/oauth/token", timeout=10, data={
            "grant_type": "password", "username": username, "password": f"{username}-pass"})
        answer.raise_for_status()
        return str(answer.json()["access_token"])

    def graph(self, query: str, variables: dict[str, Any] | None = None, *, user: str = "supervisor1",
              purpose: str | None = None) -> dict[str, Any]:
        """Ask the gateway directly (the figures a page must show, independently of the page)."""
        headers = {"authorization": f"Bearer {self.token(user)}"}
        if purpose:
            headers["x-purpose-code"] = purpose
        answer = httpx.post(f"{self.gateway}/graphql", json={"query": query, "variables": variables or {}},
                            headers=headers, timeout=30)
        body: dict[str, Any] = answer.json()
        return body


@contextlib.contextmanager
def console_stack(work: Path, seed: Path) -> Iterator[ConsoleStack]:
    from simulators.registry import SIMULATORS

    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "seed").exists():
        shutil.copytree(seed, data / "seed")

    def stack_of(env: dict[str, str]) -> ConsoleStack:
        identity = int(env["HUB_SIMULATORS__BASE_PORT"]) + SIMULATORS["identity"].port_offset
        return ConsoleStack(gateway=f"http://127.0.0.1:{env['HUB_GATEWAY__PORT']}",
                            identity=f"http://127.0.0.1:{identity}",
                            web=f"http://127.0.0.1:{env['HUB_WEB__PORT']}", data_dir=data, env=env)

    def ready(env: dict[str, str], proc: subprocess.Popen[bytes]) -> bool:
        return _ready(stack_of(env), proc)

    with started_hub(work, port_seed=os.getpid() * 19, ready=ready, HUB_SUPERVISION__FOLLOW_INTERVAL_S="1",
                     HUB_WEB__ALERT_POLL_S="3") as (_, env):
        yield stack_of(env)


def _ready(stack: ConsoleStack, proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STARTUP_BUDGET_S
    token: str | None = None
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(httpx.HTTPError, ValueError, KeyError, TypeError):
                token = token or stack.token("supervisor1")
                headers = {"authorization": f"Bearer {token}"}
                bodies = client.post(stack.gateway + "/graphql", json={"query": PROBE}, headers=headers).json()
                cases = client.post(stack.gateway + "/graphql", json={"query": CASES_PROBE}, headers=headers).json()
                web = client.get(stack.web + "/health")
                if (bodies["data"]["searchEnforcementBodies"]["items"] and web.status_code == 200
                        and (cases["data"]["penaltyCases"]["total"] or 0) >= 60):
                    return True
            time.sleep(1.0)
    return False


@dataclass
class InProcessConsole:
    """A console app in this process over the stack's gateway; `cookie(user)` signs a user in directly."""

    url: str
    app: Any
    stack: ConsoleStack

    def cookie(self, username: str) -> dict[str, str]:
        session = self.app.state.sessions.create(self.stack.token(username), 3600)
        return {"hub_session": session.id}

    def client(self, username: str | None) -> httpx.Client:
        cookies = self.cookie(username) if username else {}
        return httpx.Client(base_url=self.url, cookies=cookies, timeout=60, follow_redirects=False)


@contextlib.contextmanager
def in_process_console(stack: ConsoleStack) -> Iterator[InProcessConsole]:
    from web.app import create_app
    from web.config import WebConfig

    port = free_port_block(1, seed=os.getpid() * 23)
    config = WebConfig(gateway_url=f"{stack.gateway}/graphql", identity_url=stack.identity,
                       public_url=f"http://127.0.0.1:{port}", alert_poll_s=3)
    app = create_app(config)
    with serve(app, port=port) as url:
        yield InProcessConsole(url, app, stack)
