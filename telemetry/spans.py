"""Spans around one hop, without personal data: names and attributes say what ran, never with what values.

Attributes are the operation's name and document hash, the part or source system, the HTTP method and
status — never a URL path or query (a path can hold an ID number), variables or exception messages
(a message can quote a value): a failed span records the exception's type name only.

Until `record(True)` (the process exports its spans) no span is made at all: a block only continues the
caller's trace context, if it came with one, so the trace flows on at the cost of a context look-up.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from contextvars import Token
from types import TracebackType
from typing import Final

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from telemetry.context import outgoing_headers

#: the instrumentation scope of every span the hub makes (the part is the resource's service.name)
SCOPE: Final = "enforcement-hub"


_recording = False


def record(on: bool) -> None:
    """Make spans from now on (a tracer provider that exports is installed), or stop making them."""
    global _recording
    _recording = on


@functools.cache
def tracer() -> trace.Tracer:
    """The hub's tracer (made once: making one per span costs more than the span). Made before the
    process installs its provider, it is a proxy that turns to the provider once there is one."""
    return trace.get_tracer(SCOPE)


def fail(span: Span, exc: BaseException) -> None:
    """Mark `span` failed by `exc`'s type (its message stays out: it may quote a value)."""
    if span.is_recording():
        span.set_attribute("error.type", type(exc).__name__)
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


class span:
    """A current span for the block; an exception leaving it marks it failed (by type) and goes on.

    A plain class rather than a generator: it runs around every request and every fetch.
    """

    __slots__ = ("_attributes", "_context", "_kind", "_name", "_span", "_token")

    def __init__(self, name: str, *, kind: SpanKind = SpanKind.INTERNAL, context: Context | None = None,
                 attributes: Mapping[str, AttributeValue] | None = None) -> None:
        self._name = name
        self._kind = kind
        self._context = context
        self._attributes = attributes
        self._span: Span | None = None
        self._token: Token[Context] | None = None

    def __enter__(self) -> Span:
        if not _recording:  # no span: the caller's context (a server's extracted one) is all that flows on
            if self._context is not None:
                self._token = otel_context.attach(self._context)
            return trace.get_current_span()
        current = tracer().start_span(self._name, context=self._context, kind=self._kind,
                                      attributes=self._attributes, record_exception=False,
                                      set_status_on_exception=False)
        self._span = current
        self._token = otel_context.attach(trace.set_span_in_context(current))
        return current

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._span is not None:
            if exc is not None:
                fail(self._span, exc)
            self._span.end()
        if self._token is not None:
            otel_context.detach(self._token)


class client_call:
    """A CLIENT span for one outgoing call to `system`, and the headers that carry its trace context on:
    ``with client_call("population POST", system="population") as (current, headers):``."""

    __slots__ = ("_span",)

    def __init__(self, name: str, *, system: str, attributes: Mapping[str, AttributeValue] | None = None) -> None:
        self._span = span(name, kind=SpanKind.CLIENT, attributes={"peer.service": system, **(attributes or {})})

    def __enter__(self) -> tuple[Span, dict[str, str]]:
        return self._span.__enter__(), outgoing_headers()

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self._span.__exit__(kind, exc, tb)


def set_status_code(current: Span, status: int) -> None:
    """Record an HTTP answer's status (a 5xx fails the span)."""
    if current.is_recording():
        current.set_attribute("http.response.status_code", status)
        if status >= 500:
            current.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
