"""Fixtures: the shop subgraphs and a gateway in front of them, all on loopback ports."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from gateway.app import create_app
from tests.gateway.shop import Recorder, subgraph_apps
from tests.gateway.shop_supergraph import shop_supergraph
from tests.support.servers import serve


@dataclass
class Shop:
    urls: dict[str, str]
    recorders: dict[str, Recorder]
    supergraph_path: Path

    def reset(self) -> None:
        for r in self.recorders.values():
            r.bodies.clear()
            r.delay_s = 0.0


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Shop]:
    logging.getLogger("strawberry").setLevel(logging.CRITICAL)
    recorders = subgraph_apps()
    with contextlib.ExitStack() as stack:
        urls = {name: stack.enter_context(serve(app)) + "/graphql" for name, app in recorders.items()}
        path = tmp_path_factory.mktemp("shop") / "supergraph.graphql"
        path.write_text(shop_supergraph(urls), encoding="utf-8")
        yield Shop(urls, recorders, path)


@pytest.fixture(scope="module")
def gateway_url(shop: Shop) -> Iterator[str]:
    # a generous timeout: these tests are about merging, not timing, and CI machines are shared
    # (the timeout test builds its own gateway with a short one)
    with serve(create_app(str(shop.supergraph_path), subgraph_timeout_s=5.0, poll_interval_s=None)) as url:
        yield url


@pytest.fixture
def fresh(shop: Shop) -> Iterator[Shop]:
    shop.reset()
    yield shop
    shop.reset()
