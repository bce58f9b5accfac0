"""The gateway's own spans beyond HTTP: planning, named by the operation's name and its document's hash.

The request's SERVER span (`telemetry.asgi`) and each subgraph fetch's CLIENT span
(`gateway.execution.transport`) are made elsewhere; this adds the ``plan`` span between them and
names the operation on both. Never variables or literal values: a hash of the document stands for it.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from opentelemetry import trace

from telemetry.logs import scrub
from telemetry.spans import span


def operation_attributes(query: str, operation_name: str | None, operation_type: str | None = None) -> dict[str, str]:
    """What names an operation in a span: its name (masked if it looks like an ID number), type and document hash."""
    attributes = {"graphql.document.hash": hashlib.sha256(query.encode("utf-8")).hexdigest()}
    if operation_name:
        attributes["graphql.operation.name"] = scrub(operation_name)
    if operation_type:
        attributes["graphql.operation.type"] = operation_type
    return attributes


Describe = Callable[[str | None, str], None]


@contextmanager
def planning(query: str) -> Iterator[Describe]:
    """The ``plan`` span around parse, validate and plan (a cache hit included); call the function it gives
    with the planned operation's name and type to name the operation on this span and the request's."""
    request_span = trace.get_current_span()
    with span("plan") as current:
        if current.is_recording():
            current.set_attributes(operation_attributes(query, None))

        def describe(operation_name: str | None, operation_type: str) -> None:
            if current.is_recording():
                attributes = operation_attributes(query, operation_name, operation_type)
                current.set_attributes(attributes)
                request_span.set_attributes(attributes)

        yield describe
