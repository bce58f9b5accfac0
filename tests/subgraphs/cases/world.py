"""The fixed world the case-domain tests run in: calendar, configuration, officers, bodies, items."""

from __future__ import annotations

from datetime import date
from fractions import Fraction

from subgraphs.cases.domain.catalogue import DiscretionBand, EnforcementItem, FineRule, FineRuleKind
from subgraphs.cases.domain.config import load_config
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.enums import CircumstanceLevel as L
from subgraphs.cases.domain.enums import PenaltyKind as K
from subgraphs.cases.domain.facts import (
    BodyFact,
    CertificateFact,
    CertificateStatus,
    OfficerFact,
    StaticFacts,
)
from subgraphs.cases.domain.money import yuan
from subgraphs.cases.domain.standards import calendar_dir, deadlines_file
from subgraphs.cases.domain.working_calendar import WorkingCalendar

MARKET = "市场监管"
CHAOZHOU = "445100"
XIANGQIAO = "445102"
REPEALED_BASIS = "《某已废止条例》第十条"


def _cert(officer: str, *, status: CertificateStatus = CertificateStatus.ACTIVE, areas: frozenset[str] = frozenset({CHAOZHOU}),
          domains: frozenset[str] = frozenset({MARKET}), valid_to: date = date(2027, 12, 31)) -> CertificateFact:
    return CertificateFact(f"44{officer}0001", officer, status, date(2023, 1, 1), valid_to, areas, domains)


def _item(code: str, *, fine: tuple[int, int], bands: dict[L, tuple[int, int]], major: bool = False,
          kinds: frozenset[K] | None = None) -> EnforcementItem:
    return EnforcementItem(
        code=code, version="1", name=f"事项{code}", domain=MARKET,
        allowed_kinds=kinds or frozenset({K.WARNING, K.FINE, K.CONFISCATE_GAINS, K.SUSPEND_LICENCE, K.REVOKE_LICENCE}),
        fine_rule=FineRule(FineRuleKind.FIXED_RANGE, yuan(fine[0]), yuan(fine[1])),
        benchmarks=tuple(DiscretionBand(level, yuan(lo), yuan(hi)) for level, (lo, hi) in bands.items()),
        hearing_threshold_individual_fen=yuan(10_000), hearing_threshold_org_fen=yuan(50_000),
        major_decision=major, penalty_provision="《某条例》第二十条",
    )


MARKET_BANDS = {L.REDUCED: (100, 1_000), L.LIGHTER: (1_000, 30_000), L.ORDINARY: (30_000, 70_000),
                L.HEAVIER: (70_000, 100_000)}
ITEM_A = _item("ITEM-A", fine=(1_000, 100_000), bands=MARKET_BANDS)
ITEM_S = _item("ITEM-S", fine=(50, 500), bands={L.LIGHTER: (50, 100), L.ORDINARY: (100, 300), L.HEAVIER: (300, 500)},
               kinds=frozenset({K.WARNING, K.FINE}))
ITEM_M = _item("ITEM-M", fine=(1_000, 100_000), bands=MARKET_BANDS, major=True)
ITEM_X = _item("ITEM-X", fine=(1_000, 100_000), bands=MARKET_BANDS)
ITEM_G = EnforcementItem(  # fine as a multiple of the illegal gains (1x–5x)
    code="ITEM-G", version="1", name="事项ITEM-G", domain=MARKET, allowed_kinds=frozenset({K.FINE, K.CONFISCATE_GAINS}),
    fine_rule=FineRule(FineRuleKind.MULTIPLE_OF, min_multiple=Fraction(1), max_multiple=Fraction(5)),
    benchmarks=(DiscretionBand(L.ORDINARY, yuan(1_000), yuan(500_000)),),
    hearing_threshold_individual_fen=yuan(10_000), hearing_threshold_org_fen=yuan(50_000),
)


def facts() -> StaticFacts:
    return StaticFacts(
        officers={
            "O1": OfficerFact("O1", "执法员甲", "B1"),
            "O2": OfficerFact("O2", "执法员乙", "B1"),
            "R1": OfficerFact("R1", "审核员甲", "B1", has_legal_qualification=True, is_legal_reviewer=True,
                              first_time_reviewer=True),
            "R2": OfficerFact("R2", "审核员乙", "B1", is_legal_reviewer=True, first_time_reviewer=True),
            "R3": OfficerFact("R3", "审核员丙", "B1", is_legal_reviewer=True),
        },
        certificates={
            "O1": (_cert("O1"),),
            "O2": (_cert("O2"),),
            "O3": (_cert("O3", status=CertificateStatus.SUSPENDED),),
            "O4": (_cert("O4", areas=frozenset({"445122"})),),
            "O5": (_cert("O5", domains=frozenset({"生态环境"})),),
            "O6": (_cert("O6", valid_to=date(2024, 1, 31)),),
            "O7": (_cert("O7", areas=frozenset({"440000"})),),
        },
        items={(i.code, i.version): i for i in (ITEM_A, ITEM_S, ITEM_M, ITEM_X, ITEM_G)},
        bodies={
            "B1": BodyFact("B1", "潮州市市场监督管理局", frozenset({"ITEM-A", "ITEM-S", "ITEM-M", "ITEM-G"}),
                           has_execution_power=True),
            "B2": BodyFact("B2", "潮州市某局", frozenset({"ITEM-A"})),
            "B3": BodyFact("B3", "潮州市某授权机关", frozenset({"ITEM-A"}), freeze_authorised=True),
        },
        inapplicable_basis=frozenset({REPEALED_BASIS}),
    )


def make_context() -> GuardContext:
    f = facts()
    return GuardContext(
        calendar=WorkingCalendar.from_directory(calendar_dir()),
        config=load_config(deadlines_file()),
        personnel=f, catalogue=f, bodies=f, regulations=f,
    )
