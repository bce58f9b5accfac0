"""The catalogue of guard rules: stable ids, the article each rests on, and a one-line summary.

Rule ids are `<home>.<name>`: `Tn` for a guard of transition Tn of DOMAIN.md §5.2 (applied also
elsewhere where the spec repeats it), `officers`/`minors`/`legal_review`/`execution` for guards
shared by several transitions, `coercive` (§6.1) and `inspection` (§7).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import MappingProxyType

from .errors import GuardFailed

CPL = "《行政处罚法》"  # 行政处罚法 (2021)
CEL = "《行政强制法》"  # 行政强制法 (2011)


@dataclass(frozen=True, slots=True)
class Rule:
    id: str
    article: str
    summary: str


_RULES = (
    Rule("T1.item_in_catalogue", f"{CPL}第三十九条", "the clue names an item of the published catalogue"),
    Rule("T3.reason_recorded", f"{CPL}第五十四条", "not filing needs a recorded reason"),
    Rule("T4.facts_and_basis", f"{CPL}第五十一条", "simple procedure: facts certain and a legal basis"),
    Rule("T4.simple_kinds", f"{CPL}第五十一条", "simple procedure: only warning and fine"),
    Rule("T4.simple_fine_limit", f"{CPL}第五十一条", "simple procedure: fine ≤ 200 元 (person) / 3 000 元 (organisation)"),
    Rule("T4.form_and_certificate", f"{CPL}第五十二条", "certificate shown and a pre-numbered decision form"),
    Rule("T4.statement_heard", f"{CPL}第四十五条", "the party's statement heard before the on-the-spot decision"),
    Rule("T4a.simple_decision", f"{CPL}第五十二条", "only an on-the-spot decision is filed (备案) with the agency"),
    Rule("T4a.filed_once", f"{CPL}第五十二条", "an on-the-spot decision is filed with the agency once"),
    Rule("T4a.after_decision", f"{CPL}第五十二条", "the filing follows the decision"),
    Rule("T5.on_spot_collection", f"{CPL}第六十八条", "on-the-spot collection only ≤ 100 元, hard to collect, or remote area"),
    Rule("T6.filing_standard_met", f"{CPL}第五十四条", "filing standard met"),
    Rule("T6.body_competent", f"{CPL}第十七条", "the body may enforce the item"),
    Rule("T6.not_time_barred", f"{CPL}第三十六条", "discovered within 2 (or 5) years"),
    Rule("T6.first_to_file", f"{CPL}第二十五条", "no other competent agency filed first"),
    Rule("officers.two_certified", f"{CPL}第四十二条",
         "≥ 2 officers with ACTIVE certificates covering the area and domain at the action time"),
    Rule("T7.recusal_checked", f"{CPL}第四十三条", "recusal checked before investigating"),
    Rule("T7a.head_approval", f"{CPL}第五十六条", "先行登记保存 needs the agency head's approval"),
    Rule("T7a.handled_within_7wd", f"{CPL}第五十六条", "handling decision within 7 wd of 先行登记保存"),
    Rule("T7b.legal_basis", f"{CEL}第十条", "a coercive measure rests on a law or a permitted regulation"),
    Rule("T8.evidence_present", f"{CPL}第四十条", "the investigation report needs evidence"),
    Rule("T8.records_signed", f"{CPL}第五十五条", "every interview/inspection record is signed"),
    Rule("T10.suspected_crime", f"{CPL}第二十七条", "transfer only on a suspected crime"),
    Rule("T12.education_record", f"{CPL}第三十三条", "no-penalty under Art. 33 needs an education record"),
    Rule("T13.notice_contents", f"{CPL}第四十四条", "the notice states penalty, facts, reasons, basis and rights"),
    Rule("T13.hearing_right_stated", f"{CPL}第六十三条", "an eligible case's notice states the hearing right"),
    Rule("T14.hearing_eligible", f"{CPL}第六十三条", "a hearing only for eligible penalties"),
    Rule("T14.request_within_window", f"{CPL}第六十四条", "hearing requested within 5 wd of the notice"),
    Rule("T14.hearing_notice_7wd", f"{CPL}第六十四条", "hearing notified ≥ 7 wd before the hearing"),
    Rule("T15.hearing_scheduled", f"{CPL}第六十四条", "a hearing is held only after it was notified"),
    Rule("T15.chair_not_investigator", f"{CPL}第六十四条", "the chair is not an investigator of the case"),
    Rule("T15.record_signed", f"{CPL}第六十四条", "the hearing record is signed or the refusal noted"),
    Rule("T16.statement_window_closed", f"{CPL}第六十二条", "re-assess only after the statement window or the party's statements"),
    Rule("T16.statements_reviewed", f"{CPL}第四十五条", "every statement is reviewed (复核)"),
    Rule("T16.no_aggravation", f"{CPL}第四十五条", "no heavier penalty because the party defended"),
    Rule("legal_review.qualified_reviewer", f"{CPL}第五十八条",
         "legal review by a legal reviewer; a first-time reviewer holds the legal qualification"),
    Rule("T19.discussion_minutes", f"{CPL}第五十七条", "collective discussion recorded with attendees and minutes"),
    Rule("T20.extension_basis", f"{CPL}第六十条", "extensions only by law, regulation or rule, and approved"),
    Rule("T20.legal_review_passed", f"{CPL}第五十八条", "no decision without a passed legal review where required"),
    Rule("T20.collective_discussion", f"{CPL}第五十七条", "complex or major cases need collective discussion"),
    Rule("T20.notice_served", f"{CPL}第六十二条", "no decision without the Art. 44 notice"),
    Rule("T20.statements_heard", f"{CPL}第六十二条", "statement window elapsed, statements heard, or express waiver"),
    Rule("T20.hearing_held", f"{CPL}第六十五条", "a requested hearing is held (or deemed waived) first"),
    Rule("T20.no_aggravation", f"{CPL}第四十五条", "the decision is not heavier than the notified penalty"),
    Rule("T20.kinds_allowed", f"{CPL}第四条", "penalty kinds provided by the item's penalty provision"),
    Rule("T20.fine_within_statutory_range", f"{CPL}第五条", "fine within the statutory range"),
    Rule("T20.fine_within_benchmark", f"{CPL}第三十四条", "fine within the band of the recorded circumstance level"),
    Rule("T20.mitigation_applied", f"{CPL}第三十二条", "mitigating circumstances lead to 从轻 or 减轻"),
    Rule("T20.basis_effective", f"{CPL}第三十七条", "the basis is in force at the violation (or later and lighter)"),
    Rule("T20.within_decision_deadline", f"{CPL}第六十条", "decision within 90 days of filing plus approved extensions"),
    Rule("T20.decision_contents", f"{CPL}第五十九条", "decision document complete, signed and sealed"),
    Rule("minors.under_14_no_penalty", f"{CPL}第三十条", "no penalty for a party under 14 at the violation"),
    Rule("minors.mitigation_required", f"{CPL}第三十条", "a party of 14-17 is punished lighter or reduced"),
    Rule("T21.served_within_7wd", f"{CPL}第六十一条", "served within 7 wd when not delivered on the spot"),
    Rule("T21.electronic_consent", f"{CPL}第六十一条", "electronic service needs the party's signed consent"),
    Rule("T22.monetary_penalty", f"{CPL}第六十七条", "a payment period only for monetary penalties"),
    Rule("T22.payment_within_15_days", f"{CPL}第六十七条", "the payment period is at most 15 days from service"),
    Rule("T22a.party_application", f"{CPL}第六十六条", "deferral or instalments on the party's application"),
    Rule("T22a.agency_approval", f"{CPL}第六十六条", "deferral or instalments approved by the agency"),
    Rule("T23.paid_in_full", f"{CPL}第七十二条", "fine plus accrued surcharge paid in full"),
    Rule("T23a.collected_on_the_spot", f"{CPL}第七十一条", "only cash collected on the spot is handed over and banked"),
    Rule("T23a.order", f"{CPL}第七十一条", "collected → handed to the agency → paid into the bank, once each, in order"),
    Rule("T24.due_date_passed", f"{CPL}第七十二条", "overdue only after the due date"),
    Rule("T24.not_paused", f"{CPL}第七十三条", "no overdue while review or litigation is pending"),
    Rule("T25.reminder_served", f"{CEL}第三十五条", "a written 催告 precedes any execution"),
    Rule("T25.execution_power", f"{CEL}第十三条", "own execution only with statutory execution power"),
    Rule("T25.surcharge_over_30_days", f"{CEL}第四十六条", "own execution after the surcharge ran more than 30 days"),
    Rule("T25.remedy_periods_lapsed", f"{CEL}第五十三条", "court application after the review and litigation periods"),
    Rule("T25.reminder_10wd", f"{CEL}第五十四条", "court application more than 10 wd after the 催告书 was served"),
    Rule("T25.within_3_months", f"{CEL}第五十三条", "court application within 3 months after the remedy periods"),
    Rule("execution.no_night_or_holiday", f"{CEL}第四十三条", "no execution at night or on statutory holidays unless urgent"),
    Rule("T27.reason_recorded", f"{CEL}第三十九条", "suspension needs a recorded reason"),
    Rule("T28.reason_recorded", f"{CEL}第四十条", "termination needs a recorded reason"),
    Rule("T30.documents_complete", f"{CPL}第四十七条", "all case documents present before closure"),
    Rule("T30.evidence_hashed", f"{CPL}第四十七条", "all evidence hashed (SM3) before closure"),
    Rule("T30.performance_recorded", f"{CPL}第四十七条", "payment or enforcement recorded before closure"),
    Rule("T31.archive_sealed", f"{CPL}第四十七条", "the archive package carries its SM3 manifest and e-seal"),
    Rule("coercive.head_approval", f"{CEL}第十八条", "approval by the agency head before the measure"),
    Rule("coercive.emergency_report_24h", f"{CEL}第十九条", "an emergency measure is reported within 24 hours"),
    Rule("coercive.two_certified_officers", f"{CEL}第十八条", "≥ 2 certified officers carry out the measure"),
    Rule("coercive.on_site_procedure", f"{CEL}第十八条", "party or witness present, on-site record signed"),
    Rule("coercive.items_related", f"{CEL}第二十三条", "only case-related items, no daily necessities"),
    Rule("coercive.no_repeated_sealing", f"{CEL}第二十三条", "no sealing of items sealed by another organ"),
    Rule("coercive.decision_and_list_delivered", f"{CEL}第二十四条", "decision and item list delivered on the spot"),
    Rule("coercive.legal_basis", f"{CEL}第十条", "the measure's basis is of a level that may set it"),
    Rule("coercive.extension_once", f"{CEL}第二十五条", "at most one extension"),
    Rule("coercive.extension_limit", f"{CEL}第二十五条", "an extension adds at most 30 days"),
    Rule("coercive.extension_justified", f"{CEL}第二十五条", "complex case, head approval and written notice"),
    Rule("coercive.testing_notified", f"{CEL}第二十五条", "testing periods are notified in writing"),
    Rule("coercive.handled_within_term", f"{CEL}第二十七条", "handling decision within the term"),
    Rule("coercive.freeze_authorised_by_law", f"{CEL}第二十九条", "only agencies authorised by law freeze"),
    Rule("coercive.freeze_decision_3wd", f"{CEL}第三十一条", "冻结决定书 served within 3 wd"),
    Rule("inspection.two_certified_officers", f"{CPL}第四十二条", "≥ 2 certified officers inspect"),
    Rule("inspection.certificates_shown", f"{CPL}第五十五条", "certificates shown on site"),
    Rule("inspection.record_made", f"{CPL}第五十五条", "an inspection record (检查笔录) is made"),
    Rule("inspection.submitted_after_check", "“互联网+监管”行政检查行为数据规范", "submitted after the check date"),
)

RULES = MappingProxyType({r.id: r for r in _RULES})


def guard_failed(rule_id: str, message: str) -> GuardFailed:
    rule = RULES[rule_id]
    return GuardFailed(rule.id, rule.article, message)


def check(condition: bool, rule_id: str, message: str) -> None:
    """Raise `GuardFailed` for `rule_id` unless `condition` holds."""
    if not condition:
        raise guard_failed(rule_id, message)
