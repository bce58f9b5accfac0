"""The simulated national enterprise registry: camelCase REST/JSON with signed requests.

Every call carries `X-App-Key`, `X-Timestamp` (epoch ms, within 5 minutes of the server clock) and
`X-Signature` = hex HMAC-SHA256(app_secret, app_key + timestamp + raw body); see `signature.py`.

    POST /api/v2/enterprise/batch  {"codes": [...]} (<=100)  -> {"code":0,"data":[...],"missing":[...]}
    GET  /api/v2/enterprise/search?name=..&page=1&pageSize=20 -> {"code":0,"data":[...],"total":n,
                                                                  "page":p,"pageSize":s}

It serves every seeded entity: those registered outside the city (`dataSource: "NATIONAL"`) and,
for fallback tests, the city's own (`dataSource: "CITY_MIRROR"`). `search` matches a substring of
the name; `pageSize` is 1..100. Errors: `{"code": <status>, "message": ...}` with HTTP 400 (bad
request or more than 100 codes), 401 (app key, timestamp or signature) or 500 (injected fault).
Operations counted: batch, search.
"""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import orjson
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from simulators.base import Fault, SimConfig, SimulatorRuntime, gate_admin
from simulators.national_credit.signature import SignatureError, verify
from simulators.national_credit.store import EntityStore

SYSTEM = "national_credit"
DEFAULT_APP_KEY = "credit-dev-app"
DEFAULT_APP_SECRET = "credit-dev-secret"
BATCH_LIMIT = 100
MAX_PAGE_SIZE = 100
DEFAULT_PAGE_SIZE = 20

log = logging.getLogger("simulators.national_credit")


class ApiError(Exception):
    """A refused request, rendered as `{"code": status, "message": message}`."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def _answer(payload: dict[str, Any], status: int = 200) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json")


class RegistryApi:
    def __init__(
        self,
        store: EntityStore,
        runtime: SimulatorRuntime,
        *,
        app_key: str,
        app_secret: str,
        clock_ms: Callable[[], int],
    ) -> None:
        self.store = store
        self.runtime = runtime
        self._app_key = app_key
        self._app_secret = app_secret
        self._clock_ms = clock_ms

    async def _enter(self, request: Request, operation: str) -> bytes:
        """Count, inject faults, check the signature; return the raw body that was signed."""
        self.runtime.count(operation)
        try:
            await self.runtime.apply_faults()
        except Fault as exc:
            raise ApiError(500, f"internal server error: {exc}") from exc
        body = await request.body()
        headers = request.headers
        try:
            verify(
                app_key=self._app_key,
                app_secret=self._app_secret,
                given_key=headers.get("x-app-key"),
                timestamp=headers.get("x-timestamp"),
                signature=headers.get("x-signature"),
                body=body,
                now_ms=self._clock_ms(),
            )
        except SignatureError as exc:
            raise ApiError(401, f"authentication failed: {exc}") from exc
        return body

    async def batch(self, request: Request) -> Response:
        raw = await self._enter(request, "batch")
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError as exc:
            raise ApiError(400, "request body is not valid JSON") from exc
        codes = body.get("codes") if isinstance(body, dict) else None
        if not isinstance(codes, list) or not all(isinstance(code, str) for code in codes):
            raise ApiError(400, "codes must be a list of strings")
        if len(codes) > BATCH_LIMIT:
            raise ApiError(400, f"too many codes: at most {BATCH_LIMIT} per batch")
        data: list[dict[str, Any]] = []
        missing: list[str] = []
        for code in dict.fromkeys(codes):
            record = self.store.get(code)
            if record is None:
                missing.append(code)
            else:
                data.append(record)
        log.debug("batch of %d codes: %d found", len(codes), len(data))
        return _answer({"code": 0, "data": data, "missing": missing})

    async def search(self, request: Request) -> Response:
        await self._enter(request, "search")
        params = request.query_params
        name = params.get("name", "").strip()
        if not name:
            raise ApiError(400, "name is required")
        page = _int_param(params.get("page"), "page", 1, 1, None)
        page_size = _int_param(params.get("pageSize"), "pageSize", DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE)
        result = self.store.search(name=name, page=page, page_size=page_size)
        return _answer(
            {"code": 0, "data": result.records, "total": result.total, "page": page, "pageSize": page_size}
        )


def _int_param(value: str | None, name: str, default: int, low: int, high: int | None) -> int:
    if value is None or value == "":
        return default
    if not value.isdigit():
        raise ApiError(400, f"{name} must be a positive integer")
    number = int(value)
    if number < low or (high is not None and number > high):
        bound = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise ApiError(400, f"{name} must be {bound}")
    return number


async def _api_error(_: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return _answer({"code": exc.status, "message": exc.message}, exc.status)


async def _not_found(_: Request, __: Exception) -> Response:
    return _answer({"code": 404, "message": "no such resource"}, 404)


def _now_ms() -> int:
    return int(time.time() * 1000)


def create_app(config: SimConfig) -> Starlette:
    """The national registry over `config.data_dir/entities.jsonl`."""
    store = EntityStore(config.data_dir)
    runtime = SimulatorRuntime(SYSTEM, config.knobs, config.random_seed)
    api = RegistryApi(
        store,
        runtime,
        app_key=config.credentials.get("app_key", DEFAULT_APP_KEY),
        app_secret=config.credentials.get("app_secret", DEFAULT_APP_SECRET),
        clock_ms=_now_ms,
    )

    @contextlib.asynccontextmanager
    async def lifespan(_: Starlette) -> AsyncIterator[None]:
        store.load()
        log.info("national registry ready: %d entities", len(store))
        try:
            yield
        finally:
            store.close()

    app = Starlette(
        routes=[
            *runtime.admin_routes(),
            Route("/api/v2/enterprise/batch", api.batch, methods=["POST"]),
            Route("/api/v2/enterprise/search", api.search, methods=["GET"]),
        ],
        lifespan=lifespan,
        exception_handlers={ApiError: _api_error, 404: _not_found},
    )
    app.state.runtime = runtime
    app.state.store = store
    return gate_admin(app, config)
