"""The fast shaping path: one generated Python function per response shape.

Shaping runs for every object of every response, so its per-object overhead matters. From a shape's
:class:`FastFields` this module writes the source of a function per concrete type that builds the output
object as one dict display (leaf values copied from the merged object, nested ones shaped by the
function of their sub-selection) and compiles it once per shape; the functions are kept in the shape's
``compiled`` slot. The generated code only ever contains response keys and type names as string
literals (``repr``), and function names it makes up itself.

The functions raise :class:`Bail` at anything unusual (a null at a non-null position, a value of the
wrong JSON type, an unknown ``__typename``, ``@include``/``@skip`` conditions); the careful path in
:mod:`gateway.execution.shaping` then shapes the whole response, with paths and null propagation.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from gateway.planning.shape import FastFields, ShapeSelection

ShapeFn = Callable[[dict[str, Any]], dict[str, Any]]
_KEY = "fast"


class Bail(Exception):
    """The fast path cannot shape this response; use the careful path."""


def compiled(shape: ShapeSelection) -> ShapeFn:
    """The generated shaping function of ``shape`` (compiled on first use, then kept on the shape)."""
    fn = shape.compiled.get(_KEY)
    if fn is None:
        fn = _Generator().selection(shape)
    return fn  # type: ignore[return-value]


def _bail() -> Any:
    raise Bail


def _check_leaf(raw: Any, wrappers: str) -> None:
    """A non-null leaf value with list modifiers: bail when it is not a list or an item breaks them."""
    wrappers = wrappers.removeprefix("N")
    if not wrappers:
        return
    if type(raw) is not list:
        raise Bail
    inner = wrappers[1:]
    nonnull = inner[:1] == "N"
    for item in raw:
        if item is None:
            if nonnull:
                raise Bail
        elif len(inner) > nonnull:
            _check_leaf(item, inner)


def _check_enum(raw: Any, wrappers: str, allowed: frozenset[str]) -> None:
    """An enum leaf (not null) at a position whose remaining modifiers are ``wrappers`` (leading "N" removed):
    bail when it is not a list where one is due, or when a value is not one of the API enum's ``allowed``."""
    if not wrappers:
        if type(raw) is not str or raw not in allowed:
            raise Bail
        return
    if type(raw) is not list:
        raise Bail
    inner = wrappers[1:]
    nonnull = inner[:1] == "N"
    inner = inner.removeprefix("N")
    for item in raw:
        if item is None:
            if nonnull:
                raise Bail
        else:
            _check_enum(item, inner, allowed)


def _nested(fn: ShapeFn, wrappers: str, raw: Any) -> Any:
    """A non-null value at a position whose remaining modifiers are ``wrappers`` (leading "N" removed)."""
    if not wrappers:
        if type(raw) is not dict:
            raise Bail
        return fn(raw)
    if type(raw) is not list:  # wrappers start with "L"
        raise Bail
    inner = wrappers[1:]
    nonnull = inner[:1] == "N"
    inner = inner.removeprefix("N")
    out: list[Any] = []
    for item in raw:
        if item is None:
            if nonnull:
                raise Bail
            out.append(None)
        else:
            out.append(_nested(fn, inner, item))
    return out


class _Generator:
    def __init__(self) -> None:
        self.namespace: dict[str, Any] = {"Bail": Bail, "_bail": _bail, "_check_leaf": _check_leaf,
                                          "_check_enum": _check_enum, "_nested": _nested}
        self.count = 0

    def _name(self, prefix: str) -> str:
        self.count += 1
        return f"{prefix}{self.count}"

    def selection(self, shape: ShapeSelection) -> ShapeFn:
        existing = shape.compiled.get(_KEY)
        if existing is not None:
            return existing  # type: ignore[return-value]
        fn: ShapeFn
        if shape.abstract:
            table = {t: self.fields(ff) for t, ff in shape.fast.items()}

            def dispatch(obj: dict[str, Any]) -> dict[str, Any]:
                typename = obj.get("__typename")
                shaper = table.get(typename) if typename is not None else None
                if shaper is None:
                    raise Bail
                return shaper(obj)

            fn = dispatch
        else:
            ff = shape.fast.get(shape.type_name)
            fn = self.fields(ff) if ff is not None else _always_bail
        shape.compiled[_KEY] = fn
        return fn

    def fields(self, ff: FastFields) -> ShapeFn:
        name = self._name("shape_")
        lines = [f"def {name}(obj):", "    get = obj.get"]
        nested = {key: (wrappers, sub) for key, wrappers, sub in ff.nested}
        nonnull = set(ff.nonnull)
        typename = set(ff.typename)
        enums = {key: (wrappers, allowed) for key, wrappers, allowed in ff.enums}
        parts = []
        for i, key in enumerate(ff.keys):
            k = repr(key)
            if key in typename:
                parts.append(f"{k}: {ff.type_name!r}")
                continue
            if key in enums:
                v = f"v{i}"
                parts.append(f"{k}: {v}")
                wrappers, allowed = enums[key]
                values = self._name("enum_")
                self.namespace[values] = allowed
                lines.append(f"    {v} = get({k})")
                rest = wrappers.removeprefix("N")
                if rest:
                    lines.append(f"    if {v} is not None: _check_enum({v}, {rest!r}, {values})")
                else:
                    lines.append(f"    if {v} is not None and (type({v}) is not str or {v} not in {values}): raise Bail")
                if wrappers.startswith("N"):
                    lines.append(f"    if {v} is None: raise Bail")
                continue
            if key not in nonnull and key not in nested:
                parts.append(f"{k}: get({k})")
                continue
            v = f"v{i}"
            parts.append(f"{k}: {v}")
            lines.append(f"    {v} = get({k})")
            if key in nonnull:
                lines.append(f"    if {v} is None: raise Bail")
                continue
            wrappers, sub = nested[key]
            lines.append(f"    if {v} is not None:")
            if sub is None:
                lines.append(f"        _check_leaf({v}, {wrappers!r})")
            else:
                fn_name = self._name("sub_")
                self.namespace[fn_name] = self.selection(sub)
                rest = wrappers.removeprefix("N")
                if rest == "L":
                    lines.append(f"        if type({v}) is not list: raise Bail")
                    lines.append(f"        {v} = [None if x is None else {fn_name}(x) if type(x) is dict "
                                 f"else _bail() for x in {v}]")
                elif rest == "":
                    lines.append(f"        if type({v}) is not dict: raise Bail")
                    lines.append(f"        {v} = {fn_name}({v})")
                else:
                    lines.append(f"        {v} = _nested({fn_name}, {rest!r}, {v})")
            if wrappers.startswith("N"):
                lines.append("    else: raise Bail")
        lines.append("    return {" + ", ".join(parts) + "}")
        code = compile("\n".join(lines), f"<shape {ff.type_name}>", "exec")
        exec(code, self.namespace)
        fn: ShapeFn = self.namespace[name]
        return fn


def _always_bail(obj: dict[str, Any]) -> dict[str, Any]:
    raise Bail
