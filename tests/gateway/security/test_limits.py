"""Operation limits: each attack shape is rejected with its code; ordinary queries pass."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from typing import Any

import pytest
from graphql import build_schema, get_introspection_query, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.security.errors import BodyTooLarge
from gateway.security.limits import (
    LimitCode,
    OperationLimits,
    check_operation_limits,
    check_tokens,
    count_tokens,
    estimate_cost,
    read_body_limited,
)

SDL = """
directive @cost(weight: Int!) on FIELD_DEFINITION | OBJECT | SCALAR | ENUM | INTERFACE
directive @listSize(assumedSize: Int, slicingArguments: [String!], sizedFields: [String!],
                    requireOneSlicingArgument: Boolean = true) on FIELD_DEFINITION

type Query {
  cases(first: Int): [Case!]! @listSize(slicingArguments: ["first"], assumedSize: 50)
  recent(limit: Int = 20): [Case!]! @listSize(slicingArguments: ["limit"])
  case(id: ID!): Case
  search(q: String!): [Case!]! @cost(weight: 20) @listSize(assumedSize: 100)
  caseConnection(first: Int): CaseConnection @listSize(slicingArguments: ["first"], sizedFields: ["edges"])
  node(id: ID!): Node
  untagged: [Case!]!
}
type Mutation { closeCase(id: ID!): Case }
interface Node { id: ID! }
type Case implements Node {
  id: ID!
  title: String
  parties: [Party!]! @listSize(assumedSize: 5)
  riskScore: Int @cost(weight: 7)
  related: [Case!]!
}
type Party @cost(weight: 3) { name: String }
type CaseConnection { edges: [CaseEdge!]! }
type CaseEdge { node: Case }
"""


@pytest.fixture(scope="module")
def schema() -> Any:
    return build_schema(SDL)


PROD = OperationLimits.production()


def codes(query: str, schema: Any = None, variables: dict[str, Any] | None = None,
          limits: OperationLimits = PROD) -> list[str]:
    return [v.code.value for v in check_operation_limits(parse(query), limits, schema=schema, variables=variables)]


def test_production_values_are_documented_choices() -> None:
    assert (PROD.max_depth, PROD.max_aliases, PROD.max_tokens, PROD.max_fields) == (15, 30, 2000, 300)
    assert (PROD.max_directives, PROD.max_cost, PROD.max_root_fields) == (5, 5000, 20)
    dev = OperationLimits.dev()
    assert dev.max_depth > PROD.max_depth
    assert dev.max_tokens > PROD.max_tokens


def test_normal_queries_pass(schema: Any) -> None:
    query = """
    query CaseFile($id: ID!) {
      case(id: $id) { id title riskScore parties { name } related { id title } }
      cases(first: 20) { ...Summary }
    }
    fragment Summary on Case { id title parties { name } }
    """
    assert codes(query, schema, {"id": "1"}) == []
    assert codes("{ __typename }") == []


def test_standard_introspection_query_passes_limits() -> None:
    assert codes(get_introspection_query(), limits=PROD) == []


def test_101_aliases_rejected() -> None:
    query = "{ " + " ".join(f"a{i}: case(id: {i}) {{ id }}" for i in range(101)) + " }"
    found = codes(query)
    assert "MAX_ALIASES_EXCEEDED" in found
    assert "MAX_ROOT_FIELDS_EXCEEDED" in found


def test_aliases_hidden_in_nested_fields_and_fragments_count() -> None:
    query = "{ case(id: 1) { ...F ...F2 } } fragment F on Case { " + " ".join(
        f"t{i}: title" for i in range(20)) + " } fragment F2 on Case { " + " ".join(
        f"u{i}: id" for i in range(20)) + " }"
    assert codes(query) == ["MAX_ALIASES_EXCEEDED"]


def test_deep_circular_introspection_rejected() -> None:
    inner = "name"
    for _ in range(12):
        inner = f"fields {{ type {{ {inner} }} }}"
    query = f"{{ __schema {{ types {{ {inner} }} }} }}"
    start = time.perf_counter()
    found = codes(query)
    assert time.perf_counter() - start < 1.0
    assert "MAX_DEPTH_EXCEEDED" in found


def test_depth_counts_through_fragments() -> None:
    query = "{ a { ...F } } fragment F on T { b { c { d } } }"
    assert codes(query, limits=OperationLimits(max_depth=4)) == []
    assert codes(query, limits=OperationLimits(max_depth=3)) == ["MAX_DEPTH_EXCEEDED"]


def test_ten_repeated_directives_give_one_error() -> None:
    repeated = " ".join(["@include(if: true)"] * 10)
    query = f"{{ case(id: 1) {repeated} {{ id {repeated} title {repeated} }} }}"
    violations = check_operation_limits(parse(query), PROD)
    assert [v.code for v in violations] == [LimitCode.MAX_DIRECTIVES_EXCEEDED]
    assert violations[0].actual == 10
    assert violations[0].to_graphql()["extensions"]["code"] == "MAX_DIRECTIVES_EXCEEDED"
    assert codes("{ case(id: 1) @a @b @c @d @e { id } }") == []  # 5 allowed


def test_directives_on_other_locations_count() -> None:
    many = " ".join(["@x"] * 6)
    assert codes(f"query Q {many} {{ id }}") == ["MAX_DIRECTIVES_EXCEEDED"]
    assert codes(f"{{ ...F {many} }} fragment F on Query {{ id }}") == ["MAX_DIRECTIVES_EXCEEDED"]
    assert codes(f"query Q($v: Int {many}) {{ id }}") == ["MAX_DIRECTIVES_EXCEEDED"]


def test_500_repeated_typename_rejected() -> None:
    query = "{ case(id: 1) { " + " ".join(["__typename"] * 500) + " } }"
    assert codes(query) == ["MAX_FIELDS_EXCEEDED"]
    assert check_tokens(query, PROD) == []  # small enough in tokens: the field count catches it


def test_fragment_bomb_is_counted_without_expanding() -> None:
    parts = ["{ ...F0 }"]
    for i in range(30):
        parts.append(f"fragment F{i} on Query {{ ...F{i + 1} ...F{i + 1} }}")
    parts.append("fragment F30 on Query { __typename }")
    start = time.perf_counter()
    violations = check_operation_limits(parse(" ".join(parts)), PROD)
    assert time.perf_counter() - start < 1.0
    fields = [v for v in violations if v.code is LimitCode.MAX_FIELDS_EXCEEDED]
    assert fields
    assert fields[0].actual == 2**30


def test_fragment_cycles_do_not_hang() -> None:
    query = "{ ...A } fragment A on Query { a { ...B } } fragment B on T { b { ...A } }"
    assert codes(query) == []  # cycles are left to validation
    assert codes("{ ...Missing }") == []


def test_token_limit_counts_without_parsing() -> None:
    assert count_tokens("{ a(x: 1) @d }") == 10
    assert count_tokens("# comment only\n{ a }") == 3
    huge = "{ " + "a " * 100_000 + "}"
    start = time.perf_counter()
    violations = check_tokens(huge, PROD)
    assert time.perf_counter() - start < 0.5  # stops at the limit
    assert [v.code for v in violations] == [LimitCode.MAX_TOKENS_EXCEEDED]
    assert violations[0].actual == PROD.max_tokens + 1
    assert check_tokens("{ a b c }", PROD) == []
    # a lexical error ends the count instead of raising
    assert count_tokens('{ a "unterminated') == 2


@settings(max_examples=50)
@given(st.integers(1, 60), st.integers(0, 60))
def test_token_count_matches_shape(fields: int, args: int) -> None:
    query = "{ f(" + " ".join(f"a{i}: {i}" for i in range(args)) + ") " + " ".join(["x"] * fields) + " }"
    expected = 2 + 1 + 2 + 3 * args + fields if args else 2 + 1 + 2 + fields
    # "{", "f", "(", ")", "}" plus "a_i", ":", "value" per argument, plus one per field
    assert count_tokens(query) == expected


def test_cost_with_slicing_arguments_and_variables(schema: Any) -> None:
    # 100 cases x (type weight 1 + 5 parties x type weight 3)
    assert estimate_cost(parse("{ cases(first: 100) { parties { name } } }"), schema) == 1600
    query = parse("query Q($n: Int) { cases(first: $n) { parties { name } } }")
    assert estimate_cost(query, schema, variables={"n": 1000}) == 16000
    assert estimate_cost(query, schema) == 50 * 16  # no value: assumedSize
    defaulted = parse("query Q($n: Int = 2) { cases(first: $n) { id } }")
    assert estimate_cost(defaulted, schema) == 2
    assert estimate_cost(parse("{ recent { id } }"), schema) == 20  # schema default of the argument
    assert codes("query Q($n: Int) { cases(first: $n) { parties { name } } }", schema, {"n": 1000}) == [
        "COST_LIMIT_EXCEEDED"
    ]


def test_cost_weights(schema: Any) -> None:
    assert estimate_cost(parse("{ case(id: 1) { riskScore title } }"), schema) == 1 + 7
    assert estimate_cost(parse("{ search(q: \"x\") { id } }"), schema) == 20 + 100 * 1
    assert estimate_cost(parse("mutation { closeCase(id: 1) { id } }"), schema) == 10 + 1
    assert estimate_cost(parse("{ untagged { id } }"), schema) == 10  # default list size 10


def test_cost_sized_fields_through_fragments(schema: Any) -> None:
    direct = parse("{ caseConnection(first: 40) { edges { node { id } } } }")
    via_fragment = parse("{ caseConnection(first: 40) { ...E } } fragment E on CaseConnection { edges { node { id } } }")
    assert estimate_cost(direct, schema) == 1 + 40 * (1 + 1)
    assert estimate_cost(via_fragment, schema) == estimate_cost(direct, schema)


def test_nested_lists_multiply(schema: Any) -> None:
    query = "{ cases(first: 50) { related { related { related { id } } } } }"
    violations = check_operation_limits(parse(query), PROD, schema=schema)
    assert [v.code for v in violations] == [LimitCode.COST_LIMIT_EXCEEDED]
    assert violations[0].actual == 50 * (1 + 10 * (1 + 10 * (1 + 10)))


def test_cost_not_checked_without_schema() -> None:
    assert codes("{ cases(first: 100000) { id } }") == []


async def _chunks(parts: list[bytes]) -> AsyncIterator[bytes]:
    for part in parts:
        yield part


async def test_body_size_helper() -> None:
    assert await read_body_limited(_chunks([b"ab", b"cd"]), 4) == b"abcd"
    with pytest.raises(BodyTooLarge) as info:
        await read_body_limited(_chunks([b"abc", b"de"]), 4)
    assert info.value.http_status == 413
    assert info.value.code == "BODY_TOO_LARGE"
    with pytest.raises(BodyTooLarge):  # declared length rejects before reading
        await read_body_limited(_chunks([]), 4, content_length="5")
