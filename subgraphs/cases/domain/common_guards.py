"""Guards shared by several transitions: officers, minors, discretion, execution time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from .catalogue import EnforcementItem, FineRuleKind
from .clock import add_years, local_date, local_time
from .context import GuardContext
from .enums import HEARING_KINDS, CircumstanceLevel, PartyType, PenaltyKind
from .facts import CertificateStatus, region_covers
from .money import format_yuan
from .records import Party, PenaltyProposal
from .rules import check, guard_failed


def officer_problem(ctx: GuardContext, officer_id: str, at: datetime, *, region: str, domain: str) -> str | None:
    """Why `officer_id` may not act at `at` in `region` for `domain`, or None if they may."""
    cert = ctx.personnel.certificate_at(officer_id, at)
    if cert is None:
        return f"{officer_id} holds no enforcement certificate"
    day = local_date(at)
    if cert.status is not CertificateStatus.ACTIVE:
        return f"{officer_id}'s certificate {cert.cert_no} is {cert.status.value}"
    if not cert.valid_from <= day <= cert.valid_to:
        return f"{officer_id}'s certificate {cert.cert_no} is not valid on {day}"
    if not any(region_covers(area, region) for area in cert.areas):
        return f"{officer_id}'s certificate {cert.cert_no} does not cover area {region}"
    if domain not in cert.domains:
        return f"{officer_id}'s certificate {cert.cert_no} does not cover domain {domain}"
    return None


def require_certified_officers(
    ctx: GuardContext,
    officer_ids: Iterable[str],
    at: datetime,
    *,
    region: str,
    item: EnforcementItem,
    rule_id: str = "officers.two_certified",
) -> None:
    """At least two distinct officers (one where the item's law allows) with covering certificates."""
    ids = tuple(dict.fromkeys(officer_ids))
    problems = [p for p in (officer_problem(ctx, o, at, region=region, domain=item.domain) for o in ids) if p]
    qualified = len(ids) - len(problems)
    minimum = 1 if item.single_officer_allowed else 2
    if qualified < minimum:
        detail = "; ".join(problems) if problems else f"only {len(ids)} officer(s) listed"
        raise guard_failed(rule_id, f"{qualified} qualified officer(s), at least {minimum} needed: {detail}")


def age_on(birth: date, day: date) -> int:
    """Completed years of age on `day` (a birthday is reached on its anniversary date)."""
    years = day.year - birth.year
    return years if add_years(birth, years) <= day else years - 1


def require_minor_rules(parties: Iterable[Party], violation_on: date, proposal: PenaltyProposal) -> None:
    """《行政处罚法》第三十条: under 14 no penalty; 14 to 17 lighter or reduced."""
    for party in parties:
        if party.party_type is not PartyType.NATURAL_PERSON or party.birth_date is None:
            continue
        age = age_on(party.birth_date, violation_on)
        check(age >= 14, "minors.under_14_no_penalty",
              f"the party was {age} at the violation; no penalty may be imposed under 14")
        if age < 18:
            check(proposal.circumstance in (CircumstanceLevel.LIGHTER, CircumstanceLevel.REDUCED),
                  "minors.mitigation_required",
                  f"the party was {age} at the violation; the level must be 从轻 or 减轻, "
                  f"not {proposal.circumstance.value}")


def require_discretion(item: EnforcementItem, proposal: PenaltyProposal) -> None:
    """Kinds provided by the item, fine within the statutory range and the benchmark band."""
    extra = proposal.kinds - item.allowed_kinds
    check(not extra, "T20.kinds_allowed",
          f"kinds {sorted(k.value for k in extra)} are not provided for item {item.code}")
    if proposal.mitigating_factors:
        check(proposal.circumstance in (CircumstanceLevel.LIGHTER, CircumstanceLevel.REDUCED,
                                        CircumstanceLevel.NO_PENALTY),
              "T20.mitigation_applied",
              f"mitigating factors {list(proposal.mitigating_factors)} recorded but the level is "
              f"{proposal.circumstance.value}")
    if PenaltyKind.FINE not in proposal.kinds:
        return
    fine = proposal.fine_fen
    if item.fine_rule.kind is FineRuleKind.NONE:
        raise guard_failed("T20.fine_within_statutory_range", f"item {item.code} provides no fine")
    low, high = item.fine_rule.bounds(proposal.fine_base_fen)
    below_allowed = proposal.circumstance is CircumstanceLevel.REDUCED  # 减轻: below the minimum
    check(fine <= high and (below_allowed or fine >= low), "T20.fine_within_statutory_range",
          f"fine {format_yuan(fine)} outside the statutory range {format_yuan(low)}–{format_yuan(high)}")
    band = item.band(proposal.circumstance)
    if band is None:
        raise guard_failed("T20.fine_within_benchmark",
                           f"no benchmark band for level {proposal.circumstance.value} of item {item.code}")
    check(band.min_fen <= fine <= band.max_fen, "T20.fine_within_benchmark",
          f"fine {format_yuan(fine)} outside the {proposal.circumstance.value} band "
          f"{format_yuan(band.min_fen)}–{format_yuan(band.max_fen)}")


def require_lawful_execution_time(ctx: GuardContext, at: datetime, *, urgent: bool) -> None:
    """《行政强制法》第四十三条: no execution at night or on statutory holidays unless urgent."""
    if urgent:
        return
    rule = ctx.config.execution
    check(not rule.is_night(local_time(at)), "execution.no_night_or_holiday",
          f"execution at {local_time(at).strftime('%H:%M')} falls in the night "
          f"{rule.night_start.strftime('%H:%M')}–{rule.night_end.strftime('%H:%M')}")
    day = local_date(at)
    check(not ctx.calendar.is_statutory_holiday(day), "execution.no_night_or_holiday",
          f"execution on {day}, a statutory holiday")


def hearing_eligible(item: EnforcementItem, parties: Iterable[Party], proposal: PenaltyProposal) -> bool:
    """《行政处罚法》第六十三条: heavier kinds, or amounts at or above the item's 较大数额 threshold
    for the party's type (the lowest threshold among the parties)."""
    if proposal.kinds & HEARING_KINDS:
        return True
    thresholds = [item.hearing_threshold(p.party_type) for p in parties]
    if not thresholds:
        return False
    threshold = min(thresholds)
    confiscated = proposal.confiscated_gains_fen + proposal.confiscated_property_fen
    return proposal.fine_fen >= threshold or confiscated >= threshold
