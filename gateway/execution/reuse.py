"""Entities one request has already fetched, reused when a later fetch asks the same subgraph for them again.

Federation identifies an entity by its type and key, so within one request a subgraph asked twice for the same
plain fields of the same representation gives the same answer. A *plain* field is a leaf selected without an
alias, arguments or directives. The executor keeps, per subgraph and type, a record of the plain fields of
every object that subgraph returned without errors:

* for a root fetch, each object in the answer that carries ``__typename``;
* for an entity fetch, each representation sent together with its entity.

An entity fetch whose selection for a type is plain fields only is answered from these records for every
representation that matches one (the same value, of the same JSON type, for each of its fields). The rest are
sent, or the request is not sent at all. Fetches with planner renames or ``@fromContext`` arguments are never
served or recorded, and a request stops reusing once it runs a mutation, which may change what an earlier
fetch saw. The records live as long as the request's executor; nothing is shared between requests.
"""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import FieldNode, InlineFragmentNode, OperationDefinitionNode, SelectionSetNode, parse

from gateway.planning.plan import FetchNode


@dataclass(frozen=True, slots=True)
class _Selection:
    """What one selection set selects, as far as reuse is concerned."""

    #: plain field names per type condition (None: no condition)
    plain: tuple[tuple[str | None, tuple[str, ...]], ...]
    #: (response key, type condition, child selection) of every field with a sub-selection
    children: tuple[tuple[str, str | None, _Selection], ...]
    #: the type conditions under which something other than a plain field is selected
    impure: frozenset[str | None]

    def plain_for(self, typename: str) -> list[str]:
        return [name for cond, names in self.plain if cond is None or cond == typename for name in names]


def _is_plain(field: FieldNode) -> bool:
    return (field.selection_set is None and not field.arguments and not field.directives
            and (field.alias is None or field.alias.value == field.name.value))


def _selection(node: SelectionSetNode, condition: str | None = None) -> _Selection:
    plain: dict[str | None, list[str]] = {}
    children: list[tuple[str, str | None, _Selection]] = []
    impure: set[str | None] = set()
    for sel in node.selections:
        if isinstance(sel, FieldNode):
            if _is_plain(sel):
                plain.setdefault(condition, []).append(sel.name.value)
                continue
            impure.add(condition)
            if sel.selection_set is not None and not sel.directives:
                key = sel.alias.value if sel.alias is not None else sel.name.value
                children.append((key, condition, _selection(sel.selection_set)))
        elif isinstance(sel, InlineFragmentNode) and not sel.directives and condition is None:
            inner = _selection(sel.selection_set, sel.type_condition.name.value if sel.type_condition else None)
            for cond, names in inner.plain:
                plain.setdefault(cond, []).extend(names)
            children.extend(inner.children)
            impure.update(inner.impure)
        else:  # a named fragment, a directive on a fragment, a fragment in a fragment: not looked into
            impure.add(condition)
    return _Selection(tuple((c, tuple(n)) for c, n in plain.items()), tuple(children), frozenset(impure))


def _top(operation: str) -> SelectionSetNode | None:
    for definition in parse(operation, no_location=True).definitions:
        if isinstance(definition, OperationDefinitionNode):
            return definition.selection_set
    return None


@lru_cache(maxsize=2048)
def root_selection(operation: str) -> _Selection | None:
    top = _top(operation)
    return _selection(top) if top is not None else None


@lru_cache(maxsize=2048)
def entity_selection(operation: str) -> _Selection | None:
    """The selection under ``_entities`` of an entity fetch's operation (None: not one ``_entities`` field)."""
    top = _top(operation)
    if top is None or len(top.selections) != 1:
        return None
    field = top.selections[0]
    if not isinstance(field, FieldNode) or field.name.value != "_entities" or field.selection_set is None:
        return None
    return _selection(field.selection_set)


def _hashable(value: Any) -> Hashable | None:
    """A value and its JSON type (1, 1.0 and true are equal in Python, not in JSON); None for lists and objects."""
    if value is None or isinstance(value, str | bool | int | float):
        return (value, type(value))
    return None


class KnownEntities:
    """The records of one request."""

    def __init__(self) -> None:
        self._records: dict[tuple[str, str], list[dict[str, Any]]] = {}
        #: (service, type, sorted field names) -> (records indexed so far, values -> record)
        self._indexes: dict[tuple[str, str, tuple[str, ...]], tuple[int, dict[tuple[Any, ...], dict[str, Any]]]] = {}
        self.served = 0

    def _add(self, service: str, typename: str, record: dict[str, Any]) -> None:
        self._records.setdefault((service, typename), []).append(record)

    def record_root(self, fetch: FetchNode, data: Any) -> None:
        selection = root_selection(fetch.operation)
        if selection is not None and isinstance(data, dict):
            self._walk(fetch.service_name, data, selection)

    def _walk(self, service: str, value: Any, selection: _Selection) -> None:
        if isinstance(value, list):
            for item in value:
                self._walk(service, item, selection)
            return
        if not isinstance(value, dict):
            return
        typename = value.get("__typename")
        if isinstance(typename, str):
            record = {name: value[name] for name in selection.plain_for(typename) if name in value}
            record["__typename"] = typename
            self._add(service, typename, record)
        for key, cond, child in selection.children:
            if cond is None or cond == typename:
                inner = value.get(key)
                if inner is not None:
                    self._walk(service, inner, child)

    def record_entities(self, fetch: FetchNode, reps: list[dict[str, Any]], entities: list[Any]) -> None:
        selection = entity_selection(fetch.operation)
        if selection is None:
            return
        service = fetch.service_name
        for rep, entity in zip(reps, entities, strict=True):
            typename = rep.get("__typename")
            if type(entity) is not dict or not isinstance(typename, str):
                continue
            record = {k: v for k, v in rep.items() if _hashable(v) is not None}
            for name in selection.plain_for(typename):
                if name in entity:
                    record[name] = entity[name]
            self._add(service, typename, record)

    def answers(self, fetch: FetchNode, reps: list[dict[str, Any]], abstract: frozenset[str],
                ) -> dict[int, dict[str, Any]]:
        """The entity, by index into ``reps``, of each representation the records answer whole.

        ``abstract`` names the interfaces: a fragment on one of them may apply to a representation of another
        name, so a selection with such a fragment is answered only for the interface's own representations."""
        selection = entity_selection(fetch.operation)
        if selection is None or not self._records:
            return {}
        conditions = {cond for cond, _ in selection.plain} | set(selection.impure)
        conditions.discard(None)
        interfaces = conditions & abstract
        plain: dict[str, list[str]] = {}  # the fields asked for, by type
        service = fetch.service_name
        found: dict[int, dict[str, Any]] = {}
        for i, rep in enumerate(reps):
            typename = rep.get("__typename")
            if not isinstance(typename, str) or (service, typename) not in self._records:
                continue
            if typename in selection.impure or None in selection.impure or interfaces - {typename}:
                continue
            wanted = plain.get(typename)
            if wanted is None:
                wanted = plain[typename] = selection.plain_for(typename)
            names = tuple(sorted(k for k in rep if k != "__typename"))
            values = tuple(_hashable(rep[k]) for k in names)
            if not names or None in values:
                continue
            record = self._index(service, typename, names).get(values)
            if record is not None and all(name in record for name in wanted):
                found[i] = {name: record[name] for name in wanted}
        self.served += len(found)
        return found

    def _index(self, service: str, typename: str, names: tuple[str, ...]) -> dict[tuple[Any, ...], dict[str, Any]]:
        records = self._records[(service, typename)]
        key = (service, typename, names)
        done, index = self._indexes.get(key, (0, {}))
        for record in records[done:]:
            values = tuple(_hashable(record[n]) if n in record else None for n in names)
            if None not in values:
                index.setdefault(values, record)
        self._indexes[key] = (len(records), index)
        return index
