"""Adapter over the city market-regulation registry (法人库): SOAP 1.1 `EntRegService` -> `LegalEntity`.

    QueryEntByCodes      <tyshxydm>… (at most 20)                 -> <total>, <ent>…
    SearchEntByName      <qymc>, <page>, <pageSize> (<= 50)       -> <total>, <page>, <pageSize>, <ent>…
    QueryEntByCondition  <djzt>…, <ztlb>, <xzqh>, <qymc>, <qsdm>,  -> <total>, <pageSize>, <more>, <ent>…
                         <pageSize> (<= 50)

`select` runs an `EntityCriteria` at the registry with QueryEntByCondition: statuses and category go
as the registry's codes (the mapping's code tables read backwards), the region as a code prefix, and
pages follow each other by the last TYSHXYDM (keyset); a page longer than the registry's limit is
read in several calls, the total taken from the first.

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
from adapters.errors import MalformedRecord, SourceTimeout, SourceUnavailable
from adapters.legal_entities import check_status_dates, to_legal_entity
from adapters.mapping import Mapping, load_mapping
from adapters.resilience import Resilient
from adapters.soap.envelope import CONTENT_TYPE, UsernameToken, request_envelope, response_payload
from domain.entities import EntityStatus, LegalEntity
from telemetry.spans import client_call, set_status_code

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


@dataclass(frozen=True)
class EntityCriteria:
    """A listing of the registry; None / empty means "any". `category` is the 双公示 value (个体工商户)."""

    statuses: tuple[EntityStatus, ...] = ()
    category: str | None = None
    region_prefix: str | None = None
    name_contains: str | None = None


@dataclass(frozen=True)
class EntityListing:
    """One page of a listing: `total` counts every match at the registry; `last_code` is where the next
    page starts (the last record read, malformed or not); `more` whether records follow."""

    total: int
    records: list[LegalEntity | MalformedRecord]
    last_code: str | None
    more: bool


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
        check_status_dates(self._mapping)
        self._status_codes = self._mapping.reverse_codes(self._mapping.rule("status").table or "status")
        self._category_codes = self._mapping.reverse_codes(
            self._mapping.rule("entity_category").table or "subject_category")

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

    async def select(self, criteria: EntityCriteria, *, after: str | None, limit: int) -> EntityListing:
        """Up to `limit` records matching `criteria` after the TYSHXYDM `after`, in TYSHXYDM order."""
        status_codes = [code for s in criteria.statuses for code in self._status_codes.get(s.value, [])]
        category_codes = self._category_codes.get(criteria.category, []) if criteria.category else []
        if (criteria.statuses and not status_codes) or (criteria.category and not category_codes):
            return EntityListing(total=0, records=[], last_code=None, more=False)  # no such code here
        total: int | None = None
        records: list[LegalEntity | MalformedRecord] = []
        more = True
        cursor = after
        while more and len(records) < limit:
            size = min(self.page_size_limit, limit - len(records))
            payload = etree.Element(_tns("QueryEntByCondition"), nsmap={"er": TNS})
            for code in dict.fromkeys(status_codes):
                etree.SubElement(payload, _tns("djzt")).text = code
            if category_codes:
                etree.SubElement(payload, _tns("ztlb")).text = category_codes[0]
            for name, value in (("xzqh", criteria.region_prefix), ("qymc", criteria.name_contains), ("qsdm", cursor)):
                if value:
                    etree.SubElement(payload, _tns(name)).text = value
            etree.SubElement(payload, _tns("pageSize")).text = str(size)
            answer = await self._call("QueryEntByCondition", payload)
            fetched_at = self._clock()
            try:
                page_total = int(answer.findtext(_tns("total")) or "")
            except ValueError as exc:
                raise SourceUnavailable(SOURCE, "listing answer without a total") from exc
            total = page_total if total is None else total
            more = (answer.findtext(_tns("more")) or "").strip() == "true"
            ents = [_record(ent) for ent in answer.findall(_tns("ent"))]
            if more and not ents:
                raise SourceUnavailable(SOURCE, "listing answer says more but holds no records")
            for record in ents:
                records.append(to_legal_entity(self._mapping, record, fetched_at=fetched_at,
                                               data_source=self.data_source))
                cursor = (record.get("TYSHXYDM") or "").strip()
        return EntityListing(total=total or 0, records=records, last_code=cursor if more else None, more=more)

    async def _call(self, operation: str, payload: etree._Element) -> etree._Element:
        envelope = request_envelope(payload, self._token)

        async def once() -> etree._Element:
            # a CLIENT span per attempt, named by the SOAP operation; the registry receives its traceparent
            with client_call(f"{SOURCE} {operation}", system=SOURCE, attributes={"rpc.method": operation}) as (
                    span, trace):
                try:
                    response = await self._client.post(
                        self._url, content=envelope,
                        headers={"Content-Type": CONTENT_TYPE, "SOAPAction": f'"{TNS}/{operation}"', **trace},
                    )
                except httpx.TimeoutException as exc:
                    raise SourceTimeout(SOURCE, "timed out") from exc
                except httpx.TransportError as exc:
                    raise SourceUnavailable(SOURCE, f"connection failed ({type(exc).__name__})") from exc
                set_status_code(span, response.status_code)
                return response_payload(SOURCE, response.status_code, response.content)

        return await self._resilient.call(once)


def _record(ent: etree._Element) -> dict[str, str]:
    """An <ent> element as {legacy element name: text}."""
    return {etree.QName(child).localname: (child.text or "") for child in ent if isinstance(child.tag, str)}
