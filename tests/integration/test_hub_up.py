"""`hub up` (what `make run` starts) brings every part up over real HTTP and stops cleanly."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from tests.support.servers import free_port_block

pytestmark = pytest.mark.slow

STARTUP_BUDGET_S = 120.0  # a timeout, not a speed target: two test workers share two cores


BIND_ATTEMPTS = 3


def _start_hub(tmp_path: Path, data_dir: Path, n_ports: int, n_sims: int, n_subgraphs: int,
               ) -> tuple[subprocess.Popen[str], list[str], int, int]:
    """Start `hub up` on a block of free ports; on a lost race for a port (another process bound it between
    the check and the bind) stop it and try another block. Returns the process, its output so far, the
    simulators' base port and the gateway port."""
    for attempt in range(BIND_ATTEMPTS):
        base = free_port_block(n_ports, seed=os.getpid() * 10 + attempt)
        gateway_port = base + n_sims + n_subgraphs
        env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
        env.update(HUB_DATA_DIR=str(data_dir), HUB_SIMULATORS__BASE_PORT=str(base),
                   HUB_SUBGRAPHS__BASE_PORT=str(base + n_sims), HUB_GATEWAY__PORT=str(gateway_port),
                   HUB_SUPERVISION__FOLLOW_INTERVAL_S="1", HUB_SUPERVISION__FOLLOW_SETTLE_S="0",
                   PYTHONUNBUFFERED="1", COLUMNS="200")
        started = time.monotonic()
        proc = subprocess.Popen([sys.executable, "-m", "hub", "up"], cwd=tmp_path, env=env,
                                stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        assert proc.stdout is not None
        output: list[str] = []
        while time.monotonic() - started < STARTUP_BUDGET_S:
            line = proc.stdout.readline()
            if not line:
                break
            output.append(line)
            if "press Ctrl-C to stop" in line:
                return proc, output, base, gateway_port
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
        output.append(rest)
        text = "".join(output)
        # `hub up` names the failure and stops everything it started; only a lost bind race is retried
        assert "address already in use" in text, text
    raise AssertionError(f"every one of {BIND_ATTEMPTS} port blocks was taken while hub up started")


def _eventually(count: Callable[[httpx.Client], int], *, attempts: int = 60) -> int:
    """Ask `count` once a second until it is above zero; the last answer (bounded: `attempts` seconds)."""
    total = 0
    with httpx.Client(timeout=10) as client:
        for _ in range(attempts):
            total = count(client)
            if total:
                break
            time.sleep(1)
    return total


def test_hub_up_starts_every_part_prints_urls_and_stops(tmp_path: Path, small_seed: Path) -> None:
    data_dir = tmp_path / "data"
    (data_dir).mkdir()
    # Reuse the session's seeded data so the test measures start-up, not generation.
    os.symlink(small_seed, data_dir / "seed")
    from simulators.registry import SIMULATORS
    from subgraphs.registry import SUBGRAPHS

    n_sims, n_subgraphs = len(SIMULATORS), len(SUBGRAPHS)
    proc, output, base, gateway_port = _start_hub(tmp_path, data_dir, n_sims + n_subgraphs + 1, n_sims, n_subgraphs)
    urls: list[str] = []
    try:
        text = "".join(output)
        assert "press Ctrl-C to stop" in text, text
        urls = sorted(set(re.findall(r"http://127\.0\.0\.1:(\d+)", text)))
        assert len(urls) == n_sims + n_subgraphs + 1, text  # simulated systems, subgraphs, the gateway
        with httpx.Client(timeout=10) as client:
            for port in urls:
                assert client.get(f"http://127.0.0.1:{port}/health").status_code == 200, port
            # one query through the gateway reaches the personnel subgraph and its seeded data
            answer = client.post(f"http://127.0.0.1:{gateway_port}/graphql", json={
                "query": '{ searchEnforcementBodies(level: "CITY", first: 3) { items { name level } } }'}).json()
            assert "errors" not in answer, answer
            items = answer["data"]["searchEnforcementBodies"]["items"]
            assert len(items) == 3
            assert all(i["level"] == "CITY" for i in items)
        # the demo cases are seeded in the background; the supervision subgraph follows their events and
        # raises alerts without any sweep (facts through the gateway)
        def alerts(client: httpx.Client) -> int:
            answer = client.post(f"http://127.0.0.1:{gateway_port}/graphql",
                                 json={"query": "{ supervisionAlerts(first: 1) { total } }"}).json()
            assert "errors" not in answer, answer
            return int(answer["data"]["supervisionAlerts"]["total"])

        assert _eventually(alerts, attempts=120) > 0, "no alert from the follower"
        # ... and the cases subgraph delivers their outbound messages to the simulated data centre
        data_centre = f"http://127.0.0.1:{base + SIMULATORS['data_centre'].port_offset}"
        received = _eventually(lambda client: int(client.get(f"{data_centre}/api/exchange/v1/records", params={
            "type": "PENALTY_CASE", "limit": 1}).json()["total"]))
        assert received > 0, "no case reached the data centre"
        # ... and the demo decisions that were published reach the 双公示 credit platform
        credit = f"http://127.0.0.1:{base + SIMULATORS['credit_publicity'].port_offset}"
        published = _eventually(lambda client: int(client.get(f"{credit}/api/credit/v1/penalties", params={
            "status": "PUBLISHED", "limit": 1}).json()["total"]))
        assert published > 0, "no published decision reached the credit platform"
    finally:
        proc.send_signal(signal.SIGTERM)
        rest, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, "".join(output) + rest
    assert "stopped" in rest
    # nothing listens any more (connections are refused on every port)
    for port in urls:
        with socket.socket() as s, pytest.raises(ConnectionRefusedError):
            s.connect(("127.0.0.1", int(port)))
