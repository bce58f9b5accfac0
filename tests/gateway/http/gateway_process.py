"""`hub gateway` as its own process on a loopback port, in the dev profile, over the committed supergraph."""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx

from tests.support.servers import free_port

SUPERGRAPH = Path(__file__).resolve().parents[3] / "schema" / "supergraph.graphql"
STARTUP_TIMEOUT_S = 60.0  # a bound, not a speed target: test workers share two cores
ATTEMPTS = 3  # a port found free can be taken before the gateway binds it: try another


@contextlib.contextmanager
def hub_gateway(work: Path) -> Iterator[str]:
    """Start ``python -m hub gateway`` (the subgraphs need not run); yield its base URL; stop it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HUB_")}
    env.update(HUB_DATA_DIR=str(work), PYTHONUNBUFFERED="1")
    log = work / "gateway.log"
    for _attempt in range(ATTEMPTS):
        port = free_port()
        with open(log, "w") as out:
            proc = subprocess.Popen([sys.executable, "-m", "hub", "gateway", "--supergraph", str(SUPERGRAPH),
                                     "--port", str(port)], cwd=work, env=env, stdout=out, stderr=subprocess.STDOUT)
        try:
            url = f"http://127.0.0.1:{port}"
            if _healthy(url, proc):
                yield url
                return
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)
        if "address already in use" not in log.read_text(encoding="utf-8", errors="replace"):
            break
    raise AssertionError(f"hub gateway did not come up:\n{log.read_text(encoding='utf-8', errors='replace')}")


def _healthy(url: str, proc: subprocess.Popen[bytes]) -> bool:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    with httpx.Client(timeout=2.0) as client:
        while time.monotonic() < deadline and proc.poll() is None:
            with contextlib.suppress(httpx.HTTPError):
                if client.get(url + "/health").status_code == 200:
                    return True
            time.sleep(0.2)
    return False
