"""Talking to a served subgraph over HTTP in tests: one GraphQL POST, entity representations."""

from __future__ import annotations

from typing import Any

import httpx


def gql(url: str, query: str, variables: dict[str, Any] | None = None, *, timeout: float = 30.0) -> dict[str, Any]:
    response = httpx.post(f"{url}/graphql", json={"query": query, "variables": variables or {}}, timeout=timeout)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def entities(url: str, representations: list[dict[str, Any]], selection: str, typename: str) -> dict[str, Any]:
    query = (
        "query($r: [_Any!]!) { _entities(representations: $r) { ... on "
        + typename + " { " + selection + " } } }"
    )
    return gql(url, query, {"r": [{"__typename": typename, **rep} for rep in representations]})


def errors_by_index(body: dict[str, Any]) -> dict[int, dict[str, Any]]:
    """`_entities` errors keyed by the representation index in their path."""
    out: dict[int, dict[str, Any]] = {}
    for error in body.get("errors") or []:
        path = error.get("path") or []
        if len(path) >= 2 and path[0] == "_entities" and isinstance(path[1], int):
            out[path[1]] = error
    return out
