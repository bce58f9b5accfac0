"""The process's tracer provider: spans exported over OTLP/HTTP when an endpoint is set, none otherwise.

Off (no endpoint), spans are not recorded (the ALWAYS_OFF sampler: no span object, no attribute, no
export) but still get ids, so W3C trace context flows on to the next hop and log lines name a trace.
On, a batch processor sends them to ``ENDPOINT/v1/traces`` (the standard OTEL_BSP_* variables tune it).
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler, TraceIdRatioBased

_TRACES_PATH = "/v1/traces"


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL for a collector's base URL (or the traces URL itself)."""
    base = endpoint.rstrip("/")
    return base if base.endswith(_TRACES_PATH) else base + _TRACES_PATH


def build_provider(*, service_name: str, namespace: str, endpoint: str = "", headers: Mapping[str, str] | None = None,
                   sample_ratio: float = 1.0, exporter: SpanExporter | None = None) -> TracerProvider:
    """A tracer provider for one part; `exporter` replaces the OTLP one (tests, other protocols)."""
    resource = Resource.create({"service.name": service_name, "service.namespace": namespace})
    if exporter is None and endpoint:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=traces_url(endpoint), headers=dict(headers or {}), timeout=10)
    sampler: Sampler = ALWAYS_OFF if exporter is None else ParentBased(TraceIdRatioBased(sample_ratio))
    provider = TracerProvider(resource=resource, sampler=sampler)
    if exporter is not None:
        from opentelemetry.sdk.trace.export import BatchSpanProcessor

        provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def install(provider: TracerProvider) -> None:
    """Make `provider` the process's (once per process; it flushes its spans at exit)."""
    trace.set_tracer_provider(provider)
