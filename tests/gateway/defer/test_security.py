"""@defer through the production-profile gateway: deferred parts are masked, pruned and limited like the rest."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from tests.gateway.security.secure_graph import Stack, secure_stack

from .multipart import ACCEPT, merged, stream_payloads


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    with secure_stack(tmp_path_factory.mktemp("defer-secure")) as running:
        yield running


def _ask(stack: Stack, token: str, query: str, accept: str) -> tuple[httpx.Response, list[dict[str, Any]]]:
    with httpx.Client(headers={"authorization": f"Bearer {token}"}) as client:
        response, timed = stream_payloads(client, f"{stack.gateway}/graphql", {"query": query}, accept=accept)
    return response, [p for _, p in timed]


def test_deferred_sensitive_field_is_masked_like_a_plain_one(stack: Stack) -> None:
    token = stack.token("officer1")
    _, plain = _ask(stack, token, "{ cases { id party { name } } }", "application/json")
    response, parts = _ask(stack, token, "{ cases { id ... @defer { party { name } } } }", ACCEPT)
    assert response.headers["content-type"].startswith("multipart/mixed")
    assert len(parts) == 2
    assert parts[0]["data"] == {"cases": [{"id": "c1"}, {"id": "c2"}]}
    names = [e["data"]["party"]["name"] for e in parts[1]["incremental"]]
    assert names == [c["party"]["name"] for c in plain[0]["data"]["cases"]]
    assert "张三" not in names
    assert "欧阳小明" not in names
    assert merged(parts)["data"] == plain[0]["data"]


@pytest.mark.parametrize("fields", ["secretNote", "title secretNote"])
def test_deferred_field_without_the_scope_is_denied_like_a_plain_one(stack: Stack, fields: str) -> None:
    token = stack.token("officer1")
    _, plain = _ask(stack, token, "{ cases { id " + fields + " } }", "application/json")
    _, parts = _ask(stack, token, "{ cases { id ... @defer { " + fields + " } } }", ACCEPT)
    final = merged(parts)
    assert final["data"] == plain[0]["data"]
    # the denial is reported once, as for the plain query
    assert sorted(str(e["path"]) for e in final["errors"]) == sorted(str(e["path"]) for e in plain[0]["errors"])
    assert {e["extensions"]["code"] for e in final["errors"]} == {"UNAUTHORIZED_FIELD_OR_TYPE"}


def test_limits_count_deferred_fragments(stack: Stack) -> None:
    aliases = " ".join(f"a{i}: id" for i in range(101))
    response, parts = _ask(stack, stack.token("officer1"), "{ cases { id ... @defer { " + aliases + " } } }", ACCEPT)
    assert response.headers["content-type"].startswith("application/")
    assert response.status_code in (200, 400)
    assert "MAX_ALIASES_EXCEEDED" in [e["extensions"]["code"] for e in parts[0]["errors"]]
