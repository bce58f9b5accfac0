"""Graph types of the personnel subgraph: `EnforcementBody`, `Officer`, `EnforcementCertificate`.

Officers' certificate number, name, agency and area are public by design (DOMAIN.md §10.2); the ID
number is never served, only its masked form and the `Person` reference by hash. Every type and
field is described with its Chinese term first and an English explanation after it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

import strawberry
from strawberry.types import Info

from domain.entities import IdType
from subgraphs.common.references import PersonRef
from subgraphs.personnel.context import PersonnelContext
from subgraphs.personnel.status_history import StatusPeriod, status_history, status_on
from subgraphs.personnel.store import BodyRow, CertificateRow, OfficerRow


async def body_parent(root: EnforcementBody, info: Info[PersonnelContext, None]) -> EnforcementBody | None:
    if root.parent_uscc is None:
        return None
    row = await info.context.body.load(root.parent_uscc)
    return None if row is None else EnforcementBody.from_row(row)


async def body_children(root: EnforcementBody, info: Info[PersonnelContext, None]) -> list[EnforcementBody]:
    return [EnforcementBody.from_row(r) for r in await info.context.children.load(root.uscc) or []]


async def body_officers(root: EnforcementBody, info: Info[PersonnelContext, None]) -> list[Officer]:
    return [Officer.from_row(r) for r in await info.context.officers_of.load(root.uscc) or []]


async def officer_body(root: Officer, info: Info[PersonnelContext, None]) -> EnforcementBody | None:
    row = await info.context.body.load(root.body_uscc)
    return None if row is None else EnforcementBody.from_row(row)


async def officer_certificates(root: Officer, info: Info[PersonnelContext, None]) -> list[EnforcementCertificate]:
    return [EnforcementCertificate.from_row(r) for r in await info.context.certificates.load(str(root.id)) or []]


@strawberry.federation.type(keys=["uscc"], description=(
    "执法主体 — an enforcement body: an administrative organ, an authorised organisation or an entrusted "
    "one that enforces law in its own name (DOMAIN.md §4.4)."))
class EnforcementBody:
    uscc: str = strawberry.field(description="统一社会信用代码 — the body's 18-character unified social credit code")
    name: str = strawberry.field(description="机构名称 — the body's full registered name")
    short_name: str | None = strawberry.field(description="简称 — the short name used in lists, if any")
    level: str = strawberry.field(description="层级 — the body's level: PROVINCE / CITY / COUNTY / TOWN")
    region_code: str = strawberry.field(description="行政区划代码 — the region the body serves (GB/T 2260 code)")
    parent_uscc: str | None = strawberry.field(description="上级机构代码 — the USCC of the body above it, if any")
    body_type: str = strawberry.field(description=(
        "主体类型 — ADMIN_ORGAN (行政机关), AUTHORISED_ORG (法律法规授权组织) or ENTRUSTED_ORG (受委托组织)"))
    entrusted_by: str | None = strawberry.field(description="委托机关 — the USCC of the body that entrusted it, if any")
    is_comprehensive: bool = strawberry.field(description="综合执法 — whether it is a comprehensive enforcement body")
    domains: list[str] = strawberry.field(description="执法领域 — the enforcement domains it works in")
    power_source: str | None = strawberry.field(description="执法权来源 — where its power comes from (法定, 委托 …)")
    item_codes: list[str] = strawberry.field(description="执法事项编码 — codes of the enforcement items it is authorised for")
    status: str = strawberry.field(description="状态 — the body's status (ACTIVE, or why it is not)")
    parent: EnforcementBody | None = strawberry.field(resolver=body_parent, description="上级机构 — the body above it")
    children: list[EnforcementBody] = strawberry.field(resolver=body_children,
                                                       description="下级机构 — the bodies directly below it")
    officers: list[Officer] = strawberry.field(resolver=body_officers,
                                               description="执法人员 — the officers of this body, by id")

    @classmethod
    def from_row(cls, row: BodyRow) -> EnforcementBody:
        return cls(uscc=row.uscc, name=row.name, short_name=row.short_name, level=row.level,
                   region_code=row.region_code, parent_uscc=row.parent_uscc, body_type=row.body_type,
                   entrusted_by=row.entrusted_by, is_comprehensive=row.is_comprehensive, domains=list(row.domains),
                   power_source=row.power_source, item_codes=list(row.item_codes), status=row.status)

    @classmethod
    async def resolve_reference(cls, info: Info[PersonnelContext, None], uscc: str) -> EnforcementBody | None:
        row = await info.context.body.load(uscc)
        return None if row is None else cls.from_row(row)


@strawberry.type(description=(
    "证件状态期间 — one stretch of days during which an enforcement certificate had one status."))
class CertificateStatusPeriod:
    status: str = strawberry.field(description=(
        "证件状态 — ACTIVE (有效), EXPIRED (过期), SUSPENDED (暂扣), REVOKED (吊销), CANCELLED (注销), LOST (挂失), "
        "or UNKNOWN when the day a decided status took effect is not known"))
    from_: date = strawberry.field(name="from", description="起始日期 — the first day of the period")
    until: date | None = strawberry.field(description="截止日期 — the last day of the period; null while it lasts")

    @classmethod
    def from_period(cls, period: StatusPeriod) -> CertificateStatusPeriod:
        return cls(status=period.status, from_=period.start, until=period.until)


def certificate_status_history(root: EnforcementCertificate) -> list[CertificateStatusPeriod]:
    return [CertificateStatusPeriod.from_period(p) for p in root.periods()]


def certificate_status_on(
    root: EnforcementCertificate,
    date: Annotated[date, strawberry.argument(description="日期 — the calendar day to read the status on")],
) -> str:
    return status_on(root.periods(), date)


@strawberry.type(description="执法证 — an enforcement certificate held by an officer (DOMAIN.md §4.5).")
class EnforcementCertificate:
    cert_no: str = strawberry.field(description="执法证号 — the certificate number printed on the card")
    cert_type: str = strawberry.field(description=(
        "证件类型 — GD_ADMIN (广东省人民政府行政执法证), NATIONAL_SECTOR (国务院部门行政执法证) or "
        "SUPERVISION (行政执法监督证)"))
    body_uscc: str = strawberry.field(description="所属执法机构 — the USCC of the body the holder works for")
    area: list[str] = strawberry.field(description="执法区域 — region codes where the holder may enforce")
    categories: list[str] = strawberry.field(description="执法类别 — the enforcement domains the card covers")
    power_source: str | None = strawberry.field(description="执法权来源 — the source of the enforcement power")
    issued_by: str | None = strawberry.field(description="发证机关 — the authority that issued the card")
    issue_date: date | None = strawberry.field(description="发证日期 — the day the card was issued")
    valid_from: date = strawberry.field(description="有效期起 — the first day of the card's term")
    valid_to: date = strawberry.field(description="有效期止 — the last day of the card's term")
    status: str = strawberry.field(description=(
        "证件状态 — the status the provincial certificate system reports today: ACTIVE, EXPIRED, SUSPENDED, "
        "REVOKED, CANCELLED or LOST"))
    exam_passed_at: date | None = strawberry.field(description="考试通过日期 — the day the holder passed the exam")
    vanished_at: datetime | None = strawberry.field(description=(
        "消失时间 — set when the provincial snapshot no longer lists the certificate"))
    status_since: strawberry.Private[date | None]
    status_history: list[CertificateStatusPeriod] = strawberry.field(resolver=certificate_status_history, description=(
        "状态历史 — the card's status over time, oldest first: ACTIVE from validFrom until the day before a "
        "suspension, revocation, cancellation or loss took effect (or until validTo), then EXPIRED from "
        "validTo + 1 if the term ran out first, then the decided status from its day. Contiguous, starting at "
        "validFrom; the last period is open."))
    status_on: str = strawberry.field(resolver=certificate_status_on, description=(
        "某日状态 — the status on the given day: the period of statusHistory containing it, NOT_YET_VALID "
        "before validFrom"))

    def periods(self) -> tuple[StatusPeriod, ...]:
        return status_history(valid_from=self.valid_from, valid_to=self.valid_to, status=self.status,
                              status_since=self.status_since)

    @classmethod
    def from_row(cls, row: CertificateRow) -> EnforcementCertificate:
        return cls(cert_no=row.cert_no, cert_type=row.cert_type, body_uscc=row.body_uscc, area=list(row.area),
                   categories=list(row.categories), power_source=row.power_source, issued_by=row.issued_by,
                   issue_date=row.issue_date, valid_from=row.valid_from, valid_to=row.valid_to, status=row.status,
                   exam_passed_at=row.exam_passed_at, vanished_at=row.vanished_at, status_since=row.status_since)


@strawberry.federation.type(keys=["id"], description="执法人员 — an enforcement officer of a body (DOMAIN.md §4.5).")
class Officer:
    id: strawberry.ID = strawberry.field(description="人员编号 — the officer's id in the personnel records")
    name: str = strawberry.field(description="姓名 — the officer's name (public by design, 事前公开)")
    id_number_masked: str = strawberry.field(description=(
        "身份证号（脱敏） — the ID number, masked (the number itself is not served)"))
    body_uscc: str = strawberry.field(description="所属执法机构 — the USCC of the officer's body")
    post: str | None = strawberry.field(description="职务 — the officer's post")
    staff_type: str | None = strawberry.field(description=(
        "人员类别 — staff type; 在编在职 is required for the Guangdong certificate (粤府令196号 Art. 6(1))"))
    has_legal_qualification: bool = strawberry.field(description=(
        "法律职业资格 — whether the officer holds the national legal professional qualification"))
    is_legal_reviewer: bool = strawberry.field(description=(
        "法制审核人员 — whether the officer is one of the body's legal reviewers (处罚法 Art. 58)"))
    status: str = strawberry.field(description="人员状态 — ACTIVE (在岗), TRANSFERRED (调离) or RETIRED (退休)")
    vanished_at: datetime | None = strawberry.field(description=(
        "消失时间 — set when none of the officer's certificates is in the provincial snapshot any more"))
    person: PersonRef | None = strawberry.field(description=(
        "人口信息 — the officer as a Person of the population subgraph, by ID-number hash"))
    body: EnforcementBody | None = strawberry.field(resolver=officer_body,
                                                    description="所属执法机构 — the officer's enforcement body")
    certificates: list[EnforcementCertificate] = strawberry.field(resolver=officer_certificates, description=(
        "执法证 — the officer's enforcement certificates, by certificate number"))

    @classmethod
    def from_row(cls, row: OfficerRow) -> Officer:
        person = PersonRef(id_type=IdType(row.id_type), id_number_hash=row.id_number_hash) if row.id_number_hash else None
        return cls(id=strawberry.ID(row.id), name=row.name, id_number_masked=row.id_number_masked,
                   body_uscc=row.body_uscc, post=row.post, staff_type=row.staff_type,
                   has_legal_qualification=row.has_legal_qualification, is_legal_reviewer=row.is_legal_reviewer,
                   status=row.status, vanished_at=row.vanished_at, person=person)

    @classmethod
    async def resolve_reference(cls, info: Info[PersonnelContext, None], id: strawberry.ID) -> Officer | None:
        row = await info.context.officer.load(str(id))
        return None if row is None else cls.from_row(row)
