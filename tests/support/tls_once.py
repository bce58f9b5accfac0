"""One TLS client context for the whole test process instead of one per HTTP client.

httpx builds a new `ssl.SSLContext` for every client it makes, parsing the whole CA bundle each time
(tens of milliseconds on a quiet machine, hundreds when the two cores are busy), and `httpx.get` /
`httpx.post` make a client per call. The suite speaks plain HTTP to 127.0.0.1 thousands of times, so
that parse was a large share of its time while never being used. Here the default verifying context
(`verify=True`, no client certificate, the same environment) is built once and shared, as an
application sharing one client would; any other `verify`/`cert` goes to httpx unchanged.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Callable
from typing import Any

import httpx._transports.default as transports

_build: Callable[..., ssl.SSLContext] = getattr(transports, "create_ssl_context")  # noqa: B009 - httpx does not re-export it
_shared: dict[tuple[str | None, str | None], ssl.SSLContext] = {}


def _context(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
    if verify is not True or cert is not None or not trust_env:
        return _build(verify=verify, cert=cert, trust_env=trust_env)
    key = (os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
    if key not in _shared:
        _shared[key] = _build(verify=True, cert=None, trust_env=True)
    return _shared[key]


def install() -> None:
    """Make every httpx client of this process share the default context (idempotent)."""
    setattr(transports, "create_ssl_context", _context)  # noqa: B010 - see _build
