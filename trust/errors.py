"""The errors of gateway -> subgraph trust, and the base of the gateway's security error tree.

Every error carries a stable ``extensions.code`` and an HTTP status; `gateway.security.errors` builds
the rest of the tree on `SecurityError`. A subgraph answers a refused call with 401 (413 for a body
over the limit) and one of these codes.
"""

from __future__ import annotations

from typing import Any, ClassVar

__all__ = ["BadSignature", "CallBodyTooLarge", "CallSignatureError", "ReplayedCall", "SecurityError", "StaleCall",
           "UnsignedCall"]


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

    def to_graphql_list(self) -> list[dict[str, Any]]:
        """All response error entries this error stands for."""
        return [self.to_graphql()]


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


class CallBodyTooLarge(CallSignatureError):
    """A subgraph call whose body is larger than the subgraph reads before verifying it."""

    code = "BODY_TOO_LARGE"
    http_status = 413
