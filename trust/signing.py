"""Gateway -> subgraph trust: HMAC-SM3 signed calls carrying the caller context.

The gateway adds six headers to every subgraph request::

    x-hub-key-id     which shared secret signed (several may be active, for rotation)
    x-hub-audience   the subgraph the call is for (its name in the supergraph, e.g. ``population``)
    x-hub-context    base64url (no padding) of the canonical JSON of the `CallerContext`
    x-hub-timestamp  Unix time in whole seconds
    x-hub-nonce      16-64 characters of [A-Za-z0-9_-], fresh per call
    x-hub-signature  hex HMAC-SM3(secret, string_to_sign)

    string_to_sign = "HUB-HMAC-SM3-V2" \\n key_id \\n audience \\n METHOD \\n target \\n timestamp
                     \\n nonce \\n SM3(body) hex \\n x-hub-context

`target` is the raw request target: path plus ``?query`` when there is one (httpx's
``URL.raw_path``; the ASGI ``raw_path`` and ``query_string`` on the subgraph side). Canonical JSON:
keys sorted, no spaces, UTF-8, roles as a sorted list.

The subgraph's `CallVerifier.verify` raises UNSIGNED_CALL (a header missing), BAD_SIGNATURE
(unknown key id, malformed header, signature mismatch: altered body, context, method or path; a
call signed for another subgraph),
STALE_CALL (timestamp more than `max_skew_s` away from now, either direction) and REPLAYED_CALL
(nonce already seen). The signature is checked before the clock and the nonce, so unsigned junk
cannot fill the nonce cache. `SignedCallMiddleware` applies it to every request to the GraphQL
path of a subgraph (all methods, so direct ``_entities`` calls and GET queries are covered too).

The in-memory `NonceCache` protects one process; the replicas of a subgraph share
a `SharedNonceStore` (`subgraphs.common.nonce_store.SqlNonceStore`, in the subgraph's database), so a
call replayed to a second replica is refused as well.

The contract for a subgraph that does not use this module (a department's own), in this order:

1. all six headers present and non-empty, else UNSIGNED_CALL; key id, timestamp (digits) and nonce
   of the shapes above and the context at most 8,192 characters, else BAD_SIGNATURE;
2. the secret of ``x-hub-key-id`` (any of the active keys, each at least 32 bytes), else BAD_SIGNATURE;
3. ``string_to_sign`` rebuilt from the received values, the method in capitals, the raw target and the
   exact body bytes; HMAC-SM3 compared in constant time with the lower-cased signature, else BAD_SIGNATURE;
4. ``x-hub-audience`` equal to the subgraph's own name in the supergraph, else BAD_SIGNATURE;
5. ``|now - timestamp| <= max_skew_s`` (60 s by default), else STALE_CALL;
6. the nonce not seen in the last ``2 * max_skew_s + 1`` seconds by any replica, else REPLAYED_CALL;
7. only then decode ``x-hub-context`` into a `CallerContext`. ``x-hub-caller`` (`CALLER_KEY_HEADER`)
   is not part of the signature: it groups calls of one caller for de-duplication, never grants access.

Errors are answered as GraphQL errors with these codes in ``extensions.code`` (`trust.responses`).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import json
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from domain.sm import hmac_sm3, sm3_hex
from trust.errors import (
    BadSignature,
    CallBodyTooLarge,
    CallSignatureError,
    ReplayedCall,
    StaleCall,
    UnsignedCall,
)
from trust.nonces import NonceCache as NonceCache
from trust.nonces import NonceStore as NonceStore
from trust.nonces import NonceVerdict as NonceVerdict
from trust.nonces import SharedNonceStore as SharedNonceStore
from trust.responses import security_error_response

__all__ = [
    "AUDIENCE_HEADER",
    "CONTEXT_HEADER",
    "KEY_ID_HEADER",
    "NONCE_HEADER",
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "CallSigner",
    "CallVerifier",
    "CallerContext",
    "NonceCache",
    "NonceStore",
    "NonceVerdict",
    "SharedNonceStore",
    "SignedCallMiddleware",
    "SigningKey",
    "request_target",
    "string_to_sign",
]

SIGNATURE_VERSION: Final = "HUB-HMAC-SM3-V2"
KEY_ID_HEADER: Final = "x-hub-key-id"
AUDIENCE_HEADER: Final = "x-hub-audience"
CONTEXT_HEADER: Final = "x-hub-context"
TIMESTAMP_HEADER: Final = "x-hub-timestamp"
NONCE_HEADER: Final = "x-hub-nonce"
SIGNATURE_HEADER: Final = "x-hub-signature"
#: who is calling, without the request id: equal for every call made for the same caller and purpose
CALLER_KEY_HEADER: Final = "x-hub-caller"
#: headers that differ on every call even for the same caller; in-flight de-duplication ignores them
#: (and keys on CALLER_KEY_HEADER instead, so two callers never share an answer)
VOLATILE_SIGNED_HEADERS: Final = (CONTEXT_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
_ALL_HEADERS: Final = (KEY_ID_HEADER, AUDIENCE_HEADER, CONTEXT_HEADER, TIMESTAMP_HEADER, NONCE_HEADER, SIGNATURE_HEADER)
_NONCE: Final = re.compile(r"^[A-Za-z0-9_-]{16,64}$")
_KEY_ID: Final = re.compile(r"^[A-Za-z0-9_.-]{1,64}$")
_TIMESTAMP: Final = re.compile(r"^[0-9]{1,12}$")
_MAX_CONTEXT_CHARS: Final = 8192
SCOPE_STATE_KEY: Final = "hub_caller"


@dataclass(frozen=True, slots=True)
class CallerContext:
    """Who the gateway is calling on behalf of, and why (no personal data beyond the subject id)."""

    subject: str | None
    roles: frozenset[str]
    body_uscc: str | None
    region_code: str | None
    purpose_code: str | None
    request_id: str

    def to_json(self) -> bytes:
        document = {
            "bodyUscc": self.body_uscc,
            "purposeCode": self.purpose_code,
            "regionCode": self.region_code,
            "requestId": self.request_id,
            "roles": sorted(self.roles),
            "subject": self.subject,
        }
        return json.dumps(document, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")

    def encode(self) -> str:
        return base64.urlsafe_b64encode(self.to_json()).rstrip(b"=").decode("ascii")

    def caller_key(self) -> str:
        """A digest of who is calling and why (everything but the request id)."""
        same_caller = replace(self, request_id="")
        return sm3_hex(same_caller.to_json())[:32]

    @classmethod
    def decode(cls, header: str) -> CallerContext:
        """Parse an ``x-hub-context`` value; `ValueError` when malformed."""
        raw = base64.urlsafe_b64decode(header + "=" * (-len(header) % 4))
        document = json.loads(raw.decode("utf-8"))
        if not isinstance(document, dict):
            raise ValueError("context is not an object")

        def text(name: str, *, required: bool = False) -> str | None:
            value = document.get(name)
            if value is None and not required:
                return None
            if not isinstance(value, str):
                raise ValueError(f"context field {name} must be a string")
            return value

        roles = document.get("roles", [])
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise ValueError("context roles must be a list of strings")
        return cls(
            subject=text("subject"),
            roles=frozenset(roles),
            body_uscc=text("bodyUscc"),
            region_code=text("regionCode"),
            purpose_code=text("purposeCode"),
            request_id=text("requestId", required=True) or "",
        )


@dataclass(frozen=True, slots=True)
class SigningKey:
    """A shared secret and its id. The secret never appears in repr or logs."""

    key_id: str
    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not _KEY_ID.match(self.key_id):
            raise ValueError("key id must be 1-64 characters of [A-Za-z0-9_.-]")
        if len(self.secret) < 32:
            raise ValueError("signing secrets must be at least 32 bytes")


def string_to_sign(
    *, key_id: str, audience: str, method: str, target: str, timestamp: str, nonce: str, body: bytes, context: str
) -> bytes:
    parts = [SIGNATURE_VERSION, key_id, audience, method.upper(), target, timestamp, nonce, sm3_hex(body), context]
    if any("\n" in part for part in parts):
        raise ValueError("signed components must not contain a newline")
    return "\n".join(parts).encode("utf-8")


def _nonce() -> str:
    return secrets.token_urlsafe(18)  # 24 characters, 144 bits


class CallSigner:
    """The gateway side: headers for one subgraph request."""

    def __init__(
        self, key: SigningKey, *, clock: Callable[[], float] = time.time, nonce: Callable[[], str] = _nonce
    ) -> None:
        self._key = key
        self._clock = clock
        self._nonce = nonce

    def sign(self, *, audience: str, method: str, target: str, body: bytes, context: CallerContext) -> dict[str, str]:
        timestamp = str(int(self._clock()))
        nonce = self._nonce()
        encoded = context.encode()
        message = string_to_sign(
            key_id=self._key.key_id, audience=audience, method=method, target=target, timestamp=timestamp,
            nonce=nonce, body=body, context=encoded,
        )
        return {
            KEY_ID_HEADER: self._key.key_id,
            AUDIENCE_HEADER: audience,
            CONTEXT_HEADER: encoded,
            TIMESTAMP_HEADER: timestamp,
            NONCE_HEADER: nonce,
            SIGNATURE_HEADER: hmac_sm3(self._key.secret, message),
            CALLER_KEY_HEADER: context.caller_key(),
        }


class CallVerifier:
    """The subgraph side: check a call's signature, freshness and uniqueness."""

    def __init__(
        self, keys: Iterable[SigningKey], *, audience: str | None = None, max_skew_s: float = 60.0,
        nonce_store: NonceStore | SharedNonceStore | None = None,
    ) -> None:
        #: the subgraph this verifier guards; None accepts a call signed for any audience (tests only)
        self.audience = audience
        self._keys = {key.key_id: key for key in keys}
        if not self._keys:
            raise ValueError("at least one signing key is needed")
        self.max_skew_s = max_skew_s
        # a nonce must be remembered as long as its timestamp can still be accepted
        self._nonces: NonceStore | SharedNonceStore = \
            nonce_store if nonce_store is not None else NonceCache(ttl_s=2 * max_skew_s + 1)

    def verify(self, headers: Mapping[str, str], method: str, path: str, body: bytes, now: float) -> CallerContext:
        """The caller context of an authentic, fresh, first-seen call; raises `CallSignatureError`."""
        if isinstance(self._nonces, SharedNonceStore):
            raise TypeError("a shared nonce store is asked asynchronously: use verify_async")
        context, nonce, stamped = self.authenticate(headers, method, path, body, now)
        self._judge(self._nonces.remember(nonce, stamped, now))
        return context

    async def verify_async(self, headers: Mapping[str, str], method: str, path: str, body: bytes,
                           now: float) -> CallerContext:
        """`verify`, asking a shared store without blocking the event loop."""
        context, nonce, stamped = self.authenticate(headers, method, path, body, now)
        store = self._nonces
        if isinstance(store, SharedNonceStore):
            self._judge(await store.remember_async(nonce, stamped, now))
        else:
            self._judge(store.remember(nonce, stamped, now))
        return context

    @staticmethod
    def _judge(verdict: NonceVerdict) -> None:
        if verdict is NonceVerdict.REPLAYED:
            raise ReplayedCall("call has already been received")
        if verdict is NonceVerdict.TOO_OLD:
            raise StaleCall("call is older than the replay cache can vouch for")

    def authenticate(self, headers: Mapping[str, str], method: str, path: str, body: bytes,
                     now: float) -> tuple[CallerContext, str, float]:
        """Signature, audience and clock checked (not yet the nonce): (context, nonce, timestamp)."""
        lowered = {k.lower(): v for k, v in headers.items()}
        values = {name: lowered.get(name, "").strip() for name in _ALL_HEADERS}
        missing = [name for name, value in values.items() if not value]
        if missing:
            raise UnsignedCall("call is not signed by the gateway", extensions={"missing": sorted(missing)})
        key = self._keys.get(values[KEY_ID_HEADER])
        if key is None:
            raise BadSignature("call signed with an unknown key")
        timestamp, nonce, context = values[TIMESTAMP_HEADER], values[NONCE_HEADER], values[CONTEXT_HEADER]
        audience = values[AUDIENCE_HEADER]
        if not _TIMESTAMP.match(timestamp) or not _NONCE.match(nonce) or len(context) > _MAX_CONTEXT_CHARS:
            raise BadSignature("malformed signature headers")
        try:
            message = string_to_sign(
                key_id=key.key_id, audience=audience, method=method, target=path, timestamp=timestamp,
                nonce=nonce, body=body, context=context,
            )
        except ValueError as exc:
            raise BadSignature("malformed signature headers") from exc
        expected = hmac_sm3(key.secret, message)
        if not hmac.compare_digest(expected, values[SIGNATURE_HEADER].lower()):
            raise BadSignature("signature does not match the call")
        if self.audience is not None and audience != self.audience:
            raise BadSignature(f"call was signed for another subgraph ({audience[:64]}), not {self.audience}")
        stamped = float(int(timestamp))
        if abs(now - stamped) > self.max_skew_s:
            raise StaleCall(f"call timestamp is more than {self.max_skew_s:g} s from the subgraph's clock")
        try:
            return CallerContext.decode(context), nonce, stamped
        except (ValueError, binascii.Error, UnicodeDecodeError) as exc:
            raise BadSignature("caller context is malformed") from exc


def request_target(scope: Scope) -> str:
    """The raw request target (path and query) of an ASGI HTTP scope."""
    raw = scope.get("raw_path")
    path = raw.decode("latin-1") if isinstance(raw, bytes | bytearray) else scope.get("path", "")
    path = path.split("?", 1)[0]
    query = scope.get("query_string", b"")
    return f"{path}?{query.decode('latin-1')}" if query else path


class SignedCallMiddleware:
    """ASGI middleware for subgraphs: every request to a protected path must be a signed call.

    On success the `CallerContext` is put in ``scope["state"]["hub_caller"]`` (Starlette's
    ``request.state.hub_caller``) and the buffered body is replayed to the app.
    """

    def __init__(
        self,
        app: ASGIApp,
        *,
        verifier: CallVerifier,
        paths: Iterable[str] = ("/graphql",),
        max_body_bytes: int = 1024 * 1024,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.app = app
        self.verifier = verifier
        self.paths = frozenset(p.rstrip("/") or "/" for p in paths)
        self.max_body_bytes = max_body_bytes
        self.clock = clock

    def _protected(self, scope: Scope) -> bool:
        path = str(scope.get("path", "")).rstrip("/") or "/"
        return scope["type"] == "http" and path in self.paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if not self._protected(scope):
            await self.app(scope, receive, send)
            return
        try:
            body = await self._read_body(receive)
            context = await self.verifier.verify_async(
                Headers(scope=scope), scope["method"], request_target(scope), body, self.clock()
            )
        except CallSignatureError as exc:
            await security_error_response(exc)(scope, receive, send)
            return
        state: dict[str, Any] = scope.setdefault("state", {})
        state[SCOPE_STATE_KEY] = context
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _read_body(self, receive: Receive) -> bytes:
        body = bytearray()
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            body += message.get("body", b"")
            if len(body) > self.max_body_bytes:
                raise CallBodyTooLarge(f"request body larger than {self.max_body_bytes} bytes")
            if not message.get("more_body", False):
                break
        return bytes(body)
