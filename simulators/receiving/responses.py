"""JSON answers of the receivers, and the handlers that turn refused requests into `{"code", "message"}`."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response

from simulators.receiving.errors import ReceiverError


def answer(payload: dict[str, Any], status: int = 200, headers: Mapping[str, str] | None = None) -> Response:
    return Response(orjson.dumps(payload), status_code=status, media_type="application/json", headers=headers)


async def refused(_: Request, exc: Exception) -> Response:
    """Handler for ReceiverError: its status and message."""
    assert isinstance(exc, ReceiverError)
    return answer({"code": exc.status, "message": exc.message}, exc.status)


async def http_error(_: Request, exc: Exception) -> Response:
    """Handler for Starlette's own errors (unknown path, wrong method) in the same shape."""
    assert isinstance(exc, HTTPException)
    message = "no such resource" if exc.status_code == 404 else str(exc.detail)
    return answer({"code": exc.status_code, "message": message}, exc.status_code, exc.headers)
