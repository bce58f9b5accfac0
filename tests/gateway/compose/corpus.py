"""The composition corpus: subgraph sets, valid and invalid, covering every directive the composer handles.

Each case maps subgraph name -> SDL. `@@FED(v, imports)` stands for a Federation 2 `@link` header.
The differential test composes every case with ours and both reference composers; `references.FOLLOWED`
lists the cases where the two references disagree, with the one ours follows and why.
"""

from __future__ import annotations

import re

from tests.gateway.compose.corpus_gaps import GAP_CASES
from tests.gateway.differential.fixtures import all_fixtures, placeholder_url

_HEADER = re.compile(r"@@FED\((?P<version>[0-9.]+)(?:,\s*(?P<imports>[^)]*))?\)")


def _expand(sdl: str) -> str:
    def header(match: re.Match[str]) -> str:
        names = [n.strip() for n in (match.group("imports") or "").split() if n.strip()]
        imports = ", ".join(f'"{n}"' for n in names)
        return (f'extend schema @link(url: "https://specs.apollo.dev/federation/v{match.group("version")}", '
                f"import: [{imports}])\n")

    return _HEADER.sub(header, sdl)


K = "@@FED(2.3, @key @shareable @external @requires @provides @override @inaccessible @tag @extends)"
K7 = "@@FED(2.7, @key @shareable @external @requires @provides @override @inaccessible @tag)"
K6 = ("@@FED(2.6, @key @shareable @external @requires @provides @inaccessible @tag @authenticated "
      "@requiresScopes @policy @composeDirective @interfaceObject)")
K8 = "@@FED(2.8, @key @shareable @external @context @fromContext)"
_CTX = 'type Query { orgs: [Org] } type Org @key(fields: "id") @context(name: "unit") { id: ID! cur: String teams: [Team] } '

CASES: dict[str, dict[str, str]] = {
    # @context / @fromContext (federation 2.8)
    "v_context_simple": {
        "a": K8 + _CTX + 'type Team @key(fields: "id") { id: ID! b(c: String @fromContext(field: "$unit { cur }")): Int }',
        "b": K8 + 'type Team @key(fields: "id") { id: ID! size: Int }',
    },
    "e_context_never_set": {
        "a": K8 + _CTX + 'type Team @key(fields: "id") { id: ID! b(c: String @fromContext(field: "$zone { cur }")): Int }',
    },
    "e_context_no_reference": {
        "a": K8 + _CTX + 'type Team @key(fields: "id") { id: ID! b(c: String @fromContext(field: "{ cur }")): Int }',
    },
    "e_context_default_value": {
        "a": K8 + _CTX + 'type Team @key(fields: "id") { id: ID! b(c: String = "x" @fromContext(field: "$unit { cur }")): Int }',
    },
    "e_context_unknown_field": {
        "a": K8 + _CTX + 'type Team @key(fields: "id") { id: ID! b(c: String @fromContext(field: "$unit { nope }")): Int }',
    },
    "e_context_type_mismatch": {
        "a": K8 + _CTX + 'type Team @key(fields: "id") { id: ID! b(c: Int @fromContext(field: "$unit { cur }")): Int }',
    },
    "e_context_no_resolvable_key": {
        "a": K8 + _CTX + 'type Team @key(fields: "id", resolvable: false) { id: ID! b(c: String @fromContext(field: "$unit { cur }")): Int }',
    },
    "e_context_name_invalid": {
        "a": K8 + 'type Query { orgs: [Org] } type Org @key(fields: "id") @context(name: "un_it") { id: ID! cur: String teams: [Team] } '
             'type Team @key(fields: "id") { id: ID! b(c: String @fromContext(field: "$un_it { cur }")): Int }',
    },
    # --- valid: Federation 2 basics ------------------------------------------------------------
    "v_entities": {
        "accounts": K + 'type Query { me: User } type User @key(fields: "id") { id: ID! name: String }',
        "reviews": K + 'type User @key(fields: "id") { id: ID! reviews: [Review] } type Review { body: String }',
    },
    "v_extend_fed2": {
        "a": K + 'type Query { u: User } type User @key(fields: "id") { id: ID! name: String }',
        "b": K + 'extend type User @key(fields: "id") { id: ID! age: Int } type Other @extends @key(fields: "id") { id: ID! }',
    },
    "v_enum_union_intersection": {
        "a": K + "type Query { f(e: In): Out g: Unused } enum In { A B C } enum Out { X Y } enum Unused { P Q }",
        "b": K + "type Query { h(e: In): Out k: Int } enum In { A B } enum Out { Y Z } enum Unused { Q R }",
    },
    "v_inputs_intersection": {
        "a": K + 'type Query { f(i: I): Int @shareable } input I { a: Int b: String! = "x" c: Int }',
        "b": K + 'type Query { f(i: I): Int @shareable } input I { a: Int! b: String! = "x" }',
    },
    "v_nullability": {
        "a": K + "type Query { t: T @shareable } type T @shareable { x: String! y: [Int!] z(a: Int, b: Int): Int }",
        "b": K + "type Query { t: T! @shareable } type T @shareable { x: String y: [Int!]! z(a: Int!, c: Int): Int }",
    },
    "v_no_query_in_one": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! }',
        "b": K + 'type T @key(fields: "id") { id: ID! v: Int } type Mutation { m: Int }',
    },
    "v_descriptions": {
        "a": K + '"Q doc" type Query { "f doc a" t: T @shareable } "T doc a" type T @shareable { x: Int }',
        "b": K + 'type Query { "f doc b" t: T @shareable } "T doc b" type T @shareable { "x doc" x: Int }',
    },
    "v_override_used": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int q: Int }',
        "b": K + 'type T @key(fields: "id") { id: ID! p: Int @override(from: "a") q: Int @external r: Int @requires(fields: "q") }',
    },
    # progressive @override (federation 2.7): the old subgraph keeps the field until the label is on
    "v_override_labels": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int q: Int r: Int s: Int }',
        "b": K7 + 'type T @key(fields: "id") { id: ID! p: Int @override(from: "a", label: "percent(33.5)") '
                  'q: Int @override(from: "a", label: "ok-label:x/y.z_1") r: Int @override(from: "a") '
                  's: Int @override(from: "a", label: "percent(100)") }',
    },
    "v_fed27_without_labels": {
        "a": K7 + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int }',
        "b": K + 'type T @key(fields: "id") { id: ID! q: Int }',
    },
    "v_override_label_used_overridden": {
        "a": K7 + 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! x: Int @override(from: "b", label: "flag") }',
        "b": K + 'type Query { t: T @shareable } type T @key(fields: "id") @key(fields: "x") { id: ID! x: Int }',
    },
    "v_override_label_source_lacks_field": {
        "a": K7 + 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! x: Int @override(from: "b", label: "flag") }',
        "b": K + 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! y: Int }',
    },
    "v_override_label_100_point_0": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int }',
        "b": K7 + 'type T @key(fields: "id") { id: ID! p: Int @override(from: "a", label: "percent(100.0)") }',
    },
    "e_override_label_three_digits": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int }',
        "b": K7 + 'type T @key(fields: "id") { id: ID! p: Int @override(from: "a", label: "percent(050)") }',
    },
    "e_override_label_over_100": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int }',
        "b": K7 + 'type T @key(fields: "id") { id: ID! p: Int @override(from: "a", label: "percent(101)") }',
    },
    "e_override_label_starts_with_digit": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int }',
        "b": K7 + 'type T @key(fields: "id") { id: ID! p: Int @override(from: "a", label: "1bad") }',
    },
    "e_override_label_nine_decimals": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! p: Int }',
        "b": K7 + 'type T @key(fields: "id") { id: ID! p: Int @override(from: "a", label: "percent(0.123456789)") }',
    },
    "v_override_used_overridden": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") @key(fields: "code") { id: ID! code: String }',
        "b": K + 'type T @key(fields: "id") { id: ID! code: String @override(from: "a") }',
    },
    "v_provides": {
        "a": K + 'type Query { r: [Review] } type Review { id: ID! author: User @provides(fields: "name") } type User @key(fields: "id") { id: ID! name: String @external }',
        "b": K + 'type User @key(fields: "id") { id: ID! name: String @shareable }',
    },
    "v_import_rename": {
        "a": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: [{name: "@key", as: "@primaryKey"}, "@shareable"]) '
             'type Query { u: User } type User @primaryKey(fields: "id") { id: ID! n: String @federation__shareable }',
        "b": K + 'type User @key(fields: "id") { id: ID! n: String @federation__shareable @federation__tag(name: "x") }',
    },
    "v_link_prefix": {
        "a": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", as: "fed", import: ["@key"]) '
             'type Query { u: User } type User @key(fields: "id") { id: ID! n: String @fed__shareable }',
        "b": K + 'type User @key(fields: "id") { id: ID! n: String @shareable }',
    },
    "v_auth": {
        "a": K6 + 'type Query { t: T @shareable @requiresScopes(scopes: [["a"], ["b"]]) @authenticated h: Int @inaccessible } '
                  'type T @shareable @policy(policies: [["p1"]]) { x: Int @tag(name: "t1") @tag(name: "t2") y(a: Int @inaccessible): Int } '
                  "enum E { A B @inaccessible }",
        "b": K6 + 'type Query { t: T @shareable @requiresScopes(scopes: [["c"]]) k(e: E): Int } '
                  'type T @shareable @policy(policies: [["p2", "p3"]]) { x: Int @tag(name: "t1") @tag(name: "t3") y(a: Int): Int } enum E { A B }',
    },
    "v_authenticated_types": {
        "a": K6 + 'type Query { p: Person } type Person @key(fields: "id") @authenticated { id: ID! name: String } '
                  'scalar Secret @authenticated enum Level @requiresScopes(scopes: [["admin"]]) { LOW HIGH }',
        "b": K6 + 'type Person @key(fields: "id") { id: ID! secret: Secret level: Level @policy(policies: [["hr"]]) } '
                  "scalar Secret enum Level { LOW HIGH }",
    },
    "v_inaccessible": {
        "a": K + 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! a: Int @shareable internal: Hidden } '
                 "type Hidden @inaccessible { x: Int } input Filter { a: Int b: Int @inaccessible } type Mutation { m(f: Filter): Int }",
        "b": K + 'type Query { t: T @shareable } type T @key(fields: "id") { id: ID! a: Int @shareable @inaccessible } '
                 "input Filter { a: Int b: Int }",
    },
    "v_tags": {
        "a": K + 'type Query @tag(name: "root") { t: T @tag(name: "q") } type T @tag(name: "team-a") { x: Int @tag(name: "pii") } '
                 'enum Color @tag(name: "c") { RED @tag(name: "r") GREEN } input In { v: Int @tag(name: "i") }',
        "b": K + 'type Query { c(in: In): Color } enum Color { RED GREEN } input In { v: Int }',
    },
    "v_compose_directive": {
        "a": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) '
             '@link(url: "https://hub.example/sensitive/v1.0", import: ["@sensitive"]) @composeDirective(name: "@sensitive") '
             "directive @sensitive(level: String!, mask: String!) on FIELD_DEFINITION | OBJECT directive @other on FIELD_DEFINITION "
             'type Query { p: P } type P @key(fields: "id") { id: ID! n: String @sensitive(level: "high", mask: "full") @other }',
        "b": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@composeDirective"]) '
             '@link(url: "https://hub.example/sensitive/v1.0", import: ["@sensitive"]) @composeDirective(name: "@sensitive") '
             "directive @sensitive(level: String!, mask: String!) on FIELD_DEFINITION | OBJECT "
             'type P @key(fields: "id") @sensitive(level: "low", mask: "none") { id: ID! m: String @sensitive(level: "low", mask: "x") }',
    },
    "v_interface_object": {
        "media": K6 + 'type Query { media: [Media] } interface Media @key(fields: "id") { id: ID! title: String } '
                      'type Book implements Media @key(fields: "id") { id: ID! title: String author: String }',
        "ratings": K6 + 'type Query { top: [Media] } type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }',
    },
    "v_interfaces_join_implements": {
        "a": K + 'type Query { n: [Node] @shareable } interface Node { id: ID! } type A implements Node @key(fields: "id") { id: ID! a: Int }',
        "b": K + 'type Query { n: [Node] @shareable } interface Node { id: ID! } type B implements Node @key(fields: "id") { id: ID! b: Int } '
                 'type A implements Node @key(fields: "id") { id: ID! x: Int }',
    },
    "v_unions": {
        "a": K + 'type Query { s: [Result] @shareable } union Result = A | B type A @key(fields: "id") { id: ID! } type B @shareable { b: Int }',
        "b": K + 'type Query { s: [Result] @shareable } union Result = A | C type A @key(fields: "id") { id: ID! x: Int } type C { c: Int }',
    },
    "v_requires_nested": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! dims: Dims } type Dims @shareable { w: Int h: Int }',
        "b": K + 'type P @key(fields: "id") { id: ID! dims: Dims @external area: Int @requires(fields: "dims { w h }") } '
                 "type Dims @shareable { w: Int h: Int }",
    },
    "v_multiple_keys_resolvable_false": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") @key(fields: "sku") { id: ID! sku: String name: String }',
        "b": K + 'type Query { q: Q } type Q { p: P } type P @key(fields: "sku", resolvable: false) { sku: String }',
        "c": K + 'type P @key(fields: "id") { id: ID! price: Int }',
    },
    "v_args_defaults_descriptions": {
        "a": K + 'type Query { list("how many" first: Int = 10, after: String): [Int] @shareable @deprecated(reason: "use page") }',
        "b": K + 'type Query { list(first: Int = 10, after: String, extra: Boolean): [Int] @shareable }',
    },
    "v_scalars_specified_by": {
        "a": K + 'scalar Date @specifiedBy(url: "https://example.org/date") type Query { d: Date @shareable }',
        "b": K + "scalar Date type Query { d: Date @shareable e: JSON } scalar JSON",
    },
    "v_mutation_subscription": {
        "a": K + 'type Query { a: Int } type Mutation { setA(v: Int!): Int } type Subscription { onA: Int }',
        "b": K + 'type Query { b: Int } type Mutation { setB(v: Int!): Int }',
    },
    "v_root_renamed": {
        "a": K + "schema { query: RootQuery } type RootQuery { a: Int }",
        "b": K + "type Query { b: Int }",
    },
    "v_value_type_shareable": {
        "a": K + "type Query { m: Money @shareable } type Money @shareable { amount: Int currency: String }",
        "b": K + "type Query { m: Money @shareable } type Money @shareable { amount: Int currency: String }",
    },
    "v_external_type_level": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! a: Int b: Int }',
        "b": K + 'type P @key(fields: "id") { id: ID! sum: Int @requires(fields: "a b") } type P @external { a: Int b: Int }'
                 .replace("} type P @external {", "} extend type P @external {"),
    },
    # --- valid: Federation 1 -------------------------------------------------------------------
    "v_fed1_mixed": {
        "a": 'type Query { u: User ping: String } type User @key(fields: "id") { id: ID! name: String } type Money { amount: Int }',
        "b": 'extend type Query { ping: String } extend type User @key(fields: "id") { id: ID! @external name: String @external '
             'nick: String @requires(fields: "name") m: Money } type Money { amount: Int }',
    },
    "v_fed1_extends_directive": {
        "a": 'type Query { u: User } type User @key(fields: "id") { id: ID! name: String }',
        "b": 'type User @key(fields: "id") @extends { id: ID! @external posts: [String] }',
    },
    "v_fed1_and_fed2": {
        "legacy": 'type Query { p: Product } type Product @key(fields: "upc") { upc: String! name: String }',
        "modern": K + 'type Product @key(fields: "upc") { upc: String! price: Int }',
    },
    "v_fed1_provides": {
        "a": 'type Query { r: Review } type Review { author: User @provides(fields: "name") } '
             'extend type User @key(fields: "id") { id: ID! @external name: String @external }',
        "b": 'type User @key(fields: "id") { id: ID! name: String }',
    },
    # --- invalid ---------------------------------------------------------------------------------
    "e_invalid_graphql_unknown_type": {"a": K + "type Query { t: Nope }"},
    "e_invalid_graphql_syntax": {"a": K + "type Query { t: }"},
    "e_type_kind_mismatch": {
        "a": K + "type Query { t: T @shareable } type T @shareable { a: Int }",
        "b": K + "type Query { t: T @shareable } interface T { a: Int }",
    },
    "e_field_type_mismatch": {
        "a": K + "type Query { t: T @shareable } type T @shareable { a: Int }",
        "b": K + "type Query { t: T @shareable } type T @shareable { a: String }",
    },
    "e_argument_type_mismatch": {
        "a": K + "type Query { f(x: Int): Int @shareable }",
        "b": K + "type Query { f(x: String): Int @shareable }",
    },
    "e_required_argument_missing": {
        "a": K + "type Query { f(x: Int!): Int @shareable }",
        "b": K + "type Query { f: Int @shareable }",
    },
    "e_argument_default_mismatch": {
        "a": K + "type Query { f(x: Int = 1): Int @shareable }",
        "b": K + "type Query { f(x: Int = 2): Int @shareable }",
    },
    "e_invalid_field_sharing": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int y: Int }',
        "b": K + 'type T @key(fields: "id") { id: ID! x: Int y: Int @shareable } type Query { t2: T }',
    },
    "e_root_field_sharing": {
        "a": K + "type Query { hello: String }",
        "b": K + "type Query { hello: String }",
    },
    "e_key_invalid_fields": {"a": K + 'type Query { t: T } type T @key(fields: "id nope") { id: ID! }'},
    "e_key_select_invalid_type": {
        "a": K + 'type Query { x: X } type X @key(fields: "i") { i: I } interface I { a: Int } type Impl implements I { a: Int }'},
    "e_key_fields_has_args": {"a": K + 'type Query { v: V } type V @key(fields: "f") { f(x: Int): Int }'},
    "e_key_syntax": {"a": K + 'type Query { y: Y } type Y @key(fields: "{{") { a: Int }'},
    "e_external_missing_on_base": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }',
    },
    "e_requires_missing_external": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @shareable }',
        "b": K + 'type T @key(fields: "id") { id: ID! x: Int @shareable y: Int @requires(fields: "x") }',
    },
    "e_requires_invalid_fields": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! y: Int @requires(fields: "nope") }',
    },
    "e_provides_on_non_object": {
        "a": K + 'type Query { t: Int @provides(fields: "x") }',
    },
    "e_provides_invalid_fields": {
        "a": K + 'type Query { r: Review } type Review { u: User @provides(fields: "nope") } type User @key(fields: "id") { id: ID! }',
    },
    "e_enum_value_mismatch": {
        "a": K + "type Query { f(s: Status): Status @shareable } enum Status { ACTIVE INACTIVE }",
        "b": K + "type Query { f(s: Status): Status @shareable } enum Status { ACTIVE PENDING }",
    },
    "e_empty_merged_enum": {
        "a": K + "type Query { f(s: S): Int } enum S { A }",
        "b": K + "type Query { g(s: S): Int } enum S { B }",
    },
    "e_required_input_field_missing": {
        "a": K + "type Query { f(i: I): Int } input I { a: Int! b: Int }",
        "b": K + "type Query { g(i: I): Int } input I { b: Int }",
    },
    "e_referenced_inaccessible": {
        "a": K + "type Query { t: T } type T @inaccessible { a: Int }",
    },
    "e_only_inaccessible_children": {
        "a": K + "type Query { t: T } type T { a: Int @inaccessible }",
    },
    "e_satisfiability_no_key": {
        "a": K + "type Query { m: Money } type Money @shareable { amount: Int }",
        "b": K + "type Money @shareable { amount: Int cur: String }",
    },
    "e_satisfiability_key_unreachable": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! }',
        "b": K + 'type T @key(fields: "k") { k: ID! x: Int }',
    },
    "e_satisfiability_fed1_value_extension": {
        "a": "type Query { m: Money } type Money { amount: Int }",
        "b": "extend type Money { cur: String } type Query { n: Int }",
    },
    "e_extension_with_no_base": {
        "a": 'type Query { u: User } extend type User @key(fields: "id") { id: ID! @external name: String }',
        "b": "type Query { x: Int } type Thing { a: Int }",
    },
    "e_interface_field_no_implem": {
        "a": K + 'scalar Date type Query { n: Node @shareable } interface Node { id: ID! d: Date } type A implements Node @key(fields: "id") { id: ID! d: Date }',
        "b": K + 'scalar Date type Query { n: Node @shareable } interface Node { id: ID! } type B implements Node @key(fields: "id") { id: ID! e: Date } '
                 'type A implements Node @key(fields: "id") { id: ID! x: Int }',
    },
    "e_override_from_self": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
    },
    "e_link_unknown_import": {
        "a": 'extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key", "@policy"]) type Query { a: Int }',
    },
    "e_interface_object_without_interface": {
        "a": K6 + 'type Query { m: Media } type Media @key(fields: "id") @interfaceObject { id: ID! }',
    },
    "e_external_unused": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int }',
        "b": K + 'type T @key(fields: "id") { id: ID! x: Int @external }',
    },
}

def corpus() -> dict[str, list[tuple[str, str, str]]]:
    """Every case as `(name, url, sdl)` triples: the cases above and in `corpus_gaps`, plus the differential
    fixtures."""
    cases = {
        name: [(sub, placeholder_url(sub), _expand(sdl)) for sub, sdl in subs.items()]
        for name, subs in (CASES | GAP_CASES).items()
    }
    for fixture in all_fixtures():
        cases[f"fixture_{fixture.name}"] = fixture.composition_input()
    return cases
