"""Run every fixture's subgraphs and send a case to a gateway with the right faults and a fresh dataset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .fixtures import Case, Fixture, supergraph_with_urls
from .gateways import RunningGateway
from .subgraph_server import SubgraphServer, serve_subgraphs


@dataclass
class RunningFixture:
    """A fixture whose subgraphs are being served, with its supergraph pointing at them."""

    fixture: Fixture
    servers: dict[str, SubgraphServer]
    supergraph: Path

    def run(self, gateway: RunningGateway, case: Case) -> dict[str, Any]:
        """Send `case` to `gateway` with a freshly reset dataset and the case's faults switched on."""
        unknown = set(case.faults) - set(self.servers)
        if unknown:
            raise ValueError(f"{case.id}: faults for unknown subgraphs {sorted(unknown)}")
        for server in self.servers.values():
            server.reset()
        for name, mode in case.faults.items():
            self.servers[name].set_fault(mode)
        try:
            return gateway.post(case.body())
        finally:
            for server in self.servers.values():
                server.set_fault(None)


@contextmanager
def running_fixtures(fixtures: tuple[Fixture, ...], workdir: Path) -> Iterator[dict[str, RunningFixture]]:
    """Serve the subgraphs of all `fixtures` on one loopback port (path `/<fixture>/<subgraph>/graphql`)
    and write each supergraph, with the live URLs, into `workdir`."""
    servers = {f"{f.name}/{s.name}": SubgraphServer(s) for f in fixtures for s in f.subgraphs}
    with serve_subgraphs(servers) as urls:
        running: dict[str, RunningFixture] = {}
        for fixture in fixtures:
            own = {s.name: f"{fixture.name}/{s.name}" for s in fixture.subgraphs}
            text = supergraph_with_urls(
                fixture.supergraph_path.read_text(encoding="utf-8"),
                {sub: urls[prefix] for sub, prefix in own.items()},
            )
            path = workdir / f"{fixture.name}.supergraph.graphql"
            path.write_text(text, encoding="utf-8")
            running[fixture.name] = RunningFixture(fixture, {sub: servers[p] for sub, p in own.items()}, path)
        yield running
