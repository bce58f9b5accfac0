"""Prometheus metrics of one subgraph app: GraphQL requests by outcome and their duration.

Each app owns a :class:`SubgraphMetrics` with its own registry. :class:`MeteredGraphQL` wraps the
GraphQL endpoint (plain ASGI, the request and response pass through untouched); the GraphQL view marks
a response that carries errors with :func:`mark_graphql_errors`, so the body is never parsed twice.
Labels are the subgraph's name and the outcome only; request data never becomes a label.
"""

from __future__ import annotations

from collections.abc import MutableMapping
from time import perf_counter
from typing import Any, Final

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

#: 1 ms ... 30 s, the same buckets as the gateway's
DURATION_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
_ERRORS_KEY: Final = "hub.graphql_errors"


def mark_graphql_errors(scope: MutableMapping[str, Any]) -> None:
    """Note on the request's ASGI scope that its GraphQL response carries errors."""
    scope[_ERRORS_KEY] = True


class SubgraphMetrics:
    """The metrics of one subgraph app and their text exposition."""

    content_type: Final = CONTENT_TYPE_LATEST

    def __init__(self, subgraph: str) -> None:
        self.registry = CollectorRegistry()
        requests = Counter("hub_subgraph_requests", "GraphQL requests answered, by outcome.",
                           ("subgraph", "outcome"), registry=self.registry)
        duration = Histogram("hub_subgraph_request_duration_seconds", "Time to answer a GraphQL request.",
                             ("subgraph",), buckets=DURATION_BUCKETS, registry=self.registry)
        self._ok = requests.labels(subgraph, "ok")
        self._error = requests.labels(subgraph, "error")
        self._duration = duration.labels(subgraph)

    def record(self, *, failed: bool, duration_s: float) -> None:
        """Count one answered request."""
        (self._error if failed else self._ok).inc()
        self._duration.observe(duration_s)

    def render(self) -> bytes:
        """The metrics in the Prometheus text exposition format (serve with :attr:`content_type`)."""
        return generate_latest(self.registry)


class OutboxMetrics:
    """The outbox relay's metrics, in a subgraph's registry: messages by outcome and the queue's age.

    Alert on `hub_outbox_messages_total{outcome="dead"}` rising and on `hub_outbox_oldest_pending_seconds`
    growing (a receiver down: its destination's messages wait)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        self._messages = Counter("hub_outbox_messages", "Outbox messages by destination and outcome "
                                 "(delivered, dead: rejected by the receiver, failed: an attempt that failed).",
                                 ("topic", "outcome"), registry=registry)
        self._age = Gauge("hub_outbox_oldest_pending_seconds", "Age of the oldest pending message per destination "
                          "at the relay's last look (0: none pending).", ("topic",), registry=registry)

    def count(self, topic: str, outcome: str, n: int) -> None:
        if n:
            self._messages.labels(topic, outcome).inc(n)

    def oldest_pending(self, topic: str, age_s: float) -> None:
        self._age.labels(topic).set(max(0.0, age_s))


class MeteredGraphQL:
    """ASGI wrapper counting each HTTP request to the GraphQL app: error on HTTP >= 400 or GraphQL errors."""

    def __init__(self, app: ASGIApp, metrics: SubgraphMetrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = perf_counter()
        status = 500  # if the app fails before it starts a response, the server answers 500

        async def send_noting_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_noting_status)
        except Exception:
            self.metrics.record(failed=True, duration_s=perf_counter() - started)
            raise
        self.metrics.record(failed=status >= 400 or bool(scope.get(_ERRORS_KEY)),
                            duration_s=perf_counter() - started)
