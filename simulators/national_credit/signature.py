"""The registry's request signature: hex HMAC-SHA256(app_secret, app_key + timestamp + body).

The timestamp is the `X-Timestamp` header exactly as sent (epoch milliseconds); the body is the raw
request body (empty for GET). Requests more than five minutes away from the server clock are refused.
"""

from __future__ import annotations

import hashlib
import hmac

MAX_SKEW_MS = 5 * 60 * 1000


class SignatureError(Exception):
    """Why a request's app key, timestamp or signature is not accepted (always HTTP 401)."""


def sign(*, app_secret: str, app_key: str, timestamp: str, body: bytes) -> str:
    message = app_key.encode() + timestamp.encode() + body
    return hmac.new(app_secret.encode(), message, hashlib.sha256).hexdigest()


def verify(
    *,
    app_key: str,
    app_secret: str,
    given_key: str | None,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    now_ms: int,
) -> None:
    """Raise `SignatureError` unless the headers prove the caller holds `app_secret`."""
    if not given_key or not hmac.compare_digest(given_key.encode(), app_key.encode()):
        raise SignatureError("unknown app key")
    if not timestamp or not timestamp.isdigit():
        raise SignatureError("missing or malformed timestamp")
    if abs(now_ms - int(timestamp)) > MAX_SKEW_MS:
        raise SignatureError("timestamp outside the allowed window of 5 minutes")
    expected = sign(app_secret=app_secret, app_key=app_key, timestamp=timestamp, body=body)
    if not signature or not hmac.compare_digest(signature.strip().lower().encode(), expected.encode()):
        raise SignatureError("signature mismatch")
