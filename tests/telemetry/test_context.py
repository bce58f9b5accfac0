"""Request ids and W3C trace context: what a part accepts from its caller and what it passes on."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st
from opentelemetry.sdk.trace import ReadableSpan

from telemetry.context import (
    REQUEST_ID_HEADER,
    accept_request_id,
    current_request_id,
    current_trace_id,
    extract,
    outgoing_headers,
    request_scope,
)
from telemetry.spans import span

_TRACEPARENT = re.compile(r"^00-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$")
_ID_RUN = re.compile(r"\d{17}[\dXx]|\d{15}")


def test_a_safe_request_id_is_kept_and_anything_else_replaced() -> None:
    assert accept_request_id("checkout-7f3a") == "checkout-7f3a"
    for bad in ("", None, "x" * 65, "has space", "引号", "445121197304149230", "req-445121197304149230-1"):
        made = accept_request_id(bad)
        assert made != bad
        assert re.fullmatch(r"[0-9a-p]{32}", made), made


@given(st.text(max_size=80))
def test_an_accepted_request_id_is_always_opaque_and_never_an_id_number(given_id: str) -> None:
    accepted = accept_request_id(given_id)
    assert re.fullmatch(r"[A-Za-z0-9_.:@-]{1,64}", accepted)
    assert not _ID_RUN.search(accepted)


def test_outside_a_request_and_a_trace_nothing_is_passed_on() -> None:
    assert current_request_id() is None
    assert current_trace_id() is None
    assert outgoing_headers() == {}


def test_inside_a_span_the_headers_name_its_trace_and_the_request(spans: list[ReadableSpan]) -> None:
    with request_scope("req-1"), span("outer") as current:
        headers = outgoing_headers()
        context = current.get_span_context()
        assert current_trace_id() == format(context.trace_id, "032x")
    match = _TRACEPARENT.match(headers["traceparent"])
    assert match is not None, headers
    assert match.group(1) == format(context.trace_id, "032x")
    assert match.group(2) == format(context.span_id, "016x")
    assert headers[REQUEST_ID_HEADER] == "req-1"
    assert current_request_id() is None  # the scope ended


def test_a_callers_trace_context_is_continued(spans: list[ReadableSpan]) -> None:
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with span("server", context=extract({"traceparent": caller, "tracestate": "vendor=1"})):
        headers = outgoing_headers()
    assert headers["traceparent"].startswith("00-4bf92f3577b34da6a3ce929d0e0e4736-")
    assert headers["tracestate"] == "vendor=1"
    (ended,) = spans
    assert ended.parent is not None
    assert format(ended.parent.span_id, "016x") == "00f067aa0ba902b7"


def test_a_failed_span_names_the_exception_type_not_its_message(spans: list[ReadableSpan]) -> None:
    try:
        with span("lookup"):
            raise ValueError("no person 445121197304149230")
    except ValueError:
        pass
    (ended,) = spans
    assert ended.attributes is not None
    assert ended.attributes["error.type"] == "ValueError"
    assert ended.status.description == "ValueError"
    assert not ended.events  # no exception event (it would carry the message)
