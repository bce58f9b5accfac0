"""Benchmark subgraph `accounts`: users."""

from __future__ import annotations

from typing import Any

import strawberry

from bench.support.benchdata import data


def _users() -> dict[str, dict[str, Any]]:
    return {u["id"]: u for u in data()["USERS"]}


@strawberry.federation.type(keys=["id"])
class User:
    id: strawberry.ID
    name: str | None
    username: str | None
    birthday: int | None

    @classmethod
    def resolve_reference(cls, id: strawberry.ID) -> User | None:
        row = _users().get(str(id))
        return cls.of(row) if row else None

    @classmethod
    def of(cls, row: dict[str, Any]) -> User:
        return cls(id=strawberry.ID(row["id"]), name=row["name"], username=row["username"], birthday=row["birthday"])


@strawberry.type
class Query:
    @strawberry.field
    def me(self) -> User | None:
        return User.of(_users()["1"])

    @strawberry.field
    def user(self, id: strawberry.ID) -> User | None:
        row = _users().get(str(id))
        return User.of(row) if row else None

    @strawberry.field
    def users(self) -> list[User | None] | None:
        return [User.of(u) for u in data()["USERS"]]


schema = strawberry.federation.Schema(query=Query, types=[User], federation_version="2.3")
