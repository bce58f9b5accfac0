"""What the composer writes for valid subgraph sets: join directives, merge results, links, determinism."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from gateway.compose import SubgraphSource, compose
from tests.gateway.compose.harness import assert_composes, fed2, line_of, load

ACCOUNTS = fed2('type Query { me: User } type User @key(fields: "id") { id: ID! name: String }')
REVIEWS = fed2('type User @key(fields: "id") { id: ID! reviews: [Review] } type Review { body: String }')


def test_entity_split_over_two_subgraphs() -> None:
    sdl = assert_composes(accounts=ACCOUNTS, reviews=REVIEWS)
    assert line_of(sdl, "type User") == (
        'type User @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {')
    assert line_of(sdl, "id:") == "id: ID!"  # in every subgraph of the type: no @join__field
    assert line_of(sdl, "name:") == "name: String @join__field(graph: ACCOUNTS)"
    assert line_of(sdl, "reviews:") == "reviews: [Review] @join__field(graph: REVIEWS)"
    assert line_of(sdl, "ACCOUNTS @join__graph") == 'ACCOUNTS @join__graph(name: "accounts", url: "http://accounts.test/graphql")'
    assert '@link(url: "https://specs.apollo.dev/join/v0.3", for: EXECUTION)' in sdl


def test_query_is_joined_to_every_subgraph() -> None:
    sdl = assert_composes(accounts=ACCOUNTS, reviews=REVIEWS)
    assert line_of(sdl, "type Query") == "type Query @join__type(graph: ACCOUNTS) @join__type(graph: REVIEWS) {"


def test_the_gateway_model_sees_the_split() -> None:
    supergraph = load(accounts=ACCOUNTS, reviews=REVIEWS)
    user = supergraph.types["User"]
    assert user.fields["name"].resolvable_in == {"accounts"}
    assert user.fields["reviews"].resolvable_in == {"reviews"}
    assert {k.graph for k in user.keys} == {"accounts", "reviews"}


def test_output_nullability_merges_to_nullable_with_type_joins() -> None:
    sdl = assert_composes(a=fed2("type Query { t: T @shareable } type T @shareable { x: String! }"),
                          b=fed2("type Query { t: T @shareable } type T @shareable { x: String }"))
    assert line_of(sdl, "x:") == 'x: String @join__field(graph: A, type: "String!") @join__field(graph: B, type: "String")'


def test_arguments_intersect_and_take_the_strictest_type() -> None:
    sdl = assert_composes(a=fed2("type Query { f(a: Int, b: Int): Int @shareable }"),
                          b=fed2("type Query { f(a: Int!, c: Int): Int @shareable }"))
    assert line_of(sdl, "f(") == "f(a: Int!): Int"


def test_enum_merging_depends_on_where_it_is_used() -> None:
    sdl = assert_composes(
        a=fed2("type Query { f(e: In): Out } enum In { A B C } enum Out { X Y }"),
        b=fed2("type Query { h(e: In): Out } enum In { A B } enum Out { Y Z }"))
    enum_in = sdl[sdl.index("enum In"):].split("}")[0]
    enum_out = sdl[sdl.index("enum Out"):].split("}")[0]
    assert "C @join" not in enum_in
    assert "A @join__enumValue(graph: A) @join__enumValue(graph: B)" in enum_in
    assert "X @join__enumValue(graph: A)" in enum_out
    assert "Z @join__enumValue(graph: B)" in enum_out


def test_input_types_keep_common_fields() -> None:
    sdl = assert_composes(a=fed2('type Query { f(i: I): Int @shareable } input I { a: Int b: String = "x" c: Int }'),
                          b=fed2('type Query { f(i: I): Int @shareable } input I { a: Int b: String = "x" }'))
    body = sdl[sdl.index("input I"):]
    assert 'b: String = "x"' in body
    assert "c:" not in body


def test_override_drops_the_old_subgraph_unless_it_still_uses_the_field() -> None:
    sdl = assert_composes(
        a=fed2('type Query { t: T } type T @key(fields: "id") @key(fields: "code") { id: ID! code: String p: Int }'),
        b=fed2('type T @key(fields: "id") { id: ID! code: String @override(from: "a") p: Int @override(from: "a") }'))
    assert line_of(sdl, "p:") == 'p: Int @join__field(graph: B, override: "a")'
    assert line_of(sdl, "code:") == (
        'code: String @join__field(graph: A, usedOverridden: true) @join__field(graph: B, override: "a")')


def test_requires_and_provides_are_written_compactly() -> None:
    sdl = assert_composes(
        a=fed2('type Query { p: P } type P @key(fields: "id") { id: ID! dims: Dims } type Dims @shareable { w: Int h: Int }'),
        b=fed2('type P @key(fields: "id") { id: ID! dims: Dims @external area: Int @requires(fields: "dims { w h }") } '
               'type Dims @shareable { w: Int h: Int } type Query { r: R } type R { p: P @provides(fields: "dims { w }") }'))
    assert line_of(sdl, "area:") == 'area: Int @join__field(graph: B, requires: "dims{w h}")'
    assert 'p: P @join__field(graph: B, provides: "dims{w}")' in sdl
    assert "dims: Dims @join__field(graph: A) @join__field(graph: B, external: true)" in sdl


def test_federation_1_subgraphs_are_upgraded() -> None:
    sdl = assert_composes(
        a='type Query { u: User } type User @key(fields: "id") { id: ID! name: String }',
        b='extend type User @key(fields: "id") { id: ID! @external name: String @external '
          'nick: String @requires(fields: "name") unused: Int @external }')
    assert line_of(sdl, "id:") == "id: ID!"  # @external on a Federation 1 key field is dropped
    assert line_of(sdl, "nick:") == 'nick: String @join__field(graph: B, requires: "name")'
    assert "unused" not in sdl  # an unused @external field of Federation 1 is removed


def test_extension_flag() -> None:
    sdl = assert_composes(
        a=fed2('type Query { u: User } type User @key(fields: "id") { id: ID! }'),
        b=fed2('extend type User @key(fields: "id") { id: ID! age: Int }'),
        c='type User @key(fields: "id") @extends { id: ID! @external nick: String }')
    assert '@join__type(graph: B, key: "id", extension: true)' in sdl
    assert '@join__type(graph: C, key: "id", extension: true)' in sdl
    assert '@join__type(graph: A, key: "id")' in sdl


def test_interface_object_fields_reach_the_implementations() -> None:
    sdl = assert_composes(
        media=fed2('type Query { media: [Media] } interface Media @key(fields: "id") { id: ID! title: String } '
                   'type Book implements Media @key(fields: "id") { id: ID! title: String }'),
        ratings=fed2('type Query { top: [Media] } type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }',
                     imports=("@key", "@interfaceObject")))
    assert '@join__type(graph: RATINGS, key: "id", isInterfaceObject: true)' in line_of(sdl, "interface Media")
    book = sdl[sdl.index("type Book"):].split("}")[0]
    assert "rating: Int @join__field\n" in book + "\n"
    assert '@join__implements(graph: MEDIA, interface: "Media")' in book


def test_authorization_directives_are_combined_and_linked() -> None:
    imports = ("@key", "@shareable", "@authenticated", "@requiresScopes", "@policy")
    sdl = assert_composes(
        a=fed2('type Query { t: Int @shareable @requiresScopes(scopes: [["a"], ["b"]]) @authenticated }',
               version="2.6", imports=imports),
        b=fed2('type Query { t: Int @shareable @requiresScopes(scopes: [["c"]]) @policy(policies: [["p"]]) }',
               version="2.6", imports=imports))
    assert line_of(sdl, "t:") == 't: Int @authenticated @requiresScopes(scopes: [["a", "c"], ["b", "c"]]) @policy(policies: [["p"]])'
    for feature in ("authenticated", "requiresScopes", "policy"):
        assert f'@link(url: "https://specs.apollo.dev/{feature}/v0.1", for: SECURITY)' in sdl


def test_tags_and_inaccessible_are_kept_with_their_links() -> None:
    sdl = assert_composes(a=fed2('type Query { t: Int @tag(name: "x") h: Int @inaccessible }'),
                          b=fed2('type Query { u: Int @tag(name: "y") @tag(name: "x") }'))
    assert line_of(sdl, "t:") == 't: Int @join__field(graph: A) @tag(name: "x")'
    assert line_of(sdl, "h:") == "h: Int @join__field(graph: A) @inaccessible"
    assert '@link(url: "https://specs.apollo.dev/tag/v0.3")' in sdl
    assert '@link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY)' in sdl
    assert "h" not in set(load(a=fed2("type Query { t: Int h: Int @inaccessible }")).api_schema.query_type.fields)


SENSITIVE = ('extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) '
             '@link(url: "https://hub.example/sensitive/v1.0", import: ["@sensitive"]) @composeDirective(name: "@sensitive")\n'
             "directive @sensitive(level: String!, mask: String!) on FIELD_DEFINITION\n")


def test_the_hub_sensitive_directive_survives_with_its_link() -> None:
    sdl = assert_composes(
        personnel=SENSITIVE + 'type Query { p: Person } type Person @key(fields: "id") { id: ID! '
                              'idNumber: String @sensitive(level: "high", mask: "partial") }')
    assert '@link(url: "https://hub.example/sensitive/v1.0", import: ["@sensitive"])' in sdl.splitlines()[0]
    assert "directive @sensitive(level: String!, mask: String!) on FIELD_DEFINITION" in sdl
    assert line_of(sdl, "idNumber:") == 'idNumber: String @sensitive(level: "high", mask: "partial")'


def test_directives_that_are_not_composed_are_dropped() -> None:
    sdl = assert_composes(a=fed2("directive @local on FIELD_DEFINITION type Query { a: Int @local }"))
    assert "@local" not in sdl


SUBGRAPHS = {
    "accounts": ACCOUNTS,
    "reviews": REVIEWS,
    "inventory": fed2('type User @key(fields: "id") { id: ID! stock: Int } enum Level { LOW HIGH } '
                      "type Query { level: Level @shareable }"),
    "legacy": 'type Query { level: Level } enum Level { HIGH MID } extend type User @key(fields: "id") { id: ID! @external age: Int }',
}


@settings(max_examples=25, deadline=None)
@given(st.permutations(sorted(SUBGRAPHS)))
def test_same_input_in_any_order_gives_byte_identical_output(order: list[str]) -> None:
    expected = compose([SubgraphSource(n, f"http://{n}", SUBGRAPHS[n]) for n in sorted(SUBGRAPHS)])
    assert expected.supergraph_sdl is not None, expected.errors
    again = compose([SubgraphSource(n, f"http://{n}", SUBGRAPHS[n]) for n in order])
    assert again.supergraph_sdl == expected.supergraph_sdl
