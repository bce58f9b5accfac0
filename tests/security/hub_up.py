"""`hub up` (the dev profile, every simulator, subgraph and the gateway) as a process for a test, on free ports."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port_block

STARTUP_BUDGET_S = 180.0  # a bound, not a speed target: test workers share two cores
ATTEMPTS = 3  # a block found free can be taken before hub up binds it: try another block
PROBE = '{ searchEnforcementBodies(level: "CITY", first: 1) { items { name } } }'


@dataclass(frozen=True)
class RunningHub:
    gateway: str  # base URL of the gateway
    identity: str  # base URL of the simulated identity provider (tokens for the demo users)

    def token(self, username: str) -> str:
        """An access token for a demo user (password `<username>-pass`)."""
        answer = httpx.post(f"{self.identity}/oauth/token", timeout=10, data={
            "grant_type": "password", "username": username, "password": f"{username}-pass"})
        answer.raise_for_status()
        return str(answer.json()["access_token"])


N_PORTS_EXTRA = 2  # the gateway and the web console after the simulators and subgraphs


def ports_env(data: Path, base: int, **extra: str) -> dict[str, str]:
    """The environment of a `hub up` over `data` on the block of ports starting at `base`."""
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    n_sims, n_subgraphs = len(SIMULATORS), len(SUBGRAPHS)
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATA_DIR=str(data), HUB_SIMULATORS__BASE_PORT=str(base),
               HUB_SUBGRAPHS__BASE_PORT=str(base + n_sims), HUB_GATEWAY__PORT=str(base + n_sims + n_subgraphs),
               HUB_WEB__PORT=str(base + n_sims + n_subgraphs + 1), PYTHONUNBUFFERED="1", COLUMNS="200", **extra)
    return env


@contextlib.contextmanager
def started_hub(work: Path, *, port_seed: int, ready: Callable[[dict[str, str], subprocess.Popen[bytes]], bool],
                **extra_env: str) -> Iterator[tuple[int, dict[str, str]]]:
    """Start `hub up` in `work` (its data under work/data) on a block of free ports, retried on a lost race
    for a port; yield (the simulators' base port, the environment) once `ready(env, proc)`; stop it after."""
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    log = work / "hub-up.log"
    for attempt in range(ATTEMPTS):
        base = free_port_block(len(SIMULATORS) + len(SUBGRAPHS) + N_PORTS_EXTRA, seed=port_seed + attempt)
        env = ports_env(work / "data", base, **extra_env)
        with open(log, "w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "hub", "up"], cwd=work, env=env, stdout=out,
                                    stderr=subprocess.STDOUT, start_new_session=True)
        try:
            if ready(env, proc):
                yield base, env
                return
        finally:
            stop_hub(proc)
        if "address already in use" not in log.read_text(encoding="utf-8", errors="replace"):
            break
    raise AssertionError(f"hub up did not come up:\n{log.read_text(encoding='utf-8', errors='replace')[-5000:]}")


@contextlib.contextmanager
def hub_up(work: Path, seed: Path) -> Iterator[RunningHub]:
    """Start `hub up` over a data directory holding `seed`; yield its URLs once a query that reaches a
    subgraph is answered through the gateway; stop everything (SIGTERM) afterwards."""
    from simulators.registry import SIMULATORS

    data = work / "data"
    data.mkdir(parents=True, exist_ok=True)
    if not (data / "seed").exists():
        os.symlink(seed, data / "seed")

    def ready(env: dict[str, str], proc: subprocess.Popen[bytes]) -> bool:
        return _answering(f"http://127.0.0.1:{env['HUB_GATEWAY__PORT']}", proc)

    with started_hub(work, port_seed=os.getpid() * 17, ready=ready) as (base, env):
        yield RunningHub(f"http://127.0.0.1:{env['HUB_GATEWAY__PORT']}",
                         f"http://127.0.0.1:{base + SIMULATORS['identity'].port_offset}")


def _answering(gateway: str, proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STARTUP_BUDGET_S
    with httpx.Client(timeout=5.0) as client:
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(httpx.HTTPError, ValueError):
                answer = client.post(gateway + "/graphql", json={"query": PROBE}).json()
                if "errors" not in answer and answer["data"]["searchEnforcementBodies"]["items"]:
                    return True
            time.sleep(0.5)
    return False


def stop_hub(proc: subprocess.Popen[bytes]) -> None:
    """SIGTERM to `hub up` (it stops its parts), SIGKILL to its process group after 30 s."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)  # the group this test started (start_new_session)
        proc.wait(timeout=10)
