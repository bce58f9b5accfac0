"""Catalogue rows in the exchange format (the generator's `items.jsonl`) → the domain's `EnforcementItem`.

The payload of a catalogue item is a JSON object:

    {"code", "version", "name", "action_type", "domain", "allowed_kinds": [PenaltyKind...],
     "fine_rule": {"type": "FIXED_RANGE", "min_fen", "max_fen"} | {"type": "MULTIPLE_OF", "base",
                   "min_x", "max_x"} | {"type": "NONE"},
     "discretion_benchmarks": [{"circumstance_level": "从轻", "min_fen", "max_fen", ...}],
     "hearing_threshold_individual_fen", "hearing_threshold_org_fen", "major_decision",
     "violated_provisions" / "penalty_provisions": [{"regulation", "article"}], ...}

Multiples are read through their decimal text (`Fraction(str(x))`), never as binary floats.
Bands expressed only as multiples carry no fen bounds and are left out of the domain's bands.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from subgraphs.cases.domain.catalogue import DiscretionBand, EnforcementItem, FineRule, FineRuleKind
from subgraphs.cases.domain.enums import CircumstanceLevel, PenaltyKind
from subgraphs.cases.errors import BadInput

LEVELS: dict[str, CircumstanceLevel] = {
    "不予处罚": CircumstanceLevel.NO_PENALTY, "减轻": CircumstanceLevel.REDUCED, "从轻": CircumstanceLevel.LIGHTER,
    "一般": CircumstanceLevel.ORDINARY, "从重": CircumstanceLevel.HEAVIER,
    **{level.value: level for level in CircumstanceLevel},
}


def basis_ref(provision: Mapping[str, Any]) -> str:
    """`{"regulation": "X", "article": "第N条"}` → `《X》第N条` (the form a case's basis uses)."""
    return f"《{provision['regulation']}》{provision['article']}"


def _fraction(value: Any) -> Fraction:
    if isinstance(value, bool) or value is None:
        raise BadInput(f"not a multiple: {value!r}")
    return Fraction(str(value))


def _fine_rule(raw: Mapping[str, Any]) -> FineRule:
    kind = str(raw.get("type", "NONE"))
    if kind == "FIXED_RANGE":
        return FineRule(FineRuleKind.FIXED_RANGE, int(raw["min_fen"]), int(raw["max_fen"]))
    if kind == "MULTIPLE_OF":
        return FineRule(FineRuleKind.MULTIPLE_OF, min_multiple=_fraction(raw["min_x"]),
                        max_multiple=_fraction(raw["max_x"]))
    if kind == "NONE":
        return FineRule(FineRuleKind.NONE)
    raise BadInput(f"unknown fine rule type {kind!r}")


def to_domain_item(payload: Mapping[str, Any]) -> EnforcementItem:
    """The guard-relevant slice of a catalogue payload; BadInput names what is wrong."""
    try:
        bands = tuple(
            DiscretionBand(LEVELS[str(b["circumstance_level"])], int(b["min_fen"]), int(b["max_fen"]),
                           str(b.get("published_doc_no") or ""))
            for b in payload.get("discretion_benchmarks") or []
            if b.get("min_fen") is not None and b.get("max_fen") is not None
        )
        penalty = payload.get("penalty_provisions") or []
        return EnforcementItem(
            code=str(payload["code"]), version=str(payload["version"]), name=str(payload["name"]),
            domain=str(payload["domain"]),
            allowed_kinds=frozenset(PenaltyKind(k) for k in payload.get("allowed_kinds") or []),
            fine_rule=_fine_rule(payload.get("fine_rule") or {"type": "NONE"}),
            benchmarks=bands,
            hearing_threshold_individual_fen=int(payload.get("hearing_threshold_individual_fen") or 0),
            hearing_threshold_org_fen=int(payload.get("hearing_threshold_org_fen") or 0),
            major_decision=bool(payload.get("major_decision")),
            extended_limitation=bool(payload.get("extended_limitation")),
            single_officer_allowed=bool(payload.get("single_officer_allowed")),
            penalty_provision=basis_ref(penalty[0]) if penalty else "",
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise BadInput(f"catalogue item {payload.get('code')!r} is malformed: {exc}") from exc
