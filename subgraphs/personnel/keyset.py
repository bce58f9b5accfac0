"""Keyset paging over an ordered SQL statement: the cursor carries the sort key and the id, never an offset.

A search names its order as `SortKey`s (the last one is always the primary key, so the order is
total). The next page is the rows strictly after the last row in that order — a lexicographic
comparison built as SQL, so rows inserted or removed meanwhile neither repeat nor skip the others.
A cursor states the order it was made for (`o`); a cursor of another order, or one whose values do
not fit the order's columns, is a BAD_USER_INPUT error. A cursor without `o` is one of the first
searches (`{"k": id}`) and is read as the default order by primary key.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, or_
from sqlalchemy.orm import InstrumentedAttribute

from subgraphs.common.errors import graphql_error
from subgraphs.common.pagination import decode_cursor, encode_cursor

Value = str | int


@dataclass(frozen=True)
class SortKey:
    """One column of an order: its name in the graph, the SQL expression, the direction, the row's value."""

    name: str
    column: ColumnElement[Any] | InstrumentedAttribute[Any]
    descending: bool
    value: Callable[[Any], Value]
    kind: type = str

    @property
    def label(self) -> str:
        return f"{self.name}:{'DESC' if self.descending else 'ASC'}"


def signature(keys: Sequence[SortKey]) -> str:
    return ",".join(k.label for k in keys)


def order_by(keys: Sequence[SortKey]) -> list[ColumnElement[Any]]:
    return [k.column.desc() if k.descending else k.column.asc() for k in keys]


def after(keys: Sequence[SortKey], values: Sequence[Value]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order: (k0 beyond v0) or (k0 = v0 and k1 beyond v1) or …"""
    alternatives: list[ColumnElement[bool]] = []
    for i, key in enumerate(keys):
        equal = [keys[j].column == values[j] for j in range(i)]
        beyond = key.column < values[i] if key.descending else key.column > values[i]
        alternatives.append(and_(*equal, beyond))
    return or_(*alternatives)


def cursor(keys: Sequence[SortKey], row: Any) -> str:
    position: dict[str, Value] = {"o": signature(keys)}
    position.update({f"k{i}": key.value(row) for i, key in enumerate(keys)})
    return encode_cursor(position)


def position(keys: Sequence[SortKey], text: str, *, default: Sequence[SortKey]) -> list[Value]:
    """The sort values a cursor carries, checked against the order it is used with."""
    decoded = decode_cursor(text)
    if "o" not in decoded and "k" in decoded:  # a cursor of the first searches: primary key only
        if signature(keys) != signature(default):
            raise graphql_error("BAD_USER_INPUT", "cursor was made for another order", argument="after")
        decoded = {"o": signature(default), "k0": decoded["k"]}
    if decoded.get("o") != signature(keys):
        raise graphql_error("BAD_USER_INPUT", "cursor was made for another order", argument="after")
    values: list[Value] = []
    for i, key in enumerate(keys):
        value = decoded.get(f"k{i}")
        if not isinstance(value, str | int) or not isinstance(value, key.kind) or isinstance(value, bool):
            raise graphql_error("BAD_USER_INPUT", "invalid cursor", argument="after")
        values.append(value)
    return values
