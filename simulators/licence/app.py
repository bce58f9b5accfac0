"""Starlette app of the licensing system's legacy database: the hub reads the SQLite file, not HTTP.

    GET /health          200 once the database is built: {"status": "ok", "database": path, "rows": n, ...};
                         503 while building or while `down`; 500 if the build failed
    GET /__admin/dsn     read-only connection strings (SQLAlchemy sync and async, sqlite3 URI)
    plus /__admin/calls, /__admin/reset, /__admin/knobs from `simulators.base`

Call counting: SQLite cannot tell us about another process's reads, so `/__admin/calls` counts only the
calls this app serves ("health", "dsn"). Reads of the database are counted on the reading side (the
adapter's SQLAlchemy engine events). Knob effects on the database are described in `faults.py`; a small
background task watches the knobs and applies changes within `WATCH_INTERVAL` seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sqlite3
from collections.abc import AsyncIterator
from dataclasses import dataclass

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.base import SimConfig, SimulatorRuntime, gate_admin
from simulators.licence.build import DB_FILE, BuildError, Database, build
from simulators.licence.dsn import read_only_dsn
from simulators.licence.faults import DatabaseFaults, recover_aside
from simulators.licence.schema import MAIN_TABLE

SYSTEM = "licence"
WATCH_INTERVAL = 0.05
log = logging.getLogger("simulators.licence")


@dataclass
class _State:
    database: Database | None = None
    error: str | None = None
    faults: DatabaseFaults | None = None


async def _watch_knobs(runtime: SimulatorRuntime, faults: DatabaseFaults) -> None:
    """Keep the database's fault state in line with the knobs until cancelled."""
    last_error = ""
    while True:
        down = runtime.knobs.down
        hang = runtime.knobs.hang_rate > 0
        if (down, hang) != (faults.down, faults.locked):
            try:
                await asyncio.to_thread(faults.apply, down=down, hang=hang)
                last_error = ""
            except (sqlite3.Error, OSError) as exc:  # readers mid-statement: try again next tick
                if str(exc) != last_error:
                    log.warning("licence fault change deferred: %s", exc)
                last_error = str(exc)
        await asyncio.sleep(WATCH_INTERVAL)


def create_app(config: SimConfig) -> Starlette:
    runtime = SimulatorRuntime(SYSTEM, config.knobs, config.random_seed)
    state = _State()
    db_path = config.data_dir / DB_FILE

    async def prepare() -> None:
        try:
            recover_aside(db_path)
            state.database = await asyncio.to_thread(build, config.data_dir)
        except (BuildError, sqlite3.Error, OSError) as exc:
            state.error = str(exc)
            log.error("licence database build failed: %s", exc)
            return
        log.info("licence database ready: %d rows (rebuilt: %s)", state.database.rows, state.database.rebuilt)
        state.faults = DatabaseFaults(state.database.path)
        await _watch_knobs(runtime, state.faults)

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(prepare(), name="licence-db")
        try:
            yield
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
            if state.faults is not None:
                await asyncio.to_thread(state.faults.apply, down=False, hang=False)

    async def health(_: Request) -> Response:
        runtime.count("health")
        if state.error is not None:
            return JSONResponse({"status": "failed", "system": SYSTEM, "error": state.error}, 500)
        if state.database is None or state.faults is None:
            return JSONResponse({"status": "building", "system": SYSTEM}, 503)
        body = {
            "system": SYSTEM, "database": str(state.database.path), "table": MAIN_TABLE,
            "rows": state.database.rows, "down": state.faults.down, "locked": state.faults.locked,
        }
        if state.faults.down:
            return JSONResponse({"status": "down", **body}, 503)
        return JSONResponse({"status": "ok", **body})

    async def dsn(_: Request) -> Response:
        runtime.count("dsn")
        urls = read_only_dsn(db_path)
        return JSONResponse({"url": urls.url, "async_url": urls.async_url, "sqlite_uri": urls.sqlite_uri,
                             "table": MAIN_TABLE, "ready": state.database is not None})

    routes = [
        Route("/health", health, methods=["GET"]),  # before the shared routes: it reports the database
        Route("/__admin/dsn", dsn, methods=["GET"]),
        *runtime.admin_routes(),
    ]
    app = Starlette(routes=routes, lifespan=lifespan)
    app.state.runtime = runtime
    return gate_admin(app, config)
