"""In-process CPU profile of the gateway on the benchmark TestQuery.

Starts the four memoised benchmark subgraphs on free loopback ports, writes the benchmark supergraph with
those ports, and then measures CPU milliseconds per request in one of two ways:

* ``--mode asgi`` (default): the gateway app runs in this process and is called as an ASGI app with minimal
  receive/send callables, so almost all CPU time measured is the gateway's own (planning is cached after
  the first request). ``--profile cprofile`` or ``--profile pyinstrument`` adds a profile summary.
* ``--mode server``: ``hub gateway`` runs as its own process and is driven over HTTP by a keep-alive
  client here; the gateway process's CPU time (utime + stime from /proc) per request is reported, which
  includes the HTTP server layer (uvicorn) too.

    python bench/profile_gateway.py [--requests 300] [--mode asgi|server] [--profile none|cprofile|pyinstrument]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import io
import json
import os
import pstats
import re
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.support.benchdata import TEST_QUERY  # noqa: E402
from bench.support.memo_server import NAMES  # noqa: E402
from bench.support.procs import free_port, started, wait_until  # noqa: E402

FIXTURE = ROOT / "tests" / "gateway" / "fixtures" / "benchmark.graphql"
BODY = json.dumps({"query": TEST_QUERY, "operationName": "TestQuery"}).encode()


@contextlib.contextmanager
def subgraphs(logs: Path) -> Iterator[dict[str, int]]:
    ports = {n: free_port() for n in NAMES}
    with contextlib.ExitStack() as stack:
        for n, p in ports.items():
            stack.enter_context(started([sys.executable, "-m", "bench.support.memo_server", n, str(p)], cwd=ROOT,
                                        log=logs / f"sub-{n}.log"))
        with httpx.Client(timeout=5) as client:
            for n, p in ports.items():
                url = f"http://127.0.0.1:{p}/health"

                def up(url: str = url) -> bool:
                    return client.get(url).status_code == 200

                wait_until(up, f"subgraph {n}")
        yield ports


def supergraph_for(ports: dict[str, int], path: Path) -> Path:
    """The checked-in benchmark supergraph with its subgraph URLs pointed at ``ports``."""
    text = FIXTURE.read_text(encoding="utf-8")

    def sub(m: re.Match[str]) -> str:
        return f'name: "{m.group(1)}", url: "http://127.0.0.1:{ports[m.group(1)]}/graphql"'

    path.write_text(re.sub(r'name: "(\w+)", url: "[^"]*"', sub, text), encoding="utf-8")
    return path


class AsgiDriver:
    """Calls an ASGI app directly: one lifespan, then POST /graphql requests with a fixed body."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self._lifespan: asyncio.Task[None] | None = None
        self._to_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self._from_app: asyncio.Queue[dict[str, Any]] = asyncio.Queue()

    async def start(self) -> None:
        async def receive() -> dict[str, Any]:
            return await self._to_app.get()

        async def send(message: dict[str, Any]) -> None:
            await self._from_app.put(message)

        scope = {"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}
        self._lifespan = asyncio.create_task(self.app(scope, receive, send))
        await self._to_app.put({"type": "lifespan.startup"})
        message = await asyncio.wait_for(self._from_app.get(), 30)
        if message["type"] != "lifespan.startup.complete":
            raise RuntimeError(f"gateway did not start: {message}")

    async def stop(self) -> None:
        await self._to_app.put({"type": "lifespan.shutdown"})
        await asyncio.wait_for(self._from_app.get(), 30)
        if self._lifespan is not None:
            await asyncio.wait_for(self._lifespan, 30)

    async def post(self, body: bytes) -> tuple[int, bytes]:
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST",
                 "scheme": "http", "path": "/graphql", "raw_path": b"/graphql", "query_string": b"",
                 "root_path": "", "headers": [(b"host", b"127.0.0.1"), (b"content-type", b"application/json"),
                                              (b"content-length", str(len(body)).encode())],
                 "client": ("127.0.0.1", 1), "server": ("127.0.0.1", 80), "state": {}}
        sent = False
        status = 0
        chunks: list[bytes] = []

        async def receive() -> dict[str, Any]:
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            await asyncio.sleep(3600)
            return {"type": "http.disconnect"}

        async def send(message: dict[str, Any]) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            elif message["type"] == "http.response.body":
                chunks.append(message.get("body", b""))

        await self.app(scope, receive, send)
        return status, b"".join(chunks)


async def run_asgi(supergraph: Path, requests: int, concurrency: int, profile: str, top: int,
                   secure: bool = False, dedupe: bool = False) -> None:
    from gateway.app import create_app

    if secure:  # what `hub gateway` serves: the security extensions of the settings' profile
        from gateway.secure import create_secure_app
        from hub.audit import gateway_security
        from hub.settings import load_settings

        settings = load_settings(data_dir=Path(tempfile.mkdtemp(prefix="hub-profile-")))
        config, access_log = gateway_security(settings)
        app = create_secure_app(str(supergraph), config, access_log=access_log,
                                local_subgraphs=settings.security.audit.local_subgraphs, poll_interval_s=None,
                                dedupe_inflight=dedupe)
    else:
        app = create_app(str(supergraph), poll_interval_s=None, dedupe_inflight=dedupe)
    driver = AsgiDriver(app)
    await driver.start()
    try:
        status, first = await driver.post(BODY)
        answer = json.loads(first)
        if status != 200 or "errors" in answer:
            raise SystemExit(f"TestQuery failed: {status} {first[:300]!r}")
        print(f"TestQuery response: {len(first) / 1024:.1f} KB")
        for _ in range(20):  # warm the plan cache, the pools and the allocator
            await driver.post(BODY)

        async def batch(n: int) -> None:
            left = n

            async def worker() -> None:
                nonlocal left
                while left > 0:
                    left -= 1
                    status, out = await driver.post(BODY)
                    if status != 200:
                        raise SystemExit(f"request failed: {status} {out[:200]!r}")

            await asyncio.gather(*(worker() for _ in range(concurrency)))

        cpu0, wall0 = time.process_time(), time.perf_counter()
        await batch(requests)
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        print(f"asgi: {requests} requests, concurrency {concurrency}: {cpu * 1000 / requests:.3f} CPU ms/request, "
              f"{wall * 1000 / requests:.3f} wall ms/request")
        if profile == "cprofile":
            prof = cProfile.Profile(time.process_time)  # CPU time, not wall time: the machine may be busy
            prof.enable()
            await batch(requests)
            prof.disable()
            out = io.StringIO()
            stats = pstats.Stats(prof, stream=out)
            stats.sort_stats("tottime").print_stats(top)
            stats.sort_stats("cumulative").print_stats(top)
            print(out.getvalue())
        elif profile == "pyinstrument":
            from pyinstrument import Profiler  # a local profiling aid, not a project dependency

            profiler = Profiler(interval=0.0002, async_mode="enabled")
            profiler.start()
            await batch(requests)
            profiler.stop()
            print(profiler.output_text(unicode=False, color=False, show_all=False))
    finally:
        await driver.stop()


def _cpu_seconds(pid: int) -> tuple[float, float]:
    """(user, system) CPU seconds of a process."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    tick = os.sysconf("SC_CLK_TCK")
    return int(fields[11]) / tick, int(fields[12]) / tick


def run_server(supergraph: Path, requests: int, logs: Path) -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}/graphql"
    cmd = [sys.executable, "-m", "hub", "gateway", "--supergraph", str(supergraph), "--port", str(port)]
    with started(cmd, cwd=ROOT, log=logs / "gateway.log") as proc, httpx.Client(timeout=30) as client:
        headers = {"content-type": "application/json"}
        wait_until(lambda: client.post(url, content=BODY, headers=headers).status_code == 200, "gateway", 90)
        for _ in range(20):
            client.post(url, content=BODY, headers=headers)
        (user0, sys0), wall0 = _cpu_seconds(proc.pid), time.perf_counter()
        for _ in range(requests):
            r = client.post(url, content=BODY, headers=headers)
            if r.status_code != 200:
                raise SystemExit(f"request failed: {r.status_code}")
        (user1, sys1), wall = _cpu_seconds(proc.pid), time.perf_counter() - wall0
        user, system = (user1 - user0) * 1000 / requests, (sys1 - sys0) * 1000 / requests
        print(f"server: {requests} sequential requests: gateway process {user + system:.3f} CPU ms/request "
              f"(user {user:.3f}, system {system:.3f}), {wall * 1000 / requests:.3f} wall ms/request")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=1, help="concurrent requests (asgi mode)")
    parser.add_argument("--mode", choices=("asgi", "server"), default="asgi")
    parser.add_argument("--profile", choices=("none", "cprofile", "pyinstrument"), default="none")
    parser.add_argument("--top", type=int, default=30)
    parser.add_argument("--secure", action="store_true", help="asgi mode: the app `hub gateway` serves")
    parser.add_argument("--dedupe", action="store_true",
                        help="asgi mode: de-duplication on (with --concurrency > 1 identical requests share answers)")
    args = parser.parse_args()
    logs = Path(tempfile.mkdtemp(prefix="hub-profile-"))
    with subgraphs(logs) as ports:
        supergraph = supergraph_for(ports, logs / "supergraph.graphql")
        if args.mode == "asgi":
            asyncio.run(run_asgi(supergraph, args.requests, args.concurrency, args.profile, args.top, args.secure,
                                 args.dedupe))
        else:
            run_server(supergraph, args.requests, logs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
