"""Merging independent entity fetches to one subgraph across plan levels, decided at plan time.

:func:`gateway.planning.schedule.merge_same_level` merges entity fetches to one subgraph at the same
dependency depth. This module adds the case where two such fetches sit at different depths but neither
depends on the other: a fetch that nothing waits for (a leaf of the dependency graph) is folded into a
deeper, compatible fetch to the same subgraph, so both go out as one ``_entities`` request with the
representations of both.

Why this never lengthens the plan: the leaf's own dependencies all finish before its depth, so the
merged fetch still starts at the deeper fetch's depth; its dependants are the deeper fetch's and wait
for exactly what they waited for before; and nothing waited for the leaf. The number of sequential
steps of the plan stays the same, one request fewer is sent.
"""

from __future__ import annotations

from collections.abc import Callable

from gateway.planning.groups import FetchGroup


def fold_leaves(groups: list[FetchGroup], levels: dict[int, int],
                compatible: Callable[[FetchGroup, FetchGroup], bool],
                absorb: Callable[[FetchGroup, FetchGroup], None]) -> list[FetchGroup]:
    """Fold each entity leaf into the shallowest deeper entity fetch to the same subgraph it fits.

    ``levels`` is the dependency depth of every group (0 = no dependencies); ``compatible(into, other)``
    and ``absorb(into, other)`` are the same-level merge's checks and merge. Returns the groups left.
    """
    waited_for = {d.id for g in groups for d in g.deps}
    gone: set[int] = set()
    # shallow leaves first (they are delayed the most by waiting), then by id: a stable, deterministic order
    for leaf in sorted(groups, key=lambda g: (levels[g.id], g.id)):
        if not leaf.is_entity or leaf.id in waited_for or leaf.id in gone:
            continue
        depth = levels[leaf.id]
        candidates = [g for g in groups
                      if g.is_entity and g.id not in gone and g is not leaf and g.service == leaf.service
                      and levels[g.id] > depth and compatible(g, leaf)]
        if not candidates:
            continue
        into = min(candidates, key=lambda g: (levels[g.id], g.id))
        absorb(into, leaf)
        gone.add(leaf.id)
    if not gone:
        return groups
    # nothing depended on a folded leaf, so no other group's dependencies need rewriting
    return [g for g in groups if g.id not in gone]
