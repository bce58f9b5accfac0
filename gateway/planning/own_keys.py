"""Response keys of the planner's own fields (keys and @requires field sets) in the fetches that get them."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import replace

from graphql import ArgumentNode, print_ast

from gateway.planning.operation import OpFragment, OpItem, OpSelection


def signature(name: str, arguments: tuple[ArgumentNode, ...]) -> str:
    """``name(a:1,b:2)`` with the arguments in name order: equal for the same field asked the same way."""
    if not arguments:
        return name
    args = sorted((a.name.value, print_ast(a.value)) for a in arguments)
    return name + "(" + ",".join(f"{n}:{v}" for n, v in args) + ")"


class OwnKeys:
    """Chooses the response key of every field the planner adds for itself, for one operation.

    A field keeps its name as key unless that key may hold something else in the same selection: a client
    alias or a client field with arguments under that name, or (for a field with arguments) the same field
    asked with other arguments by another field set or by the client.
    """

    def __init__(self, field_names: Callable[[], Iterable[str]]) -> None:
        self._field_names = field_names  # every field name of the supergraph: never usable as an own key
        self.client_keys: set[str] = set()  # every response key of the client operation
        self.clashing: set[str] = set()  # names a client alias (or an argument) makes unusable as own key
        self._keys: dict[str, str] = {}  # field signature -> response key of the planner's own copy

    def note_client(self, selection: OpSelection) -> None:
        """Record the client's response keys, and which of them hold something else than the plain field."""
        for item in selection.items:
            if isinstance(item, OpFragment):
                self.note_client(item.selection)
                continue
            self.client_keys.add(item.key)
            if item.key != item.name or item.arguments:
                self.clashing.add(item.key)
            if item.selection is not None:
                self.note_client(item.selection)

    def needed(self, selection: OpSelection) -> bool:
        """True when some field of a key or @requires field set cannot simply use its name as key."""
        return bool(self.clashing) or _has_arguments(selection)

    def internal(self, selection: OpSelection) -> OpSelection:
        """A key or @requires field set with every field that could collide moved to its own key."""
        items: list[OpItem] = []
        for item in selection.items:
            if isinstance(item, OpFragment):
                items.append(replace(item, selection=self.internal(item.selection)))
                continue
            sub = self.internal(item.selection) if item.selection is not None else None
            if item.name == "__typename":
                items.append(replace(item, selection=sub))
                continue
            # FEDERATION_NOTE: a required field with arguments (``price(currency: "EUR")``) always gets a key
            # of its own signature: another field set (or the client) may ask the same field with other
            # arguments in the same fetch, and each representation must read the value asked for it.
            if item.arguments or item.name in self.clashing:
                key = self.key(signature(item.name, item.arguments))
            else:
                key = item.key
            items.append(replace(item, key=key, selection=sub))
        return replace(selection, items=tuple(items))

    def key(self, sig: str) -> str:
        # FEDERATION_NOTE: the same field signature always gets the same key in one operation, so every fetch
        # that feeds a representation stores the field where the representation reads it. The key is neither
        # a client response key nor the name of any field, so nothing else can land there.
        found = self._keys.get(sig)
        if found is None:
            name = sig.split("(", 1)[0]
            taken = self.client_keys | set(self._keys.values()) | set(self._field_names())
            found = base = f"{name}__hub"
            n = 0
            while found in taken:
                n += 1
                found = f"{base}{n}"
            self._keys[sig] = found
        return found


def _has_arguments(selection: OpSelection) -> bool:
    for item in selection.items:
        if isinstance(item, OpFragment):
            if _has_arguments(item.selection):
                return True
        elif item.arguments or (item.selection is not None and _has_arguments(item.selection)):
            return True
    return False
