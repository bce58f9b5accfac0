"""Spans recorded in this test process: spans are made, and kept in memory, only while a test that asks for
`spans` runs, so other tests in the same worker run as a process without an exporter does."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.context import Context
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ALWAYS_ON, Sampler, SamplingResult
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import Attributes

from telemetry.spans import record


class _Switch(Sampler, SpanProcessor):
    def __init__(self) -> None:
        self.on = False
        self.ended: list[ReadableSpan] = []

    def should_sample(self, parent_context: Context | None, trace_id: int, name: str,
                      kind: SpanKind | None = None, attributes: Attributes = None,
                      links: Sequence[Link] | None = None, trace_state: Any = None) -> SamplingResult:
        chosen = ALWAYS_ON if self.on else ALWAYS_OFF
        return chosen.should_sample(parent_context, trace_id, name, kind, attributes, links, trace_state)

    def get_description(self) -> str:
        return "test switch"

    def on_end(self, span: ReadableSpan) -> None:
        if self.on:
            self.ended.append(span)


_SWITCH = _Switch()


def _installed() -> _Switch:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider(sampler=_SWITCH)
        trace.set_tracer_provider(provider)
        provider.add_span_processor(_SWITCH)
    if provider.sampler is not _SWITCH:
        pytest.skip("another tracer provider is installed in this process")
    return _SWITCH


@pytest.fixture
def spans() -> Iterator[list[ReadableSpan]]:
    """The spans ended during the test (recording is on for its duration)."""
    switch = _installed()
    switch.ended = []
    switch.on = True
    record(True)
    try:
        yield switch.ended
    finally:
        record(False)
        switch.on = False
