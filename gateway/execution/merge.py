"""Merge subgraph results into the response tree and collect entity positions along plan paths."""

from __future__ import annotations

from typing import Any

from gateway.planning.plan import Rename, RequireField, RequireFragment, RequireItem

_MISSING: Any = object()


def merge_into(target: dict[str, Any], source: dict[str, Any], interfaces: frozenset[str]) -> None:
    """Deep-merge ``source`` into ``target`` by response key."""
    if target.keys().isdisjoint(source):  # the usual entity answer: only new fields
        target.update(source)
        return
    for key, value in source.items():
        current = target.get(key, _MISSING)
        if current is _MISSING or current is None:
            target[key] = value
        elif isinstance(value, dict) and isinstance(current, dict):
            merge_into(current, value, interfaces)
        elif isinstance(value, list) and isinstance(current, list) and len(value) == len(current):
            _merge_lists(current, value, interfaces)
        elif key == "__typename":
            # FEDERATION_NOTE: an @interfaceObject subgraph answers with the interface's name; a concrete
            # type name already known must not be replaced by it.
            if value not in interfaces:
                target[key] = value
        elif value is not None:
            target[key] = value


def restore(value: Any, rename: Rename, interfaces: frozenset[str]) -> None:
    """Put the values a fetch got under planner aliases back under their response keys (in place).

    Two aliases of one key meet in one object only when both fields applied to it (an interface's field
    and the same field on the object's type): their values are merged like two subgraphs' answers.
    """
    if type(value) is list:
        for item in value:
            restore(item, rename, interfaces)
        return
    if type(value) is not dict:
        return
    for key, sub in rename.below:
        inner = value.get(key)
        if inner is not None:
            restore(inner, sub, interfaces)
    for alias, key in rename.keys:
        if alias in value:
            merge_into(value, {key: value.pop(alias)}, interfaces)


def _merge_lists(current: list[Any], value: list[Any], interfaces: frozenset[str]) -> None:
    for i, item in enumerate(value):
        cur = current[i]
        if isinstance(item, dict) and isinstance(cur, dict):
            merge_into(cur, item, interfaces)
        elif isinstance(item, list) and isinstance(cur, list) and len(item) == len(cur):
            _merge_lists(cur, item, interfaces)
        elif cur is None:
            current[i] = item


def objects_at(data: Any, path: tuple[str, ...], out: list[dict[str, Any]]) -> None:
    """Append every object found at ``path`` (``@`` = each list item), in document order.

    The same objects, in the same order, as :func:`collect`, without building response paths.
    """
    level: list[Any] = [data]
    for step in path:
        if step == "@":
            below: list[Any] = []
            for node in level:
                if type(node) is list:
                    below += node
            level = below
        else:
            level = [v for node in level if type(node) is dict and (v := node.get(step)) is not None]
    _flatten(level, out)


def _flatten(items: list[Any], out: list[dict[str, Any]]) -> None:
    for item in items:
        if type(item) is dict:
            out.append(item)
        elif type(item) is list:  # a list position without an explicit '@'
            _flatten(item, out)


def collect(data: Any, path: tuple[str, ...], out: list[tuple[dict[str, Any], tuple[str | int, ...]]]) -> None:
    """Append every object found at ``path`` (``@`` = each list item) with its concrete response path."""
    _walk(data, path, 0, (), out)


def _walk(node: Any, path: tuple[str, ...], i: int, at: tuple[str | int, ...],
          out: list[tuple[dict[str, Any], tuple[str | int, ...]]]) -> None:
    if node is None:
        return
    if i == len(path):
        if isinstance(node, dict):
            out.append((node, at))
        elif isinstance(node, list):  # a list position without an explicit '@'
            for n, item in enumerate(node):
                _walk(item, path, i, (*at, n), out)
        return
    step = path[i]
    if step == "@":
        if isinstance(node, list):
            for n, item in enumerate(node):
                _walk(item, path, i + 1, (*at, n), out)
        return
    if isinstance(node, dict):
        _walk(node.get(step), path, i + 1, (*at, step), out)


def representation(obj: dict[str, Any], requires: tuple[RequireFragment, ...]) -> dict[str, Any] | None:
    """Build the ``_Any`` representation of ``obj``; None when it matches no fragment or lacks a field."""
    typename = obj.get("__typename")
    for frag in requires:
        if typename is not None and typename not in frag.applies_to:
            continue
        rep = _fields(obj, frag.selection)
        if rep is None:
            return None
        if frag.typename_as is not None:
            rep["__typename"] = frag.typename_as
        elif "__typename" not in rep or rep["__typename"] is None:
            rep["__typename"] = frag.type_condition
        return rep
    return None


def _fields(obj: dict[str, Any], items: tuple[RequireItem, ...], nested: bool = False) -> dict[str, Any] | None:
    out: dict[str, Any] = {}
    for item in items:
        if isinstance(item, RequireField):
            value = obj.get(item.response_key, _MISSING)
            if value is _MISSING:
                if item.name == "__typename":
                    continue
                if nested:
                    # FEDERATION_NOTE: below the entity, a required value that no fetch delivered (the object's
                    # own entity fetch found nothing) is null: it stays out of the representation, and the
                    # field that requires it is still resolved; only the entity's own fields are mandatory.
                    continue
                return None
            if item.selection and value is not None:
                value = _nested(value, item.selection)
                if value is _MISSING:
                    return None
            out[item.name] = value
        else:
            typename = obj.get("__typename")
            if typename is None or typename in item.applies_to:
                sub = _fields(obj, item.selection, nested)
                if sub is None:
                    return None
                out.update(sub)
    return out


def _nested(value: Any, items: tuple[RequireItem, ...]) -> Any:
    if isinstance(value, list):
        out = []
        for v in value:
            n = _nested(v, items) if v is not None else None
            if n is _MISSING:
                return _MISSING
            out.append(n)
        return out
    if isinstance(value, dict):
        sub = _fields(value, items, True)
        return _MISSING if sub is None else sub
    return value
