"""The 双公示 administrative-penalty record (DOMAIN.md §11.1) of a decided case, and its publicity period.

Only public (S0) data and the published summary leave: an organisation's or 个体工商户's name and USCC
in clear; a natural person's name masked (§10.3) and no ID number at all (CF_XDR_ZJHM is not sent).
Amounts are in 万元 with six decimals, computed from integer 分 without floating point.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from domain.masking import mask_name
from subgraphs.cases.domain.context import GuardContext
from subgraphs.cases.domain.enums import CircumstanceLevel, PartyType, PenaltyKind
from subgraphs.cases.domain.snapshot import CaseSnapshot

PARTY_CATEGORY: dict[PartyType, str] = {
    PartyType.ORGANISATION: "法人及非法人组织",
    PartyType.INDIVIDUAL_BUSINESS: "个体工商户",
    PartyType.NATURAL_PERSON: "自然人",
}

KIND_LABEL: dict[PenaltyKind, str] = {
    PenaltyKind.WARNING: "警告",
    PenaltyKind.PUBLIC_CRITICISM: "通报批评",
    PenaltyKind.FINE: "罚款",
    PenaltyKind.CONFISCATE_GAINS: "没收违法所得",
    PenaltyKind.CONFISCATE_PROPERTY: "没收非法财物",
    PenaltyKind.SUSPEND_LICENCE: "暂扣许可证件",
    PenaltyKind.DOWNGRADE_QUALIFICATION: "降低资质等级",
    PenaltyKind.REVOKE_LICENCE: "吊销许可证件",
    PenaltyKind.RESTRICT_PRODUCTION: "限制开展生产经营活动",
    PenaltyKind.ORDER_SUSPEND: "责令停产停业",
    PenaltyKind.ORDER_CLOSE: "责令关闭",
    PenaltyKind.RESTRICT_PRACTICE: "限制从业",
    PenaltyKind.DETENTION: "行政拘留",
    PenaltyKind.OTHER: "其他行政处罚",
}

#: the order of the kinds in 《行政处罚法》第九条, for a stable CF_CFLB
_KIND_ORDER = {kind: i for i, kind in enumerate(KIND_LABEL)}


@dataclass(frozen=True, slots=True)
class PublicityPolicy:
    """How long a penalty stays on the credit website (CF_GSJZQ = decision date + days).

    The national rule (国家发展改革委令第58号) was not verified (DOMAIN.md §11.3): the defaults are the
    earlier 527号 maxima — one year in general, three years for a serious case (从重 or one of
    `serious_kinds`) — and every value is configuration."""

    general_days: int = 365
    serious_days: int = 1095
    serious_kinds: frozenset[PenaltyKind] = field(default_factory=lambda: frozenset({
        PenaltyKind.REVOKE_LICENCE, PenaltyKind.ORDER_CLOSE, PenaltyKind.RESTRICT_PRACTICE}))

    def until(self, snapshot: CaseSnapshot) -> date:
        decision = snapshot.decision
        assert decision is not None
        proposal = decision.proposal
        serious = proposal.circumstance is CircumstanceLevel.HEAVIER or bool(proposal.kinds & self.serious_kinds)
        return decision.decided_on + timedelta(days=self.serious_days if serious else self.general_days)


def wan_yuan(fen: int) -> str:
    """分 → 万元 with six decimals (1 万元 = 1,000,000 分), exactly: 200000 → "0.200000"."""
    if fen < 0:
        raise ValueError("an amount is never negative")
    return f"{fen // 1_000_000}.{fen % 1_000_000:06d}"


def yuan_text(fen: int) -> str:
    """分 → "2000元" / "2000.5元" / "0.05元" (no trailing zeros)."""
    whole, cents = divmod(fen, 100)
    return f"{whole}元" if cents == 0 else f"{whole}.{cents:02d}".rstrip("0") + "元"


def penalty_records(snapshot: CaseSnapshot, ctx: GuardContext, policy: PublicityPolicy) -> list[dict[str, Any]]:
    """The CF_* columns of a decided case, one record per party (each 行政相对人 is published on its own,
    under the same decision number)."""
    return [penalty_record(snapshot, ctx, policy, party_index=i) for i in range(len(snapshot.parties))]


def penalty_record(snapshot: CaseSnapshot, ctx: GuardContext, policy: PublicityPolicy, *,
                   party_index: int = 0) -> dict[str, Any]:
    """The CF_* columns of a decided case for one of its parties (the first by default)."""
    decision = snapshot.decision
    if decision is None:
        raise ValueError(f"case {snapshot.case_id} has no penalty decision to publish")
    proposal = decision.proposal
    party = snapshot.parties[party_index]
    item = ctx.catalogue.item(snapshot.item_code, snapshot.item_version)
    body = ctx.bodies.body(snapshot.body_id)
    kinds = sorted(proposal.kinds, key=_KIND_ORDER.__getitem__)
    content = []
    for kind in kinds:
        if kind is PenaltyKind.FINE:
            content.append(f"罚款{yuan_text(proposal.fine_fen)}")
        elif kind is PenaltyKind.CONFISCATE_GAINS and proposal.confiscated_gains_fen:
            content.append(f"没收违法所得{yuan_text(proposal.confiscated_gains_fen)}")
        elif kind is PenaltyKind.CONFISCATE_PROPERTY and proposal.confiscated_property_fen:
            content.append(f"没收非法财物（价值{yuan_text(proposal.confiscated_property_fen)}）")
        else:
            content.append(KIND_LABEL[kind])
    natural = party.party_type is PartyType.NATURAL_PERSON
    record: dict[str, Any] = {
        "CF_XDR_MC": mask_name(party.name) if natural else party.name,
        "CF_XDR_LB": PARTY_CATEGORY[party.party_type],
        "CF_WSH": decision.doc_no,
        "CF_WFXW": item.name if item is not None else snapshot.item_code,
        "CF_YJ": (item.penalty_provision if item is not None and item.penalty_provision
                  else "；".join(decision.basis_refs)),
        "CF_CFLB": ";".join(KIND_LABEL[k] for k in kinds),
        "CF_NR": "；".join(content),
        "CF_JDRQ": decision.decided_on.isoformat(),
        "CF_GSJZQ": policy.until(snapshot).isoformat(),
        "CF_CFJG": body.name if body is not None else "",
        "CF_CFJGDM": snapshot.body_id,
        "CF_SJLY": body.name if body is not None else "",
        "CF_SJLYDM": snapshot.body_id,
    }
    if not natural and party.uscc:
        record["CF_XDR_SHXYM"] = party.uscc
    if PenaltyKind.FINE in proposal.kinds:
        record["CF_NR_FK"] = wan_yuan(proposal.fine_fen)
    confiscated = proposal.confiscated_gains_fen + proposal.confiscated_property_fen
    if confiscated:
        record["CF_NR_WFFF"] = wan_yuan(confiscated)
    return record
