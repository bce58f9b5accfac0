"""Turn filled fetch groups into plan nodes: merge same-level fetches, order by dependencies."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from gateway.planning import batching
from gateway.planning.groups import FetchGroup, common_conditions
from gateway.planning.merging import fold_leaves
from gateway.planning.operation import Condition
from gateway.planning.plan import (
    ConditionNode,
    FetchNode,
    FlattenNode,
    OperationKind,
    PlanNode,
    SequenceNode,
)


def merge_same_level(groups: list[FetchGroup]) -> list[FetchGroup]:
    """Merge entity fetches to one subgraph that sit at the same dependency depth.

    Two groups at the same depth cannot depend on each other, so merging keeps the plan acyclic and
    its critical path unchanged while cutting the number of requests (one ``_entities`` call with
    representations collected from several paths). Then an entity fetch nothing waits for is folded into
    a deeper compatible one to the same subgraph (:func:`gateway.planning.merging.fold_leaves`).
    """
    level = _levels(groups)
    alive = list(groups)
    replaced: dict[int, FetchGroup] = {}
    by_key: dict[tuple[str, int], list[FetchGroup]] = {}
    for g in alive:
        if g.is_entity:
            by_key.setdefault((g.service, level[g.id]), []).append(g)
    for bucket in by_key.values():
        keep: list[FetchGroup] = []
        for g in bucket:
            into = next((k for k in keep if _compatible(k, g)), None)
            if into is None:
                keep.append(g)
                continue
            _absorb(into, g)
            replaced[g.id] = into
    out = [g for g in alive if g.id not in replaced]
    for g in out:
        g.deps = {replaced.get(d.id, d) for d in g.deps} - {g}
    return fold_leaves(out, _levels(out) if replaced else level, _compatible, _absorb)


def _levels(groups: list[FetchGroup]) -> dict[int, int]:
    level: dict[int, int] = {}
    for g in _topological(groups):
        level[g.id] = 0 if not g.deps else 1 + max(level[d.id] for d in g.deps)
    return level


def _compatible(a: FetchGroup, b: FetchGroup) -> bool:
    if a.conditions != b.conditions or a.contexts or b.contexts:  # context values are read per path
        return False
    for type_name, part in b.entities.items():
        mine = a.entities.get(type_name)
        if mine is not None and not mine.selection.compatible(part.selection):
            return False
    # the representations of both must read each field from the same response key (see RequireBuilder.conflicts)
    return not any(rkey in a.requires and a.requires[rkey].conflicts(rb) for rkey, rb in b.requires.items())


def _absorb(into: FetchGroup, other: FetchGroup) -> None:
    for p in other.paths:
        if p not in into.paths:
            into.paths.append(p)
    for type_name, part in other.entities.items():
        into.entity(type_name).merge(part.selection)
    for (tc, rewrite), rb in other.requires.items():
        into.require(tc, rewrite).merge(rb)
    into.deps |= other.deps
    into.deps.discard(into)
    into.conditions = common_conditions(into.conditions, other.conditions)


def _topological(groups: Iterable[FetchGroup]) -> list[FetchGroup]:
    ordered: list[FetchGroup] = []
    seen: set[int] = set()

    def visit(g: FetchGroup) -> None:
        if g.id in seen:
            return
        seen.add(g.id)
        for d in sorted(g.deps, key=lambda x: x.id):
            visit(d)
        ordered.append(g)

    for g in sorted(groups, key=lambda x: x.id):
        visit(g)
    return ordered


class Scheduler:
    """Places every group under the lowest common ancestor of its dependencies."""

    def __init__(self, groups: list[FetchGroup], to_fetch: Callable[[FetchGroup], FetchNode]) -> None:
        self.groups = groups
        self.to_fetch = to_fetch
        self.home: dict[int, int | None] = {}  # group id -> id of the group it is scheduled under (None = top)
        self.children: dict[int | None, list[FetchGroup]] = {}
        for g in _topological(groups):
            home = self._lca([d.id for d in g.deps]) if g.deps else None
            self.home[g.id] = home
            self.children.setdefault(home, []).append(g)

    def _chain(self, gid: int | None) -> list[int | None]:
        chain: list[int | None] = []
        while gid is not None:
            chain.append(gid)
            gid = self.home[gid]
        chain.append(None)
        return chain

    def _lca(self, ids: list[int]) -> int | None:
        chains = [self._chain(i) for i in ids]
        first = chains[0]
        for candidate in first:
            if all(candidate in c for c in chains[1:]):
                return candidate
        return None

    def _under(self, gid: int, ancestor: int) -> bool:
        return ancestor in self._chain(gid)

    def children_node(self, anchor: int | None, applied: tuple[Condition, ...]) -> PlanNode | None:
        kids = sorted(self.children.get(anchor, []), key=lambda g: g.id)
        if not kids:
            return None
        # a child waits for the siblings whose subtrees hold one of its dependencies
        after: dict[int, set[int]] = {}
        for k in kids:
            waits = set()
            for d in k.deps:
                if d.id == anchor:
                    continue
                for s in kids:
                    if s is not k and self._under(d.id, s.id):
                        waits.add(s.id)
            after[k.id] = waits
        stages: list[list[FetchGroup]] = []
        placed: set[int] = set()
        remaining = list(kids)
        while remaining:
            ready = [k for k in remaining if after[k.id] <= placed]
            if not ready:  # cannot happen for an acyclic graph; keep going deterministically
                ready = remaining[:1]
            stages.append(ready)
            placed |= {k.id for k in ready}
            remaining = [k for k in remaining if k.id not in placed]
        nodes: list[PlanNode] = []
        for stage in stages:
            subtrees = [self.subtree(k, applied) for k in stage]
            nodes.append(subtrees[0] if len(subtrees) == 1 else batching.parallel(subtrees))
        return nodes[0] if len(nodes) == 1 else SequenceNode(tuple(_flatten_sequence(nodes)))

    def subtree(self, group: FetchGroup, applied: tuple[Condition, ...]) -> PlanNode:
        fetch = self.to_fetch(group)
        own: PlanNode = FlattenNode(tuple(group.paths), fetch) if group.is_entity else fetch
        new_conditions = tuple(c for c in group.conditions if c not in applied)
        inner_applied = applied + new_conditions
        rest = self.children_node(group.id, inner_applied)
        node: PlanNode = own if rest is None else SequenceNode(tuple(_flatten_sequence([own, rest])))
        for cond in reversed(new_conditions):
            node = ConditionNode(cond.variable, node, None) if cond.include else ConditionNode(cond.variable, None,
                                                                                                node)
        return node


def _flatten_sequence(nodes: list[PlanNode]) -> list[PlanNode]:
    out: list[PlanNode] = []
    for n in nodes:
        if isinstance(n, SequenceNode):
            out.extend(n.nodes)
        else:
            out.append(n)
    return out


def schedule(groups: list[FetchGroup], roots: list[FetchGroup], kind: OperationKind,
             to_fetch: Callable[[FetchGroup], FetchNode]) -> PlanNode | None:
    """Build the plan tree; for mutations each root fetch (with its dependants) runs in order."""
    scheduler = Scheduler(groups, to_fetch)
    if kind != "mutation":
        return scheduler.children_node(None, ())
    parts = [scheduler.subtree(r, ()) for r in roots]
    if not parts:
        return None
    return parts[0] if len(parts) == 1 else SequenceNode(tuple(_flatten_sequence(parts)))
