"""Cursor paging for search fields: opaque cursors, a bounded page size, one generic page type."""

from __future__ import annotations

import base64
import binascii
from typing import Any, Generic, TypeVar

import orjson
import strawberry
from graphql import GraphQLError
from strawberry.federation.schema_directives import Authenticated

T = TypeVar("T")

DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 1000


def encode_cursor(position: dict[str, Any]) -> str:
    return base64.urlsafe_b64encode(orjson.dumps(position, option=orjson.OPT_SORT_KEYS)).decode().rstrip("=")


def decode_cursor(cursor: str) -> dict[str, Any]:
    """Decode an opaque cursor; a damaged one is a BAD_USER_INPUT error, never a crash."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        value = orjson.loads(raw)
    except (binascii.Error, ValueError, orjson.JSONDecodeError) as exc:
        raise GraphQLError("invalid cursor", extensions={"code": "BAD_USER_INPUT"}) from exc
    if not isinstance(value, dict):
        raise GraphQLError("invalid cursor", extensions={"code": "BAD_USER_INPUT"})
    return value


def page_size(first: int | None) -> int:
    if first is None:
        return DEFAULT_PAGE_SIZE
    if first < 1 or first > MAX_PAGE_SIZE:
        raise GraphQLError(f"first must be between 1 and {MAX_PAGE_SIZE} (got {first})",
                           extensions={"code": "BAD_USER_INPUT", "argument": "first", "limit": MAX_PAGE_SIZE})
    return first


# a page is a wrapper: any signed-in caller; its items and the field that returns it carry the real rule
@strawberry.type(description="分页结果 — one page of results; pass `nextCursor` as `after` for the next page.",
                 directives=[Authenticated()])
class Page(Generic[T]):
    items: list[T] = strawberry.field(description="本页条目 — the items of this page")
    next_cursor: str | None = strawberry.field(
        description="下一页游标 — pass it as `after` for the next page; null on the last page")
    total: int | None = strawberry.field(
        default=None, description="总数 — exact number of matches over all pages (null where not counted)")
