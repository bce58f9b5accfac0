"""The gateway with its security and audit extensions wired in the right order.

    RequestGuard -> ResponseGuard -> CallSigning -> AccessLogExtension

`create_secure_app` is what ``hub gateway`` calls; `security_extensions` gives the same list for
callers that build the app themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from starlette.applications import Starlette

from gateway.app import create_app
from gateway.audit.extension import AccessLogExtension
from gateway.audit.log import AccessLog
from gateway.extensions import GatewayExtension
from gateway.security.config import SecurityConfig
from gateway.security.extension import CallSigning, RequestGuard, ResponseGuard
from gateway.security.state import ViewCache
from trust.signing import VOLATILE_SIGNED_HEADERS, CallSigner

__all__ = ["create_secure_app", "security_extensions"]


def security_extensions(config: SecurityConfig, *, access_log: AccessLog | None = None,
                        local_subgraphs: Iterable[str] = ()) -> list[GatewayExtension]:
    views = ViewCache()
    guard = RequestGuard(config, views)
    extensions: list[GatewayExtension] = [guard, ResponseGuard(config, views)]
    if config.signing_key is not None:
        extensions.append(CallSigning(CallSigner(config.signing_key)))
    if access_log is not None:
        extensions.append(AccessLogExtension(access_log, views, authenticate=guard.authenticate,
                                             local_subgraphs=local_subgraphs))
    return extensions


def create_secure_app(supergraph_source: str, config: SecurityConfig, *, access_log: AccessLog | None = None,
                      local_subgraphs: Iterable[str] = (), **app_options: Any) -> Starlette:
    """`gateway.app.create_app` with the security extensions; `app_options` pass through."""
    extensions = security_extensions(config, access_log=access_log, local_subgraphs=local_subgraphs)
    if config.limits is not None:
        app_options.setdefault("max_body_bytes", config.limits.max_body_bytes)
    # Signed calls differ per call (nonce, time, request id); de-duplication keys on the caller instead.
    app_options.setdefault("dedupe_ignore_headers", VOLATILE_SIGNED_HEADERS)
    return create_app(supergraph_source, extensions=extensions, **app_options)
