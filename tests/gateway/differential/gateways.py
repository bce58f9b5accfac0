"""Start the two gateways under test as child processes and talk to them over loopback HTTP.

The reference gateway (`node gateway.mjs`) announces itself with a `READY <port>` line; the hub gateway
(`hub gateway`) is ready when `GET /health` answers 200. Every wait is bounded; a gateway that exits
early or never becomes ready raises GatewayStartError (code GATEWAY_START_FAILED) with its log tail.
"""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any, TypeVar

import httpx

from .reference import ensure_installed, node_binary

START_TIMEOUT_S = 30.0
HUB_START_EACH_S = 1.0  # the host loads and checks each supergraph in turn
REQUEST_TIMEOUT_S = 20.0
T = TypeVar("T")


class GatewayStartError(Exception):
    """A gateway process did not become ready."""

    code = "GATEWAY_START_FAILED"


@dataclass
class RunningGateway:
    """A started gateway: its name, GraphQL URL and HTTP client."""

    name: str
    url: str
    client: httpx.Client

    def post(self, body: dict[str, Any]) -> dict[str, Any]:
        """POST one GraphQL request; return the JSON answer (whatever the HTTP status)."""
        response = self.client.post(self.url, json=body, headers={"content-type": "application/json"})
        try:
            answer: dict[str, Any] = response.json()
        except ValueError as exc:
            raise AssertionError(
                f"{self.name} answered HTTP {response.status_code} with non-JSON body {response.text[:300]!r}"
            ) from exc
        return answer


def _log_tail(log: IO[bytes]) -> str:
    log.flush()
    log.seek(0)
    return log.read()[-3000:].decode("utf-8", "replace")


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@contextmanager
def reference_gateways(supergraphs: list[Path]) -> Iterator[list[RunningGateway]]:
    """Run one @apollo/gateway per supergraph, all in one Node.js process; yield them once all printed READY."""
    folder = ensure_installed()
    argv = [node_binary(), str(folder / "gateway.mjs")]
    for path in supergraphs:
        argv += ["--supergraph", str(path), "--port", "0"]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, cwd=folder)
        try:
            ports = _wait_ready_lines(process, log, len(supergraphs))
            with httpx.Client(timeout=REQUEST_TIMEOUT_S) as client:
                yield [RunningGateway("reference", f"http://127.0.0.1:{port}/", client) for port in ports]
        finally:
            _stop(process)


def _wait_ready_lines(process: subprocess.Popen[bytes], log: IO[bytes], count: int) -> list[int]:
    def ready(lines: list[str]) -> list[int] | None:
        ports = [int(line.split()[1]) for line in lines if line.startswith("READY ")]
        return ports[:count] if len(ports) >= count else None
    return _read_until(process, log, START_TIMEOUT_S + 2.0 * count, ready, "reference gateway")


def _read_until(process: subprocess.Popen[bytes], log: IO[bytes], wait_s: float,
                done: Callable[[list[str]], T | None], what: str) -> T:
    """Read `process`'s output lines until `done(lines)` gives a value; bounded by `wait_s`."""
    assert process.stdout is not None
    deadline = time.monotonic() + wait_s
    buffer = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while time.monotonic() < deadline:
            if not selector.select(timeout=max(0.0, deadline - time.monotonic())):
                break
            chunk = os.read(process.stdout.fileno(), 4096)
            if not chunk:
                raise GatewayStartError(f"{what} exited ({process.wait(5)}): {_log_tail(log)}")
            buffer += chunk
            found = done(buffer.decode("utf-8", "replace").splitlines())
            if found is not None:
                return found
    raise GatewayStartError(f"{what} not ready within the deadline: {_log_tail(log)}")


@contextmanager
def hub_gateways(supergraphs: list[Path]) -> Iterator[list[RunningGateway | GatewayStartError]]:
    """Serve every supergraph with the `hub gateway` application, all from one process on one port
    (`hub_host.py`); yield a gateway per supergraph once it answers `GET /health` with 200, or the
    GatewayStartError that says why it did not."""
    argv = [sys.executable, "-m", "tests.gateway.differential.hub_host"]
    for path in supergraphs:
        argv += ["--supergraph", str(path)]
    root = Path(__file__).resolve().parents[3]
    with tempfile.TemporaryFile() as log, httpx.Client(timeout=REQUEST_TIMEOUT_S) as client, \
            tempfile.TemporaryDirectory(prefix="hub-gw-data-") as data_dir:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=log, stdin=subprocess.DEVNULL, cwd=root,
                                   env={**os.environ, "HUB_DATA_DIR": data_dir,
                                        "PYTHONPATH": os.pathsep.join(filter(None, [str(root),
                                                                                     os.environ.get("PYTHONPATH")]))})
        try:
            port, failed = _wait_host_ready(process, log, HUB_START_EACH_S * len(supergraphs))
            gateways: list[RunningGateway | GatewayStartError] = []
            for i in range(len(supergraphs)):
                if i in failed:
                    gateways.append(GatewayStartError(f"hub gateway refused {supergraphs[i].name}: {failed[i]}"))
                    continue
                base = f"http://127.0.0.1:{port}/g{i}"
                try:
                    _wait_healthy(process, client, f"{base}/health", log, time.monotonic() + START_TIMEOUT_S)
                    gateways.append(RunningGateway("hub", f"{base}/graphql", client))
                except GatewayStartError as exc:
                    gateways.append(exc)
            yield gateways
        finally:
            _stop(process)


def _wait_host_ready(process: subprocess.Popen[bytes], log: IO[bytes], extra_s: float) -> tuple[int, dict[int, str]]:
    """The host's port once it printed READY, and the supergraphs it printed FAILED for."""
    def ready(lines: list[str]) -> tuple[int, dict[int, str]] | None:
        failed = {int(line.split()[1]): line.split(" ", 2)[2] for line in lines if line.startswith("FAILED ")}
        ports = [int(line.split()[1]) for line in lines if line.startswith("READY ")]
        return (ports[0], failed) if ports else None
    return _read_until(process, log, START_TIMEOUT_S + extra_s, ready, "hub gateway host")


def _wait_healthy(
    process: subprocess.Popen[bytes], client: httpx.Client, url: str, log: IO[bytes], deadline: float
) -> None:
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise GatewayStartError(f"hub gateway exited ({process.returncode}): {_log_tail(log)}")
        try:
            if client.get(url, timeout=2.0).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise GatewayStartError(f"hub gateway not healthy by the start deadline: {_log_tail(log)}")
