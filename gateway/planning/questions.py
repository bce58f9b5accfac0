"""Questions the planner asks about the supergraph while it walks an operation: where a field is local,
which subgraphs can take it over through a key, whether everything below a field can be reached from a
subgraph, and roughly how many fetches that would cost. No fetch group is created or changed here."""

from __future__ import annotations

from dataclasses import dataclass

from graphql import FieldNode, InlineFragmentNode, SelectionSetNode

from gateway.planning.locality import InterfaceLocality
from gateway.planning.operation import OpField, OpFragment, OpItem
from gateway.planning.reach import key_names
from gateway.planning.subgraph_types import selection_types
from gateway.supergraph.model import KeyInfo, Supergraph

Provided = SelectionSetNode | None
_COST_DEPTH = 4


@dataclass(frozen=True)
class Candidate:
    """A subgraph that can resolve a field of an entity, through one of its keys."""

    service: str
    entity_type: str  # the type named in ``_entities`` (the interface for @interfaceObject)
    key: KeyInfo
    typename_as: str | None


class SupergraphQuestions:
    """The read-only half of the planner (GroupBuilder builds on it), with its per-operation caches."""

    def __init__(self, supergraph: Supergraph) -> None:
        self.sg = supergraph
        self._resolvable: dict[tuple[str, str, int, int], tuple[OpField, Provided, bool]] = {}
        self._interfaces = InterfaceLocality(supergraph)

    def candidates(self, service: str, type_name: str, field_name: str, *, allow_self: bool) -> list[Candidate]:
        out: list[Candidate] = []
        tinfo = self.sg.types[type_name]
        finfo = tinfo.fields.get(field_name)
        interfaces = self._interfaces_of(type_name) if tinfo.kind == "object" else ()
        for other in sorted(self.sg.subgraphs):
            if other == service and not allow_self:
                continue
            if finfo is not None and other in finfo.resolvable_in:
                out.extend(Candidate(other, type_name, k, None) for k in tinfo.resolvable_keys_in(other))
            for iface in interfaces:
                iinfo = self.sg.types.get(iface)
                if iinfo is None or other not in iinfo.interface_object_in:
                    continue
                ifield = iinfo.fields.get(field_name)
                if ifield is not None and other in ifield.resolvable_in:
                    out.extend(Candidate(other, iface, k, iface) for k in iinfo.resolvable_keys_in(other))
        return out

    def is_local(self, service: str, type_name: str, field_name: str, provided: Provided) -> bool:
        if field_name == "__typename":
            return True
        info = self.sg.field(type_name, field_name)
        if info is None:
            return False
        if service in info.resolvable_in and self._interfaces.every_implementation_local(service, type_name,
                                                                                           field_name):
            return True
        return provided is not None and field_name in _provided_names(self.sg, provided, type_name)

    def _resolvable_below(self, service: str, type_name: str, f: OpField, provided: Provided) -> bool:
        """True when every field under ``f`` (local to ``service``) can be fetched, in ``service`` or by a jump
        from an object below ``f``; False when some field would have nowhere to come from."""
        cache_key = (service, type_name, id(f), id(provided))
        found = self._resolvable.get(cache_key)
        if found is not None and found[0] is f and found[1] is provided:
            return found[2]
        ok = f.selection is None or all(self._items_resolvable(
            service, sub_type, f.selection.items, self._provided_for(service, type_name, f.name, provided))
            for sub_type, _ in selection_types(self.sg, service, type_name, f.name, f.type_name))
        self._resolvable[cache_key] = (f, provided, ok)
        return ok

    def _items_resolvable(self, service: str, type_name: str, items: tuple[OpItem, ...], provided: Provided) -> bool:
        if self._is_interface_object(service, type_name):
            return True  # the concrete type is resolved elsewhere; the jump there decides
        for item in items:
            if isinstance(item, OpFragment):
                if not all(self._items_resolvable(service, t, item.selection.items, provided)
                           for t in self._fragment_types(service, type_name, item.type_condition)):
                    return False
            elif not self._field_resolvable(service, type_name, item, provided):
                return False
        return True

    def _fragment_types(self, service: str, type_name: str, tc: str | None) -> tuple[str, ...]:
        """The types a fragment's selection is planned on below an object of ``type_name`` in ``service``."""
        if tc is None or tc == type_name:
            return (type_name,)
        if self.sg.types[type_name].kind == "object":
            return (type_name,) if type_name in self.sg.possible_types(tc) else ()
        tc_info = self.sg.types.get(tc)
        if tc_info is not None and service in tc_info.graphs and tc_info.kind == "object":
            return (tc,)
        runtime = set(self.sg.client_possible_types(tc)) & set(self.sg.possible_types_in(service, type_name))
        return tuple(sorted(runtime))

    def _field_resolvable(self, service: str, type_name: str, f: OpField, provided: Provided) -> bool:
        info = self.sg.field(type_name, f.name)
        if f.name == "__typename" or info is None:
            return True
        needs_requires = service in info.requires
        if self.is_local(service, type_name, f.name, provided) and not needs_requires:
            # as in plan_field: a field whose selection cannot be completed here moves to another subgraph
            return self._resolvable_below(service, type_name, f, provided) or bool(
                self.candidates(service, type_name, f.name, allow_self=False))
        if self.sg.types[type_name].kind != "object":
            concrete = self.sg.possible_types_in(service, type_name)
            if concrete:
                return all(self._field_resolvable(service, c, f, provided) for c in concrete)
        # a key that holds the field itself cannot be built where the field is missing
        return any(f.name not in key_names(c) for c in self.candidates(service, type_name, f.name,
                                                                         allow_self=needs_requires))

    def _completes(self, service: str, type_name: str, f: OpField) -> bool:
        """True when ``service`` has ``f`` and everything below it is reachable from there."""
        return self.is_local(service, type_name, f.name, None) and self._resolvable_below(service, type_name, f,
                                                                                           None)

    def _is_interface_object(self, service: str, type_name: str) -> bool:
        info = self.sg.types.get(type_name)
        return info is not None and service in info.interface_object_in

    def _interfaces_of(self, type_name: str) -> tuple[str, ...]:
        t = self.sg.schema.get_type(type_name)
        return tuple(i.name for i in getattr(t, "interfaces", ()))

    def _key_local(self, service: str, type_name: str, key: SelectionSetNode, provided: Provided) -> bool:
        for node in key.selections:
            if isinstance(node, FieldNode):
                if not self.is_local(service, type_name, node.name.value, provided):
                    return False
                info = self.sg.field(type_name, node.name.value)
                if node.selection_set is not None and info is not None:
                    sub = self._provided_for(service, type_name, node.name.value, provided)
                    if not self._key_local(service, info.type_name, node.selection_set, sub):
                        return False
            elif isinstance(node, InlineFragmentNode):
                tc = node.type_condition.name.value if node.type_condition else type_name
                if not self._key_local(service, tc, node.selection_set, provided):
                    return False
        return True

    def _provided_for(self, service: str, type_name: str, field_name: str, provided: Provided) -> Provided:
        info = self.sg.field(type_name, field_name)
        own = info.provides.get(service) if info is not None else None
        if own is not None:
            return own
        if provided is None:
            return None
        return _provided_names(self.sg, provided, type_name).get(field_name)

    def _field_cost(self, service: str, type_name: str, f: OpField, provided: Provided, depth: int) -> int:
        """Rough count of extra fetches needed to resolve ``f`` (and its sub-selection) starting in ``service``."""
        if depth > _COST_DEPTH or f.name == "__typename":
            return 0
        info = self.sg.field(type_name, f.name)
        if info is None:
            return 0
        if self.is_local(service, type_name, f.name, provided) and service not in info.requires:
            if f.selection is None:
                return 0
            sub = self._provided_for(service, type_name, f.name, provided)
            return self._items_cost(service, f.type_name, f.selection.items, sub, depth + 1)
        others = [s for s in sorted(info.resolvable_in) if s != service]
        if not others:
            return 1
        return 1 + min(self._field_cost(o, type_name, f, None, depth + 1) for o in others)

    def _items_cost(self, service: str, type_name: str, items: tuple[OpItem, ...], provided: Provided,
                    depth: int) -> int:
        total = 0
        for item in items:
            if isinstance(item, OpFragment):
                tc = item.type_condition or type_name
                total += self._items_cost(service, tc, item.selection.items, provided, depth)
            elif self.sg.field(type_name, item.name) is not None:
                total += self._field_cost(service, type_name, item, provided, depth)
        return total



def _provided_names(sg: Supergraph, provided: SelectionSetNode, type_name: str) -> dict[str, Provided]:
    out: dict[str, Provided] = {}
    for node in provided.selections:
        if isinstance(node, FieldNode):
            out[node.name.value] = node.selection_set
        elif isinstance(node, InlineFragmentNode):
            tc = node.type_condition.name.value if node.type_condition else type_name
            if tc == type_name or type_name in sg.possible_types(tc):
                out.update(_provided_names(sg, node.selection_set, type_name))
    return out
