"""The stack under test: every part `hub up` would start, each its own process on 127.0.0.1, started
by the harness so that it can kill and restart one part at a time.

`Stack.up()` plans the parts with `hub.runner.plan_up` (the same arguments and environment `hub up`
gives them: simulators with their admin API, subgraphs, the gateway), migrates the store, starts them
stage by stage and waits for each health check. `kill(name)` sends SIGKILL to one part's process
group; `start_part(name)` starts it again on the same port.
"""

from __future__ import annotations

import contextlib
import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from hub.runner import Part, migrate_store, plan_up, port_free
from hub.settings import Settings, load_settings

ROOT = Path(__file__).resolve().parents[2]
HEALTH_TIMEOUT_S = 120.0  # a bound, not a target: two cores are shared with the load


def free_block(n: int) -> int:
    """The first of `n` consecutive free loopback ports, below the ephemeral range (bounded search)."""
    rng = random.Random(os.getpid())
    for _ in range(200):
        base = rng.randrange(12_000, 30_000 - n)
        if all(port_free(p) for p in range(base, base + n)):
            return base
    raise RuntimeError(f"no block of {n} free ports on 127.0.0.1")


@contextlib.contextmanager
def hub_environment(values: Mapping[str, str]) -> Iterator[Settings]:
    """The hub's settings with `values` (HUB_* variables) in the environment, restored afterwards."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield load_settings()
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


@dataclass
class Stack:
    settings: Settings
    env: dict[str, str]
    logs: Path
    parts: dict[str, Part] = field(default_factory=dict)
    stages: list[list[str]] = field(default_factory=list)
    _log_files: list[object] = field(default_factory=list)

    @property
    def gateway(self) -> str:
        return self.parts["gateway"].url

    def url(self, name: str) -> str:
        return self.parts[name].url

    def up(self, prepare: Callable[[], None] | None = None) -> None:
        """Start every part; `prepare` runs once the store is migrated, before the subgraphs start."""
        seed_dir = self.settings.data_dir / "seed"
        plan = plan_up(self.settings, seed_dir)
        for part in [*plan.simulators, *plan.subgraphs, plan.gateway]:  # no console: the bench drives the graph
            key = part.name if part.kind.startswith("subgraph") or part.name == "gateway" else f"sim:{part.name}"
            self.parts[key] = part
        self.stages = [[f"sim:{p.name}" for p in plan.simulators], [p.name for p in plan.subgraphs], ["gateway"]]
        for i, stage in enumerate(self.stages):
            if i == 1:
                migrate_store(self.settings)
                if prepare is not None:
                    prepare()
            for name in stage:
                self.start_part(name, wait=False)
            for name in stage:
                self.wait_healthy(name)

    def start_part(self, name: str, *, wait: bool = True) -> None:
        part = self.parts[name]
        log = (self.logs / f"{name.replace(':', '-')}.log").open("ab")
        self._log_files.append(log)
        part.process = subprocess.Popen([sys.executable, "-m", "hub", *part.args], cwd=ROOT, stdin=subprocess.DEVNULL,
                                        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                        env={**os.environ, **self.env, **part.env})
        if wait:
            self.wait_healthy(name)

    def wait_healthy(self, name: str, timeout: float = HEALTH_TIMEOUT_S) -> float:
        """Seconds until `name` answers its health check with 200 (raises past `timeout`)."""
        part = self.parts[name]
        started = time.monotonic()
        with httpx.Client(timeout=2.0) as client:
            while time.monotonic() - started < timeout:
                if part.process is not None and part.process.poll() is not None:
                    raise RuntimeError(f"{name} exited with {part.process.returncode} (see {name}.log)")
                try:
                    if client.get(part.url + part.health_path).status_code == 200:
                        return time.monotonic() - started
                except httpx.HTTPError:
                    pass
                time.sleep(0.2)
        raise TimeoutError(f"{name} not healthy within {timeout:.0f} s")

    def kill(self, name: str) -> None:
        """SIGKILL the part's whole process group (no shutdown handler runs) and reap it."""
        proc = self.parts[name].process
        assert proc is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)

    def knobs(self, simulator: str, **values: float | bool) -> None:
        """Set a simulated system's fault knobs over its admin API."""
        response = httpx.put(f"{self.url('sim:' + simulator)}/__admin/knobs", json=values, timeout=10)
        response.raise_for_status()

    def down(self) -> None:
        procs = [p.process for p in self.parts.values() if p.process is not None and p.process.poll() is None]
        for proc in procs:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait(timeout=10)
        for f in self._log_files:
            f.close()  # type: ignore[attr-defined]


def stack_env(work: Path, database_url: str, *, outbox_interval_s: float = 1.0) -> dict[str, str]:
    """The HUB_* settings of the run: a store on `database_url`, data under `work`, a free block of ports."""
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    n_sims, n_subgraphs = len(SIMULATORS), len(SUBGRAPHS)
    base = free_block(n_sims + n_subgraphs + 2)
    return {
        "HUB_PROFILE": "dev", "HUB_DATA_DIR": str(work), "HUB_DATABASE_URL": database_url,
        "HUB_SIMULATORS__BASE_PORT": str(base), "HUB_SUBGRAPHS__BASE_PORT": str(base + n_sims),
        "HUB_GATEWAY__PORT": str(base + n_sims + n_subgraphs), "HUB_WEB__PORT": str(base + n_sims + n_subgraphs + 1),
        "HUB_OUTBOX__INTERVAL_S": str(outbox_interval_s),
        "HUB_LOG_LEVEL": "WARNING", "PYTHONUNBUFFERED": "1", "PYTHONPATH": str(ROOT),
    }
