"""Execute entity fetches with ``@fromContext`` arguments: read each object's context values from its
nearest ancestors in the response tree and send one request per distinct set of values."""

from __future__ import annotations

from typing import Any

import orjson

from gateway.planning.plan import ContextRewrite, RequireField, RequireFragment, RequireItem

Batch = tuple[list[dict[str, Any]], dict[str, Any]]  # (objects, the context variables for them)


def context_batches(data: Any, paths: tuple[tuple[str, ...], ...], rewrites: tuple[ContextRewrite, ...]) -> list[Batch]:
    """The objects at ``paths`` grouped by their context values, in document order of first appearance."""
    batches: dict[bytes, Batch] = {}
    for path in paths:
        for obj, ancestors in _with_ancestors(data, path):
            values = {r.variable: _context_value(ancestors, r) for r in rewrites}
            key = orjson.dumps(values, option=orjson.OPT_SORT_KEYS)
            batch = batches.get(key)
            if batch is None:
                batches[key] = batch = ([], values)
            batch[0].append(obj)
    return list(batches.values())


def _with_ancestors(data: Any, path: tuple[str, ...]) -> list[tuple[dict[str, Any], tuple[dict[str, Any], ...]]]:
    """Every object at ``path`` with its ancestor objects, nearest first (lists are not ancestors)."""
    level: list[tuple[Any, tuple[dict[str, Any], ...]]] = [(data, ())]
    for step in path:
        below: list[tuple[Any, tuple[dict[str, Any], ...]]] = []
        if step == "@":
            for node, up in level:
                if type(node) is list:
                    below.extend((item, up) for item in node)
        else:
            for node, up in level:
                if type(node) is dict and (value := node.get(step)) is not None:
                    below.append((value, (node, *up)))
        level = below
    out: list[tuple[dict[str, Any], tuple[dict[str, Any], ...]]] = []
    stack = list(reversed(level))
    while stack:
        node, up = stack.pop()
        if type(node) is dict:
            out.append((node, up))
        elif type(node) is list:  # a list position without an explicit '@'
            stack.extend((item, up) for item in reversed(node))
    return out


def _context_value(ancestors: tuple[dict[str, Any], ...], rewrite: ContextRewrite) -> Any:
    # FEDERATION_NOTE: the nearest ancestor that sets the context gives the value; none at all gives null
    for ancestor in ancestors:
        if ancestor.get("__typename") in rewrite.setters:
            return read_selection(ancestor, rewrite.selection)
    return None


def read_selection(value: Any, items: tuple[RequireItem, ...]) -> Any:
    """The value a context selection picks from ``value`` (one leaf, mapped over lists; null stays null)."""
    if value is None or not items:
        return value
    if type(value) is list:
        return [read_selection(v, items) for v in value]
    if type(value) is not dict:
        return None
    typename = value.get("__typename")
    for item in items:
        if isinstance(item, RequireFragment):
            if not item.applies_to or typename in item.applies_to:
                return read_selection(value, item.selection)
        elif isinstance(item, RequireField):
            return read_selection(value.get(item.response_key), item.selection)
    return None
