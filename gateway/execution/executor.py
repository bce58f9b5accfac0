"""Run a query plan: fetch nodes concurrently where the plan allows, batch entities, merge results."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.errors import SubgraphError
from gateway.execution.merge import collect, merge_into, objects_at
from gateway.execution.representations import Representations
from gateway.planning.plan import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    ParallelNode,
    PlanNode,
    QueryPlan,
    SequenceNode,
)

# (service, request body, is_mutation) -> GraphQL response payload; raises SubgraphError subclasses
Send = Callable[[str, bytes, bool], Awaitable[dict[str, Any]]]


@dataclass
class ExecutionResult:
    data: dict[str, Any]
    errors: list[dict[str, Any]] = field(default_factory=list)
    fetches: int = 0


class PlanExecutor:
    """Executes one plan for one request; not shared between requests."""

    def __init__(self, send: Send, variables: dict[str, Any], interfaces: frozenset[str]) -> None:
        self.send = send
        self.variables = variables
        self.interfaces = interfaces
        self.result = ExecutionResult({})

    async def run(self, plan: QueryPlan) -> ExecutionResult:
        if plan.node is not None:
            await self._node(plan.node)
        return self.result

    async def _node(self, node: PlanNode) -> None:
        if isinstance(node, SequenceNode):
            for child in node.nodes:
                await self._node(child)
        elif isinstance(node, ParallelNode):
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
        body: dict[str, Any] = {"query": fetch.operation}
        if fetch.variable_usages:
            body["variables"] = self._variables(fetch)
        if fetch.operation_name:
            body["operationName"] = fetch.operation_name
        payload = await self._send(fetch, body, None)
        if payload is None:
            return
        data = payload.get("data")
        if isinstance(data, dict):
            merge_into(self.result.data, data, self.interfaces)
        self._subgraph_errors(fetch.service_name, payload.get("errors"), None)

    async def _entities(self, node: FlattenNode) -> None:
        fetch = node.node
        objects: list[dict[str, Any]] = []
        for path in node.paths:
            objects_at(self.result.data, path, objects)
        if not objects:
            return
        wanted = Representations(fetch.requires)
        wanted.add_all(objects)
        reps = wanted.reps
        if not reps:
            return
        variables = self._variables(fetch)
        variables["representations"] = reps
        body: dict[str, Any] = {"query": fetch.operation, "variables": variables}
        if fetch.operation_name:
            body["operationName"] = fetch.operation_name
        payload = await self._send(fetch, body, None)
        if payload is None:
            return
        data = payload.get("data")
        entities = data.get("_entities") if isinstance(data, dict) else None
        if isinstance(entities, list) and len(entities) == len(reps):
            interfaces = self.interfaces
            for obj, i in wanted.targets:
                entity = entities[i]
                if type(entity) is dict:
                    if obj.keys().isdisjoint(entity):  # the usual case: only new fields
                        obj.update(entity)
                    else:
                        merge_into(obj, entity, interfaces)
        elif data is not None and not payload.get("errors"):
            self.result.errors.append({
                "message": f"Subgraph {fetch.service_name} returned {_count(entities)} entities for "
                           f"{len(reps)} representations",
                "extensions": {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": fetch.service_name}})
        errors = payload.get("errors")
        if isinstance(errors, list) and errors:
            self._subgraph_errors(fetch.service_name, errors, self._paths_of(node, wanted.firsts))

    def _paths_of(self, node: FlattenNode, objects: list[dict[str, Any]]) -> list[tuple[str | int, ...] | None]:
        """Response paths of ``objects`` (found again by identity), for error paths only."""
        found: list[tuple[dict[str, Any], tuple[str | int, ...]]] = []
        for path in node.paths:
            collect(self.result.data, path, found)
        where: dict[int, tuple[str | int, ...]] = {}
        for obj, at in found:
            where.setdefault(id(obj), at)
        return [where.get(id(obj)) for obj in objects]

    async def _send(self, fetch: FetchNode, body: dict[str, Any],
                    error_path: tuple[str | int, ...] | None) -> dict[str, Any] | None:
        self.result.fetches += 1
        try:
            return await self.send(fetch.service_name, orjson.dumps(body), fetch.operation_kind == "mutation")
        except SubgraphError as exc:
            error = exc.to_graphql()
            if error_path:
                error["path"] = list(error_path)
            self.result.errors.append(error)
            return None

    def _subgraph_errors(self, service: str, errors: Any,
                         entity_paths: list[tuple[str | int, ...] | None] | None) -> None:
        if not isinstance(errors, list):
            return
        for err in errors:
            if not isinstance(err, dict):
                continue
            out: dict[str, Any] = {"message": str(err.get("message", "Subgraph error"))}
            path = err.get("path")
            if isinstance(path, list):
                if entity_paths is None:
                    out["path"] = path
                elif len(path) >= 2 and path[0] == "_entities" and isinstance(path[1], int) \
                        and 0 <= path[1] < len(entity_paths):
                    at = entity_paths[path[1]]
                    if at is not None:
                        out["path"] = [*at, *path[2:]]
            extensions = dict(err["extensions"]) if isinstance(err.get("extensions"), dict) else {}
            extensions["serviceName"] = service
            out["extensions"] = extensions
            self.result.errors.append(out)


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0
