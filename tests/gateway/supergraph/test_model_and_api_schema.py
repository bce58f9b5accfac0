"""Supergraph model and API schema: join metadata read, join/link/inaccessible elements gone, bad input refused."""

from __future__ import annotations

import pytest
from graphql import print_schema

from gateway.errors import InvalidSupergraph
from gateway.supergraph.loader import load_supergraph
from tests.gateway.planning.schemas import BENCHMARK, FED1, KEYS, SHAREABLE, V05
from tests.gateway.sdl import local_graphs, supergraph_v03


def test_model_reads_graphs_keys_and_field_ownership() -> None:
    sg = load_supergraph(BENCHMARK)
    assert sorted(sg.subgraphs) == ["accounts", "inventory", "products", "reviews"]
    assert sg.subgraphs["reviews"].url == "http://127.0.0.1:4004/graphql"
    product = sg.types["Product"]
    assert [(k.graph, k.fields) for k in product.keys] == [("inventory", "upc"), ("products", "upc"),
                                                          ("reviews", "upc")]
    assert product.fields["price"].resolvable_in == frozenset({"products"})  # external in inventory
    assert product.fields["upc"].resolvable_in == frozenset({"inventory", "products", "reviews"})
    assert "inventory" in product.fields["shippingEstimate"].requires
    assert "reviews" in sg.types["Review"].fields["author"].provides


def test_resolvable_false_override_and_used_overridden_are_kept() -> None:
    warehouse = load_supergraph(KEYS).types["Warehouse"]
    assert [k.resolvable for k in warehouse.keys] == [True, False]
    product = load_supergraph(SHAREABLE).types["Product"]
    assert product.fields["legacyCode"].resolvable_in == frozenset({"b"})
    assert product.fields["rating"].resolvable_in == frozenset({"b"})


def test_federation_1_owner_decides_fields_without_join_field() -> None:
    sg = load_supergraph(FED1)
    assert sg.join_version == "0.1"
    assert sg.types["User"].owner == "accounts"
    assert sg.types["User"].fields["id"].resolvable_in == frozenset({"accounts", "reviews"})  # key in reviews
    assert sg.field("Query", "topReviews") is not None  # from `extend type Query`


def test_api_schema_has_no_join_or_link_elements_and_no_inaccessible_ones() -> None:
    sg = load_supergraph(V05)
    text = print_schema(sg.api_schema)
    for forbidden in ("join__", "link__", "@link", "inaccessible", "internalAudit"):
        assert forbidden not in text
    assert sg.types["Account"].interface_object_in == frozenset({"b"})
    assert sg.api_schema.get_type("Person") is not None


def test_inaccessible_type_enum_value_and_argument_are_removed() -> None:
    sdl = supergraph_v03(local_graphs("a"), '''
        directive @inaccessible on FIELD_DEFINITION | OBJECT | ARGUMENT_DEFINITION | ENUM_VALUE
        type Query @join__type(graph: A) {
          items(filter: String @inaccessible, kind: Kind): [Item]
          secret: Secret @inaccessible
        }
        type Item @join__type(graph: A) { id: ID! kind: Kind }
        type Secret @join__type(graph: A) @inaccessible { code: String }
        enum Kind @join__type(graph: A) { OPEN CLOSED @inaccessible }
    ''').replace('@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)',
                 '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)\n'
                 '  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)')
    api = load_supergraph(sdl).api_schema
    text = print_schema(api)
    assert "Secret" not in text
    assert "CLOSED" not in text
    assert "filter" not in text
    assert "kind: Kind" in text


@pytest.mark.parametrize(("mutate", "element"), [
    (lambda s: s.replace('@join__graph(name: "b", url: "http://127.0.0.1:9/b")', ""), "join__Graph.B"),
    (lambda s: s.replace("join/v0.3", "join/v0.9"), "join/v0.9"),
    (lambda s: s.replace("price: Int @join__field(graph: B)", "price: Int @join__field(graph: NOPE)"),
     "Product.price"),
    (lambda s: s.replace('key: "id")', 'key: "id {")', 1), "Product @key"),
    (lambda s: s.replace('@link(url: "https://specs.apollo.dev/link/v1.0")',
                         '@link(url: "https://specs.apollo.dev/link/v1.0")\n'
                         '  @link(url: "https://example.com/secret/v1.0", for: SECURITY)'), "secret/v1.0"),
])
def test_broken_supergraph_fails_at_load_naming_the_element(mutate: object, element: str) -> None:
    base = supergraph_v03(local_graphs("a", "b"), '''
        type Query @join__type(graph: A) @join__type(graph: B) { product: Product @join__field(graph: A) }
        type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
          id: ID!
          price: Int @join__field(graph: B)
        }
    ''')
    load_supergraph(base)  # the unbroken one loads
    assert callable(mutate)
    broken = mutate(base)
    assert broken != base
    with pytest.raises(InvalidSupergraph) as info:
        load_supergraph(broken)
    assert element in str(info.value)
    assert info.value.code == "INVALID_SUPERGRAPH"


def test_a_schema_without_join_is_not_a_supergraph() -> None:
    with pytest.raises(InvalidSupergraph, match="no join spec"):
        load_supergraph("type Query { a: Int }")
