"""The supergraph of the test shop subgraphs (tests/gateway/shop.py), written by hand from their SDL."""

from __future__ import annotations

from tests.gateway.sdl import supergraph_v03

SHOP_TYPES = '''
type Product
  @join__type(graph: INVENTORY, key: "upc")
  @join__type(graph: PRODUCTS, key: "upc")
  @join__type(graph: REVIEWS, key: "upc") {
  upc: String!
  name: String @join__field(graph: PRODUCTS)
  price: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  weight: Int @join__field(graph: INVENTORY, external: true) @join__field(graph: PRODUCTS)
  failing: String @join__field(graph: PRODUCTS)
  strictName: String! @join__field(graph: PRODUCTS)
  inStock: Boolean @join__field(graph: INVENTORY)
  shippingEstimate: Int @join__field(graph: INVENTORY, requires: "price weight")
  reviews: [Review] @join__field(graph: REVIEWS)
}

type Query
  @join__type(graph: ACCOUNTS)
  @join__type(graph: INVENTORY)
  @join__type(graph: PRODUCTS)
  @join__type(graph: REVIEWS) {
  users: [User] @join__field(graph: ACCOUNTS)
  me: User @join__field(graph: ACCOUNTS)
  topProducts(first: Int! = 5): [Product] @join__field(graph: PRODUCTS)
  inventorySize: Int! @join__field(graph: INVENTORY)
  reviewCount: Int! @join__field(graph: REVIEWS)
}

type Review @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  body: String
  product: Product
  author: User @join__field(graph: REVIEWS, provides: "username")
}

type User
  @join__type(graph: ACCOUNTS, key: "id")
  @join__type(graph: REVIEWS, key: "id") {
  id: ID!
  name: String @join__field(graph: ACCOUNTS)
  username: String @join__field(graph: ACCOUNTS) @join__field(graph: REVIEWS, external: true)
  reviews: [Review] @join__field(graph: REVIEWS)
}
'''


def shop_supergraph(urls: dict[str, str]) -> str:
    return supergraph_v03({n: urls[n] for n in ("accounts", "inventory", "products", "reviews")}, SHOP_TYPES)
