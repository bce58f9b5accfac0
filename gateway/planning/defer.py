"""Plan ``@defer`` and ``@stream`` (the incremental-delivery RFC, ``deferSpec=20220824``).

A deferred operation is planned once as a whole (deferred fragments included, as plain fragments), and
each fetch of that plan gets a *wave*: 0 for the fetches the initial payload needs, ``n`` for those only
a fragment deferred ``n`` levels deep needs. A fetch that something earlier needs, or that an earlier
fetch depends on, moves to the earlier wave. So:

* a deferred fragment that needs another subgraph becomes its own branch: its fetches run after the
  payloads before it were sent;
* a deferred fragment whose fields come from fetches of an earlier wave (the same subgraph, the same
  fetch) costs no extra fetch: it is cut out of the data already there and sent as its own payload, as
  the RFC allows.

``@defer(if: false)`` is a plain fragment; ``if: $var`` is decided per request (one split per set of
values, cached). ``@stream`` is served on root list fields: the list is fetched whole and the items after
``initialCount`` are sent in the first incremental payload. A ``@stream`` anywhere else is delivered in
full with its parent (the RFC lets a server do so).
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from graphql import (
    BooleanValueNode,
    DirectiveNode,
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
    GraphQLUnionType,
    InlineFragmentNode,
    IntValueNode,
    NamedTypeNode,
    OperationDefinitionNode,
    SelectionSetNode,
    StringValueNode,
    VariableNode,
    get_named_type,
)

from gateway.planning.builder import GroupBuilder
from gateway.planning.groups import FetchGroup
from gateway.planning.operation import Condition, Normalizer, OpField, OpSelection
from gateway.planning.plan import FetchNode, OperationKind, QueryPlan, count_fetches
from gateway.planning.schedule import schedule
from gateway.planning.shape import ShapeSelection, compile_shape
from gateway.supergraph.model import Supergraph

INCREMENTAL_DIRECTIVES = frozenset({"defer", "stream"})


def uses_incremental(document: DocumentNode) -> bool:
    """Whether a document asks for incremental delivery anywhere."""
    source = document.loc.source.body if document.loc is not None else None
    if source is not None and "@defer" not in source and "@stream" not in source:
        return False
    return any(_directive_in(d.selection_set) for d in document.definitions
               if isinstance(d, OperationDefinitionNode | FragmentDefinitionNode))


def _directive_in(node: SelectionSetNode | None) -> bool:
    if node is None:
        return False
    for sel in node.selections:
        if any(d.name.value in INCREMENTAL_DIRECTIVES for d in sel.directives or ()):
            return True
        if _directive_in(getattr(sel, "selection_set", None)):
            return True
    return False


@dataclass(frozen=True)
class DeferredFragment:
    """One ``@defer`` site: where its payloads go and how each is shaped."""

    id: int  # 1, 2, ... in document order
    label: str | None
    parent: int  # the enclosing deferred fragment (0: the initial payload)
    wave: int  # how deep it is deferred: 1 under the initial payload, 2 under a wave-1 fragment, ...
    path: tuple[str, ...]  # response keys from the root to the object that holds it (lists crossed)
    parent_type: str
    type_condition: frozenset[str] | None  # the concrete types it applies to (None: all)
    shape: ShapeSelection  # the fragment's own fields (its nested deferred fragments left out)
    keys: frozenset[str]  # its top-level response keys (to place errors)


@dataclass(frozen=True)
class StreamedField:
    key: str  # a root field's response key
    initial_count: int
    label: str | None


@dataclass(frozen=True)
class IncrementalSplit:
    """The plan of a deferred operation for one set of ``if`` values, with its waves and payload shapes."""

    plan: QueryPlan
    waves: Mapping[int, int]  # id(FetchNode) -> wave
    primary: ShapeSelection
    fragments: tuple[DeferredFragment, ...]
    streams: tuple[StreamedField, ...]
    last_wave: int
    primary_keys: frozenset[str]

    @property
    def incremental(self) -> bool:
        return bool(self.fragments or self.streams)


@dataclass
class IncrementalOperation:
    """What a prepared operation keeps about its ``@defer``/``@stream`` sites; splits are made on first use."""

    supergraph: Supergraph
    operation: OperationDefinitionNode
    fragments: dict[str, FragmentDefinitionNode]
    kind: OperationKind
    #: the variables the `if` arguments read (the split depends on their values)
    condition_variables: tuple[str, ...]
    _splits: dict[tuple[object, ...], IncrementalSplit] = field(default_factory=dict)

    def split(self, variables: Mapping[str, Any]) -> IncrementalSplit:
        values = tuple(_truthy(variables.get(v, True)) for v in self.condition_variables)
        stream_counts = tuple(variables.get(v) for v in self._count_variables())
        cache_key = (values, stream_counts)
        found = self._splits.get(cache_key)
        if found is None:
            found = self._splits[cache_key] = _Splitter(self, variables).split()
            if len(self._splits) > 64:  # bounded: a few flags make few variants
                self._splits.pop(next(iter(self._splits)))
        return found

    def _count_variables(self) -> tuple[str, ...]:
        return _count_variables(self.operation.selection_set)


def prepare_incremental(supergraph: Supergraph, document: DocumentNode,
                        operation: OperationDefinitionNode, kind: OperationKind) -> IncrementalOperation | None:
    """The incremental description of an operation that uses ``@defer``/``@stream`` (None for mutations and
    subscriptions: they are delivered whole)."""
    if kind != "query":
        return None
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    names: list[str] = []
    _condition_variables(operation.selection_set, fragments, names, set())
    return IncrementalOperation(supergraph, operation, fragments, kind, tuple(dict.fromkeys(names)))


def _truthy(value: object) -> bool:
    return bool(value) if value is not None else True


def _arg(directive: DirectiveNode, name: str) -> Any:
    return next((a.value for a in directive.arguments or () if a.name.value == name), None)


def _condition_variables(node: SelectionSetNode | None, fragments: dict[str, FragmentDefinitionNode],
                         out: list[str], seen: set[str]) -> None:
    if node is None:
        return
    for sel in node.selections:
        for d in sel.directives or ():
            if d.name.value in INCREMENTAL_DIRECTIVES and isinstance(_arg(d, "if"), VariableNode):
                out.append(_arg(d, "if").name.value)
        if isinstance(sel, FragmentSpreadNode):
            name = sel.name.value
            if name not in seen and name in fragments:
                seen.add(name)
                _condition_variables(fragments[name].selection_set, fragments, out, seen)
        elif isinstance(sel, FieldNode | InlineFragmentNode):
            _condition_variables(sel.selection_set, fragments, out, seen)


def _count_variables(node: SelectionSetNode) -> tuple[str, ...]:
    out = []
    for sel in node.selections:
        for d in sel.directives or ():
            if d.name.value == "stream" and isinstance(_arg(d, "initialCount"), VariableNode):
                out.append(_arg(d, "initialCount").name.value)
    return tuple(out)


def _without_incremental(directives: tuple[DirectiveNode, ...] | None) -> tuple[DirectiveNode, ...]:
    return tuple(d for d in directives or () if d.name.value not in INCREMENTAL_DIRECTIVES)


@dataclass
class _Site:
    id: int
    label: str | None
    parent: int
    wave: int
    path: tuple[str, ...]
    parent_type: str
    node: InlineFragmentNode


class _Splitter:
    """Rewrites the operation without fragment spreads or incremental directives, notes the deferred sites,
    and plans it with every fetch tagged with its wave."""

    def __init__(self, op: IncrementalOperation, variables: Mapping[str, Any]) -> None:
        self.op = op
        self.variables = variables
        self.schema: GraphQLSchema = op.supergraph.api_schema
        self.sites: list[_Site] = []
        self.owner: dict[int, int] = {}  # id(FieldNode) -> the deferred site it belongs to (0: none)
        self.streams: list[StreamedField] = []
        self.depth_of: dict[int, int] = {0: 0}

    def _enabled(self, directive: DirectiveNode) -> bool:
        value = _arg(directive, "if")
        if isinstance(value, BooleanValueNode):
            return bool(value.value)
        if isinstance(value, VariableNode):
            return _truthy(self.variables.get(value.name.value, True))
        return True

    def _label(self, directive: DirectiveNode) -> str | None:
        value = _arg(directive, "label")
        return value.value if isinstance(value, StringValueNode) else None

    def rewrite(self, node: SelectionSetNode, type_name: str, path: tuple[str, ...], owner: int,
                depth: int = 0) -> SelectionSetNode:
        if depth > 100:
            from gateway.errors import PlanningError

            raise PlanningError("selection nesting is too deep")
        out: list[Any] = []
        for sel in node.selections:
            if isinstance(sel, FieldNode):
                out.append(self._field(sel, type_name, path, owner, depth))
                continue
            if isinstance(sel, FragmentSpreadNode):
                frag = self.op.fragments[sel.name.value]
                tc: NamedTypeNode | None = frag.type_condition
                body = frag.selection_set
            else:
                assert isinstance(sel, InlineFragmentNode)
                tc, body = sel.type_condition, sel.selection_set
            inner_type = tc.name.value if tc is not None else type_name
            defer = next((d for d in sel.directives or () if d.name.value == "defer"), None)
            site_id = owner
            site: _Site | None = None
            if defer is not None and self._enabled(defer):
                site_id = len(self.sites) + 1
                wave = self.depth_of[owner] + 1
                self.depth_of[site_id] = wave
                site = _Site(site_id, self._label(defer), owner, wave, path, type_name,
                             InlineFragmentNode(type_condition=tc, directives=(), selection_set=body))
                self.sites.append(site)
            rewritten = InlineFragmentNode(type_condition=copy.deepcopy(tc),
                                           directives=_without_incremental(sel.directives),
                                           selection_set=self.rewrite(body, inner_type, path, site_id, depth + 1))
            if site is not None:
                site.node = rewritten
            out.append(rewritten)
        return SelectionSetNode(selections=tuple(out))

    def _field(self, sel: FieldNode, type_name: str, path: tuple[str, ...], owner: int, depth: int) -> FieldNode:
        key = sel.alias.value if sel.alias else sel.name.value
        stream = next((d for d in sel.directives or () if d.name.value == "stream"), None)
        if stream is not None and not path and owner == 0 and self._enabled(stream):
            count = _arg(stream, "initialCount")
            if isinstance(count, VariableNode):
                raw = self.variables.get(count.name.value, 0)
                initial = raw if isinstance(raw, int) else 0
            else:
                initial = int(count.value) if isinstance(count, IntValueNode) else 0
            self.streams.append(StreamedField(key, max(0, initial), self._label(stream)))
        sub = None
        if sel.selection_set is not None:
            parent = self.schema.get_type(type_name)
            inner = type_name
            if isinstance(parent, GraphQLObjectType | GraphQLInterfaceType) and sel.name.value in parent.fields:
                inner = get_named_type(parent.fields[sel.name.value].type).name
            sub = self.rewrite(sel.selection_set, inner, (*path, key), owner, depth + 1)
        out = FieldNode(alias=sel.alias, name=sel.name, arguments=sel.arguments,
                        directives=_without_incremental(sel.directives), selection_set=sub)
        self.owner[id(out)] = owner
        return out

    def split(self) -> IncrementalSplit:
        op = self.op
        operation = op.operation
        root = self.schema.get_root_type(operation.operation)
        assert root is not None
        full = self.rewrite(operation.selection_set, root.name, (), 0)
        deferred = {id(s.node) for s in self.sites}
        normalizer = _TaggingNormalizer(self.schema, self.owner, self.depth_of)
        selection = normalizer.selection(root.name, full)
        builder = _WaveBuilder(op.supergraph, normalizer.waves, normalizer.root_waves)
        roots = builder.plan_root(op.kind, root.name, selection)
        waves = builder.group_waves()
        # FEDERATION_NOTE: fetches are not merged across the same level here (merging would move a
        # deferred fetch into the initial payload's wave); each wave's fetches keep their own requests.
        var_defs = {v.variable.name.value: _var_def_text(v) for v in operation.variable_definitions or ()}
        from gateway.planning.planner import _Emitter

        emitter = _Emitter(operation.name.value if operation.name else None, op.kind, var_defs, op.supergraph)
        fetch_waves: dict[int, int] = {}
        keep: list[FetchNode] = []

        def to_fetch(group: FetchGroup) -> FetchNode:
            node = emitter.fetch(group)
            fetch_waves[id(node)] = waves.get(group.id, 0)
            keep.append(node)
            return node

        node = schedule(builder.groups, roots, op.kind, to_fetch)
        plan = QueryPlan(node, op.kind, count_fetches(node))
        plain = Normalizer(self.schema)
        primary_sel = plain.selection(root.name, _strip(full, deferred))
        fragments = []
        for s in self.sites:
            body = InlineFragmentNode(type_condition=s.node.type_condition, directives=s.node.directives,
                                      selection_set=_strip(s.node.selection_set, deferred))
            sel = plain.selection(s.parent_type, SelectionSetNode(selections=(body,)))
            tc = s.node.type_condition.name.value if s.node.type_condition else None
            # an object-typed parent matches statically (validation saw to it); an abstract one by __typename
            parent_is_object = isinstance(self.schema.get_type(s.parent_type), GraphQLObjectType)
            applies = (None if tc is None or tc == s.parent_type or parent_is_object
                       else frozenset(_possible(self.schema, tc)))
            fragments.append(DeferredFragment(s.id, s.label, s.parent, s.wave, s.path, s.parent_type, applies,
                                              compile_shape(self.schema, sel), frozenset(_top_keys(sel))))
        return IncrementalSplit(plan, _Keep(fetch_waves, keep), compile_shape(self.schema, primary_sel),
                                tuple(fragments), tuple(self.streams),
                                max((s.wave for s in self.sites), default=1 if self.streams else 0),
                                frozenset(_top_keys(primary_sel)))


class _Keep(dict[int, int]):
    """The wave of each fetch node, keyed by identity; holds the nodes so the identities stay theirs."""

    def __init__(self, waves: dict[int, int], nodes: list[FetchNode]) -> None:
        super().__init__(waves)
        self.nodes = nodes


def _possible(schema: GraphQLSchema, name: str) -> list[str]:
    t = schema.get_type(name)
    if isinstance(t, GraphQLObjectType):
        return [name]
    if isinstance(t, GraphQLInterfaceType | GraphQLUnionType):
        return [o.name for o in schema.get_possible_types(t)]
    return []


def _top_keys(sel: OpSelection) -> list[str]:
    out: list[str] = []
    for item in sel.items:
        if isinstance(item, OpField):
            out.append(item.key)
        else:
            out.extend(_top_keys(item.selection))
    return out


def _strip(node: SelectionSetNode, deferred: set[int]) -> SelectionSetNode:
    """``node`` without the deferred fragments (at any depth)."""
    out: list[Any] = []
    for sel in node.selections:
        if id(sel) in deferred:
            continue
        if not isinstance(sel, FieldNode | InlineFragmentNode) or sel.selection_set is None:
            out.append(sel)
            continue
        inner = _strip(sel.selection_set, deferred)
        if isinstance(sel, FieldNode):
            out.append(FieldNode(alias=sel.alias, name=sel.name, arguments=sel.arguments, directives=sel.directives,
                                 selection_set=inner))
        else:
            out.append(InlineFragmentNode(type_condition=sel.type_condition, directives=sel.directives,
                                          selection_set=inner))
    return SelectionSetNode(selections=tuple(out))


def _var_def_text(v: Any) -> str:
    from gateway.planning.planner import _var_def_text as text

    return text(v)


class _TaggingNormalizer(Normalizer):
    """The normaliser, noting for every client field the wave it is delivered in."""

    def __init__(self, schema: GraphQLSchema, owner: dict[int, int], depth_of: dict[int, int]) -> None:
        super().__init__(schema)
        self.owner = owner
        self.depth_of = depth_of
        self.waves: dict[int, int] = {}  # id(OpField) -> wave
        self.root_waves: dict[str, int] = {}  # root response key -> lowest wave
        self.root = schema.query_type.name if schema.query_type else "Query"

    def _field(self, parent: object, parent_type: str, sel: FieldNode, conds: tuple[Condition, ...],
               depth: int) -> OpField:
        out = super()._field(parent, parent_type, sel, conds, depth)
        wave = self.depth_of.get(self.owner.get(id(sel), 0), 0)
        self.waves[id(out)] = wave
        if parent_type == self.root:
            self.root_waves[out.key] = min(wave, self.root_waves.get(out.key, wave))
        return out


class _WaveBuilder(GroupBuilder):
    """The group builder, noting the lowest wave of the client fields each group fetches."""

    def __init__(self, supergraph: Supergraph, waves: dict[int, int], root_waves: dict[str, int]) -> None:
        super().__init__(supergraph)
        self._field_waves = waves
        self._root_waves = root_waves
        self._group_waves: dict[int, int] = {}
        self._root_type = supergraph.api_schema.query_type.name if supergraph.api_schema.query_type else "Query"

    def _add_local(self, group: FetchGroup, sel: Any, type_name: str, f: OpField, path: Any, provided: Any,
                   conds: Any) -> None:
        wave = self._field_waves.get(id(f))
        if wave is None and not group.is_entity and type_name == self._root_type and not path:
            wave = self._root_waves.get(f.key)
        if wave is not None:
            current = self._group_waves.get(group.id)
            self._group_waves[group.id] = wave if current is None else min(current, wave)
        super()._add_local(group, sel, type_name, f, path, provided, conds)

    def group_waves(self) -> dict[int, int]:
        """Each group's wave: its own fields' lowest, lowered to that of any group that depends on it."""
        waves = {g.id: self._group_waves.get(g.id, 1 << 30) for g in self.groups}
        for _ in range(len(self.groups) + 1):  # bounded fixpoint over the dependency edges
            changed = False
            for g in self.groups:
                for d in g.deps:
                    if waves[d.id] > waves[g.id]:
                        waves[d.id] = waves[g.id]
                        changed = True
            if not changed:
                break
        return {gid: (0 if w == 1 << 30 else w) for gid, w in waves.items()}
