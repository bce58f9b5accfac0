"""Small naming helpers shared by the composer: graph enum values and subgraph lists in messages."""

from __future__ import annotations

import re
from collections.abc import Sequence


def graph_enum_values(names: Sequence[str]) -> dict[str, str]:
    """Subgraph name -> `join__Graph` value (upper case, invalid characters as `_`, made unique)."""
    result: dict[str, str] = {}
    used: set[str] = set()
    for name in names:
        base = re.sub(r"[^A-Z0-9_]", "_", name.upper())
        if not base or base[0].isdigit():
            base = "_" + base
        value, n = base, 0
        while value in used:
            n += 1
            value = f"{base}_{n}"
        used.add(value)
        result[name] = value
    return result


def subgraph_list(names: Sequence[str]) -> str:
    """`"a"`, `"a" and "b"`, `"a", "b" and "c"`."""
    quoted = [f'"{n}"' for n in names]
    if len(quoted) <= 1:
        return "".join(quoted)
    return ", ".join(quoted[:-1]) + " and " + quoted[-1]


def subgraphs_phrase(names: Sequence[str]) -> str:
    return ("subgraph " if len(names) == 1 else "subgraphs ") + subgraph_list(names)


KIND_LABEL = {"object": "Object Type", "interface": "Interface Type", "union": "Union Type",
              "enum": "Enum Type", "input": "Input Object Type", "scalar": "Scalar Type"}
