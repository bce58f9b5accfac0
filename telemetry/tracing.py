"""The process's tracer provider: spans exported over OTLP/HTTP when an endpoint is set, none otherwise.

Off (no endpoint, the default), no provider is installed and no span is made (`telemetry.spans`): a
caller's W3C trace context still flows on through every hop, at the cost of a context look-up, and
log lines name its trace. On, a batch processor sends spans to ``ENDPOINT/v1/traces`` (the standard
OTEL_BSP_* variables tune it), sampled by `sample_ratio` (a caller's sampled trace is followed).
"""

from __future__ import annotations

from collections.abc import Mapping

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SpanExporter
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

from telemetry.spans import record

_TRACES_PATH = "/v1/traces"


def traces_url(endpoint: str) -> str:
    """The OTLP/HTTP traces URL for a collector's base URL (or the traces URL itself)."""
    base = endpoint.rstrip("/")
    return base if base.endswith(_TRACES_PATH) else base + _TRACES_PATH


def build_provider(*, service_name: str, namespace: str, endpoint: str = "", headers: Mapping[str, str] | None = None,
                   sample_ratio: float = 1.0, exporter: SpanExporter | None = None) -> TracerProvider:
    """A tracer provider for one part, exporting to `endpoint` (or to `exporter`: tests, other protocols)."""
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    if exporter is None:
        if not endpoint:
            raise ValueError("a tracer provider needs an OTLP endpoint or an exporter")
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        exporter = OTLPSpanExporter(endpoint=traces_url(endpoint), headers=dict(headers or {}), timeout=10)
    resource = Resource.create({"service.name": service_name, "service.namespace": namespace})
    provider = TracerProvider(resource=resource, sampler=ParentBased(TraceIdRatioBased(sample_ratio)))
    provider.add_span_processor(BatchSpanProcessor(exporter))
    return provider


def install(provider: TracerProvider) -> None:
    """Make `provider` the process's and make spans from now on (once per process; it flushes at exit)."""
    trace.set_tracer_provider(provider)
    record(True)
