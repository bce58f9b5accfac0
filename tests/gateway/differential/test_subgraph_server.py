"""The data-driven subgraph server: federation SDL handling, entity matching, value forms and faults."""

from __future__ import annotations

import socket
import time
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support.servers import serve

from .federation_sdl import SubgraphSchemaError, build_subgraph_schema
from .fixtures import FixtureError, all_fixtures, placeholder_url, supergraph_with_urls
from .subgraph_server import SubgraphServer, SubgraphSpec, serve_subgraphs

V2_SDL = """
extend schema @link(url: "https://specs.apollo.dev/federation/v2.3",
                    import: [{name: "@key", as: "@primaryKey"}, "@external", "@requires", "@shareable"])

type Query { products(first: Int): [Product] product(sku: String!): Product byCode(code: String): String }

type Product @primaryKey(fields: "sku package") @primaryKey(fields: "variant { id }") {
  sku: String!
  package: String!
  variant: Variant @shareable
  price: Int @external
  tax: Int @requires(fields: "price")
  name: String
}

type Variant @shareable { id: ID! }

interface Thing @primaryKey(fields: "id") { id: ID! }
type Gadget implements Thing @primaryKey(fields: "id") { id: ID! label: String }
"""

DATA: dict[str, Any] = {
    "Query": {
        "products": {"$all": "Product", "limit": "first"},
        "product": {"$lookup": "Product"},
        "byCode": {"$args": [{"when": {"code": "a"}, "value": "alpha"}], "default": "other"},
    },
    "types": {
        "Variant": [{"id": "v1"}],
        "Product": [
            {"sku": "s1", "package": "box", "variant": {"$ref": {"__typename": "Variant", "id": "v1"}},
             "price": 1, "name": "One"},
            {"sku": "s2", "package": "box", "variant": None, "price": 2, "name": {"$error": "name hidden"}},
        ],
        "Gadget": [{"id": "g1", "label": "Widget"}],
    },
}


def tax(product: dict[str, Any], args: dict[str, Any], store: Any) -> int:
    return int(product["price"] * 10)


def server() -> SubgraphServer:
    return SubgraphServer(SubgraphSpec("shop", V2_SDL, DATA, {"Product.tax": tax}))


ENTITIES = "query ($r: [_Any!]!) { _entities(representations: $r) { __typename ... on Product { name tax } ... on Gadget { label } } }"


async def test_entities_match_compound_nested_and_interface_keys() -> None:
    reps = [
        {"__typename": "Product", "sku": "s1", "package": "box", "price": 7},
        {"__typename": "Product", "variant": {"id": "v1"}, "price": 3},
        {"__typename": "Product", "sku": "s1", "package": "bag"},
        {"__typename": "Thing", "id": "g1"},
    ]
    answer = await server().execute({"query": ENTITIES, "variables": {"r": reps}})
    assert "errors" not in answer
    assert answer["data"]["_entities"] == [
        {"__typename": "Product", "name": "One", "tax": 70},  # the representation's price wins
        {"__typename": "Product", "name": "One", "tax": 30},
        None,  # no product has that compound key
        {"__typename": "Gadget", "label": "Widget"},  # an interface representation resolves to its type
    ]


async def test_value_forms_and_errors_at_their_paths() -> None:
    answer = await server().execute({"query": "{ products(first: 5) { name } one: products(first: 1) { sku } "
                                              "product(sku: \"s2\") { package } a: byCode(code: \"a\") b: byCode }"})
    assert answer["data"]["one"] == [{"sku": "s1"}]
    assert answer["data"]["products"] == [{"name": "One"}, {"name": None}]
    assert answer["data"]["product"] == {"package": "box"}
    assert (answer["data"]["a"], answer["data"]["b"]) == ("alpha", "other")
    assert [e["path"] for e in answer["errors"]] == [["products", 1, "name"]]
    assert answer["errors"][0]["message"] == "name hidden"


async def test_service_sdl_is_the_original_text() -> None:
    answer = await server().execute({"query": "{ _service { sdl } }"})
    assert answer["data"]["_service"]["sdl"] == V2_SDL


async def test_federation1_sdl_with_orphan_extensions_builds_and_resolves() -> None:
    sdl = (
        "extend type Query { me: User }\n"
        "extend type User @key(fields: \"id\") { id: ID! @external name: String }\n"
    )
    built = build_subgraph_schema(sdl)
    assert built.federation_version == 1
    assert "User" in built.keys
    fed1 = SubgraphServer(SubgraphSpec("accounts", sdl, {"Query": {"me": {"id": "1", "name": "Ada"}},
                                                         "types": {"User": [{"id": "1", "name": "Ada"}]}}))
    answer = await fed1.execute({"query": "{ me { name } _entities(representations: [{__typename: \"User\", id: \"1\"}]) "
                                          "{ ... on User { name } } }"})
    assert answer == {"data": {"me": {"name": "Ada"}, "_entities": [{"name": "Ada"}]}}


def test_invalid_sdl_is_reported_with_its_code() -> None:
    with pytest.raises(SubgraphSchemaError) as caught:
        build_subgraph_schema("type Query { a: Missing }")
    assert caught.value.code == "SUBGRAPH_SDL_INVALID"


async def test_reset_restores_the_dataset_after_a_mutation() -> None:
    sdl = "type Query { count: Int } type Mutation { bump: Int }"

    def bump(parent: Any, args: dict[str, Any], store: Any) -> int:
        store.state["Query"]["count"] += 1
        return int(store.state["Query"]["count"])

    counter = SubgraphServer(SubgraphSpec("counter", sdl, {"Query": {"count": 0}}, {"Mutation.bump": bump}))
    assert (await counter.execute({"query": "mutation { a: bump b: bump }"}))["data"] == {"a": 1, "b": 2}
    assert (await counter.execute({"query": "{ count }"}))["data"] == {"count": 2}
    counter.reset()
    assert (await counter.execute({"query": "{ count }"}))["data"] == {"count": 0}


@pytest.mark.parametrize(("mode", "status"), [("down", 503), ("crash", 500), ("graphql-error", 200), (None, 200)])
def test_fault_modes_over_http(mode: str | None, status: int) -> None:
    running = server()
    with serve(running.app) as base:
        running.set_fault(mode)
        response = httpx.post(f"{base}/graphql", json={"query": "{ a: byCode(code: \"a\") }"}, timeout=10)
    assert response.status_code == status
    if mode is None:
        assert response.json() == {"data": {"a": "alpha"}}
    elif mode == "graphql-error":
        assert response.json()["data"] is None
        assert response.json()["errors"]
    assert len(running.requests) == 1


def test_unknown_fault_mode_is_refused() -> None:
    with pytest.raises(ValueError, match="unknown fault mode"):
        server().set_fault("melt")


def test_supergraph_urls_are_rewritten_for_every_subgraph() -> None:
    fixture = all_fixtures()[0]
    text = fixture.supergraph_path.read_text(encoding="utf-8")
    urls = {s.name: f"http://127.0.0.1:{9000 + i}/graphql" for i, s in enumerate(fixture.subgraphs)}
    rewritten = supergraph_with_urls(text, urls)
    for sub in fixture.subgraphs:
        assert placeholder_url(sub.name) in text
        assert placeholder_url(sub.name) not in rewritten
        assert urls[sub.name] in rewritten
    with pytest.raises(FixtureError):
        supergraph_with_urls(text, {**urls, "nowhere": "http://127.0.0.1:1/graphql"})


def test_every_fixture_subgraph_builds_and_corpus_is_large_enough() -> None:
    fixtures = all_fixtures()
    assert len(fixtures) >= 10
    assert sum(len(f.cases) for f in fixtures) >= 60
    for fixture in fixtures:
        for spec in fixture.subgraphs:
            SubgraphServer(spec)  # raises when the SDL or resolvers do not fit


def _exchange(conn: socket.socket, path: str, host: str) -> bytes:
    body = b'{"query":"{ byCode(code: \\"a\\") }"}'
    conn.sendall(f"POST {path} HTTP/1.1\r\nhost: {host}\r\ncontent-type: application/json\r\n"
                 f"content-length: {len(body)}\r\n\r\n".encode() + body)
    received = b""
    deadline = time.monotonic() + 5.0
    while b"alpha" not in received and time.monotonic() < deadline:
        chunk = conn.recv(65536)
        if not chunk:
            break
        received += chunk
    return received


def test_idle_keep_alive_connections_stay_open_between_cases() -> None:
    # a pooled gateway connection reused after uvicorn's default 5 s idle timeout must still be served,
    # or requests racing the server's close fail with "socket hang up"
    with serve_subgraphs({"shop": server()}) as urls:
        url = urlsplit(urls["shop"])
        assert url.hostname is not None
        assert url.port is not None
        with socket.create_connection((url.hostname, url.port), timeout=5.0) as conn:
            assert b"alpha" in _exchange(conn, url.path, url.netloc)
            time.sleep(6.0)
            assert b"alpha" in _exchange(conn, url.path, url.netloc)
