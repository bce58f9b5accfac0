"""Adapter over the national enterprise registry: signed camelCase REST -> `LegalEntity`.

Every call is signed: `X-App-Key`, `X-Timestamp` (epoch ms) and `X-Signature` = hex
HMAC-SHA256(app_secret, app_key + timestamp + raw body). The registry is used for entities
registered outside the city, and as a fallback for the city's own.

    POST /api/v2/enterprise/batch   {"codes": [...]} (at most 100) -> data, missing
    GET  /api/v2/enterprise/search  ?name=&page=&pageSize=         -> data, total
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import httpx
import orjson

from adapters.batching import fetch_in_chunks
from adapters.errors import SourceUnavailable
from adapters.legal_entities import to_legal_entity
from adapters.mapping import Mapping, load_mapping
from adapters.resilience import Resilient
from adapters.rest.http import json_object, send
from adapters.soap.market import EntityPage
from domain.entities import LegalEntity

SOURCE = "national_credit"
BATCH_PATH = "/api/v2/enterprise/batch"
SEARCH_PATH = "/api/v2/enterprise/search"


def signature(*, app_secret: str, app_key: str, timestamp: str, body: bytes) -> str:
    return hmac.new(app_secret.encode(), app_key.encode() + timestamp.encode() + body, hashlib.sha256).hexdigest()


class NationalCreditAdapter:
    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        app_key: str,
        app_secret: str,
        resilient: Resilient,
        mapping: Mapping | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        clock_ms: Callable[[], int] = lambda: int(time.time() * 1000),
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._app_key = app_key
        self._app_secret = app_secret
        self._resilient = resilient
        self._mapping = mapping or load_mapping("national_credit")
        self._clock = clock
        self._clock_ms = clock_ms
        self.batch_limit = min(int(self._mapping.options.get("batch_limit", 100)), max(resilient.policy.batch_limit, 1))
        self.page_size_limit = int(self._mapping.options.get("page_size_limit", 100))
        self.data_source = str(self._mapping.options.get("data_source", SOURCE))

    def _signed(self, method: str, path: str, *, body: bytes = b"", params: dict[str, str] | None = None) -> httpx.Request:
        timestamp = str(self._clock_ms())
        headers = {
            "X-App-Key": self._app_key,
            "X-Timestamp": timestamp,
            "X-Signature": signature(app_secret=self._app_secret, app_key=self._app_key, timestamp=timestamp, body=body),
            "Content-Type": "application/json",
        }
        return self._client.build_request(method, self._base + path, content=body or None, params=params,
                                          headers=headers)

    async def _call(self, method: str, path: str, *, body: bytes = b"", params: dict[str, str] | None = None) -> dict[str, Any]:
        async def once() -> dict[str, Any]:
            # signed per attempt: a retry gets a fresh timestamp
            answer = json_object(SOURCE, await send(self._client, SOURCE, self._signed(method, path, body=body, params=params)))
            if answer.get("code") != 0:
                raise SourceUnavailable(SOURCE, f"answered with code {answer.get('code')!r}")
            return answer

        return await self._resilient.call(once)

    async def fetch_many(self, codes: Sequence[str]) -> dict[str, LegalEntity | Exception]:
        return await fetch_in_chunks(codes, self.batch_limit, self._batch)

    async def _batch(self, chunk: list[str]) -> dict[str, LegalEntity | Exception]:
        answer = await self._call("POST", BATCH_PATH, body=orjson.dumps({"codes": chunk}))
        data = answer.get("data")
        if not isinstance(data, list):
            raise SourceUnavailable(SOURCE, "batch answer without data")
        fetched_at = self._clock()
        wanted = set(chunk)
        out: dict[str, LegalEntity | Exception] = {}
        for record in data:
            code = str(record.get("unifiedCode") or "").strip().upper() if isinstance(record, dict) else ""
            if code in wanted:
                out[code] = to_legal_entity(self._mapping, record, fetched_at=fetched_at,
                                            data_source=self.data_source, requested=code)
        return out

    async def search(self, *, name: str, page: int, size: int) -> EntityPage:
        size = max(1, min(size, self.page_size_limit))
        answer = await self._call("GET", SEARCH_PATH, params={"name": name, "page": str(page), "pageSize": str(size)})
        data, total = answer.get("data"), answer.get("total")
        if not isinstance(data, list) or not isinstance(total, int):
            raise SourceUnavailable(SOURCE, "search answer without data or total")
        fetched_at = self._clock()
        records = [to_legal_entity(self._mapping, r, fetched_at=fetched_at, data_source=self.data_source)
                   for r in data if isinstance(r, dict)]
        return EntityPage(total=total, page=page, size=size, records=records)
