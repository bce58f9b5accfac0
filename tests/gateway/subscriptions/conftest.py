"""One running graph (three subgraphs and the gateway) shared by the tests that leave it as they found it."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from gateway.subscriptions.websocket import WebSocketLimits

from .harness import Graph, running_graph

#: tight bounds, so the protocol tests reach them quickly
SHARED_LIMITS = WebSocketLimits(init_timeout_s=0.5, max_subscriptions=3)


@pytest.fixture(scope="session")
def shared_graph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Graph]:
    with running_graph(tmp_path_factory.mktemp("subscriptions"), limits=SHARED_LIMITS) as graph:
        yield graph


@pytest.fixture
def graph(shared_graph: Graph) -> Graph:
    """The shared graph with its subgraphs' datasets, logs and subscription modes reset."""
    for server in shared_graph.servers.values():
        server.reset()
        server.hold_open = False
        server.event_interval_s = 0.02
        server.ws_handshakes.clear()
    alerts = shared_graph.servers["alerts"]
    for _ in range(250):  # bounded (5 s): the previous test's subgraph subscriptions are closed
        if alerts.ws_open == 0:
            break
        time.sleep(0.02)
    return shared_graph
