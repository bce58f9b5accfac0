"""Climbing: a field that no subgraph can give from where it is asked is fetched through an ancestor.

A field under a value type (no key) can only be reached the way its object was reached: from the nearest
ancestor that some other subgraph can be entered at (an entity through its key, or the query root), with
the whole path from that ancestor down to the field. Every sub-selection the planner opens remembers where
it hangs (a ``Step`` in ``SelectionBuilder.up``), so the path can be rebuilt when the field is met.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from gateway.errors import PlanningError
from gateway.planning.groups import FetchGroup
from gateway.planning.operation import Condition, OpField, OpFragment, OpItem, OpSelection
from gateway.planning.selection import SelectionBuilder

if TYPE_CHECKING:
    from graphql import SelectionSetNode

    from gateway.planning.builder import GroupBuilder

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


def _wrap(step: Step, type_name: str, inner: OpItem, conds: Conds) -> OpField:
    """``step.field { inner }``, with a fragment for a narrower type or conditions met on the way down."""
    start = len(step.conds) + len(step.field.conditions)
    extra = conds[start:] if len(conds) > start else ()
    if type_name != step.field.type_name or extra:
        tc = type_name if type_name != step.field.type_name else None
        inner = OpFragment(tc, extra, OpSelection(type_name, (inner,)))
    return replace(step.field, selection=OpSelection(step.field.type_name, (inner,)))


def climb(builder: GroupBuilder, group: FetchGroup, sel: SelectionBuilder, type_name: str, f: OpField,
          conds: Conds) -> bool:
    """Plan ``f`` (asked on ``type_name`` at ``sel``) through the nearest ancestor another subgraph can be
    entered at; False when there is none."""
    step = sel.up
    inner: OpItem = f
    here, here_conds = type_name, conds
    while isinstance(step, Step):
        wrapped = _wrap(step, here, inner, here_conds)
        if builder.candidates(group.service, step.type_name, step.field.name, allow_self=False):
            # FEDERATION_NOTE: the ancestor is an entity another subgraph resolves through its key: the
            # field is fetched there with the whole path from the ancestor down (the objects on the way
            # have no key of their own), and the answers merge into the same objects.
            guard = (id(group), id(step.selection), step.path, wrapped.key)
            if guard in builder.climbing:
                raise PlanningError(f"no subgraph can resolve {type_name}.{f.name} coming from {group.service}")
            builder.climbing.add(guard)
            try:
                builder.plan_field(group, step.selection, step.type_name, wrapped, step.path, step.provided,
                                   step.conds)
            finally:
                builder.climbing.discard(guard)
            return True
        if step.path == () and not group.is_entity and builder.climb_to_root(group, step.type_name, wrapped,
                                                                           step.conds):
            return True
        inner, here, here_conds = wrapped, step.type_name, step.conds
        step = step.selection.up
    return False

