"""The breaking-change check, from a client's point of view."""

from __future__ import annotations

import pytest

from gateway.compose import ComposeError, Severity, check
from tests.gateway.compose.harness import assert_composes, fed2

BASE = ('type Query { user(id: ID!): User users(status: Status): [User] } '
        'type User { id: ID! name: String age: Int role: Role } enum Status { ACTIVE INACTIVE } enum Role { ADMIN USER }')


def changes(new_body: str, old_body: str = BASE) -> dict[str, Severity]:
    new, old = assert_composes(a=fed2(new_body)), assert_composes(a=fed2(old_body))
    return {f"{c.kind} {c.path}": c.severity for c in check(new, old)}


def test_identical_supergraphs_have_no_changes() -> None:
    assert changes(BASE) == {}


def test_removed_field_is_breaking() -> None:
    found = changes(BASE.replace(" age: Int", ""))
    assert found == {"FIELD_REMOVED User.age": Severity.BREAKING}


def test_renamed_field_is_reported_as_a_rename() -> None:
    found = changes(BASE.replace("age: Int", "years: Int"))
    assert found["FIELD_RENAMED User.age"] is Severity.BREAKING


def test_removed_and_renamed_types() -> None:
    body = BASE.replace("type User {", "type Person {").replace("User", "Person")
    found = changes(body)
    assert found["TYPE_RENAMED User"] is Severity.BREAKING


def test_changed_field_type() -> None:
    assert changes(BASE.replace("age: Int", "age: String"))["FIELD_TYPE_CHANGED User.age"] is Severity.BREAKING


def test_output_field_becoming_non_null_is_safe_but_the_reverse_is_not() -> None:
    assert "FIELD_TYPE_CHANGED User.name" not in changes(BASE.replace("name: String", "name: String!"))
    old = BASE.replace("name: String", "name: String!")
    assert changes(BASE, old)["FIELD_TYPE_CHANGED User.name"] is Severity.BREAKING


def test_new_required_argument_is_breaking_and_optional_is_safe() -> None:
    found = changes(BASE.replace("users(status: Status)", "users(status: Status, org: ID!, page: Int)"))
    assert found["REQUIRED_ARGUMENT_ADDED Query.users(org:)"] is Severity.BREAKING
    assert found["OPTIONAL_ARGUMENT_ADDED Query.users(page:)"] is Severity.SAFE


def test_argument_becoming_nullable_is_safe() -> None:
    assert changes(BASE.replace("user(id: ID!)", "user(id: ID)")) == {}


def test_removed_enum_value_clients_may_send_is_breaking() -> None:
    found = changes(BASE.replace("ACTIVE INACTIVE", "ACTIVE"))
    assert found == {"ENUM_VALUE_REMOVED Status.INACTIVE": Severity.BREAKING}


def test_removed_output_only_enum_value_is_dangerous() -> None:
    found = changes(BASE.replace("ADMIN USER", "ADMIN"))
    assert found == {"ENUM_VALUE_REMOVED Role.USER": Severity.DANGEROUS}


def test_added_field_and_type_are_safe() -> None:
    found = changes(BASE + " type Extra { a: Int } extend type Query { extra: Extra }")
    assert set(found.values()) == {Severity.SAFE}


def test_inaccessible_field_counts_as_removed() -> None:
    body = BASE.replace("age: Int", "age: Int @inaccessible")
    assert changes(body) == {"FIELD_REMOVED User.age": Severity.BREAKING}


def test_not_a_supergraph_is_an_error() -> None:
    with pytest.raises(ComposeError):
        check("type Query { a: Int }", assert_composes(a=fed2(BASE)))
