"""Fixtures: gated subgraphs on loopback ports and gateways with --dedupe in front of them."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.app import create_app
from gateway.inbound_dedupe import InboundDedupe
from tests.gateway.dedupe.support import CounterSubgraph, Gate, counter_supergraph
from tests.gateway.shop import subgraph_apps
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import serve


@dataclass
class Served:
    url: str
    gates: dict[str, Gate]
    dedupe: InboundDedupe

    def fetches(self) -> int:
        return sum(g.requests for g in self.gates.values())

    def close(self) -> None:
        for g in self.gates.values():
            g.close()

    def open(self) -> None:
        for g in self.gates.values():
            g.open()


def _gateway(path: Path, gates: dict[str, Gate]) -> Iterator[Served]:
    app = create_app(str(path), subgraph_timeout_s=10.0, poll_interval_s=None, dedupe_inflight=True)
    dedupe = app.state.inbound_dedupe
    assert isinstance(dedupe, InboundDedupe)
    with serve(app) as url:
        try:
            yield Served(url + "/graphql", gates, dedupe)
        finally:
            for g in gates.values():
                g.open()


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The four shop subgraphs (entities across them), each behind a gate."""
    logging.getLogger("strawberry").setLevel(logging.CRITICAL)
    gates = {name: Gate(app) for name, app in subgraph_apps().items()}
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve(g)) + "/graphql" for name, g in gates.items()}
        path = tmp_path_factory.mktemp("shop") / "supergraph.graphql"
        path.write_text(shop_supergraph(urls), encoding="utf-8")
        yield from _gateway(path, gates)


@pytest.fixture(scope="module")
def counter(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """One hand-made subgraph with a query that echoes its variable and a counting mutation."""
    gate = Gate(CounterSubgraph())
    with serve(gate) as sub:
        path = tmp_path_factory.mktemp("counter") / "supergraph.graphql"
        path.write_text(counter_supergraph(sub + "/graphql"), encoding="utf-8")
        yield from _gateway(path, {"counter": gate})
