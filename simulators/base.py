"""What every simulated system shares: fault knobs, a call counter, health and admin endpoints.

Each simulator is a Starlette app built by `create_app(config)`. `SimulatorRuntime` holds its knobs
(latency, error rate, hang rate — set per process at start and changeable over the admin API) and
counts the calls it receives, per operation, so tests can check batching.

Health, always served:
    GET  /health                -> 200 {"status": "ok", "system": NAME}

Admin API (no credentials; loopback only). Served only when the simulator is started with it on
(`SimConfig.admin`: ``hub sim NAME --admin`` or ``SIM_ADMIN=1``; `hub up` in dev turns it on);
otherwise every ``/__admin/...`` path answers 404, whichever simulator adds it:
    GET  /__admin/calls         -> {"total": N, "by_operation": {...}}
    POST /__admin/reset         -> zero the counters
    GET  /__admin/knobs         -> current knobs
    PUT  /__admin/knobs         -> change knobs, body {"latency_ms": .., "error_rate": .., "hang_rate": .., "down": bool}
    GET  /__admin/traceparents  -> {"received": [...]}: the W3C `traceparent` of the last calls that had one
"""

from __future__ import annotations

import asyncio
import os
import random
import threading
from collections import Counter, deque
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.types import ASGIApp, Receive, Scope, Send

#: the environment variable that turns the admin API on (``1``, ``true``, ``yes`` or ``on``)
ADMIN_ENV = "SIM_ADMIN"
ADMIN_PREFIX = "/__admin"

#: How long a "hang" lasts: longer than any client timeout, short enough that a test run ends.
HANG_SECONDS = 30.0


@dataclass
class Knobs:
    latency_ms: float = 0.0
    error_rate: float = 0.0
    hang_rate: float = 0.0
    down: bool = False

    def validate(self) -> None:
        if self.latency_ms < 0:
            raise ValueError("latency_ms must be >= 0")
        for name in ("error_rate", "hang_rate"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"{name} must be between 0 and 1")


@dataclass
class SimConfig:
    """What a simulator needs to start: where the seeded data lives, credentials and knobs."""

    data_dir: Path
    knobs: Knobs = field(default_factory=Knobs)
    credentials: dict[str, str] = field(default_factory=dict)
    random_seed: int = 0
    #: serve the admin API (`/__admin/...`): knobs, counters, key rotation, file drops. Off unless asked for.
    admin: bool = False


def admin_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Whether `SIM_ADMIN` asks for the admin API."""
    value = (os.environ if environ is None else environ).get(ADMIN_ENV, "")
    return value.strip().lower() in {"1", "true", "yes", "on"}


class _AdminGate:
    """Answers 404 for every `/__admin` path, so no simulator's admin route is reachable."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = "/" + str(scope.get("path", "")).lstrip("/").lower() if scope["type"] in {"http", "websocket"} else ""
        if path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/"):
            if scope["type"] == "http":
                await JSONResponse({"error": "not found"}, status_code=404)(scope, receive, send)
            return
        await self.app(scope, receive, send)


#: how many received `traceparent` headers a simulator keeps for `/__admin/traceparents`
TRACEPARENTS_KEPT = 200


class _TraceparentLog:
    """Keeps the `traceparent` header of the last calls (what a traced caller sent this system)."""

    def __init__(self, app: ASGIApp, received: deque[str]) -> None:
        self.app = app
        self.received = received

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            for name, value in scope["headers"]:
                if name.lower() == b"traceparent":
                    self.received.append(value.decode("latin-1"))
        await self.app(scope, receive, send)


def gate_admin(app: Starlette, config: SimConfig) -> Starlette:
    """`app` with its admin API closed unless `config.admin` (every simulator's `create_app` ends with it);
    open, it also serves the trace context its callers sent (``GET /__admin/traceparents``)."""
    if not config.admin:
        app.add_middleware(_AdminGate)
        return app
    received: deque[str] = deque(maxlen=TRACEPARENTS_KEPT)

    async def traceparents(_: Request) -> Response:
        return JSONResponse({"received": list(received)})

    app.router.routes.append(Route(f"{ADMIN_PREFIX}/traceparents", traceparents, methods=["GET"]))
    app.add_middleware(_TraceparentLog, received=received)
    return app


class Fault(Exception):
    """An injected failure: the simulator answers with its own legacy error shape."""


class SimulatorRuntime:
    """Knobs and counters of one simulator process. Thread-safe: counters are read from tests."""

    def __init__(self, system: str, knobs: Knobs | None = None, random_seed: int = 0) -> None:
        self.system = system
        self.knobs = knobs or Knobs()
        self.knobs.validate()
        self._calls: Counter[str] = Counter()
        self._lock = threading.Lock()
        self._rng = random.Random(random_seed)

    def count(self, operation: str) -> None:
        with self._lock:
            self._calls[operation] += 1

    def calls(self) -> dict[str, Any]:
        with self._lock:
            return {"total": sum(self._calls.values()), "by_operation": dict(self._calls)}

    def reset(self) -> None:
        with self._lock:
            self._calls.clear()

    async def apply_faults(self) -> None:
        """Sleep, hang or raise `Fault` as the knobs say. Call once per counted request."""
        knobs = self.knobs
        if knobs.down:
            raise Fault("system is down (injected)")
        if knobs.latency_ms:
            await asyncio.sleep(knobs.latency_ms / 1000.0)
        with self._lock:
            hang = knobs.hang_rate and self._rng.random() < knobs.hang_rate
            fail = knobs.error_rate and self._rng.random() < knobs.error_rate
        if hang:
            await asyncio.sleep(HANG_SECONDS)
        if fail:
            raise Fault("internal error (injected)")

    def admin_routes(self) -> list[Route]:
        async def health(_: Request) -> Response:
            return JSONResponse({"status": "ok", "system": self.system})

        async def calls(_: Request) -> Response:
            return JSONResponse(self.calls())

        async def reset(_: Request) -> Response:
            self.reset()
            return JSONResponse(self.calls())

        async def knobs(request: Request) -> Response:
            if request.method == "PUT":
                try:
                    body = await request.json()
                    merged = {**asdict(self.knobs), **body}
                    new = Knobs(
                        latency_ms=float(merged["latency_ms"]),
                        error_rate=float(merged["error_rate"]),
                        hang_rate=float(merged["hang_rate"]),
                        down=bool(merged["down"]),
                    )
                    new.validate()
                except (ValueError, TypeError, KeyError) as exc:
                    return JSONResponse({"error": f"bad knobs: {exc}"}, status_code=400)
                self.knobs = new
            return JSONResponse(asdict(self.knobs))

        return [
            Route("/health", health, methods=["GET"]),
            Route("/__admin/calls", calls, methods=["GET"]),
            Route("/__admin/reset", reset, methods=["POST"]),
            Route("/__admin/knobs", knobs, methods=["GET", "PUT"]),
        ]


Handler = Callable[[Request], Awaitable[Response]]
