"""The slice of the enforcement-item catalogue (执法事项库) that the guards need (DOMAIN.md §4.6, §4.8)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from .enums import CircumstanceLevel, PartyType, PenaltyKind
from .errors import DomainValueError
from .money import Fen


class FineRuleKind(StrEnum):
    FIXED_RANGE = "FIXED_RANGE"  # minFen..maxFen
    MULTIPLE_OF = "MULTIPLE_OF"  # minX..maxX times a base (违法所得 / 货值金额)
    NONE = "NONE"  # the item provides no fine


@dataclass(frozen=True, slots=True)
class FineRule:
    """罚款幅度 of the penalty provision."""

    kind: FineRuleKind
    min_fen: Fen = 0
    max_fen: Fen = 0
    min_multiple: Fraction = Fraction(0)
    max_multiple: Fraction = Fraction(0)

    def bounds(self, base_fen: Fen | None) -> tuple[Fen, Fen]:
        """Inclusive statutory bounds; MULTIPLE_OF needs the base amount."""
        if self.kind is FineRuleKind.FIXED_RANGE:
            return self.min_fen, self.max_fen
        if self.kind is FineRuleKind.MULTIPLE_OF:
            if base_fen is None:
                raise DomainValueError("a MULTIPLE_OF fine rule needs the base amount (违法所得/货值金额)")
            return math.ceil(self.min_multiple * base_fen), math.floor(self.max_multiple * base_fen)
        return 0, 0


@dataclass(frozen=True, slots=True)
class DiscretionBand:
    """One band of a discretion benchmark (裁量基准): the fine range for a circumstance level."""

    level: CircumstanceLevel
    min_fen: Fen
    max_fen: Fen
    published_doc_no: str = ""


@dataclass(frozen=True, slots=True)
class EnforcementItem:
    """An item of the catalogue, as the case guards see it.

    The hearing thresholds (较大数额) are mandatory configuration per item: no Guangdong default
    was verified (DOMAIN.md §13 item 1).
    """

    code: str
    version: str
    name: str
    domain: str
    allowed_kinds: frozenset[PenaltyKind]
    fine_rule: FineRule
    benchmarks: tuple[DiscretionBand, ...]
    hearing_threshold_individual_fen: Fen
    hearing_threshold_org_fen: Fen
    major_decision: bool = False
    extended_limitation: bool = False  # concerns 公民生命健康安全 / 金融安全 (Art. 36)
    single_officer_allowed: bool = False
    penalty_provision: str = ""

    def hearing_threshold(self, party_type: PartyType) -> Fen:
        if party_type is PartyType.ORGANISATION:
            return self.hearing_threshold_org_fen
        return self.hearing_threshold_individual_fen

    def band(self, level: CircumstanceLevel) -> DiscretionBand | None:
        for band in self.benchmarks:
            if band.level is level:
                return band
        return None
