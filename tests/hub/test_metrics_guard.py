"""`/metrics` behind the scraper's token (hub.metrics_guard), over real HTTP."""

from __future__ import annotations

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from hub.metrics_guard import guard_metrics
from tests.support.servers import serve

TOKEN = "scraper-token-0123456789"


def _app() -> Starlette:
    async def metrics(_: Request) -> PlainTextResponse:
        return PlainTextResponse("# TYPE hub_requests counter\nhub_requests 1\n")

    async def graphql(_: Request) -> PlainTextResponse:
        return PlainTextResponse("graph")

    return Starlette(routes=[Route("/metrics", metrics), Route("/graphql", graphql)])


def test_a_token_is_needed_when_one_is_set() -> None:
    with serve(guard_metrics(_app(), token=TOKEN, production=True, name="test")) as url:
        for headers in ({}, {"authorization": "Bearer wrong"}, {"authorization": TOKEN},
                        {"authorization": f"Basic {TOKEN}"}):
            refused = httpx.get(f"{url}/metrics", headers=headers, timeout=5)
            assert refused.status_code == 401, headers
            assert "hub_requests" not in refused.text
        granted = httpx.get(f"{url}/metrics", headers={"authorization": f"Bearer {TOKEN}"}, timeout=5)
        assert granted.status_code == 200
        assert "hub_requests 1" in granted.text
        assert httpx.get(f"{url}/graphql", timeout=5).text == "graph"  # other paths untouched


def test_production_without_a_token_serves_no_metrics_and_dev_is_open() -> None:
    with serve(guard_metrics(_app(), token="", production=True, name="test")) as url:
        assert httpx.get(f"{url}/metrics", timeout=5).status_code == 404
        assert httpx.get(f"{url}/metrics/", timeout=5).status_code in (404, 307)
    with serve(guard_metrics(_app(), token="", production=False, name="test")) as url:
        assert "hub_requests 1" in httpx.get(f"{url}/metrics", timeout=5).text
