"""Compare two GraphQL responses the way the differential test judges them, and walk response data."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

Path = tuple[str | int, ...]


def error_paths(response: dict[str, Any]) -> set[Path]:
    """The `path`s of the response's errors (errors without a path are left out)."""
    return {tuple(e["path"]) for e in response.get("errors") or () if isinstance(e, dict) and e.get("path")}


def differences(expected: dict[str, Any], actual: dict[str, Any]) -> list[str]:
    """Why `actual` does not answer like `expected`: exact `data`, same presence of `errors`,
    and the same set of error paths when both carry paths. Empty when they agree."""
    problems: list[str] = []
    if expected.get("data") != actual.get("data"):
        problems.append(
            "data differs:\n  expected "
            + json.dumps(expected.get("data"), sort_keys=True)[:2000]
            + "\n  actual   "
            + json.dumps(actual.get("data"), sort_keys=True)[:2000]
        )
    has_expected, has_actual = bool(expected.get("errors")), bool(actual.get("errors"))
    if has_expected != has_actual:
        problems.append(
            f"errors present: expected {has_expected}, actual {has_actual}: "
            + json.dumps(actual.get("errors") or expected.get("errors"))[:1000]
        )
    elif has_expected:
        want, got = error_paths(expected), error_paths(actual)
        if want and got and want != got:
            problems.append(f"error paths differ: expected {sorted(map(str, want))}, actual {sorted(map(str, got))}")
    return problems


def null_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """Every path at which `value` holds a null."""
    if value is None:
        yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from null_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from null_paths(item, (*path, index))


_MISSING = object()


def pointer(document: Any, ref: str) -> Any:
    """Resolve a JSON pointer (`/data/users/0/name`); a missing step gives the `MISSING` marker."""
    current = document
    for raw in ref.split("/")[1:]:
        step = raw.replace("~1", "/").replace("~0", "~")
        if isinstance(current, list) and step.isdigit() and int(step) < len(current):
            current = current[int(step)]
        elif isinstance(current, dict) and step in current:
            current = current[step]
        else:
            return MISSING
    return current


MISSING: Any = _MISSING
