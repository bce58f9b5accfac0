"""Benchmark subgraph `inventory`: stock, and `shippingEstimate` which requires price and weight."""

from __future__ import annotations

import strawberry

from bench.support.benchdata import data


@strawberry.federation.type(keys=["upc"])
class Product:
    upc: str
    weight: int | None = strawberry.federation.field(external=True, default=None)
    price: int | None = strawberry.federation.field(external=True, default=None)
    in_stock: bool | None = None

    @strawberry.federation.field(requires=["price weight"])
    def shipping_estimate(self) -> int | None:
        if self.price is None:
            return None
        if self.price > 1000:
            return 0
        return None if self.weight is None else self.weight // 2

    @classmethod
    def resolve_reference(cls, upc: str, price: int | None = None, weight: int | None = None) -> Product:
        stock = {i["upc"]: i["inStock"] for i in data()["INVENTORY"]}
        return cls(upc=upc, price=price, weight=weight, in_stock=stock.get(upc))


schema = strawberry.federation.Schema(types=[Product], federation_version="2.3")
