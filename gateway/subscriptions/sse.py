"""GraphQL over Server-Sent Events, distinct connections mode: ``POST /graphql`` with
``Accept: text/event-stream`` streams one ``next`` event per result and a final ``complete`` event.

A request refused at the HTTP layer (authentication, a body that is not a GraphQL request) is answered
as over plain HTTP, with its JSON error and status; an operation refused as GraphQL (validation,
authorization) streams one ``next`` event with the errors, then ``complete``. The client leaving ends the
subscription and closes its subgraph connection.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import orjson
from starlette.responses import StreamingResponse

from gateway.subscriptions.stream import SubscriptionStream

EVENT_STREAM = "text/event-stream"


def wants_event_stream(accept: str | None) -> bool:
    """True when the client asks for an event stream (and the request is to be answered as one)."""
    return accept is not None and EVENT_STREAM in accept


def event(kind: str, data: bytes = b"") -> bytes:
    return b"event: " + kind.encode() + b"\ndata: " + data + b"\n\n"


async def _frames(stream: SubscriptionStream, refused: dict[str, object] | None) -> AsyncIterator[bytes]:
    if refused is not None:
        yield event("next", orjson.dumps(refused))
    else:
        async for payload in stream.events():
            yield event("next", orjson.dumps(payload))
    yield event("complete")


def event_stream_response(stream: SubscriptionStream, refused: dict[str, object] | None) -> StreamingResponse:
    """The streamed answer of a started subscription (or its refusal)."""
    return StreamingResponse(_frames(stream, refused), media_type=EVENT_STREAM,
                             headers={"cache-control": "no-cache", "x-accel-buffering": "no"})
