"""Facts the guards read from other subgraphs (personnel, catalogue, bodies, regulations).

The protocols are the interface those subgraphs will fill; `StaticFacts` is an in-memory
implementation for tests, demos and the simulators.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from typing import Protocol

from .catalogue import EnforcementItem
from .clock import local_date


class CertificateStatus(StrEnum):
    ACTIVE = "ACTIVE"
    SUSPENDED = "SUSPENDED"
    REVOKED = "REVOKED"
    CANCELLED = "CANCELLED"
    EXPIRED = "EXPIRED"
    LOST = "LOST"


@dataclass(frozen=True, slots=True)
class CertificateFact:
    """An enforcement certificate as it stood at the instant asked about."""

    cert_no: str
    officer_id: str
    status: CertificateStatus
    valid_from: date
    valid_to: date
    areas: frozenset[str]  # GB/T 2260 codes (or local codes of functional zones)
    domains: frozenset[str]  # 执法领域/类别


@dataclass(frozen=True, slots=True)
class OfficerFact:
    officer_id: str
    name: str
    body_id: str
    has_legal_qualification: bool = False  # 法律职业资格
    is_legal_reviewer: bool = False  # 法制审核人员
    first_time_reviewer: bool = False  # 初次从事法制审核 (《行政处罚法》第五十八条第二款)


@dataclass(frozen=True, slots=True)
class BodyFact:
    body_id: str
    name: str
    item_codes: frozenset[str]
    has_execution_power: bool = False  # statutory power of compulsory execution (强制法 Art. 13)
    freeze_authorised: bool = False  # authorised by law to freeze deposits (强制法 Art. 29)


class PersonnelFacts(Protocol):
    def officer(self, officer_id: str) -> OfficerFact | None: ...

    def certificate_at(self, officer_id: str, at: datetime) -> CertificateFact | None: ...


class CatalogueFacts(Protocol):
    def item(self, code: str, version: str) -> EnforcementItem | None: ...


class BodyFacts(Protocol):
    def body(self, body_id: str) -> BodyFact | None: ...


class RegulationFacts(Protocol):
    def basis_applicable(self, ref: str, violation_on: date) -> bool:
        """True when `ref` resolves to a version in force on `violation_on`, or to a later lighter
        one (《行政处罚法》第三十七条)."""
        ...


def region_covers(area: str, region: str) -> bool:
    """Whether a certificate area covers a case region (GB/T 2260 hierarchy).

    `440000` covers `44xxxx`, `445100` covers `4451xx`, a county covers itself; a functional-zone
    local code such as `445100-FX` is covered by its parent `445100` and by itself.
    """
    if area == region:
        return True
    base = region.split("-", 1)[0]
    if area == base:
        return True
    if len(area) == 6 and area.isdigit() and len(base) == 6 and base.isdigit():
        if area.endswith("0000"):
            return base.startswith(area[:2])
        if area.endswith("00"):
            return base.startswith(area[:4])
    return False


@dataclass(frozen=True)
class StaticFacts:
    """All four fact interfaces over in-memory tables."""

    officers: Mapping[str, OfficerFact] = field(default_factory=dict)
    certificates: Mapping[str, tuple[CertificateFact, ...]] = field(default_factory=dict)
    items: Mapping[tuple[str, str], EnforcementItem] = field(default_factory=dict)
    bodies: Mapping[str, BodyFact] = field(default_factory=dict)
    inapplicable_basis: frozenset[str] = frozenset()

    def officer(self, officer_id: str) -> OfficerFact | None:
        return self.officers.get(officer_id)

    def certificate_at(self, officer_id: str, at: datetime) -> CertificateFact | None:
        day = local_date(at)
        certs = self.certificates.get(officer_id, ())
        for cert in certs:
            if cert.status is CertificateStatus.ACTIVE and cert.valid_from <= day <= cert.valid_to:
                return cert
        return certs[0] if certs else None

    def item(self, code: str, version: str) -> EnforcementItem | None:
        return self.items.get((code, version))

    def body(self, body_id: str) -> BodyFact | None:
        return self.bodies.get(body_id)

    def basis_applicable(self, ref: str, violation_on: date) -> bool:
        return ref not in self.inapplicable_basis
