"""The security layer's error tree; every error carries a stable ``extensions.code`` and HTTP status.

::

    SecurityError (INTERNAL_SERVER_ERROR)
    ├── AuthenticationError (UNAUTHENTICATED, 401)      no, bad or expired credentials; `reason` says which
    ├── IdentityProviderUnavailable (IDP_UNAVAILABLE, 503)   the JWKS could not be fetched
    ├── RequestRejected                                  request hygiene (HTTP layer)
    │   ├── CsrfPrevented (CSRF_PREVENTED, 400)
    │   ├── BatchingDisabled (BATCHING_DISABLED, 400)
    │   ├── MutationOverGet (METHOD_NOT_ALLOWED, 405)
    │   ├── IntrospectionDisabled (INTROSPECTION_DISABLED, 400)
    │   └── BodyTooLarge (BODY_TOO_LARGE, 413)
    └── CallSignatureError (gateway -> subgraph trust, 401)
        ├── UnsignedCall (UNSIGNED_CALL)
        ├── BadSignature (BAD_SIGNATURE)
        ├── StaleCall (STALE_CALL)
        └── ReplayedCall (REPLAYED_CALL)

Operation-limit violations and unauthorised fields are reported as lists of values, not raised
(see `limits.LimitViolation` and `directives.DeniedField`), since one request can break several.
The message of each error is safe to show to a caller: it never contains a token, a secret or
personal data.
"""

from __future__ import annotations

from typing import Any, ClassVar


class SecurityError(Exception):
    """Base of every error the security layer raises on purpose."""

    code: ClassVar[str] = "INTERNAL_SERVER_ERROR"
    http_status: ClassVar[int] = 500

    def __init__(self, message: str, *, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.extra_extensions = dict(extensions or {})

    def to_graphql(self) -> dict[str, Any]:
        """The error as a GraphQL response error entry."""
        return {"message": self.message, "extensions": {"code": self.code, **self.extra_extensions}}


class AuthenticationError(SecurityError):
    """The caller is not authenticated. `reason` is a finer, stable sub-code for logs and clients."""

    code = "UNAUTHENTICATED"
    http_status = 401

    def __init__(self, message: str, *, reason: str) -> None:
        super().__init__(message, extensions={"reason": reason})
        self.reason = reason


class IdentityProviderUnavailable(SecurityError):
    code = "IDP_UNAVAILABLE"
    http_status = 503


class RequestRejected(SecurityError):
    http_status = 400


class CsrfPrevented(RequestRejected):
    code = "CSRF_PREVENTED"


class BatchingDisabled(RequestRejected):
    code = "BATCHING_DISABLED"


class MutationOverGet(RequestRejected):
    code = "METHOD_NOT_ALLOWED"
    http_status = 405


class IntrospectionDisabled(RequestRejected):
    code = "INTROSPECTION_DISABLED"


class BodyTooLarge(RequestRejected):
    code = "BODY_TOO_LARGE"
    http_status = 413


class CallSignatureError(SecurityError):
    """A subgraph call whose gateway signature is missing or not acceptable."""

    http_status = 401


class UnsignedCall(CallSignatureError):
    code = "UNSIGNED_CALL"


class BadSignature(CallSignatureError):
    code = "BAD_SIGNATURE"


class StaleCall(CallSignatureError):
    code = "STALE_CALL"


class ReplayedCall(CallSignatureError):
    code = "REPLAYED_CALL"
