"""Round trip: the hub gateway serving our supergraph answers each fixture's queries exactly as it does
serving the reference composer's supergraph, against the same running data-driven subgraphs."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from gateway.app import create_app
from gateway.compose import SubgraphSource, compose
from gateway.supergraph.loader import load_supergraph
from tests.gateway.differential.compare import differences
from tests.gateway.differential.fixtures import Case, all_cases, all_fixtures, supergraph_with_urls
from tests.gateway.differential.gateways import RunningGateway
from tests.gateway.differential.harness import RunningFixture, running_fixtures
from tests.support.servers import serve

pytestmark = pytest.mark.slow


class _Pool:
    def __init__(self, fixtures: dict[str, RunningFixture], workdir: Path) -> None:
        self.fixtures = fixtures
        self.workdir = workdir
        self.gateways: dict[tuple[str, str], RunningGateway] = {}
        self.stack: list[object] = []

    def gateway(self, fixture: str, which: str) -> RunningGateway:
        key = (fixture, which)
        if key not in self.gateways:
            running = self.fixtures[fixture]
            path = running.supergraph
            if which == "ours":
                reference_sdl = path.read_text(encoding="utf-8")
                urls = {n: g.url for n, g in load_supergraph(reference_sdl).subgraphs.items()}
                result = compose([SubgraphSource(*t) for t in running.fixture.composition_input()])
                assert result.supergraph_sdl is not None, [e.describe() for e in result.errors]
                path = self.workdir / f"{fixture}.ours.graphql"
                path.write_text(supergraph_with_urls(result.supergraph_sdl, urls), encoding="utf-8")
            context = serve(create_app(str(path), poll_interval_s=None))
            base = context.__enter__()
            self.stack.append(context)
            self.gateways[key] = RunningGateway(f"{which}-{fixture}", f"{base}/graphql", httpx.Client(timeout=20.0))
        return self.gateways[key]

    def close(self) -> None:
        for g in self.gateways.values():
            g.client.close()
        # each server takes up to a main-loop tick to notice it should stop: stop them side by side
        with ThreadPoolExecutor(max_workers=16) as stopping:
            list(stopping.map(lambda c: c.__exit__(None, None, None), reversed(self.stack)))  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def pool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[_Pool]:
    workdir = tmp_path_factory.mktemp("compose-roundtrip")
    with running_fixtures(all_fixtures(), workdir) as fixtures:
        p = _Pool(fixtures, workdir)
        try:
            yield p
        finally:
            p.close()


@pytest.mark.parametrize("case", all_cases(), ids=lambda c: c.id)
def test_our_supergraph_answers_like_the_reference_supergraph(case: Case, pool: _Pool) -> None:
    running = pool.fixtures[case.fixture]
    expected = running.run(pool.gateway(case.fixture, "reference"), case)
    actual = running.run(pool.gateway(case.fixture, "ours"), case)
    problems = differences(expected, actual)
    assert not problems, f"{case.id}:\n" + "\n".join(problems)
    if not case.expect_errors and not case.allow_nulls:
        assert actual.get("data"), actual  # the comparison is not between two empty answers
