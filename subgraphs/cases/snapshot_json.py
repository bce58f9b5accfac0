"""A snapshot's (or a command's) stored JSON text and its canonical JSON, written by msgspec for the
bulk writer: the one encoder of the bulk path, which falls back to the codec where msgspec might
write otherwise (`stored_and_digest`, `digest`, `command_texts`).

The case store keeps a snapshot as `hot_sql.json_text(codec.encode(s))` and its chain records
`SM3(canonical_json(codec.encode(s)))`. Writing a hundred thousand cases, encoding each snapshot
through the codec's Python functions and serialising the result takes most of the write; msgspec
writes the same two texts straight from the dataclasses, several times faster.

The texts are the same bytes only where msgspec and the codec agree, so `texts(snapshot)` answers
only then and returns None otherwise (the caller encodes with the codec):

* checked once per type, from the type hints: every dataclass field takes part (msgspec leaves out
  ``init=False`` fields, the codec does not); every enum has str or int values; every set holds
  str enums whose values sort the same as their JSON texts (the codec sorts a set by its members'
  canonical JSON, msgspec by the values); no mapping, no other type;
* checked per snapshot, where the hints allow a `datetime`: its offset is a whole number of minutes
  and not zero (the codec writes ``+00:00`` where msgspec writes ``Z``, and keeps seconds of an
  offset msgspec drops); a naive one is refused as the codec refuses it. The hints are trusted
  otherwise (a `date` field holds a date): the codec's decoder and the state machine build
  snapshots that way.

A `Fraction` is written ``n/d`` by both. tests/subgraphs/cases/test_snapshot_json.py holds the
texts equal to the codec's over real snapshots and over generated instants and fractions.
"""

from __future__ import annotations

import dataclasses
import re
import types
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from fractions import Fraction
from typing import Any, Union, get_args, get_origin, get_type_hints

import msgspec
import orjson

from domain.hashchain import canonical_json_unchecked
from domain.sm import sm3_hex
from subgraphs.cases.codec import encode
from subgraphs.cases.domain.snapshot import CaseSnapshot

#: a value that sorts the same as its JSON text (no quote, backslash, control or space characters)
_PLAIN_VALUE = re.compile(r"[A-Za-z0-9_.:-]*")

Check = Callable[[Any], bool]


class _Unsupported(Exception):
    """A type msgspec would not write as the codec does."""


def _hook(value: Any) -> Any:
    if type(value) is Fraction:
        return f"{value.numerator}/{value.denominator}"
    raise NotImplementedError(f"{type(value).__name__} has no JSON form")


_STORED = msgspec.json.Encoder(enc_hook=_hook, order="deterministic")
_CANONICAL = msgspec.json.Encoder(enc_hook=_hook, order="sorted")


def _building(_value: Any) -> bool:
    raise AssertionError("a type's check is used before it is built")


_BUILDING: Check = _building


def _instant_ok(value: Any) -> bool:
    offset = value.utcoffset()
    return offset is not None and bool(offset) and offset.seconds % 60 == 0 and not offset.microseconds


def _each(check: Check) -> Check:
    def each(value: Any) -> bool:
        for v in value:  # noqa: SIM110 - a plain loop: all() over a generator is twice as slow here
            if v is not None and not check(v):
                return False
        return True
    return each


def _checker(tp: Any, seen: dict[Any, Check | None]) -> Check | None:
    """What must hold of a value of type `tp` (None: nothing to check); `_Unsupported` if msgspec
    may write a value of `tp` otherwise than the codec."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        args = [a for a in get_args(tp) if a is not type(None)]
        checks = [c for c in (_checker(a, seen) for a in args) if c is not None]
        if not checks:
            return None
        if len(args) > 1:
            raise _Unsupported(f"union {tp}")
        return checks[0]  # None is checked by the caller
    if origin in (tuple, list):
        checks = [c for c in (_checker(a, seen) for a in get_args(tp) if a is not Ellipsis) if c is not None]
        if not checks:
            return None
        if len(checks) > 1:
            raise _Unsupported(f"mixed tuple {tp}")
        return _each(checks[0])
    if origin in (frozenset, set):
        (member,) = get_args(tp)
        if not (isinstance(member, type) and issubclass(member, Enum) and issubclass(member, str)
                and all(_PLAIN_VALUE.fullmatch(m.value) for m in member)):
            raise _Unsupported(f"set of {member}")
        return None
    if origin is not None:
        raise _Unsupported(str(tp))
    if tp is datetime:
        return _instant_ok
    if tp in (str, int, bool, type(None), date, Fraction):
        return None
    if isinstance(tp, type) and issubclass(tp, Enum):
        if not issubclass(tp, str | int):
            raise _Unsupported(f"enum {tp.__name__}")
        return None
    if isinstance(tp, type) and dataclasses.is_dataclass(tp):
        return _dataclass_checker(tp, seen)
    raise _Unsupported(repr(tp))


def _dataclass_checker(tp: type, seen: dict[Any, Check | None]) -> Check | None:
    if tp in seen:
        if seen[tp] is _BUILDING:
            raise _Unsupported(f"{tp.__name__} contains itself")
        return seen[tp]
    seen[tp] = _BUILDING
    hints = get_type_hints(tp)
    fields = []
    for f in dataclasses.fields(tp):
        if not f.init:
            raise _Unsupported(f"{tp.__name__}.{f.name} is not an __init__ field")
        field_check = _checker(hints[f.name], seen)
        if field_check is not None:
            fields.append((f.name, field_check))
    if not fields:
        seen[tp] = None
        return None

    def check(value: Any) -> bool:
        for name, c in fields:
            v = getattr(value, name)
            if v is not None and not c(v):
                return False
        return True

    seen[tp] = check
    return check


_PLANS: dict[type, tuple[bool, Check | None]] = {}


def _plan(tp: type) -> tuple[bool, Check | None]:
    """Whether msgspec writes values of `tp` as the codec does, and what to check per value (once per type)."""
    found = _PLANS.get(tp)
    if found is None:
        try:
            found = (True, _checker(tp, {}))
        except _Unsupported:
            found = (False, None)
        _PLANS[tp] = found
    return found


def _passes(value: Any) -> bool:
    supported, check = _plan(type(value))
    return supported and (check is None or check(value))


def texts(value: Any) -> tuple[bytes, bytes] | None:
    """(`json_text(encode(value))`, `canonical_json(encode(value))`) as UTF-8 for a dataclass value (a
    snapshot, a command), or None when msgspec might write them otherwise (the caller then uses the codec)."""
    if not _passes(value):
        return None
    try:
        return _STORED.encode(value), _CANONICAL.encode(value)
    except (TypeError, ValueError, NotImplementedError, OverflowError):
        return None


def canonical(value: Any) -> bytes | None:
    """`canonical_json(encode(value))`, or None as for `texts`."""
    if not _passes(value):
        return None
    try:
        return _CANONICAL.encode(value)
    except (TypeError, ValueError, NotImplementedError, OverflowError):
        return None


# --- what the bulk writer stores and hashes (msgspec where it agrees, else the codec) ---------------


def stored_and_digest(snapshot: CaseSnapshot, memo: dict[int, tuple[Any, Any]] | None = None) -> tuple[Any, str]:
    """The value stored as a case's snapshot (its JSON text already written, as an `orjson.Fragment`,
    or the codec's value) and `chain.snapshot_sm3` of it."""
    fast = texts(snapshot)
    if fast is not None:
        stored, canonical_text = fast
        return orjson.Fragment(stored), sm3_hex(canonical_text)
    value = encode(snapshot, memo)
    return value, sm3_hex(canonical_json_unchecked(value))  # the codec's output is float-free JSON


def digest(snapshot: CaseSnapshot, memo: dict[int, tuple[Any, Any]] | None = None) -> str:
    """`chain.snapshot_sm3` of the snapshot's JSON."""
    fast = canonical(snapshot)
    return sm3_hex(fast if fast is not None else canonical_json_unchecked(encode(snapshot, memo)))


def command_texts(command: Any) -> tuple[bytes, bytes] | None:
    """(`json_text(encode_command(command))`, `canonical_json(encode_command(command))`), or None as
    for `texts`: ``{"kind": <class name>, "fields": <the command>}``, keys sorted in the second."""
    fast = texts(command)
    if fast is None:
        return None
    kind = orjson.dumps(type(command).__name__)
    return (b'{"kind":' + kind + b',"fields":' + fast[0] + b"}",
            b'{"fields":' + fast[1] + b',"kind":' + kind + b"}")
