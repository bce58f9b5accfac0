"""HTTP responses for security errors, shaped as GraphQL responses (``{"errors": [...]}``)."""

from __future__ import annotations

from starlette.responses import JSONResponse

from trust.errors import SecurityError

__all__ = ["security_error_response"]


def security_error_response(error: SecurityError) -> JSONResponse:
    """A JSON GraphQL error response with the error's HTTP status (401 gets a Bearer challenge)."""
    headers = {"www-authenticate": "Bearer"} if error.http_status == 401 else None
    return JSONResponse({"errors": [error.to_graphql()]}, status_code=error.http_status, headers=headers)
