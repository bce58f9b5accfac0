"""The compiled snapshot decoder against the reference decoder it must equal.

The snapshots are the ground-truth data set's (built by the state machine, with every injected
violation and near miss), so every field the sweep reads is exercised with real values. Mutations
at random JSON paths check the refusals: whatever the reference decoder refuses, `decode` and
`decode_json` refuse with the same error type; whatever it accepts, they return equal values.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from subgraphs.cases.codec import CodecError, decode, decode_json, encode, reference_decode, reference_encode
from subgraphs.cases.domain.errors import CaseDomainError
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.ground_truth import build_dataset, entry_snapshot, load_world

SECRET = b"codec-test-pepper"


@pytest.fixture(scope="module")
def entries(small_seed: Path) -> list[Any]:
    world = load_world(small_seed, SECRET)
    built, _truth = build_dataset(world, seed=3, count=60)
    return built


@pytest.fixture(scope="module")
def snapshots_json(entries: list[Any]) -> list[dict[str, Any]]:
    return [reference_encode(entry_snapshot(e)) for e in entries]


def test_encoding_equals_the_reference_for_every_step_and_command(entries: list[Any]) -> None:
    steps = 0
    for entry in entries:
        memo: dict[int, Any] = {}
        for step in getattr(entry, "steps", ()):
            assert encode(step.after) == reference_encode(step.after)
            assert encode(step.after, memo) == reference_encode(step.after)
            for event in step.events:
                assert encode(event.command) == reference_encode(event.command)
            for deadline in step.deadlines:
                assert encode(deadline) == reference_encode(deadline)
            steps += 1
    assert steps > 300


def test_real_snapshots_decode_equal_to_the_reference(snapshots_json: list[dict[str, Any]]) -> None:
    assert len(snapshots_json) >= 60
    for raw in snapshots_json:
        expected = reference_decode(CaseSnapshot, raw)
        assert decode(CaseSnapshot, raw) == expected
        assert decode_json(CaseSnapshot, orjson.dumps(raw)) == expected
        assert encode(decode_json(CaseSnapshot, orjson.dumps(raw))) == raw


def _paths(value: Any, here: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [here]
    if isinstance(value, dict):
        for k, v in value.items():
            out.extend(_paths(v, (*here, k)))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out.extend(_paths(v, (*here, i)))
    return out


def _replace(value: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, dict):
        out = dict(value)
        if new is _DROP and not rest:
            out.pop(head, None)
            return out
        out[head] = _replace(value[head], rest, new)
        return out
    items = list(value)
    if new is _DROP and not rest:
        del items[head]
        return items
    items[head] = _replace(items[head], rest, new)
    return items


_DROP = object()
replacements = (st.none() | st.booleans() | st.integers(-3, 10**6) | st.sampled_from(
    ["", "x", "2024-02-30", "2024-03-01", "2024-03-01T09:00:00+08:00", "2024-03-01T09:00:00", "1/3", "1/0",
     "PENDING", "FILED", "ARCHIVED", "NATURAL_PERSON", "24:00"])
    | st.lists(st.integers(0, 3), max_size=2) | st.just({}) | st.just(_DROP))


def _outcome(fn: Any) -> tuple[str, Any]:
    try:
        return "ok", fn()
    except (CodecError, CaseDomainError) as exc:
        return type(exc).__name__, None


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_snapshots_are_refused_or_accepted_as_the_reference_does(
        snapshots_json: list[dict[str, Any]], data: st.DataObject) -> None:
    raw = data.draw(st.sampled_from(snapshots_json))
    path = data.draw(st.sampled_from(_paths(raw)[1:]))
    mutated = _replace(raw, path, data.draw(replacements))
    kind, expected = _outcome(lambda: reference_decode(CaseSnapshot, mutated))
    for fast in (lambda: decode(CaseSnapshot, mutated), lambda: decode_json(CaseSnapshot, orjson.dumps(mutated))):
        got_kind, got = _outcome(fast)
        assert got_kind == kind, (path, got_kind, kind)
        assert got == expected


def test_text_that_is_not_json_is_a_codec_error() -> None:
    with pytest.raises(CodecError, match="not JSON"):
        decode_json(CaseSnapshot, b'{"caseId": ')
