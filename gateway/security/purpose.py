"""Need-to-know: a stated purpose unmasks personal data only when it is bound to something verifiable.

A request states why it reads personal data with ``x-purpose-code`` and what for with
``x-purpose-ref`` (``case:<id>``, ``inspection:<id>``). With `PurposeBindings.required` (the
production profile), the gateway reads S2/S3 fields in clear, and passes the ``purpose:bound``
policy, only when the subgraph that owns the record says the purpose is bound for this caller:
it sends the owner's verification field (`fields`: purpose code -> Query field, answering
``{ granted reason }``) a call signed with the caller's context, exactly like any subgraph fetch,
and keeps the answer for `ttl_s`. Where the field lives is read from the supergraph; the gateway
knows nothing of cases or reviews.

`ClearReadBudget` counts, per caller and UTC day, the responses that carried personal data in
clear; past `daily_limit` every further one is flagged for the auditor (the access log records
``alert: CLEAR_READ_VOLUME`` and a warning is logged, names and counts only).
"""

from __future__ import annotations

import logging
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Final

import httpx
import orjson

from gateway.security.jwt_auth import Principal
from trust.signing import CallerContext, CallSigner

if TYPE_CHECKING:
    from gateway.runtime import GatewayRuntime

__all__ = ["DEFAULT_BINDING_FIELDS", "PURPOSE_REF_HEADER", "ClearReadBudget", "PurposeBindings", "PurposeVerifier"]

log = logging.getLogger("gateway.security")

PURPOSE_REF_HEADER: Final = "x-purpose-ref"
DEFAULT_BINDING_FIELDS: Final[Mapping[str, str]] = {
    "CASE_HANDLING": "casePurposeBinding",
    "LEGAL_REVIEW": "casePurposeBinding",
    "INSPECTION": "casePurposeBinding",
    "SUPERVISION": "casePurposeBinding",
    "DATA_EXCHANGE": "casePurposeBinding",
    "CASE_FILE_REVIEW": "reviewPurposeBinding",
}
_MAX_REF: Final = 80


@dataclass(frozen=True, slots=True)
class PurposeBindings:
    """Whether clear reads need a bound purpose, and which Query field verifies each purpose."""

    required: bool = False
    fields: Mapping[str, str] = field(default_factory=lambda: dict(DEFAULT_BINDING_FIELDS))
    ttl_s: float = 60.0
    timeout_s: float = 5.0
    daily_limit: int = 500


def _verification(field_name: str, purpose: str, ref: str) -> bytes:
    query = f"query PurposeBinding($purpose: String!, $ref: String!) {{ {field_name}(purpose: $purpose, ref: $ref) " \
            "{ granted reason } }"
    return orjson.dumps({"query": query, "variables": {"purpose": purpose, "ref": ref},
                         "operationName": "PurposeBinding"})


class PurposeVerifier:
    """Asks the owning subgraph whether (caller, purpose, ref) is bound; answers cached briefly."""

    def __init__(self, bindings: PurposeBindings, signer: CallSigner | None, *,
                 clock: Callable[[], float] = time.monotonic, max_entries: int = 10_000) -> None:
        self.bindings = bindings
        self.signer = signer
        self.clock = clock
        self.max_entries = max_entries
        self._cache: OrderedDict[tuple[str, ...], tuple[float, bool]] = OrderedDict()
        self.client: httpx.AsyncClient | None = None

    async def verify(self, runtime: GatewayRuntime, principal: Principal | None, purpose: str | None,
                     ref: str | None, request_id: str) -> bool:
        if principal is None or purpose is None or not ref or len(ref) > _MAX_REF or "\n" in ref:
            return False
        field_name = self.bindings.fields.get(purpose)
        if field_name is None or self.client is None:
            return False
        key = (principal.subject, ",".join(sorted(principal.roles)), principal.body_uscc or "",
               principal.region_code or "", purpose, ref)
        now = self.clock()
        cached = self._cache.get(key)
        if cached is not None and cached[0] > now:
            return cached[1]
        granted = await self._ask(runtime, principal, purpose, ref, field_name, request_id)
        self._cache[key] = (now + self.bindings.ttl_s, granted)
        self._cache.move_to_end(key)
        while len(self._cache) > self.max_entries:
            self._cache.popitem(last=False)
        return granted

    async def _ask(self, runtime: GatewayRuntime, principal: Principal, purpose: str, ref: str,
                   field_name: str, request_id: str) -> bool:
        info = runtime.supergraph.field("Query", field_name)
        if info is None or not info.resolvable_in:
            log.warning("purpose binding: the supergraph has no Query.%s; %s stays unbound", field_name, purpose)
            return False
        service = sorted(info.resolvable_in)[0]
        url = runtime.urls.get(service)
        if url is None:
            return False
        client = self.client
        assert client is not None  # checked by `verify`
        body = _verification(field_name, purpose, ref)
        headers = {"content-type": "application/json", "accept": "application/json"}
        if self.signer is not None:
            caller = CallerContext(subject=principal.subject, roles=principal.roles, body_uscc=principal.body_uscc,
                                   region_code=principal.region_code, purpose_code=purpose, request_id=request_id)
            headers.update(self.signer.sign(audience=service, method="POST",
                                            target=httpx.URL(url).raw_path.decode("ascii"),
                                            body=body, context=caller))
        try:
            response = await client.post(url, content=body, headers=headers, timeout=self.bindings.timeout_s)
            payload: Any = response.json()
        except (httpx.HTTPError, ValueError) as exc:
            log.warning("purpose binding: %s did not answer (%s); %s stays unbound", service,
                        type(exc).__name__, purpose)
            return False
        answer = (payload.get("data") or {}).get(field_name) if isinstance(payload, dict) else None
        granted = isinstance(answer, dict) and answer.get("granted") is True
        if not granted:
            reason = answer.get("reason") if isinstance(answer, dict) else "no answer"
            log.info("purpose binding refused: subject=%s purpose=%s reason=%s", principal.subject, purpose, reason)
        return granted


@dataclass(slots=True)
class ClearReadBudget:
    """Responses with clear personal data per caller and UTC day; True from the first one past the limit."""

    daily_limit: int
    today: Callable[[], str] = field(default=lambda: datetime.now(UTC).date().isoformat())
    _day: str = ""
    _counts: dict[str, int] = field(default_factory=dict)

    def record(self, subject: str) -> bool:
        day = self.today()
        if day != self._day:
            self._day, self._counts = day, {}
        count = self._counts.get(subject, 0) + 1
        self._counts[subject] = count
        if count > self.daily_limit:
            log.warning("clear-read volume alert: subject=%s reads=%d limit=%d day=%s", subject, count,
                        self.daily_limit, day)
            return True
        return False
