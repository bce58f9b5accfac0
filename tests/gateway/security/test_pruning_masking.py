"""Pruning unauthorised selections before planning, nulls in the answer, and masking of @sensitive fields."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from graphql import build_schema, parse, print_ast, validate
from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.security.directives import AuthContext, authorize
from gateway.security.jwt_auth import Principal
from gateway.security.masking import UnmaskPolicy, mask_response
from gateway.security.policies import PolicySet
from gateway.security.pruning import apply_denials, prune
from gateway.security.view import SecurityView
from tests.gateway.security.secure_graph import secure_supergraph

SDL = """
directive @authenticated on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @requiresScopes(scopes: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @policy(policies: [[String!]!]!) on FIELD_DEFINITION | OBJECT | INTERFACE | SCALAR | ENUM
directive @sensitive(level: String!, mask: String!) on FIELD_DEFINITION

type Query {
  person(id: ID!): Person
  people: [Person!]!
  search(q: String!): [Result!]!
  strict: Strict!
}
type Person {
  id: ID!
  name: String! @sensitive(level: "S2", mask: "NAME")
  idNumber: String! @sensitive(level: "S3", mask: "ID18") @requiresScopes(scopes: [["pii"]])
  nick: String @requiresScopes(scopes: [["pii"]])
  region: String @sensitive(level: "S0", mask: "NAME")
}
type Company { id: ID! name: String! nick: String }
union Result = Person | Company
type Strict { inner: Inner! }
type Inner { secret: String! @authenticated open: String }
"""


@pytest.fixture(scope="module")
def view() -> SecurityView:
    return SecurityView(build_schema(SDL))


def principal(*scopes: str, roles: tuple[str, ...] = ("OFFICER",)) -> Principal:
    return Principal(subject="officer-1", roles=frozenset(roles), body_uscc="11445102MB2D00014P",
                     region_code="445102", scopes=frozenset(scopes), client_id=None, is_service=False,
                     token_id="t", expires_at=datetime(2100, 1, 1, tzinfo=UTC))


def run(view: SecurityView, query: str, data: dict[str, Any], context: AuthContext) -> tuple[str, Any, list[Any]]:
    """Prune, check the pruned document is valid, then apply the denials to `data` (what the subgraphs sent)."""
    document = parse(query)
    result = prune(view.rules, document, context, None)
    assert validate(view.schema, result.document) == []
    answer = apply_denials(data, result)
    return print_ast(result.document), answer, [d.to_graphql() for d in result.denials]


def test_denied_field_is_not_in_the_planned_document_and_is_null_with_an_error(view: SecurityView) -> None:
    text, data, errors = run(view, '{ person(id: 1) { id alias: nick } }',
                             {"person": {"id": "1", "_hubTypename": "Person"}}, AuthContext(principal()))
    assert "nick" not in text
    assert data == {"person": {"id": "1", "alias": None}}
    assert errors == [{"message": "Unauthorized field or type: Person.nick", "path": ["person", "alias"],
                       "extensions": {"code": "UNAUTHORIZED_FIELD_OR_TYPE"}}]


def test_fragment_cannot_smuggle_a_denied_field(view: SecurityView) -> None:
    query = "{ people { ...P } } fragment P on Person { id idNumber nick }"  # idNumber String!, nick nullable
    text, data, errors = run(view, query, {"people": [{"id": "1"}, {"id": "2"}]}, AuthContext(principal()))
    assert "idNumber" not in text
    assert "nick" not in text
    assert "fragment" not in text
    # idNumber is String! inside [Person!]!: nothing on the way is nullable, so the null reaches the root
    assert data is None
    assert {tuple(e["path"]) for e in errors} == {("people", "idNumber"), ("people", "nick")}


def test_denial_under_a_type_condition_only_touches_that_type(view: SecurityView) -> None:
    query = "{ search(q: \"x\") { ... on Person { nick } ... on Company { nick } } }"
    text, data, _ = run(view, query, {"search": [{"_hubTypename": "Company", "nick": "ACME"},
                                                 {"_hubTypename": "Person"}]}, AuthContext(principal()))
    assert "_hubTypename: __typename" in text
    assert data == {"search": [{"nick": "ACME"}, {"nick": None}]}


def test_all_selections_denied_keeps_a_valid_document(view: SecurityView) -> None:
    text, data, errors = run(view, "{ person(id: 1) { nick } }", {"person": {"_hubPlaceholder": "Person"}},
                             AuthContext(principal()))
    assert "_hubPlaceholder: __typename" in text
    assert data == {"person": {"nick": None}}
    assert len(errors) == 1


def test_non_null_denied_field_propagates_null_to_the_nearest_nullable_parent(view: SecurityView) -> None:
    _, data, errors = run(view, "{ strict { inner { secret open } } }",
                          {"strict": {"inner": {"open": "o"}}}, AuthContext(None))
    assert data is None  # strict! -> inner! -> secret!: the null reaches the root
    assert errors[0]["path"] == ["strict", "inner", "secret"]
    _, data, _ = run(view, "{ person(id: 1) { id idNumber } }", {"person": {"id": "1"}}, AuthContext(principal()))
    assert data == {"person": None}


def test_unused_variables_are_dropped_with_the_field_that_used_them(view: SecurityView) -> None:
    text, _, _ = run(view, "query Q($id: ID!) { person(id: $id) { nick } }", {"person": None},
                     AuthContext(principal()))
    assert text.startswith("query Q($id: ID!)")  # still used by person(id:)
    schema = build_schema(SDL.replace("people: [Person!]!", "people(limit: Int): [Person!]!"))
    other = SecurityView(schema)
    pruned = prune(other.rules, parse("query Q($n: Int) { people(limit: $n) { idNumber } }"), AuthContext(None), "Q")
    assert validate(schema, pruned.document) == []


def test_allowed_request_is_left_alone(view: SecurityView) -> None:
    document = parse("{ person(id: 1) { id idNumber nick } }")
    result = prune(view.rules, document, AuthContext(principal("pii")), None)
    assert not result.changed
    assert result.document is document


FIELDS = ["id", "name", "idNumber", "nick", "region"]


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(FIELDS), st.booleans()), min_size=1, max_size=6),
       st.frozensets(st.sampled_from(["pii", "other"])), st.booleans())
def test_pruning_agrees_with_authorize_and_leaves_no_denied_field(
        picks: list[tuple[str, bool]], scopes: frozenset[str], via_fragment: bool) -> None:
    view = SecurityView(build_schema(SDL))
    fields = " ".join(f"a{i}: {name}" if aliased else name for i, (name, aliased) in enumerate(picks))
    query = ("{ people { ...F } } fragment F on Person { " + fields + " }") if via_fragment \
        else "{ people { " + fields + " } }"
    context = AuthContext(principal(*scopes))
    document = parse(query)
    expected = authorize(view.rules, document, context)
    result = prune(view.rules, document, context, None)
    assert {d.path for d in result.denials} == set(expected.paths)
    assert validate(view.schema, result.document) == []
    printed = print_ast(result.document)
    for denial in result.denials:
        assert denial.coordinate.split(".")[1] not in printed.replace("_hubPlaceholder", "")


# --- masking -----------------------------------------------------------------------------------------

DATA = {"person": {"id": "1", "name": "欧阳小明", "idNumber": "445102199003071230", "region": "湘桥区"}}


def masked(view: SecurityView, clear: frozenset[str], query: str = "{ person(id: 1) { id name idNumber region } }",
           data: dict[str, Any] | None = None) -> tuple[dict[str, Any], Any]:
    copy: dict[str, Any] = {"person": dict(DATA["person"])} if data is None else data
    report = mask_response(view, parse(query), None, copy, clear)
    return copy, report


def test_masked_without_purpose_or_role(view: SecurityView) -> None:
    data, report = masked(view, frozenset())
    assert data["person"] == {"id": "1", "name": "欧***", "idNumber": "4451**********1230", "region": "湘桥区"}
    assert report.masked == {"Person.name", "Person.idNumber"}
    assert not report.clear


def test_clear_levels_follow_role_and_purpose() -> None:
    policy = UnmaskPolicy()
    officer = principal(roles=("OFFICER",))
    supervisor = principal(roles=("SUPERVISOR",))
    assert policy.clear_levels(officer, None) == frozenset()
    assert policy.clear_levels(officer, "NOT_A_PURPOSE") == frozenset()
    assert policy.clear_levels(officer, "CASE_HANDLING") == {"S2", "S3"}
    assert policy.clear_levels(supervisor, "SUPERVISION") == {"S2", "S3"}  # production binds the purpose to the area
    assert policy.clear_levels(principal(roles=("AUDITOR",)), "SUPERVISION") == frozenset()
    assert policy.clear_levels(None, "CASE_HANDLING") == frozenset()


def test_partial_clearance_masks_only_the_higher_level(view: SecurityView) -> None:
    data, report = masked(view, frozenset({"S2"}))
    assert data["person"]["name"] == "欧阳小明"
    assert data["person"]["idNumber"] == "4451**********1230"
    assert report.clear == {"Person.name"}
    assert report.masked == {"Person.idNumber"}


def test_aliases_and_fragments_cannot_escape_masking(view: SecurityView) -> None:
    query = "{ p: person(id: 1) { ...F } } fragment F on Person { n: name ... on Person { idNumber } }"
    data = {"p": {"n": "张三", "idNumber": "445102199003071230"}}
    _, report = masked(view, frozenset(), query, data)
    assert data == {"p": {"n": "张*", "idNumber": "4451**********1230"}}
    assert report.masked == {"Person.name", "Person.idNumber"}


def test_union_member_masking_uses_typename_when_known(view: SecurityView) -> None:
    query = "{ search(q: \"x\") { __typename ... on Person { name } ... on Company { name } } }"
    data = {"search": [{"__typename": "Company", "name": "潮州某某有限公司"}, {"__typename": "Person", "name": "张三"}]}
    masked(view, frozenset(), query, data)
    assert data["search"] == [{"__typename": "Company", "name": "潮州某某有限公司"},
                              {"__typename": "Person", "name": "张*"}]


def test_view_from_supergraph_keeps_security_directives_under_canonical_names() -> None:
    sdl = secure_supergraph({"people": "http://127.0.0.1:9/p", "cases": "http://127.0.0.1:9/c"})
    renamed = sdl.replace('import: ["@sensitive"]', 'import: [{name: "@sensitive", as: "@pii"}]') \
        .replace("directive @sensitive(", "directive @pii(").replace("@sensitive(level", "@pii(level")
    for text in (sdl, renamed):
        view = SecurityView.from_supergraph_sdl(text)
        assert view.sensitive[("Person", "idNumber")].mask == "ID18"
        denied = authorize(view.rules, parse("{ vault { __typename } auditTrail }"),
                           AuthContext(principal("cases:read"), policy=PolicySet().evaluate))
        assert denied.paths == {("vault",), ("auditTrail",)}
