"""Aliases for fields of one subgraph operation that could not merge in that subgraph's schema.

GraphQL's "FieldsInSetCanMerge" rule lets a selection set carry the same response key twice only when
the two fields have the same response shape (and, unless their parent types are distinct object types,
the same name and arguments). The client's operation obeys it in the supergraph, but a subgraph may type
the fields more narrowly (``String!`` on one member of a union and ``String`` on another), and the
planner adds fields of its own (keys, ``@requires`` inputs) the client never wrote. Before a fetch is
emitted, every field that would conflict with one already at its response key gets a fresh alias, and the
fetch carries a :class:`~gateway.planning.plan.Rename` so the executor puts the values back under the
key they were meant for before it merges the response.
"""

from __future__ import annotations

from collections.abc import Iterable

from gateway.planning.plan import Rename
from gateway.planning.selection import FieldBuilder, FragmentBuilder, SelectionBuilder
from gateway.planning.subgraph_types import SubgraphType, subgraph_type
from gateway.supergraph.model import Supergraph

Entry = tuple[str, FieldBuilder]  # (the field's parent type in the subgraph, the field)


class ConflictAliaser:
    """Finds and aliases conflicting fields in the selections of one fetch to one subgraph."""

    def __init__(self, sg: Supergraph, service: str, taken: Iterable[str]) -> None:
        self.sg = sg
        self.service = service
        self.taken = set(taken)
        self.aliases: dict[int, str] = {}  # id(FieldBuilder) -> the alias it is sent under
        self.originals: dict[str, str] = {}  # alias -> the response key it stands for

    def resolve(self, roots: list[tuple[str, SelectionBuilder]]) -> Rename | None:
        """Alias what conflicts in the selection sets ``roots`` (merged into one response object, each with
        its parent type) and below; the renames that undo it, or None when nothing conflicts."""
        by_key: dict[str, list[Entry]] = {}
        for parent, sel in roots:
            for entry in self._collect(parent, sel):
                by_key.setdefault(entry[1].key, []).append(entry)
        keys: list[tuple[str, str]] = []
        below: list[tuple[str, Rename]] = []
        for key, entries in by_key.items():
            buckets = self._buckets(entries) if len(entries) > 1 else [entries]
            for n, bucket in enumerate(buckets):
                sent = key
                if n:
                    sent = self._fresh(key)
                    keys.append((sent, key))
                    for _, fb in bucket:
                        self.aliases[id(fb)] = sent
                subs = [(t.named, fb.sub) for parent, fb in bucket if fb.sub is not None
                        and (t := self._type(parent, fb)) is not None]
                if subs:
                    inner = self.resolve(subs)
                    if inner is not None:
                        below.append((sent, inner))
        if not keys and not below:
            return None
        return Rename(tuple(keys), tuple(below))

    # ------------------------------------------------------------------ the merge rule

    def _buckets(self, entries: list[Entry]) -> list[list[Entry]]:
        """``entries`` split into groups that can share one response key; the first keeps the key."""
        buckets: list[list[Entry]] = []
        for entry in entries:
            for bucket in buckets:
                if not any(self._conflict(entry, other, False) for other in bucket):
                    bucket.append(entry)
                    break
            else:
                buckets.append([entry])
        return buckets

    def _conflict(self, a: Entry, b: Entry, exclusive_parents: bool) -> bool:
        (pa, fa), (pb, fb) = a, b
        if fa is fb:
            return False
        # FEDERATION_NOTE: as in the spec's FieldsInSetCanMerge: fields on two different object types never
        # apply to the same object, so only their response shapes must agree; otherwise they must be the
        # same field with the same arguments too. Types are the subgraph's own, not the supergraph's.
        exclusive = exclusive_parents or (pa != pb and self._is_object(pa) and self._is_object(pb))
        if not exclusive and fa.signature() != fb.signature():
            return True
        ta, tb = self._type(pa, fa), self._type(pb, fb)
        if ta is None or tb is None:
            return False
        if ta.wrappers != tb.wrappers:
            return True
        if self._is_leaf(ta.named) or self._is_leaf(tb.named):
            return ta.named != tb.named
        if fa.sub is None or fb.sub is None:
            return False
        below_b: dict[str, list[Entry]] = {}
        for entry in self._collect(tb.named, fb.sub):
            below_b.setdefault(entry[1].key, []).append(entry)
        return any(self._conflict(x, y, exclusive)
                   for x in self._collect(ta.named, fa.sub) for y in below_b.get(x[1].key, ()))

    # ------------------------------------------------------------------ helpers

    def _collect(self, parent: str, sel: SelectionBuilder) -> list[Entry]:
        out: list[Entry] = []
        for item in sel.items.values():
            if isinstance(item, FieldBuilder):
                out.append((parent, item))
            elif isinstance(item, FragmentBuilder):
                out.extend(self._collect(item.type_condition or parent, item.sub))
        return out

    def _type(self, parent: str, fb: FieldBuilder) -> SubgraphType | None:
        return subgraph_type(self.sg, self.service, parent, fb.name)

    def _is_object(self, type_name: str) -> bool:
        info = self.sg.types.get(type_name)
        # an @interfaceObject is an object type in the subgraph that declares it so
        return info is not None and (info.kind == "object" or self.service in info.interface_object_in)

    def _is_leaf(self, type_name: str) -> bool:
        info = self.sg.types.get(type_name)
        return info is None or info.kind in ("scalar", "enum")

    def _fresh(self, key: str) -> str:
        n = 0
        while True:
            n += 1
            alias = f"{key}__{n}"
            if alias not in self.taken:
                self.taken.add(alias)
                self.originals[alias] = key
                return alias


def response_keys(sel: SelectionBuilder, out: set[str]) -> None:
    """Every response key used anywhere in ``sel``."""
    for item in sel.items.values():
        if isinstance(item, FieldBuilder):
            out.add(item.key)
            if item.sub is not None:
                response_keys(item.sub, out)
        else:
            response_keys(item.sub, out)
