"""Domain values of the departmental subgraphs (DOMAIN.md §4.1–4.5), as adapters return them.

These are the middle of the three shapes kept apart (STYLE.md habit 6): adapters map legacy rows
and documents into these frozen dataclasses; subgraphs map them into Strawberry types. No legacy
column name and no graph type appears here. Every record carries its provenance.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


class IdType(StrEnum):
    RESIDENT_ID = "RESIDENT_ID"
    HK_MO_PERMIT = "HK_MO_PERMIT"
    TW_PERMIT = "TW_PERMIT"
    HMT_RESIDENCE = "HMT_RESIDENCE"
    PASSPORT = "PASSPORT"
    FOREIGNER_PR = "FOREIGNER_PR"
    OTHER = "OTHER"


class Gender(StrEnum):
    MALE = "1"
    FEMALE = "2"
    UNKNOWN = "0"


class EntityStatus(StrEnum):
    ACTIVE = "存续"
    REVOKED = "吊销"
    CANCELLED = "注销"
    MOVED_OUT = "迁出"


class LicenceStatus(StrEnum):
    VALID = "VALID"
    EXPIRED = "EXPIRED"
    REVOKED = "REVOKED"


class HolderKind(StrEnum):
    PERSON = "PERSON"
    ENTITY = "ENTITY"


class BodyLevel(StrEnum):
    PROVINCE = "PROVINCE"
    CITY = "CITY"
    COUNTY = "COUNTY"
    TOWN = "TOWN"


class BodyType(StrEnum):
    ADMIN_ORGAN = "ADMIN_ORGAN"
    AUTHORISED_ORG = "AUTHORISED_ORG"
    ENTRUSTED_ORG = "ENTRUSTED_ORG"


class CertificateStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    LOST = "LOST"


#: statuses that take effect on a day of their own, by a decision (EXPIRED follows from valid_to)
DATED_CERTIFICATE_STATUSES = frozenset({CertificateStatus.SUSPENDED, CertificateStatus.REVOKED,
                                        CertificateStatus.CANCELLED, CertificateStatus.LOST})


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from and when it was read (DOMAIN.md §4 conventions)."""

    data_source: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class Person:
    id_type: IdType
    id_number: str
    name: str
    gender: Gender
    birth_date: date
    ethnicity: str | None
    nationality: str
    household_address: str | None
    residence_address: str | None
    region_code: str | None
    mobile: str | None
    death_flag: bool
    provenance: Provenance
    legacy_id_number: str | None = None

    def age_on(self, day: date) -> int:
        years = day.year - self.birth_date.year
        if (day.month, day.day) < (self.birth_date.month, self.birth_date.day):
            years -= 1
        return years


@dataclass(frozen=True, slots=True)
class LegalEntity:
    uscc: str
    name: str
    entity_category: str
    org_form: str | None
    legal_rep_name: str | None
    legal_rep_id_type: IdType | None
    legal_rep_id_number: str | None
    reg_authority: str | None
    reg_no: str | None
    org_code: str | None
    established_date: date | None
    status: EntityStatus
    registered_address: str | None
    operating_address: str | None
    business_scope: str | None
    region_code: str | None
    provenance: Provenance


@dataclass(frozen=True, slots=True)
class Licence:
    id: str
    holder_kind: HolderKind
    holder_name: str
    holder_uscc: str | None
    holder_id_type: IdType | None
    holder_id_number: str | None
    licence_category: str | None
    certificate_name: str
    certificate_no: str
    content: str | None
    decision_doc_no: str | None
    decision_date: date | None
    valid_from: date | None
    valid_to: date | None
    issuing_authority: str | None
    issuing_authority_uscc: str | None
    status: LicenceStatus
    provenance: Provenance

    @property
    def is_long_term(self) -> bool:
        return self.valid_to == date(2099, 12, 31)


@dataclass(frozen=True, slots=True)
class EnforcementBody:
    uscc: str
    name: str
    short_name: str | None
    level: BodyLevel
    region_code: str
    parent_uscc: str | None
    body_type: BodyType
    entrusted_by: str | None
    is_comprehensive: bool
    domains: tuple[str, ...]
    power_source: str | None
    item_codes: tuple[str, ...]
    status: str


@dataclass(frozen=True, slots=True)
class EnforcementCertificate:
    cert_no: str
    cert_type: str
    officer_id: str
    body_uscc: str
    area: tuple[str, ...]
    categories: tuple[str, ...]
    power_source: str | None
    issued_by: str | None
    issue_date: date | None
    valid_from: date
    valid_to: date
    status: CertificateStatus
    exam_passed_at: date | None
    #: the day the current status took effect, for the statuses set by a decision (SUSPENDED, REVOKED,
    #: CANCELLED, LOST); None for ACTIVE and for EXPIRED, which follows from `valid_to`
    status_since: date | None = None

    def active_on(self, day: date) -> bool:
        return self.status is CertificateStatus.ACTIVE and self.valid_from <= day <= self.valid_to


@dataclass(frozen=True, slots=True)
class Officer:
    id: str
    name: str
    id_type: IdType
    id_number: str
    body_uscc: str
    post: str | None
    staff_type: str | None
    has_legal_qualification: bool
    legal_qualification_no: str | None
    is_legal_reviewer: bool
    training_hours: dict[str, int] = field(default_factory=dict)
    status: str = "ACTIVE"
