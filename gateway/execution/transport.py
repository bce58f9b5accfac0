"""HTTP transport to subgraphs: one pooled keep-alive client, per-subgraph timeouts, optional de-duplication."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from typing import Any

import httpx
import orjson

from gateway.errors import SubgraphUnavailable, SubrequestHttpError, SubrequestTimeout

_JSON_HEADERS = {"content-type": "application/json", "accept": "application/json"}


class SubgraphTransport:
    """Posts GraphQL requests to subgraphs over a shared :class:`httpx.AsyncClient`.

    ``dedupe_inflight`` lets identical concurrent query requests (same subgraph, same body, same headers)
    share one HTTP call; mutations are never shared.
    """

    def __init__(self, client: httpx.AsyncClient, *, timeout_s: float = 10.0,
                 timeouts: Mapping[str, float] | None = None, dedupe_inflight: bool = False) -> None:
        self.client = client
        self.timeout_s = timeout_s
        self.timeouts = dict(timeouts or {})
        self.dedupe_inflight = dedupe_inflight
        self._inflight: dict[tuple[str, bytes, tuple[tuple[str, str], ...]], asyncio.Future[Any]] = {}

    async def post(self, service: str, url: str, body: bytes, headers: Mapping[str, str] | None = None, *,
                   is_mutation: bool = False) -> dict[str, Any]:
        if not self.dedupe_inflight or is_mutation:
            return await self._post(service, url, body, headers)
        key = (service, body, tuple(sorted((headers or {}).items())))
        existing = self._inflight.get(key)
        if existing is not None:
            result: dict[str, Any] = await asyncio.shield(existing)
            return result
        future: asyncio.Future[Any] = asyncio.get_running_loop().create_future()
        self._inflight[key] = future
        try:
            result = await self._post(service, url, body, headers)
        except BaseException as exc:
            if not future.done():
                future.set_exception(exc)
                future.exception()  # mark retrieved: waiters re-raise it themselves
            raise
        else:
            future.set_result(result)
            return result
        finally:
            self._inflight.pop(key, None)

    async def _post(self, service: str, url: str, body: bytes, headers: Mapping[str, str] | None) -> dict[str, Any]:
        timeout = self.timeouts.get(service, self.timeout_s)
        all_headers = dict(_JSON_HEADERS)
        if headers:
            all_headers.update(headers)
        try:
            response = await asyncio.wait_for(
                self.client.post(url, content=body, headers=all_headers, timeout=timeout), timeout)
        except (TimeoutError, httpx.TimeoutException) as exc:
            raise SubrequestTimeout(f"Subgraph {service} did not answer within {timeout:g} s",
                                    service=service) from exc
        except httpx.TransportError as exc:
            raise SubgraphUnavailable(f"Subgraph {service} is unavailable: {type(exc).__name__}",
                                      service=service) from exc
        try:
            payload = orjson.loads(response.content)
        except orjson.JSONDecodeError:
            payload = None
        if response.status_code >= 300:
            detail = ""
            if isinstance(payload, dict) and isinstance(payload.get("errors"), list) and payload["errors"]:
                first = payload["errors"][0]
                if isinstance(first, dict) and isinstance(first.get("message"), str):
                    detail = ": " + first["message"]
            raise SubrequestHttpError(f"HTTP fetch failed from '{service}': {response.status_code}"
                                      f" {response.reason_phrase}{detail}", service=service,
                                      status=response.status_code)
        if not isinstance(payload, dict) or ("data" not in payload and "errors" not in payload):
            raise SubrequestHttpError(f"Subgraph {service} answered with a body that is not a GraphQL response",
                                      service=service, status=response.status_code)
        return payload
