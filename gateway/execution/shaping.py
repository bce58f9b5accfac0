"""Shape the merged data to exactly the client's selection, with GraphQL null propagation."""

from __future__ import annotations

from typing import Any

from gateway.execution.fastshape import Bail, compiled
from gateway.planning.operation import Condition
from gateway.planning.shape import ShapeField, ShapeSelection

_INVALID: Any = object()  # a non-null position is null: the nearest nullable parent becomes null


class Shaper:
    """Walks the response shape over the merged data; records non-null violations with their paths.

    The fast path (:mod:`gateway.execution.fastshape`) builds each object with a function generated for
    its type, without tracking response paths; whenever it meets anything unusual it gives up, and the
    careful path (which keeps paths, propagates nulls and records violations) shapes the whole response
    instead. Both give the same output where the fast path finishes.
    """

    def __init__(self, variables: dict[str, Any]) -> None:
        self.variables = variables
        self.violations: list[tuple[list[str | int], str]] = []
        #: field errors of result coercion (enum values the API schema does not have), with their paths
        self.errors: list[dict[str, Any]] = []

    def shape_root(self, shape: ShapeSelection, data: dict[str, Any]) -> dict[str, Any] | None:
        try:
            return compiled(shape)(data)
        except Bail:
            pass
        return self.shape_careful(shape, data)

    def shape_careful(self, shape: ShapeSelection, data: dict[str, Any]) -> dict[str, Any] | None:
        """Shape on the careful path only (the fast path's reference)."""
        out = self._object(shape, data, ())
        return None if out is _INVALID else out

    def _passes(self, conditions: tuple[Condition, ...]) -> bool:
        v = self.variables
        return all(bool(v.get(c.variable)) is c.include for c in conditions)

    def _object(self, sel: ShapeSelection, obj: dict[str, Any], path: tuple[str | int, ...]) -> Any:
        typename = obj.get("__typename")
        if sel.abstract:
            fields = sel.by_type.get(typename) if typename is not None else None
            if fields is None:
                if typename is not None and typename != sel.type_name:
                    # FEDERATION_NOTE: a subgraph can return an object of a type the client-facing schema does not
                    # have as a possible type here (an @inaccessible member or implementation): the abstract type
                    # cannot be resolved (ResolveAbstractType), so it is a field error, not an object shaped from
                    # the fields the abstract type has. (An @interfaceObject whose concrete type is unknown
                    # answers with the interface's own name and is shaped from the interface's fields.)
                    self.errors.append({
                        "message": f'Abstract type "{sel.type_name}" resolved to type "{typename}", which is not a '
                                   "possible type of it in the schema.",
                        "path": list(path), "extensions": {"code": "INTERNAL_SERVER_ERROR"}})
                    return _INVALID
                fields = sel.fallback
        else:
            fields = sel.by_type[sel.type_name]
        out: dict[str, Any] = {}
        for f in fields:
            if f.conditions and not self._passes(f.conditions):
                continue
            key = f.key
            if f.name == "__typename":
                out[key] = typename if (sel.abstract and typename) else f.parent_type
                continue
            raw = obj.get(key)
            if f.introspection:
                out[key] = raw
                continue
            wrappers = f.wrappers
            if f.sub is None and "N" not in wrappers and f.enum is None:
                value = raw
            else:
                value = self._value(f, raw, 0, (*path, key))
                if value is _INVALID:
                    if wrappers.startswith("N"):
                        return _INVALID
                    value = None
            previous = out.get(key)
            if isinstance(previous, dict) and isinstance(value, dict):
                _deep_merge(previous, value)
            else:
                out[key] = value
        return out

    def _value(self, f: ShapeField, raw: Any, i: int, path: tuple[str | int, ...]) -> Any:
        wrappers = f.wrappers
        nonnull = i < len(wrappers) and wrappers[i] == "N"
        if nonnull:
            i += 1
        if raw is None:
            if nonnull:
                self.violations.append((list(path), f"{f.parent_type}.{f.name}"))
                return _INVALID
            return None
        if i < len(wrappers) and wrappers[i] == "L":
            if not isinstance(raw, list):
                return None
            items = []
            for n, item in enumerate(raw):
                v = self._value(f, item, i + 1, (*path, n))
                if v is _INVALID:
                    return _INVALID if nonnull else None
                items.append(v)
            return items
        if f.sub is None:
            enum = f.enum
            if enum is not None and (type(raw) is not str or raw not in enum[1]):
                self.errors.append(_enum_error(enum[0], raw, path))
                return _INVALID if nonnull else None
            return raw
        if not isinstance(raw, dict):
            return None
        result = self._object(f.sub, raw, path)
        if result is _INVALID:
            return _INVALID if nonnull else None
        return result


def _enum_error(enum: str, raw: Any, path: tuple[str | int, ...]) -> dict[str, Any]:
    shown = f'"{raw}"' if isinstance(raw, str) else repr(raw)
    return {"message": f'Enum "{enum}" cannot represent value: {shown}', "path": list(path),
            "extensions": {"code": "INTERNAL_SERVER_ERROR"}}


def _deep_merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for k, v in other.items():
        cur = into.get(k)
        if isinstance(cur, dict) and isinstance(v, dict):
            _deep_merge(cur, v)
        else:
            into[k] = v


def null_errors(violations: list[tuple[list[str | int], str]], existing: list[dict[str, Any]],
                explained: list[list[str | int]] | None = None) -> list[dict[str, Any]]:
    """Errors for non-null violations that no subgraph error already explains (same path, above or below
    it); ``explained`` adds the paths a failed fetch left null beyond the errors it reported."""
    known = [e["path"] for e in existing if isinstance(e.get("path"), list)]
    if explained:
        known += explained
    out = []
    for path, coord in violations:
        if any(path[:len(k)] == k or k[:len(path)] == path for k in known):
            continue
        out.append({"message": f"Cannot return null for non-nullable field {coord}.", "path": path,
                    "extensions": {"code": "INTERNAL_SERVER_ERROR"}})
    return out
