"""Prometheus metrics of one gateway app: requests, their duration and error codes, subgraph fetches, reloads.

Every app owns a :class:`GatewayMetrics` with its own registry (never the process-wide default one), so
several apps in one process keep separate counts. Labels are low-cardinality only: operation type,
outcome, error code, subgraph service name and fetch error kind. Request data (variables, operation
names, IDs, users) never becomes a label.

The recording methods run on every request, so they look labelled children up in plain dicts built once
instead of calling ``.labels()`` each time.

Worker processes (:mod:`gateway.workers`): when ``PROMETHEUS_MULTIPROC_DIR`` names a directory, the process
is one of several serving the same port, prometheus_client keeps every value in a file of that directory and
:meth:`GatewayMetrics.render` answers with the sums over all the processes of the run (counters and histograms;
the reload counter too, so one SIGHUP to N workers adds N). Only one app per process may then record.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Final

from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.metrics_core import CounterMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector

from gateway.errors import SubgraphError, SubgraphUnavailable, SubrequestTimeout

OPERATION_TYPES: Final = ("query", "mutation", "subscription", "unknown")
OUTCOMES: Final = ("ok", "partial", "error")
FETCH_ERROR_KINDS: Final = ("timeout", "unavailable", "http")
#: 1 ms ... 30 s: a planned query costs a few ms, the slowest subgraph timeout is tens of seconds
DURATION_BUCKETS: Final = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
UNKNOWN_CODE: Final = "UNKNOWN"
OTHER_CODE: Final = "OTHER"
#: distinct error codes kept as their own label value; further ones (a subgraph inventing codes) count as OTHER
MAX_ERROR_CODES: Final = 64

_CODE_SHAPE = re.compile(r"[A-Za-z][A-Za-z0-9_]{0,63}")


def outcome_of(body: Mapping[str, Any]) -> str:
    """``ok`` without errors, ``partial`` with data and errors, ``error`` with errors and no data."""
    if not body.get("errors"):
        return "ok"
    return "error" if body.get("data") is None else "partial"


def fetch_error_kind(error: SubgraphError) -> str:
    """The ``kind`` label of a failed subgraph fetch."""
    if isinstance(error, SubrequestTimeout):
        return "timeout"
    if isinstance(error, SubgraphUnavailable):
        return "unavailable"
    return "http"  # SubrequestHttpError: a non-2xx answer or a body that is not GraphQL JSON


class _ReloadCollector:
    """Reads the reload count from the app's state when the metrics are scraped."""

    def __init__(self, read: Callable[[], int]) -> None:
        self._read = read

    def describe(self) -> Iterable[Metric]:
        return [CounterMetricFamily("hub_gateway_supergraph_reloads", "Supergraph reloads since start-up.")]

    def collect(self) -> Iterable[Metric]:
        return [CounterMetricFamily("hub_gateway_supergraph_reloads", "Supergraph reloads since start-up.",
                                    value=self._read())]


class GatewayMetrics:
    """The metrics of one gateway app and their text exposition."""

    content_type: Final = CONTENT_TYPE_LATEST

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        shared = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "")
        self._shared_dir = shared if shared and os.path.isdir(shared) else None
        self._reloads: Counter | None = None
        requests = Counter("hub_gateway_requests", "GraphQL requests answered, by operation type and outcome.",
                           ("operation_type", "outcome"), registry=self.registry)
        duration = Histogram("hub_gateway_request_duration_seconds", "Time to answer a GraphQL request.",
                             ("operation_type",), buckets=DURATION_BUCKETS, registry=self.registry)
        self._errors = Counter("hub_gateway_errors", "Errors in GraphQL responses, by extensions.code.",
                               ("code",), registry=self.registry)
        self._fetch_duration = Histogram("hub_gateway_subgraph_fetch_duration_seconds",
                                         "Time of one HTTP request to a subgraph.", ("subgraph",),
                                         buckets=DURATION_BUCKETS, registry=self.registry)
        self._fetch_errors = Counter("hub_gateway_subgraph_fetch_errors", "Failed HTTP requests to a subgraph.",
                                     ("subgraph", "kind"), registry=self.registry)
        # the fixed label sets exist from the start (scrapes see zeros, not missing series)
        self._requests = {(op, outcome): requests.labels(op, outcome) for op in OPERATION_TYPES for outcome in OUTCOMES}
        self._durations = {op: duration.labels(op) for op in OPERATION_TYPES}
        self._codes: dict[str, Counter] = {}
        self._fetch_durations: dict[str, Histogram] = {}
        self._fetch_error_children: dict[tuple[str, str], Counter] = {}

    def track_reloads(self, read: Callable[[], int]) -> None:
        """Expose ``hub_gateway_supergraph_reloads_total``, read from `read` at every scrape (with worker
        processes: counted by :meth:`reloaded`, since a scrape reaches one process only)."""
        if self._shared_dir is not None:
            self._reloads = Counter("hub_gateway_supergraph_reloads", "Supergraph reloads since start-up.",
                                    registry=self.registry)
        else:
            self.registry.register(_ReloadCollector(read))

    def reloaded(self) -> None:
        """One more successful reload (counted here only with worker processes)."""
        if self._reloads is not None:
            self._reloads.inc()

    def record_request(self, operation_type: str, body: Mapping[str, Any], duration_s: float) -> str:
        """Count one answered request from the response body it got; return its outcome."""
        errors = body.get("errors")
        if errors:
            outcome = "error" if body.get("data") is None else "partial"
            if isinstance(errors, list):
                for error in errors:
                    self._code_counter(_code_of(error)).inc()
        else:
            outcome = "ok"
        key = (operation_type, outcome)
        counter = self._requests.get(key)
        if counter is None:  # an operation type outside the fixed set
            operation_type = "unknown"
            counter = self._requests[(operation_type, outcome)]
        counter.inc()
        self._durations[operation_type].observe(duration_s)
        return outcome

    def record_fetch(self, subgraph: str, duration_s: float, error: SubgraphError | None = None) -> None:
        """Time one HTTP request to `subgraph`; count it by kind when it failed."""
        histogram = self._fetch_durations.get(subgraph)
        if histogram is None:
            histogram = self._fetch_durations[subgraph] = self._fetch_duration.labels(subgraph)
        histogram.observe(duration_s)
        if error is not None:
            key = (subgraph, fetch_error_kind(error))
            counter = self._fetch_error_children.get(key)
            if counter is None:
                counter = self._fetch_error_children[key] = self._fetch_errors.labels(*key)
            counter.inc()

    def render(self) -> bytes:
        """The metrics in the Prometheus text exposition format (serve with :attr:`content_type`)."""
        if self._shared_dir is not None:
            merged = CollectorRegistry()
            MultiProcessCollector(merged, path=self._shared_dir)  # type: ignore[no-untyped-call]
            return generate_latest(merged)
        return generate_latest(self.registry)

    def _code_counter(self, code: str) -> Counter:
        counter = self._codes.get(code)
        if counter is None:
            if len(self._codes) >= MAX_ERROR_CODES:
                code = OTHER_CODE
                counter = self._codes.get(code)
            if counter is None:
                counter = self._codes[code] = self._errors.labels(code)
        return counter


def _code_of(error: Any) -> str:
    """The error's ``extensions.code`` if it looks like a code; UNKNOWN when missing, OTHER when odd."""
    if not isinstance(error, dict):
        return UNKNOWN_CODE
    extensions = error.get("extensions")
    code = extensions.get("code") if isinstance(extensions, dict) else None
    if code is None:
        return UNKNOWN_CODE
    if not isinstance(code, str) or _CODE_SHAPE.fullmatch(code) is None:
        return OTHER_CODE  # not a code-like word: keep whatever it holds out of the labels
    return code
