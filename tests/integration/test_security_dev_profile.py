"""The dev profile: anonymous callers and introspection, still masked; no query page of its own (the web
console's /explorer is the one IDE)."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from gateway.audit.log import AccessLog
from gateway.audit.store import FileAccessLog
from gateway.secure import create_secure_app
from gateway.security.config import SecurityConfig
from tests.gateway.security.secure_graph import (
    ID_NUMBERS,
    Recorder,
    cases_schema,
    graphql_app,
    people_schema,
    secure_supergraph,
)
from tests.support.servers import serve


@pytest.fixture(scope="module")
def dev_gateway(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    tmp = tmp_path_factory.mktemp("dev")
    with contextlib.ExitStack() as stack:
        urls = {"people": stack.enter_context(serve(Recorder(graphql_app(people_schema())))) + "/graphql",
                "cases": stack.enter_context(serve(Recorder(graphql_app(cases_schema())))) + "/graphql"}
        path = tmp / "supergraph.graphql"
        path.write_text(secure_supergraph(urls), encoding="utf-8")
        log_path = tmp / "access_log.jsonl"
        app = create_secure_app(str(path), SecurityConfig.dev(), access_log=AccessLog(FileAccessLog(log_path)),
                                local_subgraphs=["cases"], poll_interval_s=None)
        yield stack.enter_context(serve(app)), log_path


def test_no_query_page_even_in_dev(dev_gateway: tuple[str, Path]) -> None:
    """The gateway serves the graph only: the old /console page is gone, in dev too."""
    for path in ("/console", "/graphiql", "/explorer"):
        response = httpx.get(f"{dev_gateway[0]}{path}", headers={"accept": "text/html"}, timeout=10)
        assert response.status_code == 404, (path, response.status_code)
        assert "<textarea" not in response.text
        assert "<script" not in response.text.lower()
    # the graph itself still answers at /graphql (introspection included, for the console's explorer)
    answer = httpx.post(f"{dev_gateway[0]}/graphql", json={"query": "{ __schema { queryType { name } } }"}, timeout=10)
    assert answer.json()["data"]["__schema"]["queryType"]["name"] == "Query"


def test_anonymous_and_introspection_allowed_but_data_still_masked(dev_gateway: tuple[str, Path]) -> None:
    url = f"{dev_gateway[0]}/graphql"
    schema = httpx.post(url, json={"query": "{ __schema { queryType { name } } }"}, timeout=10).json()
    assert schema == {"data": {"__schema": {"queryType": {"name": "Query"}}}}
    body = httpx.post(url, json={"query": "{ notices { id } person(idHash: \"h-zhang\") { name } }"},
                      headers={"x-purpose-code": "CASE_HANDLING"}, timeout=10).json()
    assert body["data"] == {"notices": [{"id": "n1"}], "person": None}  # @authenticated: anonymous denied
    assert body["errors"][0]["path"] == ["person"]
    lines = dev_gateway[1].read_text(encoding="utf-8")
    assert "Query.person" in lines
    assert ID_NUMBERS[0] not in lines
