"""The supervision alert (DOMAIN.md §8): what a rule reports, before and after it is stored."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

#: evidence values: field names map to plain values, never personal data or raw ID numbers
EvidenceValue = str | int | bool | None | list[str]


class Severity(StrEnum):
    RED = "RED"  # a breach
    YELLOW = "YELLOW"  # pre-warning: 80 % of a period has elapsed
    INFO = "INFO"  # analytic, for a human to check


class SubjectKind(StrEnum):
    CASE = "CASE"
    OFFICER = "OFFICER"
    BODY = "BODY"


class AlertStatus(StrEnum):
    OPEN = "OPEN"
    ACKNOWLEDGED = "ACKNOWLEDGED"
    RECTIFIED = "RECTIFIED"
    DISMISSED = "DISMISSED"


@dataclass(frozen=True, slots=True)
class Finding:
    """One alert as a rule reports it. `case_id` is set for every case-related finding, also when
    the subject is an officer or a body; `body_id` is the responsible enforcement body."""

    rule_id: str
    severity: Severity
    subject_kind: SubjectKind
    subject_id: str
    body_id: str
    case_id: str | None = None
    due: date | None = None  # the period's last day, for period rules
    evidence: dict[str, EvidenceValue] = field(default_factory=dict)

    @property
    def key(self) -> tuple[str, str, str, str]:
        """Identity of an alert across sweeps: a re-detected finding updates the same alert."""
        return (self.rule_id, self.subject_kind.value, self.subject_id, self.case_id or "")

    def brief(self) -> dict[str, str]:
        """The `{rule, case_id|officer_id|body_id, severity}` form of `hub supervise sweep --json`."""
        out = {"rule": self.rule_id, "severity": self.severity.value,
               f"{self.subject_kind.value.lower()}_id": self.subject_id}
        if self.subject_kind is not SubjectKind.CASE and self.case_id:
            out["case_id"] = self.case_id
        return out
