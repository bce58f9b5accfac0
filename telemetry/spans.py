"""Spans around one hop, without personal data: names and attributes say what ran, never with what values.

Attributes are the operation's name and document hash, the part or source system, the HTTP method and
status — never a URL path or query (a path can hold an ID number), variables or exception messages
(a message can quote a value): a failed span records the exception's type name only.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Final

from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.trace import Span, SpanKind, Status, StatusCode
from opentelemetry.util.types import AttributeValue

from telemetry.context import outgoing_headers

#: the instrumentation scope of every span the hub makes (the part is the resource's service.name)
SCOPE: Final = "enforcement-hub"


def tracer() -> trace.Tracer:
    return trace.get_tracer(SCOPE)


def fail(span: Span, exc: BaseException) -> None:
    """Mark `span` failed by `exc`'s type (its message stays out: it may quote a value)."""
    if span.is_recording():
        span.set_attribute("error.type", type(exc).__name__)
        span.set_status(Status(StatusCode.ERROR, type(exc).__name__))


@contextmanager
def span(name: str, *, kind: SpanKind = SpanKind.INTERNAL, context: Context | None = None,
         attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[Span]:
    """A current span for the block; an exception leaving it marks it failed (by type) and goes on."""
    with tracer().start_as_current_span(name, context=context, kind=kind, attributes=attributes,
                                        record_exception=False, set_status_on_exception=False) as current:
        try:
            yield current
        except BaseException as exc:
            fail(current, exc)
            raise


@contextmanager
def client_call(name: str, *, system: str,
                attributes: Mapping[str, AttributeValue] | None = None) -> Iterator[tuple[Span, dict[str, str]]]:
    """A CLIENT span for one outgoing call to `system`, and the headers that carry its trace context on."""
    with span(name, kind=SpanKind.CLIENT, attributes={"peer.service": system, **(attributes or {})}) as current:
        yield current, outgoing_headers()


def set_status_code(current: Span, status: int) -> None:
    """Record an HTTP answer's status (a 5xx fails the span)."""
    if current.is_recording():
        current.set_attribute("http.response.status_code", status)
        if status >= 500:
            current.set_status(Status(StatusCode.ERROR, f"HTTP {status}"))
