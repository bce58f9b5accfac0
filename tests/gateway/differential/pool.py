"""Start every fixture's subgraphs and gateways at most once per test session, lazily, and stop them all."""

from __future__ import annotations

from contextlib import ExitStack
from pathlib import Path

from .fixtures import all_fixtures
from .gateways import GatewayStartError, RunningGateway, hub_gateways, reference_gateways
from .harness import RunningFixture, running_fixtures


class FixturePool:
    """All fixtures served from one subgraph host; all reference gateways in one Node.js process; the hub
    gateways started side by side. Each group starts on first use; a failed start fails fast afterwards."""

    def __init__(self, workdir: Path) -> None:
        self._workdir = workdir
        self._stack = ExitStack()
        self._fixtures: dict[str, RunningFixture] | None = None
        self._gateways: dict[str, dict[str, RunningGateway | Exception]] = {}

    def fixture(self, name: str) -> RunningFixture:
        if self._fixtures is None:
            self._fixtures = self._stack.enter_context(running_fixtures(all_fixtures(), self._workdir))
        return self._fixtures[name]

    def reference(self, name: str) -> RunningGateway:
        return self._gateway("reference", name)

    def hub(self, name: str) -> RunningGateway:
        return self._gateway("hub", name)

    def _gateway(self, kind: str, name: str) -> RunningGateway:
        if kind not in self._gateways:
            self._gateways[kind] = self._start(kind)
        found = self._gateways[kind][name]
        if isinstance(found, Exception):
            raise found
        return found

    def _start(self, kind: str) -> dict[str, RunningGateway | Exception]:
        fixtures = all_fixtures()
        if kind == "reference":
            # a supergraph the reference refuses (reference_refuses.txt) would stop its shared Node.js process:
            # each of those gets a process of its own, whose failure to start is the answer for that fixture
            refused = [f.name for f in fixtures if (f.path / "reference_refuses.txt").exists()]
            found = self._start_group(kind, [f.name for f in fixtures if f.name not in refused])
            for name in refused:
                found.update(self._start_group(kind, [name]))
            return found
        return self._start_group(kind, [f.name for f in fixtures])

    def _start_group(self, kind: str, names: list[str]) -> dict[str, RunningGateway | Exception]:
        if not names:
            return {}
        paths = [self.fixture(n).supergraph for n in names]
        try:
            if kind == "reference":
                started: list[RunningGateway | GatewayStartError] = list(
                    self._stack.enter_context(reference_gateways(paths))
                )
            else:
                started = self._stack.enter_context(hub_gateways(paths))
        except Exception as exc:  # remembered and re-raised for every later case
            return dict.fromkeys(names, exc)
        return dict(zip(names, started, strict=True))

    def close(self) -> None:
        self._stack.close()
