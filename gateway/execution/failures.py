"""Where a failed fetch leaves holes in the client's response, as the client's own paths.

A fetch that fails (timeout, refused connection, HTTP error, a subgraph error without a usable path)
leaves null every field it was to supply, at every position it was to supply them. Its error is
reported once per such position, with the path the client wrote (aliases and list indices included):
``["a", "licences"]`` for ``{ a: legalEntity(...) { licences { ... } } }``. Fields the planner fetches
only for itself (keys, ``@requires`` inputs, ``__typename``) are not the client's and get no error.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache
from typing import Any

from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse

from gateway.planning.shape import ShapeField, ShapeSelection

Path = tuple[str | int, ...]

#: errors one failed fetch adds at most (a list of thousands of entities gets the first ones only)
MAX_ERRORS_PER_FETCH = 100


@lru_cache(maxsize=1024)
def fetch_keys(operation: str) -> tuple[str, ...]:
    """Response keys a subgraph operation fills at its top level (under ``_entities`` for an entity fetch)."""
    op = parse(operation, no_location=True).definitions[0]
    if not isinstance(op, OperationDefinitionNode):
        return ()
    selection = op.selection_set
    first = selection.selections[0] if selection.selections else None
    if isinstance(first, FieldNode) and first.name.value == "_entities" and first.selection_set is not None:
        selection = first.selection_set
    keys: dict[str, None] = {}
    _keys(selection, keys)
    return tuple(keys)


def _keys(selection: SelectionSetNode, out: dict[str, None]) -> None:
    for sel in selection.selections:
        if isinstance(sel, FieldNode):
            if sel.name.value != "__typename":
                out[sel.alias.value if sel.alias else sel.name.value] = None
        elif isinstance(sel, InlineFragmentNode):
            _keys(sel.selection_set, out)


class ClientShape:
    """Answers "which keys did the client select at this response path?" from the response shape."""

    def __init__(self, shape: ShapeSelection | None, variables: dict[str, Any]) -> None:
        self.shape = shape
        self.variables = variables

    def _passes(self, f: ShapeField) -> bool:
        v = self.variables
        return all(bool(v.get(c.variable)) is c.include for c in f.conditions)

    def _fields(self, sel: ShapeSelection, typename: str | None) -> Iterable[ShapeField]:
        if typename is not None and typename in sel.by_type:
            return sel.by_type[typename]
        if not sel.abstract:
            return sel.by_type.get(sel.type_name, ())
        return [f for fields in sel.by_type.values() for f in fields]

    def keys_at(self, path: Path, typename: str | None) -> set[str] | None:
        """The client's keys at the object at ``path``; None when the client has no object there
        (or no shape is known, when every key counts)."""
        sel = self.shape
        if sel is None:
            return None
        for step in path:
            if isinstance(step, int):
                continue
            below = [f.sub for f in self._fields(sel, None) if f.key == step and f.sub is not None and self._passes(f)]
            if not below:
                return set()
            sel = below[0]
        return {f.key for f in self._fields(sel, typename) if self._passes(f) and f.name != "__typename"}


def holes(error: dict[str, Any], positions: Iterable[tuple[Path, str | None]], keys: tuple[str, ...],
          client: ClientShape, out: list[dict[str, Any]], explained: list[list[str | int]]) -> int:
    """Append ``error`` once per client field ``keys`` leaves null at each of ``positions`` (path, typename).

    Every such path goes to ``explained`` (so a non-null violation there is not reported again), but at
    most :data:`MAX_ERRORS_PER_FETCH` errors go to ``out``. Returns how many paths were found (0 when
    the fetch supplied only what later fetches need: they report the holes their own fields leave).
    """
    added = 0
    for at, typename in positions:
        wanted = client.keys_at(at, typename)
        for key in keys:
            if wanted is not None and key not in wanted:
                continue
            path = [*at, key]
            explained.append(path)
            if added < MAX_ERRORS_PER_FETCH:
                out.append({**error, "path": path})
            added += 1
    if added > MAX_ERRORS_PER_FETCH:
        extensions = dict(out[-1].get("extensions") or {})
        extensions["omittedPaths"] = added - MAX_ERRORS_PER_FETCH
        out[-1] = {**out[-1], "extensions": extensions}
    return added
