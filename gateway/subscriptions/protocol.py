"""The ``graphql-transport-ws`` protocol: message types, close codes and checks of client messages.

Protocol text: https://github.com/enisdenjo/graphql-ws/blob/master/PROTOCOL.md. Every client message is
a JSON object with a string ``type``; a message that is not, or whose fields are malformed, closes the
connection with 4400.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import orjson

SUBPROTOCOL: Final = "graphql-transport-ws"

# close codes the protocol defines (PROTOCOL.md)
INVALID_MESSAGE: Final = 4400
UNAUTHORIZED: Final = 4401  # subscribe before connection_ack
FORBIDDEN: Final = 4403  # connection_init refused (authentication)
INIT_TIMEOUT: Final = 4408
SUBSCRIBER_EXISTS: Final = 4409
TOO_MANY_INIT: Final = 4429
INTERNAL_ERROR: Final = 4500
# RFC 6455 section 7.4.1: 1008 policy violation; used when a client reads too slowly for its queue
SLOW_CONSUMER: Final = 1008

CLIENT_TYPES: Final = frozenset({"connection_init", "ping", "pong", "subscribe", "complete"})


class ProtocolViolation(Exception):
    """A client message the protocol refuses; `code` is the close code to use."""

    def __init__(self, code: int, reason: str) -> None:
        super().__init__(reason)
        self.code = code
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Message:
    type: str
    id: str | None = None
    payload: Any = None


def parse_message(raw: str | bytes) -> Message:
    """One client message, checked as the protocol describes; raises `ProtocolViolation` (4400)."""
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ProtocolViolation(INVALID_MESSAGE, "Invalid message received: not JSON") from exc
    if not isinstance(value, dict):
        raise ProtocolViolation(INVALID_MESSAGE, "Invalid message received: not an object")
    kind = value.get("type")
    if not isinstance(kind, str) or kind not in CLIENT_TYPES:
        raise ProtocolViolation(INVALID_MESSAGE, "Invalid message received: unknown type")
    payload = value.get("payload")
    ident = value.get("id")
    if kind in ("subscribe", "complete"):
        if not isinstance(ident, str) or not ident:
            raise ProtocolViolation(INVALID_MESSAGE, f"Invalid message received: {kind} without an id")
    else:
        ident = None
    if kind == "subscribe":
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            raise ProtocolViolation(INVALID_MESSAGE, "Invalid message received: subscribe without a query")
        for name, wanted in (("variables", dict), ("operationName", str), ("extensions", dict)):
            if payload.get(name) is not None and not isinstance(payload[name], wanted):
                raise ProtocolViolation(INVALID_MESSAGE, f"Invalid message received: {name} is malformed")
    elif kind in ("connection_init", "ping", "pong") and payload is not None and not isinstance(payload, dict):
        raise ProtocolViolation(INVALID_MESSAGE, f"Invalid message received: {kind} payload must be an object")
    return Message(kind, ident, payload)


def encode(kind: str, ident: str | None = None, payload: Any = None) -> str:
    """One server message as text."""
    message: dict[str, Any] = {"type": kind}
    if ident is not None:
        message["id"] = ident
    if payload is not None:
        message["payload"] = payload
    return orjson.dumps(message).decode()
