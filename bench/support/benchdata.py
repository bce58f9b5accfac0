"""The benchmark's constant data (users, products, inventory, reviews) and its TestQuery."""

from __future__ import annotations

import json
import os
from functools import cache
from pathlib import Path
from typing import Any

_DEFAULT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "gateway-benchmark-data.json"


@cache
def data() -> dict[str, list[dict[str, Any]]]:
    path = Path(os.environ.get("HUB_BENCH_DATA", _DEFAULT))
    with path.open(encoding="utf-8") as fh:
        loaded: dict[str, list[dict[str, Any]]] = json.load(fh)
    return loaded


# The benchmark's nested TestQuery (products' fields in the order the benchmark asks for them).
_PRODUCT = "inStock name price shippingEstimate upc weight"
TEST_QUERY = (
    "query TestQuery { users { id username name reviews { id body product { " + _PRODUCT
    + " reviews { id body author { id username name reviews { id body product { " + _PRODUCT
    + " } } } } } } } topProducts { " + _PRODUCT
    + " reviews { id body author { id username name reviews { id body product { " + _PRODUCT + " } } } } } }"
)
