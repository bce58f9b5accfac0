"""Run ASGI apps on real loopback ports, so tests talk to them over real HTTP."""

from __future__ import annotations

import contextlib
import random
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uvicorn

from hub.runner import port_free


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _ephemeral_low() -> int:
    """The lowest port the kernel hands out to outgoing connections (32768 when it cannot be read)."""
    try:
        return int(Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 32768


def free_port_block(n: int, *, seed: int) -> int:
    """The first of `n` consecutive loopback ports that are free now, chosen below the ephemeral range.

    A block inside the ephemeral range can be taken by any outgoing connection (another test worker's
    HTTP client, a database client) between this check and the server's bind; below it only listeners
    compete. Still a check, not a reservation: a caller that starts servers on the block should retry
    on another block when a bind fails.
    """
    rng = random.Random(seed)
    high = max(_ephemeral_low(), 12_000 + n)
    for _ in range(200):  # bounded
        base = rng.randrange(10_000, high - n)
        if all(port_free(port) for port in range(base, base + n)):
            return base
    raise RuntimeError(f"no block of {n} free ports on 127.0.0.1")


class _Server(uvicorn.Server):
    def install_signal_handlers(self) -> None:  # the test process keeps its own handlers
        pass


@contextlib.contextmanager
def serve(app: Any, *, port: int | None = None, startup_timeout: float = 15.0,
          keep_alive_s: int = 5) -> Iterator[str]:
    """Serve `app` with uvicorn in a background thread; yield its base URL (http://127.0.0.1:PORT).

    `keep_alive_s` is how long an idle keep-alive connection stays open (uvicorn's default is 5 s).
    """
    port = port or free_port()
    config = uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on",
                            timeout_keep_alive=keep_alive_s)
    server = _Server(config)
    thread = threading.Thread(target=server.run, name=f"uvicorn-{port}", daemon=True)
    thread.start()
    deadline = time.monotonic() + startup_timeout
    while not server.started:
        if not thread.is_alive():
            raise RuntimeError(f"server on port {port} failed to start")
        if time.monotonic() > deadline:
            raise TimeoutError(f"server on port {port} did not start within {startup_timeout} s")
        time.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        server.force_exit = True  # do not wait for hung requests (fault-injection tests leave some)
        thread.join(timeout=10)
