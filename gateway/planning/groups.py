"""Fetch groups: the mutable units the planner fills before they become plan nodes."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from gateway.planning.operation import Condition
from gateway.planning.plan import ContextRewrite, RequireField, RequireFragment, RequireItem
from gateway.planning.selection import SelectionBuilder


@dataclass(eq=False)
class RequireBuilder:
    """A representation selection being built: ordered field names with optional sub-selections."""

    fields: dict[str, RequireBuilder | None] = field(default_factory=dict)
    fragments: dict[str, RequireBuilder] = field(default_factory=dict)
    keys: dict[str, str] = field(default_factory=dict)  # field name -> response key, where they differ

    def add(self, name: str, composite: bool, key: str | None = None) -> RequireBuilder | None:
        if key is not None and key != name:
            self.keys[name] = key
        existing = self.fields.get(name)
        if existing is None and composite:
            existing = RequireBuilder()
            self.fields[name] = existing
        elif name not in self.fields:
            self.fields[name] = None
        return existing

    def conflicts(self, other: RequireBuilder) -> bool:
        """True when ``other`` reads a representation field from another response key than this one does."""
        for name, sub in other.fields.items():
            if name not in self.fields:
                continue
            if self.keys.get(name, name) != other.keys.get(name, name):
                return True
            mine = self.fields[name]
            if sub is not None and mine is not None and mine.conflicts(sub):
                return True
        return any(tc in self.fragments and self.fragments[tc].conflicts(sub) for tc, sub in other.fragments.items())

    def fragment(self, type_condition: str) -> RequireBuilder:
        return self.fragments.setdefault(type_condition, RequireBuilder())

    def merge(self, other: RequireBuilder) -> None:
        for name, sub in other.fields.items():
            mine = self.add(name, sub is not None, other.keys.get(name))
            if sub is not None and mine is not None:
                mine.merge(sub)
        for tc, sub in other.fragments.items():
            self.fragment(tc).merge(sub)

    def freeze(self, possible: Callable[[str], Iterable[str]]) -> tuple[RequireItem, ...]:
        """The frozen selection; ``possible`` gives the concrete types a fragment's type condition matches."""
        items: list[RequireItem] = []
        if "__typename" in self.fields:
            items.append(RequireField("__typename"))
        for name, sub in self.fields.items():
            if name != "__typename":
                items.append(RequireField(name, sub.freeze(possible) if sub is not None else (),
                                          self.keys.get(name, name)))
        for tc, sub in self.fragments.items():
            # FEDERATION_NOTE: a nested fragment (``details { ... on Book { pages } }``) is matched against the
            # object's concrete __typename at execution time, so it needs its concrete types like the top one.
            items.append(RequireFragment(tc, sub.freeze(possible), None, frozenset(possible(tc)) | {tc}))
        return tuple(items)


@dataclass(eq=False)
class EntityPart:
    """What one entity fetch asks for one type: ``... on T { selection }`` plus its representation."""

    type_name: str
    selection: SelectionBuilder = field(default_factory=SelectionBuilder)


@dataclass(frozen=True, eq=False)
class Origin:
    """The group and selection where a jump took its representation from."""

    group: FetchGroup
    selection: SelectionBuilder


@dataclass(eq=False)
class FetchGroup:
    """One future fetch: a root operation (``paths == [()]``) or an ``_entities`` call at ``paths``."""

    id: int
    service: str
    is_entity: bool
    root_type: str
    paths: list[tuple[str, ...]]
    conditions: tuple[Condition, ...] = ()
    selection: SelectionBuilder = field(default_factory=SelectionBuilder)  # root fetches
    entities: dict[str, EntityPart] = field(default_factory=dict)  # entity fetches, by type condition
    requires: dict[tuple[str, str | None], RequireBuilder] = field(default_factory=dict)  # (type, rewrite)
    deps: set[FetchGroup] = field(default_factory=set)
    origin: Origin | None = None  # where the objects at ``paths`` were fetched (first jump into this group)
    contexts: list[ContextRewrite] = field(default_factory=list)  # ``@fromContext`` arguments (contexts.py)

    def __hash__(self) -> int:
        return self.id

    def entity(self, type_name: str) -> SelectionBuilder:
        part = self.entities.get(type_name)
        if part is None:
            part = self.entities[type_name] = EntityPart(type_name)
        return part.selection

    def require(self, type_name: str, typename_as: str | None) -> RequireBuilder:
        rb = self.requires.get((type_name, typename_as))
        if rb is None:
            rb = self.requires[(type_name, typename_as)] = RequireBuilder()
            rb.add("__typename", False)
        return rb

    def frozen_requires(self, possible: Callable[[str], Iterable[str]]) -> tuple[RequireFragment, ...]:
        return tuple(RequireFragment(tc, rb.freeze(possible), rewrite, frozenset(possible(tc)) | {tc})
                     for (tc, rewrite), rb in self.requires.items())

    def depends_on(self, other: FetchGroup) -> bool:
        """True when ``other`` must run before this group (transitively)."""
        seen: set[int] = set()
        stack = list(self.deps)
        while stack:
            g = stack.pop()
            if g is other:
                return True
            if g.id in seen:
                continue
            seen.add(g.id)
            stack.extend(g.deps)
        return False


def common_conditions(a: tuple[Condition, ...], b: tuple[Condition, ...]) -> tuple[Condition, ...]:
    return tuple(c for c in a if c in b)
