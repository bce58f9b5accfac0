"""Values a fetch got under the planner's conflict aliases land under the keys they stand for."""

from __future__ import annotations

from typing import Any

import orjson
from graphql import parse

from gateway.execution.executor import PlanExecutor
from gateway.execution.merge import restore
from gateway.planning.plan import Rename
from gateway.planning.planner import plan_operation
from gateway.supergraph.loader import load_supergraph
from tests.gateway.planning.test_member_conflicts import SUPERGRAPH


def test_restore_renames_at_every_level_and_in_lists() -> None:
    rename = Rename((("a__1", "a"),), (("items", Rename((("b__1", "b"),), (("b__1", Rename((("c__1", "c"),))),))),))
    data: dict[str, Any] = {"a__1": 1, "items": [{"b__1": {"c__1": 2}}, None, {"b": {"c": 3}}, [{"b__1": None}]]}
    restore(data, rename, frozenset())
    assert data == {"a": 1, "items": [{"b": {"c": 2}}, None, {"b": {"c": 3}}, [{"b": None}]]}


def test_restore_merges_two_answers_for_one_key() -> None:
    # an interface's field and the object type's narrower field both applied to the object
    data: dict[str, Any] = {"maker": {"name": "Lux"}, "maker__1": {"city": "Oslo"}, "n": None, "n__1": 4}
    restore(data, Rename((("maker__1", "maker"), ("n__1", "n"))), frozenset())
    assert data == {"maker": {"name": "Lux", "city": "Oslo"}, "n": 4}


async def test_entity_answers_and_error_paths_use_the_client_keys() -> None:
    supergraph = load_supergraph(SUPERGRAPH)
    prepared = plan_operation(supergraph, parse("{ items { ... on Book { code price } ... on Film { code price } } }"))
    sent: list[str] = []

    async def send(service: str, body: bytes, is_mutation: bool) -> dict[str, Any]:
        query = orjson.loads(body)["query"]
        sent.append(query)
        if service == "a":
            assert "code__1:code" in query
            return {"data": {"items": [{"__typename": "Book", "code": "B1", "id": "1"},
                                       {"__typename": "Film", "code__1": None, "id": "2"}]}}
        assert "price__1:price" in query
        return {"data": {"_entities": [{"price": 1.5}, {"price__1": None}]},
                "errors": [{"message": "no price", "path": ["_entities", 1, "price__1"]}]}

    result = await PlanExecutor(send, {}, frozenset(), prepared.shape).run(prepared.plan)
    assert len(sent) == 2
    assert result.data == {"items": [{"__typename": "Book", "code": "B1", "id": "1", "price": 1.5},
                                     {"__typename": "Film", "code": None, "id": "2", "price": None}]}
    assert [e["path"] for e in result.errors] == [["items", 1, "price"]]
