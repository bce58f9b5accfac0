"""`create_app(settings)`: the cases subgraph over the hub's own store.

Routes: `POST/GET /graphql`, `GET /health`, and the plain HTTP file routes for files too large for
a base64 mutation: `POST /files` (raw request body; optional `x-content-sm3` header = the hash
taken at capture, checked on arrival) answers `{"sm3", "size", "fileRef"}`; `GET /files/{sm3}`
returns the stored bytes. Both need the DEV ONLY `x-hub-dev-user` header (see `devauth`).
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from subgraphs.cases.aggregates import RecordStore
from subgraphs.cases.blobs import BlobStore
from subgraphs.cases.config import CasesConfig
from subgraphs.cases.context import CasesContext, CasesResources
from subgraphs.cases.devauth import HEADER, DevUserError, parse_dev_user
from subgraphs.cases.documents import CaseFiles, register_seal_key
from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.cases.errors import BlobError
from subgraphs.cases.facts import StoreFacts
from subgraphs.cases.schema import build_schema
from subgraphs.cases.seal import load_or_create
from subgraphs.cases.service import CaseService
from subgraphs.common.app import build_subgraph_app
from subgraphs.common.db import create_engine
from subgraphs.common.migrate import upgrade
from subgraphs.common.vault import PseudonymVault

NAME = "cases"
log = logging.getLogger("subgraphs.cases")


@contextlib.asynccontextmanager
async def open_resources(config: CasesConfig) -> AsyncIterator[CasesResources]:
    if config.migrate_on_start:
        await upgrade(config.database_url)
    calendar = WorkingCalendar.from_directory(config.calendar_dir)
    deadlines = load_config(config.deadlines_file)
    engine = create_engine(config.database_url)
    try:
        seal_key = load_or_create(config.seal_key_file)  # DEV ONLY key file; production: 密码机
        await register_seal_key(engine, seal_key, now=datetime.now(UTC))
        blobs = BlobStore(config.blob_dir)
        facts = StoreFacts(engine, calendar, deadlines, ttl_s=config.facts_ttl_s)
        service = CaseService(engine, facts)
        yield CasesResources(config=config, engine=engine, service=service,
                             files=CaseFiles(service, blobs, seal_key), blobs=blobs,
                             vault=PseudonymVault(engine, config.id_hash_secret), records=RecordStore(engine, facts))
    finally:
        await engine.dispose()


def _resources(request: Request) -> CasesResources | None:
    holder: dict[str, Any] = request.app.state.resources
    res = holder.get("resources")
    return res if isinstance(res, CasesResources) else None


def _caller_error(request: Request) -> Response | None:
    try:
        user = parse_dev_user(request.headers.get(HEADER))
    except DevUserError as exc:
        return JSONResponse({"error": "BAD_USER_INPUT", "message": str(exc)}, status_code=400)
    if user is None:
        return JSONResponse({"error": "UNAUTHENTICATED", "message": f"DEV ONLY: send the {HEADER} header"},
                            status_code=401)
    return None


async def upload(request: Request) -> Response:
    res = _resources(request)
    if res is None:
        return JSONResponse({"error": "STARTING"}, status_code=503)
    refused = _caller_error(request)
    if refused is not None:
        return refused
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
    refused = _caller_error(request)
    if refused is not None:
        return refused
    try:
        data = res.blobs.get(request.path_params["sm3"])
    except BlobError as exc:
        return JSONResponse({"error": exc.code, "message": str(exc)}, status_code=404)
    return Response(data, media_type="application/octet-stream")


def create_app(settings: Any = None, *, config: CasesConfig | None = None) -> Starlette:
    cfg = config or CasesConfig.from_settings(settings)

    async def context(res: CasesResources, request: Request) -> CasesContext:
        try:
            user, error = parse_dev_user(request.headers.get(HEADER)), None
        except DevUserError as exc:
            user, error = None, str(exc)
        return CasesContext.build(res, user, error)

    app = build_subgraph_app(name=NAME, schema=build_schema(), resources=lambda: open_resources(cfg),
                             context=context)
    app.router.routes.append(Route("/files", upload, methods=["POST"]))
    app.router.routes.append(Route("/files/{sm3}", download, methods=["GET"]))
    return app


def from_settings(settings: Any, *, migrate: bool = True) -> Starlette:
    """The app as `hub subgraph cases` and `hub up` run it: configured from the hub's settings."""
    return create_app(settings, config=CasesConfig.from_settings(settings).with_(migrate_on_start=migrate))
