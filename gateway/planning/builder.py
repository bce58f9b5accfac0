"""Walk the normalised operation and fill fetch groups: local fields, entity jumps, keys and requires."""

from __future__ import annotations

from collections.abc import Callable

from gateway.errors import PlanningError
from gateway.planning.contexts import ContextNeeds, contextual_field, plan_contextual
from gateway.planning.groups import FetchGroup, Origin, RequireBuilder, common_conditions
from gateway.planning.operation import (
    INTROSPECTION_ROOT_FIELDS,
    Condition,
    Normalizer,
    OpField,
    OpFragment,
    OpItem,
    OpSelection,
)
from gateway.planning.own_keys import OwnKeys
from gateway.planning.questions import Provided, SupergraphQuestions
from gateway.planning.reach import Step, climb, hang, usable_keys
from gateway.planning.selection import SelectionBuilder
from gateway.planning.subgraph_types import selection_types
from gateway.supergraph.model import Supergraph

Conds = tuple[Condition, ...]
Path = tuple[str, ...]


class GroupBuilder(SupergraphQuestions):
    """Builds the fetch groups of one operation."""

    def __init__(self, supergraph: Supergraph) -> None:
        super().__init__(supergraph)
        self.groups: list[FetchGroup] = []
        self._touch: list[FetchGroup] = []
        self._stack: set[tuple[Path, str, str]] = set()
        self._fieldsets: dict[tuple[str, str], OpSelection] = {}
        self._own_keys = OwnKeys(lambda: (f for t in supergraph.types.values() for f in t.fields))
        self._normalizer = Normalizer(supergraph.schema)
        self.climbing: set[tuple[object, ...]] = set()  # climbs under way (see reach.py)
        self.kind = "query"
        self.roots: list[FetchGroup] = []
        self.root_groups: dict[str, FetchGroup] = {}  # the query's root fetches, by subgraph

    # ------------------------------------------------------------------ roots

    def plan_root(self, kind: str, root_type: str, selection: OpSelection) -> list[FetchGroup]:
        self._own_keys.note_client(selection)
        self.kind = kind
        roots: list[FetchGroup] = self.roots
        by_service: dict[str, FetchGroup] = self.root_groups
        for f, conds in _root_fields(selection.items, ()):
            if f.name in INTROSPECTION_ROOT_FIELDS or f.name == "__typename":
                continue
            info = self.sg.field(root_type, f.name)
            if info is None or not info.resolvable_in:
                raise PlanningError(f"no subgraph resolves {root_type}.{f.name}")
            candidates = sorted(info.resolvable_in)
            if kind == "mutation":
                last = roots[-1] if roots else None
                service = last.service if last and last.service in candidates else self._cheapest_root(
                    candidates, root_type, f)
                group = last if last and last.service == service else self._new_group(service, False, root_type,
                                                                                      (), conds)
                if not roots or roots[-1] is not group:
                    roots.append(group)
            else:
                used = [s for s in candidates if s in by_service]
                service = used[0] if used else self._cheapest_root(candidates, root_type, f)
                group = by_service.get(service) or self._new_group(service, False, root_type, (), conds)
                if service not in by_service:
                    by_service[service] = group
                    roots.append(group)
                group.conditions = common_conditions(group.conditions, conds)
            extra = tuple(c for c in conds if c not in f.conditions)
            field = OpField(f.key, f.name, f.arguments, extra + f.conditions, f.type_name, f.wrappers, f.selection)
            self._add_local(group, group.selection, root_type, field, (), None, ())
        return roots

    def _cheapest_root(self, candidates: list[str], root_type: str, f: OpField) -> str:
        # FEDERATION_NOTE: a @shareable root field is taken from a subgraph where everything below it can be
        # reached (locally or through entity jumps) before the cheapest one.
        return min(candidates, key=lambda s: (0 if self._completes(s, root_type, f) else 1,
                                              self._field_cost(s, root_type, f, None, 0), s))

    # ------------------------------------------------------------------ selections

    def plan_items(self, group: FetchGroup, sel: SelectionBuilder, type_name: str, items: tuple[OpItem, ...],
                   path: Path, provided: Provided, conds: Conds) -> None:
        for item in items:
            if isinstance(item, OpFragment):
                self._plan_fragment(group, sel, type_name, item, path, provided, conds)
            else:
                self.plan_field(group, sel, type_name, item, path, provided, conds)

    def _plan_fragment(self, group: FetchGroup, sel: SelectionBuilder, type_name: str, frag: OpFragment,
                       path: Path, provided: Provided, conds: Conds) -> None:
        service = group.service
        tc = frag.type_condition
        inner_conds = conds + frag.conditions
        if tc is None or tc == type_name:
            target = sel.add_fragment(None, frag.conditions) if frag.conditions else sel
            self.plan_items(group, target, type_name, frag.selection.items, path, provided, inner_conds)
            return
        if self._is_interface_object(service, type_name):
            self._interface_object_jump(group, sel, type_name, (frag,), path, provided, conds)
            return
        kind = self.sg.types[type_name].kind
        if kind == "object":
            if type_name in self.sg.possible_types(tc):
                target = sel.add_fragment(None, frag.conditions) if frag.conditions else sel
                self.plan_items(group, target, type_name, frag.selection.items, path, provided, inner_conds)
            return
        runtime = set(self.sg.client_possible_types(tc)) & set(self.sg.possible_types_in(service, type_name))
        if not runtime:
            return
        tc_info = self.sg.types.get(tc)
        if tc_info is not None and service in tc_info.graphs and tc_info.kind == "object":
            sub = sel.add_fragment(tc, frag.conditions)
            self.plan_items(group, sub, tc, frag.selection.items, path, provided, inner_conds)
            return
        for concrete in sorted(runtime):
            sub = sel.add_fragment(concrete, frag.conditions)
            self.plan_items(group, sub, concrete, frag.selection.items, path, provided, inner_conds)

    def plan_field(self, group: FetchGroup, sel: SelectionBuilder, type_name: str, f: OpField, path: Path,
                   provided: Provided, conds: Conds) -> None:
        service = group.service
        if f.name == "__typename":
            if self._is_interface_object(service, type_name):
                self._interface_object_jump(group, sel, type_name, (f,), path, provided, conds)
                return
            self._touch.append(group)
            sel.add_field(f.key, "__typename", (), f.conditions)
            return
        contextual = contextual_field(self.sg, type_name, f.name)
        if contextual is not None:  # a @fromContext argument: its own entity fetch (planning/contexts.py)
            plan_contextual(self, group, sel, type_name, f, path, provided, conds, contextual)
            return
        local = self.is_local(service, type_name, f.name, provided)
        info = self.sg.field(type_name, f.name)
        needs_requires = local and info is not None and service in info.requires
        if local and not needs_requires and f.selection is not None and not self._resolvable_below(
                service, type_name, f, provided) and any(self._completes(c.service, c.entity_type, f)
                                                         for c in self.candidates(service, type_name, f.name,
                                                                                  allow_self=False)):
            # FEDERATION_NOTE: the field is here (often through a @provides) but part of its selection is not,
            # and below it there is no entity to jump from: the whole field comes from a subgraph that has it
            # all, through the key of the object that holds it (when none has it all, the parts climb).
            local = False
        if local and not needs_requires:
            self._add_local(group, sel, type_name, f, path, provided, conds)
            return
        origin = group.origin
        if group.is_entity and origin is not None and path in group.paths and _is_entity_root(group, sel):
            # FEDERATION_NOTE: objects at an entity fetch's root were fetched by its origin; a further jump
            # (or a @requires) is planned from there so keys and required fields come from the source.
            self.plan_field(origin.group, origin.selection, type_name, f, path, None, conds)
            return
        tinfo = self.sg.types[type_name]
        if tinfo.kind != "object" and not self._is_interface_object(service, type_name):
            concrete = self.sg.possible_types_in(service, type_name)
            if concrete:
                for c in concrete:
                    self.plan_field(group, sel.add_fragment(c), c, f, path, provided, conds)
                return
        self._jump(group, sel, type_name, f, path, provided, conds, allow_self=needs_requires)

    def _add_local(self, group: FetchGroup, sel: SelectionBuilder, type_name: str, f: OpField, path: Path,
                   provided: Provided, conds: Conds) -> None:
        self._touch.append(group)
        fb = sel.add_field(f.key, f.name, f.arguments, f.conditions, f.selection is not None)
        if f.selection is None or fb.sub is None:
            return
        hang(fb.sub, Step(sel, type_name, f, path, provided, conds))
        sub_path = path + (f.key,) + ("@",) * f.wrappers.count("L")
        sub_provided = self._provided_for(group.service, type_name, f.name, provided)
        if self.sg.types[f.type_name].kind in ("interface", "union"):
            fb.sub.add_typename()
        for sub_type, wrapped in selection_types(self.sg, group.service, type_name, f.name, f.type_name):
            target = fb.sub.add_fragment(sub_type) if wrapped else fb.sub
            self.plan_items(group, target, sub_type, f.selection.items, sub_path, sub_provided,
                            conds + f.conditions)

    # ------------------------------------------------------------------ entity jumps

    def _jump(self, group: FetchGroup, sel: SelectionBuilder, type_name: str, f: OpField, path: Path,
              provided: Provided, conds: Conds, *, allow_self: bool, context: ContextNeeds | None = None) -> None:
        candidates = self.candidates(group.service, type_name, f.name, allow_self=allow_self)
        if context is not None:
            candidates = [c for c in candidates if c.service == context.service]
        if not candidates:
            if climb(self, group, sel, type_name, f, conds):
                return
            raise PlanningError(f"no subgraph can resolve {type_name}.{f.name} coming from {group.service}")
        usable = usable_keys(self, group.service, type_name, f.name, path, provided, candidates)
        if not usable and climb(self, group, sel, type_name, f, conds):
            return
        candidates = usable or candidates  # none usable: the guard below reports the cycle
        best = min(candidates, key=lambda c: (
            0 if self._completes(c.service, c.entity_type, f) else 1,
            0 if self._reusable(c.service, path, ()) else 1,
            0 if self._key_local(group.service, type_name, c.key.selection, provided) else 1,
            self._field_cost(c.service, c.entity_type, f, None, 1),
            c.service,
        ))
        guard = (path, type_name, best.service + "." + f.name)
        if guard in self._stack:
            raise PlanningError(f"{type_name}.{f.name} depends on itself through its keys or requires")
        self._stack.add(guard)
        try:
            mark = len(self._touch)
            self._touch.append(group)
            sel.add_typename()
            key_items = self._fieldset(best.entity_type, best.key.fields)
            self.plan_items(group, sel, type_name, key_items.items, path, provided, ())
            info = self.sg.field(best.entity_type, f.name)
            requires_items: OpSelection | None = None
            if info is not None and best.service in info.requires:
                req = next(j.requires for j in info.joins if j.graph == best.service and j.requires)
                assert req is not None
                requires_items = self._fieldset(type_name, req)
                self.plan_items(group, sel, type_name, requires_items.items, path, provided, ())
            providers = {group, *self._touch[mark:]} | (context.providers if context is not None else set())
        finally:
            self._stack.discard(guard)
        rb = RequireBuilder()
        _require_from(rb, key_items)
        if requires_items is not None:
            _require_from(rb, requires_items)
        rkey = (type_name, best.typename_as)
        # FEDERATION_NOTE: one representation holds one value per field name; a field set that needs the same
        # field asked another way (``price(currency: "USD")`` where the group has ``price(currency: "EUR")``)
        # goes to another fetch, whose representations carry the value asked for it.
        target = self._find_or_create(best.service, path, providers, conds + f.conditions, Origin(group, sel),
                                      lambda g: rkey not in g.requires or not g.requires[rkey].conflicts(rb))
        target.deps |= providers - {target}
        target.require(*rkey).merge(rb)
        if context is not None:
            target.contexts.extend(r for r in context.rewrites if r not in target.contexts)
        self._add_local(target, target.entity(best.entity_type), best.entity_type, f, path, None, conds)

    def _interface_object_jump(self, group: FetchGroup, sel: SelectionBuilder, iface: str,
                               items: tuple[OpItem, ...], path: Path, provided: Provided, conds: Conds) -> None:
        """Resolve the concrete type behind an @interfaceObject in a subgraph that knows the interface."""
        info = self.sg.types[iface]
        options = [(s, k) for s in sorted(info.graphs) if s != group.service and s not in info.interface_object_in
                   for k in info.resolvable_keys_in(s)]
        if not options:
            raise PlanningError(f"no subgraph can resolve the concrete type of interface {iface}")
        service, key = min(options, key=lambda o: (
            0 if self._key_local(group.service, iface, o[1].selection, provided) else 1, o[0]))
        mark = len(self._touch)
        self._touch.append(group)
        sel.add_typename()
        key_items = self._fieldset(iface, key.fields)
        self.plan_items(group, sel, iface, key_items.items, path, provided, ())
        providers = {group, *self._touch[mark:]}
        target = self._find_or_create(service, path, providers, conds, Origin(group, sel))
        target.deps |= providers - {target}
        _require_from(target.require(iface, None), key_items)
        tsel = target.entity(iface)
        tsel.add_typename()
        self._touch.append(target)
        self.plan_items(target, tsel, iface, items, path, None, conds)

    def _find_or_create(self, service: str, path: Path, providers: set[FetchGroup], conds: Conds,
                        origin: Origin, accepts: Callable[[FetchGroup], bool] | None = None) -> FetchGroup:
        existing = self._reusable(service, path, tuple(providers), accepts)
        if existing is not None:
            existing.conditions = common_conditions(existing.conditions, conds)
            return existing
        group = self._new_group(service, True, "", path, conds)
        group.origin = origin
        return group

    def _reusable(self, service: str, path: Path, providers: tuple[FetchGroup, ...],
                  accepts: Callable[[FetchGroup], bool] | None = None) -> FetchGroup | None:
        for g in self.groups:
            if not g.is_entity or g.service != service or path not in g.paths or g in providers:
                continue
            if accepts is not None and not accepts(g):
                continue
            if any(p.depends_on(g) for p in providers):
                continue
            return g
        return None

    def _new_group(self, service: str, is_entity: bool, root_type: str, path: Path, conds: Conds) -> FetchGroup:
        group = FetchGroup(len(self.groups), service, is_entity, root_type, [path], conds)
        self.groups.append(group)
        return group

    def _fieldset(self, type_name: str, text: str) -> OpSelection:
        cache_key = (type_name, text)
        found = self._fieldsets.get(cache_key)
        if found is None:
            from gateway.supergraph.loader import parse_field_set

            found = self._normalizer.selection(type_name, parse_field_set(text, element=type_name))
            if self._own_keys.needed(found):
                found = self._own_keys.internal(found)
            self._fieldsets[cache_key] = found
        return found

def _root_fields(items: tuple[OpItem, ...], conds: Conds) -> list[tuple[OpField, Conds]]:
    out: list[tuple[OpField, Conds]] = []
    for item in items:
        if isinstance(item, OpFragment):
            out.extend(_root_fields(item.selection.items, conds + item.conditions))
        else:
            out.append((item, conds + item.conditions))
    return out


def _is_entity_root(group: FetchGroup, sel: SelectionBuilder) -> bool:
    return any(part.selection is sel for part in group.entities.values())


def _require_from(rb: RequireBuilder, selection: OpSelection) -> None:
    for item in selection.items:
        if isinstance(item, OpFragment):
            target = rb.fragment(item.type_condition) if item.type_condition else rb
            _require_from(target, item.selection)
        else:
            sub = rb.add(item.name, item.selection is not None, item.key)
            if sub is not None and item.selection is not None:
                _require_from(sub, item.selection)
