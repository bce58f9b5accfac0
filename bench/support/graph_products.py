"""Benchmark subgraph `products`: the catalogue and `topProducts(first: 5)`."""

from __future__ import annotations

from typing import Any

import strawberry

from bench.support.benchdata import data


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str
    name: str | None
    price: int | None
    weight: int | None

    @classmethod
    def resolve_reference(cls, upc: str) -> Product | None:
        for row in data()["PRODUCTS"]:
            if row["upc"] == upc:
                return cls.of(row)
        return None

    @classmethod
    def of(cls, row: dict[str, Any]) -> Product:
        return cls(upc=row["upc"], name=row["name"], price=row["price"], weight=row["weight"])


@strawberry.type
class Query:
    @strawberry.field
    def top_products(self, first: int | None = 5) -> list[Product | None] | None:
        return [Product.of(p) for p in data()["PRODUCTS"][: first or 0]]


schema = strawberry.federation.Schema(query=Query, types=[Product], federation_version="2.3")
