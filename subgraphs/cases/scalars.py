"""Custom scalars of the cases subgraph."""

from __future__ import annotations

from typing import Any, NewType

import strawberry

#: 64-bit integers (amounts in 分); registered with the schema through `SCALAR_MAP`
Int64 = NewType("Int64", int)
SCALAR_MAP: dict[object, Any] = {
    Int64: strawberry.scalar(name="Int64", serialize=int, parse_value=int,
                             description="A 64-bit integer (amounts in 分)."),
}
