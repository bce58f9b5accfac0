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
from gateway.planning.operation import Condition, OpField, OpFragment, OpItem
from gateway.planning.plan import ContextRewrite, RequireField, RequireFragment, RequireItem
from gateway.planning.selection import FieldBuilder, SelectionBuilder
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
    variables: dict[tuple[object, ...], str] = builder.__dict__.setdefault("context_variables", {})
    for arg in contextual.arguments:
        # the same field at the same place (asked in several fragments) shares one variable
        variable = variables.setdefault((path, type_name, f.key, arg.name), f"contextualArgument_{len(variables)}")
        setters = builder.sg.context_setters.get(arg.context, frozenset())
        chosen = [level for level in levels if setters.intersection(builder.sg.possible_types(level.type_name))]
        # FEDERATION_NOTE: the context's fields are read under their own names, unless the client took such
        # a response key for something else at one of the ancestors: then under a planner alias everywhere
        aliased = any(_taken(level.selection, name) for level in chosen for name in _top_names(arg.parsed))
        for level in chosen:
            mark = len(builder._touch)
            builder._touch.append(level.group)
            level.selection.add_typename()
            wanted = builder._normalizer.selection(level.type_name, arg.parsed)
            if aliased:
                wanted = replace(wanted, items=_aliased(wanted.items))
            builder.plan_items(level.group, level.selection, level.type_name, wanted.items, level.path,
                               level.provided, level.conds)
            needs.providers |= {level.group, *builder._touch[mark:]}
        needs.rewrites.append(ContextRewrite(variable, arg.type, arg.context, setters,
                                             _frozen(arg.parsed, builder.sg, aliased)))
        arguments.append(ArgumentNode(name=NameNode(value=arg.name), value=VariableNode(name=NameNode(value=variable))))
    builder._jump(group, sel, type_name, replace(f, arguments=tuple(arguments)), path, provided, conds,
                  allow_self=True, context=needs)


_ALIAS = "{}__context"


def _top_names(selection: SelectionSetNode) -> Iterator[str]:
    """The field names of a context selection at the ancestor's own level (through its type conditions)."""
    for node in selection.selections:
        if isinstance(node, FieldNode):
            yield node.name.value
        elif isinstance(node, InlineFragmentNode):
            yield from _top_names(node.selection_set)


def _taken(sel: SelectionBuilder, name: str) -> bool:
    """True when the response key ``name`` of ``sel`` (or of its fragments) holds another field than ``name``."""
    for item in sel.items.values():
        if isinstance(item, FieldBuilder):
            if item.key == name and (item.name != name or item.arguments):
                return True
        elif _taken(item.sub, name):
            return True
    return False


def _aliased(items: tuple[OpItem, ...]) -> tuple[OpItem, ...]:
    out: list[OpItem] = []
    for item in items:
        if isinstance(item, OpFragment):
            out.append(replace(item, selection=replace(item.selection, items=_aliased(item.selection.items))))
        else:
            out.append(replace(item, key=_ALIAS.format(item.name)))
    return tuple(out)


def _frozen(selection: SelectionSetNode, sg: Supergraph, aliased: bool, top: bool = True) -> tuple[RequireItem, ...]:
    """The context's selection as the executor reads it from an ancestor object."""
    items: list[RequireItem] = []
    for node in selection.selections:
        if isinstance(node, FieldNode):
            sub = _frozen(node.selection_set, sg, aliased, False) if node.selection_set is not None else ()
            name = node.name.value
            items.append(RequireField(name, sub, _ALIAS.format(name) if aliased and top else name))
        elif isinstance(node, InlineFragmentNode):
            tc = node.type_condition.name.value if node.type_condition is not None else ""
            items.append(RequireFragment(tc, _frozen(node.selection_set, sg, aliased, top), None,
                                         frozenset(sg.possible_types(tc)) | {tc} if tc else frozenset()))
    return tuple(items)
