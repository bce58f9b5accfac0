"""Ways into another subgraph from where a field is asked: keys that can be built there, and climbing.

A field under a value type (no key) can only be reached the way its object was reached: from the nearest
ancestor that some other subgraph can be entered at (an entity through its key, or the query root), with
the whole path from that ancestor down to the field. Every sub-selection the planner opens remembers where
it hangs (a ``Step`` in ``SelectionBuilder.up``), so the path can be rebuilt when the field is met.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from graphql import FieldNode

from gateway.errors import PlanningError
from gateway.planning.groups import FetchGroup
from gateway.planning.operation import Condition, OpField, OpFragment, OpItem, OpSelection
from gateway.planning.selection import SelectionBuilder

if TYPE_CHECKING:
    from graphql import SelectionSetNode

    from gateway.planning.builder import GroupBuilder
    from gateway.planning.questions import Candidate

Conds = tuple[Condition, ...]


@dataclass(frozen=True, eq=False)
class Step:
    """The field a sub-selection belongs to: ``field`` selected in ``selection`` (on ``type_name``)."""

    selection: SelectionBuilder
    type_name: str
    field: OpField
    path: tuple[str, ...]
    provided: SelectionSetNode | None
    conds: Conds


def hang(sub: SelectionBuilder, step: Step) -> None:
    """Record where ``sub`` hangs (the first field that opened it wins: merged fields share a parent)."""
    if sub.up is None:
        sub.up = step


def _wrap(step: Step, type_name: str, item: OpField, inner: OpItem, conds: Conds) -> OpField:
    """``step.field { inner }``, ``inner`` standing where ``item`` stands in the client's selection: inside the
    same fragments the client wrote, or at the parent's own type when the client asked it there."""
    written = _fragments_to(step.field.selection.items, item) if step.field.selection is not None else None
    if written is not None:
        for frag in reversed(written):
            inner = OpFragment(frag.type_condition, frag.conditions, replace(frag.selection, items=(inner,)))
    else:
        start = len(step.conds) + len(step.field.conditions)
        extra = conds[start:] if len(conds) > start else ()
        if type_name != step.field.type_name or extra:
            tc = type_name if type_name != step.field.type_name else None
            inner = OpFragment(tc, extra, OpSelection(type_name, (inner,)))
    return replace(step.field, selection=OpSelection(step.field.type_name, (inner,)))


def _fragments_to(items: tuple[OpItem, ...], item: OpField) -> list[OpFragment] | None:
    """The client fragments from ``items`` down to ``item`` (``[]``: ``item`` is one of ``items``)."""
    for candidate in items:
        if candidate is item:
            return []
        if isinstance(candidate, OpFragment):
            below = _fragments_to(candidate.selection.items, item)
            if below is not None:
                return [candidate, *below]
    return None


def climb(builder: GroupBuilder, group: FetchGroup, sel: SelectionBuilder, type_name: str, f: OpField,
          conds: Conds) -> bool:
    """Plan ``f`` (asked on ``type_name`` at ``sel``) through the nearest ancestor another subgraph can be
    entered at; False when there is none."""
    step = sel.up
    inner: OpItem = f
    item, here, here_conds = f, type_name, conds
    while isinstance(step, Step):
        # FEDERATION_NOTE: a field the client asked on an interface climbs as asked: wherever it is fetched
        # next must answer it for every implementation (a subgraph is not picked per runtime type).
        wrapped = _wrap(step, here, item, inner, here_conds)
        if builder.candidates(group.service, step.type_name, step.field.name, allow_self=False):
            # FEDERATION_NOTE: the ancestor is an entity another subgraph resolves through its key: the
            # field is fetched there with the whole path from the ancestor down (the objects on the way
            # have no key of their own), and the answers merge into the same objects.
            guard = (id(group), id(step.selection), step.path, wrapped.key)
            if guard in builder.climbing:
                raise PlanningError(f"no subgraph can resolve {type_name}.{f.name} coming from {group.service}")
            builder.climbing.add(guard)
            try:
                _enter(builder, group, step, wrapped)
            finally:
                builder.climbing.discard(guard)
            return True
        if step.path == () and not group.is_entity and climb_to_root(builder, group, step.type_name, wrapped,
                                                                   step.conds):
            return True
        inner, item, here, here_conds = wrapped, step.field, step.type_name, step.conds
        step = step.selection.up
    return False


def _enter(builder: GroupBuilder, group: FetchGroup, step: Step, wrapped: OpField) -> None:
    """Fetch ``wrapped`` for the objects of ``step.selection`` from another subgraph (or from the fetch the
    objects came from, when they sit at an entity fetch's root and that fetch can give all of it)."""
    origin = group.origin
    if group.is_entity and origin is not None and step.path in group.paths and any(
            part.selection is step.selection for part in group.entities.values()):
        source = origin.group.service
        if builder.is_local(source, step.type_name, wrapped.name, None) and builder._resolvable_below(
                source, step.type_name, wrapped, None):
            builder._add_local(origin.group, origin.selection, step.type_name, wrapped, step.path, None,
                               step.conds)
        else:
            builder._jump(origin.group, origin.selection, step.type_name, wrapped, step.path, None, step.conds,
                          allow_self=False)
        return
    builder._jump(group, step.selection, step.type_name, wrapped, step.path, step.provided, step.conds,
                  allow_self=False)


def climb_to_root(builder: GroupBuilder, group: FetchGroup, root_type: str, f: OpField, conds: Conds) -> bool:
    """Fetch the root field ``f`` (a part of the selection ``group`` cannot serve) from another subgraph's
    root; only for queries, whose root fields may be read from any subgraph that shares them."""
    info = builder.sg.field(root_type, f.name)
    if builder.kind != "query" or group.is_entity or info is None:
        return False
    others = sorted(s for s in info.resolvable_in if s != group.service)
    if not others:
        return False
    # FEDERATION_NOTE: the query root can be entered in every subgraph; a @shareable root field answers
    # the same in each, so the part one subgraph lacks comes from another one's root and merges by key.
    guard = ("root", f.key)
    if guard in builder.climbing:
        # the field's part is missing from every root tried for it: no subgraph answers it as asked
        raise PlanningError(f"no subgraph can resolve {root_type}.{f.name} as selected")
    service = builder._cheapest_root(others, root_type, f)
    target = builder.root_groups.get(service)
    if target is None:
        target = builder.root_groups[service] = builder._new_group(service, False, root_type, (), conds)
        builder.roots.append(target)
    else:
        target.conditions = tuple(c for c in target.conditions if c in conds)
    builder.climbing.add(guard)
    try:
        builder._add_local(target, target.selection, root_type, f, (), None, conds)
    finally:
        builder.climbing.discard(guard)
    return True


def key_names(c: Candidate) -> set[str]:
    """The top-level fields of a candidate's key."""
    return {node.name.value for node in c.key.selection.selections if isinstance(node, FieldNode)}


def usable_keys(builder: GroupBuilder, service: str, type_name: str, field_name: str, path: tuple[str, ...],
                provided: SelectionSetNode | None, candidates: list[Candidate]) -> list[Candidate]:
    """The candidates whose key does not need a field being fetched by a jump at this very place."""
    # FEDERATION_NOTE: a key that holds the field being fetched (``@key(fields: "items { id } picked { id }")``
    # when ``picked`` is asked) or a field whose jump is being planned right now can only be built after
    # that fetch, so such a key is no way in; another subgraph's key (or another key) is.
    busy = {field_name} | {g[2].split(".", 1)[1] for g in builder._stack if g[0] == path and g[1] == type_name}
    busy = {n for n in busy if not builder.is_local(service, type_name, n, provided)}
    return [c for c in candidates if not busy & key_names(c)]
