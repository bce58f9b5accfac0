"""Hash chain: untouched chains verify; any edit, deletion or swap is found and the entry named."""

from __future__ import annotations

import dataclasses
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.hashchain import (
    GENESIS_HASH,
    ChainEntry,
    ChainFault,
    HashChain,
    HashChainError,
    JsonValue,
    canonical_json,
    canonical_json_unchecked,
    entry_hash,
    sign_anchor,
    verify_anchor,
    verify_anchored,
    verify_chain,
)
from domain.sm import sm2_generate_keypair, sm3_hex

json_scalars = st.none() | st.booleans() | st.integers(-(10**12), 10**12) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=5,
)
bodies = st.dictionaries(st.text(max_size=8), json_values, min_size=1, max_size=4)


# any code point but lone surrogates (not encodable as UTF-8), keys from every plane so the sort order
# by code point is tested across the BMP/supplementary boundary
any_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=10)
wide_values = st.recursive(
    st.none() | st.booleans() | st.integers() | any_text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(any_text, inner, max_size=4),
    max_leaves=12,
)


@settings(max_examples=400)
@given(wide_values)
def test_fast_canonical_json_writes_the_standard_library_bytes(value: JsonValue) -> None:
    reference = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                           allow_nan=False).encode("utf-8")
    assert canonical_json_unchecked(value) == reference
    assert canonical_json(value) == reference


def test_fast_canonical_json_orders_keys_by_code_point_across_planes() -> None:
    # U+FFFF sorts before U+10000 by code point (UTF-16 order would put the astral key first)
    assert canonical_json({"\U00010000": 1, "\uffff": 2}) == '{"\uffff":2,"\U00010000":1}'.encode()
    assert canonical_json({"n": 2**70}) == b'{"n":1180591620717411303424}'  # beyond 64 bits


def build(items: list[dict[str, JsonValue]]) -> list[ChainEntry]:
    chain = HashChain()
    for body in items:
        chain.append(body)
    return list(chain.entries)


def test_canonical_json_rules() -> None:
    assert canonical_json({"b": 1, "a": [True, None, "潮州"]}) == '{"a":[true,null,"潮州"],"b":1}'.encode()
    assert canonical_json({"z": {"y": 1, "x": 2}}) == b'{"z":{"x":2,"y":1}}'
    with pytest.raises(HashChainError, match="floats"):
        canonical_json({"amount": 1.5})  # type: ignore[dict-item]
    with pytest.raises(HashChainError, match="keys"):
        canonical_json({1: "x"})  # type: ignore[dict-item]
    with pytest.raises(HashChainError):
        canonical_json({"when": object()})  # type: ignore[dict-item]


def test_entry_hash_definition_written_out() -> None:
    body: dict[str, JsonValue] = {"action": "READ_SENSITIVE", "actorId": "u1"}
    expected = sm3_hex(GENESIS_HASH.encode() + b'{"body":{"action":"READ_SENSITIVE","actorId":"u1"},"seq":1}')
    assert entry_hash(GENESIS_HASH, 1, body) == expected
    first = HashChain().append(body)
    assert (first.seq, first.prev_hash, first.hash) == (1, GENESIS_HASH, expected)


def test_empty_chain_is_ok() -> None:
    report = verify_chain([])
    assert report.ok
    assert report.head_hash == GENESIS_HASH


@settings(max_examples=40, deadline=None)
@given(st.lists(bodies, min_size=0, max_size=8))
def test_untouched_chain_verifies(items: list[dict[str, JsonValue]]) -> None:
    entries = build(items)
    report = verify_chain(entries)
    assert report.ok, str(report)
    assert report.checked == len(entries)
    assert report.head_hash == (entries[-1].hash if entries else GENESIS_HASH)


@settings(max_examples=40, deadline=None)
@given(st.lists(bodies, min_size=1, max_size=8), st.data())
def test_edit_is_detected_at_that_entry(items: list[dict[str, JsonValue]], data: st.DataObject) -> None:
    entries = build(items)
    index = data.draw(st.integers(0, len(entries) - 1))
    new_body = data.draw(bodies.filter(lambda b: canonical_json(b) != canonical_json(entries[index].body)))
    entries[index] = dataclasses.replace(entries[index], body=new_body)
    report = verify_chain(entries)
    assert not report.ok
    assert report.bad_index == index
    assert report.fault is ChainFault.EDITED
    assert report.checked == index


@settings(max_examples=40, deadline=None)
@given(st.lists(bodies, min_size=2, max_size=8), st.data())
def test_deletion_is_detected_at_the_next_entry(items: list[dict[str, JsonValue]], data: st.DataObject) -> None:
    entries = build(items)
    index = data.draw(st.integers(0, len(entries) - 2))  # the last one needs an anchor, below
    deleted = entries.pop(index)
    report = verify_chain(entries)
    assert not report.ok
    assert report.bad_index == index  # the entry that followed the deleted one
    assert report.bad_seq == deleted.seq + 1
    assert report.fault is ChainFault.DELETED


@settings(max_examples=40, deadline=None)
@given(st.lists(bodies, min_size=2, max_size=8), st.data())
def test_swap_is_detected_at_the_first_swapped_position(
    items: list[dict[str, JsonValue]], data: st.DataObject
) -> None:
    entries = build(items)
    i = data.draw(st.integers(0, len(entries) - 2))
    j = data.draw(st.integers(i + 1, len(entries) - 1))
    entries[i], entries[j] = entries[j], entries[i]
    report = verify_chain(entries)
    assert not report.ok
    assert report.bad_index == i
    assert report.fault is ChainFault.REORDERED


def test_renumbered_deletion_is_a_broken_link() -> None:
    """Deleting an entry and renumbering the rest still breaks the prev_hash link."""
    entries = build([{"n": i} for i in range(5)])
    del entries[2]
    entries = [
        dataclasses.replace(e, seq=pos + 1) if pos >= 2 else e for pos, e in enumerate(entries)
    ]
    report = verify_chain(entries)
    assert (report.ok, report.bad_index, report.fault) == (False, 2, ChainFault.BROKEN_LINK)


def test_rehashed_edit_breaks_the_next_link() -> None:
    entries = build([{"n": i} for i in range(4)])
    edited = dataclasses.replace(entries[1], body={"n": 99})
    entries[1] = dataclasses.replace(edited, hash=entry_hash(edited.prev_hash, edited.seq, edited.body))
    report = verify_chain(entries)
    assert (report.bad_index, report.fault) == (2, ChainFault.BROKEN_LINK)


def test_duplicate_and_backwards_sequence() -> None:
    entries = build([{"n": i} for i in range(3)])
    report = verify_chain([*entries, entries[1]])
    assert (report.bad_index, report.fault) == (3, ChainFault.REORDERED)


def test_malformed_entries() -> None:
    entries = build([{"n": 1}, {"n": 2}])
    report = verify_chain([entries[0], dataclasses.replace(entries[1], hash="XYZ")])
    assert (report.bad_index, report.fault) == (1, ChainFault.MALFORMED)
    report = verify_chain([dataclasses.replace(entries[0], body={"f": 1.5})])  # type: ignore[dict-item]
    assert (report.bad_index, report.fault) == (0, ChainFault.MALFORMED)


def test_segment_verification_from_a_known_entry() -> None:
    entries = build([{"n": i} for i in range(6)])
    report = verify_chain(entries[3:], start_hash=entries[2].hash, first_seq=entries[2].seq + 1)
    assert report.ok
    assert not verify_chain(entries[3:]).ok


@pytest.fixture(scope="module")
def anchor_keys() -> tuple[str, str]:
    pair = sm2_generate_keypair()
    return pair.private_key, pair.public_key


def test_anchor_sign_and_verify(anchor_keys: tuple[str, str]) -> None:
    private, public = anchor_keys
    entries = build([{"n": i} for i in range(4)])
    anchor = sign_anchor("access-log", entries[-1], private_key=private, key_id="k1",
                         signed_at="2024-05-01T00:00:00+08:00")
    assert verify_anchor(anchor, public)
    assert verify_anchored(entries, anchor, public).ok
    forged = dataclasses.replace(anchor, head_hash=entries[-2].hash, head_seq=entries[-2].seq)
    assert not verify_anchor(forged, public)
    assert verify_anchored(entries, forged, public).fault is ChainFault.BAD_ANCHOR
    other = sm2_generate_keypair()
    assert not verify_anchor(anchor, other.public_key)


def test_anchor_detects_tail_deletion_and_rewrite(anchor_keys: tuple[str, str]) -> None:
    private, public = anchor_keys
    entries = build([{"n": i} for i in range(4)])
    anchor = sign_anchor("cases", entries[-1], private_key=private, key_id="k1",
                         signed_at="2024-05-01T00:00:00+08:00")
    truncated = entries[:-1]
    assert verify_chain(truncated).ok  # undetectable without the anchor
    report = verify_anchored(truncated, anchor, public)
    assert (report.ok, report.fault) == (False, ChainFault.TRUNCATED)
    rewritten_bodies: list[dict[str, JsonValue]] = [{"n": i} for i in range(3)]
    rewritten = build([*rewritten_bodies, {"n": "changed"}])
    report = verify_anchored(rewritten, anchor, public)
    assert (report.ok, report.fault, report.bad_index) == (False, ChainFault.ANCHOR_MISMATCH, 3)
