"""`create_app(settings)`: the cases subgraph over the hub's own store.

Routes: `POST/GET /graphql`, `GET /health`, and the plain HTTP file routes for files too large for
a base64 mutation: `POST /files` (raw request body; optional `x-content-sm3` header = the hash
taken at capture, checked on arrival) answers `{"sm3", "size", "fileRef"}`; `GET /files/{sm3}`
returns the stored bytes if the file belongs to no case or to a case the caller may see.

The caller of every request is the gateway-verified context of a signed call; the DEV ONLY
`x-hub-dev-user` header (see `devauth`) counts only on unsigned calls to an app configured with
`allow_dev_header` (the dev profile). What a caller sees and changes: `subgraphs.cases.access`.
`/graphql` also serves `Subscription.caseChanged` over WebSocket (`subgraphs.cases.live`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

import httpx
from sqlalchemy import exists, or_, select
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.applications import Starlette
from starlette.requests import HTTPConnection, Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route
from starlette.websockets import WebSocket

from subgraphs.cases.access import CaseAccess, access_of
from subgraphs.cases.aggregates import RecordStore
from subgraphs.cases.blobs import BlobStore, check_sm3
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.context import CasesContext, CasesResources
from subgraphs.cases.devauth import DEV_HINT
from subgraphs.cases.documents import CaseFiles, register_seal_key
from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.errors import BlobError
from subgraphs.cases.facts import StoreFacts
from subgraphs.cases.live import case_change_feed, tailing
from subgraphs.cases.outbox.config import OutboxConfig
from subgraphs.cases.rows import CaseRow, DocumentRow, EvidenceRow
from subgraphs.cases.schema import build_schema
from subgraphs.cases.seal import load_or_create
from subgraphs.cases.service import CaseService
from subgraphs.cases.uploads import UploadSessions
from subgraphs.common.app import build_subgraph_app
from subgraphs.common.db import create_engine
from subgraphs.common.metrics import OutboxMetrics, SubgraphMetrics
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault

NAME = "cases"
log = logging.getLogger("subgraphs.cases")


@contextlib.asynccontextmanager
async def open_resources(config: CasesConfig, metrics: OutboxMetrics | None = None,
                         ) -> AsyncIterator[CasesResources]:
    if config.migrate_on_start:
        await upgrade(config.database_url)
    calendar = WorkingCalendar.from_directory(config.calendar_dir)
    deadlines = load_config(config.deadlines_file)
    engine = create_engine(config.database_url)
    try:
        seal_key = load_or_create(config.seal_key_file)  # DEV ONLY key file; production: 密码机
        await register_seal_key(engine, seal_key, now=datetime.now(UTC))
        blobs = BlobStore(config.blob_dir)
        uploads = UploadSessions(blobs, max_bytes=config.max_upload_bytes)
        uploads.sweep()
        facts = StoreFacts(engine, calendar, deadlines, ttl_s=config.facts_ttl_s)
        service = CaseService(engine, facts, publicity=config.outbox.publicity)
        changes = case_change_feed(queue_size=config.live_queue) if config.live_interval_s > 0 else None
        async with _delivering(engine, config.outbox, metrics), tailing(engine, changes, config.live_interval_s):
            yield CasesResources(config=config, engine=engine, service=service,
                                 files=CaseFiles(service, blobs, seal_key), blobs=blobs,
                                 vault=PseudonymVault(engine, config.id_hash_secret),
                                 records=RecordStore(engine, facts), uploads=uploads, changes=changes)
    finally:
        await engine.dispose()


@contextlib.asynccontextmanager
async def _delivering(engine: AsyncEngine, outbox: OutboxConfig, metrics: OutboxMetrics | None,
                      ) -> AsyncIterator[None]:
    """Run the outbox relay for the app's lifetime, when a receiver is configured."""
    if not outbox.enabled:
        yield
        return
    stop = asyncio.Event()
    async with httpx.AsyncClient(timeout=outbox.timeout_s) as client:
        relay = outbox.relay(engine, client, metrics=metrics)
        task = asyncio.create_task(relay.run(stop, interval_s=outbox.interval_s), name="outbox-relay")
        log.info("outbox relay delivering %s every %.1f s", ", ".join(d.topic for d in outbox.destinations),
                 outbox.interval_s)
        try:
            yield
        finally:
            stop.set()
            await task


def _resources(request: Request) -> CasesResources | None:
    holder: dict[str, Any] = request.app.state.resources
    res = holder.get("resources")
    return res if isinstance(res, CasesResources) else None


def _caller_error(request: Request, res: CasesResources) -> tuple[CaseAccess, Response | None]:
    access = access_of(request, allow_dev_header=res.config.allow_dev_header)
    if access.error is not None:
        return access, JSONResponse({"error": "BAD_USER_INPUT", "message": access.error}, status_code=400)
    if access.actor_id is None:
        hint = DEV_HINT if res.config.allow_dev_header else "a signed call is needed"
        return access, JSONResponse({"error": "UNAUTHENTICATED", "message": hint}, status_code=401)
    return access, None


async def _file_visible(res: CasesResources, access: CaseAccess, sm3: str) -> bool:
    """A stored file is visible when no case uses it yet, or some case using it is in scope."""
    scope = access.condition(CaseRow.body_uscc, CaseRow.region_code)
    if scope is None:
        return True
    used = [select(DocumentRow.case_id).where(DocumentRow.sm3 == sm3),
            select(EvidenceRow.case_id).where(EvidenceRow.sm3 == sm3)]
    async with res.engine.connect() as conn:
        attached = any([(await conn.execute(q.limit(1))).first() is not None for q in used])
        if not attached:
            return True
        seen = select(exists().where(or_(CaseRow.id.in_(used[0]), CaseRow.id.in_(used[1]))).where(scope))
        return bool((await conn.execute(seen)).scalar())


async def upload(request: Request) -> Response:
    res = _resources(request)
    if res is None:
        return JSONResponse({"error": "STARTING"}, status_code=503)
    access, refused = _caller_error(request, res)
    if refused is not None:
        return refused
    if not access.writer:
        return JSONResponse({"error": "FORBIDDEN", "message": "this caller may not add case files"}, status_code=403)
    try:
        stored = await res.blobs.put_stream(request.stream(), max_bytes=res.config.max_upload_bytes,
                                            expected_sm3=request.headers.get("x-content-sm3"))
    except BlobError as exc:
        return JSONResponse({"error": exc.code, "message": str(exc)}, status_code=422)
    return JSONResponse({"sm3": stored.sm3, "size": stored.size, "fileRef": stored.file_ref}, status_code=201)


async def download(request: Request) -> Response:
    res = _resources(request)
    if res is None:
        return JSONResponse({"error": "STARTING"}, status_code=503)
    access, refused = _caller_error(request, res)
    if refused is not None:
        return refused
    try:
        digest = check_sm3(str(request.path_params["sm3"]))
    except BlobError as exc:
        return JSONResponse({"error": exc.code, "message": str(exc)}, status_code=404)
    if not await _file_visible(res, access, digest):
        return JSONResponse({"error": BlobError.code, "message": "no such file"}, status_code=404)
    try:
        data = res.blobs.get(request.path_params["sm3"])
    except BlobError as exc:
        return JSONResponse({"error": exc.code, "message": str(exc)}, status_code=404)
    return Response(data, media_type="application/octet-stream")


def create_app(settings: Any = None, *, config: CasesConfig | None = None) -> Starlette:
    cfg = config or CasesConfig.from_settings(settings)

    async def context(res: CasesResources, request: HTTPConnection) -> CasesContext:
        return CasesContext.build(res, access_of(request, allow_dev_header=res.config.allow_dev_header))

    async def ws_context(res: CasesResources, websocket: WebSocket) -> CasesContext:
        return await context(res, websocket)  # the caller of the signed upgrade (`ws_security`)

    recorder = SubgraphMetrics(NAME)
    outbox_metrics = OutboxMetrics(recorder.registry)
    app = build_subgraph_app(name=NAME, schema=build_schema(), resources=lambda: open_resources(cfg, outbox_metrics),
                             context=context, recorder=recorder, ws_context=ws_context)
    app.router.routes.append(Route("/files", upload, methods=["POST"]))
    app.router.routes.append(Route("/files/{sm3}", download, methods=["GET"]))
    return app


def from_settings(settings: Any, *, migrate: bool = True) -> Starlette:
    """The app as `hub subgraph cases` and `hub up` run it: configured from the hub's settings."""
    return create_app(settings, config=CasesConfig.from_settings(settings).with_(migrate_on_start=migrate))
