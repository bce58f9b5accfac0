"""Subgraph side of gateway trust: signed-call verification, the caller context, row-level scope.

* `protect(app, ...)` wraps a subgraph app in `SignedCallMiddleware` (HMAC-SM3 signed calls from
  the gateway, naming this subgraph as their audience; unsigned, altered, expired, replayed or
  misdirected calls -- direct ``_entities`` calls included --
  get 401 with UNSIGNED_CALL / BAD_SIGNATURE / STALE_CALL / REPLAYED_CALL); a WebSocket upgrade to the
  same paths (subscriptions) is verified as a signed ``GET`` with an empty body (`ws_security`). With
  ``required=False`` (dev) an unsigned call passes without a caller context, but a call that
  carries signature headers is still checked.
* `caller_of(request)` is the verified `CallerContext` (None for an unsigned dev call).
* `CaseScope.for_caller(caller)` is the row-level scope: which enforcement bodies' cases a caller
  may see. OFFICER, BODY_HEAD and LEGAL_REVIEWER: their own body only (a town officer not the
  neighbouring town's, nor the county's other bodies; a city officer not the other departments');
  SUPERVISOR, AUDITOR and DEPARTMENT_SYSTEM: every body within their region (a county supervisor:
  the county and its towns; the city: all); anyone else: nothing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Final

from sqlalchemy import ColumnElement, and_, false, or_
from starlette.datastructures import Headers
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Receive, Scope, Send

from subgraphs.common.ws_security import SignedUpgrade
from trust.signing import (
    KEY_ID_HEADER,
    SCOPE_STATE_KEY,
    SIGNATURE_HEADER,
    CallerContext,
    CallVerifier,
    NonceStore,
    SharedNonceStore,
    SignedCallMiddleware,
    SigningKey,
)

__all__ = ["CaseScope", "caller_of", "protect", "region_prefix"]

_CASE_HANDLERS: Final = frozenset({"OFFICER", "BODY_HEAD", "LEGAL_REVIEWER"})
_REGION_WIDE: Final = frozenset({"SUPERVISOR", "AUDITOR", "DEPARTMENT_SYSTEM"})


class _OptionalSignature:
    """Dev mode: unsigned calls pass through; anything carrying signature headers is verified."""

    def __init__(self, app: ASGIApp, checked: SignedCallMiddleware) -> None:
        self.app = app
        self.checked = checked

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http":
            headers = Headers(scope=scope)
            if headers.get(SIGNATURE_HEADER) or headers.get(KEY_ID_HEADER):
                await self.checked(scope, receive, send)
                return
        await self.app(scope, receive, send)


def protect(app: ASGIApp, *, keys: Sequence[SigningKey], required: bool = True, max_skew_s: float = 60.0,
            paths: Iterable[str] = ("/graphql",), audience: str | None = None,
            nonce_store: NonceStore | SharedNonceStore | None = None) -> ASGIApp:
    """`app` behind signed-call verification (see the module docstring). `audience`: this subgraph's name,
    which the signature must name; `nonce_store`: shared by the subgraph's replicas (default: this process)."""
    if not keys:
        if required:
            raise ValueError("signed calls are required but no signing key is configured")
        return app
    verifier = CallVerifier(keys, audience=audience, max_skew_s=max_skew_s, nonce_store=nonce_store)
    paths = tuple(paths)
    # subscriptions: a WebSocket upgrade to the same paths is a signed call too (`ws_security`)
    app = SignedUpgrade(app, verifier=verifier, paths=paths, required=required)
    checked = SignedCallMiddleware(app, verifier=verifier, paths=paths)
    return checked if required else _OptionalSignature(app, checked)


def caller_of(request: HTTPConnection) -> CallerContext | None:
    """The gateway-verified caller of this request, if it was signed."""
    caller: Any = getattr(request.state, SCOPE_STATE_KEY, None)
    return caller if isinstance(caller, CallerContext) else None


def region_prefix(code: str) -> str:
    """The prefix shared by every code within region `code` (GB/T 2260 levels; towns nest by prefix)."""
    if len(code) == 6 and code.endswith("0000"):
        return code[:2]
    if len(code) == 6 and code.endswith("00"):
        return code[:4]
    return code


@dataclass(frozen=True, slots=True)
class CaseScope:
    """Which bodies' cases a caller may see: `bodies` by USCC, or any body within `region_prefixes`."""

    bodies: frozenset[str]
    region_prefixes: frozenset[str]

    @classmethod
    def for_caller(cls, caller: CallerContext | None) -> CaseScope:
        if caller is None:
            return cls(frozenset(), frozenset())
        regions = frozenset({region_prefix(caller.region_code)}) if caller.region_code else frozenset()
        handler = bool(caller.roles & _CASE_HANDLERS)
        if not handler and not caller.roles & _REGION_WIDE:
            return cls(frozenset(), frozenset())
        # several roles: the union of their scopes (a handler keeps its own body even when also region-wide);
        # a handler alone sees its own body's cases only, whatever the level (a town or a city officer alike)
        own = frozenset({caller.body_uscc}) if handler and caller.body_uscc else frozenset()
        return cls(own, regions if caller.roles & _REGION_WIDE else frozenset())

    @property
    def empty(self) -> bool:
        return not self.bodies and not self.region_prefixes

    def allows(self, body_uscc: str | None, body_region: str | None) -> bool:
        """True when a case of body `body_uscc`, located in `body_region`, is in scope."""
        if body_uscc is not None and body_uscc in self.bodies:
            return True
        return body_region is not None and any(body_region.startswith(p) for p in self.region_prefixes)

    def filter(self, rows: Iterable[Any], *, body: str = "body_uscc", region: str = "region_code") -> list[Any]:
        """The rows (objects or mappings with the two attributes) in scope."""
        def get(row: Any, name: str) -> Any:
            return row.get(name) if isinstance(row, dict) else getattr(row, name, None)

        return [row for row in rows if self.allows(get(row, body), get(row, region))]

    def where(self, body_column: ColumnElement[Any], region_column: ColumnElement[Any]) -> ColumnElement[bool]:
        """A SQL condition selecting the rows in scope (false when nothing is)."""
        conditions: list[ColumnElement[bool]] = []
        if self.bodies:
            conditions.append(body_column.in_(sorted(self.bodies)))
        conditions += [region_column.startswith(p) for p in sorted(self.region_prefixes)]
        if not conditions:
            return and_(false())
        return or_(*conditions)
