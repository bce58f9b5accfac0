"""Entity representations for one ``_entities`` fetch, de-duplicated, built with the least work per object."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Hashable
from typing import Any

import orjson

from gateway.execution.merge import representation
from gateway.planning.plan import RequireField, RequireFragment


class _Flat:
    """A fragment whose selection is plain fields: its values are read with one ``itemgetter`` call."""

    __slots__ = ("get", "index", "names", "single", "type_condition", "typename_as")

    def __init__(self, index: int, frag: RequireFragment) -> None:
        self.index = index
        fields = [item for item in frag.selection if isinstance(item, RequireField)]
        self.names = tuple(item.name for item in fields)  # in the representation
        keys = tuple(item.response_key for item in fields)  # in the response tree
        self.single = len(self.names) == 1
        self.get: Callable[[dict[str, Any]], Any] = operator.itemgetter(*keys) if keys else _no_values
        self.typename_as = frag.typename_as
        self.type_condition = frag.type_condition

    def representation(self, values: Any) -> dict[str, Any]:
        rep = {self.names[0]: values} if self.single else dict(zip(self.names, values, strict=True))
        if self.typename_as is not None:
            rep["__typename"] = self.typename_as
        elif rep.get("__typename") is None:
            rep["__typename"] = self.type_condition
        return rep


def _no_values(obj: dict[str, Any]) -> tuple[()]:
    return ()


class Representations:
    """Builds the de-duplicated ``representations`` of one entity fetch and remembers who needs which.

    When every fragment's selection is flat (plain fields, no nested selections), an object's key field
    values are read in one call and de-duplicated by value and type, and a representation dict is built only for
    each distinct one. Anything else (nested selections, an object missing a field, a value that is a
    list or an object) goes through :func:`representation`, de-duplicated by its sorted JSON text. Either
    way each representation is what :func:`representation` builds for the first object that needs it.
    """

    def __init__(self, requires: tuple[RequireFragment, ...]) -> None:
        self.requires = requires
        self._first: _Flat | None = None
        self._by_type: dict[str, _Flat] | None = None
        if requires and all(isinstance(item, RequireField) and not item.selection
                            for frag in requires for item in frag.selection):
            flats = [_Flat(i, frag) for i, frag in enumerate(requires)]
            self._first = flats[0]
            self._by_type = {}
            for flat, frag in zip(reversed(flats), reversed(requires), strict=True):  # the first match wins
                for typename in frag.applies_to:
                    self._by_type[typename] = flat
        self.reps: list[dict[str, Any]] = []
        self.firsts: list[dict[str, Any]] = []  # the first object that asked for each representation
        self.targets: list[tuple[dict[str, Any], int]] = []  # (object, index into reps)
        self._index: dict[Hashable, int] = {}

    def add_all(self, objects: list[dict[str, Any]]) -> None:
        by_type = self._by_type
        if by_type is None:
            for obj in objects:
                self._add_careful(obj)
            return
        first = self._first
        index, targets = self._index, self.targets
        for obj in objects:
            typename = obj.get("__typename")
            flat = first if typename is None else by_type.get(typename)
            if flat is None:
                continue  # no fragment applies to this type
            try:
                values = flat.get(obj)
                # the types too: 1, 1.0 and true are equal in Python but different JSON values
                key = (flat.index, values, type(values) if flat.single else tuple(map(type, values)))
                i = index.get(key)
            except (KeyError, TypeError):  # a field is missing, or a value is a list or an object
                self._add_careful(obj)
                continue
            if i is None:
                i = index[key] = len(self.reps)
                self.reps.append(flat.representation(values))
                self.firsts.append(obj)
            targets.append((obj, i))

    def _add_careful(self, obj: dict[str, Any]) -> None:
        rep = representation(obj, self.requires)
        if rep is None:
            return
        key = orjson.dumps(rep, option=orjson.OPT_SORT_KEYS)
        i = self._index.get(key)
        if i is None:
            i = self._index[key] = len(self.reps)
            self.reps.append(rep)
            self.firsts.append(obj)
        self.targets.append((obj, i))

    def without(self, answered: Collection[int]) -> Representations:
        """These representations less the ``answered`` ones (indexes into ``reps``), renumbered; targets kept."""
        rest = Representations(())
        rest.requires = self.requires
        renumber: dict[int, int] = {}
        for i, rep in enumerate(self.reps):
            if i not in answered:
                renumber[i] = len(rest.reps)
                rest.reps.append(rep)
                rest.firsts.append(self.firsts[i])
        rest.targets = [(obj, renumber[i]) for obj, i in self.targets if i in renumber]
        return rest
