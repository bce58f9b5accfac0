"""Run a query plan: fetch nodes concurrently where the plan allows, batch entities, merge results."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import orjson

from gateway.errors import SubgraphError
from gateway.execution.merge import collect, merge_into, representation
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
        positions: list[tuple[dict[str, Any], tuple[str | int, ...]]] = []
        for path in node.paths:
            collect(self.result.data, path, positions)
        if not positions:
            return
        reps: list[dict[str, Any]] = []
        first_paths: list[tuple[str | int, ...]] = []
        index: dict[bytes, int] = {}
        targets: list[tuple[dict[str, Any], int]] = []
        for obj, at in positions:
            rep = representation(obj, fetch.requires)
            if rep is None:
                continue
            key = orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
            i = index.get(key)
            if i is None:
                i = index[key] = len(reps)
                reps.append(rep)
                first_paths.append(at)
            targets.append((obj, i))
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
            for obj, i in targets:
                entity = entities[i]
                if isinstance(entity, dict):
                    merge_into(obj, entity, self.interfaces)
        elif data is not None and not payload.get("errors"):
            self.result.errors.append({
                "message": f"Subgraph {fetch.service_name} returned {_count(entities)} entities for "
                           f"{len(reps)} representations",
                "extensions": {"code": "SUBREQUEST_HTTP_ERROR", "serviceName": fetch.service_name}})
        self._subgraph_errors(fetch.service_name, payload.get("errors"), first_paths)

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

    def _subgraph_errors(self, service: str, errors: Any, entity_paths: list[tuple[str | int, ...]] | None) -> None:
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
                    out["path"] = [*entity_paths[path[1]], *path[2:]]
            extensions = dict(err["extensions"]) if isinstance(err.get("extensions"), dict) else {}
            extensions["serviceName"] = service
            out["extensions"] = extensions
            self.result.errors.append(out)


def _count(value: Any) -> int:
    return len(value) if isinstance(value, list) else 0
