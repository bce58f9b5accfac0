"""The simulated public-security population system (人口库): a legacy REST/JSON service.

Every call carries the API key in `X-Api-Key`; ID numbers travel only in POST bodies.

    POST /rkk/v1/person/query   {"GMSFHM": "..."}           -> {"CODE":"0000","DATA":{...}|null}
    POST /rkk/v1/person/batch   {"GMSFHM_LIST": [...]} (<=50) -> {"CODE":"0000","DATA":[...],"NOT_FOUND":[...]}
    GET  /rkk/v1/person/page?page=1&size=100&xzqh=445102      -> {"CODE":"0000","TOTAL":n,"PAGE":p,"DATA":[...]}
    POST /rkk/v1/person/search  {"XM":"陈*","PAGE":1,"SIZE":100} -> same shape as page

`size`/`SIZE` is 1..500 (default 100). `xzqh` ending in "00" selects the whole city or province.
`XM` ending in `*` is a prefix; otherwise the name must match exactly.

Errors use the system's own shape `{"CODE": ..., "MSG": ...}`: E400 bad request (400), E401 bad or
missing key (401), E413 more than 50 IDs in a batch (400), E503 injected fault (503).
Operations counted: query, batch, page, search.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
from collections.abc import AsyncIterator
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from simulators.base import Fault, SimConfig, SimulatorRuntime, gate_admin
from simulators.population.records import mask_id
from simulators.population.store import Page, PersonStore

SYSTEM = "population"
DEFAULT_API_KEY = "population-dev-key"
BATCH_LIMIT = 50
MAX_PAGE_SIZE = 500
DEFAULT_PAGE_SIZE = 100

log = logging.getLogger("simulators.population")


class LegacyError(Exception):
    """A request the legacy system refuses; rendered as `{"CODE": code, "MSG": message}`."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def _answer(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


class PopulationApi:
    """Request handlers over one `PersonStore`; each handler counts its operation first."""

    def __init__(self, store: PersonStore, runtime: SimulatorRuntime, api_key: str) -> None:
        self.store = store
        self.runtime = runtime
        self._api_key = api_key.encode()

    async def _enter(self, request: Request, operation: str) -> None:
        self.runtime.count(operation)
        try:
            await self.runtime.apply_faults()
        except Fault as exc:
            raise LegacyError(503, "E503", f"service unavailable: {exc}") from exc
        given = request.headers.get("x-api-key", "").encode()
        if not given or not hmac.compare_digest(given, self._api_key):
            raise LegacyError(401, "E401", "invalid or missing api key")

    async def query(self, request: Request) -> Response:
        await self._enter(request, "query")
        body = await _json_object(request)
        id_number = body.get("GMSFHM")
        if not isinstance(id_number, str) or not id_number:
            raise LegacyError(400, "E400", "GMSFHM is required")
        record = self.store.get(id_number)
        log.debug("query %s found=%s", mask_id(id_number), record is not None)
        return _answer({"CODE": "0000", "DATA": record})

    async def batch(self, request: Request) -> Response:
        await self._enter(request, "batch")
        body = await _json_object(request)
        ids = body.get("GMSFHM_LIST")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            raise LegacyError(400, "E400", "GMSFHM_LIST must be a list of strings")
        if len(ids) > BATCH_LIMIT:
            raise LegacyError(400, "E413", f"batch limit {BATCH_LIMIT} exceeded")
        found: list[dict[str, Any]] = []
        missing: list[str] = []
        for id_number in dict.fromkeys(ids):
            record = self.store.get(id_number)
            if record is None:
                missing.append(id_number)
            else:
                found.append(record)
        log.debug("batch of %d: %d found", len(ids), len(found))
        return _answer({"CODE": "0000", "DATA": found, "NOT_FOUND": missing})

    async def page(self, request: Request) -> Response:
        await self._enter(request, "page")
        params = request.query_params
        page = _positive_int(params.get("page"), "page", 1)
        size = _page_size(params.get("size"))
        region = params.get("xzqh") or None
        if region is not None and not (region.isdigit() and len(region) == 6):
            raise LegacyError(400, "E400", "xzqh must be a 6-digit region code")
        return _paged(self.store.page(region=region, page=page, size=size), page)

    async def search(self, request: Request) -> Response:
        await self._enter(request, "search")
        body = await _json_object(request)
        pattern = body.get("XM")
        if not isinstance(pattern, str) or not pattern.strip("*"):
            raise LegacyError(400, "E400", "XM is required")
        prefix = pattern.endswith("*")
        name = pattern[:-1] if prefix else pattern
        if "*" in name:
            raise LegacyError(400, "E400", "only a trailing * is supported in XM")
        page = _positive_int(body.get("PAGE"), "PAGE", 1)
        size = _page_size(body.get("SIZE"))
        return _paged(self.store.search(name=name, prefix=prefix, page=page, size=size), page)


def _paged(result: Page, page: int) -> Response:
    return _answer({"CODE": "0000", "TOTAL": result.total, "PAGE": page, "DATA": result.records})


async def _json_object(request: Request) -> dict[str, Any]:
    try:
        body = orjson.loads(await request.body())
    except orjson.JSONDecodeError as exc:
        raise LegacyError(400, "E400", "request body is not valid JSON") from exc
    if not isinstance(body, dict):
        raise LegacyError(400, "E400", "request body must be a JSON object")
    return body


def _positive_int(value: Any, name: str, default: int) -> int:
    if value is None or value == "":
        return default
    if isinstance(value, bool | float) or not isinstance(value, int | str):
        raise LegacyError(400, "E400", f"{name} must be an integer")
    try:
        number = int(value)
    except ValueError as exc:
        raise LegacyError(400, "E400", f"{name} must be an integer") from exc
    if number < 1:
        raise LegacyError(400, "E400", f"{name} must be at least 1")
    return number


def _page_size(value: Any) -> int:
    size = _positive_int(value, "size", DEFAULT_PAGE_SIZE)
    if size > MAX_PAGE_SIZE:
        raise LegacyError(400, "E400", f"size must be at most {MAX_PAGE_SIZE}")
    return size


async def _legacy_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, LegacyError)
    return _answer({"CODE": exc.code, "MSG": exc.message}, exc.status)


async def _not_found(_: Request, __: Exception) -> Response:
    return JSONResponse({"CODE": "E404", "MSG": "no such interface"}, status_code=404)


def create_app(config: SimConfig) -> Starlette:
    """The population system over `config.data_dir/persons.jsonl` (and optional corrupt.jsonl)."""
    store = PersonStore(config.data_dir)
    runtime = SimulatorRuntime(SYSTEM, config.knobs, config.random_seed)
    api = PopulationApi(store, runtime, config.credentials.get("api_key", DEFAULT_API_KEY))

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        store.load()
        log.info("population system ready: %d persons", len(store))
        try:
            yield
        finally:
            store.close()

    routes = [
        *runtime.admin_routes(),
        Route("/rkk/v1/person/query", api.query, methods=["POST"]),
        Route("/rkk/v1/person/batch", api.batch, methods=["POST"]),
        Route("/rkk/v1/person/page", api.page, methods=["GET"]),
        Route("/rkk/v1/person/search", api.search, methods=["POST"]),
    ]
    app = Starlette(
        routes=routes,
        lifespan=lifespan,
        exception_handlers={LegacyError: _legacy_error, 404: _not_found},
    )
    app.state.runtime = runtime
    app.state.store = store
    return gate_admin(app, config)
