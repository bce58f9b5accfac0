"""A span around each GraphQL operation a subgraph runs, named by the operation (never by its values).

The request's SERVER span comes from `telemetry.asgi` (continuing the gateway's trace); this adds the
operation's span under it, with the operation's type, its name (masked where it looks like an ID
number) and its document's hash; the adapters' CLIENT spans to departmental systems nest inside.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Iterator

from strawberry.extensions import SchemaExtension

from telemetry.logs import scrub
from telemetry.spans import span


class OperationSpan(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        with span("graphql operation") as current:
            yield
            if current.is_recording():
                context = self.execution_context
                current.set_attribute("graphql.document.hash",
                                      hashlib.sha256((context.query or "").encode("utf-8")).hexdigest())
                if context.operation_name:
                    current.set_attribute("graphql.operation.name", scrub(context.operation_name))
                with contextlib.suppress(RuntimeError):  # a document that did not parse has no operation type
                    current.set_attribute("graphql.operation.type", context.operation_type.value)
