"""One test per composition rule: a small subgraph set and the error code (naming subgraph/type/field)."""

from __future__ import annotations

from tests.gateway.compose.harness import assert_composes, assert_error, fed2

ENTITY_A = fed2('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int }')


def test_invalid_graphql_names_the_subgraph() -> None:
    error = assert_error("INVALID_GRAPHQL", subgraph="a", a=fed2("type Query { t: Nope }"))
    assert "Nope" in error.message
    assert error.message.startswith("[a]")


def test_syntax_error_is_invalid_graphql() -> None:
    assert_error("INVALID_GRAPHQL", subgraph="b", a=fed2("type Query { a: Int }"), b="type Query { t: }")


def test_unknown_import_for_the_federation_version() -> None:
    assert_error("INVALID_LINK_DIRECTIVE_USAGE", subgraph="a", mentions=("@policy",),
                 a=fed2("type Query { a: Int }", imports=("@key", "@policy")))


def test_policy_is_importable_from_federation_2_6() -> None:
    assert_composes(a=fed2('type Query { a: Int @policy(policies: [["p"]]) }', version="2.6",
                           imports=("@key", "@policy")))


def test_type_kind_mismatch() -> None:
    assert_error("TYPE_KIND_MISMATCH", type="T", mentions=('"a"', '"b"'),
                 a=fed2("type Query { t: T @shareable } type T @shareable { a: Int }"),
                 b=fed2("type Query { t: T @shareable } interface T { a: Int }"))


def test_field_type_mismatch_names_type_field_and_both_types() -> None:
    error = assert_error("FIELD_TYPE_MISMATCH", type="T", field="a", mentions=('"Int"', '"String"'),
                         a=fed2("type Query { t: T @shareable } type T @shareable { a: Int }"),
                         b=fed2("type Query { t: T @shareable } type T @shareable { a: String }"))
    assert '"T.a"' in error.message


def test_list_against_single_value_is_a_mismatch() -> None:
    assert_error("FIELD_TYPE_MISMATCH", type="T", field="a",
                 a=fed2("type Query { t: T @shareable } type T @shareable { a: [Int] }"),
                 b=fed2("type Query { t: T @shareable } type T @shareable { a: Int }"))


def test_argument_type_mismatch() -> None:
    assert_error("FIELD_ARGUMENT_TYPE_MISMATCH", type="Query", field="f",
                 a=fed2("type Query { f(x: Int): Int @shareable }"),
                 b=fed2("type Query { f(x: String): Int @shareable }"))


def test_argument_defaults_must_agree() -> None:
    assert_error("FIELD_ARGUMENT_DEFAULT_MISMATCH", type="Query", field="f", mentions=("1", "2"),
                 a=fed2("type Query { f(x: Int = 1): Int @shareable }"),
                 b=fed2("type Query { f(x: Int = 2): Int @shareable }"))


def test_required_argument_missing_in_some_subgraph() -> None:
    assert_error("REQUIRED_ARGUMENT_MISSING_IN_SOME_SUBGRAPH", subgraph="b", type="Query", field="f",
                 a=fed2("type Query { f(x: Int!): Int @shareable }"), b=fed2("type Query { f: Int @shareable }"))


def test_non_shareable_field_in_two_subgraphs() -> None:
    error = assert_error("INVALID_FIELD_SHARING", type="T", field="x",
                         a=ENTITY_A, b=fed2('type T @key(fields: "id") { id: ID! x: Int }'))
    assert "in all of them" in error.message


def test_sharing_error_names_the_non_shareable_subgraph() -> None:
    error = assert_error("INVALID_FIELD_SHARING", subgraph="a", type="T", field="x",
                         a=ENTITY_A, b=fed2('type T @key(fields: "id") { id: ID! x: Int @shareable }'))
    assert 'non-shareable in subgraph "a"' in error.message


def test_root_fields_need_shareable_too() -> None:
    assert_error("INVALID_FIELD_SHARING", type="Query", field="hello",
                 a=fed2("type Query { hello: String }"), b=fed2("type Query { hello: String }"))


def test_federation_1_fields_are_shareable() -> None:
    assert_composes(a="type Query { hello: String }", b="extend type Query { hello: String }")


def test_key_fields_are_shareable_where_they_are_keys() -> None:
    assert_composes(a=ENTITY_A, b=fed2('type T @key(fields: "id") { id: ID! y: Int }'))


def test_key_naming_an_unknown_field() -> None:
    error = assert_error("KEY_INVALID_FIELDS", subgraph="a", type="T", mentions=('"nope"',),
                         a=fed2('type Query { t: T } type T @key(fields: "id nope") { id: ID! }'))
    assert error.message.startswith("[a]")


def test_key_with_a_syntax_error() -> None:
    assert_error("KEY_INVALID_FIELDS", type="Y", a=fed2('type Query { y: Y } type Y @key(fields: "{{") { a: Int }'))


def test_key_selecting_an_interface() -> None:
    assert_error("KEY_FIELDS_SELECT_INVALID_TYPE", type="X",
                 a=fed2('type Query { x: X } type X @key(fields: "i") { i: I } interface I { a: Int } '
                        "type Impl implements I { a: Int }"))


def test_key_field_with_arguments() -> None:
    assert_error("KEY_FIELDS_HAS_ARGS", type="V", a=fed2('type Query { v: V } type V @key(fields: "f") { f(x: Int): Int }'))


def test_requires_field_with_arguments_composes_but_provides_does_not() -> None:
    base = fed2('type Query { t: T } type T @key(fields: "id") { id: ID! p(c: String): Int }')
    sdl = assert_composes(a=base, b=fed2('type T @key(fields: "id") { id: ID! p(c: String): Int @external '
                                         'q: Int @requires(fields: "p(c: \\"x\\")") }'))
    assert "requires: " in sdl
    assert_error("PROVIDES_FIELDS_HAS_ARGS",
                 a=fed2('type Query { t: T @provides(fields: "p(c: \\"x\\")") } '
                        'type T @key(fields: "id") { id: ID! p(c: String): Int @external }'),
                 b=fed2('type T @key(fields: "id") { id: ID! p(c: String): Int }'))


def test_external_missing_on_base() -> None:
    assert_error("EXTERNAL_MISSING_ON_BASE", type="T", field="x",
                 a=fed2('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @external '
                        'y: Int @requires(fields: "x") }'))


def test_unused_external() -> None:
    assert_error("EXTERNAL_UNUSED", subgraph="b", type="T", field="x",
                 a=ENTITY_A, b=fed2('type T @key(fields: "id") { id: ID! x: Int @external }'))


def test_requires_on_a_field_that_is_not_external() -> None:
    assert_error("REQUIRES_FIELDS_MISSING_EXTERNAL", subgraph="b", type="T", field="y",
                 a=fed2('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @shareable }'),
                 b=fed2('type T @key(fields: "id") { id: ID! x: Int @shareable y: Int @requires(fields: "x") }'))


def test_requires_naming_an_unknown_field() -> None:
    assert_error("REQUIRES_INVALID_FIELDS", type="T", field="y",
                 a=fed2('type Query { t: T } type T @key(fields: "id") { id: ID! y: Int @requires(fields: "nope") }'))


def test_provides_on_a_scalar_field() -> None:
    assert_error("PROVIDES_ON_NON_OBJECT_FIELD", type="Query", field="t",
                 a=fed2('type Query { t: Int @provides(fields: "x") }'))


def test_provides_of_an_unknown_field() -> None:
    assert_error("PROVIDES_INVALID_FIELDS", type="Review", field="u",
                 a=fed2('type Query { r: Review } type Review { u: User @provides(fields: "nope") } '
                        'type User @key(fields: "id") { id: ID! }'))


def test_provides_of_a_field_that_is_not_external() -> None:
    assert_error("PROVIDES_FIELDS_MISSING_EXTERNAL", type="Review", field="u",
                 a=fed2('type Query { r: Review } type Review { u: User @provides(fields: "name") } '
                        'type User @key(fields: "id") { id: ID! name: String }'))


def test_override_from_itself() -> None:
    assert_error("OVERRIDE_FROM_SELF_ERROR", subgraph="a", type="T", field="x",
                 a=fed2('type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }'))


def test_enum_used_for_input_and_output_must_agree() -> None:
    assert_error("ENUM_VALUE_MISMATCH", type="Status", mentions=('"PENDING"',),
                 a=fed2("type Query { f(s: Status): Status @shareable } enum Status { ACTIVE INACTIVE }"),
                 b=fed2("type Query { f(s: Status): Status @shareable } enum Status { ACTIVE PENDING }"))


def test_input_enum_with_no_common_value() -> None:
    assert_error("EMPTY_MERGED_ENUM_TYPE", type="S", a=fed2("type Query { f(s: S): Int } enum S { A }"),
                 b=fed2("type Query { g(s: S): Int } enum S { B }"))


def test_required_input_field_missing_in_some_subgraph() -> None:
    assert_error("REQUIRED_INPUT_FIELD_MISSING_IN_SOME_SUBGRAPH", subgraph="b", type="I", field="a",
                 a=fed2("type Query { f(i: I): Int } input I { a: Int! b: Int }"),
                 b=fed2("type Query { g(i: I): Int } input I { b: Int }"))


def test_input_field_defaults_must_agree() -> None:
    assert_error("INPUT_FIELD_DEFAULT_MISMATCH", type="I", field="a",
                 a=fed2("type Query { f(i: I): Int } input I { a: Int = 1 }"),
                 b=fed2("type Query { g(i: I): Int } input I { a: Int = 2 }"))


def test_inaccessible_type_referenced_from_the_api() -> None:
    assert_error("REFERENCED_INACCESSIBLE", type="Query", field="t",
                 a=fed2("type Query { t: T } type T @inaccessible { a: Int }"))


def test_only_inaccessible_children() -> None:
    assert_error("ONLY_INACCESSIBLE_CHILDREN", type="T", a=fed2("type Query { t: T } type T { a: Int @inaccessible }"))


def test_required_argument_cannot_be_inaccessible() -> None:
    assert_error("REQUIRED_INACCESSIBLE", type="Query", field="f",
                 a=fed2("type Query { f(x: Int! @inaccessible): Int g: Int }"))


def test_interface_field_missing_on_an_implementation() -> None:
    assert_error("INTERFACE_FIELD_NO_IMPLEM", subgraph="b", type="B", field="d",
                 a=fed2('type Query { n: Node @shareable } interface Node { id: ID! d: Int } '
                        'type A implements Node @key(fields: "id") { id: ID! d: Int }'),
                 b=fed2('type Query { n: Node @shareable } interface Node { id: ID! } '
                        'type B implements Node @key(fields: "id") { id: ID! }'))


def test_interface_object_needs_an_interface_somewhere() -> None:
    assert_error("INTERFACE_OBJECT_USAGE_ERROR", type="Media",
                 a=fed2('type Query { m: Media } type Media @key(fields: "id") @interfaceObject { id: ID! }',
                        imports=("@key", "@interfaceObject")))


def test_federation_1_extension_without_a_base() -> None:
    assert_error("EXTENSION_WITH_NO_BASE", subgraph="a", type="User",
                 a='type Query { u: User } extend type User @key(fields: "id") { id: ID! @external name: String }')


def test_compose_directive_needs_a_link() -> None:
    assert_error("DIRECTIVE_COMPOSITION_ERROR", subgraph="a", mentions=("@mine",),
                 a=fed2('extend schema @composeDirective(name: "@mine") directive @mine on FIELD_DEFINITION '
                        "type Query { a: Int @mine }", imports=("@key", "@composeDirective")))


def test_value_type_field_only_in_a_subgraph_without_key_is_unsatisfiable() -> None:
    error = assert_error("SATISFIABILITY_ERROR", type="Money", field="cur",
                         a=fed2("type Query { m: Money } type Money @shareable { amount: Int }"),
                         b=fed2("type Money @shareable { amount: Int cur: String }"))
    assert "m {" in error.message
    assert 'has no @key defined in subgraph "b"' in error.message


def test_key_fields_the_origin_cannot_provide_are_unsatisfiable() -> None:
    assert_error("SATISFIABILITY_ERROR", type="T", field="x", mentions=('@key(fields: "k")',),
                 a=fed2('type Query { t: T } type T @key(fields: "id") { id: ID! }'),
                 b=fed2('type T @key(fields: "k") { k: ID! x: Int }'))


def test_requires_that_cannot_be_collected_is_unsatisfiable() -> None:
    assert_error("SATISFIABILITY_ERROR", type="T", field="total",
                 a=fed2('type Query { t: T } type T @key(fields: "id") { id: ID! }'),
                 b=fed2('type T @key(fields: "id") { id: ID! price: Int @external total: Int @requires(fields: "price") }'),
                 c=fed2('type T @key(fields: "id", resolvable: false) { id: ID! price: Int }'))


def test_reaching_a_field_through_a_chain_of_keys() -> None:
    assert_composes(a=fed2('type Query { t: T } type T @key(fields: "id") { id: ID! }'),
                    b=fed2('type T @key(fields: "id") @key(fields: "k") { id: ID! k: ID! }'),
                    c=fed2('type T @key(fields: "k") { k: ID! x: Int }'))


def test_duplicate_subgraph_names_are_refused() -> None:
    from gateway.compose import SubgraphSource, compose

    result = compose([SubgraphSource("a", "http://a", fed2("type Query { a: Int }")),
                      SubgraphSource("a", "http://b", fed2("type Query { b: Int }"))])
    assert result.supergraph_sdl is None
    assert "INVALID_SUBGRAPH_NAME" in result.codes
