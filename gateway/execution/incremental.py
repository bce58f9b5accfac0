"""Execute a deferred operation wave by wave and cut its payloads (incremental-delivery RFC, 2022-08-24).

The first payload is ``{data, errors?, hasNext: true}``; each later one is
``{incremental: [{data, path, label?, errors?} | {items, path, label?, errors?}], hasNext}`` and the last has
``hasNext: false``. Wave ``n``'s fetches start only after the payload of wave ``n - 1`` was handed out.

Errors: a fetch or shaping error is delivered with the payload that holds its field (the deepest deferred
fragment whose path leads to it, else the initial payload). Null propagation inside a deferred fragment
stops at the fragment: its entry gets ``data: null``, the payloads before it stay as sent.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Mapping, Sequence
from typing import Any

from gateway.execution.executor import PlanExecutor, Send
from gateway.execution.shaping import Shaper, null_errors
from gateway.extensions import GatewayExtension, RequestContext
from gateway.planning.defer import DeferredFragment, IncrementalSplit
from gateway.planning.plan import FetchNode, FlattenNode, PlanNode, QueryPlan
from gateway.planning.planner import PreparedOperation
from gateway.planning.shape import ShapeSelection
from gateway.security.errors import SecurityError

Path = tuple[str | int, ...]
#: a payload's body (data or items at `path`) -> the same after the response extensions (masking, denials)
Finish = Callable[[dict[str, Any], Path | None], dict[str, Any]]
Complete = Callable[[dict[str, Any]], Awaitable[list[dict[str, Any]]]]


class WaveExecutor(PlanExecutor):
    """Runs only the fetches of one wave of a plan at a time; the result accumulates across waves."""

    def __init__(self, send: Send, variables: dict[str, Any], interfaces: frozenset[str],
                 shape: ShapeSelection | None, waves: Mapping[int, int]) -> None:
        super().__init__(send, variables, interfaces, shape)
        self.waves = waves
        self.wave = 0

    async def run_wave(self, plan: QueryPlan, wave: int) -> None:
        self.wave = wave
        if plan.node is not None:
            await self._node(plan.node)

    async def _node(self, node: PlanNode) -> None:
        if isinstance(node, FetchNode):
            if self.waves.get(id(node), 0) == self.wave:
                await self._root(node)
        elif isinstance(node, FlattenNode):
            if self.waves.get(id(node.node), 0) == self.wave:
                await self._entities(node)
        else:
            await super()._node(node)


class _Router:
    """Places each error with the payload that holds its path."""

    def __init__(self, split: IncrementalSplit) -> None:
        self.fragments = split.fragments
        self.streams = {s.key: s for s in split.streams}

    def place(self, error: dict[str, Any]) -> tuple[int, Path] | tuple[str, str] | None:
        """(fragment id, instance path), ("stream", key), or None for the initial payload."""
        path = error.get("path")
        if not isinstance(path, list) or not path:
            return None
        stream = self.streams.get(path[0]) if isinstance(path[0], str) else None
        if stream is not None and len(path) > 1 and isinstance(path[1], int) and path[1] >= stream.initial_count:
            return ("stream", stream.key)
        best: tuple[int, Path] | None = None
        best_depth = -1
        for frag in self.fragments:
            at = _instance_path(path, frag)
            if at is None:
                continue
            depth = len(frag.path)
            if depth > best_depth or (depth == best_depth and best is not None and frag.wave < _wave(self, best[0])):
                best, best_depth = (frag.id, at), depth
        return best


def _wave(router: _Router, fragment_id: int) -> int:
    return next(f.wave for f in router.fragments if f.id == fragment_id)


def _instance_path(path: list[Any], frag: DeferredFragment) -> Path | None:
    """The concrete path of `frag`'s instance that error `path` lies in (None when it lies in none)."""
    i = 0
    consumed = 0
    want = frag.path
    while consumed < len(want):
        while i < len(path) and isinstance(path[i], int):
            i += 1
        if i >= len(path) or path[i] != want[consumed]:
            return None
        i += 1
        consumed += 1
    while i < len(path) and isinstance(path[i], int):
        i += 1
    if i >= len(path) or path[i] not in frag.keys:
        return None
    return tuple(path[:i])


def _instances(tree: Any, raw: Any, keys: tuple[str, ...], at: Path,
               out: list[tuple[Path, dict[str, Any], dict[str, Any]]]) -> None:
    """Every object at `keys` below `tree` (the delivered data) with its raw counterpart, lists crossed."""
    if isinstance(tree, list):
        if isinstance(raw, list):
            for n, item in enumerate(tree[:len(raw)]):
                _instances(item, raw[n], keys, (*at, n), out)
        return
    if not isinstance(tree, dict) or not isinstance(raw, dict):
        return
    if not keys:
        out.append((at, tree, raw))
        return
    _instances(tree.get(keys[0]), raw.get(keys[0]), keys[1:], (*at, keys[0]), out)


def _merge(into: dict[str, Any], other: dict[str, Any]) -> None:
    for k, v in other.items():
        cur = into.get(k)
        if isinstance(cur, dict) and isinstance(v, dict):
            _merge(cur, v)
        elif isinstance(cur, list) and isinstance(v, list) and len(cur) == len(v):
            for a, b in zip(cur, v, strict=True):
                if isinstance(a, dict) and isinstance(b, dict):
                    _merge(a, b)
        else:
            into[k] = v


def _prefixed(errors: list[dict[str, Any]], at: Path) -> list[dict[str, Any]]:
    return [{**e, "path": [*at, *e["path"]]} if isinstance(e.get("path"), list) else e for e in errors]


async def incremental_payloads(executor: WaveExecutor, split: IncrementalSplit, variables: dict[str, Any],
                               finish: Finish, complete: Complete) -> AsyncIterator[dict[str, Any]]:
    """The payloads of one deferred operation, in order; each wave's fetches run when the one before is out."""
    result = executor.result
    router = _Router(split)
    await executor.run_wave(split.plan, 0)
    shaper = Shaper(variables)
    tree = shaper.shape_root(split.primary, result.data)
    fetch_errors = list(result.errors)
    primary_errors = [*fetch_errors, *shaper.errors]
    primary_errors += null_errors(shaper.violations, primary_errors, result.explained)
    held: dict[Any, list[dict[str, Any]]] = {}
    first_errors: list[dict[str, Any]] = []
    for err in primary_errors:
        place = router.place(err)
        if place is None:
            first_errors.append(err)
        else:
            held.setdefault(place, []).append(err)
    data = tree
    stream_entries: list[dict[str, Any]] = []
    if tree is not None and split.streams:
        data = dict(tree)
        for s in split.streams:
            items = data.get(s.key)
            if isinstance(items, list) and len(items) > s.initial_count:
                data[s.key] = items[:s.initial_count]
                entry: dict[str, Any] = {"items": items[s.initial_count:], "path": [s.key, s.initial_count]}
                if s.label is not None:
                    entry["label"] = s.label
                errs = held.pop(("stream", s.key), [])
                if errs:
                    entry["errors"] = errs
                stream_entries.append(entry)
    more = tree is not None and split.incremental
    first: dict[str, Any] = {"data": data}
    if first_errors:
        first = {"errors": first_errors, "data": data}
    first = finish(first, None)
    delivered_errors = list(first.get("errors") or ())
    first["hasNext"] = more
    yield first
    if not more:
        return
    assert tree is not None
    seen = len(result.errors)
    for wave in range(1, split.last_wave + 1):
        if wave > 1 or any(f.wave == wave for f in split.fragments):
            await executor.run_wave(split.plan, wave)
        for err in result.errors[seen:]:
            place = router.place(err)
            if place is not None:
                held.setdefault(place, []).append(err)
            else:  # a fetch of this wave failed where no deferred field is: still delivered, unplaced
                held.setdefault(("wave", wave), []).append(err)
        seen = len(result.errors)
        entries = stream_entries if wave == 1 else []
        for frag in split.fragments:
            if frag.wave != wave:
                continue
            found: list[tuple[Path, dict[str, Any], dict[str, Any]]] = []
            _instances(tree, result.data, frag.path, (), found)
            for at, node, raw in found:
                if frag.type_condition is not None and raw.get("__typename") not in frag.type_condition:
                    continue
                entries.append(_entry(frag, at, node, raw, held, result.explained, variables))
        loose = held.pop(("wave", wave), [])
        if loose and entries:
            entries[0].setdefault("errors", []).extend(loose)
            loose = []
        out = [finish(e, tuple(e["path"])) for e in entries]
        for e in out:
            if e.get("errors"):
                # an error the extensions add for the whole operation (a denied field's) is delivered once
                fresh = [err for err in e["errors"] if err not in delivered_errors]
                delivered_errors.extend(fresh)
                if fresh:
                    e["errors"] = fresh
                else:
                    del e["errors"]
        last = wave == split.last_wave
        if last:
            extra = await complete({"data": tree, "errors": delivered_errors} if delivered_errors else {"data": tree})
            if extra:
                if out:
                    out[-1].setdefault("errors", []).extend(extra)
                else:
                    out.append({"data": None, "path": [], "errors": extra})
        if out or last or loose:
            payload: dict[str, Any] = {"hasNext": not last}
            if out:
                payload = {"incremental": out, "hasNext": not last}
            if loose:  # errors of this wave's fetches that belong to no entry delivered now
                payload["errors"] = finish({"data": None, "errors": loose}, None).get("errors") or loose
                delivered_errors.extend(payload["errors"])
            yield payload


def _entry(frag: DeferredFragment, at: Path, node: dict[str, Any], raw: dict[str, Any],
           held: dict[Any, list[dict[str, Any]]], explained: list[list[str | int]],
           variables: dict[str, Any]) -> dict[str, Any]:
    shaper = Shaper(variables)
    shaped = shaper.shape_careful(frag.shape, raw)
    errors = held.pop((frag.id, at), [])
    errors += _prefixed(shaper.errors, at)
    violations = [([*at, *p], coord) for p, coord in shaper.violations]
    errors += null_errors(violations, errors, explained)
    if shaped is not None:
        _merge(node, shaped)
    entry: dict[str, Any] = {"data": shaped, "path": list(at)}
    if frag.label is not None:
        entry["label"] = frag.label
    if errors:
        entry["errors"] = errors
    return entry


def _sparse(path: Path, leaf: Any) -> Any:
    """`leaf` placed at `path` in otherwise empty data (lists padded with nulls)."""
    node = leaf
    for step in reversed(path):
        if isinstance(step, int):
            padded: list[Any] = [None] * (step + 1)
            padded[step] = node
            node = padded
        else:
            node = {step: node}
    return node


def _at(data: Any, path: Path) -> Any:
    for step in path:
        if isinstance(step, int):
            data = data[step] if isinstance(data, list) and step < len(data) else None
        else:
            data = data.get(step) if isinstance(data, dict) else None
    return data


def extension_hooks(transforms: Sequence[GatewayExtension], completers: Sequence[GatewayExtension],
                    prepared: PreparedOperation, context: RequestContext) -> tuple[Finish, Complete]:
    """Run the response extensions (masking, denials, error hygiene) on every payload, and the completing ones
    (audit) once on the merged result.

    A payload's data sits at its path in otherwise empty data while they run, so they see the same
    document positions as for a whole response.
    """

    def finish(body: dict[str, Any], path: Path | None) -> dict[str, Any]:
        if not transforms:
            return body
        if path is None:
            for ext in transforms:
                body = ext.transform_response(body, prepared, context)
            return body
        key = "items" if "items" in body else "data"
        if key == "items":
            last = path[-1]
            assert isinstance(last, int)
            start: int = last
            view: dict[str, Any] = {"data": _sparse(path[:-1], [None] * start + list(body["items"]))}
        else:
            view = {"data": _sparse(path, body["data"])}
        if body.get("errors"):
            view["errors"] = body["errors"]
        for ext in transforms:
            view = ext.transform_response(view, prepared, context)
        out = dict(body)
        if key == "items":
            items = _at(view.get("data"), path[:-1])
            out["items"] = items[start:] if isinstance(items, list) else []
        else:
            out["data"] = _at(view.get("data"), path)
        if view.get("errors"):
            out["errors"] = view["errors"]
        return out

    async def complete(merged: dict[str, Any]) -> list[dict[str, Any]]:
        try:
            for ext in completers:
                merged = await ext.complete_response(merged, prepared, context)
        except SecurityError as exc:
            return list(exc.to_graphql_list())
        return []

    return finish, complete
