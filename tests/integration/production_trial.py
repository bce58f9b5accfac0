"""Start `hub up --profile production` (a trial) as a user would, and stop it; for the production tests.

`start_trial` runs `hub secrets init` and then `hub up --profile production` in `root` with a block of
free ports, every process's output going to one file (`Trial.output`), and returns once the hub
prints its table (or fails, with the output). `stop` sends SIGTERM and waits.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port_block

STARTUP_BUDGET_S = 240.0  # a timeout, not a speed target: the machine is shared
BIND_ATTEMPTS = 3
N_SIMULATORS, N_SUBGRAPHS = 8, 6


@dataclass
class Trial:
    root: Path
    process: subprocess.Popen[bytes]
    output: Path
    base: int
    sub_base: int
    gateway_port: int
    env: dict[str, str]

    @property
    def gateway(self) -> str:
        return f"http://127.0.0.1:{self.gateway_port}"

    def sim(self, offset: int) -> str:
        return f"http://127.0.0.1:{self.base + offset}"

    @property
    def idp(self) -> str:
        return self.sim(5)

    def text(self) -> str:
        return self.output.read_text(encoding="utf-8", errors="replace")

    def hub(self, *args: str, timeout: float = 300) -> subprocess.CompletedProcess[str]:
        """Another `hub` command against the running trial (its settings: the secrets file and trial.env)."""
        env = dict(self.env)
        for line in (self.root / "data" / "trial.env").read_text(encoding="utf-8").splitlines():
            if "=" in line and not line.startswith("#"):
                key, _, value = line.partition("=")
                env[key] = value.strip("'")
        return subprocess.run([sys.executable, "-m", "hub", *args], cwd=self.root, env=env, capture_output=True,
                              text=True, timeout=timeout, check=False)

    def token(self, username: str) -> str:
        answer = httpx.post(f"{self.idp}/oauth/token", data={"grant_type": "password", "username": username,
                                                             "password": f"{username}-pass"}, timeout=10)
        assert answer.status_code == 200, answer.text
        return str(answer.json()["access_token"])

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=90)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            return self.process.wait(timeout=30)


def base_env(code: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "SIM_"))}
    env.update(PYTHONPATH=str(code), PYTHONUNBUFFERED="1", COLUMNS="200")
    return env


def secrets_init(root: Path, code: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "hub", "secrets", "init"], cwd=root, env=base_env(code),
                          capture_output=True, text=True, timeout=120, check=False)


def start_trial(root: Path, code: Path, extra_env: dict[str, str] | None = None) -> Trial:
    """`hub up --profile production` in `root` running the code at `code`; retried on a lost port race."""
    for attempt in range(BIND_ATTEMPTS):
        base = free_port_block(N_SIMULATORS + N_SUBGRAPHS + 2, seed=os.getpid() * 13 + attempt)
        env = base_env(code)
        env.update(HUB_SIMULATORS__BASE_PORT=str(base), HUB_SUBGRAPHS__BASE_PORT=str(base + N_SIMULATORS),
                   HUB_GATEWAY__PORT=str(base + N_SIMULATORS + N_SUBGRAPHS),
                   HUB_WEB__PORT=str(base + N_SIMULATORS + N_SUBGRAPHS + 1), **(extra_env or {}))
        output = root / f"hub-up-{attempt}.log"
        with output.open("wb") as sink:
            process = subprocess.Popen([sys.executable, "-m", "hub", "up", "--profile", "production"], cwd=root,
                                       env=env, stdout=sink, stderr=subprocess.STDOUT, start_new_session=True)
        trial = Trial(root, process, output, base, base + N_SIMULATORS, base + N_SIMULATORS + N_SUBGRAPHS, env)
        deadline = time.monotonic() + STARTUP_BUDGET_S
        while time.monotonic() < deadline and process.poll() is None and "press Ctrl-C to stop" not in trial.text():
            time.sleep(0.5)
        text = trial.text()
        if "press Ctrl-C to stop" in text and process.poll() is None:
            return trial
        trial.stop()
        text = trial.text()
        assert "address already in use" in text or "ports in use" in text, text[-6000:]
    raise AssertionError(f"every one of {BIND_ATTEMPTS} port blocks was taken while the trial started")
