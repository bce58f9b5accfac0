"""The request id and W3C trace context of the request being served, and the headers that carry them on.

A request id comes from the caller's ``x-request-id`` when it is a short opaque token (never anything
that looks like an identity-document number), else it is made here. It lives in a context variable
for the request's duration, so log lines and outgoing calls made while serving it carry it.
Trace context travels as ``traceparent``/``tracestate`` (W3C Trace Context), whatever the exporter.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Final

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

REQUEST_ID_HEADER: Final = "x-request-id"
#: the headers a hop adds to every outgoing call (and that must not split identical de-duplicated calls)
PROPAGATED_HEADERS: Final = ("traceparent", "tracestate", REQUEST_ID_HEADER)
_SAFE_ID: Final = re.compile(r"^[A-Za-z0-9_.:@-]{1,64}$")
_ID_NUMBER_LIKE: Final = re.compile(r"\d{17}[\dXx]|\d{15}")
_LETTERS_FOR_DIGITS: Final = str.maketrans("0123456789", "ghijklmnop")
_PROPAGATOR: Final = TraceContextTextMapPropagator()
_request_id: ContextVar[str | None] = ContextVar("hub_request_id", default=None)


def accept_request_id(value: str | None) -> str:
    """`value` when it is a safe opaque id; otherwise a new one (32 hex characters)."""
    if value and _SAFE_ID.match(value) and not _ID_NUMBER_LIKE.search(value):
        return value
    return new_request_id()


def new_request_id() -> str:
    """32 hex characters with no run of digits a log scrubber would take for an ID number."""
    for _ in range(16):  # a run of 15 digits turns up in about one id in sixty
        made = uuid.uuid4().hex
        if not _ID_NUMBER_LIKE.search(made):
            return made
    return made.translate(_LETTERS_FOR_DIGITS)


def current_request_id() -> str | None:
    """The id of the request being served in this context (None outside a request)."""
    return _request_id.get()


@contextmanager
def request_scope(request_id: str) -> Iterator[str]:
    """Make `request_id` the current one for the block."""
    token = _request_id.set(request_id)
    try:
        yield request_id
    finally:
        _request_id.reset(token)


def current_trace_id() -> str | None:
    """The current trace id as 32 hex characters (None when no trace is active)."""
    span_context = trace.get_current_span().get_span_context()
    return format(span_context.trace_id, "032x") if span_context.is_valid else None


def extract(headers: Mapping[str, str]) -> Context:
    """The trace context an incoming request carries (`headers` with lower-case names)."""
    return _PROPAGATOR.extract(headers)


def inject(headers: MutableMapping[str, str]) -> MutableMapping[str, str]:
    """Add ``traceparent``/``tracestate`` of the current span and the current request id to `headers`."""
    _PROPAGATOR.inject(headers)
    request_id = _request_id.get()
    if request_id is not None:
        headers[REQUEST_ID_HEADER] = request_id
    return headers


def outgoing_headers() -> dict[str, str]:
    """The propagation headers for a call made now (empty outside a trace and a request)."""
    headers: dict[str, str] = {}
    inject(headers)
    return headers
