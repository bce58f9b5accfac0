"""Request signatures of the receivers: the national registry's scheme, one app key and secret per system.

`X-Signature` = hex HMAC-SHA256(app_secret, app_key + X-Timestamp + raw body), timestamp in epoch ms
within five minutes of the receiver's clock (see `simulators.national_credit.signature`).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping

from simulators.base import SimConfig
from simulators.national_credit.signature import SignatureError, verify
from simulators.receiving.errors import Unauthorised


def _now_ms() -> int:
    return int(time.time() * 1000)


class Authenticator:
    """Checks the three signature headers of one request against the system's app key and secret."""

    def __init__(self, *, app_key: str, app_secret: str, clock_ms: Callable[[], int] = _now_ms) -> None:
        self._app_key = app_key
        self._app_secret = app_secret
        self._clock_ms = clock_ms

    @classmethod
    def from_config(cls, config: SimConfig, *, default_key: str, default_secret: str) -> Authenticator:
        return cls(
            app_key=config.credentials.get("app_key", default_key),
            app_secret=config.credentials.get("app_secret", default_secret),
        )

    def check(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise Unauthorised unless the headers prove the caller holds the app secret."""
        try:
            verify(
                app_key=self._app_key,
                app_secret=self._app_secret,
                given_key=headers.get("x-app-key"),
                timestamp=headers.get("x-timestamp"),
                signature=headers.get("x-signature"),
                body=body,
                now_ms=self._clock_ms(),
            )
        except SignatureError as exc:
            raise Unauthorised(f"authentication failed: {exc}") from exc
