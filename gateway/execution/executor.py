"""Run a query plan: fetch nodes concurrently where the plan allows, batch entities, merge results."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.errors import SubgraphError
from gateway.execution.batch import run_parallel
from gateway.execution.contexts import context_batches
from gateway.execution.failures import MAX_ERRORS_PER_FETCH, ClientShape, fetch_keys, holes
from gateway.execution.merge import collect, merge_into, objects_at, restore
from gateway.execution.representations import Representations
from gateway.execution.reuse import KnownEntities
from gateway.planning.plan import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SequenceNode,
)
from gateway.planning.shape import ShapeSelection

# (service, request body, is_mutation) -> GraphQL response payload; raises SubgraphError subclasses
Send = Callable[[str, bytes, bool], Awaitable[dict[str, Any]]]


@dataclass
class ExecutionResult:
    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0
    #: client paths a failed fetch left null (reported, or counted past the cap): no null error needed there
    explained: list[list[str | int]] = field(default_factory=list)


class PlanExecutor:
    """Executes one plan for one request; not shared between requests."""

    def __init__(self, send: Send, variables: dict[str, Any], interfaces: frozenset[str],
                 shape: ShapeSelection | None = None, *, reuse: bool = True) -> None:
        self.send = send
        self.variables = variables
        self.interfaces = interfaces
        self.result = ExecutionResult({})
        #: the client's selection, so failed fetches are reported at the client's fields only
        self.client = ClientShape(shape, variables)
        #: id(object) -> the error of a failed fetch that was to fill it (for the fetches that depend on it)
        self._failed: dict[int, dict[str, Any]] = {}
        #: what this request's fetches returned, to answer later entity fetches (None: reuse is off)
        self.known: KnownEntities | None = KnownEntities() if reuse else None

    async def run(self, plan: QueryPlan) -> ExecutionResult:
        if plan.node is not None:
            await self._node(plan.node)
        return self.result

    async def _node(self, node: PlanNode) -> None:
        if isinstance(node, SequenceNode):
            for child in node.nodes:
                await self._node(child)
        elif isinstance(node, ParallelNode):
            if node.batches:
                await run_parallel(self, node)
            else:
                await asyncio.gather(*(self._node(child) for child in node.nodes))
        elif isinstance(node, FlattenNode):
            await self._entities(node)
        elif isinstance(node, FetchNode):
            await self._root(node)
        elif isinstance(node, ConditionNode):
            branch = node.if_clause if self.variables.get(node.condition) else node.else_clause
            if branch is not None:
                await self._node(branch)

    def _variables(self, fetch: FetchNode) -> dict[str, Any]:
        v = self.variables
        return {name: v[name] for name in fetch.variable_usages if name in v}

    async def _root(self, fetch: FetchNode) -> None:
        if fetch.operation_kind == "mutation":
            self.known = None  # what earlier fetches saw may change from here on
        body: dict[str, Any] = {"query": fetch.operation}
        if fetch.variable_usages:
            body["variables"] = self._variables(fetch)
        if fetch.operation_name:
            body["operationName"] = fetch.operation_name
        payload, failure = await self._send(fetch, body)
        if payload is None:
            self._holes(failure, [((), None)], fetch)
            return
        data = payload.get("data")
        errors = payload.get("errors")
        if fetch.renames is not None:
            restore(data, fetch.renames, self.interfaces)
        elif self.known is not None and not errors:
            self.known.record_root(fetch, data)
        if isinstance(data, dict):
            merge_into(self.result.data, data, self.interfaces)
        if isinstance(errors, list) and errors:
            self._root_errors(fetch, errors, data if isinstance(data, dict) else {})

    async def _entities(self, node: FlattenNode, wanted: Representations | None = None) -> None:
        if wanted is None and node.node.contexts:  # @fromContext: one request per distinct set of context values
            batches = context_batches(self.result.data, node.paths, node.node.contexts)
            await asyncio.gather(*(self._entity_batch(node, self._wanted_of(node, objs), values)
                                   for objs, values in batches))
            return
        await self._entity_batch(node, self._wanted(node) if wanted is None else wanted, None)

    async def _entity_batch(self, node: FlattenNode, wanted: Representations | None,
                            context: dict[str, Any] | None) -> None:
        if wanted is None:
            return
        fetch = node.node
        reps = wanted.reps
        variables = self._variables(fetch)
        variables["representations"] = reps
        if context is not None:
            variables.update(context)
        body: dict[str, Any] = {"query": fetch.operation, "variables": variables}
        if fetch.operation_name:
            body["operationName"] = fetch.operation_name
        payload, failure = await self._send(fetch, body)
        if payload is None:
            self._entity_holes(node, failure, [obj for obj, _ in wanted.targets])
            return
        data = payload.get("data")
        entities = data.get("_entities") if isinstance(data, dict) else None
        self._entity_payload(node, wanted, data, entities, payload.get("errors"))

    def _wanted(self, node: FlattenNode) -> Representations | None:
        """The representations of an entity fetch over the objects at its paths (None: nothing to fetch)."""
        objects: list[dict[str, Any]] = []
        for path in node.paths:
            objects_at(self.result.data, path, objects)
        return self._wanted_of(node, objects)

    def _wanted_of(self, node: FlattenNode, objects: list[dict[str, Any]]) -> Representations | None:
        if not objects:
            return None
        wanted = Representations(node.node.requires)
        wanted.add_all(objects)
        if self._failed:
            self._dependents(node, objects, wanted)
        if self.known is not None and wanted.reps and node.node.renames is None and not node.node.contexts:
            wanted = self._reuse(node.node, wanted, self.known)
        return wanted if wanted.reps else None

    def _reuse(self, fetch: FetchNode, wanted: Representations, known: KnownEntities) -> Representations:
        """Fill what earlier fetches of this request already answered; the representations left to send."""
        found = known.answers(fetch, wanted.reps, self.interfaces)
        if not found:
            return wanted
        interfaces = self.interfaces
        for obj, i in wanted.targets:
            entity = found.get(i)
            if entity is not None:
                _fill(obj, entity, interfaces)
        return wanted.without(found)

    def _entity_payload(self, node: FlattenNode, wanted: Representations, data: Any, entities: Any,
                        errors: Any) -> None:
        """Merge the ``_entities`` list a fetch got back (``data`` is the whole response's) and place its errors."""
        fetch = node.node
        reps = wanted.reps
        if fetch.renames is not None:
            restore(entities, fetch.renames, self.interfaces)
        complete = isinstance(entities, list) and len(entities) == len(reps)
        if complete:
            assert isinstance(entities, list)
            interfaces = self.interfaces
            for obj, i in wanted.targets:
                entity = entities[i]
                if type(entity) is dict:
                    _fill(obj, entity, interfaces)
        elif data is not None and not errors:
            error = {
                "message": f"Subgraph {fetch.service_name} returned {_count(entities)} entities for "
                           f"{len(reps)} representations",
                "extensions": {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": fetch.service_name}}
            self._entity_holes(node, error, [obj for obj, _ in wanted.targets])
        if isinstance(errors, list) and errors:
            self._entity_errors(node, wanted, entities if complete else None, errors)
        elif complete and self.known is not None and fetch.renames is None and not fetch.contexts:
            assert isinstance(entities, list)
            self.known.record_entities(fetch, reps, entities)

    def _dependents(self, node: FlattenNode, objects: list[dict[str, Any]], wanted: Representations) -> None:
        """Objects an earlier failed fetch left without the fields this fetch's representation needs."""
        targeted = {id(obj) for obj, _ in wanted.targets}
        failed = self._failed
        requires = node.node.requires
        by_cause: dict[int, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for obj in objects:
            cause = failed.get(id(obj))
            if cause is None or id(obj) in targeted:
                continue
            typename = obj.get("__typename")
            if typename is None or any(typename in frag.applies_to for frag in requires):  # not another type's
                by_cause.setdefault(id(cause), (cause, []))[1].append(obj)
        for cause, objs in by_cause.values():
            self._entity_holes(node, cause, objs)

    def _positions(self, node: FlattenNode) -> dict[int, list[tuple[str | int, ...]]]:
        """The response paths of every object at the node's paths, by object identity (error paths only)."""
        found: list[tuple[dict[str, Any], tuple[str | int, ...]]] = []
        for path in node.paths:
            collect(self.result.data, path, found)
        where: dict[int, list[tuple[str | int, ...]]] = {}
        for obj, at in found:
            where.setdefault(id(obj), []).append(at)
        return where

    def _entity_holes(self, node: FlattenNode, error: dict[str, Any], objects: list[dict[str, Any]],
                      where: dict[int, list[tuple[str | int, ...]]] | None = None) -> None:
        """``error`` at the client's fields this fetch should have filled on ``objects``."""
        if not objects:
            return
        where = self._positions(node) if where is None else where
        positions: list[tuple[tuple[str | int, ...], str | None]] = []
        seen: set[int] = set()
        for obj in objects:
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            self._failed[id(obj)] = error
            typename = obj.get("__typename")
            positions.extend((at, typename) for at in where.get(id(obj), ()))
        self._holes(error, positions, node.node)

    def _holes(self, error: dict[str, Any], positions: list[tuple[tuple[str | int, ...], str | None]],
               fetch: FetchNode) -> None:
        result = self.result
        holes(error, positions, _client_keys(fetch), self.client, result.errors, result.explained)

    def _entity_errors(self, node: FlattenNode, wanted: Representations, entities: list[Any] | None,
                       errors: list[Any]) -> None:
        """Subgraph errors moved from ``_entities`` paths to the client's paths of every object concerned."""
        service = node.node.service_name
        where = self._positions(node)
        by_rep: dict[int, list[dict[str, Any]]] = {}
        for obj, i in wanted.targets:
            by_rep.setdefault(i, []).append(obj)
        unplaced: list[dict[str, Any]] = []
        for err in errors:
            if not isinstance(err, dict):
                continue
            out = _entry(err, service)
            raw = err.get("path")
            path: list[Any] = raw if isinstance(raw, list) else []
            index = path[1] if len(path) >= 2 and path[0] == "_entities" else None
            if not isinstance(index, int) or index not in by_rep:
                unplaced.append(out)
            elif len(path) == 2:  # the whole entity failed: every field this fetch was to fill
                self._entity_holes(node, out, by_rep[index], where)
            else:
                rest = _unaliased(node.node, path[2:])
                paths = [[*at, *rest] for obj in by_rep[index] for at in where.get(id(obj), ())]
                self.result.errors.extend({**out, "path": p} for p in paths[:MAX_ERRORS_PER_FETCH])
                self.result.explained.extend(paths)
                if not paths:
                    unplaced.append(out)
        if unplaced:
            # errors without a usable path stand for every object whose entity did not come back
            missing = [obj for obj, i in wanted.targets
                       if entities is None or type(entities[i]) is not dict]
            for out in unplaced:
                self._entity_holes(node, out, missing, where)

    def _root_errors(self, fetch: FetchNode, errors: list[Any], data: dict[str, Any]) -> None:
        service = fetch.service_name
        for err in errors:
            if not isinstance(err, dict):
                continue
            out = _entry(err, service)
            path = err.get("path")
            if isinstance(path, list) and path:
                out["path"] = _unaliased(fetch, path)
                self.result.errors.append(out)
                continue
            # no path: it stands for the root fields this fetch did not fill
            keys = _client_keys(fetch)
            empty = [k for k in keys if data.get(k) is None] or list(keys[:1])
            for key in empty:
                self.result.errors.append({**out, "path": [key]})
                self.result.explained.append([key])
            if not keys:
                self.result.errors.append(out)

    async def _send(self, fetch: FetchNode, body: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        """The subgraph's payload, or None and the error for a fetch that failed as a whole."""
        self.result.fetches += 1
        try:
            return await self.send(fetch.service_name, orjson.dumps(body), fetch.operation_kind == "mutation"), _NONE
        except SubgraphError as exc:
            return None, exc.to_graphql()


_NONE: dict[str, Any] = {}


def _fill(obj: dict[str, Any], entity: dict[str, Any], interfaces: frozenset[str]) -> None:
    """An entity's fields into the object that asked for it."""
    if obj.keys().isdisjoint(entity):  # the usual case: only new fields
        obj.update(entity)
    else:
        merge_into(obj, entity, interfaces)


def _entry(err: dict[str, Any], service: str) -> dict[str, Any]:
    """A subgraph's error as the gateway reports it: its message and extensions, plus the service."""
    out: dict[str, Any] = {"message": str(err.get("message", "Subgraph error"))}
    extensions = dict(err["extensions"]) if isinstance(err.get("extensions"), dict) else {}
    extensions["serviceName"] = service
    out["extensions"] = extensions
    return out


def _unaliased(fetch: FetchNode, path: list[Any]) -> list[Any]:
    """A subgraph error's path with the planner's aliases replaced by the response keys they stand for."""
    if fetch.renames is None:
        return path
    originals = fetch.renames.originals()
    return [originals.get(step, step) if isinstance(step, str) else step for step in path]


def _client_keys(fetch: FetchNode) -> tuple[str, ...]:
    """The response keys a fetch fills at its top level, as the response tree holds them."""
    keys = fetch_keys(fetch.operation)
    if fetch.renames is None:
        return keys
    originals = dict(fetch.renames.keys)
    return tuple(dict.fromkeys(originals.get(k, k) for k in keys))


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0
