"""HTTP transport to subgraphs: one pooled keep-alive client, per-subgraph timeouts, optional de-duplication."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Mapping
from http import HTTPStatus
from time import perf_counter
from typing import TYPE_CHECKING, Any

import httpx
import orjson

from gateway.errors import SubgraphError, SubgraphUnavailable, SubrequestHttpError, SubrequestTimeout
from gateway.execution.http import (
    ConnectFailed,
    ConnectionLost,
    HttpClient,
    HttpClientError,
    ProtocolViolation,
    ResponseTimeout,
)
from telemetry.spans import client_call

if TYPE_CHECKING:
    from gateway.metrics import GatewayMetrics

_JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}
#: what a de-duplicated call's waiters get when the request that made it was cancelled
_HANDOVER: Any = object()
_MAX_HANDOVERS = 3


class SubgraphTransport:
    """Posts GraphQL requests to subgraphs over the lean pooled :class:`HttpClient`.

    ``client`` is used instead only with ``use_client=True`` (a faked wire in tests, or a proxy setup);
    otherwise the transport owns its pool (``max_connections`` per subgraph origin) and ``aclose`` closes it.
    ``dedupe_inflight`` lets identical concurrent query requests (same subgraph, same body, same headers)
    share one HTTP call; mutations are never shared. With ``metrics``, every HTTP call is timed per
    subgraph and a failed one counted by kind (a shared de-duplicated call counts once).
    """

    def __init__(self, client: httpx.AsyncClient | None = None, *, timeout_s: float = 10.0,
                 timeouts: Mapping[str, float] | None = None, dedupe_inflight: bool = False,
                 use_client: bool = False, max_connections: int = 256,
                 dedupe_ignore_headers: Iterable[str] = (), metrics: GatewayMetrics | None = None) -> None:
        if use_client and client is None:
            raise ValueError("use_client needs an httpx client")
        self.client = client
        self.use_client = use_client
        self.http = HttpClient(max_per_origin=max_connections)
        self.timeout_s = timeout_s
        self.timeouts = dict(timeouts or {})
        self.dedupe_inflight = dedupe_inflight
        self.metrics = metrics
        #: per-call headers (a nonce, a timestamp, a signature) that must not split identical requests;
        #: whatever identifies the caller stays in the key, so callers never share each other's answers
        self.dedupe_ignore = frozenset(h.lower() for h in dedupe_ignore_headers)
        self._inflight: dict[tuple[str, bytes, tuple[tuple[str, str], ...]], asyncio.Future[Any]] = {}

    async def aclose(self) -> None:
        """Close the pooled subgraph connections (the app's lifespan calls this at shutdown)."""
        await self.http.aclose()

    async def post(self, service: str, url: str, body: bytes, headers: Mapping[str, str] | None = None, *,
                   is_mutation: bool = False) -> dict[str, Any]:
        if not self.dedupe_inflight or is_mutation:
            return await self._post(service, url, body, headers, is_mutation)
        key = (service, body, tuple(sorted((k, v) for k, v in (headers or {}).items()
                                           if k.lower() not in self.dedupe_ignore)))
        for _ in range(_MAX_HANDOVERS):
            existing = self._inflight.get(key)
            if existing is None:
                break
            shared = await asyncio.shield(existing)
            if shared is not _HANDOVER:
                result: dict[str, Any] = shared
                return result
            # the request that made the call was cancelled before its answer: look again, one of us calls
        else:
            return await self._post(service, url, body, headers, is_mutation)  # handed over too often: alone
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await self._post(service, url, body, headers, is_mutation)
        except Exception as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        except BaseException:  # cancelled: never hand a cancellation to the requests that wait for this call
            if not future.done():
                future.set_result(_HANDOVER)
            raise
        else:
            future.set_result(result)
            return result
        finally:
            if self._inflight.get(key) is future:
                del self._inflight[key]

    async def _post(self, service: str, url: str, body: bytes, headers: Mapping[str, str] | None,
                    is_mutation: bool) -> dict[str, Any]:
        # one CLIENT span per HTTP call; its W3C trace context and the request id travel on to the subgraph
        with client_call(f"fetch {service}", system=service, attributes={"hub.subgraph": service}) as (_, trace):
            return await self._metered(service, url, body, {**(headers or {}), **trace}, is_mutation)

    async def _metered(self, service: str, url: str, body: bytes, headers: Mapping[str, str] | None,
                       is_mutation: bool) -> dict[str, Any]:
        metrics = self.metrics
        if metrics is None:
            return await self._exchange(service, url, body, headers, is_mutation)
        started = perf_counter()
        try:
            payload = await self._exchange(service, url, body, headers, is_mutation)
        except SubgraphError as exc:
            metrics.record_fetch(service, perf_counter() - started, exc)
            raise
        metrics.record_fetch(service, perf_counter() - started)
        return payload

    async def _exchange(self, service: str, url: str, body: bytes, headers: Mapping[str, str] | None,
                        is_mutation: bool) -> dict[str, Any]:
        timeout = self.timeouts.get(service, self.timeout_s)
        if self.use_client:
            status, reason, content = await self._post_httpx(service, url, body, headers, timeout)
        else:
            try:
                response = await self.http.post(url, body, headers, timeout_s=timeout, idempotent=not is_mutation)
            except ResponseTimeout as exc:
                raise SubrequestTimeout(f"Subgraph {service} did not answer within {timeout:g} s",
                                        service=service) from exc
            except ProtocolViolation as exc:
                raise SubrequestHttpError(f"Subgraph {service} answered with invalid HTTP: {exc}",
                                          service=service) from exc
            except (ConnectFailed, ConnectionLost, HttpClientError) as exc:
                raise SubgraphUnavailable(f"Subgraph {service} is unavailable: {type(exc).__name__}: {exc}",
                                          service=service) from exc
            status, reason, content = response.status, response.reason, response.body
        try:
            payload = orjson.loads(content)
        except orjson.JSONDecodeError:
            payload = None
        if status >= 300:
            detail = ""
            if isinstance(payload, dict) and isinstance(payload.get("errors"), list) and payload["errors"]:
                first = payload["errors"][0]
                if isinstance(first, dict) and isinstance(first.get("message"), str):
                    detail = ": " + first["message"]
            raise SubrequestHttpError(f"HTTP fetch failed from '{service}': {status}"
                                      f" {reason or _phrase(status)}{detail}", service=service, status=status)
        if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
            raise SubrequestHttpError(f"Subgraph {service} answered with a body that is not a GraphQL response",
                                      service=service, status=status)
        return payload

    async def _post_httpx(self, service: str, url: str, body: bytes, headers: Mapping[str, str] | None,
                          timeout_s: float) -> tuple[int, str, bytes]:
        assert self.client is not None
        all_headers = dict(_JSON_HEADERS)
        if headers:
            all_headers.update(headers)
        try:
            response = await asyncio.wait_for(
                self.client.post(url, content=body, headers=all_headers, timeout=timeout_s), timeout_s)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise SubrequestTimeout(f"Subgraph {service} did not answer within {timeout_s:g} s",
                                    service=service) from exc
        except httpx.TransportError as exc:
            raise SubgraphUnavailable(f"Subgraph {service} is unavailable: {type(exc).__name__}",
                                      service=service) from exc
        return response.status_code, response.reason_phrase, response.content


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return ""
