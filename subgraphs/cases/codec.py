"""JSON form of the case domain's frozen dataclasses (snapshots, commands, deadlines).

The store keeps snapshots and commands as JSON, and the event chain hashes them, so the encoding
must be stable and float-free (`domain.hashchain.canonical_json` rejects floats):

* dataclass → object with every field (defaults included), keys = field names;
* enum → its value; `date` → ``YYYY-MM-DD``; `datetime` → ISO 8601 with offset;
* tuple → array in order; frozenset → array sorted by the members' canonical JSON;
* `Fraction` → ``"n/d"``; `None`, `bool`, `int`, `str` as themselves.

Decoding is driven by the dataclass type hints, so `decode(CaseSnapshot, encode(s)) == s`.
Two decoders read the same JSON: a compiled one (msgspec, built once per type from the same hints;
about ten times faster, which is what a sweep over every case spends most of its time on) and the
reference one written out below. The compiled one answers; when it refuses a value, the reference
one decides, so a refusal is always the reference decoder's `CodecError` (with the JSON path) or the
domain's own error, and anything the reference accepts is accepted (a differential test holds the
two equal over real and mutated snapshots). `decode_json` reads the stored text straight away.
A command is encoded with its class name: ``{"kind": "FileCase", "fields": {...}}``.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Callable, Mapping
from datetime import date, datetime
from enum import Enum
from fractions import Fraction
from functools import cache
from typing import Any, TypeVar, Union, cast, get_args, get_origin, get_type_hints

import msgspec
import orjson

from domain.hashchain import canonical_json, canonical_json_unchecked
from subgraphs.cases.domain.commands import CaseCommand
from subgraphs.cases.domain.machine import handlers

T = TypeVar("T")

JsonObject = dict[str, Any]


class CodecError(ValueError):
    """Stored JSON does not fit the dataclass it is decoded into; names the path."""


def encode(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """The JSON value of a domain value (see the module docstring).

    With `memo`, the JSON of every dataclass value is remembered by identity (values are frozen), so
    encoding the successive snapshots of one case, which share most of their parts, encodes each part
    once. The memo keeps the values it saw alive; use one memo for one batch of related values.

    Each type's encoding function is built once and found by the value's exact type (a snapshot
    is a few hundred values; walking a chain of isinstance checks for each was most of a write's
    encoding time); `reference_encode` is the definition it is tested against."""
    enc = _ENCODERS.get(value.__class__)
    if enc is None:
        enc = _encoder_for(value.__class__)
    return enc(value, memo)


Encoder = Callable[[Any, "dict[int, tuple[Any, Any]] | None"], Any]
_PLAIN = (type(None), bool, int, str)
_ENCODERS: dict[type, Encoder] = {t: (lambda v, _m: v) for t in _PLAIN}


def _encoder_for(tp: type) -> Encoder:
    enc: Encoder
    if issubclass(tp, Enum):
        def enc(v: Any, _m: Any) -> Any:
            return v.value
    elif issubclass(tp, datetime):
        def enc(v: Any, _m: Any) -> Any:
            if v.tzinfo is None:
                raise CodecError("naive datetime cannot be encoded: instants carry an offset")
            return v.isoformat()
    elif issubclass(tp, date):
        def enc(v: Any, _m: Any) -> Any:
            return v.isoformat()
    elif issubclass(tp, Fraction):
        def enc(v: Any, _m: Any) -> Any:
            return f"{v.numerator}/{v.denominator}"
    elif dataclasses.is_dataclass(tp):
        names = tuple(f.name for f in dataclasses.fields(tp))

        def enc(v: Any, memo: Any) -> Any:
            if memo is not None:
                known = memo.get(id(v))
                if known is not None and known[0] is v:
                    return known[1]
            out = {}
            for name in names:
                x = getattr(v, name)
                t = x.__class__
                out[name] = x if t is str or t is int or x is None or t is bool else encode(x, memo)
            if memo is not None:
                memo[id(v)] = (v, out)
            return out
    elif issubclass(tp, frozenset | set):
        def enc(v: Any, memo: Any) -> Any:  # members are this encoder's output: float-free
            return sorted((encode(x, memo) for x in v), key=canonical_json_unchecked)
    elif issubclass(tp, tuple | list):
        def enc(v: Any, memo: Any) -> Any:
            return [encode(x, memo) for x in v]
    elif issubclass(tp, bool | int | str):
        def enc(v: Any, _m: Any) -> Any:
            return v
    else:
        raise CodecError(f"{tp.__name__} has no JSON form")
    _ENCODERS[tp] = enc
    return enc


def reference_encode(value: Any, memo: dict[int, tuple[Any, Any]] | None = None) -> Any:
    """The encoding written out as the module docstring states it (what `encode` is tested against).

    With `memo`, the JSON of every dataclass value is remembered by identity (values are frozen), so
    encoding the successive snapshots of one case, which share most of their parts, encodes each part
    once. The memo keeps the values it saw alive; use one memo for one batch of related values."""
    if value is None or isinstance(value, bool | int | str):
        return value
    if memo is not None and dataclasses.is_dataclass(value) and not isinstance(value, type):
        known = memo.get(id(value))
        if known is not None and known[0] is value:
            return known[1]
        out = {f.name: reference_encode(getattr(value, f.name), memo) for f in dataclasses.fields(value)}
        memo[id(value)] = (value, out)
        return out
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, datetime):
        if value.tzinfo is None:
            raise CodecError("naive datetime cannot be encoded: instants carry an offset")
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Fraction):
        return f"{value.numerator}/{value.denominator}"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: reference_encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, frozenset | set):
        return sorted((reference_encode(v, memo) for v in value), key=canonical_json)
    if isinstance(value, tuple | list):
        return [reference_encode(v, memo) for v in value]
    raise CodecError(f"{type(value).__name__} has no JSON form")


@cache
def _hints(cls: type) -> dict[str, Any]:
    return get_type_hints(cls)


def decode(cls: type[T], raw: Any) -> T:
    """Rebuild a `cls` dataclass from `encode`'s output (parsed JSON)."""
    try:
        return msgspec.convert(raw, cls, dec_hook=_msgspec_hook)
    except (msgspec.ValidationError, TypeError):
        return reference_decode(cls, raw)


def decode_json(cls: type[T], text: str | bytes) -> T:
    """`decode` of stored JSON text, parsed and decoded in one pass."""
    try:
        return cast(T, _json_decoder(cast(Any, cls)).decode(text))
    except (msgspec.ValidationError, msgspec.DecodeError, TypeError):
        try:
            raw = orjson.loads(text)
        except orjson.JSONDecodeError as exc:
            raise CodecError(f"$: not JSON ({exc})") from exc
        return reference_decode(cls, raw)


def reference_decode(cls: type[T], raw: Any) -> T:
    """The decoder written out from the type hints: the definition `decode` is held to."""
    return cast(T, _decoder(cast(Any, cls))(raw, "$"))


def _msgspec_hook(tp: Any, raw: Any) -> Any:
    if tp is Fraction and type(raw) is str:
        try:
            return Fraction(raw)
        except (ValueError, ZeroDivisionError) as exc:
            raise msgspec.ValidationError(str(exc)) from exc
    raise NotImplementedError


@cache
def _json_decoder(cls: type) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(cls, dec_hook=_msgspec_hook)


Decoder = Callable[[Any, str], Any]


@cache
def _decoder(tp: Any) -> Decoder:
    """The decoding function of one type, built once from its hints (a list of cases would otherwise
    walk the same type hints again for every field of every case)."""
    origin = get_origin(tp)
    if origin in (Union, types.UnionType):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) != 1:
            def several(raw: Any, path: str) -> Any:
                if raw is None:
                    return None
                raise CodecError(f"{path}: unions of several types are not supported")
            return several
        inner = _decoder(members[0])
        return lambda raw, path: None if raw is None else inner(raw, path)
    if origin is frozenset:
        (member,) = get_args(tp)
        item = _decoder(member)
        return lambda raw, path: frozenset(item(v, f"{path}[]") for v in _list(raw, path))
    if origin is tuple:
        return _tuple_decoder(get_args(tp))
    if tp is Any:
        return lambda raw, path: raw
    if isinstance(tp, type):
        if dataclasses.is_dataclass(tp):
            return _dataclass_decoder(tp)
        if tp is date:
            return lambda raw, path: _iso(date, raw, path) if type(raw) is str else _decode_plain(tp, raw, path)
        if tp is str:
            return lambda raw, path: raw if type(raw) is str else _decode_plain(tp, raw, path)
        if issubclass(tp, Enum):
            by_value: dict[Any, Any] = {m.value: m for m in tp}
            return lambda raw, path: by_value[raw] if type(raw) in (str, int) and raw in by_value \
                else _decode_plain(tp, raw, path)
        return lambda raw, path: _decode_plain(tp, raw, path)
    raise CodecError(f"unsupported type {tp!r}")


def _tuple_decoder(args: tuple[Any, ...]) -> Decoder:
    if len(args) == 2 and args[1] is Ellipsis:
        item = _decoder(args[0])
        return lambda raw, path: tuple(item(v, f"{path}[{i}]") for i, v in enumerate(_list(raw, path)))
    parts = [_decoder(a) for a in args]

    def fixed(raw: Any, path: str) -> Any:
        items = _list(raw, path)
        if len(parts) != len(items):
            raise CodecError(f"{path}: expected {len(parts)} items, got {len(items)}")
        return tuple(d(v, f"{path}[{i}]") for i, (d, v) in enumerate(zip(parts, items, strict=True)))
    return fixed


def _dataclass_decoder(tp: type) -> Decoder:
    hints = _hints(tp)
    fields = [(f.name, f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING)
              for f in dataclasses.fields(tp)]
    resolved: dict[str, Decoder] = {}

    def decode_object(raw: Any, path: str) -> Any:
        if not isinstance(raw, Mapping):
            raise CodecError(f"{path}: expected an object for {tp.__name__}")
        if not resolved:  # resolved on first use: a dataclass may refer to itself
            resolved.update({name: _decoder(hints[name]) for name, _required in fields})
        values = {}
        for name, required in fields:
            if name in raw:
                values[name] = resolved[name](raw[name], f"{path}.{name}")
            elif required:
                raise CodecError(f"{path}.{name}: missing")
        return tp(**values)
    return decode_object


def _list(raw: Any, path: str) -> list[Any]:
    if not isinstance(raw, list):
        raise CodecError(f"{path}: expected an array, got {type(raw).__name__}")
    return raw


def _decode_plain(tp: type, raw: Any, path: str) -> Any:
    if issubclass(tp, Enum):
        try:
            return tp(raw)
        except ValueError as exc:
            raise CodecError(f"{path}: {raw!r} is not a {tp.__name__}") from exc
    if tp is datetime or tp is date:
        return _iso(tp, _str(raw, path), path)
    if tp is Fraction:
        try:
            return Fraction(_str(raw, path))
        except (ValueError, ZeroDivisionError) as exc:
            raise CodecError(f"{path}: {raw!r} is not a fraction n/d") from exc
    if tp is bool:
        if not isinstance(raw, bool):
            raise CodecError(f"{path}: expected true/false")
        return raw
    if tp is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise CodecError(f"{path}: expected an integer")
        return raw
    if tp is str:
        return _str(raw, path)
    raise CodecError(f"{path}: unsupported type {tp.__name__}")


def _iso(tp: type[date], raw: str, path: str) -> Any:
    try:
        return tp.fromisoformat(raw)
    except ValueError as exc:
        raise CodecError(f"{path}: {raw!r} is not an ISO 8601 {tp.__name__}") from exc


def _str(raw: Any, path: str) -> str:
    if not isinstance(raw, str):
        raise CodecError(f"{path}: expected a string, got {type(raw).__name__}")
    return raw


# --- commands ----------------------------------------------------------------------------------


@cache
def command_types() -> dict[str, type[CaseCommand]]:
    """Every command of the penalty-case machine by class name."""
    return {cls.__name__: cls for cls in handlers()}


def encode_command(command: CaseCommand) -> JsonObject:
    return {"kind": type(command).__name__, "fields": encode(command)}


def decode_command(raw: Mapping[str, Any]) -> CaseCommand:
    kind = raw.get("kind")
    cls = command_types().get(str(kind))
    if cls is None:
        raise CodecError(f"unknown command kind {kind!r}")
    return decode(cls, raw.get("fields"))
