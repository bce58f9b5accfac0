"""Graph types of the licence subgraph: `Licence`, and the `licences` it adds to Person and LegalEntity."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import strawberry
from strawberry.types import Info

from adapters.errors import MalformedRecord, SourceError
from domain import entities
from domain.sm import normalise_id_number
from subgraphs.common.clock import today_in_china
from subgraphs.common.directives import Sensitive
from subgraphs.common.errors import from_source_error
from subgraphs.common.types import GraphIdType
from subgraphs.licence.context import HolderLicences, LicenceContext


async def person_licences(root: Person, info: Info[LicenceContext, None]) -> list[Licence]:
    ctx = info.context
    try:
        rows = await ctx.by_person_hash.load(root.id_number_hash)
    except SourceError as exc:
        raise from_source_error(exc) from exc
    return _usable(rows, ctx)


async def entity_licences(root: LegalEntity, info: Info[LicenceContext, None]) -> list[Licence]:
    ctx = info.context
    try:
        rows = await ctx.by_holder.load(root.uscc.strip().upper())
    except SourceError as exc:
        raise from_source_error(exc) from exc
    return _usable(rows, ctx)


@strawberry.federation.type(keys=["idType idNumberHash"],
                            description="自然人 (natural person); its home is the population subgraph, this subgraph "
                                        "adds the licences a person holds.")
class Person:
    id_type: GraphIdType = strawberry.field(description="证件类型 (ID document type)")
    id_number_hash: str = strawberry.field(
        description="证件号码摘要 (HMAC-SM3 hash of the ID type and number): the key, never the number itself")
    licences: list[Licence] | None = strawberry.field(
        resolver=person_licences, description="持有的行政许可 (licences held by this natural person)")

    @classmethod
    def resolve_reference(cls, **representation: Any) -> Person:
        return cls(id_type=representation["idType"], id_number_hash=str(representation["idNumberHash"]))


@strawberry.federation.type(keys=["uscc"],
                            description="法人 / 市场主体 (legal entity); its home is the legal-person subgraph, this "
                                        "subgraph adds the licences an entity holds.")
class LegalEntity:
    uscc: str = strawberry.field(description="统一社会信用代码 (unified social credit code): the key")
    licences: list[Licence] | None = strawberry.field(
        resolver=entity_licences, description="持有的行政许可 (licences held by this entity)")

    @classmethod
    def resolve_reference(cls, uscc: str) -> LegalEntity:
        return cls(uscc=uscc)


@strawberry.federation.type(
    keys=["id"],
    description="行政许可 / 电子证照 (administrative licence): a licensing decision and its certificate, as the "
                "licensing system records it (双公示 format, DOMAIN.md §4.3).")
class Licence:
    id: strawberry.ID = strawberry.field(description="证照标识 (licence id in the licensing system): the key")
    holder_kind: str = strawberry.field(
        description="持证人类型 (holder kind): PERSON (a natural person) or ENTITY (a legal entity)")
    holder_name: str = strawberry.federation.field(
        directives=[Sensitive(level="S2", mask="NAME")],
        description="行政相对人名称 (holder's name): a natural person's name when holderKind is PERSON, so masked")
    holder_entity_name: str | None = strawberry.field(
        description="行政相对人名称 (name of an organisation holder), public like its credit code (双公示); null for a "
                    "natural person or a 个体工商户, whose name may be the operator's own (use holderName)")
    holder_uscc: str | None = strawberry.field(
        description="行政相对人统一社会信用代码 (holder's unified social credit code), for entity holders")
    holder_id_type: GraphIdType | None = strawberry.field(
        description="行政相对人证件类型 (ID document type of a natural-person holder)")
    holder_id_number: str | None = strawberry.federation.field(
        directives=[Sensitive(level="S3", mask="ID18")],
        description="行政相对人证件号码 (ID number of a natural-person holder); sensitive, masked")
    holder_person: Person | None = strawberry.field(
        description="持证自然人 (the natural-person holder in the population subgraph, referenced by hash)")
    holder_entity: LegalEntity | None = strawberry.field(
        description="持证法人 (the entity holder, resolved by the legal-person subgraph from its USCC)")
    licence_category: str | None = strawberry.field(
        description="许可类别 (licence category): 普通 / 特许 / 认可 / 核准 / 登记 / 其他, or a local category")
    certificate_name: str = strawberry.field(description="许可证书名称 (certificate name), e.g. 食品经营许可证")
    certificate_no: str = strawberry.field(description="许可编号 (certificate number)")
    content: str | None = strawberry.field(description="许可内容 (what the licence permits)")
    decision_doc_no: str | None = strawberry.field(description="行政许可决定文书号 (number of the decision document)")
    decision_date: date | None = strawberry.field(description="许可决定日期 (decision date)")
    valid_from: date | None = strawberry.field(description="有效期自 (valid from)")
    valid_to: date | None = strawberry.field(description="有效期至 (valid to); 2099-12-31 means 长期 (no end)")
    is_long_term: bool = strawberry.field(description="长期有效 (long-term: 有效期至 2099-12-31)")
    issuing_authority: str | None = strawberry.field(description="许可机关 (issuing authority)")
    issuing_authority_uscc: str | None = strawberry.field(
        description="许可机关统一社会信用代码 (issuing authority's unified social credit code)")
    status: str = strawberry.field(
        description="当前状态 (status as of today): VALID / EXPIRED / REVOKED — a VALID licence whose validTo has "
                    "passed reads EXPIRED (the licensing system's own value is sourceStatus)")
    source_status: str = strawberry.field(
        description="源系统状态 (status as the licensing system records it: VALID / EXPIRED / REVOKED; it may lag "
                    "the dates)")
    data_source: str = strawberry.field(description="数据来源 (source system the record was read from)")
    fetched_at: datetime = strawberry.field(description="读取时间 (when the hub read the record from its source)")

    @classmethod
    def from_domain(cls, lic: entities.Licence, holder_hashes: dict[str, str]) -> Licence:
        person: Person | None = None
        if lic.holder_id_type is not None and lic.holder_id_number:
            digest = holder_hashes.get(normalise_id_number(lic.holder_id_number))
            if digest is not None:
                person = Person(id_type=lic.holder_id_type, id_number_hash=digest)
        return cls(
            id=strawberry.ID(lic.id), holder_kind=lic.holder_kind.value, holder_name=lic.holder_name,
            holder_entity_name=lic.holder_name if _public_holder(lic) else None,
            holder_uscc=lic.holder_uscc, holder_id_type=lic.holder_id_type, holder_id_number=lic.holder_id_number,
            holder_person=person, holder_entity=LegalEntity(uscc=lic.holder_uscc) if lic.holder_uscc else None,
            licence_category=lic.licence_category, certificate_name=lic.certificate_name,
            certificate_no=lic.certificate_no, content=lic.content, decision_doc_no=lic.decision_doc_no,
            decision_date=lic.decision_date, valid_from=lic.valid_from, valid_to=lic.valid_to,
            is_long_term=lic.is_long_term, issuing_authority=lic.issuing_authority,
            issuing_authority_uscc=lic.issuing_authority_uscc, status=status_on(lic, today_in_china()).value,
            source_status=lic.status.value,
            data_source=lic.provenance.data_source, fetched_at=lic.provenance.fetched_at,
        )

    @classmethod
    async def resolve_reference(cls, info: Info[LicenceContext, None], id: strawberry.ID) -> Licence | None:
        ctx = info.context
        try:
            found = await ctx.by_id.load(str(id))
        except SourceError as exc:
            raise from_source_error(exc) from exc
        return None if found is None else cls.from_domain(found, ctx.holder_hashes)


def _usable(rows: HolderLicences | None, ctx: LicenceContext) -> list[Licence]:
    """A holder's licences; malformed rows are left out (the adapter logged them, masked)."""
    return [Licence.from_domain(r, ctx.holder_hashes) for r in rows or [] if not isinstance(r, MalformedRecord)]


def status_on(lic: entities.Licence, day: date) -> entities.LicenceStatus:
    """The licence's status on `day`: the source's, except that a VALID licence past its validTo has expired
    (a long-term licence, 有效期至 2099-12-31, does not)."""
    if lic.status is entities.LicenceStatus.VALID and lic.valid_to is not None and not lic.is_long_term \
            and lic.valid_to < day:
        return entities.LicenceStatus.EXPIRED
    return lic.status


def _public_holder(lic: entities.Licence) -> bool:
    """An organisation holder whose name is public: it has a credit code that is not a 个体工商户's
    (GB 32100: registration authority 9 = market regulation, category 2 = individual business)."""
    return (lic.holder_kind is entities.HolderKind.ENTITY and bool(lic.holder_uscc)
            and not str(lic.holder_uscc).startswith("92"))
