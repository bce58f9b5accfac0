"""Run ASGI apps on real loopback ports, so tests talk to them over real HTTP."""

from __future__ import annotations

import contextlib
import socket
import threading
import time
from collections.abc import Iterator
from typing import Any

import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


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
