"""Our composer against both reference composers over the corpus: same decisions, supergraphs and codes.

Where the two references agree, ours must agree with them; where they differ (`references.FOLLOWED`),
ours must match the one followed and the two must still differ.
"""

from __future__ import annotations

import difflib
from concurrent.futures import ThreadPoolExecutor
from functools import lru_cache
from typing import Any

import pytest
from graphql import print_schema

from gateway.compose import CompositionResult, SubgraphSource, compose
from gateway.supergraph.loader import load_supergraph
from tests.gateway.compose.corpus import corpus
from tests.gateway.compose.figures import FIGURES
from tests.gateway.compose.normalize import normalise as _normalise
from tests.gateway.compose.references import COMPOSERS, FOLLOWED, compose_all
from tests.gateway.differential.reference import ReferenceUnavailable, ensure_installed, skip_or_fail

pytestmark = pytest.mark.node

CASES = corpus()
# The reference harness parses the SDL itself and calls a syntax error INVALID_INPUT.
SAME_CODE = {"INVALID_INPUT": "INVALID_GRAPHQL"}
normalise = lru_cache(maxsize=None)(_normalise)  # each supergraph is compared several times
Outcome = tuple[dict[str, dict[str, Any]], CompositionResult]  # (composer -> answer, ours)


@pytest.fixture(scope="module")
def outcomes() -> dict[str, Outcome]:
    try:
        ensure_installed()
    except ReferenceUnavailable as exc:
        skip_or_fail(str(exc))
    with ThreadPoolExecutor(max_workers=len(COMPOSERS)) as pool:  # one Node.js process per composer, together
        answers = dict(zip(COMPOSERS, pool.map(lambda c: compose_all(CASES, c), COMPOSERS), strict=True))
    return {n: ({c: answers[c][n] for c in COMPOSERS}, compose([SubgraphSource(*t) for t in CASES[n]]))
            for n in CASES}


def _codes(answer: dict[str, Any]) -> set[str]:
    return {SAME_CODE.get(e["code"], e["code"]) for e in answer.get("errors", ())}


def _same(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """Two reference answers agree: both reject with a common code, or both accept the same supergraph."""
    if "supergraph" in a and "supergraph" in b:
        return normalise(a["supergraph"]) == normalise(b["supergraph"])
    return "supergraph" not in a and "supergraph" not in b and bool(_codes(a) & _codes(b))


def _assert_matches(composer: str, reference: dict[str, Any], ours: CompositionResult) -> None:
    if "supergraph" in reference:
        assert ours.supergraph_sdl is not None, (composer, [e.describe() for e in ours.errors])
        want, got = normalise(reference["supergraph"]), normalise(ours.supergraph_sdl)
        assert want == got, "\n".join(difflib.unified_diff(want.splitlines(), got.splitlines(), composer, "ours",
                                                           lineterm=""))
    else:
        assert not ours.ok, f"we composed what {composer} rejects: {reference['errors']}"
        assert _codes(reference) & ours.codes, (composer, sorted(_codes(reference)), sorted(ours.codes))


def test_corpus_is_large_and_mixed() -> None:
    valid = [n for n in CASES if n.startswith(("v_", "fixture_"))]
    invalid = [n for n in CASES if n.startswith("e_")]
    assert len(CASES) >= 40
    assert len(valid) >= 20
    assert len(invalid) >= 20
    assert set(FOLLOWED) <= set(CASES)
    for gap in range(1, 9):
        assert len([n for n in CASES if f"_gap{gap}_" in n]) >= 2, f"gap {gap} needs two subgraph sets or more"


@pytest.mark.parametrize("name", sorted(CASES))
def test_same_outcome_as_references(name: str, outcomes: dict[str, Outcome]) -> None:
    answers, ours = outcomes[name]
    if name in FOLLOWED:
        followed, why = FOLLOWED[name]
        other = next(c for c in COMPOSERS if c != followed)
        assert not _same(answers[followed], answers[other]), f"the references agree now ({why}): drop the entry"
        composers = [followed]
    else:
        composers = list(COMPOSERS)
    for composer in composers:
        _assert_matches(composer, answers[composer], ours)
    if ours.supergraph_sdl is not None:
        # The gateway loads ours and derives the same client-facing schema as from the reference's.
        ours_api = normalise(print_schema(load_supergraph(ours.supergraph_sdl).api_schema))
        for composer in composers:
            if "supergraph" in answers[composer]:
                theirs = normalise(print_schema(load_supergraph(answers[composer]["supergraph"]).api_schema))
                assert ours_api == theirs, composer


def test_agreement_figures(outcomes: dict[str, Outcome]) -> None:
    total = len(outcomes)
    for composer in COMPOSERS:
        pairs = {n: (a[composer], o) for n, (a, o) in outcomes.items()}
        decisions = sum(("supergraph" in r) == o.ok for r, o in pairs.values())
        valid = [(r, o) for r, o in pairs.values() if "supergraph" in r and o.ok]
        equal = sum(normalise(r["supergraph"]) == normalise(o.supergraph_sdl or "") for r, o in valid)
        both_invalid = [(r, o) for r, o in pairs.values() if "supergraph" not in r and not o.ok]
        codes = sum(bool(_codes(r) & o.codes) for r, o in both_invalid)
        followed = sum(1 for f, _ in FOLLOWED.values() if f == composer)
        FIGURES.extend([
            f"{composer}: decisions agreeing {decisions}/{total}; supergraphs equal after normalisation "
            f"{equal}/{len(valid)}; same error code where both reject {codes}/{len(both_invalid)} "
            f"(cases where the references differ: {len(FOLLOWED)}, {followed} following {composer})",
        ])
        unfollowed = {n for n, (f, _) in FOLLOWED.items() if f != composer}
        assert decisions >= total - len(unfollowed)
        assert equal >= len(valid) - len(unfollowed)
        assert codes >= len(both_invalid) - len(unfollowed)
    print("\n".join(FIGURES[-len(COMPOSERS):]))
