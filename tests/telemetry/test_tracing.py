"""The tracer provider: off by default (nothing recorded, context still passed on), OTLP/HTTP export when set."""

from __future__ import annotations

from pathlib import Path

import pytest
from opentelemetry.trace import SpanKind

from telemetry.context import extract
from telemetry.spans import client_call, span
from telemetry.tracing import build_provider, traces_url
from tests.support.otlp import TraceReceiver
from tests.support.servers import serve


def test_the_traces_url_is_derived_from_a_collectors_base_url() -> None:
    assert traces_url("http://collector:4318") == "http://collector:4318/v1/traces"
    assert traces_url("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert traces_url("http://collector:4318/v1/traces") == "http://collector:4318/v1/traces"


def test_off_no_span_is_made_but_a_callers_trace_context_flows_on() -> None:
    caller = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01"
    with span("POST /graphql", kind=SpanKind.SERVER, context=extract({"traceparent": caller})) as server, \
            client_call("fetch population", system="population") as (fetch, headers):
        assert not server.is_recording()
        assert not fetch.is_recording()
    assert headers["traceparent"] == caller  # unchanged: no span of ours stands between
    with span("POST /graphql"), client_call("fetch population", system="population") as (_, headers):
        pass
    assert headers == {}  # no caller's trace, no span: nothing to pass on
    with pytest.raises(ValueError, match="OTLP endpoint"):
        build_provider(service_name="gateway", namespace="enforcement-hub")


def test_on_spans_reach_a_real_otlp_http_receiver_with_the_parts_service_name(tmp_path: Path) -> None:
    receiver = TraceReceiver()
    with serve(receiver.app()) as url:
        provider = build_provider(service_name="population", namespace="enforcement-hub-test", endpoint=url)
        try:
            tracer = provider.get_tracer("t")
            with tracer.start_as_current_span("outer") as outer, tracer.start_as_current_span("inner"):
                pass
            assert provider.force_flush(10_000)
        finally:
            provider.shutdown()
    received = {s.name: s for s in receiver.received()}
    assert set(received) == {"outer", "inner"}
    assert {s.service for s in received.values()} == {"population"}
    trace_id = format(outer.get_span_context().trace_id, "032x")
    assert received["inner"].trace_id == received["outer"].trace_id == trace_id
    assert received["inner"].parent_span_id == received["outer"].span_id


@pytest.mark.parametrize("ratio", [0.0, 1.0])
def test_the_sample_ratio_decides_what_a_new_trace_records(ratio: float) -> None:
    receiver = TraceReceiver()
    with serve(receiver.app()) as url:
        provider = build_provider(service_name="gateway", namespace="n", endpoint=url, sample_ratio=ratio)
        try:
            with provider.get_tracer("t").start_as_current_span("request") as span:
                recording = span.is_recording()
            provider.force_flush(10_000)
        finally:
            provider.shutdown()
    assert recording is (ratio == 1.0)
    assert len(receiver.received()) == (1 if ratio == 1.0 else 0)
