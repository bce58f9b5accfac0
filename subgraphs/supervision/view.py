"""`CaseView`: one case snapshot plus the facts of other subgraphs its rules read.

A view is built by `loader.build_views` from the case store and a `FactsSource` (the gateway in
production); rules never do I/O. Certificates, officers, bodies and party birth dates come from
the personnel and population subgraphs, the item from the catalogue; `extras` are further case
facts: the coercive measures the loader reads from the store, and facts the store does not hold
yet (cash hand-over, document checks), empty when nobody supplies them. Inspections (S33) are
read from the store by the sweep, not per case.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from subgraphs.cases.domain.catalogue import EnforcementItem
from subgraphs.cases.domain.coercive import CoerciveMeasure
from subgraphs.cases.domain.config import DeadlineConfig
from subgraphs.cases.domain.facts import CertificateStatus
from subgraphs.cases.domain.snapshot import CaseSnapshot
from subgraphs.cases.domain.working_calendar import WorkingCalendar
from subgraphs.supervision.config import SupervisionConfig


@dataclass(frozen=True, slots=True)
class CertView:
    cert_no: str
    status: CertificateStatus
    valid_from: date
    valid_to: date
    areas: frozenset[str]
    domains: frozenset[str]

    def valid_on(self, day: date) -> bool:
        return self.status is CertificateStatus.ACTIVE and self.valid_from <= day <= self.valid_to


@dataclass(frozen=True, slots=True)
class OfficerView:
    officer_id: str
    body_id: str
    has_legal_qualification: bool = False
    is_legal_reviewer: bool = False
    first_time_reviewer: bool = False
    certificates: tuple[CertView, ...] = ()

    def certificate_on(self, day: date) -> CertView | None:
        """The certificate valid on `day`, else the latest-ending one (to say why it is not)."""
        for cert in self.certificates:
            if cert.valid_on(day):
                return cert
        return max(self.certificates, key=lambda c: c.valid_to, default=None)


@dataclass(frozen=True, slots=True)
class BodyView:
    body_id: str
    body_type: str  # ADMIN_ORGAN / AUTHORISED_ORG / ENTRUSTED_ORG
    item_codes: frozenset[str]
    level: str = ""
    region_code: str = ""
    entrusted_by: str | None = None


@dataclass(frozen=True, slots=True)
class Inspection:
    """An inspection of an object by a body (S33)."""

    inspection_id: str
    body_id: str
    object_key: str  # USCC or ID-number hash of the inspected object
    on: date


@dataclass(frozen=True, slots=True)
class CashHandling:
    """On-the-spot cash collection (《行政处罚法》第七十一条, S19b)."""

    collected_on: date
    handed_to_agency_on: date | None = None
    paid_to_bank_on: date | None = None


@dataclass(frozen=True, slots=True)
class Execution:
    at: datetime
    emergency: bool = False


@dataclass(frozen=True, slots=True)
class CaseExtras:
    measures: tuple[CoerciveMeasure, ...] = ()
    cash: CashHandling | None = None
    executions: tuple[Execution, ...] = ()
    simple_record_tracked: bool = False  # the data feed reports 简易程序备案 (S07b)
    simple_filed_with_agency_on: date | None = None
    decision_missing_elements: tuple[str, ...] = ()  # Art. 59 (1)–(6) / Art. 52 elements found missing
    recorded_surcharge_fen: int | None = None
    basis_normative_doc: tuple[str, ...] = ()  # basis refs that are 规范性文件 (Art. 16)
    hard_to_collect: bool = False
    remote_area_request: bool = False
    hearing_right_stated: bool | None = None


@dataclass(frozen=True, slots=True)
class CaseView:
    snapshot: CaseSnapshot
    item: EnforcementItem | None = None
    body: BodyView | None = None
    officers: Mapping[str, OfficerView] = field(default_factory=dict)
    party_birth_dates: tuple[date | None, ...] = ()
    inapplicable_basis: frozenset[str] = frozenset()
    extras: CaseExtras = CaseExtras()
    #: what several rules derive from this view, worked out once (e.g. each officer's standing on each act)
    memo: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    @property
    def case_id(self) -> str:
        return self.snapshot.case_id

    @property
    def body_id(self) -> str:
        return self.snapshot.body_id

    def birth_date(self, index: int) -> date | None:
        if index < len(self.party_birth_dates) and self.party_birth_dates[index] is not None:
            return self.party_birth_dates[index]
        return self.snapshot.parties[index].birth_date


_MISSING = object()
CONTEXT_MEMO_MAX = 100_000


@dataclass(frozen=True)
class EvalContext:
    """What every rule may consult besides the view: the instant, calendar and configuration."""

    now: datetime
    today: date
    calendar: WorkingCalendar
    deadlines: DeadlineConfig
    config: SupervisionConfig
    #: periods computed once for every case that shares their inputs (`cached`)
    memo: dict[Any, Any] = field(default_factory=dict, init=False, compare=False, repr=False)

    def cached(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """`compute()`, remembered under `key` (which must name every input it depends on besides this
        context). Bounded: emptied when full. An error is not remembered."""
        found = self.memo.get(key, _MISSING)
        if found is _MISSING:
            if len(self.memo) >= CONTEXT_MEMO_MAX:
                self.memo.clear()
            found = self.memo[key] = compute()
        return found
