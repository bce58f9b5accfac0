"""A gateway with two worker processes over real HTTP (`gateway.cli.serve(workers=2)`, what
`hub gateway --workers 2` runs without the hub's security stack; HUB_TEST_WORKERS_VIA_HUB=1 runs
`hub gateway --workers 2` itself, dev profile, a few seconds slower to start): both processes answer on one port, /metrics sums them, a
SIGHUP to the supervisor reloads both, and a killed worker is replaced while the other keeps answering.

Each check opens its own connections (one per client): a connection stays with the worker that accepted
it, so the worker's pid from /health on a connection names the worker that answers the rest of it.
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.gateway.shop import subgraph_apps
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import free_port, serve

STARTUP_TIMEOUT_S = 60.0  # a bound, not a speed target: two cores shared with other test workers
ATTEMPTS = 60  # connections tried to meet every worker (the kernel picks the worker of each one)
SERVE = ("import logging, sys; logging.basicConfig(level=logging.INFO); from gateway.cli import serve; "
         "sys.exit(serve(sys.argv[1], port=int(sys.argv[2]), workers=2))")
ME = {"query": "{ me { name } }"}
ME_ANSWER = {"data": {"me": {"name": "Ada Lovelace"}}}


@dataclass
class Workers:
    url: str
    proc: subprocess.Popen[bytes]
    supergraph: Path
    log: Path


@pytest.fixture(scope="module")
def workers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workers]:
    logging.getLogger("strawberry").setLevel(logging.CRITICAL)
    work = tmp_path_factory.mktemp("workers")
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve(app)) + "/graphql" for name, app in subgraph_apps().items()}
        path = work / "supergraph.graphql"
        path.write_text(shop_supergraph(urls), encoding="utf-8")
        env = {k: v for k, v in os.environ.items() if not k.startswith(("HUB_", "PROMETHEUS_"))}
        env.update(HUB_DATA_DIR=str(work / "data"), PYTHONUNBUFFERED="1")
        log = work / "gateway.log"
        for _attempt in range(3):  # a port found free can be taken before the supervisor binds it
            port = free_port()
            with open(log, "w") as out:
                proc = subprocess.Popen(_command(path, port), cwd=work, env=env, stdout=out,
                                        stderr=subprocess.STDOUT)
            try:
                url = f"http://127.0.0.1:{port}"
                if _healthy(url, proc):
                    yield Workers(url, proc, path, log)
                    return
            finally:
                _stop(proc)
            if "address already in use" not in log.read_text(encoding="utf-8", errors="replace").lower():
                break
        raise AssertionError(f"the gateway did not come up:\n{log.read_text(encoding='utf-8', errors='replace')}")


def _command(supergraph: Path, port: int) -> list[str]:
    if os.environ.get("HUB_TEST_WORKERS_VIA_HUB") == "1":
        return [sys.executable, "-m", "hub", "gateway", "--supergraph", str(supergraph), "--port", str(port),
                "--workers", "2"]
    return [sys.executable, "-c", SERVE, str(supergraph), str(port)]


def _healthy(url: str, proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline and proc.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            if httpx.get(url + "/health", timeout=2.0).status_code == 200:
                return True
        time.sleep(0.2)
    return False


def _stop(proc: subprocess.Popen[bytes]) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _on_new_connection(url: str, then: Callable[[httpx.Client], Any]) -> tuple[int, Any]:
    """Open a connection, learn which worker holds it (its pid), run `then` on it."""
    with httpx.Client(base_url=url, timeout=10.0) as client:
        pid = client.get("/health").json()["pid"]
        return pid, then(client)


def _graphql(body: dict[str, Any]) -> Callable[[httpx.Client], Any]:
    return lambda client: client.post("/graphql", json=body).json()


def _until_every_worker(url: str, then: Callable[[httpx.Client], Any], pids: int = 2,
                        done: Callable[[dict[int, list[Any]]], bool] | None = None) -> dict[int, list[Any]]:
    """Results of `then` by worker pid, over new connections until `pids` workers answered (and `done`)."""
    seen: dict[int, list[Any]] = {}
    for _ in range(ATTEMPTS):
        pid, result = _on_new_connection(url, then)
        seen.setdefault(pid, []).append(result)
        if len(seen) >= pids and (done is None or done(seen)):
            break
    return seen


def _metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
    for line in text.splitlines():
        m = re.fullmatch(r"([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)", line)
        if m and m.group(1) == name and ",".join(sorted((m.group(2) or "").split(","))).strip(",") == wanted:
            return float(m.group(3))
    return 0.0


def _scrape(client: httpx.Client) -> str:
    return client.get("/metrics").text


def _answered(text: str) -> float:
    return _metric(text, "hub_gateway_requests_total", operation_type="query", outcome="ok")


def _worker_pids(w: Workers) -> set[int]:
    return set(_until_every_worker(w.url, lambda client: None))


def test_both_workers_answer_on_one_port(workers: Workers) -> None:
    answers = _until_every_worker(workers.url, _graphql(ME))
    assert len(answers) == 2, answers.keys()
    assert workers.proc.pid not in answers  # the supervisor itself serves nothing
    assert all(body == ME_ANSWER for bodies in answers.values() for body in bodies)


def test_metrics_sum_over_the_workers(workers: Workers) -> None:
    before = _on_new_connection(workers.url, _scrape)[1]
    answers = _until_every_worker(workers.url, _graphql(ME), done=lambda seen: sum(map(len, seen.values())) >= 10)
    sent = sum(len(bodies) for bodies in answers.values())
    assert len(answers) == 2
    assert sent >= 10
    # every worker's scrape counts the requests of both (one worker alone answered fewer than `sent`)
    scrapes = _until_every_worker(workers.url, _scrape)
    assert len(scrapes) == 2
    for texts in scrapes.values():
        for text in texts:
            assert _answered(text) - _answered(before) == sent


def test_sighup_to_the_supervisor_reloads_every_worker(workers: Workers) -> None:
    scrape_before = _on_new_connection(workers.url, _scrape)[1]
    before = {pid: results[0] for pid, results in
              _until_every_worker(workers.url, lambda client: client.get("/health").json()["reloads"]).items()}
    assert len(before) == 2
    count = _graphql({"query": "{ reviewCount }"})
    assert all("errors" not in body for bodies in _until_every_worker(workers.url, count).values() for body in bodies)
    # a field renamed in place: same size and, restored, the same mtime, so the file poll cannot notice it
    # and only the SIGHUP makes the workers read it again
    stat = workers.supergraph.stat()
    sdl = workers.supergraph.read_text(encoding="utf-8")
    assert "  reviewCount: Int!" in sdl
    workers.supergraph.write_text(sdl.replace("  reviewCount: Int!", "  reviewTally: Int!"), encoding="utf-8")
    os.utime(workers.supergraph, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert workers.supergraph.stat().st_size == stat.st_size
    workers.proc.send_signal(signal.SIGHUP)

    deadline = time.monotonic() + 20.0
    reloaded: dict[int, Any] = {}
    while time.monotonic() < deadline and len(reloaded) < len(before):
        pid, (reloads, body) = _on_new_connection(
            workers.url, lambda client: (client.get("/health").json()["reloads"], count(client)))
        if reloads == before.get(pid, -1) + 1:
            reloaded[pid] = body
        time.sleep(0.05)
    assert set(reloaded) == set(before)
    for body in reloaded.values():  # the new supergraph has no reviewCount any more
        assert body["errors"][0]["extensions"]["code"] == "GRAPHQL_VALIDATION_FAILED", body
    after = _on_new_connection(workers.url, _scrape)[1]
    reloads = "hub_gateway_supergraph_reloads_total"
    assert _metric(after, reloads) - _metric(scrape_before, reloads) == 2  # one per worker, summed


def test_a_killed_worker_is_replaced_and_the_other_keeps_answering(workers: Workers) -> None:
    pids = _worker_pids(workers)
    assert len(pids) == 2
    total_before = _answered(_on_new_connection(workers.url, _scrape)[1])
    victim, survivor = sorted(pids)
    os.kill(victim, signal.SIGKILL)
    answered_by: set[int] = set()
    for _ in range(10):  # nothing is refused meanwhile: the survivor takes every new connection
        pid, body = _on_new_connection(workers.url, _graphql(ME))
        assert body == ME_ANSWER
        answered_by.add(pid)
    assert victim not in answered_by
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    now: set[int] = set()
    while time.monotonic() < deadline:
        now = _worker_pids(workers)
        if len(now) == 2 and victim not in now:
            break
        time.sleep(0.2)
    assert survivor in now, now
    assert victim not in now
    assert len(now) == 2
    assert workers.proc.poll() is None
    # the dead worker's requests still count: the summed counter never goes down
    assert _answered(_on_new_connection(workers.url, _scrape)[1]) >= total_before + 10
    assert "restarting" in workers.log.read_text(encoding="utf-8", errors="replace")
