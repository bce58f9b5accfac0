"""The security layer's error tree; every error carries a stable ``extensions.code`` and HTTP status.

::

    SecurityError (INTERNAL_SERVER_ERROR)
    ├── AuthenticationError (UNAUTHENTICATED, 401)      no, bad or expired credentials; `reason` says which
    ├── IdentityProviderUnavailable (IDP_UNAVAILABLE, 503)   the JWKS could not be fetched
    ├── Forbidden (FORBIDDEN, 403)                      authenticated, but the role may not use this endpoint
    ├── RateLimited (RATE_LIMITED, 429)                 the caller's token bucket is empty; `retry_after_s`
    ├── AuditUnavailable (AUDIT_UNAVAILABLE, 503)       a read that must be recorded could not be recorded
    ├── RequestRejected                                  request hygiene (HTTP layer)
    │   ├── CsrfPrevented (CSRF_PREVENTED, 400)
    │   ├── BatchingDisabled (BATCHING_DISABLED, 400)
    │   ├── MutationOverGet (METHOD_NOT_ALLOWED, 405)
    │   ├── IntrospectionDisabled (INTROSPECTION_DISABLED, 400)
    │   ├── BodyTooLarge (BODY_TOO_LARGE, 413)
    │   ├── OperationLimitExceeded (the first violation's code, 400)   one or more `LimitViolation`s
    │   ├── InvalidPurposeCode (INVALID_PURPOSE_CODE, 400)   x-purpose-code not in the configured list
    │   ├── InvalidEndUser (INVALID_END_USER, 400)           x-end-user malformed or an ID number
    │   ├── PersistedQueryNotFound (PERSISTED_QUERY_NOT_FOUND, 400)
    │   └── DocumentNotTrusted (TRUSTED_DOCUMENT_REQUIRED, 400)   not in the trusted-documents manifest
    └── CallSignatureError (gateway -> subgraph trust, 401)
        ├── UnsignedCall (UNSIGNED_CALL)
        ├── BadSignature (BAD_SIGNATURE)
        ├── StaleCall (STALE_CALL)
        └── ReplayedCall (REPLAYED_CALL)

Operation-limit violations and unauthorised fields are reported as lists of values, not raised
(see `limits.LimitViolation` and `directives.DeniedField`), since one request can break several.
The message of each error is safe to show to a caller: it never contains a token, a secret or
personal data. `SecurityError` and the `CallSignatureError` family live in `trust.errors` (the
subgraphs raise them too) and are re-exported here.
"""

from __future__ import annotations

from typing import Any

from trust.errors import BadSignature as BadSignature
from trust.errors import CallSignatureError as CallSignatureError
from trust.errors import ReplayedCall as ReplayedCall
from trust.errors import SecurityError as SecurityError
from trust.errors import StaleCall as StaleCall
from trust.errors import UnsignedCall as UnsignedCall


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


class Forbidden(SecurityError):
    code = "FORBIDDEN"
    http_status = 403


class RateLimited(SecurityError):
    code = "RATE_LIMITED"
    http_status = 429

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AuditUnavailable(SecurityError):
    code = "AUDIT_UNAVAILABLE"
    http_status = 503


class OperationLimitExceeded(RequestRejected):
    """Several limits may be broken at once; each becomes one error entry with its own code."""

    code = "OPERATION_LIMIT_EXCEEDED"

    def __init__(self, entries: list[dict[str, Any]]) -> None:
        super().__init__(str(entries[0].get("message", "operation limit exceeded")) if entries else "limit")
        self.entries = entries

    def to_graphql_list(self) -> list[dict[str, Any]]:
        return list(self.entries)


class InvalidPurposeCode(RequestRejected):
    code = "INVALID_PURPOSE_CODE"


class InvalidEndUser(RequestRejected):
    code = "INVALID_END_USER"


class PersistedQueryNotFound(RequestRejected):
    code = "PERSISTED_QUERY_NOT_FOUND"


class DocumentNotTrusted(RequestRejected):
    code = "TRUSTED_DOCUMENT_REQUIRED"
