"""The supervision rules S01–S34 (DOMAIN.md §8), one module each; `CASE_RULES` and `GROUP_RULES` list them."""

from __future__ import annotations

from subgraphs.supervision.rules import (
    s01_clue_overdue,
    s02_decision_overdue,
    s03_service_late,
    s04_too_few_officers,
    s05_certificate_invalid,
    s06_out_of_scope,
    s07_simple_over_limit,
    s07b_simple_not_recorded,
    s08_decided_without_notice,
    s08b_aggravated_after_defence,
    s09_hearing_right_not_stated,
    s10_hearing_not_held,
    s11_hearing_notice_short,
    s11b_hearing_chair_investigator,
    s12_legal_review_missing,
    s13_no_collective_discussion,
    s14_discretion,
    s15_basis_invalid,
    s16_time_barred,
    s17_double_fine,
    s18_frequent_party,
    s19_on_spot_collection,
    s19b_cash_handover_late,
    s20_payment_overdue,
    s21_seal_seize_overdue,
    s21b_extension_unlawful,
    s22_freeze_overdue,
    s23_night_execution,
    s24_publicity_late,
    s24b_withdrawal_late,
    s25_preservation_overdue,
    s26_emergency_report_late,
    s27_minor_penalised,
    s28_no_jurisdiction,
    s29_transfer_suspected,
    s30_decision_elements,
    s31_recording_missing,
    s32_archive_overdue,
    s33_inspection_frequency,
    s34_repeated_sealing,
)
from subgraphs.supervision.rules.base import GroupRule, Rule

CASE_RULES: tuple[Rule, ...] = tuple(m.RULE for m in (
    s01_clue_overdue, s02_decision_overdue, s03_service_late, s04_too_few_officers, s05_certificate_invalid,
    s06_out_of_scope, s07_simple_over_limit, s07b_simple_not_recorded, s08_decided_without_notice,
    s08b_aggravated_after_defence, s09_hearing_right_not_stated, s10_hearing_not_held, s11_hearing_notice_short,
    s11b_hearing_chair_investigator, s12_legal_review_missing, s13_no_collective_discussion, s14_discretion,
    s15_basis_invalid, s16_time_barred, s19_on_spot_collection, s19b_cash_handover_late, s20_payment_overdue,
    s21_seal_seize_overdue, s21b_extension_unlawful, s22_freeze_overdue, s23_night_execution, s24_publicity_late,
    s24b_withdrawal_late, s25_preservation_overdue, s26_emergency_report_late, s27_minor_penalised,
    s28_no_jurisdiction, s29_transfer_suspected, s30_decision_elements, s31_recording_missing,
    s32_archive_overdue, s34_repeated_sealing,
))

#: rules over the cases of one party
PARTY_RULES: tuple[GroupRule, ...] = (s17_double_fine.RULE, s18_frequent_party.RULE)

#: id → (name, basis) of every rule, S33 included
CATALOGUE: dict[str, tuple[str, str]] = {
    **{r.rule_id: (r.name, r.basis) for r in CASE_RULES},
    **{r.rule_id: (r.name, r.basis) for r in PARTY_RULES},
    s33_inspection_frequency.RULE_ID: (s33_inspection_frequency.NAME, s33_inspection_frequency.BASIS),
}
