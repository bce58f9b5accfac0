"""A real OTLP/HTTP trace receiver on loopback: decodes the protobuf export requests parts send it."""

from __future__ import annotations

import gzip
import threading
from dataclasses import dataclass, field
from typing import Any

from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

_PROTOBUF = "application/x-protobuf"


@dataclass(frozen=True)
class ReceivedSpan:
    service: str
    trace_id: str
    span_id: str
    parent_span_id: str
    name: str
    kind: int
    attributes: dict[str, Any]


def _value(any_value: Any) -> Any:
    kind = any_value.WhichOneof("value")
    if kind == "array_value":
        return [_value(v) for v in any_value.array_value.values]
    if kind == "kvlist_value":
        return {kv.key: _value(kv.value) for kv in any_value.kvlist_value.values}
    return getattr(any_value, kind) if kind else None


@dataclass
class TraceReceiver:
    """Every span received, with its service.name; `app` is the Starlette app to serve."""

    spans: list[ReceivedSpan] = field(default_factory=list)
    requests: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def received(self) -> list[ReceivedSpan]:
        with self._lock:
            return list(self.spans)

    def app(self) -> Starlette:
        async def traces(request: Request) -> Response:
            body = await request.body()
            if request.headers.get("content-encoding") == "gzip":
                body = gzip.decompress(body)
            if request.headers.get("content-type") != _PROTOBUF:
                return Response(b"protobuf only", status_code=415)
            export = ExportTraceServiceRequest.FromString(body)
            decoded: list[ReceivedSpan] = []
            for resource_spans in export.resource_spans:
                resource = {a.key: _value(a.value) for a in resource_spans.resource.attributes}
                for scope_spans in resource_spans.scope_spans:
                    for span in scope_spans.spans:
                        decoded.append(ReceivedSpan(
                            service=str(resource.get("service.name", "")), trace_id=span.trace_id.hex(),
                            span_id=span.span_id.hex(), parent_span_id=span.parent_span_id.hex(), name=span.name,
                            kind=span.kind, attributes={a.key: _value(a.value) for a in span.attributes}))
            with self._lock:
                self.spans.extend(decoded)
                self.requests += 1
            return Response(ExportTraceServiceResponse().SerializeToString(), media_type=_PROTOBUF)

        return Starlette(routes=[Route("/v1/traces", traces, methods=["POST"])])


__all__ = ["ReceivedSpan", "TraceReceiver"]
