"""Within one request, an entity fetch is answered from what the same subgraph already returned.

The four benchmark subgraphs are small GraphQL schemas executed for real (graphql-core) over a data set
the test chooses, so what the gateway sends must be valid and what comes back is what a subgraph computes.
Reuse must never change an answer: every test runs the same operation with reuse on and off and compares
the client's response, and counts the subgraph requests each sent.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from graphql import GraphQLSchema, build_schema, graphql_sync
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.execution.executor import PlanExecutor
from gateway.execution.shaping import Shaper
from gateway.planning.plan import FetchNode
from gateway.runtime import GatewayRuntime

SUPERGRAPH = (Path(__file__).parents[1] / "fixtures" / "benchmark.graphql").read_text(encoding="utf-8")
RUNTIME = GatewayRuntime.from_sdl(SUPERGRAPH)

_ENTITIES = "scalar _Any\ntype Query { _entities(representations: [_Any!]!): [_Entity]! %s }\n"
SCHEMAS = {
    "accounts": build_schema(_ENTITIES % "users: [User] me: User user(id: ID!): User" + """
        union _Entity = User
        type User { id: ID! name: String username: String birthday: Int }"""),
    "products": build_schema(_ENTITIES % "topProducts(first: Int = 5): [Product]" + """
        union _Entity = Product
        type Product { upc: String! name: String price: Int weight: Int }"""),
    "reviews": build_schema(_ENTITIES % "" + """
        union _Entity = Product | User
        type Product { upc: String! reviews: [Review] }
        type User { id: ID! username: String reviews: [Review] }
        type Review { id: ID! body: String product: Product author: User }"""),
    "inventory": build_schema(_ENTITIES % "" + """
        union _Entity = Product
        type Product { upc: String! price: Int weight: Int inStock: Boolean shippingEstimate: Int }"""),
}


@dataclass
class World:
    """The data behind the four subgraphs, and what the gateway sent them."""

    products: list[dict[str, Any]]
    users: list[dict[str, Any]]
    reviews: list[dict[str, Any]]  # {"id", "body", "upc", "author"}
    #: products whose name the products subgraph fails to resolve (with an error at that field)
    failing_names: set[str] = field(default_factory=set)
    sent: list[str] = field(default_factory=list)

    def _product(self, upc: str) -> dict[str, Any] | None:
        return next((p for p in self.products if p["upc"] == upc), None)

    def _user(self, user_id: str) -> dict[str, Any] | None:
        return next((u for u in self.users if u["id"] == user_id), None)

    def _review(self, r: dict[str, Any]) -> dict[str, Any]:
        author = self._user(r["author"])
        return {"id": r["id"], "body": r["body"], "product": self._reviewed(r["upc"]),
                "author": {"__typename": "User", "id": r["author"], "username": author and author["username"],
                           "reviews": lambda _info: self._reviews_by(r["author"])}}

    def _reviewed(self, upc: str) -> dict[str, Any]:  # resolved lazily: reviews lead to products and back
        return {"__typename": "Product", "upc": upc,
                "reviews": lambda _info: [self._review(r) for r in self.reviews if r["upc"] == upc]}

    def _reviews_by(self, user_id: str) -> list[dict[str, Any]]:
        return [self._review(r) for r in self.reviews if r["author"] == user_id]

    def _name(self, product: dict[str, Any]) -> Any:
        if product["upc"] not in self.failing_names:
            return product["name"]

        def fail(_info: Any) -> str:
            raise ValueError(f"no name for {product['upc']}")
        return fail

    def _products_entity(self, rep: dict[str, Any]) -> dict[str, Any] | None:
        p = self._product(rep["upc"])
        return None if p is None else {"__typename": "Product", **p, "name": self._name(p)}

    def _entity(self, service: str, rep: dict[str, Any]) -> dict[str, Any] | None:
        if service == "accounts":
            u = self._user(rep["id"])
            return None if u is None else {"__typename": "User", **u}
        if service == "products":
            return self._products_entity(rep)
        if service == "reviews":
            if rep["__typename"] == "User":
                return {"__typename": "User", "id": rep["id"], "reviews": self._reviews_by(rep["id"])}
            return self._reviewed(rep["upc"])
        stock = self._product(rep["upc"])
        price, weight = rep.get("price"), rep.get("weight")
        estimate = None if price is None else 0 if price > 1000 else None if weight is None else weight // 2
        return {"__typename": "Product", "upc": rep["upc"], "price": price, "weight": weight,
                "inStock": None if stock is None else stock["upc"].endswith(("1", "3", "5")),
                "shippingEstimate": estimate}

    def _root(self, service: str) -> dict[str, Any]:
        root: dict[str, Any] = {}
        if service == "accounts":
            root["users"] = self.users
            root["me"] = self.users[0] if self.users else None
        if service == "products":
            root["topProducts"] = lambda _info, first=5: [
                {**p, "name": self._name(p)} for p in self.products[:first]]
        root["_entities"] = lambda _info, representations: [self._entity(service, r) for r in representations]
        return root

    async def send(self, service: str, body: bytes, is_mutation: bool) -> dict[str, Any]:
        request = orjson.loads(body)
        self.sent.append(service)
        schema: GraphQLSchema = SCHEMAS[service]
        result = graphql_sync(schema, request["query"], self._root(service), variable_values=request.get("variables"),
                              operation_name=request.get("operationName"))
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return payload


async def _ask(world: World, query: str, *, reuse: bool) -> tuple[dict[str, Any], int]:
    """The client's response (data and error paths) and the subgraph requests it took."""
    world.sent.clear()
    prepared = RUNTIME.prepare(query, None)
    executor = PlanExecutor(world.send, {}, prepared.interface_names, prepared.shape, reuse=reuse)
    result = await executor.run(prepared.plan)
    shaper = Shaper({})
    data = shaper.shape_root(prepared.shape, result.data)
    errors = sorted((tuple(e.get("path", ())), e["message"]) for e in [*result.errors, *shaper.errors])
    return {"data": data, "errors": errors}, len(world.sent)


def _both(world: World, query: str) -> tuple[dict[str, Any], int, int]:
    with_reuse, sent_with = asyncio.run(_ask(world, query, reuse=True))
    without, sent_without = asyncio.run(_ask(world, query, reuse=False))
    assert with_reuse == without
    return with_reuse, sent_with, sent_without


_PRODUCT = "inStock name price shippingEstimate upc weight"
TEST_QUERY = (  # the benchmark's TestQuery
    "query TestQuery { users { id username name reviews { id body product { " + _PRODUCT
    + " reviews { id body author { id username name reviews { id body product { " + _PRODUCT
    + " } } } } } } } topProducts { " + _PRODUCT
    + " reviews { id body author { id username name reviews { id body product { " + _PRODUCT + " } } } } } }"
)


def _bench_world() -> World:
    products = [{"upc": str(i), "name": f"product {i}", "price": 500 * i, "weight": 10 * i} for i in range(1, 10)]
    users = [{"id": str(i), "name": f"user {i}", "username": f"u{i}", "birthday": 1} for i in range(1, 4)]
    reviews = [{"id": str(i), "body": f"review {i}", "upc": "1", "author": "1"} for i in range(1, 3)]
    return World(products, users, reviews)


def test_the_benchmark_query_takes_four_requests_where_it_took_six_with_the_same_answer() -> None:
    # every review is of product 1 (in topProducts) by user 1 (in users): the products and accounts entity
    # fetches are answered from the root fetches; inventory is asked once
    world = _bench_world()
    response, sent_with, sent_without = _both(world, TEST_QUERY)
    assert (sent_with, sent_without) == (4, 6)
    assert response["errors"] == []
    first = response["data"]["users"][0]["reviews"][0]
    assert first["product"]["name"] == "product 1"
    assert first["product"]["reviews"][0]["author"]["name"] == "user 1"


def test_an_entity_not_fetched_before_is_still_sent_and_only_it() -> None:
    world = _bench_world()
    world.reviews.append({"id": "9", "body": "late", "upc": "8", "author": "1"})  # product 8 is not in topProducts
    world.products[7]["name"] = "the eighth"
    response, sent_with, sent_without = _both(world, TEST_QUERY)
    assert (sent_with, sent_without) == (5, 6)
    names = {r["product"]["upc"]: r["product"]["name"] for r in response["data"]["users"][0]["reviews"]}
    assert names["8"] == "the eighth"


def test_a_client_alias_in_the_root_fetch_is_never_taken_for_the_field_it_names() -> None:
    # the root fetch answers `name: weight` under the key "name"; the later fetch of `name` must not read it
    world = _bench_world()
    query = "{ topProducts { upc name: weight reviews { product { upc name } } } }"
    response, sent_with, _ = _both(world, query)
    top = response["data"]["topProducts"][0]
    assert top["name"] == 10
    assert top["reviews"][0]["product"]["name"] == "product 1"
    assert sent_with == 3  # products, reviews, products again


def test_a_root_fetch_that_came_back_with_errors_answers_nothing_later() -> None:
    world = _bench_world()
    world.failing_names = {"1"}
    response, sent_with, sent_without = _both(world, TEST_QUERY)
    assert (sent_with, sent_without) == (5, 6)  # the accounts entity fetch is still answered from `users`
    assert (("topProducts", 0, "name"), "no name for 1") in response["errors"]


_IDS = st.sampled_from([str(i) for i in range(1, 7)])


@st.composite
def worlds(draw: st.DrawFn) -> World:
    upcs = sorted(draw(st.sets(_IDS, min_size=1, max_size=6)))
    products = [{"upc": u, "name": draw(st.sampled_from(["a", "b", "1"])), "price": draw(st.integers(0, 2000)),
                 "weight": draw(st.none() | st.integers(0, 50))} for u in upcs]
    user_ids = sorted(draw(st.sets(_IDS, min_size=1, max_size=4)))
    users = [{"id": u, "name": draw(st.sampled_from(["x", "y"])), "username": draw(st.sampled_from(["x", "z"])),
              "birthday": 1} for u in user_ids]
    reviews = [{"id": str(i), "body": "b", "upc": draw(_IDS), "author": draw(_IDS)}
               for i in range(draw(st.integers(0, 6)))]
    return World(products, users, reviews, failing_names=draw(st.sets(_IDS, max_size=2)))


QUERIES = [
    TEST_QUERY,
    "{ topProducts(first: 3) { upc name: weight reviews { product { upc name } author { name: username } } } }",
    "{ users { id reviews { author { name username } product { price weight shippingEstimate inStock } } } "
    "topProducts { upc price weight shippingEstimate } }",
]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds(), query=st.sampled_from(QUERIES))
def test_reuse_never_changes_an_answer_and_never_sends_more(world: World, query: str) -> None:
    _response, sent_with, sent_without = _both(world, query)
    assert sent_with <= sent_without


def test_a_mutation_ends_reuse_for_the_rest_of_the_request() -> None:
    # what a fetch saw before a mutation may no longer hold after it
    async def send(service: str, body: bytes, is_mutation: bool) -> dict[str, Any]:
        return {"data": {"renamed": {"__typename": "User", "id": "1", "name": "new"}}}

    executor = PlanExecutor(send, {}, frozenset())
    assert executor.known is not None
    asyncio.run(executor._root(FetchNode(service_name="accounts", operation="mutation { renamed { __typename id name } }",
                                         operation_kind="mutation")))
    assert executor.known is None
    assert executor.result.data["renamed"]["name"] == "new"
