"""A generic append-only SM3 hash chain with SM2-signed anchors (DOMAIN.md §10.4, §10.5).

Used for case events and the cross-department access log. Each entry is (seq, prev_hash, body,
hash) where `body` is a JSON object and::

    hash = SM3( prev_hash.encode("ascii") || canonical_json({"body": body, "seq": seq}) )

written as 64 lowercase hex digits. The first entry has ``seq == 1`` (by default) and
``prev_hash == GENESIS_HASH`` (64 zeros).

Canonical JSON (what any other implementation must reproduce byte for byte):

* UTF-8, no BOM; object keys sorted by Unicode code point; no insignificant whitespace
  (separators ``,`` and ``:``); non-ASCII characters written as themselves (no ``\\u`` escapes,
  except the control characters JSON requires to be escaped);
* values: objects with string keys, arrays, strings, integers, true/false/null. Floats are
  rejected (their text form differs between languages): store money as integer 分 and decimals
  as strings.

An anchor is an SM2 signature over canonical_json({"chain": chain_id, "hash": head_hash,
"seq": head_seq, "signedAt": signed_at}); anchoring the head daily makes truncation of the tail
and wholesale rewriting detectable by `verify_anchored`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Final, TypeAlias

import orjson

from domain.sm import sm2_sign, sm2_verify, sm3_hex

__all__ = [
    "GENESIS_HASH",
    "ChainAnchor",
    "ChainEntry",
    "ChainFault",
    "ChainReport",
    "HashChain",
    "HashChainError",
    "JsonValue",
    "anchor_message",
    "canonical_json",
    "canonical_json_unchecked",
    "entry_hash",
    "entry_hash_unchecked",
    "make_entry",
    "sign_anchor",
    "verify_anchor",
    "verify_anchored",
    "verify_chain",
]

GENESIS_HASH: Final = "0" * 64

JsonValue: TypeAlias = "bool | int | str | Sequence[JsonValue] | Mapping[str, JsonValue] | None"


class HashChainError(ValueError):
    """A body that cannot be put into canonical JSON, or an entry that cannot be appended."""


def _check_json(value: object, where: str) -> None:
    if value is None or isinstance(value, bool | int | str):
        return
    if isinstance(value, float):
        raise HashChainError(f"{where}: floats are not allowed in chained entries")
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise HashChainError(f"{where}: object keys must be strings, got {type(key).__name__}")
            _check_json(item, f"{where}.{key}")
        return
    if isinstance(value, list | tuple):
        for index, item in enumerate(value):
            _check_json(item, f"{where}[{index}]")
        return
    raise HashChainError(f"{where}: {type(value).__name__} is not a JSON value")


def canonical_json(value: JsonValue) -> bytes:
    """The canonical UTF-8 JSON text of `value` (see the module docstring)."""
    _check_json(value, "$")
    return canonical_json_unchecked(value)


def canonical_json_unchecked(value: JsonValue) -> bytes:
    """`canonical_json` of a value already known to be float-free JSON with string keys (what the case
    codec produces: it has no float form), without walking it first.

    orjson writes the same bytes as the standard library with sorted keys, compact separators and
    ``ensure_ascii=False`` (a property test holds them equal), several times faster; integers beyond
    64 bits, which orjson refuses, go through the standard library."""
    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except TypeError:
        return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                          allow_nan=False).encode("utf-8")


def entry_hash(prev_hash: str, seq: int, body: Mapping[str, JsonValue]) -> str:
    """SM3(prev_hash || canonical_json({"body": body, "seq": seq})) as hex."""
    return sm3_hex(prev_hash.encode("ascii") + canonical_json({"body": body, "seq": seq}))


def entry_hash_unchecked(prev_hash: str, seq: int, body: Mapping[str, object]) -> str:
    """`entry_hash` of a body already known to be float-free JSON with string keys (see
    `canonical_json_unchecked`), without walking it first. A value of the body may be an
    `orjson.Fragment` holding the canonical JSON text of that value: it is written as it stands (so
    a part serialised once is not serialised again). A body orjson refuses while it holds a
    fragment raises TypeError (the caller then hashes the plain value with `entry_hash`)."""
    return sm3_hex(prev_hash.encode("ascii") + canonical_json_unchecked(
        {"body": body, "seq": seq}))  # type: ignore[dict-item]


@dataclass(frozen=True, slots=True)
class ChainEntry:
    """One stored link of the chain."""

    seq: int
    prev_hash: str
    body: Mapping[str, JsonValue]
    hash: str


def make_entry(previous: ChainEntry | None, body: Mapping[str, JsonValue], *, first_seq: int = 1) -> ChainEntry:
    """The entry that follows `previous` (or the first entry when `previous` is None)."""
    if not isinstance(body, Mapping):
        raise HashChainError("an entry body must be a JSON object")
    seq = first_seq if previous is None else previous.seq + 1
    prev_hash = GENESIS_HASH if previous is None else previous.hash
    return ChainEntry(seq=seq, prev_hash=prev_hash, body=body, hash=entry_hash(prev_hash, seq, body))


class HashChain:
    """An in-memory chain builder (stores persist `ChainEntry` rows themselves)."""

    def __init__(self, *, first_seq: int = 1) -> None:
        self._first_seq = first_seq
        self._entries: list[ChainEntry] = []

    def append(self, body: Mapping[str, JsonValue]) -> ChainEntry:
        entry = make_entry(self._entries[-1] if self._entries else None, body, first_seq=self._first_seq)
        self._entries.append(entry)
        return entry

    @property
    def entries(self) -> tuple[ChainEntry, ...]:
        return tuple(self._entries)

    @property
    def head(self) -> ChainEntry | None:
        return self._entries[-1] if self._entries else None


class ChainFault(StrEnum):
    """Why an entry failed verification."""

    EDITED = "EDITED"  # stored hash != hash recomputed from (prev_hash, seq, body)
    DELETED = "DELETED"  # sequence skips ahead: entries before this one are missing
    REORDERED = "REORDERED"  # sequence goes back or repeats, or a later entry fills the gap
    BROKEN_LINK = "BROKEN_LINK"  # seq in order but prev_hash != the previous entry's hash
    MALFORMED = "MALFORMED"  # not a well-formed entry (hash format, seq type, body not JSON)
    TRUNCATED = "TRUNCATED"  # the anchored entry is missing (tail deleted)
    ANCHOR_MISMATCH = "ANCHOR_MISMATCH"  # the anchored entry's hash differs from the anchor
    BAD_ANCHOR = "BAD_ANCHOR"  # the anchor's signature does not verify


@dataclass(frozen=True, slots=True)
class ChainReport:
    """Outcome of a verification: ok, or the FIRST bad entry and why."""

    ok: bool
    checked: int  # entries verified good before the first bad one (all of them when ok)
    head_seq: int | None  # seq of the last good entry
    head_hash: str  # hash of the last good entry (the start hash when none)
    bad_index: int | None = None  # position in the given sequence
    bad_seq: int | None = None  # the seq the bad entry carries
    fault: ChainFault | None = None
    reason: str = ""

    def __str__(self) -> str:
        if self.ok:
            return f"chain ok: {self.checked} entries, head seq {self.head_seq}"
        return f"chain broken at index {self.bad_index} (seq {self.bad_seq}): {self.fault}: {self.reason}"


def _is_hex64(value: object) -> bool:
    return isinstance(value, str) and len(value) == 64 and all(c in "0123456789abcdef" for c in value)


def _bad(
    index: int, entry: ChainEntry, fault: ChainFault, reason: str, head_seq: int | None, head_hash: str
) -> ChainReport:
    return ChainReport(
        ok=False,
        checked=index,
        head_seq=head_seq,
        head_hash=head_hash,
        bad_index=index,
        bad_seq=entry.seq if isinstance(entry.seq, int) else None,
        fault=fault,
        reason=reason,
    )


def verify_chain(
    entries: Iterable[ChainEntry], *, start_hash: str = GENESIS_HASH, first_seq: int = 1
) -> ChainReport:
    """Check every link; stop at the first bad entry and name it.

    Checks per entry, in order: well-formed; seq == previous seq + 1 (a jump ahead is DELETED
    unless a later entry carries a missing seq, then REORDERED; a step back is REORDERED);
    prev_hash == previous hash (BROKEN_LINK); stored hash == recomputed hash (EDITED).
    To verify a segment, pass the hash and seq + 1 of the entry before it.
    """
    items = list(entries)
    seen_seqs = {e.seq for e in items if isinstance(e.seq, int)}
    prev_hash, expected_seq, head_seq = start_hash, first_seq, None
    for index, entry in enumerate(items):

        def bad(fault: ChainFault, reason: str) -> ChainReport:
            return _bad(index, entry, fault, reason, head_seq, prev_hash)  # noqa: B023 - called at once

        if isinstance(entry.seq, bool) or not isinstance(entry.seq, int):
            return bad(ChainFault.MALFORMED, "seq is not an integer")
        if not (_is_hex64(entry.hash) and _is_hex64(entry.prev_hash)):
            return bad(ChainFault.MALFORMED, "hash or prev_hash is not 64 lowercase hex digits")
        if entry.seq > expected_seq:
            missing = set(range(expected_seq, min(entry.seq, expected_seq + len(items) + 1)))
            if missing & seen_seqs:
                return bad(ChainFault.REORDERED, f"expected seq {expected_seq}, found {entry.seq} (entries moved)")
            return bad(ChainFault.DELETED, f"expected seq {expected_seq}, found {entry.seq}: entries missing")
        if entry.seq < expected_seq:
            return bad(ChainFault.REORDERED, f"expected seq {expected_seq}, found {entry.seq}")
        if entry.prev_hash != prev_hash:
            return bad(ChainFault.BROKEN_LINK, "prev_hash does not match the previous entry's hash")
        try:
            recomputed = entry_hash(entry.prev_hash, entry.seq, entry.body)
        except HashChainError as exc:
            return bad(ChainFault.MALFORMED, str(exc))
        if recomputed != entry.hash:
            return bad(ChainFault.EDITED, "stored hash differs from the hash of the entry's content")
        prev_hash, head_seq, expected_seq = entry.hash, entry.seq, entry.seq + 1
    return ChainReport(ok=True, checked=len(items), head_seq=head_seq, head_hash=prev_hash)


# --- anchors ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ChainAnchor:
    """A signed statement "chain `chain_id` had head `head_hash` at `head_seq`, at `signed_at`"."""

    chain_id: str
    head_seq: int
    head_hash: str
    signed_at: str  # ISO 8601 instant with offset, as given by the caller
    key_id: str  # which anchor key signed (key rotation); not part of the signed message
    signature: str = field(repr=False)  # SM2 r || s hex


def anchor_message(chain_id: str, head_seq: int, head_hash: str, signed_at: str) -> bytes:
    """The bytes an anchor signs."""
    return canonical_json({"chain": chain_id, "hash": head_hash, "seq": head_seq, "signedAt": signed_at})


def sign_anchor(
    chain_id: str, head: ChainEntry, *, private_key: str, key_id: str, signed_at: str
) -> ChainAnchor:
    """Sign the head of a chain with an SM2 private key (hex, see `domain.sm`)."""
    message = anchor_message(chain_id, head.seq, head.hash, signed_at)
    return ChainAnchor(
        chain_id=chain_id,
        head_seq=head.seq,
        head_hash=head.hash,
        signed_at=signed_at,
        key_id=key_id,
        signature=sm2_sign(private_key, message),
    )


def verify_anchor(anchor: ChainAnchor, public_key: str) -> bool:
    """True when the anchor's signature is valid for its content under `public_key`."""
    message = anchor_message(anchor.chain_id, anchor.head_seq, anchor.head_hash, anchor.signed_at)
    return sm2_verify(public_key, message, anchor.signature)


def verify_anchored(
    entries: Iterable[ChainEntry],
    anchor: ChainAnchor,
    public_key: str,
    *,
    start_hash: str = GENESIS_HASH,
    first_seq: int = 1,
) -> ChainReport:
    """`verify_chain`, then check the anchor's signature and that the chain still holds its head."""
    items = list(entries)
    report = verify_chain(items, start_hash=start_hash, first_seq=first_seq)
    if not report.ok:
        return report
    if not verify_anchor(anchor, public_key):
        return ChainReport(
            ok=False, checked=report.checked, head_seq=report.head_seq, head_hash=report.head_hash,
            fault=ChainFault.BAD_ANCHOR, reason="anchor signature does not verify",
        )
    for index, entry in enumerate(items):
        if entry.seq == anchor.head_seq:
            if entry.hash != anchor.head_hash:
                return ChainReport(
                    ok=False, checked=index, head_seq=report.head_seq, head_hash=report.head_hash,
                    bad_index=index, bad_seq=entry.seq, fault=ChainFault.ANCHOR_MISMATCH,
                    reason="the anchored entry's hash differs from the signed head hash",
                )
            return report
    return ChainReport(
        ok=False, checked=report.checked, head_seq=report.head_seq, head_hash=report.head_hash,
        bad_index=len(items), bad_seq=anchor.head_seq, fault=ChainFault.TRUNCATED,
        reason=f"anchored entry seq {anchor.head_seq} is missing (chain ends at seq {report.head_seq})",
    )
