"""Authorization directives: each directive, OR/AND semantics, and no bypass via aliases or fragments."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from graphql import build_schema, parse
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.security.directives import AuthContext, AuthorizationRules, authorize
from gateway.security.jwt_auth import Principal

SDL = """
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM

scalar IdNumber @requiresScopes(scopes: [["pii:read"]])
enum Sensitivity @authenticated { LOW HIGH }

type Query {
  publicNotices: [Notice!]!
  case(id: ID!): Case @authenticated
  person(id: ID!): Person
  node(id: ID!): Node
  search(q: String!): [SearchResult!]!
  stats: Stats @requiresScopes(scopes: [["stats:read", "region:445100"], ["stats:all"]])
  audit: [AuditEntry!]! @policy(policies: [["is_auditor"], ["is_supervisor", "in_region"]])
  flat: Int @requiresScopes(scopes: ["a", "b"])
  doc: Doc
  vault: Vault
}
interface Node { id: ID! }
interface Secretive { secret: String @authenticated }
type Notice implements Node { id: ID! title: String noticeLevel: Sensitivity }
type Case implements Node { id: ID! title: String level: Sensitivity }
type Person implements Node @authenticated { id: ID! name: String idNumber: IdNumber }
union SearchResult = Notice | Person
type Stats { total: Int }
type AuditEntry { id: ID! }
type Doc implements Secretive { secret: String title: String }
type Vault { open: String }
extend type Vault @requiresScopes(scopes: [["vault"]])
"""


@pytest.fixture(scope="module")
def rules() -> AuthorizationRules:
    return AuthorizationRules(build_schema(SDL))


def principal(*scopes: str) -> Principal:
    return Principal(
        subject="officer-1", roles=frozenset({"OFFICER"}), body_uscc=None, region_code="445102",
        scopes=frozenset(scopes), client_id=None, is_service=False, token_id="t",
        expires_at=datetime(2100, 1, 1, tzinfo=UTC),
    )


ANON = AuthContext(None)


def denied(rules: AuthorizationRules, query: str, context: AuthContext = ANON) -> set[tuple[str, ...]]:
    return set(authorize(rules, parse(query), context).paths)


def test_public_fields_pass(rules: AuthorizationRules) -> None:
    result = authorize(rules, parse("{ publicNotices { id title __typename } }"), ANON)
    assert result.ok
    assert result.to_errors() == []


def test_authenticated_on_field(rules: AuthorizationRules) -> None:
    result = authorize(rules, parse("{ case(id: 1) { id title } publicNotices { id } }"), ANON)
    assert result.paths == {("case",)}
    assert result.coordinates == {"Query.case"}
    error = result.to_errors()[0]
    assert error["extensions"]["code"] == "UNAUTHORIZED_FIELD_OR_TYPE"
    assert error["path"] == ["case"]
    assert denied(rules, "{ case(id: 1) { id level } }", AuthContext(principal())) == set()


def test_alias_does_not_bypass(rules: AuthorizationRules) -> None:
    result = authorize(rules, parse("{ innocent: case(id: 1) { id } other: case(id: 2) { id } }"), ANON)
    assert result.paths == {("innocent",), ("other",)}
    assert result.coordinates == {"Query.case"}


def test_named_and_inline_fragments_do_not_bypass(rules: AuthorizationRules) -> None:
    assert denied(rules, "{ ...F } fragment F on Query { case(id: 1) { id } }") == {("case",)}
    assert denied(rules, "{ ... { case(id: 1) { id } } }") == {("case",)}
    assert denied(rules, "{ ... on Query { ...G } } fragment G on Query { x: case(id: 1) { id } }") == {("x",)}


def test_type_level_directive_and_typename(rules: AuthorizationRules) -> None:
    assert denied(rules, "{ person(id: 1) { __typename } }") == {("person",)}
    assert denied(rules, "{ person(id: 1) { name } }", AuthContext(principal())) == set()


def test_interfaces_cannot_reach_protected_implementations(rules: AuthorizationRules) -> None:
    assert denied(rules, "{ node(id: 1) { id } }") == {("node", "id")}  # a Person may answer
    assert denied(rules, "{ node(id: 1) { __typename } }") == {("node", "__typename")}
    assert denied(rules, "{ node(id: 1) { ... on Notice { id title } } }") == set()
    result = authorize(rules, parse("{ node(id: 1) { ... on Person { n: name } } }"), ANON)
    assert result.paths == {("node", "n")}
    assert result.coordinates == {"Person.name"}
    assert denied(rules, "{ node(id: 1) { ...P } } fragment P on Person { name }") == {("node", "name")}
    assert denied(rules, "{ node(id: 1) { id } }", AuthContext(principal())) == set()


def test_unions(rules: AuthorizationRules) -> None:
    assert denied(rules, '{ search(q: "x") { ... on Notice { title } } }') == set()
    assert denied(rules, '{ search(q: "x") { __typename } }') == {("search", "__typename")}
    assert denied(rules, '{ search(q: "x") { ... on Person { name } } }') == {("search", "name")}


def test_scalar_and_enum_directives(rules: AuthorizationRules) -> None:
    me = AuthContext(principal())
    assert denied(rules, "{ person(id: 1) { name idNumber } }", me) == {("person", "idNumber")}
    assert denied(rules, "{ person(id: 1) { name idNumber } }", AuthContext(principal("pii:read"))) == set()
    assert denied(rules, "{ publicNotices { title noticeLevel } }") == {("publicNotices", "noticeLevel")}
    assert denied(rules, "{ publicNotices { title noticeLevel } }", me) == set()


@pytest.mark.parametrize(
    ("scopes", "allowed"),
    [
        ((), False),
        (("stats:read",), False),
        (("region:445100",), False),
        (("stats:read", "region:445100"), True),
        (("stats:all",), True),
        (("stats:all", "unrelated"), True),
    ],
)
def test_requires_scopes_or_of_ands(rules: AuthorizationRules, scopes: tuple[str, ...], allowed: bool) -> None:
    assert (denied(rules, "{ stats { total } }", AuthContext(principal(*scopes))) == set()) is allowed


def test_flat_scope_list_means_or(rules: AuthorizationRules) -> None:
    assert denied(rules, "{ flat }", AuthContext(principal("a"))) == set()
    assert denied(rules, "{ flat }", AuthContext(principal("b"))) == set()
    assert denied(rules, "{ flat }", AuthContext(principal("c"))) == {("flat",)}


@pytest.mark.parametrize(
    ("granted", "allowed"),
    [
        (set(), False),
        ({"is_auditor"}, True),
        ({"is_supervisor"}, False),
        ({"in_region"}, False),
        ({"is_supervisor", "in_region"}, True),
    ],
)
def test_policy_or_of_ands(rules: AuthorizationRules, granted: set[str], allowed: bool) -> None:
    asked: list[str] = []

    def evaluator(policy: str, who: Principal | None) -> bool:
        assert who is not None
        asked.append(policy)
        return policy in granted

    context = AuthContext(principal(), policy=evaluator)
    assert (denied(rules, "{ a: audit { id } b: audit { id } }", context) == set()) is allowed
    assert len(asked) == len(set(asked))  # each policy decided once per evaluation


def test_policies_denied_without_evaluator(rules: AuthorizationRules) -> None:
    assert denied(rules, "{ audit { id } }", AuthContext(principal())) == {("audit",)}


def test_interface_field_directive_applies_to_implementations(rules: AuthorizationRules) -> None:
    assert denied(rules, "{ doc { title secret } }") == {("doc", "secret")}


def test_type_extension_directive(rules: AuthorizationRules) -> None:
    assert denied(rules, "{ vault { open } }", AuthContext(principal())) == {("vault",)}
    assert denied(rules, "{ vault { open } }", AuthContext(principal("vault"))) == set()


def test_fragment_cycles_and_unknown_names_terminate(rules: AuthorizationRules) -> None:
    query = "{ ...A } fragment A on Query { ...B case(id: 1) { id } } fragment B on Query { ...A }"
    assert denied(rules, query) == {("case",)}
    assert denied(rules, "{ ...Missing ... on Nope { x } }") == set()


def test_operation_name_selects(rules: AuthorizationRules) -> None:
    document = parse("query Pub { publicNotices { id } } query Priv { case(id: 1) { id } }")
    assert authorize(rules, document, ANON, operation_name="Pub").ok
    assert not authorize(rules, document, ANON, operation_name="Priv").ok
    assert not authorize(rules, document, ANON).ok  # no name: all operations are checked


RULES = AuthorizationRules(build_schema(SDL))
names = st.from_regex(r"[a-z][a-zA-Z0-9]{0,8}", fullmatch=True)


@settings(max_examples=100)
@given(names, names, st.sampled_from(["plain", "fragment", "inline", "nested"]))
def test_wrapping_never_changes_what_is_denied(alias_a: str, alias_b: str, wrap: str) -> None:
    rules = RULES
    core = f"{alias_a}: case(id: 1) {{ id }} {alias_b}: node(id: 2) {{ id }}"
    query = {
        "plain": f"{{ {core} }}",
        "fragment": f"{{ ...F }} fragment F on Query {{ {core} }}",
        "inline": f"{{ ... on Query {{ {core} }} }}",
        "nested": f"{{ ... {{ ...F }} }} fragment F on Query {{ ... on Query {{ {core} }} }}",
    }[wrap]
    result = authorize(rules, parse(query), ANON)
    assert result.coordinates == {"Query.case", "Node.id"}
    expected = {(alias_a,), (alias_b, "id")} if alias_a != alias_b else {(alias_a,), (alias_a, "id")}
    assert result.paths == expected
