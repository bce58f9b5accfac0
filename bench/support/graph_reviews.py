"""Benchmark subgraph `reviews`: reviews, `Product.reviews` and `User.reviews`.

As in the benchmark, a review's author is user 1 with its username provided, and a user's reviews
are the first two reviews.
"""

from __future__ import annotations

from typing import Any

import strawberry

from bench.support.benchdata import data


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str

    @strawberry.field
    def reviews(self) -> list[Review | None] | None:
        return [Review.of(r) for r in data()["REVIEWS"] if r["product"]["upc"] == self.upc]

    @classmethod
    def resolve_reference(cls, upc: str) -> Product:
        return cls(upc=upc)


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    username: str | None = strawberry.federation.field(external=True, default=None)

    @strawberry.field
    def reviews(self) -> list[Review | None] | None:
        return [Review.of(r) for r in data()["REVIEWS"][:2]]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User:
        return cls(id=id, username="user")


@strawberry.federation.type(keys=["id"])
class Review:
    id: strawberry.ID
    body: str | None
    product_upc: strawberry.Private[str]

    @strawberry.field
    def product(self) -> Product | None:
        return Product(upc=self.product_upc)

    @strawberry.federation.field(provides=["username"])
    def author(self) -> User | None:
        return User(id=strawberry.ID("1"), username="urigo")

    @classmethod
    def of(cls, row: dict[str, Any]) -> Review:
        return cls(id=strawberry.ID(row["id"]), body=row["body"], product_upc=row["product"]["upc"])

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> Review | None:
        for row in data()["REVIEWS"]:
            if row["id"] == str(id):
                return cls.of(row)
        return None


schema = strawberry.federation.Schema(types=[Product, User, Review], federation_version="2.3")
