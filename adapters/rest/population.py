"""Adapter over the public-security population system (人口库): legacy REST/JSON -> `Person`.

Protocol (the system's own): `X-Api-Key` header; ID numbers only in POST bodies.

    POST /rkk/v1/person/batch   {"GMSFHM_LIST": [...]} (at most 50)  -> DATA + NOT_FOUND
    GET  /rkk/v1/person/page    ?page=&size=&xzqh=                   -> TOTAL, PAGE, DATA
    POST /rkk/v1/person/search  {"XM": "陈*", "PAGE": p, "SIZE": s}  -> TOTAL, PAGE, DATA

Every record goes through the declarative mapping `population.toml` and is then validated (GB 11643
check character and birth date, birth date agreeing with the ID): a record that fails becomes a
`MalformedRecord` for that record only, keyed by the masked ID number. Transport failures, timeouts
and 5xx are `SourceUnavailable`; 400/401 are `SourceRejected` (see `adapters.rest.http`).
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import httpx

from adapters.errors import MalformedRecord, SourceError, SourceUnavailable
from adapters.mapping import Mapping, load_mapping
from adapters.resilience import Resilient
from adapters.rest.http import json_object, send
from domain.entities import Gender, IdType, Person, Provenance
from domain.identifiers import birth_date_of, validate_resident_id
from domain.masking import mask_id_number

log = logging.getLogger("adapters.population")

SOURCE = "population"
BATCH_LIMIT = 50
MAX_PAGE_SIZE = 500
OK = "0000"

BATCH_PATH = "/rkk/v1/person/batch"
PAGE_PATH = "/rkk/v1/person/page"
SEARCH_PATH = "/rkk/v1/person/search"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


@dataclass(frozen=True)
class PersonPage:
    """One upstream page: every record either a `Person` or the `MalformedRecord` it produced."""

    total: int
    page: int
    size: int
    records: list[Person | MalformedRecord]

    @property
    def has_more(self) -> bool:
        return self.page * self.size < self.total


class PopulationAdapter:
    """Reads persons from the population system. The `httpx.AsyncClient` belongs to the app's lifespan."""

    def __init__(
        self,
        client: httpx.AsyncClient,
        *,
        base_url: str,
        api_key: str,
        resilient: Resilient,
        mapping: Mapping | None = None,
        clock: Clock = utcnow,
    ) -> None:
        self._client = client
        self._base = base_url.rstrip("/")
        self._api_key = api_key
        self._resilient = resilient
        self._mapping = mapping or load_mapping("population")
        self._clock = clock
        self.batch_limit = min(BATCH_LIMIT, resilient.policy.batch_limit)
        self.data_source = str(self._mapping.options.get("data_source", SOURCE))
        self.id_type = IdType(str(self._mapping.options.get("id_type", IdType.RESIDENT_ID.value)))

    # -- look-ups by ID number ---------------------------------------------------------------

    async def fetch_many(self, id_numbers: Sequence[str]) -> dict[str, Person | Exception]:
        """Persons for these ID numbers, at most `batch_limit` per call, chunks fetched concurrently.

        A missing person is absent from the result; a malformed record is a `MalformedRecord` value;
        a chunk whose call failed maps each of its keys to that `SourceError`.
        """
        unique = list(dict.fromkeys(id_numbers))
        chunks = [unique[i : i + self.batch_limit] for i in range(0, len(unique), self.batch_limit)]
        results = await asyncio.gather(*(self._batch(chunk) for chunk in chunks), return_exceptions=True)
        out: dict[str, Person | Exception] = {}
        for chunk, result in zip(chunks, results, strict=True):
            if isinstance(result, SourceError):
                for key in chunk:
                    out[key] = result
            elif isinstance(result, BaseException):
                raise result
            else:
                out.update(result)
        return out

    async def get(self, id_number: str) -> Person | None:
        """One person, or None when the system does not know the number; raises `SourceError`."""
        found = (await self.fetch_many([id_number])).get(id_number)
        if isinstance(found, Exception):
            raise found
        return found

    async def _batch(self, chunk: list[str]) -> dict[str, Person | Exception]:
        async def call() -> dict[str, Any]:
            request = self._client.build_request(
                "POST", self._base + BATCH_PATH, json={"GMSFHM_LIST": chunk}, headers=self._headers()
            )
            return self._checked(json_object(SOURCE, await send(self._client, SOURCE, request)))

        body = await self._resilient.call(call)
        fetched_at = self._clock()
        data = body.get("DATA")
        missing = body.get("NOT_FOUND") or []
        if not isinstance(data, list) or not isinstance(missing, list):
            raise SourceUnavailable(SOURCE, "batch answer lacks DATA or NOT_FOUND lists")
        # The system answers found records in request order; pair them with what was asked for, so a
        # record served under another (corrupted) number is still reported against the right key.
        absent = {str(m) for m in missing}
        asked = [key for key in chunk if key not in absent]
        if len(asked) != len(data):
            raise SourceUnavailable(SOURCE, "batch answer does not match the request")
        out: dict[str, Person | Exception] = {}
        for key, record in zip(asked, data, strict=True):
            out[key] = self.to_person(record, fetched_at=fetched_at, requested=key)
        log.debug("population batch: %d asked, %d found", len(chunk), len(data))
        return out

    # -- paging and search -------------------------------------------------------------------

    async def page(self, *, region_code: str | None, page: int, size: int) -> PersonPage:
        params: dict[str, str | int] = {"page": page, "size": _size(size)}
        if region_code:
            params["xzqh"] = region_code

        async def call() -> dict[str, Any]:
            request = self._client.build_request("GET", self._base + PAGE_PATH, params=params,
                                                 headers=self._headers())
            return self._checked(json_object(SOURCE, await send(self._client, SOURCE, request)))

        return self._page(await self._resilient.call(call), page, _size(size))

    async def search(self, *, name_prefix: str, page: int, size: int) -> PersonPage:
        payload = {"XM": f"{name_prefix}*", "PAGE": page, "SIZE": _size(size)}

        async def call() -> dict[str, Any]:
            request = self._client.build_request("POST", self._base + SEARCH_PATH, json=payload,
                                                 headers=self._headers())
            return self._checked(json_object(SOURCE, await send(self._client, SOURCE, request)))

        return self._page(await self._resilient.call(call), page, _size(size))

    def _page(self, body: dict[str, Any], page: int, size: int) -> PersonPage:
        data = body.get("DATA")
        total = body.get("TOTAL")
        if not isinstance(data, list) or not isinstance(total, int):
            raise SourceUnavailable(SOURCE, "page answer lacks DATA or TOTAL")
        fetched_at = self._clock()
        records = [self.to_person(record, fetched_at=fetched_at) for record in data]
        return PersonPage(total=total, page=page, size=size, records=records)

    # -- mapping and validation --------------------------------------------------------------

    def to_person(self, record: Any, *, fetched_at: datetime, requested: str | None = None) -> Person | MalformedRecord:
        """Map and validate one legacy record; never raises for bad data."""
        if not isinstance(record, dict):
            return MalformedRecord(SOURCE, _key(requested), ["record is not an object"])
        values, problems = self._mapping.apply(record)
        id_number = values.get("id_number")
        key = _key(requested or (id_number if isinstance(id_number, str) else None))
        if isinstance(id_number, str):
            id_number = id_number.upper()
            if requested is not None and id_number != requested.strip().upper():
                problems.append("GMSFHM: served under another number than the one asked for")
            check = validate_resident_id(id_number, today=fetched_at.date())
            problems.extend(f"GMSFHM: {p.code.value}" for p in check.errors)
            birth = values.get("birth_date")
            if check.valid and isinstance(birth, date) and birth != birth_date_of(id_number):
                problems.append("CSRQ: does not agree with the birth date in GMSFHM")
        if problems:
            log.warning("population: malformed record %s: %s", key, "; ".join(problems))
            return MalformedRecord(SOURCE, key, problems)
        assert isinstance(id_number, str)
        return Person(
            id_type=self.id_type,
            id_number=id_number,
            name=values["name"],
            gender=Gender(values["gender"]),
            birth_date=values["birth_date"],
            ethnicity=values.get("ethnicity"),
            nationality=values.get("nationality") or "CHN",
            household_address=values.get("household_address"),
            residence_address=values.get("residence_address"),
            region_code=values.get("region_code"),
            mobile=values.get("mobile"),
            death_flag=bool(values.get("death_flag")),
            provenance=Provenance(data_source=self.data_source, fetched_at=fetched_at),
        )

    def _headers(self) -> dict[str, str]:
        return {"X-Api-Key": self._api_key}

    @staticmethod
    def _checked(body: dict[str, Any]) -> dict[str, Any]:
        code = body.get("CODE")
        if code != OK:
            raise SourceUnavailable(SOURCE, f"answered with code {code!r}")
        return body


def _key(id_number: str | None) -> str:
    return mask_id_number(id_number) if id_number else "(no ID number)"


def _size(size: int) -> int:
    return max(1, min(size, MAX_PAGE_SIZE))
