"""Serve one `hub gateway` application per supergraph from ONE process on one loopback port.

    python -m tests.gateway.differential.hub_host --supergraph A.graphql [--supergraph B.graphql ...]

Gateway i answers under ``/g<i>/`` (``/g0/graphql``, ``/g0/health``); each is built by
:func:`hub.gateway_app.gateway_application`, the same code `hub gateway` serves, with its own data
directory, and runs its own lifespan. Prints ``READY <port>`` when every gateway has started, or
``FAILED <i> <message>`` for a supergraph that could not be served (the others still are). One
process instead of one per fixture: the suite starts in seconds and holds one interpreter's memory.
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import sys
import tempfile
from pathlib import Path
from typing import Any

import uvicorn

from gateway.errors import GatewayError
from hub.gateway_app import gateway_application
from hub.settings import load_settings

Scope = dict[str, Any]


class _Lifespan:
    """Drive one child app's ASGI lifespan by hand (Starlette's Mount does not pass lifespan on)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.inbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.outbox: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.task: asyncio.Task[None] | None = None

    async def _run(self) -> None:
        async def send(message: dict[str, Any]) -> None:
            await self.outbox.put(message)
        await self.app({"type": "lifespan", "asgi": {"version": "3.0"}, "state": {}}, self.inbox.get, send)

    async def start(self) -> None:
        self.task = asyncio.create_task(self._run())
        await self.inbox.put({"type": "lifespan.startup"})
        reply = await asyncio.wait_for(self.outbox.get(), timeout=60)
        if reply["type"] != "lifespan.startup.complete":
            raise RuntimeError(reply.get("message") or "lifespan startup failed")

    async def stop(self) -> None:
        if self.task is None or self.task.done():
            return
        await self.inbox.put({"type": "lifespan.shutdown"})
        try:
            await asyncio.wait_for(self.outbox.get(), timeout=10)
        except TimeoutError:
            self.task.cancel()


class Host:
    """ASGI app: ``/g<i>/rest`` goes to gateway i as ``/rest``."""

    def __init__(self, apps: dict[str, Any]) -> None:
        self.apps = apps
        self.lifespans = [_Lifespan(app) for app in apps.values()]

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            message = await receive()
            if message["type"] == "lifespan.startup":
                try:
                    for lifespan in self.lifespans:
                        await lifespan.start()
                except Exception as exc:  # reported by uvicorn, which then exits
                    await send({"type": "lifespan.startup.failed", "message": str(exc)})
                    return
                await send({"type": "lifespan.startup.complete"})
            message = await receive()
            for lifespan in self.lifespans:
                await lifespan.stop()
            await send({"type": "lifespan.shutdown.complete"})
            return
        path: str = scope.get("path", "")
        head, _, rest = path.lstrip("/").partition("/")
        app = self.apps.get(head)
        if app is None:
            await send({"type": "http.response.start", "status": 404, "headers": [(b"content-type", b"text/plain")]})
            await send({"type": "http.response.body", "body": b"no such gateway"})
            return
        await app({**scope, "path": "/" + rest, "raw_path": ("/" + rest).encode()}, receive, send)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--supergraph", action="append", default=[], required=True)
    args = parser.parse_args(argv)
    settings = load_settings()
    root = Path(tempfile.mkdtemp(prefix="hub-host-"))
    apps: dict[str, Any] = {}
    for i, source in enumerate(args.supergraph):
        own = settings.model_copy(update={"data_dir": root / f"g{i}"})
        try:
            apps[f"g{i}"] = gateway_application(own, source, install_sighup=False)
        except GatewayError as exc:
            print(f"FAILED {i} {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}", flush=True)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    config = uvicorn.Config(Host(apps), log_level="warning", access_log=False, lifespan="on")
    server = uvicorn.Server(config)

    async def serve() -> None:
        task = asyncio.create_task(server.serve(sockets=[sock]))
        for _ in range(6000):  # bounded: 60 s
            if server.started or task.done():
                break
            await asyncio.sleep(0.01)
        if server.started:
            print(f"READY {port}", flush=True)
        await task

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    sys.exit(main())
