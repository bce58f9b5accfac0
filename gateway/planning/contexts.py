"""Plan fields with ``@fromContext`` arguments (Federation 2.8).

The field is always fetched by its own ``_entities`` call to the subgraph that declares the argument, even
when the object comes from that subgraph already: the argument's value is not in the client's request but
in the response tree, so it can only be known once the ancestors are fetched. For each context argument:

- every ancestor level of the field (up through the fetches the objects came from) whose type can be one
  that sets the context gets ``__typename`` and the context's selection (fetched wherever it lives, through
  the usual jumps);
- the entity fetch declares a variable for the argument, passes it as the field's argument and carries a
  :class:`ContextRewrite`: at execution the value is read from the nearest ancestor object whose
  ``__typename`` sets the context (FEDERATION_NOTE: the nearest one wins, as in the reference planner's
  context paths), and objects with different values go in different requests.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from graphql import (
    ArgumentNode,
    FieldNode,
    InlineFragmentNode,
    NameNode,
    SelectionSetNode,
    VariableNode,
)

from gateway.planning.groups import FetchGroup
from gateway.planning.operation import Condition, OpField
from gateway.planning.plan import ContextRewrite, RequireField, RequireFragment, RequireItem
from gateway.planning.selection import SelectionBuilder
from gateway.supergraph.model import ContextArgument, Supergraph

if TYPE_CHECKING:
    from gateway.planning.builder import GroupBuilder
    from gateway.planning.questions import Provided

Conds = tuple[Condition, ...]


@dataclass(frozen=True)
class Contextual:
    """The subgraph that fills some arguments of a field from contexts, and those arguments."""

    service: str
    arguments: tuple[ContextArgument, ...]


@dataclass
class ContextNeeds:
    """What a contextual jump adds to the fetch it lands in: the groups that fetch the context values and
    the rewrites that read them."""

    service: str
    providers: set[FetchGroup] = field(default_factory=set)
    rewrites: list[ContextRewrite] = field(default_factory=list)


def contextual_field(sg: Supergraph, type_name: str, field_name: str) -> Contextual | None:
    """The context arguments of ``type_name.field_name`` in the subgraph that resolves it, if any."""
    info = sg.field(type_name, field_name)
    if info is None or not info.context_arguments:
        return None
    for graph in sorted(info.context_arguments):
        if graph in info.resolvable_in:
            return Contextual(graph, info.context_arguments[graph])
    return None


@dataclass(frozen=True)
class _Level:
    group: FetchGroup
    selection: SelectionBuilder
    type_name: str
    path: tuple[str, ...]
    provided: Provided
    conds: Conds


def _ancestors(group: FetchGroup, sel: SelectionBuilder) -> Iterator[_Level]:
    """The selections of the field's ancestor objects, nearest first (through the fetches they came from)."""
    from gateway.planning.reach import Step

    seen = 0
    while seen < 256:  # bounded: a selection tree is finite, the bound only guards against a cycle
        seen += 1
        step = sel.up
        if isinstance(step, Step):
            yield _Level(group, step.selection, step.type_name, step.path, step.provided, step.conds)
            sel = step.selection
            continue
        origin = group.origin
        if group.is_entity and origin is not None and any(p.selection is sel for p in group.entities.values()):
            group, sel = origin.group, origin.selection  # the same objects, where they were fetched
            continue
        return


def plan_contextual(builder: GroupBuilder, group: FetchGroup, sel: SelectionBuilder, type_name: str, f: OpField,
                    path: tuple[str, ...], provided: Provided, conds: Conds, contextual: Contextual) -> None:
    """Plan ``f`` (on ``type_name`` at ``sel``) whose arguments ``contextual.arguments`` come from contexts."""
    needs = ContextNeeds(contextual.service)
    arguments = [a for a in f.arguments if a.name.value not in {c.name for c in contextual.arguments}]
    levels = list(_ancestors(group, sel))
    for arg in contextual.arguments:
        counter = getattr(builder, "context_variables", 0)
        builder.context_variables = counter + 1  # type: ignore[attr-defined]
        variable = f"contextualArgument_{counter}"
        setters = builder.sg.context_setters.get(arg.context, frozenset())
        for level in levels:
            if not setters.intersection(builder.sg.possible_types(level.type_name)):
                continue
            mark = len(builder._touch)
            builder._touch.append(level.group)
            level.selection.add_typename()
            wanted = builder._normalizer.selection(level.type_name, arg.parsed)
            builder.plan_items(level.group, level.selection, level.type_name, wanted.items, level.path,
                               level.provided, level.conds)
            needs.providers |= {level.group, *builder._touch[mark:]}
        needs.rewrites.append(ContextRewrite(variable, arg.type, arg.context, setters,
                                             _frozen(arg.parsed, builder.sg)))
        arguments.append(ArgumentNode(name=NameNode(value=arg.name), value=VariableNode(name=NameNode(value=variable))))
    builder._jump(group, sel, type_name, replace(f, arguments=tuple(arguments)), path, provided, conds,
                  allow_self=True, context=needs)


def _frozen(selection: SelectionSetNode, sg: Supergraph) -> tuple[RequireItem, ...]:
    """The context's selection as the executor reads it from an ancestor object."""
    items: list[RequireItem] = []
    for node in selection.selections:
        if isinstance(node, FieldNode):
            sub = _frozen(node.selection_set, sg) if node.selection_set is not None else ()
            items.append(RequireField(node.name.value, sub))
        elif isinstance(node, InlineFragmentNode) and node.selection_set is not None:
            tc = node.type_condition.name.value if node.type_condition is not None else ""
            items.append(RequireFragment(tc, _frozen(node.selection_set, sg), None,
                                         frozenset(sg.possible_types(tc)) | {tc} if tc else frozenset()))
    return tuple(items)
