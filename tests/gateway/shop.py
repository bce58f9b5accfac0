"""Small Strawberry federation subgraphs (accounts, products, inventory, reviews) for execution tests."""

from __future__ import annotations

import asyncio
from typing import Any

import orjson
import strawberry
from strawberry.asgi import GraphQL

USERS = {"1": ("Ada Lovelace", "ada"), "2": ("Grace Hopper", "grace")}
PRODUCTS = {"1": ("Table", 899, 100), "2": ("Couch", 1299, 1000), "3": ("Chair", 54, 50)}
IN_STOCK = {"1": True, "2": False, "3": True}
REVIEWS = [("1", "Love it", "1", "1"), ("2", "Too expensive", "2", "1"), ("3", "Could be better", "3", "2"),
           ("4", "Prefer something else", "1", "2"),
           ("5", "Where did it go?", "9", "2")]  # id, body, product upc (9 is unknown to products), author id


class Recorder:
    """ASGI wrapper that records request bodies and can delay or hang answers (bounded)."""

    def __init__(self, app: Any) -> None:
        self.app = app
        self.bodies: list[dict[str, Any]] = []
        self.delay_s = 0.0

    def entity_calls(self) -> list[dict[str, Any]]:
        return [b for b in self.bodies if "_entities" in b.get("query", "")]

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        if scope["type"] == "lifespan":
            try:
                while True:
                    message = await receive()
                    await send({"type": message["type"] + ".complete"})
                    if message["type"] == "lifespan.shutdown":
                        return
            except asyncio.CancelledError:
                return
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        chunks = []
        while True:
            message = await receive()
            chunks.append(message.get("body", b""))
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        if body:
            self.bodies.append(orjson.loads(body))
        if self.delay_s:
            await asyncio.sleep(self.delay_s)
        replayed = False

        async def replay() -> Any:
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


# ---------------------------------------------------------------- accounts

@strawberry.federation.type(keys=["id"], name="User")
class AUser:
    id: strawberry.ID
    name: str | None
    username: str | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> AUser | None:
        found = USERS.get(str(id))
        return AUser(id=id, name=found[0], username=found[1]) if found else None


@strawberry.type(name="Query")
class AQuery:
    @strawberry.field
    def users(self) -> list[AUser | None] | None:
        return [AUser(id=strawberry.ID(k), name=v[0], username=v[1]) for k, v in USERS.items()]

    @strawberry.field
    def me(self) -> AUser | None:
        return AUser(id=strawberry.ID("1"), name=USERS["1"][0], username=USERS["1"][1])


# ---------------------------------------------------------------- products

@strawberry.federation.type(keys=["upc"], name="Product")
class PProduct:
    upc: str
    name: str | None
    price: int | None
    weight: int | None

    @strawberry.field
    def failing(self) -> str | None:
        raise ValueError(f"failing field for product {self.upc}")

    @strawberry.field
    def strict_name(self) -> str:
        return None if self.upc == "2" else self.name  # type: ignore[return-value]

    @classmethod
    def resolve_reference(cls, upc: str) -> PProduct | None:
        return _product(upc)


def _product(upc: str) -> PProduct | None:
    found = PRODUCTS.get(upc)
    return PProduct(upc=upc, name=found[0], price=found[1], weight=found[2]) if found else None


@strawberry.type(name="Query")
class PQuery:
    @strawberry.field
    def top_products(self, first: int = 5) -> list[PProduct | None] | None:
        return [_product(k) for k in list(PRODUCTS)[:first]]


# ---------------------------------------------------------------- inventory

@strawberry.federation.type(keys=["upc"], name="Product")
class IProduct:
    upc: str
    price: int | None = strawberry.federation.field(external=True, default=None)
    weight: int | None = strawberry.federation.field(external=True, default=None)

    @strawberry.field
    def in_stock(self) -> bool | None:
        return IN_STOCK.get(self.upc)

    @strawberry.federation.field(requires=["price", "weight"])  # type: ignore[untyped-decorator]
    def shipping_estimate(self) -> int | None:
        if self.price is None or self.weight is None:
            return None
        return 0 if self.price > 1000 else self.weight // 2

    @classmethod
    def resolve_reference(cls, upc: str, price: int | None = None, weight: int | None = None) -> IProduct:
        return IProduct(upc=upc, price=price, weight=weight)


@strawberry.type(name="Query")
class IQuery:
    @strawberry.field
    def inventory_size(self) -> int:
        return len(IN_STOCK)


# ---------------------------------------------------------------- reviews

@strawberry.federation.type(keys=["id"], name="User")
class RUser:
    id: strawberry.ID
    username: str | None = strawberry.federation.field(external=True, default=None)

    @strawberry.field
    def reviews(self) -> list[RReview | None] | None:
        return [_review(r) for r in REVIEWS if r[3] == str(self.id)]

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> RUser:
        return RUser(id=id)


@strawberry.federation.type(keys=["upc"], name="Product")
class RProduct:
    upc: str

    @strawberry.field
    def reviews(self) -> list[RReview | None] | None:
        return [_review(r) for r in REVIEWS if r[2] == self.upc]

    @classmethod
    def resolve_reference(cls, upc: str) -> RProduct:
        return RProduct(upc=upc)


@strawberry.federation.type(keys=["id"], name="Review")
class RReview:
    id: strawberry.ID
    body: str | None
    product: RProduct | None
    author_id: strawberry.Private[str]

    @strawberry.federation.field(provides=["username"])  # type: ignore[untyped-decorator]
    def author(self) -> RUser | None:
        return RUser(id=strawberry.ID(self.author_id), username=USERS[self.author_id][1])


def _review(r: tuple[str, str, str, str]) -> RReview:
    return RReview(id=strawberry.ID(r[0]), body=r[1], product=RProduct(upc=r[2]), author_id=r[3])


@strawberry.type(name="Query")
class RQuery:
    @strawberry.field
    def review_count(self) -> int:
        return len(REVIEWS)


def _schema(query: type, types: list[type]) -> strawberry.federation.Schema:
    return strawberry.federation.Schema(query=query, types=types)


def subgraph_apps() -> dict[str, Recorder]:
    """Fresh recorded ASGI apps for the four subgraphs."""
    renamed = {
        "accounts": _schema(AQuery, [AUser]),
        "products": _schema(PQuery, [PProduct]),
        "inventory": _schema(IQuery, [IProduct]),
        "reviews": _schema(RQuery, [RUser, RProduct, RReview]),
    }
    return {name: Recorder(GraphQL(schema)) for name, schema in renamed.items()}
