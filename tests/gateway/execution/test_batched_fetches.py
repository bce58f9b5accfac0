"""Entity fetches to one subgraph side by side go out as one request; each keeps its own answers and errors.

The subgraphs are small GraphQL schemas executed for real (graphql-core) on what the gateway sends, so
the merged operation must be valid against the labels subgraph's schema, and subgraph error paths are
the ones a subgraph really produces (``["_e1", 1, "usdLabel"]``). Expected values come from PRICES.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from graphql import build_schema, graphql_sync

from gateway.errors import SubrequestHttpError
from gateway.execution.executor import ExecutionResult, PlanExecutor
from gateway.runtime import GatewayRuntime

SUPERGRAPH = (Path(__file__).parents[1] / "differential" / "fixtures" / "r_requires_args" / "supergraph.graphql")
PRICES = {"1": {"EUR": 10.0, "USD": 11.0, "CNY": 80.0}, "2": {"EUR": 20.0, "USD": 22.0, "CNY": 160.0},
          "3": {"EUR": 30.0, "USD": 33.0, "CNY": 240.0}}

CATALOG = build_schema('''
type Query { products: [Product] }
type Product { id: ID! name: String price(currency: String! = "CNY"): Float }
''')
LABELS = build_schema('''
scalar _Any
union _Entity = Product
type Query { _entities(representations: [_Any!]!): [_Entity]! }
type Product { id: ID! eurLabel: String usdLabel: String cnyLabel: String }
''')


# graphql-core calls a callable value of a dict source with (info, **arguments)
def _price(product_id: str) -> Any:
    def resolve(_info: Any, currency: str = "CNY") -> float:
        return PRICES[product_id][currency]
    return resolve


def _label(rep: dict[str, Any], currency: str, failing: set[str]) -> Any:
    def resolve(_info: Any) -> str:
        if rep["id"] in failing:
            raise ValueError(f"no {currency} label for {rep['id']}")
        return f"{rep['price']:.2f} {currency}"
    return resolve


class Subgraphs:
    def __init__(self, failing_usd: frozenset[str] = frozenset(), labels_down: bool = False) -> None:
        self.bodies: list[tuple[str, dict[str, Any]]] = []
        self.failing_usd = set(failing_usd)
        self.labels_down = labels_down

    async def send(self, service: str, body: bytes, is_mutation: bool) -> dict[str, Any]:
        request = orjson.loads(body)
        self.bodies.append((service, request))
        if service == "catalog":
            root: Any = {"products": [{"id": i, "name": f"p{i}", "price": _price(i)} for i in PRICES]}
            schema = CATALOG
        else:
            if self.labels_down:
                raise SubrequestHttpError("HTTP 503 from labels", service=service, status=503)
            root = {"_entities": lambda _info, representations: [
                {**rep, "eurLabel": _label(rep, "EUR", set()), "usdLabel": _label(rep, "USD", self.failing_usd),
                 "cnyLabel": _label(rep, "CNY", set())} for rep in representations]}
            schema = LABELS
        result = graphql_sync(schema, request["query"], root, variable_values=request.get("variables"),
                              operation_name=request.get("operationName"))
        payload: dict[str, Any] = {"data": result.data}
        if result.errors:
            payload["errors"] = [e.formatted for e in result.errors]
        return payload


async def _run(subgraphs: Subgraphs, query: str) -> ExecutionResult:
    runtime = GatewayRuntime.from_sdl(SUPERGRAPH.read_text(encoding="utf-8"))
    prepared = runtime.prepare(query, None)
    return await PlanExecutor(subgraphs.send, {}, prepared.interface_names, prepared.shape).run(prepared.plan)


QUERY = "{ products { id eurLabel usdLabel } }"


async def test_two_entity_fetches_to_one_subgraph_are_one_request_with_each_answer_in_place() -> None:
    subgraphs = Subgraphs()
    result = await _run(subgraphs, QUERY)
    assert [s for s, _ in subgraphs.bodies] == ["catalog", "labels"]
    assert result.fetches == 2
    assert result.errors == []
    for product in result.data["products"]:
        prices = PRICES[product["id"]]
        assert product["eurLabel"] == f"{prices['EUR']:.2f} EUR"
        assert product["usdLabel"] == f"{prices['USD']:.2f} USD"


async def test_an_error_in_one_member_is_reported_at_that_members_fields_only() -> None:
    subgraphs = Subgraphs(failing_usd=frozenset({"2"}))
    result = await _run(subgraphs, QUERY)
    assert len(subgraphs.bodies) == 2
    assert [e["path"] for e in result.errors] == [["products", 1, "usdLabel"]]
    assert result.errors[0]["message"] == "no USD label for 2"
    assert result.errors[0]["extensions"]["serviceName"] == "labels"
    second = result.data["products"][1]
    assert second["usdLabel"] is None
    assert second["eurLabel"] == "20.00 EUR"  # the other member's field on the same object is untouched


async def test_a_failed_request_leaves_every_members_fields_null_with_its_error() -> None:
    result = await _run(Subgraphs(labels_down=True), QUERY)
    paths = sorted(tuple(e["path"]) for e in result.errors)
    expected = sorted((("products", i, key)) for i in range(len(PRICES)) for key in ("eurLabel", "usdLabel"))
    assert paths == expected
    assert {e["extensions"]["code"] for e in result.errors} == {"SUBREQUEST_HTTP_ERROR"}


@pytest.mark.parametrize("query", [
    "{ products { id usdLabel cnyLabel eurLabel } }",
    "query Named { products { id eurLabel usdLabel } }",
])
async def test_the_merged_operation_is_valid_for_the_subgraph(query: str) -> None:
    subgraphs = Subgraphs()
    result = await _run(subgraphs, query)
    assert result.errors == []  # graphql-core validated and ran what the gateway sent
    (labels,) = [body for service, body in subgraphs.bodies if service == "labels"]
    # one list of representations per member, under variables of their own
    lists = [v for v in labels["variables"].values() if isinstance(v, list)]
    assert len(lists) == query.count("Label")
    assert all(len(reps) == len(PRICES) for reps in lists)
    for product in result.data["products"]:
        assert product["cnyLabel" if "cny" in query else "eurLabel"] is not None
