"""Hand-written supergraphs (join spec shapes) for the plan tests."""

from __future__ import annotations

from pathlib import Path

from tests.gateway.sdl import local_graphs, supergraph_v03

BENCHMARK = (Path(__file__).parent.parent / "fixtures" / "benchmark.graphql").read_text(encoding="utf-8")

KEYS = supergraph_v03(local_graphs("a", "b", "c"), '''
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  shipments: [Shipment] @join__field(graph: A)
  warehouse(id: ID!): Warehouse @join__field(graph: A)
}

type Shipment
  @join__type(graph: A, key: "id carrier { code }")
  @join__type(graph: A, key: "trackingNumber")
  @join__type(graph: B, key: "id carrier { code }")
  @join__type(graph: C, key: "trackingNumber") {
  id: ID!
  carrier: Carrier!
  trackingNumber: String! @join__field(graph: A) @join__field(graph: C)
  status: String @join__field(graph: B)
  eta: String @join__field(graph: C)
  warehouse: Warehouse @join__field(graph: B)
}

type Carrier @join__type(graph: A) @join__type(graph: B) {
  code: String!
  name: String @join__field(graph: A)
}

type Warehouse @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", resolvable: false) {
  id: ID!
  name: String @join__field(graph: A)
  dock: String @join__field(graph: B)
}
''')

REQUIRES = supergraph_v03(local_graphs("a", "b", "c"), '''
type Query @join__type(graph: A) @join__type(graph: B) @join__type(graph: C) {
  order: Order @join__field(graph: A)
  thing: Thing @join__field(graph: A)
}

type Order @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") @join__type(graph: C, key: "id") {
  id: ID!
  price: Int @join__field(graph: A) @join__field(graph: B, external: true)
  size: Size @join__field(graph: A) @join__field(graph: C, external: true)
  subtotal: Int @join__field(graph: B, requires: "price") @join__field(graph: C, external: true)
  total: Int @join__field(graph: C, requires: "subtotal")
  freight: Int @join__field(graph: C, requires: "size { weight }")
}

type Size @join__type(graph: A) @join__type(graph: C) {
  weight: Int
  height: Int
}

type Thing @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  z: Int @join__field(graph: A) @join__field(graph: B, external: true)
  y: Int @join__field(graph: B, requires: "z") @join__field(graph: A, external: true)
  x: Int @join__field(graph: A, requires: "y")
}
''')

SHAREABLE = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  product(id: ID!): Product @join__field(graph: A) @join__field(graph: B)
}

type Product @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String @join__field(graph: A) @join__field(graph: B)
  price: Int @join__field(graph: B)
  legacyCode: String @join__field(graph: B, override: "a") @join__field(graph: A, usedOverridden: true)
  rating: Int @join__field(graph: B, override: "ratings-service")
}
''')

ABSTRACT = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  media: [Media] @join__field(graph: A)
  search: [Result] @join__field(graph: B)
}

interface Media @join__type(graph: A) @join__type(graph: B) {
  id: ID!
  title: String
}

type Book implements Media
  @join__implements(graph: A, interface: "Media")
  @join__implements(graph: B, interface: "Media")
  @join__type(graph: A, key: "id")
  @join__type(graph: B, key: "id") {
  id: ID!
  title: String
  pages: Int @join__field(graph: B)
}

type Movie implements Media @join__implements(graph: A, interface: "Media") @join__type(graph: A, key: "id") {
  id: ID!
  title: String
  duration: Int
}

union Result
  @join__type(graph: A)
  @join__type(graph: B)
  @join__unionMember(graph: A, member: "Book")
  @join__unionMember(graph: A, member: "Movie")
  @join__unionMember(graph: B, member: "Book") = Book | Movie
''')

MUTATIONS = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  user(id: ID!): User @join__field(graph: A)
}

type Mutation @join__type(graph: A) @join__type(graph: B) {
  addUser(name: String!): User @join__field(graph: A)
  addPost(title: String!): Post @join__field(graph: B)
  deleteUser(id: ID!): Boolean @join__field(graph: A)
}

type User @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  name: String @join__field(graph: A)
  posts: [Post] @join__field(graph: B)
}

type Post @join__type(graph: B, key: "id") {
  id: ID!
  title: String
}
''', mutation=True)

FED1 = '''
schema
  @core(feature: "https://specs.apollo.dev/core/v0.1")
  @core(feature: "https://specs.apollo.dev/join/v0.1") {
  query: Query
}

directive @core(feature: String!) repeatable on SCHEMA
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet) on FIELD_DEFINITION
directive @join__type(graph: join__Graph!, key: join__FieldSet) repeatable on OBJECT | INTERFACE
directive @join__owner(graph: join__Graph!) on OBJECT | INTERFACE
directive @join__graph(name: String!, url: String!) on ENUM_VALUE

scalar join__FieldSet

enum join__Graph {
  ACCOUNTS @join__graph(name: "accounts" url: "http://127.0.0.1:9/accounts")
  REVIEWS @join__graph(name: "reviews" url: "http://127.0.0.1:9/reviews")
}

type Query {
  me: User @join__field(graph: ACCOUNTS)
}

extend type Query {
  topReviews: [Review] @join__field(graph: REVIEWS)
}

type User @join__owner(graph: ACCOUNTS) @join__type(graph: ACCOUNTS, key: "id") @join__type(graph: REVIEWS, key: "id") {
  id: ID! @join__field(graph: ACCOUNTS)
  name: String @join__field(graph: ACCOUNTS)
  username: String @join__field(graph: ACCOUNTS)
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Review @join__owner(graph: REVIEWS) @join__type(graph: REVIEWS, key: "id") {
  id: ID! @join__field(graph: REVIEWS)
  body: String @join__field(graph: REVIEWS)
  author: User @join__field(graph: REVIEWS, provides: "username")
}
'''

V05 = '''
schema
  @link(url: "https://specs.apollo.dev/link/v1.0")
  @link(url: "https://specs.apollo.dev/join/v0.5", for: EXECUTION)
  @link(url: "https://specs.apollo.dev/inaccessible/v0.2", for: SECURITY) {
  query: Query
}

directive @inaccessible on FIELD_DEFINITION | OBJECT | INTERFACE | UNION | ARGUMENT_DEFINITION | SCALAR | ENUM | ENUM_VALUE | INPUT_OBJECT | INPUT_FIELD_DEFINITION
directive @join__directive(graphs: [join__Graph!], name: String!, args: join__DirectiveArguments) repeatable on SCHEMA | OBJECT | INTERFACE | FIELD_DEFINITION
directive @join__enumValue(graph: join__Graph!) repeatable on ENUM_VALUE
directive @join__field(graph: join__Graph, requires: join__FieldSet, provides: join__FieldSet, type: String, external: Boolean, override: String, usedOverridden: Boolean, overrideLabel: String, contextArguments: [join__ContextArgument!]) repeatable on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
directive @join__graph(name: String!, url: String!) on ENUM_VALUE
directive @join__implements(graph: join__Graph!, interface: String!) repeatable on OBJECT | INTERFACE
directive @join__type(graph: join__Graph!, key: join__FieldSet, extension: Boolean! = false, resolvable: Boolean! = true, isInterfaceObject: Boolean! = false) repeatable on OBJECT | INTERFACE | UNION | ENUM | INPUT_OBJECT | SCALAR
directive @join__unionMember(graph: join__Graph!, member: String!) repeatable on UNION
directive @link(url: String, as: String, for: link__Purpose, import: [link__Import]) repeatable on SCHEMA

input join__ContextArgument {
  name: String!
  type: String!
  context: String!
  selection: join__FieldValue!
}

scalar join__DirectiveArguments
scalar join__FieldSet
scalar join__FieldValue
scalar link__Import

enum join__Graph {
  A @join__graph(name: "a", url: "http://127.0.0.1:9/a")
  B @join__graph(name: "b", url: "http://127.0.0.1:9/b")
}

enum link__Purpose {
  SECURITY
  EXECUTION
}

type Query @join__type(graph: A) @join__type(graph: B) {
  accounts: [Account] @join__field(graph: A)
  riskiest: Account @join__field(graph: B)
  internalAudit: String @join__field(graph: A) @inaccessible
}

interface Account @join__type(graph: A, key: "id") @join__type(graph: B, key: "id", isInterfaceObject: true) {
  id: ID!
  name: String @join__field(graph: A)
  riskScore: Int @join__field(graph: B)
}

type Person implements Account @join__implements(graph: A, interface: "Account") @join__type(graph: A, key: "id") {
  id: ID!
  name: String @join__field(graph: A)
  riskScore: Int @join__field
  hobby: String @join__field(graph: A)
}

type Company implements Account @join__implements(graph: A, interface: "Account") @join__type(graph: A, key: "id") {
  id: ID!
  name: String @join__field(graph: A)
  riskScore: Int @join__field
  employees: Int @join__field(graph: A)
}
'''

REQUIRES_FRAGMENTS = supergraph_v03(local_graphs("a", "b"), '''
type Query @join__type(graph: A) @join__type(graph: B) {
  items: [Item] @join__field(graph: A)
}

type Item @join__type(graph: A, key: "id") @join__type(graph: B, key: "id") {
  id: ID!
  details: Details @join__field(graph: A) @join__field(graph: B, external: true)
  summary: String @join__field(graph: B, requires: "details { ... on Book { pages } ... on Film { minutes } }")
  label: String @join__field(graph: B, requires: "details { ... on Titled { title } }")
}

interface Titled @join__type(graph: A) @join__type(graph: B) {
  title: String
}

union Details
  @join__type(graph: A)
  @join__type(graph: B)
  @join__unionMember(graph: A, member: "Book")
  @join__unionMember(graph: A, member: "Film")
  @join__unionMember(graph: B, member: "Book")
  @join__unionMember(graph: B, member: "Film") = Book | Film

type Book implements Titled
  @join__implements(graph: A, interface: "Titled")
  @join__implements(graph: B, interface: "Titled")
  @join__type(graph: A)
  @join__type(graph: B) {
  title: String
  pages: Int
}

type Film implements Titled
  @join__implements(graph: A, interface: "Titled")
  @join__implements(graph: B, interface: "Titled")
  @join__type(graph: A)
  @join__type(graph: B) {
  title: String
  minutes: Int
}
''')

PROVIDES_PARTIAL = supergraph_v03(local_graphs("posts", "users"), '''
type Query @join__type(graph: POSTS) @join__type(graph: USERS) {
  feed: [Post] @join__field(graph: POSTS)
}

type Post @join__type(graph: POSTS, key: "id") @join__type(graph: USERS, key: "id") {
  id: ID!
  title: String @join__field(graph: POSTS)
  author: User @join__field(graph: POSTS, provides: "name address { city geo { lat } }") @join__field(graph: USERS)
}

type User @join__type(graph: POSTS, key: "id") @join__type(graph: USERS, key: "id") {
  id: ID!
  name: String @join__field(graph: POSTS, external: true) @join__field(graph: USERS)
  address: Address @join__field(graph: POSTS, external: true) @join__field(graph: USERS)
  email: String @join__field(graph: USERS)
}

type Address @join__type(graph: POSTS) @join__type(graph: USERS) {
  city: String
  street: String @join__field(graph: USERS)
  geo: Geo
}

type Geo @join__type(graph: POSTS) @join__type(graph: USERS) {
  lat: Float
  lng: Float @join__field(graph: USERS)
}
''')
