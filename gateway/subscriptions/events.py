"""Run one subscription event through the usual plan: the root fetch's answer is the event itself."""

from __future__ import annotations

from typing import Any

from gateway.execution.executor import PlanExecutor, Send
from gateway.planning.plan import ConditionNode, FetchNode, ParallelNode, PlanNode, QueryPlan, SequenceNode
from gateway.planning.shape import ShapeSelection


class EventExecutor(PlanExecutor):
    """A plan executor whose subscription fetch is answered by an event already received from the subgraph.

    Every other fetch of the plan (the entity fields of the event that live in other subgraphs) goes out
    as for a query.
    """

    def __init__(self, event: dict[str, Any], send: Send, variables: dict[str, Any], interfaces: frozenset[str],
                 shape: ShapeSelection | None = None) -> None:
        super().__init__(send, variables, interfaces, shape)
        self.event = event

    async def _send(self, fetch: FetchNode, body: dict[str, Any]) -> tuple[dict[str, Any] | None, dict[str, Any]]:
        if fetch.operation_kind == "subscription":
            return self.event, {}
        return await super()._send(fetch, body)


def subscription_fetch(plan: QueryPlan, variables: dict[str, Any]) -> FetchNode | None:
    """The plan's fetch of the subscription root field (run first); None when the variables skip it."""
    return _first(plan.node, variables) if plan.node is not None else None


def _first(node: PlanNode, variables: dict[str, Any]) -> FetchNode | None:
    if isinstance(node, FetchNode):
        return node if node.operation_kind == "subscription" else None
    if isinstance(node, SequenceNode | ParallelNode):
        for child in node.nodes:
            found = _first(child, variables)
            if found is not None:
                return found
        return None
    if isinstance(node, ConditionNode):
        branch = node.if_clause if variables.get(node.condition) else node.else_clause
        return _first(branch, variables) if branch is not None else None
    return None  # a FlattenNode: entity fetches come after the root fetch
