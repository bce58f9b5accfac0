"""The dev profile: anonymous callers, introspection and a self-contained console page; still masked."""

from __future__ import annotations

import contextlib
import re
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


def test_console_is_one_self_contained_page(dev_gateway: tuple[str, Path]) -> None:
    response = httpx.get(f"{dev_gateway[0]}/console", headers={"accept": "text/html"}, timeout=10)
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    page = response.text
    assert "<textarea" in page
    assert "<button" in page
    assert 'id="result"' in page
    assert not re.search(r"<script[^>]+src=", page)
    assert not re.search(r"<link[^>]+href=", page)
    assert "http://" not in page
    assert "https://" not in page
    assert "default-src 'none'" in response.headers["content-security-policy"]


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
