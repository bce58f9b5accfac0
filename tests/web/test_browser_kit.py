"""The vendored assets work in a real Chromium, offline, and the browser kit sees what pages do.

A tiny Starlette app on 127.0.0.1 serves web/static/ and one page that draws an ECharts chart, swaps
a fragment in with htmx, and mounts GraphiQL (with React 18) on a real GraphQL endpoint (graphql-core).
"""

from __future__ import annotations

import json
import struct
from collections.abc import Iterator
from pathlib import Path

import pytest
from graphql import build_schema, graphql_sync
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from tests.web.browser_kit import VIEWPORTS, launch, screenshot, serve, watch

STATIC = Path(__file__).resolve().parents[2] / "web" / "static"
TIMEOUT_MS = 20_000

SCHEMA = build_schema("type Query { greeting(name: String!): String! }")
ROOT_VALUE = {"greeting": lambda info, name: f"你好, {name}"}

PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>vendored assets</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/static/vendor/graphiql/graphiql.min.css">
<script src="/static/vendor/echarts/echarts.min.js"></script>
<script src="/static/vendor/htmx.org/htmx.min.js"></script>
<script src="/static/vendor/react/react.production.min.js"></script>
<script src="/static/vendor/react-dom/react-dom.production.min.js"></script>
<script src="/static/vendor/graphiql/graphiql.min.js"></script>
<style>body{margin:0;font-family:sans-serif} #chart{width:720px;height:260px} #graphiql{height:480px}</style>
</head><body>
<div id="chart"></div>
<button id="load" hx-get="/fragment" hx-target="#slot" hx-swap="innerHTML">载入</button>
<div id="slot">empty</div>
<div id="graphiql"></div>
<script>
  const chart = echarts.init(document.getElementById('chart'));
  chart.setOption({
    title: {text: '按月结案数'}, animation: false,
    xAxis: {type: 'category', data: ['7月', '8月', '9月']}, yAxis: {type: 'value'},
    series: [{type: 'bar', data: [12, 30, 21]}]
  });
  const fetcher = GraphiQL.createFetcher({url: '/graphql'});
  ReactDOM.createRoot(document.getElementById('graphiql')).render(
    React.createElement(GraphiQL, {fetcher, defaultQuery: '{ greeting(name: "监督") }'}));
</script>
</body></html>"""


async def page(_: Request) -> HTMLResponse:
    return HTMLResponse(PAGE)


async def fragment(_: Request) -> HTMLResponse:
    return HTMLResponse('<span id="swapped">片段已载入</span>')


async def graphql_endpoint(request: Request) -> JSONResponse:
    body = await request.json()
    result = graphql_sync(SCHEMA, body["query"], root_value=ROOT_VALUE,
                          variable_values=body.get("variables"), operation_name=body.get("operationName"))
    out: dict[str, object] = {"data": result.data}
    if result.errors:
        out["errors"] = [e.formatted for e in result.errors]
    return JSONResponse(out)


APP = Starlette(routes=[
    Route("/", page),
    Route("/fragment", fragment),
    Route("/graphql", graphql_endpoint, methods=["POST"]),
    Mount("/static", StaticFiles(directory=STATIC), name="static"),
])


@pytest.fixture(scope="module")
def base_url() -> Iterator[str]:
    with serve(APP) as url:
        yield url


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_vendored_assets_render_offline(base_url: str) -> None:
    with launch() as browser:
        context = browser.new_context(viewport=VIEWPORTS["desktop"])
        page = context.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        requests, console = watch(page)
        page.goto(base_url + "/", wait_until="load")

        assert page.evaluate("typeof window.echarts.init") == "function"
        assert page.evaluate("typeof window.htmx.ajax") == "function"
        assert page.evaluate("window.React.version").startswith("18.")
        # ECharts drew into a canvas of the container's size
        page.wait_for_selector("#chart canvas")
        assert page.evaluate("document.querySelector('#chart canvas').width") > 0

        page.click("#load")  # htmx swaps the fragment in
        page.wait_for_selector("#swapped")
        assert page.inner_text("#slot") == "片段已载入"

        page.wait_for_selector("#graphiql .graphiql-container")
        page.click(".graphiql-execute-button")  # GraphiQL runs its default query on /graphql
        page.wait_for_function(
            "document.querySelector('.result-window') && "
            "document.querySelector('.result-window').innerText.includes('你好, 监督')")
        shot = screenshot(page, "vendored-assets-desktop")
        context.close()

        tablet = browser.new_context(viewport=VIEWPORTS["tablet"])
        small = tablet.new_page()
        small.set_default_timeout(TIMEOUT_MS)
        small_requests, small_console = watch(small)
        small.goto(base_url + "/", wait_until="load")
        small.wait_for_selector("#graphiql .graphiql-container")
        small_shot = screenshot(small, "vendored-assets-tablet")
        tablet.close()

    console.assert_none()
    requests.assert_local()
    paths = {url.removeprefix(base_url) for url in requests.network_urls()}
    assert {"/static/vendor/echarts/echarts.min.js", "/static/vendor/graphiql/graphiql.min.js",
            "/fragment", "/graphql"} <= paths
    assert png_size(shot)[0] == VIEWPORTS["desktop"]["width"]
    small_console.assert_none()
    small_requests.assert_local()
    assert png_size(small_shot)[0] == VIEWPORTS["tablet"]["width"]


def test_kit_reports_foreign_requests_and_page_errors(base_url: str) -> None:
    """The checks can fail: a page that asks another host and throws is caught by both."""
    foreign_page = (b"<!doctype html><html><body><img src='http://192.0.2.1/x.png'>"
                    b"<script>console.error('boom'); throw new Error('uncaught')</script></body></html>")
    with launch() as browser:
        page = browser.new_page()
        page.set_default_timeout(TIMEOUT_MS)
        # the foreign request is answered inside the browser: nothing leaves the machine
        page.route("http://192.0.2.1/**", lambda route: route.fulfill(status=204, body=b""))
        requests, console = watch(page)
        page.route(base_url + "/bad", lambda route: route.fulfill(
            status=200, content_type="text/html", body=foreign_page))
        page.goto(base_url + "/bad", wait_until="load")
        page.evaluate("1")  # a round trip: the events the page sent before it have been handled
        page.close()

    with pytest.raises(AssertionError, match=r"192\.0\.2\.1"):
        requests.assert_local()
    with pytest.raises(AssertionError, match="boom"):
        console.assert_none()
    assert any("uncaught" in e for e in console.errors)


def test_graphql_endpoint_of_the_test_app_answers(base_url: str) -> None:
    """The endpoint GraphiQL talks to is a real one (so a GraphiQL result proves a real round trip)."""
    import httpx

    reply = httpx.post(base_url + "/graphql", json={"query": '{ greeting(name: "x") }'}, timeout=10)
    assert json.loads(reply.text) == {"data": {"greeting": "你好, x"}}
