"""`snapshot_json.texts` writes exactly the codec's texts, or declines: over every snapshot the
ground truth builds, and over generated instants, offsets, strings and types msgspec writes otherwise."""

from __future__ import annotations

import dataclasses
from dataclasses import replace
from datetime import date, datetime, timedelta, timezone
from enum import StrEnum
from pathlib import Path
from typing import Any

import msgspec
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.hashchain import canonical_json
from subgraphs.cases import snapshot_json
from subgraphs.cases.chain import snapshot_sm3
from subgraphs.cases.codec import encode, encode_command
from subgraphs.cases.domain.enums import EnforcementRoute
from subgraphs.cases.domain.records import Enforcement
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.ground_truth import AS_OF, build_dataset, entry_snapshot, load_world
from subgraphs.cases.hot_sql import json_text
from subgraphs.cases.service import CaseHistory

from .bulk_support import SECRET


def codec_texts_of_command(command: Any) -> tuple[bytes, bytes]:
    encoded = encode_command(command)
    return json_text(encoded).encode(), canonical_json(encoded)


def codec_texts(value: Any) -> tuple[bytes, bytes]:
    encoded = encode(value)
    return json_text(encoded).encode(), canonical_json(encoded)


@pytest.fixture(scope="module")
def histories(small_seed: Path) -> list[CaseHistory]:
    world = load_world(small_seed, SECRET)
    entries, _truth = build_dataset(world, seed=9, count=40, as_of=AS_OF)
    return [e for e in entries if isinstance(e, CaseHistory)]


@pytest.fixture(scope="module")
def snapshots(small_seed: Path) -> list[CaseSnapshot]:
    world = load_world(small_seed, SECRET)
    entries, _truth = build_dataset(world, seed=9, count=40, as_of=AS_OF)
    out: list[CaseSnapshot] = []
    for e in entries:
        out.extend(s.after for s in e.steps) if isinstance(e, CaseHistory) else out.append(entry_snapshot(e))
    return out


def test_every_ground_truth_snapshot_is_written_as_the_codec_writes_it(snapshots: list[CaseSnapshot]) -> None:
    assert len(snapshots) > 500
    assert len({s.state for s in snapshots}) >= 10
    for s in snapshots:
        assert snapshot_json.texts(s) == codec_texts(s), s.case_id
        assert snapshot_json.canonical(s) == codec_texts(s)[1]


def test_every_command_of_the_ground_truth_is_written_as_the_codec_writes_it(histories: list[CaseHistory]) -> None:
    commands = [e.command for h in histories for s in h.steps for e in s.events]
    assert len({type(c) for c in commands}) >= 15
    written = 0
    for c in commands:
        got = snapshot_json.command_texts(c)
        if got is not None:
            written += 1
            assert got == codec_texts_of_command(c), type(c).__name__
    assert written == len(commands)  # every command of the state machine takes the fast path


def test_the_bulk_digests_are_the_chain_digests_of_the_codec_json(snapshots: list[CaseSnapshot]) -> None:
    for s in snapshots[:200]:
        stored, digest = snapshot_json.stored_and_digest(s)
        assert digest == snapshot_sm3(encode(s)) == snapshot_json.digest(s)
        assert orjson.dumps(stored) == codec_texts(s)[0]


offsets = st.one_of(st.integers(-23 * 60 - 59, 23 * 60 + 59).map(lambda m: timedelta(minutes=m)),
                    st.integers(-86399, 86399).map(lambda s: timedelta(seconds=s)))
instants = st.builds(lambda day, secs, micro, off: datetime.combine(day, datetime.min.time(), timezone(off))
                     + timedelta(seconds=secs, microseconds=micro),
                     st.dates(date(2000, 1, 1), date(2099, 12, 31)), st.integers(0, 86399),
                     st.sampled_from([0, 1, 500, 999_999]), offsets)


@settings(max_examples=200, deadline=None)
@given(at=instants, index=st.integers(0, 10_000))
def test_an_instant_is_written_as_the_codec_writes_it_or_declined(snapshots: list[CaseSnapshot], at: datetime,
                                                                  index: int) -> None:
    base = snapshots[index % len(snapshots)]
    s = replace(base, enforcement=Enforcement(EnforcementRoute.OWN_POWER, at.date(), executed_at=at))
    got = snapshot_json.texts(s)
    offset = at.utcoffset()
    assert offset is not None
    whole_minutes = offset.seconds % 60 == 0
    if offset and whole_minutes:
        assert got == codec_texts(s)
    else:
        assert got is None  # msgspec writes Z for +00:00 and drops an offset's seconds


@settings(max_examples=200, deadline=None)
@given(name=st.text(max_size=40), index=st.integers(0, 10_000))
def test_any_text_is_written_as_the_codec_writes_it(snapshots: list[CaseSnapshot], name: str, index: int) -> None:
    base = snapshots[index % len(snapshots)]
    s = replace(base, body_id=name)
    try:
        expected = codec_texts(s)
    except (TypeError, UnicodeEncodeError, ValueError):
        return  # a text the store could not hold (a lone surrogate) is not the fast path's to write
    assert snapshot_json.texts(s) in (expected, None)


def test_a_naive_instant_is_declined(snapshots: list[CaseSnapshot]) -> None:
    s = replace(snapshots[0], enforcement=Enforcement(EnforcementRoute.OWN_POWER, date(2025, 1, 2),
                                                      executed_at=datetime(2025, 1, 2, 10, 0)))
    assert snapshot_json.texts(s) is None


class Loose(StrEnum):
    A = "a b"
    B = "a"


@dataclasses.dataclass(frozen=True)
class WithHiddenField:
    x: int
    y: int = dataclasses.field(default=0, init=False)


@dataclasses.dataclass(frozen=True)
class WithTextSet:
    tags: frozenset[str]


@dataclasses.dataclass(frozen=True)
class WithLooseEnumSet:
    tags: frozenset[Loose]


@pytest.mark.parametrize("value", [WithHiddenField(1), WithTextSet(frozenset({"a b", "a"})),
                                   WithLooseEnumSet(frozenset(Loose))])
def test_types_msgspec_would_write_otherwise_are_declined(value: Any) -> None:
    assert msgspec.json.encode(value, order="deterministic") != codec_texts(value)[0]  # the reason to decline
    assert snapshot_json.texts(value) is None
    assert snapshot_json.canonical(value) is None
