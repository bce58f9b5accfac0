"""Composition corpus, part two: subgraph sets for the rule gaps of issue 23 (shapes real departments use).

Same format as `corpus.CASES` (`@@FED(v, imports)` headers); the differential tests compose each with the
reference composers, which decide the expected verdict, error codes and supergraph.
"""

from __future__ import annotations

K = "@@FED(2.3, @key @shareable @external @requires @provides @override @inaccessible @tag @extends)"
K6 = ("@@FED(2.6, @key @shareable @external @requires @provides @inaccessible @tag @interfaceObject)")
K0 = "@@FED(2.0, @key @shareable @external @requires @provides @inaccessible @tag @extends)"
_USER = K + 'type Query { me: User } type User @key(fields: "id") { id: ID! name: String }'

GAP_CASES: dict[str, dict[str, str]] = {
    # 1. @external key fields of extension types are local key fields (any federation version)
    "v_gap1_extend_external_key": {
        "accounts": _USER,
        "reviews": K + 'extend type User @key(fields: "id") { id: ID! @external reviews: [String] }',
    },
    "v_gap1_extends_external_key": {
        "accounts": _USER,
        "posts": K + 'type User @extends @key(fields: "id") { id: ID! @external posts: [String] }',
    },
    "v_gap1_extend_external_composite_key": {
        "catalog": K + 'type Query { p: P } type P @key(fields: "id org { code }") { id: ID! org: Org! n: Int } '
                       "type Org @shareable { code: String! }",
        "prices": K0 + 'extend type P @key(fields: "id org { code }") { id: ID! @external org: Org! @external '
                       "price: Int } type Org @shareable { code: String! @external }",
    },
    "v_gap1_extend_external_key_requires": {
        "accounts": K + 'type Query { me: User } type User @key(fields: "id") { id: ID! name: String }',
        "greet": K + 'extend type User @key(fields: "id") { id: ID! @external name: String @external '
                     'hello: String @requires(fields: "name") }',
    },
    "v_gap1_fed1_nested_external_key_stays_external": {
        "a": 'type Query { u: User } type User @key(fields: "id org { id }") { id: ID! org: Org name: String } '
             "type Org { id: ID! }",
        "b": 'extend type User @key(fields: "id org { id }") { id: ID! @external org: Org @external age: Int } '
             "extend type Org { id: ID! @external }",
    },
    "e_gap1_requires_fake_external_key": {
        "accounts": _USER,
        "greet": K + 'extend type User @key(fields: "id") { id: ID! @external hello: String @requires(fields: "id") }',
    },
    # 2. an @inaccessible enum value is exempt from ENUM_VALUE_MISMATCH
    "v_gap2_inaccessible_enum_value": {
        "a": K + "type Query { f(s: Status): Status @shareable } enum Status { OPEN CLOSED LEGACY @inaccessible }",
        "b": K + "type Query { f(s: Status): Status @shareable } enum Status { OPEN CLOSED }",
    },
    "v_gap2_inaccessible_in_one_only": {
        "a": K + "type Query { f(s: Status): Status @shareable } enum Status { OPEN CLOSED DRAFT @inaccessible }",
        "b": K + "type Query { f(s: Status): Status @shareable g: Status } enum Status { OPEN CLOSED DRAFT }",
        "c": K + "type Query { h(s: Status): Int } enum Status { OPEN CLOSED }",
    },
    "v_gap2_input_and_output_in_different_subgraphs": {
        "a": K + "type Query { f(s: Status): Int } enum Status { OPEN CLOSED LEGACY @inaccessible }",
        "b": K + "type Query { g: Status } enum Status { OPEN CLOSED }",
    },
    "v_gap2_each_side_hides_its_own": {
        "a": K + "type Query { f(s: Status): Status @shareable } enum Status { OPEN OLD @inaccessible }",
        "b": K + "type Query { f(s: Status): Status @shareable } enum Status { OPEN NEW @inaccessible }",
    },
    "e_gap2_accessible_value_missing": {
        "a": K + "type Query { f(s: Status): Status @shareable } enum Status { OPEN CLOSED DRAFT @inaccessible ARCHIVED }",
        "b": K + "type Query { f(s: Status): Status @shareable } enum Status { OPEN CLOSED }",
    },
    # 3. every field a @key reaches is shareable: nested composite-key fields, resolvable: false keys
    "v_gap3_nested_key_fields": {
        "a": K + 'type Query { p: P } type P @key(fields: "id org { id }") { id: ID! org: Org name: String } '
                 "type Org { id: ID! }",
        "b": K + 'type P @key(fields: "id org { id }") { id: ID! org: Org price: Int } type Org { id: ID! }',
    },
    "v_gap3_nested_key_resolvable_false": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! loc: Loc } type Loc @key(fields: "code") '
                 '@key(fields: "country { iso }") { code: String! country: Country } type Country { iso: String! }',
        "b": K + 'type Query { q: [Loc] } type Loc @key(fields: "country { iso }", resolvable: false) '
                 "{ country: Country } type Country { iso: String! }",
        "c": K + 'type Loc @key(fields: "code") { code: String! lat: Float }',
    },
    "v_gap3_interface_key_nested": {
        "a": K + 'type Query { n: [Node] } interface Node @key(fields: "id ref { code }") { id: ID! ref: Ref } '
                 'type Ref { code: String } type A implements Node @key(fields: "id ref { code }") { id: ID! ref: Ref a: Int }',
        "b": K + 'type A @key(fields: "id ref { code }") { id: ID! ref: Ref b: Int } type Ref { code: String }',
    },
    "e_gap3_nested_non_key_field_shared": {
        "a": K + 'type Query { p: P } type P @key(fields: "id org { id }") { id: ID! org: Org } type Org { id: ID! n: Int }',
        "b": K + 'type P @key(fields: "id org { id }") { id: ID! org: Org x: Int } type Org { id: ID! n: Int }',
    },
    # 4. @requires/@provides: @external on the leaves, not on the path; @requires fields may take arguments
    "v_gap4_requires_external_leaf": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! dims: Dims @shareable } '
                 "type Dims @shareable { w: Int h: Int }",
        "b": K + 'type P @key(fields: "id") { id: ID! dims: Dims @shareable area: Int @requires(fields: "dims { w h }") } '
                 "type Dims @shareable { w: Int @external h: Int @external }",
    },
    "v_gap4_provides_external_leaf": {
        "a": K + 'type Query { r: [Review] } type Review @key(fields: "id") { id: ID! author: User @provides(fields: "address { city }") } '
                 'type User @key(fields: "id") { id: ID! address: Address @shareable } type Address @shareable { city: String @external }',
        "b": K + 'type User @key(fields: "id") { id: ID! address: Address @shareable } type Address @shareable { city: String street: String }',
    },
    "v_gap4_requires_field_with_args": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! price(currency: String!): Int }',
        "b": "@@FED(2.2, @key @external @requires)" + 'type P @key(fields: "id") { id: ID! price(currency: String!): Int @external '
                 'tax: Int @requires(fields: "price(currency: \\"EUR\\")") }',
    },
    "e_gap4_requires_path_external_leaf_local": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! dims: Dims @shareable } type Dims @shareable { w: Int }',
        "b": K + 'type P @key(fields: "id") { id: ID! dims: Dims @shareable area: Int @requires(fields: "dims { w }") } '
                 "type Dims @shareable { w: Int }",
    },
    "v_gap4_requires_args_fed20": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! price(currency: String!): Int }',
        "b": K0 + 'type P @key(fields: "id") { id: ID! price(currency: String!): Int @external '
                  'tax: Int @requires(fields: "price(currency: \\"EUR\\")") }',
    },
    "v_gap4_requires_nested_args": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! m: M @shareable } type M @shareable { v(unit: String): Int }',
        "b": K + 'type P @key(fields: "id") { id: ID! m: M @shareable t: Int @requires(fields: "m { v(unit: \\"kg\\") }") } '
                 "type M @shareable { v(unit: String): Int @external }",
    },
    "e_gap4_requires_interface_leaf_local": {
        "a": K + 'type Query { p: P } type P @key(fields: "id") { id: ID! t: Thing @shareable } interface Thing '
                 '{ name: String } type Box implements Thing @key(fields: "id") { id: ID! name: String }',
        "b": K + 'type P @key(fields: "id") { id: ID! t: Thing @shareable x: Int @requires(fields: "t { name }") } '
                 'interface Thing { name: String } type Box implements Thing @key(fields: "id") { id: ID! name: String @external }',
    },
    # 5. an interface object whose interface has no implementation in any subgraph
    "v_gap5_interface_object_no_implementation": {
        "media": K6 + 'type Query { media: [Media] } interface Media @key(fields: "id") { id: ID! title: String }',
        "ratings": K6 + 'type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }',
    },
    "v_gap5_interface_object_root_no_implementation": {
        "media": K6 + 'interface Media @key(fields: "id") { id: ID! title: String } type Query { m: Int }',
        "ratings": K6 + 'type Query { top: [Media] } type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }',
    },
    "v_gap5_two_interface_objects_no_implementation": {
        "media": K6 + 'type Query { media: [Media] } interface Media @key(fields: "id") { id: ID! title: String }',
        "ratings": K6 + 'type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }',
        "tags": K6 + 'type Query { tagged: [Media] } type Media @key(fields: "id") @interfaceObject { id: ID! tags: [String] }',
    },
    "v_gap5_interface_object_value_field_no_implementation": {
        "media": K6 + 'type Query { media: [Media] } interface Media @key(fields: "id") { id: ID! owner: Owner } '
                      "type Owner { n: String }",
        "ratings": K6 + 'type Media @key(fields: "id") @interfaceObject { id: ID! rating: Int }',
    },
    # 6. errors never raised: no Query anywhere; a Federation 2 `extend type` with no base anywhere
    "e_gap6_no_queries": {
        "a": K + "type Mutation { m: Int }",
        "b": K + 'type T @key(fields: "id") { id: ID! } type Mutation { n: T }',
    },
    "e_gap6_no_queries_single": {"a": K + "type Subscription { s: Int }"},
    "e_gap6_no_queries_entities_only": {"a": K + 'type T @key(fields: "id") { id: ID! }'},
    "e_gap6_fed2_extension_no_base": {
        "a": K + 'type Query { u: User } extend type User @key(fields: "id") { id: ID! name: String }',
    },
    "e_gap6_fed2_extension_no_base_two": {
        "a": K + "type Query { n: Int }",
        "b": K + 'type Query { u: User } extend type User @key(fields: "id") { id: ID! name: String } '
                 "extend type User { age: Int }",
    },
    # 7. root fields whose type differs by name between subgraphs get `type:` joins
    "v_gap7_root_union_and_member": {
        "a": K + 'type Query { item: Media @shareable } union Media = Book | Film '
                 'type Book @key(fields: "id") { id: ID! } type Film @key(fields: "id") { id: ID! }',
        "b": K + 'type Query { item: Book @shareable } type Book @key(fields: "id") { id: ID! title: String }',
    },
    "v_gap7_root_interface_and_impl": {
        "a": K + 'type Query { node(id: ID!): Node @shareable } interface Node { id: ID! } '
                 'type Case implements Node @key(fields: "id") { id: ID! }',
        "b": K + 'type Query { node(id: ID!): Case! @shareable } type Case @key(fields: "id") { id: ID! no: String }',
    },
    "v_gap7_root_nullability_only": {
        "a": K + "type Query { n: Int @shareable } type Mutation { m: Int! @shareable }",
        "b": K + "type Query { n: Int! @shareable } type Mutation { m: Int @shareable }",
    },
    "v_gap7_root_list_of_members": {
        "a": K + 'type Query { items: [Media] @shareable } union Media = Book | Film '
                 'type Book @key(fields: "id") { id: ID! } type Film @key(fields: "id") { id: ID! }',
        "b": K + 'type Query { items: [Book!]! @shareable } type Book @key(fields: "id") { id: ID! t: String }',
    },
    "v_gap7_mutation_union_and_member": {
        "a": K + 'type Query { x: Int } type Mutation { add: Media @shareable } union Media = Book | Film '
                 'type Book @key(fields: "id") { id: ID! } type Film @key(fields: "id") { id: ID! }',
        "b": K + 'type Query { y: Int } type Mutation { add: Book @shareable } type Book @key(fields: "id") { id: ID! t: String }',
    },
    # 8. smaller supergraph details: `extension:` only with a key; `usedOverridden` on interface implementations
    "v_gap8_extension_without_key": {
        "a": K + 'type Query { t: T @shareable } type T @shareable { a: Int }',
        "b": K + 'type Query { t: T @shareable } extend type T @shareable { b: Int }',
    },
    "v_gap8_used_overridden_interface_field": {
        "a": K + 'type Query { n: [Named] } interface Named { name: String } '
                 'type T implements Named @key(fields: "id") { id: ID! name: String }',
        "b": K + 'type T @key(fields: "id") { id: ID! name: String @override(from: "a") }',
    },
    "v_gap8_overridden_external_not_used_overridden": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }',
        "b": K + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
    },
    "v_gap8_used_overridden_external": {
        "a": K + 'type Query { t: T } type T @key(fields: "id") { id: ID! x: Int }',
        "b": K + 'type T @key(fields: "id") { id: ID! x: Int @override(from: "a") }',
        "c": K + 'type T @key(fields: "id") { id: ID! x: Int @external y: Int @requires(fields: "x") }',
    },
}
