"""Graph types of the personnel subgraph: `EnforcementBody`, `Officer`, `EnforcementCertificate`.

Officers' certificate number, name, agency and area are public by design (DOMAIN.md §10.2); the ID
number is never served, only its masked form and the `Person` reference by hash.
"""

from __future__ import annotations

from datetime import date, datetime

import strawberry
from strawberry.types import Info

from domain.entities import IdType
from subgraphs.common.references import PersonRef
from subgraphs.personnel.context import PersonnelContext
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


@strawberry.federation.type(keys=["uscc"], description="An enforcement body (执法主体, DOMAIN.md §4.4).")
class EnforcementBody:
    uscc: str
    name: str
    short_name: str | None
    level: str = strawberry.field(description="PROVINCE / CITY / COUNTY / TOWN")
    region_code: str
    parent_uscc: str | None
    body_type: str
    entrusted_by: str | None
    is_comprehensive: bool
    domains: list[str]
    power_source: str | None
    item_codes: list[str] = strawberry.field(description="authorised enforcement item codes")
    status: str
    parent: EnforcementBody | None = strawberry.field(resolver=body_parent)
    children: list[EnforcementBody] = strawberry.field(resolver=body_children)
    officers: list[Officer] = strawberry.field(resolver=body_officers)

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


@strawberry.type(description="An enforcement certificate (执法证, DOMAIN.md §4.5).")
class EnforcementCertificate:
    cert_no: str
    cert_type: str
    body_uscc: str
    area: list[str]
    categories: list[str]
    power_source: str | None
    issued_by: str | None
    issue_date: date | None
    valid_from: date
    valid_to: date
    status: str
    exam_passed_at: date | None
    vanished_at: datetime | None = strawberry.field(description="set when the provincial snapshot no longer lists it")

    @classmethod
    def from_row(cls, row: CertificateRow) -> EnforcementCertificate:
        return cls(cert_no=row.cert_no, cert_type=row.cert_type, body_uscc=row.body_uscc, area=list(row.area),
                   categories=list(row.categories), power_source=row.power_source, issued_by=row.issued_by,
                   issue_date=row.issue_date, valid_from=row.valid_from, valid_to=row.valid_to, status=row.status,
                   exam_passed_at=row.exam_passed_at, vanished_at=row.vanished_at)


@strawberry.federation.type(keys=["id"], description="An enforcement officer (执法人员, DOMAIN.md §4.5).")
class Officer:
    id: strawberry.ID
    name: str
    id_number_masked: str = strawberry.field(description="the ID number, masked (the number itself is not served)")
    body_uscc: str
    post: str | None
    staff_type: str | None
    has_legal_qualification: bool
    is_legal_reviewer: bool
    status: str
    vanished_at: datetime | None
    person: PersonRef | None = strawberry.field(description="the officer in the population subgraph, by hash")
    body: EnforcementBody | None = strawberry.field(resolver=officer_body)
    certificates: list[EnforcementCertificate] = strawberry.field(resolver=officer_certificates)

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
