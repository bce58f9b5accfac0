"""Satisfiability: every field of the API schema can be reached from a root field through the subgraphs.

A state is (type, subgraph the data comes from, fields that subgraph was told to `@provide` there).
From a state the planner may move to another subgraph through a resolvable `@key` (or an
`@interfaceObject` key) whose fields it can already collect; a field is satisfiable when a subgraph so
reached resolves it and can get the fields its `@requires` names. Failures are SATISFIABILITY_ERROR with
the example query that cannot be planned, the way the Federation documentation shows them.

FEDERATION_NOTE: a simplified reading of the composition's query-graph validation: key conditions and
`@requires` are checked on their top-level fields; fields an interface lacks in a subgraph are left to
that subgraph's implementations (the planner explodes the interface into them).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from gateway.compose.errors import Collector
from gateway.compose.fieldsets import FieldSetSyntax, parse_fieldset, top_level_names
from gateway.compose.model import Subgraph, SubType
from gateway.compose.supermodel import SType, Supergraph

Provided = frozenset[tuple[str, "Provided"]]
_NOTHING: Provided = frozenset()
_COMPOSITE = ("object", "interface", "union")
MAX_STATES = 200_000


def _provided(selection: SelectionSetNode | None) -> Provided:
    if selection is None:
        return _NOTHING
    items: set[tuple[str, Provided]] = set()
    for node in selection.selections:
        if isinstance(node, FieldNode):
            items.add((node.name.value, _provided(node.selection_set)))
        elif isinstance(node, InlineFragmentNode):
            items.update(_provided(node.selection_set))
    return frozenset(items)


def _provides(text: str | None) -> Provided:
    if not text:
        return _NOTHING
    try:
        return _provided(parse_fieldset(text))
    except FieldSetSyntax:
        return _NOTHING


def _text(provided: Provided) -> str:
    """A canonical spelling of a provided set (for a stable order)."""
    return " ".join(sorted(name + ("{" + _text(sub) + "}" if sub else "") for name, sub in provided))


def _child(provided: Provided, name: str) -> Provided | None:
    for n, sub in provided:
        if n == name:
            return sub
    return None


Option = tuple[str, Provided]  # (subgraph the data comes from, fields it was told to provide there)
#: (graph, type to read fields from there) pairs reached through keys, in the order they were reached
Reached = dict[tuple[str, str], None]


@dataclass(frozen=True)
class State:
    """A type reached through a path, with every subgraph the planner could be in at that point."""

    type: str
    options: frozenset[Option]
    path: tuple[str, ...]  # printed selection steps ("field" or "... on Type")


class _Checker:
    def __init__(self, subgraphs: list[Subgraph], supergraph: Supergraph, errors: Collector, *,
                 labels_on: bool = True, reported: set[tuple[str, str]] | None = None) -> None:
        """`labels_on`: check the graph with every progressive-override label on (the overriding subgraphs
        resolve the fields) or off (the overridden subgraphs still do, the overriding ones not yet)."""
        self.subs = {s.name: s for s in subgraphs}
        self.sg = supergraph
        self.errors = errors
        self.lost: dict[tuple[str, str], set[str]] = {}
        for s in subgraphs:
            for t in s.types.values():
                for f in t.fields.values():
                    if not f.override or f.override == s.name or not self._has_field(f.override, t.name, f.name):
                        continue  # FEDERATION_NOTE: an @override of a field its source lacks changes nothing
                    if f.override_label is None or labels_on:
                        self.lost.setdefault((t.name, f.name), set()).add(f.override)
                    else:
                        self.lost.setdefault((t.name, f.name), set()).add(s.name)
        self.reported: set[tuple[str, str]] = reported if reported is not None else set()
        self._keys: dict[str, list[tuple[str, str, str]]] = {}

    def _has_field(self, graph: str, type_name: str, field: str) -> bool:
        t = self.subs[graph].types.get(type_name) if graph in self.subs else None
        return t is not None and field in t.fields

    def sub_type(self, graph: str, name: str) -> SubType | None:
        return self.subs[graph].types.get(name)

    def resolves(self, graph: str, type_name: str, field: str, provided: Provided | None) -> bool:
        t = self.sub_type(graph, type_name)
        f = t.fields.get(field) if t else None
        if f is None or graph in self.lost.get((type_name, field), set()):
            return False
        return not f.external or (provided is not None and _child(provided, field) is not None)

    def api_fields(self, t: SType) -> list[str]:
        result = []
        for f in t.fields.values():
            target = self.sg.types.get(f.type.named)
            if not f.meta.inaccessible and not (target and target.meta.inaccessible):
                result.append(f.name)
        return result

    # -- moving between subgraphs -----------------------------------------------------------------
    def _key_graphs(self, type_name: str) -> list[tuple[str, str, str]]:
        """(graph, key fields, the type that holds the key there) for every resolvable key of the type,
        including keys of `@interfaceObject`s of the interfaces it implements."""
        if type_name in self._keys:
            return self._keys[type_name]
        found: list[tuple[str, str, str]] = []
        names = [type_name]
        st = self.sg.types.get(type_name)
        if st is not None:
            names += st.interfaces
        for name in names:
            for graph, sub in self.subs.items():
                t = sub.types.get(name)
                if t is None or (name != type_name and not t.interface_object):
                    continue
                found.extend((graph, k.fields, name) for k in t.keys if k.resolvable)
        self._keys[type_name] = found
        return found

    def closure(self, type_name: str, option: Option) -> Reached:
        """(graph, the type name to read fields from there): the type, or an interface object. A graph can be
        reached both ways (it has the type and an interface object of one of its interfaces)."""
        reached: Reached = {(option[0], type_name): None}
        keys = self._key_graphs(type_name)
        changed = True
        while changed:
            changed = False
            for target, fields, holder in keys:
                if (target, holder) in reached:
                    continue
                if all(self._collectable(reached, option, n) for n in top_level_names(fields)):
                    reached[(target, holder)] = None
                    changed = True
        return reached

    def _collectable(self, reached: Reached, option: Option, name: str) -> bool:
        return any(self.resolves(g, holder, name, option[1] if g == option[0] else None)
                   for g, holder in reached)

    # -- exploration --------------------------------------------------------------------------------
    def run(self) -> None:
        queue: deque[State] = deque()
        for root in self.sg.roots.values():
            st = self.sg.types[root]
            for fname in self.api_fields(st):
                options = {self._next(g, root, fname, None) for g in self.subs if self.resolves(g, root, fname, None)}
                self._push(queue, st.fields[fname].type.named, options, (fname,))
        seen: set[tuple[str, frozenset[Option]]] = set()
        while queue and len(seen) < MAX_STATES:
            state = queue.popleft()
            marker = (state.type, state.options)
            if marker in seen:
                continue
            seen.add(marker)
            self._visit(queue, state)

    def _push(self, queue: deque[State], target: str, options: set[Option], path: tuple[str, ...]) -> None:
        st = self.sg.types.get(target)
        if options and st is not None and st.kind in _COMPOSITE:
            queue.append(State(target, frozenset(options), path))

    def _next(self, graph: str, parent: str, field: str, provided: Provided | None) -> Option:
        holder = self.sub_type(graph, parent)
        sub_field = holder.fields.get(field) if holder else None
        inherited = _child(provided, field) if provided is not None else None
        return (graph, (inherited or _NOTHING) | _provides(sub_field.provides if sub_field else None))

    def _visit(self, queue: deque[State], state: State) -> None:
        st = self.sg.types[state.type]
        if st.kind == "union":
            for member in st.members:
                having = {o for o in state.options
                          if member in getattr(self.sub_type(o[0], state.type), "members", ())}
                self._push(queue, member, having, (*state.path, f"... on {member}"))
            return
        options = sorted(state.options, key=lambda o: (o[0], _text(o[1])))
        closures = [(o, self.closure(state.type, o)) for o in options]
        for fname in self.api_fields(st):
            following: set[Option] = set()
            for option, reached in closures:
                for g, holder in reached:
                    own = option[1] if g == option[0] else None
                    if self.resolves(g, holder, fname, own) and self._requires_ok(g, holder, fname, reached, option):
                        following.add(self._next(g, holder, fname, own))
            if not following:
                if not (st.kind == "interface" and self._has_implementations(st.name, options)):
                    self._report(state, st, fname, options[0], closures[0][1])
                continue
            self._push(queue, st.fields[fname].type.named, following, (*state.path, fname))
        if st.kind == "interface":
            implementations: dict[str, set[Option]] = {}
            for option, reached in closures:
                for g, holder in reached:
                    t = self.sub_type(g, holder)
                    if t is None or t.interface_object or holder != state.type:
                        continue
                    for impl in self.subs[g].types.values():
                        if state.type in impl.interfaces and impl.kind == "object":
                            provided = option[1] if g == option[0] else _NOTHING
                            implementations.setdefault(impl.name, set()).add((g, provided))
            for name in sorted(implementations):
                self._push(queue, name, implementations[name], (*state.path, f"... on {name}"))

    def _has_implementations(self, type_name: str, options: list[Option]) -> bool:
        return any(type_name in t.interfaces for g, _ in options for t in self.subs[g].types.values())

    def _requires_ok(self, graph: str, holder: str, fname: str, reached: Reached, option: Option) -> bool:
        t = self.sub_type(graph, holder)
        f = t.fields.get(fname) if t else None
        if f is None or not f.requires:
            return True
        return all(self._collectable(reached, option, n) for n in top_level_names(f.requires))

    def _report(self, state: State, st: SType, fname: str, option: Option, reached: Reached) -> None:
        marker = (st.name, fname)
        if marker in self.reported:
            return
        self.reported.add(marker)
        origin = option[0]
        reasons = [f'  - cannot find field "{st.name}.{fname}".']
        for graph, sub in self.subs.items():
            t = sub.types.get(st.name)
            if graph == origin or t is None or fname not in t.fields or t.fields[fname].external:
                continue
            keys = [k for k in t.keys if k.resolvable]
            if any(g == graph for g, _ in reached):
                reasons.append(f'  - cannot satisfy @requires of field "{st.name}.{fname}" in subgraph "{graph}".')
            elif not keys:
                reasons.append(f'  - cannot move to subgraph "{graph}", which has field "{st.name}.{fname}", '
                               f'because type "{st.name}" has no @key defined in subgraph "{graph}".')
            else:
                reasons.extend(f'  - cannot move to subgraph "{graph}" using @key(fields: "{k.fields}") of '
                               f'"{st.name}", the key field(s) cannot be resolved from subgraph "{origin}".'
                               for k in keys)
        steps = (*state.path, fname)
        query = "{\n" + "".join("  " * (i + 1) + step + " {\n" for i, step in enumerate(steps[:-1]))
        query += "  " * len(steps) + steps[-1] + "\n"
        query += "".join("  " * (i + 1) + "}\n" for i in reversed(range(len(steps) - 1))) + "}"
        self.errors.add(
            "SATISFIABILITY_ERROR",
            f"The following supergraph API query:\n{query}\ncannot be satisfied by the subgraphs because:\n"
            f'- from subgraph "{origin}":\n' + "\n".join(reasons),
            subgraph=origin, type=st.name, field=fname)


def check_satisfiability(subgraphs: list[Subgraph], supergraph: Supergraph, errors: Collector) -> None:
    """Add a SATISFIABILITY_ERROR for every API field no query plan can reach — with progressive-override
    labels on and, when there are any, with them off too (each state serves some requests)."""
    on = _Checker(subgraphs, supergraph, errors)
    on.run()
    if any(f.override_label for s in subgraphs for t in s.types.values() for f in t.fields.values()):
        _Checker(subgraphs, supergraph, errors, labels_on=False, reported=on.reported).run()
