"""Fixtures: the shop subgraphs and a gateway in front of them (with a Mutation type), on loopback ports."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator

import pytest

from gateway.app import create_app
from tests.gateway.http.gateway_process import hub_gateway
from tests.gateway.shop import subgraph_apps
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import serve

MUTATION = '''
type Mutation @join__type(graph: ACCOUNTS) {
  rename(name: String!): User @join__field(graph: ACCOUNTS)
}
'''


@pytest.fixture(scope="module")
def gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A plain gateway (no security extensions) over the shop; its API has a mutation (never run here)."""
    logging.getLogger("strawberry").setLevel(logging.CRITICAL)
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve(app)) + "/graphql" for name, app in subgraph_apps().items()}
        sdl = shop_supergraph(urls).replace("  query: Query\n  \n", "  query: Query\n  mutation: Mutation\n")
        path = tmp_path_factory.mktemp("http") / "supergraph.graphql"
        path.write_text(sdl + MUTATION, encoding="utf-8")
        yield stack.enter_context(serve(create_app(str(path), subgraph_timeout_s=5.0, poll_interval_s=None)))


@pytest.fixture(scope="session")
def hub_gateway_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """`hub gateway` as its own process (dev profile, the committed supergraph, no subgraph running)."""
    with hub_gateway(tmp_path_factory.mktemp("hub-gateway")) as url:
        yield url
