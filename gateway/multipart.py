"""Incremental delivery over HTTP: ``multipart/mixed; boundary="-"; deferSpec=20220824``.

A client that lists ``multipart/mixed`` in ``Accept`` (without a ``deferSpec`` parameter, or with
``deferSpec=20220824``, and a ``q`` above 0) gets a deferred operation's payloads as parts of one
``multipart/mixed`` body, each part ``application/json``, written as soon as it is ready::

    \\r\\n---\\r\\ncontent-type: application/json; charset=utf-8\\r\\n\\r\\n{"data":...,"hasNext":true}\\r\\n---\\r\\n
    content-type: application/json; charset=utf-8\\r\\n\\r\\n{"incremental":[...],"hasNext":false}\\r\\n-----\\r\\n

Any other client, and any operation without an active ``@defer``/``@stream``, gets one JSON response.
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator, Callable
from typing import Any, Final

import orjson
from starlette.responses import StreamingResponse

INCREMENTAL_MEDIA: Final = 'multipart/mixed; boundary="-"; deferSpec=20220824'
_PART_HEAD: Final = b"content-type: application/json; charset=utf-8\r\n\r\n"
log = logging.getLogger("gateway")


def accepts_incremental(accept: str | None) -> bool:
    """Whether an ``Accept`` header admits the incremental multipart response."""
    if not accept or "multipart/mixed" not in accept.lower():
        return False
    for item in accept.split(",")[:32]:
        kind, *rest = item.split(";")
        if kind.strip().lower() != "multipart/mixed":
            continue
        params = {}
        for part in rest:
            name, _, value = part.partition("=")
            params[name.strip().lower()] = value.strip().strip('"')
        try:
            q = float(params.get("q", "1"))
        except ValueError:
            q = 0.0
        if q > 0.0 and params.get("deferspec", "20220824") == "20220824":
            return True
    return False


async def _parts(payloads: AsyncIterator[dict[str, Any]],
                 done: Callable[[list[dict[str, Any]]], None]) -> AsyncIterator[bytes]:
    errors: list[dict[str, Any]] = []
    yield b"\r\n---\r\n"
    finished = False
    try:
        async for payload in payloads:
            errors.extend(payload.get("errors") or ())
            for entry in payload.get("incremental") or ():
                errors.extend(entry.get("errors") or ())
            last = not payload.get("hasNext", False)
            yield _PART_HEAD + orjson.dumps(payload) + (b"\r\n-----\r\n" if last else b"\r\n---\r\n")
            if last:
                finished = True
                break
    except Exception:  # a fault after the first bytes: end the stream with an error part
        log.exception("incremental delivery failed")
        failure = {"message": "Internal server error", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}
        errors.append(failure)
        yield _PART_HEAD + orjson.dumps({"hasNext": False, "incremental": [{"data": None, "path": [],
                                                                              "errors": [failure]}]}) + b"\r\n-----\r\n"
        finished = True
    finally:
        if not finished:
            await payloads.aclose()  # type: ignore[attr-defined]
        done(errors)
    if not finished:
        yield _PART_HEAD + orjson.dumps({"hasNext": False}) + b"\r\n-----\r\n"


def incremental_response(payloads: AsyncIterator[dict[str, Any]],
                         done: Callable[[list[dict[str, Any]]], None]) -> StreamingResponse:
    """The multipart response writing `payloads`; `done` gets every error delivered once it ends."""
    return StreamingResponse(_parts(payloads, done), status_code=200, media_type=INCREMENTAL_MEDIA,
                             headers={"cache-control": "no-cache"})
