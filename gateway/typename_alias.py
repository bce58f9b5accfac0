"""A client alias named ``__typename`` on another field (``{ me { __typename: name } }``) gets a key of its own.

GraphQL allows it: an alias is any Name (spec §2.7 "Field Alias"), and the reserved ``__`` prefix
(§2.1.9 "Names", "Reserved Names") binds names in the *type system* only, not the aliases of an
executable document; no validation rule (§5) refuses it, and graphql-js accepts it. So the gateway
answers it, under the key the client chose.

Inside the gateway, though, the ``__typename`` key of the data merged from the subgraphs is what tells
an object's type: the shaper picks the fields of an abstract type's member by it, and entity
representations sent to another subgraph carry it. A client alias there would let the value of any
field (a name a user typed, say) pose as the type of the object. Before planning, every such alias is
therefore renamed to a key that no response key of the document uses (:func:`hide`); the subgraph
queries, the merged data and every extension (masking, pruning, audit) see that key only, and once the
response is complete it is named ``__typename`` again, in the data and in error paths (:func:`restore`).
Documents without such an alias (nearly all) are untouched and cost one walk at planning time (cached).
"""

from __future__ import annotations

from typing import Any, Final

from graphql import DocumentNode, FieldNode, NameNode, Visitor, visit

TYPENAME: Final = "__typename"
_BASE: Final = "__typename_client_alias"


class _Names(Visitor):
    def __init__(self) -> None:
        super().__init__()
        self.keys: set[str] = set()
        self.found = False

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.keys.add(node.name.value)
        if node.alias is not None:
            self.keys.add(node.alias.value)
            if node.alias.value == TYPENAME and node.name.value != TYPENAME:
                self.found = True


class _Rename(Visitor):
    def __init__(self, key: str) -> None:
        super().__init__()
        self.key = key

    def enter_field(self, node: FieldNode, *_: Any) -> FieldNode | None:
        if node.alias is None or node.alias.value != TYPENAME or node.name.value == TYPENAME:
            return None
        parts = {k: getattr(node, k) for k in node.keys}
        parts["alias"] = NameNode(value=self.key, loc=node.alias.loc)
        return FieldNode(**parts)


def hide(document: DocumentNode) -> tuple[DocumentNode, str | None]:
    """`document` with every ``__typename`` alias of another field renamed, and the key it got (None: the
    document had no such alias and is returned as it was). Call it on a validated document."""
    names = _Names()
    visit(document, names)
    if not names.found:
        return document, None
    key, n = _BASE, 0
    while key in names.keys:
        n += 1
        key = f"{_BASE}{n}"
    renamed: DocumentNode = visit(document, _Rename(key))
    return renamed, key


def restore(body: dict[str, Any], key: str) -> dict[str, Any]:
    """The response `body` with `key` named ``__typename`` again (in ``data`` and in error paths)."""
    out = dict(body)
    if "data" in out:
        out["data"] = _rename(out["data"], key)
    errors = out.get("errors")
    if isinstance(errors, list):
        out["errors"] = [_error(e, key) for e in errors]
    return out


def _rename(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return {(TYPENAME if k == key else k): _rename(v, key) for k, v in value.items()}
    if isinstance(value, list):
        return [_rename(v, key) for v in value]
    return value


def _error(error: Any, key: str) -> Any:
    if not isinstance(error, dict) or not isinstance(error.get("path"), list):
        return error
    return {**error, "path": [TYPENAME if step == key else step for step in error["path"]]}
