"""The tracer provider: off by default (nothing recorded, context still passed on), OTLP/HTTP export when set."""

from __future__ import annotations

from pathlib import Path

import pytest

from telemetry.tracing import build_provider, traces_url
from tests.support.otlp import TraceReceiver
from tests.support.servers import serve


def test_the_traces_url_is_derived_from_a_collectors_base_url() -> None:
    assert traces_url("http://collector:4318") == "http://collector:4318/v1/traces"
    assert traces_url("http://collector:4318/") == "http://collector:4318/v1/traces"
    assert traces_url("http://collector:4318/v1/traces") == "http://collector:4318/v1/traces"


def test_off_spans_are_not_recorded_but_still_have_a_trace_to_pass_on() -> None:
    provider = build_provider(service_name="gateway", namespace="enforcement-hub")
    try:
        with provider.get_tracer("t").start_as_current_span("request") as span:
            assert not span.is_recording()
            assert span.get_span_context().is_valid
        assert not provider._active_span_processor._span_processors  # no exporter, no processor
    finally:
        provider.shutdown()


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
