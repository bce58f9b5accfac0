"""Client aliases never capture the fields the planner adds for keys and @requires."""

from __future__ import annotations

from typing import Any

from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse

from gateway.execution.merge import representation
from gateway.planning.plan import FetchNode, FlattenNode, PlanNode, QueryPlan
from tests.gateway.harness import assert_plan, plan_for
from tests.gateway.planning.schemas import BENCHMARK, KEYS


def _fetches(node: PlanNode | None) -> list[FetchNode | FlattenNode]:
    if node is None:
        return []
    if isinstance(node, FetchNode | FlattenNode):
        return [node]
    children = getattr(node, "nodes", None)
    if children is not None:
        return [f for child in children for f in _fetches(child)]
    return [f for branch in (getattr(node, "if_clause", None), getattr(node, "else_clause", None))
            for f in _fetches(branch)]


def _response_keys(selection: SelectionSetNode, out: dict[str, str]) -> None:
    """response key -> field name of one selection level (inline fragments flattened)."""
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            key = sel.alias.value if sel.alias else sel.name.value
            assert out.setdefault(key, sel.name.value) == sel.name.value, f"{key} names two fields"
        elif isinstance(sel, InlineFragmentNode):
            _response_keys(sel.selection_set, out)


def test_a_client_alias_named_like_the_key_does_not_replace_the_key() -> None:
    assert_plan(BENCHMARK, "{ topProducts { upc: name inStock } }", '''
        QueryPlan {
          Sequence {
            Fetch(service: "products") {
              {
                topProducts {
                  upc: name
                  __typename
                  upc__hub: upc
                }
              }
            },
            Flatten(path: "topProducts.@") {
              Fetch(service: "inventory") {
                {
                  ... on Product {
                    __typename
                    upc: upc__hub
                  }
                } =>
                {
                  ... on Product {
                    inStock
                  }
                }
              },
            },
          },
        }''')


def _root_and_flatten(plan: QueryPlan) -> tuple[FetchNode, FlattenNode]:
    root, flatten = _fetches(plan.node)
    assert isinstance(root, FetchNode)
    assert isinstance(flatten, FlattenNode)
    return root, flatten


def _top_field(fetch: FetchNode) -> FieldNode:
    op = parse(fetch.operation).definitions[0]
    assert isinstance(op, OperationDefinitionNode)
    top = op.selection_set.selections[0]
    assert isinstance(top, FieldNode)
    assert top.selection_set is not None
    return top


def _keys_of(field: FieldNode) -> dict[str, str]:
    assert field.selection_set is not None
    keys: dict[str, str] = {}
    _response_keys(field.selection_set, keys)
    return keys


def test_the_representation_carries_the_key_not_the_aliased_client_field() -> None:
    root, flatten = _root_and_flatten(plan_for(BENCHMARK, "{ topProducts { upc: name price: weight shippingEstimate } }"))
    keys = _keys_of(_top_field(root))
    assert keys["upc"] == "name"  # the client's aliases are there as asked
    assert keys["price"] == "weight"
    # what products answers, merged into the response tree under the keys products was asked for
    product = {"__typename": "Product", "upc": "1", "name": "Table", "price": 899, "weight": 100}
    obj: dict[str, Any] = {key: product[name] for key, name in keys.items()}
    assert representation(obj, flatten.node.requires) == {
        "__typename": "Product", "upc": "1", "price": 899, "weight": 100}


def test_internal_aliases_avoid_every_client_response_key() -> None:
    root, flatten = _root_and_flatten(plan_for(BENCHMARK, "{ topProducts { upc: name upc__hub: price inStock } }"))
    keys = _keys_of(_top_field(root))
    assert keys["upc"] == "name"
    assert keys["upc__hub"] == "price"
    internal = [k for k, name in keys.items() if name == "upc"]
    assert len(internal) == 1
    assert internal[0] not in ("upc", "upc__hub")
    product = {"__typename": "Product", "upc": "1", "name": "Table", "price": 899}
    obj = {key: product[name] for key, name in keys.items()}
    assert representation(obj, flatten.node.requires) == {"__typename": "Product", "upc": "1"}


def test_a_nested_key_field_is_renamed_below_a_clashing_alias() -> None:
    # Shipment's key "id carrier { code }" is needed to reach b; the client calls carrier.name "code"
    plan = plan_for(KEYS, "{ shipments { id: trackingNumber carrier { code: name } status } }")
    root, flatten = _root_and_flatten(plan)
    assert flatten.node.service_name == "b"
    shipments = _top_field(root)
    keys = _keys_of(shipments)
    assert shipments.selection_set is not None
    carrier = next(s for s in shipments.selection_set.selections
                   if isinstance(s, FieldNode) and s.name.value == "carrier")
    row = {"__typename": "Shipment", "id": "s1", "trackingNumber": "T-1"}
    obj: dict[str, Any] = {k: row[n] for k, n in keys.items() if n != "carrier"}
    obj["carrier"] = {k: {"code": "DHL", "name": "DHL Express"}[n] for k, n in _keys_of(carrier).items()}
    assert obj["id"] == "T-1"
    assert obj["carrier"]["code"] == "DHL Express"
    assert representation(obj, flatten.node.requires) == {
        "__typename": "Shipment", "id": "s1", "carrier": {"code": "DHL"}}
