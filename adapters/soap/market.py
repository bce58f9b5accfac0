"""Adapter over the city market-regulation registry (法人库): SOAP 1.1 `EntRegService` -> `LegalEntity`.

    QueryEntByCodes   <tyshxydm>… (at most 20)            -> <total>, <ent>…
    SearchEntByName   <qymc>, <page>, <pageSize> (<= 50)  -> <total>, <page>, <pageSize>, <ent>…

Every call carries a WS-Security UsernameToken (PasswordText). Records are mapped by `market.toml`
and validated by `adapters.legal_entities`. Faults: see `adapters.soap.envelope`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

import httpx
from lxml import etree

from adapters.batching import fetch_in_chunks
from adapters.errors import MalformedRecord, SourceUnavailable
from adapters.legal_entities import to_legal_entity
from adapters.mapping import Mapping, load_mapping
from adapters.resilience import Resilient
from adapters.soap.envelope import CONTENT_TYPE, UsernameToken, request_envelope, response_payload
from domain.entities import LegalEntity

SOURCE = "legal_person"
TNS = "http://scjg.chaozhou.example/ws/entreg"
SERVICE_PATH = "/ws/EntRegService"


def _tns(local: str) -> str:
    return f"{{{TNS}}}{local}"


@dataclass(frozen=True)
class EntityPage:
    total: int
    page: int
    size: int
    records: list[LegalEntity | MalformedRecord]

    @property
    def has_more(self) -> bool:
        return self.page * self.size < self.total


class MarketRegistryAdapter:
    """Reads the city registry. The `httpx.AsyncClient` belongs to the app's lifespan."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        token: UsernameToken,
        resilient: Resilient,
        mapping: Mapping | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._client = client
        self._url = base_url.rstrip("/") + SERVICE_PATH
        self._token = token
        self._resilient = resilient
        self._mapping = mapping or load_mapping("market")
        self._clock = clock
        self.batch_limit = min(int(self._mapping.options.get("batch_limit", 20)), resilient.policy.batch_limit)
        self.page_size_limit = int(self._mapping.options.get("page_size_limit", 50))
        self.data_source = str(self._mapping.options.get("data_source", SOURCE))

    async def fetch_many(self, codes: Sequence[str]) -> dict[str, LegalEntity | Exception]:
        """Entities by USCC, `batch_limit` per call, calls made concurrently; absent = not registered here."""
        return await fetch_in_chunks(codes, self.batch_limit, self._query)

    async def _query(self, chunk: list[str]) -> dict[str, LegalEntity | Exception]:
        payload = etree.Element(_tns("QueryEntByCodes"), nsmap={"er": TNS})
        for code in chunk:
            etree.SubElement(payload, _tns("tyshxydm")).text = code
        answer = await self._call("QueryEntByCodes", payload)
        fetched_at = self._clock()
        wanted = set(chunk)
        out: dict[str, LegalEntity | Exception] = {}
        for ent in answer.findall(_tns("ent")):
            record = _record(ent)
            code = (record.get("TYSHXYDM") or "").strip().upper()
            if code not in wanted:
                continue
            out[code] = to_legal_entity(self._mapping, record, fetched_at=fetched_at,
                                        data_source=self.data_source, requested=code)
        return out

    async def search(self, *, name: str, page: int, size: int) -> EntityPage:
        size = max(1, min(size, self.page_size_limit))
        payload = etree.Element(_tns("SearchEntByName"), nsmap={"er": TNS})
        etree.SubElement(payload, _tns("qymc")).text = name
        etree.SubElement(payload, _tns("page")).text = str(page)
        etree.SubElement(payload, _tns("pageSize")).text = str(size)
        answer = await self._call("SearchEntByName", payload)
        fetched_at = self._clock()
        try:
            total = int(answer.findtext(_tns("total")) or "")
        except ValueError as exc:
            raise SourceUnavailable(SOURCE, "search answer without a total") from exc
        records = [
            to_legal_entity(self._mapping, _record(ent), fetched_at=fetched_at, data_source=self.data_source)
            for ent in answer.findall(_tns("ent"))
        ]
        return EntityPage(total=total, page=page, size=size, records=records)

    async def _call(self, operation: str, payload: etree._Element) -> etree._Element:
        envelope = request_envelope(payload, self._token)

        async def once() -> etree._Element:
            try:
                response = await self._client.post(
                    self._url, content=envelope,
                    headers={"Content-Type": CONTENT_TYPE, "SOAPAction": f'"{TNS}/{operation}"'},
                )
            except httpx.TimeoutException as exc:
                raise SourceUnavailable(SOURCE, "timed out") from exc
            except httpx.TransportError as exc:
                raise SourceUnavailable(SOURCE, f"connection failed ({type(exc).__name__})") from exc
            return response_payload(SOURCE, response.status_code, response.content)

        return await self._resilient.call(once)


def _record(ent: etree._Element) -> dict[str, str]:
    """An <ent> element as {legacy element name: text}."""
    return {etree.QName(child).localname: (child.text or "") for child in ent if isinstance(child.tag, str)}
