"""Run a parallel node whose entity fetches to one subgraph share one request (planning/batching.py).

Each member collects its representations as it would alone; members with none are sent an empty list
(the operation text is fixed at plan time); when only one member has any, its own operation is sent.
The response's ``_eK`` list and the errors whose path starts at ``_eK`` (re-rooted at ``_entities``)
go to member K only, through the same code as a lone entity fetch, so error paths and holes are
the ones that fetch would report. Errors without such a path concern every member: each places them
on the objects whose entity did not come back, as a lone fetch does with an error without a path.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from gateway.planning.plan import BatchedFetch, FlattenNode, ParallelNode

if TYPE_CHECKING:
    from gateway.execution.executor import PlanExecutor
    from gateway.execution.representations import Representations


async def run_parallel(executor: PlanExecutor, node: ParallelNode) -> None:
    batched = {i for b in node.batches for i in b.members}
    await asyncio.gather(*(executor._node(child) for i, child in enumerate(node.nodes) if i not in batched),
                         *(_run(executor, node, batch) for batch in node.batches))


async def _run(executor: PlanExecutor, node: ParallelNode, batch: BatchedFetch) -> None:
    parts: list[tuple[int, FlattenNode, Representations]] = []
    for k, i in enumerate(batch.members):
        member = node.nodes[i]
        assert isinstance(member, FlattenNode)
        wanted = executor._wanted(member)
        if wanted is not None:
            parts.append((k, member, wanted))
    if not parts:
        return
    if len(parts) == 1:
        _, member, wanted = parts[0]
        await executor._entities(member, wanted)
        return
    given = executor.variables
    variables: dict[str, Any] = {v: given[v] for v in batch.variable_usages if v in given}
    for name in batch.variables:
        variables[name] = []
    for k, _, wanted in parts:
        variables[batch.variables[k]] = wanted.reps
    body: dict[str, Any] = {"query": batch.operation, "variables": variables}
    if batch.operation_name:
        body["operationName"] = batch.operation_name
    payload, failure = await executor._send(parts[0][1].node, body)
    if payload is None:  # the request failed as a whole: every member failed as it would alone
        for _, member, wanted in parts:
            executor._entity_holes(member, failure, [obj for obj, _ in wanted.targets])
        return
    data = payload.get("data")
    by_alias, unplaced = _split_errors(payload.get("errors"), batch.aliases)
    for k, member, wanted in parts:
        alias = batch.aliases[k]
        entities = data.get(alias) if isinstance(data, dict) else None
        errors = by_alias.get(alias, []) + unplaced
        executor._entity_payload(member, wanted, data, entities, errors)


def _split_errors(errors: Any, aliases: tuple[str, ...]) -> tuple[dict[str, list[Any]], list[Any]]:
    """Errors by the alias their path starts at (the path re-rooted at ``_entities``), and the rest."""
    by_alias: dict[str, list[Any]] = {}
    unplaced: list[Any] = []
    if not isinstance(errors, list):
        return by_alias, unplaced
    known = set(aliases)
    for err in errors:
        path = err.get("path") if isinstance(err, dict) else None
        if isinstance(path, list) and path and isinstance(path[0], str) and path[0] in known:
            by_alias.setdefault(path[0], []).append({**err, "path": ["_entities", *path[1:]]})
        else:
            unplaced.append(err)
    return by_alias, unplaced
