"""The JSON codec rebuilds every snapshot and command of the domain scenarios exactly."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.hashchain import canonical_json
from subgraphs.cases.codec import CodecError, decode, decode_command, encode, encode_command
from subgraphs.cases.domain.catalogue import FineRule, FineRuleKind
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.enums import CircumstanceLevel, PenaltyKind
from subgraphs.cases.domain.records import PenaltyProposal
from subgraphs.cases.domain.snapshot import CaseSnapshot

from .test_penalty_paths import SCENARIOS


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_every_scenario_snapshot_and_command_round_trips(scenario, ctx: GuardContext) -> None:  # type: ignore[no-untyped-def]
    story = scenario(ctx)
    for step in story.transitions:
        raw = encode(step.after)
        canonical_json(raw)  # float-free: it can be hashed into the event chain
        assert decode(CaseSnapshot, raw) == step.after
        for event in step.events:
            assert decode_command(encode_command(event.command)) == event.command


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_a_shared_memo_encodes_every_step_as_without_it(scenario, ctx: GuardContext) -> None:  # type: ignore[no-untyped-def]
    """One memo over all the steps of a case (they share parts) gives byte-identical canonical JSON."""
    story = scenario(ctx)
    memo: dict[int, tuple[object, object]] = {}
    for step in story.transitions:
        assert canonical_json(encode(step.after, memo)) == canonical_json(encode(step.after))
    assert memo  # the memo was used


@given(st.frozensets(st.sampled_from(sorted(PenaltyKind, key=str))), st.integers(0, 10**12),
       st.sampled_from(list(CircumstanceLevel)))
def test_proposals_round_trip(kinds: frozenset[PenaltyKind], fine: int, level: CircumstanceLevel) -> None:
    kinds = kinds | {PenaltyKind.FINE} if fine else kinds - {PenaltyKind.FINE}
    proposal = PenaltyProposal(kinds, level, fine_fen=fine)
    assert decode(PenaltyProposal, encode(proposal)) == proposal


@given(st.fractions(min_value=0, max_value=1000), st.fractions(min_value=0, max_value=1000))
def test_fractions_survive_without_floats(lo: Fraction, hi: Fraction) -> None:
    rule = FineRule(FineRuleKind.MULTIPLE_OF, min_multiple=lo, max_multiple=hi)
    raw = encode(rule)
    assert isinstance(raw["min_multiple"], str)
    assert decode(FineRule, raw) == rule


def test_bad_json_names_the_path() -> None:
    raw = encode(PenaltyProposal(frozenset({PenaltyKind.WARNING}), CircumstanceLevel.ORDINARY))
    raw["circumstance"] = "WORST"
    with pytest.raises(CodecError, match=r"\$\.circumstance"):
        decode(PenaltyProposal, raw)


def test_unknown_command_kind_is_refused() -> None:
    with pytest.raises(CodecError, match="unknown command kind"):
        decode_command({"kind": "DropTable", "fields": {}})
