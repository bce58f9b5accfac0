"""`GatewayFacts`: the supervision service reads other subgraphs through the gateway, in batches.

It is a client of the gateway with its own service identity (until the security work lands: the
dev header `x-hub-dev-user` naming the supervision service, plus a bearer token when configured).
It never asks one query per case:

* bodies: `searchEnforcementBodies` paged once per sweep (all bodies, 200 a page), then cached;
* officers: the bodies of a page of cases are fetched together with one request of aliased
  `searchOfficers(bodyUscc: …)` fields (≤ `ALIASES_PER_REQUEST` bodies a request), cached; officers
  still missing (acting outside their case's body) come with one request of aliased `officer(id:)`;
* birth dates: `supervisionPersons(keys: […])` of the supervision subgraph returns `Person`
  references the gateway resolves with one batched `_entities` fetch to the population subgraph.
  If the composed graph lacks the field, the source says so once and the rules fall back to the
  birth date recorded in the case.

`requests` counts the HTTP requests made, for the sweep report and the benchmark.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Collection, Sequence
from datetime import date
from typing import Any, Final

import httpx

from subgraphs.supervision.errors import FactsUnavailable, GatewayUnreachable
from subgraphs.supervision.facts import PersonKey, body_from_json, cert_from_json
from subgraphs.supervision.service_token import ServiceToken
from subgraphs.supervision.view import BodyView, OfficerView
from telemetry.spans import client_call, set_status_code

log = logging.getLogger(__name__)

SERVICE_ID = "SVC-SUPERVISION"
DEV_HEADER = "x-hub-dev-user"
PURPOSE_HEADER = "x-purpose-code"
PURPOSE = "SUPERVISION"
PURPOSE_REF_HEADER = "x-purpose-ref"
PURPOSE_REF = "area:supervised"
PAGE = 200
ALIASES_PER_REQUEST = 50  # more than a person may ask at once: the engine has its own limits (security.client_limits)
PERSONS_PER_REQUEST = 500

_BODY_FIELDS = "uscc level regionCode bodyType entrustedBy itemCodes"

_OFFICER_FIELDS = ("id bodyUscc hasLegalQualification isLegalReviewer "
                   "certificates { certNo status validFrom validTo area categories }")

# The engine's documents are fixed texts, values only in variables, so that each is registered as a
# trusted document at deploy (`hub trusted-documents`): a production gateway runs nothing else. The
# aliased batches have one document per batch size (1 .. ALIASES_PER_REQUEST).
BODIES_QUERY: Final = (f"query($after: String) {{ searchEnforcementBodies(first: {PAGE}, after: $after) "
                       f"{{ items {{ {_BODY_FIELDS} }} nextCursor }} }}")
PERSONS_QUERY: Final = ("query($keys: [PersonKeyInput!]!) { supervisionPersons(keys: $keys) "
                        "{ idType idNumberHash birthDate } }")


def _body_officers_query(n: int) -> str:
    """The officers of `n` bodies, a page each: variables ``u<i>`` (USCC) and ``a<i>`` (cursor or null)."""
    params = ", ".join(f"$u{i}: String!, $a{i}: String" for i in range(n))
    fields = " ".join(f"b{i}: searchOfficers(bodyUscc: $u{i}, includeVanished: true, first: {PAGE}, after: $a{i}) "
                      f"{{ items {{ {_OFFICER_FIELDS} }} nextCursor }}" for i in range(n))
    return f"query({params}) {{ {fields} }}"


def _officers_query(n: int) -> str:
    """`n` officers by id: variables ``o<i>``."""
    params = ", ".join(f"$o{i}: ID!" for i in range(n))
    fields = " ".join(f"o{i}: officer(id: $o{i}) {{ {_OFFICER_FIELDS} }}" for i in range(n))
    return f"query({params}) {{ {fields} }}"


BODY_OFFICERS_QUERIES: Final = tuple(_body_officers_query(n) for n in range(1, ALIASES_PER_REQUEST + 1))
OFFICERS_QUERIES: Final = tuple(_officers_query(n) for n in range(1, ALIASES_PER_REQUEST + 1))
#: every document the engine sends to the gateway
SERVICE_DOCUMENTS: Final = (BODIES_QUERY, PERSONS_QUERY, *BODY_OFFICERS_QUERIES, *OFFICERS_QUERIES)


def _officer(row: dict[str, Any]) -> OfficerView:
    return OfficerView(str(row["id"]), str(row["bodyUscc"]), bool(row.get("hasLegalQualification")),
                       bool(row.get("isLegalReviewer")), False,
                       tuple(cert_from_json(c) for c in row.get("certificates") or ()))


def _chunks(items: Sequence[str], size: int) -> list[Sequence[str]]:
    return [items[i:i + size] for i in range(0, len(items), size)]


class GatewayFacts:
    """Batched, cached reads through the gateway at `url` (…/graphql). The client is the caller's."""

    def __init__(self, client: httpx.AsyncClient, url: str, *, token: str | ServiceToken | None = None) -> None:
        self._client = client
        self._url = url
        self._headers = {"content-type": "application/json", "accept": "application/json",
                         "x-hub-preflight": "supervision",
                         # the purpose of every read, recorded in the gateway's access log (PIPL Arts. 34-35)
                         PURPOSE_HEADER: PURPOSE,
                         # bound to the whole area this engine supervises (its token's region): the
                         # gateway verifies it with the cases subgraph before any clear read
                         PURPOSE_REF_HEADER: PURPOSE_REF,
                         DEV_HEADER: json.dumps({"id": SERVICE_ID, "roles": ["SUPERVISOR", "SERVICE"]})}
        self._token = token if isinstance(token, ServiceToken) else None
        if isinstance(token, str) and token:
            self._headers["authorization"] = f"Bearer {token}"
        self.requests = 0
        self._bodies: dict[str, BodyView] | None = None
        self._officers: dict[str, OfficerView] = {}
        self._bodies_with_officers: set[str] = set()
        self._missing_officers: set[str] = set()
        self._births: dict[PersonKey, date | None] = {}
        self.persons_supported = True

    async def _post(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        for attempt in range(2):  # a refused token is renewed once
            headers = self._headers
            if self._token is not None:
                headers = {**headers, "authorization": f"Bearer {await self._token.get()}"}
            self.requests += 1
            # the engine's call to the gateway is a CLIENT span: its facts queries join the step's trace
            with client_call("gateway query", system="gateway") as (span, trace):
                try:
                    response = await self._client.post(self._url, json={"query": query, "variables": variables or {}},
                                                       headers={**headers, **trace})
                except httpx.HTTPError as exc:
                    raise GatewayUnreachable(f"gateway unreachable: {type(exc).__name__}") from exc
                set_status_code(span, response.status_code)
            if response.status_code == 401 and self._token is not None and attempt == 0:
                self._token.invalidate()
                continue
            break
        if response.status_code in (401, 403):
            raise FactsUnavailable(f"the gateway refused the supervision service ({response.status_code}): "
                                   "check supervision.client_id / client_secret")
        if response.status_code >= 500:
            raise FactsUnavailable(f"gateway answered {response.status_code}")
        body: dict[str, Any] = response.json()
        return body

    @staticmethod
    def _data(body: dict[str, Any], what: str) -> dict[str, Any]:
        if body.get("errors") and not body.get("data"):
            codes = sorted({str((e.get("extensions") or {}).get("code")) for e in body["errors"]})
            raise FactsUnavailable(f"{what}: gateway errors {codes}")
        data: dict[str, Any] = body.get("data") or {}
        return data

    async def bodies(self, usccs: Collection[str]) -> dict[str, BodyView]:
        if self._bodies is None:
            found: dict[str, BodyView] = {}
            after: str | None = None
            for _ in range(10_000):  # bounded paging
                body = await self._post(BODIES_QUERY, {"after": after})
                page = self._data(body, "bodies")["searchEnforcementBodies"]
                for row in page["items"]:
                    found[row["uscc"]] = body_from_json(row)
                after = page.get("nextCursor")
                if not after:
                    break
            self._bodies = found
        return {u: self._bodies[u] for u in usccs if u in self._bodies}

    async def officers(self, officer_ids: Collection[str], *, body_hints: Collection[str] = ()
                       ) -> dict[str, OfficerView]:
        todo = sorted(set(body_hints) - self._bodies_with_officers)
        for chunk in _chunks(todo, ALIASES_PER_REQUEST):
            await self._officers_of_bodies(chunk)
        missing = sorted(set(officer_ids) - self._officers.keys() - self._missing_officers)
        for chunk in _chunks(missing, ALIASES_PER_REQUEST):
            data = self._data(await self._post(OFFICERS_QUERIES[len(chunk) - 1],
                                               {f"o{i}": o for i, o in enumerate(chunk)}), "officers")
            for i, officer_id in enumerate(chunk):
                row = data.get(f"o{i}")
                if row:
                    self._officers[officer_id] = _officer(row)
                else:
                    self._missing_officers.add(officer_id)
        return {o: self._officers[o] for o in officer_ids if o in self._officers}

    async def _officers_of_bodies(self, usccs: Sequence[str]) -> None:
        cursors: dict[str, str | None] = dict.fromkeys(usccs)
        pending = list(usccs)
        for _ in range(1_000):  # bounded: each round fetches one more page of every pending body
            if not pending:
                break
            variables: dict[str, Any] = {}
            for i, uscc in enumerate(pending):
                variables[f"u{i}"], variables[f"a{i}"] = uscc, cursors[uscc]
            data = self._data(await self._post(BODY_OFFICERS_QUERIES[len(pending) - 1], variables), "officers")
            still: list[str] = []
            for i, uscc in enumerate(pending):
                page = data.get(f"b{i}") or {"items": [], "nextCursor": None}
                for row in page["items"]:
                    self._officers[str(row["id"])] = _officer(row)
                if page.get("nextCursor"):
                    cursors[uscc] = page["nextCursor"]
                    still.append(uscc)
                else:
                    self._bodies_with_officers.add(uscc)
            pending = still

    async def birth_dates(self, keys: Collection[PersonKey]) -> dict[PersonKey, date]:
        todo = sorted(set(keys) - self._births.keys())
        if todo and self.persons_supported:
            for chunk in [todo[i:i + PERSONS_PER_REQUEST] for i in range(0, len(todo), PERSONS_PER_REQUEST)]:
                body = await self._post(PERSONS_QUERY, {"keys": [{"idType": t, "idNumberHash": h} for t, h in chunk]})
                if body.get("errors") and not (body.get("data") or {}).get("supervisionPersons"):
                    # the field itself failed (it is nullable: null with its error beside the rest)
                    codes = {str((e.get("extensions") or {}).get("code")) for e in body["errors"]}
                    if "GRAPHQL_VALIDATION_FAILED" in codes or not codes - {"None"}:
                        log.warning("supervisionPersons is not in the composed graph; birth dates from cases")
                        self.persons_supported = False
                        break
                    raise FactsUnavailable(f"persons: gateway errors {sorted(codes)}")
                for row in (body.get("data") or {}).get("supervisionPersons") or []:
                    if row and row.get("birthDate"):
                        self._births[(row["idType"], row["idNumberHash"])] = date.fromisoformat(row["birthDate"])
                for key in chunk:
                    self._births.setdefault(key, None)
        return {k: v for k in keys if (v := self._births.get(k)) is not None}
