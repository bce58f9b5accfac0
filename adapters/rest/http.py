"""One HTTP exchange with a departmental REST system, its failures mapped onto the adapters' error tree.

    transport error, HTTP 5xx, unreadable body            -> SourceUnavailable (retried, counts for the breaker)
    timeout                                               -> SourceTimeout (not retried, counts for the breaker)
    HTTP 400, 401, 403 and other 4xx                       -> SourceRejected (never retried)

Messages name the source system and the status; they never echo request bodies (which carry ID
numbers) or the department's error text verbatim beyond its code. Each exchange is a CLIENT span
(source system, method, status: no path, whose segments can be ID numbers) whose W3C trace context
the department's system receives in ``traceparent``.
"""

from __future__ import annotations

from typing import Any

import httpx
import orjson

from adapters.errors import SourceRejected, SourceTimeout, SourceUnavailable
from telemetry.spans import client_call, set_status_code


async def send(client: httpx.AsyncClient, source: str, request: httpx.Request) -> httpx.Response:
    """Send `request`; return the response when its status is 2xx, raise a `SourceError` otherwise."""
    with client_call(f"{source} {request.method}", system=source,
                     attributes={"http.request.method": request.method}) as (span, trace):
        request.headers.update(trace)
        try:
            response = await client.send(request)
        except httpx.TimeoutException as exc:
            raise SourceTimeout(source, "timed out") from exc
        except httpx.TransportError as exc:
            raise SourceUnavailable(source, f"connection failed ({type(exc).__name__})") from exc
        set_status_code(span, response.status_code)
    status = response.status_code
    if status >= 500:
        raise SourceUnavailable(source, f"HTTP {status}{_code_suffix(response)}")
    if status >= 400:
        raise SourceRejected(source, f"HTTP {status}{_code_suffix(response)}")
    return response


def json_object(source: str, response: httpx.Response) -> dict[str, Any]:
    """The response body as a JSON object; anything else is a protocol failure of the source."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError as exc:
        raise SourceUnavailable(source, "answer is not JSON") from exc
    if not isinstance(body, dict):
        raise SourceUnavailable(source, "answer is not a JSON object")
    return body


def _code_suffix(response: httpx.Response) -> str:
    """The department's own error code (`CODE` / `code`), when its error body has one."""
    try:
        body = orjson.loads(response.content)
    except orjson.JSONDecodeError:
        return ""
    if isinstance(body, dict):
        code = body.get("CODE", body.get("code"))
        if isinstance(code, str | int) and not isinstance(code, bool):
            return f" ({code})"
    return ""
